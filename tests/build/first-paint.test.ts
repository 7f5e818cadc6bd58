// Build checks: a prerendered page paints after one round trip (src/integrations/inline-first-paint.ts).
//   - no prerendered page's <head> waits for another file: no stylesheet link, no classic script with a src;
//   - the inlined stylesheet is the one on-demand pages link, byte for byte, so both kinds of page look alike;
//   - for every public essay, the first 14 KB the server sends (TCP's initial window: what arrives in the first round
//     trip, response headers included) carry the whole head, the headline and the opening paragraph, compressed;
//   - an essay with a hero picture preloads it first thing in its head, naming exactly the AVIF files its <picture>
//     offers (src/lib/essay-pictures.ts), so the largest paint's request goes out first and is never made twice.
//   - no prerendered page asks for a script file from /_astro/ at all: its module scripts are inline too, so nothing
//     but the hero picture shares the page's first round trips;
// Each inline text's hash in the page's policy is checked by budget.test.ts ("Content-Security-Policy holds").
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { headersFor, parseHeadersFile, type HeaderRule } from "@tests/support/headers-file";
import { essays } from "./content";
import { CLIENT, htmlFiles, pageUrl, rel, requireBuild, walk } from "./dist";
import { SERVED_BY_THE_WORKER } from "@src/integrations/inline-first-paint";
import { parseTags } from "./html";

/** TCP's initial congestion window: 10 segments of 1,460 bytes (RFC 6928), counted as 14 KB of 1,024 to leave room
 *  for TLS and HTTP/2 framing. */
const FIRST_ROUND_TRIP = 14 * 1024;
/** Response headers Cloudflare adds to a static page besides those _headers sets (content-type, date, etag,
 *  cache-control, server, cf-ray, alt-svc, vary and the status line), uncompressed: an upper bound. */
const OTHER_HEADER_BYTES = 600;

let rules: HeaderRule[];
beforeAll(() => {
  requireBuild();
  rules = parseHeadersFile(readFileSync(join(CLIENT, "_headers"), "utf8"));
});

/** What in a page's <head> holds its first paint back: stylesheet links and classic scripts with a src. */
function renderBlocking(html: string): string[] {
  const end = html.search(/<\/head>/i);
  const head = end === -1 ? html : html.slice(0, end);
  return parseTags(head).flatMap((tag) => {
    const rels = (tag.attrs["rel"] ?? "").toLowerCase().split(/\s+/);
    if (tag.name === "link" && rels.includes("stylesheet")) return [`<link rel="stylesheet" href="${tag.attrs["href"]}">`];
    const deferred = tag.attrs["async"] !== undefined || tag.attrs["defer"] !== undefined || tag.attrs["type"] === "module";
    if (tag.name === "script" && tag.attrs["src"] !== undefined && !deferred) return [`<script src="${tag.attrs["src"]}">`];
    return [];
  });
}

/** The HTML up to the end of an essay's opening paragraph (the first <p> of its text). */
function throughOpeningParagraph(html: string): string {
  const prose = html.indexOf('<div class="prose"');
  const paragraph = html.indexOf("<p", prose);
  const end = html.indexOf("</p>", paragraph);
  if (prose === -1 || paragraph === -1 || end === -1) throw new Error("no opening paragraph in the essay's text");
  return html.slice(0, end + "</p>".length);
}

/** Bytes of the response headers _headers gives a path, as "name: value\r\n" lines. */
function headerBytes(pathname: string): number {
  return [...headersFor(rules, pathname)].reduce((total, [name, values]) => total + values.reduce((sum, value) => sum + name.length + value.length + 4, 0), 0);
}

/** Prerendered pages served as static files (the 500 page is sent by the Worker, under its own policy). */
const staticPages = () => htmlFiles().filter((file) => !SERVED_BY_THE_WORKER.has(rel(file)));

describe("no prerendered page waits for a second file before it paints", () => {
  it.each(staticPages().map((file) => [rel(file), file] as const))("%s", (_name, file) => {
    expect(renderBlocking(readFileSync(file, "utf8"))).toEqual([]);
  });

  it("the 500 page keeps its links: the Worker sends it, and the Worker's policy allows no inline style", () => {
    for (const page of SERVED_BY_THE_WORKER) expect(renderBlocking(readFileSync(join(CLIENT, page), "utf8")).length, page).toBeGreaterThan(0);
  });

  it("the checker itself flags a stylesheet and a classic script, not a module or a deferred script", () => {
    const html = '<head><link rel="stylesheet" href="/a.css"><script src="/b.js"></script><script type="module" src="/c.js"></script><script defer src="/d.js"></script><link rel="icon" href="/e.svg"></head><body><link rel="stylesheet" href="/late.css">';
    expect(renderBlocking(html)).toEqual(['<link rel="stylesheet" href="/a.css">', '<script src="/b.js">']);
  });

  it("the inlined stylesheet is the stylesheet on-demand pages link, unchanged", () => {
    const files = walk(join(CLIENT, "_astro")).filter((file) => /\/global\.[^/]+\.css$/.test(file));
    expect(files).toHaveLength(1);
    const css = readFileSync(files[0]!, "utf8").trim();
    const styles = new Set(staticPages().flatMap((file) => parseTags(readFileSync(file, "utf8")).filter((tag) => tag.name === "style").map((tag) => tag.content)));
    expect([...styles]).toEqual([css]);
  });
});

