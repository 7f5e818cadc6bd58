// First paint after one round trip, for prerendered pages. A page whose <head> links a stylesheet, or loads a classic
// script, cannot paint until that second file has arrived. After the build, this integration puts both into every
// prerendered page itself: each `<link rel="stylesheet" href="/_astro/….css">` becomes a <style> with the same CSS,
// and each classic `<script src="/_astro/….js">` (the signed-in hint, which must run before the body is drawn) a
// <script> with the same code. The page's module scripts (the menu's and the share buttons' enhancements, a few
// hundred bytes each) go inline too: they never held the paint back, but their requests went out beside the page's
// own and shared its first round trips with the hero picture, so a phone on a slow network painted later (README:
// Performance). The Content-Security-Policy stays strict: dist/client/_headers gets the SHA-256 of each inlined text
// in style-src and script-src, so exactly those texts may run ('unsafe-inline' never appears).
// Pages the Worker renders keep their links: the Worker's policy has no hashes, and a member who reaches one has
// usually been on the site before. `npm run dev` is untouched (Vite serves its own styles there).
// README "Performance" says what it costs later page views; tests/build/first-paint.test.ts checks every essay.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { AstroIntegration } from "astro";
import { AstroError } from "astro/errors";

const STYLESHEET = /<link rel="stylesheet" href="(\/_astro\/[^"]+\.css)">/g;
const CLASSIC_SCRIPT = /<script src="(\/_astro\/[^"]+\.js)"><\/script>/g;
const MODULE_SCRIPT = /<script type="module" src="(\/_astro\/[^"]+\.js)"><\/script>/g;
/** A static import by relative path, which would resolve against the page instead of /_astro/ once inlined. */
const RELATIVE_IMPORT = /(?:\bimport|\bfrom)\s*["']\.{1,2}\//;

/** The CSP source expression allowing exactly this inline text. */
export function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/** A page with its stylesheets, classic scripts and module scripts inlined (`read` gives a /_astro/ file's text), and
 *  the texts it inlined. */
export function inlineRenderBlocking(html: string, read: (path: string) => string): { html: string; styles: string[]; scripts: string[] } {
  const styles: string[] = [];
  const scripts: string[] = [];
  const inline = (path: string, closing: string, into: string[]) => {
    const text = read(path).trim();
    if (text.toLowerCase().includes(closing)) throw new AstroError(`${path} contains "${closing}", so it cannot be inlined.`);
    into.push(text);
    return text;
  };
  const out = html
    .replace(STYLESHEET, (_tag, path: string) => `<style>${inline(path, "</style", styles)}</style>`)
    .replace(CLASSIC_SCRIPT, (_tag, path: string) => `<script>${inline(path, "</script", scripts)}</script>`)
    .replace(MODULE_SCRIPT, (_tag, path: string) => {
      if (RELATIVE_IMPORT.test(read(path))) throw new AstroError(`${path} imports a file by a relative path, so it cannot be inlined.`);
      return `<script type="module">${inline(path, "</script", scripts)}</script>`;
    });
  return { html: out, styles, scripts };
}

/** A `_headers` file whose every Content-Security-Policy allows the given hashes in style-src and script-src. */
export function allowHashes(headers: string, hashes: { styles: string[]; scripts: string[] }): string {
  const add = (policy: string, directive: string, sources: string[]) => {
    if (sources.length === 0) return policy;
    const pattern = new RegExp(`(^|;\\s*)(${directive} [^;]*)`);
    if (!pattern.test(policy)) throw new AstroError(`A Content-Security-Policy in _headers has no ${directive}: ${policy}`);
    return policy.replace(pattern, (_match, start: string, list: string) => `${start}${list} ${sources.join(" ")}`);
  };
  return headers.replace(/^(\s+Content-Security-Policy:\s*)(.*)$/gm, (_line, name: string, policy: string) =>
    `${name}${add(add(policy, "style-src", hashes.styles), "script-src", hashes.scripts)}`);
}

/**
 * The prerendered pages the Worker itself sends, under its own policy (which has no hashes): the 500 page, which
 * Astro serves from the built file when an on-demand page fails (src/middleware.ts). They keep their links.
 */
export const SERVED_BY_THE_WORKER: ReadonlySet<string> = new Set(["500.html"]);

/** Every .html file under a folder that is served as a static file. */
function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".html"))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !SERVED_BY_THE_WORKER.has(relative(dir, file)));
}

/** The integration astro.config.mjs adds. */
export default function inlineFirstPaint(): AstroIntegration {
  return {
    name: "smallism-inline-first-paint",
    hooks: {
      "astro:build:done": ({ dir, logger }) => {
        const client = fileURLToPath(dir);
        const styles = new Set<string>();
        const scripts = new Set<string>();
        const cache = new Map<string, string>();
        const read = (path: string) => cache.get(path) ?? cache.set(path, readFileSync(join(client, path), "utf8")).get(path)!;
        const pages = htmlFiles(client);
        for (const file of pages) {
          const page = inlineRenderBlocking(readFileSync(file, "utf8"), read);
          page.styles.forEach((text) => styles.add(cspHash(text)));
          page.scripts.forEach((text) => scripts.add(cspHash(text)));
          writeFileSync(file, page.html);
        }
        const headersFile = join(client, "_headers");
        writeFileSync(headersFile, allowHashes(readFileSync(headersFile, "utf8"), { styles: [...styles], scripts: [...scripts] }));
        logger.info(`inlined ${styles.size} stylesheet(s) and ${scripts.size} script(s) into ${pages.length} pages; _headers allows their hashes`);
      },
    },
  };
}
