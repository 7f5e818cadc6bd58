// Serves the benchmark build the way the browser tests do (playwright.config.ts): local D1 migrations into a
// fresh state folder, the Stripe stand-in, and `astro preview` (workerd) with the test environment. Also creates a
// real verified member through the site's own forms.
import { spawn } from "node:child_process";
import { existsSync, openSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, SITE, TMP, run } from "./site.mjs";

export const SESSION_COOKIE = "smallism_session";

/** True when nothing listens on `port` (on either loopback address). */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "localhost" }, () => server.close(() => resolve(true)));
  });
}

/** The test environment from tests/support/test-env.ts, for a site on `siteUrl` and a stand-in on `stripeBase`. */
async function testEnv(siteUrl, stripeBase) {
  // test-env.ts is TypeScript; read the values it exports without a compiler (they are plain string literals).
  const { readFileSync } = await import("node:fs");
  const source = readFileSync(join(ROOT, "tests", "support", "test-env.ts"), "utf8");
  const block = /export const TEST_ENV = \{([\s\S]*?)\} as const;/.exec(source)?.[1] ?? "";
  const env = {};
  for (const match of block.matchAll(/^\s*([A-Z0-9_]+):\s*"((?:[^"\\]|\\.)*)",?\s*$/gm)) env[match[1]] = JSON.parse(`"${match[2]}"`);
  env.SITE_URL = siteUrl;
  if (stripeBase) env.STRIPE_API_BASE = stripeBase;
  else delete env.STRIPE_API_BASE;
  env.DEV_MAILBOX = "1";
  env.COUNT_D1_QUERIES = "1";
  return env;
}

/**
 * Applies the migrations to a fresh bench/.tmp/state, starts the Stripe stand-in (when tests/support has one) and
 * `astro preview` on `port` serving `outDir`, with `extraEnv` over the tests' settings. Returns { url, stop,
 * stripeStandIn }; `register(stop)` is called as soon as there is something to stop. `keepState` starts again on the
 * state an earlier call left (its members and sessions); `countQueries: false` leaves out COUNT_D1_QUERIES (no
 * X-D1-Queries, no buffered bodies: the Worker as production runs it, for CPU figures).
 */
export async function startServers({ port, stripePort, outDir, log, register = () => {}, extraEnv = {}, keepState = false, countQueries = true }) {
  const state = join(TMP, "state");
  if (!keepState) {
    rmSync(state, { recursive: true, force: true });
    const migrate = await run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { env: { CI: "1" } });
    if (migrate.code !== 0) throw new Error(`applying D1 migrations failed:\n${migrate.output}`);
  }

  let standIn = null;
  const standInPath = join(ROOT, "tests", "support", "stripe-stand-in.mjs");
  if (existsSync(standInPath)) {
    const { startStripeStandIn } = await import(pathToFileURL(standInPath).href);
    standIn = await startStripeStandIn(stripePort);
    log(`  Stripe stand-in on ${standIn.url}`);
  } else log("  no tests/support/stripe-stand-in.mjs: /donate runs without card donations");

  const siteUrl = `http://localhost:${port}`;
  const env = {
    ...(await testEnv(siteUrl, standIn ? standIn.url : null)),
    SMALLISM_STATE_DIR: state,
    SMALLISM_OUT_DIR: outDir,
    CLOUDFLARE_INCLUDE_PROCESS_ENV: "true",
    ...extraEnv,
  };
  if (!countQueries) delete env.COUNT_D1_QUERIES;
  const logFile = openSync(join(TMP, "preview.log"), "w");
  // Its own process group, so stopping it also stops workerd. --ignore-lock: never touch the lock file of a
  // preview server someone else runs from this project.
  const child = spawn("npx", ["astro", "preview", "--port", String(port), "--ignore-lock"], {
    cwd: SITE, env: { ...process.env, ...env }, stdio: ["ignore", logFile, logFile], detached: true,
  });
  let exited = false;
  child.on("exit", () => { exited = true; });
  const stop = async () => {
    if (!exited) {
      try { process.kill(-child.pid, "SIGTERM"); } catch {}
      for (let i = 0; i < 50 && !exited; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      if (!exited) try { process.kill(-child.pid, "SIGKILL"); } catch {}
    }
    if (standIn) await standIn.close().catch(() => {});
  };
  // The caller can stop both from a signal handler while we still wait for the server to answer.
  register(stop);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`astro preview exited early; see bench/.tmp/preview.log`);
    }
    try {
      const response = await fetch(`${siteUrl}/`);
      if (response.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error("astro preview did not answer within 120 s; see bench/.tmp/preview.log");
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url: siteUrl, stop, stripeStandIn: standIn !== null, pid: child.pid };
}

