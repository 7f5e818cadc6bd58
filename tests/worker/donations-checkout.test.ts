// The donate form's server path (functions/donations/checkout.ts) with the real stripe SDK against the local
// stand-in: what is refused never reaches Stripe; what is accepted creates the right Checkout Session, once.
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_SETTINGS, readDonationSettings } from "@functions/donations/config";
import { donationIdempotencyKey, generateFormNonce } from "@functions/donations/donation-form";
import { retrieveCheckoutSession, submitDonation } from "@functions/donations/checkout";
import { stripeFromEnv } from "@functions/donations/stripe-client";
import { CONTACT_EMAIL } from "@functions/contact";
import type { RecordedRequest } from "@tests/support/stripe-stand-in-client";
import { STAND_IN, slowCreationsAtStandIn, standInRequests, testStripe, unique } from "./donations-support";

const SITE = "https://smallism.test";

/** A form body as the browser sends it; `marker` goes in the note so this test can find its own requests. */
function form(fields: Record<string, string>, marker: string): URLSearchParams {
  return new URLSearchParams({ amount: "10", custom_amount: "", frequency: "once", note: `marker ${marker}`, nonce: generateFormNonce(), ...fields });
}

/** The Checkout Session creations the stand-in received for this marker. */
async function creationsFor(marker: string): Promise<RecordedRequest[]> {
  return (await standInRequests()).filter((request) => request.path === "/v1/checkout/sessions" && request.method === "POST" && request.body.includes(marker));
}

describe("refused amounts never reach Stripe", () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ["negative", { amount: "other", custom_amount: "-5" }, /negative/],
    ["negative preset (tampered radio)", { amount: "-10" }, /negative/],
    ["zero", { amount: "other", custom_amount: "0" }, /more than zero/],
    ["zero with decimals", { amount: "other", custom_amount: "0.00" }, /more than zero/],
    ["below the minimum", { amount: "other", custom_amount: "0.99" }, /smallest donation .*£1/],
    ["above the maximum", { amount: "other", custom_amount: "10000.01" }, /largest donation .*£10,000/],
    ["tampered preset above the maximum", { amount: "99999999" }, /largest donation/],
    ["non-numeric", { amount: "other", custom_amount: "ten pounds" }, /in numbers/],
    ["fractional pennies", { amount: "other", custom_amount: "12.345" }, /two decimal places/],
    ["exponent", { amount: "other", custom_amount: "1e3" }, /in numbers/],
    ["hex", { amount: "other", custom_amount: "0x10" }, /in numbers/],
    ["two decimal points", { amount: "other", custom_amount: "12.5.0" }, /in numbers/],
    ["comma as decimal separator", { amount: "other", custom_amount: "12,34" }, /in numbers/],
    ["Infinity", { amount: "other", custom_amount: "Infinity" }, /in numbers/],
    ["non-ASCII digits", { amount: "other", custom_amount: "١٢" }, /in numbers/],
    ["absurdly long digits", { amount: "other", custom_amount: "9".repeat(5000) }, /in numbers/],
    ["absurdly long preset", { amount: "1".repeat(100_000) }, /in numbers/],
    ["empty other", { amount: "other", custom_amount: "   " }, /Choose an amount/],
    ["no amount at all", { amount: "" }, /Choose an amount/],
  ];
  for (const [name, fields, message] of cases) {
    it(`${name} → 400 with the message next to the amount`, async () => {
      const marker = unique();
      const result = await submitDonation(testStripe(), form(fields, marker), DEFAULT_SETTINGS, null, SITE);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.status).toBe(400);
      expect(result.errors.amount).toMatch(message);
      expect(result.values.customAmount.length).toBeLessThanOrEqual(40);
      expect(await creationsFor(marker)).toHaveLength(0);
    });
  }

  it.each([
    ["an unknown frequency", { frequency: "yearly" }, "frequency"],
    ["a note over 500 characters", { note: "x".repeat(501) }, "note"],
    ["a note with control characters", { note: "hi\u0007there" }, "note"],
    ["a missing nonce", { nonce: "" }, "form"],
    ["a forged nonce", { nonce: "not-a-nonce" }, "form"],
  ] as const)("%s → 400, nothing sent", async (_name, fields, errorKey) => {
    const marker = unique();
    const body = form(fields, marker);
    if (errorKey === "note") body.set("note", `${fields.note} ${marker}`);
    const result = await submitDonation(testStripe(), body, DEFAULT_SETTINGS, null, SITE);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(400);
    expect(result.errors[errorKey]).toBeTruthy();
    expect(await creationsFor(marker)).toHaveLength(0);
  });

  it("above the maximum, the message names the address to write to for a larger gift", async () => {
    const result = await submitDonation(testStripe(), form({ amount: "other", custom_amount: "20000" }, unique()), DEFAULT_SETTINGS, null, SITE);
    expect(!result.ok && result.errors.amount).toContain(`write to us at ${CONTACT_EMAIL}`);
  });

  it("keeps the donor's input for the re-rendered form", async () => {
    const result = await submitDonation(testStripe(), form({ amount: "other", custom_amount: "12.345", frequency: "monthly" }, "kept"), DEFAULT_SETTINGS, null, SITE);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.values).toMatchObject({ amount: "other", customAmount: "12.345", frequency: "monthly", note: "marker kept" });
  });
});

