// Letters' rows and their life against real D1: drafts, scheduling, the one way into 'sending' (a double click and
// concurrent clicks enqueue one fan-out), keyset lists, consent by topic, audiences (essays, a ward, monthly donors)
// with unverified and suppressed members left out, and the progress counts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { letterProgress, listLetters, readLetter, scheduleLetter, startDueLetters, startSending, unscheduleLetter, updateDraft, archiveSlugFor } from "@functions/letters/store";
import { countRecipients, readRecipientPage } from "@functions/letters/audience";
import { readSubscriptions, setSubscriptionStatements, unsubscribeTopic } from "@functions/letters/subscriptions";
import { readSuppression, reenableLetters, suppressStatement, liftComplaintStatement } from "@functions/letters/suppression";
import { T0, count, insertUser } from "./support";
import { createLetter, draft, letter, memoryQueue, subscriber } from "./letters-support";

const DB = env.DB;

describe("drafts and scheduling", () => {
  it("saves, edits and schedules a draft; a sending letter can no longer change", async () => {
    const id = await letter();
    expect(await updateDraft(DB, id, draft({ subject: "Changed" }), T0 + 1)).toBe(true);
    expect((await readLetter(DB, id))!.subject).toBe("Changed");
    expect(await scheduleLetter(DB, id, T0 - 5, T0)).toBe(false);
    expect(await scheduleLetter(DB, id, T0 + 3600, T0)).toBe(true);
    expect(await unscheduleLetter(DB, id, T0)).toBe(true);
    expect((await readLetter(DB, id))!.status).toBe("draft");
    const queue = memoryQueue();
    expect(await startSending(DB, queue, id, T0)).toBe("started");
    expect(await updateDraft(DB, id, draft({ subject: "Too late" }), T0 + 2)).toBe(false);
    expect(await scheduleLetter(DB, id, T0 + 3600, T0)).toBe(false);
    expect((await readLetter(DB, id))!.subject).toBe("Changed");
  });

  it("keeps a ward only on ward letters", async () => {
    const id = await createLetter(DB, draft({ audience: "essays", wardId: "ignored" }), "staff-1", T0);
    expect((await readLetter(DB, id))!.wardId).toBeNull();
  });

  it("starts a letter once for a double click and for concurrent clicks", async () => {
    const queue = memoryQueue();
    const once = await letter();
    expect(await startSending(DB, queue, once, T0)).toBe("started");
    expect(await startSending(DB, queue, once, T0)).toBe("already");
    const raced = await letter();
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => startSending(DB, queue, raced, T0)));
    expect(outcomes.filter((o) => o === "started")).toHaveLength(1);
    expect(queue.messages.filter((m) => m.body.letterId === raced)).toHaveLength(1);
    expect(await startSending(DB, queue, "no-such-letter", T0)).toBe("already");
  });

  it("gives essays letters an archive slug when they start, and no other letter one", async () => {
    const queue = memoryQueue();
    const id = await letter({ subject: "Owning the buses: a plan!" });
    await startSending(DB, queue, id, T0);
    expect((await readLetter(DB, id))!.archiveSlug).toBe(archiveSlugFor({ id, subject: "Owning the buses: a plan!" }));
    expect(archiveSlugFor({ id: "abcdefgh", subject: "!!!" })).toBe("letter-abcdef");
    const donors = await letter({ audience: "monthly-donors" });
    await startSending(DB, queue, donors, T0);
    expect((await readLetter(DB, donors))!.archiveSlug).toBeNull();
  });

  it("starts scheduled letters when their time comes, once", async () => {
    const queue = memoryQueue();
    const id = await letter();
    await scheduleLetter(DB, id, T0 + 60, T0);
    expect(await startDueLetters(DB, queue, T0 + 59)).toBe(0);
    expect(await startDueLetters(DB, queue, T0 + 60)).toBe(1);
    expect(await startDueLetters(DB, queue, T0 + 61)).toBe(0);
    expect((await readLetter(DB, id))!.status).toBe("sending");
  });

  it("lists letters newest first by keyset", async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await createLetter(DB, draft(), "staff-1", T0 + 10_000 + i));
    const first = await listLetters(DB, { limit: 2 });
    expect(first.map((l) => l.id)).toEqual([ids[2], ids[1]]);
    const next = await listLetters(DB, { before: { createdAt: first[1]!.createdAt, id: first[1]!.id }, limit: 2 });
    expect(next[0]!.id).toBe(ids[0]);
  });
});