function form(fields) {
  return new URLSearchParams(fields).toString();
}

/** Keeps the cookies the responses set, as a browser would (an empty value removes one), for a Cookie header. */
function keepCookies(jar, response) {
  for (const line of response.headers.getSetCookie()) {
    const [, name, value] = /^([^=;\s]+)=([^;]*)/.exec(line) ?? [];
    if (name === undefined) continue;
    if (value === "") jar.delete(name);
    else jar.set(name, value);
  }
  return jar;
}

/**
 * Creates a verified member through POST /join, the dev mailbox and POST /verify; returns { email, cookie,
 * cookieHeader }. cookieHeader carries every cookie those answers left, as the member's browser would send them (the
 * session, the signed-in hint, the database bookmark), so the bench measures the requests members really make.
 */
export async function createVerifiedMember(siteUrl) {
  const email = `bench-${Date.now()}@example.org`;
  const ip = `198.51.100.${1 + Math.floor(Math.random() * 250)}`;
  const headers = { Origin: siteUrl, "CF-Connecting-IP": ip, "Content-Type": "application/x-www-form-urlencoded" };
  const join = await fetch(`${siteUrl}/join?next=%2Fstrategy%2F`, {
    method: "POST", headers, redirect: "manual",
    body: form({ email, password: "lantern orchard ferry 42", displayName: "Bench Member", agree: "yes", next: "/strategy/" }),
  });
  const jar = keepCookies(new Map(), join);
  const token = jar.get(SESSION_COOKIE);
  if (join.status !== 303 || token === undefined) throw new Error(`POST /join answered ${join.status} without a session cookie: ${(await join.text()).slice(0, 300)}`);
  const cookieHeader = `${SESSION_COOKIE}=${token}`;
  const mailbox = await (await fetch(`${siteUrl}/dev/mailbox?to=${encodeURIComponent(email)}`, { headers: { Cookie: cookieHeader } })).text();
  const code = /code is ([A-Z0-9]{8})/.exec(mailbox)?.[1];
  if (!code) throw new Error("no verification code in /dev/mailbox");
  const verify = await fetch(`${siteUrl}/verify?next=%2Fstrategy%2F`, {
    method: "POST", headers: { ...headers, Cookie: cookieHeader }, redirect: "manual", body: form({ action: "verify", code, next: "/strategy/" }),
  });
  if (verify.status !== 303) throw new Error(`POST /verify answered ${verify.status}: ${(await verify.text()).slice(0, 300)}`);
  // Should verification ever rotate the session, keep the new one.
  keepCookies(jar, verify);
  return finish(siteUrl, email, jar);
}

async function finish(siteUrl, email, jar) {
  const token = jar.get(SESSION_COOKIE);
  if (!token) throw new Error("the sign-up left no session cookie");
  const cookieHeader = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  const account = await fetch(`${siteUrl}/account`, { headers: { Cookie: cookieHeader }, redirect: "manual" });
  const page = await account.text();
  if (account.status !== 200 || !page.includes(email)) throw new Error(`GET /account as the new member answered ${account.status}`);
  return { email, cookie: { name: SESSION_COOKIE, value: token }, cookieHeader };
}

/** GET `path` with and without the member's cookie: status, where it redirects, and X-D1-Queries. */
export async function d1Queries(siteUrl, path, cookieHeader) {
  const row = { path };
  for (const [key, headers] of [["anonymous", {}], ["member", { Cookie: cookieHeader }]]) {
    const response = await fetch(`${siteUrl}${path}`, { headers, redirect: "manual" });
    await response.arrayBuffer();
    const header = response.headers.get("x-d1-queries");
    row[key] = {
      status: response.status,
      location: response.headers.get("location"),
      queries: header === null ? null : Number(header),
      cacheControl: response.headers.get("cache-control"),
      setsCookie: response.headers.getSetCookie().length > 0,
    };
  }
  return row;
}
