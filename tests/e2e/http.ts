// Raw HTTP against the served site for the account, security and leak tests: GET and form/JSON posts with full
// control over Origin, client IP and the session cookie (never the request context's cookie jar), re-sent while the
// local preview proxy drops an answer after a cut-off upload, and the Set-Cookie headers of a response. Browser flows use fixtures.ts.
import { test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { SITE_URL } from "@tests/support/test-env";
import { DRAIN_LIMIT } from "@functions/http/request-body";

/** The session cookie's name over plain http (the test site; production adds the __Host- prefix). */
export const SESSION_COOKIE = "smallism_session";

/** Who sends a request, and with which IP, cookie and Origin. */
export interface Caller {
  /** CF-Connecting-IP for the request (each actor its own, so throttles never spill over). */
  ip: string;
  /** Session token to send as the cookie, or null for none. */
  token?: string | null;
  /** Origin header: our own origin by default; null leaves it out; "null" sends the literal string. */
  origin?: string | null;
}

function headersFor(caller: Caller, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = {
    "CF-Connecting-IP": caller.ip,
    // An explicit (possibly empty) Cookie header makes Playwright ignore its cookie jar: each call sends
    // exactly the cookie the test chose.
    Cookie: caller.token ? `${SESSION_COOKIE}=${caller.token}` : "",
    ...extra,
  };
  const origin = caller.origin === undefined ? SITE_URL : caller.origin;
  if (origin !== null) headers.Origin = origin;
  return headers;
}

/**
 * The local preview stack (@cloudflare/vite-plugin → miniflare, over undici) sometimes fails to relay a Worker
 * answer that comes before the request body was read, and the broken upstream connection can then fail the next
 * request too. Connect's error page is sent instead: 500, `Content-Security-Policy: default-src 'none'`,
 * "TypeError: fetch failed". The site drains refused bodies up to DRAIN_LIMIT (1 MiB) so this never happens below
 * that size; larger uploads are cut off on purpose. The Worker never sends that page (its pages carry the site's
 * CSP), and production has no such proxy, so this recognises exactly that page.
 */
export async function isLocalProxyFailure(response: APIResponse): Promise<boolean> {
  if (response.status() !== 500 || response.headers()["content-security-policy"] !== "default-src 'none'") return false;
  return (await response.text()).includes("TypeError: fetch failed");
}

/** Tests that sent an upload over DRAIN_LIMIT: the site cuts those off, so the local proxy may drop an answer in them. */
const testsWithCutOffUploads = new WeakSet<object>();

/**
 * Sends a request, and in a test that has sent an upload the site cuts off (over DRAIN_LIMIT) sends it again while
 * the local proxy answers with its failure page (see isLocalProxyFailure); each retry is noted on the test. Anywhere
 * else that page fails the test. Safe: requests that change anything are read in full by the Worker before it
 * answers, so the failure only ever hits answers given without side effects, or requests that never reached it.
 */
export async function throughLocalProxy(send: () => Promise<APIResponse>, what: string, bodyBytes = 0): Promise<APIResponse> {
  if (bodyBytes > DRAIN_LIMIT) testsWithCutOffUploads.add(test.info());
  for (let attempt = 1; ; attempt++) {
    const response = await send();
    if (!testsWithCutOffUploads.has(test.info()) || attempt >= 6 || !(await isLocalProxyFailure(response))) return response;
    test.info().annotations.push({ type: "local-proxy", description: `${what}: the preview proxy dropped the answer after a cut-off upload (attempt ${attempt}); sent again` });
  }
}

/** GET without following redirects. */
export function get(request: APIRequestContext, path: string, caller: Caller): Promise<APIResponse> {
  return throughLocalProxy(() => request.get(new URL(path, SITE_URL).href, { headers: headersFor(caller), maxRedirects: 0 }), `GET ${path}`);
}

/** POSTs a URL-encoded form (fields in order, repeats allowed, or a raw body string) without following redirects. */
export function postForm(
  request: APIRequestContext, path: string, caller: Caller, body: Record<string, string> | Array<[string, string]> | string,
  contentType = "application/x-www-form-urlencoded",
): Promise<APIResponse> {
  const data = typeof body === "string" ? body : new URLSearchParams(Array.isArray(body) ? body : Object.entries(body)).toString();
  return throughLocalProxy(
    () => request.post(new URL(path, SITE_URL).href, { headers: headersFor(caller, { "Content-Type": contentType }), data, maxRedirects: 0 }),
    `POST ${path} (${data.length} bytes)`,
    data.length,
  );
}

/** POSTs a JSON body without following redirects. */
export function postJson(request: APIRequestContext, path: string, caller: Caller, body: unknown): Promise<APIResponse> {
  return throughLocalProxy(
    () => request.post(new URL(path, SITE_URL).href, { headers: headersFor(caller, { "Content-Type": "application/json" }), data: JSON.stringify(body), maxRedirects: 0 }),
    `POST ${path} (JSON)`,
  );
}

/** Every Set-Cookie header of a response. */
export function setCookies(response: APIResponse): string[] {
  return response.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value);
}

/** The session cookie a response sets, as { value, header }, or null when it sets none. */
export function sessionCookieSet(response: APIResponse): { value: string; header: string } | null {
  const header = setCookies(response).find((value) => value.startsWith(`${SESSION_COOKIE}=`));
  if (header === undefined) return null;
  return { value: header.slice(SESSION_COOKIE.length + 1).split(";")[0]!, header };
}
