// The public essay site in a real browser: the reader's journey, share links, search, 404, accessibility,
// reading without JavaScript, and no request to any other host.
import { test, expect } from "./fixtures";
import { expectNoAxeViolations } from "./axe";
import { SITE_URL } from "../support/test-env";

test("home → essay → share links → related essay → tag page → search → 404", async ({ page }) => {
  const foreign: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(SITE_URL) && !request.url().startsWith("data:")) foreign.push(request.url());
  });

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Local services");
  await expectNoAxeViolations(page);

  await page.getByRole("link", { name: "The case for small wards" }).first().click();
  await expect(page).toHaveURL(/\/essays\/the-case-for-small-wards\/$/);
  const title = await page.getByRole("heading", { level: 1 }).innerText();
  await expect(page.locator(".essay-head .meta")).toContainText(/\d+ min read/);
  await expectNoAxeViolations(page);

  // Share links: plain links carrying this essay's canonical URL and title, above and below the essay.
  const canonical = await page.locator('link[rel="canonical"]').getAttribute("href");
  expect(canonical).toBe(new URL("/essays/the-case-for-small-wards/", "https://smallism.org").href);
  const shareBoxes = page.locator("section.share");
  await expect(shareBoxes).toHaveCount(2);
  for (const network of ["X", "Facebook", "LinkedIn", "Reddit", "WhatsApp", "Bluesky", "Email"]) {
    const href = await shareBoxes.first().locator(`a[data-network="${network}"]`).getAttribute("href");
    expect(href, network).toContain(encodeURIComponent(canonical!));
    if (["X", "Reddit", "WhatsApp", "Bluesky", "Email"].includes(network)) expect(decodeURIComponent(href!), network).toContain(title);
  }
  await expect(shareBoxes.first().getByRole("button", { name: "Copy link" })).toBeVisible();

  // Related essay, then a tag page.
  const related = page.locator("section.related a").first();
  const relatedTitle = await related.innerText();
  await related.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(relatedTitle);
  const tag = page.locator(".tag-list a").first();
  const tagText = (await tag.innerText()).replace("#", "");
  await tag.click();
  await expect(page).toHaveURL(new RegExp(`/tags/${tagText}/$`));
  await expect(page.locator(".essay-card").first()).toBeVisible();

  // Search finds an essay by a word that appears only in its body.
  await page.goto("/search/");
  await page.getByLabel("Words to find").fill("neighbourliness");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.locator(".search-results a").first()).toHaveText("The case for small wards");
  await expectNoAxeViolations(page);

  const missing = await page.goto("/no-such-page/");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("We could not find that page");
  await expectNoAxeViolations(page);

  expect(foreign).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });
  test("an essay reads in full", async ({ page }) => {
    await page.goto("/essays/dividends-versus-prices/");
    await expect(page.locator(".prose h2").first()).toBeVisible();
    await expect(page.locator(".prose")).toContainText("rebate");
    // The copy button needs JavaScript, so it stays hidden; the share links still work.
    await expect(page.getByRole("button", { name: "Copy link" })).toHaveCount(0);
    await expect(page.locator('a[data-network="Email"]').first()).toBeVisible();
  });
});
