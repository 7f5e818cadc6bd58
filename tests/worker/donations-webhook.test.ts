// The webhook controller (functions/donations/webhook.ts) against a real local D1: signatures (nothing unsigned is
// trusted), dispatch by event type, idempotency under repetition and concurrency, and failures answering 500 with
// nothing half-written. How the ledger orders monthly invoices and applies refunds is in donations-ledger.test.ts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { handleStripeWebhook } from "@functions/donations/webhook";
import { fulfilCheckoutSession } from "@functions/donations/ledger";
import { deleteAccount } from "@functions/auth/account-data";
import { retrieveCheckoutSession, submitDonation } from "@functions/donations/checkout";
import { DEFAULT_SETTINGS } from "@functions/donations/config";
import { generateFormNonce } from "@functions/donations/donation-form";
import type Stripe from "stripe";
import {
  WEBHOOK_SECRET, deliver, donationsWhere, eventRecorded, makeEvent, makeMember, nowSeconds, paidInvoice, paidPaymentSession,
  paidSubscriptionSession, payAtStandIn, signEvent, testStripe, unique,
} from "./donations-support";
import { T0 } from "./support";

/** Delivers a raw payload/signature pair (for tampering tests). */
function deliverRaw(payload: string, signature: string | null, options: { secret: string | undefined } = { secret: WEBHOOK_SECRET }) {
  return handleStripeWebhook({ db: env.DB, stripe: testStripe(), secret: options.secret, payload, signature, now: nowSeconds() });
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
    ["a timestamp older than the 300 s tolerance", async (payload) => [payload, (await signEvent(JSON.parse(payload), { timestamp: nowSeconds() - 301 })).signature]],
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
    const { payload, signature } = await signEvent(event, { timestamp: nowSeconds() - 290 });
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

    // Stripe is not reachable (no client): the customer's deletion, which would cancel the subscription, waits for
    // the cron, and meanwhile Stripe keeps charging and reports the payer's email.
    expect(await deleteAccount(env.DB, null, member.id, password, T0 + 1)).toEqual({ ok: true });
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
        expect(await fulfilCheckoutSession(env.DB, session, nowSeconds())).toBe(true);
        expect((await deliver(event)).status).toBe(200);
      } else {
        expect((await deliver(event)).status).toBe(200);
        expect(await fulfilCheckoutSession(env.DB, session, nowSeconds())).toBe(true);
      }
      expect(await fulfilCheckoutSession(env.DB, session, nowSeconds())).toBe(true);
      const rows = await donationsWhere("checkout_session_id", created.sessionId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ amount: 2500, user_id: member.id, email: member.email, status: "paid" });
    });
  }

  it("the thank-you page records nothing for an unpaid session", async () => {
    const session = paidPaymentSession({ payment_status: "unpaid" }) as unknown as Stripe.Checkout.Session;
    expect(await fulfilCheckoutSession(env.DB, session, nowSeconds())).toBe(false);
    expect(await donationsWhere("checkout_session_id", session.id)).toHaveLength(0);
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

