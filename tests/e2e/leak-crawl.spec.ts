// Member-only text never reaches a reader without a valid, verified session. Reads every body sentence (8+ words)
// of the strategy pages and the members-only essay from content/, then as an anonymous visitor crawls the site
// (links from the home page, the sitemap and the RSS feed, breadth-first) and fetches every member page with no
// cookie, a forged cookie, a signed-out (revoked) cookie and an unverified member's cookie: no response may
// contain any of those sentences. Positive control: a verified member's responses do contain them.
import { readdirSync } from "node:fs";
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { SITE_URL } from "@tests/support/test-env";
import { get, postForm } from "./http";
import { bodySentences, plainText } from "./member-text";
import { forgedToken, joinHttp, tokenOpensAccount, verifiedMember } from "./members";

interface MemberPage { path: string; file: string; sentences: string[] }

const MEMBER_PAGES: MemberPage[] = [
  ...readdirSync("content/strategy").filter((name) => name.endsWith(".mdx")).map((name) => ({
    path: `/strategy/${name.replace(/\.mdx$/, "")}/`, file: `content/strategy/${name}`,
  })),
  { path: "/essays/the-first-hundred-members/", file: "content/essays/the-first-hundred-members.mdx" },
].map((page) => ({ ...page, sentences: bodySentences(page.file) }));

const ALL_SENTENCES = MEMBER_PAGES.flatMap((page) => page.sentences.map((sentence) => ({ sentence, page: page.path })));
const CRAWL_CAP = 300;

/** Every member sentence found in a response body, as "page: sentence". */
function leaks(body: string): string[] {
  const text = plainText(body);
  return ALL_SENTENCES.filter(({ sentence }) => text.includes(sentence)).map(({ sentence, page }) => `${page}: ${sentence}`);
}

function isText(contentType: string | undefined): boolean {
  return /text\/|xml|json|javascript|svg/.test(contentType ?? "");
}

/** Same-site paths linked from a response (href/src attributes, <loc> and <link> in XML). */
function linksIn(body: string, base: string): string[] {
  const found: string[] = [];
  const candidates = [
    ...[...body.matchAll(/\b(?:href|src)\s*=\s*"([^"]+)"/g)].map((m) => m[1]!),
    ...[...body.matchAll(/<(?:loc|link|guid)>([^<]+)<\/(?:loc|link|guid)>/g)].map((m) => m[1]!.trim()),
  ];
  for (const raw of candidates) {
    let url: URL;
    try { url = new URL(raw.replace(/&amp;/g, "&"), base); } catch { continue; }
    // Feeds and the sitemap carry the production origin; map it onto the site under test.
    if (url.origin !== new URL(SITE_URL).origin && url.hostname !== "smallism.org") continue;
    if (url.pathname.startsWith("/dev/")) continue; // development-only, not part of the site
    found.push(url.pathname + url.search);
  }
  return found;
}

test("sentence extraction finds enough text on every member page", () => {
  for (const page of MEMBER_PAGES) expect(page.sentences.length, page.path).toBeGreaterThanOrEqual(15);
  expect(MEMBER_PAGES.length).toBeGreaterThanOrEqual(4);
});

test("positive control: a verified member's pages contain the sentences this test looks for", async ({ request }) => {
  const member = await verifiedMember(request, uniqueEmail("leak-control"));
  for (const page of MEMBER_PAGES) {
    const response = await get(request, page.path, { ip: member.ip, token: member.token });
    expect(response.status(), page.path).toBe(200);
    const text = plainText(await response.text());
    const found = page.sentences.filter((sentence) => text.includes(sentence));
    // Most sentences must match the rendered text, or the leak checks below would prove nothing.
    expect(found.length / page.sentences.length, `${page.path}: missing ${page.sentences.filter((s) => !text.includes(s)).slice(0, 3).join(" | ")}`).toBeGreaterThan(0.9);
    expect(leaks(await response.text()).length).toBeGreaterThan(0);
  }
});

test("an anonymous crawl (home, sitemap, RSS; breadth-first) finds no member sentence anywhere", async ({ request }) => {
  const seeds = ["/", "/sitemap-index.xml", "/rss.xml", "/robots.txt", "/strategy/", "/essays/", "/search/", "/no-such-page/"];
  const queue: string[] = [...seeds];
  const seen = new Set<string>(queue);
  const fetched: string[] = [];
  const found: string[] = [];
  while (queue.length > 0 && fetched.length < CRAWL_CAP) {
    const path = queue.shift()!;
    const response = await get(request, path, { ip: uniqueIp() });
    fetched.push(path);
    expect(response.status(), path).toBeLessThan(500);
    const location = response.headers().location;
    const next: string[] = location ? linksIn(`<a href="${location}">`, new URL(path, SITE_URL).href) : [];
    if (isText(response.headers()["content-type"])) {
      const body = await response.text();
      for (const leak of leaks(body)) found.push(`${path} → ${leak}`);
      next.push(...linksIn(body, new URL(path, SITE_URL).href));
    }
    for (const link of next) {
      if (!seen.has(link)) {
        seen.add(link);
        queue.push(link);
      }
    }
  }
  expect(found).toEqual([]);
  // The crawl really covered the site: the sitemap, the feed, essays and every strategy URL were reached.
  expect(fetched).toEqual(expect.arrayContaining(["/sitemap-0.xml", "/rss.xml", "/essays/the-case-for-small-wards/"]));
  for (const page of MEMBER_PAGES.filter((p) => p.path.startsWith("/strategy/"))) expect(seen.has(page.path), page.path).toBe(true);
  expect(fetched.length).toBeGreaterThan(20);
});

