// Optional Lighthouse pass: one run per page with Lighthouse's defaults (mobile, simulated slow 4G and 4x CPU
// slowdown), with Debian's Chromium. Lighthouse is not a project dependency: it is installed into
// bench/.tmp/lighthouse (npm install --prefix) the first time and reused; if that fails (offline, registry down)
// the pass is skipped and the report says why. The 5-run medians come from bench/browser.mjs, not from here.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { run, TMP, ROOT } from "./site.mjs";

export const LIGHTHOUSE_VERSION = "13.5.0";
const DIR = join(TMP, "lighthouse");
const ENTRY = join(DIR, "node_modules", "lighthouse", "core", "index.js");
const LAUNCHER = join(DIR, "node_modules", "chrome-launcher", "dist", "index.js");

/** Makes sure Lighthouse is installed in bench/.tmp/lighthouse; returns null when ready, else the reason. */
export async function ensureLighthouse() {
  if (existsSync(ENTRY) && existsSync(LAUNCHER)) return null;
  mkdirSync(DIR, { recursive: true });
  const install = await run("npm", ["install", "--prefix", DIR, "--no-save", "--no-audit", "--no-fund", "--loglevel=error", `lighthouse@${LIGHTHOUSE_VERSION}`], { cwd: ROOT, timeoutMs: 180_000 });
  if (install.code !== 0 || !existsSync(ENTRY)) return `npm install lighthouse@${LIGHTHOUSE_VERSION} into bench/.tmp/lighthouse failed: ${install.output.trim().split("\n").slice(-3).join(" ")}`;
  return null;
}

/** The LCP element (its selector) and the observed parts of its time (Lighthouse 13's LCP breakdown insight), in ms. */
function lcpElement(audits) {
  const items = audits["lcp-breakdown-insight"]?.details?.items ?? [];
  const node = items.find((item) => item.type === "node");
  const parts = items.find((item) => item.type === "table")?.items ?? [];
  if (node === undefined) return null;
  return { selector: node.selector ?? null, phases: Object.fromEntries(parts.map((row) => [row.subpart, Math.round(row.duration)])) };
}

/** Runs Lighthouse (performance only) once per page; pages: [{ key, url, cookie? }]. */
export async function runLighthouse(pages, chromePath, log) {
  const { default: lighthouse } = await import(pathToFileURL(ENTRY).href);
  const chromeLauncher = await import(pathToFileURL(LAUNCHER).href);
  const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: ["--headless", "--no-sandbox", "--disable-gpu"], logLevel: "silent" });
  const results = {};
  try {
    for (const page of pages) {
      const started = performance.now();
      const flags = { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance"] };
      if (page.cookie) flags.extraHeaders = { Cookie: `${page.cookie.name}=${page.cookie.value}` };
      // Lighthouse occasionally fails to record the trace (NO_NAVSTART and the like): try up to three times.
      let runnerResult;
      let attempts = 0;
      do {
        attempts++;
        runnerResult = await lighthouse(page.url, flags);
      } while (runnerResult.lhr.runtimeError && attempts < 3);
      const { audits, categories, runtimeError } = runnerResult.lhr;
      const observed = audits.metrics?.details?.items?.[0] ?? {};
      results[page.key] = {
        seconds: Math.round((performance.now() - started) / 100) / 10,
        attempts,
        error: runtimeError?.message ?? null,
        score: categories.performance.score === null ? null : Math.round(categories.performance.score * 100),
        fcp: audits["first-contentful-paint"].numericValue,
        lcp: audits["largest-contentful-paint"].numericValue,
        tbt: audits["total-blocking-time"].numericValue,
        cls: audits["cumulative-layout-shift"].numericValue,
        observedFcp: observed.observedFirstContentfulPaint ?? null,
        observedLcp: observed.observedLargestContentfulPaint ?? null,
        renderBlocking: (audits["render-blocking-resources"]?.details?.items ?? []).map((item) => ({ url: item.url, wastedMs: item.wastedMs })),
        totalBytes: audits["total-byte-weight"]?.numericValue ?? null,
        lcpElement: lcpElement(audits),
      };
      const done = results[page.key];
      const phases = done.lcpElement ? `, LCP element ${done.lcpElement.selector} (${Object.entries(done.lcpElement.phases).map(([phase, ms]) => `${phase} ${ms}`).join(", ")})` : "";
      log(`  lighthouse ${page.key}: ${done.error ? `error: ${done.error}` : `score ${done.score}, FCP ${Math.round(done.fcp)} ms, LCP ${Math.round(done.lcp)} ms${phases}`} (${done.seconds} s${attempts > 1 ? `, ${attempts} attempts` : ""})`);
    }
  } finally {
    await chrome.kill();
  }
  return { version: LIGHTHOUSE_VERSION, results };
}
