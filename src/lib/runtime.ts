// The Worker's bindings and configuration for on-demand pages and endpoints: D1, the mailer and site settings.
// Reads `env` from cloudflare:workers (Astro.locals.runtime is gone since Astro 6). Missing required
// configuration fails closed with one clear log line.
import { env } from "cloudflare:workers";
import type { Mailer } from "@functions/email/mailer";
import { createCloudflareMailer, type SendEmailBinding } from "@functions/email/cloudflare-sender";
import { createDevMailbox } from "@functions/email/dev-mailbox";
import { withQueryCounting } from "@functions/http/d1-counter";
import { PWNED_PASSWORDS_API, type BreachCheck } from "@functions/auth/breached-passwords";

/** Bindings and variables this site reads; see wrangler.toml and .dev.vars.example. */
export interface SiteEnv {
  DB: D1Database;
  SITE_URL?: string;
  DEV_MAILBOX?: string;
  EMAIL?: SendEmailBinding;
  EMAIL_FROM?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_API_BASE?: string;
  /** Have I Been Pwned's range API (default the real one; tests use a local stand-in). */
  PWNED_PASSWORDS_API?: string;
  DONATION_CURRENCY?: string;
  DONATION_MIN?: string;
  DONATION_MAX?: string;
  BITCOIN_ADDRESS?: string;
  BRAVE_REWARDS_VERIFICATION?: string;
  /** "1" in tests and benchmarks: report D1 round trips per request in X-D1-Queries. */
  COUNT_D1_QUERIES?: string;
}

/** The Worker environment, typed. */
export function siteEnv(): SiteEnv {
  return env as unknown as SiteEnv;
}

/** The D1 database (counted per request when COUNT_D1_QUERIES=1). */
export function getDb(): D1Database {
  return withQueryCounting(siteEnv().DB);
}

/** The public site URL used in links we send (never the request's Host header). */
export function getSiteUrl(): string {
  return siteEnv().SITE_URL ?? "https://smallism.org";
}

/** Where new passwords are checked against known breaches (PWNED_PASSWORDS_API, else Have I Been Pwned). */
export function getBreachCheck(): BreachCheck {
  return { apiBase: siteEnv().PWNED_PASSWORDS_API?.trim() || PWNED_PASSWORDS_API };
}

/** True where the dev mailbox is enabled (local development and tests only). */
export function devMailboxEnabled(): boolean {
  return siteEnv().DEV_MAILBOX === "1";
}

/** The mailer: the dev mailbox locally, Cloudflare Email Service in production; fails closed if neither is set up. */
export function getMailer(): Mailer {
  const current = siteEnv();
  if (devMailboxEnabled()) return createDevMailbox(current.DB);
  if (current.EMAIL && current.EMAIL_FROM) return createCloudflareMailer(current.EMAIL, current.EMAIL_FROM);
  return {
    async send() {
      console.error("Email is not configured: set the [[send_email]] binding EMAIL and EMAIL_FROM (README: Email).");
      throw new Error("email not configured");
    },
  };
}
