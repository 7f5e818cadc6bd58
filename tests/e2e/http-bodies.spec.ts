// Request bodies over raw HTTP against the built site (node:http, so uploads can be chunked, stalled and sent on one
// kept-alive connection): the webhook's streamed 1 MiB cap (functions/donations/webhook.ts) and the draining of
// refused bodies up to 1 MiB (functions/http/request-body.ts), which keeps the connection usable for the next request.
import http from "node:http";
import Stripe from "stripe";
import { test, expect, uniqueIp } from "./fixtures";
import { SITE_PORT, SITE_URL, TEST_ENV } from "@tests/support/test-env";

const MiB = 1024 * 1024;

interface Answer { status: number; body: string; reusedSocket: boolean }

/**
 * Sends one request to the site on `agent`. `body` is sent with Content-Length, or in 16 KiB chunks when `chunked`;
 * with `stall`, the body is never finished (the answer must come while the client is still uploading).
 */
function send(
  agent: http.Agent, method: string, path: string,
  options: { headers?: Record<string, string>; body?: Buffer; chunked?: boolean; stall?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: new URL(SITE_URL).host, "CF-Connecting-IP": uniqueIp(), ...options.headers };
    if (options.body !== undefined && !options.chunked) headers["Content-Length"] = String(options.body.byteLength);
    const request = http.request({ host: "127.0.0.1", port: SITE_PORT, method, path, agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), reusedSocket: request.reusedSocket });
        if (options.stall) request.destroy();
      });
    });
    request.on("error", reject);
    const body = options.body;
    if (body === undefined) return void request.end();
    if (!options.chunked) return void request.end(body);
    let offset = 0;
    const pump = (): void => {
      while (offset < body.byteLength) {
        const more = request.write(body.subarray(offset, offset + 16 * 1024));
        offset += 16 * 1024;
        if (!more) return void request.once("drain", pump);
      }
      if (!options.stall) request.end();
    };
    pump();
  });
}

/** A signed webhook delivery of a (non-donation) event whose body is exactly `size` bytes, padded with a top-level field. */
async function signedEvent(size?: number, id = `evt_${crypto.randomUUID().replace(/-/g, "")}`): Promise<{ body: Buffer; signature: string }> {
  const event = { id, object: "event", type: "checkout.session.completed", created: Math.floor(Date.now() / 1000), data: { object: { id: "cs_test_notadonation", object: "checkout.session", payment_status: "paid", metadata: {} } } };
  const bare = JSON.stringify({ ...event, padding: "" }).length;
  const payload = JSON.stringify(size === undefined ? event : { ...event, padding: "x".repeat(size - bare) });
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: TEST_ENV.STRIPE_WEBHOOK_SECRET });
  return { body: Buffer.from(payload), signature };
}

const webhookHeaders = (signature: string): Record<string, string> => ({ "Content-Type": "application/json", "Stripe-Signature": signature });

test.describe("the webhook's body cap", () => {
  test("a chunked body over 1 MiB is refused with 413 while it is still being sent, and nothing is processed", async () => {
    const agent = new http.Agent({ keepAlive: false });
    const id = `evt_${crypto.randomUUID().replace(/-/g, "")}`;
    const big = await signedEvent(MiB + 64 * 1024, id);
    // The upload never ends: a server that buffered the whole body before looking would never answer.
    const refused = await Promise.race([
      send(agent, "POST", "/api/stripe/webhook", { headers: webhookHeaders(big.signature), body: big.body, chunked: true, stall: true }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer while the upload was still open")), 15_000)),
    ]);
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body)).toEqual({ received: false, error: "body too large" });
    // The same event, small: processed now for the first time (so the refused one wrote nothing), then a duplicate.
    const small = await signedEvent(undefined, id);
    const first = await send(agent, "POST", "/api/stripe/webhook", { headers: webhookHeaders(small.signature), body: small.body });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ received: true });
    const again = await send(agent, "POST", "/api/stripe/webhook", { headers: webhookHeaders(small.signature), body: small.body });
    expect(JSON.parse(again.body)).toEqual({ received: true, duplicate: true });
    agent.destroy();
  });

  test("a validly signed body just under 1 MiB, chunked or with Content-Length, is accepted", async () => {
    const agent = new http.Agent({ keepAlive: false });
    for (const chunked of [true, false]) {
      const event = await signedEvent(MiB - 1);
      const answer = await send(agent, "POST", "/api/stripe/webhook", { headers: webhookHeaders(event.signature), body: event.body, chunked });
      expect(answer.status, `chunked: ${chunked}`).toBe(200);
      expect(JSON.parse(answer.body), `chunked: ${chunked}`).toEqual({ received: true });
    }
    agent.destroy();
  });
});

test.describe("refused bodies are drained", () => {
  const FIVE_HUNDRED_KB = Buffer.from(`displayName=${"a".repeat(500_000)}`);
  const refusals: Array<[string, string, { headers: Record<string, string>; chunked?: boolean }, number]> = [
    ["a 500 kB form post (413)", "/join", { headers: { Origin: SITE_URL, "Content-Type": "application/x-www-form-urlencoded" } }, 413],
    ["a 500 kB chunked form post (413)", "/join", { headers: { Origin: SITE_URL, "Content-Type": "application/x-www-form-urlencoded" }, chunked: true }, 413],
    ["a 500 kB JSON post to a form (415)", "/login", { headers: { Origin: SITE_URL, "Content-Type": "application/json" } }, 415],
    ["a 500 kB cross-site post (403)", "/join", { headers: { Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" } }, 403],
  ];
  for (const [label, path, options, status] of refusals) {
    test(`after ${label}, the next request on the same kept-alive connection succeeds`, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      // Several rounds: before bodies were drained, the local preview failed the next request about half the time.
      for (let round = 1; round <= 8; round++) {
        const refused = await send(agent, "POST", path, { ...options, body: FIVE_HUNDRED_KB });
        expect(refused.status, `round ${round}: ${refused.body.slice(0, 200)}`).toBe(status);
        const next = await send(agent, "GET", "/join");
        expect(next.status, `round ${round}: ${next.body.slice(0, 200)}`).toBe(200);
        expect(next.reusedSocket, `round ${round}: same connection`).toBe(true);
        expect(next.body).toContain("Create your account");
      }
      agent.destroy();
    });
  }
});