describe("no prerendered page asks for a script file of its own", () => {
  it.each(staticPages().map((file) => [rel(file), file] as const))("%s", (_name, file) => {
    const scripts = parseTags(readFileSync(file, "utf8")).filter((tag) => tag.name === "script" && (tag.attrs["src"] ?? "").startsWith("/_astro/"));
    expect(scripts.map((tag) => tag.attrs["src"])).toEqual([]);
  });

  it("the menu's enhancement is inline on every page, as a module (run after the page is parsed)", () => {
    for (const file of staticPages()) {
      const modules = parseTags(readFileSync(file, "utf8")).filter((tag) => tag.name === "script" && tag.attrs["type"] === "module");
      expect(modules.some((tag) => tag.content?.includes(".nav-menu") === true), rel(file)).toBe(true);
    }
  });
});

describe(`the first ${FIRST_ROUND_TRIP / 1024} KB of an essay carry its head, headline and opening paragraph`, () => {
  it.each(essays().public.map((essay) => [essay.slug] as const))("/essays/%s/", (slug) => {
    const file = join(CLIENT, "essays", slug, "index.html");
    const html = readFileSync(file, "utf8");
    const prefix = throughOpeningParagraph(html);
    expect(prefix.indexOf("</head>")).toBeGreaterThan(0);
    expect(prefix).toMatch(/<h1\b[^>]*>[^<]+<\/h1>/);
    // gzip at zlib's default level; Cloudflare sends brotli to browsers that take it, which is smaller.
    const compressed = gzipSync(prefix, { level: 6 }).length;
    const headers = headerBytes(pageUrl(file)) + OTHER_HEADER_BYTES;
    const whole = gzipSync(html, { level: 6 }).length;
    console.info(`[first-paint] /essays/${slug}/: head + headline + opening paragraph ${compressed} B gzip + headers ${headers} B = ${compressed + headers} B of ${FIRST_ROUND_TRIP} (whole page ${whole} B gzip)`);
    expect(compressed + headers).toBeLessThanOrEqual(FIRST_ROUND_TRIP);
  });
});

describe("an essay's hero picture is preloaded first in its head, with exactly its picture's AVIF candidates", () => {
  it.each(essays().public.map((essay) => [essay.slug, essay.data["hero"] !== undefined] as const))("/essays/%s/ (hero: %s)", (slug, hasHero) => {
    const html = readFileSync(join(CLIENT, "essays", slug, "index.html"), "utf8");
    const tags = parseTags(html);
    const preloads = tags.filter((tag) => tag.name === "link" && tag.attrs["rel"] === "preload");
    if (!hasHero) {
      expect(preloads).toEqual([]);
      return;
    }
    expect(preloads).toHaveLength(1);
    const preload = preloads[0]!;
    expect(preload.attrs).toMatchObject({ as: "image", type: "image/avif", fetchpriority: "high" });
    const heroAvif = tags.find((tag) => tag.name === "source" && tag.attrs["type"] === "image/avif");
    expect(heroAvif, "the hero's AVIF <source>").toBeDefined();
    expect(preload.attrs["imagesrcset"]).toBe(heroAvif!.attrs["srcset"]);
    expect(preload.attrs["imagesizes"]).toBe(heroAvif!.attrs["sizes"]);
    expect(preload.attrs["imagesrcset"]).toMatch(/^\/_astro\/\S+\.avif \d+w(, \/_astro\/\S+\.avif \d+w)*$/);
    // Before every script and style of the head: the browser asks for it before anything else the page needs.
    const position = tags.indexOf(preload);
    const firstScriptOrStyle = tags.findIndex((tag) => tag.name === "script" || tag.name === "style");
    expect(position).toBeLessThan(firstScriptOrStyle);
  });

  it("at least one essay has a hero, so the check above runs", () => {
    expect(essays().public.filter((essay) => essay.data["hero"] !== undefined).length).toBeGreaterThan(0);
  });
});
