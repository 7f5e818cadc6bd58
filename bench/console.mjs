// The staff console at scale (`npm run bench -- --console`, or `npm run bench:console`): seeds the bench's local D1 with
// 100,000 members and 300,000 donations (generated in SQL by the bench, never committed), makes an owner with
// `npm run staff` and enrols TOTP as an authenticator app would, then measures /admin, /admin/members (first page,
// a search, page 500 by keyset), /admin/donations and a filtered ledger page: D1 queries per page (X-D1-Queries),
// p50/p99 over repeated requests, and the time to stream each CSV export. Writes bench/console-report.json.
// Port 4330 (BENCH_CONSOLE_PORT), Stripe stand-in 12130; builds from bench/.tmp/site like the main bench.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateTOTP } from "@oslojs/otp";
import { ROOT, TMP, buildSite, prepareSiteCopy } from "./site.mjs";
import { createVerifiedMember, portIsFree, startServers } from "./serve.mjs";

const MEMBERS = 100_000;
const DONATIONS = 300_000;
const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 40);
const started = performance.now();
const log = (message) => console.log(`[console bench ${`${Math.round((performance.now() - started) / 1000)}s`.padStart(5)}] ${message}`);

/** Runs SQL against the bench's local D1 and returns the rows of the last statement. */
function d1(state, sql) {
  const output = execFileSync("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", state, "--json", "--command", sql], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
  const results = JSON.parse(output);
  return results.at(-1)?.results ?? [];
}

