// A member's giving and what their account does to it: the donations (newest first) and active monthly donations
// the account page lists, read in ONE round trip (a db.batch of two SELECTs); the Stripe customer whose monthly
// donation the Customer Portal manages; and the statements that the account's data export and deletion batch
// (functions/auth/account.ts), so the auth module never names a donations column. Used by
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

/** The statements that read everything about a member's giving for "download my data": donations, then monthly donations. */
export function exportMemberGivingStatements(db: D1Database, userId: string): D1PreparedStatement[] {
  return [
    db.prepare(
      "SELECT amount, currency, frequency, status, note, created_at, refunded_at, checkout_session_id, invoice_id FROM donations WHERE user_id = ?1 ORDER BY created_at",
    ).bind(userId),
    db.prepare("SELECT id, amount, currency, status, created_at, canceled_at FROM subscriptions WHERE user_id = ?1").bind(userId),
  ];
}

/**
 * The statements that keep a deleted member's donations for the accounts but unlink them from the member and drop
 * their email: rows linked to `userId`, and guest rows given with `ownedEmail` (null when the member never proved
 * they own their address, since anyone can join with someone else's). Batch them with the account's deletion.
 */
export function anonymiseMemberGivingStatements(db: D1Database, userId: string, ownedEmail: string | null): D1PreparedStatement[] {
  return [
    db.prepare("UPDATE donations SET user_id = NULL, email = NULL WHERE user_id = ?1 OR email = ?2").bind(userId, ownedEmail),
    db.prepare("UPDATE subscriptions SET user_id = NULL, email = NULL WHERE user_id = ?1 OR email = ?2").bind(userId, ownedEmail),
  ];
}
