// The webhook controller and ledger (functions/donations/webhook.ts, ledger.ts) against a real local D1:
// signatures, dispatch, idempotency under repetition and concurrency, ordering, D1 failures and refunds.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handleStripeWebhook } from "@functions/donations/webhook";
import { fulfilCheckoutSession } from "@functions/donations/ledger";
import { deleteAccount } from "@functions/auth/account";
import { retrieveCheckoutSession, submitDonation } from "@functions/donations/checkout";
import { DEFAULT_SETTINGS } from "@functions/donations/config";
import { generateFormNonce } from "@functions/donations/donation-form";
import type Stripe from "stripe";
import {
  T0, WEBHOOK_SECRET, deliver, donationsWhere, eventRecorded, makeEvent, makeMember, paidInvoice, paidPaymentSession,
  paidSubscriptionSession, payAtStandIn, registerInvoicePayment, signEvent, testStripe, unique, type DonationRow,
} from "./donations-support";

const now = (): number => Math.floor(Date.now() / 1000);

/** Delivers a raw payload/signature pair (for tampering tests). */
function deliverRaw(payload: string, signature: string | null, options: { secret: string | undefined } = { secret: WEBHOOK_SECRET }) {
  return handleStripeWebhook({ db: env.DB, stripe: testStripe(), secret: options.secret, payload, signature, now: now() });
}

