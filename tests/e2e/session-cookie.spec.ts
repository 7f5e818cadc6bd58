// The session cookie over HTTP against the built site: exactly one HttpOnly, SameSite=Lax, Path=/ cookie with a
// 30-day expiry at sign-in and join; sign-out clears it and the old value stops working; a password change or reset
// ends every old session; a planted cookie is replaced, never adopted; visitors get no cookie at all; a member's
// D1 bookmark cookie (read replicas) comes and goes with their session.
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { SITE_URL } from "@tests/support/test-env";
import { get, postForm, sessionCookieSet, setCookies } from "./http";
import { resetTokenFor } from "./mailbox";
import { forgedToken, signInHttp, tokenOpensAccount, verifiedMember } from "./members";

const STRATEGY_PAGE = "/strategy/how-members-vote/";

test.describe("the session cookie", () => {
  const SIGN_IN_COOKIE = /^smallism_session=([a-z2-7]{32}); Path=\/; Expires=([^;]+ GMT); HttpOnly; SameSite=Lax$/;
  /** The non-secret "signed in" hint the prerendered pages' script reads: same expiry, not HttpOnly. */
  const HINT_COOKIE = /^smallism_signed_in=1; Path=\/; Expires=([^;]+ GMT); SameSite=Lax$/;

  test("sign-in sets exactly one HttpOnly session cookie (30 days, no Secure over http) and the signed-in hint beside it", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("cookie"));
    const response = await signInHttp(request, member.email, member.password, { ip: uniqueIp() });
    expect(response.status()).toBe(303);
    const cookies = setCookies(response);
    expect(cookies).toHaveLength(2);
    const match = SIGN_IN_COOKIE.exec(cookies[0]!);
    expect(match, cookies[0]).not.toBeNull();
    expect(cookies[0]).not.toMatch(/Secure/i);
    const days = (Date.parse(match![2]!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    const hint = HINT_COOKIE.exec(cookies[1]!);
    expect(hint, cookies[1]).not.toBeNull();
    expect(hint![1]).toBe(match![2]);
    // The join response sets the same two.
    const join = await postForm(request, "/join", { ip: uniqueIp() }, { email: uniqueEmail("cookie-join"), password: "a long enough pass phrase", agree: "yes" });
    expect(setCookies(join)).toHaveLength(2);
    expect(setCookies(join)[0]).toMatch(SIGN_IN_COOKIE);
    expect(setCookies(join)[1]).toMatch(HINT_COOKIE);
  });

  test("sign-out clears the cookie, and the old value no longer opens /account", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("signout"));
    expect(await tokenOpensAccount(request, member.token)).toBe(true);
    const out = await postForm(request, "/logout", { ip: member.ip, token: member.token }, {});
    expect(out.status()).toBe(303);
    expect(out.headers().location).toBe("/signed-out/");
    const cleared = sessionCookieSet(out);
    expect(cleared).not.toBeNull();
    expect(cleared!.value).toBe("");
    expect(cleared!.header).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    expect(cleared!.header).toMatch(/Path=\//);
    expect(setCookies(out)).toContainEqual(expect.stringMatching(/^smallism_signed_in=; Max-Age=0; Path=\/; SameSite=Lax$/));
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
    // The planted session was the device's previous one, so the sign-in ended it (issue 11, finding 9): the
    // attacker's copy of that cookie opens nothing now, and never opened the victim's account.
    expect(await tokenOpensAccount(request, attacker.token)).toBe(false);
    expect(await tokenOpensAccount(request, forgedToken())).toBe(false);
  });

  test("a member's pages carry their D1 bookmark in a browser-session cookie; sign-out deletes it; it is never a visitor's", async ({ request }) => {
    const BOOKMARK_COOKIE = /^smallism_d1=([0-9a-f]+(?:-[0-9a-f]+)+); Path=\/; HttpOnly; SameSite=Lax$/;
    const member = await verifiedMember(request, uniqueEmail("bookmark"));
    const first = await get(request, STRATEGY_PAGE, { ip: member.ip, token: member.token });
    expect(first.status()).toBe(200);
    const set = setCookies(first).filter((c) => c.startsWith("smallism_d1="));
    expect(set).toHaveLength(1);
    const bookmark = BOOKMARK_COOKIE.exec(set[0]!);
    expect(bookmark, set[0]).not.toBeNull();
    // The next page starts from it (the bookmark cookie sent back), and the member still reads the full page.
    const next = await request.get(new URL(STRATEGY_PAGE, SITE_URL).href, {
      headers: { Cookie: `smallism_session=${member.token}; smallism_d1=${bookmark![1]}`, "CF-Connecting-IP": member.ip }, maxRedirects: 0,
    });
    expect(next.status()).toBe(200);
    expect(await next.text()).toContain("On this page");
    // A bookmark cookie that is not a bookmark is ignored, never a failure.
    const junk = await request.get(new URL(STRATEGY_PAGE, SITE_URL).href, {
      headers: { Cookie: `smallism_session=${member.token}; smallism_d1=%27%3B%20DROP`, "CF-Connecting-IP": member.ip }, maxRedirects: 0,
    });
    expect(junk.status()).toBe(200);
    expect(await junk.text()).toContain("On this page");
    expect(setCookies(junk).filter((c) => c.startsWith("smallism_d1="))).toHaveLength(1);
    const out = await request.post(new URL("/logout", SITE_URL).href, {
      headers: { Cookie: `smallism_session=${member.token}; smallism_d1=${bookmark![1]}`, "CF-Connecting-IP": member.ip, Origin: SITE_URL }, maxRedirects: 0,
    });
    expect(out.status()).toBe(303);
    expect(setCookies(out)).toContainEqual("smallism_d1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
    // A reader who kept the cookie after their session ended has it deleted at the next page, and reads as a visitor.
    const after = await request.get(new URL("/strategy/", SITE_URL).href, { headers: { Cookie: `smallism_d1=${bookmark![1]}`, "CF-Connecting-IP": uniqueIp() }, maxRedirects: 0 });
    expect(setCookies(after)).toEqual(["smallism_d1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"]);
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
