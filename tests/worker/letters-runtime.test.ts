// The letters' entry points as the Worker calls them (functions/letters/runtime.ts): the sender the settings make,
// the minute cron starting a scheduled letter that miniflare's real queue (configured from wrangler.toml) then
// delivers to the real consumer in the test Worker's entry, into the dev mailbox; the mailto unsubscribe; and a
// consumer without HASH_SECRET, which waits instead of sending letters whose unsubscribe links it cannot make.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { handleLettersQueue, handleUnsubscribeEmail, letterSenderFromEnv, runLettersMinute, type LettersEnv } from "@functions/letters/runtime";
import { scheduleLetter, readLetter } from "@functions/letters/store";
import { readSubscriptions } from "@functions/letters/subscriptions";
import { unsubscribeToken } from "@functions/letters/unsubscribe";
import { HASH_SECRET, T0, count } from "./support";
import { letter, wardAudience } from "./letters-support";

const base: LettersEnv = { DB: env.DB, LETTERS: env.LETTERS, SITE_URL: "https://smallism.example", HASH_SECRET };

describe("the sender the settings make", () => {
  it("is SES with keys and a From, the dev mailbox with DEV_MAILBOX=1, and none otherwise", () => {
    expect(letterSenderFromEnv(base)).toBeNull();
    expect(letterSenderFromEnv({ ...base, LETTERS_FROM: "Smallism <l@smallism.example>" })).toBeNull();
    const ses = letterSenderFromEnv({ ...base, LETTERS_FROM: "Smallism <l@smallism.example>", LETTERS_AWS_ACCESS_KEY_ID: "AKID", LETTERS_AWS_SECRET_ACCESS_KEY: "secret", LETTERS_UNSUBSCRIBE_MAILTO: "u@smallism.example" });
    expect({ from: ses!.from, mailbox: ses!.unsubscribeMailbox }).toEqual({ from: "Smallism <l@smallism.example>", mailbox: "u@smallism.example" });
    const dev = letterSenderFromEnv({ ...base, DEV_MAILBOX: "1" });
    expect(dev!.from).toBe("Smallism letters <letters@localhost>");
  });
});

describe("the minute cron and the real queue", () => {
  it("starts a due letter, which the queue delivers to the consumer and the dev mailbox receives", async () => {
    const { wardId, users } = await wardAudience(2);
    const id = await letter({ audience: "ward", wardId, subject: `Through the queue ${wardId}` });
    expect(await scheduleLetter(env.DB, id, T0 + 60, T0)).toBe(true);
    await runLettersMinute(base, T0 + 60);
    for (let i = 0; i < 100 && (await readLetter(env.DB, id))!.status !== "sent"; i++) await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await readLetter(env.DB, id))!.status).toBe("sent");
    for (const user of users) expect(await count("SELECT COUNT(*) AS n FROM dev_mailbox WHERE recipient = ?1 AND subject = ?2", user.email, `Through the queue ${wardId}`)).toBe(1);
  });
});

describe("the mailto unsubscribe and a missing secret", () => {
  it("unsubscribes by a valid token in the subject, and nothing else", async () => {
    const { users: [member] } = await wardAudience(1);
    const token = unsubscribeToken(HASH_SECRET, { deliveryId: "d-mail", userId: member!.id, topic: "ward" });
    expect(await handleUnsubscribeEmail("Re: nothing", base)).toBe(false);
    expect(await handleUnsubscribeEmail(`unsubscribe ${token.slice(0, -1)}x`, base)).toBe(false);
    expect(await handleUnsubscribeEmail(`unsubscribe ${token}`, { ...base, HASH_SECRET: "" })).toBe(false);
    expect((await readSubscriptions(env.DB, member!.id)).ward).toBe(true);
    expect(await handleUnsubscribeEmail(`unsubscribe ${token}`, base)).toBe(true);
    expect((await readSubscriptions(env.DB, member!.id)).ward).toBe(false);
  });

  it("retries the whole batch later when HASH_SECRET is missing", async () => {
    const batch = createMessageBatch<unknown>("smallism-letters", [{ id: "a", timestamp: new Date(), attempts: 1, body: { kind: "fan-out", letterId: "x", after: null } }]);
    const ctx = createExecutionContext();
    await handleLettersQueue(batch, { ...base, HASH_SECRET: "" });
    const result = await getQueueResult(batch, ctx);
    expect(result.retryBatch.retry).toBe(true);
    expect(result.explicitAcks).toEqual([]);
  });
});
