// The console's queries read index ranges, never a whole users or donations table: EXPLAIN QUERY PLAN over a seeded
// database (ANALYZE'd, so the planner chooses as it would in production) shows no "SCAN users" or "SCAN donations" for
// the overview, the counts, the member list (first page, a keyset page, each filter, a search) and the ledger.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { overviewQueries } from "@functions/staff/overview";
import { memberCountQueries, memberListQuery, parseMemberQuery, MEMBER_FILTERS } from "@functions/staff/member-list";
import { ledgerQuery, monthTotalsQuery, parseLedgerQuery, totalsMonths } from "@functions/staff/donation-ledger";
import type { SqlQuery } from "@functions/staff/paging";
import { T0 } from "./support";

async function plan({ sql, params }: SqlQuery): Promise<string> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
  return results.map((row) => row.detail).join("\n");
}

function members(params: Record<string, string>): SqlQuery {
  const parsed = parseMemberQuery(new URLSearchParams(params));
  if (!parsed.ok) throw new Error(parsed.message);
  return memberListQuery(parsed.value, 51);
}

function ledger(params: Record<string, string>): SqlQuery[] {
  const parsed = parseLedgerQuery(new URLSearchParams(params));
  if (!parsed.ok) throw new Error(parsed.message);
  return [ledgerQuery(parsed.value, 51), monthTotalsQuery(parsed.value, totalsMonths(parsed.value, T0), "gbp")];
}

const FULL_SCAN = /\bSCAN (users|donations|u|d)\b/;

beforeAll(async () => {
  await env.DB.batch([
    env.DB.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
      INSERT INTO users (id, email, display_name, password_hash, email_verified_at, created_at)
      SELECT 'u' || i, 'member' || i || '@example.org', CASE WHEN i % 3 = 0 THEN NULL ELSE 'Name ' || i END, 'x', CASE WHEN i % 2 = 0 THEN ?1 END, ?1 - i * 3600 FROM n`).bind(T0),
    env.DB.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 15000)
      INSERT INTO donations (id, user_id, email, amount, currency, frequency, status, amount_refunded, created_at, refunded_at)
      SELECT 'd' || i, CASE WHEN i % 4 = 0 THEN NULL ELSE 'u' || (i % 5000 + 1) END, NULL, 1000, 'gbp', CASE WHEN i % 5 = 0 THEN 'monthly' ELSE 'once' END,
        CASE WHEN i % 50 = 0 THEN 'refunded' ELSE 'paid' END, CASE WHEN i % 50 = 0 THEN 1000 ELSE 0 END, ?1 - i * 1200, CASE WHEN i % 50 = 0 THEN ?1 - i * 1000 END FROM n`).bind(T0),
    env.DB.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
      INSERT INTO subscriptions (id, user_id, email, customer_id, amount, currency, status, created_at)
      SELECT 'sub' || i, 'u' || (i * 7), NULL, 'cus' || i, 500, 'gbp', 'active', ?1 - i * 3600 FROM n`).bind(T0),
    env.DB.prepare("INSERT INTO staff (user_id, role, granted_at, granted_by) VALUES ('u10', 'owner', ?1, 'cli'), ('u20', 'editor', ?1, 'cli')").bind(T0),
    env.DB.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
      INSERT INTO wards (id, slug, name, area, status, founding_threshold, created_at, updated_at) SELECT 'w' || i, 'ward-' || i, 'Ward ' || i, 'area', 'active', 5, ?1, ?1 FROM n`).bind(T0),
    env.DB.prepare("INSERT INTO ward_members (user_id, ward_id, joined_at) SELECT id, 'w' || (CAST(substr(id, 2) AS INTEGER) % 50 + 1), ?1 FROM users").bind(T0),
  ]);
  await env.DB.prepare("ANALYZE").run();
});

describe("console query plans", () => {
  const cases: Array<[string, () => SqlQuery[]]> = [
    ["the overview", () => overviewQueries(T0, "gbp")],
    ["the member counts", () => memberCountQueries()],
    ["the first page of members", () => [members({})]],
    ["a keyset page of members", () => [members({ after: `${T0 - 2500 * 3600}.u2500` })]],
    ...MEMBER_FILTERS.map((filter): [string, () => SqlQuery[]] => [`members filtered ${filter}`, () => [members({ filter, after: `${T0 - 100 * 3600}.u100` })]]),
    ["an email search", () => [members({ q: "member12@" })]],
    ["one ward's members, on a keyset page", () => [members({ ward: "ward-3", after: `${T0 - 100 * 3600}.u100` })]],
    ["one ward's members with a search and a filter", () => [members({ ward: "ward-3", q: "Name 1", filter: "verified" })]],
    ["an email or name search, on a keyset page", () => [members({ q: "Name 12", after: `${T0 - 1200 * 3600}.u1200` })]],
    ["the ledger", () => ledger({})],
    ["the ledger for a month, kind and status, on a keyset page", () => ledger({ month: "2026-12", kind: "monthly", status: "refunded", after: `${T0 - 3000 * 1200}.d3000` })],
  ];
  for (const [name, queries] of cases) {
    it(`${name}: no full scan of users or donations`, async () => {
      for (const query of queries()) {
        const text = await plan(query);
        expect(text, `${query.sql}\n${text}`).not.toMatch(FULL_SCAN);
        // Each of them does read users or donations (or a counter): the check above is not vacuous.
        expect(text).toMatch(/SEARCH|SCAN (staff|subscriptions|member_counts|s|m)\b|member_counts/);
      }
    });
  }

  it("a ward's list reads that ward's members through the ward index, not the joined-date order", async () => {
    expect(await plan(members({ ward: "ward-3" }))).toMatch(/SEARCH wm USING (COVERING )?INDEX ward_members_ward(_user)? \(ward_id=\?\)/);
  });

  it("a search reads the email and name indexes, and a keyset page the joined-date index", async () => {
    expect(await plan(members({ q: "Name 12" }))).toMatch(/INDEX sqlite_autoindex_users_2|INDEX users_display_name/);
    expect(await plan(members({ after: `${T0 - 2500 * 3600}.u2500` }))).toMatch(/SEARCH u USING (COVERING )?INDEX users_created_at \(created_at<\?\)/);
    expect(await plan(ledger({ after: `${T0 - 3000 * 1200}.d3000` })[0]!)).toMatch(/SEARCH d USING INDEX donations_created_at/);
  });
});
