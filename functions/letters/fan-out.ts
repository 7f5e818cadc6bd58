// The fan-out: turns a letter that has started sending into queue messages of recipients, a few pages at a time.
// Each step reads pages of recipients by keyset (functions/letters/audience.ts), writes their deliveries rows as
// 'pending' (UNIQUE(letter_id, user_id): a repeated step writes nothing new), enqueues them in 'send' messages and
// then enqueues the next step, so a million members never need one long request or one long queue invocation.
// A step moves letters.fan_out_cursor from the cursor it was given to the last member it enqueued with a
// compare-and-swap: a duplicate step (a redelivered message, a resumed stall) loses the swap and enqueues no second
// chain, and its 'send' messages only name deliveries that are still pending, which the consumer claims once.
import { readRecipientPage } from "./audience";

/** The messages on the letters queue: a fan-out step, or recipients' deliveries to send. */
export type LetterMessage =
  | { kind: "fan-out"; letterId: string; after: string | null }
  | { kind: "send"; letterId: string; deliveryIds: string[] };
export type LetterQueue = Queue<LetterMessage>;

/** Recipients read per page, pages per step, and deliveries per 'send' message (max_batch_size in wrangler.toml). */
export const FAN_OUT = { pageSize: 500, pagesPerStep: 10, perMessage: 50 } as const;
/** A fan-out that has not moved for this long (seconds) is resumed by the minute cron. */
export const FAN_OUT_STALL = 15 * 60;

/**
 * The statement that marks a letter 'sent' once its fan-out has finished and no delivery is pending (an index probe
 * on deliveries_letter_status). The consumer batches it after every message's outcomes.
 */
export function completeLetterStatement(db: D1Database, letterId: string, now: number): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE letters SET status = 'sent', sent_at = ?2 WHERE id = ?1 AND status = 'sending' AND fanned_out_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM deliveries WHERE letter_id = ?1 AND status = 'pending')`,
    )
    .bind(letterId, now);
}

/** The message that runs the fan-out step after member id `after` (null: the first). */
export function fanOutMessage(letterId: string, after: string | null): LetterMessage {
  return { kind: "fan-out", letterId, after };
}

interface FanOutLetter { audience: "essays" | "ward" | "monthly-donors"; ward_id: string | null; status: string; fan_out_cursor: string | null; fanned_out_at: number | null }

/** What a step did: how many deliveries it enqueued, and whether the fan-out is finished or was a stale duplicate. */
export interface FanOutReport { enqueued: number; outcome: "continued" | "finished" | "stale" }

/** Runs one fan-out step of `letterId` from member id `after`. */
export async function runFanOutStep(
  db: D1Database, queue: LetterQueue, letterId: string, after: string | null, now: number, sizes: { pageSize: number; pagesPerStep: number; perMessage: number } = FAN_OUT,
): Promise<FanOutReport> {
  const letter = await db.prepare("SELECT audience, ward_id, status, fan_out_cursor, fanned_out_at FROM letters WHERE id = ?1").bind(letterId).first<FanOutLetter>();
  if (letter === null || letter.status !== "sending" || letter.fanned_out_at !== null || letter.fan_out_cursor !== after) return { enqueued: 0, outcome: "stale" };
  let cursor = after;
  let enqueued = 0;
  let finished = false;
  for (let page = 0; page < sizes.pagesPerStep && !finished; page++) {
    const ids = await readRecipientPage(db, letter.audience, letter.ward_id, cursor, sizes.pageSize);
    finished = ids.length < sizes.pageSize;
    if (ids.length === 0) break;
    const [, pending] = await db.batch([
      db.prepare(
        `INSERT INTO deliveries (id, letter_id, user_id, status, created_at, updated_at)
         SELECT lower(hex(randomblob(12))), ?1, j.value, 'pending', ?2, ?2 FROM json_each(?3) j WHERE true
         ON CONFLICT (letter_id, user_id) DO NOTHING`,
      ).bind(letterId, now, JSON.stringify(ids)),
      db.prepare("SELECT id FROM deliveries WHERE letter_id = ?1 AND user_id > ?2 AND user_id <= ?3 AND status = 'pending' AND claimed_at IS NULL ORDER BY user_id")
        .bind(letterId, cursor ?? "", ids.at(-1)!),
    ]);
    const deliveryIds = (pending!.results as { id: string }[]).map((row) => row.id);
    await enqueueSends(queue, letterId, deliveryIds, sizes.perMessage);
    enqueued += deliveryIds.length;
    cursor = ids.at(-1)!;
  }
  // The swap: only the step that still holds the cursor it started from moves it on (or finishes the letter).
  const [moved] = await db.batch([
    finished
      ? db.prepare(
          `UPDATE letters SET fan_out_cursor = NULL, fanned_out_at = ?3, updated_at = ?3,
             recipient_count = (SELECT COUNT(*) FROM deliveries WHERE letter_id = ?1)
           WHERE id = ?1 AND status = 'sending' AND fanned_out_at IS NULL AND fan_out_cursor IS ?2`,
        ).bind(letterId, after, now)
      : db.prepare("UPDATE letters SET fan_out_cursor = ?3, updated_at = ?4 WHERE id = ?1 AND status = 'sending' AND fan_out_cursor IS ?2").bind(letterId, after, cursor, now),
    completeLetterStatement(db, letterId, now),
  ]);
  if ((moved!.meta.changes ?? 0) === 0) return { enqueued, outcome: "stale" };
  if (finished) return { enqueued, outcome: "finished" };
  await queue.send(fanOutMessage(letterId, cursor));
  return { enqueued, outcome: "continued" };
}

/** Enqueues `deliveryIds` in 'send' messages of `perMessage`, at most 100 messages per sendBatch (the Queues limit). */
async function enqueueSends(queue: LetterQueue, letterId: string, deliveryIds: string[], perMessage: number): Promise<void> {
  const messages: MessageSendRequest<LetterMessage>[] = [];
  for (let i = 0; i < deliveryIds.length; i += perMessage) messages.push({ body: { kind: "send", letterId, deliveryIds: deliveryIds.slice(i, i + perMessage) } });
  for (let i = 0; i < messages.length; i += 100) await queue.sendBatch(messages.slice(i, i + 100));
}

/**
 * Enqueues the fan-out again for letters whose fan-out has not moved for FAN_OUT_STALL (its message was lost: the
 * enqueue after "Send" failed, or a step died between its swap and enqueuing the next). From the stored cursor, so
 * the swap keeps one chain even if the old one was only slow. Run by the minute cron.
 */
export async function resumeStalledFanOuts(db: D1Database, queue: LetterQueue, now: number): Promise<number> {
  const { results } = await db
    .prepare("SELECT id, fan_out_cursor FROM letters WHERE status = 'sending' AND fanned_out_at IS NULL AND updated_at <= ?1 LIMIT 20")
    .bind(now - FAN_OUT_STALL)
    .all<{ id: string; fan_out_cursor: string | null }>();
  for (const row of results) {
    await db.prepare("UPDATE letters SET updated_at = ?2 WHERE id = ?1").bind(row.id, now).run();
    await queue.send(fanOutMessage(row.id, row.fan_out_cursor));
  }
  return results.length;
}
