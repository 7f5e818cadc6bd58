// The letters' entry points the Worker calls (src/worker.ts; the worker tests' entry calls the same): the queue
// consumer with its sender made from the settings, the minute cron's work, and the mailto unsubscribe. The sender:
// SES when its keys and LETTERS_FROM are set (LETTERS_API_BASE points it at the tests' stand-in); with DEV_MAILBOX=1
// every letter also lands in the dev mailbox, which is the only destination when no provider is set (npm run dev).
import { nowSeconds } from "@functions/clock";
import { countQueries, withQueryCounting } from "@functions/http/d1-counter";
import { logger } from "@functions/log";
import { consumeDeadLetters, consumeLetterBatch, resolveInterruptedDeliveries } from "./consumer";
import { resumeStalledFanOuts, type LetterQueue } from "./fan-out";
import { LetterSendError, withDevMailbox, type LetterSender } from "./sender";
import { createSesSender } from "./ses-sender";
import { startDueLetters } from "./store";
import { tokenFromSubject, unsubscribeWithToken } from "./unsubscribe";

const log = logger("letters");

/** The settings the letters read (a subset of the Worker's Env, so tests can pass their own). */
export interface LettersEnv {
  DB: D1Database;
  LETTERS: Queue;
  SITE_URL: string;
  HASH_SECRET?: string;
  DEV_MAILBOX?: string;
  COUNT_D1_QUERIES?: string;
  LETTERS_FROM?: string;
  LETTERS_SES_REGION?: string;
  LETTERS_SES_CONFIGURATION_SET?: string;
  LETTERS_UNSUBSCRIBE_MAILTO?: string;
  LETTERS_AWS_ACCESS_KEY_ID?: string;
  LETTERS_AWS_SECRET_ACCESS_KEY?: string;
  LETTERS_API_BASE?: string;
}

/** The From of letters when none is set: only the dev mailbox ever sees it. */
const DEV_FROM = "Smallism letters <letters@localhost>";

/** The sender the settings describe, or null when letters cannot be sent (no provider and no dev mailbox). */
export function letterSenderFromEnv(env: LettersEnv, now: () => number = nowSeconds): LetterSender | null {
  const from = env.LETTERS_FROM?.trim() ?? "";
  const keyId = env.LETTERS_AWS_ACCESS_KEY_ID?.trim() ?? "";
  const secret = env.LETTERS_AWS_SECRET_ACCESS_KEY?.trim() ?? "";
  const ses = from && keyId && secret
    ? createSesSender({
        accessKeyId: keyId, secretAccessKey: secret, region: env.LETTERS_SES_REGION?.trim() || "eu-west-2", from,
        configurationSet: env.LETTERS_SES_CONFIGURATION_SET?.trim() || null, unsubscribeMailbox: env.LETTERS_UNSUBSCRIBE_MAILTO?.trim() || null,
        apiBase: env.LETTERS_API_BASE?.trim() ?? "",
      })
    : null;
  if (env.DEV_MAILBOX === "1") return withDevMailbox(env.DB, ses, from || DEV_FROM, now);
  return ses;
}

/** A sender for when letters are not set up: every try fails with the reason, so the progress page says it. */
const UNCONFIGURED: LetterSender = {
  from: DEV_FROM,
  unsubscribeMailbox: null,
  async send() { throw new LetterSendError("letters are not set up (LETTERS_FROM and the SES keys: README, Letters)", false); },
};

/** The Worker's `queue` handler: the letters queue, or its dead-letter queue. */
export async function handleLettersQueue(batch: MessageBatch<unknown>, env: LettersEnv): Promise<void> {
  if (batch.queue.endsWith("-dead")) return consumeDeadLetters(batch, env.DB, nowSeconds());
  const secret = env.HASH_SECRET?.trim() ?? "";
  if (secret.length < 16) {
    log.error("hash_secret.missing", { message: "HASH_SECRET is not set: letters wait, since their unsubscribe links need it." });
    batch.retryAll({ delaySeconds: 300 });
    return;
  }
  const sender = letterSenderFromEnv(env) ?? UNCONFIGURED;
  const consume = (db: D1Database) => consumeLetterBatch(batch, { db, queue: env.LETTERS as LetterQueue, sender, secret, siteUrl: env.SITE_URL, now: nowSeconds });
  if (env.COUNT_D1_QUERIES !== "1") return consume(env.DB);
  // Tests and the bench: one line per batch with its D1 round trips and the deliveries its messages named.
  const { queries } = await countQueries(() => consume(withQueryCounting(env.DB)));
  const deliveries = batch.messages.reduce((n, m) => n + ((m.body as { deliveryIds?: unknown[] }).deliveryIds?.length ?? 0), 0);
  log.info("queue.batch", { messages: batch.messages.length, deliveries, queries });
}

/** The minute cron: starts scheduled letters that are due, resumes stalled fan-outs, settles interrupted claims. */
export async function runLettersMinute(env: LettersEnv, now: number): Promise<void> {
  const queue = env.LETTERS as LetterQueue;
  const started = await startDueLetters(env.DB, queue, now);
  const resumed = await resumeStalledFanOuts(env.DB, queue, now);
  const interrupted = await resolveInterruptedDeliveries(env.DB, now);
  if (started + resumed + interrupted > 0) log.info("letters.minute", { started, resumed, interrupted });
}

/** The Worker's `email` handler: a message to LETTERS_UNSUBSCRIBE_MAILTO whose subject carries a valid token unsubscribes. */
export async function handleUnsubscribeEmail(subject: string, env: LettersEnv): Promise<boolean> {
  const token = tokenFromSubject(subject);
  const secret = env.HASH_SECRET?.trim() ?? "";
  if (token === null || secret.length < 16) return false;
  const outcome = await unsubscribeWithToken(env.DB, secret, token);
  log.info("unsubscribe.mailto", { ok: outcome.ok });
  return outcome.ok;
}
