// How the webhook reads its body (receiveStripeWebhook in functions/donations/webhook.ts), against a real local D1:
// the raw body is streamed with a 1 MiB cap whatever Content-Length says, so a chunked upload without a length or
// with a lying one is refused with 413 after at most 1 MiB, and nothing is verified or written; a validly signed
// body just under the cap is still accepted and recorded.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_WEBHOOK_BYTES, receiveStripeWebhook } from "@functions/donations/webhook";
import { WEBHOOK_SECRET, donationsWhere, eventRecorded, makeEvent, paidPaymentSession, signEvent, testStripe } from "./donations-support";

const now = (): number => Math.floor(Date.now() / 1000);

/** A signed delivery of a paid donation whose JSON body is exactly `size` bytes (padded with a top-level field). */
async function signedDelivery(size: number): Promise<{ payload: string; signature: string; sessionId: string; eventId: string }> {
  const session = paidPaymentSession();
  const event = makeEvent("checkout.session.completed", session);
  const bare = JSON.stringify({ ...event, padding: "" }).length;
  const padded = { ...event, padding: "x".repeat(size - bare) };
  const { payload, signature } = await signEvent(padded);
  expect(new TextEncoder().encode(payload).byteLength).toBe(size);
  return { payload, signature, sessionId: session["id"] as string, eventId: event["id"] as string };
}

/** A request that streams `payload` in 64 KiB chunks (no Content-Length unless given), counting what was read. */
function streamedRequest(payload: string, signature: string, headers: Record<string, string> = {}): { request: Request; bytesRead: () => number } {
  const bytes = new TextEncoder().encode(payload);
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      const chunk = bytes.slice(offset, offset + 64 * 1024);
      offset += chunk.byteLength;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  const request = new Request("https://smallism.example/api/stripe/webhook", {
    method: "POST", headers: { "Content-Type": "application/json", "Stripe-Signature": signature, ...headers }, body, duplex: "half",
  } as RequestInit);
  return { request, bytesRead: () => offset };
}

function receive(request: Request) {
  return receiveStripeWebhook(request, { db: env.DB, stripe: testStripe(), secret: WEBHOOK_SECRET, now: now() });
}

describe("the webhook body cap (1 MiB, streamed)", () => {
  it("the cap is 1 MiB", () => expect(MAX_WEBHOOK_BYTES).toBe(1024 * 1024));

  it("a validly signed body of exactly 1 MiB, chunked without Content-Length → 200 and recorded", async () => {
    const delivery = await signedDelivery(MAX_WEBHOOK_BYTES);
    const result = await receive(streamedRequest(delivery.payload, delivery.signature).request);
    expect(result.status).toBe(200);
    expect(await donationsWhere("checkout_session_id", delivery.sessionId)).toHaveLength(1);
    expect(await eventRecorded(delivery.eventId)).toBe(true);
  });

  const oversized: Array<[string, Record<string, string>]> = [
    ["chunked, no Content-Length", {}],
    ["a Content-Length that lies (says 2 kB)", { "Content-Length": "2048" }],
  ];
  for (const [label, headers] of oversized) {
    it(`a validly signed body one byte over the cap, ${label} → 413, nothing verified or written`, async () => {
      const delivery = await signedDelivery(MAX_WEBHOOK_BYTES + 1);
      const result = await receive(streamedRequest(delivery.payload, delivery.signature, headers).request);
      expect(result).toEqual({ status: 413, body: { received: false, error: "body too large" } });
      expect(await donationsWhere("checkout_session_id", delivery.sessionId)).toHaveLength(0);
      expect(await eventRecorded(delivery.eventId)).toBe(false);
    });
  }

  it("a 20 MiB chunked body is refused after reading little more than the cap", async () => {
    const delivery = await signedDelivery(20 * 1024 * 1024);
    const upload = streamedRequest(delivery.payload, delivery.signature);
    expect((await receive(upload.request)).status).toBe(413);
    expect(upload.bytesRead()).toBeLessThanOrEqual(MAX_WEBHOOK_BYTES + 2 * 64 * 1024);
    expect(await donationsWhere("checkout_session_id", delivery.sessionId)).toHaveLength(0);
  });

  it("a declared Content-Length over the cap → 413 without reading the body", async () => {
    const delivery = await signedDelivery(2 * MAX_WEBHOOK_BYTES);
    const upload = streamedRequest(delivery.payload, delivery.signature, { "Content-Length": String(2 * MAX_WEBHOOK_BYTES) });
    expect((await receive(upload.request)).status).toBe(413);
    expect(upload.bytesRead()).toBe(0);
    expect(await eventRecorded(delivery.eventId)).toBe(false);
  });
});
