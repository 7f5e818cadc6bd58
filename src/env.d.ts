// Types for Astro.locals, filled once per request by src/middleware.ts, and the one binding `npm run types` cannot
// see. Everything else in `env` is generated from wrangler.toml and .dev.vars.example (types/worker-configuration.d.ts).
/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The signed-in member, or null for visitors (and when the session lookup failed). */
    user: import("@functions/auth/sessions").SessionUser | null;
    session: import("@functions/auth/sessions").Session | null;
    /** True when the session lookup itself failed (D1 error): pages must fail closed. */
    sessionLookupFailed: boolean;
    /** Set by a member-only page that was rendered for a member allowed to read it: keep its HTML (src/lib/member-page-cache.ts). */
    keepMemberPage?: string;
  }
}

declare namespace Cloudflare {
  interface Env {
    /**
     * Cloudflare Email Service. Bound only once the owner adds `[[send_email]]` to wrangler.toml (README: Email):
     * the binding needs an onboarded domain, so the committed configuration cannot declare it.
     */
    EMAIL?: SendEmail;
  }
}
