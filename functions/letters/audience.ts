// Who a letter goes to, read in pages by keyset over the member id (never OFFSET, so page 10,000 costs what page 1
// does), and how many that is. A recipient has consented to the audience's topic, has a verified address and is not
// on the suppression list. Audiences:
// - 'essays': subscribers to the essays topic (letter_subscriptions' primary key is the keyset);
// - 'ward': one ward's members subscribed to 'ward' (ward_members_ward_user);
// - 'monthly-donors': members with an active monthly donation who are subscribed to 'essays' (subscriptions_user_id).
// The consumer checks consent and suppression again when it sends (functions/letters/consumer.ts): a member who
// unsubscribes while a letter is going out is skipped.
import type { LetterTopic } from "./subscriptions";

export const LETTER_AUDIENCES = ["essays", "ward", "monthly-donors"] as const;
export type LetterAudience = (typeof LETTER_AUDIENCES)[number];

/** The topic whose consent an audience needs. */
export function audienceTopic(audience: LetterAudience): LetterTopic {
  return audience === "ward" ? "ward" : "essays";
}

// Each audience as a query over member ids `m.user_id`, with ?1 = ward id (or NULL), ?2 = the cursor ('' = start).
const FROM: Record<LetterAudience, string> = {
  essays: "FROM letter_subscriptions m WHERE m.topic = 'essays' AND m.user_id > ?2",
  ward: `FROM ward_members m JOIN letter_subscriptions s ON s.topic = 'ward' AND s.user_id = m.user_id
         WHERE m.ward_id = ?1 AND m.user_id > ?2`,
  "monthly-donors": `FROM subscriptions m JOIN letter_subscriptions s ON s.topic = 'essays' AND s.user_id = m.user_id
         WHERE m.status = 'active' AND m.user_id > ?2`,
};
// Verified, and not suppressed (the address as it is now).
const REACHABLE = `AND EXISTS (SELECT 1 FROM users u WHERE u.id = m.user_id AND u.email_verified_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM letter_suppressions x WHERE x.email = u.email))`;

/** The statement that reads the next `limit` recipients' ids after `after` (null: from the start), in id order. */
export function recipientPageStatement(db: D1Database, audience: LetterAudience, wardId: string | null, after: string | null, limit: number): D1PreparedStatement {
  return db.prepare(`SELECT DISTINCT m.user_id AS id ${FROM[audience]} ${REACHABLE} ORDER BY m.user_id LIMIT ?3`).bind(wardId, after ?? "", limit);
}

/** The next page of recipients' ids after `after`. */
export async function readRecipientPage(db: D1Database, audience: LetterAudience, wardId: string | null, after: string | null, limit: number): Promise<string[]> {
  const { results } = await recipientPageStatement(db, audience, wardId, after, limit).all<{ id: string }>();
  return results.map((row) => row.id);
}

/** How many members the letter would go to now (shown before sending, and frozen on the letter when it starts). */
export async function countRecipients(db: D1Database, audience: LetterAudience, wardId: string | null): Promise<number> {
  const row = await db.prepare(`SELECT COUNT(DISTINCT m.user_id) AS n ${FROM[audience]} ${REACHABLE}`).bind(wardId, "").first<{ n: number }>();
  return row?.n ?? 0;
}
