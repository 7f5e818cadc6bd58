// The search page when its index cannot load (built site): it says so, links to the essay list instead, and never
// stays on "Searching…" — whether Pagefind's script fails, or never answers; and it searches again once it can.
import { test, expect } from "./fixtures";
import { expectNoAxeViolations } from "./axe";
import type { Page } from "@playwright/test";

const UNAVAILABLE = /Search is not working just now/;

async function search(page: Page, words: string): Promise<void> {
  await page.getByLabel("Words to find").fill(words);
  await page.getByRole("button", { name: "Search" }).click();
}

test("when /pagefind/pagefind.js fails, the page says so and links to the essays", async ({ page }) => {
  await page.route("**/pagefind/pagefind.js*", (route) => route.fulfill({ status: 404, contentType: "text/plain", body: "Not found" }));
  await page.goto("/search/");
  await search(page, "neighbourliness");
  const problem = page.getByRole("alert");
  await expect(problem).toHaveText(UNAVAILABLE);
  await expect(page.getByRole("status")).not.toHaveText(/Searching/);
  await expect(page.locator(".search-results li")).toHaveCount(0);
  await expectNoAxeViolations(page);
  await problem.getByRole("link", { name: "all essays" }).click();
  await expect(page).toHaveURL(/\/essays\/$/);
});

test("a search from a ?q= link shows the same message, once, and searches again when the index is back", async ({ page }) => {
  await page.route("**/pagefind/pagefind.js*", (route) => route.fulfill({ status: 503, body: "" }));
  await page.goto("/search/?q=neighbourliness");
  await expect(page.getByRole("alert")).toHaveText(UNAVAILABLE);
  await search(page, "neighbourliness");
  await expect(page.getByRole("alert")).toHaveCount(1);
  await page.unrouteAll();
  await search(page, "neighbourliness");
  await expect(page.locator(".search-results a").first()).toHaveText("The case for small wards");
  await expect(page.getByRole("alert")).toHaveCount(0);
});

test("an index that never answers ends in the message, not an endless Searching…", async ({ page }) => {
  await page.clock.install();
  // Never answered: the request stays open until the page closes.
  await page.route("**/pagefind/pagefind.js*", () => {});
  await page.goto("/search/");
  await search(page, "neighbourliness");
  await expect(page.getByRole("status")).toHaveText("Searching…");
  await page.clock.fastForward(16_000);
  await expect(page.getByRole("alert")).toHaveText(UNAVAILABLE);
  await expect(page.getByRole("status")).toHaveText("");
});