/** The seed: members over ~3 years (80% verified, names on two in three), donations over the same years. */
function seedSql(now) {
  return [
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${MEMBERS})
     INSERT INTO users (id, email, display_name, password_hash, email_verified_at, created_at)
     SELECT 'bench' || printf('%06d', i), 'member' || i || '@bench.example',
       CASE WHEN i % 3 = 0 THEN NULL ELSE (CASE i % 7 WHEN 0 THEN 'Alice ' WHEN 1 THEN 'Bilal ' WHEN 2 THEN 'Chen ' WHEN 3 THEN 'Dara ' WHEN 4 THEN 'Eve ' WHEN 5 THEN 'Femi ' ELSE 'Grace ' END) || i END,
       'x', CASE WHEN i % 5 = 0 THEN NULL ELSE ${now} - i * 900 + 600 END, ${now} - i * 900 FROM n`,
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${DONATIONS})
     INSERT INTO donations (id, user_id, email, amount, currency, frequency, status, amount_refunded, note, created_at, refunded_at)
     SELECT 'don' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'bench' || printf('%06d', (i * 7919) % ${MEMBERS} + 1) END,
       CASE WHEN i % 3 = 0 THEN 'guest' || i || '@bench.example' END, 500 + (i % 20) * 250, 'gbp', CASE WHEN i % 5 = 0 THEN 'monthly' ELSE 'once' END,
       CASE WHEN i % 50 = 0 THEN 'refunded' ELSE 'paid' END, CASE WHEN i % 50 = 0 THEN 500 + (i % 20) * 250 ELSE 0 END,
       CASE WHEN i % 10 = 0 THEN 'Keep going ' || i END, ${now} - i * 300, CASE WHEN i % 50 = 0 THEN ${now} - i * 300 + 86400 END FROM n`,
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
     INSERT INTO subscriptions (id, user_id, email, customer_id, amount, currency, status, created_at)
     SELECT 'sub' || i, 'bench' || printf('%06d', i * 17), NULL, 'cus' || i, 500 + (i % 4) * 500, 'gbp', CASE WHEN i % 10 = 0 THEN 'canceled' ELSE 'active' END, ${now} - i * 3600 FROM n`,
    "ANALYZE",
  ];
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Signs the bench owner's session through the second factor: enrol with a code computed from the page's secret. */
async function enrolOwner(site, cookieHeader) {
  const headers = { Cookie: cookieHeader, Origin: site, "CF-Connecting-IP": "198.51.100.7" };
  const page = await (await fetch(`${site}/admin/enrol`, { headers })).text();
  const secret = /<code class="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(page)?.[1];
  if (!secret) throw new Error("the enrol page showed no secret");
  const code = generateTOTP(decodeBase32IgnorePadding(secret.replace(/ /g, "")), 30, 6);
  const confirmed = await fetch(`${site}/admin/enrol`, { method: "POST", headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ code, next: "/admin" }) });
  if (confirmed.status !== 200 || !(await confirmed.text()).includes("recovery codes")) throw new Error(`enrolment answered ${confirmed.status}`);
}

/** `runs` sequential GETs of `path`: status, X-D1-Queries (all runs), p50/p99 in ms, and bytes of the last body. */
async function measure(site, cookieHeader, path, runs) {
  const times = [];
  const queries = new Set();
  let bytes = 0;
  let status = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const response = await fetch(`${site}${path}`, { headers: { Cookie: cookieHeader, "CF-Connecting-IP": "198.51.100.7" }, redirect: "manual" });
    bytes = (await response.arrayBuffer()).byteLength;
    times.push(performance.now() - start);
    status = response.status;
    queries.add(response.headers.get("x-d1-queries"));
  }
  return { path, status, queries: [...queries].join("/"), p50: Math.round(percentile(times, 50)), p99: Math.round(percentile(times, 99)), bytes };
}

export async function benchConsole({ port = Number(process.env.BENCH_CONSOLE_PORT ?? 4330), stripePort = Number(process.env.BENCH_CONSOLE_STRIPE_PORT ?? 12130) } = {}) {
  if (!(await portIsFree(port))) throw new Error(`port ${port} is in use; set BENCH_CONSOLE_PORT`);
  mkdirSync(TMP, { recursive: true });
  log("copying the app and building it");
  prepareSiteCopy();
  const outDir = join(TMP, "dist-console");
  await buildSite({ contentDir: join(ROOT, "content"), outDir, devMailbox: true });
  let stop = async () => {};
  const servers = await startServers({ port, stripePort, outDir, log, register: (s) => { stop = s; } });
  const state = join(TMP, "state");
  const site = servers.url;
  try {
    const now = Math.floor(Date.now() / 1000);
    log(`seeding ${MEMBERS.toLocaleString("en-GB")} members and ${DONATIONS.toLocaleString("en-GB")} donations`);
    const seedStart = performance.now();
    for (const sql of seedSql(now)) d1(state, sql);
    const seedSeconds = Math.round((performance.now() - seedStart) / 100) / 10;
    const owner = await createVerifiedMember(site);
    execFileSync("node", ["scripts/staff.mjs", "grant", owner.email, "owner", "--persist-to", state], { cwd: ROOT, stdio: "ignore" });
    await enrolOwner(site, owner.cookieHeader);
    // Page 500 by keyset: the cursor of the last row of page 499 (the bench reads it; the site never uses OFFSET).
    const [row] = d1(state, "SELECT created_at, id FROM users ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 24949");
    const pages = [
      ["/admin", "overview"],
      ["/admin/members", "members, first page"],
      ["/admin/members?q=alice%201", "members, search \"alice 1\""],
      ["/admin/members?q=member4242", "members, email search"],
      [`/admin/members?after=${row.created_at}.${row.id}`, "members, page 500 (keyset)"],
      ["/admin/members?filter=monthly", "members, monthly donors"],
      ["/admin/donations", "donations, first page"],
      ["/admin/donations?kind=monthly&status=refunded", "donations, monthly refunded"],
    ];
    const results = [];
    for (const [path, label] of pages) {
      const result = { label, ...(await measure(site, owner.cookieHeader, path, RUNS)) };
      results.push(result);
      log(`  ${label}: ${result.status}, ${result.queries} D1 queries, p50 ${result.p50} ms, p99 ${result.p99} ms, ${(result.bytes / 1024).toFixed(1)} KB`);
    }
    const exports = [];
    for (const [path, label] of [["/admin/members.csv", "members CSV (all)"], ["/admin/donations.csv", "donations CSV (all)"], ["/admin/donations.csv?month=" + new Date(now * 1000).toISOString().slice(0, 7), "donations CSV (this month)"]]) {
      const result = await measure(site, owner.cookieHeader, path, 1);
      const rows = (await (await fetch(`${site}${path}`, { headers: { Cookie: owner.cookieHeader } })).text()).split("\r\n").length - 2;
      exports.push({ label, path, seconds: Math.round(result.p50 / 100) / 10, megabytes: Math.round(result.bytes / 1024 / 102.4) / 10, rows, queries: result.queries });
      log(`  ${label}: ${rows.toLocaleString("en-GB")} rows, ${(result.bytes / 1024 / 1024).toFixed(1)} MB in ${(result.p50 / 1000).toFixed(1)} s (${result.queries} D1 queries)`);
    }
    const report = { date: new Date().toISOString(), members: MEMBERS, donations: DONATIONS, seedSeconds, runs: RUNS, pages: results, exports };
    writeFileSync(join(ROOT, "bench", "console-report.json"), `${JSON.stringify(report, null, 2)}\n`);
    log("wrote bench/console-report.json");
    return report;
  } finally {
    await stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchConsole().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
