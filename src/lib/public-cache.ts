// The edge cache for on-demand pages every visitor sees the same (the strategy index, a strategy page's public
// summary, the ward finder and ward pages, the letters archive): a page opts in with shareWithVisitors(Astro), and
// only for a GET by a reader with no session. Only the paths SHARED_PATHS names are ever looked up or stored, so
// every other request (sign-in, join, account pages, endpoints) pays nothing for the cache. A visitor's request for
// such a path is answered from the Workers Cache API before Astro runs at all (servePublicCopy, from the Worker's
// entry: no routing, no middleware, no D1), and on a miss the middleware renders and stores the page
// (servePublicPage). No member ever gets or fills a shared copy: a request with a session cookie never touches the
// cache, a copy is stored only when the page opted in and no cookie is being set, and the key is the URL alone (no
// header of the request). What leaves the Worker always says `private, no-store` (finishAnswerHeaders), so no
// browser or proxy keeps a visitor's copy to show a member after they sign in. `X-Public-Cache` says what happened
// (hit, stored, not-shared, member). Ward changes purge their pages here; strategy pages change only with a deploy.

import { sessionCookie } from "@functions/auth/session-cookie";
import { signedInHintCookie } from "@functions/auth/signed-in-hint";
import { bookmarkCookie } from "@functions/http/d1-sessions";
import { errorMessage, logger } from "@functions/log";

/** How long a visitor's copy may be served from the cache, in seconds. */
export const PUBLIC_PAGE_TTL = 60;

/** The Cache-Control a page's answer carries into the cache (the middleware replaces it on the way out). */
const PUBLIC_CACHE_CONTROL = `public, max-age=${PUBLIC_PAGE_TTL}`;

/**
 * The paths whose pages may opt in: the strategy index and pages, the ward finder and ward pages, the letters archive
 * and letters (one segment below each; with or without the trailing slash, as Astro serves both).
 */
const SHARED_PATHS = /^\/(?:strategy|wards|letters)(?:\/[^/]+)?\/?$/;

/** True for a path whose page may be shared with visitors (and so is worth looking up in the cache). */
export function isSharedPath(pathname: string): boolean {
  return SHARED_PATHS.test(pathname);
}

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
  // A page outside SHARED_PATHS is never looked up, so storing it would only fill the cache: say so in the log.
  const { pathname } = new URL(page.request.url);
  if (!isSharedPath(pathname)) {
    logger("site").error("public_cache.unlisted_path", { path: pathname });
    return;
  }
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
 * opted in and `setsCookies()` (cookies Astro will add to the answer) is false. A request that names none of the
 * site's cookies was already looked up by the Worker's entry (servePublicCopy) and missed, so only the others (a
 * stray hint or bookmark) are looked up here: a miss never costs two lookups.
 */
export async function servePublicPage(request: Request, render: () => Promise<Response>, setsCookies: () => boolean): Promise<Response> {
  const cache = edgeCache();
  const url = new URL(request.url);
  if (cache === null || request.method !== "GET" || !isSharedPath(url.pathname)) return withOutcome(await render(), "not-shared");
  const key = keyFor(request.url);
  const hit = namesSiteCookies(request.headers.get("Cookie"), url) ? await lookUp(cache, key) : null;
  if (hit !== null) return hit;
  const response = await render();
  if (!isShareable(response, setsCookies())) return withOutcome(response, "not-shared");
  const stored = await cache.put(key, response.clone()).then(() => true, (error: unknown) => {
    cacheFailed("put", error);
    return false;
  });
  return withOutcome(response, stored ? "stored" : "not-shared");
}

/**
 * A visitor's copy for a GET of a shared path by a request that names none of the site's cookies, straight from the
 * cache (the Worker's entry answers with it before Astro runs); null when there is none, and
 * the request goes on to Astro (whose middleware renders and stores it, and handles every request with cookies).
 */
export async function servePublicCopy(request: Request): Promise<Response | null> {
  const cache = edgeCache();
  if (cache === null || request.method !== "GET") return null;
  const url = new URL(request.url);
  if (!isSharedPath(url.pathname) || namesSiteCookies(request.headers.get("Cookie"), url)) return null;
  return lookUp(cache, keyFor(request.url));
}

/**
 * True when a raw Cookie header names any cookie the middleware reads or keeps up to date (the session, the signed-in
 * hint, the database bookmark), whatever its value: such a request goes to Astro, which also clears a stale one.
 */
function namesSiteCookies(cookieHeader: string | null, url: URL): boolean {
  if (cookieHeader === null) return false;
  const secure = url.protocol === "https:";
  const ours = [sessionCookie(secure).name, signedInHintCookie(secure).name, bookmarkCookie(secure).name];
  return cookieHeader.split(";").some((pair) => ours.includes(pair.split("=", 1)[0]!.trim()));
}

/** The cached copy for `key` marked as a hit, or null; the cache only ever saves work, so a failed lookup is a miss. */
async function lookUp(cache: Cache, key: Request): Promise<Response | null> {
  const hit = await cache.match(key).catch((error: unknown) => cacheFailed("match", error));
  return hit === undefined ? null : withOutcome(new Response(hit.body, hit), "hit");
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
