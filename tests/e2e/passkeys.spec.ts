// Passkeys in a real Chromium with its virtual authenticator (CDP WebAuthn: resident keys, user verification) against
// the built site: a member adds a passkey at /account/security, signs in with it by autofill and by the button at
// /login, renames and removes it, and the removed one no longer works. Over HTTP, with the software authenticator of
// tests/support/test-authenticator.ts, an answer works once and a replay or another origin's answer is refused. The
// passkey forms stay hidden without JavaScript while password and code sign-in still work. The other bent answers
// (RP ID, challenge, signature, another member's credential) are refused in tests/worker/passkeys.test.ts.
import { virtualAuthenticator } from "./authenticator";
import { test, expect, uniqueEmail, uniqueIp, submitSignIn } from "./fixtures";
import { postForm, sessionCookieSet } from "./http";
import { verifiedMember } from "./members";
import { SITE_URL } from "@tests/support/test-env";
import { TestCredential } from "@tests/support/test-authenticator";


test("a member adds a passkey, signs out, signs in with it, and removes it; a removed one no longer works", async ({ page, request }) => {
  const member = await verifiedMember(request, uniqueEmail("passkey"));
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  await page.goto("/login?next=/account/security");
  await submitSignIn(page, member.email, member.password);
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByText("You have no passkeys yet.")).toBeVisible();

  await page.getByLabel("Name").fill("Test laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("status").first()).toContainText("Your passkey is added");
  await expect(page.getByRole("heading", { name: "Test laptop" })).toBeVisible();
  await expect(page.getByText(/Added .* · not used yet/)).toBeVisible();
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]!.isResidentCredential).toBe(true);

  await page.goto("/account");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/signed-out\/$/);

  // Autofill (conditional mediation): the virtual authenticator answers as soon as /login asks, with no click.
  await page.goto("/login?next=/account/security");
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByText(/Added .* · last used/)).toBeVisible();
  await page.goto("/account");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/signed-out\/$/);

  // The button, in a browser without autofill for passkeys.
  await page.addInitScript(() => { PublicKeyCredential.isConditionalMediationAvailable = async () => false; });
  await page.goto("/login?next=/account/security");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account\/security$/);

  await page.getByText("Rename or remove").click();
  await page.getByLabel("New name for Test laptop").fill("Old laptop");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("heading", { name: "Old laptop" })).toBeVisible();
  await page.getByText("Rename or remove").click();
  // A sign-in under 5 minutes ago: no password asked.
  await expect(page.getByLabel(/Password to remove/)).toHaveCount(0);
  await page.getByRole("button", { name: "Remove Old laptop" }).click();
  await expect(page.getByRole("status").first()).toContainText("The passkey is removed");
  await expect(page.getByText("You have no passkeys yet.")).toBeVisible();

  // The removed passkey, still in the authenticator, no longer signs anyone in.
  await page.context().clearCookies();
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.locator(".error-summary")).toContainText("That passkey did not work.");
});

test("over HTTP, a passkey answer signs in once: the same answer replayed, and one from another origin, are refused", async ({ request }) => {
  const member = await verifiedMember(request, uniqueEmail("passkey-http"));
  const ip = uniqueIp();
  const site = { rpId: new URL(SITE_URL).hostname, origin: new URL(SITE_URL).origin };
  const options = await (await postForm(request, "/api/passkeys/challenge?purpose=register", { ip, token: member.token }, {})).json();
  const credential = await TestCredential.create("ES256", new TextDecoder().decode(Uint8Array.from(atob(options.user.id.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))));
  const added = await postForm(request, "/account/security", { ip, token: member.token }, { action: "add", passkeyName: "Script", ...(await credential.register(options.challenge, site)) });
  expect(added.status()).toBe(303);
  const challenge = async () => (await (await postForm(request, "/api/passkeys/challenge?purpose=sign-in", { ip }, {})).json()).challenge as string;
  const answer = { action: "passkey", next: "/account", ...(await credential.assert(await challenge(), site)) };
  const first = await postForm(request, "/login", { ip: uniqueIp() }, answer);
  expect(first.status()).toBe(303);
  expect(sessionCookieSet(first)).not.toBeNull();
  for (const refused of [answer, { action: "passkey", ...(await credential.assert(await challenge(), site, { origin: "https://evil.example" })) }]) {
    const reply = await postForm(request, "/login", { ip: uniqueIp() }, refused);
    expect(reply.status()).toBe(400);
    expect(await reply.text()).toContain("That passkey did not work.");
    expect(sessionCookieSet(reply)).toBeNull();
  }
});

test("without JavaScript the passkey forms stay hidden, and password and code sign-in still work", async ({ browser, request }) => {
  const member = await verifiedMember(request, uniqueEmail("passkey-nojs"));
  const context = await browser.newContext({ javaScriptEnabled: false, extraHTTPHeaders: { "CF-Connecting-IP": uniqueIp() } });
  const page = await context.newPage();
  await page.goto("/login?next=/account/security");
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeHidden();
  await expect(page.getByRole("link", { name: "Email me a sign-in code" })).toBeVisible();
  await submitSignIn(page, member.email, member.password);
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByRole("button", { name: "Add a passkey" })).toBeHidden();
  await expect(page.getByText("Adding a passkey needs JavaScript")).toBeVisible();
  await context.close();
});

test("the challenge endpoint gives a registration challenge only to a signed-in member and refuses other purposes", async ({ request }) => {
  const ip = uniqueIp();
  expect((await postForm(request, "/api/passkeys/challenge?purpose=register", { ip }, {})).status()).toBe(401);
  expect((await postForm(request, "/api/passkeys/challenge?purpose=other", { ip }, {})).status()).toBe(400);
  const signIn = await postForm(request, "/api/passkeys/challenge?purpose=sign-in", { ip }, {});
  expect(signIn.status()).toBe(200);
  expect(await signIn.json()).toEqual({ challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), rpId: "localhost", timeout: 300_000 });
  const member = await verifiedMember(request, uniqueEmail("passkey-options"));
  const register = await postForm(request, "/api/passkeys/challenge?purpose=register", { ip, token: member.token }, {});
  expect(await register.json()).toMatchObject({ rp: { id: "localhost", name: "Smallism" }, user: { name: member.email }, algorithms: [-7, -257], exclude: [] });
  // Cross-site, it is refused before anything is stored.
  expect((await postForm(request, "/api/passkeys/challenge?purpose=sign-in", { ip, origin: "https://evil.example" }, {})).status()).toBe(403);
});
