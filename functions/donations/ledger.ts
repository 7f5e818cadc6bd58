// The donations ledger in D1: turns what Stripe reports (a paid Checkout Session, a paid subscription invoice,
// a canceled subscription, a refunded charge) into prepared statements that are safe to run any number of
// times in any order. Callers run them in one db.batch() (the webhook adds its stripe_events row to the same
// batch). The thank-you page and the webhook share recordCheckoutSessionStatements, so either order records
// one donation; refunds are kept in stripe_refunds and applied by both the refund and the payment, so either
// order ends refunded. See README.md in this folder for the rules.
import type Stripe from "stripe";
import { logger } from "@functions/log";

const log = logger("donations");

/** A payment to record, in the ledger's own terms. */
export interface LedgerPayment {
  userId: string | null;
  email: string | null;
  amount: number;
  currency: string;
  frequency: "once" | "monthly";
  note: string | null;
  checkoutSessionId: string | null;
  invoiceId: string | null;
  paymentIntentId: string | null;
  subscriptionId: string | null;
  customerId: string | null;
  createdAt: number;
}

/** A monthly donation (Stripe subscription) to record. */
export interface LedgerSubscription {
  id: string;
  userId: string | null;
  email: string | null;
  customerId: string;
  amount: number;
  currency: string;
  createdAt: number;
}

/** The id of an expandable Stripe field (a string, an object with an id, or null). */
export function stripeId(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : value.id;
}

/** Empty strings and missing values become null. */
function nonEmpty(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === "" ? null : value;
}

/** True when Stripe metadata marks an object as one of this site's donations. */
export function isDonationMetadata(metadata: Stripe.Metadata | null | undefined): boolean {
  return metadata?.["kind"] === "donation";
}

/**
 * The member link and email of a new donation or subscription row, as SQL over ?2 (the metadata's user_id, '' for
 * a guest) and ?3 (the email Stripe reports). The link is kept only if the member still exists (a deleted account
 * never fails the batch on its foreign key). A member who deleted their account keeps no email either: their
 * monthly donation goes on charging, and each invoice would otherwise bring the address back.
 */
const MEMBER_AND_EMAIL_SQL = "(SELECT id FROM users WHERE id = ?2), CASE WHEN ?2 <> '' AND NOT EXISTS (SELECT 1 FROM users WHERE id = ?2) THEN NULL ELSE ?3 END";

/**
 * A second write's customer id, filled in only while the row still names someone: a row with neither member nor
 * email has been erased by an account deletion (or never had anyone), and its customer is deleted at Stripe.
 */
const FILL_CUSTOMER_SQL =
  "CASE WHEN donations.user_id IS NULL AND donations.email IS NULL THEN donations.customer_id ELSE coalesce(donations.customer_id, excluded.customer_id) END";

/**
 * The statements that record a payment once, then apply any refund Stripe reported before it (stripe_refunds).
 * A second write for the same checkout session or invoice (from the other path, a redelivery or the other event)
 * only fills in ids that were missing: amount and status never change, and neither does anything a member's
 * account deletion has cleared.
 */
