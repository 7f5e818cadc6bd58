// Shared helpers for the worker tests (tests/worker/*.test.ts): the fixed clock and site, mailers that capture or
// fail, unique addresses, members inserted straight into D1 or signed up through the real use-case, and a COUNT
// read-back. Donation-specific helpers (Stripe stand-in, webhook events, ledger rows) are in donations-support.ts.
import { env } from "cloudflare:workers";
import { signUp } from "@functions/auth/account";
import type { EmailMessage, Mailer } from "@functions/email/mailer";
import { BREACHES } from "./breach-support";

/** The tests' "now" in Unix seconds (2027-01-15): far from real time, so nothing depends on the wall clock. */
export const T0 = 1_800_000_000;
/** The site origin the use-cases build links from. */
export const SITE = "https://smallism.example";
/** The HMAC key the tests' throttles are counted with, and the store that pairs it with the test file's D1. */
export const HASH_SECRET = "worker-tests-hash-secret";
export const STORE = { db: env.DB, secret: HASH_SECRET };

/** A password that passes the policy. */
export const PASSWORD = "lantern orchard tidal";

/** A mailer that keeps every message it is given, in order, in `sent`. */
export function capturingMailer(): Mailer & { sent: EmailMessage[] } {
  const sent: EmailMessage[] = [];
  return { sent, async send(message) { sent.push(message); } };
}

/** A mailer whose every send throws `message`, as a sender does when the provider is down. */
export function failingMailer(message = "mail down"): Mailer {
  return { async send() { throw new Error(message); } };
}

/** A fresh address no other test uses: `prefix-<random>@example.org`. */
export function uniqueEmail(prefix = "m"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 10)}@example.org`;
}

/** The `n` column of the first row of `sql` (write it as `SELECT COUNT(*) AS n …`). */
export async function count(sql: string, ...params: unknown[]): Promise<number> {
  return (await env.DB.prepare(sql).bind(...params).first<{ n: number }>())!.n;
}

/** A users row written straight into D1 (no hashing, no session, no code), for tests of the lower layers. */
export async function insertUser(
  options: { email?: string; passwordHash?: string; createdAt?: number; emailVerifiedAt?: number | null } = {},
): Promise<{ id: string; email: string }> {
  const id = crypto.randomUUID();
  const email = options.email ?? uniqueEmail("u");
  await env.DB.prepare("INSERT INTO users (id, email, password_hash, email_verified_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
    .bind(id, email, options.passwordHash ?? "x", options.emailVerifiedAt ?? null, options.createdAt ?? T0).run();
  return { id, email };
}

/** A member signed up through the real use-case at T0 with PASSWORD (unverified, one session, one code mailed). */
export async function signedUpMember(
  options: { email?: string; mailer?: Mailer } = {},
): Promise<{ email: string; userId: string; token: string }> {
  const email = options.email ?? uniqueEmail();
  const result = await signUp(env.DB, options.mailer ?? capturingMailer(), { email, password: PASSWORD, displayName: null }, SITE, T0, BREACHES);
  if (!result.ok) throw new Error(`sign-up of ${email} failed`);
  return { email, userId: result.userId, token: result.token };
}
