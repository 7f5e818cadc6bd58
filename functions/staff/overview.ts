// The console's overview (/admin): members (total, verified, new in the last 7 and 30 days), donations this month and
// last, active monthly donors and what they give a month, refunds, and a 12-month series of new members and donations
// for the chart. One db.batch(), and no statement reads a whole table: totals come from member_counts (kept by
// triggers, migration 0008), everything else is a range on an index (created_at, refunded_at). Sums are in the site's
// currency (the donation settings), which every donation is taken in.
import { DAY } from "@functions/clock";
import { lastTwelveMonths, monthAt, type Month, type SqlQuery } from "./paging";

export interface MonthFigures { month: string; members: number; donations: number; amount: number }

export interface Overview {
  members: { total: number; verified: number; new7: number; new30: number };
  thisMonth: { count: number; amount: number };
  lastMonth: { count: number; amount: number };
  monthly: { donors: number; amount: number };
  refunds: { thisMonth: { count: number; amount: number }; lastMonth: { count: number; amount: number } };
  /** The last twelve months, oldest first, every month present (zero when nothing happened). */
  months: MonthFigures[];
}

/** The overview's statements as SQL, in batch order (EXPLAIN QUERY PLAN tests read them). */
export function overviewQueries(now: number, currency: string): SqlQuery[] {
  const from = lastTwelveMonths(now)[0]!.start;
  const lastMonth = monthAt(now, -1);
  const thisMonth = monthAt(now);
  return [
    { sql: "SELECT total, verified FROM member_counts WHERE id = 1", params: [] },
    { sql: "SELECT COUNT(*) AS new30, TOTAL(created_at >= ?2) AS new7 FROM users WHERE created_at >= ?1", params: [now - 30 * DAY, now - 7 * DAY] },
    {
      sql: `SELECT strftime('%Y-%m', created_at, 'unixepoch') AS month, COUNT(*) AS n FROM users WHERE created_at >= ?1 GROUP BY month`,
      params: [from],
    },
    {
      sql: `SELECT strftime('%Y-%m', created_at, 'unixepoch') AS month, COUNT(*) AS n, TOTAL(CASE WHEN currency = ?2 THEN amount END) AS amount
            FROM donations WHERE created_at >= ?1 GROUP BY month`,
      params: [from, currency],
    },
    { sql: "SELECT COUNT(DISTINCT customer_id) AS donors, TOTAL(amount) AS amount FROM subscriptions WHERE status = 'active' AND currency = ?1", params: [currency] },
    {
      sql: `SELECT COUNT(*) AS n, TOTAL(CASE WHEN currency = ?3 THEN amount_refunded END) AS amount, refunded_at >= ?2 AS current
            FROM donations WHERE refunded_at >= ?1 AND refunded_at < ?4 GROUP BY current`,
      params: [lastMonth.start, thisMonth.start, currency, thisMonth.end],
    },
  ];
}

/** Everything /admin shows, in one D1 round trip. */
export async function readOverview(db: D1Database, now: number, currency: string): Promise<Overview> {
  const [counts, recent, members, donations, monthly, refunds] = await db.batch(
    overviewQueries(now, currency).map(({ sql, params }) => db.prepare(sql).bind(...params)),
  );
  const rows = <T>(result: D1Result | undefined) => (result?.results ?? []) as T[];
  const total = rows<{ total: number; verified: number }>(counts)[0] ?? { total: 0, verified: 0 };
  const fresh = rows<{ new30: number; new7: number }>(recent)[0] ?? { new30: 0, new7: 0 };
  const membersBy = new Map(rows<{ month: string; n: number }>(members).map((row) => [row.month, row.n]));
  const donationsBy = new Map(rows<{ month: string; n: number; amount: number }>(donations).map((row) => [row.month, row]));
  const months = lastTwelveMonths(now).map((month: Month) => ({
    month: month.label,
    members: membersBy.get(month.label) ?? 0,
    donations: donationsBy.get(month.label)?.n ?? 0,
    amount: donationsBy.get(month.label)?.amount ?? 0,
  }));
  const refundRows = rows<{ n: number; amount: number; current: number }>(refunds);
  const refundsIn = (current: number) => {
    const row = refundRows.find((candidate) => candidate.current === current);
    return { count: row?.n ?? 0, amount: row?.amount ?? 0 };
  };
  const giving = rows<{ donors: number; amount: number }>(monthly)[0] ?? { donors: 0, amount: 0 };
  return {
    members: { total: total.total, verified: total.verified, new7: fresh.new7, new30: fresh.new30 },
    thisMonth: { count: months[11]!.donations, amount: months[11]!.amount },
    lastMonth: { count: months[10]!.donations, amount: months[10]!.amount },
    monthly: { donors: giving.donors, amount: giving.amount },
    refunds: { thisMonth: refundsIn(1), lastMonth: refundsIn(0) },
    months,
  };
}
