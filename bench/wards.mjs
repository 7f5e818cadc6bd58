// Wards at scale for `npm run bench`: seeds 1,000 wards (one postcode district each) and 100,000 members into the
// bench's local D1 (wrangler d1 execute, recursive CTEs: no member row is sent over the wire), joins the bench member
// to a ward, then measures a ward page's D1 queries and latency for a visitor on a cache miss and on a hit (the
// Workers Cache API, src/lib/public-cache.ts) and for a signed-in member, plus a postcode search of the finder.
import { run } from "./site.mjs";

export const WARD_COUNT = 1000;
export const MEMBER_COUNT = 100_000;

const SEED = `
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${WARD_COUNT})
INSERT INTO wards (id, slug, name, area, status, founding_threshold, created_at, updated_at)
  SELECT 'bench-ward-' || i, 'bench-ward-' || i, 'Bench ward ' || i, 'Streets of bench ward ' || i, CASE WHEN i % 3 = 0 THEN 'forming' ELSE 'active' END, 150, 1700000000, 1700000000 FROM n;
INSERT INTO ward_districts (district, ward_id) SELECT 'ZA' || (CAST(substr(id, 12) AS INTEGER) % 99 + 1), id FROM wards WHERE id LIKE 'bench-ward-%';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${MEMBER_COUNT})
INSERT INTO users (id, email, display_name, password_hash, email_verified_at, created_at)
  SELECT 'bench-user-' || i, 'bench-user-' || i || '@example.org', 'Neighbour ' || i, 'x', 1700000000, 1700000000 + i FROM n;
INSERT INTO ward_members (user_id, ward_id, joined_at, listed, share_email)
  SELECT id, 'bench-ward-' || (CAST(substr(id, 12) AS INTEGER) % ${WARD_COUNT} + 1), created_at, CAST(substr(id, 12) AS INTEGER) % 2, CAST(substr(id, 12) AS INTEGER) % 3 = 0
  FROM users WHERE id LIKE 'bench-user-%';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${WARD_COUNT})
INSERT INTO ward_meetings (id, ward_id, title, starts_at, ends_at, place, capacity, public, description, created_at, updated_at)
  SELECT 'bench-meeting-' || i, 'bench-ward-' || i, 'Open meeting', unixepoch() + 86400 * (1 + i % 20), unixepoch() + 86400 * (1 + i % 20) + 7200, 'The hall', 40, 1, '', 1700000000, 1700000000 FROM n;
`;

async function timed(url, headers) {
  const start = performance.now();
  const response = await fetch(url, { headers, redirect: "manual" });
  await response.arrayBuffer();
  return { ms: performance.now() - start, queries: Number(response.headers.get("x-d1-queries")), status: response.status, cacheControl: response.headers.get("cache-control") };
}

const medianOf = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Seeds and measures; returns the figures for the report. */
export async function benchWards({ site, state, member, log, runs = 15 }) {
  log(`wards: seeding ${WARD_COUNT} wards and ${MEMBER_COUNT.toLocaleString("en-GB")} members into the bench D1`);
  const seedStart = performance.now();
  const seeded = await run("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", state, "--command", SEED.replace(/\n/g, " ")], { env: { CI: "1" }, timeoutMs: 600_000 });
  if (seeded.code !== 0) throw new Error(`seeding wards failed:\n${seeded.output.slice(-2000)}`);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const slug = "bench-ward-500";
  const join = await fetch(`${site}/wards/${slug}/`, {
    method: "POST", redirect: "manual", body: "action=join&listed=yes",
    headers: { Cookie: member.cookieHeader, Origin: site, "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": "198.51.100.77" },
  });
  if (join.status !== 303) throw new Error(`the bench member could not join ${slug}: ${join.status}`);

  const rows = { miss: [], hit: [], member: [], finder: [] };
  for (let i = 0; i < runs; i++) {
    const url = `${site}/wards/${slug}/?run=${i}-${Date.now()}`;
    rows.miss.push(await timed(url, {}));
    rows.hit.push(await timed(url, {}));
    rows.member.push(await timed(`${site}/wards/${slug}/`, { Cookie: member.cookieHeader }));
    rows.finder.push(await timed(`${site}/wards/?postcode=za${1 + (i % 99)}+1ab&run=${i}-${Date.now()}`, {}));
  }
  const summary = Object.fromEntries(Object.entries(rows).map(([key, list]) => [key, {
    queriesMax: Math.max(...list.map((row) => row.queries)),
    medianMs: Math.round(medianOf(list.map((row) => row.ms)) * 10) / 10,
    statuses: [...new Set(list.map((row) => row.status))],
    cacheControl: list[0].cacheControl,
  }]));
  log(`  seeded in ${seedSeconds.toFixed(1)} s; ward page: visitor miss ${summary.miss.queriesMax} queries (${summary.miss.medianMs} ms), hit ${summary.hit.queriesMax} (${summary.hit.medianMs} ms), member ${summary.member.queriesMax} (${summary.member.medianMs} ms); finder by postcode ${summary.finder.queriesMax} (${summary.finder.medianMs} ms)`);
  return { wards: WARD_COUNT, members: MEMBER_COUNT, membersInWard: MEMBER_COUNT / WARD_COUNT + 1, seedSeconds: Math.round(seedSeconds * 10) / 10, runs, ...summary };
}

/** The report's section on wards (markdown lines). */
export function wardsReport(wards) {
  if (!wards) return [];
  const row = (label, figures, budget) => `| ${label} | ${figures.queriesMax} | ${budget} | ${figures.medianMs} ms | ${figures.cacheControl ?? "–"} |`;
  return [
    "", "## 4b. Wards at scale", "",
    `${wards.wards.toLocaleString("en-GB")} wards and ${wards.members.toLocaleString("en-GB")} members seeded (${wards.membersInWard} in the measured ward), in ${wards.seedSeconds} s; ${wards.runs} requests each, worst D1 count and median latency.`, "",
    "| ward page | D1 queries (worst) | budget | median | Cache-Control |", "| --- | --- | --- | --- | --- |",
    row("visitor, cache miss", wards.miss, "≤ 2"), row("visitor, cache hit", wards.hit, "0"), row("member of the ward 🔑", wards.member, "≤ 3"), row("finder, by postcode (visitor, miss)", wards.finder, "≤ 2"),
  ];
}
