// The member's whole account life in a real browser: join → code from the dev mailbox → verify → account page →
// sign out → sign in → forgot → reset link from the mailbox → new password works, old one does not → display
// name → download my data → change email → delete the account. Plus form errors that keep input (never the
// password) and axe on every account page, including one showing field errors.
import { readFileSync } from "node:fs";
import { test, expect, joinThroughForm, submitCode, submitJoinForm, submitSignIn, uniqueEmail } from "./fixtures";
import { latestCode, latestEmail } from "./mailbox";
import { expectNoAxeViolations } from "./axe";
import type { Page } from "@playwright/test";

const PASSWORD = "a long enough pass phrase";
const NEW_PASSWORD = "an entirely different phrase";

function section(page: Page, heading: string) {
  return page.locator("section", { has: page.getByRole("heading", { name: heading, exact: true }) });
}

async function signIn(page: Page, email: string, password: string, next = "/account"): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await submitSignIn(page, email, password);
}

async function signOut(page: Page): Promise<void> {
  await page.goto("/account");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/signed-out\/$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You are signed out");
}

async function expectSignInRefused(page: Page, email: string, password: string): Promise<void> {
  await signIn(page, email, password);
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("alert").getByRole("heading")).toHaveText("There is a problem");
  await expect(page.getByRole("alert").getByRole("listitem")).toHaveText(["That email and password do not match an account."]);
  // The email is kept, the password never is.
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await expect(page.getByLabel("Password")).toHaveValue("");
}

/** Signs out; then the old email and password are refused, and the new ones sign in to /account. */
async function expectOnlyNewCredentials(page: Page, [oldEmail, oldPassword]: [string, string], [newEmail, newPassword]: [string, string]): Promise<void> {
  await signOut(page);
  await expectSignInRefused(page, oldEmail, oldPassword);
  await signIn(page, newEmail, newPassword);
  await expect(page).toHaveURL(/\/account$/);
}

test("join → verify → account → sign out → sign in → forgot → reset → data → name → delete", async ({ page }) => {
  const email = uniqueEmail("journey");

  // Join and verify with the code from the dev mailbox.
  await joinThroughForm(page, email, PASSWORD, "/account");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Verify your email");
  await expect(page.locator(".lede")).toContainText(email);
  await expectNoAxeViolations(page);
  const code = await latestCode(page.request, email);
  await submitCode(page, code.toLowerCase());
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account");
  await expect(page.locator(".lede")).toContainText(`Signed in as ${email}`);
  await expect(page.getByText("not verified yet")).toHaveCount(0);
  await expectNoAxeViolations(page);

  // Sign out, then back in.
  await signOut(page);
  const afterSignOut = await page.goto("/account");
  expect(afterSignOut?.url()).toMatch(/\/login\?next=%2Faccount|\/login\?next=\/account/);
  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/account$/);

  // Forgot password: a reset link arrives, the new password works and the old one does not.
  await signOut(page);
  await page.goto("/forgot");
  await expectNoAxeViolations(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("a reset link is on its way");
  const mail = await latestEmail(page.request, email, /\/reset\?token=/);
  const link = /(https?:\/\/\S+\/reset\?token=[a-z2-7]+)/.exec(mail)?.[1];
  expect(link, mail).toBeDefined();
  const resetUrl = new URL(link!);
  await page.goto(resetUrl.pathname + resetUrl.search);
  await expectNoAxeViolations(page);
  // A weak password is refused with the reason next to the field.
  await page.getByLabel("New password").fill("password1");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.locator("#field-password-error")).toContainText("common");
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/account\?reset=1$/);
  await expect(page.getByRole("status")).toContainText("Your new password is set");
  // The link works once.
  await page.goto(resetUrl.pathname + resetUrl.search);
  await expect(page.getByText("This reset link has expired or was already used.")).toBeVisible();
  await expect(page.getByLabel("New password")).toHaveCount(0);
  await expectOnlyNewCredentials(page, [email, PASSWORD], [email, NEW_PASSWORD]);

  // Display name.
  await section(page, "Profile").getByLabel("Display name").fill("Ada of Eastfield");
  await section(page, "Profile").getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("status")).toHaveText("Your display name is saved.");
  await expect(page.locator(".lede")).toContainText("(Ada of Eastfield)");
  await expect(section(page, "Profile").getByLabel("Display name")).toHaveValue("Ada of Eastfield");

  // Download my data: a JSON file with the email and the name, and no hash.
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download my data" }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe("smallism-my-data.json");
  const text = readFileSync((await download.path())!, "utf8");
  const data = JSON.parse(text);
  expect(data.account.email).toBe(email);
  expect(data.account.displayName).toBe("Ada of Eastfield");
  expect(data.account.emailVerifiedAt).toEqual(expect.any(String));
  expect(text).not.toMatch(/\$scrypt\$|password_hash|[0-9a-f]{64}/);
  const cookie = (await page.context().cookies()).find((c) => c.name === "smallism_session");
  expect(cookie).toBeDefined();
  expect(cookie!.httpOnly).toBe(true);
  expect(text).not.toContain(cookie!.value);

  // Delete the account: a wrong password changes nothing; the right one deletes it and signs out.
  const deletion = section(page, "Delete your account");
  await deletion.getByLabel("Password to confirm").fill("not my password");
  await deletion.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.locator("#field-deletePassword-error")).toHaveText("That is not your current password.");
  await expect(page.locator(".lede")).toContainText(`Signed in as ${email}`);
  await expectNoAxeViolations(page);
  await section(page, "Delete your account").getByLabel("Password to confirm").fill(NEW_PASSWORD);
  await section(page, "Delete your account").getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/account-deleted\/$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account is deleted");
  expect((await page.context().cookies()).filter((c) => c.name === "smallism_session")).toEqual([]);
  await expectSignInRefused(page, email, NEW_PASSWORD);
});

