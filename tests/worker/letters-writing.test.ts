// The writing side of letters against real D1 (functions/letters/letter-form.ts, archive.ts, consent.ts,
// ward-letters.ts): saving composes for the audience and is audited in the same batch, who may save or send where,
// a sending letter can't be changed, a double "Send" starts once, scheduling in London time, the archive shows sent
// essays letters only and never a members-only essay's text, and members' letter choices round-trip.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { handleLetterPost, letterFormValues, readLetterForm, refusedFormValues, type LetterEssay, type LetterPostContext } from "@functions/letters/letter-form";
import { listArchive, parseArchiveCursor, readArchived } from "@functions/letters/archive";
import { handleLetterChoices, readLetterTopics } from "@functions/letters/consent";
import { listWardLetters } from "@functions/letters/ward-letters";
import { LETTER_ID, readLetter, type Letter } from "@functions/letters/store";
import { readSubscriptions } from "@functions/letters/subscriptions";
import { suppressStatement, readSuppression } from "@functions/letters/suppression";
import { createWard, readWardForm } from "@functions/wards/ward-admin";
import { joinCommunity } from "@functions/auth/join";
import type { Actor } from "@functions/staff/audit";
import type { SiteRole } from "@functions/staff/access";
import { T0, SITE, STORE, PASSWORD, capturingMailer, count, uniqueEmail } from "./support";
import { memoryQueue, subscriber } from "./letters-support";
import { BREACHES } from "./breach-support";

const DB = env.DB;
const MEMBER_TEXT = "Only members read this sentence about the founding fund.";
const ESSAYS: LetterEssay[] = [
  { slug: "public-one", title: "A public essay", description: "Open to all.", pubDate: "2026-01-01T00:00:00.000Z", paragraphs: ["The public opening."], membersOnly: false },
  { slug: "members-one", title: "A members essay", description: "Its public summary.", pubDate: "2026-02-01T00:00:00.000Z", paragraphs: [MEMBER_TEXT], membersOnly: true },
];

async function ward() {
  const form = readWardForm(new URLSearchParams({ name: `Ward ${crypto.randomUUID().slice(0, 6)}`, area: "Around the park", status: "forming", foundingThreshold: "20", districts: "LS6" }));
  if (!form.ok) throw new Error(JSON.stringify(form.errors));
  const slug = await createWard(DB, { userId: "staff-1", role: "admin", net: "n" }, form.input, T0);
  return (await DB.prepare("SELECT id, slug FROM wards WHERE slug = ?1").bind(slug).first<{ id: string; slug: string }>())!;
}

function context(role: SiteRole | "organiser", options: { organiserOf?: string | null; fixedWardId?: string | null; tests?: Letter[] } = {}) {
  const queue = memoryQueue();
  const actor: Actor = { userId: `writer-${crypto.randomUUID().slice(0, 6)}`, role: role === "member" ? "organiser" : role === "organiser" ? "organiser" : role, net: "n" };
  const ctx: LetterPostContext = {
    db: DB, actor, writer: { role: role === "organiser" ? "member" : role, organiserOf: options.organiserOf ?? null }, fixedWardId: options.fixedWardId ?? null,
    findEssay: async (slug) => ESSAYS.find((e) => e.slug === slug) ?? null,
    findWard: async (slug) => (await DB.prepare("SELECT id FROM wards WHERE slug = ?1").bind(slug).first<{ id: string }>())?.id ?? null,
    queue, sendTest: async (letter) => { options.tests?.push(letter); return options.tests !== undefined; }, siteUrl: SITE,
  };
  return { ctx, queue };
}

const fields = (values: Record<string, string>) => new URLSearchParams({ action: "save", subject: "News", source: "markdown", bodyMarkdown: "Hello **all**.", audience: "essays", ...values });

async function saved(ctx: LetterPostContext, values: Record<string, string> = {}): Promise<Letter> {
  const result = await handleLetterPost(ctx, null, fields(values), T0);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return (await readLetter(DB, result.id))!;
}

