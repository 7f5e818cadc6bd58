// Keeps letters' storage bounded: deliveries older than RETENTION are folded into per-letter counts (letter_counts,
// which the progress page adds back) and deleted, a chunk at a time, by the daily housekeeping. At a million members
// a weekly letter writes ~52 million rows a year; folded, a year costs 52 small rows. What a member's export needs
// stays: their subscriptions and suppressions are never folded, and their deliveries of the last 90 days are kept
// row by row (README: Letters, for the row and byte budget).
import { DAY } from "@functions/clock";

/** How long a delivery row is kept (seconds) after its last change. */
export const RETENTION = 90 * DAY;
/** Rows folded per statement, and the most statements one run makes (500,000 rows a day: a weekly letter to a million). */
const CHUNK = 10_000;
const MAX_CHUNKS = 50;

/** Folds and deletes finished deliveries last changed before `now - RETENTION`; returns how many rows went. */
export async function foldOldDeliveries(db: D1Database, now: number, chunk = CHUNK): Promise<number> {
  const cutoff = now - RETENTION;
  // Both statements pick the same rows (same order over the deliveries_updated_at index, in one transaction).
  const oldest = "SELECT rowid FROM deliveries WHERE updated_at < ?1 AND status <> 'pending' ORDER BY updated_at, rowid LIMIT ?2";
  let folded = 0;
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const [, deleted] = await db.batch([
      db.prepare(
        `INSERT INTO letter_counts (letter_id, sent, failed, skipped)
         SELECT letter_id, SUM(status = 'sent'), SUM(status = 'failed'), SUM(status = 'skipped') FROM deliveries
         WHERE rowid IN (${oldest}) GROUP BY letter_id
         ON CONFLICT (letter_id) DO UPDATE SET sent = sent + excluded.sent, failed = failed + excluded.failed, skipped = skipped + excluded.skipped`,
      ).bind(cutoff, chunk),
      db.prepare(`DELETE FROM deliveries WHERE rowid IN (${oldest})`).bind(cutoff, chunk),
    ]);
    const n = deleted!.meta.changes ?? 0;
    folded += n;
    if (n < chunk) break;
  }
  return folded;
}
