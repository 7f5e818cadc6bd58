// The Worker's bindings and settings for on-demand pages and endpoints: D1, the mailer, Stripe, the donation
// settings, read from `env` (cloudflare:workers; Astro.locals.runtime is gone since Astro 6). `env` is typed by
// `npm run types` from wrangler.toml and .dev.vars.example. Missing configuration fails closed with one log line.
import { env } from "cloudflare:workers";
import type Stripe from "stripe";
import type { Mailer } from "@functions/email/mailer";
import { createCloudflareMailer } from "@functions/email/cloudflare-sender";
import { createDevMailbox } from "@functions/email/dev-mailbox";
import { withQueryCounting } from "@functions/http/d1-counter";
import { currentDatabase, sessionDatabase } from "@functions/http/d1-sessions";
import { stripeFromEnv } from "@functions/donations/stripe-client";
import { donationSettingsFromEnv, type DonationSettings } from "@functions/donations/config";
import { PWNED_PASSWORDS_API, type BreachCheck } from "@functions/auth/breached-passwords";
import type { ThrottleStore } from "@functions/auth/throttle";
import { logger } from "@functions/log";

/** The D1 database: the request's D1 session (read replicas, functions/http/d1-sessions.ts), counted per request when COUNT_D1_QUERIES=1. */
export function getDb(): D1Database {
  return withQueryCounting(currentDatabase() ?? env.DB);
}

/** Opens a D1 session starting at `start` (a bookmark or a constraint); `db` is it as a D1Database, for getDb(). */
export function openDbSession(start: D1SessionBookmark | D1SessionConstraint): { db: D1Database; bookmark: () => string | null } {
  const session = env.DB.withSession(start);
  return { db: sessionDatabase(env.DB, session), bookmark: () => session.getBookmark() };
}

/**
 * The secret that throttle keys and the network tag in log lines are keyed with (HASH_SECRET: `wrangler secret put`
 * in production; `npm run dev` generates a local one). Without it the Worker refuses to count, and says why.
 */
export function getHashSecret(): string {
  const secret = hashSecretOrNull();
  if (secret !== null) return secret;
  logger("security").error("hash_secret.missing", { message: "HASH_SECRET is not set (or shorter than 16 characters): run `npx wrangler secret put HASH_SECRET` (README: Deploying)." });
  throw new Error("HASH_SECRET is not set");
}

/** HASH_SECRET when it is set (16 characters or more), else null. */
export function hashSecretOrNull(): string | null {
  const secret = env.HASH_SECRET?.trim() ?? "";
  return secret.length >= 16 ? secret : null;
}

/** Where the throttles are counted: D1 and the secret their keys are made with. */
export function getThrottleStore(): ThrottleStore {
  return { db: getDb(), secret: getHashSecret() };
}

/** True in tests and benchmarks: the middleware reports each response's D1 round trips in X-D1-Queries. */
export function countsD1Queries(): boolean {
  return env.COUNT_D1_QUERIES === "1";
}

/** The public site URL used in links we send (never the request's Host header). */
export function getSiteUrl(): string {
  return env.SITE_URL;
}

/** Where new passwords are checked against known breaches (PWNED_PASSWORDS_API, else Have I Been Pwned). */
export function getBreachCheck(): BreachCheck {
  return { apiBase: env.PWNED_PASSWORDS_API?.trim() || PWNED_PASSWORDS_API };
}

/** True where the dev mailbox is enabled (local development and tests only). */
export function devMailboxEnabled(): boolean {
  return env.DEV_MAILBOX === "1";
}

/** The mailer: the dev mailbox locally, Cloudflare Email Service in production; fails closed if neither is set up. */
export function getMailer(): Mailer {
  if (devMailboxEnabled()) return createDevMailbox(env.DB);
  if (env.EMAIL && env.EMAIL_FROM) return createCloudflareMailer(env.EMAIL, env.EMAIL_FROM);
  return {
    async send() {
      logger("email").error("email.not_configured", { message: "Email is not configured: set the [[send_email]] binding EMAIL and EMAIL_FROM (README: Email)." });
      throw new Error("email not configured");
    },
  };
}

/** The Stripe client, or null (logged once) when STRIPE_SECRET_KEY is not set. */
export function getStripe(): Stripe | null {
  return stripeFromEnv(env);
}

/** The donation currency and bounds (bad values logged once and replaced by the defaults). */
export function getDonationSettings(): DonationSettings {
  return donationSettingsFromEnv(env);
}
