// Notices: short posts from a ward's organisers to its members (members-only), each posted or removed in one
// db.batch() with its audit row, and scoped to the organiser's own ward in SQL.
import type { FieldErrors, Outcome } from "@functions/auth/account";
import { auditStatement, type Actor } from "@functions/staff/audit";
import { field, hasControlCharacters } from "@functions/http/forms";

export const NOTICE_TITLE_MAX = 120;
export const NOTICE_BODY_MAX = 4000;

export interface Notice { id: string; title: string; body: string; postedAt: number }

/** Checks and posts a notice on `wardId`. */
export async function postNotice(db: D1Database, actor: Actor, wardId: string, fields: URLSearchParams, now: number): Promise<Outcome<{ id: string }>> {
  // "noticeTitle": the organisers' page also has a meeting form, whose field is "title".
  const title = field(fields, "noticeTitle").trim();
  const body = field(fields, "body").trim().replace(/\r\n/g, "\n");
  const errors: FieldErrors = {};
  if (title === "") errors.noticeTitle = "Give the notice a title.";
  else if (title.length > NOTICE_TITLE_MAX) errors.noticeTitle = `Keep the title to ${NOTICE_TITLE_MAX} characters.`;
  if (body === "") errors.body = "Write the notice.";
  else if (body.length > NOTICE_BODY_MAX) errors.body = `Keep the notice to ${NOTICE_BODY_MAX} characters.`;
  else if (hasControlCharacters(body.replace(/\n/g, ""))) errors.body = "The notice contains invisible control characters. Please retype it.";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const id = crypto.randomUUID();
  await db.batch([
    db.prepare("INSERT INTO ward_notices (id, ward_id, title, body, author_id, posted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)").bind(id, wardId, title, body, actor.userId, now),
    auditStatement(db, actor, "wards.notice.post", id, now, { ward: wardId }),
  ]);
  return { ok: true, id };
}

/** Removes a notice of `wardId` (never another ward's). */
export async function removeNotice(db: D1Database, actor: Actor, wardId: string, noticeId: string, now: number): Promise<Outcome<object>> {
  const [removed] = await db.batch([
    db.prepare("DELETE FROM ward_notices WHERE id = ?1 AND ward_id = ?2").bind(noticeId, wardId),
    auditStatement(db, actor, "wards.notice.remove", noticeId, now, { ward: wardId }, true),
  ]);
  return removed!.meta.changes === 1 ? { ok: true } : { ok: false, errors: { form: "That notice is not one of this ward's." } };
}
