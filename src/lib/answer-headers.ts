// The headers every answer the Worker renders leaves with, in one place for the middleware and for the Worker's entry
// (which answers visitors' public-cache hits before Astro runs): the security headers, and `private, no-store` with
// `Vary: Cookie`, so no browser or proxy keeps a copy (src/lib/public-cache.ts keeps the only shared one).
import { applySecurityHeaders } from "@functions/http/security-headers";
import { formActionOrigins } from "./stripe-origins";

/** Sets the security and caching headers of an answer on its way out of the Worker. */
export function finishAnswerHeaders(headers: Headers): void {
  applySecurityHeaders(headers, formActionOrigins());
  headers.set("Cache-Control", "private, no-store");
  headers.append("Vary", "Cookie");
}
