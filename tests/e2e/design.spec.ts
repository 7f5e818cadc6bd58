// The design pass in a real browser: the phone header and its menu (with and without JavaScript), an essay's
// opening paragraph on a phone's first screen, share links shown once (native share where the browser has it),
// the feed styled for a person who opens it, message tones (error, notice, success) that differ in light and dark,
// the join checkbox's target size, and clickable links in the dev mailbox.
import { test, expect, joinThroughForm, uniqueEmail } from "./fixtures";
import { latestCode } from "./mailbox";
import { expectNoAxeViolations } from "./axe";
import { SITE_URL } from "@tests/support/test-env";
import type { Page } from "@playwright/test";

const PHONE = { width: 390, height: 844 };
const LONGEST_ESSAY = "/essays/customer-ownership-aligns-incentives/";
const PASSWORD = "a long enough pass phrase";

/** Public essays listed on /essays/ (members-only ones carry a badge and are left out). */
async function publicEssayPaths(page: Page): Promise<string[]> {
  await page.goto("/essays/");
  const cards = page.locator(".essay-card").filter({ hasNot: page.locator(".badge") });
  const paths = await cards.locator("h2 a").evaluateAll((links) => links.map((link) => new URL((link as HTMLAnchorElement).href).pathname));
  expect(paths.length).toBeGreaterThan(3);
  return paths;
}

test.describe("phone header, without JavaScript", () => {
  test.use({ viewport: PHONE, javaScriptEnabled: false });

  test("is one compact row, and its Menu opens and closes the navigation", async ({ page }) => {
    await page.goto("/");
    const header = page.locator(".site-header");
    expect((await header.boundingBox())!.height).toBeLessThanOrEqual(64);
    const nav = page.getByRole("navigation", { name: "Main" });
    const essays = nav.getByRole("link", { name: "Essays" });
    await expect(essays).toBeHidden();

    const menu = nav.locator("summary");
    await expect(menu).toHaveText("Menu");
    await menu.click();
    await expect(essays).toBeVisible();
    for (const name of ["Strategy", "About", "Search", "Donate", "Sign in", "Join"]) await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
    // The open menu overlays the page instead of pushing it down.
    expect((await header.boundingBox())!.height).toBeLessThanOrEqual(64);
    await menu.click();
    await expect(essays).toBeHidden();

    await menu.click();
    await essays.click();
    await expect(page).toHaveURL(/\/essays\/$/);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Essays" })).toBeHidden();
  });
});

test.describe("phone header, with JavaScript", () => {
  test.use({ viewport: PHONE });

  test("Escape or a tap outside closes the menu; Escape returns focus to Menu; axe finds nothing, open or closed", async ({ page }) => {
    await page.goto("/");
    await expectNoAxeViolations(page);
    const nav = page.getByRole("navigation", { name: "Main" });
    const menu = nav.locator("summary");
    const essays = nav.getByRole("link", { name: "Essays" });
    await menu.click();
    await expect(essays).toBeVisible();
    await expectNoAxeViolations(page);
    await page.keyboard.press("Escape");
    await expect(essays).toBeHidden();
    await expect(menu).toBeFocused();

    await menu.click();
    await expect(essays).toBeVisible();
    const list = (await nav.locator(".nav-list").boundingBox())!;
    await page.mouse.click(PHONE.width / 2, list.y + list.height + 40);
    await expect(essays).toBeHidden();
  });
});

test("on a wide screen the navigation is inline, with no Menu button", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.locator("summary")).toBeHidden();
  for (const name of ["Essays", "Strategy", "About", "Search", "Donate", "Sign in", "Join"]) await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
  expect((await page.locator(".site-header").boundingBox())!.height).toBeLessThanOrEqual(72);
});

test.describe("essays on a phone", () => {
  test.use({ viewport: PHONE });

  test("every public essay's opening paragraph starts on the first 390×844 screen, with two lines showing", async ({ page }) => {
    for (const path of await publicEssayPaths(page)) {
      await page.goto(path);
      const opening = page.locator(".prose > p").first();
      const box = (await opening.boundingBox())!;
      const lineHeight = await opening.evaluate((p) => parseFloat(getComputedStyle(p).lineHeight));
      expect(box.y + 2 * lineHeight, `${path}: the opening paragraph's second line ends at ${Math.round(box.y + 2 * lineHeight)} px`).toBeLessThanOrEqual(PHONE.height);
    }
  });

  test("share links come once, in one row, after the essay", async ({ page }) => {
    await page.goto(LONGEST_ESSAY);
    const share = page.locator("section.share");
    await expect(share).toHaveCount(1);
    await expect(page.locator("a[data-network]")).toHaveCount(7);
    const prose = (await page.locator(".prose").boundingBox())!;
    expect((await share.boundingBox())!.y).toBeGreaterThan(prose.y + prose.height);
    const tops = await share.locator("li:visible").evaluateAll((items) => items.map((item) => Math.round(item.getBoundingClientRect().top)));
    expect(tops.length).toBe(8); // seven networks and the copy-link button
    expect(new Set(tops).size, "all share buttons on one row").toBe(1);
    for (const box of await share.locator("li:visible > *").evaluateAll((els) => els.map((el) => el.getBoundingClientRect()))) {
      expect(Math.min(box.width, box.height), "target size").toBeGreaterThanOrEqual(24);
    }
  });
});

