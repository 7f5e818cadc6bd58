// Search works under `npm run dev` and seals member text as the build does: the dev server's Pagefind index
// (src/integrations/dev-search-index.ts) finds public essays, drafts included, and never a strategy page or a
// members-only essay. Runs against `astro dev` (playwright.dev.config.ts).
import { test, expect, type Page } from "@playwright/test";
import { mdxSentences } from "@tests/support/mdx";
import { wordKey } from "@tests/support/text";
import { DEV_PUBLIC_ESSAYS, MEMBER_PAGES, expectDevPageHealthy, memberOnlySentence, publicSentence, watchPage } from "./helpers";

// The first request for the index waits while the dev server builds it (every prerendered page rendered once): let
// that happen here, so the tests below time the search, not a cold dev server.
test.beforeAll(async ({ request }) => {
  const entry = await request.get("/pagefind/pagefind-entry.json", { timeout: 90_000 });
  expect(entry.status()).toBe(200);
});

/**
 * Searches through the form and waits for the answer. On a cold dev server the page's script can still be loading
 * when the button is pressed: the form then submits natively (GET /search/?q=…) and the script runs the search from
 * the query once it loads. Either way the answer must come, so the wait covers both.
 */
async function search(page: Page, words: string): Promise<void> {
  await page.getByLabel("Words to find").fill(words);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("status")).toHaveText(/match/, { timeout: 30_000 });
}

test("a sentence of a public essay finds that essay, with no CSP error", async ({ page }) => {
  const watch = await watchPage(page);
  const { sentence, title } = publicSentence();
  await page.goto("/search/");
  await search(page, sentence);
  await expect(page.locator(".search-results a").first()).toHaveText(title);
  await expectDevPageHealthy(watch, "/search/");
});

test("a sentence of each strategy page and members-only essay finds nothing", async ({ page }) => {
  await page.goto("/search/");
  for (const { path, file } of MEMBER_PAGES) {
    await search(page, memberOnlySentence(file));
    await expect(page.getByRole("status"), path).toHaveText(/^No essays match/);
    await expect(page.locator(".search-results li"), path).toHaveCount(0);
  }
});

test("the index holds exactly the public essays (drafts too), and no member sentence", async ({ page }) => {
  await page.goto("/search/");
  const indexed = await page.evaluate(async () => {
    const bundle = "/pagefind/pagefind.js";
    const pagefind = (await import(/* @vite-ignore */ bundle)) as { search: (term: null) => Promise<{ results: Array<{ data: () => Promise<{ url: string; content: string }> }> }> };
    const { results } = await pagefind.search(null);
    return Promise.all(results.map(async (result) => result.data()));
  });
  expect(indexed.map((entry) => entry.url).sort()).toEqual(DEV_PUBLIC_ESSAYS.map((essay) => `/essays/${essay.slug}/`).sort());
  const text = indexed.map((entry) => ` ${wordKey(entry.content)} `).join("\n");
  const leaks = MEMBER_PAGES.flatMap(({ path, file }) =>
    mdxSentences(file.body).filter((sentence) => text.includes(` ${wordKey(sentence)} `)).map((sentence) => `${path}: ${sentence}`));
  expect(leaks).toEqual([]);
  // Positive control: the index text is comparable with content sentences.
  expect(text).toContain(` ${wordKey(publicSentence().sentence)} `);
});
