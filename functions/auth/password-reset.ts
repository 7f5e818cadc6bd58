// Password-reset links: a 160-bit token in the emailed link, only its SHA-256 stored, one-hour life, single
// use, and a new request kills earlier links. Used by the reset use-cases in account.ts (requestPasswordReset
// creates, resetPassword checks and consumes) and by /reset, which asks whether a link is live before showing its form.
import { generateToken, hashToken } from "./tokens";
import { insertSessionStatement, type NewSession } from "./sessions";
import { logger } from "@functions/log";

export const RESET_LIFETIME = 60 * 60;

/** Kills every reset link of `userId`; for batches that change the password or the address the links went to. */
export function deletePasswordResetsStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db.prepare("DELETE FROM password_resets WHERE user_id = ?1").bind(userId);
}

/** Creates a reset token for `userId`, deleting any earlier ones in the same batch; returns the token for the link. */
export async function createPasswordReset(db: D1Database, userId: string, now: number): Promise<string> {
  const token = generateToken(20);
  await db.batch([
    deletePasswordResetsStatement(db, userId),
    db.prepare("INSERT INTO password_resets (id, user_id, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)").bind(
      hashToken(token), userId, now + RESET_LIFETIME, now,
    ),
  ]);
  return token;
}

/** The member a live reset token belongs to, or null (logged: guessed, expired and spent links look alike); does not consume it. */
export async function findPasswordReset(db: D1Database, token: string, now: number): Promise<{ userId: string } | null> {
  const row = await db
    .prepare("SELECT user_id FROM password_resets WHERE id = ?1 AND expires_at > ?2")
    .bind(hashToken(token), now)
    .first<{ user_id: string }>();
  if (row === null) logger("security").warn("reset.link_refused");
  return row === null ? null : { userId: row.user_id };
}

/**
 * Uses `userId`'s reset token: sets the new password, ends every session of the member, stores `session`, verifies
 * the address (the member proved they read its mail) and deletes the member's reset tokens. It is one batch (a
 * transaction) in which every statement is conditioned on the live token, so of several concurrent uses exactly one
 * changes anything; the rest find no token and change nothing.
 */
export async function consumePasswordReset(
  db: D1Database, token: string, userId: string, passwordHash: string, session: NewSession, now: number,
): Promise<{ userId: string } | null> {
  const tokenId = hashToken(token);
  const owner = "(SELECT user_id FROM password_resets WHERE id = ?1 AND expires_at > ?2)";
  const live = { sql: "EXISTS (SELECT 1 FROM password_resets WHERE id = ?5 AND user_id = ?6 AND expires_at > ?7)", values: [tokenId, userId, now] };
  const results = await db.batch<{ user_id: string }>([
    db.prepare(`UPDATE users SET password_hash = ?3, email_verified_at = COALESCE(email_verified_at, ?2) WHERE id = ${owner}`)
      .bind(tokenId, now, passwordHash),
    db.prepare(`DELETE FROM sessions WHERE user_id = ${owner}`).bind(tokenId, now),
    insertSessionStatement(db, session, userId, now, live),
    // The address is verified now, so its sign-up code is spent; and a pending change to another address, perhaps
    // started by whoever made the reset necessary, is cancelled.
    db.prepare(`DELETE FROM email_verifications WHERE user_id = ${owner}`).bind(tokenId, now),
    db.prepare(`DELETE FROM password_resets WHERE user_id = ${owner} RETURNING user_id`).bind(tokenId, now),
  ]);
  const claimed = results[4]?.results[0];
  return claimed === undefined ? null : { userId: claimed.user_id };
}
