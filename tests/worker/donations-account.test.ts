// What a member sees of their giving (functions/donations/member-donations.ts): the list, refunds, the active
// monthly donation, the customer for the Customer Portal, and the one-round-trip budget of the account page.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getMemberBillingCustomer, listMemberGiving } from "@functions/donations/member-donations";
import { createBillingPortalSession } from "@functions/donations/billing-portal";
import {
  deliver, makeEvent, makeMember, nowSeconds, paidInvoice, paidPaymentSession, paidSubscriptionSession, standInRequests, testStripe, unique,
} from "./donations-support";
import { T0 } from "./support";

/** Wraps D1 so every round trip (a statement's first/all/run/raw, or a whole batch) is counted. */
function countingDb(): { db: D1Database; roundTrips: () => number } {
  let count = 0;
  const wrapStatement = (statement: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (typeof value !== "function") return value;
        if (property === "bind") return (...args: unknown[]) => wrapStatement((value as (...a: unknown[]) => D1PreparedStatement).apply(target, args));
        if (["first", "all", "run", "raw"].includes(String(property))) {
          return (...args: unknown[]) => {
            count++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
  const db = new Proxy(env.DB, {
    get(target, property) {
      if (property === "prepare") return (sql: string) => wrapStatement(target.prepare(sql));
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          count++;
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, roundTrips: () => count };
}

describe("the account page's donations", () => {
  it("lists the member's donations newest first with refunds, and the active monthly donation, in ONE round trip", async () => {
    const member = await makeMember();
    const other = await makeMember();
    const once = paidPaymentSession({ metadata: { kind: "donation", frequency: "once", user_id: member.id, note: "" } });
    await deliver(makeEvent("checkout.session.completed", once));
    await deliver(makeEvent("charge.refunded", { id: `ch_${unique()}`, object: "charge", payment_intent: once["payment_intent"], amount: 1250, refunded: false, amount_refunded: 250 }));
    const ids = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
    const metadata = { kind: "donation", frequency: "monthly", user_id: member.id, note: "" };
    await deliver(makeEvent("checkout.session.completed", paidSubscriptionSession(ids, metadata, 700)));
    await deliver(makeEvent("invoice.paid", paidInvoice({ ...ids, invoice: `in_${unique()}` }, metadata, 700, nowSeconds() + 3600)));
    await deliver(makeEvent("checkout.session.completed", paidPaymentSession({ metadata: { kind: "donation", frequency: "once", user_id: other.id, note: "" } })));

    const { db, roundTrips } = countingDb();
    const giving = await listMemberGiving(db, member.id);
    expect(roundTrips()).toBe(1);
    const rows = giving.donations.map((d) => `${d.amount} ${d.frequency} ${d.status}`);
    expect([...rows].sort()).toEqual(["1250 once partially_refunded", "700 monthly paid", "700 monthly paid"]);
    expect(giving.donations[0]!.createdAt).toBeGreaterThanOrEqual(giving.donations[1]!.createdAt);
    expect(giving.donations[1]!.createdAt).toBeGreaterThanOrEqual(giving.donations[2]!.createdAt);
    expect(giving.donations.find((d) => d.frequency === "once")?.amountRefunded).toBe(250);
    expect(giving.monthly).toEqual([{ id: ids.subscription, amount: 700, currency: "gbp", createdAt: expect.any(Number) }]);
  });

  it("a member with no donations gets empty lists; other members' donations never show", async () => {
    const member = await makeMember();
    expect(await listMemberGiving(env.DB, member.id)).toEqual({ donations: [], monthly: [] });
  });

  it("a canceled monthly donation is no longer offered for managing", async () => {
    const member = await makeMember();
    const ids = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
    const metadata = { kind: "donation", frequency: "monthly", user_id: member.id, note: "" };
    await deliver(makeEvent("checkout.session.completed", paidSubscriptionSession(ids, metadata)));
    expect(await getMemberBillingCustomer(env.DB, member.id, null)).toBe(ids.customer);
    expect(await getMemberBillingCustomer(env.DB, member.id, ids.subscription)).toBe(ids.customer);
    expect(await getMemberBillingCustomer(env.DB, member.id, "sub_not_theirs")).toBeNull();
    expect(await getMemberBillingCustomer(env.DB, (await makeMember()).id, ids.subscription)).toBeNull();
    await deliver(makeEvent("customer.subscription.deleted", {
      id: ids.subscription, object: "subscription", customer: ids.customer, currency: "gbp", created: T0, canceled_at: T0, ended_at: T0, metadata,
      items: { object: "list", data: [{ quantity: 1, price: { unit_amount: 1000 } }] },
    }));
    expect(await getMemberBillingCustomer(env.DB, member.id, null)).toBeNull();
    expect((await listMemberGiving(env.DB, member.id)).monthly).toEqual([]);
  });

  it("the Customer Portal session is created for the member's customer and returns to /account", async () => {
    const customer = `cus_${unique()}`;
    const result = await createBillingPortalSession(testStripe(), customer, "https://smallism.test/account");
    expect(result.ok).toBe(true);
    const request = (await standInRequests()).find((r) => r.path === "/v1/billing_portal/sessions" && r.form["customer"] === customer);
    expect(request?.form["return_url"]).toBe("https://smallism.test/account");
    const failed = await createBillingPortalSession(testStripe("rk_bad"), customer, "https://smallism.test/account");
    expect(failed.ok).toBe(false);
  });
});
