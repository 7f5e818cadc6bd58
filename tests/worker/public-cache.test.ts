// The public page cache (src/lib/public-cache.ts) inside workerd, with the Workers Cache API: a page opts in only for
// a 200 GET by a reader with no session; a cookie-less GET of an opted-in page is stored, then served without a
// render; nothing is stored that did not opt in, sets a cookie, failed or was not a GET; a purge drops the copy. Only
// the shared paths are looked up at all, and the Worker's entry answers a visitor's hit (servePublicCopy) only for a
// request that names none of the site's cookies (session, signed-in hint, database bookmark).
import { afterEach, describe, expect, it, vi } from "vitest";
import { isSharedPath, purgePublicPages, servePublicCopy, servePublicPage, shareWithVisitors } from "@src/lib/public-cache";

const ORIGIN = "https://smallism.example";
/** workerd's default cache (the DOM typings of `caches` do not know it). */
const edgeCache = () => (globalThis as unknown as { caches: { default: Cache } }).caches.default;
let counter = 0;
const freshUrl = () => `${ORIGIN}/strategy/?public-cache-test=${++counter}-${crypto.randomUUID()}`;

function page(body: string, init: ResponseInit = {}): () => Promise<Response> {
  const render = async () => new Response(body, { status: 200, ...init, headers: { "Content-Type": "text/html", ...(init.headers as Record<string, string>) } });
  return render;
}

function visitorPage(method = "GET", status = 200, locals: Partial<App.Locals> = {}): string | null {
  const headers = new Headers();
  const context = { request: new Request(freshUrl(), { method }), locals: { user: null, sessionLookupFailed: false, ...locals }, response: { status, headers } };
  shareWithVisitors(context);
  return headers.get("Cache-Control");
}

describe("shareWithVisitors", () => {
  it("opts a visitor's 200 GET in, and nothing else", () => {
    expect(visitorPage()).toBe("public, max-age=60");
    const unset = new Headers();
    shareWithVisitors({ request: new Request(freshUrl()), locals: { user: null, sessionLookupFailed: false }, response: { headers: unset } });
    expect(unset.get("Cache-Control"), "a page that set no status is a 200").toBe("public, max-age=60");
    expect(visitorPage("POST")).toBeNull();
    expect(visitorPage("HEAD")).toBeNull();
    expect(visitorPage("GET", 404)).toBeNull();
    expect(visitorPage("GET", 200, { sessionLookupFailed: true })).toBeNull();
    expect(visitorPage("GET", 200, { user: { id: "u", email: "m@example.org", displayName: null, emailVerified: true, role: "member", pendingEmail: null, hasPassword: true } })).toBeNull();
  });
});

describe("the shared paths", () => {
  it("are the strategy, ward and letters indexes and pages, and nothing else", () => {
    for (const path of ["/strategy/", "/strategy/how-members-vote/", "/wards/", "/wards/hackney-central/", "/letters/", "/letters/june-letter/", "/strategy", "/strategy/how-members-vote"]) {
      expect(isSharedPath(path), path).toBe(true);
    }
    for (const path of ["/", "/strategyx/", "/join", "/login", "/account", "/account/letters", "/wards/hackney-central/organise", "/wards/a/letters/1",
      "/strategy/a/b/", "/essays/members-only/", "/admin/", "/api/letters/events", "/unsubscribe", "/logout"]) {
      expect(isSharedPath(path), path).toBe(false);
    }
  });

  it("are the only pages that may opt in (a page elsewhere is not marked, and the log says so)", () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const context = { request: new Request(`${ORIGIN}/join`), locals: { user: null, sessionLookupFailed: false }, response: { headers: new Headers() } };
    shareWithVisitors(context);
    expect(context.response.headers.get("Cache-Control")).toBeNull();
    expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([{ level: "error", type: "site", event: "public_cache.unlisted_path", path: "/join" }]);
    vi.restoreAllMocks();
  });

  it("are the only ones looked up: any other path is rendered without touching the cache", async () => {
    const match = vi.spyOn(edgeCache(), "match");
    const answer = await servePublicPage(new Request(`${ORIGIN}/join?x=${++counter}`), page("join"), () => false);
    expect(answer.headers.get("X-Public-Cache")).toBe("not-shared");
    expect(await servePublicCopy(new Request(`${ORIGIN}/login`))).toBeNull();
    expect(match).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });
});

