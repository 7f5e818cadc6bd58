// A ward's own letters, for its organisers' page: the newest first, as the list shows them. Letters per ward are few
// (a ward writes to its members a few times a month), and letters_created_at is read in order with the ward as a
// filter; the console's list of every letter pages by keyset instead (store.ts listLetters).
import type { Letter } from "./store";

/** What a list of letters shows of each. */
export type LetterSummary = Pick<Letter, "id" | "subject" | "audience" | "status" | "recipientCount" | "createdAt" | "sendAt" | "sendingAt" | "sentAt">;

/** How many of its letters a ward's organisers' page lists. */
export const WARD_LETTERS_SHOWN = 20;

/** The ward's newest letters. */
export async function listWardLetters(db: D1Database, wardId: string): Promise<LetterSummary[]> {
  const { results } = await db
    .prepare(
      `SELECT id, subject, audience, status, recipient_count, created_at, send_at, sending_at, sent_at FROM letters
       WHERE ward_id = ?1 AND audience = 'ward' ORDER BY created_at DESC, id DESC LIMIT ?2`,
    )
    .bind(wardId, WARD_LETTERS_SHOWN)
    .all<{ id: string; subject: string; audience: "ward"; status: Letter["status"]; recipient_count: number | null; created_at: number; send_at: number | null; sending_at: number | null; sent_at: number | null }>();
  return results.map((row) => ({
    id: row.id, subject: row.subject, audience: row.audience, status: row.status, recipientCount: row.recipient_count,
    createdAt: row.created_at, sendAt: row.send_at, sendingAt: row.sending_at, sentAt: row.sent_at,
  }));
}