describe("saving a letter", () => {
  it("composes it, saves it and audits it in the same batch", async () => {
    const { ctx } = context("editor");
    const letter = await saved(ctx, { subject: "Hello", bodyMarkdown: "<script>x()</script> [bad](javascript:alert(1))" });
    expect(letter.bodyHtml).toBe("<p>&lt;script&gt;x()&lt;/script&gt; [bad](javascript:alert(1))</p>");
    expect(letter.status).toBe("draft");
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = ?1 AND action = 'letters.create' AND target_id = ?2", ctx.actor.userId, letter.id)).toBe(1);
    const edit = await handleLetterPost(ctx, letter, fields({ subject: "Hello again" }), T0 + 5);
    expect(edit).toEqual({ ok: true, id: letter.id, done: "saved" });
    expect((await readLetter(DB, letter.id))!.subject).toBe("Hello again");
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE target_id = ?1 AND action = 'letters.edit'", letter.id)).toBe(1);
  });

  it("never quotes a members-only essay to the essays topic (published), and does to a ward", async () => {
    const { ctx } = context("admin");
    const toSubscribers = await saved(ctx, { source: "essay", essay: "members-one", subject: "" });
    expect(toSubscribers.subject).toBe("A members essay");
    expect(toSubscribers.bodyHtml + toSubscribers.bodyText).not.toContain("founding fund");
    expect(toSubscribers.bodyHtml).toContain("Its public summary.");
    const w = await ward();
    const toWard = await saved(ctx, { source: "essay", essay: "members-one", audience: "ward", ward: w.slug });
    expect(toWard.bodyHtml).toContain("founding fund");
    const publicEssay = await saved(ctx, { source: "essay", essay: "public-one" });
    expect(publicEssay.bodyHtml).toContain("The public opening.");
    // Moving a draft that quotes member text to the essays topic composes it again without that text.
    const moved = await handleLetterPost(ctx, toWard, fields({ source: "essay", essay: "members-one", audience: "essays" }), T0 + 9);
    expect(moved.ok).toBe(true);
    expect((await readLetter(DB, toWard.id))!.bodyHtml).not.toContain("founding fund");
  });

  it("refuses audiences the writer may not write to, changing nothing", async () => {
    const w = await ward();
    const before = await count("SELECT COUNT(*) AS n FROM letters");
    expect(await handleLetterPost(context("editor").ctx, null, fields({ audience: "monthly-donors" }), T0)).toMatchObject({ ok: false, status: 403 });
    expect(await handleLetterPost(context("editor").ctx, null, fields({ audience: "ward", ward: w.slug }), T0)).toMatchObject({ ok: false, status: 403 });
    expect(await handleLetterPost(context("member").ctx, null, fields({ audience: "essays" }), T0)).toMatchObject({ ok: false, status: 403 });
    expect(await handleLetterPost(context("admin").ctx, null, fields({ audience: "everyone" }), T0)).toMatchObject({ ok: false, status: 400 });
    expect(await handleLetterPost(context("admin").ctx, null, fields({ audience: "ward", ward: "no-such-ward" }), T0)).toMatchObject({ ok: false, status: 400 });
    expect(await count("SELECT COUNT(*) AS n FROM letters")).toBe(before);
  });

  it("fixes an organiser's letters to their own ward, whatever the form says", async () => {
    const mine = await ward();
    const other = await ward();
    const { ctx } = context("organiser", { organiserOf: mine.id, fixedWardId: mine.id });
    const letter = await saved(ctx, { audience: "essays", ward: other.slug });
    expect([letter.audience, letter.wardId]).toEqual(["ward", mine.id]);
    expect((await listWardLetters(DB, mine.id)).map((l) => l.id)).toEqual([letter.id]);
    expect(await listWardLetters(DB, other.id)).toEqual([]);
    // An organiser of another ward can't act on it.
    const stranger = context("organiser", { organiserOf: other.id, fixedWardId: other.id }).ctx;
    expect(await handleLetterPost(stranger, letter, new URLSearchParams({ action: "send" }), T0)).toMatchObject({ ok: false, status: 403 });
    expect((await readLetter(DB, letter.id))!.status).toBe("draft");
  });

  it("gives each empty or hostile field its message", async () => {
    const { ctx } = context("owner");
    expect(await handleLetterPost(ctx, null, fields({ subject: "", bodyMarkdown: "" }), T0)).toMatchObject({ ok: false, status: 400, errors: { subject: expect.any(String), bodyMarkdown: expect.any(String) } });
    expect(await handleLetterPost(ctx, null, fields({ source: "essay", essay: "../../etc" }), T0)).toMatchObject({ ok: false, errors: { essay: "Choose one of the published essays." } });
    expect(await handleLetterPost(ctx, null, fields({ bodyMarkdown: "x".repeat(100_001) }), T0)).toMatchObject({ ok: false, errors: { bodyMarkdown: expect.stringMatching(/100,000/) } });
    expect(await handleLetterPost(ctx, null, new URLSearchParams({ action: "send" }), T0)).toMatchObject({ ok: false, errors: { form: "Save the letter first." } });
    expect((await readLetterForm(ctx, fields({ audience: "" }))).ok).toBe(false);
  });
});