export function recordPaymentStatements(db: D1Database, payment: LedgerPayment): D1PreparedStatement[] {
  const record = db
    .prepare(
      `INSERT INTO donations (id, user_id, email, amount, currency, frequency, status, note, checkout_session_id,
         invoice_id, payment_intent_id, subscription_id, customer_id, created_at)
       SELECT ?1, ${MEMBER_AND_EMAIL_SQL}, ?4, ?5, ?6, 'paid', ?7, ?8, ?9, ?10, ?11, ?12, ?13 WHERE true
       ON CONFLICT (invoice_id) DO UPDATE SET
         checkout_session_id = coalesce(donations.checkout_session_id, excluded.checkout_session_id),
         payment_intent_id = coalesce(donations.payment_intent_id, excluded.payment_intent_id),
         subscription_id = coalesce(donations.subscription_id, excluded.subscription_id),
         customer_id = ${FILL_CUSTOMER_SQL}
       ON CONFLICT (checkout_session_id) DO UPDATE SET
         invoice_id = coalesce(donations.invoice_id, excluded.invoice_id),
         payment_intent_id = coalesce(donations.payment_intent_id, excluded.payment_intent_id),
         subscription_id = coalesce(donations.subscription_id, excluded.subscription_id),
         customer_id = ${FILL_CUSTOMER_SQL}`,
    )
    .bind(
      crypto.randomUUID(), payment.userId ?? "", payment.email, payment.amount, payment.currency.toLowerCase(), payment.frequency,
      payment.note, payment.checkoutSessionId, payment.invoiceId, payment.paymentIntentId, payment.subscriptionId, payment.customerId,
      payment.createdAt,
    );
  return [record, applyRefundsStatement(db, { paymentIntentId: payment.paymentIntentId, invoiceId: payment.invoiceId })];
}

