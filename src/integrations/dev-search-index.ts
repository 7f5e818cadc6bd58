// Search under `astro dev`. `npm run build` indexes the built pages with Pagefind; the dev server has no build, so
// without this /pagefind/ is 404 and search cannot run. This integration builds the same index in memory with
// Pagefind's Node API from the pages the dev server renders, and serves it under /pagefind/. It seals member text
// as the build does: pages are fetched as a visitor (no cookie), only prerendered ones are indexed (the build
// indexes only dist/client; src/dev/dev-server-headers.ts marks them), and Pagefind keeps only the
// data-pagefind-body regions, which only public essays have. Drafts are indexed, as `astro dev` shows them.
import type { AstroIntegration, AstroIntegrationLogger } from "astro";
import * as pagefind from "pagefind";
import type { Plugin, ViteDevServer } from "vite";
import { BASE_SECURITY_HEADERS, contentSecurityPolicy } from "@functions/http/security-headers";
import { PRERENDERED_HEADER } from "@src/dev/dev-server-headers";

const PREFIX = "/pagefind/";
/** Pages fetched per index at most, and at once: enough for a large site, gentle on a laptop. */
const CRAWL_LIMIT = 2000;
const CONCURRENCY = 4;
const CONTENT_TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", json: "application/json; charset=utf-8", css: "text/css; charset=utf-8" };

/** Site paths of the pages an HTML page links to: same origin, no query or fragment, pages only (no files
 *  such as /rss.xml, nothing under /dev/, /_astro/ or /pagefind/). */
export function pageLinks(html: string, pageUrl: URL): string[] {
  const paths = new Set<string>();
  for (const [, href] of html.matchAll(/<a\b[^>]*?\bhref="([^"]*)"/gi)) {
    let url: URL;
    try { url = new URL(href!.replace(/&amp;/g, "&"), pageUrl); } catch { continue; }
    if (url.origin !== pageUrl.origin || /\.(?!html$)[a-z0-9]+$/i.test(url.pathname)) continue;
    if (/^\/(dev|_astro|pagefind)\//.test(url.pathname)) continue;
    paths.add(url.pathname);
  }
  return [...paths];
}

/** True for a response the build would have indexed: a prerendered HTML page that answered 200. */
export function isIndexable(response: Response): boolean {
  return response.status === 200 && response.headers.get(PRERENDERED_HEADER) === "1" && /^text\/html\b/.test(response.headers.get("Content-Type") ?? "");
}

/** Every indexable page reachable from the home page, as a visitor sees it. Paths no prerendered route matches
 *  are not fetched at all (rendering them on demand would only be thrown away). */
async function crawlSite(origin: string, mayBePrerendered: (path: string) => boolean): Promise<Array<{ url: string; content: string }>> {
  const queue = ["/"];
  const seen = new Set(queue);
  const pages: Array<{ url: string; content: string }> = [];
  const visit = async (path: string): Promise<void> => {
    if (!mayBePrerendered(path)) return;
    const url = new URL(path, origin);
    const response = await fetch(url, { redirect: "manual" });
    if (!/^text\/html\b/.test(response.headers.get("Content-Type") ?? "")) {
      await response.body?.cancel();
      return;
    }
    const html = await response.text();
    if (isIndexable(response)) pages.push({ url: path, content: html });
    for (const link of pageLinks(html, url)) {
      if (!seen.has(link) && seen.size < CRAWL_LIMIT) {
        seen.add(link);
        queue.push(link);
      }
    }
  };
  const worker = async (): Promise<void> => {
    for (let path = queue.shift(); path !== undefined; path = queue.shift()) await visit(path);
  };
  // A worker stops when it finds the queue empty, though a page still in flight may add links: so go round again.
  while (queue.length > 0) await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return pages;
}

