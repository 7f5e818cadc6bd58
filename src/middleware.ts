// Runs before every page and endpoint the Worker renders on demand (prerendered pages skip it):
// 1. refuses cross-site state-changing requests (Origin check);
// 2. resolves the session cookie once into Astro.locals (user, session), failing closed on D1 errors;
// 3. adds security headers, and `Cache-Control: private, no-store` + `Vary: Cookie` to every rendered response.
import { defineMiddleware } from "astro:middleware";
import type { APIContext, MiddlewareNext } from "astro";
import { sessionCookie, validateSessionToken } from "@functions/auth/sessions";
import { nowSeconds } from "@functions/clock";
import { isSameOriginRequest } from "@functions/http/origin";
import { discardBody } from "@functions/http/request-body";
import { applySecurityHeaders } from "@functions/http/security-headers";

export const onRequest = defineMiddleware(async (context, next) => {
  context.locals.user = null;
  context.locals.session = null;
  context.locals.sessionLookupFailed = false;
  if (context.isPrerendered) return next();
  // Loaded only on demand: prerendering runs in Node, where cloudflare:workers does not exist.
  const { getDb, siteEnv } = await import("./lib/runtime");
  const { formActionOrigins } = await import("./lib/stripe-origins");
  if (siteEnv().COUNT_D1_QUERIES === "1") {
    // Buffer the body so queries made while the page streams are counted too.
    const { countQueries } = await import("@functions/http/d1-counter");
    const { result, queries } = await countQueries(async () => {
      const response = await handle(context, next, getDb, formActionOrigins);
      return new Response(await response.arrayBuffer(), response);
    });
    result.headers.set("X-D1-Queries", String(queries));
    return result;
  }
  return handle(context, next, getDb, formActionOrigins);
});

/** The middleware's work for an on-demand request (see the header comment). */
async function handle(
  context: APIContext,
  next: MiddlewareNext,
  getDb: () => D1Database,
  formActionOrigins: () => string[],
): Promise<Response> {
  if (!isSameOriginRequest(context.request, context.url)) {
    console.log(JSON.stringify({ type: "security", event: "origin.refused", path: context.url.pathname }));
    await discardBody(context.request);
    const response = new Response("Forbidden: this request came from another site.", { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    applySecurityHeaders(response.headers, []);
    response.headers.set("Cache-Control", "private, no-store");
    return response;
  }

  const secure = context.url.protocol === "https:";
  const cookie = sessionCookie(secure);
  const token = context.cookies.get(cookie.name)?.value ?? null;
  if (token !== null) {
    try {
      const result = await validateSessionToken(getDb(), token, nowSeconds());
      if (result.session === null) {
        context.cookies.set(cookie.name, "", sessionCookie(secure).attributes);
      } else {
        context.locals.user = result.user;
        context.locals.session = result.session;
        if (result.renewed) context.cookies.set(cookie.name, token, sessionCookie(secure, result.session.expiresAt).attributes);
      }
    } catch (error) {
      // Fail closed: the request continues as a visitor; member text is never shown on an error.
      context.locals.sessionLookupFailed = true;
      console.error(JSON.stringify({ type: "auth", event: "session.lookup.failed", error: error instanceof Error ? error.message : "unknown" }));
    }
  }

  const response = await next();
  applySecurityHeaders(response.headers, formActionOrigins());
  if (!response.headers.has("Cache-Control") || token !== null) response.headers.set("Cache-Control", "private, no-store");
  response.headers.append("Vary", "Cookie");
  return response;
}
