// Requests per second and latency of the local build under load (autocannon's programmatic API). Targets run in
// rounds (every target once per round), so each round's ratios to the static essay compare like with like even
// when the machine's load drifts between rounds. autocannon runs in this Node process, on the same 2 cores as
// workerd: absolute numbers are a floor, the ratios are the useful part.
import autocannon from "autocannon";
import { median } from "./browser.mjs";

function once(url, headers, { connections, seconds }) {
  return new Promise((resolve, reject) => {
    autocannon({ url, headers, connections, duration: seconds, timeout: 20 }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** targets: [{ key, label, path, headers? }]; returns { settings, rounds: [{ [key]: stats }] }. */
export async function measureThroughput(siteUrl, targets, { rounds = 2, connections = 10, seconds = 10, log }) {
  const results = [];
  for (let round = 1; round <= rounds; round++) {
    const row = {};
    for (const target of targets) {
      const result = await once(`${siteUrl}${target.path}`, target.headers ?? {}, { connections, seconds });
      row[target.key] = {
        requestsPerSecond: Math.round(result.requests.average * 10) / 10,
        total: result.requests.total,
        p50: result.latency.p50,
        p99: result.latency.p99,
        mean: Math.round(result.latency.average * 10) / 10,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
      };
      log(`  round ${round} ${target.key}: ${row[target.key].requestsPerSecond} req/s, p50 ${row[target.key].p50} ms, p99 ${row[target.key].p99} ms${result.non2xx ? `, ${result.non2xx} non-2xx` : ""}${result.errors ? `, ${result.errors} errors` : ""}`);
    }
    const base = row[targets[0].key];
    for (const target of targets) {
      const stats = row[target.key];
      stats.rpsRatio = base.requestsPerSecond ? Math.round((stats.requestsPerSecond / base.requestsPerSecond) * 1000) / 1000 : null;
      stats.p50Ratio = base.p50 ? Math.round((stats.p50 / base.p50) * 100) / 100 : null;
      stats.p99Ratio = base.p99 ? Math.round((stats.p99 / base.p99) * 100) / 100 : null;
    }
    results.push(row);
  }
  // Each target's median ratio over the rounds: one drifting round does not decide it.
  const medianRatios = Object.fromEntries(targets.map((target) => {
    const middle = median(results.map((row) => row[target.key].rpsRatio));
    return [target.key, middle === null ? null : Math.round(middle * 1000) / 1000];
  }));
  log(`  median ratios to the static essay: ${targets.slice(1).map((target) => `${target.key} ${medianRatios[target.key]}`).join(", ")}`);
  return { settings: { rounds, connections, seconds }, rounds: results, medianRatios };
}
