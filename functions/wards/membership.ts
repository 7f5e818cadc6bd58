// Joining, moving between and leaving wards (one ward per member), and the member's two consents: to be listed by
// display name in the ward's directory, and to share their email address with its organisers. Moving or leaving
// gives up the member's places at the old ward's coming meetings (promoting the waitlist) and any organiser role
// there, all in one db.batch().
import { releasePlacesStatements } from "./rsvps";

export interface Consents { listed: boolean; shareEmail: boolean }

/** Reads the consent checkboxes of a join or settings form. */
export function readConsents(fields: URLSearchParams): Consents {
  return { listed: fields.get("listed") === "yes", shareEmail: fields.get("shareEmail") === "yes" };
}

/** Statements that take `userId` out of any ward other than `keepWardId`: places, organiser role, membership. */
function leaveStatements(db: D1Database, userId: string, now: number, keepWardId: string | null): D1PreparedStatement[] {
  const oldWard = "(SELECT ward_id FROM ward_members WHERE user_id = ?1)";
  return [
    db.prepare(`UPDATE ward_rsvps SET status = 'not_going', updated_at = ?2 WHERE user_id = ?1 AND status <> 'not_going'
        AND meeting_id IN (SELECT id FROM ward_meetings WHERE ends_at > ?2 AND ward_id = ${oldWard} AND ward_id IS NOT ?3)`).bind(userId, now, keepWardId),
    releasePlacesStatements(db, userId, now)[1]!,
    db.prepare("DELETE FROM ward_organisers WHERE user_id = ?1 AND ward_id IS NOT ?2").bind(userId, keepWardId),
    db.prepare("DELETE FROM ward_members WHERE user_id = ?1 AND ward_id IS NOT ?2").bind(userId, keepWardId),
  ];
}

/** Makes `userId` a member of `wardId` (moving them from any other ward) with `consents`; false if no such ward. */
export async function joinWard(db: D1Database, userId: string, wardId: string, consents: Consents, now: number): Promise<boolean> {
  const results = await db.batch([
    ...leaveStatements(db, userId, now, wardId),
    db.prepare(`INSERT INTO ward_members (user_id, ward_id, joined_at, listed, share_email) SELECT ?1, id, ?3, ?4, ?5 FROM wards WHERE id = ?2
        ON CONFLICT (user_id) DO UPDATE SET listed = excluded.listed, share_email = excluded.share_email`)
      .bind(userId, wardId, now, consents.listed ? 1 : 0, consents.shareEmail ? 1 : 0),
  ]);
  return results.at(-1)!.meta.changes === 1;
}

/** Takes `userId` out of their ward; false if they had none. */
export async function leaveWard(db: D1Database, userId: string, now: number): Promise<boolean> {
  const results = await db.batch(leaveStatements(db, userId, now, null));
  return results.at(-1)!.meta.changes === 1;
}

/** Changes the consents of `userId` in their ward. */
export async function updateConsents(db: D1Database, userId: string, consents: Consents): Promise<boolean> {
  const result = await db.prepare("UPDATE ward_members SET listed = ?2, share_email = ?3 WHERE user_id = ?1").bind(userId, consents.listed ? 1 : 0, consents.shareEmail ? 1 : 0).run();
  return result.meta.changes === 1;
}

/** A ward member as its organisers see them. */
export interface WardMemberEntry { displayName: string; email: string | null; joinedAt: number; listed: boolean; organiser: boolean }

/** Members shown per page of the organisers' list. */
export const MEMBER_PAGE_SIZE = 100;

/** One page of `wardId`'s members, newest first before `before` (joined_at), for its organisers: emails only with consent. */
export async function listWardMembers(db: D1Database, wardId: string, before: number | null): Promise<{ members: WardMemberEntry[]; nextBefore: number | null }> {
  const { results } = await db
    .prepare(`SELECT COALESCE(u.display_name, 'A member') AS display_name, CASE WHEN m.share_email = 1 THEN u.email END AS email, m.joined_at, m.listed,
        EXISTS (SELECT 1 FROM ward_organisers o WHERE o.user_id = m.user_id AND o.ward_id = m.ward_id) AS organiser
      FROM ward_members m JOIN users u ON u.id = m.user_id WHERE m.ward_id = ?1 AND (?2 IS NULL OR m.joined_at < ?2) ORDER BY m.joined_at DESC LIMIT ?3`)
    .bind(wardId, before, MEMBER_PAGE_SIZE + 1)
    .all<{ display_name: string; email: string | null; joined_at: number; listed: number; organiser: number }>();
  const members = results.slice(0, MEMBER_PAGE_SIZE).map((row) => ({ displayName: row.display_name, email: row.email, joinedAt: row.joined_at, listed: row.listed === 1, organiser: row.organiser === 1 }));
  return { members, nextBefore: results.length > MEMBER_PAGE_SIZE ? members.at(-1)!.joinedAt : null };
}
