// What the wards hold about one member, for their data export and for deleting their account
// (functions/auth/account-data.ts calls these): their ward and consents, organiser role, RSVPs and proposals.
import { releasePlacesStatements } from "./rsvps";

/** Statements reading the member's ward data for their export; batch them with the export's others. */
export function exportWardStatements(db: D1Database, userId: string): D1PreparedStatement[] {
  return [
    db.prepare("SELECT w.name AS ward, w.slug, m.joined_at, m.listed AS listed_in_directory, m.share_email AS email_shared_with_organisers FROM ward_members m JOIN wards w ON w.id = m.ward_id WHERE m.user_id = ?1").bind(userId),
    db.prepare("SELECT w.name AS ward, o.appointed_at FROM ward_organisers o JOIN wards w ON w.id = o.ward_id WHERE o.user_id = ?1").bind(userId),
    db.prepare("SELECT mt.title AS meeting, mt.starts_at, r.status, r.updated_at FROM ward_rsvps r JOIN ward_meetings mt ON mt.id = r.meeting_id WHERE r.user_id = ?1 ORDER BY mt.starts_at").bind(userId),
    db.prepare("SELECT name, districts, reason, status, message, created_at, decided_at FROM ward_proposals WHERE proposer_id = ?1 ORDER BY created_at").bind(userId),
  ];
}

/** The export's "wards" section from the results of exportWardStatements, in order (times as ISO 8601). */
export function wardExport(results: D1Result[]): Record<string, unknown> {
  const iso = (rows: unknown[]) => (rows as Record<string, unknown>[]).map((row) =>
    Object.fromEntries(Object.entries(row).map(([key, value]) => [key, key.endsWith("_at") && typeof value === "number" ? new Date(value * 1000).toISOString() : value])));
  const [membership, organiser, rsvps, proposals] = results.map((result) => iso(result.results));
  return { membership: membership![0] ?? null, organiserOf: organiser![0] ?? null, rsvps, proposals };
}

/**
 * Statements to batch before deleting the member's users row: their places at coming meetings go to the waitlist.
 * The rows themselves go with the account (ON DELETE CASCADE: migrations/0010_wards.sql).
 */
export function wardDeletionStatements(db: D1Database, userId: string, now: number): D1PreparedStatement[] {
  return releasePlacesStatements(db, userId, now);
}
