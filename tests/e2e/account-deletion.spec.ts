// Deleting an account that gives monthly, in a real browser against the built site and the Stripe stand-in: the
// account page says beforehand that deleting cancels the monthly donation, the download lists it with Stripe's ids,
// and deleting asks Stripe to delete that customer (which cancels the subscription) before landing on a page that
// says what happened.
import { readFileSync } from "node:fs";
import { test, expect, joinAndVerify, uniqueEmail } from "./fixtures";
import { SITE_URL } from "@tests/support/test-env";
import { recordedRequests } from "@tests/support/stripe-stand-in-client";
import { STAND_IN, donate } from "./donations";

const PASSWORD = "a long enough pass phrase";

test("deleting an account deletes its Stripe customer, which cancels the monthly donation, as the pages say", async ({ page }) => {
  const email = uniqueEmail("leaver");
  await joinAndVerify(page, email, PASSWORD, "/account");
  const sessionId = await donate(page, { amount: "5", monthly: true, note: "For the wards" });
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page).toHaveURL(`${SITE_URL}/donate/thanks?session_id=${sessionId}`);
  const session = (await (await fetch(`${STAND_IN}/__sessions/${sessionId}`)).json()) as { customer: string; subscription: string };

  await page.goto("/account");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download my data" }).click();
  const data = JSON.parse(readFileSync((await (await download).path())!, "utf8"));
  expect(data.donations).toEqual([expect.objectContaining({ amount: 500, note: "For the wards", checkout_session_id: sessionId, subscription_id: session.subscription, customer_id: session.customer })]);
  expect(data.monthlyDonations).toEqual([expect.objectContaining({ id: session.subscription, customer_id: session.customer, status: "active" })]);

  const deletion = page.locator("section#delete");
  await expect(deletion).toContainText("Deleting your account also cancels any monthly donation");
  await deletion.getByLabel("Password to confirm").fill(PASSWORD);
  await deletion.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/account-deleted\/$/);
  await expect(page.locator(".prose")).toContainText("Any monthly donation is cancelled");

  const deletions = (await recordedRequests(STAND_IN)).filter((r) => r.method === "DELETE" && r.path === `/v1/customers/${session.customer}`);
  expect(deletions.map((r) => r.status)).toEqual([200]);
});
