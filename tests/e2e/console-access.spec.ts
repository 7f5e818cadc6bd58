// The staff console's front door over HTTP and in the browser, against the built site: the first owner is made with
// `npm run staff`, enrols an authenticator with a code the test computes, and passes the second factor on a new
// session with a TOTP code or a recovery code (each once); visitors, members and unverified accounts never get in;
// a replayed code is refused.
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { get, postForm } from "./http";
import { joinHttp, verifiedMember } from "./members";
import { freshSession, secretFromEnrolPage, staffMember, staffScript } from "./staff";
import { totpCode, totpStep } from "@functions/staff/second-factor";

const now = () => Math.floor(Date.now() / 1000);

test.describe("the console's front door", () => {
  test("a visitor is sent to sign in and back; a member and an unverified account get 403 with no member data", async ({ request }) => {
    const visitor = await get(request, "/admin/second-factor", { ip: uniqueIp() });
    expect(visitor.status()).toBe(303);
    expect(visitor.headers().location).toBe("/login?next=%2Fadmin%2Fsecond-factor%3Fnext%3D%2Fadmin");
    const member = await verifiedMember(request, uniqueEmail("not-staff"));
    for (const path of ["/admin/enrol", "/admin/second-factor"]) {
      const response = await get(request, path, { ip: member.ip, token: member.token });
      expect(response.status(), path).toBe(403);
      const html = await response.text();
      expect(html).toContain("This page is not open to you");
      expect(html).not.toContain(member.email);
    }
    const unverified = await joinHttp(request, uniqueEmail("unverified-staff"));
    const refused = staffScript("grant", unverified.email, "owner");
    expect(refused.status).toBe(1);
    expect(refused.output).toContain("has not verified");
  });

  test("npm run staff: grant prints the change, a repeat changes nothing, revoke demotes, unknown addresses are refused", async ({ request }) => {
    const owner = await staffMember(request, "owner");
    expect(staffScript("grant", owner.email, "owner").output).toContain("already owner");
    const second = await verifiedMember(request, uniqueEmail("second-owner"));
    expect(staffScript("grant", second.email, "owner").output).toMatch(/member → owner/);
    expect(staffScript("revoke", second.email).output).toMatch(/owner → member/);
    expect(staffScript("list").output).toContain(owner.email);
    expect(staffScript("grant", "nobody-here@example.org", "admin").output).toContain("No account has the address");
  });

  test("enrolled staff pass the second factor once per session: TOTP once per step, a recovery code once", async ({ request }) => {
    const owner = await staffMember(request, "owner");
    // The enrolling session passed; a new session has not.
    const token = await freshSession(request, owner);
    const gated = await get(request, "/admin/second-factor", { ip: owner.ip, token });
    expect(gated.status()).toBe(200);
    expect(await gated.text()).toContain("Enter your code");
    // The code accepted at enrolment is spent: wait for a later step, then it works once.
    const enrolStep = totpStep(now());
    while (totpStep(now()) === enrolStep) await new Promise((resolve) => setTimeout(resolve, 500));
    const code = totpCode(owner.key, now());
    const passed = await postForm(request, "/admin/second-factor", { ip: owner.ip, token }, { code, next: "/admin/second-factor" });
    expect(passed.status()).toBe(303);
    expect(passed.headers().location).toBe("/admin/second-factor");
    // Passed: the page now sends the session on.
    expect((await get(request, "/admin/second-factor?next=/account", { ip: owner.ip, token })).headers().location).toBe("/account");
    // The same code on another new session is a replay.
    const other = await freshSession(request, owner);
    const replay = await postForm(request, "/admin/second-factor", { ip: owner.ip, token: other }, { code, next: "/admin" });
    expect(replay.status()).toBe(400);
    expect(await replay.text()).toContain("already used");
    // A recovery code works once, in any spacing or case.
    const recovery = owner.recoveryCodes[0]!;
    expect((await postForm(request, "/admin/second-factor", { ip: owner.ip, token: other }, { code: ` ${recovery.toUpperCase()} `, next: "/admin" })).status()).toBe(303);
    const third = await freshSession(request, owner);
    expect((await postForm(request, "/admin/second-factor", { ip: owner.ip, token: third }, { code: recovery, next: "/admin" })).status()).toBe(400);
  });

  test("enrolment shows the same secret on reload until confirmed, and a wrong code changes nothing", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("enrolling"));
    const granted = staffScript("grant", member.email, "editor");
    expect(granted.status, granted.output).toBe(0);
    const caller = { ip: member.ip, token: member.token };
    const first = secretFromEnrolPage(await (await get(request, "/admin/enrol", caller)).text());
    const again = secretFromEnrolPage(await (await get(request, "/admin/enrol", caller)).text());
    expect(again).toEqual(first);
    const wrong = await postForm(request, "/admin/enrol", caller, { code: "000000", next: "/admin" });
    expect(wrong.status()).toBe(400);
    expect(await wrong.text()).toContain("That code does not match");
    // Still enrolling: the second-factor page sends back to enrol.
    expect((await get(request, "/admin/second-factor", caller)).headers().location).toBe("/admin/enrol?next=%2Fadmin");
  });
});
