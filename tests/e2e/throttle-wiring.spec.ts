// Every throttle rule, tripped at the page that counts it, over HTTP against the built site (issue 11, finding 15):
// `limit` attempts are answered as usual, the next is 429 with Retry-After. Each attempt varies every key but the
// one under test (a fresh IP, address or account), so only that rule can refuse. TRIPS is typed by THROTTLES' keys,
// so a new rule without a trip here does not compile, and a test below fails if a rule is left out at run time; a
// form that stops counting one of its rules fails its trip.
import type { APIRequestContext, APIResponse } from "@playwright/test";
import { test, expect, uniqueEmail, uniqueIp } from "./fixtures";
import { get, postForm } from "./http";
import { joinHttp, verifiedMember, type Member } from "./members";
import { THROTTLES } from "@functions/auth/throttle";
import { freshSession, staffMember } from "./staff";

type RuleName = keyof typeof THROTTLES;

interface Trip {
  /** What the attempts share: the one key the rule counts. Made once per trip. */
  prepare(request: APIRequestContext): Promise<Shared>;
  /** The i-th attempt (1-based); anything it does not share with the others is fresh. */
  attempt(request: APIRequestContext, shared: Shared, i: number): Promise<APIResponse>;
}

interface Shared { ip: string; email: string; member?: Member; members?: Member[] }

const PASSWORD = "a long enough pass phrase";
const fresh = async (): Promise<Shared> => ({ ip: uniqueIp(), email: uniqueEmail("trip") });

/** `count` members who joined from their own IPs (each resend or email change below comes from a different account). */
async function members(request: APIRequestContext, count: number): Promise<Member[]> {
  const made: Member[] = [];
  for (let i = 0; i < count; i++) made.push(await joinHttp(request, uniqueEmail("trip-member")));
  return made;
}

