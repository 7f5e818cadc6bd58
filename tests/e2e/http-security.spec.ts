// HTTP-level security of the account endpoints against the built site (no browser): the Origin check for form and
// JSON posts, `next=` never becoming an open redirect, hostile input on every account form (4xx with the problem
// named, nothing written, never a 500), the exact session cookie and what replaying an old one gets, durable
// throttles with Retry-After, and the security and caching headers of rendered pages.
import { test, expect, uniqueEmail } from "./fixtures";
import type { APIRequestContext, APIResponse, PlaywrightWorkerArgs } from "@playwright/test";

type Playwright = PlaywrightWorkerArgs["playwright"];
import { SITE_URL } from "@tests/support/test-env";
import { uniqueIp } from "./fixtures";
import { DRAIN_LIMIT } from "@functions/http/request-body";
import {
  codeFor, forgedToken, get, joinHttp, mailTo, postForm, postJson, resetTokenFor, sessionCookieSet, setCookies, signInHttp, waitForMail,
  tokenOpensAccount, verifiedMember, type Member,
} from "./account-helpers";

const STRATEGY_PAGE = "/strategy/how-members-vote/";

/** Fails unless the response is a 4xx that is neither a crash nor a stack trace. */
async function expectClean4xx(response: APIResponse, label: string): Promise<string> {
  const body = await response.text();
  expect(response.status(), `${label}: ${body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(response.status(), label).toBeLessThan(500);
  expect(body, label).not.toMatch(/\bat [^\n]*\.(?:m?js|ts):\d+:\d+/);
  expect(body, label).not.toMatch(/D1_ERROR|SQLITE_|TypeError|ReferenceError/);
  return body;
}

/** The HTML with every double-quoted attribute value removed: what is left is what a browser parses as markup. */
function markupOnly(html: string): string {
  return html.replace(/="[^"]*"/g, '=""');
}

/** The display name shown on /account for `member` (null when none). */
async function displayNameOnAccount(request: APIRequestContext, member: Member): Promise<string | null> {
  const response = await get(request, "/account", { ip: member.ip, token: member.token });
  expect(response.status()).toBe(200);
  const html = await response.text();
  const value = /<input id="field-displayName" name="displayName"[^>]*value="([^"]*)"/.exec(html)?.[1];
  return value === undefined || value === "" ? null : value;
}

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

test.describe("next= after sign-in", () => {
  test("hostile values send the member to / ; a same-site path is kept", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("next"));
    const hostile: Array<[string, string]> = [
      ["absolute URL", "next=https%3A%2F%2Fevil.example"],
      ["protocol-relative", "next=%2F%2Fevil.example"],
      ["backslash", "next=%2F%5Cevil.example"],
      ["javascript:", "next=javascript%3Aalert(1)"],
      ["double-encoded slashes", "next=%252F%252Fevil.example"],
      ["tab inside //", "next=%2F%09%2Fevil.example"],
    ];
    for (const [label, nextPart] of hostile) {
      const body = `email=${encodeURIComponent(member.email)}&password=${encodeURIComponent(member.password)}&${nextPart}`;
      const response = await postForm(request, `/login?${nextPart}`, { ip: uniqueIp() }, body);
      expect(response.status(), label).toBe(303);
      expect(response.headers().location, label).toBe("/");
      expect(sessionCookieSet(response), label).not.toBeNull();
    }
    const kept = await signInHttp(request, member.email, member.password, { ip: uniqueIp() }, STRATEGY_PAGE);
    expect(kept.status()).toBe(303);
    expect(kept.headers().location).toBe(STRATEGY_PAGE);
    const withQuery = await signInHttp(request, member.email, member.password, { ip: uniqueIp() }, "/strategy/?section=wards");
    expect(withQuery.headers().location).toBe("/strategy/?section=wards");
  });

  test("the sign-in form never carries a hostile next, and a signed-in GET /login?next= stays on site", async ({ request }) => {
    for (const next of ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"]) {
      const page = await get(request, `/login?next=${encodeURIComponent(next)}`, { ip: uniqueIp() });
      const html = await page.text();
      expect(html, next).toContain('<input type="hidden" name="next" value="/">');
      expect(html, next).not.toContain("evil.example");
    }
    const member = await verifiedMember(request, uniqueEmail("next-get"));
    const redirect = await get(request, `/login?next=${encodeURIComponent("//evil.example")}`, { ip: member.ip, token: member.token });
    expect(redirect.status()).toBe(303);
    expect(redirect.headers().location).toBe("/");
  });

  test("join and verify apply the same rule to next", async ({ request }) => {
    const email = uniqueEmail("next-join");
    const ip = uniqueIp();
    const join = await postForm(request, "/join", { ip }, { email, password: "a long enough pass phrase", agree: "yes", next: "//evil.example" });
    expect(join.status()).toBe(303);
    expect(join.headers().location).toBe("/verify?next=%2Fstrategy%2F");
    const token = sessionCookieSet(join)!.value;
    const verify = await postForm(request, "/verify", { ip, token }, { action: "verify", code: await codeFor(request, email), next: "https://evil.example/x" });
    expect(verify.status()).toBe(303);
    expect(verify.headers().location).toBe("/account");
  });
});

test.describe("hostile input on every account form", () => {
  const SCRIPT = "<script>alert(1)</script>";
  const MEGABYTE = "a".repeat(1024 * 1024);

  const SIXTY_FOUR_KB = "b".repeat(64 * 1024);

  interface Reply { status: number; headers: Record<string, string>; body: string; cookie: string | null }

  async function toReply(response: APIResponse): Promise<Reply> {
    return { status: response.status(), headers: response.headers(), body: await response.text(), cookie: sessionCookieSet(response)?.value ?? null };
  }

  /**
   * Posts a form. Bodies over DRAIN_LIMIT (1 MiB), which the site cuts off rather than drains, go on a fresh
   * connection each, as a client must expect after a cut-off upload (postForm re-sends what the local proxy drops then).
   */
  async function submit(
    playwright: Playwright, request: APIRequestContext, path: string, caller: Parameters<typeof postForm>[2],
    body: Parameters<typeof postForm>[3], contentType?: string,
  ): Promise<Reply> {
    const size = typeof body === "string" ? body.length : (Array.isArray(body) ? body : Object.entries(body)).reduce((n, [k, v]) => n + k.length + v.length, 0);
    if (size <= DRAIN_LIMIT) return toReply(await postForm(request, path, caller, body, contentType));
    const isolated = await playwright.request.newContext();
    try {
      return await toReply(await postForm(isolated, path, caller, body, contentType));
    } finally {
      await isolated.dispose();
    }
  }

  /** Asserts a hostile post answered a clean 4xx naming a problem, without the payload as live markup. */
  async function expectRefused(reply: Reply, label: string, expectedStatus?: number | number[]): Promise<void> {
    const { body } = reply;
    expect(reply.status, `${label}: ${body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
    expect(reply.status, label).toBeLessThan(500);
    expect(body, label).not.toMatch(/\bat [^\n]*\.(?:m?js|ts):\d+:\d+/);
    expect(body, label).not.toMatch(/D1_ERROR|SQLITE_|TypeError|ReferenceError/);
    if (expectedStatus !== undefined) expect([expectedStatus].flat(), label).toContain(reply.status);
    expect(reply.cookie, label).toBeNull();
    expect(reply.headers["location"], label).toBeUndefined();
    // It is the site's own page (security headers on), and the problem is named: a form alert or a field message.
    expect(reply.headers["x-frame-options"], label).toBe("DENY");
    expect(body, label).toMatch(/role="alert"|class="field-error"/);
    expect(markupOnly(body), label).not.toContain(SCRIPT);
    expect(markupOnly(body), label).not.toContain("<script>alert");
  }

  test("/join: nothing is created, no mail is sent", async ({ request, playwright }) => {
    const cases: Array<[string, (email: string) => string | Array<[string, string]>, (number | number[])?]> = [
      ["empty body", () => "", 400],
      ["1 MB body", (email) => [["email", email], ["password", "a long enough pass phrase"], ["agree", "yes"], ["displayName", MEGABYTE]], 413],
      ["64 kB body", (email) => [["email", email], ["password", "a long enough pass phrase"], ["agree", "yes"], ["displayName", SIXTY_FOUR_KB]], 413],
      ["control character in the email", (email) => [["email", `${email}\u0007`], ["password", "a long enough pass phrase"], ["agree", "yes"]], 400],
      ["NUL in the display name", (email) => [["email", email], ["password", "a long enough pass phrase"], ["agree", "yes"], ["displayName", "Ada\u0000"]], 400],
      ["SQL in the email", (email) => [["email", `${email}' OR 1=1 --`], ["password", "a long enough pass phrase"], ["agree", "yes"]], 400],
      ["HTML in the email", (email) => [["email", `${SCRIPT}${email}`], ["password", "a long enough pass phrase"], ["agree", "yes"]], 400],
      ["HTML in the display name (no agreement)", (email) => [["email", email], ["password", "a long enough pass phrase"], ["displayName", `"${SCRIPT}`]], 400],
      ["two emails in one field", (email) => [["email", `${email}, b@x.org`], ["password", "a long enough pass phrase"], ["agree", "yes"]], 400],
      ["an extra field", (email) => [["email", email], ["password", "a long enough pass phrase"], ["agree", "yes"], ["isAdmin", "1"]], 400],
      ["a repeated field", (email) => [["email", email], ["email", uniqueEmail("second")], ["password", "a long enough pass phrase"], ["agree", "yes"]], 400],
      ["a repeated password", (email) => [["email", email], ["password", "a long enough pass phrase"], ["password", "x"], ["agree", "yes"]], 400],
      ["a JSON body", (email) => JSON.stringify({ email, password: "a long enough pass phrase", agree: "yes" }), 415],
    ];
    for (const [label, build, status] of cases) {
      const email = uniqueEmail("hostile-join");
      const body = build(email);
      const contentType = label === "a JSON body" ? "application/json" : undefined;
      await expectRefused(await submit(playwright, request, "/join", { ip: uniqueIp() }, body, contentType), `/join ${label}`, status);
      expect(await mailTo(request, email), label).toEqual([]);
      expect((await signInHttp(request, email, "a long enough pass phrase", { ip: uniqueIp() })).status(), label).toBe(400);
    }
  });

  test("/join: an address over 254 characters is refused, not cut down to one that would work", async ({ request }) => {
    const local = uniqueEmail("long").split("@")[0]!;
    const fits = `${local}@${"d".repeat(254 - local.length - 5)}.org`;
    expect(fits).toHaveLength(254);
    const response = await postForm(request, "/join", { ip: uniqueIp() }, [["email", `${fits}.uk`], ["password", "a long enough pass phrase"], ["agree", "yes"]]);
    const body = await expectClean4xx(response, "overlong email");
    expect(body).toContain('id="field-email-error"');
    expect(await mailTo(request, fits)).toEqual([]);
  });

  test("/join: an empty form names both the email and the password problems", async ({ request }) => {
    const response = await postForm(request, "/join", { ip: uniqueIp() }, "");
    const body = await expectClean4xx(response, "empty join");
    expect(body).toContain('id="field-email-error"');
    expect(body).toContain('id="field-password-error"');
  });

  test("/login: no session is started", async ({ request, playwright }) => {
    const member = await verifiedMember(request, uniqueEmail("hostile-login"));
    const cases: Array<[string, string | Array<[string, string]>, (number | number[])?]> = [
      // An empty email is one throttle key for every run against this database: 429 once it is used up.
      ["empty body", "", [400, 429]],
      ["1 MB body", [["email", member.email], ["password", member.password], ["next", MEGABYTE]], 413],
      ["64 kB body", [["email", member.email], ["password", member.password], ["next", SIXTY_FOUR_KB]], 413],
      ["control characters", [["email", `${member.email}\u0000`], ["password", member.password]], 400],
      ["SQL in both fields", [["email", `' OR 1=1 -- ${crypto.randomUUID()}`], ["password", "' OR 1=1 --"]], 400],
      ["SQL as the password of a real member", [["email", member.email], ["password", "' OR '1'='1"]], 400],
      ["HTML in the email", [["email", `${SCRIPT}${crypto.randomUUID()}`], ["password", member.password]], 400],
      ["two emails in one field", [["email", `${member.email}, b@x.org`], ["password", member.password]], 400],
      ["an extra field", [["email", member.email], ["password", member.password], ["isAdmin", "1"]], 400],
      ["a repeated field", [["email", "nobody@example.org"], ["email", member.email], ["password", member.password]], 400],
      ["a 10 kB password", [["email", member.email], ["password", "p".repeat(10_000)]], 400],
    ];
    for (const [label, body, status] of cases) {
      await expectRefused(await submit(playwright, request, "/login", { ip: uniqueIp() }, body), `/login ${label}`, status);
    }
    // The member's account is untouched and still signs in.
    expect((await signInHttp(request, member.email, member.password, { ip: uniqueIp() })).status()).toBe(303);
  });

  test("/verify: the member stays unverified and the code keeps working", async ({ request, playwright }) => {
    const member = await joinHttp(request, uniqueEmail("hostile-verify"));
    const caller = { ip: member.ip, token: member.token };
    const cases: Array<[string, string | Array<[string, string]>, (number | number[])?]> = [
      ["empty body", "", 400],
      ["1 MB body", [["action", "verify"], ["code", MEGABYTE]], 413],
      ["64 kB body", [["action", "verify"], ["code", SIXTY_FOUR_KB]], 413],
      ["control characters", [["action", "verify"], ["code", "ABCD\u0000EFGH"]], 400],
      ["SQL as the code", [["action", "verify"], ["code", "' OR 1=1 --"]], 400],
      ["HTML as the code", [["action", "verify"], ["code", SCRIPT]], 400],
      ["an extra field", [["action", "verify"], ["code", "ABCDEFGH"], ["isAdmin", "1"]], 400],
      ["a repeated field", [["action", "verify"], ["code", "ABCDEFGH"], ["code", "HGFEDCBA"]], 400],
      ["a repeated action (resend smuggled in)", [["action", "verify"], ["action", "resend"]], 400],
    ];
    for (const [label, body, status] of cases) {
      await expectRefused(await submit(playwright, request, "/verify", caller, body), `/verify ${label}`, status);
    }
    expect(await mailTo(request, member.email)).toHaveLength(1); // no resend happened
    const account = await (await get(request, "/account", caller)).text();
    expect(account).toContain("not verified yet");
    const right = await postForm(request, "/verify", caller, { action: "verify", code: await codeFor(request, member.email) });
    expect(right.status()).toBe(303);
  });

  test("/forgot: no reset mail is sent", async ({ request, playwright }) => {
    const member = await verifiedMember(request, uniqueEmail("hostile-forgot"));
    const cases: Array<[string, string | Array<[string, string]>, (number | number[])?]> = [
      ["empty body", "", [400, 429]], // one throttle key ("") for every run against this database
      ["1 MB body", [["email", member.email + MEGABYTE]], 413],
      ["64 kB body", [["email", member.email + SIXTY_FOUR_KB]], 413],
      ["control characters", [["email", `${member.email}\u0008`]], 400],
      ["SQL in the email", [["email", `${member.email}' OR 1=1 --`]], 400],
      ["HTML in the email", [["email", `${SCRIPT}${member.email}`]], 400],
      ["two emails in one field", [["email", `${member.email}, b@x.org`]], 400],
      ["an extra field", [["email", member.email], ["isAdmin", "1"]], 400],
      ["a repeated field", [["email", "nobody@example.org"], ["email", member.email]], 400],
    ];
    for (const [label, body, status] of cases) {
      await expectRefused(await submit(playwright, request, "/forgot", { ip: uniqueIp() }, body), `/forgot ${label}`, status);
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // reset mail goes out after the answer
    const mail = await mailTo(request, member.email);
    expect(mail.filter((text) => text.includes("/reset?token="))).toEqual([]);
    expect(await mailTo(request, "b@x.org")).toEqual([]);
  });

  test("/reset: the password stays, the link stays live", async ({ request, playwright }) => {
    const member = await verifiedMember(request, uniqueEmail("hostile-reset"));
    expect((await postForm(request, "/forgot", { ip: uniqueIp() }, { email: member.email })).status()).toBe(200);
    const token = await resetTokenFor(request, member.email);
    const newPassword = "a brand new pass phrase";
    const cases: Array<[string, string | Array<[string, string]>, (number | number[])?]> = [
      ["empty body", "", 400],
      ["1 MB body", [["token", token], ["password", newPassword + MEGABYTE]], 413],
      ["64 kB body", [["token", token], ["password", newPassword + SIXTY_FOUR_KB]], 413],
      ["control characters in the password", [["token", token], ["password", `${newPassword}\u0000`]], 400],
      ["SQL as the token", [["token", "' OR 1=1 --"], ["password", newPassword]], 400],
      ["HTML as the token", [["token", SCRIPT], ["password", newPassword]], 400],
      ["two tokens in one field", [["token", `${token}, ${token}`], ["password", newPassword]], 400],
      ["an extra field", [["token", token], ["password", newPassword], ["isAdmin", "1"]], 400],
      ["a repeated field", [["token", token], ["password", newPassword], ["password", "other password here"]], 400],
      ["a 7-character password", [["token", token], ["password", "abcdefg"]], 400],
      ["the email as the password", [["token", token], ["password", member.email.toUpperCase()]], 400],
    ];
    for (const [label, body, status] of cases) {
      await expectRefused(await submit(playwright, request, "/reset", { ip: uniqueIp() }, body), `/reset ${label}`, status);
    }
    expect((await signInHttp(request, member.email, member.password, { ip: uniqueIp() })).status()).toBe(303);
    expect((await signInHttp(request, member.email, newPassword, { ip: uniqueIp() })).status()).toBe(400);
    const live = await (await get(request, `/reset?token=${token}`, { ip: uniqueIp() })).text();
    expect(live).toContain('name="password"');
  });

  test("/account: the profile, password and email stay as they were", async ({ request, playwright }) => {
    const member = await verifiedMember(request, uniqueEmail("hostile-account"));
    const caller = { ip: member.ip, token: member.token };
    const cases: Array<[string, string | Array<[string, string]>, (number | number[])?]> = [
      ["empty body", "", 400],
      ["1 MB body", [["action", "name"], ["displayName", MEGABYTE]], 413],
      ["64 kB body", [["action", "name"], ["displayName", SIXTY_FOUR_KB]], 413],
      ["control characters in the name", [["action", "name"], ["displayName", "Ada\u001b[31m"]], 400],
      ["SQL as the action", [["action", "' OR 1=1 --"], ["displayName", "x"]], 400],
      ["SQL as the current password", [["action", "password"], ["currentPassword", "' OR '1'='1"], ["newPassword", "another pass phrase"]], 400],
      ["HTML as the new email", [["action", "email"], ["newEmail", SCRIPT], ["emailPassword", member.password]], 400],
      ["two emails as the new email", [["action", "email"], ["newEmail", "a@x.org, b@x.org"], ["emailPassword", member.password]], 400],
      ["an extra field", [["action", "name"], ["displayName", "Changed"], ["isAdmin", "1"]], 400],
      ["a repeated field", [["action", "name"], ["displayName", "First"], ["displayName", "Second"]], 400],
      ["a repeated action", [["action", "name"], ["action", "delete"], ["deletePassword", member.password]], 400],
      ["an 81-character name", [["action", "name"], ["displayName", "n".repeat(81)]], 400],
    ];
    for (const [label, body, status] of cases) {
      await expectRefused(await submit(playwright, request, "/account", caller, body), `/account ${label}`, status);
    }
    expect(await displayNameOnAccount(request, member)).toBeNull();
    expect(await tokenOpensAccount(request, member.token)).toBe(true);
    expect((await signInHttp(request, member.email, member.password, { ip: uniqueIp() })).status()).toBe(303);
    expect(await mailTo(request, "a@x.org")).toEqual([]);
  });

  test("a display name with HTML is stored as text and shown escaped", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("stored-xss"));
    const name = `"><img src=x onerror=alert(1)>${SCRIPT}`.slice(0, 80);
    const saved = await postForm(request, "/account", { ip: member.ip, token: member.token }, { action: "name", displayName: name });
    expect(saved.status()).toBe(303);
    const html = await (await get(request, "/account", { ip: member.ip, token: member.token })).text();
    expect(markupOnly(html)).not.toContain("<script>alert");
    expect(markupOnly(html)).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});

test.describe("the session cookie", () => {
  const SIGN_IN_COOKIE = /^smallism_session=([a-z2-7]{32}); Path=\/; Expires=([^;]+ GMT); HttpOnly; SameSite=Lax$/;

  test("sign-in sets exactly one HttpOnly, SameSite=Lax, Path=/ cookie with a 30-day expiry and no Secure over http", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("cookie"));
    const response = await signInHttp(request, member.email, member.password, { ip: uniqueIp() });
    expect(response.status()).toBe(303);
    const cookies = setCookies(response);
    expect(cookies).toHaveLength(1);
    const match = SIGN_IN_COOKIE.exec(cookies[0]!);
    expect(match, cookies[0]).not.toBeNull();
    expect(cookies[0]).not.toMatch(/Secure/i);
    const days = (Date.parse(match![2]!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    // The join response sets the same kind of cookie.
    const join = await postForm(request, "/join", { ip: uniqueIp() }, { email: uniqueEmail("cookie-join"), password: "a long enough pass phrase", agree: "yes" });
    expect(setCookies(join)).toHaveLength(1);
    expect(setCookies(join)[0]).toMatch(SIGN_IN_COOKIE);
  });

  test("sign-out clears the cookie, and the old value no longer opens /account", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("signout"));
    expect(await tokenOpensAccount(request, member.token)).toBe(true);
    const out = await postForm(request, "/logout", { ip: member.ip, token: member.token }, {});
    expect(out.status()).toBe(303);
    expect(out.headers().location).toBe("/");
    const cleared = sessionCookieSet(out);
    expect(cleared).not.toBeNull();
    expect(cleared!.value).toBe("");
    expect(cleared!.header).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    expect(cleared!.header).toMatch(/Path=\//);
    // Replaying the old cookie: redirected to sign in, and the dead cookie is cleared again.
    const replay = await get(request, "/account", { ip: member.ip, token: member.token });
    expect(replay.status()).toBe(303);
    expect(replay.headers().location).toMatch(/^\/login/);
    expect(sessionCookieSet(replay)?.value).toBe("");
    const data = await get(request, "/account/data", { ip: member.ip, token: member.token });
    expect(data.status()).toBe(303);
  });

  test("a password change ends every old session, the current one too; the new cookie works", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("pwchange"));
    const other = sessionCookieSet(await signInHttp(request, member.email, member.password, { ip: uniqueIp() }))!.value;
    const change = await postForm(request, "/account", { ip: member.ip, token: member.token }, {
      action: "password", currentPassword: member.password, newPassword: "a different pass phrase",
    });
    expect(change.status()).toBe(303);
    expect(change.headers().location).toBe("/account?done=password");
    const fresh = sessionCookieSet(change);
    expect(fresh?.header).toMatch(SIGN_IN_COOKIE);
    expect([member.token, other]).not.toContain(fresh!.value);
    expect(await tokenOpensAccount(request, member.token)).toBe(false);
    expect(await tokenOpensAccount(request, other)).toBe(false);
    expect(await tokenOpensAccount(request, fresh!.value)).toBe(true);
    expect((await signInHttp(request, member.email, member.password, { ip: uniqueIp() })).status()).toBe(400);
    expect((await signInHttp(request, member.email, "a different pass phrase", { ip: uniqueIp() })).status()).toBe(303);
  });

  test("a password reset ends every old session; sign-out-everywhere ends all but the current one", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("reset-sessions"));
    const second = sessionCookieSet(await signInHttp(request, member.email, member.password, { ip: uniqueIp() }))!.value;
    const third = sessionCookieSet(await signInHttp(request, member.email, member.password, { ip: uniqueIp() }))!.value;

    const everywhere = await postForm(request, "/account", { ip: member.ip, token: third }, { action: "everywhere" });
    expect(everywhere.status()).toBe(303);
    expect(await tokenOpensAccount(request, third)).toBe(true);
    expect(await tokenOpensAccount(request, member.token)).toBe(false);
    expect(await tokenOpensAccount(request, second)).toBe(false);

    expect((await postForm(request, "/forgot", { ip: uniqueIp() }, { email: member.email })).status()).toBe(200);
    const token = await resetTokenFor(request, member.email);
    const reset = await postForm(request, "/reset", { ip: uniqueIp() }, { token, password: "a reset pass phrase" });
    expect(reset.status()).toBe(303);
    expect(reset.headers().location).toBe("/account?reset=1");
    const fresh = sessionCookieSet(reset)!;
    expect(fresh.header).toMatch(SIGN_IN_COOKIE);
    expect(await tokenOpensAccount(request, third)).toBe(false);
    expect(await tokenOpensAccount(request, fresh.value)).toBe(true);
    // The link is spent.
    const again = await postForm(request, "/reset", { ip: uniqueIp() }, { token, password: "yet another pass phrase" });
    expect(again.status()).toBe(400);
    expect(sessionCookieSet(again)).toBeNull();
  });

  test("a planted cookie is replaced at sign-in, never adopted (forged value or someone else's live session)", async ({ request }) => {
    const victim = await verifiedMember(request, uniqueEmail("victim"));
    const attacker = await verifiedMember(request, uniqueEmail("attacker"));
    for (const [label, planted] of [["forged", forgedToken()], ["attacker's live session", attacker.token]] as const) {
      const response = await signInHttp(request, victim.email, victim.password, { ip: uniqueIp(), token: planted });
      expect(response.status(), label).toBe(303);
      const cookies = setCookies(response).filter((c) => c.startsWith("smallism_session="));
      expect(cookies, label).toHaveLength(1);
      const issued = sessionCookieSet(response)!.value;
      expect(issued, label).toMatch(/^[a-z2-7]{32}$/);
      expect(issued, label).not.toBe(planted);
      // The issued cookie is the victim's; the planted one is not.
      const victimPage = await (await get(request, "/account", { ip: uniqueIp(), token: issued })).text();
      expect(victimPage, label).toContain(victim.email);
    }
    const attackerPage = await (await get(request, "/account", { ip: uniqueIp(), token: attacker.token })).text();
    expect(attackerPage).toContain(attacker.email);
    expect(attackerPage).not.toContain(victim.email);
    expect(await tokenOpensAccount(request, forgedToken())).toBe(false);
  });

  test("visitors get no cookie at all; a forged cookie is cleared", async ({ request }) => {
    for (const path of ["/", "/login", "/join", "/strategy/", STRATEGY_PAGE, "/essays/the-first-hundred-members/"]) {
      expect(setCookies(await get(request, path, { ip: uniqueIp() })), path).toEqual([]);
    }
    const forged = await get(request, "/strategy/", { ip: uniqueIp(), token: forgedToken() });
    expect(forged.status()).toBe(200);
    expect(sessionCookieSet(forged)?.value).toBe("");
  });
});

