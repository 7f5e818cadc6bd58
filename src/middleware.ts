// Runs before every page and endpoint the Worker renders on demand (prerendered pages skip it):
// 1. refuses cross-site state-changing requests (Origin check);
// 2. resolves the session cookie once into Astro.locals (user, session), failing closed on D1 errors, and keeps
//    the signed-in hint cookie in step with it (set for a live session, cleared with a dead one);
// 3. adds security headers, and `Cache-Control: private, no-store` + `Vary: Cookie` to every rendered response
//    (src/lib/answer-headers.ts; pages every visitor sees alike are kept in the Workers Cache API for readers without
//    a session instead: src/lib/public-cache.ts, and a member-only page a member may read is kept per isolate after
//    its first render: src/lib/member-page-cache.ts);
// 4. turns a page that throws into the friendly 500 page with those same headers, logged without member data
//    (functions/http/page-failure.ts; astro dev shows the error itself instead).
// Steps 1–3 run in one D1 session (read replicas; the member's bookmark cookie: functions/http/d1-sessions.ts) and
// in a log context whose `net` (a keyed hash of the client's network) tags auth and security lines.
// Under `astro dev` it also applies src/dev/dev-server-headers.ts (behind import.meta.env.DEV: no build contains it).
import { defineMiddleware } from "astro:middleware";
import type { APIContext, MiddlewareNext } from "astro";
import { validateSessionToken } from "@functions/auth/sessions";
import { clearSessionCookie, clearSignedInHint, hasSignedInHint, readSessionCookie, setSessionCookie, setSignedInHint } from "@functions/auth/session-cookie";
import { nowSeconds } from "@functions/clock";
import { isSameOriginRequest } from "@functions/http/origin";
import { discardBody } from "@functions/http/request-body";
import { applySecurityHeaders } from "@functions/http/security-headers";
import { networkTag } from "@functions/http/client-ip";
import { failedPageResponse, logPageFailure } from "@functions/http/page-failure";
import { errorMessage, logger, runWithLogContext } from "@functions/log";
import { keepBookmarkCookie, readBookmarkCookie, runWithDatabase, sessionStart } from "@functions/http/d1-sessions";

export const onRequest = defineMiddleware(async (context, next) => {
  if (!import.meta.env.DEV) return onDemandRequest(context, next);
  const response = await onDemandRequest(context, next);
  const { applyDevServerHeaders } = await import("./dev/dev-server-headers");
  applyDevServerHeaders(response.headers, context.url.pathname, context.isPrerendered);
  return response;
});

/** Steps 1–4 for a page rendered on demand; prerendered pages pass straight through. */
async function onDemandRequest(context: APIContext, next: MiddlewareNext): Promise<Response> {
  context.locals.user = null;
  context.locals.session = null;
  context.locals.sessionLookupFailed = false;
  if (context.isPrerendered) return next();
  try {
    return await renderOnDemand(context, next);
  } catch (error) {
    // Left to Astro, the error would be logged with its message (which can quote member data) and answered with a
    // bare 500 that skipped step 3. An empty 500 makes Astro render src/pages/500.astro and keep these headers.
    logPageFailure(context.request, error);
    if (import.meta.env.DEV) throw error;
    return failedPageResponse();
  }
}

/** Steps 1–3 in the request's log context and D1 session, counting D1 queries when the build reports them. */
async function renderOnDemand(context: APIContext, next: MiddlewareNext): Promise<Response> {
  // Loaded only on demand: prerendering runs in Node, where cloudflare:workers does not exist.
  const { countsD1Queries, getDb, hashSecretOrNull, openDbSession } = await import("./lib/runtime");
  const { finishAnswerHeaders } = await import("./lib/answer-headers");
  const token = readSessionCookie(context.cookies, context.url);
  const d1 = openDbSession(sessionStart(context.request.method, token !== null, readBookmarkCookie(context.cookies, context.url)));
  const secret = hashSecretOrNull();
  // Most requests write no auth or security line, so the network's keyed hash is made only for the first one.
  let tag: string | undefined;
  const net = () => (tag ??= secret === null ? "unkeyed" : networkTag(secret, context.request));
  const render = async (): Promise<Response> => {
    const response = await handle(context, next, token, getDb, finishAnswerHeaders);
    // A member's bookmark moves on while their session lasts (a sign-in's first page starts at the primary instead).
    const memberStays = context.locals.session !== null && Boolean(readSessionCookie(context.cookies, context.url));
    keepBookmarkCookie(context.cookies, context.url, memberStays, d1.bookmark());
    return response;
  };
  return runWithDatabase(d1.db, () => runWithLogContext({ net }, async () => {
    if (!countsD1Queries()) return render();
    // Buffer the body so queries made while the page streams are counted too.
    const { countQueries } = await import("@functions/http/d1-counter");
    const { result, queries } = await countQueries(async () => {
      const response = await render();
      return new Response(await response.arrayBuffer(), response);
    });
    result.headers.set("X-D1-Queries", String(queries));
    return result;
  }));
}

/** The middleware's work for an on-demand request (see the header comment). */
async function handle(
  context: APIContext, next: MiddlewareNext, token: string | null, getDb: () => D1Database, finishAnswerHeaders: (headers: Headers) => void,
): Promise<Response> {
  if (!isSameOriginRequest(context.request, context.url)) {
    logger("security").warn("origin.refused", { path: context.url.pathname });
    await discardBody(context.request);
    const response = new Response("Forbidden: this request came from another site.", { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    applySecurityHeaders(response.headers, []);
    response.headers.set("Cache-Control", "private, no-store");
    return response;
  }

  const hinted = hasSignedInHint(context.cookies, context.url);
  if (token === null) {
    // A hint without a session (the session cookie was removed some other way) would show member links.
    if (hinted) clearSignedInHint(context.cookies, context.url);
  } else {
    try {
      const result = await validateSessionToken(getDb(), token, nowSeconds());
      if (result.session === null) {
        clearSessionCookie(context.cookies, context.url);
      } else {
        context.locals.user = result.user;
        context.locals.session = result.session;
        if (result.renewed) setSessionCookie(context.cookies, context.url, { token, expiresAt: result.session.expiresAt });
        // Sessions that began before the hint existed get it at their next on-demand page.
        else if (!hinted) setSignedInHint(context.cookies, context.url, result.session.expiresAt);
      }
    } catch (error) {
      // Fail closed: the request continues as a visitor; member text is never shown on an error.
      context.locals.sessionLookupFailed = true;
      logger("auth").error("session.lookup.failed", { error: errorMessage(error) });
    }
  }

  // Pages that opted into the public cache (src/lib/public-cache.ts) are served from it to readers without a session;
  // a request with a session cookie never looks there. Nothing leaves the Worker cacheable by a browser or proxy.
  // `astro dev` never caches, so an edit shows at once.
  const { markMemberAnswer, servePublicPage } = await import("./lib/public-cache");
  // A member-only page rendered for a member who may read it is kept for the next one (src/lib/member-page-cache.ts).
  const { storeMemberPage } = await import("./lib/member-page-cache");
  const setsCookies = () => !context.cookies.headers().next().done;
  const response = token !== null ? markMemberAnswer(await storeMemberPage(context.locals, await next())) : import.meta.env.DEV ? await next() : await servePublicPage(context.request, next, setsCookies);
  finishAnswerHeaders(response.headers);
  return response;
}
