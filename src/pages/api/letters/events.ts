// POST /api/letters/events: Amazon SNS's deliveries of SES bounce, complaint and delivery events (README: Letters).
// Thin: functions/letters/provider-events.ts verifies the SNS signature, refuses stale and replayed messages, confirms
// the subscription and applies events. Exempt from the Origin check (functions/http/origin.ts): the signature
// authenticates it.
import type { APIRoute } from "astro";
import { env } from "cloudflare:workers";
import { getDb } from "@src/lib/runtime";
import { receiveProviderEvent } from "@functions/letters/provider-events";
import { nowSeconds } from "@functions/clock";

export const prerender = false;

export const POST: APIRoute = async ({ request }) => {
  const result = await receiveProviderEvent(request, {
    db: getDb(), topicArn: env.LETTERS_SNS_TOPIC_ARN?.trim() ?? "", now: nowSeconds(),
    allowedCertUrl: env.LETTERS_EVENTS_CERT_URL?.trim() || undefined,
  });
  return new Response(JSON.stringify(result.body), { status: result.status, headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } });
};

export const ALL: APIRoute = () => new Response("Method Not Allowed: provider events are POST only.", { status: 405, headers: { Allow: "POST", "Content-Type": "text/plain; charset=utf-8" } });
