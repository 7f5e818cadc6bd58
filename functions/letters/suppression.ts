// The suppression list: addresses the provider reported as bounced or complained about (letter_suppressions), which
// every send checks first. Keyed by address, since a bounce belongs to the mailbox: a member who changes their
// address gets letters again at the new one. A bounce can be re-enabled by the member (the mailbox may be fixed);
// a complaint ("this is spam") is lifted only when the member subscribes again on /account, which is a fresh,
// deliberate consent (functions/letters/subscriptions.ts callers use liftComplaintStatement for that).

export type SuppressionReason = "bounce" | "complaint";
export interface Suppression { reason: SuppressionReason; detail: string | null; since: number }

/** The most characters of the provider's diagnostic kept with a suppression. */
const DETAIL_LIMIT = 500;

/** Why letters to the member's current address stopped, or null when they have not. */
export async function readSuppression(db: D1Database, userId: string): Promise<Suppression | null> {
  const row = await db
    .prepare("SELECT s.reason, s.detail, s.created_at FROM letter_suppressions s JOIN users u ON u.email = s.email WHERE u.id = ?1")
    .bind(userId)
    .first<{ reason: SuppressionReason; detail: string | null; created_at: number }>();
  return row === null ? null : { reason: row.reason, detail: row.detail, since: row.created_at };
}

/**
 * Lifts a bounce on the member's current address (they say the mailbox works again); true when one was lifted. A
 * complaint is not lifted here: see the header.
 */
export async function reenableLetters(db: D1Database, userId: string, _now: number): Promise<boolean> {
  const result = await db
    .prepare("DELETE FROM letter_suppressions WHERE reason = 'bounce' AND email = (SELECT email FROM users WHERE id = ?1)")
    .bind(userId)
    .run();
  return (result.meta.changes ?? 0) > 0;
}

/** The statement that lifts a complaint on the member's address, for the batch in which they subscribe again. */
export function liftComplaintStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db.prepare("DELETE FROM letter_suppressions WHERE reason = 'complaint' AND email = (SELECT email FROM users WHERE id = ?1)").bind(userId);
}

/**
 * The statement that suppresses `email`. A complaint outranks a bounce (a later bounce never turns a complaint
 * back into something the member could lift with one click); the member is linked when the address is theirs.
 */
export function suppressStatement(db: D1Database, email: string, reason: SuppressionReason, detail: string | null, now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO letter_suppressions (email, user_id, reason, detail, created_at)
       VALUES (?1, (SELECT id FROM users WHERE email = ?1), ?2, ?3, ?4)
       ON CONFLICT (email) DO UPDATE SET reason = CASE WHEN reason = 'complaint' THEN reason ELSE excluded.reason END,
         detail = CASE WHEN reason = 'complaint' THEN detail ELSE excluded.detail END`,
    )
    .bind(email.toLowerCase(), reason, detail === null ? null : detail.slice(0, DETAIL_LIMIT), now);
}

/** The statement that lists the suppression on a member's address for their data export. */
export function exportSuppressionStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db
    .prepare("SELECT s.email, s.reason, s.detail, s.created_at FROM letter_suppressions s WHERE s.user_id = ?1 OR s.email = (SELECT email FROM users WHERE id = ?1)")
    .bind(userId);
}
