// The edge cache for pages anyone may see the same: a page opts in by answering with `Cache-Control: public,
// max-age=N` (the ward finder and ward pages, for visitors). The middleware serves such pages from the Workers Cache
// API only for requests without a session cookie (it already marks every other response private, no-store), so a
// hit costs no D1 query and no member ever gets or fills a shared copy. Ward changes purge their pages here.

/** How long a visitor's ward page may be served from the cache, in seconds. */
export const PUBLIC_PAGE_TTL = 60;

/** The Cache-Control a page sends to opt in. */
export const PUBLIC_CACHE_CONTROL = `public, max-age=${PUBLIC_PAGE_TTL}`;

function edgeCache(): Cache | null {
  return (globalThis as { caches?: { default?: Cache } }).caches?.default ?? null;
}

/** A cache key with nothing but the URL (never a cookie or other header of the request). */
function keyFor(url: string): Request {
  return new Request(url, { method: "GET" });
}

/** Answers a cookie-less GET from the cache, or renders it with `render` and stores a 200 that opted in. */
export async function servePublicPage(request: Request, render: () => Promise<Response>): Promise<Response> {
  const cache = edgeCache();
  if (cache === null || request.method !== "GET") return render();
  const key = keyFor(request.url);
  const hit = await cache.match(key);
  if (hit !== undefined) return new Response(hit.body, hit);
  const response = await render();
  const cacheControl = response.headers.get("Cache-Control") ?? "";
  if (response.status === 200 && /\bpublic\b/.test(cacheControl) && !response.headers.has("Set-Cookie")) await cache.put(key, response.clone());
  return response;
}

/** Drops the cached copies of `paths` on `origin` (after a change a visitor should see at once). */
export async function purgePublicPages(origin: string, paths: string[]): Promise<void> {
  const cache = edgeCache();
  if (cache === null) return;
  await Promise.all(paths.map((path) => cache.delete(keyFor(new URL(path, origin).href))));
}
