// What a letter's page does with each post, for both places letters are written: the console (/admin/letters/<id>)
// and a ward's organisers' page (/wards/<slug>/letters/<id>). Save a draft (its content composed again from its source,
// for its audience: compose.ts, access.ts), test-send it to oneself, send it now, schedule it at a Europe/London time
// or take it back to draft. Each asks decideLetterAudience first and writes its audit row in the same batch as the
// change (or after the test email, which changes nothing). A letter that has started sending can't be changed.
import type { FieldErrors } from "@functions/auth/account";
import { generateToken } from "@functions/auth/tokens";
import { auditStatement, type Actor } from "@functions/staff/audit";
import { field } from "@functions/http/forms";
import { londonToUtc, utcToLondonFields } from "@functions/wards/london-time";
import { composeFromEssay, composeFromMarkdown, type EssayForLetter } from "./compose";
import { decideLetterAudience, mayQuoteMemberText, type LetterWriter } from "./access";
import { LETTER_AUDIENCES, type LetterAudience } from "./audience";
import { LETTER_ID, saveNewDraft, scheduleLetter, startSending, unscheduleLetter, updateDraft, type Letter, type LetterDraft } from "./store";
import type { LetterQueue } from "./fan-out";

/** Fields a letter page's forms send. */
export const LETTER_FIELDS = ["action", "draft", "subject", "source", "essay", "bodyMarkdown", "audience", "ward", "date", "time"] as const;
/** The biggest form a letter page reads: 100,000 characters of Markdown, URL-encoded (up to 3 bytes each, 9 for non-ASCII). */
export const LETTER_FORM_BYTES = 400 * 1024;

/** An essay a letter can be made from, and whether its text is for members only. */
export interface LetterEssay extends EssayForLetter { membersOnly: boolean; pubDate: string }

/** Where the post happens: who writes, the ward the page is fixed to (organisers), and the site's parts it needs. */
export interface LetterPostContext {
  db: D1Database;
  actor: Actor;
  writer: LetterWriter;
  /** The organisers' page writes to its own ward only; the console chooses (null). */
  fixedWardId: string | null;
  findEssay: (slug: string) => Promise<LetterEssay | null>;
  /** The id of the ward with this slug (the console's ward field), or null. */
  findWard: (slug: string) => Promise<string | null>;
  queue: LetterQueue;
  /** Sends the saved letter to the writer's own address, marked as a test; false when no provider is set up. */
  sendTest: (letter: Letter) => Promise<boolean>;
  siteUrl: string;
}

export type LetterPostResult =
  | { ok: true; id: string; done: LetterDone }
  | { ok: false; status: 400 | 403 | 409; errors: FieldErrors };

type LetterDone = "saved" | "tested" | "started" | "already" | "scheduled" | "unscheduled";

/** What the page says after each post (a Map: ?done=constructor finds nothing). */
export const LETTER_DONE = new Map<string, string>([
  ["saved", "The draft is saved. Check the preview below, send yourself a test, then send it or choose a time."],
  ["tested", "A test copy is on its way to your own address, marked as a test."],
  ["started", "The letter is sending. Reload this page to follow its progress."],
  ["already", "This letter had already started sending, so nothing was sent twice."],
  ["scheduled", "The letter is scheduled. You can still change it, or take it back to draft, until then."],
  ["unscheduled", "The letter is back to draft: it will not go out until you send or schedule it."],
]);

const FROZEN: FieldErrors = { form: "This letter has started sending, so it can no longer be changed." };

/** Reads the compose form into a draft for the audience it names: the content composed, the audience checked. */
export async function readLetterForm(context: LetterPostContext, fields: URLSearchParams): Promise<{ ok: true; draft: LetterDraft } | { ok: false; status: 400 | 403; errors: FieldErrors }> {
  const audienceText = context.fixedWardId === null ? field(fields, "audience") : "ward";
  if (!(LETTER_AUDIENCES as readonly string[]).includes(audienceText)) return { ok: false, status: 400, errors: { audience: "Choose who the letter goes to." } };
  const audience = audienceText as LetterAudience;
  let wardId: string | null = null;
  if (audience === "ward") {
    wardId = context.fixedWardId ?? await context.findWard(field(fields, "ward").trim().toLowerCase());
    if (wardId === null) return { ok: false, status: 400, errors: { ward: "There is no ward with that name in its address (such as headingley)." } };
  }
  if (!decideLetterAudience(context.writer, audience, wardId)) return { ok: false, status: 403, errors: { audience: "Your role does not allow letters to that audience." } };
  const source = field(fields, "source") === "essay" ? "essay" : "markdown";
  const markdown = field(fields, "bodyMarkdown");
  if (source === "markdown") {
    const composed = composeFromMarkdown({ subject: field(fields, "subject"), markdown }, context.siteUrl);
    if (!composed.ok) return { ok: false, status: 400, errors: composed.errors };
    return { ok: true, draft: { ...composed.letter, source, essaySlug: null, bodyMarkdown: markdown, audience, wardId } };
  }
  const essay = await context.findEssay(field(fields, "essay"));
  if (essay === null) return { ok: false, status: 400, errors: { essay: "Choose one of the published essays." } };
  // A members-only essay's own text goes only to audiences who may read it and whose letters are never published.
  const paragraphs = essay.membersOnly && !mayQuoteMemberText(audience) ? [] : essay.paragraphs;
  const composed = composeFromEssay({ subject: field(fields, "subject"), note: markdown, essay, paragraphs }, context.siteUrl);
  if (!composed.ok) return { ok: false, status: 400, errors: composed.errors };
  return { ok: true, draft: { ...composed.letter, source, essaySlug: essay.slug, bodyMarkdown: markdown, audience, wardId } };
}

