// Member-only pages kept per isolate (src/lib/member-page-cache.ts): a page asks for its render to be kept, the
// middleware keeps the HTML of that 200 answer, and the next request for the key gets the same bytes without a
// render; a page that did not ask, or an answer that is not a 200, keeps nothing; each key (entry and digest) is apart.
// That only pages decideAccess let in ask, and that two members see the same page, is in
// tests/e2e/member-page-cache.spec.ts.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { keepMemberPage, keptMemberPage, storeMemberPage } from "@src/lib/member-page-cache";

/** A page context for `path`. */
const at = (path: string) => ({ url: new URL(`https://smallism.example${path}`), locals: {} as Pick<App.Locals, "keepMemberPage"> });
const page = (body: string, status = 200) => new Response(body, { status, headers: { "Content-Type": "text/html", "X-Page": "rendered" } });

describe("the member page cache", () => {
  // As built for the Worker (`astro dev` keeps nothing; the last test shows it).
  beforeAll(() => vi.stubEnv("DEV", false));
  afterAll(() => vi.unstubAllEnvs());

  it("keeps the page a member-only page asked for and gives the answer back unchanged", async () => {
    const context = at("/strategy/one/");
    expect(keptMemberPage(context, "strategy/one/1")).toBeNull();
    keepMemberPage(context, "strategy/one/1");
    const answer = await storeMemberPage(context.locals, page("<p>page one</p>"));
    expect([answer.status, answer.headers.get("X-Page"), await answer.text()]).toEqual([200, "rendered", "<p>page one</p>"]);
    expect(keptMemberPage(at("/strategy/one"), "strategy/one/1"), "the same page asked for without its slash is its own copy").toBeNull();
    const kept = keptMemberPage(at("/strategy/one/"), "strategy/one/1");
    expect(kept?.headers.get("Content-Type")).toBe("text/html");
    expect(await kept?.text()).toBe("<p>page one</p>");
  });

  it("keeps nothing for a page that did not ask, or for an answer that is not a 200", async () => {
    const untouched = await storeMemberPage({}, page("<p>account</p>"));
    expect(await untouched.text()).toBe("<p>account</p>");
    const context = at("/strategy/two/");
    keepMemberPage(context, "strategy/two/1");
    const failed = await storeMemberPage(context.locals, page("<p>sorry</p>", 500));
    expect(failed.status).toBe(500);
    expect(keptMemberPage(context, "strategy/two/1")).toBeNull();
  });

  it("keeps keys apart (a new digest is a new render)", async () => {
    const old = at("/strategy/three/");
    keepMemberPage(old, "strategy/three/1");
    await storeMemberPage(old.locals, page("old"));
    expect(keptMemberPage(at("/strategy/three/"), "strategy/three/2")).toBeNull();
    expect(await keptMemberPage(at("/strategy/three/"), "strategy/three/1")?.text()).toBe("old");
  });

  it("keeps nothing under astro dev, so edits show at once", async () => {
    vi.stubEnv("DEV", true);
    const context = at("/strategy/four/");
    keepMemberPage(context, "strategy/four/1");
    await storeMemberPage(context.locals, page("dev"));
    expect(keptMemberPage(context, "strategy/four/1")).toBeNull();
    vi.stubEnv("DEV", false);
  });
});
