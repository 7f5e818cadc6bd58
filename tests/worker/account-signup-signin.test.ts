// Sign-up and sign-in use-cases against a real local D1: concurrent duplicate sign-ups (one account, no throw),
// invalid input writing nothing, identical failures for unknown emails and wrong passwords, a new session on
// every sign-in (a planted token is never adopted), and the transparent rehash of an old-parameter hash.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signIn, signUp } from "@functions/auth/account";
import { generateSessionToken, SESSION_LIFETIME, validateSessionToken } from "@functions/auth/sessions";
import { sessionCookie } from "@functions/auth/session-cookie";
import { hashPassword, needsRehash, verifyPassword } from "@functions/auth/passwords";
import { hashToken } from "@functions/auth/tokens";
import { getUserByEmail } from "@functions/auth/users";
import { PASSWORD, SITE, T0, capturingMailer, count, failingMailer, signedUpMember, uniqueEmail } from "./support";
import { BREACHES } from "./breach-support";

describe("signUp", () => {
  it("creates the account (email lower-cased), its first session and code, and mails the code", async () => {
    const mailer = capturingMailer();
    const email = uniqueEmail("New");
    const result = await signUp(env.DB, mailer, { email: `  ${email.toUpperCase()} `, password: PASSWORD, displayName: "Ada" }, SITE, T0, BREACHES);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const user = await getUserByEmail(env.DB, email);
    expect(user).toMatchObject({ id: result.userId, email: email.toLowerCase(), displayName: "Ada", emailVerifiedAt: null, role: "member", createdAt: T0 });
    expect(await verifyPassword(user!.passwordHash, PASSWORD)).toBe(true);
    const session = await validateSessionToken(env.DB, result.token, T0);
    expect(session.user).toMatchObject({ id: result.userId, emailVerified: false, pendingEmail: email.toLowerCase() });
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]!.to).toBe(email.toLowerCase());
    expect(mailer.sent[0]!.text).toMatch(/code is [A-Z2-9]{8}/);
  });

  it("20 concurrent sign-ups with one email in mixed case: exactly one account, 19 duplicate errors, no throw", async () => {
    const mailer = capturingMailer();
    const base = uniqueEmail("race");
    const variants = Array.from({ length: 20 }, (_, i) =>
      [...base].map((c, j) => ((i >> (j % 5)) & 1 ? c.toUpperCase() : c)).join(""),
    );
    expect(new Set(variants).size).toBeGreaterThan(10);
    const settled = await Promise.allSettled(
      variants.map((email) => signUp(env.DB, mailer, { email, password: PASSWORD, displayName: null }, SITE, T0, BREACHES)),
    );
    expect(settled.filter((s) => s.status === "rejected")).toEqual([]);
    const results = settled.map((s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof signUp>>>).value);
    const winners = results.filter((r) => r.ok);
    const losers = results.filter((r) => !r.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    for (const loser of losers) {
      expect(loser).toEqual({ ok: false, errors: { email: expect.stringMatching(/already has an account/) } });
    }
    expect(await count("SELECT COUNT(*) AS n FROM users WHERE lower(email) = ?1", base.toLowerCase())).toBe(1);
    const user = await getUserByEmail(env.DB, base);
    // Only the winner's session and code exist; the losing batches left nothing behind.
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", user!.id)).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM email_verifications WHERE user_id = ?1", user!.id)).toBe(1);
    expect(mailer.sent.filter((m) => m.to === base.toLowerCase())).toHaveLength(1);
  });

  const invalid: Array<[string, { email: string; password: string }, string]> = [
    ["no @", { email: "not-an-email", password: PASSWORD }, "email"],
    ["two addresses", { email: "a@x.org, b@x.org", password: PASSWORD }, "email"],
    ["HTML in the address", { email: "<script>alert(1)</script>@x.org", password: PASSWORD }, "email"],
    ["a control character", { email: "a\u0000b@example.org", password: PASSWORD }, "email"],
    ["255 characters", { email: `${"a".repeat(64)}@${"b".repeat(186)}.org`, password: PASSWORD }, "email"],
    ["a 7-character password", { email: "short@example.org", password: "abcdefg" }, "password"],
    ["a common password", { email: "common@example.org", password: "Password1" }, "password"],
    ["password equal to the email", { email: "same@example.org", password: "SAME@example.org" }, "password"],
  ];
  for (const [name, input, fieldName] of invalid) {
    it(`refuses ${name} on the ${fieldName} field and writes nothing`, async () => {
      const mailer = capturingMailer();
      const users = await count("SELECT COUNT(*) AS n FROM users");
      const result = await signUp(env.DB, mailer, { ...input, displayName: null }, SITE, T0, BREACHES);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[fieldName]).toEqual(expect.any(String));
      expect(await count("SELECT COUNT(*) AS n FROM users")).toBe(users);
      expect(mailer.sent).toEqual([]);
    });
  }

  it("a mail failure does not undo the new account", async () => {
    const email = uniqueEmail("nomail");
    const result = await signUp(env.DB, failingMailer(), { email, password: PASSWORD, displayName: null }, SITE, T0, BREACHES);
    expect(result.ok).toBe(true);
    expect(await getUserByEmail(env.DB, email)).not.toBeNull();
  });
});

