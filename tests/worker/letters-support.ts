// Helpers for the letters worker tests: members who subscribed (or not), letters, an in-memory letters queue that
// collects what the code enqueues, and a driver that feeds those messages to the real queue consumer as batches made
// with cloudflare:test's createMessageBatch, honouring ack, retry and the queue's max_retries.
import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { setSubscriptionStatements, type LetterTopic } from "@functions/letters/subscriptions";
import { saveNewDraft, type LetterDraft } from "@functions/letters/store";
import { generateToken } from "@functions/auth/tokens";
import { createSesSender } from "@functions/letters/ses-sender";
import type { ConsumerDeps } from "@functions/letters/consumer";
import { STAND_IN_KEYS } from "@tests/support/letters-stand-in-keys.mjs";
import type { LetterMessage, LetterQueue } from "@functions/letters/fan-out";
import { HASH_SECRET, SITE, T0, insertUser, uniqueEmail } from "./support";

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

/** Saves a new draft under a fresh id, as the compose form does with its draft key, and returns the id. */
export async function createLetter(db: D1Database, letterDraft: LetterDraft, createdBy: string, now: number): Promise<string> {
  const id = generateToken(10);
  if ((await saveNewDraft(db, id, letterDraft, createdBy, now)) !== "created") throw new Error(`letter ${id} was not created`);
  return id;
}

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

/** The stand-in's records: every letter it accepted, and how many SendEmail calls it answered. */
export async function standInLetters(standIn: string): Promise<{ letters: StandInLetter[]; calls: number }> {
  return (await fetch(`${standIn}/__requests`)).json();
}
export interface StandInLetter { messageId: string; from: string; to: string[]; subject: string; text: string; html: string; headers: Record<string, string>; tags: Record<string, string> }

/** Tells the stand-in to fail calls: a seeded share of them (`rate`), or the `next` few, with `status`. */
export async function failProvider(standIn: string, options: { rate?: number; seed?: number; next?: number; status?: number; type?: string }): Promise<void> {
  await fetch(`${standIn}/__fail`, { method: "POST", body: JSON.stringify(options) });
}

/**
 * The test D1 with one crash: the first db.batch() that `when` picks (by the SQL of its statements) throws instead of
 * running, as when the consumer's isolate dies there. Nothing of that batch is written.
 */
export function crashOnce(when: (sql: string[]) => boolean): D1Database & { crashed: boolean } {
  const state = { crashed: false };
  return new Proxy(env.DB, {
    get(target, key) {
      if (key === "crashed") return state.crashed;
      if (key === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          const sql = statements.map((s) => String((s as unknown as { statement: string }).statement));
          if (!state.crashed && when(sql)) {
            state.crashed = true;
            throw new Error("consumer crashed (test)");
          }
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as D1Database & { crashed: boolean };
}

/** The consumer's dependencies with the real SES client pointed at the stand-in `standIn`. */
export function consumerDeps(standIn: string, queue: LetterQueue, extra: Partial<ConsumerDeps> = {}): ConsumerDeps {
  const sender = createSesSender({ ...STAND_IN_KEYS, from: "Smallism <letters@smallism.example>", configurationSet: "letters", unsubscribeMailbox: "unsubscribe@smallism.example", apiBase: standIn });
  return { db: env.DB, queue, sender, secret: HASH_SECRET, siteUrl: SITE, now: () => T0, ...extra };
}

/** How many letters of `letterId` the stand-in accepted for each of `addresses`. */
export async function receivedBy(standIn: string, addresses: string[], letterId: string): Promise<Map<string, number>> {
  const wanted = new Set(addresses);
  const received = new Map<string, number>();
  for (const l of (await standInLetters(standIn)).letters) {
    if (l.tags.letter !== letterId || !wanted.has(l.to[0]!)) continue;
    received.set(l.to[0]!, (received.get(l.to[0]!) ?? 0) + 1);
  }
  return received;
}

/** A fresh ward and `n` verified members of it subscribed to 'ward' news: an audience no other test shares. */
export async function wardAudience(n: number): Promise<{ wardId: string; users: { id: string; email: string }[] }> {
  const wardId = crypto.randomUUID();
  await DB.prepare("INSERT INTO wards (id, slug, name, area, status, founding_threshold, created_at, updated_at) VALUES (?1, ?1, 'Ward', 'Area', 'active', 5, ?2, ?2)").bind(wardId, T0).run();
  const users = [];
  for (let i = 0; i < n; i++) {
    const user = await subscriber(["ward"]);
    await DB.prepare("INSERT INTO ward_members (user_id, ward_id, joined_at) VALUES (?1, ?2, ?3)").bind(user.id, wardId, T0).run();
    users.push(user);
  }
  return { wardId, users };
}
