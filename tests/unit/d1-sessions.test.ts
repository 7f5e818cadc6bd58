// Where a request's D1 session starts, and the member's bookmark cookie (functions/http/d1-sessions.ts) with a jar
// shaped like Astro's: only ever set for an answer that leaves a session in place, deleted otherwise, never read
// or set over plain HTTP to a public host, and a value that is not a bookmark is never passed on to D1.
import { describe, expect, it } from "vitest";
import { bookmarkCookie, isBookmark, keepBookmarkCookie, readBookmarkCookie, sessionStart, type BookmarkJar } from "@functions/http/d1-sessions";

const HTTPS = new URL("https://smallism.org/strategy/");
const LOCAL = new URL("http://localhost:4321/strategy/");
const PLAIN_HTTP = new URL("http://smallism.org/strategy/");
const BOOKMARK = "00000000-0000000f-00000000-00000000000000000000000000000000";
const LATER = "00000000-00000010-00000000-00000000000000000000000000000000";

interface CookieSet { name: string; value: string; maxAge: number | undefined; secure: boolean }

function jar(initial: Record<string, string> = {}): BookmarkJar & { sets: CookieSet[] } {
  const values = new Map(Object.entries(initial));
  const sets: CookieSet[] = [];
  return {
    sets,
    get: (name) => (values.has(name) ? { value: values.get(name)! } : undefined),
    set(name, value, attributes) {
      values.set(name, value);
      sets.push({ name, value, maxAge: attributes.maxAge, secure: attributes.secure });
    },
  };
}

describe("sessionStart", () => {
  it.each([
    ["GET", true, BOOKMARK, BOOKMARK],
    ["POST", true, BOOKMARK, BOOKMARK],
    ["GET", true, null, "first-primary"],
    ["GET", true, "not a bookmark", "first-primary"],
    ["GET", true, `${BOOKMARK}'; DROP TABLE users`, "first-primary"],
    ["GET", false, BOOKMARK, "first-unconstrained"],
    ["HEAD", false, null, "first-unconstrained"],
    ["POST", false, null, "first-primary"],
    ["POST", false, BOOKMARK, "first-primary"],
    ["DELETE", false, null, "first-primary"],
  ] as const)("%s, signed in %s, bookmark %s: starts at %s", (method, signedIn, bookmark, start) => {
    expect(sessionStart(method, signedIn, bookmark)).toBe(start);
  });
});

describe("isBookmark", () => {
  it("accepts hex groups joined by hyphens and nothing else", () => {
    expect(isBookmark(BOOKMARK)).toBe(true);
    expect(isBookmark("00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbda1f4bf")).toBe(true);
    for (const value of ["", "first-primary", "first-unconstrained", "0000", "zz-00", `${"0".repeat(64)}-`.repeat(4) + "0", `${BOOKMARK} `, "00-".repeat(80) + "00"]) {
      expect(isBookmark(value), value).toBe(false);
    }
  });
});

describe("the bookmark cookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/, __Host- and Secure over HTTPS, a browser-session cookie", () => {
    expect(bookmarkCookie(true)).toEqual({ name: "__Host-smallism_d1", attributes: { httpOnly: true, sameSite: "lax", path: "/", secure: true } });
    expect(bookmarkCookie(false)).toEqual({ name: "smallism_d1", attributes: { httpOnly: true, sameSite: "lax", path: "/", secure: false } });
    expect(bookmarkCookie(true, true).attributes.maxAge).toBe(0);
  });

  it("is read only when it holds a bookmark, and never over plain HTTP to a public host", () => {
    expect(readBookmarkCookie(jar({ "__Host-smallism_d1": BOOKMARK }), HTTPS)).toBe(BOOKMARK);
    expect(readBookmarkCookie(jar({ smallism_d1: BOOKMARK }), HTTPS)).toBeNull();
    expect(readBookmarkCookie(jar({ smallism_d1: BOOKMARK }), LOCAL)).toBe(BOOKMARK);
    expect(readBookmarkCookie(jar({ smallism_d1: "<script>" }), LOCAL)).toBeNull();
    expect(readBookmarkCookie(jar({ smallism_d1: BOOKMARK }), PLAIN_HTTP)).toBeNull();
  });

  it("is set for a member when the bookmark moved, left alone when it did not", () => {
    const first = jar();
    keepBookmarkCookie(first, HTTPS, true, BOOKMARK);
    expect(first.sets).toEqual([{ name: "__Host-smallism_d1", value: BOOKMARK, maxAge: undefined, secure: true }]);
    const same = jar({ smallism_d1: BOOKMARK });
    keepBookmarkCookie(same, LOCAL, true, BOOKMARK);
    expect(same.sets).toEqual([]);
    const moved = jar({ smallism_d1: BOOKMARK });
    keepBookmarkCookie(moved, LOCAL, true, LATER);
    expect(moved.sets).toEqual([{ name: "smallism_d1", value: LATER, maxAge: undefined, secure: false }]);
    const none = jar();
    keepBookmarkCookie(none, LOCAL, true, null);
    keepBookmarkCookie(none, LOCAL, true, "not a bookmark");
    expect(none.sets).toEqual([]);
  });

  it("is never given to a reader without a session, and deleted when the session is gone", () => {
    const visitor = jar();
    keepBookmarkCookie(visitor, HTTPS, false, BOOKMARK);
    expect(visitor.sets).toEqual([]);
    const signedOut = jar({ "__Host-smallism_d1": BOOKMARK });
    keepBookmarkCookie(signedOut, HTTPS, false, LATER);
    expect(signedOut.sets).toEqual([{ name: "__Host-smallism_d1", value: "", maxAge: 0, secure: true }]);
    const plain = jar({ smallism_d1: BOOKMARK });
    keepBookmarkCookie(plain, PLAIN_HTTP, false, null);
    keepBookmarkCookie(plain, PLAIN_HTTP, true, LATER);
    expect(plain.sets).toEqual([]);
  });
});
