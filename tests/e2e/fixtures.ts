// Shared Playwright fixtures: each test gets its own client IP (CF-Connecting-IP, as Cloudflare would send)
// so the D1 throttles of one test never spill into another, plus helpers to read the dev mailbox and to
// create members through the real forms.
import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";

/** A fresh, unique client IP for one test. */
export function uniqueIp(): string {
  const n = crypto.getRandomValues(new Uint8Array(3));
  return `10.${n[0]}.${n[1]}.${n[2]}`;
}

/** A fresh, unique email address. */
export function uniqueEmail(prefix = "member"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}@example.org`;
}

export const test = base.extend<{ ip: string }>({
  ip: async ({}, use) => use(uniqueIp()),
  extraHTTPHeaders: async ({ ip }, use) => use({ "CF-Connecting-IP": ip }),
});
export { expect };

/**
 * The newest email to `to` in the dev mailbox (plain-text body) whose text matches `containing`. Waits up to 5 s for
 * one, because some mail (password resets) is sent after the page has answered.
 */
export async function latestEmail(request: APIRequestContext, to: string, containing = /./): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    // Relative to the baseURL, so the dev-server tests (playwright.dev.config.ts) read their own mailbox.
    const response = await request.get(`/dev/mailbox?to=${encodeURIComponent(to)}`);
    expect(response.status()).toBe(200);
    const texts = [...(await response.text()).matchAll(/<pre class="mail-text"[^>]*>([\s\S]*?)<\/pre>/g)]
      .map((match) => match[1]!.replace(/&amp;/g, "&").replace(/&#x2F;/g, "/").replace(/&#39;/g, "'").replace(/&quot;/g, '"'));
    const newest = texts.find((text) => containing.test(text));
    if (newest !== undefined) return newest;
    if (Date.now() > deadline) throw new Error(`no email to ${to} matching ${containing}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The verification code in the newest email to `to`. */
export async function latestCode(request: APIRequestContext, to: string): Promise<string> {
  const text = await latestEmail(request, to);
  const code = /code is ([A-Z0-9]{8})/.exec(text)?.[1];
  if (!code) throw new Error(`no code in email to ${to}`);
  return code;
}

/** Joins through the real /join form in `page`; leaves the member signed in on /verify. */
export async function joinThroughForm(page: Page, email: string, password: string, next = "/strategy/"): Promise<void> {
  await page.goto(`/join?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel(/^I agree/).check();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/verify/);
}

/** Joins and verifies through the real forms; leaves the member signed in and verified at `next`. */
export async function joinAndVerify(page: Page, email: string, password: string, next = "/strategy/"): Promise<void> {
  await joinThroughForm(page, email, password, next);
  await page.getByLabel("Verification code").fill(await latestCode(page.request, email));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(new RegExp(`${next.replace(/[/?]/g, "\\$&")}$`));
}
