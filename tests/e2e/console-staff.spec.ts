// The console's staff and audit pages over HTTP and in the browser: an owner grants and removes roles with their
// password (each change in the audit log, the last owner protected), admins see the staff list but cannot change it,
// editors and members cannot open either page; the audit log pages and refuses bad cursors cleanly.
import { test, expect, uniqueEmail } from "./fixtures";
import { get, postForm, SESSION_COOKIE } from "./http";
import { SITE_URL } from "@tests/support/test-env";
import { verifiedMember } from "./members";
import { freshSession, staffMember } from "./staff";
import { totpCode } from "@functions/staff/second-factor";

test.describe("staff and audit pages", () => {
  test("an owner grants a role with their password, sees it in the list and the audit log, and removes it", async ({ request }) => {
    const owner = await staffMember(request, "owner");
    const caller = { ip: owner.ip, token: owner.token };
    const member = await verifiedMember(request, uniqueEmail("new-admin"));

    const wrong = await postForm(request, "/admin/staff", caller, { action: "grant", email: member.email, role: "admin", password: "not my password" });
    expect(wrong.status()).toBe(400);
    expect(await wrong.text()).toContain("That is not your current password.");

    const granted = await postForm(request, "/admin/staff", caller, { action: "grant", email: member.email, role: "admin", password: owner.password });
    expect(granted.status()).toBe(303);
    expect(granted.headers().location).toBe("/admin/staff?done=granted");
    const list = await (await get(request, "/admin/staff?done=granted", caller)).text();
    expect(list).toContain("The role is granted.");
    expect(list).toContain(member.email);

    const audit = await (await get(request, "/admin/audit", caller)).text();
    expect(audit).toContain("staff.grant");
    expect(audit).toContain("role: admin");
    expect(audit).not.toContain(member.email);

    const userId = /name="userId" value="([^"]+)"[\s\S]{0,400}?Make ([^<]+) a member/g;
    const id = [...list.matchAll(userId)].find((match) => match[2] === member.email)?.[1];
    expect(id).toBeDefined();
    const revoked = await postForm(request, "/admin/staff", caller, { action: "revoke", userId: id!, password: owner.password });
    expect(revoked.headers().location).toBe("/admin/staff?done=revoked");
    expect(await (await get(request, "/admin/staff", caller)).text()).not.toContain(member.email);
  });

  test("hostile and incomplete posts to /admin/staff change nothing and get a clear 4xx", async ({ request }) => {
    const owner = await staffMember(request, "owner");
    const caller = { ip: owner.ip, token: owner.token };
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ action: "grant", email: "", role: "admin", password: owner.password }, /Enter the email address/],
      [{ action: "grant", email: "someone@example.org", role: "superuser", password: owner.password }, /Choose a role/],
      [{ action: "grant", email: "nobody-at-all@example.org", role: "admin", password: owner.password }, /No account has that email address/],
      [{ action: "grant", email: "someone@example.org", role: "admin", password: "" }, /Enter your password/],
      [{ action: "promote", password: owner.password }, /not one this page offers/],
    ];
    for (const [fields, message] of cases) {
      const response = await postForm(request, "/admin/staff", caller, fields);
      expect(response.status(), JSON.stringify(fields)).toBe(400);
      expect(await response.text()).toMatch(message);
    }
    const extra = await postForm(request, "/admin/staff", caller, { action: "grant", email: "a@b.org", role: "admin", password: "x", isOwner: "1" });
    expect(extra.status()).toBe(400);
  });

  test("an admin sees the staff list but cannot change it; an editor and a member cannot open staff or audit", async ({ request }) => {
    const admin = await staffMember(request, "admin");
    const adminView = await get(request, "/admin/staff", { ip: admin.ip, token: admin.token });
    expect(adminView.status()).toBe(200);
    expect(await adminView.text()).not.toContain("Grant a role");
    const attempt = await postForm(request, "/admin/staff", { ip: admin.ip, token: admin.token }, { action: "grant", email: admin.email, role: "owner", password: admin.password });
    expect(attempt.status()).toBe(403);
    expect((await get(request, "/admin/audit", { ip: admin.ip, token: admin.token })).status()).toBe(200);

    const editor = await staffMember(request, "editor");
    const member = await verifiedMember(request, uniqueEmail("just-a-member"));
    for (const path of ["/admin/staff", "/admin/audit"]) {
      for (const who of [editor, member]) {
        const response = await get(request, path, { ip: who.ip, token: who.token });
        expect(response.status(), `${path} as ${who.email}`).toBe(403);
        const html = await response.text();
        expect(html).not.toContain(admin.email);
        expect(html).not.toContain("staff.grant");
      }
    }
  });

  test("an owner whose session has not passed the second factor is sent to enter a code, with no staff data", async ({ request }) => {
    const owner = await staffMember(request, "owner");
    const token = await freshSession(request, owner);
    for (const path of ["/admin/staff", "/admin/audit"]) {
      const response = await get(request, path, { ip: owner.ip, token });
      expect(response.status(), path).toBe(303);
      expect(response.headers().location).toBe(`/admin/second-factor?next=${encodeURIComponent(path)}`);
      expect(await response.text()).not.toContain("@");
    }
  });

  test("the audit log refuses a malformed page cursor with a clear 400", async ({ request }) => {
    const admin = await staffMember(request, "admin");
    for (const before of ["abc", "-1", "0", "1e9", "99999999999999999999", "1;DROP"]) {
      const response = await get(request, `/admin/audit?before=${encodeURIComponent(before)}`, { ip: admin.ip, token: admin.token });
      expect(response.status(), before).toBe(400);
      expect(await response.text()).toContain("That page of the log does not exist");
    }
  });

  test("in the browser: a staff member on a new session enters a code and lands on the staff page they asked for", async ({ page, request }) => {
    // The owner is made with the script; the browser does the rest as a person would.
    const owner = await staffMember(request, "owner");
    const token = await freshSession(request, owner);
    await page.context().addCookies([{ name: SESSION_COOKIE, value: token, url: SITE_URL }]);
    await page.goto("/admin/staff");
    await expect(page).toHaveURL(/\/admin\/second-factor\?next=%2Fadmin%2Fstaff$/);
    // The next step's code: the current one may be the code enrolment already spent, and ±1 step is accepted.
    await page.getByLabel("Code").fill(totpCode(owner.key, Math.floor(Date.now() / 1000) + 30));
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page).toHaveURL(/\/admin\/staff$/);
    await expect(page.getByRole("heading", { level: 1, name: "Staff" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Staff" })).toHaveAttribute("aria-current", "page");
    await expect(page.getByRole("cell", { name: new RegExp(owner.email.replace(/[.+]/g, "\\$&")) })).toBeVisible();
  });
});
