// The public letters archive (/letters/ and /letters/<slug>/): letters sent to the essays topic, newest first. Only
// they have an archive_slug (store.ts startSending sets it for the essays audience alone), and the queries check the
// audience too, so a ward's or donors' letter never appears. Their content is composed without member-only text
// (access.ts mayQuoteMemberText), so the archive is as public as the essays.
import type { Parsed } from "@functions/staff/paging";

/** Letters an archive page lists. */
export const ARCHIVE_PAGE_SIZE = 30;

/** A letter as the archive shows it. */
export interface ArchivedLetter { slug: string; subject: string; bodyHtml: string; sentAt: number }

/** A line of the archive's list. */
export type ArchiveEntry = Omit<ArchivedLetter, "bodyHtml">;

const PUBLISHED = "archive_slug IS NOT NULL AND status = 'sent' AND audience = 'essays'";

/** The cursor of an archive page (?before=<sent_at>.<slug>: the last letter shown); anything else is refused. */
export function parseArchiveCursor(text: string | null): Parsed<{ sentAt: number; slug: string } | null> {
  if (text === null || text === "") return { ok: true, value: null };
  const match = /^(\d{1,12})\.([a-z0-9-]{1,80})$/.exec(text);
  if (match === null) return { ok: false, message: "That page link is not valid. Start again from the newest letters." };
  return { ok: true, value: { sentAt: Number(match[1]), slug: match[2]! } };
}

/** One page of the archive after `before`, and the cursor of the next page (by letters_archive: sent_at DESC). */
export async function listArchive(db: D1Database, before: { sentAt: number; slug: string } | null): Promise<{ letters: ArchiveEntry[]; next: string | null }> {
  const { results } = await db
    .prepare(
      `SELECT archive_slug AS slug, subject, sent_at FROM letters WHERE ${PUBLISHED} AND (?1 IS NULL OR sent_at < ?1 OR (sent_at = ?1 AND archive_slug < ?2))
       ORDER BY sent_at DESC, archive_slug DESC LIMIT ?3`,
    )
    .bind(before?.sentAt ?? null, before?.slug ?? "", ARCHIVE_PAGE_SIZE + 1)
    .all<{ slug: string; subject: string; sent_at: number }>();
  const letters = results.slice(0, ARCHIVE_PAGE_SIZE).map((row) => ({ slug: row.slug, subject: row.subject, sentAt: row.sent_at }));
  const last = letters.at(-1);
  return { letters, next: results.length > ARCHIVE_PAGE_SIZE && last ? `${last.sentAt}.${last.slug}` : null };
}

/** The archived letter at `slug`, or null (unknown, not sent yet, or not an essays letter). */
export async function readArchived(db: D1Database, slug: string): Promise<ArchivedLetter | null> {
  const row = await db
    .prepare(`SELECT archive_slug AS slug, subject, body_html, sent_at FROM letters WHERE archive_slug = ?1 AND ${PUBLISHED}`)
    .bind(slug)
    .first<{ slug: string; subject: string; body_html: string; sent_at: number }>();
  return row === null ? null : { slug: row.slug, subject: row.subject, bodyHtml: row.body_html, sentAt: row.sent_at };
}
