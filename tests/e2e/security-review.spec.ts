// Findings of the outside security review (issue 11) checked over HTTP against the built site: plain HTTP to a public
// host is redirected to HTTPS before anything runs and never gets a cookie (1); ?done= keys that name Object.prototype's
// own properties find nothing (5); signing in or joining on a device ends its previous session (9); signing out other
// devices from a fresh sign-in works without a password, and the page asks for one otherwise (10).
import { request as httpRequest } from "node:http";
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { get, postForm, sessionCookieSet } from "./http";
import { joinHttp, signInHttp, tokenOpensAccount, verifiedMember } from "./members";
import { PUBLIC_TEST_HOST, SITE_PORT } from "@tests/support/test-env";

/** A raw HTTP/1.1 request to the preview with any Host header (fetch and Playwright refuse to set Host). */
function rawRequest(method: string, path: string, host: string, body = "", headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: "127.0.0.1", port: SITE_PORT, method, path, headers: { Host: host, ...headers, "Content-Length": Buffer.byteLength(body) } }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

test.describe("plain HTTP (finding 1)", () => {
  test("a GET to a public host is a 301 to the same address over HTTPS, with no cookie and no page", async () => {
    const response = await rawRequest("GET", "/login?next=%2Fstrategy%2F", PUBLIC_TEST_HOST);
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe(`https://${PUBLIC_TEST_HOST}/login?next=%2Fstrategy%2F`);
    expect(response.headers["set-cookie"]).toBeUndefined();
    expect(response.body).toBe("");
  });

  test("a sign-in posted over plain HTTP is not processed: 301, no session cookie, even with a planted cookie", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("plain-http"));
    const body = new URLSearchParams({ email: member.email, password: member.password }).toString();
    const response = await rawRequest("POST", "/login", PUBLIC_TEST_HOST, body, {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: `http://${PUBLIC_TEST_HOST}`,
      "CF-Connecting-IP": uniqueIp(),
      Cookie: `smallism_session=${member.token}`,
    });
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe(`https://${PUBLIC_TEST_HOST}/login`);
    expect(response.headers["set-cookie"]).toBeUndefined();
  });

  test("localhost keeps plain HTTP (the control: development and these tests)", async ({ request }) => {
    const response = await rawRequest("GET", "/login", `localhost:${SITE_PORT}`);
    expect(response.status).toBe(200);
    expect((await get(request, "/login", { ip: uniqueIp() })).status()).toBe(200);
  });
});

test.describe("?done= on /account (finding 5)", () => {
  for (const key of ["valueOf", "constructor", "toString", "__proto__", "hasOwnProperty", "isPrototypeOf"]) {
    test(`?done=${key} shows the whole page and no notice`, async ({ request }) => {
      const member = await joinHttp(request, uniqueEmail("done-key"));
      const response = await get(request, `/account?done=${key}`, { ip: member.ip, token: member.token });
      expect(response.status()).toBe(200);
      const html = await response.text();
      expect(html).toContain("Delete your account");
      expect(html.trimEnd()).toMatch(/<\/html>$/);
      expect(html).not.toContain('class="notice success"');
      expect(html).not.toMatch(/function |\[native code\]|\[object Object\]/);
    });
  }

  test("a real ?done= key still shows its notice (the control)", async ({ request }) => {
    const member = await joinHttp(request, uniqueEmail("done-real"));
    const html = await (await get(request, "/account?done=name", { ip: member.ip, token: member.token })).text();
    expect(html).toContain("Your display name is saved.");
  });
});

test.describe("a device's previous session ends when it signs in or joins again (finding 9)", () => {
  test("signing in as someone else while signed in ends the old session server-side", async ({ request }) => {
    const [a, b] = [await verifiedMember(request, uniqueEmail("first")), await verifiedMember(request, uniqueEmail("second"))];
    const response = await signInHttp(request, b.email, b.password, { ip: uniqueIp(), token: a.token });
    expect(response.status()).toBe(303);
    expect(sessionCookieSet(response)).not.toBeNull();
    expect(await tokenOpensAccount(request, a.token)).toBe(false);
    expect(await tokenOpensAccount(request, sessionCookieSet(response)!.value)).toBe(true);
  });

  test("joining while signed in ends the old session too", async ({ request }) => {
    const a = await verifiedMember(request, uniqueEmail("joined-before"));
    const response = await postForm(request, "/join", { ip: uniqueIp(), token: a.token }, { email: uniqueEmail("joined-again"), password: "a long enough pass phrase", agree: "yes" });
    expect(response.status()).toBe(303);
    expect(await tokenOpensAccount(request, a.token)).toBe(false);
  });

  test("a failed sign-in keeps the session the device has (the control)", async ({ request }) => {
    const a = await verifiedMember(request, uniqueEmail("kept"));
    expect((await signInHttp(request, a.email, "not my password at all", { ip: uniqueIp(), token: a.token })).status()).toBe(400);
    expect(await tokenOpensAccount(request, a.token)).toBe(true);
  });
});

test.describe("signing out other devices (finding 10)", () => {
  test("right after signing in, the button ends every other session without a password", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("everywhere"));
    const laptop = sessionCookieSet(await signInHttp(request, member.email, member.password, { ip: uniqueIp() }))!.value;
    const page = await (await get(request, "/account", { ip: member.ip, token: laptop })).text();
    expect(page).toMatch(/name="action" value="everywhere"/);
    expect(page).not.toContain('name="everywherePassword"');
    const response = await postForm(request, "/account", { ip: uniqueIp(), token: laptop }, { action: "everywhere" });
    expect(response.status()).toBe(303);
    expect(response.headers().location).toBe("/account?done=everywhere");
    expect(await tokenOpensAccount(request, member.token)).toBe(false);
    expect(await tokenOpensAccount(request, laptop)).toBe(true);
  });
});
