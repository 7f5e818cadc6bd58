// Everything a ward's page shows, read in one db.batch() (one D1 round trip): the ward, its coming meetings, and for
// a signed-in reader their membership, the notices and the opt-in directory. The page filters members-only rows
// through decideWardAccess; a visitor's batch never selects them at all.
import { decideWardAccess, type WardReader } from "./access";
import { MEETING_COLUMNS, toMeeting, type Meeting, type MeetingRow } from "./meetings";
import { membershipStatement, toMembership, toWard, WARD_COLUMNS, type Membership, type Ward } from "./wards";
import type { Notice } from "./notices";

/** Meetings a ward page lists. */
const MEETINGS_SHOWN = 20;
/** Notices a ward page lists. */
const NOTICES_SHOWN = 10;
/** Names the directory lists. */
const DIRECTORY_SHOWN = 500;

export interface WardPage {
  ward: Ward;
  meetings: Meeting[];
  /** Null for a visitor. */
  membership: Membership | null;
  /** True when the reader may read members-only meetings, notices and the directory. */
  member: boolean;
  organiser: boolean;
  notices: Notice[];
  directory: string[];
}

/** The ward `slug`'s page for `user` (null: a visitor), from `now` on; null when there is no such ward. */
export async function readWardPage(db: D1Database, slug: string, user: { id: string; emailVerified: boolean } | null, now: number): Promise<WardPage | null> {
  const statements = [
    db.prepare(`SELECT ${WARD_COLUMNS} FROM wards w WHERE w.slug = ?1`).bind(slug),
    db.prepare(`SELECT ${MEETING_COLUMNS} FROM ward_meetings m JOIN wards w ON w.id = m.ward_id
        WHERE w.slug = ?2 AND m.ends_at > ?3 AND (?1 IS NOT NULL OR (m.public = 1 AND m.cancelled_at IS NULL)) ORDER BY m.starts_at LIMIT ?4`)
      .bind(user?.id ?? null, slug, now, MEETINGS_SHOWN),
  ];
  if (user !== null) {
    statements.push(
      membershipStatement(db, user.id),
      db.prepare(`SELECT n.id, n.title, n.body, n.posted_at FROM ward_notices n JOIN wards w ON w.id = n.ward_id WHERE w.slug = ?1 ORDER BY n.posted_at DESC LIMIT ?2`).bind(slug, NOTICES_SHOWN),
      db.prepare(`SELECT u.display_name FROM ward_members m JOIN wards w ON w.id = m.ward_id JOIN users u ON u.id = m.user_id
          WHERE w.slug = ?1 AND m.listed = 1 AND u.display_name IS NOT NULL ORDER BY u.display_name COLLATE NOCASE LIMIT ?2`).bind(slug, DIRECTORY_SHOWN),
    );
  }
  const [wardRows, meetingRows, membershipRows, noticeRows, directoryRows] = await db.batch(statements);
  const wardRow = wardRows!.results[0];
  if (wardRow === undefined) return null;
  const ward = toWard(wardRow as Parameters<typeof toWard>[0]);
  const membership = user === null ? null : toMembership(membershipRows!.results[0] as Parameters<typeof toMembership>[0]);
  const reader: WardReader = user === null ? null : { userId: user.id, emailVerified: user.emailVerified, wardId: membership!.wardId, organiserOf: membership!.organiserOf };
  const member = decideWardAccess(reader, ward, "members.read") === "allow";
  const meetings = (meetingRows!.results as unknown as MeetingRow[]).map(toMeeting).filter((meeting) => member || (meeting.public && !meeting.cancelled));
  return {
    ward, meetings, membership, member,
    organiser: decideWardAccess(reader, ward, "meeting.create") === "allow",
    notices: member ? (noticeRows!.results as Array<{ id: string; title: string; body: string; posted_at: number }>).map((row) => ({ id: row.id, title: row.title, body: row.body, postedAt: row.posted_at })) : [],
    directory: member ? (directoryRows!.results as Array<{ display_name: string }>).map((row) => row.display_name) : [],
  };
}
