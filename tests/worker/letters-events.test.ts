// The provider's events against real D1: SNS messages signed by the stand-in (RSA-SHA256 under its certificate, as
// SNS signs), checked by the real webhook code in workerd. Forged, altered, unsigned, SHA-1, stale, other topics' and
// replayed messages change nothing; a valid bounce suppresses and the next letter skips the address; a complaint
// suppresses for good; a subscription is confirmed only when its own signature holds; the retention fold keeps counts.
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { STAND_IN_TOPIC } from "@tests/support/letters-stand-in-keys.mjs";
import { isTrustedSnsUrl, receiveProviderEvent, type EventsSettings } from "@functions/letters/provider-events";
import { consumeLetterBatch, INTERRUPTED } from "@functions/letters/consumer";
import { letterProgress, startSending } from "@functions/letters/store";
import { readSuppression, reenableLetters } from "@functions/letters/suppression";
import { foldOldDeliveries, RETENTION } from "@functions/letters/retention";
import { deleteExpiredRows } from "@functions/housekeeping";
import { T0, count } from "./support";
import { consumerDeps, drain, letter, memoryQueue, receivedBy, wardAudience } from "./letters-support";

const DB = env.DB;
const standIn = inject("lettersStandIn");
const now = () => Math.floor(Date.now() / 1000);
const settings = (extra: Partial<EventsSettings> = {}): EventsSettings => ({ db: DB, topicArn: STAND_IN_TOPIC, now: now(), allowedCertUrl: `${standIn}/sns/cert.pem`, ...extra });

/** An SNS message signed by the stand-in (as SNS signs), with `fields` over its defaults. */
async function signed(fields: Record<string, unknown>): Promise<Record<string, string>> {
  return (await fetch(`${standIn}/__sns/sign`, { method: "POST", body: JSON.stringify(fields) })).json();
}
const bounce = (email: string, type = "Permanent") => JSON.stringify({
  eventType: "Bounce", mail: { tags: { delivery: ["d1"] } }, bounce: { bounceType: type, bouncedRecipients: [{ emailAddress: email, diagnosticCode: "smtp; 550 5.1.1 user unknown" }] },
});
const post = (body: unknown) => new Request("https://smallism.example/api/letters/events", { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });

describe("provider events", () => {
  it("suppresses on a valid permanent bounce, and the next letter skips the address", async () => {
    const { wardId, users: [bounced, other] } = await wardAudience(2);
    const result = await receiveProviderEvent(post(await signed({ Message: bounce(bounced!.email.toUpperCase()) })), settings());
    expect(result).toEqual({ status: 200, body: { ok: true, outcome: "applied" } });
    expect(await readSuppression(DB, bounced!.id)).toMatchObject({ reason: "bounce", detail: "smtp; 550 5.1.1 user unknown" });
    const id = await letter({ audience: "ward", wardId });
    const queue = memoryQueue();
    await startSending(DB, queue, id, T0);
    await drain(queue, (batch) => consumeLetterBatch(batch, consumerDeps(standIn, queue)));
    const received = await receivedBy(standIn, [bounced!.email, other!.email], id);
    expect([...received.keys()]).toEqual([other!.email]);
  });

  it("skips at send time an address that bounced after the fan-out wrote its delivery", async () => {
    const { wardId, users: [member] } = await wardAudience(1);
    const id = await letter({ audience: "ward", wardId });
    const queue = memoryQueue();
    await startSending(DB, queue, id, T0);
    const fanOut = queue.messages.splice(0, 1);
    await drain(Object.assign(memoryQueue(), { messages: fanOut }) as never, (batch) => consumeLetterBatch(batch, consumerDeps(standIn, queue)));
    await receiveProviderEvent(post(await signed({ Message: bounce(member!.email) })), settings());
    await drain(queue, (batch) => consumeLetterBatch(batch, consumerDeps(standIn, queue)));
    expect((await receivedBy(standIn, [member!.email], id)).size).toBe(0);
    expect((await letterProgress(DB, id)).reasons).toEqual([{ reason: "suppressed: bounce", count: 1 }]);
  });

  it("refuses forged, altered, unsigned, SHA-1, stale, foreign-topic and untrusted-certificate messages", async () => {
    const { users: [member] } = await wardAudience(1);
    const message = bounce(member!.email);
    const cases: [string, Record<string, unknown>, number, string][] = [
      ["forged", await signed({ Message: message, forge: true }), 403, "refused: signature"],
      ["altered", { ...(await signed({ Message: bounce("someone@example.org") })), Message: message }, 403, "refused: signature"],
      ["unsigned", (({ Signature: _s, ...rest }) => rest)(await signed({ Message: message })), 403, "refused: unsigned"],
      ["sha-1", { ...(await signed({ Message: message })), SignatureVersion: "1" }, 403, "refused: signature version"],
      ["stale", await signed({ Message: message, Timestamp: new Date((now() - 2 * 3600) * 1000).toISOString() }), 403, "refused: stale"],
      ["future", await signed({ Message: message, Timestamp: new Date((now() + 3600) * 1000).toISOString() }), 403, "refused: stale"],
      ["topic", await signed({ Message: message, TopicArn: "arn:aws:sns:eu-west-2:111111111111:other" }), 403, "refused: topic"],
      ["certificate", await signed({ Message: message, SigningCertURL: "https://sns.eu-west-2.amazonaws.com.evil.example/cert.pem" }), 403, "refused: certificate url"],
    ];
    for (const [name, body, status, outcome] of cases) {
      const result = await receiveProviderEvent(post(body), settings());
      expect({ name, ...result }).toEqual({ name, status, body: { ok: false, outcome } });
    }
    // Without the tests' allowance the stand-in's own certificate is refused: production trusts SNS's hosts only.
    expect((await receiveProviderEvent(post(await signed({ Message: message })), settings({ allowedCertUrl: undefined }))).body.outcome).toBe("refused: certificate url");
    expect(await readSuppression(DB, member!.id)).toBeNull();
    expect((await receiveProviderEvent(post("{not json"), settings())).status).toBe(400);
    expect((await receiveProviderEvent(post([1, 2]), settings())).status).toBe(400);
    expect((await receiveProviderEvent(post("x".repeat(300 * 1024)), settings())).status).toBe(413);
    expect((await receiveProviderEvent(post(await signed({ Message: message })), settings({ topicArn: "" }))).status).toBe(503);
    expect((await receiveProviderEvent(post(await signed({ Message: "not json" })), settings())).status).toBe(400);
  });

  it("applies an event once: a replay after the member re-enabled letters changes nothing", async () => {
    const { users: [member] } = await wardAudience(1);
    const event = await signed({ Message: bounce(member!.email) });
    expect((await receiveProviderEvent(post(event), settings())).body.outcome).toBe("applied");
    expect(await reenableLetters(DB, member!.id, T0)).toBe(true);
    expect(await receiveProviderEvent(post(event), settings())).toEqual({ status: 200, body: { ok: true, outcome: "replayed" } });
    expect(await readSuppression(DB, member!.id)).toBeNull();
  });

  it("suppresses on a complaint, ignores a transient bounce, and turns an interrupted delivery sent on its Send event", async () => {
    const { users: [complainer, soft] } = await wardAudience(2);
    const complaint = JSON.stringify({ notificationType: "Complaint", complaint: { complainedRecipients: [{ emailAddress: complainer!.email }], complaintFeedbackType: "abuse" } });
    await receiveProviderEvent(post(await signed({ Message: complaint })), settings());
    expect(await readSuppression(DB, complainer!.id)).toMatchObject({ reason: "complaint", detail: "abuse" });
    expect(await reenableLetters(DB, complainer!.id, T0)).toBe(false);
    await receiveProviderEvent(post(await signed({ Message: bounce(soft!.email, "Transient") })), settings());
    expect(await readSuppression(DB, soft!.id)).toBeNull();

    const id = await letter();
    await DB.prepare("INSERT INTO deliveries (id, letter_id, user_id, status, reason, created_at, updated_at) VALUES ('interrupted-1', ?1, ?2, 'failed', ?3, ?4, ?4)").bind(id, soft!.id, INTERRUPTED, T0).run();
    const send = JSON.stringify({ eventType: "Send", mail: { tags: { delivery: ["interrupted-1"] } } });
    await receiveProviderEvent(post(await signed({ Message: send })), settings());
    expect(await DB.prepare("SELECT status, reason FROM deliveries WHERE id = 'interrupted-1'").first()).toEqual({ status: "sent", reason: null });
  });

  it("confirms a subscription only when its signature holds, by calling its SubscribeURL", async () => {
    const forged = await signed({ Type: "SubscriptionConfirmation", Token: "forged-token", forge: true });
    expect((await receiveProviderEvent(post(forged), settings())).status).toBe(403);
    const real = await signed({ Type: "SubscriptionConfirmation", Token: "real-token" });
    expect(await receiveProviderEvent(post(real), settings())).toEqual({ status: 200, body: { ok: true, outcome: "subscribed" } });
    const confirmations: string[] = await (await fetch(`${standIn}/__confirmations`)).json();
    expect(confirmations).toContain("real-token");
    expect(confirmations).not.toContain("forged-token");
    const elsewhere = await signed({ Type: "SubscriptionConfirmation", SubscribeURL: "https://evil.example/confirm" });
    expect((await receiveProviderEvent(post(elsewhere), settings())).body.outcome).toBe("refused: subscribe url");
  });

  it("trusts certificates only from SNS hosts over https; the tests' allowance only on a local host", () => {
    expect(isTrustedSnsUrl("https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-abc.pem")).toBe(true);
    expect(isTrustedSnsUrl("https://sns.cn-north-1.amazonaws.com.cn/x.pem")).toBe(true);
    for (const url of ["http://sns.eu-west-2.amazonaws.com/x.pem", "https://sns.eu-west-2.amazonaws.com.evil.example/x.pem", "https://evil.example/sns.eu-west-2.amazonaws.com/x.pem",
      "https://sns.eu-west-2.amazonaws.com:8443/x.pem", "https://s3.eu-west-2.amazonaws.com/x.pem", "not a url"])
      expect({ url, ok: isTrustedSnsUrl(url) }).toEqual({ url, ok: false });
    expect(isTrustedSnsUrl("https://evil.example/cert.pem", "https://evil.example/cert.pem")).toBe(false);
    expect(isTrustedSnsUrl("http://127.0.0.1:9/cert.pem", "http://127.0.0.1:9/cert.pem")).toBe(true);
  });
});

