// The public essay site in a real browser: the reader's journey, share links, search, 404 (no canonical URL),
// accessibility, reading without JavaScript, no request to any other host; the join call only on public essays;
// members-only essays' and strategy pages' JSON-LD as full as a public essay's; each page's own social card;
// printing in dark mode.
import { test, expect, joinAndVerify, uniqueEmail } from "./fixtures";
import { expectNoAxeViolations } from "./axe";
import { SITE_URL } from "@tests/support/test-env";
import type { Page } from "@playwright/test";

const JOIN_CALL = "Find out more: unlock the strategy section";
const PUBLIC_ESSAY = "/essays/the-case-for-small-wards/";
const MEMBERS_ESSAY = "/essays/the-first-hundred-members/";
const STRATEGY_PAGE = "/strategy/forming-and-governing-a-ward/";
/** Canonical and JSON-LD URLs use the build's site (SITE_URL at build time, by default this one). */
const BUILD_SITE = "https://smallism.org";
/** The absolute URL of a page's own social card (src/lib/social-cards.ts): /og/<collection>/<slug>.png. */
const cardUrl = (path: string) => new URL(`/og${path.replace(/\/$/, "")}.png`, BUILD_SITE).href;

/** The page's one JSON-LD block, parsed. */
async function jsonLd(page: Page): Promise<Record<string, unknown>> {
  return JSON.parse((await page.locator('script[type="application/ld+json"]').textContent()) ?? "") as Record<string, unknown>;
}