test("where the browser has a native share sheet, one Share button opens it with the essay's title and address", async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(navigator, "share", { value: (data: ShareData) => { (window as unknown as { shared: ShareData }).shared = data; return Promise.resolve(); } });
  });
  await page.goto(LONGEST_ESSAY);
  const share = page.locator("section.share");
  await expect(share.getByRole("button", { name: "Copy link" })).toBeHidden();
  await share.getByRole("button", { name: "Share…" }).click();
  const shared = await page.evaluate(() => (window as unknown as { shared: ShareData }).shared);
  expect(shared).toEqual({
    title: await page.getByRole("heading", { level: 1 }).innerText(),
    url: await page.locator('link[rel="canonical"]').getAttribute("href"),
  });
});

test("the feed opened in a browser is styled by the site's stylesheet and links to /feed/", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || /XSLT|Content Security Policy/i.test(message.text())) problems.push(`${page.url()}: ${message.text()} (${message.location().url})`);
  });
  const response = await page.goto("/rss.xml");
  expect(response?.headers()["content-type"]).toMatch(/xml/);
  expect(await page.evaluate(() => document.documentElement.nodeName)).toBe("rss");
  const style = await page.evaluate(() => {
    const title = document.querySelector("channel > title")!;
    const item = document.querySelector("item")!;
    const encoded = item.getElementsByTagNameNS("http://purl.org/rss/1.0/modules/content/", "encoded")[0]!;
    return { titleSize: parseFloat(getComputedStyle(title).fontSize), itemDisplay: getComputedStyle(item).display, encodedDisplay: getComputedStyle(encoded).display };
  });
  expect(style.titleSize, "the channel title is set as a heading").toBeGreaterThan(28);
  expect(style).toMatchObject({ itemDisplay: "flex", encodedDisplay: "none" });
  // An XML document has no accessibility roles to query by; the note's links are XHTML <a> elements.
  const guide = page.locator("a", { hasText: "How to follow Smallism by RSS" });
  await expect(guide).toBeVisible();
  // Feed links are absolute on the build's site (https://smallism.org here), so the test follows the path.
  const href = new URL((await guide.getAttribute("href"))!);
  expect(href.pathname).toBe("/feed/");
  await page.goto(href.pathname);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Follow Smallism by RSS");
  await expect(page.locator(".feed-address")).toHaveText(/^https?:\/\/[^/]+\/rss\.xml$/);
  await expectNoAxeViolations(page);
  expect(problems).toEqual([]);
});

test("errors, notices and confirmations look different from each other, in light and dark", async ({ page }) => {
  type Tone = { background: string; border: string };
  const tone = (selector: string) => page.locator(selector).first().evaluate((el): Tone => {
    const style = getComputedStyle(el);
    return { background: style.backgroundColor, border: style.borderLeftColor };
  });
  const rgb = (colour: string) => colour.match(/\d+/g)!.slice(0, 3).map(Number) as [number, number, number];
  const email = uniqueEmail("tones");
  const tones: Record<string, Record<string, Tone>> = { light: {}, dark: {} };

  await page.goto("/join");
  await page.getByRole("button", { name: "Create account" }).click();
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    tones[scheme]!.error = await tone(".notice.error");
  }
  await page.emulateMedia({ colorScheme: "light" });
  await joinThroughForm(page, email, PASSWORD, "/account");
  await page.goto("/account");
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    tones[scheme]!.notice = await tone(".notice:not(.error):not(.success)");
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/verify?next=/account");
  await page.getByLabel("Verification code").fill(await latestCode(page.request, email));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.getByRole("button", { name: "Save name" }).click();
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    tones[scheme]!.success = await tone(".notice.success");
    await expectNoAxeViolations(page);
  }

  for (const scheme of ["light", "dark"] as const) {
    const { error, notice, success } = tones[scheme]!;
    expect(new Set([error!.background, notice!.background, success!.background]).size, `${scheme}: three different tints`).toBe(3);
    expect(new Set([error!.border, notice!.border, success!.border]).size, `${scheme}: three different borders`).toBe(3);
    const [r, g, b] = rgb(error!.border);
    expect(r, `${scheme}: the error border is red (${error!.border})`).toBeGreaterThan(Math.max(g, b) + 60);
    const [nr, , nb] = rgb(notice!.border);
    expect(nb, `${scheme}: the notice border is blue (${notice!.border})`).toBeGreaterThan(nr);
  }
});

test("the join checkbox is at least 24 px and its label ticks it", async ({ page }) => {
  await page.goto("/join");
  const box = (await page.locator("#field-agree").boundingBox())!;
  expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(24);
  await page.getByText("I agree to how Smallism stores my data").click();
  await expect(page.locator("#field-agree")).toBeChecked();
});

test("web addresses in the dev mailbox are links", async ({ page }) => {
  const email = uniqueEmail("mailbox-links");
  await joinThroughForm(page, email, PASSWORD);
  await page.goto(`/dev/mailbox?to=${encodeURIComponent(email)}`);
  const link = page.locator(".mail-text a").first();
  await expect(link).toHaveAttribute("href", `${SITE_URL}/verify`);
  await expect(link).toHaveText(`${SITE_URL}/verify`);
  await expect(page.locator(".mail-text").first()).toContainText(`Enter it at ${SITE_URL}/verify within`);
  await link.click();
  await expect(page).toHaveURL(/\/verify$/);
});