/** The statement that records a monthly donation as active once; a later write never revives a canceled one. */
export function recordSubscriptionStatement(db: D1Database, subscription: LedgerSubscription): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO subscriptions (id, user_id, email, customer_id, amount, currency, status, created_at)
       SELECT ?1, ${MEMBER_AND_EMAIL_SQL}, ?4, ?5, ?6, 'active', ?7 WHERE true
       ON CONFLICT (id) DO NOTHING`,
    )
    .bind(subscription.id, subscription.userId ?? "", subscription.email, subscription.customerId, subscription.amount, subscription.currency.toLowerCase(), subscription.createdAt);
}

/** The payment a Checkout Session stands for, or null when there is nothing (yet) to record. */
export function paymentFromCheckoutSession(session: Stripe.Checkout.Session, now: number): LedgerPayment | null {
  if (session.payment_status !== "paid") return null;
  if (!isDonationMetadata(session.metadata)) return null;
  if (session.amount_total === null || session.amount_total <= 0 || session.currency === null) return null;
  const monthly = session.mode === "subscription";
  return {
    userId: nonEmpty(session.metadata?.["user_id"]) ?? nonEmpty(session.client_reference_id),
    email: nonEmpty(session.customer_details?.email) ?? nonEmpty(session.customer_email),
    amount: session.amount_total,
    currency: session.currency,
    frequency: monthly ? "monthly" : "once",
    note: nonEmpty(session.metadata?.["note"]),
    checkoutSessionId: session.id,
    invoiceId: monthly ? stripeId(session.invoice) : null,
    paymentIntentId: stripeId(session.payment_intent),
    subscriptionId: stripeId(session.subscription),
    customerId: stripeId(session.customer),
    createdAt: now,
  };
}

/**
 * The one fulfilment rule for a Checkout Session, shared by the webhook and the thank-you page: nothing unless it
 * is a paid donation; otherwise the donation (and, for a monthly one, its subscription) as idempotent upserts.
 * A monthly donation's first payment is its first invoice, keyed by the invoice id on both paths. A session
 * rendered at an older API version does not name that invoice; recording a payment from it would count the first
 * month twice (invoice.paid records it too), so then only the subscription is recorded here.
 */
export function recordCheckoutSessionStatements(db: D1Database, session: Stripe.Checkout.Session, now: number): D1PreparedStatement[] {
  const payment = paymentFromCheckoutSession(session, now);
  if (payment === null) return [];
  const statements = payment.frequency === "once" || payment.invoiceId !== null ? recordPaymentStatements(db, payment) : [];
  if (payment.frequency === "monthly" && payment.subscriptionId !== null && payment.customerId !== null) {
    statements.push(
      recordSubscriptionStatement(db, {
        id: payment.subscriptionId, userId: payment.userId, email: payment.email, customerId: payment.customerId,
        amount: payment.amount, currency: payment.currency, createdAt: now,
      }),
    );
  }
  return statements;
}

/** Records a Checkout Session's donation now (the thank-you page's path); true when it is a paid donation. */
export async function fulfilCheckoutSession(db: D1Database, session: Stripe.Checkout.Session, now: number): Promise<boolean> {
  const statements = recordCheckoutSessionStatements(db, session, now);
  if (statements.length === 0) return false;
  await db.batch(statements);
  log.info("donation.recorded", { via: "thanks", sessionId: session.id });
  return true;
}

/** Where invoices sent under API versions before 2025-03-31 carried their subscription (top level). */
interface LegacyInvoiceFields {
  subscription?: string | { id: string } | null;
  subscription_details?: { metadata: Stripe.Metadata | null } | null;
}

/**
 * The subscription that generated an invoice, with its metadata, or null for invoices of anything else.
 * Current API versions put it under `parent.subscription_details`; a webhook endpoint left on an older API
 * version still sends the top-level fields, which are read too so no payment is lost to a version mismatch.
 */
export function invoiceSubscription(invoice: Stripe.Invoice): { id: string; metadata: Stripe.Metadata | null } | null {
  const details = invoice.parent?.subscription_details ?? null;
  if (details !== null) {
    const id = stripeId(details.subscription);
    return id === null ? null : { id, metadata: details.metadata };
  }
  const legacy = invoice as unknown as LegacyInvoiceFields;
  const legacyId = stripeId(legacy.subscription);
  return legacyId === null ? null : { id: legacyId, metadata: legacy.subscription_details?.metadata ?? null };
}

/** The PaymentIntent that paid an invoice, when the payload includes `payments` (it is not there by default). */
export function invoicePaymentIntent(invoice: Stripe.Invoice): string | null {
  for (const payment of invoice.payments?.data ?? []) {
    if (payment.payment.type === "payment_intent") return stripeId(payment.payment.payment_intent);
  }
  return null;
}

/** Statements for a paid invoice of a monthly donation: one donation per invoice, and the subscription if new. */
export function recordInvoiceStatements(db: D1Database, invoice: Stripe.Invoice, now: number): D1PreparedStatement[] {
  const subscription = invoiceSubscription(invoice);
  if (subscription === null || !isDonationMetadata(subscription.metadata)) return [];
  if (invoice.amount_paid <= 0) return [];
  const customerId = stripeId(invoice.customer);
  const userId = nonEmpty(subscription.metadata?.["user_id"]);
  const email = nonEmpty(invoice.customer_email);
  const paidAt = invoice.status_transitions.paid_at ?? now;
  const statements = recordPaymentStatements(db, {
    userId, email, amount: invoice.amount_paid, currency: invoice.currency, frequency: "monthly",
    note: nonEmpty(subscription.metadata?.["note"]), checkoutSessionId: null, invoiceId: invoice.id,
    paymentIntentId: invoicePaymentIntent(invoice), subscriptionId: subscription.id, customerId, createdAt: paidAt,
  });
  if (customerId !== null) {
    statements.push(recordSubscriptionStatement(db, { id: subscription.id, userId, email, customerId, amount: invoice.amount_paid, currency: invoice.currency, createdAt: paidAt }));
  }
  return statements;
}

/** The monthly amount of a subscription (first item's unit amount × quantity), or 0 when it cannot be told. */
function subscriptionAmount(subscription: Stripe.Subscription): number {
  const item = subscription.items.data[0];
  if (item === undefined) return 0;
  return (item.price.unit_amount ?? 0) * (item.quantity ?? 1);
}

/** Statements that mark a monthly donation canceled (creating its row if this is the first we hear of it). */
export function cancelSubscriptionStatements(db: D1Database, subscription: Stripe.Subscription, now: number): D1PreparedStatement[] {
  const canceledAt = subscription.ended_at ?? subscription.canceled_at ?? now;
  const amount = subscriptionAmount(subscription);
  const customerId = stripeId(subscription.customer);
  if (isDonationMetadata(subscription.metadata) && amount > 0 && customerId !== null) {
    return [
      db
        .prepare(
          `INSERT INTO subscriptions (id, user_id, email, customer_id, amount, currency, status, created_at, canceled_at)
           SELECT ?1, (SELECT id FROM users WHERE id = ?2), NULL, ?3, ?4, ?5, 'canceled', ?6, ?7 WHERE true
           ON CONFLICT (id) DO UPDATE SET status = 'canceled', canceled_at = coalesce(subscriptions.canceled_at, excluded.canceled_at)`,
        )
        .bind(subscription.id, nonEmpty(subscription.metadata["user_id"]) ?? "", customerId, amount, subscription.currency.toLowerCase(), subscription.created, canceledAt),
    ];
  }
  return [
    db.prepare("UPDATE subscriptions SET status = 'canceled', canceled_at = coalesce(canceled_at, ?2) WHERE id = ?1").bind(subscription.id, canceledAt),
  ];
}

/** Which donation a refunded charge belongs to: by its PaymentIntent, or by the invoice that PaymentIntent paid. */
export type RefundTarget = { paymentIntentId: string; invoiceId: string | null };

/**
 * The statement that brings the donation paid by `paymentIntentId` or for `invoiceId` in line with the refunds in
 * stripe_refunds. Both a refund and a payment run it after their own write, so the donation ends the same whichever
 * Stripe reported first. Totals only grow: a late, older event never turns a full refund back into a partial one.
 */
function applyRefundsStatement(db: D1Database, payment: { paymentIntentId: string | null; invoiceId: string | null }): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE donations SET
         status = CASE WHEN r.fully_refunded = 1 OR max(donations.amount_refunded, r.amount_refunded) >= donations.amount
                  THEN 'refunded' ELSE 'partially_refunded' END,
         amount_refunded = max(donations.amount_refunded, r.amount_refunded),
         refunded_at = coalesce(donations.refunded_at, r.refunded_at),
         payment_intent_id = coalesce(donations.payment_intent_id, r.payment_intent_id)
       FROM stripe_refunds AS r
       WHERE (r.payment_intent_id = ?1 OR r.invoice_id = ?2)
         AND (donations.payment_intent_id = r.payment_intent_id OR donations.invoice_id = r.invoice_id)`,
    )
    .bind(payment.paymentIntentId, payment.invoiceId);
}

