// Members without a password, in a real Chromium with its virtual authenticator against the built site: joining with
// "no password", signing in by code, adding a passkey, adding and then removing a password (with the confirm step
// saying what remains), signing in by passkey, removing the last passkey (confirm step: codes by email remain), and a
// sign-in older than 5 minutes sending the member to sign in again and back to the page. Also the passkey autofill
// starting again after the passkey button was used and cancelled, and a staff member's passkey passing the console's
// second factor at /admin.
import { execFileSync } from "node:child_process";
import type { APIRequestContext, Page } from "@playwright/test";
import { virtualAuthenticator } from "./authenticator";
import { test, expect, uniqueEmail, submitCode, submitSignIn } from "./fixtures";
import { expectNoAxeViolations } from "./axe";
import { latestCode, waitForMail } from "./mailbox";
import { verifiedMember } from "./members";
import { staffMember } from "./staff";
import { STATE_DIR } from "@tests/support/test-env";

/** The security page itself (not a sign-in page whose `next` names it). */
const AT_SECURITY = /^[^?]*\/account\/security$/;


/** The `n`th sign-in code mailed to `email` (1 = the first), waiting for it to arrive. */
async function signInCode(request: APIRequestContext, email: string, n: number): Promise<string> {
  const mails = await waitForMail(request, email, /sign-in code is/, n);
  expect(mails.length, `sign-in code mail number ${n}`).toBeGreaterThanOrEqual(n);
  return /sign-in code is ([A-Z0-9]{8})/.exec(mails[0]!)![1]!;
}

/** Signs in at /login/code (already open) with the `n`th code mailed to `email`. */
async function signInByCode(page: Page, email: string, n: number): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Email me a code" }).click();
  await page.getByLabel("Code").fill(await signInCode(page.request, email, n));
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.goto("/account");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/signed-out\/$/);
}

/** Makes every session of `email` older than the 5 minutes a recent sign-in lasts (the suite's local D1). */
function ageSessions(email: string): void {
  const sql = `UPDATE sessions SET created_at = created_at - 600 WHERE user_id = (SELECT id FROM users WHERE email = '${email.replace(/'/g, "''")}')`;
  execFileSync("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", STATE_DIR, "--command", sql], { stdio: "pipe" });
}

test("a member joins without a password, signs in by code and passkey, removes the password and the last passkey only after a warning", async ({ page }) => {
  test.setTimeout(120_000);
  const email = uniqueEmail("nopw");
  await virtualAuthenticator(page);
  // No autofill here: each passkey sign-in below is the button's, so the test controls when one happens.
  await page.addInitScript(() => { PublicKeyCredential.isConditionalMediationAvailable = async () => false; });

  await page.goto("/join?next=/account/security");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("No password — I'll use codes or a passkey").check();
  await expectNoAxeViolations(page);
  await page.getByLabel(/^I agree/).check();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/verify/);
  await expect(page.locator("#no-password")).toContainText("You joined without a password. Next time, choose “Email me a sign-in code”");
  await expectNoAxeViolations(page);
  await submitCode(page, await latestCode(page.request, email));
  await expect(page).toHaveURL(AT_SECURITY);
  await expect(page.getByText("You have no password: you sign in with a passkey or a code we email to you.")).toBeVisible();
  await expectNoAxeViolations(page);
  await page.goto("/account");
  await expect(page.locator("#password")).toContainText("You have no password");
  await expect(page.getByLabel("Current password")).toHaveCount(0);
  await signOut(page);

  // A password typed on /login for this account gets the answer any wrong password gets.
  await page.goto("/login");
  await submitSignIn(page, email, "any password at all");
  await expect(page.locator(".error-summary")).toContainText("That email and password do not match an account.");

  await page.goto("/login/code?next=/account/security");
  await signInByCode(page, email, 1);
  await expect(page).toHaveURL(AT_SECURITY);
  await page.getByLabel("Name").fill("Test phone");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("status").first()).toContainText("Your passkey is added");

  // A password added, then removed again: the confirm step names what remains, and nothing happens without it.
  await page.getByLabel("New password").fill("copper meadow seventeen");
  await page.getByRole("button", { name: "Add a password" }).click();
  await expect(page.getByRole("status").first()).toContainText("Your password is set");
  await expect(page.locator("#password")).toContainText("After this, you can sign in only with your passkey “Test phone” or a code we email to " + email + ".");
  await page.getByRole("button", { name: "Remove my password" }).click();
  await expect(page.locator(".error-summary")).toContainText("Tick the box to confirm that you have read what will remain.");
  await expect(page.getByText("You have a password.")).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel("I understand what will remain").check();
  await page.getByRole("button", { name: "Remove my password" }).click();
  await expect(page.getByRole("status").first()).toContainText("Your password is removed");
  await signOut(page);

  await page.goto("/login?next=/account/security");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(AT_SECURITY);
  await page.getByText("Rename or remove").click();
  await expect(page.locator("#passkeys")).toContainText(`After this, you can sign in only with a code we email to ${email}.`);
  await page.getByRole("button", { name: "Remove Test phone" }).click();
  await expect(page.locator(".error-summary")).toContainText("Tick the box");
  await expect(page.getByRole("heading", { name: "Test phone" })).toBeVisible();
  await page.getByText("Rename or remove").click();
  await page.getByLabel("I understand what will remain").check();
  await page.getByRole("button", { name: "Remove Test phone" }).click();
  await expect(page.getByRole("status").first()).toContainText("The passkey is removed");
  await expect(page.getByText("You have no passkeys yet.")).toBeVisible();
  await signOut(page);

  // Codes by email remain.
  await page.goto("/login/code?next=/account");
  await signInByCode(page, email, 2);
  await expect(page).toHaveURL(/^[^?]*\/account$/);
});

