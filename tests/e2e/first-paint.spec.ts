// First paint after one round trip, in a real browser against the built site (src/integrations/inline-first-paint.ts):
// a public essay fetches nothing before it paints (its stylesheet and the signed-in hint are in the HTML) and no
// script file at all (its module scripts are inline too, and still work), the policy the static files' _headers
// gives it lets all of them run with no violation, and the hint still marks a member;
// a page the Worker renders still links the stylesheet, under the Worker's own policy, and is styled alike.
import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";
import { SITE_URL } from "@tests/support/test-env";

const ESSAY = "/essays/customer-ownership-aligns-incentives/";

/** Collects the page's CSP violations (reported before any page script runs). */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) => seen.push(`${event.violatedDirective}: ${event.blockedURI || "inline"}`));
  });
  return () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

/** What the stylesheet sets on the page: the body's background and the headline's font. */
const styled = (page: Page) => page.evaluate(() => ({
  background: getComputedStyle(document.body).backgroundColor,
  headline: getComputedStyle(document.querySelector("h1")!).fontFamily,
}));

test("a public essay paints from its HTML alone, under a strict policy, and is styled", async ({ page }) => {
  const violations = await watchViolations(page);
  const requests: string[] = [];
  page.on("request", (request) => requests.push(`${request.resourceType()} ${new URL(request.url()).pathname}`));
  const response = await page.goto(ESSAY);
  expect(response!.headers()["content-security-policy"]).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
  expect(response!.headers()["content-security-policy"]).not.toMatch(/unsafe-inline/);
  await page.waitForLoadState("load");
  expect(await violations()).toEqual([]);
  expect(requests.filter((request) => request.startsWith("stylesheet "))).toEqual([]);
  expect(requests.some((request) => request.includes("signed-in"))).toBe(false);
  expect(requests.filter((request) => request.startsWith("script "))).toEqual([]);
  const style = await styled(page);
  expect(style.background).not.toBe("rgba(0, 0, 0, 0)");
  expect(style.headline).not.toMatch(/^"?Times/);
});

test("the inline module scripts still enhance the page: the share button appears, Escape closes the phone menu", async ({ page }) => {
  const violations = await watchViolations(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(ESSAY);
  await expect(page.locator("[data-copy-link], [data-native-share]").locator("visible=true")).toHaveCount(1);
  await page.locator(".nav-menu summary").click();
  await expect(page.locator(".nav-menu")).toHaveAttribute("open", "");
  await page.keyboard.press("Escape");
  await expect(page.locator(".nav-menu")).not.toHaveAttribute("open", "");
  expect(await violations()).toEqual([]);
});

test("the inline signed-in hint still marks a member's page", async ({ page, context }) => {
  const violations = await watchViolations(page);
  await context.addCookies([{ name: "smallism_signed_in", value: "1", url: SITE_URL }]);
  await page.goto(ESSAY);
  await expect(page.locator("html")).toHaveClass(/(^|\s)signed-in(\s|$)/);
  expect(await violations()).toEqual([]);
});

test("a page the Worker renders links the same stylesheet and looks alike", async ({ page }) => {
  const violations = await watchViolations(page);
  await page.goto(ESSAY);
  const essay = await styled(page);
  const stylesheets: string[] = [];
  page.on("request", (request) => { if (request.resourceType() === "stylesheet") stylesheets.push(new URL(request.url()).pathname); });
  await page.goto("/join");
  await page.waitForLoadState("load");
  expect(stylesheets).toEqual([expect.stringMatching(/^\/_astro\/global\.[^/]+\.css$/)]);
  expect((await styled(page)).background).toBe(essay.background);
  expect(await violations()).toEqual([]);
});
