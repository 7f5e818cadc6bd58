// The /join use-case against a real local D1 (functions/auth/join.ts): refused forms (a breached password among
// them) are never counted, one network can sign up a ward meeting's worth of people in an hour, the per-network
// limit still holds, and one address cannot be used to mail someone over and over. Throttled answers say when to
// try again.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { joinCommunity, type JoinForm } from "@functions/auth/join";
import { consumeThrottle, THROTTLES } from "@functions/auth/throttle";
import { keyedHash } from "@functions/auth/tokens";
import type { EmailMessage, Mailer } from "@functions/email/mailer";
import { BREACHES, markBreached } from "./breach-support";
import { HASH_SECRET, STORE } from "./support";

const T0 = 1_800_000_000;
const SITE = "https://smallism.example";
const PASSWORD = "lantern orchard tidal";

function capturingMailer(): Mailer & { sent: EmailMessage[] } {
  const sent: EmailMessage[] = [];
  return { sent, async send(message) { sent.push(message); } };
}

const uniqueEmail = (prefix = "j") => `${prefix}-${crypto.randomUUID().slice(0, 10)}@example.org`;
const uniqueIp = () => `198.51.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}-${crypto.randomUUID().slice(0, 6)}`;
const form = (email: string, extra: Partial<JoinForm> = {}): JoinForm => ({ email, password: PASSWORD, displayName: "", agree: true, ...extra });

async function count(sql: string, ...params: unknown[]): Promise<number> {
  return (await env.DB.prepare(sql).bind(...params).first<{ n: number }>())!.n;
}

/** Rows the join throttles hold for `ip` (keyed by its hash, as every throttle is). */
const networkHits = async (ip: string) =>
  (await env.DB.prepare("SELECT hits FROM throttles WHERE key = ?1").bind(`${THROTTLES.joinIp.name}:${keyedHash(HASH_SECRET, "throttle", ip)}`).first<{ hits: number }>())?.hits ?? 0;

