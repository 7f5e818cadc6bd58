// The console's data pages over HTTP against the built site: who may open each path and action (visitor, member,
// unverified member, editor, admin, owner without the second factor, owner), with no member's address in any refused
// response; the D1 budget of each page (X-D1-Queries ≤ 3); bad query strings as 400s with a message; the CSV exports.
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { readFile } from "node:fs/promises";
import { get, postForm, SESSION_COOKIE, type Caller } from "./http";
import { SITE_URL } from "@tests/support/test-env";
import { joinHttp, verifiedMember } from "./members";
import { freshSession, staffMember } from "./staff";
import { expectNoAxeViolations } from "./axe";

const PAGES = ["/admin", "/admin/members", "/admin/donations", "/admin/members.csv", "/admin/donations.csv"];
/** Paths editors may open: the overview and the member counts. */
const EDITOR_PAGES = new Set(["/admin", "/admin/members"]);

test.describe("console data: authorization", () => {
  test("every path and action × every kind of caller gets the expected answer, and refusals name no member", async ({ request }) => {
    const target = await verifiedMember(request, uniqueEmail("console-target"));
    const owner = await staffMember(request, "owner");
    const admin = await staffMember(request, "admin");
    const editor = await staffMember(request, "editor");
    const member = await verifiedMember(request, uniqueEmail("console-member"));
    const unverified = await joinHttp(request, uniqueEmail("console-unverified"));
    const ownerNoFactor = { ip: owner.ip, token: await freshSession(request, owner) };

    const list = await (await get(request, `/admin/members?q=${encodeURIComponent(target.email)}`, { ip: admin.ip, token: admin.token })).text();
    const targetId = /href="\/admin\/members\/([A-Za-z0-9_-]+)"/.exec(list)?.[1];
    expect(targetId, "the admin finds the member").toBeDefined();
    const paths = [...PAGES, `/admin/members/${targetId}`];

    const callers: Array<[string, Caller, (path: string) => number | "login" | "second-factor"]> = [
      ["visitor", { ip: uniqueIp() }, () => "login"],
      ["member", { ip: member.ip, token: member.token }, () => 403],
      ["unverified member", { ip: unverified.ip, token: unverified.token }, () => 403],
      ["editor", { ip: editor.ip, token: editor.token }, (path) => (EDITOR_PAGES.has(path) ? 200 : 403)],
      ["admin", { ip: admin.ip, token: admin.token }, () => 200],
      ["owner without second factor", ownerNoFactor, () => "second-factor"],
      ["owner", { ip: owner.ip, token: owner.token }, () => 200],
    ];
    for (const [name, caller, expected] of callers) {
      for (const path of paths) {
        const response = await get(request, path, caller);
        const want = expected(path);
        const body = await response.text();
        const label = `${name} GET ${path}`;
        if (want === "login") {
          expect(response.status(), label).toBe(303);
          expect(response.headers().location, label).toBe(`/login?next=${encodeURIComponent(path)}`);
        } else if (want === "second-factor") {
          expect(response.status(), label).toBe(303);
          expect(response.headers().location, label).toMatch(/^\/admin\/second-factor\?next=/);
        } else expect(response.status(), label).toBe(want);
        if (want !== 200 || name === "editor") expect(body, `${label} names no member`).not.toContain(target.email);
        else if (path.endsWith(".csv")) expect(response.headers()["content-disposition"], label).toMatch(/^attachment; filename="smallism-(members|donations)-\d{4}-\d{2}-\d{2}\.csv"$/);
        expect(response.headers()["cache-control"], label).toContain("no-store");
      }
      // The actions: refused callers change nothing (the target's sessions stay, the account stays).
      if (name === "admin" || name === "owner") continue;
      for (const action of ["resend-verification", "end-sessions", "delete"]) {
        const response = await postForm(request, `/admin/members/${targetId}`, caller, { action, password: "whatever it is" });
        const want = expected(`/admin/members/${targetId}`);
        const label = `${name} POST ${action}`;
        if (typeof want === "number") expect(response.status(), label).toBe(name === "editor" ? 403 : want);
        else expect(response.status(), label).toBe(303);
        expect(await response.text(), label).not.toContain(target.email);
      }
    }
    // The target was never touched: still signed in, still there.
    expect((await get(request, "/account", { ip: target.ip, token: target.token })).status()).toBe(200);
    // The editor sees counts and no list.
    const counts = await (await get(request, "/admin/members", { ip: editor.ip, token: editor.token })).text();
    expect(counts).toContain("Your role shows the counts only.");
    expect(counts).not.toMatch(/href="\/admin\/members\/[A-Za-z0-9_-]+"/);
  });
});