describe("test, send and schedule", () => {
  it("test-sends the saved letter, sends once for a double click, and then refuses every change", async () => {
    const tests: Letter[] = [];
    const { ctx, queue } = context("editor", { tests });
    const letter = await saved(ctx);
    expect(await handleLetterPost(ctx, letter, new URLSearchParams({ action: "test" }), T0)).toMatchObject({ ok: true, done: "tested" });
    expect(tests.map((t) => t.id)).toEqual([letter.id]);
    // Without a provider the page says so, and records nothing.
    expect(await handleLetterPost(context("editor").ctx, letter, new URLSearchParams({ action: "test" }), T0)).toMatchObject({ ok: false, errors: { form: expect.stringMatching(/no email provider/) } });
    const [first, second] = await Promise.all([
      handleLetterPost(ctx, letter, new URLSearchParams({ action: "send" }), T0 + 1),
      handleLetterPost(ctx, letter, new URLSearchParams({ action: "send" }), T0 + 1),
    ]);
    expect([first, second].map((r) => (r.ok ? r.done : "refused")).sort()).toEqual(["already", "started"]);
    expect(queue.messages).toHaveLength(1);
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE target_id = ?1 AND action = 'letters.send'", letter.id)).toBe(1);
    const sending = (await readLetter(DB, letter.id))!;
    expect(await handleLetterPost(ctx, sending, fields({ subject: "Too late" }), T0 + 2)).toMatchObject({ ok: false, status: 409 });
    expect(await handleLetterPost(ctx, sending, new URLSearchParams({ action: "schedule", date: "2030-01-01", time: "09:00" }), T0 + 2)).toMatchObject({ ok: false, status: 409 });
    expect((await readLetter(DB, letter.id))!.subject).toBe("News");
  });

  it("schedules at a London wall-clock time and takes it back", async () => {
    const { ctx } = context("admin");
    const letter = await saved(ctx);
    // 1 July 2027 09:00 in London is 08:00 UTC (summer time).
    expect(await handleLetterPost(ctx, letter, new URLSearchParams({ action: "schedule", date: "2027-07-01", time: "09:00" }), T0)).toMatchObject({ ok: true, done: "scheduled" });
    expect((await readLetter(DB, letter.id))!.sendAt).toBe(Date.UTC(2027, 6, 1, 8, 0) / 1000);
    expect(await handleLetterPost(ctx, letter, new URLSearchParams({ action: "schedule", date: "2027-03-28", time: "01:30" }), T0)).toMatchObject({ ok: false, errors: { date: expect.stringMatching(/clocks go forward/) } });
    expect(await handleLetterPost(ctx, letter, new URLSearchParams({ action: "schedule", date: "2020-01-01", time: "09:00" }), T0)).toMatchObject({ ok: false, errors: { date: expect.stringMatching(/from now/) } });
    expect(await handleLetterPost(ctx, letter, new URLSearchParams({ action: "unschedule" }), T0)).toMatchObject({ ok: true, done: "unscheduled" });
    expect(await handleLetterPost(ctx, letter, new URLSearchParams({ action: "unschedule" }), T0)).toMatchObject({ ok: false, status: 409 });
    expect(await handleLetterPost(ctx, letter, new URLSearchParams({ action: "nonsense" }), T0)).toMatchObject({ ok: false, status: 400 });
  });
});

