// The thank-you page's look-up (lookUpThankYou in functions/donations/thanks.ts) against a real local D1 and the
// Stripe stand-in, which records every API request: malformed ids never reach Stripe and cost nothing, well-formed
// ones are throttled per IP (THROTTLES.thanksIp), and a paid donation is recorded once.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { lookUpThankYou } from "@functions/donations/thanks";
import { submitDonation } from "@functions/donations/checkout";
import { DEFAULT_SETTINGS } from "@functions/donations/config";
import { generateFormNonce } from "@functions/donations/donation-form";
import { THROTTLES } from "@functions/auth/throttle";
import { donationsWhere, payAtStandIn, standInRequests, testStripe, unique } from "./donations-support";
import { HASH_SECRET } from "./support";

const now = (): number => Math.floor(Date.now() / 1000);

/** A fresh documentation-range address, so no other test's throttle counts against it. */
function freshIp(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(2));
  return `198.51.${bytes[0]}.${bytes[1]}`;
}

/** A paid one-off donation's Checkout Session at the stand-in; returns its id. */
async function paidSession(): Promise<string> {
  const created = await submitDonation(
    testStripe(), new URLSearchParams({ amount: "15", custom_amount: "", frequency: "once", note: "", nonce: generateFormNonce() }), DEFAULT_SETTINGS, null, "https://smallism.test",
  );
  if (!created.ok) throw new Error("expected a Checkout Session");
  await payAtStandIn(created.sessionId);
  return created.sessionId;
}

/** How many times the stand-in was asked for `sessionId`. */
async function retrievals(sessionId: string): Promise<number> {
  return (await standInRequests()).filter((r) => r.method === "GET" && r.path === `/v1/checkout/sessions/${sessionId}`).length;
}

const lookUp = (sessionId: string, ip: string, db: D1Database = env.DB) => lookUpThankYou({ store: { db, secret: HASH_SECRET }, stripe: testStripe(), sessionId, ip, now: now() });

describe("malformed ids never reach Stripe", () => {
  const marker = unique();
  const malformed: Array<[string, string]> = [
    ["empty", ""],
    ["the prefix alone", "cs_test_"],
    ["too short", `cs_test_${marker.slice(0, 7)}`],
    ["over 255 characters", `cs_live_${marker}${"a".repeat(240)}`],
    ["another kind of id", `pi_${marker}`],
    ["upper-case prefix", `CS_TEST_${marker}`],
    ["a path in it", `cs_test_${marker}/../../v1/customers`],
    ["a query in it", `cs_test_${marker}?expand[]=customer`],
    ["a space", `cs_test_${marker} x`],
    ["a NUL", `cs_test_${marker}\u0000`],
    ["non-ASCII letters", `cs_test_${marker}é`],
    ["the template left unfilled", "{CHECKOUT_SESSION_ID}"],
  ];
  for (const [label, sessionId] of malformed) {
    it(`${label} → malformed, no Stripe request`, async () => {
      expect(await lookUp(sessionId, freshIp())).toEqual({ state: "malformed" });
    });
  }

  it("none of them was sent to Stripe, and they do not count against the throttle", async () => {
    const requests = await standInRequests();
    expect(requests.filter((r) => r.path.includes(marker) || r.query.includes(marker))).toEqual([]);
    const ip = freshIp();
    for (let i = 0; i < THROTTLES.thanksIp.limit + 5; i++) expect((await lookUp(`nonsense-${i}`, ip)).state).toBe("malformed");
    const sessionId = `cs_test_${unique()}`;
    expect((await lookUp(sessionId, ip)).state).toBe("unknown");
    expect(await retrievals(sessionId)).toBe(1);
  });
});

describe("well-formed ids: looked up at Stripe, throttled per IP", () => {
  it("a paid session → paid and recorded once however often the page is reloaded", async () => {
    const sessionId = await paidSession();
    const ip = freshIp();
    for (let i = 0; i < 3; i++) expect((await lookUp(sessionId, ip)).state).toBe("paid");
    expect(await donationsWhere("checkout_session_id", sessionId)).toHaveLength(1);
  });

  it(`look-up number ${THROTTLES.thanksIp.limit + 1} from one IP in ${THROTTLES.thanksIp.windowSeconds / 60} minutes is refused without asking Stripe; another IP is not affected`, async () => {
    const sessionId = await paidSession();
    const ip = freshIp();
    for (let i = 0; i < THROTTLES.thanksIp.limit; i++) expect((await lookUp(sessionId, ip)).state, `look-up ${i + 1}`).toBe("paid");
    const refused = await lookUp(sessionId, ip);
    expect(refused.state).toBe("busy");
    if (refused.state === "busy") {
      expect(refused.retryAfter).toBeGreaterThan(0);
      expect(refused.retryAfter).toBeLessThanOrEqual(THROTTLES.thanksIp.windowSeconds);
    }
    expect(await retrievals(sessionId)).toBe(THROTTLES.thanksIp.limit);
    expect((await lookUp(sessionId, freshIp())).state).toBe("paid");
    expect(await retrievals(sessionId)).toBe(THROTTLES.thanksIp.limit + 1);
  });

  it("when the throttle cannot be counted (D1 down), Stripe is not asked", async () => {
    const broken = new Proxy(env.DB, {
      get(target, property) {
        if (property === "prepare") return () => { throw new Error("D1_ERROR: simulated outage"); };
        const value = Reflect.get(target, property) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const sessionId = `cs_test_${unique()}`;
    expect(await lookUp(sessionId, freshIp(), broken)).toEqual({ state: "busy", retryAfter: null });
    expect(await retrievals(sessionId)).toBe(0);
  });
});