/** A D1 wrapper whose batch() throws the first `failures` times (a D1 outage mid-delivery). */
function failingBatches(failures: number): D1Database {
  let left = failures;
  return new Proxy(env.DB, {
    get(target, property) {
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          if (left > 0) {
            left--;
            throw new Error("D1_ERROR: simulated outage");
          }
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A donation row without the fields that depend on which write came first. */
function comparable(row: DonationRow): Omit<DonationRow, "id" | "created_at"> {
  const { id: _id, created_at: _created, ...rest } = row;
  return rest;
}

describe("signature verification: nothing unsigned is trusted", () => {
  it("a correctly signed event is accepted and recorded", async () => {
    const session = paidPaymentSession();
    const event = makeEvent("checkout.session.completed", session);
    expect((await deliver(event)).status).toBe(200);
    expect(await donationsWhere("checkout_session_id", session["id"] as string)).toHaveLength(1);
    expect(await eventRecorded(event["id"] as string)).toBe(true);
  });

  const tampered: Array<[string, (payload: string, signature: string) => Promise<[string, string | null, string?]>]> = [
    ["a re-serialised body (same JSON, other bytes)", async (payload, signature) => [JSON.stringify(JSON.parse(payload), null, 2), signature]],
    ["a changed amount", async (payload, signature) => [payload.replace('"amount_total":1250', '"amount_total":9999999'), signature]],
    ["the wrong secret", async (payload) => [payload, (await signEvent(JSON.parse(payload), { secret: "whsec_someone_else" })).signature]],
    ["a missing Stripe-Signature header", async (payload) => [payload, null]],
    ["an empty Stripe-Signature header", async (payload) => [payload, ""]],
    ["a garbage header", async (payload) => [payload, "t=1,v1=00"]],
    ["a timestamp older than the 300 s tolerance", async (payload) => [payload, (await signEvent(JSON.parse(payload), { timestamp: now() - 301 })).signature]],
  ];
  for (const [name, tamper] of tampered) {
    it(`${name} → 400 and nothing written`, async () => {
      const session = paidPaymentSession();
      const event = makeEvent("checkout.session.completed", session);
      const signed = await signEvent(event);
      const [payload, signature] = await tamper(signed.payload, signed.signature);
      const result = await deliverRaw(payload, signature);
      expect(result.status).toBe(400);
      expect(await donationsWhere("checkout_session_id", session["id"] as string)).toHaveLength(0);
      expect(await eventRecorded(event["id"] as string)).toBe(false);
    });
  }

  it("a timestamp just inside the tolerance is accepted", async () => {
    const event = makeEvent("checkout.session.completed", paidPaymentSession());
    const { payload, signature } = await signEvent(event, { timestamp: now() - 290 });
    expect((await deliverRaw(payload, signature)).status).toBe(200);
  });

  it("no webhook secret configured → 503, nothing written, even for a body signed with some secret", async () => {
    const session = paidPaymentSession();
    const event = makeEvent("checkout.session.completed", session);
    const { payload, signature } = await signEvent(event);
    for (const secret of [undefined, ""]) expect((await deliverRaw(payload, signature, { secret })).status).toBe(503);
    expect(await donationsWhere("checkout_session_id", session["id"] as string)).toHaveLength(0);
  });
});

describe("dispatch by event type", () => {
  it("an unknown type → 200, ignored, not even marked", async () => {
    const event = makeEvent("customer.created", { id: `cus_${unique()}`, object: "customer" });
    const result = await deliver(event);
    expect(result).toEqual({ status: 200, body: { received: true, ignored: true } });
    expect(await eventRecorded(event["id"] as string)).toBe(false);
  });

  it("checkout.session.completed with payment still pending records nothing; async_payment_succeeded records it", async () => {
    const pending = paidPaymentSession({ payment_status: "unpaid" });
    const first = makeEvent("checkout.session.completed", pending);
    expect((await deliver(first)).status).toBe(200);
    expect(await donationsWhere("checkout_session_id", pending["id"] as string)).toHaveLength(0);
    expect(await eventRecorded(first["id"] as string)).toBe(true);
    expect((await deliver(makeEvent("checkout.session.async_payment_succeeded", { ...pending, payment_status: "paid" }))).status).toBe(200);
    expect(await donationsWhere("checkout_session_id", pending["id"] as string)).toHaveLength(1);
  });

  it("checkout.session.async_payment_failed → 200, nothing recorded", async () => {
    const failed = paidPaymentSession({ payment_status: "unpaid" });
    expect((await deliver(makeEvent("checkout.session.async_payment_failed", failed))).status).toBe(200);
    expect(await donationsWhere("checkout_session_id", failed["id"] as string)).toHaveLength(0);
  });

  it("sessions that are not donations (no kind=donation metadata) are not recorded", async () => {
    const other = paidPaymentSession({ metadata: { order: "t-shirt" } });
    expect((await deliver(makeEvent("checkout.session.completed", other))).status).toBe(200);
    expect(await donationsWhere("checkout_session_id", other["id"] as string)).toHaveLength(0);
  });

  it("records the member, email, note, amount, currency and payment intent of a one-off donation", async () => {
    const member = await makeMember();
    const session = paidPaymentSession({ client_reference_id: member.id, metadata: { kind: "donation", frequency: "once", user_id: member.id, note: "Keep going" } });
    await deliver(makeEvent("checkout.session.completed", session));
    const [row] = await donationsWhere("checkout_session_id", session["id"] as string);
    expect(row).toMatchObject({
      user_id: member.id, email: "donor@example.org", amount: 1250, currency: "gbp", frequency: "once", status: "paid", note: "Keep going",
      payment_intent_id: session["payment_intent"], invoice_id: null, amount_refunded: 0,
    });
  });

  it("a donation whose member has since deleted their account is still recorded, anonymously", async () => {
    const session = paidPaymentSession({ metadata: { kind: "donation", frequency: "once", user_id: "deleted-member-id", note: "" } });
    expect((await deliver(makeEvent("checkout.session.completed", session))).status).toBe(200);
    const [row] = await donationsWhere("checkout_session_id", session["id"] as string);
    expect(row?.user_id).toBeNull();
    expect(row?.email).toBeNull();
    expect(row?.note).toBeNull();
  });

  it("after a member deletes their account, their monthly donation's later invoices come in without their email", async () => {
    const password = "lantern orchard tidal";
    const member = await makeMember(password);
    const ids = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
    const metadata = { kind: "donation", frequency: "monthly", user_id: member.id, note: "" };
    await deliver(makeEvent("checkout.session.completed", paidSubscriptionSession(ids, metadata)));
    expect((await donationsWhere("invoice_id", ids.invoice))[0]).toMatchObject({ user_id: member.id, email: "monthly@example.org" });

    expect(await deleteAccount(env.DB, member.id, password)).toEqual({ ok: true });
    // Stripe keeps charging (deleting the account does not cancel the subscription) and reports the payer's email.
    const later = `in_${unique()}`;
    expect((await deliver(makeEvent("invoice.paid", paidInvoice({ ...ids, invoice: later }, metadata, 1000, T0 + 2_600_000)))).status).toBe(200);
    const [row] = await donationsWhere("invoice_id", later);
    expect(row).toMatchObject({ user_id: null, email: null, amount: 1000, subscription_id: ids.subscription });
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM donations WHERE subscription_id = ?1 AND email IS NOT NULL").bind(ids.subscription).first("n")).toBe(0);
    expect(await env.DB.prepare("SELECT user_id, email FROM subscriptions WHERE id = ?1").bind(ids.subscription).first()).toEqual({ user_id: null, email: null });
  });

  it("a subscription first heard of after its member deleted their account is stored without the email", async () => {
    const ids = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
    await deliver(makeEvent("invoice.paid", paidInvoice(ids, { kind: "donation", frequency: "monthly", user_id: "deleted-member-id", note: "" })));
    expect(await env.DB.prepare("SELECT user_id, email FROM subscriptions WHERE id = ?1").bind(ids.subscription).first()).toEqual({ user_id: null, email: null });
    // A guest's monthly donation (no member named) keeps the email Stripe reports: it is how we can answer them.
    const guest = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
    await deliver(makeEvent("invoice.paid", paidInvoice(guest, { kind: "donation", frequency: "monthly", user_id: "", note: "" })));
    expect((await donationsWhere("invoice_id", guest.invoice))[0]?.email).toBe("monthly@example.org");
  });
});

describe("idempotency: a donation is recorded exactly once", () => {
  it("the same event 10 times concurrently, then once more later → one donation, one event row", async () => {
    const session = paidPaymentSession();
    const event = makeEvent("checkout.session.completed", session);
    const results = await Promise.all(Array.from({ length: 10 }, () => deliver(event)));
    for (const result of results) expect(result.status).toBe(200);
    expect((await deliver(event)).body.duplicate).toBe(true);
    expect(await donationsWhere("checkout_session_id", session["id"] as string)).toHaveLength(1);
    const events = await env.DB.prepare("SELECT count(*) AS n FROM stripe_events WHERE id = ?1").bind(event["id"]).first<{ n: number }>();
    expect(events?.n).toBe(1);
  });

  it("two different events about the same session (completed + async_payment_succeeded) → one donation", async () => {
    const session = paidPaymentSession();
    await deliver(makeEvent("checkout.session.completed", session));
    await deliver(makeEvent("checkout.session.async_payment_succeeded", session));
    expect(await donationsWhere("checkout_session_id", session["id"] as string)).toHaveLength(1);
  });

  for (const order of ["thanks page first", "webhook first"] as const) {
    it(`thank-you page fulfilment and webhook, ${order} → one donation (real session from the stand-in)`, async () => {
      const stripe = testStripe();
      const member = await makeMember();
      const created = await submitDonation(
        stripe, new URLSearchParams({ amount: "25", custom_amount: "", frequency: "once", note: order, nonce: generateFormNonce() }), DEFAULT_SETTINGS, member, "https://smallism.test",
      );
      if (!created.ok) throw new Error("expected a session");
      await payAtStandIn(created.sessionId);
      const session = (await retrieveCheckoutSession(stripe, created.sessionId)) as Stripe.Checkout.Session;
      const event = makeEvent("checkout.session.completed", session);
      if (order === "thanks page first") {
        expect(await fulfilCheckoutSession(env.DB, session, now())).toBe(true);
        expect((await deliver(event)).status).toBe(200);
      } else {
        expect((await deliver(event)).status).toBe(200);
        expect(await fulfilCheckoutSession(env.DB, session, now())).toBe(true);
      }
      expect(await fulfilCheckoutSession(env.DB, session, now())).toBe(true);
      const rows = await donationsWhere("checkout_session_id", created.sessionId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ amount: 2500, user_id: member.id, email: member.email, status: "paid" });
    });
  }

  it("the thank-you page records nothing for an unpaid session", async () => {
    const session = paidPaymentSession({ payment_status: "unpaid" }) as unknown as Stripe.Checkout.Session;
    expect(await fulfilCheckoutSession(env.DB, session, now())).toBe(false);
    expect(await donationsWhere("checkout_session_id", session.id)).toHaveLength(0);
  });
});

describe("monthly donations: the first invoice is counted once, in either order", () => {
  async function scenario(order: "completed first" | "invoice first") {
    const member = await makeMember();
    const ids = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
    const metadata = { kind: "donation", frequency: "monthly", user_id: member.id, note: "Monthly note" };
    const completed = makeEvent("checkout.session.completed", paidSubscriptionSession(ids, metadata));
    const paid = makeEvent("invoice.paid", paidInvoice(ids, metadata));
    for (const event of order === "completed first" ? [completed, paid] : [paid, completed]) expect((await deliver(event)).status).toBe(200);
    const donations = await donationsWhere("subscription_id", ids.subscription);
    const subscription = await env.DB.prepare("SELECT user_id, customer_id, amount, currency, status FROM subscriptions WHERE id = ?1").bind(ids.subscription).first();
    return { member, ids, metadata, donations, subscription };
  }

  it("completed then invoice.paid, and invoice.paid then completed → the same single donation and subscription", async () => {
    const inOrder = await scenario("completed first");
    const reversed = await scenario("invoice first");
    for (const result of [inOrder, reversed]) {
      expect(result.donations).toHaveLength(1);
      expect(result.donations[0]).toMatchObject({
        user_id: result.member.id, amount: 1000, frequency: "monthly", status: "paid", note: "Monthly note",
        invoice_id: result.ids.invoice, subscription_id: result.ids.subscription, customer_id: result.ids.customer,
      });
      expect(result.donations[0]!.checkout_session_id).toMatch(/^cs_test_/);
      expect(result.subscription).toEqual({ user_id: result.member.id, customer_id: result.ids.customer, amount: 1000, currency: "gbp", status: "active" });
    }
    const normalise = (result: typeof inOrder) => ({
      ...comparable(result.donations[0]!), user_id: "member", email: result.donations[0]!.email, checkout_session_id: "cs", invoice_id: "in", subscription_id: "sub", customer_id: "cus",
    });
    expect(normalise(reversed)).toEqual(normalise(inOrder));
  });

  it("each later month's invoice.paid adds one donation (redeliveries add none)", async () => {
    const { ids, metadata } = await scenario("completed first");
    const nextMonth = makeEvent("invoice.paid", paidInvoice({ ...ids, invoice: `in_${unique()}` }, metadata, 1000, T0 + 30 * 86_400));
    await deliver(nextMonth);
    await deliver(nextMonth);
    await deliver(makeEvent("invoice.paid", (nextMonth["data"] as { object: unknown }).object)); // same invoice, new event id
    expect(await donationsWhere("subscription_id", ids.subscription)).toHaveLength(2);
  });

  it("an invoice in the pre-2025 payload shape (top-level subscription) is still recorded once", async () => {
    const ids = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
    const { parent: _parent, ...modern } = paidInvoice(ids, {});
    const legacy = { ...modern, parent: null, subscription: ids.subscription, subscription_details: { metadata: { kind: "donation", user_id: "", note: "old api" } } };
    await deliver(makeEvent("invoice.paid", legacy));
    await deliver(makeEvent("invoice.paid", legacy));
    expect(await donationsWhere("subscription_id", ids.subscription)).toMatchObject([{ invoice_id: ids.invoice, note: "old api", amount: 1000 }]);
  });

  it("under an older webhook API version (no session.invoice, top-level invoice.subscription) the first payment is counted once, in either order", async () => {
    for (const order of ["completed first", "invoice first"] as const) {
      const member = await makeMember();
      const ids = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
      const metadata = { kind: "donation", frequency: "monthly", user_id: member.id, note: "old api" };
      // Checkout Sessions rendered at API versions from before sessions named their invoice have no `invoice` field.
      const { invoice: _invoice, ...oldSession } = paidSubscriptionSession(ids, metadata);
      const { parent: _parent, ...modern } = paidInvoice(ids, {});
      const oldInvoice = { ...modern, billing_reason: "subscription_create", subscription: ids.subscription, subscription_details: { metadata } };
      const completed = makeEvent("checkout.session.completed", oldSession);
      const paid = makeEvent("invoice.paid", oldInvoice);
      for (const event of order === "completed first" ? [completed, paid] : [paid, completed]) expect((await deliver(event)).status, order).toBe(200);
      const rows = await donationsWhere("subscription_id", ids.subscription);
      expect(rows, order).toHaveLength(1);
      expect(rows[0], order).toMatchObject({ user_id: member.id, amount: 1000, frequency: "monthly", invoice_id: ids.invoice, note: "old api" });
      expect(await env.DB.prepare("SELECT count(*) AS n FROM subscriptions WHERE id = ?1").bind(ids.subscription).first(), order).toEqual({ n: 1 });
      // A later visit to the thank-you page (current API version: the session names its invoice) adds nothing.
      const current = { ...oldSession, invoice: ids.invoice } as unknown as Stripe.Checkout.Session;
      expect(await fulfilCheckoutSession(env.DB, current, now()), order).toBe(true);
      expect(await donationsWhere("subscription_id", ids.subscription), order).toMatchObject([{ invoice_id: ids.invoice, checkout_session_id: current.id }]);
    }
  });

  it("invoices that are not from a donation subscription, or for nothing, are ignored", async () => {
    const ids = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
    await deliver(makeEvent("invoice.paid", paidInvoice(ids, { plan: "something else" })));
    await deliver(makeEvent("invoice.paid", { ...paidInvoice({ ...ids, invoice: `in_${unique()}` }, { kind: "donation" }), amount_paid: 0 }));
    await deliver(makeEvent("invoice.paid", { ...paidInvoice({ ...ids, invoice: `in_${unique()}` }, { kind: "donation" }), parent: null }));
    expect(await donationsWhere("subscription_id", ids.subscription)).toHaveLength(0);
  });

  it("customer.subscription.deleted marks it canceled, and a late invoice.paid does not revive it", async () => {
    const { ids, metadata } = await scenario("completed first");
    const subscription = {
      id: ids.subscription, object: "subscription", status: "canceled", customer: ids.customer, currency: "gbp", created: T0, canceled_at: T0 + 100, ended_at: T0 + 100, metadata,
      items: { object: "list", data: [{ id: "si_1", quantity: 1, price: { id: "price_1", unit_amount: 1000, currency: "gbp" } }] },
    };
    expect((await deliver(makeEvent("customer.subscription.deleted", subscription))).status).toBe(200);
    await deliver(makeEvent("invoice.paid", paidInvoice(ids, metadata)));
    const row = await env.DB.prepare("SELECT status, canceled_at FROM subscriptions WHERE id = ?1").bind(ids.subscription).first();
    expect(row).toEqual({ status: "canceled", canceled_at: T0 + 100 });
  });

  it("customer.subscription.deleted as the first word about a subscription creates it canceled", async () => {
    const id = `sub_${unique()}`;
    const subscription = {
      id, object: "subscription", status: "canceled", customer: `cus_${unique()}`, currency: "gbp", created: T0, canceled_at: T0 + 5, ended_at: T0 + 5,
      metadata: { kind: "donation", user_id: "" }, items: { object: "list", data: [{ id: "si_2", quantity: 2, price: { id: "price_2", unit_amount: 500, currency: "gbp" } }] },
    };
    await deliver(makeEvent("customer.subscription.deleted", subscription));
    expect(await env.DB.prepare("SELECT status, amount FROM subscriptions WHERE id = ?1").bind(id).first()).toEqual({ status: "canceled", amount: 1000 });
  });
});

describe("failures answer 500 so Stripe retries, and nothing is half-written", () => {
  it("a D1 failure in the batch → 500, no donation, no event row; the redelivery records it once", async () => {
    const member = await makeMember();
    const ids = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
    const event = makeEvent("checkout.session.completed", paidSubscriptionSession(ids, { kind: "donation", frequency: "monthly", user_id: member.id, note: "" }));
    const failed = await deliver(event, { db: failingBatches(1) });
    expect(failed.status).toBe(500);
    expect(await donationsWhere("subscription_id", ids.subscription)).toHaveLength(0);
    expect(await env.DB.prepare("SELECT 1 FROM subscriptions WHERE id = ?1").bind(ids.subscription).first()).toBeNull();
    expect(await eventRecorded(event["id"] as string)).toBe(false);
    expect((await deliver(event)).status).toBe(200);
    expect((await deliver(event)).body.duplicate).toBe(true);
    expect(await donationsWhere("subscription_id", ids.subscription)).toHaveLength(1);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM subscriptions WHERE id = ?1").bind(ids.subscription).first()).toEqual({ n: 1 });
  });

  it("a statement failing inside the batch rolls back the others (D1 batches are atomic)", async () => {
    const session = paidPaymentSession();
    const event = makeEvent("checkout.session.completed", session);
    const result = await deliver(event, {
      handlers: {
        "checkout.session.completed": async () => [
          env.DB.prepare("INSERT INTO donations (id, amount, currency, frequency, status, checkout_session_id, created_at) VALUES ('half', 100, 'gbp', 'once', 'paid', ?1, 1)").bind(session["id"]),
          env.DB.prepare("INSERT INTO donations (id, amount, currency, frequency, status, created_at) VALUES ('bad', -1, 'gbp', 'once', 'paid', 1)"),
        ],
      },
    });
    expect(result.status).toBe(500);
    expect(await donationsWhere("checkout_session_id", session["id"] as string)).toHaveLength(0);
    expect(await eventRecorded(event["id"] as string)).toBe(false);
  });

  it("a handler that throws (here Stripe refuses the refund lookup) → 500 and the event is not marked", async () => {
    const event = makeEvent("charge.refunded", { id: `ch_${unique()}`, object: "charge", payment_intent: `pi_${unique()}`, refunded: true, amount: 500, amount_refunded: 500 });
    expect((await deliver(event, { stripe: testStripe("rk_refused_key") })).status).toBe(500);
    expect(await eventRecorded(event["id"] as string)).toBe(false);
  });
});

describe("refunds", () => {
  it("charge.refunded marks a one-off donation refunded (partial first, then full; a late partial changes nothing)", async () => {
    const session = paidPaymentSession();
    await deliver(makeEvent("checkout.session.completed", session));
    const charge = { id: `ch_${unique()}`, object: "charge", payment_intent: session["payment_intent"], amount: 1250, refunded: false, amount_refunded: 250 };
    await deliver(makeEvent("charge.refunded", charge));
    expect((await donationsWhere("checkout_session_id", session["id"] as string))[0]).toMatchObject({ status: "partially_refunded", amount_refunded: 250 });
    await deliver(makeEvent("charge.refunded", { ...charge, refunded: true, amount_refunded: 1250 }));
    await deliver(makeEvent("charge.refunded", charge));
    const [row] = await donationsWhere("checkout_session_id", session["id"] as string);
    expect(row).toMatchObject({ status: "refunded", amount_refunded: 1250 });
    expect(row?.refunded_at).toBeGreaterThan(0);
  });

  it("charge.refunded finds a monthly donation through the invoice its PaymentIntent paid", async () => {
    const ids = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
    await deliver(makeEvent("invoice.paid", paidInvoice(ids, { kind: "donation", user_id: "" })));
    const paymentIntent = `pi_${unique()}`;
    await registerInvoicePayment(ids.invoice, paymentIntent);
    const result = await deliver(makeEvent("charge.refunded", { id: `ch_${unique()}`, object: "charge", payment_intent: paymentIntent, amount: 1000, refunded: true, amount_refunded: 1000 }));
    expect(result.status).toBe(200);
    expect((await donationsWhere("invoice_id", ids.invoice))[0]).toMatchObject({ status: "refunded", amount_refunded: 1000, payment_intent_id: paymentIntent });
  });

  it("a refund that arrives before its payment is recorded is applied when the payment is: refunded either way", async () => {
    const refundOf = (session: Record<string, unknown>, amountRefunded: number) => ({
      id: `ch_${unique()}`, object: "charge", payment_intent: session["payment_intent"], amount: 1250, refunded: amountRefunded === 1250, amount_refunded: amountRefunded,
    });
    const early = paidPaymentSession();
    expect((await deliver(makeEvent("charge.refunded", refundOf(early, 1250)))).status).toBe(200);
    expect((await deliver(makeEvent("checkout.session.completed", early))).status).toBe(200);
    const usual = paidPaymentSession();
    await deliver(makeEvent("checkout.session.completed", usual));
    await deliver(makeEvent("charge.refunded", refundOf(usual, 1250)));
    const [earlyRow] = await donationsWhere("checkout_session_id", early["id"] as string);
    const [usualRow] = await donationsWhere("checkout_session_id", usual["id"] as string);
    expect(earlyRow).toMatchObject({ status: "refunded", amount_refunded: 1250, payment_intent_id: early["payment_intent"] });
    expect(earlyRow?.refunded_at).toBeGreaterThan(0);
    expect({ ...comparable(earlyRow!), checkout_session_id: null, payment_intent_id: null, refunded_at: null })
      .toEqual({ ...comparable(usualRow!), checkout_session_id: null, payment_intent_id: null, refunded_at: null });

    // A partial refund first, then the payment through the thank-you page, then the rest of the refund.
    const partial = paidPaymentSession();
    await deliver(makeEvent("charge.refunded", refundOf(partial, 250)));
    expect(await fulfilCheckoutSession(env.DB, partial as unknown as Stripe.Checkout.Session, now())).toBe(true);
    expect((await donationsWhere("checkout_session_id", partial["id"] as string))[0]).toMatchObject({ status: "partially_refunded", amount_refunded: 250 });
    await deliver(makeEvent("charge.refunded", refundOf(partial, 1250)));
    expect((await donationsWhere("checkout_session_id", partial["id"] as string))[0]).toMatchObject({ status: "refunded", amount_refunded: 1250 });
  });

  it("a monthly donation's refund that arrives before its invoice.paid is applied when the invoice is recorded", async () => {
    const ids = { subscription: `sub_${unique()}`, invoice: `in_${unique()}`, customer: `cus_${unique()}` };
    const paymentIntent = `pi_${unique()}`;
    await registerInvoicePayment(ids.invoice, paymentIntent);
    const refund = makeEvent("charge.refunded", { id: `ch_${unique()}`, object: "charge", payment_intent: paymentIntent, amount: 1000, refunded: true, amount_refunded: 1000 });
    expect((await deliver(refund)).status).toBe(200);
    expect(await eventRecorded(refund["id"] as string)).toBe(true);
    expect((await deliver(makeEvent("invoice.paid", paidInvoice(ids, { kind: "donation", user_id: "" })))).status).toBe(200);
    expect((await donationsWhere("invoice_id", ids.invoice))[0]).toMatchObject({ status: "refunded", amount_refunded: 1000, payment_intent_id: paymentIntent });
  });

  it("a refund for a payment that is not a donation → 200, nothing changes", async () => {
    const result = await deliver(makeEvent("charge.refunded", { id: `ch_${unique()}`, object: "charge", payment_intent: `pi_${unique()}`, amount: 100, refunded: true, amount_refunded: 100 }));
    expect(result.status).toBe(200);
  });
});
