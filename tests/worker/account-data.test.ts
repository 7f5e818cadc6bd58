// A member's giving in "download my data" and in deleting the account, against real D1 with the real migrations and
// the real stripe SDK talking to the stand-in: the export and the deletion cover exactly the same rows (linked
// ones, and guest ones given with the member's address once verified), the export carries Stripe's ids, the
// deletion clears note, email, link and customer id and deletes the customers at Stripe, and when Stripe cannot be
// reached the account is deleted anyway, the failure logged without the email, and the cron's retry finishes it.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deleteAccount, exportUserData } from "@functions/auth/account-data";
import { retryStripeCustomerDeletions } from "@functions/donations/customer-deletion";
import { createStripeClient } from "@functions/donations/stripe-client";
import { hashPassword } from "@functions/auth/passwords";
import { deliver, donationsWhere, makeEvent, paidInvoice, paidSubscriptionSession, standInRequests, testStripe, unique } from "./donations-support";
import { PASSWORD, T0, count, insertUser, uniqueEmail } from "./support";

/** A client for a Stripe that cannot be reached (nothing listens on port 9 of this machine). */
const unreachableStripe = () => createStripeClient("sk_test_worker_tests", "http://127.0.0.1:9");

/** A member who can delete their account with PASSWORD; verified unless told otherwise. */
async function makeMember(verified = true): Promise<{ id: string; email: string }> {
  const passwordHash = await hashPassword(PASSWORD, { ln: 10, r: 8, p: 1 });
  return insertUser({ passwordHash, emailVerifiedAt: verified ? T0 + 1 : null });
}

interface GivenRow { donation: string; subscription: string; customer: string }

