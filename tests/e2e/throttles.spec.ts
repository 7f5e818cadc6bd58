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
