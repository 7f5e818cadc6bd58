// D1 read replicas through the Sessions API: every on-demand request reads and writes through one D1 session, so
// its reads may be served by a replica near the Worker while they stay in order with its own writes. Where a
// session starts:
//   - a member (a request with a session cookie) continues from the bookmark in their bookmark cookie, so a member
//     always reads their own writes from earlier requests (an RSVP, a changed email) even on a replica; a member
//     without one (just signed in, or an old cookie) starts at the primary;
//   - any other state-changing request (POST, …) starts at the primary: sign-in codes, reset tokens and throttle
//     counts written a moment earlier by the same reader must be seen, and that reader has no bookmark;
//   - any other GET or HEAD (a visitor reading) may start anywhere ("first-unconstrained").
// The bookmark cookie is only ever given to a member (the middleware writes it when a request with a live session is
// answered with that session still in place, and deletes it otherwise), so readers who never signed in still get no
// cookie at all, and signing in still sets just the session cookie and its hint.
// getDb() (src/lib/runtime.ts) hands every module the request's session as a D1Database, so no caller changes.
import { AsyncLocalStorage } from "node:async_hooks";
import { cookieTransport } from "./https-only";

/** The bookmark cookie's name over http://localhost; HTTPS adds the `__Host-` prefix (Secure, Path=/, no Domain). */
export const D1_BOOKMARK_NAME = "smallism_d1";

export interface D1BookmarkCookie {
  name: string;
  attributes: { httpOnly: true; sameSite: "lax"; path: "/"; secure: boolean; maxAge?: number };
}

/** Name and attributes of the bookmark cookie: a browser-session cookie, or with `clear` the attributes that delete it. */
export function bookmarkCookie(secure: boolean, clear = false): D1BookmarkCookie {
  const attributes: D1BookmarkCookie["attributes"] = { httpOnly: true, sameSite: "lax", path: "/", secure };
  if (clear) attributes.maxAge = 0;
  return { name: secure ? `__Host-${D1_BOOKMARK_NAME}` : D1_BOOKMARK_NAME, attributes };
}

// D1's bookmarks are groups of hex digits joined by hyphens (local D1 gives "00000000-0000000f-00000000-" and 32 more
// digits); anything else in the cookie is ignored and never passed on to D1.
const BOOKMARK = /^[0-9a-f]{1,64}(?:-[0-9a-f]{1,64}){1,7}$/i;

/** True when `value` has the shape of a D1 bookmark (and a sane length). */
export function isBookmark(value: string): boolean {
  return value.length <= 200 && BOOKMARK.test(value);
}

/** The part of Astro's `cookies` this module uses. */
export interface BookmarkJar {
  get(name: string): { value: string } | undefined;
  set(name: string, value: string, attributes: D1BookmarkCookie["attributes"]): void;
}

/** The bookmark the request carries (checked: isBookmark), or null; never read over plain HTTP to a public host. */
export function readBookmarkCookie(cookies: BookmarkJar, url: URL): string | null {
  if (cookieTransport(url) === "insecure") return null;
  const value = cookies.get(bookmarkCookie(url.protocol === "https:").name)?.value ?? "";
  return isBookmark(value) ? value : null;
}

/**
 * After the answer: a member's (`signedIn`: a live session that the answer leaves in place) bookmark cookie gets the
 * session's latest `bookmark` when it moved; anyone else's bookmark cookie is deleted (signed out, session ended).
 */
export function keepBookmarkCookie(cookies: BookmarkJar, url: URL, signedIn: boolean, bookmark: string | null): void {
  if (cookieTransport(url) === "insecure") return;
  const carried = readBookmarkCookie(cookies, url);
  const secure = url.protocol === "https:";
  if (signedIn) {
    if (bookmark === null || bookmark === carried || !isBookmark(bookmark)) return;
    const { name, attributes } = bookmarkCookie(secure);
    cookies.set(name, bookmark, attributes);
  } else if (cookies.get(bookmarkCookie(secure).name) !== undefined) {
    const { name, attributes } = bookmarkCookie(secure, true);
    cookies.set(name, "", attributes);
  }
}

/** Where a request's D1 session starts (see the header comment). */
export function sessionStart(method: string, signedIn: boolean, bookmark: string | null): D1SessionBookmark | D1SessionConstraint {
  if (signedIn) return bookmark !== null && isBookmark(bookmark) ? bookmark : "first-primary";
  return method === "GET" || method === "HEAD" ? "first-unconstrained" : "first-primary";
}

/**
 * `session` as a D1Database, so every function that takes one runs on it unchanged: statements and batches go
 * through the session; exec (migrations, never called by pages) goes to `db`, which opened the session.
 */
export function sessionDatabase(db: D1Database, session: D1DatabaseSession): D1Database {
  return {
    prepare: (query: string) => session.prepare(query),
    batch: <T = unknown>(statements: D1PreparedStatement[]) => session.batch<T>(statements),
    exec: (query: string) => db.exec(query),
    withSession: (start?: D1SessionBookmark | D1SessionConstraint) => db.withSession(start),
    dump: () => db.dump(),
  } satisfies D1Database;
}

const requestDatabase = new AsyncLocalStorage<D1Database>();

/** Runs `work` (a request's handling) with `db` as the database getDb() returns. */
export function runWithDatabase<T>(db: D1Database, work: () => T): T {
  return requestDatabase.run(db, work);
}

/** The current request's database (its D1 session), or undefined outside a request. */
export function currentDatabase(): D1Database | undefined {
  return requestDatabase.getStore();
}
