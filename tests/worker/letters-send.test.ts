// Sending letters inside workerd: the real fan-out and queue consumer (fed as Queues batches made with cloudflare:test,
// acked and retried as Queues does), real D1 with the real migrations, and the real SES client signing its calls to
// the local stand-in (tests/support/letters-provider-stand-in.mjs). Each test writes to a ward of its own, so no two
// share an audience. Exactly once under duplicated messages and concurrent "Send"; RFC 8058 headers; permanent and
// exhausted failures; the one window where a crash leaves the outcome unknown; malformed and dead-lettered messages.
// The 2,000-subscriber send with provider failures and a crash is letters-large-send.test.ts.
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { consumeDeadLetters, consumeLetterBatch, INTERRUPTED, resolveInterruptedDeliveries, SEND, type ConsumerDeps } from "@functions/letters/consumer";
import { letterProgress, readLetter, startSending } from "@functions/letters/store";
import { FAN_OUT_STALL, resumeStalledFanOuts, runFanOutStep } from "@functions/letters/fan-out";
import { readUnsubscribeToken } from "@functions/letters/unsubscribe";
import { createMessageBatch, createExecutionContext, getQueueResult } from "cloudflare:test";
import { HASH_SECRET, T0 } from "./support";
import { consumerDeps, crashOnce, drain, failProvider, letter, memoryQueue, receivedBy, standInLetters, wardAudience } from "./letters-support";

const DB = env.DB;
const standIn = inject("lettersStandIn");
const deps = (queue: ReturnType<typeof memoryQueue>, extra: Partial<ConsumerDeps> = {}) => consumerDeps(standIn, queue, extra);

describe("duplicates", () => {
  it("sends once when a message is delivered twice, in turn or at the same time, and when Send is clicked twice at once", async () => {
    const { wardId, users } = await wardAudience(30);
    const audience = users.map((u) => u.email);
    const id = await letter({ audience: "ward", wardId });
    const queue = memoryQueue();
    const outcomes = await Promise.all([startSending(DB, queue, id, T0), startSending(DB, queue, id, T0)]);
    expect(outcomes.sort()).toEqual(["already", "started"]);
    // Run the fan-out, then duplicate every send message: once later, once at the same time.
    await drain(queue, async (batch) => {
      const sends = batch.messages.filter((m) => (m.body as { kind: string }).kind === "send" && !m.id.endsWith("-again"));
      for (const m of sends) queue.messages.push({ id: `${m.id}-again`, body: structuredClone(m.body) as never, attempts: 1 });
      const copy = createMessageBatch("smallism-letters", sends.map((m) => ({ id: `${m.id}-twin`, timestamp: m.timestamp, attempts: 1, body: m.body })));
      await Promise.all([consumeLetterBatch(batch, deps(queue)), sends.length > 0 ? consumeLetterBatch(copy, deps(queue)) : Promise.resolve()]);
    }, { batchSize: 1 });
    const received = await receivedBy(standIn, audience, id);
    expect(received.size).toBe(users.length);
    expect([...received.values()].every((n) => n === 1)).toBe(true);
  });
});

describe("the fan-out", () => {
  it("runs in steps by keyset; a repeated step enqueues nothing new, and a lost step is resumed from its cursor", async () => {
    const { wardId, users } = await wardAudience(7);
    const id = await letter({ audience: "ward", wardId });
    const queue = memoryQueue();
    await startSending(DB, queue, id, T0);
    queue.messages.splice(0);
    const sizes = { pageSize: 2, pagesPerStep: 1, perMessage: 2 };
    expect(await runFanOutStep(DB, queue, id, null, T0, sizes)).toEqual({ enqueued: 2, outcome: "continued" });
    expect(await runFanOutStep(DB, queue, id, null, T0, sizes)).toEqual({ enqueued: 0, outcome: "stale" });
    const next = queue.messages.at(-1)!.body as { kind: "fan-out"; after: string };
    // The next step's continuation is lost (the queue refuses it): the fan-out stalls, and the cron resumes it.
    queue.failNext = 0;
    const original = queue.send.bind(queue);
    let refused = false;
    queue.send = async (body) => {
      if (!refused && (body as { kind: string }).kind === "fan-out") { refused = true; throw new Error("queue unavailable"); }
      return original(body);
    };
    await expect(runFanOutStep(DB, queue, id, next.after, T0 + 1, sizes)).rejects.toThrow("queue unavailable");
    queue.send = original;
    expect(await resumeStalledFanOuts(DB, queue, T0 + 60)).toBe(0);
    expect(await resumeStalledFanOuts(DB, queue, T0 + 1 + FAN_OUT_STALL)).toBe(1);
    for (let guard = 0; guard < 10; guard++) {
      const step = queue.messages.findLast((m) => (m.body as { kind: string }).kind === "fan-out");
      if (!step) break;
      queue.messages.splice(queue.messages.indexOf(step), 1);
      const { after } = step.body as { after: string | null };
      if ((await runFanOutStep(DB, queue, id, after, T0 + 2000, sizes)).outcome === "finished") break;
    }
    const enqueued = queue.messages.flatMap((m) => (m.body as { deliveryIds?: string[] }).deliveryIds ?? []);
    expect(new Set(enqueued).size).toBe(users.length);
    expect((await readLetter(DB, id))!.fannedOutAt).not.toBeNull();
    expect((await readLetter(DB, id))!.recipientCount).toBe(users.length);
  });
});

