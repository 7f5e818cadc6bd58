// Ward meetings: the organiser's form rules (title, London start and end, place, capacity, public or members-only,
// description), creating, editing and cancelling, each in one db.batch() with its audit row and scoped to the
// organiser's own ward in SQL as well as in decideWardAccess. Editing raises the .ics SEQUENCE and, if the capacity
// grew, promotes the waitlist in the same batch.
import type { FieldErrors, Outcome } from "@functions/auth/account";
import { auditStatement, type Actor } from "@functions/staff/audit";
import { field, hasControlCharacters } from "@functions/http/forms";
import { londonToUtc } from "./london-time";
import { promoteStatement, type RsvpStatus } from "./rsvps";

export const MEETING_TITLE_MAX = 120;
export const MEETING_PLACE_MAX = 200;
export const MEETING_DESCRIPTION_MAX = 4000;
export const MEETING_CAPACITY_MAX = 10000;
/** A meeting lasts at most this long (a day of action, not a week). */
const LONGEST_MEETING = 24 * 60 * 60;

export interface MeetingInput { title: string; startsAt: number; endsAt: number; place: string; capacity: number | null; public: boolean; description: string }

/** The meeting form's field names (start and end as London date and time). */
export const MEETING_FIELDS = ["title", "date", "start", "end", "place", "capacity", "visibility", "description"] as const;

/** Reads and checks the meeting form; errors are keyed by field name. */
export function readMeetingForm(fields: URLSearchParams): { ok: true; input: MeetingInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const title = field(fields, "title").trim();
  const place = field(fields, "place").trim();
  const description = field(fields, "description").trim().replace(/\r\n/g, "\n");
  if (title === "") errors.title = "Give the meeting a title.";
  else if (title.length > MEETING_TITLE_MAX) errors.title = `Keep the title to ${MEETING_TITLE_MAX} characters.`;
  if (place === "") errors.place = "Say where the meeting is.";
  else if (place.length > MEETING_PLACE_MAX) errors.place = `Keep the place to ${MEETING_PLACE_MAX} characters.`;
  if (description.length > MEETING_DESCRIPTION_MAX) errors.description = `Keep the description to ${MEETING_DESCRIPTION_MAX} characters.`;
  else if (hasControlCharacters(description.replace(/\n/g, ""))) errors.description = "The description contains invisible control characters. Please retype it.";
  const start = londonToUtc(field(fields, "date"), field(fields, "start"));
  const end = londonToUtc(field(fields, "date"), field(fields, "end"));
  if (!start.ok) errors[field(fields, "date") === "" || start.message.startsWith("Enter the date") || start.message.startsWith("That date") ? "date" : "start"] = start.message;
  else if (!end.ok) errors.end = end.message;
  let startsAt = 0;
  let endsAt = 0;
  if (start.ok && end.ok) {
    startsAt = start.seconds;
    // An end before the start means the meeting runs past midnight.
    endsAt = end.seconds > start.seconds ? end.seconds : end.seconds + 24 * 60 * 60;
    if (endsAt - startsAt > LONGEST_MEETING) errors.end = "A meeting can last at most a day.";
  }
  const capacityText = field(fields, "capacity").trim();
  let capacity: number | null = null;
  if (capacityText !== "") {
    capacity = /^\d{1,6}$/.test(capacityText) ? Number(capacityText) : NaN;
    if (!(capacity >= 1 && capacity <= MEETING_CAPACITY_MAX)) errors.capacity = `Capacity is a number of places from 1 to ${MEETING_CAPACITY_MAX}, or empty for no limit.`;
  }
  const visibility = field(fields, "visibility");
  if (visibility !== "public" && visibility !== "members") errors.visibility = "Choose who can see the meeting.";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { title, startsAt, endsAt, place, capacity, public: visibility === "public", description } };
}

/** Creates a meeting on `wardId` with its audit row; returns its id. */
export async function createMeeting(db: D1Database, actor: Actor, wardId: string, input: MeetingInput, now: number): Promise<string> {
  const id = crypto.randomUUID();
  await db.batch([
    db.prepare(`INSERT INTO ward_meetings (id, ward_id, title, starts_at, ends_at, place, capacity, public, description, created_at, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)`)
      .bind(id, wardId, input.title, input.startsAt, input.endsAt, input.place, input.capacity, input.public ? 1 : 0, input.description, now),
    auditStatement(db, actor, "wards.meeting.create", id, now, { ward: wardId }),
  ]);
  return id;
}