test("change email: a code goes to the new address, and entering it moves the account there", async ({ page }) => {
  const email = uniqueEmail("old");
  const newEmail = uniqueEmail("new");
  await joinThroughForm(page, email, PASSWORD, "/account");
  await submitCode(page, await latestCode(page.request, email));
  await expect(page).toHaveURL(/\/account$/);

  const change = section(page, "Change email address");
  await change.getByLabel("New email address").fill(newEmail);
  await change.getByLabel("Current password").fill(PASSWORD);
  await change.getByRole("button", { name: "Send code to new address" }).click();
  await expect(page).toHaveURL(/\/verify/);
  await expect(page.locator(".lede")).toContainText(newEmail);
  expect(await latestEmail(page.request, email)).toContain(`being changed to ${newEmail}`);
  await submitCode(page, await latestCode(page.request, newEmail));
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator(".lede")).toContainText(`Signed in as ${newEmail}`);

  await expectOnlyNewCredentials(page, [email, PASSWORD], [newEmail, PASSWORD]);
});

test("change password in the browser: the new one works; a wrong current one is named next to its field", async ({ page }) => {
  const email = uniqueEmail("pw");
  await joinThroughForm(page, email, PASSWORD, "/account");
  await page.goto("/account");
  const form = section(page, "Change password");
  await form.getByLabel("Current password").fill("wrong current password");
  await form.getByLabel("New password").fill(NEW_PASSWORD);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(page.locator("#field-currentPassword-error")).toHaveText("That is not your current password.");
  await expect(section(page, "Change password").getByLabel("New password")).toHaveValue("");
  await expectNoAxeViolations(page);

  await section(page, "Change password").getByLabel("Current password").fill(PASSWORD);
  await section(page, "Change password").getByLabel("New password").fill(NEW_PASSWORD);
  await section(page, "Change password").getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/account\?done=password$/);
  await expect(page.getByRole("status")).toContainText("Your password is changed");
  await expectOnlyNewCredentials(page, [email, PASSWORD], [email, NEW_PASSWORD]);
});

test("the join form names each problem next to its field and keeps the input, never the password", async ({ page }) => {
  await page.goto("/join");
  await expectNoAxeViolations(page);
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Display name (optional)").fill("Ada");
  await page.getByLabel(/^I agree/).check();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert").getByRole("heading")).toHaveText("There is a problem");
  await expect(page.getByRole("alert").getByRole("link")).toHaveText(["Enter one email address, like name@example.org.", "Use at least 8 characters."]);
  await expect(page.locator("#field-email-error")).toContainText("Enter one email address");
  await expect(page.locator("#field-password-error")).toContainText("at least 8 characters");
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-describedby", /field-email-error/);
  await expect(page.getByLabel("Email")).toHaveValue("not-an-email");
  await expect(page.getByLabel("Display name (optional)")).toHaveValue("Ada");
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await expectNoAxeViolations(page);

  // Without the agreement ticked.
  await page.getByLabel("Email").fill(uniqueEmail("noagree"));
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel(/^I agree/).uncheck();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("#field-agree-error")).toBeVisible();
  await expectNoAxeViolations(page);

  // An address that already has an account.
  const taken = uniqueEmail("taken");
  await joinThroughForm(page, taken, PASSWORD, "/account");
  await page.context().clearCookies();
  await page.goto("/join");
  await submitJoinForm(page, taken.toUpperCase(), PASSWORD);
  await expect(page.locator("#field-email-error")).toContainText("already has an account");
});

test("axe: sign-in (with and without an error), forgot, verify with an error, an expired reset link", async ({ page }) => {
  await page.goto("/login");
  await expectNoAxeViolations(page);
  await submitSignIn(page, uniqueEmail("nobody"), "whatever it is");
  await expect(page.getByRole("alert")).toBeVisible();
  await expectNoAxeViolations(page);

  await page.goto("/forgot");
  await page.getByLabel("Email").fill("two@x.org, emails@x.org");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.locator("#field-email-error")).toBeVisible();
  await expectNoAxeViolations(page);

  await page.goto("/reset?token=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  await expect(page.getByText("This reset link has expired or was already used.")).toBeVisible();
  await expectNoAxeViolations(page);

  await joinThroughForm(page, uniqueEmail("axe-verify"), PASSWORD, "/account");
  await submitCode(page, "AAAAAAAA");
  await expect(page.locator("#field-code-error")).toContainText("not right");
  await expectNoAxeViolations(page);
});
