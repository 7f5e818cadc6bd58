// Letters as rows (table letters) and their life: draft → scheduled → sending → sent. A draft or scheduled letter can
// be edited; once sending starts its content is frozen. startSending is the one way into 'sending' (the console's
// "Send now" and the minute cron for scheduled letters both call it): a conditional UPDATE decides, so a double
// click, two staff at once or the cron racing a click start the fan-out exactly once.
import { countRecipients, type LetterAudience } from "./audience";
import { fanOutMessage, type LetterQueue } from "./fan-out";

export type LetterStatus = "draft" | "scheduled" | "sending" | "sent";

/** What the console writes: the content (rendered by functions/letters/compose.ts) and the audience. */
export interface LetterDraft {
  subject: string;
  source: "essay" | "markdown";
  essaySlug: string | null;
  bodyMarkdown: string;
  bodyHtml: string;
  bodyText: string;
  audience: LetterAudience;
  wardId: string | null;
}

export interface Letter extends LetterDraft {
  id: string;
  status: LetterStatus;
  archiveSlug: string | null;
  sendAt: number | null;
  recipientCount: number | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  sendingAt: number | null;
  fannedOutAt: number | null;
  sentAt: number | null;
}

export interface LetterProgress {
  recipients: number;
  pending: number;
  sent: number;
  failed: number;
  skipped: number;
  /** Why deliveries failed or were skipped, most common first (at most 10 reasons). */
  reasons: { reason: string; count: number }[];
}

interface LetterRow {
  id: string; subject: string; source: "essay" | "markdown"; essay_slug: string | null; body_markdown: string; body_html: string;
  body_text: string; audience: LetterAudience; ward_id: string | null; archive_slug: string | null; status: LetterStatus;
  send_at: number | null; recipient_count: number | null; created_by: string; created_at: number; updated_at: number;
  sending_at: number | null; fanned_out_at: number | null; sent_at: number | null;
}

const COLUMNS = `id, subject, source, essay_slug, body_markdown, body_html, body_text, audience, ward_id, archive_slug, status, send_at,
  recipient_count, created_by, created_at, updated_at, sending_at, fanned_out_at, sent_at`;
const EDITABLE = "status IN ('draft', 'scheduled')";

function toLetter(row: LetterRow): Letter {
  return {
    id: row.id, subject: row.subject, source: row.source, essaySlug: row.essay_slug, bodyMarkdown: row.body_markdown,
    bodyHtml: row.body_html, bodyText: row.body_text, audience: row.audience, wardId: row.ward_id, archiveSlug: row.archive_slug,
    status: row.status, sendAt: row.send_at, recipientCount: row.recipient_count, createdBy: row.created_by,
    createdAt: row.created_at, updatedAt: row.updated_at, sendingAt: row.sending_at, fannedOutAt: row.fanned_out_at, sentAt: row.sent_at,
  };
}

/** The draft's values in column order ?2…?9 (shared by INSERT and UPDATE). A ward is kept only for ward letters. */
function draftValues(draft: LetterDraft): unknown[] {
  return [draft.subject, draft.source, draft.essaySlug, draft.bodyMarkdown, draft.bodyHtml, draft.bodyText, draft.audience, draft.audience === "ward" ? draft.wardId : null];
}

/** A new letter's id, also the compose form's draft key: 10 random bytes in base32 (generateToken). */
export const LETTER_ID = /^[a-z2-7]{16}$/;

/**
 * Saves a new draft under `id` (the compose form's draft key), once: a repeated or concurrent post of the same form
 * finds the letter the first one made ("repeat", and the caller's statements, given the id, should then change
 * nothing: audit with ifChanged), and an id that names another writer's letter is "taken".
 */
