// Durable D1 throttles with a controlled clock: exactly `limit` hits, then refusals with the right Retry-After;
// recovery when the window ends; independence of subjects and rules; atomicity under parallel hits; subjects
// stored only as hashes; the site's published limits.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { consumeThrottle, consumeThrottles, pruneThrottlesStatement, THROTTLES, type ThrottleRule } from "@functions/auth/throttle";
import { HASH_SECRET, STORE } from "./support";
import { hashToken, keyedHash } from "@functions/auth/tokens";

const T0 = 1_800_000_000;

/** A rule with a unique name, so tests never share counters. */
function rule(limit: number, windowSeconds: number): ThrottleRule {
  return { name: `test-${crypto.randomUUID()}`, limit, windowSeconds };
}

describe("consumeThrottle", () => {
  it("allows exactly `limit` hits in a window, then refuses with the seconds left in the window", async () => {
    const r = rule(10, 900);
    for (let i = 0; i < 10; i++) expect(await consumeThrottle(STORE, r, "203.0.113.5", T0 + i), `hit ${i + 1}`).toEqual({ allowed: true });
    expect(await consumeThrottle(STORE, r, "203.0.113.5", T0 + 100)).toEqual({ allowed: false, retryAfter: 800 });
    expect(await consumeThrottle(STORE, r, "203.0.113.5", T0 + 899)).toEqual({ allowed: false, retryAfter: 1 });
  });

  it("recovers when the window has passed: allowed again at exactly window_start + window", async () => {
    const r = rule(3, 60);
    for (let i = 0; i < 3; i++) await consumeThrottle(STORE, r, "subject", T0);
    expect((await consumeThrottle(STORE, r, "subject", T0 + 59)).allowed).toBe(false);
    expect(await consumeThrottle(STORE, r, "subject", T0 + 60)).toEqual({ allowed: true });
    // A new full window started at T0 + 60: two more allowed, then refused until T0 + 120.
    expect((await consumeThrottle(STORE, r, "subject", T0 + 61)).allowed).toBe(true);
    expect((await consumeThrottle(STORE, r, "subject", T0 + 62)).allowed).toBe(true);
    expect(await consumeThrottle(STORE, r, "subject", T0 + 70)).toEqual({ allowed: false, retryAfter: 50 });
  });

  it("counts subjects independently", async () => {
    const r = rule(2, 600);
    await consumeThrottle(STORE, r, "a@example.org", T0);
    await consumeThrottle(STORE, r, "a@example.org", T0);
    expect((await consumeThrottle(STORE, r, "a@example.org", T0)).allowed).toBe(false);
    expect((await consumeThrottle(STORE, r, "b@example.org", T0)).allowed).toBe(true);
    expect((await consumeThrottle(STORE, r, "b@example.org", T0)).allowed).toBe(true);
    expect((await consumeThrottle(STORE, r, "b@example.org", T0)).allowed).toBe(false);
  });

  it("counts rules independently for the same subject", async () => {
    const [r1, r2] = [rule(1, 600), rule(1, 600)];
    expect((await consumeThrottle(STORE, r1, "same", T0)).allowed).toBe(true);
    expect((await consumeThrottle(STORE, r1, "same", T0)).allowed).toBe(false);
    expect((await consumeThrottle(STORE, r2, "same", T0)).allowed).toBe(true);
  });

  it("is atomic: 40 parallel hits against a limit of 10 let exactly 10 through", async () => {
    const r = rule(10, 600);
    const results = await Promise.all(Array.from({ length: 40 }, () => consumeThrottle(STORE, r, "burst", T0)));
    expect(results.filter((result) => result.allowed)).toHaveLength(10);
  });

  it("stores a hash of the subject, never the IP or email itself", async () => {
    const r = rule(5, 600);
    await consumeThrottle(STORE, r, "secret-subject@example.org", T0);
    const { results } = await env.DB.prepare("SELECT key FROM throttles WHERE key LIKE ?1").bind(`${r.name}:%`).all<{ key: string }>();
    expect(results).toHaveLength(1);
    expect(results[0]!.key).toMatch(new RegExp(`^${r.name}:[0-9a-f]{64}$`));
    expect(results[0]!.key).not.toContain("secret-subject");
  });

  it("keys with an HMAC under HASH_SECRET: not the plain SHA-256 anyone could recompute, and another secret gives another key", async () => {
    const r = rule(5, 600);
    const ip = "198.51.100.77";
    await consumeThrottle(STORE, r, ip, T0);
    await consumeThrottle({ db: env.DB, secret: "another-secret-entirely" }, r, ip, T0);
    const { results } = await env.DB.prepare("SELECT key FROM throttles WHERE key LIKE ?1 ORDER BY key").bind(`${r.name}:%`).all<{ key: string }>();
    const keys = results.map((row) => row.key);
    expect(keys).toHaveLength(2);
    expect(keys).toContain(`${r.name}:${keyedHash(HASH_SECRET, "throttle", ip)}`);
    expect(keys).toContain(`${r.name}:${keyedHash("another-secret-entirely", "throttle", ip)}`);
    expect(keys).not.toContain(`${r.name}:${hashToken(ip)}`);
  });
});

describe("consumeThrottles", () => {
  it("refuses when any rule refuses, reports the longest wait, and counts every rule", async () => {
    const short = rule(1, 60);
    const long = rule(5, 3600);
    expect((await consumeThrottles(STORE, [[short, "ip"], [long, "email"]], T0)).allowed).toBe(true);
    expect(await consumeThrottles(STORE, [[short, "ip"], [long, "email"]], T0 + 10)).toEqual({ allowed: false, retryAfter: 50, refusedBy: [short.name] });
    // The long rule was counted on the refused attempt too: 3 more before it refuses.
    for (let i = 0; i < 3; i++) expect((await consumeThrottle(STORE, long, "email", T0 + 20)).allowed).toBe(true);
    expect(await consumeThrottles(STORE, [[short, "ip"], [long, "email"]], T0 + 30)).toEqual({ allowed: false, retryAfter: 3570, refusedBy: [short.name, long.name] });
  });
});

describe("pruneThrottlesStatement", () => {
  it("deletes windows older than a day and keeps recent ones", async () => {
    const [old, recent] = [rule(5, 60), rule(5, 60)];
    await consumeThrottle(STORE, old, "x", T0 - 86_401);
    await consumeThrottle(STORE, recent, "x", T0 - 60);
    await pruneThrottlesStatement(env.DB, T0).run();
    const count = async (r: ThrottleRule) =>
      (await env.DB.prepare("SELECT COUNT(*) AS n FROM throttles WHERE key LIKE ?1").bind(`${r.name}:%`).first<{ n: number }>())!.n;
    expect(await count(old)).toBe(0);
    expect(await count(recent)).toBe(1);
  });
});

describe("the site's limits", () => {
  it("are the published ones", () => {
    expect(THROTTLES.signInEmail).toMatchObject({ limit: 10, windowSeconds: 900 });
    expect(THROTTLES.signInIp.limit).toBeGreaterThanOrEqual(THROTTLES.signInEmail.limit);
    expect(THROTTLES.joinIp.limit).toBeGreaterThan(0);
    for (const [name, r] of Object.entries(THROTTLES)) {
      expect(r.limit, name).toBeGreaterThan(0);
      expect(r.windowSeconds, name).toBeGreaterThanOrEqual(60);
    }
    expect(new Set(Object.values(THROTTLES).map((r) => r.name)).size).toBe(Object.keys(THROTTLES).length);
  });
});