test.describe("throttles over HTTP", () => {
  test("the 11th wrong sign-in for one email is 429 with Retry-After, and then even the right password is refused", async ({ request, ip }) => {
    const member = await verifiedMember(request, uniqueEmail("throttle"));
    for (let i = 1; i <= 10; i++) {
      const response = await signInHttp(request, member.email, `wrong password ${i}`, { ip });
      expect(response.status(), `attempt ${i}`).toBe(400);
    }
    const eleventh = await signInHttp(request, member.email, "wrong password 11", { ip });
    expect(eleventh.status()).toBe(429);
    const retryAfter = Number(eleventh.headers()["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(await eleventh.text()).toMatch(/Too many attempts/);
    // The limit is per email: the right password from a fresh IP is refused too, with no session.
    const right = await signInHttp(request, member.email, member.password, { ip: uniqueIp() });
    expect(right.status()).toBe(429);
    expect(sessionCookieSet(right)).toBeNull();
    // Another email from the first IP is still allowed (the IP limit is higher).
    const other = await signInHttp(request, uniqueEmail("other"), "whatever it is", { ip });
    expect(other.status()).toBe(400);
  });

  test("sign-ins for an unknown email consume the throttle the same way", async ({ request, ip }) => {
    const unknown = uniqueEmail("nobody");
    for (let i = 1; i <= 10; i++) expect((await signInHttp(request, unknown, `guess ${i}`, { ip })).status(), `attempt ${i}`).toBe(400);
    const eleventh = await signInHttp(request, unknown, "guess 11", { ip });
    expect(eleventh.status()).toBe(429);
    expect(Number(eleventh.headers()["retry-after"])).toBeGreaterThan(0);
  });

  test("the sign-in limit per IP holds across many emails", async ({ request, ip }) => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await signInHttp(request, uniqueEmail("spray"), "password spray", { ip })).status());
    expect(statuses.slice(0, 20).every((s) => s === 400)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  test("joining is limited per IP: the 11th attempt in an hour is 429 and creates nothing", async ({ request, ip }) => {
    for (let i = 1; i <= 10; i++) {
      // Refused sign-ups count too (the throttle runs before any work), so these stay cheap.
      const response = await postForm(request, "/join", { ip }, { email: uniqueEmail("join-limit"), password: "short", agree: "yes" });
      expect(response.status(), `attempt ${i}`).toBe(400);
    }
    const email = uniqueEmail("join-limit-valid");
    const eleventh = await postForm(request, "/join", { ip }, { email, password: "a long enough pass phrase", agree: "yes" });
    expect(eleventh.status()).toBe(429);
    expect(Number(eleventh.headers()["retry-after"])).toBeGreaterThan(0);
    expect(sessionCookieSet(eleventh)).toBeNull();
    expect(await mailTo(request, email)).toEqual([]);
    // Another IP can still join.
    expect((await postForm(request, "/join", { ip: uniqueIp() }, { email, password: "a long enough pass phrase", agree: "yes" })).status()).toBe(303);
  });

  test("forgot-password is limited per email: the 4th request in an hour is 429 and sends nothing", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("forgot-limit"));
    for (let i = 1; i <= 3; i++) expect((await postForm(request, "/forgot", { ip: uniqueIp() }, { email: member.email })).status()).toBe(200);
    const fourth = await postForm(request, "/forgot", { ip: uniqueIp() }, { email: member.email });
    expect(fourth.status()).toBe(429);
    expect(fourth.headers()["retry-after"]).toBeDefined();
    expect(await waitForMail(request, member.email, /\/reset\?token=/, 3)).toHaveLength(3);
    // The throttled fourth sent nothing, even given time.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await mailTo(request, member.email)).filter((text) => text.includes("/reset?token="))).toHaveLength(3);
  });

  test("forgot-password answers a known and an unknown address with the same page and the same D1 work", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("forgot-same"));
    const known = await postForm(request, "/forgot", { ip: uniqueIp() }, { email: member.email });
    const unknown = await postForm(request, "/forgot", { ip: uniqueIp() }, { email: uniqueEmail("nobody") });
    expect([known.status(), unknown.status()]).toEqual([200, 200]);
    // The account lookup, the new link and the email happen after the answer, so timing cannot tell them apart.
    expect(known.headers()["x-d1-queries"]).toMatch(/^\d+$/);
    expect(known.headers()["x-d1-queries"]).toBe(unknown.headers()["x-d1-queries"]);
    const notice = (html: string) => /<p class="notice" role="status">([\s\S]*?)<\/p>/.exec(html)?.[1]?.replace(/\S+@\S+/, "ADDRESS");
    expect(notice(await known.text())).toBe(notice(await unknown.text()));
    expect(await waitForMail(request, member.email, /\/reset\?token=/)).toHaveLength(1);
  });
});

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