/**
 * The statements for a refunded charge: keep Stripe's running total for its PaymentIntent (the larger total wins),
 * then apply it to the donation. If the payment is not recorded yet, the refund waits and recording it applies it.
 */
export function recordRefundStatements(db: D1Database, target: RefundTarget, charge: Stripe.Charge, now: number): D1PreparedStatement[] {
  const keep = db
    .prepare(
      `INSERT INTO stripe_refunds (payment_intent_id, invoice_id, amount_refunded, fully_refunded, refunded_at)
       VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (payment_intent_id) DO UPDATE SET
         invoice_id = coalesce(stripe_refunds.invoice_id, excluded.invoice_id),
         amount_refunded = max(stripe_refunds.amount_refunded, excluded.amount_refunded),
         fully_refunded = max(stripe_refunds.fully_refunded, excluded.fully_refunded)`,
    )
    .bind(target.paymentIntentId, target.invoiceId, charge.amount_refunded, charge.refunded ? 1 : 0, now);
  return [keep, applyRefundsStatement(db, target)];
}

/** True when a donation paid by this PaymentIntent is already in the ledger. */
export async function hasDonationForPaymentIntent(db: D1Database, paymentIntentId: string): Promise<boolean> {
  return (await db.prepare("SELECT 1 AS found FROM donations WHERE payment_intent_id = ?1 LIMIT 1").bind(paymentIntentId).first()) !== null;
}
