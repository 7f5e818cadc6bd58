// Members are recognised on every page, the prerendered ones included (issue 9, items 3 and 4): after signing in,
// home, essays, tags and about show the account link and no join calls, without a flash of the visitor's page;
// signing out or deleting the account says what happened and brings the join calls back; the hint is cleared when
// the session dies elsewhere; readers who never signed in get no cookie at all; without JavaScript a member sees the
// visitor's links, never both sets.
import { test, expect, joinAndVerify, joinThroughForm, uniqueEmail } from "./fixtures";
import { expectNoAxeViolations } from "./axe";
import { SITE_URL } from "@tests/support/test-env";
import type { Browser, Page } from "@playwright/test";

const PASSWORD = "a long enough pass phrase";
const JOIN_CALL = "Find out more: unlock the strategy section";
const PUBLIC_ESSAY = "/essays/the-case-for-small-wards/";
/** Prerendered pages (served as static files, no Worker) and on-demand ones, as a member sees them. */
const PRERENDERED = ["/", PUBLIC_ESSAY, "/essays/", "/tags/", "/tags/wards/", "/about/", "/privacy/", "/search/"];
const ON_DEMAND = ["/strategy/", "/donate"];

const header = (page: Page) => page.getByRole("navigation", { name: "Main" });
const footer = (page: Page) => page.getByRole("navigation", { name: "Footer" });

/** The page as a signed-in member sees it: Account, no Sign in / Join, no join call anywhere on it. */
async function expectMemberView(page: Page, path: string): Promise<void> {
  await expect(header(page).getByRole("link", { name: "Account" }), path).toBeVisible();
  await expect(header(page).getByRole("link", { name: "Sign in" }), path).toBeHidden();
  await expect(header(page).getByRole("link", { name: "Join", exact: true }), path).toBeHidden();
  await expect(footer(page).getByRole("link", { name: "Join Smallism" }), path).toBeHidden();
  await expect(footer(page).getByRole("link", { name: "Your account" }), path).toBeVisible();
  await expect(page.getByRole("heading", { name: JOIN_CALL }), path).toBeHidden();
  await expect(page.getByRole("link", { name: /^Join/ }).filter({ visible: true }), path).toHaveCount(0);
}

/** The page as a visitor sees it: Sign in and Join, no Account link. */
async function expectVisitorView(page: Page, path: string): Promise<void> {
  await expect(header(page).getByRole("link", { name: "Sign in" }), path).toBeVisible();
  await expect(header(page).getByRole("link", { name: "Join", exact: true }), path).toBeVisible();
  await expect(header(page).getByRole("link", { name: "Account" }), path).toBeHidden();
  await expect(footer(page).getByRole("link", { name: "Join Smallism" }), path).toBeVisible();
  await expect(footer(page).getByRole("link", { name: "Your account" }), path).toBeHidden();
}

/**
 * Records, for each join call (and the header's Join link) as the parser inserts it, whether <html> was already
 * marked signed-in: if it was, no frame can have shown it to the member.
 */
async function watchJoinCallsAppear(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: boolean[] = [];
    (window as unknown as { joinCallsSeen: boolean[] }).joinCallsSeen = seen;
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node instanceof Element && node.matches("[data-visitor-only]")) seen.push(document.documentElement.classList.contains("signed-in"));
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
}

test("a signed-in member sees the account link and no join call on every page, with no flash; signing out brings them back", async ({ page }) => {
  await watchJoinCallsAppear(page);
  await joinAndVerify(page, uniqueEmail("everywhere"), PASSWORD, "/");
  for (const path of [...PRERENDERED, ...ON_DEMAND]) {
    await page.goto(path);
    await expectMemberView(page, path);
    if (PRERENDERED.includes(path)) {
      const seen = await page.evaluate(() => (window as unknown as { joinCallsSeen: boolean[] }).joinCallsSeen);
      expect(seen.length, `${path}: the page has visitor-only parts`).toBeGreaterThan(0);
      expect(seen.every(Boolean), `${path}: every visitor-only part arrived after <html> was marked signed-in`).toBe(true);
    }
  }
  // The home page offers members the strategy instead of joining.
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Read the strategy" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Join the community" })).toBeHidden();
  await expectNoAxeViolations(page);
  await header(page).getByRole("link", { name: "Account" }).click();
  await expect(page).toHaveURL(/\/account$/);

  // Signing out says so, and every page is a visitor's again.
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/signed-out\/$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You are signed out");
  await expect(page.getByRole("status")).toContainText("Signed out");
  await expectNoAxeViolations(page);
  expect((await page.context().cookies()).map((cookie) => cookie.name)).toEqual([]);
  for (const path of ["/", PUBLIC_ESSAY, "/tags/", "/about/"]) {
    await page.goto(path);
    await expectVisitorView(page, path);
  }
  await page.goto(PUBLIC_ESSAY);
  await expect(page.getByRole("heading", { name: JOIN_CALL })).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Join the community" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Read the strategy" })).toBeHidden();
});

