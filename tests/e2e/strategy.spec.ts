// The strategy section and members-only essays in a real browser: a visitor gets the summary and the join call,
// joins and verifies, and lands back on the same page with the full text; an unverified member gets the verify
// call (whose resend button mails a new code); sign-in returns to the page via next; the index says once, above
// the list, that every page is open, and only to verified members; unknown slugs are 404; axe finds nothing, signed in or out.
import { readdirSync } from "node:fs";
import { test, expect, joinThroughForm, submitCode, submitJoinForm, submitSignIn, uniqueEmail, uniqueIp } from "./fixtures";
import { expectNoAxeViolations } from "./axe";
import { latestCode, mailTo } from "./mailbox";
import { bodySentences, foldText, frontmatterOf } from "./member-text";
import type { Page } from "@playwright/test";

const PASSWORD = "a long enough pass phrase";
const SLUG = "forming-and-governing-a-ward";
const PAGE = `/strategy/${SLUG}/`;
const ESSAY = "/essays/the-first-hundred-members/";

const strategyFile = `content/strategy/${SLUG}.mdx`;
const { summary: SUMMARY, title: TITLE } = frontmatterOf(strategyFile) as { summary: string; title: string };
const [FIRST_SENTENCE] = bodySentences(strategyFile);
const [ESSAY_SENTENCE] = bodySentences("content/essays/the-first-hundred-members.mdx");
const STRATEGY_COUNT = readdirSync("content/strategy").filter((name) => name.endsWith(".mdx")).length;

/** The folded plain text of an element. */
async function foldedText(page: Page, selector: string): Promise<string> {
  return foldText(await page.locator(selector).innerText());
}

async function expectGated(page: Page, kind: "strategy page" | "essay", sentence: string): Promise<void> {
  await expect(page.getByRole("heading", { name: `Members read the full ${kind}` })).toBeVisible();
  await expect(page.getByRole("heading", { name: "On this page" })).toHaveCount(0);
  await expect(page.locator(".prose")).toHaveCount(0);
  expect(foldText(await page.locator("body").innerText())).not.toContain(sentence);
}

async function expectFullText(page: Page, sentence: string, toc = true): Promise<void> {
  await expect(page.locator(".prose")).toBeVisible();
  expect(await foldedText(page, ".prose")).toContain(sentence);
  if (toc) {
    const tocNav = page.getByRole("navigation", { name: "On this page" });
    await expect(tocNav).toBeVisible();
    expect(await tocNav.getByRole("link").count()).toBeGreaterThan(2);
    // The TOC links to headings that exist.
    const href = await tocNav.getByRole("link").first().getAttribute("href");
    await expect(page.locator(href!)).toBeVisible();
  }
  await expect(page.getByRole("heading", { name: /Members read the full/ })).toHaveCount(0);
}

test("sentences are read from the content files", () => {
  expect(FIRST_SENTENCE!.split(" ").length).toBeGreaterThanOrEqual(8);
  expect(ESSAY_SENTENCE!.split(" ").length).toBeGreaterThanOrEqual(8);
  expect(STRATEGY_COUNT).toBeGreaterThanOrEqual(3);
});

test("visitor → summary and join call → joins → verifies → back on the page with the full text → signs out → summary", async ({ page }) => {
  const email = uniqueEmail("strategy");
  const response = await page.goto(PAGE);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(TITLE);
  expect(foldText(await page.locator(".gate-summary").innerText())).toBe(foldText(SUMMARY));
  await expectGated(page, "strategy page", FIRST_SENTENCE!);

  await page.getByRole("link", { name: "Join to read it" }).click();
  await expect(page).toHaveURL(new RegExp(`/join\\?next=${encodeURIComponent(PAGE)}$`));
  await submitJoinForm(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/verify\?next=/);

  // Signed in but not verified yet: still the summary, now with the verify call.
  await page.goto(PAGE);
  await expect(page.getByRole("heading", { name: "Verify your email to read on" })).toBeVisible();
  expect(foldText(await page.locator("body").innerText())).not.toContain(FIRST_SENTENCE!);
  await page.getByRole("link", { name: "Enter my code" }).click();
  await expect(page).toHaveURL(/\/verify\?next=/);
  await submitCode(page, await latestCode(page.request, email));
  await expect(page).toHaveURL(new RegExp(`${PAGE}$`));
  await expectFullText(page, FIRST_SENTENCE!);

  // Sign out from the account page (POST /logout), then the page is gated again.
  await page.goto("/account");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/signed-out\/$/);
  expect((await page.context().cookies()).filter((c) => c.name === "smallism_session")).toEqual([]);
  await page.goto(PAGE);
  await expectGated(page, "strategy page", FIRST_SENTENCE!);
});

test("an unverified member sees the verify call; its resend button mails a new code that unlocks the page", async ({ page }) => {
  const email = uniqueEmail("resend");
  await joinThroughForm(page, email, PASSWORD, PAGE);
  const firstCode = await latestCode(page.request, email);
  await page.goto(PAGE);
  await expect(page.getByRole("heading", { name: "Verify your email to read on" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "On this page" })).toHaveCount(0);
  expect(await mailTo(page.request, email)).toHaveLength(1);

  await page.getByRole("button", { name: "Send a new code" }).click();
  await expect(page.getByRole("status")).toContainText(`We sent a new code to ${email}`);
  expect(await mailTo(page.request, email)).toHaveLength(2);
  const secondCode = await latestCode(page.request, email);
  expect(secondCode).not.toBe(firstCode);

  // The old code no longer works (and says it was replaced); the new one does, and returns to the page.
  await submitCode(page, firstCode);
  await expect(page.locator("#field-code-error")).toContainText("That code was replaced by a newer one");
  await submitCode(page, secondCode);
  await expect(page).toHaveURL(new RegExp(`${PAGE}$`));
  await expectFullText(page, FIRST_SENTENCE!);
});

