// The rules for new passwords inside workerd, against a real local D1 and the Have I Been Pwned stand-in
// (tests/support/pwned-passwords-stand-in.mjs): the local rules (length, the common list built from
// @zxcvbn-ts/language-common, this site's words and their variants, the email), the breach check (only a 5-character
// SHA-1 prefix leaves the Worker; slow, failing or garbled answers fail open to the local rules with a log line),
// and sign-up and password change refusing a breached password while changing nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { checkPasswordPolicy, screenNewPassword } from "@functions/auth/password-policy";
import { commonPasswordList, isCommonPassword } from "@functions/auth/common-passwords";
import { BREACH_CHECK_TIMEOUT_MS, countPasswordBreaches } from "@functions/auth/breached-passwords";
import { changePassword, signIn, signUp } from "@functions/auth/account";
import { PASSWORD_MAX, PASSWORD_MIN } from "@functions/auth/passwords";
import { getUserByEmail } from "@functions/auth/users";
import { BREACHES, FAILING_BREACHES, GARBLED_BREACHES, HANGING_BREACHES, markBreached, rangeRequests, sha1 } from "./breach-support";

const SITE = "https://smallism.example";
const T0 = 1_800_000_000;
const noMail = { async send() {} };

/** A password nobody else uses, so the stand-in's answers and records for it are this test's own. */
function uniquePassword(): string {
  return `tidal lantern ${crypto.randomUUID().slice(0, 8)}`;
}

function uniqueEmail(): string {
  return `policy-${crypto.randomUUID().slice(0, 8)}@example.org`;
}

describe("checkPasswordPolicy: the local rules", () => {
  const email = "ada@example.org";
  const table: Array<[string, string, RegExp | null]> = [
    ["7 characters", "abcdefg", /at least 8/],
    ["8 characters", "qzvbnmxk", null],
    ["8 characters of which one is an emoji (counted as one)", "qzvbnmx🙂", null],
    ["7 characters with an emoji (two UTF-16 units, still 7)", "qzvbnm🙂", /at least 8/],
    ["256 characters", "a1b2".repeat(64), null],
    ["257 characters", "a1b2".repeat(64) + "z", /at most 256/],
    ["a common password", "password1", /common/],
    ["a common password in another case", "PassWord1", /common/],
    ["a common password, upper case", "QWERTYUIOP", /common/],
    ["liverpool1 (on the list)", "liverpool1", /common/],
    ["starwars1 (on the list)", "starwars1", /common/],
    ["a common password with a symbol added", "Liverpool1!", /common/],
    ["a common password in leetspeak with digits added", "P@ssw0rd2024", /common/],
    ["the site's name with a digit", "smallism1", /common/],
    ["the site's name, capitalised, with a year and !", "Smallism2024!", /common/],
    ["the site's name in capitals with !!", "SMALLISM!!", /common/],
    ["the site's name in leetspeak", "5m4ll15m", /common/],
    ["the site's name in other leetspeak", "sma11ism", /common/],
    ["the site's address", "smallism.org", /common/],
    ["digits before the site's name", "2024smallism", /common/],
    ["ward with digits", "Ward1234", /common/],
    ["site words together", "Smallism Ward 1", /common/],
    ["a site word twice", "wardward", /common/],
    ["the email address", email, /email/],
    ["the email address in capitals", email.toUpperCase(), /email/],
    ["a long pass phrase", "four unrelated words together", null],
    ["a phrase that contains a site word among others", "forward march 1", null],
    ["a phrase about a ward meeting", "ward meeting on tuesday", null],
  ];
  for (const [name, password, expected] of table) {
    it(`${name} → ${expected === null ? "accepted" : "refused"}`, () => {
      const verdict = checkPasswordPolicy(password, email);
      if (expected === null) expect(verdict).toBeNull();
      else expect(verdict).toMatch(expected);
    });
  }

  it("uses the published limits", () => {
    expect(PASSWORD_MIN).toBe(8);
    expect(PASSWORD_MAX).toBe(256);
  });
});

describe("the common-password list", () => {
  it("holds every 8+ character password of the package's list: well over 10,000, all lower case, none shorter", () => {
    const list = commonPasswordList();
    expect(list.size).toBeGreaterThanOrEqual(17_000);
    for (const password of list) {
      expect([...password].length, password).toBeGreaterThanOrEqual(PASSWORD_MIN);
      expect(password, password).toBe(password.toLowerCase());
    }
  });

  it("includes the most common ones and the ones the review found missing", () => {
    for (const password of ["password", "12345678", "qwertyuiop", "iloveyou", "liverpool1", "starwars1", "manchester", "football1"]) {
      expect(isCommonPassword(password), password).toBe(true);
    }
  });

  it("accepts the pass phrases the other tests use", () => {
    for (const password of ["a long enough pass phrase", "lantern orchard tidal", "copper meadow seventeen", "a reset pass phrase", "an entirely different phrase", "yet another pass phrase", "a brand new pass phrase"]) {
      expect(isCommonPassword(password), password).toBe(false);
    }
  });
});