describe("retention", () => {
  it("folds deliveries older than 90 days into counts that the progress page still adds up, and prunes old event ids", async () => {
    const { wardId } = await wardAudience(5);
    const id = await letter({ audience: "ward", wardId });
    const queue = memoryQueue();
    await startSending(DB, queue, id, T0);
    await drain(queue, (batch) => consumeLetterBatch(batch, consumerDeps(standIn, queue)));
    await DB.prepare("UPDATE deliveries SET status = 'skipped', reason = 'unsubscribed' WHERE rowid = (SELECT min(rowid) FROM deliveries WHERE letter_id = ?1)").bind(id).run();
    const before = await letterProgress(DB, id);
    expect(before).toMatchObject({ sent: 4, skipped: 1, pending: 0 });
    // Other tests' rows in this file may be older; this letter's are not yet 90 days old.
    await foldOldDeliveries(DB, T0 + RETENTION - 1);
    expect(await count("SELECT COUNT(*) AS n FROM deliveries WHERE letter_id = ?1", id)).toBe(5);
    const folded = await foldOldDeliveries(DB, T0 + RETENTION + 1, 2);
    expect(folded).toBeGreaterThanOrEqual(5);
    expect(await count("SELECT COUNT(*) AS n FROM deliveries WHERE letter_id = ?1", id)).toBe(0);
    const after = await letterProgress(DB, id);
    expect({ ...after, reasons: [] }).toEqual({ ...before, reasons: [] });
    expect(await foldOldDeliveries(DB, T0 + RETENTION + 2)).toBe(0);
    expect(await letterProgress(DB, id)).toMatchObject({ sent: 4, skipped: 1 });

    await DB.prepare("INSERT INTO letter_events (id, received_at) VALUES ('old-event', ?1), ('new-event', ?2)").bind(T0 - 3 * 86400, T0).run();
    await deleteExpiredRows(DB, T0);
    expect(await count("SELECT COUNT(*) AS n FROM letter_events WHERE id IN ('old-event', 'new-event')")).toBe(1);
  });
});
