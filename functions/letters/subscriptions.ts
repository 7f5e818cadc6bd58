// A member's consent to letters, by topic (letter_subscriptions): read for /account and the export, written by /join,
// /account and the unsubscribe link. No row, no letters: consent is never assumed.

/** The topics a member can subscribe to: new essays and movement news, and their own ward's news. */
export const LETTER_TOPICS = ["essays", "ward"] as const;
export type LetterTopic = (typeof LETTER_TOPICS)[number];

/** True when `value` names a topic (for form fields and queue messages, which are untrusted text). */
export function isLetterTopic(value: unknown): value is LetterTopic {
  return typeof value === "string" && (LETTER_TOPICS as readonly string[]).includes(value);
}

/** Which topics the member is subscribed to (every topic present, false when not). */
export async function readSubscriptions(db: D1Database, userId: string): Promise<Record<LetterTopic, boolean>> {
  const { results } = await db.prepare("SELECT topic FROM letter_subscriptions WHERE user_id = ?1").bind(userId).all<{ topic: string }>();
  const subscribed = new Set(results.map((row) => row.topic));
  return Object.fromEntries(LETTER_TOPICS.map((topic) => [topic, subscribed.has(topic)])) as Record<LetterTopic, boolean>;
}

/**
 * The statements that subscribe or unsubscribe the member for each topic given (topics left out are unchanged), for
 * a caller's own batch (/join creates the account and its consent together). Subscribing again keeps the first date.
 */
export function setSubscriptionStatements(
  db: D1Database, userId: string, topics: Partial<Record<LetterTopic, boolean>>, now: number,
): D1PreparedStatement[] {
  return LETTER_TOPICS.filter((topic) => topics[topic] !== undefined).map((topic) =>
    topics[topic]
      ? db.prepare("INSERT INTO letter_subscriptions (topic, user_id, subscribed_at) VALUES (?1, ?2, ?3) ON CONFLICT (topic, user_id) DO NOTHING").bind(topic, userId, now)
      : db.prepare("DELETE FROM letter_subscriptions WHERE topic = ?1 AND user_id = ?2").bind(topic, userId),
  );
}

/** Removes the member from one topic; true when they were subscribed (the unsubscribe link's answer). */
export async function unsubscribeTopic(db: D1Database, userId: string, topic: LetterTopic): Promise<boolean> {
  const result = await db.prepare("DELETE FROM letter_subscriptions WHERE topic = ?1 AND user_id = ?2").bind(topic, userId).run();
  return (result.meta.changes ?? 0) > 0;
}

/** The statement that lists a member's subscriptions for their data export. */
export function exportSubscriptionsStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db.prepare("SELECT topic, subscribed_at FROM letter_subscriptions WHERE user_id = ?1 ORDER BY topic").bind(userId);
}