test("without a password and with a sign-in older than 5 minutes, a sensitive change sends the member to sign in again and back", async ({ page }) => {
  const email = uniqueEmail("nopw-stale");
  await page.goto("/join?next=/account");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("No password — I'll use codes or a passkey").check();
  await page.getByLabel(/^I agree/).check();
  await page.getByRole("button", { name: "Create account" }).click();
  await submitCode(page, await latestCode(page.request, email));
  await expect(page).toHaveURL(/^[^?]*\/account$/);
  // Just signed in: signing out the other devices needs nothing more.
  await expect(page.locator("#devices").getByRole("button", { name: "Sign out of all other devices" })).toBeVisible();

  ageSessions(email);
  await page.goto("/account");
  const devices = page.locator("#devices");
  await expect(devices).toContainText("For your safety, this needs a sign-in from the last 5 minutes");
  await expect(devices.getByRole("button", { name: "Sign out of all other devices" })).toHaveCount(0);
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.locator(".error-summary")).toContainText("Sign in again with a code or a passkey");

  await page.locator("#devices").getByRole("link", { name: "with a code by email" }).click();
  await expect(page).toHaveURL(/\/login\/code\?again=1&next=%2Faccount%23devices$/);
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await page.getByRole("button", { name: "Email me a code" }).click();
  await page.getByLabel("Code").fill(await signInCode(page.request, email, 1));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/^[^?]*\/account#devices$/);
  await page.locator("#devices").getByRole("button", { name: "Sign out of all other devices" }).click();
  await expect(page.getByRole("status").first()).toContainText("Every other device is signed out.");
});

test("after the passkey button was used and cancelled, the autofill offers passkeys again and signs in", async ({ page, request }) => {
  const member = await verifiedMember(request, uniqueEmail("autofill-again"));
  await virtualAuthenticator(page);
  await page.goto("/login?next=/account/security");
  await submitSignIn(page, member.email, member.password);
  await page.getByLabel("Name").fill("Laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("status").first()).toContainText("Your passkey is added");
  await signOut(page);

  // The first autofill request waits (as a browser's does until a passkey is picked), the button's prompt is
  // cancelled by the person, and every later request goes to the real (virtual) authenticator.
  await page.addInitScript(() => {
    const real = navigator.credentials.get.bind(navigator.credentials);
    const calls: string[] = ((window as unknown as { passkeyCalls: string[] }).passkeyCalls = []);
    navigator.credentials.get = (options?: CredentialRequestOptions) => {
      const n = calls.push(options?.mediation ?? "modal");
      if (n === 1) return new Promise((_, reject) => options!.signal!.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))));
      if (n === 2) return Promise.reject(new DOMException("The operation either timed out or was not allowed.", "NotAllowedError"));
      return real(options);
    };
  });
  await page.goto("/login?next=/account/security");
  await expect.poll(() => page.evaluate(() => (window as unknown as { passkeyCalls: string[] }).passkeyCalls)).toEqual(["conditional"]);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(AT_SECURITY);
  await expect(page.getByText(/Added .* · last used/)).toBeVisible();
});

test("a staff member's passkey sign-in at /admin passes the console's second factor", async ({ page, request }) => {
  const editor = await staffMember(request, "editor");
  await virtualAuthenticator(page);
  await page.addInitScript(() => { PublicKeyCredential.isConditionalMediationAvailable = async () => false; });
  await page.goto("/login?next=/account/security");
  await submitSignIn(page, editor.email, editor.password);
  await expect(page).toHaveURL(AT_SECURITY);
  await page.getByLabel("Name").fill("Staff key");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("status").first()).toContainText("Your passkey is added");
  // This password session has not passed the second factor: the console asks for a code.
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/admin\/second-factor\?next=%2Fadmin$/);
  await signOut(page);

  await page.goto("/login?next=/admin");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/^[^?]*\/admin$/);
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
});
