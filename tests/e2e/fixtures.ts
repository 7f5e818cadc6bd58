// Shared Playwright fixtures: each test gets its own client IP (CF-Connecting-IP, as Cloudflare would send) so the
// D1 throttles of one test never spill into another; unique addresses; and members created through the real forms
// in a browser page. Raw-HTTP members are in members.ts, the dev mailbox in mailbox.ts.
import { test as base, expect, type Page } from "@playwright/test";
import { latestCode } from "./mailbox";

/** A fresh, unique client IP for one test. */
export function uniqueIp(): string {
  const n = crypto.getRandomValues(new Uint8Array(3));
  return `10.${n[0]}.${n[1]}.${n[2]}`;
}

/** A fresh, unique email address. */
export function uniqueEmail(prefix = "member"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}@example.org`;
}

/** Playwright's `test` whose requests all come from the test's own `ip`. */
export const test = base.extend<{ ip: string }>({
  ip: async ({}, use) => use(uniqueIp()),
  extraHTTPHeaders: async ({ ip }, use) => use({ "CF-Connecting-IP": ip }),
});
export { expect };

/** Fills the join form on the current page (email, password, the agreement ticked) and submits it. */
export async function submitJoinForm(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel(/^I agree/).check();
  await page.getByRole("button", { name: "Create account" }).click();
}

/** Enters `code` in the verify form on the current page and submits it. */
export async function submitCode(page: Page, code: string): Promise<void> {
  await page.getByLabel("Verification code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

/** Fills the sign-in form on the current page and submits it. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Joins through the real /join form in `page`; leaves the member signed in on /verify. */
export async function joinThroughForm(page: Page, email: string, password: string, next = "/strategy/"): Promise<void> {
  await page.goto(`/join?next=${encodeURIComponent(next)}`);
  await submitJoinForm(page, email, password);
  await expect(page).toHaveURL(/\/verify/);
}

/** Joins and verifies through the real forms; leaves the member signed in and verified at `next`. */
export async function joinAndVerify(page: Page, email: string, password: string, next = "/strategy/"): Promise<void> {
  await joinThroughForm(page, email, password, next);
  await submitCode(page, await latestCode(page.request, email));
  await expect(page).toHaveURL(new RegExp(`${next.replace(/[/?]/g, "\\$&")}$`));
}
