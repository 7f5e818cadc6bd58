// Hostile input on every account form over HTTP against the built site: empty, oversized, control characters, SQL,
// HTML, repeated or extra fields and the wrong content type each get a clean 4xx naming the problem (never a 500),
// write nothing, send no mail and start no session; a display name with HTML is stored as text and shown escaped.
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { get, postForm } from "./http";
import { latestCode, mailTo, resetTokenFor } from "./mailbox";
import { displayNameOnAccount, joinHttp, signInHttp, tokenOpensAccount, verifiedMember } from "./members";
import { SCRIPT, expectClean4xx, expectRefused, markupOnly, submit } from "./refusals";

test.describe("hostile input on every account form", () => {
  const MEGABYTE = "a".repeat(1024 * 1024);
  const SIXTY_FOUR_KB = "b".repeat(64 * 1024);

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
      expectRefused(await submit(playwright, request, "/join", { ip: uniqueIp() }, body, contentType), `/join ${label}`, status);
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
      expectRefused(await submit(playwright, request, "/login", { ip: uniqueIp() }, body), `/login ${label}`, status);
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
      expectRefused(await submit(playwright, request, "/verify", caller, body), `/verify ${label}`, status);
    }
    expect(await mailTo(request, member.email)).toHaveLength(1); // no resend happened
    const account = await (await get(request, "/account", caller)).text();
    expect(account).toContain("not verified yet");
    const right = await postForm(request, "/verify", caller, { action: "verify", code: await latestCode(request, member.email) });
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
      expectRefused(await submit(playwright, request, "/forgot", { ip: uniqueIp() }, body), `/forgot ${label}`, status);
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
      expectRefused(await submit(playwright, request, "/reset", { ip: uniqueIp() }, body), `/reset ${label}`, status);
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
      expectRefused(await submit(playwright, request, "/account", caller, body), `/account ${label}`, status);
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