/** One monthly donation (its subscription and first payment, with every Stripe id and a note) for `owner`. */
async function give(owner: { userId: string | null; email: string | null }, createdAt = T0 + 100): Promise<GivenRow> {
  const ids = { donation: `don_${unique()}`, subscription: `sub_${unique()}`, customer: `cus_${unique()}` };
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO donations (id, user_id, email, amount, currency, frequency, status, note, checkout_session_id, invoice_id,
         payment_intent_id, subscription_id, customer_id, created_at)
       VALUES (?1, ?2, ?3, 700, 'gbp', 'monthly', 'paid', 'Keep going', ?4, ?5, ?6, ?7, ?8, ?9)`,
    ).bind(ids.donation, owner.userId, owner.email, `cs_test_${unique()}`, `in_${unique()}`, `pi_${unique()}`, ids.subscription, ids.customer, createdAt),
    env.DB.prepare(
      "INSERT INTO subscriptions (id, user_id, email, customer_id, amount, currency, status, created_at) VALUES (?1, ?2, ?3, ?4, 700, 'gbp', 'active', ?5)",
    ).bind(ids.subscription, owner.userId, owner.email, ids.customer, createdAt),
  ]);
  return ids;
}

/** Every column of the donations and subscriptions rows with these ids. */
async function rowsOf(given: GivenRow[]): Promise<Record<string, unknown>> {
  const donations = await env.DB.prepare("SELECT * FROM donations WHERE id IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(given.map((g) => g.donation))).all();
  const subscriptions = await env.DB.prepare("SELECT * FROM subscriptions WHERE id IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(given.map((g) => g.subscription))).all();
  return Object.fromEntries([...donations.results, ...subscriptions.results].map((row) => [row["id"] as string, row]));
}

/** The customer deletions the stand-in received for these customers, as "id status". */
async function customerDeletionsAtStandIn(customers: string[]): Promise<string[]> {
  return (await standInRequests())
    .filter((r) => r.method === "DELETE" && customers.some((customer) => r.path === `/v1/customers/${customer}`))
    .map((r) => `${r.path.split("/").pop()} ${r.status}`);
}

/** The ids of the donations and monthly donations in a member's export. */
async function exportedIds(userId: string): Promise<string[]> {
  const data = (await exportUserData(env.DB, userId, T0 + 500))!;
  return [...(data.donations as { id: string }[]), ...(data.monthlyDonations as { id: string }[])].map((row) => row.id).sort();
}

const pendingDeletions = (customers: string[]) =>
  count("SELECT COUNT(*) AS n FROM stripe_customer_deletions WHERE customer_id IN (SELECT value FROM json_each(?1))", JSON.stringify(customers));

/**
 * A verified member with a linked monthly donation and a guest one given with their address in capitals; an
 * unverified member with a linked one and a guest one at their address (which may be someone else's); a stranger.
 */
async function givingWorld() {
  const member = await makeMember();
  const unverified = await makeMember(false);
  const linked = await give({ userId: member.id, email: member.email });
  const guestVerified = await give({ userId: null, email: member.email.toUpperCase() });
  const unverifiedLinked = await give({ userId: unverified.id, email: unverified.email });
  const guestUnverified = await give({ userId: null, email: unverified.email });
  const stranger = await give({ userId: null, email: uniqueEmail("stranger") });
  const all = [linked, guestVerified, unverifiedLinked, guestUnverified, stranger];
  return { member, unverified, linked, guestVerified, unverifiedLinked, guestUnverified, stranger, all };
}

const idsOf = (...given: GivenRow[]) => given.flatMap((g) => [g.donation, g.subscription]).sort();

afterEach(() => {
  vi.restoreAllMocks();
});

describe("export and deletion cover the same rows", () => {
  it("the export holds linked rows and guest rows at the verified address; deletion erases exactly those", async () => {
    const w = await givingWorld();
    expect(await exportedIds(w.member.id)).toEqual(idsOf(w.linked, w.guestVerified));
    // An unverified address proves nothing: only the rows given while signed in are theirs.
    expect(await exportedIds(w.unverified.id)).toEqual(idsOf(w.unverifiedLinked));

    const before = await rowsOf(w.all);
    expect(await deleteAccount(env.DB, testStripe(), w.member.id, PASSWORD, T0 + 600)).toEqual({ ok: true });
    const after = await rowsOf(w.all);
    const changed = Object.keys(before).filter((id) => JSON.stringify(before[id]) !== JSON.stringify(after[id])).sort();
    expect(changed).toEqual(idsOf(w.linked, w.guestVerified));
    for (const given of [w.linked, w.guestVerified]) {
      // Amounts, dates, status and payment ids stay for the accounts; nothing that points at the member does.
      const { user_id, email, note, customer_id, ...kept } = before[given.donation] as Record<string, unknown>;
      expect([email, note, customer_id]).not.toContain(null);
      expect(user_id).toBe(given === w.linked ? w.member.id : null);
      expect(after[given.donation]).toEqual({ ...kept, user_id: null, email: null, note: null, customer_id: null });
      expect(after[given.subscription]).toMatchObject({ user_id: null, email: null, customer_id: null, amount: 700, status: "active" });
    }

    // The unverified member's deletion takes only their own rows, never the guest rows at their address.
    expect(await deleteAccount(env.DB, testStripe(), w.unverified.id, PASSWORD, T0 + 601)).toEqual({ ok: true });
    const last = await rowsOf(w.all);
    expect(Object.keys(after).filter((id) => JSON.stringify(after[id]) !== JSON.stringify(last[id])).sort()).toEqual(idsOf(w.unverifiedLinked));
  });

  it("each deletion deletes exactly its rows' customers at Stripe, and nothing stays queued", async () => {
    const w = await givingWorld();
    const customers = w.all.map((g) => g.customer);
    expect(await deleteAccount(env.DB, testStripe(), w.member.id, PASSWORD, T0 + 600)).toEqual({ ok: true });
    expect((await customerDeletionsAtStandIn(customers)).sort()).toEqual([`${w.linked.customer} 200`, `${w.guestVerified.customer} 200`].sort());
    expect(await deleteAccount(env.DB, testStripe(), w.unverified.id, PASSWORD, T0 + 601)).toEqual({ ok: true });
    expect((await customerDeletionsAtStandIn(customers)).sort()).toEqual([`${w.linked.customer} 200`, `${w.guestVerified.customer} 200`, `${w.unverifiedLinked.customer} 200`].sort());
    expect(await pendingDeletions(customers)).toBe(0);
  });
});

describe("after the deletion", () => {
  it("a payment recorded again (the first invoice's own event, a late thank-you page) does not bring the customer id back", async () => {
    const member = await makeMember();
    const ids = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
    const metadata = { kind: "donation", frequency: "monthly", user_id: member.id, note: "Keep going" };
    expect((await deliver(makeEvent("checkout.session.completed", paidSubscriptionSession(ids, metadata)))).status).toBe(200);
    expect((await donationsWhere("invoice_id", ids.invoice))[0]).toMatchObject({ user_id: member.id, customer_id: ids.customer, note: "Keep going" });
    expect(await deleteAccount(env.DB, testStripe(), member.id, PASSWORD, T0 + 600)).toEqual({ ok: true });

    expect((await deliver(makeEvent("invoice.paid", paidInvoice(ids, metadata)))).status).toBe(200);
    const rows = await donationsWhere("invoice_id", ids.invoice);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_id: null, email: null, note: null, customer_id: null, subscription_id: ids.subscription });
  });
});

describe("the export", () => {
  it("gives every donation and monthly donation with Stripe's ids, the note, the address it was given with, and ISO dates", async () => {
    const member = await makeMember();
    const linked = await give({ userId: member.id, email: member.email }, T0 + 100);
    const guest = await give({ userId: null, email: member.email.toUpperCase() }, T0 + 200);
    const rows = await rowsOf([linked, guest]);
    const data = (await exportUserData(env.DB, member.id, T0 + 500))!;
    expect(data.donations).toEqual([linked, guest].map((given, index) => {
      const row = rows[given.donation] as Record<string, unknown>;
      return {
        id: given.donation, given_as: index === 0 ? "member" : "guest", email: row["email"], amount: 700, amount_refunded: 0, currency: "gbp",
        frequency: "monthly", status: "paid", note: "Keep going", created_at: new Date((T0 + 100 * (index + 1)) * 1000).toISOString(), refunded_at: null,
        checkout_session_id: row["checkout_session_id"], payment_intent_id: row["payment_intent_id"], invoice_id: row["invoice_id"],
        subscription_id: given.subscription, customer_id: given.customer,
      };
    }));
    expect(JSON.stringify(data.donations)).toMatch(/"checkout_session_id":"cs_test_.+"payment_intent_id":"pi_.+"invoice_id":"in_/);
    expect(data.monthlyDonations).toEqual([
      { id: linked.subscription, given_as: "member", email: member.email, customer_id: linked.customer, amount: 700, currency: "gbp", status: "active", created_at: new Date((T0 + 100) * 1000).toISOString(), canceled_at: null },
      { id: guest.subscription, given_as: "guest", email: member.email.toUpperCase(), customer_id: guest.customer, amount: 700, currency: "gbp", status: "active", created_at: new Date((T0 + 200) * 1000).toISOString(), canceled_at: null },
    ]);
  });
});

describe("when Stripe cannot be reached", () => {
  it("the account is still deleted and erased from its giving; the failure is logged without the email; the cron's retry deletes the customer", async () => {
    const member = await makeMember();
    const given = await give({ userId: member.id, email: member.email });
    const errors = vi.spyOn(console, "error");
    expect(await deleteAccount(env.DB, unreachableStripe(), member.id, PASSWORD, T0 + 600)).toEqual({ ok: true });

    expect(await count("SELECT COUNT(*) AS n FROM users WHERE id = ?1", member.id)).toBe(0);
    expect(await rowsOf([given])).toMatchObject({
      [given.donation]: { user_id: null, email: null, note: null, customer_id: null },
      [given.subscription]: { user_id: null, email: null, customer_id: null },
    });
    const lines = errors.mock.calls.map((call) => String(call[0]));
    const failure = lines.find((line) => line.includes('"stripe.customer_deletion.failed"'));
    expect(failure, lines.join("\n")).toBeDefined();
    expect(JSON.parse(failure!)).toMatchObject({ level: "error", type: "donations", customerId: given.customer, errorType: "StripeConnectionError" });
    for (const line of lines) expect(line).not.toContain(member.email);
    expect(await env.DB.prepare("SELECT requested_at, attempts, last_attempt_at FROM stripe_customer_deletions WHERE customer_id = ?1").bind(given.customer).first())
      .toEqual({ requested_at: T0 + 600, attempts: 1, last_attempt_at: T0 + 600 });
    expect(await customerDeletionsAtStandIn([given.customer])).toEqual([]);

    // Meanwhile Stripe took another payment of the monthly donation: it came in anonymously, but with the customer.
    const later = `don_${unique()}`;
    await env.DB.prepare(
      "INSERT INTO donations (id, amount, currency, frequency, status, invoice_id, subscription_id, customer_id, created_at) VALUES (?1, 700, 'gbp', 'monthly', 'paid', ?2, ?3, ?4, ?5)",
    ).bind(later, `in_${unique()}`, given.subscription, given.customer, T0 + 700).run();

    // A retry that fails again counts the attempt and keeps the customer queued.
    expect(await retryStripeCustomerDeletions(env.DB, unreachableStripe, T0 + 86_400)).toMatchObject({ deleted: 0 });
    expect(await env.DB.prepare("SELECT attempts FROM stripe_customer_deletions WHERE customer_id = ?1").bind(given.customer).first("attempts")).toBe(2);

    // The next day's run reaches Stripe: the customer is deleted there, off the queue, and off the later payment.
    const report = await retryStripeCustomerDeletions(env.DB, testStripe, T0 + 2 * 86_400);
    expect(report.deleted).toBeGreaterThanOrEqual(1);
    expect(await customerDeletionsAtStandIn([given.customer])).toEqual([`${given.customer} 200`]);
    expect(await pendingDeletions([given.customer])).toBe(0);
    expect(await env.DB.prepare("SELECT customer_id FROM donations WHERE id = ?1").bind(later).first("customer_id")).toBeNull();
  });

  it("a customer Stripe already deleted (an earlier try that never heard back) is taken off the queue", async () => {
    const member = await makeMember();
    const given = await give({ userId: member.id, email: member.email });
    expect(await deleteAccount(env.DB, unreachableStripe(), member.id, PASSWORD, T0 + 600)).toEqual({ ok: true });
    await testStripe().customers.del(given.customer);
    await retryStripeCustomerDeletions(env.DB, testStripe, T0 + 86_400);
    expect(await customerDeletionsAtStandIn([given.customer])).toEqual([`${given.customer} 200`, `${given.customer} 404`]);
    expect(await pendingDeletions([given.customer])).toBe(0);
  });

  it("without Stripe configured the account is deleted, the customer stays queued with a warning, and the cron asks for Stripe only when something is queued", async () => {
    const member = await makeMember();
    const given = await give({ userId: member.id, email: member.email });
    const warnings = vi.spyOn(console, "warn");
    expect(await deleteAccount(env.DB, null, member.id, PASSWORD, T0 + 600)).toEqual({ ok: true });
    expect(await count("SELECT COUNT(*) AS n FROM users WHERE id = ?1", member.id)).toBe(0);
    expect(await pendingDeletions([given.customer])).toBe(1);
    expect(warnings.mock.calls.map((call) => String(call[0])).some((line) => line.includes('"stripe.customer_deletion.deferred"'))).toBe(true);

    await retryStripeCustomerDeletions(env.DB, testStripe, T0 + 86_400);
    expect(await pendingDeletions([given.customer])).toBe(0);
    const getStripe = vi.fn(testStripe);
    expect(await retryStripeCustomerDeletions(env.DB, getStripe, T0 + 2 * 86_400)).toEqual({ deleted: 0, pending: 0 });
    expect(getStripe).not.toHaveBeenCalled();
  });
});
