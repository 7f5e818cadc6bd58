// Problems are never off-screen, and they say what is wrong (issue 9, item 7 and its copy): every form answers a
// bad post with the GOV.UK error summary ("There is a problem", focused, at the top, each problem a link to its
// field), with or without JavaScript; empty forms say what is missing rather than that something does not match;
// a replaced code says it was replaced; an address that already has an account offers sign-in and reset links.
import { test, expect, joinThroughForm, uniqueEmail } from "./fixtures";
import { latestCode, latestEmail } from "./mailbox";
import { expectNoAxeViolations } from "./axe";
import type { Page } from "@playwright/test";

const PASSWORD = "a long enough pass phrase";

const summary = (page: Page) => page.locator("[data-error-summary]");

/** The summary is there, titled, focused and in the viewport, and each of its links leads to a field on the page. */
async function expectSummary(page: Page, problems: Array<string | RegExp>): Promise<void> {
  await expect(summary(page)).toBeVisible();
  await expect(summary(page).getByRole("heading")).toHaveText("There is a problem");
  await expect(summary(page).getByRole("listitem")).toHaveText(problems);
  await expect(summary(page)).toBeFocused();
  await expect(summary(page)).toBeInViewport();
  for (const link of await summary(page).getByRole("link").all()) {
    const target = (await link.getAttribute("href"))!;
    expect(target, "a link to a field on this page").toMatch(/^#[\w-]+$/);
    await expect(page.locator(target), `${target} exists`).toHaveCount(1);
    await expect(page.locator(target)).toHaveAttribute("name", /./);
  }
}

async function deleteWith(page: Page, password: string): Promise<void> {
  const section = page.locator("section", { has: page.getByRole("heading", { name: "Delete your account" }) });
  await section.getByLabel("Password to confirm").fill(password);
  await section.getByRole("button", { name: "Delete my account" }).click();
}

test.describe("the error summary on the long account page", () => {
  for (const javaScriptEnabled of [true, false]) {
    test(`a wrong password in Delete account: the summary is focused in view and links to the password field (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser }) => {
      const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      await joinThroughForm(page, uniqueEmail(`summary-${javaScriptEnabled}`), PASSWORD, "/account");
      await page.goto("/account");
      await deleteWith(page, "not my password");
      await expectSummary(page, ["That is not your current password."]);
      // The field is far below, out of sight, until the link is followed.
      const field = page.locator("#field-deletePassword");
      await expect(field).not.toBeInViewport();
      await summary(page).getByRole("link", { name: "That is not your current password." }).click();
      // Without JavaScript the link is a plain jump to the field; with it, the cursor goes into the field too.
      if (!javaScriptEnabled) await expect(page).toHaveURL(/#field-deletePassword$/);
      await expect(field).toBeInViewport();
      if (javaScriptEnabled) {
        await expect(field).toBeFocused();
        await expect(page.getByText("Password to confirm")).toBeInViewport();
        await expectNoAxeViolations(page);
      }
      await context.close();
    });
  }

  test("an empty Delete account form says the password is missing; an empty password change too", async ({ page }) => {
    await joinThroughForm(page, uniqueEmail("empty-delete"), PASSWORD, "/account");
    await page.goto("/account");
    await deleteWith(page, "");
    await expectSummary(page, ["Enter your password to confirm that you want to delete your account."]);
    await expect(page.locator("#field-deletePassword-error")).toHaveText("Enter your password to confirm that you want to delete your account.");
    await page.getByRole("button", { name: "Change password" }).click();
    await expectSummary(page, ["Enter your current password."]);
    await expect(page.locator("#field-currentPassword-error")).toHaveText("Enter your current password.");
  });
});

test("every form leads its problems with the summary, each linked to its field", async ({ page }) => {
  // Sign in: an empty form names what is missing, field by field (not "do not match").
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectSummary(page, ["Enter your email address.", "Enter your password."]);
  await expect(page.getByText("do not match")).toHaveCount(0);
  await expect(page.locator("#field-email-error")).toHaveText("Enter your email address.");
  await expect(page.locator("#field-password-error")).toHaveText("Enter your password.");
  await expectNoAxeViolations(page);
  // A wrong password is one problem for the form, linked to the email field.
  await page.getByLabel("Email").fill(uniqueEmail("nobody"));
  await page.getByLabel("Password").fill("whatever it is");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectSummary(page, ["That email and password do not match an account."]);
  await expect(summary(page).getByRole("link")).toHaveAttribute("href", "#field-email");

  // Join, empty: every field at once.
  await page.goto("/join");
  await page.getByRole("button", { name: "Create account" }).click();
  await expectSummary(page, ["Enter your email address.", "Enter a password.", /confirm that you have read/]);
  await expect(summary(page).getByRole("link").last()).toHaveAttribute("href", "#field-agree");
  await expectNoAxeViolations(page);

  // Forgot, empty.
  await page.goto("/forgot");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expectSummary(page, ["Enter the email address of your account."]);

  // Donate: an amount below the minimum, linked to the amount's box.
  await page.goto("/donate");
  await page.getByLabel("Other amount in £").fill("0.50");
  await page.getByRole("button", { name: "Continue to secure payment" }).click();
  await expectSummary(page, [/smallest donation/]);
  await expect(summary(page).getByRole("link")).toHaveAttribute("href", "#custom-amount");
  await expectNoAxeViolations(page);

  // Verify, empty; then the account page's name form.
  await joinThroughForm(page, uniqueEmail("summary-verify"), PASSWORD, "/account");
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSummary(page, ["Enter the code from the email."]);
  await page.goto("/account");
  // The field's maxlength stops people typing more; a post can still carry more, and is answered the same way.
  await page.evaluate(() => document.querySelector<HTMLInputElement>("#field-displayName")!.removeAttribute("maxlength"));
  await page.getByLabel("Display name").fill("x".repeat(81));
  await page.getByRole("button", { name: "Save name" }).click();
  await expectSummary(page, ["Use at most 80 characters."]);
});

test("reset: a weak new password is summarised and linked to the field", async ({ page, request }) => {
  const email = uniqueEmail("summary-reset");
  await joinThroughForm(page, email, PASSWORD, "/account");
  await page.context().clearCookies();
  await page.goto("/forgot");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  const link = /(\/reset\?token=[a-z2-7]+)/.exec(await latestEmail(request, email, /\/reset\?token=/))![1]!;
  await page.goto(link);
  await page.getByLabel("New password").fill("password1");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expectSummary(page, [/most common/]);
  await expect(summary(page).getByRole("link")).toHaveAttribute("href", "#field-password");
});

test("a code replaced by 'send a new code' says it was replaced, costs no try, and the new code works", async ({ page, request }) => {
  const email = uniqueEmail("replaced");
  await joinThroughForm(page, email, PASSWORD, "/account");
  const first = await latestCode(request, email);
  await page.getByRole("button", { name: "send a new code" }).click();
  await expect(page.getByRole("status")).toContainText("We sent a new code");
  await page.getByLabel("Verification code").fill(first);
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSummary(page, [`That code was replaced by a newer one. Enter the code from the latest email we sent to ${email}.`]);
  await expect(page.getByText(/tries left/)).toHaveCount(0);
  const second = await latestCode(request, email);
  expect(second).not.toBe(first);
  await page.getByLabel("Verification code").fill(second);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/account$/);
});

test("joining with an address that already has an account offers sign-in and password-reset links", async ({ page }) => {
  const taken = uniqueEmail("taken-links");
  await joinThroughForm(page, taken, PASSWORD, "/strategy/");
  await page.context().clearCookies();
  await page.goto("/join?next=%2Fstrategy%2F");
  await page.getByLabel("Email").fill(taken);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel(/^I agree/).check();
  await page.getByRole("button", { name: "Create account" }).click();
  await expectSummary(page, [/already has an account/]);
  await expect(page.getByRole("link", { name: "Sign in with this address" })).toHaveAttribute("href", "/login?next=%2Fstrategy%2F");
  await expectNoAxeViolations(page);
  await page.getByRole("link", { name: "Reset your password", exact: true }).click();
  await expect(page).toHaveURL(/\/forgot$/);
});

test("a throttled join keeps the form (all but the password) and says when to try again", async ({ page }) => {
  const email = uniqueEmail("throttled-form");
  await joinThroughForm(page, email, PASSWORD, "/account");
  for (let i = 0; i < 3; i++) {
    await page.context().clearCookies();
    await page.goto("/join");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Display name (optional)").fill("Ada");
    await page.getByLabel(/^I agree/).check();
    await page.getByRole("button", { name: "Create account" }).click();
  }
  await expectSummary(page, [/Please try again in \d+ minutes?\./]);
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await expect(page.getByLabel("Display name (optional)")).toHaveValue("Ada");
  await expect(page.getByLabel(/^I agree/)).toBeChecked();
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
});
