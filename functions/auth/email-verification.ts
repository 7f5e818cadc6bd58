// Email verification codes: 8 characters, 15-minute life, single use, five wrong tries end the code. A new code
// remembers the hash of the one it replaced, so typing that older code is answered as "replaced", not "wrong".
// Used by the account use-cases (the first code, a resend, the code an email change sends to the new address) and
// by /verify, which checks the typed code. One address has at most one live code across all accounts (migration 0006),
// so many accounts cannot all point a pending email change at one inbox.
import { constantTimeEqual, generateCode, hashToken, normaliseCode } from "./tokens";
import { isUniqueViolation } from "./users";
import { deletePasswordResetsStatement } from "./password-reset";

export const CODE_LIFETIME = 15 * 60;
export const CODE_MAX_ATTEMPTS = 5;

/** The statement that replaces any live code for `userId` with a new one for `email` (remembering the old one's hash). */
export function upsertVerificationStatement(db: D1Database, userId: string, email: string, code: string, now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO email_verifications (user_id, email, code_hash, attempts, expires_at, created_at)
       VALUES (?1, ?2, ?3, 0, ?4, ?5)
       ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, code_hash = excluded.code_hash,
         replaced_code_hash = email_verifications.code_hash,
         attempts = 0, expires_at = excluded.expires_at, created_at = excluded.created_at`,
    )
    .bind(userId, email, hashToken(code), now + CODE_LIFETIME, now);
}

/** The statement that cancels a member's pending change of address (a code for an address other than the account's). */
export function cancelEmailChangeStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db.prepare("DELETE FROM email_verifications WHERE user_id = ?1 AND email <> (SELECT email FROM users WHERE id = ?1)").bind(userId);
}

/**
 * The statement that frees `email` from other accounts' pending changes, for a sign-up with that address: once it has
 * an account, no change to it can complete, and the new owner's own code must be the address's one live code.
 */
export function releaseAddressStatement(db: D1Database, email: string, userId: string): D1PreparedStatement {
  return db.prepare("DELETE FROM email_verifications WHERE email = ?1 AND user_id <> ?2").bind(email, userId);
}

/**
 * Creates a fresh code for `email` (replacing any earlier one of this member) and returns it for the email; null when
 * another account already has a live code for that address (an expired one gives way).
 */
export async function createEmailVerification(db: D1Database, userId: string, email: string, now: number): Promise<string | null> {
  const code = generateCode();
  try {
    await db.batch(emailVerificationStatements(db, userId, email, code, now));
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
  return code;
}

/**
 * The statements createEmailVerification runs for `code` (an expired code of another account for `email` gives way,
 * then this member's code is written), for callers that batch them with more: the console's audited resend. The
 * batch fails with a UNIQUE violation when another account holds a live code for the address.
 */
export function emailVerificationStatements(db: D1Database, userId: string, email: string, code: string, now: number): D1PreparedStatement[] {
  return [
    db.prepare("DELETE FROM email_verifications WHERE email = ?1 AND user_id <> ?2 AND expires_at <= ?3").bind(email, userId, now),
    upsertVerificationStatement(db, userId, email, code, now),
  ];
}

export type VerifyCodeResult =
  | { ok: true; email: string }
  | { ok: false; reason: "none" | "expired" | "wrong" | "replaced" | "exhausted" | "taken"; attemptsLeft?: number; email?: string };

/**
 * Checks a typed code. On success marks the address verified (and makes it the account's email when it was
 * an email change) and deletes the code, in one batch. A wrong code spends one of the five attempts; the code
 * that the live one replaced does not (the member only mistook which email to read), and says so.
 */
export async function verifyEmailCode(db: D1Database, userId: string, typed: string, now: number): Promise<VerifyCodeResult> {
  // Spend the attempt first, atomically, so parallel guesses cannot exceed the limit.
  const row = await db
    .prepare(
      `UPDATE email_verifications SET attempts = attempts + 1 WHERE user_id = ?1 AND attempts < ?2
       RETURNING email, code_hash, replaced_code_hash, attempts, expires_at`,
    )
    .bind(userId, CODE_MAX_ATTEMPTS)
    .first<{ email: string; code_hash: string; replaced_code_hash: string | null; attempts: number; expires_at: number }>();
  if (row === null) {
    const exists = await db.prepare("SELECT 1 AS found FROM email_verifications WHERE user_id = ?1").bind(userId).first();
    return { ok: false, reason: exists === null ? "none" : "exhausted" };
  }
  if (now >= row.expires_at) return { ok: false, reason: "expired" };
  const typedHash = hashToken(normaliseCode(typed));
  if (!constantTimeEqual(typedHash, row.code_hash)) {
    if (row.replaced_code_hash !== null && constantTimeEqual(typedHash, row.replaced_code_hash)) {
      // Give the attempt back, unless a newer code has arrived meanwhile.
      await db.prepare("UPDATE email_verifications SET attempts = attempts - 1 WHERE user_id = ?1 AND code_hash = ?2 AND attempts > 0")
        .bind(userId, row.code_hash).run();
      return { ok: false, reason: "replaced", email: row.email };
    }
    const attemptsLeft = CODE_MAX_ATTEMPTS - row.attempts;
    return attemptsLeft > 0 ? { ok: false, reason: "wrong", attemptsLeft } : { ok: false, reason: "exhausted" };
  }
  try {
    await db.batch([
      db.prepare("UPDATE users SET email = ?1, email_verified_at = ?2 WHERE id = ?3").bind(row.email, now, userId),
      db.prepare("DELETE FROM email_verifications WHERE user_id = ?1").bind(userId),
      // Reset links mailed to the previous address must not outlive the move.
      deletePasswordResetsStatement(db, userId),
    ]);
  } catch (error) {
    // Another account took this address while the change was pending.
    if (isUniqueViolation(error)) return { ok: false, reason: "taken" };
    throw error;
  }
  return { ok: true, email: row.email };
}

/** The address a member's live code was sent to, or null when there is none. */
export async function getPendingVerificationEmail(db: D1Database, userId: string): Promise<string | null> {
  const row = await db.prepare("SELECT email FROM email_verifications WHERE user_id = ?1").bind(userId).first<{ email: string }>();
  return row === null ? null : row.email;
}
