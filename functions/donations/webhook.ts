// The Stripe webhook controller, in the style of Ghost's Stripe services: verify the signature on the raw body,
// dispatch through a map keyed by event type, answer 200 to types we do not handle, and 500 when a handler or
// D1 fails so that Stripe delivers the event again. Each handler returns prepared statements; they run in one
// db.batch() together with the stripe_events row, so an event is marked processed exactly when its effects are
// written. Used by src/pages/api/stripe/webhook.ts. Rules: README.md in this folder.
import type Stripe from "stripe";
import { readBodyWithin } from "@functions/http/request-body";
import { errorFields, webhookCryptoProvider } from "./stripe-client";
import {
  cancelSubscriptionStatements, hasDonationForPaymentIntent, recordCheckoutSessionStatements, recordInvoiceStatements,
  recordRefundStatements, stripeId,
} from "./ledger";
import { logger } from "@functions/log";

const log = logger("donations");

/** How old a signed delivery may be (seconds); Stripe's default, against replayed requests. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
/** Webhook bodies larger than this are refused (413) before verification; Stripe's events are a few KB. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface HandlerContext {
  db: D1Database;
  stripe: Stripe;
  now: number;
}

/** A handler returns the statements that apply an event; an empty list means "nothing to write". */
export type EventHandler = (event: Stripe.Event, context: HandlerContext) => Promise<D1PreparedStatement[]>;

/** Handlers keyed by event type. Types not listed are acknowledged and ignored. */
export const EVENT_HANDLERS: Partial<Record<Stripe.Event["type"], EventHandler>> = {
  "checkout.session.completed": async (event, { db, now }) => {
    const session = event.data.object as Stripe.Checkout.Session;
    if (session.payment_status !== "paid") log.info("checkout.awaiting_payment", { sessionId: session.id, paymentStatus: session.payment_status });
    return recordCheckoutSessionStatements(db, session, now);
  },
  "checkout.session.async_payment_succeeded": async (event, { db, now }) => recordCheckoutSessionStatements(db, event.data.object as Stripe.Checkout.Session, now),
  "checkout.session.async_payment_failed": async (event) => {
    log.warn("checkout.async_payment_failed", { sessionId: (event.data.object as Stripe.Checkout.Session).id });
    return [];
  },
  "invoice.paid": async (event, { db, now }) => recordInvoiceStatements(db, event.data.object as Stripe.Invoice, now),
  "customer.subscription.deleted": async (event, { db, now }) => cancelSubscriptionStatements(db, event.data.object as Stripe.Subscription, now),
  "charge.refunded": async (event, { db, stripe, now }) => {
    const charge = event.data.object as Stripe.Charge;
    const paymentIntentId = stripeId(charge.payment_intent);
    if (paymentIntentId === null) {
      log.warn("refund.unmatched", { chargeId: charge.id, reason: "no payment intent" });
      return [];
    }
    if (await hasDonationForPaymentIntent(db, paymentIntentId)) return recordRefundStatements(db, { paymentIntentId, invoiceId: null }, charge, now);
    // Monthly donations are recorded from invoices, whose payloads do not carry the PaymentIntent: ask Stripe.
    const payments = await stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: paymentIntentId }, limit: 1 });
    const invoiceId = stripeId(payments.data[0]?.invoice as string | { id: string } | undefined);
    // Neither a donation by this PaymentIntent nor an invoice it paid: the refund waits for its payment's record.
    if (invoiceId === null) log.info("refund.waiting", { chargeId: charge.id, reason: "no donation for this payment yet" });
    return recordRefundStatements(db, { paymentIntentId, invoiceId }, charge, now);
  },
};

/** The statement that marks an event processed (harmless if a concurrent delivery already did). */
function markEventStatement(db: D1Database, event: Stripe.Event, now: number): D1PreparedStatement {
  return db.prepare("INSERT INTO stripe_events (id, type, processed_at) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING").bind(event.id, event.type, now);
}

export interface WebhookRequest {
  db: D1Database;
  stripe: Stripe;
  /** STRIPE_WEBHOOK_SECRET; undefined or empty refuses every delivery. */
  secret: string | undefined;
  /** The raw body exactly as received. */
  payload: string;
  /** The Stripe-Signature header. */
  signature: string | null;
  now: number;
  /** Overrides the event table (tests inject failing handlers). */
  handlers?: Partial<Record<string, EventHandler>>;
}

export interface WebhookResponse {
  status: 200 | 400 | 413 | 500 | 503;
  body: { received: boolean; duplicate?: boolean; ignored?: boolean; error?: string };
}

/** Verifies, deduplicates and applies one webhook delivery; the status is what Stripe should be told. */
export async function handleStripeWebhook(request: WebhookRequest): Promise<WebhookResponse> {
  const { db, stripe, now } = request;
  if (!request.secret) {
    log.error("webhook.not_configured", { message: "STRIPE_WEBHOOK_SECRET is not set: refusing all webhook deliveries (README: Donations)." });
    return { status: 503, body: { received: false, error: "webhooks are not configured" } };
  }
  if (request.signature === null || request.signature === "") {
    log.warn("webhook.rejected", { reason: "missing signature" });
    return { status: 400, body: { received: false, error: "missing Stripe-Signature header" } };
  }
  let event: Stripe.Event;
  try {
    event = await stripe.webhooks.constructEventAsync(request.payload, request.signature, request.secret, WEBHOOK_TOLERANCE_SECONDS, webhookCryptoProvider, now * 1000);
  } catch (error) {
    log.warn("webhook.rejected", { reason: error instanceof Error ? (error.message.split("\n")[0] ?? "").slice(0, 200) : "invalid signature" });
    return { status: 400, body: { received: false, error: "signature verification failed" } };
  }

  const handler = (request.handlers ?? EVENT_HANDLERS)[event.type];
  if (handler === undefined) return { status: 200, body: { received: true, ignored: true } };

  try {
    const seen = await db.prepare("SELECT 1 AS seen FROM stripe_events WHERE id = ?1").bind(event.id).first();
    if (seen !== null) {
      log.info("webhook.duplicate", { eventId: event.id, eventType: event.type });
      return { status: 200, body: { received: true, duplicate: true } };
    }
    const statements = await handler(event, { db, stripe, now });
    await db.batch([...statements, markEventStatement(db, event, now)]);
    log.info("webhook.processed", { eventId: event.id, eventType: event.type, writes: statements.length });
    return { status: 200, body: { received: true } };
  } catch (error) {
    log.error("webhook.failed", { eventId: event.id, eventType: event.type, ...errorFields(error) });
    return { status: 500, body: { received: false, error: "processing failed; Stripe will retry" } };
  }
}

/**
 * Reads one delivery off the wire and handles it: the body is streamed with a cap of MAX_WEBHOOK_BYTES whatever
 * Content-Length says (or whether there is one), so a huge or endless upload is refused with 413 after at most
 * that much, and nothing is verified or written.
 */
export async function receiveStripeWebhook(request: Request, context: Omit<WebhookRequest, "payload" | "signature">): Promise<WebhookResponse> {
  const body = await readBodyWithin(request, MAX_WEBHOOK_BYTES);
  if (body === null) {
    log.warn("webhook.rejected", { reason: "body too large" });
    return { status: 413, body: { received: false, error: "body too large" } };
  }
  return handleStripeWebhook({ ...context, payload: new TextDecoder().decode(body), signature: request.headers.get("Stripe-Signature") });
}