test("home → essay → share links → related essay → tag page → search → 404", async ({ page }) => {
  const foreign: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(SITE_URL) && !request.url().startsWith("data:")) foreign.push(request.url());
  });

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Local services");
  await expectNoAxeViolations(page);

  await page.getByRole("link", { name: "The case for small wards" }).first().click();
  await expect(page).toHaveURL(new RegExp(`${PUBLIC_ESSAY}$`));
  const title = await page.getByRole("heading", { level: 1 }).innerText();
  await expect(page.locator(".essay-head .meta")).toContainText(/\d+ min read/);
  await expect(page.getByRole("heading", { name: JOIN_CALL })).toBeVisible();
  await expectNoAxeViolations(page);

  // Share links: plain links carrying this essay's canonical URL and title, once, after the essay.
  const canonical = await page.locator('link[rel="canonical"]').getAttribute("href");
  expect(canonical).toBe(new URL(PUBLIC_ESSAY, BUILD_SITE).href);
  const shareBoxes = page.locator("section.share");
  await expect(shareBoxes).toHaveCount(1);
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

  // Not-found pages, static and on demand: noindex, and no canonical URL or og:url naming the missing address.
  for (const path of ["/no-such-page/", "/essays/no-such-essay/", "/strategy/no-such-page/"]) {
    const missing = await page.goto(path);
    expect(missing?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("We could not find that page");
    await expect(page.locator('meta[name="robots"]')).toHaveAttribute("content", "noindex");
    await expect(page.locator('link[rel="canonical"], meta[property="og:url"]'), path).toHaveCount(0);
  }
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

test("the join call: on public essays for visitors, never on members-only essays (gated or read in full)", async ({ page }) => {
  await page.goto(MEMBERS_ESSAY);
  await expect(page.getByRole("heading", { name: "Members read the full essay" })).toBeVisible();
  await expect(page.getByRole("heading", { name: JOIN_CALL })).toHaveCount(0);

  await joinAndVerify(page, uniqueEmail("join-call"), "a long enough pass phrase", MEMBERS_ESSAY);
  await expect(page.locator(".prose")).toBeVisible();
  await expect(page.getByRole("heading", { name: JOIN_CALL })).toHaveCount(0);

  // Public essays are static, one page for everyone: the signed-in hint hides the call from this member
  // (tests/e2e/members-everywhere.spec.ts), and a visitor sees it.
  await page.goto(PUBLIC_ESSAY);
  await expect(page.getByRole("heading", { name: JOIN_CALL })).toBeHidden();
  await page.context().clearCookies();
  await page.goto(PUBLIC_ESSAY);
  await expect(page.getByRole("heading", { name: JOIN_CALL })).toBeVisible();
});

test("members-only essays and strategy pages have JSON-LD as full as a public essay's", async ({ page }) => {
  await page.goto(PUBLIC_ESSAY);
  const open = await jsonLd(page);
  expect(open).toMatchObject({ isAccessibleForFree: true, image: cardUrl(PUBLIC_ESSAY) });

  await page.goto(MEMBERS_ESSAY);
  const members = await jsonLd(page);
  expect(Object.keys(members).sort()).toEqual(Object.keys(open).sort());
  expect(members).toMatchObject({
    "@type": "Article", isAccessibleForFree: false, image: cardUrl(MEMBERS_ESSAY), publisher: open["publisher"],
    mainEntityOfPage: new URL(MEMBERS_ESSAY, BUILD_SITE).href, dateModified: expect.any(String),
  });

  // A strategy page has no publication date or tags, and describes itself by its public summary only.
  await page.goto(STRATEGY_PAGE);
  const strategy = await jsonLd(page);
  expect(Object.keys(strategy).sort()).toEqual(Object.keys(open).filter((key) => key !== "datePublished" && key !== "keywords").sort());
  expect(strategy).toMatchObject({
    description: await page.locator('meta[name="description"]').getAttribute("content"), isAccessibleForFree: false,
    image: cardUrl(STRATEGY_PAGE), publisher: open["publisher"], mainEntityOfPage: new URL(STRATEGY_PAGE, BUILD_SITE).href,
  });
});

test("each essay and strategy page shares its own social card, served as a 1200×630 PNG", async ({ page, request }) => {
  for (const path of [PUBLIC_ESSAY, MEMBERS_ESSAY, STRATEGY_PAGE, "/"]) {
    await page.goto(path);
    const image = await page.locator('meta[property="og:image"]').getAttribute("content");
    expect(image, path).toBe(path === "/" ? new URL("/og/site.png", BUILD_SITE).href : cardUrl(path));
    await expect(page.locator('meta[name="twitter:image"]')).toHaveAttribute("content", image!);
    await expect(page.locator('meta[property="og:image:width"]')).toHaveAttribute("content", "1200");
    await expect(page.locator('meta[property="og:image:height"]')).toHaveAttribute("content", "630");
    const response = await request.get(new URL(image!).pathname);
    expect(response.status(), image!).toBe(200);
    expect(response.headers()["content-type"]).toBe("image/png");
    const png = await response.body();
    expect([png.readUInt32BE(16), png.readUInt32BE(20)], `${image} IHDR size`).toEqual([1200, 630]);
  }
});

test("printing in dark mode uses the light palette", async ({ page }) => {
  await page.goto(PUBLIC_ESSAY);
  // Every colour variable the stylesheet's top-level :root declares, plus color-scheme and body colours, as computed.
  const palette = () => page.evaluate(() => {
    const rules = [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules]);
    const roots = rules.filter((rule): rule is CSSStyleRule => rule instanceof CSSStyleRule && rule.selectorText === ":root");
    const names = roots.flatMap((rule) => [...rule.style].filter((name) => name.startsWith("--")));
    const root = getComputedStyle(document.documentElement);
    const body = getComputedStyle(document.body);
    return {
      ...Object.fromEntries(names.map((name) => [name, root.getPropertyValue(name).trim()])),
      "color-scheme": root.colorScheme, color: body.color, background: body.backgroundColor,
    } as Record<string, string>;
  });
  await page.emulateMedia({ media: "screen", colorScheme: "dark" });
  const screenDark = await palette();
  await page.emulateMedia({ media: "print", colorScheme: "light" });
  const printLight = await palette();
  await page.emulateMedia({ media: "print", colorScheme: "dark" });
  const printDark = await palette();

  expect(Object.keys(printLight).length, "colour variables found").toBeGreaterThan(10);
  expect(screenDark["--paper"], "the screen's dark palette differs (so this test can tell them apart)").not.toBe(printLight["--paper"]);
  expect(printDark).toEqual(printLight);
  expect(printDark).toMatchObject({ "color-scheme": "light", color: "rgb(0, 0, 0)", background: "rgb(255, 255, 255)" });
});