test("deleting the account says what happened, on a page that needs no JavaScript; the join calls are back", async ({ browser }) => {
  for (const javaScriptEnabled of [true, false]) {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const email = uniqueEmail(`deleted-${javaScriptEnabled ? "js" : "nojs"}`);
    await joinThroughForm(page, email, PASSWORD, "/account");
    await page.goto("/account");
    await page.getByLabel("Password to confirm").fill(PASSWORD);
    await page.getByRole("button", { name: "Delete my account" }).click();
    await expect(page).toHaveURL(/\/account-deleted\/$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account is deleted");
    await expect(page.getByRole("status")).toContainText("Account deleted");
    await expect(page.getByText("Any monthly donation is cancelled")).toBeVisible();
    expect((await context.cookies()).map((cookie) => cookie.name)).toEqual([]);
    await expectVisitorView(page, "/account-deleted/");
    if (javaScriptEnabled) await expectNoAxeViolations(page);
    await context.close();
  }
});

test("signing out without JavaScript says so too", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await joinThroughForm(page, uniqueEmail("signout-nojs"), PASSWORD, "/account");
  await page.goto("/account");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/signed-out\/$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You are signed out");
  await context.close();
});

test("without JavaScript a member sees the visitor's links on prerendered pages, never both sets", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await joinThroughForm(page, uniqueEmail("nojs-member"), PASSWORD, "/account");
  // The session, its hint and, since the member has opened an on-demand page (/account), their D1 bookmark.
  expect((await context.cookies()).map((cookie) => cookie.name).sort()).toEqual(["smallism_d1", "smallism_session", "smallism_signed_in"]);
  for (const path of ["/", PUBLIC_ESSAY]) {
    await page.goto(path);
    await expectVisitorView(page, path);
  }
  // Pages rendered for the session know the member without any script.
  await page.goto("/strategy/");
  await expect(header(page).getByRole("link", { name: "Account" })).toBeVisible();
  await expect(header(page).getByRole("link", { name: "Sign in" })).toHaveCount(0);
  await context.close();
});

/** A browser context with a fresh member signed in through the forms. */
async function signedInContext(browser: Browser, email: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await joinThroughForm(page, email, PASSWORD, "/account");
  return { page, close: () => context.close() };
}

test("when the session dies elsewhere (password changed on another device), the next on-demand page clears the hint", async ({ browser }) => {
  const email = uniqueEmail("elsewhere");
  const phone = await signedInContext(browser, email);
  const laptop = await browser.newContext();
  const laptopPage = await laptop.newPage();
  await laptopPage.goto("/login?next=/account");
  await laptopPage.getByLabel("Email").fill(email);
  await laptopPage.getByLabel("Password").fill(PASSWORD);
  await laptopPage.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(laptopPage).toHaveURL(/\/account$/);
  await laptopPage.getByLabel("Current password").first().fill(PASSWORD);
  await laptopPage.getByLabel("New password").fill("another long pass phrase");
  await laptopPage.getByRole("button", { name: "Change password" }).click();
  await expect(laptopPage).toHaveURL(/done=password/);

  // The phone still holds the hint, so a static page shows the member's links...
  await phone.page.goto("/");
  await expectMemberView(phone.page, "/ (before any on-demand page)");
  // ...until the Worker sees the dead session, clears both cookies, and every page is a visitor's again.
  await phone.page.goto("/strategy/");
  await expectVisitorView(phone.page, "/strategy/");
  expect((await phone.page.context().cookies()).map((cookie) => cookie.name)).toEqual([]);
  await phone.page.goto("/");
  await expectVisitorView(phone.page, "/");
  await phone.close();
  await laptop.close();
});

test("a hint cookie without a session is cleared by the next on-demand page", async ({ page, context }) => {
  await context.addCookies([{ name: "smallism_signed_in", value: "1", url: SITE_URL }]);
  await page.goto("/");
  await expectMemberView(page, "/ (planted hint)");
  await page.goto("/join");
  expect((await context.cookies()).map((cookie) => cookie.name)).toEqual([]);
  await page.goto("/");
  await expectVisitorView(page, "/");
});

test("readers who never signed in get no cookie and no member links, on every kind of page", async ({ page, context }) => {
  for (const path of [...PRERENDERED, ...ON_DEMAND, "/join", "/login", "/strategy/forming-and-governing-a-ward/"]) {
    await page.goto(path);
    await expectVisitorView(page, path);
    expect(await page.evaluate(() => document.cookie), path).toBe("");
  }
  expect(await context.cookies()).toEqual([]);
});