describe("countPasswordBreaches: the range API, k-anonymity", () => {
  it("a breached password → its count; only the 5-character prefix was sent, with Add-Padding", async () => {
    const password = uniquePassword();
    const hash = await sha1(password);
    await markBreached(password, 1234);
    expect(await countPasswordBreaches(password, BREACHES)).toBe(1234);
    const mine = (await rangeRequests()).filter((request) => request.prefix === hash.slice(0, 5));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ path: `/range/${hash.slice(0, 5)}`, query: "", behaviour: "normal" });
    expect(mine[0]!.headers["add-padding"]).toBe("true");
  });

  it("a password not in any breach → 0", async () => {
    expect(await countPasswordBreaches(uniquePassword(), BREACHES)).toBe(0);
  });

  it("no request ever carried more than 5 hex characters, the password or its hash", async () => {
    const password = uniquePassword();
    const hash = await sha1(password);
    await countPasswordBreaches(password, BREACHES);
    const requests = await rangeRequests();
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) expect(request.path, request.path).toMatch(/^(\/(hang|fail|garbage))?\/range\/[0-9A-F]{5}$/);
    const everything = JSON.stringify(requests);
    for (const secret of [password, encodeURIComponent(password), hash, hash.slice(5), hash.toLowerCase()]) expect(everything).not.toContain(secret);
  });

  it(`a service that does not answer → null after about ${BREACH_CHECK_TIMEOUT_MS} ms, with a log line`, async () => {
    const lines = vi.spyOn(console, "warn");
    const started = Date.now();
    expect(await countPasswordBreaches(uniquePassword(), HANGING_BREACHES)).toBeNull();
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(BREACH_CHECK_TIMEOUT_MS - 100);
    expect(waited).toBeLessThan(BREACH_CHECK_TIMEOUT_MS + 1500);
    expect(lines.mock.calls.map((call) => String(call[0]))).toContain(JSON.stringify({ level: "warn", type: "auth", event: "password.breach_check_unavailable", reason: "timeout" }));
    lines.mockRestore();
  });

  it("a service that fails (503) or answers something else → null at once, with a log line", async () => {
    const lines = vi.spyOn(console, "warn");
    expect(await countPasswordBreaches(uniquePassword(), FAILING_BREACHES)).toBeNull();
    expect(await countPasswordBreaches(uniquePassword(), GARBLED_BREACHES)).toBeNull();
    expect(await countPasswordBreaches(uniquePassword(), { apiBase: "http://127.0.0.1:1" })).toBeNull();
    const logged = lines.mock.calls.map((call) => JSON.parse(String(call[0])) as Record<string, unknown>).filter((line) => line["event"] === "password.breach_check_unavailable");
    expect(logged.map((line) => line["reason"])).toEqual(["status 503", "unreadable answer", "network error"]);
    lines.mockRestore();
  });
});

describe("screenNewPassword: local rules first, then the breach check", () => {
  it("a breached password is refused with how often it was seen, never which breach", async () => {
    const password = uniquePassword();
    await markBreached(password, 52_013);
    expect(await screenNewPassword(password, "ada@example.org", BREACHES)).toBe(
      "This password has appeared in known data breaches (52,013 times), so attackers will try it. Choose another.",
    );
    const once = uniquePassword();
    await markBreached(once, 1);
    expect(await screenNewPassword(once, "ada@example.org", BREACHES)).toMatch(/breaches \(once\)/);
  });

  it("a password the local rules refuse is never sent anywhere", async () => {
    const before = (await rangeRequests()).length;
    expect(await screenNewPassword("Smallism2024!", "ada@example.org", BREACHES)).toMatch(/common/);
    expect(await screenNewPassword("short", "ada@example.org", BREACHES)).toMatch(/at least 8/);
    expect((await rangeRequests()).length).toBe(before);
  });

  it("when the service is down, the local rules still hold and everything else is accepted (fail open)", async () => {
    expect(await screenNewPassword("liverpool1", "ada@example.org", FAILING_BREACHES)).toMatch(/common/);
    expect(await screenNewPassword(uniquePassword(), "ada@example.org", HANGING_BREACHES)).toBeNull();
  });
});

describe("sign-up and password change refuse breached passwords", () => {
  it("sign-up with a breached password → the problem on the password field, no account", async () => {
    const email = uniqueEmail();
    const password = uniquePassword();
    await markBreached(password, 7);
    const result = await signUp(env.DB, noMail, { email, password, displayName: null }, SITE, T0, BREACHES);
    expect(result).toEqual({ ok: false, errors: { password: expect.stringMatching(/known data breaches \(7 times\)/) } });
    expect(await getUserByEmail(env.DB, email)).toBeNull();
    // The same sign-up while the service is unreachable goes through: the check fails open.
    expect((await signUp(env.DB, noMail, { email, password, displayName: null }, SITE, T0, FAILING_BREACHES)).ok).toBe(true);
  });

  it("changing to a breached password → refused, the old password still works", async () => {
    const email = uniqueEmail();
    const password = uniquePassword();
    const up = await signUp(env.DB, noMail, { email, password, displayName: null }, SITE, T0, BREACHES);
    if (!up.ok) throw new Error("expected an account");
    const breached = uniquePassword();
    await markBreached(breached, 3);
    const result = await changePassword(env.DB, noMail, up.userId, password, breached, T0 + 10, BREACHES);
    expect(result).toEqual({ ok: false, errors: { newPassword: expect.stringMatching(/known data breaches/) } });
    expect((await signIn(env.DB, email, password, T0 + 20)).ok).toBe(true);
    expect((await signIn(env.DB, email, breached, T0 + 21)).ok).toBe(false);
  });
});