describe("consent and audiences", () => {
  it("subscribes and unsubscribes by topic", async () => {
    const user = await insertUser({ emailVerifiedAt: T0 });
    expect(await readSubscriptions(DB, user.id)).toEqual({ essays: false, ward: false });
    await DB.batch(setSubscriptionStatements(DB, user.id, { essays: true, ward: true }, T0));
    await DB.batch(setSubscriptionStatements(DB, user.id, { essays: true }, T0 + 5));
    expect(await count("SELECT subscribed_at AS n FROM letter_subscriptions WHERE user_id = ?1 AND topic = 'essays'", user.id)).toBe(T0);
    await DB.batch(setSubscriptionStatements(DB, user.id, { ward: false }, T0));
    expect(await readSubscriptions(DB, user.id)).toEqual({ essays: true, ward: false });
    expect(await unsubscribeTopic(DB, user.id, "essays")).toBe(true);
    expect(await unsubscribeTopic(DB, user.id, "essays")).toBe(false);
  });

  it("counts and pages ward and donor audiences, leaving out the unverified and the suppressed", async () => {
    const wardId = crypto.randomUUID();
    await DB.prepare("INSERT INTO wards (id, slug, name, area, status, founding_threshold, created_at, updated_at) VALUES (?1, ?1, 'W', 'A', 'active', 5, ?2, ?2)").bind(wardId, T0).run();
    const inWard = [await subscriber(["ward"]), await subscriber(["ward"]), await subscriber(["ward"], { verified: false }), await subscriber(["essays"])];
    for (const user of inWard) await DB.prepare("INSERT INTO ward_members (user_id, ward_id, joined_at) VALUES (?1, ?2, ?3)").bind(user.id, wardId, T0).run();
    await subscriber(["ward"]); // subscribed, but in no ward
    expect(await countRecipients(DB, "ward", wardId)).toBe(2);
    await DB.batch([suppressStatement(DB, inWard[0]!.email, "bounce", "550 no such user", T0)]);
    expect(await countRecipients(DB, "ward", wardId)).toBe(1);
    expect(await readRecipientPage(DB, "ward", wardId, null, 10)).toEqual([inWard[1]!.id]);

    const donor = await subscriber(["essays"]);
    const lapsed = await subscriber(["essays"]);
    const unsubscribedDonor = await subscriber([]);
    for (const [user, status] of [[donor, "active"], [donor, "active"], [lapsed, "canceled"], [unsubscribedDonor, "active"]] as const)
      await DB.prepare("INSERT INTO subscriptions (id, user_id, email, customer_id, amount, currency, status, created_at) VALUES (?1, ?2, ?3, 'cus', 500, 'GBP', ?4, ?5)")
        .bind(crypto.randomUUID(), user.id, user.email, status, T0).run();
    expect(await countRecipients(DB, "monthly-donors", null)).toBe(1);
    expect(await readRecipientPage(DB, "monthly-donors", null, null, 10)).toEqual([donor.id]);
  });

  it("reads a suppression; a bounce can be re-enabled, a complaint only lifted by subscribing again", async () => {
    const bounced = await subscriber();
    await DB.batch([suppressStatement(DB, bounced.email, "bounce", "mailbox full", T0)]);
    expect(await readSuppression(DB, bounced.id)).toEqual({ reason: "bounce", detail: "mailbox full", since: T0 });
    expect(await reenableLetters(DB, bounced.id, T0)).toBe(true);
    expect(await readSuppression(DB, bounced.id)).toBeNull();

    const complained = await subscriber();
    await DB.batch([suppressStatement(DB, complained.email, "complaint", null, T0), suppressStatement(DB, complained.email, "bounce", "later bounce", T0 + 1)]);
    expect((await readSuppression(DB, complained.id))!.reason).toBe("complaint");
    expect(await reenableLetters(DB, complained.id, T0)).toBe(false);
    await DB.batch([liftComplaintStatement(DB, complained.id)]);
    expect(await readSuppression(DB, complained.id)).toBeNull();
  });

  it("reports progress with unreached recipients pending", async () => {
    await subscriber();
    const queue = memoryQueue();
    const id = await letter();
    await startSending(DB, queue, id, T0);
    const progress = await letterProgress(DB, id);
    expect(progress.recipients).toBe(await countRecipients(DB, "essays", null));
    expect(progress.pending).toBe(progress.recipients);
    expect(progress.sent + progress.failed + progress.skipped).toBe(0);
  });
});

describe("a member's own data", () => {
  it("exports subscriptions, deliveries and the suppression, and deletion removes them all", async () => {
    const { exportUserData, accountDeletionStatements } = await import("@functions/auth/account-data");
    const member = await subscriber(["essays", "ward"]);
    const id = await letter({ subject: "Spring letter" });
    await DB.prepare("INSERT INTO deliveries (id, letter_id, user_id, status, created_at, updated_at) VALUES ('export-d1', ?1, ?2, 'sent', ?3, ?3)").bind(id, member.id, T0).run();
    // A suppression recorded for the address before it was linked to the account (user_id NULL) goes too.
    await DB.prepare("INSERT INTO letter_suppressions (email, user_id, reason, detail, created_at) VALUES (?1, NULL, 'bounce', 'mailbox full', ?2)").bind(member.email, T0).run();
    const exported = (await exportUserData(DB, member.id, T0))!.letters as Record<string, unknown>;
    expect(exported.subscriptions).toEqual([{ topic: "essays", subscribed_at: new Date(T0 * 1000).toISOString() }, { topic: "ward", subscribed_at: new Date(T0 * 1000).toISOString() }]);
    expect(exported.deliveries).toEqual([{ subject: "Spring letter", audience: "essays", status: "sent", reason: null, created_at: new Date(T0 * 1000).toISOString(), updated_at: new Date(T0 * 1000).toISOString() }]);
    expect(exported.suppression).toMatchObject({ email: member.email, reason: "bounce", detail: "mailbox full" });
    await DB.batch(accountDeletionStatements(DB, member.id, T0));
    for (const table of ["letter_subscriptions", "deliveries"]) expect(await count(`SELECT COUNT(*) AS n FROM ${table} WHERE user_id = ?1`, member.id)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM letter_suppressions WHERE email = ?1", member.email)).toBe(0);
  });
});
