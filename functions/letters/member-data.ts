// What a member's data export shows of letters, and what deleting the account removes: their subscriptions, their
// deliveries still held (the last 90 days: older ones live only in per-letter counts, functions/letters/retention.ts)
// and the suppression on their address. Deletion: subscriptions, deliveries and a suppression linked to the account
// go with the users row (ON DELETE CASCADE); a suppression recorded for the address before it was linked goes here.
import { exportSubscriptionsStatement } from "./subscriptions";
import { exportSuppressionStatement } from "./suppression";
import { RETENTION } from "./retention";

/** The export's statements, in the order letterExport reads their results. */
export function exportLetterStatements(db: D1Database, userId: string): D1PreparedStatement[] {
  return [
    exportSubscriptionsStatement(db, userId),
    db.prepare(
      `SELECT l.subject, l.audience, d.status, d.reason, d.created_at, d.updated_at FROM deliveries d JOIN letters l ON l.id = d.letter_id
       WHERE d.user_id = ?1 ORDER BY d.created_at DESC, d.id LIMIT 500`,
    ).bind(userId),
    exportSuppressionStatement(db, userId),
  ];
}

/** The export's "letters" section from exportLetterStatements' results. */
export function letterExport([subscriptions, deliveries, suppression]: D1Result[], iso: (seconds: unknown) => string | null): Record<string, unknown> {
  const rows = (result: D1Result | undefined) => (result?.results ?? []) as Record<string, unknown>[];
  const dated = (list: Record<string, unknown>[]) => list.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k.endsWith("_at") ? iso(v) : v])));
  return {
    subscriptions: dated(rows(subscriptions)),
    deliveries: dated(rows(deliveries)),
    deliveriesNote: `Each letter sent to you in the last ${RETENTION / 86400} days; older letters are kept only as counts per letter, without your name.`,
    suppression: dated(rows(suppression))[0] ?? null,
  };
}

/** The statements deletion adds: the suppression on the account's address, whether or not it was linked. */
export function letterDeletionStatements(db: D1Database, userId: string): D1PreparedStatement[] {
  return [db.prepare("DELETE FROM letter_suppressions WHERE user_id = ?1 OR email = (SELECT email FROM users WHERE id = ?1)").bind(userId)];
}
