// Headers of pages the Worker renders, over HTTP against the built site: the security headers (strict CSP without
// unsafe-inline/eval, nosniff, referrer and permissions policies, HSTS, frame denial) on visitor pages, and
// `private, no-store` with `Vary: Cookie` on everything rendered for a signed-in member; GET /logout is 405.
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import type { APIResponse } from "@playwright/test";
import { get, postForm, sessionCookieSet } from "./http";
import { tokenOpensAccount, verifiedMember } from "./members";

const STRATEGY_PAGE = "/strategy/how-members-vote/";

test.describe("headers of rendered pages", () => {
  const EXPECTED: Record<string, RegExp> = {
    "content-security-policy": /default-src 'self'.*frame-ancestors 'none'/,
    "x-content-type-options": /^nosniff$/,
    "referrer-policy": /^(strict-origin-when-cross-origin|no-referrer|same-origin|strict-origin)$/,
    "permissions-policy": /camera=\(\)/,
    "strict-transport-security": /max-age=\d{8,}/,
    "x-frame-options": /^DENY$/,
  };

  function expectSecurityHeaders(response: APIResponse, label: string): void {
    const headers = response.headers();
    for (const [name, pattern] of Object.entries(EXPECTED)) expect(headers[name], `${label} ${name}`).toMatch(pattern);
    expect(headers["content-security-policy"], label).not.toMatch(/unsafe-inline|unsafe-eval/);
  }

  function expectPrivate(response: APIResponse, label: string): void {
    expect(response.headers()["cache-control"], label).toBe("private, no-store");
    expect(response.headers()["vary"] ?? "", label).toMatch(/(^|,\s*)Cookie(\s*,|$)/i);
  }

  test("visitor pages carry the security headers", async ({ request }) => {
    for (const path of ["/login", "/join", "/forgot", "/strategy/", STRATEGY_PAGE, "/essays/the-first-hundred-members/"]) {
      const response = await get(request, path, { ip: uniqueIp() });
      expect(response.status(), path).toBe(200);
      expectSecurityHeaders(response, path);
      expectPrivate(response, path);
    }
  });

  test("everything rendered for a signed-in member is private, no-store and varies on Cookie", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("headers"));
    const caller = { ip: member.ip, token: member.token };
    for (const path of ["/account", "/account/data", "/strategy/", STRATEGY_PAGE, "/essays/the-first-hundred-members/", "/verify"]) {
      const response = await get(request, path, caller);
      expect(response.status(), path).toBe(200);
      expectSecurityHeaders(response, path);
      expectPrivate(response, path);
    }
    // The export is a download with no hash in it.
    const data = await get(request, "/account/data", caller);
    expect(data.headers()["content-disposition"]).toMatch(/^attachment/);
    const json = await data.json();
    expect(json.account.email).toBe(member.email);
    expect(JSON.stringify(json)).not.toMatch(/\$scrypt\$|[0-9a-f]{64}/);
    expect(JSON.stringify(json)).not.toContain(member.token);
    // Redirects and error answers for a member are private too.
    const redirect = await get(request, "/login", caller);
    expect(redirect.status()).toBe(303);
    expectPrivate(redirect, "signed-in GET /login");
    const refused = await postForm(request, "/account", caller, "");
    expect(refused.status()).toBe(400);
    expectPrivate(refused, "refused account post");
  });

  test("GET /logout is 405 (sign-out is POST only) and signs nobody out", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("logout-get"));
    const response = await get(request, "/logout", { ip: member.ip, token: member.token });
    expect(response.status()).toBe(405);
    expect(response.headers()["allow"]).toBe("POST");
    expect(sessionCookieSet(response)).toBeNull();
    expect(await tokenOpensAccount(request, member.token)).toBe(true);
  });
});
