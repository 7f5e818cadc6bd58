// The console's member list (/admin/members and /admin/members.csv): search by email or name prefix, filters
// (verified, unverified, donor, monthly donor, staff) and one ward's members, newest first, keyset paged. A prefix is a range on an index
// (users.email is UNIQUE; names have users_display_name, NOCASE), never a leading-% LIKE; the order and the cursor are a
// range on users(created_at, id). Editors see only the counts (memberCounts), which read no member's row.
import { isStaffRole, type SiteRole } from "./access";
import { toWard, wardBySlugStatement, type Ward, type WardRow } from "@functions/wards/wards";
import { keysetCondition, keysetParams, pageOf, parseChoice, parseCursor, PAGE_SIZE, type Cursor, type Parsed, type SqlQuery } from "./paging";

export const MEMBER_FILTERS = ["all", "verified", "unverified", "donor", "monthly", "staff"] as const;
export type MemberFilter = (typeof MEMBER_FILTERS)[number];
/** The longest search the list takes (an email address is at most 254). */
export const SEARCH_MAX = 254;

/** `ward` is a ward's slug (the link from /admin/wards); null lists every member. */
export interface MemberQuery { search: string; filter: MemberFilter; ward: string | null; cursor: Cursor | null }

export interface MemberSummary { id: string; email: string; displayName: string | null; verifiedAt: number | null; createdAt: number; role: SiteRole }

export interface MemberCounts { total: number; verified: number; unverified: number; donors: number; monthlyDonors: number; staff: number }

/** What a ward's slug looks like (functions/wards/ward-admin.ts slugFor makes them). */
const WARD_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;

/** The list's query from the query string (?q, ?filter, ?ward, ?after), or a message saying what is wrong with it. */
export function parseMemberQuery(params: URLSearchParams): Parsed<MemberQuery> {
  const search = (params.get("q") ?? "").trim();
  if (search.length > SEARCH_MAX) return { ok: false, message: `Search for at most ${SEARCH_MAX} characters: the start of an email address or a name.` };
  if (/\p{Cc}/u.test(search)) return { ok: false, message: "The search contained invisible control characters. Please retype it." };
  const filter = parseChoice(params.get("filter"), MEMBER_FILTERS, "filter");
  if (!filter.ok) return filter;
  const ward = params.get("ward") ?? "";
  if (ward !== "" && !WARD_SLUG.test(ward)) return { ok: false, message: "That ward link is not valid. Choose the ward again from the wards page." };
  const cursor = parseCursor(params.get("after"));
  if (!cursor.ok) return cursor;
  return { ok: true, value: { search, filter: filter.value, ward: ward === "" ? null : ward, cursor: cursor.value } };
}

/** The filters as a short object for audit rows (no search text: it may be part of a member's address). */
export function memberQueryDetail(query: MemberQuery): { filter: MemberFilter; search: boolean; ward?: string } {
  return { filter: query.filter, search: query.search !== "", ...(query.ward === null ? {} : { ward: query.ward }) };
}

/** Above every string that starts with a prefix: the prefix followed by the highest code point. */
const PAST_PREFIX = "\u{10FFFF}";

const FILTER_SQL: Record<MemberFilter, string> = {
  all: "",
  verified: "AND u.email_verified_at IS NOT NULL",
  unverified: "AND u.email_verified_at IS NULL",
  donor: "AND EXISTS (SELECT 1 FROM donations d WHERE d.user_id = u.id)",
  monthly: "AND EXISTS (SELECT 1 FROM subscriptions m WHERE m.user_id = u.id AND m.status = 'active')",
  staff: "AND s.role IS NOT NULL",
};

/**
 * One page of the list as SQL: `limit` rows after the cursor, newest first (binds ?1–?3, ?4–?7 for a search, and the
 * ward's slug after them).
 */
