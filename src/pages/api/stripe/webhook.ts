// POST /api/stripe/webhook: Stripe's signed event deliveries. Thin: hands the request to functions/donations/webhook.ts,
// which reads the raw body (streamed, 1 MiB cap), verifies, deduplicates and records. Exempt from the Origin check
// (functions/http/origin.ts) because the signature authenticates it; an unsigned or badly signed body writes nothing.
import type { APIRoute } from "astro";
import { env } from "cloudflare:workers";
import { getDb, getStripe } from "@src/lib/runtime";
import { receiveStripeWebhook } from "@functions/donations/webhook";
import { discardBody } from "@functions/http/request-body";
import { logger } from "@functions/log";
import { nowSeconds } from "@functions/clock";

export const prerender = false;

/** A JSON answer for Stripe (its dashboard shows it when a delivery fails). */
function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } });
}

export const POST: APIRoute = async ({ request }) => {
  const stripe = getStripe();
  if (stripe === null) {
    await discardBody(request);
    logger("donations").error("webhook.not_configured", { message: "STRIPE_SECRET_KEY is not set: refusing webhook deliveries (README: Donations)." });
    return reply(503, { received: false, error: "Stripe is not configured" });
  }
  const result = await receiveStripeWebhook(request, { db: getDb(), stripe, secret: env.STRIPE_WEBHOOK_SECRET?.trim(), now: nowSeconds() });
  return reply(result.status, result.body);
};

export const ALL: APIRoute = () => new Response("Method Not Allowed: Stripe webhooks are POST only.", { status: 405, headers: { Allow: "POST", "Content-Type": "text/plain; charset=utf-8" } });