const NO_SUCH_MEETING: FieldErrors = { form: "That meeting is not one of this ward's, or it was cancelled." };

/** Edits a meeting of `wardId` (never another ward's), promoting the waitlist if places were added. */
export async function updateMeeting(db: D1Database, actor: Actor, wardId: string, meetingId: string, input: MeetingInput, now: number): Promise<Outcome<object>> {
  const [updated] = await db.batch([
    db.prepare(`UPDATE ward_meetings SET title = ?3, starts_at = ?4, ends_at = ?5, place = ?6, capacity = ?7, public = ?8, description = ?9,
        sequence = sequence + 1, updated_at = ?10 WHERE id = ?1 AND ward_id = ?2 AND cancelled_at IS NULL`)
      .bind(meetingId, wardId, input.title, input.startsAt, input.endsAt, input.place, input.capacity, input.public ? 1 : 0, input.description, now),
    auditStatement(db, actor, "wards.meeting.edit", meetingId, now, { ward: wardId }, true),
    promoteStatement(db, "SELECT ?1", meetingId),
  ]);
  return updated!.meta.changes === 1 ? { ok: true } : { ok: false, errors: NO_SUCH_MEETING };
}

/** Cancels a meeting of `wardId`; its RSVPs stay so members see it was called off. */
export async function cancelMeeting(db: D1Database, actor: Actor, wardId: string, meetingId: string, now: number): Promise<Outcome<object>> {
  const [updated] = await db.batch([
    db.prepare("UPDATE ward_meetings SET cancelled_at = ?3, sequence = sequence + 1, updated_at = ?3 WHERE id = ?1 AND ward_id = ?2 AND cancelled_at IS NULL").bind(meetingId, wardId, now),
    auditStatement(db, actor, "wards.meeting.cancel", meetingId, now, { ward: wardId }, true),
  ]);
  return updated!.meta.changes === 1 ? { ok: true } : { ok: false, errors: NO_SUCH_MEETING };
}

export interface Meeting {
  id: string;
  wardId: string;
  title: string;
  startsAt: number;
  endsAt: number;
  place: string;
  capacity: number | null;
  public: boolean;
  description: string;
  cancelled: boolean;
  sequence: number;
  updatedAt: number;
  going: number;
  waitlisted: number;
  /** The reader's own answer, when signed in. */
  mine: RsvpStatus | null;
}

export interface MeetingRow {
  id: string; ward_id: string; title: string; starts_at: number; ends_at: number; place: string; capacity: number | null; public: number;
  description: string; cancelled_at: number | null; sequence: number; updated_at: number; going: number; waitlisted: number; mine: RsvpStatus | null;
}

/** The columns a meeting read selects for reader ?1 (alias the meetings table `m`). */
export const MEETING_COLUMNS = `m.id, m.ward_id, m.title, m.starts_at, m.ends_at, m.place, m.capacity, m.public, m.description, m.cancelled_at, m.sequence, m.updated_at,
  (SELECT COUNT(*) FROM ward_rsvps r WHERE r.meeting_id = m.id AND r.status = 'going') AS going,
  (SELECT COUNT(*) FROM ward_rsvps r WHERE r.meeting_id = m.id AND r.status = 'waitlisted') AS waitlisted,
  (SELECT status FROM ward_rsvps r WHERE r.meeting_id = m.id AND r.user_id = ?1) AS mine`;

/** A meeting row as Meeting. */
export function toMeeting(row: MeetingRow): Meeting {
  return {
    id: row.id, wardId: row.ward_id, title: row.title, startsAt: row.starts_at, endsAt: row.ends_at, place: row.place, capacity: row.capacity,
    public: row.public === 1, description: row.description, cancelled: row.cancelled_at !== null, sequence: row.sequence, updatedAt: row.updated_at,
    going: row.going, waitlisted: row.waitlisted, mine: row.mine,
  };
}

/** One meeting of the ward `slug` with the reader's answer, or null. */
export async function meetingOfWard(db: D1Database, slug: string, meetingId: string, userId: string | null): Promise<Meeting | null> {
  const row = await db
    .prepare(`SELECT ${MEETING_COLUMNS} FROM ward_meetings m JOIN wards w ON w.id = m.ward_id WHERE w.slug = ?2 AND m.id = ?3`)
    .bind(userId, slug, meetingId)
    .first<MeetingRow>();
  return row === null ? null : toMeeting(row);
}
