// A member's giving and what their account does to it: the donations (newest first) and active monthly donations
// the account page lists, read in ONE round trip (a db.batch of two SELECTs); the Stripe customer whose monthly
// donation the Customer Portal manages; and the statements that the account's data export and deletion batch
// (functions/auth/account-data.ts), both over one rule of which rows are the member's (MEMBER_ROWS_SQL), so the
// auth module never names a donations column. Used by
// src/components/AccountDonations.astro, /account/billing and the account use-cases.

/** One donation as the account page lists it. */
export interface MemberDonation {
  id: string;
  amount: number;
  amountRefunded: number;
  currency: string;
  frequency: "once" | "monthly";
  status: "paid" | "partially_refunded" | "refunded";
  createdAt: number;
}

/** One active monthly donation. */
export interface MemberSubscription {
  id: string;
  amount: number;
  currency: string;
  createdAt: number;
}

export interface MemberGiving {
  donations: MemberDonation[];
  monthly: MemberSubscription[];
}

interface DonationRow { id: string; amount: number; amount_refunded: number; currency: string; frequency: MemberDonation["frequency"]; status: MemberDonation["status"]; created_at: number }
interface SubscriptionRow { id: string; amount: number; currency: string; created_at: number }

/** The most donations the account page lists. */
export const MEMBER_DONATIONS_LIMIT = 100;

/** The member's donations and active monthly donations, in one D1 round trip. */
export async function listMemberGiving(db: D1Database, userId: string): Promise<MemberGiving> {
  const [donations, subscriptions] = await db.batch([
    db
      .prepare("SELECT id, amount, amount_refunded, currency, frequency, status, created_at FROM donations WHERE user_id = ?1 ORDER BY created_at DESC, id LIMIT ?2")
      .bind(userId, MEMBER_DONATIONS_LIMIT),
    db.prepare("SELECT id, amount, currency, created_at FROM subscriptions WHERE user_id = ?1 AND status = 'active' ORDER BY created_at DESC").bind(userId),
  ]);
  return {
    donations: (donations!.results as unknown as DonationRow[]).map((row) => ({
      id: row.id, amount: row.amount, amountRefunded: row.amount_refunded, currency: row.currency, frequency: row.frequency, status: row.status, createdAt: row.created_at,
    })),
    monthly: (subscriptions!.results as unknown as SubscriptionRow[]).map((row) => ({ id: row.id, amount: row.amount, currency: row.currency, createdAt: row.created_at })),
  };
}

/**
 * The Stripe customer whose portal manages the member's monthly donation `subscriptionId` (or, when none is
 * named, their newest active one); null when the member has no such active monthly donation.
 */
export async function getMemberBillingCustomer(db: D1Database, userId: string, subscriptionId: string | null): Promise<string | null> {
  const row = await db
    .prepare(
      `SELECT customer_id FROM subscriptions WHERE user_id = ?1 AND status = 'active' AND (?2 IS NULL OR id = ?2)
       ORDER BY created_at DESC LIMIT 1`,
    )
    .bind(userId, subscriptionId)
    .first<{ customer_id: string }>();
  return row?.customer_id ?? null;
}

/**
 * Which rows of `donations` or `subscriptions` are a member's, as SQL over ?1 (their id): rows linked to them, and
 * guest rows given with their address (in any case) once they have verified it, since anyone can join with someone
 * else's address and deleting that account must not erase the owner's records. The data export and the deletion
 * both use it, so they cover the same rows; it reads the member's row, so a deletion runs it before deleting them.
 */
const MEMBER_ROWS_SQL = "(user_id = ?1 OR lower(email) = (SELECT email FROM users WHERE id = ?1 AND email_verified_at IS NOT NULL))";

/** How a row came to be the member's: given while signed in, or as a guest with their verified address. */
const GIVEN_AS_SQL = "CASE WHEN user_id = ?1 THEN 'member' ELSE 'guest' END AS given_as";

/**
 * The statements that read everything about a member's giving for "download my data" (every row the deletion
 * would treat as theirs, with Stripe's ids): donations, then monthly donations, oldest first.
 */
export function exportMemberGivingStatements(db: D1Database, userId: string): D1PreparedStatement[] {
  return [
    db.prepare(
      `SELECT id, ${GIVEN_AS_SQL}, email, amount, amount_refunded, currency, frequency, status, note, created_at, refunded_at,
         checkout_session_id, payment_intent_id, invoice_id, subscription_id, customer_id
       FROM donations WHERE ${MEMBER_ROWS_SQL} ORDER BY created_at, id`,
    ).bind(userId),
    db.prepare(
      `SELECT id, ${GIVEN_AS_SQL}, email, customer_id, amount, currency, status, created_at, canceled_at
       FROM subscriptions WHERE ${MEMBER_ROWS_SQL} ORDER BY created_at, id`,
    ).bind(userId),
  ];
}

/**
 * The statements that erase a member from their giving, to batch before the account's own deletion: the rows the
 * export shows keep amounts, dates, status and Stripe's payment ids for the accounts, but lose the member link,
 * email, note and Stripe customer id; those customers are queued in stripe_customer_deletions for deletion at
 * Stripe (customer-deletion.ts). The first statement's results are the queued customers (see queuedCustomerIds).
 */
export function eraseMemberGivingStatements(db: D1Database, userId: string, now: number): D1PreparedStatement[] {
  return [
    db.prepare(
      `INSERT INTO stripe_customer_deletions (customer_id, requested_at)
       SELECT customer_id, ?2 FROM (
         SELECT customer_id FROM donations WHERE customer_id IS NOT NULL AND ${MEMBER_ROWS_SQL}
         UNION SELECT customer_id FROM subscriptions WHERE customer_id IS NOT NULL AND ${MEMBER_ROWS_SQL}
       ) WHERE true
       ON CONFLICT (customer_id) DO NOTHING
       RETURNING customer_id`,
    ).bind(userId, now),
    db.prepare(`UPDATE donations SET user_id = NULL, email = NULL, note = NULL, customer_id = NULL WHERE ${MEMBER_ROWS_SQL}`).bind(userId),
    db.prepare(`UPDATE subscriptions SET user_id = NULL, email = NULL, customer_id = NULL WHERE ${MEMBER_ROWS_SQL}`).bind(userId),
  ];
}

/** The Stripe customers that the first of eraseMemberGivingStatements queued for deletion, from its result. */
export function queuedCustomerIds(result: D1Result | undefined): string[] {
  return ((result?.results ?? []) as { customer_id: string }[]).map((row) => row.customer_id);
}