describe("joinCommunity", () => {
  it("counts no refused form: 30 empty or invalid posts from one network, then a valid one joins", async () => {
    const ip = uniqueIp();
    const mailer = capturingMailer();
    const refused: JoinForm[] = [
      form(""), form("not-an-email"), form(uniqueEmail(), { password: "short" }), form(uniqueEmail(), { agree: false }),
      form(uniqueEmail(), { displayName: "x".repeat(81) }), { email: "", password: "", displayName: "", agree: false },
    ];
    for (let i = 0; i < 30; i++) {
      const result = await joinCommunity(STORE, mailer, refused[i % refused.length]!, ip, SITE, T0 + i, BREACHES);
      expect(result, `post ${i + 1}`).toMatchObject({ ok: false, status: 400 });
    }
    expect(await networkHits(ip)).toBe(0);
    expect(mailer.sent).toEqual([]);
    const email = uniqueEmail("after-mistakes");
    expect(await joinCommunity(STORE, mailer, form(email), ip, SITE, T0 + 31, BREACHES)).toMatchObject({ ok: true });
    expect(await networkHits(ip)).toBe(1);
    expect(mailer.sent.map((message) => message.to)).toEqual([email]);
  });

  it("a breached password is refused next to its field and, like any mistake, counted by neither throttle", async () => {
    const ip = uniqueIp();
    const email = uniqueEmail("breached");
    const breached = `orchard copper ${crypto.randomUUID().slice(0, 8)}`;
    await markBreached(breached, 3);
    const mailer = capturingMailer();
    for (let i = 0; i < 5; i++) {
      expect(await joinCommunity(STORE, mailer, form(email, { password: breached }), ip, SITE, T0 + i, BREACHES), `try ${i + 1}`).toEqual({
        ok: false, status: 400, errors: { password: expect.stringMatching(/appeared in known data breaches \(3 times\)/) },
      });
    }
    expect(await networkHits(ip)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM throttles WHERE key = ?1", `${THROTTLES.joinEmail.name}:${keyedHash(HASH_SECRET, "throttle", email)}`)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM users WHERE email = ?1", email)).toBe(0);
    expect(mailer.sent).toEqual([]);
    // A password nobody has breached then joins at once: five refusals cost the address none of its 3 tries an hour.
    expect(await joinCommunity(STORE, mailer, form(email), ip, SITE, T0 + 10, BREACHES)).toMatchObject({ ok: true });
  });

  it("an empty form names every field at once, saying what is missing", async () => {
    const result = await joinCommunity(STORE, capturingMailer(), { email: "", password: "", displayName: "", agree: false }, uniqueIp(), SITE, T0, BREACHES);
    expect(result).toEqual({
      ok: false, status: 400,
      errors: { email: "Enter your email address.", password: "Enter a password.", agree: expect.stringMatching(/confirm/) },
    });
  });

  it("signs up 60 people from one network in an hour (a ward meeting on one wifi)", async () => {
    const ip = uniqueIp();
    const mailer = capturingMailer();
    for (let i = 0; i < 60; i++) {
      const result = await joinCommunity(STORE, mailer, form(uniqueEmail(`ward-${i}`)), ip, SITE, T0 + i * 50, BREACHES);
      expect(result.ok, `person ${i + 1}: ${JSON.stringify(result)}`).toBe(true);
    }
    expect(await networkHits(ip)).toBe(60);
    expect(mailer.sent).toHaveLength(60);
  }, 120_000);

  it("past the network's hourly limit: 429 with the wait in minutes, nothing created, nothing sent", async () => {
    const ip = uniqueIp();
    expect(THROTTLES.joinIp.limit).toBeGreaterThanOrEqual(60);
    for (let i = 0; i < THROTTLES.joinIp.limit; i++) await consumeThrottle(STORE, THROTTLES.joinIp, ip, T0);
    const mailer = capturingMailer();
    const email = uniqueEmail("over-limit");
    const result = await joinCommunity(STORE, mailer, form(email), ip, SITE, T0 + 600, BREACHES);
    expect(result).toEqual({
      ok: false, status: 429, retryAfter: 3000,
      errors: { form: "Many accounts have been created from this network in the last hour. Please try again in 50 minutes." },
    });
    expect(await count("SELECT COUNT(*) AS n FROM users WHERE email = ?1", email)).toBe(0);
    expect(mailer.sent).toEqual([]);
    // Another network is not affected, and the same one may join again when the hour is over.
    expect((await joinCommunity(STORE, mailer, form(uniqueEmail()), uniqueIp(), SITE, T0 + 600, BREACHES)).ok).toBe(true);
    expect((await joinCommunity(STORE, mailer, form(email), ip, SITE, T0 + 3600, BREACHES)).ok).toBe(true);
  });

  it("limits attempts per address, from any network: the 4th in an hour is 429 naming the email field", async () => {
    const mailer = capturingMailer();
    const email = uniqueEmail("target");
    const first = await joinCommunity(STORE, mailer, form(email), uniqueIp(), SITE, T0, BREACHES);
    expect(first.ok).toBe(true);
    // The same address again (any case) from other networks: an account exists, so the page offers sign-in links.
    for (const variant of [email.toUpperCase(), ` ${email} `]) {
      expect(await joinCommunity(STORE, mailer, form(variant), uniqueIp(), SITE, T0 + 10, BREACHES)).toMatchObject({
        ok: false, status: 400, duplicate: true, errors: { email: expect.stringMatching(/already has an account/) },
      });
    }
    const fourth = await joinCommunity(STORE, mailer, form(email), uniqueIp(), SITE, T0 + 120, BREACHES);
    expect(fourth).toEqual({
      ok: false, status: 429, retryAfter: 3480,
      errors: { email: "This address has been used to join several times in the last hour. Please try again in 58 minutes." },
    });
    expect(mailer.sent.filter((message) => message.to === email)).toHaveLength(1);
    // Stored as a hash of the address, never the address.
    const { results } = await env.DB.prepare("SELECT key FROM throttles WHERE key LIKE ?1").bind(`${THROTTLES.joinEmail.name}:%`).all<{ key: string }>();
    expect(results.map((row) => row.key)).toContain(`${THROTTLES.joinEmail.name}:${keyedHash(HASH_SECRET, "throttle", email)}`);
    expect(JSON.stringify(results)).not.toContain(email);
  });
});