const TRIPS: Record<RuleName, Trip> = {
  signInIp: { prepare: fresh, attempt: (r, s) => postForm(r, "/login", { ip: s.ip }, { email: uniqueEmail("spray"), password: "wrong guess" }) },
  signInEmail: { prepare: fresh, attempt: (r, s) => postForm(r, "/login", { ip: uniqueIp() }, { email: s.email, password: "wrong guess" }) },
  joinIp: { prepare: fresh, attempt: (r, s) => postForm(r, "/join", { ip: s.ip }, { email: uniqueEmail("crowd"), password: PASSWORD, agree: "yes" }) },
  joinEmail: { prepare: fresh, attempt: (r, s) => postForm(r, "/join", { ip: uniqueIp() }, { email: s.email, password: PASSWORD, agree: "yes" }) },
  verifyIp: {
    prepare: async (r) => ({ ...(await fresh()), members: await members(r, 1) }),
    // One member guessing codes from one network: the rule counts the network only (the code itself dies after 5
    // wrong tries, which answers 400 like any wrong code, still counted).
    attempt: (r, s) => postForm(r, "/verify", { ip: s.ip, token: s.members![0]!.token }, { action: "verify", code: "WRONGCOD" }),
  },
  resendAccount: {
    prepare: async (r) => ({ ...(await fresh()), member: (await members(r, 1))[0]! }),
    attempt: (r, s) => postForm(r, "/verify", { ip: uniqueIp(), token: s.member!.token }, { action: "resend" }),
  },
  resendIp: {
    prepare: async (r) => ({ ...(await fresh()), members: await members(r, THROTTLES.resendIp.limit + 1) }),
    attempt: (r, s, i) => postForm(r, "/verify", { ip: s.ip, token: s.members![i - 1]!.token }, { action: "resend" }),
  },
  emailChangeIp: {
    prepare: async (r) => {
      const made: Member[] = [];
      for (let i = 0; i <= THROTTLES.emailChangeIp.limit; i++) made.push(await verifiedMember(r, uniqueEmail("mover")));
      return { ...(await fresh()), members: made };
    },
    attempt: (r, s, i) => postForm(r, "/account", { ip: s.ip, token: s.members![i - 1]!.token }, { action: "email", newEmail: uniqueEmail("dest"), emailPassword: PASSWORD }),
  },
  codeRecipient: {
    // One address with a pending sign-up code (its own account's), that three other accounts try to move to (each
    // refused, as the address has an account, but counted) and its account then has resent: the sixth send is
    // refused, by this rule alone (the account's own resend limit, 3, is not yet reached). Both forms must count it.
    prepare: async (r) => {
      const owner = (await members(r, 1))[0]!;
      const movers: Member[] = [];
      for (let i = 0; i < 3; i++) movers.push(await verifiedMember(r, uniqueEmail("mover")));
      return { ip: uniqueIp(), email: owner.email, member: owner, members: movers };
    },
    attempt: (r, s, i) =>
      i <= 3
        ? postForm(r, "/account", { ip: uniqueIp(), token: s.members![i - 1]!.token }, { action: "email", newEmail: s.email, emailPassword: PASSWORD })
        : postForm(r, "/verify", { ip: uniqueIp(), token: s.member!.token }, { action: "resend" }),
  },
  signInCodeSendIp: { prepare: fresh, attempt: (r, s) => postForm(r, "/login/code", { ip: s.ip }, { action: "send", email: uniqueEmail("code") }) },
  signInCodeIp: { prepare: fresh, attempt: (r, s) => postForm(r, "/login/code", { ip: s.ip }, { action: "code", email: uniqueEmail("code"), code: "WRONGCOD" }) },
  signInCodeAccount: { prepare: fresh, attempt: (r, s) => postForm(r, "/login/code", { ip: uniqueIp() }, { action: "code", email: s.email, code: "WRONGCOD" }) },
  passkeyChallengeIp: { prepare: fresh, attempt: (r, s) => postForm(r, "/api/passkeys/challenge?purpose=sign-in", { ip: s.ip }, {}) },
  passkeySignInIp: {
    prepare: fresh,
    // Answers no challenge could have asked for (a credential nobody has): each refused with 400, still counted.
    attempt: (r, s) => postForm(r, "/login", { ip: s.ip }, { action: "passkey", credentialId: "bm9ib2R5", clientDataJSON: "e30", authenticatorData: "AA", signature: "AA", userHandle: "" }),
  },
  forgotIp: { prepare: fresh, attempt: (r, s) => postForm(r, "/forgot", { ip: s.ip }, { email: uniqueEmail("forgot") }) },
  forgotEmail: { prepare: fresh, attempt: (r, s) => postForm(r, "/forgot", { ip: uniqueIp() }, { email: s.email }) },
  resetIp: { prepare: fresh, attempt: (r, s) => postForm(r, "/reset", { ip: s.ip }, { token: "not-a-live-reset-link", password: PASSWORD }) },
  accountIp: {
    prepare: async (r) => ({ ...(await fresh()), member: (await members(r, 1))[0]! }),
    attempt: (r, s, i) => postForm(r, "/account", { ip: s.ip, token: s.member!.token }, { action: "name", displayName: `Name ${i}` }),
  },
  reauthAccount: {
    prepare: async (r) => ({ ...(await fresh()), member: (await members(r, 1))[0]! }),
    attempt: (r, s) => postForm(r, "/account", { ip: uniqueIp(), token: s.member!.token }, { action: "delete", deletePassword: "a stolen cookie's guess" }),
  },
  secondFactorAccount: {
    // Wrong codes from new sessions of one enrolled staff member, each from its own network.
    prepare: async (r) => {
      const staff = await staffMember(r, "admin");
      return { ip: uniqueIp(), email: staff.email, member: { ...staff, token: await freshSession(r, staff) } };
    },
    attempt: (r, s) => postForm(r, "/admin/second-factor", { ip: uniqueIp(), token: s.member!.token }, { code: "000000", next: "/admin" }),
  },
  donateIp: { prepare: fresh, attempt: (r, s) => postForm(r, "/donate", { ip: s.ip }, { amount: "10", frequency: "once" }) },
  thanksIp: { prepare: fresh, attempt: (r, s, i) => get(r, `/donate/thanks?session_id=cs_test_unknownsession${i}`, { ip: s.ip }) },
};

test.describe("every throttle rule trips at its page", () => {
  test("each rule in THROTTLES has a trip here", () => {
    expect(Object.keys(TRIPS).sort()).toEqual(Object.keys(THROTTLES).sort());
  });

  for (const [name, trip] of Object.entries(TRIPS) as Array<[RuleName, Trip]>) {
    const rule = THROTTLES[name];
    test(`${rule.name}: ${rule.limit} attempts pass, the next is 429`, async ({ request }) => {
      test.setTimeout(180_000);
      const shared = await trip.prepare(request);
      for (let i = 1; i <= rule.limit; i++) {
        const response = await trip.attempt(request, shared, i);
        expect(response.status(), `attempt ${i}: ${(await response.text()).slice(0, 200)}`).not.toBe(429);
      }
      const refused = await trip.attempt(request, shared, rule.limit + 1);
      expect(refused.status(), `attempt ${rule.limit + 1}`).toBe(429);
      expect(Number(refused.headers()["retry-after"])).toBeGreaterThan(0);
      expect(Number(refused.headers()["retry-after"])).toBeLessThanOrEqual(rule.windowSeconds);
    });
  }
});