describe("accepted amounts create the right Checkout Session", () => {
  it.each([
    ["12", 1200], ["12.50", 1250], ["12.5", 1250], [" 7 ", 700], ["£1,000", 100_000], ["1", 100], ["10000", 1_000_000], ["10000.00", 1_000_000],
  ])("custom %j → %i pence", async (typed, pence) => {
    const marker = unique();
    const result = await submitDonation(testStripe(), form({ amount: "25", custom_amount: typed }, marker), DEFAULT_SETTINGS, null, SITE);
    expect(result.ok).toBe(true);
    const [request] = await creationsFor(marker);
    expect(request?.form["line_items[0][price_data][unit_amount]"]).toBe(String(pence));
  });

  it("a guest's one-off donation: payment mode, amount, currency, metadata, idempotency key, 303 target", async () => {
    const marker = unique();
    const body = form({ amount: "25" }, marker);
    const result = await submitDonation(testStripe(), body, DEFAULT_SETTINGS, null, SITE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.url).toMatch(new RegExp(`^${STAND_IN}/c/pay/cs_test_`));
    const requests = await creationsFor(marker);
    expect(requests).toHaveLength(1);
    const { form: sent, headers } = requests[0]!;
    expect(sent).toMatchObject({
      mode: "payment",
      submit_type: "donate",
      "line_items[0][quantity]": "1",
      "line_items[0][price_data][currency]": "gbp",
      "line_items[0][price_data][unit_amount]": "2500",
      "metadata[kind]": "donation",
      "metadata[frequency]": "once",
      "metadata[user_id]": "",
      "metadata[note]": `marker ${marker}`,
      "payment_intent_data[metadata][kind]": "donation",
      success_url: `${SITE}/donate/thanks?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${SITE}/donate?cancelled=1`,
    });
    expect(sent["client_reference_id"]).toBeUndefined();
    expect(sent["customer_email"]).toBeUndefined();
    expect(sent["line_items[0][price_data][recurring][interval]"]).toBeUndefined();
    expect(headers["idempotency-key"]).toBe(result.idempotencyKey);
    expect(headers["idempotency-key"]).toBe(
      donationIdempotencyKey({ amountMinor: 2500, currency: "gbp", frequency: "once", note: `marker ${marker}`, nonce: body.get("nonce")! }, null),
    );
  });

  it("a member's monthly donation: subscription mode, monthly price, member linked everywhere", async () => {
    const marker = unique();
    const member = { id: `user_${marker}`, email: `${marker}@example.org` };
    const result = await submitDonation(testStripe(), form({ amount: "other", custom_amount: "8.50", frequency: "monthly" }, marker), DEFAULT_SETTINGS, member, SITE);
    expect(result.ok).toBe(true);
    const [request] = await creationsFor(marker);
    expect(request?.form).toMatchObject({
      mode: "subscription",
      client_reference_id: member.id,
      customer_email: member.email,
      "line_items[0][price_data][unit_amount]": "850",
      "line_items[0][price_data][recurring][interval]": "month",
      "metadata[user_id]": member.id,
      "metadata[frequency]": "monthly",
      "subscription_data[metadata][user_id]": member.id,
      "subscription_data[metadata][note]": `marker ${marker}`,
      "subscription_data[metadata][kind]": "donation",
    });
    expect(request?.form["submit_type"]).toBeUndefined();
  });

  it("the same submission twice (double click) → the same idempotency key and one session", async () => {
    const marker = unique();
    const body = form({ amount: "50" }, marker);
    const first = await submitDonation(testStripe(), body, DEFAULT_SETTINGS, null, SITE);
    const second = await submitDonation(testStripe(), new URLSearchParams(body), DEFAULT_SETTINGS, null, SITE);
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    const requests = await creationsFor(marker);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.headers["idempotency-key"]).toBe(requests[1]!.headers["idempotency-key"]);
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.url).toBe(first.url);
  });

  it("a double click while the first creation is still running (Stripe's 409 idempotency_key_in_use) → both get the one session", async () => {
    const marker = unique();
    await slowCreationsAtStandIn(marker, 800);
    const body = form({ amount: "50" }, marker);
    const [first, second] = await Promise.all([
      submitDonation(testStripe(), body, DEFAULT_SETTINGS, null, SITE),
      submitDonation(testStripe(), new URLSearchParams(body), DEFAULT_SETTINGS, null, SITE),
    ]);
    expect(first.ok ? "ok" : first.errors.form).toBe("ok");
    expect(second.ok ? "ok" : second.errors.form).toBe("ok");
    if (!first.ok || !second.ok) return;
    expect(second.url).toBe(first.url);
    const statuses = (await creationsFor(marker)).map((request) => request.status);
    // The stand-in really answered 409 (so the retry was exercised), and one creation happened.
    expect(statuses).toContain(409);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(2);
    expect(new Set((await standInRequests()).filter((r) => r.body.includes(marker)).map((r) => r.headers["idempotency-key"])).size).toBe(1);
  });

  it("a changed submission from the same render (same nonce) → a different key and session", async () => {
    const marker = unique();
    const body = form({ amount: "50" }, marker);
    const first = await submitDonation(testStripe(), body, DEFAULT_SETTINGS, null, SITE);
    body.set("amount", "25");
    const second = await submitDonation(testStripe(), body, DEFAULT_SETTINGS, null, SITE);
    if (!first.ok || !second.ok) throw new Error("expected both to succeed");
    expect(second.idempotencyKey).not.toBe(first.idempotencyKey);
    expect(second.sessionId).not.toBe(first.sessionId);
  });

  it("the configured bounds and currency apply (DONATION_MIN/MAX/CURRENCY)", async () => {
    const { settings, problems } = readDonationSettings({ DONATION_CURRENCY: "EUR", DONATION_MIN: "3", DONATION_MAX: "100" });
    expect(problems).toEqual([]);
    const low = await submitDonation(testStripe(), form({ amount: "other", custom_amount: "2.99" }, unique()), settings, null, SITE);
    expect(!low.ok && low.errors.amount).toMatch(/smallest donation is|smallest donation we can take is €3/);
    const high = await submitDonation(testStripe(), form({ amount: "other", custom_amount: "100.01" }, unique()), settings, null, SITE);
    expect(!high.ok && high.errors.amount).toMatch(/€100/);
    const marker = unique();
    expect((await submitDonation(testStripe(), form({ amount: "other", custom_amount: "100" }, marker), settings, null, SITE)).ok).toBe(true);
    expect((await creationsFor(marker))[0]?.form["line_items[0][price_data][currency]"]).toBe("eur");
  });
});

