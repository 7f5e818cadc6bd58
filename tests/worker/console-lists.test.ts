// The console's member list and donations ledger (functions/staff/member-list.ts, donation-ledger.ts) against real D1:
// prefix search on email and name, each filter, keyset pages that together list every row once (ties on the joined
// time included), refused cursors and filters, counts, and the ledger's filters and totals per month.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { listMembers, memberCounts, parseMemberQuery, type MemberQuery } from "@functions/staff/member-list";
import { parseLedgerQuery, readLedger, type LedgerQuery } from "@functions/staff/donation-ledger";
import { PAGE_SIZE } from "@functions/staff/paging";
import { DAY } from "@functions/clock";
import { T0 } from "./support";
import { seedDonation, seedMember, seedSubscription } from "./console-support";

function query(params: Record<string, string>): MemberQuery {
  const parsed = parseMemberQuery(new URLSearchParams(params));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

function ledger(params: Record<string, string>): LedgerQuery {
  const parsed = parseLedgerQuery(new URLSearchParams(params));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

/** Every member id the list gives for `params`, following the keyset pages to the end. */
async function allPages(params: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof listMembers>> = await listMembers(env.DB, query(after === null ? params : { ...params, after }));
    expect(page.members.length).toBeLessThanOrEqual(PAGE_SIZE);
    ids.push(...page.members.map((m) => m.id));
    after = page.next;
  } while (after !== null);
  return ids;
}

const bulk: string[] = [];
let alice: { id: string; email: string };
let bob: { id: string; email: string };
let editor: { id: string; email: string };

beforeAll(async () => {
  // 120 members, in groups of three sharing one joined time, so pages split inside a tie.
  for (let index = 0; index < 120; index++) {
    bulk.push((await seedMember({ id: `bulk-${String(index).padStart(3, "0")}`, email: `bulk${index}@example.org`, createdAt: T0 - 200 * DAY + Math.floor(index / 3) * 60, verifiedAt: index % 2 === 0 ? T0 : null })).id);
  }
  alice = await seedMember({ email: "alice.walker@example.org", name: "Alice Walker", createdAt: T0 - DAY, verifiedAt: T0 - DAY });
  bob = await seedMember({ email: "bob@example.net", name: "Álvaro Bob", createdAt: T0 - 2 * DAY });
  editor = await seedMember({ email: "ed@example.org", name: "alina editor", createdAt: T0 - 3 * DAY, verifiedAt: T0 - 3 * DAY });
  await env.DB.prepare("INSERT INTO staff (user_id, role, granted_at, granted_by) VALUES (?1, 'editor', ?2, 'cli')").bind(editor.id, T0).run();
  await seedDonation({ createdAt: T0 - DAY, userId: alice.id });
  await seedDonation({ createdAt: T0 - 2 * DAY, userId: alice.id });
  await seedSubscription({ userId: bob.id, customerId: "cus_bob", amount: 500, createdAt: T0 - DAY });
  await seedDonation({ createdAt: T0 - DAY, userId: bob.id, frequency: "monthly" });
});

describe("the member list", () => {
  it("pages through every member once, newest first, 50 a page, with no OFFSET", async () => {
    const ids = await allPages({});
    expect(ids).toHaveLength(123);
    expect(new Set(ids).size).toBe(123);
    expect(ids.slice(0, 3)).toEqual([alice.id, bob.id, editor.id]);
    // Within a tie on the joined time the id breaks it, descending.
    expect(ids.slice(3, 6)).toEqual(["bulk-119", "bulk-118", "bulk-117"]);
    expect((await listMembers(env.DB, query({}))).next).toBe(`${T0 - 200 * DAY + 24 * 60}.bulk-073`);
  });

  it("filters verified, unverified, donors, monthly donors and staff", async () => {
    expect(await allPages({ filter: "verified" })).toHaveLength(62);
    expect(await allPages({ filter: "unverified" })).toHaveLength(61);
    expect(await allPages({ filter: "donor" })).toEqual([alice.id, bob.id]);
    expect(await allPages({ filter: "monthly" })).toEqual([bob.id]);
    expect(await allPages({ filter: "staff" })).toEqual([editor.id]);
    const [row] = (await listMembers(env.DB, query({ filter: "staff" }))).members;
    expect(row).toMatchObject({ email: "ed@example.org", displayName: "alina editor", role: "editor" });
  });

  it("searches the start of an email address or of a name, case-insensitively, never the middle", async () => {
    expect(await allPages({ q: "ALICE" })).toEqual([alice.id]);
    expect(await allPages({ q: "al" })).toEqual([alice.id, editor.id]); // Alice by email and name, alina by name
    expect(await allPages({ q: "walker" })).toEqual([]);
    expect(await allPages({ q: "bob@example.net" })).toEqual([bob.id]);
    expect(await allPages({ q: "Álvaro" })).toEqual([bob.id]);
    expect(await allPages({ q: "bulk1", filter: "verified" })).toHaveLength(15); // the even ones of bulk10–18 and bulk100–118 (bulk1 is odd)
    expect(await allPages({ q: "%" })).toEqual([]);
    expect(await allPages({ q: "@example" })).toEqual([]);
  });

  it("lists one ward's members, with the other filters, a search and keyset pages", async () => {
    await env.DB.batch([
      env.DB.prepare("INSERT INTO wards (id, slug, name, area, status, founding_threshold, created_at, updated_at) VALUES ('w1', 'hyde-park', 'Hyde Park', 'north', 'active', 5, ?1, ?1), ('w2', 'kirkstall', 'Kirkstall', 'west', 'forming', 5, ?1, ?1)").bind(T0),
      // 60 bulk members in Hyde Park (more than a page), Alice in Kirkstall.
      env.DB.prepare("INSERT INTO ward_members (user_id, ward_id, joined_at) SELECT id, 'w1', ?1 FROM users WHERE id LIKE 'bulk-%' AND CAST(substr(id, 6) AS INTEGER) < 60").bind(T0),
      env.DB.prepare("INSERT INTO ward_members (user_id, ward_id, joined_at) VALUES (?1, 'w2', ?2)").bind(alice.id, T0),
    ]);
    try {
      const hydePark = await allPages({ ward: "hyde-park" });
      expect(hydePark).toEqual(bulk.slice(0, 60).reverse());
      expect(await allPages({ ward: "hyde-park", filter: "verified" })).toHaveLength(30);
      expect(await allPages({ ward: "hyde-park", q: "bulk5" })).toEqual(["bulk-059", "bulk-058", "bulk-057", "bulk-056", "bulk-055", "bulk-054", "bulk-053", "bulk-052", "bulk-051", "bulk-050", "bulk-005"]);
      expect(await allPages({ ward: "kirkstall" })).toEqual([alice.id]);
      expect(await allPages({ ward: "kirkstall", filter: "donor" })).toEqual([alice.id]);
      expect(await allPages({ ward: "nowhere" })).toEqual([]);
      const scoped = await listMembers(env.DB, query({ ward: "hyde-park" }));
      expect(scoped.ward).toMatchObject({ slug: "hyde-park", name: "Hyde Park", members: 60 });
      expect((await listMembers(env.DB, query({ ward: "nowhere" }))).ward).toBeNull();
      expect((await listMembers(env.DB, query({}))).ward).toBeNull();
    } finally {
      await env.DB.batch([env.DB.prepare("DELETE FROM ward_members"), env.DB.prepare("DELETE FROM wards")]);
    }
  });

  it("refuses a malformed ward link with a message", () => {
    for (const ward of ["Hyde Park", "-a", "a-", "x".repeat(81), "a/b", "ü"]) {
      expect(parseMemberQuery(new URLSearchParams({ ward }))).toEqual({ ok: false, message: "That ward link is not valid. Choose the ward again from the wards page." });
    }
    expect(parseMemberQuery(new URLSearchParams({ ward: "hyde-park-2" }))).toMatchObject({ ok: true, value: { ward: "hyde-park-2" } });
    expect(parseMemberQuery(new URLSearchParams({ ward: "" }))).toMatchObject({ ok: true, value: { ward: null } });
  });

  it("refuses a bad cursor, an unknown filter and an over-long or control-character search with a message", () => {
    for (const params of [{ after: "x" }, { after: "1.bad id" }, { after: "99999999999999.a" }, { after: "-1.a" }]) {
      const parsed = parseMemberQuery(new URLSearchParams(params));
      expect(parsed).toEqual({ ok: false, message: "That page link is not valid. Start again from the first page." });
    }
    expect(parseMemberQuery(new URLSearchParams({ filter: "admins" }))).toMatchObject({ ok: false, message: expect.stringContaining("verified, unverified") });
    expect(parseMemberQuery(new URLSearchParams({ q: "a".repeat(255) }))).toMatchObject({ ok: false });
    expect(parseMemberQuery(new URLSearchParams({ q: "a\u0000b" }))).toMatchObject({ ok: false });
  });

  it("counts members for editors without listing anyone", async () => {
    expect(await memberCounts(env.DB)).toEqual({ total: 123, verified: 62, unverified: 61, donors: 2, monthlyDonors: 1, staff: 1 });
  });
});

describe("the donations ledger", () => {
  const JAN = Date.UTC(2027, 0, 5) / 1000;
  const DEC = Date.UTC(2026, 11, 5) / 1000;
  let ids: { janOnce: string[]; janMonthly: string; decRefunded: string; decPartial: string };

  beforeAll(async () => {
    await env.DB.prepare("DELETE FROM donations").run();
    const janOnce: string[] = [];
    for (let index = 0; index < 55; index++) janOnce.push(await seedDonation({ id: `jan-${String(index).padStart(2, "0")}`, createdAt: JAN + Math.floor(index / 2), amount: 100 }));
    ids = {
      janOnce,
      janMonthly: await seedDonation({ createdAt: JAN + 3600, amount: 500, frequency: "monthly" }),
      decRefunded: await seedDonation({ createdAt: DEC, amount: 2000, status: "refunded", amountRefunded: 2000, refundedAt: DEC + DAY }),
      decPartial: await seedDonation({ createdAt: DEC + 60, amount: 3000, status: "partially_refunded", amountRefunded: 500, refundedAt: DEC + DAY, frequency: "monthly" }),
    };
  });

  it("pages every donation once, newest first, with totals for the last twelve months", async () => {
    const first = await readLedger(env.DB, ledger({}), T0, "gbp");
    expect(first.donations).toHaveLength(50);
    expect(first.donations[0]!.id).toBe(ids.janMonthly);
    const second = await readLedger(env.DB, ledger({ after: first.next! }), T0, "gbp");
    expect(second.next).toBeNull();
    const all = [...first.donations, ...second.donations].map((d) => d.id);
    expect(new Set(all).size).toBe(58);
    expect(all.slice(-2)).toEqual([ids.decPartial, ids.decRefunded]);
    expect(first.totals).toHaveLength(12);
    expect(first.totals[0]).toEqual({ month: "2027-01", count: 56, amount: 6000, refunded: 0 });
    expect(first.totals[1]).toEqual({ month: "2026-12", count: 2, amount: 5000, refunded: 2500 });
  });

  it("filters by month, kind and status, and totals the same set", async () => {
    const dec = await readLedger(env.DB, ledger({ month: "2026-12" }), T0, "gbp");
    expect(dec.donations.map((d) => d.id)).toEqual([ids.decPartial, ids.decRefunded]);
    expect(dec.totals).toEqual([{ month: "2026-12", count: 2, amount: 5000, refunded: 2500 }]);
    const monthly = await readLedger(env.DB, ledger({ kind: "monthly" }), T0, "gbp");
    expect(monthly.donations.map((d) => d.id)).toEqual([ids.janMonthly, ids.decPartial]);
    const refunded = await readLedger(env.DB, ledger({ status: "refunded" }), T0, "gbp");
    expect(refunded.donations.map((d) => d.id)).toEqual([ids.decPartial, ids.decRefunded]);
    const paidMonthly = await readLedger(env.DB, ledger({ status: "paid", kind: "monthly", month: "2027-01" }), T0, "gbp");
    expect(paidMonthly.donations.map((d) => d.id)).toEqual([ids.janMonthly]);
    expect(paidMonthly.totals).toEqual([{ month: "2027-01", count: 1, amount: 500, refunded: 0 }]);
  });

  it("refuses a bad month, kind, status or cursor with a message", () => {
    for (const params of [{ month: "2027-13" }, { month: "27-01" }, { month: "2027-1" }, { kind: "yearly" }, { status: "void" }, { after: "1.a.b" }]) {
      expect(parseLedgerQuery(new URLSearchParams(params))).toMatchObject({ ok: false, message: expect.any(String) });
    }
  });
});
