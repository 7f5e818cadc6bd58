// `npm run dev` renders as production does: every page, on demand or prerendered, for a visitor and for a member, is
// styled and breaks no Content-Security-Policy rule, Vite's HMR client included; and the dev server's policy differs
// from production's only by the inline styles Vite injects. Runs against `astro dev` (playwright.dev.config.ts).
import { test, expect, joinAndVerify, uniqueEmail } from "@tests/e2e/fixtures";
import { contentSecurityPolicy } from "@functions/http/security-headers";
import { expectDevPageHealthy, expectStyled, watchPage } from "./helpers";

const STRATEGY_PAGE = "/strategy/forming-and-governing-a-ward/";
const MEMBERS_ESSAY = "/essays/the-first-hundred-members/";

// [path, where a visitor lands]: on-demand pages first, then prerendered ones.
const VISITOR_PAGES: Array<[string, RegExp]> = [
  ["/join", /\/join$/], ["/login", /\/login$/], ["/verify", /\/login/], ["/forgot", /\/forgot$/], ["/reset", /\/reset$/],
  ["/account", /\/login/], ["/donate", /\/donate$/], ["/donate/thanks", /\/donate\/thanks$/], ["/strategy/", /\/strategy\/$/],
  [STRATEGY_PAGE, /\/strategy\/forming/], [MEMBERS_ESSAY, /\/essays\/the-first/], ["/dev/mailbox", /\/dev\/mailbox$/],
  ["/", /\/$/], ["/essays/", /\/essays\/$/], ["/essays/the-case-for-small-wards/", /small-wards\/$/], ["/tags/", /\/tags\/$/],
  ["/about/", /\/about\/$/], ["/search/", /\/search\/$/], ["/no-such-page/", /\/no-such-page\/$/],
];

for (const [path, landing] of VISITOR_PAGES) {
  test(`${path} is styled and breaks no CSP rule`, async ({ page }) => {
    const watch = await watchPage(page);
    await page.goto(path);
    await expect(page).toHaveURL(landing);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectStyled(page, path);
    await expectDevPageHealthy(watch, path);
  });
}

test("a member's pages (account, a full strategy page, a members-only essay) are styled and break no CSP rule", async ({ page }) => {
  const watch = await watchPage(page);
  await joinAndVerify(page, uniqueEmail("dev-member"), "a long enough pass phrase", "/account");
  for (const path of ["/account", STRATEGY_PAGE, MEMBERS_ESSAY]) {
    await page.goto(path);
    await expect(page.locator(path === "/account" ? "h1" : ".prose").first()).toBeVisible();
    await expectStyled(page, path);
  }
  await expectDevPageHealthy(watch, "member pages");
});

test("the dev server's policy is production's plus inline styles, and nothing else", async ({ request }) => {
  const directives = (policy: string | undefined) => (policy ?? "").split(";").map((part) => part.trim()).filter(Boolean);
  const devStyles = "style-src 'self' 'unsafe-inline'";
  for (const [path, production] of [
    ["/login", contentSecurityPolicy(["https://checkout.stripe.com", "https://billing.stripe.com"])],
    ["/", contentSecurityPolicy()],
    ["/search/", contentSecurityPolicy([], { wasm: true })],
    ["/pagefind/pagefind.js", contentSecurityPolicy([], { wasm: true })],
  ] as const) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
    const served = directives(response.headers()["content-security-policy"]);
    const expected = directives(production).map((directive) => (directive === "style-src 'self'" && path !== "/pagefind/pagefind.js" ? devStyles : directive));
    expect(served, path).toEqual(expected);
    expect(response.headers()["x-frame-options"], path).toBe("DENY");
  }
});
