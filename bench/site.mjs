// Builds and serves the site for the benchmark without touching anyone else's files.
// Others build and serve the same tree at the same time (npm test writes dist/, .astro/ and node_modules/.astro;
// `astro preview` keeps a lock file in the project root), so the benchmark builds from a fresh copy of the app in
// bench/.tmp/site: the same src/, functions/, public/, migrations/ and configuration, node_modules linked, and a
// config wrapper that only moves Astro's cache into the copy. What is built is exactly what `npm run build` builds.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
export const TMP = join(ROOT, "bench", ".tmp");
export const SITE = join(TMP, "site");

const COPIED = ["src", "functions", "public", "migrations", "package.json", "tsconfig.json", "wrangler.toml", "types"];

/** (Re)creates a copy of the app from the working tree: bench/.tmp/site, or `site` (tests/build/worker-content.test.ts). */
export function prepareSiteCopy(site = SITE) {
  rmSync(site, { recursive: true, force: true });
  mkdirSync(site, { recursive: true });
  for (const name of COPIED) if (existsSync(join(ROOT, name))) cpSync(join(ROOT, name), join(site, name), { recursive: true });
  cpSync(join(ROOT, "astro.config.mjs"), join(site, "astro.config.project.mjs"));
  writeFileSync(
    join(site, "astro.config.mjs"),
    `// Written by bench/site.mjs: the project's own config, with Astro's cache kept inside this copy.\n` +
      `import config from "./astro.config.project.mjs";\nexport default { ...config, cacheDir: "./.cache/" };\n`,
  );
  symlinkSync(join(ROOT, "node_modules"), join(site, "node_modules"), "dir");
}

/** Runs a command, streaming nothing; resolves with { code, ms, output } (output = last 4 KB of stdout+stderr). */
export function run(command, args, { cwd = SITE, env = {}, timeoutMs = 300_000 } = {}) {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk) => { output = (output + chunk.toString()).slice(-4096); };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, ms: performance.now() - started, output });
    });
  });
}

/** Every file under `dir` (recursively). */
function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : entry.isFile() ? [path] : [];
  });
}

/** Total size in bytes of every file under `dir`. */
export function dirSize(dir) {
  return files(dir).reduce((total, path) => total + statSync(path).size, 0);
}

/** The Worker's code files: dist/server without source maps, wrangler.json or a copied .dev.vars. */
export function workerFiles(dir) {
  return files(dir).filter((path) => !/\.map$|(^|\/)(wrangler\.json|\.dev\.vars)$/.test(path));
}

/** The Worker's code: bytes, and gzip bytes file by file. */
function workerCode(dir) {
  let bytes = 0;
  let gzip = 0;
  for (const path of workerFiles(dir)) {
    const data = readFileSync(path);
    bytes += data.length;
    gzip += gzipSync(data, { level: 6 }).length;
  }
  return { bytes, gzip };
}

/**
 * `npm run build` in the copy (astro build, then Pagefind over the output), with content from `contentDir` and
 * output in `outDir`. Returns times and sizes; throws with the build's last output when it fails.
 */
export async function buildSite({ contentDir, outDir, devMailbox = false }) {
  rmSync(outDir, { recursive: true, force: true });
  // Cold builds: no content-layer or Vite cache from the previous build.
  for (const cache of [".cache", ".astro"]) rmSync(join(SITE, cache), { recursive: true, force: true });
  const env = { SMALLISM_CONTENT_DIR: contentDir, SMALLISM_OUT_DIR: outDir, ...(devMailbox ? { DEV_MAILBOX: "1" } : {}) };
  if (!devMailbox) env.DEV_MAILBOX = "";
  const astro = await run("npx", ["astro", "build"], { env, timeoutMs: 420_000 });
  if (astro.code !== 0) throw new Error(`astro build failed (${contentDir}):\n${astro.output}`);
  const pagefind = await run("npx", ["pagefind", "--site", join(outDir, "client"), "--output-subdir", "pagefind"], { env });
  if (pagefind.code !== 0) throw new Error(`pagefind failed:\n${pagefind.output}`);
  // Wrangler ignores the process environment when dist/server/.dev.vars exists; the copy has none, but be sure.
  rmSync(join(outDir, "server", ".dev.vars"), { force: true });
  const pages = countFiles(join(outDir, "client"), ".html");
  const code = workerCode(join(outDir, "server"));
  return {
    astroMs: Math.round(astro.ms),
    pagefindMs: Math.round(pagefind.ms),
    totalMs: Math.round(astro.ms + pagefind.ms),
    clientBytes: dirSize(join(outDir, "client")),
    serverBytes: dirSize(join(outDir, "server")),
    pagefindBytes: dirSize(join(outDir, "client", "pagefind")),
    workerCodeBytes: code.bytes,
    workerCodeGzip: code.gzip,
    htmlPages: pages,
  };
}

function countFiles(dir, suffix) {
  return files(dir).filter((path) => path.endsWith(suffix)).length;
}
