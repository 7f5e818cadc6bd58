// Reading wards: the finder (by postcode district, by name, the list) and everything a ward's page shows, each page
// in one db.batch() (one D1 round trip), so a visitor's ward page costs one query on a cache miss and a member's two
// with the session lookup. Rows that only members may see are read for signed-in readers and filtered by
// decideWardAccess in the page, never shown on the strength of the query alone.

export type WardStatus = "forming" | "active";

export interface Ward {
  id: string;
  slug: string;
  name: string;
  area: string;
  status: WardStatus;
  foundingThreshold: number;
  /** The true count: show it through publicCount (counts.ts), never as it is. */
  members: number;
  districts: string[];
}

export interface WardRow { id: string; slug: string; name: string; area: string; status: WardStatus; founding_threshold: number; members: number; districts: string | null }

/** The columns every ward read selects, with its member count and districts (alias the wards table `w`). */
export const WARD_COLUMNS = `w.id, w.slug, w.name, w.area, w.status, w.founding_threshold,
  (SELECT COUNT(*) FROM ward_members wm WHERE wm.ward_id = w.id) AS members,
  (SELECT group_concat(district, ' ') FROM (SELECT district FROM ward_districts d WHERE d.ward_id = w.id ORDER BY district)) AS districts`;

/** A ward row as the app's Ward. */
export function toWard(row: WardRow): Ward {
  return {
    id: row.id, slug: row.slug, name: row.name, area: row.area, status: row.status, foundingThreshold: row.founding_threshold,
    members: row.members, districts: row.districts === null ? [] : row.districts.split(" "),
  };
}

/** The wards covering a postcode district (or its parent district, for EC1A in EC1), by name. */
export async function findWardsByDistrict(db: D1Database, district: string, parent: string | null): Promise<Ward[]> {
  const { results } = await db
    .prepare(`SELECT ${WARD_COLUMNS} FROM wards w WHERE w.id IN (SELECT ward_id FROM ward_districts WHERE district IN (?1, ?2)) ORDER BY w.name LIMIT 20`)
    .bind(district, parent ?? district)
    .all<WardRow>();
  return results.map(toWard);
}

/** The longest name search read. */
export const WARD_SEARCH_MAX = 80;
/** Wards listed per page of the finder. */
export const WARD_PAGE_SIZE = 50;

/** Wards whose name contains `text` (case-insensitive; % and _ match themselves), by name. */
export async function searchWards(db: D1Database, text: string): Promise<Ward[]> {
  const pattern = `%${text.slice(0, WARD_SEARCH_MAX).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { results } = await db
    .prepare(`SELECT ${WARD_COLUMNS} FROM wards w WHERE w.name LIKE ?1 ESCAPE '\\' ORDER BY w.name COLLATE NOCASE LIMIT ?2`)
    .bind(pattern, WARD_PAGE_SIZE)
    .all<WardRow>();
  return results.map(toWard);
}

/** One page of every ward by name (1-based `page`), and whether another follows. */
export async function listWards(db: D1Database, page: number): Promise<{ wards: Ward[]; more: boolean }> {
  const { results } = await db
    .prepare(`SELECT ${WARD_COLUMNS} FROM wards w ORDER BY w.name COLLATE NOCASE, w.id LIMIT ?1 OFFSET ?2`)
    .bind(WARD_PAGE_SIZE + 1, (page - 1) * WARD_PAGE_SIZE)
    .all<WardRow>();
  return { wards: results.slice(0, WARD_PAGE_SIZE).map(toWard), more: results.length > WARD_PAGE_SIZE };
}

/** The statement that reads a ward by slug (for a batch; toWard maps its row). */
export function wardBySlugStatement(db: D1Database, slug: string): D1PreparedStatement {
  return db.prepare(`SELECT ${WARD_COLUMNS} FROM wards w WHERE w.slug = ?1`).bind(slug);
}

/** A ward by slug, or null. */
export async function wardBySlug(db: D1Database, slug: string): Promise<Ward | null> {
  const row = await wardBySlugStatement(db, slug).first<WardRow>();
  return row === null ? null : toWard(row);
}

/** The member's ward and organiser role, as decideWardAccess reads them. */
export interface Membership { wardId: string | null; wardSlug: string | null; wardName: string | null; organiserOf: string | null; listed: boolean; shareEmail: boolean }

interface MembershipRow { ward_id: string | null; slug: string | null; name: string | null; organiser_of: string | null; listed: number | null; share_email: number | null }

/** The statement reading `userId`'s membership (batch it with a page's reads; always one row). */
export function membershipStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db
    .prepare(`SELECT m.ward_id, w.slug, w.name, m.listed, m.share_email, (SELECT ward_id FROM ward_organisers o WHERE o.user_id = ?1) AS organiser_of
      FROM (SELECT 1) LEFT JOIN ward_members m ON m.user_id = ?1 LEFT JOIN wards w ON w.id = m.ward_id`)
    .bind(userId);
}

/** A membership row as Membership. */
export function toMembership(row: MembershipRow | undefined): Membership {
  return {
    wardId: row?.ward_id ?? null, wardSlug: row?.slug ?? null, wardName: row?.name ?? null, organiserOf: row?.organiser_of ?? null,
    listed: row?.listed === 1, shareEmail: row?.share_email === 1,
  };
}

/** `userId`'s membership (one query). */
export async function readMembership(db: D1Database, userId: string): Promise<Membership> {
  return toMembership((await membershipStatement(db, userId).first<MembershipRow>()) ?? undefined);
}
