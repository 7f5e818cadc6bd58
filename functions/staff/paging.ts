// Keyset paging and the query-string rules the console's lists share (members, donations): a cursor is the last row's
// (created_at, id) written as "<seconds>.<id>", so a page is a range on an index, never an OFFSET that reads and
// discards every row before it; months are "YYYY-MM" (UTC). Bad input is refused with a message, never a 500.

/** Rows a console page lists. */
export const PAGE_SIZE = 50;
/** Rows an export reads per D1 query. */
export const EXPORT_PAGE_SIZE = 500;

/** Where the next page starts: below this row in (created_at DESC, id DESC) order. */
export interface Cursor { createdAt: number; id: string }

/** A console query: SQL and the values for its ?N placeholders (EXPLAIN QUERY PLAN tests read it too). */
export interface SqlQuery { sql: string; params: unknown[] }

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** The cursor in the query string: absent is the first page; anything not made by cursorText is refused. */
export function parseCursor(text: string | null): Parsed<Cursor | null> {
  if (text === null || text === "") return { ok: true, value: null };
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (match === null) return { ok: false, message: "That page link is not valid. Start again from the first page." };
  return { ok: true, value: { createdAt: Number(match[1]), id: match[2]! } };
}

/** The cursor text for the page after `row`. */
export function cursorText(row: { createdAt: number; id: string }): string {
  return `${row.createdAt}.${row.id}`;
}

/**
 * The keyset condition for rows after the cursor (newest first), on `createdAt` ("d.created_at", or "+u.created_at"
 * to keep the planner off that index) and the same table's id. Written as a range on created_at plus a tie
 * break, so it is a SEARCH on the (created_at…) index; the first page uses a cursor past any time, for the same plan.
 * Binds ?1 and ?2.
 */
export function keysetCondition(createdAt: string): string {
  const id = createdAt.replace(/^\+?(\w+)\.created_at$/, "$1.id");
  return `${createdAt} <= ?1 AND (${createdAt} < ?1 OR ${id} < ?2)`;
}

/** The values keysetCondition binds. */
export function keysetParams(cursor: Cursor | null): [number, string] {
  return cursor === null ? [Number.MAX_SAFE_INTEGER, ""] : [cursor.createdAt, cursor.id];
}

/** Rows of a page fetched with LIMIT size + 1: the page, and the cursor for the next one when there is more. */
export function pageOf<T extends { createdAt: number; id: string }>(rows: T[], size: number): { rows: T[]; next: string | null } {
  const page = rows.slice(0, size);
  return { rows: page, next: rows.length > size ? cursorText(page.at(-1)!) : null };
}

/** A calendar month in UTC: its label ("2027-01") and [start, end) in unix seconds. */
export interface Month { label: string; start: number; end: number }

/** The month `offset` months from the one `now` falls in (0 this month, -1 last month). */
export function monthAt(now: number, offset = 0): Month {
  const date = new Date(now * 1000);
  return monthOf(date.getUTCFullYear(), date.getUTCMonth() + offset);
}

function monthOf(year: number, monthIndex: number): Month {
  const start = Date.UTC(year, monthIndex, 1) / 1000;
  const end = Date.UTC(year, monthIndex + 1, 1) / 1000;
  return { label: new Date(start * 1000).toISOString().slice(0, 7), start, end };
}

/** The twelve months ending with the one `now` falls in, oldest first. */
export function lastTwelveMonths(now: number): Month[] {
  return Array.from({ length: 12 }, (_, index) => monthAt(now, index - 11));
}

/** A month filter from the query string ("2027-01"); absent means every month. */
export function parseMonth(text: string | null): Parsed<Month | null> {
  if (text === null || text === "") return { ok: true, value: null };
  const match = /^(\d{4})-(\d{2})$/.exec(text);
  const month = match ? Number(match[2]) : 0;
  if (match === null || month < 1 || month > 12 || Number(match[1]) < 2000) return { ok: false, message: "Choose a month as YYYY-MM, such as 2027-01." };
  return { ok: true, value: monthOf(Number(match[1]), month - 1) };
}

/** One of `choices` from the query string (absent or empty gives the first), or a message naming what is allowed. */
export function parseChoice<T extends string>(text: string | null, choices: readonly T[], what: string): Parsed<T> {
  if (text === null || text === "") return { ok: true, value: choices[0]! };
  if ((choices as readonly string[]).includes(text)) return { ok: true, value: text as T };
  return { ok: false, message: `Choose a ${what} from the list (${choices.join(", ")}).` };
}