export async function saveNewDraft(
  db: D1Database, id: string, draft: LetterDraft, createdBy: string, now: number, also: (id: string) => D1PreparedStatement[] = () => [],
): Promise<"created" | "repeat" | "taken"> {
  const [insert] = await db.batch([
    db.prepare(
      `INSERT INTO letters (id, subject, source, essay_slug, body_markdown, body_html, body_text, audience, ward_id, status, created_by, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'draft', ?10, ?11, ?11) ON CONFLICT (id) DO NOTHING`,
    ).bind(id, ...draftValues(draft), createdBy, now),
    ...also(id),
  ]);
  if ((insert!.meta.changes ?? 0) > 0) return "created";
  const owner = await db.prepare("SELECT created_by FROM letters WHERE id = ?1").bind(id).first<{ created_by: string }>();
  return owner?.created_by === createdBy ? "repeat" : "taken";
}

/** Replaces a draft's or scheduled letter's content; false once sending has started (or no such letter). */
export async function updateDraft(db: D1Database, id: string, draft: LetterDraft, now: number, also: D1PreparedStatement[] = []): Promise<boolean> {
  const [result] = await db.batch([
    db.prepare(
      `UPDATE letters SET subject = ?2, source = ?3, essay_slug = ?4, body_markdown = ?5, body_html = ?6, body_text = ?7, audience = ?8,
         ward_id = ?9, updated_at = ?10 WHERE id = ?1 AND ${EDITABLE}`,
    ).bind(id, ...draftValues(draft), now),
    ...also,
  ]);
  return (result!.meta.changes ?? 0) > 0;
}

/** Schedules a draft (or moves a scheduled letter) to go out at `sendAt`, which must be in the future. */
export async function scheduleLetter(db: D1Database, id: string, sendAt: number, now: number, also: D1PreparedStatement[] = []): Promise<boolean> {
  if (!Number.isSafeInteger(sendAt) || sendAt <= now) return false;
  const [result] = await db.batch([
    db.prepare(`UPDATE letters SET status = 'scheduled', send_at = ?2, updated_at = ?3 WHERE id = ?1 AND ${EDITABLE}`).bind(id, sendAt, now),
    ...also,
  ]);
  return (result!.meta.changes ?? 0) > 0;
}

/** Takes a scheduled letter back to draft; false when it is not scheduled (it may have started meanwhile). */
export async function unscheduleLetter(db: D1Database, id: string, now: number, also: D1PreparedStatement[] = []): Promise<boolean> {
  const [result] = await db.batch([
    db.prepare("UPDATE letters SET status = 'draft', send_at = NULL, updated_at = ?2 WHERE id = ?1 AND status = 'scheduled'").bind(id, now),
    ...also,
  ]);
  return (result!.meta.changes ?? 0) > 0;
}

/** The archive address of an essays letter: its subject as a slug, plus a few characters of its id so it is unique. */
export function archiveSlugFor(letter: Pick<Letter, "id" | "subject">): string {
  const words = letter.subject.normalize("NFKD").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60).replace(/-$/, "");
  return `${words || "letter"}-${letter.id.slice(0, 6)}`;
}

/**
 * Starts sending: counts the recipients, moves the letter to 'sending' if it is a draft or scheduled (one conditional
 * UPDATE, so only one caller ever wins) and enqueues the fan-out's first step. "already" when it had started before.
 * `also` (audit rows) runs in the same batch, right after the UPDATE: build them with auditStatement's `ifChanged` so
 * a losing double click records nothing. If the enqueue fails the letter stays 'sending' with no fan-out progress,
 * and the minute cron's resumeStalledFanOuts starts it again.
 */
export async function startSending(db: D1Database, queue: LetterQueue, id: string, now: number, also: D1PreparedStatement[] = []): Promise<"started" | "already"> {
  const letter = await readLetter(db, id);
  if (letter === null || (letter.status !== "draft" && letter.status !== "scheduled")) return "already";
  const recipients = await countRecipients(db, letter.audience, letter.wardId);
  const [result] = await db.batch([
    db.prepare(
      `UPDATE letters SET status = 'sending', sending_at = ?2, updated_at = ?2, recipient_count = ?3, archive_slug = ?4
       WHERE id = ?1 AND ${EDITABLE}`,
    ).bind(id, now, recipients, letter.audience === "essays" ? archiveSlugFor(letter) : null),
    ...also,
  ]);
  if ((result!.meta.changes ?? 0) === 0) return "already";
  await queue.send(fanOutMessage(id, null));
  return "started";
}

