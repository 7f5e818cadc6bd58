// The console's CSV exports: members (/admin/members.csv) and the donations ledger (/admin/donations.csv), with the
// same filters as their pages, streamed a page at a time by keyset (csv.ts), and audited: the audit row (with the
// filters) is written in the same db.batch() as the export's first page, so no export starts unrecorded.
import { auditStatement, type Actor } from "./audit";
import { csvStream, type CsvPage, type CsvValue } from "./csv";
import { memberListQuery, memberQueryDetail, toMemberSummary, type MemberQuery, type MemberSummary } from "./member-list";
import { ledgerQuery, ledgerQueryDetail, toLedgerDonation, type LedgerDonation, type LedgerQuery } from "./donation-ledger";
import { EXPORT_PAGE_SIZE, type Cursor, type SqlQuery } from "./paging";

const iso = (seconds: number | null): string | null => (seconds === null ? null : new Date(seconds * 1000).toISOString());

export const MEMBER_COLUMNS = ["id", "email", "name", "joined", "verified", "role"] as const;
export const DONATION_COLUMNS = ["id", "date", "amount_minor", "currency", "kind", "status", "refunded_minor", "refunded_at", "email", "member_id", "member_email", "note"] as const;

function memberCells(member: MemberSummary): CsvValue[] {
  return [member.id, member.email, member.displayName, iso(member.createdAt), iso(member.verifiedAt), member.role];
}

function donationCells(donation: LedgerDonation): CsvValue[] {
  return [
    donation.id, iso(donation.createdAt), donation.amount, donation.currency, donation.frequency, donation.status,
    donation.amountRefunded, iso(donation.refundedAt), donation.email, donation.userId, donation.memberEmail, donation.note,
  ];
}

/** A page source over one keyset query: rows mapped to cells, and the cursor after the last row of a full page. */
function pager<T extends { createdAt: number; id: string }>(
  toSql: (cursor: Cursor | null) => SqlQuery, toItem: (row: never) => T, toCells: (item: T) => CsvValue[],
) {
  const read = (results: unknown[]): CsvPage<Cursor> => {
    const items = results.map((row) => toItem(row as never));
    const last = items.at(-1);
    return { rows: items.map(toCells), next: items.length === EXPORT_PAGE_SIZE && last ? { createdAt: last.createdAt, id: last.id } : null };
  };
  return { toSql, read };
}

async function auditedStream<T extends { createdAt: number; id: string }>(
  db: D1Database, actor: Actor, action: string, detail: Record<string, string | number | boolean | null>, now: number,
  header: readonly string[], source: ReturnType<typeof pager<T>>,
): Promise<ReadableStream<Uint8Array>> {
  const statement = ({ sql, params }: SqlQuery) => db.prepare(sql).bind(...params);
  const [, first] = await db.batch([auditStatement(db, actor, action, null, now, detail), statement(source.toSql(null))]);
  return csvStream(header, source.read(first!.results), async (cursor) => source.read((await statement(source.toSql(cursor)).all()).results));
}

/** The members matching `query`, as a CSV stream (audited as members.export with the filters). */
export function exportMembers(db: D1Database, actor: Actor, query: MemberQuery, now: number): Promise<ReadableStream<Uint8Array>> {
  const source = pager((cursor) => memberListQuery({ ...query, cursor }, EXPORT_PAGE_SIZE), toMemberSummary, memberCells);
  return auditedStream(db, actor, "members.export", memberQueryDetail(query), now, MEMBER_COLUMNS, source);
}

/** The donations matching `query`, as a CSV stream (audited as donations.export with the filters). */
export function exportDonations(db: D1Database, actor: Actor, query: LedgerQuery, now: number): Promise<ReadableStream<Uint8Array>> {
  const source = pager((cursor) => ledgerQuery({ ...query, cursor }, EXPORT_PAGE_SIZE), toLedgerDonation, donationCells);
  return auditedStream(db, actor, "donations.export", ledgerQueryDetail(query), now, DONATION_COLUMNS, source);
}

/** The file name an export is downloaded as: what it is and the day (UTC). */
export function exportFileName(what: "members" | "donations", now: number): string {
  return `smallism-${what}-${new Date(now * 1000).toISOString().slice(0, 10)}.csv`;
}
