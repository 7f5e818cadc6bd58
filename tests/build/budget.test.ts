// Build checks: page weight and what pages load. Deterministic (file sizes, not timings):
//   - first view of every public essay (the longest, and any with a hero picture) = its HTML + every same-site stylesheet, script (and its static
//     imports), image and icon it references (+ url()s inside those stylesheets), each gzip -9 compressed (a fair
//     stand-in for what Cloudflare sends), under 40 KB. A <picture> costs what a browser fetches from it in the worst
//     case: the largest candidate of its first <source> (AVIF, which every current browser takes), not its other
//     formats or its fallback <img>, which that browser never requests;
//   - every public essay's full text is in its HTML outside any <script> (readable with JavaScript off);
//   - no page requests anything from another host (share links are plain <a> links, which is fine);
//   - the CSP holds without exceptions: no inline <script> except JSON-LD, no <style>, no style="", no on*= handlers,
//     besides the stylesheet and head script the build inlines into prerendered pages, whose exact texts the page's
//     policy in dist/client/_headers allows by hash (src/integrations/inline-first-paint.ts).
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { mdxSentences } from "@tests/support/mdx";
import { markupToText, wordKey } from "@tests/support/text";
import { headersFor, parseHeadersFile } from "@tests/support/headers-file";
import { essays } from "./content";
import { CLIENT, SITE, htmlFiles, pageUrl, rel, requireBuild, staticFileFor, walk } from "./dist";
import { classifyUrl, parseTags, srcsetUrls } from "./html";

/** First-view budget for an essay page, in gzip bytes (1 KB = 1000 bytes). */
const ESSAY_FIRST_VIEW_BUDGET = 40_000;

const gzipSize = (bytes: Buffer) => gzipSync(bytes, { level: 9 }).length;

type Kind = "html" | "css" | "js" | "image" | "font" | "other";
function kindOf(path: string): Kind {
  const ext = extname(path).toLowerCase();
  if (ext === ".css") return "css";
  if (ext === ".js" || ext === ".mjs") return "js";
  if ([".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico"].includes(ext)) return "image";
  if ([".woff", ".woff2", ".ttf", ".otf"].includes(ext)) return "font";
  if (ext === ".html") return "html";
  return "other";
}

/** The dist/client file a same-site URL (relative to `base`) is served from; throws when there is none. */
function resolveAsset(value: string, base: string, from: string): string {
  const url = new URL(value, `${SITE}${base}`);
  const file = staticFileFor(url.pathname);
  if (file === null) throw new Error(`${from} references ${value}, which is not in dist/client`);
  return file;
}

/** The URL of the widest (or densest) candidate in a srcset: the most a browser may fetch from it. */
function largestCandidate(srcset: string): string | undefined {
  const candidates = srcset.split(",").map((candidate) => candidate.trim().split(/\s+/)).filter(([url]) => url);
  const size = (descriptor: string | undefined) => Number.parseFloat(descriptor ?? "1x") || 1;
  return candidates.sort((a, b) => size(b[1]) - size(a[1]))[0]?.[0];
}

/** Every same-site file the first view of a page fetches: stylesheets (+ their url()/@import), scripts (+ static
 *  imports), images, icons and preloads. Data URLs cost nothing extra (they are already in the bytes). */
