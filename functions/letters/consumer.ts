// The letters queue's consumer (src/worker.ts `queue`): runs fan-out steps and sends deliveries, acking each message
// on its own. A delivery is sent at most once:
// - its row exists (pending) before anyone calls the provider (the fan-out wrote it);
// - a consumer claims it with one conditional UPDATE (pending, unclaimed → claimed), so of two copies of a message
//   running at once only one sends it, and a redelivered message finds it sent or claimed and leaves it;
// - the outcome (sent / failed / still pending after an error a retry can get past) is written in the same round trip
//   that claims the next few, and clears the claim.
// At send time consent, verification, ward and the suppression list are checked again: who stopped meanwhile is skipped.
// A claim that outlives LEASE (its consumer died between claiming and writing the outcome) is the one case whose
// outcome is unknown: it is marked failed, never resent, and a later SES event for it turns it into sent
// (functions/letters/provider-events.ts). README: Letters states the window.
import { logger } from "@functions/log";
import type { LetterAudience } from "./audience";
import { completeLetterStatement, runFanOutStep, type LetterMessage, type LetterQueue } from "./fan-out";
import { buildLetterEmail } from "./message";
import { LetterSendError, type LetterSender } from "./sender";

const log = logger("letters");

/** Provider tries per delivery, provider calls in flight per message, and how long a claim may stay (seconds). */
export const SEND = { maxAttempts: 5, inFlight: 10, lease: 15 * 60 } as const;
/** The reason a delivery gets when its consumer died mid-call: SES may or may not have it (README: Letters). */
export const INTERRUPTED = "interrupted during the provider call; not resent, so that no one gets it twice";

export interface ConsumerDeps { db: D1Database; queue: LetterQueue; sender: LetterSender; secret: string; siteUrl: string; now: () => number }