describe("signIn", () => {
  async function member(): Promise<{ email: string; userId: string; signupToken: string }> {
    const { email, userId, token } = await signedUpMember({ email: uniqueEmail("signin") });
    return { email, userId, signupToken: token };
  }

  it("returns the identical error object for an unknown email and for a wrong password", async () => {
    const { email } = await member();
    const unknown = await signIn(env.DB, uniqueEmail("nobody"), PASSWORD, T0);
    const wrong = await signIn(env.DB, email, "lantern orchard tidaL", T0);
    expect(unknown.ok).toBe(false);
    expect(wrong).toEqual(unknown);
    expect(JSON.stringify(wrong)).toBe(JSON.stringify(unknown));
    // An over-long password is refused the same way, before any hashing.
    expect(await signIn(env.DB, email, "x".repeat(1025), T0)).toEqual(unknown);
  });

  it("accepts the email in any case and with surrounding spaces", async () => {
    const { email, userId } = await member();
    const result = await signIn(env.DB, `  ${email.toUpperCase()}  `, PASSWORD, T0);
    expect(result).toMatchObject({ ok: true, userId });
  });

  it("creates a new session every time; a planted token is never adopted", async () => {
    const { email, userId, signupToken } = await member();
    const planted = generateSessionToken();
    const first = await signIn(env.DB, email, PASSWORD, T0 + 10);
    const second = await signIn(env.DB, email, PASSWORD, T0 + 20);
    if (!first.ok || !second.ok) throw new Error("sign-in failed");
    const tokens = [planted, signupToken, first.token, second.token];
    expect(new Set(tokens).size).toBe(4);
    for (const token of [first.token, second.token]) {
      expect(token).toMatch(/^[a-z2-7]{32}$/);
      expect((await validateSessionToken(env.DB, token, T0 + 20)).user?.id).toBe(userId);
    }
    expect((await validateSessionToken(env.DB, planted, T0 + 20)).session).toBeNull();
    const { results } = await env.DB.prepare("SELECT id FROM sessions WHERE user_id = ?1").bind(userId).all<{ id: string }>();
    expect(results.map((r) => r.id).sort()).toEqual([hashToken(signupToken), hashToken(first.token), hashToken(second.token)].sort());
  });

  it("creates no session on failure", async () => {
    const { email, userId } = await member();
    await signIn(env.DB, email, "wrong password here", T0);
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", userId)).toBe(1); // the sign-up one
  });

  it("upgrades a hash made with old parameters on a successful sign-in (and only then)", async () => {
    const { email, userId } = await member();
    const old = await hashPassword(PASSWORD, { ln: 14, r: 8, p: 1 });
    await env.DB.prepare("UPDATE users SET password_hash = ?1 WHERE id = ?2").bind(old, userId).run();
    await signIn(env.DB, email, "not the password", T0);
    expect((await getUserByEmail(env.DB, email))!.passwordHash).toBe(old);
    expect((await signIn(env.DB, email, PASSWORD, T0)).ok).toBe(true);
    const upgraded = (await getUserByEmail(env.DB, email))!.passwordHash;
    expect(upgraded).not.toBe(old);
    expect(needsRehash(upgraded)).toBe(false);
    expect((await signIn(env.DB, email, PASSWORD, T0)).ok).toBe(true);
  });
});

describe("the session cookie's attributes", () => {
  it("over HTTPS: __Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain", () => {
    const cookie = sessionCookie(true, T0 + SESSION_LIFETIME);
    expect(cookie).toEqual({
      name: "__Host-smallism_session",
      attributes: { httpOnly: true, sameSite: "lax", path: "/", secure: true, expires: new Date((T0 + SESSION_LIFETIME) * 1000) },
    });
  });

  it("over plain http (local only): no prefix and no Secure, so the browser keeps it", () => {
    expect(sessionCookie(false, T0).name).toBe("smallism_session");
    expect(sessionCookie(false, T0).attributes.secure).toBe(false);
  });

  it("clearing uses Max-Age=0 with the same name and path", () => {
    expect(sessionCookie(true)).toEqual({ name: "__Host-smallism_session", attributes: { httpOnly: true, sameSite: "lax", path: "/", secure: true, maxAge: 0 } });
  });
});
