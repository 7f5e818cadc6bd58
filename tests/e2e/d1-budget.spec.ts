// The D1 budget (issue 6) on the served site: every page the Worker renders on demand makes at most 2 D1 round
// trips for a signed-in member (a db.batch() counts once), and pages that need no member data make none for a
// visitor. Counts come from X-D1-Queries, which the test build's middleware adds (COUNT_D1_QUERIES=1).
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { get, type Caller } from "./http";
import { verifiedMember } from "./members";

const ON_DEMAND = [
  "/strategy/",
  "/strategy/forming-and-governing-a-ward/",
  "/strategy/no-such-strategy-page/",
  "/essays/the-first-hundred-members/",
  "/account",
  "/account/data",
  "/account/billing",
  "/account/security",
  "/verify",
  "/join",
  "/login",
  "/login/code",
  "/forgot",
  "/reset?token=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "/donate",
  "/donate/thanks?session_id=cs_test_unknownsession123",
];

async function queriesFor(request: Parameters<typeof get>[0], path: string, caller: Caller): Promise<number> {
  const response = await get(request, path, caller);
  expect(response.status(), `${path}: ${response.status()}`).toBeLessThan(500);
  const header = response.headers()["x-d1-queries"];
  expect(header, `${path} reports its D1 queries`).toMatch(/^\d+$/);
  return Number(header);
}

test("every on-demand page makes at most 2 D1 queries for a signed-in member", async ({ request }) => {
  const member = await verifiedMember(request, uniqueEmail("budget"));
  const counts: Record<string, number> = {};
  for (const path of ON_DEMAND) counts[path] = await queriesFor(request, path, { ip: member.ip, token: member.token });
  expect(Object.entries(counts).filter(([, n]) => n > 2), JSON.stringify(counts)).toEqual([]);
  // The session lookup is the one query every signed-in page shares; /account adds the donations list.
  expect(counts["/strategy/forming-and-governing-a-ward/"]).toBe(1);
  expect(counts["/account"]).toBe(2);
});

test("visitors cost no D1 query on content pages and forms", async ({ request }) => {
  const caller = { ip: uniqueIp() };
  for (const path of ["/strategy/", "/strategy/forming-and-governing-a-ward/", "/essays/the-first-hundred-members/", "/join", "/login", "/forgot", "/donate"]) {
    expect(await queriesFor(request, path, caller), path).toBe(0);
  }
});
