// HTTPS only, outside local development. A page served over plain http:// could set a session cookie without Secure
// (or read a cookie planted over http), so the Worker answers every plain-HTTP request with a 301 to the same address
// over HTTPS before anything else runs (src/worker.ts), and the session cookie is never read or set over plain HTTP
// except on the loopback hosts a developer uses (session-cookie.ts). Cloudflare's "Always Use HTTPS" does the same for
// the static files, which are served without the Worker (README: Security).
import { discardBody } from "./request-body";

/** Hosts where plain HTTP is expected: `astro dev`, `astro preview` and the tests. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** How a request's scheme lets the session cookie travel. */
export type CookieTransport = "https" | "loopback-http" | "insecure";

/** "https" for https://, "loopback-http" for http:// on localhost, and "insecure" for plain HTTP anywhere else. */
export function cookieTransport(url: URL): CookieTransport {
  if (url.protocol === "https:") return "https";
  return LOOPBACK_HOSTS.has(url.hostname) ? "loopback-http" : "insecure";
}

/** The 301 to HTTPS for a plain-HTTP request to a public host (its body, if any, drained first), or null to go on. */
export async function redirectToHttps(request: Request): Promise<Response | null> {
  const url = new URL(request.url);
  if (cookieTransport(url) !== "insecure") return null;
  await discardBody(request);
  url.protocol = "https:";
  return new Response(null, { status: 301, headers: { Location: url.href, "Cache-Control": "no-store" } });
}
