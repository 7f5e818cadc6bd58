// The session cookie module (functions/auth/session-cookie.ts) with a cookie jar shaped like Astro's: what the
// middleware and the account pages read, set and clear. A set cookie expires exactly when its session does.
import { describe, expect, it } from "vitest";
import {
  clearSessionCookie, clearSignedInHint, hasSignedInHint, readSessionCookie, setSessionCookie, setSignedInHint, type CookieJar,
} from "@functions/auth/session-cookie";

const HTTPS = new URL("https://smallism.org/account");
const LOCAL = new URL("http://localhost:4321/account");
const PLAIN_HTTP = new URL("http://smallism.org/account");

/** A jar that keeps the last value and attributes set for each name. */
function jar(initial: Record<string, string> = {}): CookieJar & { sets: Array<{ name: string; value: string; attributes: Parameters<CookieJar["set"]>[2] }> } {
  const values = new Map(Object.entries(initial));
  const sets: Array<{ name: string; value: string; attributes: Parameters<CookieJar["set"]>[2] }> = [];
  return {
    sets,
    get: (name) => (values.has(name) ? { value: values.get(name)! } : undefined),
    set(name, value, attributes) {
      values.set(name, value);
      sets.push({ name, value, attributes });
    },
  };
}

describe("readSessionCookie", () => {
  it("reads the __Host- cookie over HTTPS and the plain one on http://localhost, and nothing else", () => {
    const cookies = jar({ "__Host-smallism_session": "secure-token", smallism_session: "plain-token" });
    expect(readSessionCookie(cookies, HTTPS)).toBe("secure-token");
    expect(readSessionCookie(cookies, LOCAL)).toBe("plain-token");
    expect(readSessionCookie(jar(), HTTPS)).toBeNull();
    // A plain-named cookie (which a subdomain or plain-http page could plant) is never read over HTTPS.
    expect(readSessionCookie(jar({ smallism_session: "planted" }), HTTPS)).toBeNull();
  });
});

describe("setSessionCookie", () => {
  it("sets the token with the session's own expiry and the strict attributes, and the signed-in hint beside it", () => {
    const cookies = jar();
    setSessionCookie(cookies, HTTPS, { token: "t0k3n", expiresAt: 1_800_000_000 });
    expect(cookies.sets).toEqual([{
      name: "__Host-smallism_session",
      value: "t0k3n",
      attributes: { httpOnly: true, sameSite: "lax", path: "/", secure: true, expires: new Date(1_800_000_000 * 1000) },
    }, {
      name: "__Host-smallism_signed_in",
      value: "1",
      attributes: { httpOnly: false, sameSite: "lax", path: "/", secure: true, expires: new Date(1_800_000_000 * 1000) },
    }]);
  });

  it("has no expiry of its own to fall back on: the cookie follows whatever the session says", () => {
    const cookies = jar();
    setSessionCookie(cookies, LOCAL, { token: "t", expiresAt: 1_700_000_123 });
    expect(cookies.sets[0]!.attributes).toMatchObject({ secure: false, expires: new Date(1_700_000_123 * 1000) });
    expect(cookies.sets[0]!.name).toBe("smallism_session");
  });
});

describe("clearSessionCookie", () => {
  it("empties the cookie and the signed-in hint with Max-Age=0 under the same names and path", () => {
    const cookies = jar({ "__Host-smallism_session": "t" });
    clearSessionCookie(cookies, HTTPS);
    expect(cookies.sets).toEqual([
      { name: "__Host-smallism_session", value: "", attributes: { httpOnly: true, sameSite: "lax", path: "/", secure: true, maxAge: 0 } },
      { name: "__Host-smallism_signed_in", value: "", attributes: { httpOnly: false, sameSite: "lax", path: "/", secure: true, maxAge: 0 } },
    ]);
    expect(readSessionCookie(cookies, HTTPS)).toBe("");
  });
});

describe("over plain HTTP to a public host", () => {
  it("never reads a session cookie or the hint (a cookie planted over http:// is not accepted)", () => {
    const cookies = jar({ "__Host-smallism_session": "secure-token", smallism_session: "planted", smallism_signed_in: "1" });
    expect(readSessionCookie(cookies, PLAIN_HTTP)).toBeNull();
    expect(hasSignedInHint(cookies, PLAIN_HTTP)).toBe(false);
  });

  it("never sets or clears one, so no session cookie ever leaves without Secure", () => {
    const cookies = jar();
    setSessionCookie(cookies, PLAIN_HTTP, { token: "t", expiresAt: 1_900_000_000 });
    clearSessionCookie(cookies, PLAIN_HTTP);
    setSignedInHint(cookies, PLAIN_HTTP, 1_900_000_000);
    clearSignedInHint(cookies, PLAIN_HTTP);
    expect(cookies.sets).toEqual([]);
  });
});