describe("a new letter's form posted twice", () => {
  const letters = (actor: string) => count("SELECT COUNT(*) AS n FROM letters WHERE created_by = ?1", actor);
  const audits = (actor: string) => count("SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = ?1 AND action = 'letters.create'", actor);

  it("saves one letter with one audit row, whether posted again later or twice at once", async () => {
    const { ctx } = context("editor");
    const { draft } = letterFormValues(null, "");
    const first = await handleLetterPost(ctx, null, fields({ draft: draft! }), T0);
    const again = await handleLetterPost(ctx, null, fields({ draft: draft!, subject: "Changed on the way" }), T0 + 1);
    expect(first).toEqual({ ok: true, id: draft, done: "saved" });
    expect(again).toEqual(first);
    expect((await readLetter(DB, draft!))!.subject).toBe("News");
    const { draft: other } = letterFormValues(null, "");
    const both = await Promise.all([1, 2].map(() => handleLetterPost(ctx, null, fields({ draft: other! }), T0)));
    expect(both.map((result) => result.ok && result.id)).toEqual([other, other]);
    expect(await letters(ctx.actor.userId)).toBe(2);
    expect(await audits(ctx.actor.userId)).toBe(2);
  });

  it("refuses another writer's draft key without touching their letter, and gives a malformed key a fresh id", async () => {
    const { ctx: owner } = context("editor");
    const { ctx: other } = context("editor");
    const { draft } = letterFormValues(null, "");
    await handleLetterPost(owner, null, fields({ draft: draft! }), T0);
    expect(await handleLetterPost(other, null, fields({ draft: draft!, subject: "Hijack" }), T0)).toEqual({
      ok: false, status: 409, errors: { form: "This form was already used for another letter. Reload the page to write a new one." },
    });
    expect((await readLetter(DB, draft!))!.subject).toBe("News");
    expect(await letters(other.actor.userId)).toBe(0);
    expect(await audits(other.actor.userId)).toBe(0);
    for (const key of ["", "NOT-A-KEY", "a".repeat(17), "'; DROP TABLE letters; --"]) {
      const result = await handleLetterPost(other, null, fields({ draft: key }), T0);
      expect(result.ok && LETTER_ID.test(result.id) && result.id !== key).toBe(true);
    }
    expect(await letters(other.actor.userId)).toBe(4);
  });
});

describe("the forms' values", () => {
  it("shows a new letter's defaults, a saved letter's own values, and what a refused post typed", async () => {
    const fresh = letterFormValues(null, "");
    expect(fresh).toEqual({ draft: expect.stringMatching(LETTER_ID), subject: "", source: "markdown", essay: "", bodyMarkdown: "", audience: "essays", ward: "", date: "", time: "09:00" });
    expect(letterFormValues(null, "").draft, "each new form gets its own draft key").not.toBe(fresh.draft);
    const { ctx } = context("admin");
    const w = await ward();
    const letter = await saved(ctx, { source: "essay", essay: "public-one", audience: "ward", ward: w.slug, bodyMarkdown: "A note.", subject: "" });
    await handleLetterPost(ctx, letter, new URLSearchParams({ action: "schedule", date: "2027-12-24", time: "18:30" }), T0);
    expect(letterFormValues((await readLetter(DB, letter.id))!, w.slug)).toEqual({
      subject: "A public essay", source: "essay", essay: "public-one", bodyMarkdown: "A note.", audience: "ward", ward: w.slug, date: "2027-12-24", time: "18:30",
    });
    const typed = fields({ subject: "Typed", bodyMarkdown: "Kept" });
    expect(refusedFormValues(letterFormValues(null, ""), typed)).toMatchObject({ subject: "Typed", bodyMarkdown: "Kept", audience: "essays" });
    // A refused new letter keeps its draft key, so saving it again after the fix still makes one letter.
    expect(refusedFormValues(fresh, fields({ draft: fresh.draft! }))).toMatchObject({ draft: fresh.draft });
    expect(refusedFormValues({ subject: "Saved" }, new URLSearchParams({ action: "schedule", date: "2020-01-01", time: "07:00" }))).toEqual({ subject: "Saved", date: "2020-01-01", time: "07:00" });
  });
});

