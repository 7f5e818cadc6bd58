// Where the build checks (tests/build/*.test.ts) find things, and how they read them: the project root, the build
// output (dist/client for static files, dist/server for the Worker), every file of a folder, a built file as text
// (gunzipped when Pagefind compressed it), the HTML pages and the page URL or file behind a same-site path.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { gunzipSync } from "node:zlib";

/** The project root (the folder with package.json). */
export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
/** The build output (benchmarks build elsewhere with SMALLISM_OUT_DIR, like astro.config.mjs). */
export const DIST = resolve(ROOT, process.env.SMALLISM_OUT_DIR ?? "dist");
/** The static files Cloudflare serves as assets. */
export const CLIENT = join(DIST, "client");
/** The Worker bundle and its wrangler.json. */
export const SERVER = join(DIST, "server");
/** The public origin the build was made for (astro.config.mjs: SITE_URL, default https://smallism.org). */
export const SITE = new URL(process.env.SITE_URL ?? "https://smallism.org").origin;

/** Throws a clear message when the build is missing, instead of every test failing on its own ENOENT. */
export function requireBuild(): void {
  if (!existsSync(join(CLIENT, "index.html")) || !existsSync(SERVER)) {
    throw new Error(`No build in ${DIST}: run \`DEV_MAILBOX=1 npm run build\` before \`npx vitest run --project build\`.`);
  }
}

/** Every file under `dir` (dotfiles included), as absolute paths, sorted. */
export function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

/** A path relative to dist/client (or any root), with forward slashes, for messages. */
export function rel(path: string, root = CLIENT): string {
  return relative(root, path).split(sep).join("/");
}

/** True when `path` exists and is a regular file. */
export function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** A built file's bytes as text, gunzipped first when gzip-compressed (Pagefind's .pf_fragment/.pf_index/.pf_meta). */
export function fileText(path: string): string {
  let bytes = readFileSync(path);
  if (bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return bytes.toString("utf8");
}

/** Every HTML page in dist/client. */
export function htmlFiles(): string[] {
  return walk(CLIENT).filter((file) => file.endsWith(".html"));
}

/** The dist/client file a same-site path is served from (path, path/index.html or path.html), or null. */
export function staticFileFor(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.split("/").includes("..")) return null;
  const base = join(CLIENT, decoded);
  for (const candidate of [base, join(base, "index.html"), `${base.replace(/\/$/, "")}.html`]) {
    if (isFile(candidate)) return candidate;
  }
  return null;
}

/** The page URL a dist/client HTML file is served at ("/essays/x/" for essays/x/index.html, "/404.html"…). */
export function pageUrl(file: string): string {
  const path = `/${rel(file)}`;
  return path.endsWith("/index.html") ? path.slice(0, -"index.html".length) : path;
}
