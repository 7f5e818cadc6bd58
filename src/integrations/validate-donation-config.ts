// An Astro integration that refuses to build (or start the dev server) with a donation setting that would lose
// money or confuse donors: an invalid BITCOIN_ADDRESS, or a bad DONATION_CURRENCY / DONATION_MIN / DONATION_MAX.
// A test (testnet) Bitcoin address passes with a warning: it works, and the donate page labels it as a test one.
// These are wrangler vars, so they are read from the process environment, then .dev.vars, then wrangler.toml's
// [vars] (the first that sets a key wins, as wrangler resolves them for local runs). Used by astro.config.mjs.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AstroIntegration } from "astro";
import { checkBitcoinAddress } from "@functions/donations/bitcoin-address";
import { readDonationSettings } from "@functions/donations/config";

const KEYS = ["BITCOIN_ADDRESS", "DONATION_CURRENCY", "DONATION_MIN", "DONATION_MAX"] as const;
type Key = (typeof KEYS)[number];

/** Unquotes a TOML basic or literal string value (the only kinds these settings use). */
function tomlString(raw: string): string | undefined {
  const value = raw.trim();
  const basic = /^"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$/.exec(value);
  if (basic) return basic[1]!.replace(/\\(["\\])/g, "$1");
  const literal = /^'([^']*)'\s*(?:#.*)?$/.exec(value);
  return literal ? literal[1] : undefined;
}

/** The keys set in wrangler.toml's top-level [vars] table. */
export function readWranglerVars(toml: string): Partial<Record<Key, string>> {
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
    if (pair && (KEYS as readonly string[]).includes(pair[1]!)) {
      const value = tomlString(pair[2]!);
      if (value !== undefined) vars[pair[1] as Key] = value;
    }
  }
  return vars;
}

/** The keys set in a .dev.vars (dotenv) file. */
export function readDevVars(text: string): Partial<Record<Key, string>> {
  const vars: Partial<Record<Key, string>> = {};
  for (const line of text.split(/\r?\n/)) {
    const pair = /^\s*(?:export\s+)?([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (!pair || !(KEYS as readonly string[]).includes(pair[1]!)) continue;
    vars[pair[1] as Key] = pair[2]!.trim().replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

type Sources = Array<{ name: string; vars: Partial<Record<Key, string>> }>;

/** Each key's value from the first source that sets it, with that source's name. */
function resolve(sources: Sources): Partial<Record<Key, { value: string; source: string }>> {
  const resolved: Partial<Record<Key, { value: string; source: string }>> = {};
  for (const source of sources) {
    for (const key of KEYS) {
      const value = source.vars[key];
      if (value !== undefined && resolved[key] === undefined) resolved[key] = { value, source: source.name };
    }
  }
  return resolved;
}

/** Settings that work but deserve a word: a test (testnet) Bitcoin address, which the donate page labels as one. */
export function donationConfigWarnings(sources: Sources): string[] {
  const bitcoin = resolve(sources).BITCOIN_ADDRESS;
  if (bitcoin === undefined) return [];
  const check = checkBitcoinAddress(bitcoin.value);
  if (!check.ok || check.network !== "test") return [];
  return [`BITCOIN_ADDRESS (from ${bitcoin.source}) is a testnet address: the donate page shows it labelled as a test address. Set a mainnet address (bc1…, 1… or 3…) to take real gifts.`];
}

/** Every problem with the donation settings, as sentences naming where the bad value came from. */
export function donationConfigProblems(sources: Sources): string[] {
  const resolved = resolve(sources);
  const problems: string[] = [];
  const bitcoin = resolved.BITCOIN_ADDRESS;
  if (bitcoin !== undefined && bitcoin.value.trim() !== "") {
    const check = checkBitcoinAddress(bitcoin.value);
    if (!check.ok) problems.push(`BITCOIN_ADDRESS (from ${bitcoin.source}) is not a valid Bitcoin address: ${check.reason}. Fix it or leave it empty to hide the Bitcoin section.`);
  }
  const { problems: settingProblems } = readDonationSettings({
    DONATION_CURRENCY: resolved.DONATION_CURRENCY?.value,
    DONATION_MIN: resolved.DONATION_MIN?.value,
    DONATION_MAX: resolved.DONATION_MAX?.value,
  });
  problems.push(...settingProblems);
  return problems;
}

/** The integration: checks the settings when Astro sets up its config (dev, build, preview, check). */
export default function validateDonationConfig(): AstroIntegration {
  return {
    name: "smallism:validate-donation-config",
    hooks: {
      "astro:config:setup": ({ config, logger }) => {
        const root = fileURLToPath(config.root);
        const read = (file: string): string => (existsSync(`${root}/${file}`) ? readFileSync(`${root}/${file}`, "utf8") : "");
        const fromEnv: Partial<Record<Key, string>> = {};
        for (const key of KEYS) {
          const value = process.env[key];
          if (value !== undefined) fromEnv[key] = value;
        }
        const sources: Sources = [
          { name: "the environment", vars: fromEnv },
          { name: ".dev.vars", vars: readDevVars(read(".dev.vars")) },
          { name: "wrangler.toml [vars]", vars: readWranglerVars(read("wrangler.toml")) },
        ];
        const problems = donationConfigProblems(sources);
        if (problems.length > 0) {
          throw new Error(`Donation settings are invalid:\n- ${problems.join("\n- ")}\n(README: Donations)`);
        }
        for (const warning of donationConfigWarnings(sources)) logger.warn(warning);
        logger.debug("donation settings are valid");
      },
    },
  };
}
