// `npm run bench`: measures what readers and members feel, and writes bench/report.md + bench/report.json.
//   1. page weight of the first view (Chromium, from the network)       2. browser timings (5 fresh loads, medians)
//   3. throughput and latency (autocannon) with ratios to a static essay 4. D1 queries per on-demand page
//   4b. wards at scale (1,000 wards, 100,000 members: D1 queries and latency of a ward page, cached and not)
//   5. server CPU inside workerd (hash, session validation; each on-demand page's CPU per request, bench/page-cpu.mjs)
//   6. build time and size at 7 / 100 / 1,000 essays, and 1,000 public ones (how the Worker grows per public essay
//      and per members-only page)
// It builds from a copy of the app in bench/.tmp/site (see bench/site.mjs), serves it with `astro preview` on
// port 4329 (BENCH_PORT) with a local D1 in bench/.tmp/state, and stops everything it started, also on errors.
// Flags: --quick (short runs, for trying changes to the bench itself), --no-lighthouse, --no-scale; --console runs
// only the staff console's bench instead (bench/console.mjs: 100,000 members, 300,000 donations); --letters runs only
// the letters bench (bench/letters.mjs: a letter to 100,000 subscribers through the local queues and the SES stand-in);
// --only=PHASES (comma-separated: d1, weight, timings, lighthouse, throughput, page-cpu, letters, cpu, scale) runs just
// those phases on the served build and writes bench/report-only.json (report.md needs every phase).
import { execFileSync } from "node:child_process";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, TMP, buildSite, prepareSiteCopy, run } from "./site.mjs";
import { generateContent } from "./generate-content.mjs";
import { chromiumPath, launchBrowser, measurePageWeight, measureTimings, median, TYPES } from "./browser.mjs";
import { createVerifiedMember, d1Queries, portIsFree, startServers } from "./serve.mjs";
import { measureThroughput } from "./throughput.mjs";
import { measurePageCpu } from "./page-cpu.mjs";
import { ensureLighthouse, runLighthouse } from "./lighthouse.mjs";
import { startCompressingProxy } from "./compress-proxy.mjs";
import { writeReport } from "./report.mjs";
import { benchWards } from "./wards.mjs";
import { benchConsole } from "./console.mjs";
import { benchLetters } from "./letters.mjs";

const args = new Set(process.argv.slice(2));
const QUICK = args.has("--quick");
const PORT = Number(process.env.BENCH_PORT ?? 4329);
const STRIPE_PORT = Number(process.env.BENCH_STRIPE_PORT ?? 12129);
const TIMING_RUNS = QUICK ? 2 : 5;
const ONLY = (() => {
  const flag = process.argv.slice(2).find((arg) => arg.startsWith("--only="));
  return flag === undefined ? null : new Set(flag.slice("--only=".length).split(",").filter(Boolean));
})();
/** True when the phase `name` runs (every phase unless --only names others). */
const wanted = (name) => ONLY === null || ONLY.has(name);
const SCALES = args.has("--no-scale") || !wanted("scale") ? [] : QUICK ? [100] : [100, 1000];

const started = performance.now();
const elapsed = () => `${Math.round((performance.now() - started) / 1000)}s`.padStart(5);
const log = (message) => console.log(`[bench ${elapsed()}] ${message}`);
const loads = {};
const noteLoad = (phase) => { loads[phase] = loadavg().map((value) => Math.round(value * 100) / 100); };

/** Title, word count and flags of every MDX file in a content folder. */
function readCollection(folder) {
  return readdirSync(join(ROOT, "content", folder))
    .filter((name) => name.endsWith(".mdx"))
    .map((name) => {
      const text = readFileSync(join(ROOT, "content", folder, name), "utf8");
      const [, frontmatter = "", body = ""] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text) ?? [];
      return {
        slug: name.replace(/\.mdx$/, ""),
        words: body.split(/\s+/).filter(Boolean).length,
        draft: /^draft:\s*true\s*$/m.test(frontmatter),
        membersOnly: /^membersOnly:\s*true\s*$/m.test(frontmatter),
      };
    });
}

