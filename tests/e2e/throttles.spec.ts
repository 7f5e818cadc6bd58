// The durable D1 throttles over HTTP against the built site: sign-in per email and per IP, join per IP and
// forgot-password per email answer 429 with Retry-After once used up and then do no work (no session, no mail);
// unknown and known addresses cost the same.
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { postForm, sessionCookieSet } from "./http";
import { mailTo, waitForMail } from "./mailbox";
import { signInHttp, verifiedMember } from "./members";

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

  test("empty email fields never share one counter: many empty sign-in and forgot posts, each still told what is missing", async ({ request }) => {
    // Past both per-address limits (10 sign-ins, 3 resets), each from its own IP so only a shared "" key could refuse.
    for (let i = 1; i <= 12; i++) {
      const signIn = await postForm(request, "/login", { ip: uniqueIp() }, { email: "", password: "" });
      expect(signIn.status(), `empty sign-in ${i}`).toBe(400);
      expect(await signIn.text()).toContain("Enter your email address.");
    }
    for (let i = 1; i <= 5; i++) {
      const forgot = await postForm(request, "/forgot", { ip: uniqueIp() }, { email: "" });
      expect(forgot.status(), `empty forgot ${i}`).toBe(400);
      expect(await forgot.text()).toContain("Enter the email address of your account.");
    }
  });

  test("joining counts only complete sign-ups: 15 refused posts from one IP cost nothing, then people join", async ({ request, ip }) => {
    for (let i = 1; i <= 15; i++) {
      const body = [{}, { email: "not-an-email", password: "a long enough pass phrase", agree: "yes" }, { email: uniqueEmail("join-typo"), password: "short", agree: "yes" }][i % 3]!;
      const response = await postForm(request, "/join", { ip }, body);
      expect(response.status(), `refused post ${i}`).toBe(400);
    }
    // More than the old limit of 10 sign-ups from one network, right after the refused posts.
    for (let i = 1; i <= 12; i++) {
      const email = uniqueEmail("join-meeting");
      const response = await postForm(request, "/join", { ip }, { email, password: "a long enough pass phrase", agree: "yes" });
      expect(response.status(), `person ${i}`).toBe(303);
      expect(sessionCookieSet(response), `person ${i}`).not.toBeNull();
    }
  });

  test("joining is limited per address: the 4th attempt in an hour is 429 with Retry-After, keeps the form, sends nothing", async ({ request }) => {
    const email = uniqueEmail("join-target");
    expect((await postForm(request, "/join", { ip: uniqueIp() }, { email, password: "a long enough pass phrase", agree: "yes" })).status()).toBe(303);
    for (let i = 2; i <= 3; i++) {
      const again = await postForm(request, "/join", { ip: uniqueIp() }, { email, password: "a long enough pass phrase", agree: "yes" });
      expect(again.status(), `attempt ${i}`).toBe(400);
      expect(await again.text()).toContain("already has an account");
    }
    const fourth = await postForm(request, "/join", { ip: uniqueIp() }, { email, password: "secret pass phrase 4", displayName: "Ada", agree: "yes" });
    expect(fourth.status()).toBe(429);
    const retryAfter = Number(fourth.headers()["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(sessionCookieSet(fourth)).toBeNull();
    const html = await fourth.text();
    expect(html).toMatch(/Please try again in \d+ minutes?\./);
    // The form is not cleared: the address, the name and the agreement stay; the password never comes back.
    expect(html).toMatch(new RegExp(`id="field-email"[^>]*value="${email.replace(/[.+]/g, "\\$&")}"`));
    expect(html).toMatch(/id="field-displayName"[^>]*value="Ada"/);
    expect(html).toMatch(/id="field-agree"[^>]*checked/);
    expect(html).not.toContain("secret pass phrase 4");
    expect(await mailTo(request, email)).toHaveLength(1);
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