describe("the archive", () => {
  it("lists sent essays letters only, newest first, in pages, and never a ward's or donors' letter", async () => {
    const { ctx, queue } = context("owner");
    const w = await ward();
    const essays = await saved(ctx, { subject: "Archive me" });
    const wardLetter = await saved(ctx, { subject: "Ward only", audience: "ward", ward: w.slug });
    const donors = await saved(ctx, { subject: "Donors only", audience: "monthly-donors" });
    const draft = await saved(ctx, { subject: "Still a draft" });
    for (const l of [essays, wardLetter, donors]) await handleLetterPost(ctx, l, new URLSearchParams({ action: "send" }), T0 + 10);
    expect(queue.messages).toHaveLength(3);
    await DB.prepare("UPDATE letters SET status = 'sent', sent_at = ?2 WHERE id IN (?1, ?3, ?4)").bind(essays.id, T0 + 20, wardLetter.id, donors.id).run();
    // A forged archive slug on a ward letter still keeps it out.
    await DB.prepare("UPDATE letters SET archive_slug = 'forged-ward' WHERE id = ?1").bind(wardLetter.id).run();
    const slug = (await readLetter(DB, essays.id))!.archiveSlug!;
    const listed = await listArchive(DB, null);
    expect(listed.letters.map((l) => l.subject)).toContain("Archive me");
    expect(listed.letters.map((l) => l.subject)).not.toEqual(expect.arrayContaining(["Ward only"]));
    expect(listed.letters.map((l) => l.subject).filter((s) => ["Ward only", "Donors only", "Still a draft"].includes(s))).toEqual([]);
    expect(await readArchived(DB, slug)).toMatchObject({ subject: "Archive me", bodyHtml: "<p>Hello <strong>all</strong>.</p>" });
    expect(await readArchived(DB, "forged-ward")).toBeNull();
    expect(draft.archiveSlug).toBeNull();
  });

  it("pages by keyset and refuses a bad cursor", async () => {
    const { ctx } = context("owner");
    for (let i = 0; i < 32; i++) {
      const l = await saved(ctx, { subject: `Paged ${i}` });
      await DB.prepare("UPDATE letters SET status = 'sent', sent_at = ?2, archive_slug = ?3 WHERE id = ?1").bind(l.id, T0 + 1000 + i, `paged-${String(i).padStart(2, "0")}`).run();
    }
    const first = await listArchive(DB, null);
    expect(first.letters).toHaveLength(30);
    const cursor = parseArchiveCursor(first.next);
    expect(cursor.ok).toBe(true);
    const second = await listArchive(DB, cursor.ok ? cursor.value : null);
    expect(new Set([...first.letters, ...second.letters].map((l) => l.slug)).size).toBe(first.letters.length + second.letters.length);
    expect(parseArchiveCursor("1.<script>")).toMatchObject({ ok: false });
    expect(parseArchiveCursor("")).toEqual({ ok: true, value: null });
  });
});

describe("a member's letter choices", () => {
  it("joins with the topics ticked, and with none unless ticked", async () => {
    const none = await joinCommunity(STORE, capturingMailer(), { email: uniqueEmail("j"), password: PASSWORD, displayName: "", agree: true }, `ip-${crypto.randomUUID()}`, SITE, T0, BREACHES);
    const both = await joinCommunity(STORE, capturingMailer(), { email: uniqueEmail("j"), password: PASSWORD, displayName: "", agree: true, letterTopics: { essays: true, ward: true } }, `ip-${crypto.randomUUID()}`, SITE, T0, BREACHES);
    if (!none.ok || !both.ok) throw new Error("join failed");
    expect(await readSubscriptions(DB, none.userId)).toEqual({ essays: false, ward: false });
    expect(await readSubscriptions(DB, both.userId)).toEqual({ essays: true, ward: true });
  });

  it("saves ticks and unticks, re-enables after a bounce, resumes after a complaint", async () => {
    const member = await subscriber(["essays"]);
    expect(readLetterTopics(new URLSearchParams({ wardLetters: "yes", essaysLetters: "no" }))).toEqual({ essays: false, ward: true });
    expect(await handleLetterChoices(DB, member.id, new URLSearchParams({ action: "topics", wardLetters: "yes" }), T0)).toEqual({ ok: true, done: "saved" });
    expect(await readSubscriptions(DB, member.id)).toEqual({ essays: false, ward: true });
    expect(await handleLetterChoices(DB, member.id, new URLSearchParams({ action: "reenable" }), T0)).toMatchObject({ ok: false });
    await suppressStatement(DB, member.email, "bounce", "550 mailbox full", T0).run();
    expect(await readSuppression(DB, member.id)).toMatchObject({ reason: "bounce", detail: "550 mailbox full" });
    expect(await handleLetterChoices(DB, member.id, new URLSearchParams({ action: "resume" }), T0)).toMatchObject({ ok: false });
    expect(await handleLetterChoices(DB, member.id, new URLSearchParams({ action: "reenable" }), T0)).toEqual({ ok: true, done: "reenabled" });
    expect(await readSuppression(DB, member.id)).toBeNull();
    await suppressStatement(DB, member.email, "complaint", null, T0).run();
    expect(await handleLetterChoices(DB, member.id, new URLSearchParams({ action: "reenable" }), T0)).toMatchObject({ ok: false });
    expect(await handleLetterChoices(DB, member.id, new URLSearchParams({ action: "resume" }), T0)).toEqual({ ok: true, done: "resumed" });
    expect(await readSuppression(DB, member.id)).toBeNull();
    expect(await handleLetterChoices(DB, member.id, new URLSearchParams({ action: "other" }), T0)).toMatchObject({ ok: false });
  });
});
