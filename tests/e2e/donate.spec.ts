// Donations in a real browser and over HTTP, against the built site and the local Stripe stand-in
// (tests/support/stripe-stand-in.mjs): the donate form to hosted checkout and back to the thank-you page,
// tampered posts, a member's donations on /account and the Customer Portal, the Bitcoin QR code, the Brave
// Rewards file, and the signed webhook endpoint. axe checks /donate and /donate/thanks.
import Stripe from "stripe";
import jsQR from "jsqr";
import { test, expect, joinThroughForm, uniqueEmail, uniqueIp } from "./fixtures";
import { expectNoAxeViolations } from "./axe";
import { SITE_URL, TEST_ENV } from "@tests/support/test-env";
import { recordedRequests, type RecordedRequest } from "@tests/support/stripe-stand-in-client";
import { STAND_IN, donate } from "./donations";
import type { Page } from "@playwright/test";

/** Checkout Session look-ups the stand-in has received (all tests). */
async function retrievalsAtStandIn(): Promise<RecordedRequest[]> {
  return (await recordedRequests(STAND_IN)).filter((r) => r.method === "GET" && r.path.startsWith("/v1/checkout/sessions/"));
}

async function checkoutCreations(): Promise<RecordedRequest[]> {
  return (await recordedRequests(STAND_IN)).filter((r) => r.method === "POST" && r.path === "/v1/checkout/sessions");
}

/** A nonce from a fresh render of the form (what a tampering client would reuse). */
async function formNonce(page: Page): Promise<string> {
  await page.goto("/donate");
  return (await page.locator('input[name="nonce"]').getAttribute("value"))!;
}

