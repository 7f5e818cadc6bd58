// Letters at scale (`npm run bench -- --letters`, and part of `npm run bench`): seeds 100,000 verified members
// subscribed to 'essays' into the bench's local D1 (SQL only: no member row crosses the wire), schedules a letter to
// them and runs the minute Cron Trigger once (/cdn-cgi/handler/scheduled), so the letter goes out exactly as in
// production: the fan-out and the consumer through the local Queues of `astro preview` (miniflare, configured from
// wrangler.toml), the real SES client signing each call to the stand-in (tests/support/letters-provider-stand-in.mjs,
// bodies not kept). Measures messages/s and the time to completion, D1 queries per delivery (the consumer logs each
// batch's round trips when COUNT_D1_QUERIES=1), the exactly-once count (distinct recipients and repeats at the
// stand-in, deliveries sent in D1) and the peak memory (VmHWM) of workerd, the process the consumer runs in.
// Port 4331 (BENCH_LETTERS_PORT), stand-in 12131; BENCH_LETTERS_SUBSCRIBERS changes the size, BENCH_LETTERS_REUSE=1
// reuses the last build. Writes bench/letters-report.json.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, TMP, buildSite, prepareSiteCopy } from "./site.mjs";
import { portIsFree, startServers } from "./serve.mjs";
import { startLettersProviderStandIn } from "../tests/support/letters-provider-stand-in.mjs";
import { STAND_IN_KEYS, STAND_IN_TOPIC } from "../tests/support/letters-stand-in-keys.mjs";

export const SUBSCRIBERS = Number(process.env.BENCH_LETTERS_SUBSCRIBERS ?? 100_000);
const started = performance.now();
const log = (message) => console.log(`[letters bench ${`${Math.round((performance.now() - started) / 1000)}s`.padStart(5)}] ${message}`);

function d1(state, sql) {
  const output = execFileSync("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", state, "--json", "--command", sql], { cwd: ROOT, encoding: "utf8", maxBuffer: 16 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
  return JSON.parse(output).at(-1)?.results ?? [];
}

/** Peak resident memory (VmHWM, KiB) of the workerd processes in process group `pgid`. */
function workerdPeakKiB(pgid) {
  let peak = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid || !readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) continue;
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0));
    } catch {}
  }
  return peak;
}

/**
 * Bytes the deliveries take in the bench's D1, table and indexes, by SQLite's dbstat (which local D1 does not
 * compile in, so it is read from the database file with Node's own SQLite after the server has stopped).
 */
async function deliveryBytes(state) {
  const { DatabaseSync } = await import("node:sqlite");
  const dir = join(state, "v3", "d1");
  const file = readdirSync(dir, { recursive: true }).map(String).find((name) => name.endsWith(".sqlite") && !name.endsWith("metadata.sqlite"));
  const db = new DatabaseSync(join(dir, file), { readOnly: true });
  try {
    return db.prepare("SELECT SUM(d.pgsize) AS bytes FROM dbstat d JOIN sqlite_schema s ON s.name = d.name WHERE s.tbl_name = 'deliveries'").get().bytes;
  } finally {
    db.close();
  }
}

/** The consumer's per-batch log lines (queue.batch) in the preview's log. */
function batchLines() {
  return readFileSync(join(TMP, "preview.log"), "utf8").split("\n").filter((l) => l.includes('"event":"queue.batch"')).map((l) => JSON.parse(l.slice(l.indexOf("{"))));
}

