// The Worker's settings for code that runs at build time (astro.config.mjs and its integrations), where there is no
// `env`: the [vars] table of wrangler.toml and .dev.vars (dotenv) files, read the way wrangler reads them for the
// keys asked for. Only the basic and literal TOML strings these settings use are understood.
import { existsSync, readFileSync } from "node:fs";

/** Unquotes a TOML basic or literal string value (the only kinds these settings use). */
function tomlString(raw: string): string | undefined {
  const value = raw.trim();
  const basic = /^"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$/.exec(value);
  if (basic) return basic[1]!.replace(/\\(["\\])/g, "$1");
  const literal = /^'([^']*)'\s*(?:#.*)?$/.exec(value);
  return literal ? literal[1] : undefined;
}

/** The `keys` set in wrangler.toml's top-level [vars] table. */
export function readWranglerVars<Key extends string>(toml: string, keys: readonly Key[]): Partial<Record<Key, string>> {
  const vars: Partial<Record<Key, string>> = {};
  let inVars = false;
  for (const line of toml.split(/\r?\n/)) {
    const table = /^\s*\[([^\]]*)\]\s*(?:#.*)?$/.exec(line);
    if (table) {
      inVars = table[1]!.trim() === "vars";
      continue;
    }
    if (!inVars) continue;
    const pair = /^\s*([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (pair && (keys as readonly string[]).includes(pair[1]!)) {
      const value = tomlString(pair[2]!);
      if (value !== undefined) vars[pair[1] as Key] = value;
    }
  }
  return vars;
}

/** The `keys` set in a .dev.vars (dotenv) file. */
export function readDevVars<Key extends string>(text: string, keys: readonly Key[]): Partial<Record<Key, string>> {
  const vars: Partial<Record<Key, string>> = {};
  for (const line of text.split(/\r?\n/)) {
    const pair = /^\s*(?:export\s+)?([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (!pair || !(keys as readonly string[]).includes(pair[1]!)) continue;
    vars[pair[1] as Key] = pair[2]!.trim().replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

/** A file in the project `root`, or "" when it does not exist. */
export function readProjectFile(root: URL, file: string): string {
  const url = new URL(file, root);
  return existsSync(url) ? readFileSync(url, "utf8") : "";
}

/** One setting of the project's wrangler.toml [vars], or undefined. */
export function wranglerVar(root: URL, key: string): string | undefined {
  return readWranglerVars(readProjectFile(root, "wrangler.toml"), [key])[key];
}
