// POST /api/stripe/webhook: Stripe's signed event deliveries. Thin: reads the raw body (size-capped) and hands
// it to functions/donations/webhook.ts, which verifies, deduplicates and records. Exempt from the Origin check
// (functions/http/origin.ts) because the signature authenticates it; an unsigned or badly signed body writes nothing.
import type { APIRoute } from "astro";
import { env } from "cloudflare:workers";
import { getDb, getStripe } from "@src/lib/runtime";
import { handleStripeWebhook, MAX_WEBHOOK_BYTES } from "@functions/donations/webhook";
import { logger } from "@functions/log";
import { nowSeconds } from "@functions/clock";

export const prerender = false;

/** A JSON answer for Stripe (its dashboard shows it when a delivery fails). */
function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } });
}

export const POST: APIRoute = async ({ request }) => {
  if (Number(request.headers.get("Content-Length") ?? "0") > MAX_WEBHOOK_BYTES) return reply(413, { received: false, error: "body too large" });
  const payload = await request.text();
  if (payload.length > MAX_WEBHOOK_BYTES) return reply(413, { received: false, error: "body too large" });
  const stripe = getStripe();
  if (stripe === null) {
    logger("donations").error("webhook.not_configured", { message: "STRIPE_SECRET_KEY is not set: refusing webhook deliveries (README: Donations)." });
    return reply(503, { received: false, error: "Stripe is not configured" });
  }
  const result = await handleStripeWebhook({
    db: getDb(), stripe, secret: env.STRIPE_WEBHOOK_SECRET?.trim(), payload, signature: request.headers.get("Stripe-Signature"), now: nowSeconds(),
  });
  return reply(result.status, result.body);
};

export const ALL: APIRoute = () => new Response("Method Not Allowed: Stripe webhooks are POST only.", { status: 405, headers: { Allow: "POST", "Content-Type": "text/plain; charset=utf-8" } });