/** Runs the letters bench on its own server; returns the figures. `outDir` reuses a build when given. */
export async function benchLetters({ outDir = join(TMP, "letters-dist"), build = true } = {}) {
  const port = Number(process.env.BENCH_LETTERS_PORT ?? 4331);
  const standInPort = Number(process.env.BENCH_LETTERS_STAND_IN_PORT ?? 12131);
  if (!(await portIsFree(port))) throw new Error(`port ${port} is in use; set BENCH_LETTERS_PORT`);
  if (build && !(process.env.BENCH_LETTERS_REUSE === "1" && existsSync(outDir))) {
    log("building the site (a copy of the app in bench/.tmp/site)");
    prepareSiteCopy();
    await buildSite({ contentDir: join(ROOT, "content"), outDir });
  }
  const standIn = await startLettersProviderStandIn(standInPort, { keepBodies: false });
  let stop = async () => {};
  try {
    const servers = await startServers({
      port, stripePort: standInPort + 1, outDir, log, register: (s) => { stop = s; },
      // The production path: SES only (no dev-mailbox copy), with the consumer's D1 round trips logged.
      extraEnv: {
        DEV_MAILBOX: "", COUNT_D1_QUERIES: "1", LETTERS_FROM: "Smallism <letters@bench.example>", LETTERS_SES_REGION: STAND_IN_KEYS.region,
        LETTERS_AWS_ACCESS_KEY_ID: STAND_IN_KEYS.accessKeyId, LETTERS_AWS_SECRET_ACCESS_KEY: STAND_IN_KEYS.secretAccessKey,
        LETTERS_API_BASE: standIn.url, LETTERS_SNS_TOPIC_ARN: STAND_IN_TOPIC, LETTERS_UNSUBSCRIBE_MAILTO: "unsubscribe@bench.example",
      },
    });
    const state = join(TMP, "state");
    log(`seeding ${SUBSCRIBERS} subscribers`);
    d1(state, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${SUBSCRIBERS})
      INSERT INTO users (id, email, password_hash, email_verified_at, created_at) SELECT 'lb' || printf('%07d', i), 'reader' || i || '@bench.example', 'x', 1700000000, 1700000000 FROM n`);
    d1(state, "INSERT INTO letter_subscriptions (topic, user_id, subscribed_at) SELECT 'essays', id, 1700000000 FROM users WHERE id LIKE 'lb%'");
    d1(state, `INSERT INTO letters (id, subject, source, body_html, body_text, audience, status, send_at, created_by, created_at, updated_at)
      VALUES ('benchletter', 'A letter to every reader', 'markdown', '<p>${"Words of the letter. ".repeat(60)}</p>', '${"Words of the letter. ".repeat(60)}', 'essays', 'scheduled', 1, 'bench', 0, 0)`);
    log("running the minute cron: the letter starts, fans out and is consumed through the local queues");
    const t0 = performance.now();
    const cron = await fetch(`${servers.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("* * * * *")}`);
    if (!cron.ok) throw new Error(`the scheduled handler answered ${cron.status}`);
    let stats;
    let peakKiB = 0;
    let firstAt = null;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      peakKiB = Math.max(peakKiB, workerdPeakKiB(servers.pid));
      stats = await (await fetch(`${standIn.url}/__stats`)).json();
      if (firstAt === null && stats.letters > 0) firstAt = performance.now();
      if (stats.letters >= SUBSCRIBERS) break;
      if (performance.now() - t0 > 20 * 60_000) throw new Error(`not done after 20 minutes: ${JSON.stringify(stats)}`);
    }
    const doneMs = performance.now() - t0;
    let [letter] = d1(state, "SELECT status FROM letters WHERE id = 'benchletter'");
    for (let i = 0; i < 20 && letter.status !== "sent"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      [letter] = d1(state, "SELECT status FROM letters WHERE id = 'benchletter'");
    }
    const [rows] = d1(state, "SELECT COUNT(*) AS deliveries, SUM(status = 'sent') AS sent, SUM(status <> 'sent') AS other FROM deliveries WHERE letter_id = 'benchletter'");
    const lines = batchLines();
    const queries = lines.reduce((n, l) => n + l.queries, 0);
    const delivered = lines.reduce((n, l) => n + l.deliveries, 0);
    const result = {
      subscribers: SUBSCRIBERS,
      completionSeconds: Math.round(doneMs / 100) / 10,
      firstEmailAfterSeconds: firstAt === null ? null : Math.round((firstAt - t0) / 100) / 10,
      messagesPerSecond: Math.round(SUBSCRIBERS / (doneMs / 1000)),
      letterStatus: letter.status,
      stand_in: stats,
      deliveries: rows,
      exactlyOnce: stats.recipients === SUBSCRIBERS && stats.repeats === 0 && rows.sent === SUBSCRIBERS,
      consumerBatches: lines.length,
      d1QueriesPerDelivery: delivered === 0 ? null : Math.round((queries / delivered) * 1000) / 1000,
      workerdPeakMiB: Math.round(peakKiB / 1024),
      d1BytesPerDelivery: null,
    };
    await stop();
    result.d1BytesPerDelivery = Math.round((await deliveryBytes(state)) / rows.deliveries);
    log(JSON.stringify(result));
    writeFileSync(join(ROOT, "bench", "letters-report.json"), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await stop();
    await standIn.close();
  }
}
