// A local stand-in for the parts of Stripe's API the site calls, for the worker and browser tests (no network):
// Checkout Session create/retrieve (an unreadable customer_email is refused with Stripe's email_invalid error),
// Billing Portal session create, Invoice Payments list, Customer delete (a second delete of one customer answers
// 404 resource_missing, as Stripe does; every delete is in /__requests), plus a fake hosted checkout page (/c/pay/<id>) and portal
// page (/p/session/<id>). It honours Idempotency-Key like Stripe (same key
// and body → the same object; same key, other body → 400; same key while the first request is still running →
// 409 idempotency_key_in_use) and records every API request with its headers, form body and answer status.
// Test controls: GET /health, GET /__requests, POST /__reset, GET /__sessions/<id>,
// POST /__sessions/<id>/pay (JSON body optional: {"payment_status":"unpaid"} for a delayed payment method),
// POST /__invoice_payments ({"invoice":"in_…","payment_intent":"pi_…"}: which invoice a PaymentIntent paid),
// POST /__slow_creations ({"match":"text","ms":800}: Checkout Session creations whose body contains `match` take
// `ms` longer, so a double click's second request arrives while the first is still running).
// Run: node tests/support/stripe-stand-in.mjs 12111   (the site points STRIPE_API_BASE at it)
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";

/** A Stripe-looking id: prefix + 24 random alphanumerics. */
function makeId(prefix) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return prefix + Array.from(randomBytes(24), (byte) => alphabet[byte % alphabet.length]).join("");
}

/** Reads a whole request body as text. */
function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function sendJson(response, status, body) {
  response.writeHead(status, { "Content-Type": "application/json", "Request-Id": makeId("req_") });
  response.end(JSON.stringify(body));
}

function stripeError(response, status, message, extra = {}) {
  sendJson(response, status, { error: { type: "invalid_request_error", message, ...extra } });
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]);
}

