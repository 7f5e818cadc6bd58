// What a reader's browser sees: page weight from the network (Chromium DevTools Protocol) and paint/layout/long-task
// timings from Chromium's own PerformanceObserver entries. Every run is a fresh browser context (empty cache, no
// cookies except the session cookie for signed-in pages).
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic",
];

export function chromiumPath() {
  const path = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (!existsSync(path)) throw new Error(`Chromium not found at ${path}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  return path;
}

export function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

export const TYPES = ["html", "css", "js", "fonts", "images", "other"];

/** Which column a response belongs in, from DevTools' resource type, then its MIME type. */
function classify(resourceType, mimeType) {
  const byType = { Document: "html", Stylesheet: "css", Script: "js", Font: "fonts", Image: "images" }[resourceType];
  if (byType) return byType;
  const mime = (mimeType || "").toLowerCase();
  if (mime.startsWith("text/html")) return "html";
  if (mime === "text/css") return "css";
  if (mime.includes("javascript") || mime === "application/wasm") return "js";
  if (mime.startsWith("font/") || mime.includes("font")) return "fonts";
  if (mime.startsWith("image/")) return "images";
  return "other";
}

async function newContext(browser, origin, cookie) {
  const context = await browser.newContext();
  if (cookie) await context.addCookies([{ name: cookie.name, value: cookie.value, url: origin }]);
  return context;
}

/**
 * Loads `url` once in a fresh context and records every request from the network: per type the number of requests,
 * bytes transferred (encodedDataLength at loadingFinished: headers + body as sent; the local server does not
 * compress), decoded body bytes, and gzip (level 6) and brotli (level 11) sizes of the decoded bodies, which
 * approximate what Cloudflare would transfer. Requests to any host other than the site are listed.
 */
export async function measurePageWeight(browser, url, { origin, cookie } = {}) {
  const context = await newContext(browser, origin, cookie);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable", { maxTotalBufferSize: 200_000_000, maxResourceBufferSize: 50_000_000 });
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const requests = new Map();
  const foreign = [];
  const siteHost = new URL(origin).host;
  cdp.on("Network.requestWillBeSent", (event) => {
    const requestUrl = event.request.url;
    if (!requestUrl.startsWith("data:") && !requestUrl.startsWith("blob:") && new URL(requestUrl).host !== siteHost) foreign.push(requestUrl);
    requests.set(event.requestId, { url: requestUrl, status: 0, type: "other", transferred: 0, finished: false });
  });
  cdp.on("Network.responseReceived", (event) => {
    const entry = requests.get(event.requestId);
    if (!entry) return;
    entry.status = event.response.status;
    entry.type = classify(event.type, event.response.mimeType);
    entry.mimeType = event.response.mimeType;
    entry.headers = event.response.headers;
  });
  cdp.on("Network.loadingFinished", (event) => {
    const entry = requests.get(event.requestId);
    if (!entry) return;
    entry.transferred = event.encodedDataLength;
    entry.finished = true;
  });
  cdp.on("Network.loadingFailed", (event) => {
    const entry = requests.get(event.requestId);
    if (entry) entry.failed = event.errorText;
  });
  const response = await page.goto(url, { waitUntil: "load" });
  await page.waitForLoadState("networkidle");
  const byType = Object.fromEntries(TYPES.map((type) => [type, { requests: 0, transferred: 0, decoded: 0, gzip: 0, brotli: 0 }]));
  const list = [];
  for (const [requestId, entry] of requests) {
    if (entry.url.startsWith("data:")) continue;
    let body = Buffer.alloc(0);
    if (entry.finished) {
      try {
        const result = await cdp.send("Network.getResponseBody", { requestId });
        body = Buffer.from(result.body, result.base64Encoded ? "base64" : "utf8");
      } catch {
        // Redirects and empty responses have no body.
      }
    }
    const gzip = body.length ? gzipSync(body, { level: 6 }).length : 0;
    const brotli = body.length ? brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).length : 0;
    const row = byType[entry.type];
    row.requests++;
    row.transferred += entry.transferred;
    row.decoded += body.length;
    row.gzip += gzip;
    row.brotli += brotli;
    list.push({
      url: entry.url.replace(origin, ""), type: entry.type, status: entry.status, transferred: entry.transferred, decoded: body.length, gzip,
      cacheControl: entry.headers?.["cache-control"] ?? entry.headers?.["Cache-Control"] ?? null,
      ...(entry.failed ? { failed: entry.failed } : {}),
    });
  }
  const total = { requests: 0, transferred: 0, decoded: 0, gzip: 0, brotli: 0 };
  for (const row of Object.values(byType)) for (const key of Object.keys(total)) total[key] += row[key];
  const finalUrl = page.url().replace(origin, "");
  const status = response?.status() ?? 0;
  await context.close();
  return { status, finalUrl, byType, total, foreign, requests: list };
}

// Collects paint, LCP, layout-shift and long-task entries from the first moment of the page.
const OBSERVERS = `(() => {
  const bench = { fcp: null, lcp: null, shifts: [], longtasks: [] };
  Object.defineProperty(window, "__bench", { value: bench });
  const observe = (type, callback) => {
    try { new PerformanceObserver((list) => list.getEntries().forEach(callback)).observe({ type, buffered: true }); } catch {}
  };
  observe("paint", (entry) => { if (entry.name === "first-contentful-paint") bench.fcp = entry.startTime; });
  observe("largest-contentful-paint", (entry) => { bench.lcp = entry.startTime; });
  observe("layout-shift", (entry) => { if (!entry.hadRecentInput) bench.shifts.push([entry.startTime, entry.value]); });
  observe("longtask", (entry) => { bench.longtasks.push([entry.startTime, entry.duration]); });
})();`;

/** CLS as Chrome defines it: the largest session window (shifts < 1 s apart, window at most 5 s). */
function cumulativeLayoutShift(shifts) {
  let best = 0;
  let current = 0;
  let windowStart = -Infinity;
  let last = -Infinity;
  for (const [time, value] of shifts) {
    if (time - last > 1000 || time - windowStart > 5000) {
      current = 0;
      windowStart = time;
    }
    current += value;
    last = time;
    best = Math.max(best, current);
  }
  return best;
}

/** Total blocking time: for every long task (>50 ms), the part after FCP beyond the first 50 ms, summed. */
function totalBlockingTime(longtasks, fcp) {
  let total = 0;
  for (const [start, duration] of longtasks) {
    const end = start + duration;
    if (end <= fcp) continue;
    const counted = end - Math.max(start, fcp);
    if (duration > 50) total += Math.max(0, Math.min(counted, duration - 50));
  }
  return total;
}

/** One timed load of `url` in a fresh context: FCP, LCP, TBT, CLS, TTFB and the load event (ms). */
export async function measureTimings(browser, url, { origin, cookie } = {}) {
  const context = await newContext(browser, origin, cookie);
  await context.addInitScript({ content: OBSERVERS });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "load" });
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(300);
  const raw = await page.evaluate(() => {
    const nav = /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType("navigation")[0]);
    // @ts-ignore set by the init script
    const bench = window.__bench;
    return { ...bench, ttfb: nav ? nav.responseStart : null, load: nav ? nav.loadEventEnd : null };
  });
  await context.close();
  return {
    fcp: raw.fcp,
    lcp: raw.lcp,
    tbt: raw.fcp === null ? null : totalBlockingTime(raw.longtasks, raw.fcp),
    cls: cumulativeLayoutShift(raw.shifts),
    ttfb: raw.ttfb,
    load: raw.load,
    longtasks: raw.longtasks.length,
  };
}

export function median(values) {
  const sorted = values.filter((value) => typeof value === "number" && Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
