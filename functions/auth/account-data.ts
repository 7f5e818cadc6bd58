// A member's own data: "download my data" (everything the site holds about them) and deleting the account, which
// must remove or anonymise exactly what the export shows. Used by /account (delete) and /account/data (export).
import type Stripe from "stripe";
import { confirmCurrentPassword } from "./reauthentication";
import { getUserById, selectUserStatement, toUser, type UserRow } from "./users";
import { NOT_FOUND, type Outcome } from "./account";
import { exportPasskeysStatement } from "./passkeys";
import { exportSignInCodeStatement } from "./sign-in-codes";
import { eraseMemberGivingStatements, exportMemberGivingStatements, queuedCustomerIds } from "@functions/donations/member-donations";
import { deleteStripeCustomers } from "@functions/donations/customer-deletion";
import { logger } from "@functions/log";
import { exportWardStatements, wardDeletionStatements, wardExport } from "@functions/wards/member-data";
import { exportLetterStatements, letterDeletionStatements, letterExport } from "@functions/letters/member-data";

const log = logger("auth");

/**
 * Deletes an account after checking its password. One batch removes the member (sessions, codes and reset tokens
 * go with them) and erases them from their giving: the donations and monthly donations the export shows stay for
 * the accounts without their link, email, note or Stripe customer id, and those customers are queued for deletion.
 * Only then is Stripe asked to delete the customers (which also cancels their monthly donations), so the account
 * is gone even when Stripe is unreachable; what Stripe did not confirm is logged and retried by the daily cron.
 */
export async function deleteAccount(db: D1Database, stripe: Stripe | null, userId: string, password: string, now: number): Promise<Outcome<object>> {
  if (password === "") return { ok: false, errors: { deletePassword: "Enter your password to confirm that you want to delete your account." } };
  const user = await getUserById(db, userId);
  if (user === null) return { ok: false, errors: NOT_FOUND };
  if (!(await confirmCurrentPassword(user, password, "account.delete"))) return { ok: false, errors: { deletePassword: "That is not your current password." } };
  const [queued] = await db.batch(accountDeletionStatements(db, userId, now));
  await finishAccountDeletion(db, stripe, queued, userId, now);
  return { ok: true };
}

/**
 * The statements that delete an account as deleteAccount does, without its password check, for callers that batch
 * them with more: the staff console's "delete the account" (functions/staff/member-actions.ts) adds its audit row.
 * The first statement's result lists the Stripe customers queued for deletion (for finishAccountDeletion); the last
 * is the DELETE of the users row.
 */
export function accountDeletionStatements(db: D1Database, userId: string, now: number): D1PreparedStatement[] {
  return [
    ...eraseMemberGivingStatements(db, userId, now),
    ...wardDeletionStatements(db, userId, now),
    ...letterDeletionStatements(db, userId),
    // Sessions, codes, reset links, sign-in codes and passkeys go with the row (ON DELETE CASCADE).
    db.prepare("DELETE FROM users WHERE id = ?1").bind(userId),
  ];
}

/** After the deletion batch: asks Stripe to delete the queued customers (`queued`, the batch's first result) and logs it. */
export async function finishAccountDeletion(db: D1Database, stripe: Stripe | null, queued: D1Result | undefined, userId: string, now: number): Promise<void> {
  const customers = await deleteStripeCustomers(db, stripe, queuedCustomerIds(queued), now);
  log.info("account.deleted", { userId, stripeCustomersDeleted: customers.deleted, stripeCustomersPending: customers.pending });
}

/**
 * Everything the site holds about a member, for "download my data" (no password hash, no token hashes): with every
 * donation and monthly donation that deleting the account would erase, and Stripe's ids for them.
 */
export async function exportUserData(db: D1Database, userId: string, now: number): Promise<Record<string, unknown> | null> {
  // One round trip for everything (the page's D1 budget is two, and the session lookup is the other).
  const [account, sessions, verification, resets, passkeys, signInCode, donations, subscriptions, letterSubscriptions, deliveries, suppression, ...wards] = await db.batch([
    selectUserStatement(db, userId),
    db.prepare("SELECT created_at, expires_at FROM sessions WHERE user_id = ?1 ORDER BY created_at").bind(userId),
    db.prepare("SELECT email, expires_at, created_at FROM email_verifications WHERE user_id = ?1").bind(userId),
    db.prepare("SELECT created_at, expires_at FROM password_resets WHERE user_id = ?1").bind(userId),
    exportPasskeysStatement(db, userId),
    exportSignInCodeStatement(db, userId),
    ...exportMemberGivingStatements(db, userId),
    ...exportLetterStatements(db, userId),
    ...exportWardStatements(db, userId),
  ]);
  const iso = (seconds: unknown): string | null => (typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : null);
  const withDates = (rows: Record<string, unknown>[]) =>
    rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, key.endsWith("_at") ? iso(value) : value])));
  const row = account!.results[0] as UserRow | undefined;
  if (row === undefined) return null;
  const user = toUser(row);
  return {
    exportedAt: iso(now),
    account: {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      emailVerifiedAt: iso(user.emailVerifiedAt),
      role: user.role,
      createdAt: iso(user.createdAt),
      password: "stored only as a scrypt hash, which is not included",
    },
    sessions: withDates(sessions!.results as Record<string, unknown>[]),
    pendingEmailVerification: withDates(verification!.results as Record<string, unknown>[])[0] ?? null,
    passwordResetRequests: withDates(resets!.results as Record<string, unknown>[]),
    // Names and dates only: a passkey's public key identifies nobody and is no use outside this site.
    passkeys: withDates(passkeys!.results as Record<string, unknown>[]),
    pendingSignInCode: withDates(signInCode!.results as Record<string, unknown>[])[0] ?? null,
    donations: withDates(donations!.results as Record<string, unknown>[]),
    monthlyDonations: withDates(subscriptions!.results as Record<string, unknown>[]),
    wards: wardExport(wards),
    letters: letterExport([letterSubscriptions!, deliveries!, suppression!], iso),
  };
}
