// Setting and clearing the session cookie through Astro's cookies API, with the attributes from
// functions/auth/sessions.ts (HttpOnly, SameSite=Lax, Path=/, Secure + __Host- over HTTPS).
import type { AstroCookies } from "astro";
import { sessionCookie, SESSION_LIFETIME } from "@functions/auth/sessions";

/** Puts a new session token in the member's cookie. */
export function setSessionCookie(cookies: AstroCookies, url: URL, token: string, expiresAt = Math.floor(Date.now() / 1000) + SESSION_LIFETIME): void {
  const { name, attributes } = sessionCookie(url.protocol === "https:", expiresAt);
  cookies.set(name, token, attributes);
}

/** Removes the session cookie (sign-out, deleted account). */
export function clearSessionCookie(cookies: AstroCookies, url: URL): void {
  const { name, attributes } = sessionCookie(url.protocol === "https:");
  cookies.set(name, "", attributes);
}
