// The edge cache for on-demand pages every visitor sees the same (the strategy index, a strategy page's public
// summary, the ward finder and ward pages): a page opts in with shareWithVisitors(Astro), and only for a GET by a
// reader with no session. The middleware looks such pages up in the Workers Cache API, and stores them, only for
// requests that carry no session cookie, so a hit costs no D1 query and no render, and no member ever gets or fills
// a shared copy: a request with a session cookie never touches the cache, a copy is stored only when the page
// opted in and no cookie is being set, and the key is the URL alone (no header of the request). What leaves the
// Worker always says `private, no-store` (the middleware), so no browser or proxy keeps a visitor's copy to show a
// member after they sign in. `X-Public-Cache` says what happened (hit, stored, not-shared, member). Ward changes
// purge their pages here; strategy pages change only with a deploy.

import { errorMessage, logger } from "@functions/log";

/** How long a visitor's copy may be served from the cache, in seconds. */
export const PUBLIC_PAGE_TTL = 60;

/** The Cache-Control a page's answer carries into the cache (the middleware replaces it on the way out). */
const PUBLIC_CACHE_CONTROL = `public, max-age=${PUBLIC_PAGE_TTL}`;

/** What the middleware did with the cache for one request, in the `X-Public-Cache` response header. */
export type PublicCacheOutcome = "hit" | "stored" | "not-shared" | "member";

/** The parts of Astro's page context shareWithVisitors reads and writes. */
interface PageContext {
  request: Request;
  locals: Pick<App.Locals, "user" | "sessionLookupFailed">;
  /** Astro.response: a status only once the page set one (200 until then). */
  response: { status?: number | undefined; headers: Headers };
}

/** Marks this page's answer as the same for every visitor (cacheable), when it is a 200 GET for a reader with no session. */
export function shareWithVisitors(page: PageContext): void {
  const { user, sessionLookupFailed } = page.locals;
  if (page.request.method !== "GET" || user !== null || sessionLookupFailed || (page.response.status ?? 200) !== 200) return;
  page.response.headers.set("Cache-Control", PUBLIC_CACHE_CONTROL);
}

function edgeCache(): Cache | null {
  return (globalThis as { caches?: { default?: Cache } }).caches?.default ?? null;
}

/** A cache key with nothing but the URL (never a cookie or other header of the request). */
function keyFor(url: string): Request {
  return new Request(url, { method: "GET" });
}

function withOutcome(response: Response, outcome: PublicCacheOutcome): Response {
  response.headers.set("X-Public-Cache", outcome);
  return response;
}

/** True when a page's answer opted in and may be stored: a 200 that sets no cookie. */
function isShareable(response: Response, setsCookies: boolean): boolean {
  return response.status === 200 && !setsCookies && !response.headers.has("Set-Cookie") && /\bpublic\b/.test(response.headers.get("Cache-Control") ?? "");
}

/**
 * Answers a request with no session cookie: a GET from the cache, or rendered with `render` and stored when the page
 * opted in and `setsCookies()` (cookies Astro will add to the answer) is false.
 */
export async function servePublicPage(request: Request, render: () => Promise<Response>, setsCookies: () => boolean): Promise<Response> {
  const cache = edgeCache();
  if (cache === null || request.method !== "GET") return withOutcome(await render(), "not-shared");
  const key = keyFor(request.url);
  // The cache only ever saves work: when it fails, the page is rendered (and not stored) as if it were not there.
  const hit = await cache.match(key).catch((error: unknown) => cacheFailed("match", error));
  if (hit !== undefined) return withOutcome(new Response(hit.body, hit), "hit");
  const response = await render();
  if (!isShareable(response, setsCookies())) return withOutcome(response, "not-shared");
  const stored = await cache.put(key, response.clone()).then(() => true, (error: unknown) => {
    cacheFailed("put", error);
    return false;
  });
  return withOutcome(response, stored ? "stored" : "not-shared");
}

/** Logs a failed cache operation (the request goes on without the cache). */
function cacheFailed(operation: "match" | "put", error: unknown): undefined {
  logger("site").warn("public_cache.failed", { operation, error: errorMessage(error) });
  return undefined;
}

/** Marks the answer to a request with a session cookie, which never looks in the cache nor fills it. */
export function markMemberAnswer(response: Response): Response {
  return withOutcome(response, "member");
}

/** Drops the cached copies of `paths` on `origin` (after a change a visitor should see at once). */
export async function purgePublicPages(origin: string, paths: string[]): Promise<void> {
  const cache = edgeCache();
  if (cache === null) return;
  await Promise.all(paths.map((path) => cache.delete(keyFor(new URL(path, origin).href))));
}
