// Deleting a former member's Stripe customers through the API, so that Stripe no longer holds their email address
// with them. Deleting a customer also cancels its active subscriptions at once, so a deleted account's monthly
// donation stops. The customer ids wait in stripe_customer_deletions, written in the same batch that deletes the
// account (eraseMemberGivingStatements), so none is lost when Stripe cannot be reached or the Worker stops midway:
// deleteAccount tries at once, and the daily Cron Trigger (src/worker.ts) retries whatever is left until Stripe
// confirms. Stripe keeps its own records of the payments themselves (as financial law requires); those are not ours
// to delete.
import Stripe from "stripe";
import { errorFields } from "./stripe-client";
import { logger } from "@functions/log";

const log = logger("donations");

/**
 * How long one deletion call may take, and how often the SDK retries it: the member is waiting on the page, and a
 * failure costs nothing but a day (the cron retries), so this is short, unlike Checkout's STRIPE_NETWORK_RETRIES.
 */
const DELETION_REQUEST: Stripe.RequestOptions = { timeout: 5_000, maxNetworkRetries: 1 };

/** The most queued customers one cron run deletes (each is one subrequest). */
export const CUSTOMER_DELETIONS_PER_RUN = 40;

export interface CustomerDeletionReport {
  /** Customers Stripe confirmed deleted (or already gone). */
  deleted: number;
  /** Customers still queued for the next run. */
  pending: number;
}

/** True when Stripe says the customer does not exist: deleted already (an earlier try that did not hear back). */
function isAlreadyGone(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeError && error.statusCode === 404 && error.code === "resource_missing";
}

/** Deletes one customer at Stripe; false (and one error line, no email) when that failed. */
async function deleteCustomer(stripe: Stripe, customerId: string): Promise<boolean> {
  try {
    await stripe.customers.del(customerId, {}, DELETION_REQUEST);
    return true;
  } catch (error) {
    if (isAlreadyGone(error)) return true;
    log.error("stripe.customer_deletion.failed", { customerId, ...errorFields(error) });
    return false;
  }
}

/**
 * Deletes the queued customers `customerIds` at Stripe, then in one batch takes the deleted ones off the queue (and
 * off any donation recorded for them since, e.g. a payment taken while the deletion waited) and counts a failed
 * attempt on the rest. Never throws: what failed stays queued, logged, for the next cron run.
 */
export async function deleteStripeCustomers(db: D1Database, stripe: Stripe | null, customerIds: string[], now: number): Promise<CustomerDeletionReport> {
  if (customerIds.length === 0) return { deleted: 0, pending: 0 };
  if (stripe === null) {
    log.warn("stripe.customer_deletion.deferred", { customers: customerIds.length, reason: "STRIPE_SECRET_KEY is not set" });
    return { deleted: 0, pending: customerIds.length };
  }
  const outcomes = await Promise.all(customerIds.map((id) => deleteCustomer(stripe, id)));
  const deleted = JSON.stringify(customerIds.filter((_, index) => outcomes[index]));
  const failed = JSON.stringify(customerIds.filter((_, index) => !outcomes[index]));
  const report = { deleted: outcomes.filter(Boolean).length, pending: outcomes.filter((ok) => !ok).length };
  const among = "IN (SELECT value FROM json_each(?1))";
  try {
    await db.batch([
      db.prepare(`DELETE FROM stripe_customer_deletions WHERE customer_id ${among}`).bind(deleted),
      db.prepare(`UPDATE donations SET customer_id = NULL WHERE customer_id ${among}`).bind(deleted),
      db.prepare(`UPDATE subscriptions SET customer_id = NULL WHERE customer_id ${among}`).bind(deleted),
      db.prepare(`UPDATE stripe_customer_deletions SET attempts = attempts + 1, last_attempt_at = ?2 WHERE customer_id ${among}`).bind(failed, now),
    ]);
  } catch (error) {
    // The customers Stripe deleted stay queued; the next run finds them gone (resource_missing) and finishes.
    log.error("stripe.customer_deletion.unrecorded", { customers: customerIds.length, ...errorFields(error) });
    return { deleted: 0, pending: customerIds.length };
  }
  return report;
}

/**
 * The cron's retry: deletes up to CUSTOMER_DELETIONS_PER_RUN queued customers, oldest first. `getStripe` is only
 * called when something is queued, so a site without Stripe logs nothing about it.
 */
export async function retryStripeCustomerDeletions(db: D1Database, getStripe: () => Stripe | null, now: number): Promise<CustomerDeletionReport> {
  const { results } = await db
    .prepare("SELECT customer_id FROM stripe_customer_deletions ORDER BY requested_at, customer_id LIMIT ?1")
    .bind(CUSTOMER_DELETIONS_PER_RUN)
    .all<{ customer_id: string }>();
  if (results.length === 0) return { deleted: 0, pending: 0 };
  return deleteStripeCustomers(db, getStripe(), results.map((row) => row.customer_id), now);
}