function firstViewFiles(htmlFile: string, html = readFileSync(htmlFile, "utf8")): Set<string> {
  const page = pageUrl(htmlFile);
  const files = new Set<string>([htmlFile]);
  const queue: string[] = [];
  const add = (value: string | undefined, base: string, from: string) => {
    if (!value || value.startsWith("data:") || classifyUrl(value) !== "same") return;
    const file = resolveAsset(value, base, from);
    if (!files.has(file)) {
      files.add(file);
      queue.push(file);
    }
  };
  // Inside a <picture>: whether its first <source> has been counted (then the rest of it is not fetched).
  let picture: "none" | "open" | "counted" = "none";
  for (const tag of parseTags(html)) {
    const rels = (tag.attrs["rel"] ?? "").toLowerCase().split(/\s+/);
    if (tag.name === "link" && rels.some((r) => ["stylesheet", "icon", "apple-touch-icon", "preload", "modulepreload", "manifest", "mask-icon"].includes(r))) add(tag.attrs["href"], page, rel(htmlFile));
    if (tag.name === "script") add(tag.attrs["src"], page, rel(htmlFile));
    if (tag.name === "picture") picture = "open";
    if (picture !== "none" && (tag.name === "source" || tag.name === "img")) {
      if (picture === "open" && tag.name === "source") {
        add(largestCandidate(tag.attrs["srcset"] ?? ""), page, rel(htmlFile));
        picture = "counted";
        continue;
      }
      const fallback = picture === "open";
      if (tag.name === "img") picture = "none"; // a picture ends with its <img>
      if (!fallback) continue;
    }
    if (["img", "source", "video", "audio", "input", "embed", "iframe"].includes(tag.name)) {
      add(tag.attrs["src"], page, rel(htmlFile));
      add(srcsetUrls(tag.attrs["srcset"] ?? "")[0], page, rel(htmlFile));
      add(tag.attrs["poster"], page, rel(htmlFile));
    }
  }
  while (queue.length) {
    const file = queue.shift()!;
    const base = `/${rel(file)}`;
    const text = readFileSync(file, "utf8");
    if (kindOf(file) === "css") {
      for (const m of text.matchAll(/url\(\s*(["']?)([^"')]+)\1\s*\)|@import\s+["']([^"']+)["']/g)) add(m[2] ?? m[3], base, rel(file));
    }
    if (kindOf(file) === "js") {
      for (const m of text.matchAll(/(?:\bimport\s*|\bfrom\s*)["']([^"']+\.m?js)["']/g)) add(m[1], base, rel(file));
    }
  }
  return files;
}

const ESSAYS = essays();
/** The longest public essay, by words in its body: the heaviest essay page. */
const LONGEST = [...ESSAYS.public].sort((a, b) => wordKey(b.body).split(" ").length - wordKey(a.body).split(" ").length)[0]!;

beforeAll(requireBuild);

describe("first view of an essay page", () => {
  // Every public essay, not only the longest: a hero picture can make a shorter essay the heavier page.
  it.each(ESSAYS.public.map((essay) => [essay === LONGEST ? `${essay.slug} (the longest)` : essay.slug, essay] as const))(`%s is under ${ESSAY_FIRST_VIEW_BUDGET} gzip bytes with everything it loads`, (_name, essay) => {
    const page = join(CLIENT, "essays", essay.slug, "index.html");
    const byKind = new Map<Kind, number>();
    const lines: string[] = [];
    for (const file of firstViewFiles(page)) {
      const size = gzipSize(readFileSync(file));
      byKind.set(kindOf(file), (byKind.get(kindOf(file)) ?? 0) + size);
      lines.push(`  ${rel(file)}: ${size} B`);
    }
    const total = [...byKind.values()].reduce((a, b) => a + b, 0);
    const summary = [`total ${total} B gzip (budget ${ESSAY_FIRST_VIEW_BUDGET})`, ...[...byKind].map(([kind, size]) => `${kind}: ${size} B`), ...lines].join("\n");
    console.info(`[budget] /essays/${essay.slug}/\n${summary}`);
    expect(byKind.get("html"), summary).toBeGreaterThan(0);
    // The stylesheet is inline in prerendered pages (counted in the HTML's bytes); a linked one is counted as css.
    const inlineStyle = parseTags(readFileSync(page, "utf8")).some((tag) => tag.name === "style" && (tag.content ?? "").length > 1000);
    expect(inlineStyle || (byKind.get("css") ?? 0) > 0, `${summary}\n(a stylesheet is expected)`).toBe(true);
    expect(total, summary).toBeLessThan(ESSAY_FIRST_VIEW_BUDGET);
  });

  it("the first-view walk follows stylesheets, scripts and icons (so the budget counts them)", () => {
    const files = [...firstViewFiles(join(CLIENT, "essays", LONGEST.slug, "index.html"))].map((file) => kindOf(file));
    expect(files).toContain("image"); // the favicon
    // Prerendered pages carry their stylesheet and scripts inline; the walk still follows them linked as on-demand
    // pages link them.
    const stylesheet = walk(join(CLIENT, "_astro")).find((file) => kindOf(file) === "css")!;
    const script = walk(join(CLIENT, "_astro")).find((file) => /ShareLinks\.[^/]+\.js$/.test(file))!;
    const linking = `<link rel="stylesheet" href="/${rel(stylesheet)}"><script type="module" src="/${rel(script)}"></script>`;
    expect([...firstViewFiles(join(CLIENT, "essays", LONGEST.slug, "index.html"), linking)].map((file) => kindOf(file))).toEqual(["html", "css", "js"]);
  });

  it.each(ESSAYS.public.map((essay) => [essay.slug, essay] as const))("%s: the full text is in the HTML outside any script", (slug, essay) => {
    const html = readFileSync(join(CLIENT, "essays", slug, "index.html"), "utf8").replace(/<script\b[\s\S]*?<\/script>/gi, " ").replace(/<noscript\b[\s\S]*?<\/noscript>/gi, " ");
    const text = ` ${wordKey(markupToText(html))} `;
    const sentences = mdxSentences(essay.body);
    expect(sentences.length).toBeGreaterThan(10);
    expect(sentences.filter((sentence) => !text.includes(` ${wordKey(sentence)} `))).toEqual([]);
  });
});

describe("no requests to other hosts", () => {
  /** Links that make the browser fetch something (not navigation links such as canonical or alternate). */
  const FETCHING_RELS = ["stylesheet", "icon", "apple-touch-icon", "mask-icon", "manifest", "preload", "modulepreload", "prefetch", "prerender", "preconnect", "dns-prefetch"];

  function thirdPartyRequests(html: string): string[] {
    const out: string[] = [];
    const check = (what: string, value: string | undefined) => {
      if (value !== undefined && classifyUrl(value) === "external") out.push(`${what}="${value}"`);
    };
    for (const tag of parseTags(html)) {
      const rels = (tag.attrs["rel"] ?? "").toLowerCase().split(/\s+/);
      if (tag.name === "link" && rels.some((r) => FETCHING_RELS.includes(r))) check(`<link rel="${tag.attrs["rel"]}"> href`, tag.attrs["href"]);
      for (const attribute of ["src", "poster", "data", "background"]) check(`<${tag.name}> ${attribute}`, tag.attrs[attribute]);
      for (const url of srcsetUrls(tag.attrs["srcset"] ?? "")) check(`<${tag.name}> srcset`, url);
      if (tag.attrs["ping"] !== undefined) out.push(`<${tag.name}> ping="${tag.attrs["ping"]}"`);
      const property = tag.attrs["property"] ?? tag.attrs["name"] ?? "";
      if (tag.name === "meta" && /^(og:image|og:image:url|og:image:secure_url|twitter:image)$/.test(property)) check(`<meta ${property}>`, tag.attrs["content"]);
    }
    return out;
  }

  it.each(htmlFiles().map((file) => [rel(file), file] as const))("%s", (_name, file) => {
    expect(thirdPartyRequests(readFileSync(file, "utf8"))).toEqual([]);
  });

  it.each(walk(CLIENT).filter((file) => kindOf(file) === "css").map((file) => [rel(file), file] as const))("stylesheet %s loads nothing from another host", (_name, file) => {
    const css = readFileSync(file, "utf8");
    const urls = [...css.matchAll(/url\(\s*(["']?)([^"')]+)\1\s*\)|@import\s+(?:url\()?["']([^"']+)["']/g)].map((m) => m[2] ?? m[3] ?? "");
    expect(urls.filter((url) => classifyUrl(url) === "external")).toEqual([]);
  });

  it("the checker itself flags a CDN stylesheet, script, font preconnect, image and og:image", () => {
    const html = [
      '<link rel="stylesheet" href="https://cdn.example/x.css">',
      '<script src="//cdn.example/x.js"></script>',
      '<link rel="preconnect" href="https://fonts.example">',
      '<img src="https://tracker.example/p.gif" alt="">',
      '<meta property="og:image" content="https://images.example/card.png">',
      '<a href="https://x.com/intent/post">X</a>',
      '<link rel="canonical" href="https://other.example/">',
    ].join("");
    expect(thirdPartyRequests(html)).toHaveLength(5);
  });
});

describe("Content-Security-Policy holds without exceptions (script-src 'self'; style-src 'self')", () => {
  /** The CSP source expression allowing exactly this inline text. */
  const hashOf = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
  /** The hashes the policy dist/client/_headers gives a page allows, in script-src and style-src. */
  function allowedHashes(pathname: string): { scripts: string[]; styles: string[] } {
    const policies = headersFor(parseHeadersFile(readFileSync(join(CLIENT, "_headers"), "utf8")), pathname).get("content-security-policy") ?? [];
    expect(policies, `one policy for ${pathname}`).toHaveLength(1);
    const directive = (name: string) => (new RegExp(`(?:^|;\\s*)${name} ([^;]*)`).exec(policies[0]!)?.[1] ?? "").split(/\s+/).filter((source) => source.startsWith("'sha256-"));
    return { scripts: directive("script-src"), styles: directive("style-src") };
  }

  function cspViolations(html: string, allowed: { scripts: string[]; styles: string[] } = { scripts: [], styles: [] }): string[] {
    const out: string[] = [];
    for (const tag of parseTags(html)) {
      if (tag.name === "script" && tag.attrs["src"] === undefined) {
        if ((tag.attrs["type"] ?? "").toLowerCase() !== "application/ld+json") {
          if (!allowed.scripts.includes(hashOf(tag.content ?? ""))) out.push(`inline <script type="${tag.attrs["type"] ?? ""}">`);
        } else {
          try {
            JSON.parse(tag.content ?? "");
          } catch {
            out.push("JSON-LD that is not valid JSON");
          }
        }
      }
      if (tag.name === "style" && !allowed.styles.includes(hashOf(tag.content ?? ""))) out.push("<style> element");
      if (tag.attrs["style"] !== undefined) out.push(`style="${tag.attrs["style"]}" on <${tag.name}>`);
      for (const name of Object.keys(tag.attrs)) if (/^on[a-z]+$/.test(name)) out.push(`${name}= handler on <${tag.name}>`);
      for (const attribute of ["href", "src", "action", "formaction"]) {
        if (/^\s*javascript:/i.test(tag.attrs[attribute] ?? "")) out.push(`javascript: URL in <${tag.name} ${attribute}>`);
      }
    }
    return out;
  }

  it.each(htmlFiles().map((file) => [rel(file), file] as const))("%s", (_name, file) => {
    expect(cspViolations(readFileSync(file, "utf8"), allowedHashes(pageUrl(file)))).toEqual([]);
  });

  it("the checker itself flags inline script, <style>, style=\"\", onclick and javascript: URLs", () => {
    const html = '<script>alert(1)</script><style>p{}</style><p style="color:red" onclick="x()"></p><a href="javascript:void 0">x</a><script type="application/ld+json">{"a":1}</script>';
    expect(cspViolations(html)).toHaveLength(5);
    // A hash allows exactly its text: the same script and style pass, a changed one does not.
    expect(cspViolations(html, { scripts: [hashOf("alert(1)")], styles: [hashOf("p{}")] })).toHaveLength(3);
    expect(cspViolations(html, { scripts: [hashOf("alert(2)")], styles: [hashOf("p{ }")] })).toHaveLength(5);
  });

  it("prerendered pages' policies allow the inlined texts by hash", () => {
    const essay = join(CLIENT, "essays", LONGEST.slug, "index.html");
    const allowed = allowedHashes(pageUrl(essay));
    expect(allowed.scripts.length).toBeGreaterThanOrEqual(1);
    expect(allowed.styles.length).toBeGreaterThanOrEqual(1);
  });
});
