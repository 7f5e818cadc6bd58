// Member-only pages kept per isolate (src/lib/member-page-cache.ts): a page finding no copy has its render kept, the
// middleware keeps the HTML of that 200 answer, and the next request for the page's own path gets the same bytes
// without a render; a page that did not ask, an answer that is not a 200, and any other spelling of the path keep
// and get nothing (so copies stay one per entry); each key (entry and digest) is apart. That only pages decideAccess
// let in ask, and that two members see the same page, is in tests/e2e/member-page-cache.spec.ts.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { keptMemberPage, storeMemberPage } from "@src/lib/member-page-cache";

/** A page context for a request of `path`. */
const at = (path: string) => ({ url: new URL(`https://smallism.example${path}`), locals: {} as Pick<App.Locals, "keepMemberPage"> });
const page = (body: string, status = 200) => new Response(body, { status, headers: { "Content-Type": "text/html", "X-Page": "rendered" } });

/** Asks for a copy for a request of `requested` and, finding none, renders `body`, as the page and the middleware do. */
async function render(requested: string, entry: string, path: string, body: string, status = 200): Promise<Response> {
  const context = at(requested);
  expect(keptMemberPage(context, entry, path), "a copy already").toBeNull();
  return storeMemberPage(context.locals, page(body, status));
}

describe("the member page cache", () => {
  // As built for the Worker (`astro dev` keeps nothing; the last test shows it).
  beforeAll(() => vi.stubEnv("DEV", false));
  afterAll(() => vi.unstubAllEnvs());

  it("keeps the page a member-only page asked for and gives the answer back unchanged", async () => {
    expect(keptMemberPage(at("/strategy/one/"), "strategy/one/1", "/strategy/one/")).toBeNull();
    const answer = await render("/strategy/one/", "strategy/one/1", "/strategy/one/", "<p>page one</p>");
    expect([answer.status, answer.headers.get("X-Page"), await answer.text()]).toEqual([200, "rendered", "<p>page one</p>"]);
    const kept = keptMemberPage(at("/strategy/one/"), "strategy/one/1", "/strategy/one/");
    expect(kept?.headers.get("Content-Type")).toBe("text/html");
    expect(await kept?.text()).toBe("<p>page one</p>");
  });

  it("answers and keeps only the page's own path: other spellings are rendered as asked, and never kept", async () => {
    for (const spelling of ["/strategy/two", "/strategy/tw%6F/", "/strategy/two//"]) {
      const answer = await render(spelling, "strategy/two/1", "/strategy/two/", `<p>${spelling}</p>`);
      expect(await answer.text()).toBe(`<p>${spelling}</p>`);
      expect(keptMemberPage(at(spelling), "strategy/two/1", "/strategy/two/"), spelling).toBeNull();
    }
    expect(keptMemberPage(at("/strategy/two/"), "strategy/two/1", "/strategy/two/"), "nothing was kept for the page's own path").toBeNull();
    await render("/strategy/two/", "strategy/two/1", "/strategy/two/", "<p>own</p>");
    expect(keptMemberPage(at("/strategy/two"), "strategy/two/1", "/strategy/two/"), "the copy is not given to another spelling").toBeNull();
  });

  it("keeps nothing for a page that did not ask, or for an answer that is not a 200", async () => {
    const untouched = await storeMemberPage({}, page("<p>account</p>"));
    expect(await untouched.text()).toBe("<p>account</p>");
    const failed = await render("/strategy/three/", "strategy/three/1", "/strategy/three/", "<p>sorry</p>", 500);
    expect(failed.status).toBe(500);
    expect(keptMemberPage(at("/strategy/three/"), "strategy/three/1", "/strategy/three/")).toBeNull();
  });

  it("keeps keys apart (a new digest is a new render)", async () => {
    await render("/strategy/four/", "strategy/four/1", "/strategy/four/", "old");
    expect(keptMemberPage(at("/strategy/four/"), "strategy/four/2", "/strategy/four/")).toBeNull();
    expect(await keptMemberPage(at("/strategy/four/"), "strategy/four/1", "/strategy/four/")?.text()).toBe("old");
  });

  it("keeps nothing under astro dev, so edits show at once", async () => {
    vi.stubEnv("DEV", true);
    await render("/strategy/five/", "strategy/five/1", "/strategy/five/", "dev");
    expect(keptMemberPage(at("/strategy/five/"), "strategy/five/1", "/strategy/five/")).toBeNull();
    vi.stubEnv("DEV", false);
  });
});
