// Errors against the built site: a page that throws (here D1 failing mid-page, by renaming a table underneath
// workerd's D1 as fail-closed.spec.ts does, so no test-only route exists in any build) answers the friendly 500 page
// with status 500, the site's security headers and `private, no-store`, for a visitor and a member, for a GET and a
// form post; a server whose D1 was never migrated logs one `page.failed` line without the request's or the error's
// data; and every not-found answer carries the same security headers as other pages.
import { execFileSync } from "node:child_process";
import type { APIResponse } from "@playwright/test";
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { expectNoAxeViolations } from "./axe";
import { get, postForm } from "./http";
import { verifiedMember } from "./members";
import { startExtraServer, EXTRA_URL } from "./extra-server";
import { htmlProblems } from "@tests/support/html-validity";
import { STATE_DIR, TEST_ENV } from "@tests/support/test-env";
import { BASE_SECURITY_HEADERS } from "@functions/http/security-headers";

const RESET_TOKEN = "errorpagetesttokenaaaaaaaaaaaaaa";
const FAILING_GET = `/reset?token=${RESET_TOKEN}`;

function d1(sql: string): void {
  execFileSync("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", STATE_DIR, "--command", sql], { stdio: "pipe" });
}

/** Runs `work` while `table` is missing from the suite's D1, putting it back however `work` ends. */
async function withoutTable(table: string, work: () => Promise<void>): Promise<void> {
  d1(`ALTER TABLE ${table} RENAME TO ${table}_unavailable`);
  try {
    await work();
  } finally {
    d1(`ALTER TABLE ${table}_unavailable RENAME TO ${table}`);
  }
}

/** Every security header of a page, as functions/http/security-headers.ts sets them. */
function expectSecurityHeaders(response: APIResponse, label: string): void {
  const headers = response.headers();
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) expect(headers[name.toLowerCase()], `${label} ${name}`).toBe(value);
  expect(headers["content-security-policy"], label).toMatch(/^default-src 'self'; script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')*; .*frame-ancestors 'none'/);
}

/** The friendly 500 page: status, headers, valid HTML, noindex, a way home, and none of `absent` in it. */
async function expectErrorPage(response: APIResponse, label: string, absent: string[]): Promise<void> {
  expect(response.status(), label).toBe(500);
  expectSecurityHeaders(response, label);
  expect(response.headers()["cache-control"], label).toBe("private, no-store");
  expect(response.headers()["vary"] ?? "", label).toMatch(/(^|,\s*)Cookie(\s*,|$)/i);
  const html = await response.text();
  expect(html, label).toContain("<h1>Something went wrong on our side</h1>");
  expect(html, label).toContain('<meta name="robots" content="noindex">');
  expect(html, label).toContain('href="/"');
  expect(html, label).not.toMatch(/D1_ERROR|SQLITE_|no such table|\bat [^\n]*\.(?:m?js|ts):\d+:\d+/);
  for (const text of absent) expect(html, `${label}: ${text}`).not.toContain(text);
  expect(await htmlProblems(html, label)).toEqual([]);
}

test.describe("a page that throws", () => {
  test("a visitor's GET gets the 500 page with every header, in a browser too (axe finds nothing)", async ({ request, page }) => {
    await withoutTable("password_resets", async () => {
      await expectErrorPage(await get(request, FAILING_GET, { ip: uniqueIp() }), `GET ${FAILING_GET}`, [RESET_TOKEN]);
      const response = await page.goto(FAILING_GET);
      expect(response?.status()).toBe(500);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Something went wrong on our side");
      await expect(page.getByRole("link", { name: "Go to the home page" })).toHaveAttribute("href", "/");
      await expectNoAxeViolations(page);
    });
    // And the page works again once D1 does.
    expect((await get(request, FAILING_GET, { ip: uniqueIp() })).status()).toBe(200);
  });

  test("a form post gets it without echoing what was typed; a member's too, with no member data", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("error-page"));
    const visitorEmail = uniqueEmail("error-join");
    await withoutTable("throttles", async () => {
      const join = await postForm(request, "/join", { ip: uniqueIp() }, { email: visitorEmail, password: "a long enough pass phrase", agree: "yes" });
      await expectErrorPage(join, "POST /join", [visitorEmail]);
      const rename = await postForm(request, "/account", { ip: member.ip, token: member.token }, { action: "name", displayName: "Errorpage Tester" });
      await expectErrorPage(rename, "member POST /account", [member.email, "Errorpage Tester", member.token]);
    });
  });
});

test("an unmigrated D1 logs one page.failed line per failure, without the error's message or the query", async ({ request }) => {
  test.setTimeout(180_000);
  // An extra preview of the same build whose D1 has no tables at all: the state a deploy without migrations leaves.
  const server = await startExtraServer("errors", "preview", { ...TEST_ENV, SITE_URL: EXTRA_URL });
  try {
    const email = uniqueEmail("error-log");
    const response = await request.get(`${EXTRA_URL}${FAILING_GET}&email=${encodeURIComponent(email)}`, { headers: { Cookie: "" } });
    await expectErrorPage(response, "unmigrated GET /reset", [RESET_TOKEN]);
    await expect.poll(() => server.output().match(/"event":"page\.failed"/g)?.length ?? 0).toBe(1);
    const line = server.output().split("\n").find((text) => text.includes('"event":"page.failed"'))!;
    expect(JSON.parse(line.slice(line.indexOf("{")))).toMatchObject({ level: "error", type: "site", method: "GET", path: "/reset", error: "Error" });
    for (const text of [RESET_TOKEN, email, "no such table", "D1_ERROR"]) expect(server.output(), text).not.toContain(text);
  } finally {
    await server.stop();
  }
});

test("not-found answers carry the same security headers as other pages", async ({ request }) => {
  const caller = { ip: uniqueIp() };
  const answers: Array<[string, APIResponse]> = [
    ["GET /no-such-page", await get(request, "/no-such-page", caller)],
    ["POST /no-such-page", await postForm(request, "/no-such-page", caller, { a: "1" })],
    // An upload nobody reads (there is no page) is drained by the Worker, so the next request on the connection works.
    ["POST /no-such-page with 200 kB", await postForm(request, "/no-such-page", caller, { a: "x".repeat(200_000) })],
    ["GET /strategy/no-such-strategy-page/", await get(request, "/strategy/no-such-strategy-page/", caller)],
    ["GET /essays/no-such-essay/", await get(request, "/essays/no-such-essay/", caller)],
  ];
  for (const [label, response] of answers) {
    expect(response.status(), label).toBe(404);
    expectSecurityHeaders(response, label);
    expect(await response.text(), label).toContain("We could not find that page");
  }
});
