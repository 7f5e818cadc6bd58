// The console's donations ledger (/admin/donations and /admin/donations.csv): every donation, newest first, filtered by
// month, kind (once, monthly) and status (paid; refunded, in part or in full), keyset paged on donations(created_at),
// with totals per month for the same filters. Each statement is a range on the created_at index.
import { keysetCondition, keysetParams, lastTwelveMonths, pageOf, parseChoice, parseCursor, parseMonth, PAGE_SIZE, type Cursor, type Month, type Parsed, type SqlQuery } from "./paging";

export const DONATION_KINDS = ["all", "once", "monthly"] as const;
export const DONATION_STATUSES = ["all", "paid", "refunded"] as const;

export interface LedgerQuery { month: Month | null; kind: (typeof DONATION_KINDS)[number]; status: (typeof DONATION_STATUSES)[number]; cursor: Cursor | null }

export interface LedgerDonation {
  id: string; createdAt: number; amount: number; amountRefunded: number; currency: string; frequency: "once" | "monthly";
  status: "paid" | "partially_refunded" | "refunded"; email: string | null; userId: string | null; note: string | null; refundedAt: number | null;
  /** The linked member's current address (the donation's own `email` is what Stripe was given at the time). */
  memberEmail: string | null;
}

export interface MonthTotal { month: string; count: number; amount: number; refunded: number }

/** The ledger's query from the query string (?month, ?kind, ?status, ?after), or a message saying what is wrong. */
export function parseLedgerQuery(params: URLSearchParams): Parsed<LedgerQuery> {
  const month = parseMonth(params.get("month"));
  if (!month.ok) return month;
  const kind = parseChoice(params.get("kind"), DONATION_KINDS, "kind");
  if (!kind.ok) return kind;
  const status = parseChoice(params.get("status"), DONATION_STATUSES, "status");
  if (!status.ok) return status;
  const cursor = parseCursor(params.get("after"));
  if (!cursor.ok) return cursor;
  return { ok: true, value: { month: month.value, kind: kind.value, status: status.value, cursor: cursor.value } };
}

/** The filters as a short object for audit rows. */
export function ledgerQueryDetail(query: LedgerQuery): { month: string | null; kind: string; status: string } {
  return { month: query.month?.label ?? null, kind: query.kind, status: query.status };
}

/** The kind and status conditions, binding from ?first on; and their values. */
function filterSql(query: LedgerQuery, first: number): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (query.kind !== "all") {
    params.push(query.kind);
    parts.push(`AND d.frequency = ?${first + params.length - 1}`);
  }
  if (query.status === "paid") parts.push("AND d.status = 'paid'");
  if (query.status === "refunded") parts.push("AND d.status IN ('partially_refunded', 'refunded')");
  return { sql: parts.join(" "), params };
}

/** One page of the ledger as SQL: `limit` donations after the cursor, newest first, within the month if one is chosen. */
export function ledgerQuery(query: LedgerQuery, limit: number): SqlQuery {
  const [createdAt, id] = keysetParams(query.cursor);
  const filters = filterSql(query, 6);
  return {
    sql: `SELECT d.id, d.created_at, d.amount, d.amount_refunded, d.currency, d.frequency, d.status, d.email, d.user_id, d.note, d.refunded_at,
            u.email AS member_email
          FROM donations d LEFT JOIN users u ON u.id = d.user_id
          WHERE ${keysetCondition("d.created_at")} AND d.created_at >= ?4 AND d.created_at < ?5 ${filters.sql}
          ORDER BY d.created_at DESC, d.id DESC LIMIT ?3`,
    params: [createdAt, id, limit, query.month?.start ?? 0, query.month?.end ?? Number.MAX_SAFE_INTEGER, ...filters.params],
  };
}

/** The months the totals cover: the chosen month, or the last twelve up to `now`. */
export function totalsMonths(query: LedgerQuery, now: number): Month[] {
  return query.month === null ? lastTwelveMonths(now) : [query.month];
}

/** Totals per month (count, amount, refunded) for the ledger's filters, in `currency`, as SQL. */
export function monthTotalsQuery(query: LedgerQuery, months: Month[], currency: string): SqlQuery {
  const filters = filterSql(query, 4);
  return {
    sql: `SELECT strftime('%Y-%m', d.created_at, 'unixepoch') AS month, COUNT(*) AS n,
            TOTAL(CASE WHEN d.currency = ?3 THEN d.amount END) AS amount, TOTAL(CASE WHEN d.currency = ?3 THEN d.amount_refunded END) AS refunded
          FROM donations d WHERE d.created_at >= ?1 AND d.created_at < ?2 ${filters.sql} GROUP BY month`,
    params: [months[0]!.start, months.at(-1)!.end, currency, ...filters.params],
  };
}

interface LedgerRow {
  id: string; created_at: number; amount: number; amount_refunded: number; currency: string; frequency: LedgerDonation["frequency"];
  status: LedgerDonation["status"]; email: string | null; user_id: string | null; note: string | null; refunded_at: number | null; member_email: string | null;
}

/** Maps a ledger row to a LedgerDonation. */
export function toLedgerDonation(row: LedgerRow): LedgerDonation {
  return {
    id: row.id, createdAt: row.created_at, amount: row.amount, amountRefunded: row.amount_refunded, currency: row.currency, frequency: row.frequency,
    status: row.status, email: row.email, userId: row.user_id, note: row.note, refundedAt: row.refunded_at, memberEmail: row.member_email,
  };
}

/** One page of the ledger and the totals per month, in one round trip; months with nothing show zeros, newest first. */
export async function readLedger(db: D1Database, query: LedgerQuery, now: number, currency: string): Promise<{ donations: LedgerDonation[]; next: string | null; totals: MonthTotal[] }> {
  const months = totalsMonths(query, now);
  const [page, totals] = await db.batch(
    [ledgerQuery(query, PAGE_SIZE + 1), monthTotalsQuery(query, months, currency)].map(({ sql, params }) => db.prepare(sql).bind(...params)),
  );
  const byMonth = new Map((totals!.results as Array<{ month: string; n: number; amount: number; refunded: number }>).map((row) => [row.month, row]));
  const { rows, next } = pageOf((page!.results as unknown as LedgerRow[]).map(toLedgerDonation), PAGE_SIZE);
  return {
    donations: rows,
    next,
    totals: months.map((month) => {
      const row = byMonth.get(month.label);
      return { month: month.label, count: row?.n ?? 0, amount: row?.amount ?? 0, refunded: row?.refunded ?? 0 };
    }).reverse(),
  };
}
