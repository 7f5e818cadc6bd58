// Setting and clearing the session cookie through Astro's cookies API, with the attributes from
// functions/auth/sessions.ts (HttpOnly, SameSite=Lax, Path=/, Secure + __Host- over HTTPS). The "signed in"
// hint (functions/auth/signed-in-hint.ts) is set and cleared with it, so the two always share a lifetime.
import type { AstroCookies } from "astro";
import { sessionCookie, SESSION_LIFETIME } from "@functions/auth/sessions";
import { signedInHintCookie } from "@functions/auth/signed-in-hint";

/** Puts a new session token in the member's cookie, and the signed-in hint beside it. */
export function setSessionCookie(cookies: AstroCookies, url: URL, token: string, expiresAt = Math.floor(Date.now() / 1000) + SESSION_LIFETIME): void {
  const { name, attributes } = sessionCookie(url.protocol === "https:", expiresAt);
  cookies.set(name, token, attributes);
  setSignedInHint(cookies, url, expiresAt);
}

/** Removes the session cookie and the signed-in hint (sign-out, deleted account, a dead session). */
export function clearSessionCookie(cookies: AstroCookies, url: URL): void {
  const { name, attributes } = sessionCookie(url.protocol === "https:");
  cookies.set(name, "", attributes);
  clearSignedInHint(cookies, url);
}

/** Sets the signed-in hint to expire with the session at `expiresAt`. */
export function setSignedInHint(cookies: AstroCookies, url: URL, expiresAt: number): void {
  const { name, attributes } = signedInHintCookie(url.protocol === "https:", expiresAt);
  cookies.set(name, "1", attributes);
}

/** Removes the signed-in hint. */
export function clearSignedInHint(cookies: AstroCookies, url: URL): void {
  const { name, attributes } = signedInHintCookie(url.protocol === "https:");
  cookies.set(name, "", attributes);
}

/** True when the request carries the signed-in hint. */
export function hasSignedInHint(cookies: AstroCookies, url: URL): boolean {
  return cookies.get(signedInHintCookie(url.protocol === "https:").name)?.value === "1";
}