describe("when Stripe is missing or failing", () => {
  it("no secret key → no client (the page shows card donations as not set up)", () => {
    expect(stripeFromEnv({})).toBeNull();
    expect(stripeFromEnv({ STRIPE_SECRET_KEY: "  " })).toBeNull();
    expect(stripeFromEnv({ STRIPE_SECRET_KEY: "sk_test_x", STRIPE_API_BASE: STAND_IN })).not.toBeNull();
  });

  it("a Stripe error → 502 with a message, never a throw", async () => {
    const result = await submitDonation(testStripe("rk_bad_key"), form({}, unique()), DEFAULT_SETTINGS, null, SITE);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.status).toBe(502);
      expect(result.errors.form).toMatch(/nothing was charged/);
    }
  });

  it("a Stripe error is logged by type and code only: its message, which can quote the donor's email, is not", async () => {
    const email = `donor-${unique()}@exämple.org`;
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const result = await submitDonation(testStripe(), form({}, unique()), DEFAULT_SETTINGS, { id: `u${unique()}`, email }, SITE);
      expect(result.ok).toBe(false);
      const lines = errors.mock.calls.map((call) => String(call[0]));
      const failed = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line["event"] === "checkout.failed");
      expect(failed).toEqual({ level: "error", type: "donations", event: "checkout.failed", errorType: "StripeInvalidRequestError", errorCode: "email_invalid", status: 400 });
      expect(lines.join("\n")).not.toContain(email);
      expect(lines.join("\n")).not.toContain("Invalid email address");
    } finally {
      errors.mockRestore();
    }
  });

  it("the thank-you page's lookup: unknown or malformed ids → null, a real one → the session", async () => {
    const stripe = testStripe();
    expect(await retrieveCheckoutSession(stripe, "cs_test_doesnotexist123")).toBeNull();
    expect(await retrieveCheckoutSession(stripe, "../../v1/customers")).toBeNull();
    expect(await retrieveCheckoutSession(stripe, "")).toBeNull();
    const created = await submitDonation(stripe, form({}, unique()), DEFAULT_SETTINGS, null, SITE);
    if (!created.ok) throw new Error("expected a session");
    expect((await retrieveCheckoutSession(stripe, created.sessionId))?.amount_total).toBe(1000);
  });
});
