// Donating in the browser for the e2e tests: the stand-in's address and the donate form up to Stripe's hosted
// checkout page. Used by donate.spec.ts and account-deletion.spec.ts.
import type { Page } from "@playwright/test";
import { expect } from "./fixtures";
import { STRIPE_STAND_IN_PORT } from "@tests/support/test-env";

/** The Stripe stand-in the test servers talk to. */
export const STAND_IN = `http://127.0.0.1:${STRIPE_STAND_IN_PORT}`;

/** Fills and sends the donate form; leaves the browser on the stand-in's hosted checkout page. */
export async function donate(page: Page, options: { amount: string; monthly?: boolean; note?: string }): Promise<string> {
  await page.goto("/donate");
  await page.getByLabel("Other", { exact: true }).check();
  await page.getByLabel(/^Other amount in/).fill(options.amount);
  await page.getByLabel(options.monthly ? "Monthly" : "Once", { exact: true }).check();
  if (options.note) await page.getByLabel("Note (optional)").fill(options.note);
  await page.getByRole("button", { name: "Continue to secure payment" }).click();
  await expect(page).toHaveURL(new RegExp(`^${STAND_IN}/c/pay/cs_test_`));
  return (await page.locator("#session-id").innerText()).trim();
}