/** One letter, or null. */
export async function readLetter(db: D1Database, id: string): Promise<Letter | null> {
  const row = await db.prepare(`SELECT ${COLUMNS} FROM letters WHERE id = ?1`).bind(id).first<LetterRow>();
  return row === null ? null : toLetter(row);
}

/** A page of letters, newest first, below the keyset `before` (the last page's final letter). */
export async function listLetters(
  db: D1Database, options: { before?: { createdAt: number; id: string } | null; limit: number },
): Promise<Letter[]> {
  const before = options.before ?? null;
  const { results } = await db
    .prepare(`SELECT ${COLUMNS} FROM letters WHERE ?1 IS NULL OR (created_at, id) < (?1, ?2) ORDER BY created_at DESC, id DESC LIMIT ?3`)
    .bind(before?.createdAt ?? null, before?.id ?? "", Math.max(1, Math.min(options.limit, 200)))
    .all<LetterRow>();
  return results.map(toLetter);
}

/**
 * Counts by status (the rows still present plus what housekeeping folded into letter_counts), and the reasons of
 * failures and skips. Recipients not yet reached by the fan-out count as pending; when it finishes, the letter's
 * recipient count becomes the deliveries it wrote (members who left or unsubscribed meanwhile are not counted).
 */
export async function letterProgress(db: D1Database, id: string): Promise<LetterProgress> {
  const [letter, byStatus, folded, reasons] = await db.batch([
    db.prepare("SELECT recipient_count, fanned_out_at FROM letters WHERE id = ?1").bind(id),
    db.prepare("SELECT status, COUNT(*) AS n FROM deliveries WHERE letter_id = ?1 GROUP BY status").bind(id),
    db.prepare("SELECT sent, failed, skipped FROM letter_counts WHERE letter_id = ?1").bind(id),
    db.prepare(
      `SELECT reason, COUNT(*) AS n FROM deliveries WHERE letter_id = ?1 AND status IN ('failed', 'skipped') AND reason IS NOT NULL
       GROUP BY reason ORDER BY n DESC, reason LIMIT 10`,
    ).bind(id),
  ]);
  const counts = { pending: 0, sent: 0, failed: 0, skipped: 0 };
  for (const row of byStatus!.results as { status: keyof typeof counts; n: number }[]) counts[row.status] = row.n;
  const old = (folded!.results[0] ?? { sent: 0, failed: 0, skipped: 0 }) as { sent: number; failed: number; skipped: number };
  counts.sent += old.sent; counts.failed += old.failed; counts.skipped += old.skipped;
  const row = letter!.results[0] as { recipient_count: number | null; fanned_out_at: number | null } | undefined;
  const recipients = row?.recipient_count ?? 0;
  // Until the fan-out has finished, the recipients it has not reached yet are pending too.
  const unreached = row?.fanned_out_at == null ? Math.max(0, recipients - (counts.pending + counts.sent + counts.failed + counts.skipped)) : 0;
  return {
    recipients, ...counts, pending: counts.pending + unreached,
    reasons: (reasons!.results as { reason: string; n: number }[]).map((row) => ({ reason: row.reason, count: row.n })),
  };
}

/** Starts every scheduled letter whose time has come (the minute cron); returns how many it started. */
export async function startDueLetters(db: D1Database, queue: LetterQueue, now: number): Promise<number> {
  const { results } = await db.prepare("SELECT id FROM letters WHERE status = 'scheduled' AND send_at <= ?1 ORDER BY send_at LIMIT 20").bind(now).all<{ id: string }>();
  let started = 0;
  for (const { id } of results) if ((await startSending(db, queue, id, now)) === "started") started++;
  return started;
}