/** Starts the stand-in on `port` (127.0.0.1; 0 = any free port); resolves with its base URL and a close function. */
export function startStripeStandIn(port) {
  let base = `http://127.0.0.1:${port}`;
  const state = {
    requests: [], sessions: new Map(), idempotency: new Map(), inFlight: new Set(), invoicePayments: [], portalSessions: new Map(), slowCreations: [], deletedCustomers: new Set(),
  };

  /** Marks a session paid (or complete-but-unpaid), filling the ids Stripe would. */
  function paySession(session, paymentStatus = "paid") {
    session.status = "complete";
    session.payment_status = paymentStatus;
    session.customer_details = { email: session.customer_email ?? "guest-donor@example.org", name: "Test Donor" };
    if (session.mode === "subscription") {
      session.customer = session.customer ?? makeId("cus_");
      session.subscription = session.subscription ?? makeId("sub_");
      session.invoice = session.invoice ?? makeId("in_");
      const paymentIntent = makeId("pi_");
      state.invoicePayments.push({ id: makeId("inpay_"), object: "invoice_payment", invoice: session.invoice, amount_paid: session.amount_total, currency: session.currency, payment: { type: "payment_intent", payment_intent: paymentIntent }, status: "paid" });
    } else {
      session.payment_intent = session.payment_intent ?? makeId("pi_");
    }
    return session;
  }

  function createSession(form) {
    const mode = form["mode"] ?? "payment";
    const unitAmount = Number(form["line_items[0][price_data][unit_amount]"] ?? 0);
    const quantity = Number(form["line_items[0][quantity]"] ?? 1);
    const metadata = {};
    for (const [key, value] of Object.entries(form)) {
      const match = /^metadata\[(.+)\]$/.exec(key);
      if (match) metadata[match[1]] = value;
    }
    const id = makeId("cs_test_");
    const session = {
      id, object: "checkout.session", livemode: false, created: Math.floor(Date.now() / 1000),
      mode, status: "open", payment_status: "unpaid",
      amount_total: unitAmount * quantity, amount_subtotal: unitAmount * quantity,
      currency: form["line_items[0][price_data][currency]"] ?? null,
      client_reference_id: form["client_reference_id"] ?? null,
      customer_email: form["customer_email"] ?? null, customer_details: null, customer: null,
      metadata, subscription: null, invoice: null, payment_intent: null,
      success_url: form["success_url"] ?? null, cancel_url: form["cancel_url"] ?? null,
      submit_type: form["submit_type"] ?? null,
      url: `${base}/c/pay/${id}`,
    };
    state.sessions.set(id, session);
    return session;
  }

  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", base);
      const path = url.pathname;
      const body = request.method === "GET" || request.method === "HEAD" ? "" : await readBody(request);

      // Test controls.
      if (path === "/health") return sendJson(response, 200, { ok: true });
      if (path === "/__requests" && request.method === "GET") return sendJson(response, 200, state.requests);
      if (path === "/__reset" && request.method === "POST") {
        state.requests.length = 0;
        return sendJson(response, 200, { ok: true });
      }
      if (path === "/__slow_creations" && request.method === "POST") {
        const { match, ms } = JSON.parse(body || "{}");
        state.slowCreations.push({ match: String(match), ms: Number(ms) });
        return sendJson(response, 200, { ok: true });
      }
      if (path === "/__invoice_payments" && request.method === "POST") {
        const { invoice, payment_intent: paymentIntent } = JSON.parse(body || "{}");
        state.invoicePayments.push({ id: makeId("inpay_"), object: "invoice_payment", invoice, payment: { type: "payment_intent", payment_intent: paymentIntent }, status: "paid" });
        return sendJson(response, 200, { ok: true });
      }
      const control = /^\/__sessions\/([A-Za-z0-9_]+)(\/pay)?$/.exec(path);
      if (control) {
        const session = state.sessions.get(control[1]);
        if (!session) return stripeError(response, 404, "No such checkout.session", { code: "resource_missing" });
        if (control[2] && request.method === "POST") {
          const options = body ? JSON.parse(body) : {};
          return sendJson(response, 200, paySession(session, options.payment_status ?? "paid"));
        }
        return sendJson(response, 200, session);
      }

      // The fake hosted pages.
      const checkoutPage = /^\/c\/pay\/([A-Za-z0-9_]+)$/.exec(path);
      if (checkoutPage) {
        const session = state.sessions.get(checkoutPage[1]);
        if (!session) {
          response.writeHead(404, { "Content-Type": "text/html; charset=utf-8" });
          return response.end("<!doctype html><title>Not found</title><h1>No such checkout</h1>");
        }
        if (request.method === "POST") {
          paySession(session);
          response.writeHead(303, { Location: session.success_url.replace("{CHECKOUT_SESSION_ID}", session.id) });
          return response.end();
        }
        response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
        return response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stand-in Checkout</title></head><body><main>
<h1>Stand-in Checkout</h1>
<p>Pay <span id="amount">${escapeHtml(session.amount_total)}</span> <span id="currency">${escapeHtml(session.currency)}</span>
(<span id="mode">${escapeHtml(session.mode)}</span>) for session <code id="session-id">${escapeHtml(session.id)}</code>.</p>
<form method="post"><button type="submit">Pay</button></form>
<p><a href="${escapeHtml(session.cancel_url)}">Cancel</a></p></main></body></html>`);
      }
      const portalPage = /^\/p\/session\/([A-Za-z0-9_]+)$/.exec(path);
      if (portalPage) {
        const portal = state.portalSessions.get(portalPage[1]);
        response.writeHead(portal ? 200 : 404, { "Content-Type": "text/html; charset=utf-8" });
        return response.end(portal
          ? `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stand-in Portal</title></head><body><main><h1>Stand-in Customer Portal</h1><p>Customer <code>${escapeHtml(portal.customer)}</code></p><p><a href="${escapeHtml(portal.return_url)}">Return</a></p></main></body></html>`
          : "<!doctype html><title>Not found</title><h1>No such portal session</h1>");
      }

      // The API.
      if (!path.startsWith("/v1/")) return stripeError(response, 404, `Unrecognized request URL (${request.method}: ${path})`);
      const form = Object.fromEntries(new URLSearchParams(body));
      const headers = Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key.toLowerCase(), Array.isArray(value) ? value.join(", ") : value]));
      const record = { method: request.method, path, query: url.search, headers, body, form, at: Date.now(), status: null };
      state.requests.push(record);
      response.on("finish", () => {
        record.status = response.statusCode;
      });
      const authorization = headers["authorization"] ?? "";
      if (!/^Bearer sk_(test|live)_/.test(authorization)) return stripeError(response, 401, "Invalid API Key provided");

      const key = headers["idempotency-key"];
      const keyId = request.method === "POST" && key ? `${path} ${key}` : null;
      if (keyId !== null) {
        const previous = state.idempotency.get(keyId);
        if (previous) {
          if (previous.body !== body) return stripeError(response, 400, "Keys for idempotent requests can only be used with the same parameters they were first used with.", { type: "idempotency_error" });
          response.setHeader("Idempotent-Replayed", "true");
          return sendJson(response, previous.status, previous.result);
        }
        // Stripe refuses a key whose first request is still running. No Stripe-Should-Retry header: the SDK's own
        // rules decide (stripe-node retries a 409 while it has retries left).
        if (state.inFlight.has(keyId)) {
          return stripeError(response, 409, `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`, { code: "idempotency_key_in_use" });
        }
        state.inFlight.add(keyId);
      }
      try {
        return await answerApi(request, response, url, form, body, keyId);
      } finally {
        if (keyId !== null) state.inFlight.delete(keyId);
      }
    } catch (error) {
      return stripeError(response, 500, `stand-in failure: ${error instanceof Error ? error.message : String(error)}`, { type: "api_error" });
    }
  });

  /** Answers one authenticated API request; its idempotency key (if any) is held in flight meanwhile. */
  async function answerApi(request, response, url, form, body, keyId) {
    const path = url.pathname;
    let status = 200;
    let result;
    if (path === "/v1/checkout/sessions" && request.method === "POST") {
      if (!form["mode"] || !form["success_url"] || !form["line_items[0][price_data][unit_amount]"]) {
        return stripeError(response, 400, "Missing required param: mode, success_url or line_items.");
      }
      // Stripe refuses addresses it cannot deliver to, quoting the address in its message (ASCII-only here).
      if (form["customer_email"] !== undefined && !/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(form["customer_email"])) {
        return stripeError(response, 400, `Invalid email address: ${form["customer_email"]}`, { code: "email_invalid", param: "customer_email" });
      }
      const slow = state.slowCreations.find((rule) => body.includes(rule.match));
      if (slow) await new Promise((done) => setTimeout(done, slow.ms));
      result = createSession(form);
    } else if (/^\/v1\/checkout\/sessions\/[^/]+$/.test(path) && request.method === "GET") {
      const session = state.sessions.get(path.split("/").pop());
      if (!session) return stripeError(response, 404, `No such checkout.session: '${path.split("/").pop()}'`, { code: "resource_missing", param: "session" });
      result = session;
    } else if (path === "/v1/billing_portal/sessions" && request.method === "POST") {
      if (!form["customer"]) return stripeError(response, 400, "Missing required param: customer.");
      const id = makeId("bps_");
      result = { id, object: "billing_portal.session", customer: form["customer"], return_url: form["return_url"] ?? null, url: `${base}/p/session/${id}`, livemode: false };
      state.portalSessions.set(id, result);
    } else if (/^\/v1\/customers\/[^/]+$/.test(path) && request.method === "DELETE") {
      const id = decodeURIComponent(path.split("/").pop());
      if (state.deletedCustomers.has(id)) return stripeError(response, 404, `No such customer: '${id}'`, { code: "resource_missing", param: "id" });
      state.deletedCustomers.add(id);
      result = { id, object: "customer", deleted: true };
    } else if (path === "/v1/invoice_payments" && request.method === "GET") {
      const paymentIntent = url.searchParams.get("payment[payment_intent]");
      const data = state.invoicePayments.filter((payment) => payment.payment.payment_intent === paymentIntent);
      result = { object: "list", url: "/v1/invoice_payments", has_more: false, data };
    } else {
      return stripeError(response, 404, `Unrecognized request URL (${request.method}: ${path})`);
    }
    if (keyId !== null) state.idempotency.set(keyId, { body, status, result });
    return sendJson(response, status, result);
  }

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      // Port 0 asks the system for a free port: the base URL (hosted pages, session urls) follows it.
      base = `http://127.0.0.1:${server.address().port}`;
      resolve({ url: base, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const port = Number(process.argv[2] ?? 12111);
  const { url } = await startStripeStandIn(port);
  console.log(`Stripe stand-in listening on ${url}`);
}
