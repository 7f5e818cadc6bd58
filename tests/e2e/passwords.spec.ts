// New passwords against the built site and the local Have I Been Pwned stand-in
// (tests/support/pwned-passwords-stand-in.mjs, which records every range request): /join in a real browser refuses a
// breached password with the reason next to the field (the email kept, the password never, no account made) and a
// common or site-word password without asking the service; /reset and the account page's password change refuse a
// breached password too. Only a 5-character SHA-1 prefix ever reaches the service.
import { createHash } from "node:crypto";
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { expectNoAxeViolations } from "./axe";
import { PWNED_STAND_IN_PORT } from "@tests/support/test-env";
import { postForm } from "./http";
import { mailTo, resetTokenFor } from "./mailbox";
import { signInHttp, verifiedMember } from "./members";

const STAND_IN = `http://127.0.0.1:${PWNED_STAND_IN_PORT}`;

interface RangeRequest { path: string; prefix: string; headers: Record<string, string> }

const sha1 = (password: string): string => createHash("sha1").update(password, "utf8").digest("hex").toUpperCase();

/** A pass phrase nobody else uses, so the stand-in's record of it is this test's own. */
const uniquePassword = (): string => `orchard copper ${crypto.randomUUID().slice(0, 8)}`;

async function markBreached(password: string, count: number): Promise<void> {
  const response = await fetch(`${STAND_IN}/__breached`, { method: "POST", body: JSON.stringify({ sha1: sha1(password), count }) });
  expect(response.status).toBe(200);
}

async function rangeRequests(): Promise<RangeRequest[]> {
  return (await (await fetch(`${STAND_IN}/__requests`)).json()) as RangeRequest[];
}

test("/join refuses a breached password next to the field, keeps the email, creates nothing; only 5 hash characters leave the site", async ({ page, request }) => {
  const email = uniqueEmail("breached");
  const breached = uniquePassword();
  await markBreached(breached, 4_321);

  await page.goto("/join");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(breached);
  await page.getByLabel(/^I agree/).check();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/join/);
  const breachedMessage = "This password has appeared in known data breaches (4,321 times), so attackers will try it. Choose another.";
  await expect(page.getByRole("alert").getByRole("heading")).toHaveText("There is a problem");
  await expect(page.getByRole("alert").getByRole("listitem")).toHaveText([breachedMessage]);
  await expect(page.locator("#field-password-error")).toHaveText(breachedMessage);
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await expectNoAxeViolations(page);
  expect(await mailTo(request, email)).toEqual([]);
  expect((await signInHttp(request, email, breached, { ip: uniqueIp() })).status()).toBe(400);

  const hash = sha1(breached);
  const mine = (await rangeRequests()).filter((r) => r.prefix === hash.slice(0, 5));
  expect(mine).toHaveLength(1);
  expect(mine[0]!.path).toBe(`/range/${hash.slice(0, 5)}`);
  expect(mine[0]!.headers["add-padding"]).toBe("true");
  const everything = JSON.stringify(await rangeRequests());
  for (const secret of [breached, encodeURIComponent(breached), hash, hash.slice(5)]) expect(everything).not.toContain(secret);
  for (const r of await rangeRequests()) expect(r.path).toMatch(/^\/range\/[0-9A-F]{5}$/);

  // A password that is not breached goes through.
  await page.getByLabel("Password", { exact: true }).fill(uniquePassword());
  await page.getByLabel(/^I agree/).check();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/verify/);
});

test("/join refuses common and site-word passwords without asking the breach service", async ({ page }) => {
  const before = (await rangeRequests()).length;
  for (const password of ["liverpool1", "starwars1", "smallism1", "Sm4ll1sm2024!"]) {
    await page.goto("/join");
    await page.getByLabel("Email").fill(uniqueEmail("common"));
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByLabel(/^I agree/).check();
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.locator("#field-password-error"), password).toContainText("one of the most common");
  }
  expect((await rangeRequests()).length).toBe(before);
});

test("/reset and the account page's password change refuse a breached password and keep the old one", async ({ request }) => {
  const member = await verifiedMember(request, uniqueEmail("breach-change"));
  const breached = uniquePassword();
  await markBreached(breached, 12);

  const change = await postForm(request, "/account", { ip: member.ip, token: member.token }, { action: "password", currentPassword: member.password, newPassword: breached });
  expect(change.status()).toBe(400);
  expect(await change.text()).toContain("appeared in known data breaches (12 times)");

  const ip = uniqueIp();
  expect((await postForm(request, "/forgot", { ip }, { email: member.email })).status()).toBe(200);
  const token = await resetTokenFor(request, member.email);
  const reset = await postForm(request, "/reset", { ip }, { token, password: breached });
  expect(reset.status()).toBe(400);
  expect(await reset.text()).toContain("appeared in known data breaches (12 times)");

  expect((await signInHttp(request, member.email, member.password, { ip: uniqueIp() })).status()).toBe(303);
  expect((await signInHttp(request, member.email, breached, { ip: uniqueIp() })).status()).toBe(400);
  // The reset link still works for a good password.
  expect((await postForm(request, "/reset", { ip }, { token, password: uniquePassword() })).status()).toBe(303);
});
