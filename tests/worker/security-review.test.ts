// Findings of the outside security review (issue 11) that live in the account use-cases, against a real local D1:
// a sign-in racing a password change cannot slip a session in nor write the old hash back (6); every failed
// re-authentication is logged (7); signing in or joining ends the device's previous session (9); signing out other
// devices needs the password unless the sign-in is recent (10); a password change or reset cancels a pending email
// change (13); and one address has at most one pending code across accounts (2).
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { changePassword, requestEmailChange, signIn, signOutOtherDevices, signUp } from "@functions/auth/account";
import { isRecentSignIn, RECENT_SIGN_IN } from "@functions/auth/reauthentication";
import { deleteAccount } from "@functions/auth/account-data";
import { CODE_LIFETIME, getPendingVerificationEmail, verifyEmailCode } from "@functions/auth/email-verification";
import { consumePasswordReset, createPasswordReset } from "@functions/auth/password-reset";
import { hashPassword, type ScryptParams } from "@functions/auth/passwords";
import { createSession, generateSessionToken, newSession, validateSessionToken } from "@functions/auth/sessions";
import { PASSWORD, SITE, T0, capturingMailer, count, insertUser, signedUpMember, uniqueEmail } from "./support";
import { BREACHES } from "./breach-support";

const NEW_PASSWORD = "copper meadow seventeen";

afterEach(() => vi.restoreAllMocks());

