// The "signed in" hint: a non-secret cookie (value "1", readable by scripts) that lives beside the HttpOnly
// session cookie, with the same lifetime. Prerendered pages are one file for everyone, so the Worker cannot
// tailor them; a tiny same-origin script (src/scripts/signed-in.js) reads this hint instead and marks <html>,
// and CSS then shows members their account link and hides the join calls. It proves nothing: every page that
// shows or changes member data still checks the session. Only members ever get it, so readers who never sign in
// still get no cookies. Set and cleared with the session cookie (session-cookie.ts, src/middleware.ts).

/** The cookie's name over http://localhost; HTTPS adds the `__Host-` prefix (Secure, Path=/, no Domain). */
export const SIGNED_IN_HINT_NAME = "smallism_signed_in";

export interface SignedInHintCookie {
  name: string;
  attributes: { httpOnly: false; sameSite: "lax"; path: "/"; secure: boolean; expires?: Date; maxAge?: number };
}

/** Name and attributes of the hint: expiring with the session at `expiresAt`, or deleting it when omitted. */
export function signedInHintCookie(secure: boolean, expiresAt?: number): SignedInHintCookie {
  const attributes: SignedInHintCookie["attributes"] = { httpOnly: false, sameSite: "lax", path: "/", secure };
  if (expiresAt === undefined) attributes.maxAge = 0;
  else attributes.expires = new Date(expiresAt * 1000);
  return { name: secure ? `__Host-${SIGNED_IN_HINT_NAME}` : SIGNED_IN_HINT_NAME, attributes };
}
