// `next=` over HTTP against the built site: after sign-in, join and verify, a hostile value (another host, a
// protocol-relative or backslashed path, javascript:, double encoding) sends the member to / and never off the
// site; a same-site path, query included, is kept. The sign-in form never carries a hostile next either.
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { get, postForm, sessionCookieSet } from "./http";
import { latestCode } from "./mailbox";
import { signInHttp, verifiedMember } from "./members";

const STRATEGY_PAGE = "/strategy/how-members-vote/";

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
    const verify = await postForm(request, "/verify", { ip, token }, { action: "verify", code: await latestCode(request, email), next: "https://evil.example/x" });
    expect(verify.status()).toBe(303);
    expect(verify.headers().location).toBe("/account");
  });
});
