// Helpers for the letters worker tests: members who subscribed (or not), letters, an in-memory letters queue that
// collects what the code enqueues, and a driver that feeds those messages to the real queue consumer as batches made
// with cloudflare:test's createMessageBatch, honouring ack, retry and the queue's max_retries.
import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { setSubscriptionStatements, type LetterTopic } from "@functions/letters/subscriptions";
import { createLetter, type LetterDraft } from "@functions/letters/store";
import type { LetterMessage, LetterQueue } from "@functions/letters/fan-out";
import { T0, insertUser, uniqueEmail } from "./support";

const DB = env.DB;

/** A verified member subscribed to `topics` (all by default). */
export async function subscriber(topics: LetterTopic[] = ["essays"], options: { verified?: boolean; email?: string } = {}) {
  const user = await insertUser({ email: options.email ?? uniqueEmail("sub"), emailVerifiedAt: options.verified === false ? null : T0 });
  const statements = setSubscriptionStatements(DB, user.id, Object.fromEntries(topics.map((t) => [t, true])), T0);
  if (statements.length > 0) await DB.batch(statements);
  return user;
}

/** Many verified essays subscribers at once (one batch per 500), for the large sends. */
export async function manySubscribers(n: number, prefix: string): Promise<{ id: string; email: string }[]> {
  const users = Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${String(i).padStart(6, "0")}`, email: `${prefix}-${i}@example.org` }));
  for (let i = 0; i < n; i += 500) {
    const chunk = users.slice(i, i + 500);
    await DB.batch([
      DB.prepare("INSERT INTO users (id, email, password_hash, email_verified_at, created_at) SELECT j.value->>'id', j.value->>'email', 'x', ?2, ?2 FROM json_each(?1) j").bind(JSON.stringify(chunk), T0),
      DB.prepare("INSERT INTO letter_subscriptions (topic, user_id, subscribed_at) SELECT 'essays', j.value->>'id', ?2 FROM json_each(?1) j").bind(JSON.stringify(chunk), T0),
    ]);
  }
  return users;
}

export const draft = (extra: Partial<LetterDraft> = {}): LetterDraft => ({
  subject: "New essay: owning the buses", source: "markdown", essaySlug: null, bodyMarkdown: "Hello **all**.",
  bodyHtml: "<p>Hello <strong>all</strong>.</p>", bodyText: "Hello all.", audience: "essays", wardId: null, ...extra,
});

/** A saved draft letter's id. */
export async function letter(extra: Partial<LetterDraft> = {}): Promise<string> {
  return createLetter(DB, draft(extra), "staff-1", T0);
}

/** A queue that keeps what is sent to it (with the attempt each message is on), and can fail its next sends. */
export function memoryQueue(): LetterQueue & { messages: { id: string; body: LetterMessage; attempts: number }[]; failNext: number } {
  let next = 0;
  const queue = {
    messages: [] as { id: string; body: LetterMessage; attempts: number }[],
    failNext: 0,
    async send(body: LetterMessage) {
      if (queue.failNext > 0) { queue.failNext--; throw new Error("queue unavailable"); }
      queue.messages.push({ id: `m${next++}`, body: structuredClone(body), attempts: 1 });
    },
    async sendBatch(messages: Iterable<MessageSendRequest<LetterMessage>>) {
      for (const message of messages) await queue.send(message.body);
    },
    async metrics() { return { backlogCount: queue.messages.length, backlogBytes: 0 }; },
  };
  return queue as unknown as LetterQueue & typeof queue;
}

type Consumer = (batch: MessageBatch<LetterMessage>) => Promise<void>;

/**
 * Feeds the queue's messages to `consume` in batches of `batchSize` until none is left: acked messages leave, retried
 * ones come back with attempts + 1, and one that has used `maxRetries` retries goes to `dead` (the dead-letter
 * queue). A batch whose handler throws is retried whole except what it acked, as Queues does.
 */
export async function drain(queue: ReturnType<typeof memoryQueue>, consume: Consumer, options: { batchSize?: number; maxRetries?: number } = {}) {
  const dead: { id: string; body: LetterMessage; attempts: number }[] = [];
  const batchSize = options.batchSize ?? 10;
  const maxRetries = options.maxRetries ?? 6;
  let batches = 0;
  while (queue.messages.length > 0) {
    if (++batches > 100_000) throw new Error("the queue never drained");
    const taken = queue.messages.splice(0, batchSize);
    const batch = createMessageBatch<LetterMessage>("smallism-letters", taken.map((m) => ({ id: m.id, timestamp: new Date(T0 * 1000), attempts: m.attempts, body: m.body })));
    const ctx = createExecutionContext();
    let threw = false;
    try { await consume(batch); } catch { threw = true; }
    const result = await getQueueResult(batch, ctx);
    const acked = new Set(result.explicitAcks);
    const retried = new Set(result.retryMessages.map((r) => r.msgId));
    for (const message of taken) {
      const again = retried.has(message.id) || (!acked.has(message.id) && (threw || result.retryBatch.retry));
      if (!again) continue;
      if (message.attempts > maxRetries) dead.push(message);
      else queue.messages.push({ ...message, attempts: message.attempts + 1 });
    }
  }
  return { dead, batches };
}
