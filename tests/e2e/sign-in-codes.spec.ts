// Signing in with a code by email, in the browser and over HTTP against the built site: /login offers it, the code
// from the mail signs the member in (and verifies the address), and nothing in the replies tells an address with an
// account from one without: the same page (bar the address) and the same D1 work for both steps. The per-recipient
// limit is shared with the other forms that mail codes.
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { postForm, sessionCookieSet } from "./http";
import { joinHttp, tokenOpensAccount, verifiedMember } from "./members";
import { latestEmail, mailTo, waitForMail } from "./mailbox";
import { THROTTLES } from "@functions/auth/throttle";

const signInCode = async (request: Parameters<typeof mailTo>[0], email: string) =>
  /sign-in code is ([A-Z0-9]{8})/.exec(await latestEmail(request, email, /sign-in code is/))![1]!;

test("a member signs in from /login with a code from the mail, and an unverified address becomes verified", async ({ page, request }) => {
  // Set up with `request`, not page.request: that shares the page's cookies, and a signed-in page skips /login.
  const member = await joinHttp(request, uniqueEmail("code-browser"));
  await page.goto("/login?next=/account");
  await page.getByRole("link", { name: "Email me a sign-in code" }).click();
  await expect(page).toHaveURL(/\/login\/code\?next=%2Faccount/);
  await page.getByLabel("Email").fill(member.email);
  await page.getByRole("button", { name: "Email me a code" }).click();
  await expect(page.getByRole("status")).toContainText(`If ${member.email} has a Smallism account, a sign-in code is on its way.`);
  await expect(page.getByLabel("Email")).toHaveValue(member.email);
  await page.getByLabel("Code").fill((await signInCode(page.request, member.email)).toLowerCase());
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("Your email address is not verified yet")).toHaveCount(0);
});

test("a wrong code keeps the address, says so next to the field and signs nobody in", async ({ page, request }) => {
  const member = await verifiedMember(request, uniqueEmail("code-wrong"));
  await page.goto("/login/code");
  await page.getByLabel("Email").fill(member.email);
  await page.getByRole("button", { name: "Email me a code" }).click();
  await page.getByLabel("Code").fill("WRONGCOD");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#field-code-error")).toContainText("That code is not right");
  await expect(page.getByLabel("Email")).toHaveValue(member.email);
  await expect(page.getByLabel("Code")).toHaveAttribute("aria-invalid", "true");
});

test.describe("over HTTP", () => {
  /** The page's main content, with the address typed replaced, for comparing two replies. */
  const main = (html: string, email: string) => /<main[\s\S]*<\/main>/.exec(html)![0]!.replaceAll(email, "ADDRESS");

  test("asking for a code answers a known and an unknown address alike: status, page and D1 queries; only the known one gets mail", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("code-known"));
    const nobody = uniqueEmail("code-nobody");
    const known = await postForm(request, "/login/code", { ip: uniqueIp() }, { action: "send", email: member.email, next: "/" });
    const unknown = await postForm(request, "/login/code", { ip: uniqueIp() }, { action: "send", email: nobody, next: "/" });
    expect([known.status(), unknown.status()]).toEqual([200, 200]);
    expect(known.headers()["x-d1-queries"]).toMatch(/^\d+$/);
    expect(known.headers()["x-d1-queries"]).toBe(unknown.headers()["x-d1-queries"]);
    expect(main(await known.text(), member.email)).toBe(main(await unknown.text(), nobody));
    expect(await waitForMail(request, member.email, /sign-in code is/)).toHaveLength(1);
    expect(await mailTo(request, nobody)).toHaveLength(0);
  });

  test("a wrong code for a known address and any code for an unknown one get the same answer and D1 queries", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("code-same"));
    await postForm(request, "/login/code", { ip: uniqueIp() }, { action: "send", email: member.email });
    const code = await signInCode(request, member.email);
    const wrong = (code.startsWith("A") ? "B" : "A") + code.slice(1);
    const nobody = uniqueEmail("code-nobody");
    const known = await postForm(request, "/login/code", { ip: uniqueIp() }, { action: "code", email: member.email, code: wrong });
    const unknown = await postForm(request, "/login/code", { ip: uniqueIp() }, { action: "code", email: nobody, code });
    expect([known.status(), unknown.status()]).toEqual([400, 400]);
    expect(known.headers()["x-d1-queries"]).toBe(unknown.headers()["x-d1-queries"]);
    expect(main(await known.text(), member.email)).toBe(main(await unknown.text(), nobody));
    expect(sessionCookieSet(known)).toBeNull();
  });

  test("the right code sets a session cookie and redirects to next; the same code again is refused", async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("code-once"));
    await postForm(request, "/login/code", { ip: uniqueIp() }, { action: "send", email: member.email });
    const code = await signInCode(request, member.email);
    const first = await postForm(request, "/login/code?next=%2Faccount", { ip: uniqueIp() }, { action: "code", email: member.email, code, next: "/account" });
    expect(first.status()).toBe(303);
    expect(first.headers().location).toBe("/account");
    const cookie = sessionCookieSet(first);
    expect(cookie).not.toBeNull();
    expect(await tokenOpensAccount(request, cookie!.value)).toBe(true);
    const again = await postForm(request, "/login/code", { ip: uniqueIp() }, { action: "code", email: member.email, code });
    expect(again.status()).toBe(400);
    expect(sessionCookieSet(again)).toBeNull();
  });

  test(`sign-in codes count against the per-recipient limit the other code forms share (${THROTTLES.codeRecipient.limit} an hour)`, async ({ request }) => {
    const member = await verifiedMember(request, uniqueEmail("code-flood"));
    for (let i = 1; i <= THROTTLES.codeRecipient.limit; i++) {
      expect((await postForm(request, "/login/code", { ip: uniqueIp() }, { action: "send", email: member.email })).status()).toBe(200);
    }
    const refused = await postForm(request, "/login/code", { ip: uniqueIp() }, { action: "send", email: member.email });
    expect(refused.status()).toBe(429);
    expect(await refused.text()).toContain(member.email);
  });
});