test.describe("console data: pages", () => {
  test("each page makes at most 3 D1 queries, and bad query strings get a 400 with a message", async ({ request }) => {
    const admin = await staffMember(request, "admin");
    const caller = { ip: admin.ip, token: admin.token };
    const first = await get(request, "/admin/members", caller);
    const next = /href="\/admin\/members\?(after=[^"]+)"/.exec(await first.text())?.[1];
    const paths = ["/admin", "/admin/members", "/admin/members?q=console", "/admin/members?filter=donor", "/admin/donations", "/admin/donations?month=2026-11&kind=once&status=paid"];
    if (next) paths.push(`/admin/members?${next.replaceAll("&amp;", "&")}`);
    for (const path of paths) {
      const response = await get(request, path, caller);
      expect(response.status(), path).toBe(200);
      const queries = Number(response.headers()["x-d1-queries"]);
      // The session lookup, at most one write of the staff session's last use, and the page's one batch.
      expect(queries, path).toBeGreaterThanOrEqual(2);
      expect(queries, path).toBeLessThanOrEqual(3);
    }
    const bad: Array<[string, RegExp]> = [
      ["/admin/members?after=not-a-cursor", /That page link is not valid/],
      ["/admin/members?filter=everyone", /Choose a filter/],
      ["/admin/members?after=1.a%27%3B--", /That page link is not valid/],
      ["/admin/members?ward=Hyde%20Park", /That ward link is not valid/],
      ["/admin/members?ward=no-such-ward", /There is no ward at that link/],
      ["/admin/donations?month=2026-13", /Choose a month as YYYY-MM/],
      ["/admin/donations?kind=yearly", /Choose a kind/],
      ["/admin/members.csv?filter=x", /Choose a filter/],
      ["/admin/donations.csv?after=%00", /That page link is not valid/],
      ["/admin/members/no%20such%20id", /No such member/],
      ["/admin/members/unknown-member-id", /No such member/],
    ];
    for (const [path, message] of bad) {
      const response = await get(request, path, caller);
      expect(response.status(), path).toBe(path.startsWith("/admin/members/") || path.includes("no-such-ward") ? 404 : 400);
      expect(await response.text(), path).toMatch(message);
    }
  });

  test("an admin finds a new member, exports them as CSV (audited), and ends their sessions with their password", async ({ request }) => {
    const admin = await staffMember(request, "admin");
    const caller = { ip: admin.ip, token: admin.token };
    const target = await verifiedMember(request, uniqueEmail("=console-csv"));
    const csv = await get(request, `/admin/members.csv?q=${encodeURIComponent(target.email)}`, caller);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);
    const lines = (await csv.text()).replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toBe("id,email,name,joined,verified,role");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,'${target.email},`);
    const id = lines[1]!.split(",")[0]!;
    const audit = await (await get(request, "/admin/audit", caller)).text();
    expect(audit).toContain("members.export");

    const wrong = await postForm(request, `/admin/members/${id}`, caller, { action: "end-sessions", password: "not it" });
    expect(wrong.status()).toBe(400);
    expect((await get(request, "/account", { ip: target.ip, token: target.token })).status()).toBe(200);
    const ended = await postForm(request, `/admin/members/${id}`, caller, { action: "end-sessions", password: admin.password });
    expect(ended.status()).toBe(303);
    expect(ended.headers().location).toBe(`/admin/members/${id}?done=ended`);
    expect((await get(request, "/account", { ip: target.ip, token: target.token })).status()).toBe(303);
  });
});

test.describe("console data: deleting", () => {
  test("an admin deletes a member's account with their password: gone, signed out, audited; a staff account is refused", async ({ request }) => {
    const admin = await staffMember(request, "admin");
    const editor = await staffMember(request, "editor");
    const caller = { ip: admin.ip, token: admin.token };
    const target = await verifiedMember(request, uniqueEmail("console-delete"));
    const idOf = async (email: string) => /href="\/admin\/members\/([A-Za-z0-9_-]+)"/.exec(await (await get(request, `/admin/members?q=${encodeURIComponent(email)}`, caller)).text())?.[1];
    const id = await idOf(target.email);
    expect(id).toBeDefined();
    const staffId = await idOf(editor.email);
    const refused = await postForm(request, `/admin/members/${staffId}`, caller, { action: "delete", password: admin.password });
    expect(refused.status()).toBe(400);
    expect(await refused.text()).toContain("Revoke it on the Staff page");
    const deleted = await postForm(request, `/admin/members/${id}`, caller, { action: "delete", password: admin.password });
    expect(deleted.status()).toBe(303);
    expect(deleted.headers().location).toBe("/admin/members?done=deleted");
    expect((await get(request, `/admin/members/${id}`, caller)).status()).toBe(404);
    expect((await get(request, "/account", { ip: target.ip, token: target.token })).status()).toBe(303);
    const audit = await (await get(request, "/admin/audit", caller)).text();
    expect(audit).toContain("members.delete");
    expect(audit).not.toContain(target.email);
  });
});

test.describe("console data: in the browser", () => {
  test("an owner sees a member who just joined, downloads the CSV and ends the member's sessions", async ({ page, request, context }) => {
    const owner = await staffMember(request, "owner");
    const member = await verifiedMember(request, uniqueEmail("console-browser"));
    await context.addCookies([{ name: SESSION_COOKIE, value: owner.token, url: SITE_URL }]);
    for (const path of ["/admin/donations", "/admin/donations?month=2001-01"]) {
      await page.goto(path);
      await expectNoAxeViolations(page);
    }
    await page.goto("/admin");
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await expect(page.locator("svg[role=img] title").first()).toHaveText("New members per month");
    await expectNoAxeViolations(page);
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Members" }).click();
    await expect(page.getByRole("link", { name: member.email })).toBeVisible();
    await expectNoAxeViolations(page);
    await page.getByLabel("Search").fill(member.email.slice(0, 20));
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByRole("link", { name: member.email })).toBeVisible();

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download these members/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^smallism-members-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, "utf8");
    expect(csv).toContain(member.email);

    await page.getByRole("link", { name: member.email }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(member.email);
    await expect(page.getByText("1 device")).toBeVisible();
    await expectNoAxeViolations(page);
    await page.getByText("End all sessions…").click();
    await page.getByLabel("Your password").first().fill(owner.password);
    await page.getByRole("button", { name: "End all sessions" }).click();
    await expect(page.getByRole("status")).toHaveText("The member is signed out everywhere.");
    await expect(page.getByText("0 devices")).toBeVisible();
    expect((await get(request, "/account", { ip: member.ip, token: member.token })).status()).toBe(303);
  });
});