test("donate form → Stripe checkout (right amount) → thank-you page with the amount; axe on both pages", async ({ page }) => {
  await page.goto("/donate");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Donate to Smallism");
  await expect(page.getByRole("heading", { name: "Where the money goes" })).toBeVisible();
  await expectNoAxeViolations(page);

  const before = (await checkoutCreations()).length;
  const sessionId = await donate(page, { amount: "12.50", note: "From the browser test" });
  const creations = await checkoutCreations();
  expect(creations).toHaveLength(before + 1);
  const sent = creations.at(-1)!;
  expect(sent.form).toMatchObject({
    mode: "payment", "line_items[0][price_data][unit_amount]": "1250", "line_items[0][price_data][currency]": "gbp",
    "metadata[note]": "From the browser test", success_url: `${SITE_URL}/donate/thanks?session_id={CHECKOUT_SESSION_ID}`,
  });
  expect(sent.headers["idempotency-key"]).toMatch(/^donate-[0-9a-f]{64}$/);
  await expect(page.locator("#amount")).toHaveText("1250");

  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page).toHaveURL(`${SITE_URL}/donate/thanks?session_id=${sessionId}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Thank you");
  await expect(page.locator(".donation-amount")).toHaveText("£12.50");
  await expectNoAxeViolations(page);
});

test("the thank-you page after the session is marked paid at Stripe; an unknown id gets a friendly 404, junk a 400 without asking Stripe", async ({ page }) => {
  const sessionId = await donate(page, { amount: "30", monthly: true });
  await fetch(`${STAND_IN}/__sessions/${sessionId}/pay`, { method: "POST" });
  const response = await page.goto(`/donate/thanks?session_id=${sessionId}`);
  expect(response?.status()).toBe(200);
  await expect(page.locator(".lede")).toContainText("Your monthly donation of £30 is set up.");

  const unknown = await page.goto("/donate/thanks?session_id=cs_test_unknownsession123");
  expect(unknown?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("We could not find that donation");
  await expectNoAxeViolations(page);

  const before = (await retrievalsAtStandIn()).length;
  const junk = ["../../etc/passwd", "", "x".repeat(5000), "cs_test_abc/../../v1/customers", `cs_live_${"a".repeat(248)}`, "{CHECKOUT_SESSION_ID}"];
  for (const id of junk) {
    const malformed = await page.goto(`/donate/thanks?session_id=${encodeURIComponent(id)}`);
    expect(malformed?.status(), id.slice(0, 20)).toBe(400);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("This is not a donation link");
  }
  await expectNoAxeViolations(page);
  expect((await retrievalsAtStandIn()).length, "no junk id reached Stripe").toBe(before);
});

test("thank-you page look-ups are throttled per IP: the 31st in 15 minutes is a 429 page, and Stripe is not asked", async ({ page, request }) => {
  const sessionId = await donate(page, { amount: "8" });
  await fetch(`${STAND_IN}/__sessions/${sessionId}/pay`, { method: "POST" });
  const forThisSession = async () => (await retrievalsAtStandIn()).filter((r) => r.path === `/v1/checkout/sessions/${sessionId}`).length;
  for (let i = 1; i <= 30; i++) expect((await request.get(`/donate/thanks?session_id=${sessionId}`)).status(), `look-up ${i}`).toBe(200);
  const refused = await page.goto(`/donate/thanks?session_id=${sessionId}`);
  expect(refused?.status()).toBe(429);
  const retryAfter = Number(refused?.headers()["retry-after"]);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Please try again in \d+ minutes?$/);
  await expectNoAxeViolations(page);
  expect(await forThisSession()).toBe(30);
  // Another network is not affected.
  expect((await request.get(`/donate/thanks?session_id=${sessionId}`, { headers: { "CF-Connecting-IP": uniqueIp() } })).status()).toBe(200);
});

test("a double-clicked submit creates one Checkout Session, even when the second click meets Stripe's 409", async ({ page }) => {
  await page.goto("/donate");
  const nonce = (await page.locator('input[name="nonce"]').getAttribute("value"))!;
  const form = { amount: "25", custom_amount: "", frequency: "once", note: `double ${nonce}`, nonce };
  // The first creation takes a while, so the second request finds its idempotency key in use (409) and must retry.
  await fetch(`${STAND_IN}/__slow_creations`, { method: "POST", body: JSON.stringify({ match: nonce, ms: 800 }) });
  const before = (await checkoutCreations()).length;
  const [first, second] = await Promise.all([0, 1].map(() => page.request.post("/donate", { form, headers: { Origin: SITE_URL }, maxRedirects: 0 })));
  expect(first!.status()).toBe(303);
  expect(second!.status()).toBe(303);
  expect(first!.headers()["location"]).toBe(second!.headers()["location"]);
  const creations = (await checkoutCreations()).slice(before).filter((r) => r.form["metadata[note]"] === `double ${nonce}`);
  expect(new Set(creations.map((r) => r.headers["idempotency-key"])).size).toBe(1);
  expect(creations.map((r) => r.status)).toContain(409);
});

test("tampered amounts posted directly → 400 with the message by the field; nothing reaches Stripe", async ({ page }) => {
  const nonce = await formNonce(page);
  const before = (await checkoutCreations()).length;
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ amount: "-5" }, /can(&#39;|')t be negative/],
    [{ amount: "other", custom_amount: "12.345" }, /two decimal places/],
    [{ amount: "99999999" }, /largest donation this form takes is £10,000/],
    [{ amount: "other", custom_amount: "0" }, /more than zero/],
    [{ amount: "other", custom_amount: "1".repeat(3000) }, /in numbers/],
  ];
  for (const [fields, message] of cases) {
    const response = await page.request.post("/donate", {
      form: { amount: "10", custom_amount: "", frequency: "once", note: "", nonce, ...fields }, headers: { Origin: SITE_URL }, maxRedirects: 0,
    });
    expect(response.status(), JSON.stringify(fields).slice(0, 60)).toBe(400);
    const html = await response.text();
    expect(html).toMatch(message);
    expect(html).toContain('id="amount-error"');
  }
  expect(await checkoutCreations()).toHaveLength(before);

  // The browser shows the same: the message next to the field, the input kept, focusable and announced.
  await page.goto("/donate");
  await page.getByLabel("Other", { exact: true }).check();
  await page.getByLabel(/^Other amount in/).fill("12.345");
  await page.getByRole("button", { name: "Continue to secure payment" }).click();
  await expect(page.locator("#amount-error")).toHaveText("Use at most two decimal places.");
  await expect(page.getByLabel(/^Other amount in/)).toHaveValue("12.345");
  await expect(page.getByLabel(/^Other amount in/)).toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(page);

  const crossSite = await page.request.post("/donate", { form: { amount: "10", frequency: "once", nonce }, headers: { Origin: "https://evil.example" }, maxRedirects: 0 });
  expect(crossSite.status()).toBe(403);
});

test("a control character in the note → the problem next to the note, every input kept; in other fields still refused", async ({ page }) => {
  const before = (await checkoutCreations()).length;
  await page.goto("/donate");
  await page.getByLabel("Other", { exact: true }).check();
  await page.getByLabel(/^Other amount in/).fill("12.50");
  await page.getByLabel("Monthly", { exact: true }).check();
  await page.getByLabel("Note (optional)").fill("For the wards\u0007 with a bell pasted in");
  await page.getByRole("button", { name: "Continue to secure payment" }).click();
  await expect(page.locator("#note-error")).toHaveText("The note contains invisible control characters. Please retype it.");
  await expect(page.getByLabel("Note (optional)")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Note (optional)")).toHaveValue("For the wards\u0007 with a bell pasted in");
  await expect(page.getByLabel(/^Other amount in/)).toHaveValue("12.50");
  await expect(page.getByLabel("Monthly", { exact: true })).toBeChecked();
  await expectNoAxeViolations(page);

  // Single-line fields have no business holding control characters: the form-wide refusal stays for them.
  const nonce = await formNonce(page);
  const response = await page.request.post("/donate", {
    form: { amount: "other", custom_amount: "12\u0007", frequency: "once", note: "", nonce }, headers: { Origin: SITE_URL }, maxRedirects: 0,
  });
  expect(response.status()).toBe(400);
  expect(await response.text()).toContain("The form contained invisible control characters.");
  expect(await checkoutCreations()).toHaveLength(before);
});

test("a member's donations appear on /account, and Manage or cancel opens the Customer Portal", async ({ page }) => {
  const email = uniqueEmail("donor");
  await joinThroughForm(page, email, "a long enough pass phrase", "/account");

  const sessionId = await donate(page, { amount: "7", monthly: true });
  const creation = (await checkoutCreations()).at(-1)!;
  expect(creation.form["customer_email"]).toBe(email);
  expect(creation.form["client_reference_id"]).toBeTruthy();
  expect(creation.form["subscription_data[metadata][user_id]"]).toBe(creation.form["client_reference_id"]);
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page).toHaveURL(`${SITE_URL}/donate/thanks?session_id=${sessionId}`);

  await page.goto("/account");
  const section = page.locator("section#donations");
  await expect(section.getByRole("heading", { name: "Your donations" })).toBeVisible();
  await expect(section.getByRole("row")).toHaveCount(2);
  await expect(section.getByRole("row").nth(1)).toContainText("£7");
  await expect(section.getByRole("row").nth(1)).toContainText("Monthly");
  await expect(section.getByRole("row").nth(1)).toContainText("Paid");
  await expect(section).toContainText("You give £7 every month");
  await expectNoAxeViolations(page);

  await section.getByRole("button", { name: "Manage or cancel" }).click();
  await expect(page).toHaveURL(new RegExp(`^${STAND_IN}/p/session/bps_`));
  await expect(page.getByRole("heading", { name: "Stand-in Customer Portal" })).toBeVisible();
  const portal = ((await (await fetch(`${STAND_IN}/__requests`)).json()) as RecordedRequest[]).filter((r) => r.path === "/v1/billing_portal/sessions").at(-1)!;
  expect(portal.form["return_url"]).toBe(`${SITE_URL}/account`);
  expect(portal.form["customer"]).toMatch(/^cus_/);
});

test("/account/billing: visitors are sent to sign in, GET goes back to the account page", async ({ page }) => {
  const post = await page.request.post("/account/billing", { form: {}, headers: { Origin: SITE_URL }, maxRedirects: 0 });
  expect(post.status()).toBe(303);
  expect(post.headers()["location"]).toBe("/login?next=/account");
});

test("the Bitcoin section: address, bitcoin: link, copy button, and a QR code that decodes to the address", async ({ page, context }) => {
  const address = TEST_ENV.BITCOIN_ADDRESS;
  await page.goto("/donate");
  const section = page.locator("section.bitcoin");
  await expect(section.locator("#bitcoin-address")).toHaveText(address);
  await expect(section.getByRole("link", { name: "Open in your wallet" })).toHaveAttribute("href", `bitcoin:${address}`);

  // Draw the inline SVG onto a canvas in the page and decode its pixels with jsqr in Node.
  const image = await page.evaluate(async () => {
    const svg = document.querySelector("svg.bitcoin-qr")!;
    const source = new XMLSerializer().serializeToString(svg);
    const img = new Image();
    img.src = `data:image/svg+xml;base64,${btoa(source)}`;
    await img.decode();
    const size = 400;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const context2d = canvas.getContext("2d")!;
    context2d.drawImage(img, 0, 0, size, size);
    return { size, data: Array.from(context2d.getImageData(0, 0, size, size).data) };
  });
  expect(jsQR(Uint8ClampedArray.from(image.data), image.size, image.size)?.data).toBe(`bitcoin:${address}`);

  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: SITE_URL });
  await section.getByRole("button", { name: "Copy address" }).click();
  await expect(section.getByRole("status")).toHaveText("Address copied.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(address);
});

test("Brave Rewards: the verification file is served as configured, and the donate page mentions it", async ({ page, request }) => {
  const response = await request.get("/.well-known/brave-rewards-verification.txt");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toMatch(/^text\/plain/);
  expect(await response.text()).toBe(TEST_ENV.BRAVE_REWARDS_VERIFICATION);
  await page.goto("/donate");
  await expect(page.getByRole("heading", { name: "Brave Rewards" })).toBeVisible();
});

test("the webhook over HTTP: unsigned or badly signed → 400; signed → 200, recorded once, visible on /account", async ({ page, request }) => {
  const email = uniqueEmail("webhook");
  await joinThroughForm(page, email, "a long enough pass phrase", "/account");
  const sessionId = await donate(page, { amount: "42" });
  const session = await (await fetch(`${STAND_IN}/__sessions/${sessionId}/pay`, { method: "POST" })).json();
  const event = { id: `evt_${crypto.randomUUID().replace(/-/g, "")}`, object: "event", type: "checkout.session.completed", created: Math.floor(Date.now() / 1000), data: { object: session } };
  const payload = JSON.stringify(event);

  const unsigned = await request.post("/api/stripe/webhook", { data: payload, headers: { "Content-Type": "application/json" } });
  expect(unsigned.status()).toBe(400);
  const forged = await Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: "whsec_not_ours" });
  expect((await request.post("/api/stripe/webhook", { data: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": forged } })).status()).toBe(400);
  await page.goto("/account");
  await expect(page.locator("section#donations")).toContainText("You have not donated while signed in yet");

  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: TEST_ENV.STRIPE_WEBHOOK_SECRET });
  const delivered = await request.post("/api/stripe/webhook", { data: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": signature } });
  expect(delivered.status()).toBe(200);
  expect(await delivered.json()).toEqual({ received: true });
  const again = await request.post("/api/stripe/webhook", { data: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": signature } });
  expect(await again.json()).toEqual({ received: true, duplicate: true });

  await page.goto("/account");
  const rows = page.locator("section#donations").getByRole("row");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText("£42");
  await expect(rows.nth(1)).toContainText("Once");
});