/** Seconds before a message with provider errors is tried again: 30 s, doubling, at most 10 minutes. */
export function backoffSeconds(attempt: number): number {
  return Math.min(600, 30 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Handles one batch, its messages side by side (each with SEND.inFlight provider calls): each message is acked when
 * done, or retried with backoff when some delivery should be tried again. A message that throws (D1 unreachable, the
 * isolate dying) is neither, so Queues delivers it again; the others keep their own outcome.
 */
export async function consumeLetterBatch(batch: MessageBatch<unknown>, deps: ConsumerDeps): Promise<void> {
  const results = await Promise.allSettled(batch.messages.map(async (message) => {
    const retryIn = await handleMessage(message.body, deps);
    if (retryIn === null) message.ack();
    else message.retry({ delaySeconds: retryIn });
  }));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) throw failed.reason;
}

/** A message body as it may arrive (queues carry whatever was sent; anything else is dropped with a log line). */
function readMessage(body: unknown): LetterMessage | null {
  if (typeof body !== "object" || body === null) return null;
  const m = body as Record<string, unknown>;
  if (typeof m.letterId !== "string") return null;
  if (m.kind === "fan-out" && (m.after === null || typeof m.after === "string")) return { kind: "fan-out", letterId: m.letterId, after: m.after };
  if (m.kind === "send" && Array.isArray(m.deliveryIds) && m.deliveryIds.length <= 100 && m.deliveryIds.every((id) => typeof id === "string"))
    return { kind: "send", letterId: m.letterId, deliveryIds: m.deliveryIds as string[] };
  return null;
}

/** Runs one message; null when it is done, else the seconds to wait before it runs again. */
async function handleMessage(body: unknown, deps: ConsumerDeps): Promise<number | null> {
  const message = readMessage(body);
  if (message === null) {
    log.error("queue.malformed_message", {});
    return null;
  }
  if (message.kind === "fan-out") {
    const report = await runFanOutStep(deps.db, deps.queue, message.letterId, message.after, deps.now());
    log.info("fan_out.step", { letterId: message.letterId, ...report });
    return null;
  }
  return sendDeliveries(message.letterId, message.deliveryIds, deps);
}

interface LetterRow { id: string; subject: string; body_html: string; body_text: string; audience: LetterAudience; ward_id: string | null; status: string }
interface DeliveryRow { id: string; user_id: string; claimed_at: number | null; attempts: number; email: string; verified: number; subscribed: number; suppressed: string | null; in_ward: number }
/** A delivery's outcome; `refund` gives back the try a throttled call spent. */
interface Outcome { id: string; status: "sent" | "failed" | "skipped" | "pending"; reason: string | null; messageId: string | null; refund?: 1 }

/** Why a pending delivery must not be sent now, or null when it may. */
function skipReason(row: DeliveryRow): string | null {
  if (row.suppressed !== null) return `suppressed: ${row.suppressed}`;
  if (!row.subscribed) return "unsubscribed";
  if (!row.in_ward) return "left the ward";
  if (!row.verified) return "address not verified";
  return null;
}

/** The statement that writes outcomes to pending rows and clears their claims. */
function settleStatement(db: D1Database, outcomes: Outcome[], now: number): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE deliveries SET status = j.value->>'status', reason = j.value->>'reason', provider_message_id = coalesce(j.value->>'messageId', provider_message_id),
         attempts = attempts - coalesce(j.value->>'refund', 0), claimed_at = NULL, updated_at = ?2
       FROM json_each(?1) j WHERE deliveries.id = j.value->>'id' AND deliveries.status = 'pending'`,
    )
    .bind(JSON.stringify(outcomes), now);
}

async function sendDeliveries(letterId: string, deliveryIds: string[], deps: ConsumerDeps): Promise<number | null> {
  const { db } = deps;
  const now = deps.now();
  const [letterResult, rowsResult] = await db.batch([
    db.prepare("SELECT id, subject, body_html, body_text, audience, ward_id, status FROM letters WHERE id = ?1").bind(letterId),
    db.prepare(
      `SELECT d.id, d.user_id, d.claimed_at, d.attempts, u.email, u.email_verified_at IS NOT NULL AS verified,
         EXISTS (SELECT 1 FROM letter_subscriptions s WHERE s.user_id = d.user_id
           AND s.topic = (SELECT CASE audience WHEN 'ward' THEN 'ward' ELSE 'essays' END FROM letters WHERE id = ?2)) AS subscribed,
         (SELECT x.reason FROM letter_suppressions x WHERE x.email = u.email) AS suppressed,
         (SELECT ward_id IS NULL OR EXISTS (SELECT 1 FROM ward_members w WHERE w.user_id = d.user_id AND w.ward_id = l.ward_id) FROM letters l WHERE l.id = ?2) AS in_ward
       FROM json_each(?1) j JOIN deliveries d ON d.id = j.value AND d.letter_id = ?2 JOIN users u ON u.id = d.user_id
       WHERE d.status = 'pending'`,
    ).bind(JSON.stringify(deliveryIds), letterId),
  ]);
  const letter = letterResult!.results[0] as LetterRow | undefined;
  if (letter === undefined || letter.status !== "sending") return null;
  const rows = rowsResult!.results as DeliveryRow[];
  const settled: Outcome[] = [];
  const sendable: DeliveryRow[] = [];
  for (const row of rows) {
    if (row.claimed_at !== null) {
      // Another copy of this message is sending it now, or a consumer died mid-call (see the header).
      if (row.claimed_at <= now - SEND.lease) settled.push({ id: row.id, status: "failed", reason: INTERRUPTED, messageId: null });
      continue;
    }
    const reason = skipReason(row);
    if (reason !== null) settled.push({ id: row.id, status: "skipped", reason, messageId: null });
    else sendable.push(row);
  }
  const content = { id: letter.id, subject: letter.subject, bodyHtml: letter.body_html, bodyText: letter.body_text, audience: letter.audience };
  const context = { siteUrl: deps.siteUrl, secret: deps.secret, unsubscribeMailbox: deps.sender.unsubscribeMailbox };
  let retryIn: number | null = null;
  let pendingOutcomes: Outcome[] = settled;
  for (let i = 0; i < sendable.length; i += SEND.inFlight) {
    const chunk = sendable.slice(i, i + SEND.inFlight);
    const claimNow = deps.now();
    // One round trip writes the last chunk's outcomes and claims this one.
    const results = await db.batch([
      ...(pendingOutcomes.length > 0 ? [settleStatement(db, pendingOutcomes, claimNow)] : []),
      db.prepare(
        `UPDATE deliveries SET claimed_at = ?2, attempts = attempts + 1, updated_at = ?2
         WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'pending' AND claimed_at IS NULL RETURNING id, attempts`,
      ).bind(JSON.stringify(chunk.map((row) => row.id)), claimNow),
    ]);
    const claimed = new Map((results.at(-1)!.results as { id: string; attempts: number }[]).map((row) => [row.id, row.attempts]));
    pendingOutcomes = await Promise.all(chunk.filter((row) => claimed.has(row.id)).map(async (row): Promise<Outcome> => {
      const attempts = claimed.get(row.id)!;
      try {
        const email = buildLetterEmail(content, { deliveryId: row.id, userId: row.user_id, email: row.email }, context);
        const { messageId } = await deps.sender.send(email);
        return { id: row.id, status: "sent", reason: null, messageId };
      } catch (error) {
        const permanent = error instanceof LetterSendError && error.permanent;
        const reason = (error instanceof Error ? error.message : String(error)).slice(0, 300);
        if (error instanceof LetterSendError && error.throttled) {
          retryIn = Math.max(retryIn ?? 0, backoffSeconds(1));
          return { id: row.id, status: "pending", reason, messageId: null, refund: 1 };
        }
        if (permanent || attempts >= SEND.maxAttempts) return { id: row.id, status: "failed", reason: permanent ? reason : `${reason} (gave up after ${attempts} tries)`, messageId: null };
        retryIn = Math.max(retryIn ?? 0, backoffSeconds(attempts));
        return { id: row.id, status: "pending", reason, messageId: null };
      }
    }));
  }
  await db.batch([...(pendingOutcomes.length > 0 ? [settleStatement(db, pendingOutcomes, deps.now())] : []), completeLetterStatement(db, letterId, deps.now())]);
  return retryIn;
}

/**
 * Marks claims older than LEASE failed as INTERRUPTED (their consumer died mid-call; see the header) and completes the
 * letters that were waiting only for them. Run by the minute cron, so a crash never leaves a letter 'sending'.
 */
export async function resolveInterruptedDeliveries(db: D1Database, now: number): Promise<number> {
  const { results } = await db
    .prepare(
      `UPDATE deliveries SET status = 'failed', reason = ?2, claimed_at = NULL, updated_at = ?1
       WHERE claimed_at IS NOT NULL AND claimed_at <= ?1 - ?3 AND status = 'pending' RETURNING letter_id`,
    )
    .bind(now, INTERRUPTED, SEND.lease)
    .all<{ letter_id: string }>();
  const letters = [...new Set(results.map((row) => row.letter_id))];
  if (letters.length > 0) await db.batch(letters.map((id) => completeLetterStatement(db, id, now)));
  return results.length;
}

/**
 * The dead-letter queue's consumer: a 'send' message that used every retry leaves its still-pending, unclaimed
 * deliveries failed (counted, with the reason), so the letter can finish; a lost fan-out step is resumed by the cron.
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, db: D1Database, now: number): Promise<void> {
  for (const message of batch.messages) {
    const body = readMessage(message.body);
    if (body?.kind === "send") {
      await db.batch([
        db.prepare(
          `UPDATE deliveries SET status = 'failed', reason = coalesce(reason, 'the queue gave up') || ' (dead-letter queue)', updated_at = ?3
           WHERE id IN (SELECT value FROM json_each(?1)) AND letter_id = ?2 AND status = 'pending' AND claimed_at IS NULL`,
        ).bind(JSON.stringify(body.deliveryIds), body.letterId, now),
        completeLetterStatement(db, body.letterId, now),
      ]);
    } else log.error("queue.dead_letter", { kind: body?.kind ?? "malformed", letterId: body?.letterId ?? null });
    message.ack();
  }
}