test("sign-in from a gated page returns to it (next)", async ({ page, browser }) => {
  const email = uniqueEmail("next");
  // Create and verify the member in another browser context, so this one starts as a visitor.
  const other = await browser.newContext({ extraHTTPHeaders: { "CF-Connecting-IP": uniqueIp() } });
  const setup = await other.newPage();
  await joinThroughForm(setup, email, PASSWORD, "/account");
  await submitCode(setup, await latestCode(setup.request, email));
  await expect(setup).toHaveURL(/\/account$/);
  await other.close();

  await page.goto(PAGE);
  await page.locator(".gate").getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`/login\\?next=${encodeURIComponent(PAGE)}$`));
  await submitSignIn(page, email, PASSWORD);
  await expect(page).toHaveURL(new RegExp(`${PAGE}$`));
  await expectFullText(page, FIRST_SENTENCE!);
});

test("the strategy index says every page is open, once, only to verified members", async ({ page }) => {
  const memberState = page.locator("[data-member-state]");
  await page.goto("/strategy/");
  await expect(page.locator(".essay-card")).toHaveCount(STRATEGY_COUNT);
  await expect(memberState).toHaveCount(0);
  await expect(page.locator(".essay-card .badge"), "no per-page badges").toHaveCount(0);
  await expect(page.getByRole("heading", { name: "What membership unlocks" })).toBeVisible();
  await expectNoAxeViolations(page);

  const email = uniqueEmail("index");
  await joinThroughForm(page, email, PASSWORD, "/strategy/");
  await page.goto("/strategy/");
  await expect(memberState).toHaveCount(0);
  await expect(page.getByText("Verify your email address to unlock these pages.")).toBeVisible();

  await page.getByRole("link", { name: "Enter your code" }).click();
  await submitCode(page, await latestCode(page.request, email));
  await expect(page).toHaveURL(/\/strategy\/$/);
  await expect(memberState).toHaveCount(1);
  await expect(memberState).toHaveText("You are a member: every page of the handbook is open to you.");
  await expect(page.locator(".essay-card .badge"), "no per-page badges").toHaveCount(0);
  await expect(page.getByRole("heading", { name: "What membership unlocks" })).toHaveCount(0);
  await expectNoAxeViolations(page);

  // A strategy page, signed in and verified, passes axe too.
  await page.locator(".essay-card a").first().click();
  await expect(page.locator(".prose")).toBeVisible();
  await expectNoAxeViolations(page);
});

test("the members-only essay is gated the same way", async ({ page }) => {
  const response = await page.goto(ESSAY);
  expect(response?.status()).toBe(200);
  await expectGated(page, "essay", ESSAY_SENTENCE!);
  await expectNoAxeViolations(page);

  const email = uniqueEmail("essay");
  await page.getByRole("link", { name: "Join to read it" }).click();
  await expect(page).toHaveURL(new RegExp(`/join\\?next=${encodeURIComponent(ESSAY)}$`));
  await submitJoinForm(page, email, PASSWORD);

  await page.goto(ESSAY);
  await expect(page.getByRole("heading", { name: "Verify your email to read on" })).toBeVisible();
  expect(foldText(await page.locator("body").innerText())).not.toContain(ESSAY_SENTENCE!);

  await page.getByRole("link", { name: "Enter my code" }).click();
  await submitCode(page, await latestCode(page.request, email));
  await expect(page).toHaveURL(new RegExp(`${ESSAY}$`));
  await expectFullText(page, ESSAY_SENTENCE!, false);
  await expectNoAxeViolations(page);
});

test("unknown slugs are 404 with the not-found page, signed in or not", async ({ page }) => {
  const paths = ["/strategy/no-such-page/", "/essays/no-such-members-essay/", "/essays/a/b/c/"];
  for (const path of paths) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("We could not find that page");
  }
  await expectNoAxeViolations(page);
  await joinThroughForm(page, uniqueEmail("notfound"), PASSWORD, "/account");
  for (const path of paths) {
    const response = await page.goto(path);
    expect(response?.status(), `${path} signed in`).toBe(404);
    expect(response?.headers()["cache-control"]).toBe("private, no-store");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("We could not find that page");
  }
});

test("axe: a gated strategy page and the index, signed out", async ({ page }) => {
  await page.goto(PAGE);
  await expectNoAxeViolations(page);
  await page.goto("/strategy/");
  await expectNoAxeViolations(page);
});

test("axe: the verify call on a strategy page, signed in but unverified", async ({ page }) => {
  await joinThroughForm(page, uniqueEmail("axe-unverified"), PASSWORD, PAGE);
  await page.goto(PAGE);
  await expect(page.getByRole("heading", { name: "Verify your email to read on" })).toBeVisible();
  await expectNoAxeViolations(page);
});
