// Shared helpers for the donation worker tests: the real stripe SDK pointed at the stand-in, signed webhook
// deliveries (generateTestHeaderStringAsync), Stripe-shaped objects, members, and ledger read-backs. The clock and
// the helpers every worker test shares are in support.ts.
import { env } from "cloudflare:workers";
import Stripe from "stripe";
import { createStripeClient, webhookCryptoProvider } from "@functions/donations/stripe-client";
import { handleStripeWebhook, type EventHandler, type WebhookResponse } from "@functions/donations/webhook";
import { hashPassword } from "@functions/auth/passwords";
import { inject } from "vitest";
import { recordedRequests, type RecordedRequest } from "@tests/support/stripe-stand-in-client";
import { T0, insertUser } from "./support";

/** The stand-in that tests/worker/stand-ins.setup.ts started for this run. */
export const STAND_IN = inject("stripeStandIn");
export const WEBHOOK_SECRET = "whsec_worker_tests_only";

/** The real time in Unix seconds: Stripe signatures are checked against it (a tolerance of minutes), not against T0. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The real SDK, talking to the stand-in. */
export function testStripe(key = "sk_test_worker_tests"): Stripe {
  return createStripeClient(key, STAND_IN);
}

/** Every API request the stand-in has received (all test files share it: filter by something unique). */
export function standInRequests(): Promise<RecordedRequest[]> {
  return recordedRequests(STAND_IN);
}

/** Makes the stand-in take `ms` longer to create Checkout Sessions whose body contains `match`. */
export async function slowCreationsAtStandIn(match: string, ms: number): Promise<void> {
  await fetch(`${STAND_IN}/__slow_creations`, { method: "POST", body: JSON.stringify({ match, ms }) });
}

/** Marks a stand-in Checkout Session paid and returns it as Stripe would. */
export async function payAtStandIn(sessionId: string, paymentStatus: "paid" | "unpaid" = "paid"): Promise<Stripe.Checkout.Session> {
  const response = await fetch(`${STAND_IN}/__sessions/${sessionId}/pay`, { method: "POST", body: JSON.stringify({ payment_status: paymentStatus }) });
  return (await response.json()) as Stripe.Checkout.Session;
}

/** Tells the stand-in which invoice a PaymentIntent paid (for refunds of monthly donations). */
export async function registerInvoicePayment(invoice: string, paymentIntent: string): Promise<void> {
  await fetch(`${STAND_IN}/__invoice_payments`, { method: "POST", body: JSON.stringify({ invoice, payment_intent: paymentIntent }) });
}

/** A unique suffix for ids in one test. */
export function unique(): string {
  return crypto.randomUUID().replace(/-/g, "").slice(0, 20);
}

/** A member in D1; with `password`, one that can sign in or delete their account (a cheap scrypt hash). */
export async function makeMember(password?: string): Promise<{ id: string; email: string }> {
  return insertUser(password === undefined ? {} : { passwordHash: await hashPassword(password, { ln: 10, r: 8, p: 1 }) });
}

/** A Stripe event envelope around `object`. */
export function makeEvent(type: string, object: unknown, id = `evt_${unique()}`): Record<string, unknown> {
  return { id, object: "event", api_version: "2026-01-01", created: T0, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object } };
}

/** The body and Stripe-Signature header Stripe would send for `event`. */
export async function signEvent(event: unknown, options: { secret?: string; timestamp?: number } = {}): Promise<{ payload: string; signature: string }> {
  const payload = JSON.stringify(event);
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({
    payload, secret: options.secret ?? WEBHOOK_SECRET, timestamp: options.timestamp ?? nowSeconds(), cryptoProvider: webhookCryptoProvider,
  });
  return { payload, signature };
}

/** Signs and delivers an event to the webhook controller, as the endpoint does. */
export async function deliver(
  event: unknown,
  options: { db?: D1Database; stripe?: Stripe; handlers?: Partial<Record<string, EventHandler>>; now?: number } = {},
): Promise<WebhookResponse> {
  const { payload, signature } = await signEvent(event);
  return handleStripeWebhook({
    db: options.db ?? env.DB, stripe: options.stripe ?? testStripe(), secret: WEBHOOK_SECRET, payload, signature,
    now: options.now ?? nowSeconds(), ...(options.handlers ? { handlers: options.handlers } : {}),
  });
}

/** A paid one-off donation's Checkout Session, as Stripe sends it. */
export function paidPaymentSession(overrides: Partial<Record<string, unknown>> = {}): Record<string, unknown> {
  const id = `cs_test_${unique()}`;
  return {
    id, object: "checkout.session", mode: "payment", status: "complete", payment_status: "paid", amount_total: 1250, currency: "gbp",
    client_reference_id: null, customer_email: null, customer_details: { email: "donor@example.org" }, customer: null,
    metadata: { kind: "donation", frequency: "once", user_id: "", note: "For the wards" }, subscription: null, invoice: null,
    payment_intent: `pi_${unique()}`, created: T0, ...overrides,
  };
}

/** A paid monthly donation's Checkout Session (its first invoice already paid), as Stripe sends it. */
export function paidSubscriptionSession(ids: { subscription: string; invoice: string; customer: string }, metadata: Record<string, string>, amount = 1000): Record<string, unknown> {
  return {
    id: `cs_test_${unique()}`, object: "checkout.session", mode: "subscription", status: "complete", payment_status: "paid",
    amount_total: amount, currency: "gbp", client_reference_id: metadata["user_id"] || null, customer_email: null,
    customer_details: { email: "monthly@example.org" }, customer: ids.customer, metadata, subscription: ids.subscription,
    invoice: ids.invoice, payment_intent: null, created: T0,
  };
}

/** A paid invoice of a monthly donation, with the subscription under parent.subscription_details (API 2025+). */
export function paidInvoice(ids: { subscription: string; invoice: string; customer: string }, metadata: Record<string, string>, amount = 1000, paidAt = T0): Record<string, unknown> {
  return {
    id: ids.invoice, object: "invoice", amount_paid: amount, amount_due: amount, currency: "gbp", customer: ids.customer,
    customer_email: "monthly@example.org", status: "paid", billing_reason: "subscription_cycle",
    status_transitions: { paid_at: paidAt, finalized_at: paidAt, marked_uncollectible_at: null, voided_at: null },
    parent: { type: "subscription_details", quote_details: null, subscription_details: { subscription: ids.subscription, metadata } },
  };
}

export interface DonationRow {
  id: string; user_id: string | null; email: string | null; amount: number; currency: string; frequency: string; status: string;
  amount_refunded: number; note: string | null; checkout_session_id: string | null; invoice_id: string | null;
  payment_intent_id: string | null; subscription_id: string | null; customer_id: string | null; created_at: number; refunded_at: number | null;
}

/** Donations matching a column value. */
export async function donationsWhere(column: "checkout_session_id" | "invoice_id" | "subscription_id" | "payment_intent_id" | "user_id", value: string): Promise<DonationRow[]> {
  return (await env.DB.prepare(`SELECT * FROM donations WHERE ${column} = ?1 ORDER BY created_at, invoice_id`).bind(value).all<DonationRow>()).results;
}

/** True when the event id is in stripe_events. */
export async function eventRecorded(eventId: string): Promise<boolean> {
  return (await env.DB.prepare("SELECT 1 FROM stripe_events WHERE id = ?1").bind(eventId).first()) !== null;
}
