// RSVPs to ward meetings: going, waitlisted or not going, with a capacity. Each answer is one SQL statement or one
// db.batch() (a D1 transaction), so concurrent answers can never overfill a meeting: 30 members answering "going" at
// once to a 10-place meeting leaves exactly 10 going and 20 waitlisted. A place that frees (a member says not going,
// leaves the ward, deletes their account, or an organiser raises the capacity) goes to the first on the waitlist.

export type RsvpStatus = "going" | "waitlisted" | "not_going";

/**
 * The statement that promotes waitlisted RSVPs into free places for the meetings `meetingSql` selects (SQL over ?1).
 * A waitlisted RSVP is promoted when fewer than the capacity are going or queued ahead of it: a rule that does not
 * depend on the order SQLite updates rows in.
 */
export function promoteStatement(db: D1Database, meetingSql: string, param: string): D1PreparedStatement {
  return db
    .prepare(`UPDATE ward_rsvps SET status = 'going' WHERE status = 'waitlisted' AND meeting_id IN (${meetingSql})
      AND (SELECT COUNT(*) FROM ward_rsvps ahead WHERE ahead.meeting_id = ward_rsvps.meeting_id
             AND (ahead.status = 'going' OR (ahead.status = 'waitlisted' AND (ahead.queued_at, ahead.user_id) < (ward_rsvps.queued_at, ward_rsvps.user_id))))
          < COALESCE((SELECT capacity FROM ward_meetings m WHERE m.id = ward_rsvps.meeting_id), 1000000000)`)
    .bind(param);
}

/** Statements that give up `userId`'s places in meetings from `now` on (optionally of one ward) and promote others. */
export function releasePlacesStatements(db: D1Database, userId: string, now: number, wardId: string | null = null): D1PreparedStatement[] {
  return [
    db.prepare(`UPDATE ward_rsvps SET status = 'not_going', updated_at = ?2 WHERE user_id = ?1 AND status <> 'not_going'
        AND meeting_id IN (SELECT id FROM ward_meetings WHERE ends_at > ?2 AND (?3 IS NULL OR ward_id = ?3))`).bind(userId, now, wardId),
    promoteStatement(db, "SELECT meeting_id FROM ward_rsvps WHERE user_id = ?1", userId),
  ];
}

/**
 * Records `userId`'s answer to a meeting that has not ended and is not cancelled, and returns their status, or null
 * when the meeting takes no answers. Saying "going" again keeps one's place (and one's turn on the waitlist).
 */
export async function answerRsvp(db: D1Database, meetingId: string, userId: string, answer: "going" | "not_going", now: number): Promise<RsvpStatus | null> {
  if (answer === "going") {
    const row = await db
      .prepare(`INSERT INTO ward_rsvps (meeting_id, user_id, status, queued_at, updated_at)
        SELECT m.id, ?2, CASE WHEN m.capacity IS NULL OR (SELECT COUNT(*) FROM ward_rsvps r WHERE r.meeting_id = m.id AND r.status = 'going') < m.capacity
                              THEN 'going' ELSE 'waitlisted' END, ?3, ?3
        FROM ward_meetings m WHERE m.id = ?1 AND m.cancelled_at IS NULL AND m.ends_at > ?3
        ON CONFLICT (meeting_id, user_id) DO UPDATE SET
          status = CASE WHEN ward_rsvps.status = 'not_going' THEN excluded.status ELSE ward_rsvps.status END,
          queued_at = CASE WHEN ward_rsvps.status = 'not_going' THEN excluded.queued_at ELSE ward_rsvps.queued_at END,
          updated_at = excluded.updated_at
        RETURNING status`)
      .bind(meetingId, userId, now)
      .first<{ status: RsvpStatus }>();
    return row?.status ?? null;
  }
  const [updated] = await db.batch([
    db.prepare(`UPDATE ward_rsvps SET status = 'not_going', updated_at = ?3 WHERE meeting_id = ?1 AND user_id = ?2
        AND meeting_id IN (SELECT id FROM ward_meetings WHERE cancelled_at IS NULL AND ends_at > ?3) RETURNING status`).bind(meetingId, userId, now),
    promoteStatement(db, "SELECT ?1", meetingId),
  ]);
  return updated!.results.length > 0 ? "not_going" : null;
}

/** One RSVP as an organiser sees it (display name and, with consent, email). */
export interface RsvpEntry { displayName: string; email: string | null; status: RsvpStatus; at: number }

/** The RSVPs to a meeting of `wardId`, going first then the waitlist in order; for the ward's organisers. */
export async function listRsvps(db: D1Database, wardId: string, meetingId: string): Promise<RsvpEntry[]> {
  const { results } = await db
    .prepare(`SELECT COALESCE(u.display_name, 'A member') AS display_name, CASE WHEN wm.share_email = 1 AND wm.ward_id = ?1 THEN u.email END AS email, r.status, r.queued_at
      FROM ward_rsvps r JOIN ward_meetings m ON m.id = r.meeting_id AND m.ward_id = ?1 JOIN users u ON u.id = r.user_id
      LEFT JOIN ward_members wm ON wm.user_id = r.user_id
      WHERE r.meeting_id = ?2 ORDER BY CASE r.status WHEN 'going' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, r.queued_at, r.user_id LIMIT 1000`)
    .bind(wardId, meetingId)
    .all<{ display_name: string; email: string | null; status: RsvpStatus; queued_at: number }>();
  return results.map((row) => ({ displayName: row.display_name, email: row.email, status: row.status, at: row.queued_at }));
}