test("member pages with no cookie, a forged cookie, a revoked cookie and an unverified member's cookie show no member sentence", async ({ request }) => {
  // A revoked cookie: join, verify, sign out, reuse the old value.
  const revoked = await verifiedMember(request, uniqueEmail("leak-revoked"));
  expect((await postForm(request, "/logout", { ip: revoked.ip, token: revoked.token }, {})).status()).toBe(303);
  expect(await tokenOpensAccount(request, revoked.token)).toBe(false);
  // A member whose password was changed: the cookie from before the change.
  const changed = await verifiedMember(request, uniqueEmail("leak-changed"));
  expect((await postForm(request, "/account", { ip: changed.ip, token: changed.token }, {
    action: "password", currentPassword: changed.password, newPassword: "an entirely new pass phrase",
  })).status()).toBe(303);
  // A live session whose email is not verified.
  const unverified = await joinHttp(request, uniqueEmail("leak-unverified"));

  const cookies: Array<[string, string | null]> = [
    ["no cookie", null],
    ["forged cookie", forgedToken()],
    ["empty cookie", ""],
    ["revoked cookie (signed out)", revoked.token],
    ["cookie from before a password change", changed.token],
    ["unverified member", unverified.token],
  ];
  const found: string[] = [];
  for (const page of MEMBER_PAGES) {
    for (const variant of [page.path, page.path.replace(/\/$/, ""), `${page.path}?full=1`, `${page.path}#toc`]) {
      for (const [label, token] of cookies) {
        const response = await get(request, variant, { ip: uniqueIp(), token });
        expect(response.status(), `${variant} ${label}`).toBeLessThan(500);
        expect(response.headers()["cache-control"], `${variant} ${label}`).toBe("private, no-store");
        for (const leak of leaks(await response.text())) found.push(`${variant} [${label}] → ${leak}`);
      }
    }
  }
  expect(found).toEqual([]);
});

test("feeds, sitemap, search index entry points and error pages carry no member sentence", async ({ request }) => {
  const paths = [
    "/rss.xml", "/sitemap-index.xml", "/sitemap-0.xml", "/robots.txt", "/404", "/strategy/no-such-page/",
    "/essays/the-first-hundred-members/index.html", "/essays/the-first-hundred-members.md", "/strategy/how-members-vote/index.html",
    "/_astro/", "/pagefind/pagefind-entry.json", "/tags/organising/", "/tags/wards/", "/essays/",
  ];
  const found: string[] = [];
  for (const path of paths) {
    const response = await get(request, path, { ip: uniqueIp() });
    expect(response.status(), path).toBeLessThan(500);
    if (isText(response.headers()["content-type"])) for (const leak of leaks(await response.text())) found.push(`${path} → ${leak}`);
  }
  expect(found).toEqual([]);
});

// The public cache (src/lib/public-cache.ts) holds the strategy index and the strategy pages' summaries for readers
// without a session. Whichever order members and visitors come in, a member's view is never stored or served from
// it, and a visitor's cached copy is never what a member gets. Each run uses fresh URLs (a query string), so a copy
// from an earlier run cannot answer.
test("the public cache: a member's view is never cached, and a cached visitor's page is never served to a member, either order", async ({ request }) => {
  const member = await verifiedMember(request, uniqueEmail("leak-cache"));
  const asMember = { ip: member.ip, token: member.token };
  const run = crypto.randomUUID().slice(0, 8);
  const strategyPage = MEMBER_PAGES.find((page) => page.path.startsWith("/strategy/"))!;
  const MEMBER_NOTICE = "You are a member: every page of the handbook is open to you.";
  const memberText = (body: string) => (leaks(body).length > 0 || body.includes(MEMBER_NOTICE));
  for (const base of ["/strategy/", strategyPage.path]) {
    for (const order of ["member first", "visitor first"] as const) {
      const path = `${base}?cache=${run}-${order.replace(" ", "-")}`;
      const visit = async (expected: string) => {
        const response = await get(request, path, { ip: uniqueIp() });
        expect(response.status(), `${path} visitor`).toBe(200);
        expect(response.headers()["x-public-cache"], `${path} visitor`).toBe(expected);
        expect(response.headers()["cache-control"]).toBe("private, no-store");
        expect(response.headers()["set-cookie"]).toBeUndefined();
        const body = await response.text();
        expect(memberText(body), `${path}: a visitor got member text`).toBe(false);
        return { body, queries: response.headers()["x-d1-queries"] };
      };
      const asMemberNow = async () => {
        const response = await get(request, path, asMember);
        expect(response.headers()["x-public-cache"], `${path} member`).toBe("member");
        expect(response.headers()["cache-control"]).toBe("private, no-store");
        expect(memberText(await response.text()), `${path}: the member did not get the member's view`).toBe(true);
      };
      if (order === "member first") await asMemberNow();
      // The first visitor renders and stores (so the member's visit stored nothing); the next is a hit, no D1 query.
      const first = await visit("stored");
      const second = await visit("hit");
      expect(second.queries).toBe("0");
      expect(second.body).toBe(first.body);
      await asMemberNow();
      // A visitor's cookies that are not a live session: the hint alone is served the visitor's copy; any session
      // cookie (forged, empty) never reads the cache.
      const hinted = await request.get(new URL(path, SITE_URL).href, { headers: { Cookie: "smallism_signed_in=1", "CF-Connecting-IP": uniqueIp() }, maxRedirects: 0 });
      expect(hinted.headers()["x-public-cache"]).toBe("hit");
      expect(memberText(await hinted.text())).toBe(false);
      for (const token of [forgedToken(), ""]) {
        const forged = await get(request, path, { ip: uniqueIp(), token });
        expect(forged.headers()["x-public-cache"], `${path} forged`).toBe(token === "" ? "hit" : "member");
        expect(memberText(await forged.text())).toBe(false);
      }
    }
  }
});
