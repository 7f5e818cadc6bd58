// The Origin check over HTTP against the built site (no browser): form and JSON posts from another site, with no
// Origin or with "Origin: null" are refused with 403 before any work, start no session and change nothing; the
// same posts from the site itself go through.
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import type { APIResponse } from "@playwright/test";
import { SITE_URL } from "@tests/support/test-env";
import { postForm, postJson, sessionCookieSet } from "./http";
import { displayNameOnAccount, signInHttp, tokenOpensAccount, verifiedMember } from "./members";
import { expectClean4xx } from "./refusals";

test.describe("the Origin check", () => {
  test("POST /login: cross-site form, cross-site JSON, missing and null Origin → 403 and no session; same-site → 303", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("origin"));
    const credentials = { email: member.email, password: member.password };
    const hostile: Array<[string, () => Promise<APIResponse>]> = [
      ["cross-site form", () => postForm(request, "/login", { ip: uniqueIp(), origin: "https://evil.example" }, credentials)],
      ["cross-site JSON", () => postJson(request, "/login", { ip: uniqueIp(), origin: "https://evil.example" }, credentials)],
      ["cross-site, lookalike origin", () => postForm(request, "/login", { ip: uniqueIp(), origin: `${SITE_URL}.evil.example` }, credentials)],
      ["same host, other scheme", () => postForm(request, "/login", { ip: uniqueIp(), origin: SITE_URL.replace("http:", "https:") }, credentials)],
      ["missing Origin", () => postForm(request, "/login", { ip: uniqueIp(), origin: null }, credentials)],
      ["Origin: null", () => postForm(request, "/login", { ip: uniqueIp(), origin: "null" }, credentials)],
    ];
    for (const [label, send] of hostile) {
      const response = await send();
      expect(response.status(), label).toBe(403);
      expect(sessionCookieSet(response), label).toBeNull();
      expect(response.headers()["location"], label).toBeUndefined();
      expect(response.headers()["cache-control"], label).toBe("private, no-store");
    }
    const sameSite = await postForm(request, "/login", { ip: uniqueIp() }, credentials);
    expect(sameSite.status()).toBe(303);
    expect(sessionCookieSet(sameSite)).not.toBeNull();
  });

  test("POST /account (JSON and form): cross-site, missing and null Origin → 403 and nothing changes; same-site → not 403", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("origin-acct"));
    const caller = (origin: string | null) => ({ ip: member.ip, token: member.token, origin });
    const rename = { action: "name", displayName: "Renamed by evil" };
    const destroy = { action: "delete", deletePassword: member.password };
    const attempts: Array<[string, () => Promise<APIResponse>]> = [
      ["cross-site JSON", () => postJson(request, "/account", caller("https://evil.example"), rename)],
      ["cross-site JSON delete", () => postJson(request, "/account", caller("https://evil.example"), destroy)],
      ["cross-site form delete", () => postForm(request, "/account", caller("https://evil.example"), destroy)],
      ["missing Origin, JSON", () => postJson(request, "/account", caller(null), rename)],
      ["missing Origin, form delete", () => postForm(request, "/account", caller(null), destroy)],
      ["Origin: null, JSON", () => postJson(request, "/account", caller("null"), rename)],
      ["Origin: null, form delete", () => postForm(request, "/account", caller("null"), destroy)],
      ["cross-site sign-out", () => postForm(request, "/logout", caller("https://evil.example"), {})],
      ["cross-site text/plain", () => postForm(request, "/account", caller("https://evil.example"), "action=delete&deletePassword=x", "text/plain")],
    ];
    for (const [label, send] of attempts) expect((await send()).status(), label).toBe(403);
    expect(await tokenOpensAccount(request, member.token)).toBe(true);
    expect(await displayNameOnAccount(request, member)).toBeNull();
    expect((await signInHttp(request, member.email, member.password, { ip: uniqueIp() })).status()).toBe(303);

    // Same-site JSON passes the Origin check; the form handler then refuses JSON (415), still changing nothing.
    const sameSiteJson = await postJson(request, "/account", caller(SITE_URL), rename);
    expect(sameSiteJson.status()).not.toBe(403);
    await expectClean4xx(sameSiteJson, "same-site JSON");
    expect(await displayNameOnAccount(request, member)).toBeNull();
    // Same-site form works.
    const sameSiteForm = await postForm(request, "/account", caller(SITE_URL), { action: "name", displayName: "Ada" });
    expect(sameSiteForm.status()).toBe(303);
    expect(await displayNameOnAccount(request, member)).toBe("Ada");
  });
});