/** True when `writer` may act on the saved `letter` (its audience is one they may write to). */
export function mayWriteLetter(writer: LetterWriter, letter: Pick<Letter, "audience" | "wardId">): boolean {
  return decideLetterAudience(writer, letter.audience, letter.wardId);
}

/** Carries out one post on `letter` (null: a new one, which only "save" can make). */
export async function handleLetterPost(context: LetterPostContext, letter: Letter | null, fields: URLSearchParams, now: number): Promise<LetterPostResult> {
  const { db, actor } = context;
  const action = field(fields, "action");
  if (letter !== null && !mayWriteLetter(context.writer, letter)) return { ok: false, status: 403, errors: { form: "Your role does not allow letters to this audience." } };
  if (action === "save") {
    const form = await readLetterForm(context, fields);
    if (!form.ok) return form;
    const detail = { audience: form.draft.audience, ward: form.draft.wardId, source: form.draft.source };
    if (letter === null) {
      // The form's draft key is the new letter's id, so a double click or a resent form saves one letter, not two.
      const key = field(fields, "draft");
      const id = LETTER_ID.test(key) ? key : generateToken(10);
      const saved = await saveNewDraft(db, id, form.draft, actor.userId, now, (newId) => [auditStatement(db, actor, "letters.create", newId, now, detail, true)]);
      if (saved === "taken") return { ok: false, status: 409, errors: { form: "This form was already used for another letter. Reload the page to write a new one." } };
      return { ok: true, id, done: "saved" };
    }
    const saved = await updateDraft(db, letter.id, form.draft, now, [auditStatement(db, actor, "letters.edit", letter.id, now, detail, true)]);
    return saved ? { ok: true, id: letter.id, done: "saved" } : { ok: false, status: 409, errors: FROZEN };
  }
  if (letter === null) return { ok: false, status: 400, errors: { form: "Save the letter first." } };
  switch (action) {
    case "test":
      if (!(await context.sendTest(letter))) return { ok: false, status: 400, errors: { form: "Letters can't be sent yet: no email provider is set up (README: Letters)." } };
      await auditStatement(db, actor, "letters.test", letter.id, now).run();
      return { ok: true, id: letter.id, done: "tested" };
    case "send": {
      const outcome = await startSending(db, context.queue, letter.id, now, [auditStatement(db, actor, "letters.send", letter.id, now, { audience: letter.audience }, true)]);
      return { ok: true, id: letter.id, done: outcome };
    }
    case "schedule": {
      const when = londonToUtc(field(fields, "date"), field(fields, "time"));
      if (!when.ok) return { ok: false, status: 400, errors: { date: when.message } };
      if (when.seconds <= now + 60) return { ok: false, status: 400, errors: { date: "Choose a time at least a minute from now (UK time)." } };
      const scheduled = await scheduleLetter(db, letter.id, when.seconds, now, [auditStatement(db, actor, "letters.schedule", letter.id, now, { sendAt: when.seconds }, true)]);
      return scheduled ? { ok: true, id: letter.id, done: "scheduled" } : { ok: false, status: 409, errors: FROZEN };
    }
    case "unschedule": {
      const done = await unscheduleLetter(db, letter.id, now, [auditStatement(db, actor, "letters.unschedule", letter.id, now, null, true)]);
      return done ? { ok: true, id: letter.id, done: "unscheduled" } : { ok: false, status: 409, errors: { form: "This letter is not scheduled: it may have started sending already." } };
    }
    default:
      return { ok: false, status: 400, errors: { form: "That action is not one this page offers." } };
  }
}

/** The compose and schedule forms' values for a saved letter (its ward by slug), or a new one's defaults. */
export function letterFormValues(letter: Letter | null, wardSlug: string): Record<string, string> {
  const when = letter?.sendAt ? utcToLondonFields(letter.sendAt) : { date: "", time: "09:00" };
  if (letter === null) return { draft: generateToken(10), subject: "", source: "markdown", essay: "", bodyMarkdown: "", audience: "essays", ward: "", date: when.date, time: when.time };
  return {
    subject: letter.subject, source: letter.source, essay: letter.essaySlug ?? "", bodyMarkdown: letter.bodyMarkdown,
    audience: letter.audience, ward: wardSlug, date: when.date, time: when.time,
  };
}

/** What the forms show after a refused post: a refused save keeps what was typed; a refused schedule its time. */
export function refusedFormValues(values: Record<string, string>, fields: URLSearchParams): Record<string, string> {
  if (field(fields, "action") === "save") return Object.fromEntries(LETTER_FIELDS.filter((name) => name !== "action").map((name) => [name, field(fields, name)]));
  return { ...values, date: field(fields, "date"), time: field(fields, "time") };
}