/** A D1 whose next batch first runs `before` (a write landing while scrypt ran), then the batch itself. */
function dbWithWriteBeforeBatch(before: () => Promise<unknown>): D1Database {
  let fired = false;
  return new Proxy(env.DB, {
    get(target, property, receiver) {
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          if (!fired) {
            fired = true;
            await before();
          }
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The JSON lines console.warn and console.log were given while `work` ran. */
async function logLines(work: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  for (const method of ["log", "warn", "error"] as const) vi.spyOn(console, method).mockImplementation((line: string) => void lines.push(line));
  await work();
  vi.restoreAllMocks();
  return lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
}

const sessionsOf = (userId: string) => count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", userId);
const hashOf = async (userId: string) => (await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?1").bind(userId).first<{ password_hash: string }>())!.password_hash;

describe("a sign-in in flight when the password changes (finding 6)", () => {
  it("stores no session when a reset or change replaced the hash while the password was being checked", async () => {
    const { email, userId } = await signedUpMember();
    const replacement = await hashPassword(NEW_PASSWORD);
    const racing = dbWithWriteBeforeBatch(async () => {
      // What a reset does at that moment: new hash, every session gone.
      await env.DB.batch([
        env.DB.prepare("UPDATE users SET password_hash = ?1 WHERE id = ?2").bind(replacement, userId),
        env.DB.prepare("DELETE FROM sessions WHERE user_id = ?1").bind(userId),
      ]);
    });
    const lines = await logLines(async () => {
      expect(await signIn(racing, email, PASSWORD, T0 + 10)).toEqual({ ok: false, errors: { form: expect.any(String) } });
    });
    expect(await sessionsOf(userId)).toBe(0);
    expect(await hashOf(userId)).toBe(replacement);
    expect(lines).toContainEqual(expect.objectContaining({ event: "signin.failed", reason: "password-changed-meanwhile", userId }));
  });

  it("never writes the old password back when upgrading an old-parameter hash", async () => {
    const weak: ScryptParams = { ln: 10, r: 8, p: 1 };
    const user = await insertUser({ passwordHash: await hashPassword(PASSWORD, weak), emailVerifiedAt: T0 });
    const replacement = await hashPassword(NEW_PASSWORD);
    const racing = dbWithWriteBeforeBatch(() => env.DB.prepare("UPDATE users SET password_hash = ?1 WHERE id = ?2").bind(replacement, user.id).run());
    expect((await signIn(racing, user.email, PASSWORD, T0 + 10)).ok).toBe(false);
    expect(await hashOf(user.id)).toBe(replacement);
    expect(await sessionsOf(user.id)).toBe(0);
  });

  it("without a race still signs in and upgrades the hash (the control)", async () => {
    const user = await insertUser({ passwordHash: await hashPassword(PASSWORD, { ln: 10, r: 8, p: 1 }), emailVerifiedAt: T0 });
    expect((await signIn(env.DB, user.email, PASSWORD, T0 + 10)).ok).toBe(true);
    expect(await hashOf(user.id)).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$/);
    expect(await sessionsOf(user.id)).toBe(1);
  });
});

describe("signing in or joining on a device that already has a session (finding 9)", () => {
  it("a sign-in ends the device's previous session, of this member or another, and keeps the member's other devices", async () => {
    const a = await signedUpMember();
    const b = await signedUpMember();
    const laptop = await signIn(env.DB, a.email, PASSWORD, T0 + 1);
    if (!laptop.ok) throw new Error("sign-in failed");
    const previous = (await validateSessionToken(env.DB, a.token, T0 + 2)).session!;
    const next = await signIn(env.DB, b.email, PASSWORD, T0 + 3, previous.id);
    expect(next.ok).toBe(true);
    expect((await validateSessionToken(env.DB, a.token, T0 + 4)).session).toBeNull();
    expect((await validateSessionToken(env.DB, laptop.token, T0 + 4)).session?.userId).toBe(a.userId);
    expect((await validateSessionToken(env.DB, (next as { token: string }).token, T0 + 4)).session?.userId).toBe(b.userId);
  });

  it("a failed sign-in leaves the previous session alone", async () => {
    const a = await signedUpMember();
    const previous = (await validateSessionToken(env.DB, a.token, T0 + 2)).session!;
    expect((await signIn(env.DB, a.email, "not the password at all", T0 + 3, previous.id)).ok).toBe(false);
    expect((await validateSessionToken(env.DB, a.token, T0 + 4)).session).not.toBeNull();
  });

  it("joining ends the previous session in the same batch that creates the account", async () => {
    const a = await signedUpMember();
    const previous = (await validateSessionToken(env.DB, a.token, T0 + 2)).session!;
    const joined = await signUp(env.DB, capturingMailer(), { email: uniqueEmail("second"), password: PASSWORD, displayName: null, previousSessionId: previous.id }, SITE, T0 + 3, BREACHES);
    expect(joined.ok).toBe(true);
    expect((await validateSessionToken(env.DB, a.token, T0 + 4)).session).toBeNull();
  });
});

describe("signOutOtherDevices (finding 10)", () => {
  async function memberWithThreeDevices() {
    const m = await signedUpMember();
    const phone = await createSession(env.DB, generateSessionToken(), m.userId, T0);
    const tablet = await createSession(env.DB, generateSessionToken(), m.userId, T0);
    const current = (await validateSessionToken(env.DB, m.token, T0 + 1)).session!;
    return { ...m, current, others: [phone.id, tablet.id] };
  }
  const later = T0 + RECENT_SIGN_IN + 1;

  it("after five minutes needs the current password: missing or wrong ends nothing and the wrong one is logged", async () => {
    const m = await memberWithThreeDevices();
    expect(isRecentSignIn(m.current, later)).toBe(false);
    expect(await signOutOtherDevices(env.DB, m.userId, m.current, "", later)).toEqual({ ok: false, errors: { everywherePassword: expect.stringContaining("Enter your password") } });
    const lines = await logLines(async () => {
      expect(await signOutOtherDevices(env.DB, m.userId, m.current, "a stolen cookie's guess", later)).toEqual({ ok: false, errors: { everywherePassword: "That is not your current password." } });
    });
    expect(lines).toContainEqual(expect.objectContaining({ level: "warn", event: "reauth.failed", purpose: "signout.everywhere", userId: m.userId }));
    expect(await sessionsOf(m.userId)).toBe(3);
  });

  it("with the password ends every other session and keeps this one", async () => {
    const m = await memberWithThreeDevices();
    expect(await signOutOtherDevices(env.DB, m.userId, m.current, PASSWORD, later)).toEqual({ ok: true });
    expect(await sessionsOf(m.userId)).toBe(1);
    expect((await validateSessionToken(env.DB, m.token, later)).session).not.toBeNull();
  });

  it("within five minutes of signing in needs no password (the boundary is inclusive)", async () => {
    const m = await memberWithThreeDevices();
    expect(isRecentSignIn(m.current, T0 + RECENT_SIGN_IN)).toBe(true);
    expect(await signOutOtherDevices(env.DB, m.userId, m.current, "", T0 + RECENT_SIGN_IN)).toEqual({ ok: true });
    expect(await sessionsOf(m.userId)).toBe(1);
  });
});

describe("every failed re-authentication is logged (finding 7)", () => {
  it.each([
    ["password.change", (userId: string) => changePassword(env.DB, capturingMailer(), userId, "wrong guess here", NEW_PASSWORD, T0 + 5, BREACHES)],
    ["email.change", (userId: string) => requestEmailChange(env.DB, capturingMailer(), userId, uniqueEmail("new"), "wrong guess here", SITE, T0 + 5)],
    ["account.delete", (userId: string) => deleteAccount(env.DB, null, userId, "wrong guess here", T0 + 5)],
  ] as const)("%s", async (purpose, attempt) => {
    const m = await signedUpMember();
    const lines = await logLines(async () => expect((await attempt(m.userId)).ok).toBe(false));
    expect(lines.filter((line) => line.event === "reauth.failed")).toEqual([expect.objectContaining({ level: "warn", type: "auth", purpose, userId: m.userId })]);
    expect(JSON.stringify(lines)).not.toContain("wrong guess here");
  });
});

describe("a password change or reset cancels a pending email change (finding 13)", () => {
  async function memberChangingAddress() {
    const m = await signedUpMember();
    await env.DB.prepare("UPDATE users SET email_verified_at = ?1 WHERE id = ?2").bind(T0, m.userId).run();
    const target = uniqueEmail("attacker");
    const mailer = capturingMailer();
    expect((await requestEmailChange(env.DB, mailer, m.userId, target, PASSWORD, SITE, T0 + 1)).ok).toBe(true);
    const code = /code is ([A-Z0-9]{8})/.exec(mailer.sent.find((message) => message.to === target)!.text)![1]!;
    expect(await getPendingVerificationEmail(env.DB, m.userId)).toBe(target);
    return { ...m, target, code };
  }

  it("untouched, the code mailed to the new address completes the move (the control)", async () => {
    const m = await memberChangingAddress();
    expect(await verifyEmailCode(env.DB, m.userId, m.code, T0 + 3)).toEqual({ ok: true, email: m.target });
  });

  it("changing the password cancels it: the code mailed to the new address no longer works", async () => {
    const m = await memberChangingAddress();
    expect((await changePassword(env.DB, capturingMailer(), m.userId, PASSWORD, NEW_PASSWORD, T0 + 2, BREACHES)).ok).toBe(true);
    expect(await getPendingVerificationEmail(env.DB, m.userId)).toBeNull();
    expect((await verifyEmailCode(env.DB, m.userId, m.code, T0 + 3)).ok).toBe(false);
    expect((await env.DB.prepare("SELECT email FROM users WHERE id = ?1").bind(m.userId).first<{ email: string }>())!.email).toBe(m.email);
  });

  it("a password reset cancels it too", async () => {
    const m = await memberChangingAddress();
    const token = await createPasswordReset(env.DB, m.userId, T0 + 2);
    expect(await consumePasswordReset(env.DB, token, m.userId, await hashPassword(NEW_PASSWORD), newSession(T0 + 3), T0 + 3)).toEqual({ userId: m.userId });
    expect(await getPendingVerificationEmail(env.DB, m.userId)).toBeNull();
    expect((await verifyEmailCode(env.DB, m.userId, m.code, T0 + 4)).ok).toBe(false);
  });

  it("changing the password of an unverified member keeps their own sign-up code", async () => {
    const m = await signedUpMember();
    expect((await changePassword(env.DB, capturingMailer(), m.userId, PASSWORD, NEW_PASSWORD, T0 + 2, BREACHES)).ok).toBe(true);
    expect(await getPendingVerificationEmail(env.DB, m.userId)).toBe(m.email);
  });
});

describe("one pending code per address across accounts (finding 2)", () => {
  async function verifiedMember() {
    const m = await signedUpMember();
    await env.DB.batch([
      env.DB.prepare("UPDATE users SET email_verified_at = ?1 WHERE id = ?2").bind(T0, m.userId),
      env.DB.prepare("DELETE FROM email_verifications WHERE user_id = ?1").bind(m.userId),
    ]);
    return m;
  }

  it("a second account cannot point a pending change at an address another account awaits, and no mail is sent", async () => {
    const [a, b] = [await verifiedMember(), await verifiedMember()];
    const victim = uniqueEmail("victim");
    expect((await requestEmailChange(env.DB, capturingMailer(), a.userId, victim, PASSWORD, SITE, T0 + 1)).ok).toBe(true);
    const mailer = capturingMailer();
    expect(await requestEmailChange(env.DB, mailer, b.userId, victim, PASSWORD, SITE, T0 + 2)).toEqual({
      ok: false, errors: { newEmail: expect.stringContaining("Another account is waiting") },
    });
    expect(mailer.sent).toEqual([]);
    expect(await count("SELECT COUNT(*) AS n FROM email_verifications WHERE email = ?1", victim)).toBe(1);
    // The member who asked first may ask again (a fresh code replaces theirs).
    expect((await requestEmailChange(env.DB, capturingMailer(), a.userId, victim, PASSWORD, SITE, T0 + 3)).ok).toBe(true);
  });

  it("an expired pending code gives way to another account's request", async () => {
    const [a, b] = [await verifiedMember(), await verifiedMember()];
    const address = uniqueEmail("moved");
    expect((await requestEmailChange(env.DB, capturingMailer(), a.userId, address, PASSWORD, SITE, T0 + 1)).ok).toBe(true);
    expect((await requestEmailChange(env.DB, capturingMailer(), b.userId, address, PASSWORD, SITE, T0 + 1 + CODE_LIFETIME)).ok).toBe(true);
    expect(await getPendingVerificationEmail(env.DB, a.userId)).toBeNull();
    expect(await getPendingVerificationEmail(env.DB, b.userId)).toBe(address);
  });

  it("the address's owner signing up takes it: other accounts' pending changes to it end", async () => {
    const a = await verifiedMember();
    const owner = uniqueEmail("owner");
    expect((await requestEmailChange(env.DB, capturingMailer(), a.userId, owner, PASSWORD, SITE, T0 + 1)).ok).toBe(true);
    const joined = await signUp(env.DB, capturingMailer(), { email: owner, password: PASSWORD, displayName: null }, SITE, T0 + 2, BREACHES);
    expect(joined.ok).toBe(true);
    expect(await getPendingVerificationEmail(env.DB, a.userId)).toBeNull();
    expect(await getPendingVerificationEmail(env.DB, (joined as { userId: string }).userId)).toBe(owner);
  });
});