export function memberListQuery(query: MemberQuery, limit: number): SqlQuery {
  const [createdAt, id] = keysetParams(query.cursor);
  const params: unknown[] = [createdAt, id, limit];
  const conditions: string[] = [];
  if (query.search !== "") {
    // Addresses are stored lower-cased. Names compare NOCASE, which folds ASCII letters only, so the typed text is kept.
    const email = query.search.toLowerCase();
    // An address is matched from its start; a search without "@" may also be the start of a name. The two ranges are
    // read as a union of rowids (the planner does not turn an OR of ranges on two indexes into two index reads here).
    conditions.push(email.includes("@")
      ? "AND u.email >= ?4 AND u.email < ?5"
      : `AND u.rowid IN (SELECT rowid FROM users WHERE email >= ?4 AND email < ?5
         UNION ALL SELECT rowid FROM users WHERE display_name COLLATE NOCASE >= ?6 AND display_name COLLATE NOCASE < ?7)`);
    params.push(email, `${email}${PAST_PREFIX}`);
    if (!email.includes("@")) params.push(query.search, `${query.search}${PAST_PREFIX}`);
  }
  if (query.ward !== null) {
    // Read through ward_members' (ward_id, joined_at) index: a ward is small beside the whole membership.
    params.push(query.ward);
    conditions.push(`AND u.id IN (SELECT wm.user_id FROM ward_members wm JOIN wards w ON w.id = wm.ward_id WHERE w.slug = ?${params.length})`);
  }
  conditions.push(FILTER_SQL[query.filter]);
  // A search or a ward orders by `+u.created_at`: the unary plus keeps the planner from walking the joined-date index
  // in order (which reads every row when few match) and makes it read the matching rows, then sort what it found.
  const order = conditions.length > 1 ? "+u.created_at" : "u.created_at";
  const sql = `SELECT u.id, u.email, u.display_name, u.email_verified_at, u.created_at, s.role
          FROM users u LEFT JOIN staff s ON s.user_id = u.id
          WHERE ${keysetCondition(order)} ${conditions.join(" ")}
          ORDER BY ${order} DESC, u.id DESC LIMIT ?3`;
  return { sql, params };
}

interface MemberRow { id: string; email: string; display_name: string | null; email_verified_at: number | null; created_at: number; role: string | null }

/** Maps a list row to a MemberSummary. */
export function toMemberSummary(row: MemberRow): MemberSummary {
  const role = row.role !== null && isStaffRole(row.role) ? row.role : "member";
  return { id: row.id, email: row.email, displayName: row.display_name, verifiedAt: row.email_verified_at, createdAt: row.created_at, role };
}

/** The counts' statements as SQL, in order (each reads a counter, a small table or an index, never users). */
export function memberCountQueries(): SqlQuery[] {
  return [
    { sql: "SELECT total, verified FROM member_counts WHERE id = 1", params: [] },
    { sql: "SELECT COUNT(DISTINCT user_id) AS n FROM donations WHERE user_id IS NOT NULL", params: [] },
    { sql: "SELECT COUNT(DISTINCT user_id) AS n FROM subscriptions WHERE status = 'active' AND user_id IS NOT NULL", params: [] },
    { sql: "SELECT COUNT(*) AS n FROM staff", params: [] },
  ];
}

function toStatements(db: D1Database, queries: SqlQuery[]): D1PreparedStatement[] {
  return queries.map(({ sql, params }) => db.prepare(sql).bind(...params));
}

function readCounts(results: D1Result[]): MemberCounts {
  const first = <T>(result: D1Result | undefined) => (result?.results[0] ?? null) as T | null;
  const totals = first<{ total: number; verified: number }>(results[0]) ?? { total: 0, verified: 0 };
  const n = (result: D1Result | undefined) => first<{ n: number }>(result)?.n ?? 0;
  return { total: totals.total, verified: totals.verified, unverified: totals.total - totals.verified, donors: n(results[1]), monthlyDonors: n(results[2]), staff: n(results[3]) };
}

/** The member counts an editor may see, in one round trip. */
export async function memberCounts(db: D1Database): Promise<MemberCounts> {
  return readCounts(await db.batch(toStatements(db, memberCountQueries())));
}

/** The counts, the ward the list is scoped to (null when it names none), and one page of the list, in one round trip. */
export async function listMembers(db: D1Database, query: MemberQuery): Promise<{ counts: MemberCounts; ward: Ward | null; members: MemberSummary[]; next: string | null }> {
  const wardStatements = query.ward === null ? [] : [wardBySlugStatement(db, query.ward)];
  const results = await db.batch([...toStatements(db, memberCountQueries()), ...wardStatements, ...toStatements(db, [memberListQuery(query, PAGE_SIZE + 1)])]);
  const page = pageOf((results.at(-1)!.results as unknown as MemberRow[]).map(toMemberSummary), PAGE_SIZE);
  const wardRow = wardStatements.length === 0 ? undefined : (results.at(-2)!.results[0] as WardRow | undefined);
  return { counts: readCounts(results), ward: wardRow ? toWard(wardRow) : null, members: page.rows, next: page.next };
}
