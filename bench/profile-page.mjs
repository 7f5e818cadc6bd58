// Where one on-demand page's CPU goes inside workerd: `node bench/profile-page.mjs /strategy/how-members-vote/
// [--member] [--requests=1000] [--build]`. Serves bench/.tmp/dist-site (built by `npm run bench`, or here with
// --build) as the bench does, signs a member up when --member is given, warms the page up, then records a V8 CPU
// profile of the Worker's isolate through workerd's inspector (the preview opens it on port 9229) while the page is
// requested one at a time, and prints the functions with the most time of their own and the call tree's heaviest
// branches. The Worker is minified, so --build builds it unminified (readable names; the figures are then a little
// higher). The profiler's own overhead inflates absolute times: compare shares, not milliseconds (those are
// bench/page-cpu.mjs's job). This is how the member page's MDX body was found to be rendered on every request.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { ROOT, SITE, TMP, buildSite, prepareSiteCopy } from "./site.mjs";
import { createVerifiedMember, startServers } from "./serve.mjs";

const args = process.argv.slice(2);
const path = args.find((arg) => arg.startsWith("/")) ?? "/strategy/";
const member = args.includes("--member");
const requests = Number(args.find((arg) => arg.startsWith("--requests="))?.split("=")[1] ?? 1000);
const outDir = join(TMP, "dist-site");
const PORT = Number(process.env.BENCH_PORT ?? 4329);

if (args.includes("--build") || !existsSync(outDir)) {
  prepareSiteCopy();
  const config = join(SITE, "astro.config.project.mjs");
  writeFileSync(config, readFileSync(config, "utf8").replace("minifyWorker()", "/* unminified for profiling */"));
  console.log("building bench/.tmp/dist-site (unminified) …");
  await buildSite({ contentDir: join(ROOT, "content"), outDir, devMailbox: true });
}

let servers = await startServers({ port: PORT, stripePort: PORT + 7800, outDir, log: () => {} });
const headers = {};
if (member) headers.Cookie = (await createVerifiedMember(servers.url)).cookieHeader;
await servers.stop();
// As production runs: without COUNT_D1_QUERIES (which buffers bodies), on the same state.
servers = await startServers({ port: PORT, stripePort: PORT + 7800, outDir, log: () => {}, keepState: true, countQueries: false });
try {
  const inspector = (await (await fetch("http://127.0.0.1:9229/json")).json()).find((target) => /\/smallism$/.test(target.webSocketDebuggerUrl ?? ""));
  if (!inspector) throw new Error("no inspector target for the Worker on port 9229");
  const socket = new WebSocket(inspector.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { socket.once("open", resolve); socket.once("error", reject); });
  let id = 0;
  const waiting = new Map();
  socket.on("message", (data) => { const message = JSON.parse(String(data)); waiting.get(message.id)?.(message.result); waiting.delete(message.id); });
  const send = (method, params = {}) => new Promise((resolve) => { waiting.set(++id, resolve); socket.send(JSON.stringify({ id, method, params })); });
  const get = async () => { const response = await fetch(`${servers.url}${path}`, { headers, redirect: "manual" }); await response.arrayBuffer(); return response.status; };
  for (let i = 0; i < 100; i++) await get();
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 50 });
  await send("Profiler.start");
  let status = 0;
  for (let i = 0; i < requests; i++) status = await get();
  const { profile } = await send("Profiler.stop");
  socket.close();
  writeFileSync(join(TMP, "page.cpuprofile"), JSON.stringify(profile));
  console.log(`${path}${member ? " (signed in)" : ""}: ${status}, ${requests} requests; profile in bench/.tmp/page.cpuprofile (open it in Chrome DevTools)\n`);
  summarise(profile);
} finally {
  await servers.stop();
}

/** Prints self time by function and the heaviest branches of the call tree, as shares of all samples. */
function summarise(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const hits = new Map();
  for (const sample of profile.samples) hits.set(sample, (hits.get(sample) ?? 0) + 1);
  const total = profile.samples.length;
  const name = (node) => `${node.callFrame.functionName || "(anonymous)"} ${node.callFrame.url.split("/").pop()}:${node.callFrame.lineNumber + 1}`;
  const share = (count) => `${((100 * count) / total).toFixed(1).padStart(5)}%`;
  const self = new Map();
  for (const [nodeId, count] of hits) self.set(name(nodes.get(nodeId)), (self.get(name(nodes.get(nodeId))) ?? 0) + count);
  console.log("Time of their own:");
  for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${share(count)}  ${key}`);
  const inclusive = (node) => (hits.get(node.id) ?? 0) + (node.children ?? []).reduce((sum, child) => sum + inclusive(nodes.get(child)), 0);
  console.log("\nHeaviest branches (async work starts new branches at the root):");
  const walk = (list, depth) => {
    const groups = new Map();
    for (const node of list) {
      const group = groups.get(name(node)) ?? { count: 0, children: [] };
      group.count += inclusive(node);
      group.children.push(...(node.children ?? []).map((child) => nodes.get(child)));
      groups.set(name(node), group);
    }
    for (const [key, group] of [...groups].sort((a, b) => b[1].count - a[1].count)) {
      if (group.count / total < 0.015) continue;
      console.log(`${share(group.count)}  ${"  ".repeat(depth)}${key}`);
      if (depth < 3) walk(group.children, depth + 1);
    }
  };
  walk(nodes.get(profile.nodes[0].id).children.map((child) => nodes.get(child)), 0);
}
