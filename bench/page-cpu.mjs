// CPU time of on-demand pages inside workerd, per request (npm run bench, phase "page CPU").
//
// Method. Inside a Worker the clock does not move during computation (Date.now()/performance.now() only advance
// across I/O), so the Worker cannot time itself. This measures from outside instead: Linux counts the CPU time of
// every thread in nanoseconds (/proc/<pid>/task/<tid>/schedstat, first field), so reading the sum for workerd's
// process before and after one request gives the CPU that request cost workerd, whatever else the machine runs (load
// stretches wall time, not another process's CPU time). Requests go one at a time, the targets in turn (so drifting
// load touches them alike), after a warm-up, straight to
// workerd's own port (not through astro preview's Node proxy). What it includes: workerd's HTTP handling and
// the local D1 (SQLite in the same process; in production D1 runs elsewhere and the Worker only waits for it).
//
// Breakdown, by differences between pages measured in the same run (medians):
//   request floor    GET /logout (405): routing, the middleware, a small Response; no page, no D1
//   session lookup   GET /logout with the member's cookie − without (the same 405; the middleware's session lookup:
//                    the token's hash, one D1 query, the cookies it keeps up to date)
//   member page      strategy page signed in − GET /logout signed in (the page's own work beyond the floor and the
//                    session lookup: its route, the access decision and, after the first request, the page kept per
//                    isolate by src/lib/member-page-cache.ts instead of a render)
//   layout           an unknown /strategy/<slug>/ signed out (404: the layout and an empty page) − the floor: what a
//                    render of the layout alone costs, for comparison
// Signed-out strategy pages are measured twice: as a public-cache hit (the same URL each time), and rendered (a new
// URL each time: a miss, a render and a store; the local Cache API stores inside workerd, so that figure includes
// work production does outside the Worker).
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** Pids of workerd processes whose process group is `pgid` (astro preview started in its own group). */
export function workerdPids(pgid) {
  const pids = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      if (/workerd$/.test(readlinkSync(`/proc/${name}/exe`))) pids.push(Number(name));
    } catch {}
  }
  return pids;
}

/** TCP ports the processes listen on (their sockets' inodes looked up in /proc/net/tcp). */
export function listeningPorts(pids) {
  const inodes = new Set();
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match) inodes.add(match[1]);
      } catch {}
    }
  }
  const ports = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== "0A" || !inodes.has(cols[9])) continue;
      ports.push(parseInt(cols[1].split(":").pop(), 16));
    }
  }
  return [...new Set(ports)];
}

/** The origin workerd itself serves the site on: the listener of the workerd pids for which `isSite` holds. */
export async function workerdOrigin(pids, isSite) {
  const ports = listeningPorts(pids);
  for (const port of [...new Set(ports)]) if (await isSite(`http://127.0.0.1:${port}`)) return `http://127.0.0.1:${port}`;
  throw new Error(`no workerd port answers as the site (workerd listens on ${ports.join(", ") || "nothing"})`);
}

/** CPU nanoseconds all threads of these processes have used so far. */
function cpuNs(pids) {
  let total = 0;
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {}
    }
  }
  return total;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const round = (ms) => Math.round(ms * 1000) / 1000;

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return { n: sorted.length, medianMs: round(median), p90Ms: round(quantile(sorted, 0.9)), p99Ms: round(quantile(sorted, 0.99)), minMs: round(sorted[0]) };
}

/** One GET of a target; resolves with its status and the CPU ns workerd spent on it. */
async function sampleOnce(origin, pids, target) {
  const before = cpuNs(pids);
  const path = typeof target.path === "function" ? target.path() : target.path;
  const response = await fetch(`${origin}${path}`, { headers: target.headers ?? {}, redirect: "manual" });
  await response.arrayBuffer();
  // workerd may finish a request's bookkeeping just after the response: a 1 ms pause lets it land in this sample.
  await new Promise((resolve) => setTimeout(resolve, 1));
  return { status: response.status, ns: cpuNs(pids) - before };
}

/**
 * Measures every target; `pgid` is astro preview's process group. Targets: [{ key, label, path, headers? }] (path a
 * string, or a function giving each request's path), which must include the keys the breakdown uses (floor,
 * floorMember, notFound, pageMember).
 */
export async function measurePageCpu({ pgid, targets, samples = 200, warmup = 30, log = () => {} }) {
  const pids = workerdPids(pgid);
  if (pids.length === 0) throw new Error(`no workerd process in process group ${pgid}`);
  const origin = await workerdOrigin(pids, async (url) => {
    try { return (await fetch(`${url}/strategy/`, { redirect: "manual" })).status === 200; } catch { return false; }
  });
  // Round robin: one request of each target in turn, so the machine's load drifts over all of them alike.
  for (let i = 0; i < warmup; i++) for (const target of targets) await sampleOnce(origin, pids, target);
  const values = new Map(targets.map((target) => [target.key, []]));
  const statuses = new Map();
  for (let i = 0; i < samples; i++) {
    for (const target of targets) {
      const { status, ns } = await sampleOnce(origin, pids, target);
      values.get(target.key).push(ns / 1e6);
      statuses.set(target.key, status);
    }
  }
  const results = {};
  for (const target of targets) {
    results[target.key] = { ...stats(values.get(target.key)), status: statuses.get(target.key) };
    log(`  ${target.label}: ${results[target.key].status}, median ${results[target.key].medianMs} ms CPU, p99 ${results[target.key].p99Ms} ms`);
  }
  const m = (key) => results[key]?.medianMs ?? NaN;
  const session = m("floorMember") - m("floor");
  const breakdown = {
    floorMs: round(m("floor")),
    sessionLookupMs: round(session),
    memberPageMs: round(m("pageMember") - m("floorMember")),
    layoutMs: round(m("notFound") - m("floor")),
  };
  return { origin, workerdPids: pids, samples, warmup, targets: targets.map(({ key, label, path }) => ({ key, label, path: typeof path === "function" ? path() : path })), results, breakdown };
}
