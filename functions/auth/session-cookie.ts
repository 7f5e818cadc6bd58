// The session cookie, in one place: its name and attributes, and reading, setting and clearing it for a request.
// HttpOnly, SameSite=Lax, Path=/, and over HTTPS `__Host-` prefixed and Secure (so no subdomain or plain-http page
// can set or read it); the plain name on http://localhost, where browsers drop Secure cookies; and over plain HTTP to
// any other host (which the Worker redirects to HTTPS anyway: functions/http/https-only.ts) it is neither read nor
// set, so a cookie planted over http:// is never accepted and none ever leaves without Secure. A cookie is only ever
// set with its session's own expiry (NewSession from sessions.ts), so the absolute lifetime cap holds in the browser
// too. The "signed in" hint (signed-in-hint.ts) is set and cleared with it, so the two always share a lifetime.
// Takes Astro's `cookies` (the middleware and the account pages pass Astro.cookies) or any jar shaped like it.
import { signedInHintCookie, type SignedInHintCookie } from "./signed-in-hint";
import { cookieTransport } from "@functions/http/https-only";

export interface SessionCookie {
  name: string;
  attributes: { httpOnly: true; sameSite: "lax"; path: "/"; secure: boolean; expires?: Date; maxAge?: number };
}

/** The part of Astro's `cookies` this module uses. */
export interface CookieJar {
  get(name: string): { value: string } | undefined;
  set(name: string, value: string, attributes: SessionCookie["attributes"] | SignedInHintCookie["attributes"]): void;
}

/** Name and attributes of the cookie for a session expiring at `expiresAt`; without it, those that clear the cookie. */
export function sessionCookie(secure: boolean, expiresAt?: number): SessionCookie {
  const attributes: SessionCookie["attributes"] = { httpOnly: true, sameSite: "lax", path: "/", secure };
  if (expiresAt === undefined) attributes.maxAge = 0;
  else attributes.expires = new Date(expiresAt * 1000);
  return { name: secure ? "__Host-smallism_session" : "smallism_session", attributes };
}

/** The session token the request carries, or null (always null over plain HTTP to a public host). */
export function readSessionCookie(cookies: CookieJar, url: URL): string | null {
  if (cookieTransport(url) === "insecure") return null;
  return cookies.get(sessionCookie(url.protocol === "https:").name)?.value ?? null;
}

/** Puts a session's token in the member's cookie, expiring when the session does, and the signed-in hint beside it. */
export function setSessionCookie(cookies: CookieJar, url: URL, session: { token: string; expiresAt: number }): void {
  if (cookieTransport(url) === "insecure") return;
  const { name, attributes } = sessionCookie(url.protocol === "https:", session.expiresAt);
  cookies.set(name, session.token, attributes);
  setSignedInHint(cookies, url, session.expiresAt);
}

/** Removes the session cookie and the signed-in hint (sign-out, an unknown or expired session, a deleted account). */
export function clearSessionCookie(cookies: CookieJar, url: URL): void {
  if (cookieTransport(url) === "insecure") return;
  const { name, attributes } = sessionCookie(url.protocol === "https:");
  cookies.set(name, "", attributes);
  clearSignedInHint(cookies, url);
}

/** Sets the signed-in hint to expire with the session at `expiresAt`. */
export function setSignedInHint(cookies: CookieJar, url: URL, expiresAt: number): void {
  if (cookieTransport(url) === "insecure") return;
  const { name, attributes } = signedInHintCookie(url.protocol === "https:", expiresAt);
  cookies.set(name, "1", attributes);
}

/** Removes the signed-in hint. */
export function clearSignedInHint(cookies: CookieJar, url: URL): void {
  if (cookieTransport(url) === "insecure") return;
  const { name, attributes } = signedInHintCookie(url.protocol === "https:");
  cookies.set(name, "", attributes);
}

/** True when the request carries the signed-in hint. */
export function hasSignedInHint(cookies: CookieJar, url: URL): boolean {
  if (cookieTransport(url) === "insecure") return false;
  return cookies.get(signedInHintCookie(url.protocol === "https:").name)?.value === "1";
}
