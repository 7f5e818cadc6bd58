// The donation ledger (functions/donations/ledger.ts) fed through the webhook controller against a real local D1:
// a monthly donation's first invoice counted once whichever event comes first, later months, cancellations, and
// refunds matched to their payment in either order.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fulfilCheckoutSession } from "@functions/donations/ledger";
import type Stripe from "stripe";
import {
  deliver, donationsWhere, eventRecorded, makeEvent, makeMember, nowSeconds, paidInvoice, paidPaymentSession,
  paidSubscriptionSession, registerInvoicePayment, unique, type DonationRow,
} from "./donations-support";
import { T0 } from "./support";

/** A donation row without the fields that depend on which write came first. */
function comparable(row: DonationRow): Omit<DonationRow, "id" | "created_at"> {
  const { id: _id, created_at: _created, ...rest } = row;
  return rest;
}

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
      expect(await fulfilCheckoutSession(env.DB, current, nowSeconds()), order).toBe(true);
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
    expect(await fulfilCheckoutSession(env.DB, partial as unknown as Stripe.Checkout.Session, nowSeconds())).toBe(true);
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
