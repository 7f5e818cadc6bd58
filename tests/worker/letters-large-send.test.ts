// The large send inside workerd, in a file of its own (a fresh D1, so its 2,000 subscribers are the whole essays
// audience): the real fan-out and queue consumer fed as Queues batches (cloudflare:test createMessageBatch, acked and
// retried as Queues does), real D1 with the real migrations, and the real SES client signing its calls to the local
// stand-in, which fails 10% of them; the consumer crashes once mid-batch. Every subscriber gets exactly one email and
// no one else any.
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { consumeLetterBatch } from "@functions/letters/consumer";
import { letterProgress, readLetter, startSending } from "@functions/letters/store";
import { setSubscriptionStatements } from "@functions/letters/subscriptions";
import { suppressStatement } from "@functions/letters/suppression";
import { T0, count } from "./support";
import { consumerDeps, crashOnce, drain, failProvider, letter, manySubscribers, memoryQueue, receivedBy, subscriber } from "./letters-support";

const DB = env.DB;
const standIn = inject("lettersStandIn");

describe("a large send", () => {
  it("reaches every subscriber exactly once despite 10% provider failures and a consumer crash, and no one else", async () => {
    const members = await manySubscribers(2000, `big-${crypto.randomUUID().slice(0, 6)}`);
    const unsubscribed = await Promise.all(Array.from({ length: 30 }, () => subscriber(["ward"])));
    const unverified = await Promise.all(Array.from({ length: 20 }, () => subscriber(["essays"], { verified: false })));
    const suppressed = await Promise.all(Array.from({ length: 30 }, () => subscriber(["essays"])));
    await DB.batch(suppressed.map((u) => suppressStatement(DB, u.email, "bounce", "550 5.1.1 unknown user", T0)));
    const id = await letter({ audience: "essays" });
    const queue = memoryQueue();
    await failProvider(standIn, { rate: 0.1, seed: 14 });
    // The crash: a later message's first claim (no outcome of a provider call is riding on it), after other messages
    // of its batch were sent and acked. A crash between a provider call and its outcome's write is the one window
    // exactly-once cannot close: letters-send.test.ts shows what happens then.
    let claims = 0;
    const db = crashOnce((sql) => sql.length === 1 && sql[0]!.includes("SET claimed_at = ?2") && ++claims === 7);
    expect(await startSending(DB, queue, id, T0)).toBe("started");
    // Members who unsubscribe after the fan-out wrote their delivery are skipped at send time.
    const lateLeaver = members[1999]!;
    let left = false;
    const { dead } = await drain(queue, async (batch) => {
      await consumeLetterBatch(batch, consumerDeps(standIn, queue, { db }));
      if (!left && (await count("SELECT COUNT(*) AS n FROM deliveries WHERE letter_id = ?1 AND user_id = ?2", id, lateLeaver.id)) === 1) {
        left = true;
        await DB.batch(setSubscriptionStatements(DB, lateLeaver.id, { essays: false }, T0));
      }
    });
    await failProvider(standIn, { rate: 0 });
    expect(db.crashed).toBe(true);
    expect(left).toBe(true);
    expect(dead).toEqual([]);

    const everyone = [...members, ...unsubscribed, ...unverified, ...suppressed].map((u) => u.email);
    const received = await receivedBy(standIn, everyone, id);
    const expected = members.filter((m) => m !== lateLeaver).map((m) => m.email);
    expect([...received.keys()].sort()).toEqual(expected.sort());
    expect([...received.values()].every((n) => n === 1)).toBe(true);
    const progress = await letterProgress(DB, id);
    expect(progress).toMatchObject({ recipients: 2000, sent: 1999, skipped: 1, failed: 0, pending: 0 });
    expect(progress.reasons).toEqual([{ reason: "unsubscribed", count: 1 }]);
    expect((await readLetter(DB, id))!.status).toBe("sent");
    // Retries happened: some deliveries needed more than one try.
    expect(await count("SELECT COUNT(*) AS n FROM deliveries WHERE letter_id = ?1 AND attempts > 1", id)).toBeGreaterThan(100);
  });
});

