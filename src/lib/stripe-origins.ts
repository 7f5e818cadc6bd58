// Origins that forms on rendered pages may post or redirect to: Stripe's hosted Checkout and Customer Portal
// (or the local Stripe stand-in used by tests, whose origin comes from STRIPE_API_BASE).
import { env } from "cloudflare:workers";

/** Extra `form-action` origins for the Content-Security-Policy of rendered pages. */
export function formActionOrigins(): string[] {
  const base = env.STRIPE_API_BASE;
  if (base) return [new URL(base).origin];
  return ["https://checkout.stripe.com", "https://billing.stripe.com"];
}