describe("servePublicPage", () => {
  it("stores an opted-in page, then serves the copy without rendering; a purge drops it", async () => {
    const url = freshUrl();
    let renders = 0;
    const render = async () => { renders++; return page(`visitor copy ${renders}`, { headers: { "Cache-Control": "public, max-age=60" } })(); };
    const miss = await servePublicPage(new Request(url), render, () => false);
    expect(miss.headers.get("X-Public-Cache")).toBe("stored");
    expect(await miss.text()).toBe("visitor copy 1");
    // The middleware looks up only requests with a stray cookie of the site's (the entry looked up the others).
    const hinted = { headers: { Cookie: "__Host-smallism_signed_in=1" } };
    const hit = await servePublicPage(new Request(url, hinted), render, () => false);
    expect(hit.headers.get("X-Public-Cache")).toBe("hit");
    expect(await hit.text()).toBe("visitor copy 1");
    expect(renders).toBe(1);
    await purgePublicPages(ORIGIN, [new URL(url).pathname + new URL(url).search]);
    const again = await servePublicPage(new Request(url, hinted), render, () => false);
    expect(again.headers.get("X-Public-Cache")).toBe("stored");
    expect(await again.text()).toBe("visitor copy 2");
  });

  it("does not look up again a request the Worker's entry already looked up (one naming none of the site's cookies)", async () => {
    const match = vi.spyOn(edgeCache(), "match");
    const miss = await servePublicPage(new Request(freshUrl(), { headers: { Cookie: "__cf_bm=abc" } }), page("copy", { headers: { "Cache-Control": "public, max-age=60" } }), () => false);
    expect(miss.headers.get("X-Public-Cache")).toBe("stored");
    expect(match).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  const cases: Array<[string, () => Promise<Response>, () => boolean, string]> = [
    ["a page that did not opt in", page("private"), () => false, "GET"],
    ["a page marked private", page("private", { headers: { "Cache-Control": "private, no-store" } }), () => false, "GET"],
    ["an answer setting a cookie in its headers", page("cookie", { headers: { "Cache-Control": "public, max-age=60", "Set-Cookie": "a=b" } }), () => false, "GET"],
    ["an answer Astro will add a cookie to", page("cookie", { headers: { "Cache-Control": "public, max-age=60" } }), () => true, "GET"],
    ["a 404", page("gone", { status: 404, headers: { "Cache-Control": "public, max-age=60" } }), () => false, "GET"],
    ["a POST", page("posted", { headers: { "Cache-Control": "public, max-age=60" } }), () => false, "POST"],
  ];
  it.each(cases)("never stores %s", async (_label, render, setsCookies, method) => {
    const url = freshUrl();
    const first = await servePublicPage(new Request(url, { method }), render, setsCookies);
    expect(first.headers.get("X-Public-Cache")).toBe("not-shared");
    // With a stray hint, so the middleware looks the copy up: there must be none.
    const second = await servePublicPage(new Request(url, { headers: { Cookie: "__Host-smallism_signed_in=1" } }), page("rendered again"), () => false);
    expect(second.headers.get("X-Public-Cache")).toBe("not-shared");
    expect(await second.text()).toBe("rendered again");
  });
});


describe("a failing cache", () => {
  afterEach(() => vi.restoreAllMocks());

  it("is passed by: the page is rendered when a lookup fails, and answered when storing fails", async () => {
    const render = page("rendered", { headers: { "Cache-Control": "public, max-age=60" } });
    vi.spyOn(edgeCache(), "match").mockRejectedValueOnce(new Error("cache unavailable"));
    const lookupFailed = await servePublicPage(new Request(freshUrl(), { headers: { Cookie: "__Host-smallism_d1=00000000-0000001a" } }), render, () => false);
    expect(lookupFailed.status).toBe(200);
    expect(await lookupFailed.text()).toBe("rendered");
    vi.spyOn(edgeCache(), "put").mockRejectedValueOnce(new Error("too large"));
    const storeFailed = await servePublicPage(new Request(freshUrl()), render, () => false);
    expect(storeFailed.headers.get("X-Public-Cache")).toBe("not-shared");
    expect(await storeFailed.text()).toBe("rendered");
  });
});

describe("servePublicCopy (the Worker's entry, before Astro)", () => {
  async function stored(): Promise<string> {
    const url = freshUrl();
    const answer = await servePublicPage(new Request(url), page("visitor copy", { headers: { "Cache-Control": "public, max-age=60" } }), () => false);
    expect(answer.headers.get("X-Public-Cache")).toBe("stored");
    return url;
  }

  it("answers a cookie-less GET with the stored copy, marked a hit", async () => {
    const url = await stored();
    const copy = await servePublicCopy(new Request(url));
    expect(copy?.headers.get("X-Public-Cache")).toBe("hit");
    expect(await copy?.text()).toBe("visitor copy");
    const other = await servePublicCopy(new Request(url, { headers: { Cookie: "__cf_bm=abc; theme=dark" } }));
    expect(await other?.text(), "cookies that are not ours do not matter").toBe("visitor copy");
  });

  it("leaves to Astro a request naming the session cookie, the hint or the bookmark (whatever their values), a miss, and anything but a GET", async () => {
    const url = await stored();
    for (const cookie of ["__Host-smallism_session=forged", "__Host-smallism_session=", "a=b; __Host-smallism_signed_in=1", "__Host-smallism_signed_in=0", "__Host-smallism_d1=00000000-0000001a"]) {
      expect(await servePublicCopy(new Request(url, { headers: { Cookie: cookie } })), cookie).toBeNull();
    }
    expect(await servePublicCopy(new Request(url, { method: "HEAD" }))).toBeNull();
    expect(await servePublicCopy(new Request(url, { method: "POST", body: "a=b" }))).toBeNull();
    expect(await servePublicCopy(new Request(freshUrl())), "nothing stored yet").toBeNull();
  });

  it("is a miss when the lookup fails", async () => {
    const url = await stored();
    vi.spyOn(edgeCache(), "match").mockRejectedValueOnce(new Error("cache unavailable"));
    expect(await servePublicCopy(new Request(url))).toBeNull();
    vi.restoreAllMocks();
  });
});
