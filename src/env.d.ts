// Types for Astro.locals, filled once per request by src/middleware.ts.
/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The signed-in member, or null for visitors (and when the session lookup failed). */
    user: import("@functions/auth/sessions").SessionUser | null;
    session: import("@functions/auth/sessions").Session | null;
    /** True when the session lookup itself failed (D1 error): pages must fail closed. */
    sessionLookupFailed: boolean;
  }
}