function machine() {
  const cpuModel = (/^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown").trim();
  let freeH = "";
  try { freeH = execFileSync("free", ["-h"], { encoding: "utf8" }).trim(); } catch {}
  let chromium = "";
  try { chromium = execFileSync(chromiumPath(), ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(); } catch {}
  let commit = "";
  let dirty = false;
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
  } catch {}
  return {
    nproc: cpus().length, cpuModel, memTotalGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, memFreeGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    freeH, node: process.version, chromium, commit, dirty, date: new Date().toISOString(),
  };
}

async function workerCpu() {
  const result = await run("npx", ["vitest", "run", "--config", "bench/vitest.config.ts"], { cwd: ROOT, timeoutMs: 300_000, env: { FORCE_COLOR: "0", NO_COLOR: "1" } });
  const match = /BENCH_CPU_JSON (\{.*\})/.exec(result.output);
  if (result.code !== 0 || !match) throw new Error(`bench/worker-cpu.test.ts failed:\n${result.output}`);
  return JSON.parse(match[1]);
}

async function main() {
  const report = { machine: machine(), quick: QUICK, loads, notes: [] };
  log(`${report.machine.cpuModel}, ${report.machine.nproc} cores, Node ${report.machine.node}, ${report.machine.chromium}`);
  noteLoad("start");
  if (loads.start[0] > 1) log(`warning: load average is ${loads.start[0]} before the bench starts; other work on this machine skews the numbers`);
  if (!(await portIsFree(PORT))) throw new Error(`port ${PORT} is in use; stop what runs there or set BENCH_PORT`);
  mkdirSync(TMP, { recursive: true });

  const essays = readCollection("essays");
  const strategy = readCollection("strategy");
  const publicEssays = essays.filter((essay) => !essay.draft && !essay.membersOnly).sort((a, b) => b.words - a.words);
  const longEssay = publicEssays[0];
  const membersEssay = essays.find((essay) => !essay.draft && essay.membersOnly);
  const strategyPage = [...strategy].sort((a, b) => b.words - a.words)[0];
  report.content = { essays: essays.length, strategyPages: strategy.length, longEssay, membersEssay: membersEssay ?? null, strategyPage };

  log("copying the app to bench/.tmp/site and building it (DEV_MAILBOX=1, as the browser tests do)");
  prepareSiteCopy();
  const siteOut = join(TMP, "dist-site");
  report.servedBuild = await buildSite({ contentDir: join(ROOT, "content"), outDir: siteOut, devMailbox: true });
  log(`  built in ${(report.servedBuild.totalMs / 1000).toFixed(1)} s`);

  log(`starting astro preview on port ${PORT} (workerd + local D1 in bench/.tmp/state)`);
  let stopServers = async () => {};
  const onSignal = () => { stopServers().finally(() => process.exit(130)); };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const servers = await startServers({ port: PORT, stripePort: STRIPE_PORT, outDir: siteOut, log, register: (stop) => { stopServers = stop; } });
  report.stripeStandIn = servers.stripeStandIn;
  const site = servers.url;
  let browser;
  try {
    log("creating a verified member through /join, /dev/mailbox and /verify");
    const member = await createVerifiedMember(site);
    log(`  member ${member.email}`);
    // The member must really see the sealed text: a heading from the page's body, absent for visitors.
    const heading = /^## (.+)$/m.exec(readFileSync(join(ROOT, "content", "strategy", `${strategyPage.slug}.mdx`), "utf8"))?.[1]?.trim();
    const strategyUrl = `${site}/strategy/${strategyPage.slug}/`;
    const asMember = await (await fetch(strategyUrl, { headers: { Cookie: member.cookieHeader } })).text();
    const asVisitor = await (await fetch(strategyUrl)).text();
    const escaped = heading?.replace(/&/g, "&amp;").replace(/'/g, "&#39;").replace(/"/g, "&quot;");
    const seen = (html) => heading !== undefined && (html.includes(heading) || (escaped !== undefined && html.includes(escaped)));
    if (!seen(asMember) || seen(asVisitor)) throw new Error(`the signed-in strategy page does not show the member text ("${heading}") only to the member`);

    const pages = [
      { key: "home", label: "Home", path: "/" },
      { key: "essay", label: `Essay (${longEssay.words} words)`, path: `/essays/${longEssay.slug}/` },
      { key: "essays", label: "Essay index", path: "/essays/" },
      { key: "strategyIndex", label: "Strategy index", path: "/strategy/" },
      { key: "strategyMember", label: "Strategy page, signed in", path: `/strategy/${strategyPage.slug}/`, member: true },
      { key: "join", label: "Join", path: "/join" },
      { key: "donate", label: "Donate", path: "/donate" },
    ];
    report.pages = pages.map(({ key, label, path, member: signedIn }) => ({ key, label, path, signedIn: !!signedIn }));

    if (wanted("d1")) {
      log("D1 queries per on-demand page (X-D1-Queries), signed out and in");
      noteLoad("d1");
      const d1Paths = ["/strategy/", `/strategy/${strategyPage.slug}/`, "/account", "/verify", "/join", "/login", "/donate"];
      if (membersEssay) d1Paths.push(`/essays/${membersEssay.slug}/`);
      report.d1 = [];
      for (const path of d1Paths) report.d1.push(await d1Queries(site, path, member.cookieHeader));
      noteLoad("wards");
      report.wards = await benchWards({ site, state: join(TMP, "state"), member, log, runs: QUICK ? 5 : 15 });
    }

    browser = await launchBrowser();
    if (wanted("weight")) {
      log("page weight of the first view (Chromium, DevTools network events)");
      noteLoad("weight");
      report.weight = {};
      for (const page of pages) {
        const weight = await measurePageWeight(browser, `${site}${page.path}`, { origin: site, cookie: page.member ? member.cookie : undefined });
        report.weight[page.key] = weight;
        log(`  ${page.path}: ${weight.status}, ${weight.total.requests} requests, ${(weight.total.transferred / 1024).toFixed(1)} KB transferred, ${(weight.total.gzip / 1024).toFixed(1)} KB gzip${weight.foreign.length ? `, FOREIGN: ${weight.foreign.join(" ")}` : ""}`);
      }
      if (!report.weight.strategyMember.requests.some((request) => request.type === "html" && request.decoded > 0)) report.notes.push("the signed-in strategy page returned no HTML body");
    }

    if (wanted("timings")) {
      log(`browser timings: ${TIMING_RUNS} fresh loads per page`);
      noteLoad("timings");
      report.timings = {};
      for (const page of pages) {
        const runs = [];
        for (let i = 0; i < TIMING_RUNS; i++) runs.push(await measureTimings(browser, `${site}${page.path}`, { origin: site, cookie: page.member ? member.cookie : undefined }));
        const medians = Object.fromEntries(["fcp", "lcp", "tbt", "cls", "ttfb", "load"].map((metric) => [metric, median(runs.map((entry) => entry[metric]))]));
        report.timings[page.key] = { medians, runs };
        log(`  ${page.path}: FCP ${Math.round(medians.fcp)} ms, LCP ${Math.round(medians.lcp)} ms, TBT ${Math.round(medians.tbt)} ms, CLS ${medians.cls.toFixed(3)}`);
      }
    }
    await browser.close();
    browser = undefined;

    if (!args.has("--no-lighthouse") && wanted("lighthouse")) {
      log("Lighthouse: one run per page (mobile, simulated slow 4G + 4x CPU)");
      noteLoad("lighthouse");
      const problem = await ensureLighthouse();
      if (problem) {
        report.lighthouse = { skipped: problem };
        log(`  skipped: ${problem}`);
      } else {
        // Through a gzip proxy on the next port: Cloudflare compresses what it sends, the local preview does not.
        const proxy = await startCompressingProxy(PORT + 1, site);
        try {
          report.lighthouse = await runLighthouse(pages.map((page) => ({ key: page.key, url: `${proxy.url}${page.path}`, cookie: page.member ? member.cookie : undefined })), chromiumPath(), log);
          report.lighthouse.compressed = true;
        } catch (error) {
          report.lighthouse = { skipped: `Lighthouse failed: ${error instanceof Error ? error.message : error}` };
          log(`  ${report.lighthouse.skipped}`);
        } finally {
          await proxy.close();
        }
      }
    } else report.lighthouse = { skipped: "--no-lighthouse" };

    // Requests per second and CPU are measured on the Worker as production runs it: the preview again, on the same
    // state (the member's session), without COUNT_D1_QUERIES (which buffers every body to count its queries).
    let cpuPgid = servers.pid;
    if (wanted("throughput") || wanted("page-cpu")) {
      log("restarting astro preview without COUNT_D1_QUERIES for throughput and CPU");
      await stopServers();
      const quiet = await startServers({ port: PORT, stripePort: STRIPE_PORT, outDir: siteOut, log, register: (stop) => { stopServers = stop; }, keepState: true, countQueries: false });
      cpuPgid = quiet.pid;
      const probe = await fetch(`${site}/strategy/`, { headers: { Cookie: member.cookieHeader } });
      await probe.arrayBuffer();
      if (probe.headers.has("x-d1-queries")) throw new Error("the restarted preview still counts D1 queries");
    }
    if (wanted("throughput")) {
      log("throughput and latency (autocannon)");
      noteLoad("throughput");
      const targets = [
        { key: "essay", label: "Static essay", path: `/essays/${longEssay.slug}/` },
        { key: "strategyIndex", label: "Strategy index, signed out", path: "/strategy/" },
        { key: "strategyMember", label: "Strategy page, signed in", path: `/strategy/${strategyPage.slug}/`, headers: { Cookie: member.cookieHeader } },
        { key: "join", label: "/join (GET)", path: "/join" },
        // The session lookup alone (a 405 after it, no page): how much of the member's page is the lookup, locally a
        // D1 query that miniflare runs as a Durable Object transaction.
        { key: "sessionOnly", label: "GET /logout signed in (405: the session lookup, no page)", path: "/logout", headers: { Cookie: member.cookieHeader } },
      ];
      // Short rounds, many of them: the machine's load drifts within seconds here, and each round compares like with like.
      report.throughput = await measureThroughput(site, targets, { rounds: QUICK ? 1 : 5, connections: 10, seconds: QUICK ? 3 : 5, log });
      report.throughput.targets = targets.map(({ key, label, path }) => ({ key, label, path }));
    }
    if (wanted("page-cpu")) {
      log(`CPU per request of on-demand pages inside workerd (${QUICK ? 40 : 200} requests each, in turn)`);
      noteLoad("pageCpu");
      const H = { Cookie: member.cookieHeader };
      const page = `/strategy/${strategyPage.slug}/`;
      let fresh = 0;
      report.pageCpu = await measurePageCpu({
        pgid: cpuPgid,
        samples: QUICK ? 40 : 200,
        warmup: QUICK ? 10 : 30,
        log,
        targets: [
          { key: "essay", label: "Static essay (workerd serving a file)", path: `/essays/${longEssay.slug}/` },
          { key: "floor", label: "GET /logout (405: middleware, no page)", path: "/logout" },
          { key: "floorMember", label: "GET /logout signed in (405: middleware and session lookup)", path: "/logout", headers: H },
          { key: "notFound", label: "Unknown strategy page (404: layout only)", path: "/strategy/no-such-page/" },
          { key: "indexVisitor", label: "Strategy index, signed out (public cache hit)", path: "/strategy/" },
          { key: "indexVisitorMiss", label: "Strategy index, signed out, rendered (a new URL each time: miss and store)", path: () => `/strategy/?bench=${++fresh}` },
          { key: "indexMember", label: "Strategy index, signed in", path: "/strategy/", headers: H },
          { key: "pageVisitor", label: "Strategy page, signed out (summary, public cache hit)", path: page },
          { key: "pageVisitorMiss", label: "Strategy page, signed out, rendered (a new URL each time)", path: () => `${page}?bench=${++fresh}` },
          { key: "pageMember", label: "Strategy page, signed in (full text)", path: page, headers: H },
          { key: "account", label: "/account, signed in", path: "/account", headers: H },
          { key: "join", label: "/join (GET)", path: "/join" },
        ],
      });
    }
    // The member's session must still be good after the load test (no renewal or expiry on the way).
    const after = await d1Queries(site, `/strategy/${strategyPage.slug}/`, member.cookieHeader);
    if (after.member.status !== 200) report.notes.push(`after the load test the member's strategy page answered ${after.member.status}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    log("stopping the preview server and the Stripe stand-in");
    await stopServers();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }

  if (wanted("letters")) {
    log("letters: a send to 100,000 subscribers through the local queues and the SES stand-in (bench/letters.mjs)");
    noteLoad("letters");
    report.letters = await benchLetters({ outDir: siteOut, build: false });
  }

  if (wanted("cpu")) {
    log("server CPU inside workerd (npx vitest run --config bench/vitest.config.ts)");
    noteLoad("cpu");
    report.cpu = await workerCpu();
    log(`  hashPassword median ${report.cpu.hashPassword.medianMs} ms, validateSessionToken ${report.cpu.validateSessionBatch.meanMs} ms (batch mean)`);
  }

  report.scale = [];
  if (SCALES.length) {
    log("build scale: shipped content, then generated essays (production builds, cold cache)");
    noteLoad("scale");
    const shipped = await buildSite({ contentDir: join(ROOT, "content"), outDir: join(TMP, "dist-shipped") });
    report.scale.push({ essays: publicEssays.length + (membersEssay ? 1 : 0), label: "shipped content", ...shipped });
    log(`  shipped: ${(shipped.totalMs / 1000).toFixed(1)} s`);
    // The largest mix again with every essay public: the difference is what 1 in 10 members-only essays cost.
    const builds = [...SCALES.map((n) => ({ n, every: 10 })), ...(SCALES.length > 1 ? [{ n: SCALES.at(-1), every: 0 }] : [])];
    for (const { n, every } of builds) {
      const name = every ? `${n}` : `${n}-public`;
      const contentDir = generateContent(n, join(TMP, `content-${name}`), { membersOnlyEvery: every });
      const built = await buildSite({ contentDir, outDir: join(TMP, `dist-${name}`) });
      const membersOnly = every ? Math.floor(n / every) : 0;
      report.scale.push({ essays: n, membersOnly, label: `${n} generated essays${every ? `, ${membersOnly} members-only` : ", all public"}`, ...built });
      log(`  ${name}: ${(built.totalMs / 1000).toFixed(1)} s, client ${(built.clientBytes / 2 ** 20).toFixed(1)} MB, server ${(built.serverBytes / 2 ** 20).toFixed(1)} MB, Worker code ${(built.workerCodeBytes / 2 ** 20).toFixed(2)} MB`);
    }
  }

  noteLoad("end");
  report.durationSeconds = Math.round((performance.now() - started) / 1000);
  if (ONLY !== null) {
    writeFileSync(join(ROOT, "bench", "report-only.json"), `${JSON.stringify(report, null, 2)}\n`);
    log(`done in ${report.durationSeconds} s: bench/report-only.json (${[...ONLY].join(", ")})`);
    return;
  }
  writeFileSync(join(ROOT, "bench", "report.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(ROOT, "bench", "report.md"), writeReport(report));
  log(`done in ${report.durationSeconds} s: bench/report.md and bench/report.json`);
}

(args.has("--console") ? benchConsole() : args.has("--letters") ? benchLetters() : main()).catch((error) => {
  console.error(`[bench] failed: ${error instanceof Error ? error.stack ?? error.message : error}`);
  process.exit(1);
});