/** Builds the Pagefind bundle for the dev server's pages: file name (under /pagefind/) → contents. */
async function buildIndex(origin: string, site: DevSite): Promise<Map<string, Uint8Array>> {
  const started = Date.now();
  const { index, errors } = await pagefind.createIndex({});
  if (!index) throw new Error(`Pagefind could not start: ${errors.join("; ")}`);
  try {
    const pages = await crawlSite(origin, site.mayBePrerendered);
    for (const page of pages) {
      const added = await index.addHTMLFile(page);
      if (added.errors.length > 0) throw new Error(`Pagefind could not index ${page.url}: ${added.errors.join("; ")}`);
    }
    const { files, errors: fileErrors } = await index.getFiles();
    if (fileErrors.length > 0) throw new Error(`Pagefind could not write its index: ${fileErrors.join("; ")}`);
    const built = new Map(files.map((file) => [file.path, file.content]));
    const entry = JSON.parse(new TextDecoder().decode(built.get("pagefind-entry.json"))) as { languages: Record<string, { page_count: number }> };
    const indexed = Object.values(entry.languages).reduce((sum, language) => sum + language.page_count, 0);
    site.logger.info(`search index: ${indexed} pages indexed (of ${pages.length} prerendered pages read) in ${Date.now() - started} ms`);
    return built;
  } finally {
    await index.deleteIndex();
  }
}

/** What the plugin needs from the integration: its logger, and whether a prerendered route matches a path. */
interface DevSite { logger: AstroIntegrationLogger; mayBePrerendered: (path: string) => boolean }

/** The Vite plugin: serves /pagefind/* from the in-memory index, rebuilt after a change under content/ or src/. */
function devSearchPlugin(site: DevSite): Plugin {
  const { logger } = site;
  // Files of every index built so far: a page still using an older pagefind-entry.json finds its chunks.
  const files = new Map<string, Uint8Array>();
  let building: Promise<void> | null = null;
  let stale = true;

  const refresh = (server: ViteDevServer): Promise<void> => {
    if (building !== null || !stale) return building ?? Promise.resolve();
    const origin = server.resolvedUrls?.local[0];
    if (origin === undefined) return Promise.reject(new Error("the dev server has no local address yet"));
    stale = false;
    building = buildIndex(origin, site)
      .then((built) => { for (const [path, content] of built) files.set(path, content); })
      .catch((error: unknown) => {
        stale = true;
        logger.error(`search index: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      })
      .finally(() => { building = null; });
    return building;
  };

  return {
    name: "smallism:dev-search-index",
    configureServer(server) {
      const root = server.config.root;
      server.watcher.on("all", (_event, file) => {
        if (file.startsWith(`${root}/content/`) || file.startsWith(`${root}/src/`)) stale = true;
      });
      server.httpServer?.once("close", () => void pagefind.close());
      server.middlewares.use((request, response, next) => {
        const path = new URL(request.url ?? "/", "http://dev").pathname;
        // Opening the search page starts the (re)build, so the index is usually ready by the first query.
        if (path === "/search/" || path === "/search") void refresh(server).catch(() => {});
        if (!path.startsWith(PREFIX)) return next();
        void refresh(server).then(
          () => {
            const file = files.get(path.slice(PREFIX.length));
            if (file === undefined) {
              response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not in the search index.");
              return;
            }
            // The headers public/_headers gives /pagefind/* in production, but revalidated on every use.
            response.writeHead(200, {
              ...BASE_SECURITY_HEADERS,
              "Content-Security-Policy": contentSecurityPolicy([], { wasm: true }),
              "Content-Type": CONTENT_TYPES[path.split(".").pop()!] ?? "application/octet-stream",
              "Cache-Control": "no-cache",
            }).end(file);
          },
          () => {
            response.writeHead(503, { "Content-Type": "text/plain; charset=utf-8" }).end("The search index could not be built; the dev server's log says why.");
          },
        );
      });
    },
  };
}

/** The integration: adds the dev search index to `astro dev` only (builds run the Pagefind CLI instead). */
export default function devSearchIndex(): AstroIntegration {
  let prerendered: RegExp[] = [];
  return {
    name: "smallism:dev-search-index",
    hooks: {
      "astro:config:setup": ({ command, updateConfig, logger }) => {
        const mayBePrerendered = (path: string) => prerendered.some((pattern) => pattern.test(path));
        if (command === "dev") updateConfig({ vite: { plugins: [devSearchPlugin({ logger, mayBePrerendered })] } });
      },
      // Kept up to date as pages are added or removed while the dev server runs.
      "astro:routes:resolved": ({ routes }) => {
        prerendered = routes.filter((route) => route.isPrerendered && route.type === "page").map((route) => route.patternRegex);
      },
    },
  };
}
