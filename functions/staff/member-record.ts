// One member's record for the console (/admin/members/<id>): the account (email, name, joined, verified, role), a
// pending address change, how many sessions are live, their donations and active monthly donations. One db.batch().
import { selectUserStatement, toUser, type UserRow } from "@functions/auth/users";
import type { SiteRole } from "./access";

/** The most donations a member's record lists (the ledger has the rest). */
export const RECORD_DONATIONS_LIMIT = 100;

export interface MemberRecord {
  id: string; email: string; displayName: string | null; createdAt: number; verifiedAt: number | null; role: SiteRole;
  /** The address a live verification code was sent to, or null. */
  pendingEmail: string | null;
  activeSessions: number;
  donations: Array<{ id: string; createdAt: number; amount: number; amountRefunded: number; currency: string; frequency: "once" | "monthly"; status: string }>;
  monthly: Array<{ id: string; amount: number; currency: string; createdAt: number }>;
}

/** True for text shaped like a user id (the ids the site makes, and the UUIDs tests and old rows use). */
export function isMemberId(text: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(text);
}

/** The member `id`'s record, or null when there is no such member. */
export async function readMemberRecord(db: D1Database, id: string, now: number): Promise<MemberRecord | null> {
  const [user, sessions, verification, donations, monthly] = await db.batch([
    selectUserStatement(db, id),
    db.prepare("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1 AND expires_at > ?2").bind(id, now),
    db.prepare("SELECT email FROM email_verifications WHERE user_id = ?1 AND expires_at > ?2").bind(id, now),
    db.prepare("SELECT id, created_at, amount, amount_refunded, currency, frequency, status FROM donations WHERE user_id = ?1 ORDER BY created_at DESC LIMIT ?2")
      .bind(id, RECORD_DONATIONS_LIMIT),
    db.prepare("SELECT id, amount, currency, created_at FROM subscriptions WHERE user_id = ?1 AND status = 'active' ORDER BY created_at DESC").bind(id),
  ]);
  const row = user!.results[0] as UserRow | undefined;
  if (row === undefined) return null;
  const account = toUser(row);
  const pending = (verification!.results[0] as { email: string } | undefined)?.email ?? null;
  return {
    id: account.id, email: account.email, displayName: account.displayName, createdAt: account.createdAt, verifiedAt: account.emailVerifiedAt, role: account.role,
    pendingEmail: pending,
    activeSessions: (sessions!.results[0] as { n: number }).n,
    donations: (donations!.results as Array<{ id: string; created_at: number; amount: number; amount_refunded: number; currency: string; frequency: "once" | "monthly"; status: string }>)
      .map((d) => ({ id: d.id, createdAt: d.created_at, amount: d.amount, amountRefunded: d.amount_refunded, currency: d.currency, frequency: d.frequency, status: d.status })),
    monthly: (monthly!.results as Array<{ id: string; amount: number; currency: string; created_at: number }>)
      .map((m) => ({ id: m.id, amount: m.amount, currency: m.currency, createdAt: m.created_at })),
  };
}