describe("the email", () => {
  it("has both parts, List-Id and RFC 8058 one-click unsubscribe headers whose token names the delivery", async () => {
    const { wardId, users: [user] } = await wardAudience(1);
    const id = await letter({ subject: "Buses we own", bodyHtml: "<p>The <em>plan</em>.</p>", bodyText: "The plan.", audience: "ward", wardId });
    const queue = memoryQueue();
    await startSending(DB, queue, id, T0);
    await drain(queue, (batch) => consumeLetterBatch(batch, deps(queue)));
    const [mail] = (await standInLetters(standIn)).letters.filter((l) => l.to[0] === user!.email);
    expect(mail!.subject).toBe("Buses we own");
    expect(mail!.text).toContain("The plan.");
    expect(mail!.html).toContain("<p>The <em>plan</em>.</p>");
    expect(mail!.headers["List-Id"]).toBe("Smallism ward news <ward.letters.smallism.example>");
    expect(mail!.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const match = /^<(https:\/\/smallism\.example\/unsubscribe\?t=([^>]+))>, <mailto:unsubscribe@smallism\.example\?subject=([^>]+)>$/.exec(mail!.headers["List-Unsubscribe"]!);
    expect(match).not.toBeNull();
    const token = decodeURIComponent(match![2]!);
    expect(decodeURIComponent(match![3]!)).toBe(`unsubscribe ${token}`);
    const delivery = await DB.prepare("SELECT id, provider_message_id FROM deliveries WHERE letter_id = ?1 AND user_id = ?2").bind(id, user!.id).first<{ id: string; provider_message_id: string }>();
    expect(readUnsubscribeToken(HASH_SECRET, token)).toEqual({ deliveryId: delivery!.id, userId: user!.id, topic: "ward" });
    expect(mail!.tags).toEqual({ delivery: delivery!.id, letter: id });
    expect(delivery!.provider_message_id).toBe(mail!.messageId);
    expect(mail!.html).toContain(match![1]!.replace(/&/g, "&#38;"));
    expect(mail!.text).toContain(match![1]!);
  });
});

describe("failures", () => {
  it("fails a delivery the provider refuses for good at once, and one that keeps failing after the last try", async () => {
    const { wardId, users: [refused] } = await wardAudience(1);
    const id = await letter({ audience: "ward", wardId });
    const queue = memoryQueue();
    await startSending(DB, queue, id, T0);
    const refusedDelivery = async () => DB.prepare("SELECT status, attempts, reason FROM deliveries WHERE letter_id = ?1 AND user_id = ?2").bind(id, refused!.id).first<{ status: string; attempts: number; reason: string }>();
    // Fan out, then let the provider refuse the first call permanently and fail every later one.
    await drain(queue, async (batch) => {
      const kinds = batch.messages.map((m) => (m.body as { kind: string }).kind);
      if (kinds.includes("send")) await failProvider(standIn, { rate: 1, seed: 1, status: 503 });
      await consumeLetterBatch(batch, deps(queue));
    }, { maxRetries: SEND.maxAttempts + 1 });
    await failProvider(standIn, { rate: 0 });
    const row = await refusedDelivery();
    expect(row).toMatchObject({ status: "failed", attempts: SEND.maxAttempts });
    expect(row!.reason).toMatch(/SES 503 ServiceUnavailable.*gave up after 5 tries/);
    const progress = await letterProgress(DB, id);
    expect(progress.failed).toBeGreaterThan(0);
    expect(progress.pending).toBe(0);
    expect((await readLetter(DB, id))!.status).toBe("sent");

    const { wardId: otherWard, users: [rejected] } = await wardAudience(1);
    const second = await letter({ audience: "ward", wardId: otherWard });
    const q2 = memoryQueue();
    await startSending(DB, q2, second, T0);
    await drain(q2, async (batch) => {
      if (batch.messages.some((m) => (m.body as { kind: string }).kind === "send")) await failProvider(standIn, { rate: 1, seed: 1, status: 400, type: "MessageRejected" });
      await consumeLetterBatch(batch, deps(q2));
    });
    await failProvider(standIn, { rate: 0 });
    const once = await DB.prepare("SELECT status, attempts, reason FROM deliveries WHERE letter_id = ?1 AND user_id = ?2").bind(second, rejected!.id).first<{ status: string; attempts: number; reason: string }>();
    expect(once).toMatchObject({ status: "failed", attempts: 1 });
    expect(once!.reason).toContain("MessageRejected");
  });

  it("retries a throttled call without spending one of the delivery's tries", async () => {
    const { wardId, users: [member] } = await wardAudience(1);
    const id = await letter({ audience: "ward", wardId });
    const queue = memoryQueue();
    await startSending(DB, queue, id, T0);
    let throttled = 0;
    await drain(queue, async (batch) => {
      if (batch.messages.some((m) => (m.body as { kind: string }).kind === "send") && throttled++ < SEND.maxAttempts + 1) await failProvider(standIn, { next: 1, status: 400, type: "Throttling" });
      await consumeLetterBatch(batch, deps(queue));
    }, { maxRetries: 20 });
    const row = await DB.prepare("SELECT status, attempts FROM deliveries WHERE letter_id = ?1 AND user_id = ?2").bind(id, member!.id).first();
    expect(row).toEqual({ status: "sent", attempts: 1 });
    expect((await receivedBy(standIn, [member!.email], id)).get(member!.email)).toBe(1);
  });

  it("leaves a delivery whose consumer died between the provider call and its outcome as interrupted, never resent", async () => {
    const { wardId, users: [user] } = await wardAudience(1);
    const id = await letter({ audience: "ward", wardId });
    const queue = memoryQueue();
    await startSending(DB, queue, id, T0);
    // Crash on the batch that would write the outcome of a call the provider already accepted.
    const db = crashOnce((sql) => sql.some((s) => s.includes("FROM json_each(?1) j WHERE deliveries.id")));
    await drain(queue, (batch) => consumeLetterBatch(batch, deps(queue, { db })));
    expect(db.crashed).toBe(true);
    expect((await receivedBy(standIn, [user!.email], id)).get(user!.email)).toBe(1);
    // Redelivered while the claim is young: left alone. After the lease: failed as interrupted, and not sent again.
    expect(await resolveInterruptedDeliveries(DB, T0 + 60)).toBe(0);
    const resolved = await resolveInterruptedDeliveries(DB, T0 + SEND.lease + 1);
    expect(resolved).toBeGreaterThan(0);
    const row = await DB.prepare("SELECT status, reason FROM deliveries WHERE letter_id = ?1 AND user_id = ?2").bind(id, user!.id).first();
    expect(row).toEqual({ status: "failed", reason: INTERRUPTED });
    expect((await receivedBy(standIn, [user!.email], id)).get(user!.email)).toBe(1);
    expect((await readLetter(DB, id))!.status).toBe("sent");
  });

  it("drops malformed messages, and the dead-letter queue fails what a message still held", async () => {
    const queue = memoryQueue();
    const garbage = createMessageBatch<unknown>("smallism-letters", [{ id: "x", timestamp: new Date(), attempts: 1, body: { kind: "send", letterId: 5 } }, { id: "y", timestamp: new Date(), attempts: 1, body: "hello" }]);
    const ctx = createExecutionContext();
    await consumeLetterBatch(garbage, deps(queue));
    expect((await getQueueResult(garbage, ctx)).explicitAcks.sort()).toEqual(["x", "y"]);

    const { wardId } = await wardAudience(3);
    const id = await letter({ audience: "ward", wardId });
    await startSending(DB, queue, id, T0);
    const fanOut = queue.messages.splice(0);
    await consumeLetterBatch(createMessageBatch("smallism-letters", fanOut.map((m) => ({ ...m, timestamp: new Date() }))), deps(queue));
    const sends = queue.messages.splice(0);
    const deadBatch = createMessageBatch("smallism-letters-dead", sends.map((m) => ({ ...m, timestamp: new Date() })));
    await consumeDeadLetters(deadBatch, DB, T0);
    const progress = await letterProgress(DB, id);
    expect(progress.pending).toBe(0);
    expect(progress.failed).toBe(progress.recipients);
    expect((await readLetter(DB, id))!.status).toBe("sent");
  });
});
