// Password-reset tokens against a real local D1: same-length wrong tokens, the one-hour boundary, a new request
// killing earlier links, single use under five concurrent uses (exactly one winner, exactly one session left),
// and what a successful reset does (password replaced, every old session ended, address verified).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { consumePasswordReset, createPasswordReset, findPasswordReset, RESET_LIFETIME } from "@functions/auth/password-reset";
import { createSession, generateSessionToken, newSession, validateSessionToken } from "@functions/auth/sessions";
import { hashToken } from "@functions/auth/tokens";
import { changePassword, requestEmailChange, requestPasswordReset } from "@functions/auth/account";
import { verifyEmailCode } from "@functions/auth/email-verification";
import { PASSWORD, SITE, T0, capturingMailer, count, failingMailer, insertUser, signedUpMember, uniqueEmail } from "./support";
import { BREACHES } from "./breach-support";

/** A user with the stand-in hash "old-hash", so a test can see whether a reset replaced it. */
async function makeUser(): Promise<string> {
  return (await insertUser({ passwordHash: "old-hash" })).id;
}

async function userRow(id: string): Promise<{ password_hash: string; email_verified_at: number | null }> {
  return (await env.DB.prepare("SELECT password_hash, email_verified_at FROM users WHERE id = ?1").bind(id).first())!;
}

async function sessionIds(userId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT id FROM sessions WHERE user_id = ?1").bind(userId).all<{ id: string }>();
  return results.map((row) => row.id);
}

/** The token with its last base32 character changed (same length). */
function oneCharOff(token: string): string {
  return token.slice(0, -1) + (token.endsWith("a") ? "b" : "a");
}

describe("a reset token", () => {
  it("is 32 base32 characters (160 bits), stored only as its SHA-256", async () => {
    const userId = await makeUser();
    const token = await createPasswordReset(env.DB, userId, T0);
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    const rows = await env.DB.prepare("SELECT * FROM password_resets WHERE user_id = ?1").bind(userId).all();
    expect(JSON.stringify(rows.results)).not.toContain(token);
    expect(rows.results).toEqual([{ id: hashToken(token), user_id: userId, expires_at: T0 + RESET_LIFETIME, created_at: T0 }]);
  });

  it("of the same length but one character wrong finds nothing and changes nothing", async () => {
    const userId = await makeUser();
    const token = await createPasswordReset(env.DB, userId, T0);
    const wrong = oneCharOff(token);
    expect(wrong).toHaveLength(token.length);
    expect(await findPasswordReset(env.DB, wrong, T0)).toBeNull();
    expect(await consumePasswordReset(env.DB, wrong, userId, "attacker-hash", newSession(T0), T0)).toBeNull();
    expect((await userRow(userId)).password_hash).toBe("old-hash");
    expect(await sessionIds(userId)).toEqual([]);
    // The real token still works afterwards.
    expect(await findPasswordReset(env.DB, token, T0)).toEqual({ userId });
  });

  it("works one second before the hour and not at exactly one hour", async () => {
    expect(RESET_LIFETIME).toBe(60 * 60);
    const userId = await makeUser();
    const token = await createPasswordReset(env.DB, userId, T0);
    expect(await findPasswordReset(env.DB, token, T0 + RESET_LIFETIME - 1)).toEqual({ userId });
    expect(await findPasswordReset(env.DB, token, T0 + RESET_LIFETIME)).toBeNull();
    expect(await consumePasswordReset(env.DB, token, userId, "late-hash", newSession(T0 + RESET_LIFETIME), T0 + RESET_LIFETIME)).toBeNull();
    expect((await userRow(userId)).password_hash).toBe("old-hash");
    expect(await consumePasswordReset(env.DB, token, userId, "in-time-hash", newSession(T0 + RESET_LIFETIME - 1), T0 + RESET_LIFETIME - 1)).toEqual({ userId });
  });

  it("dies when a newer reset is requested", async () => {
    const userId = await makeUser();
    const first = await createPasswordReset(env.DB, userId, T0);
    const second = await createPasswordReset(env.DB, userId, T0 + 10);
    expect(second).not.toBe(first);
    expect(await findPasswordReset(env.DB, first, T0 + 10)).toBeNull();
    expect(await consumePasswordReset(env.DB, first, userId, "hash-from-first", newSession(T0 + 10), T0 + 10)).toBeNull();
    expect(await findPasswordReset(env.DB, second, T0 + 10)).toEqual({ userId });
    expect(await count("SELECT COUNT(*) AS n FROM password_resets WHERE user_id = ?1", userId)).toBe(1);
  });

  it("of one member does not touch another member's token", async () => {
    const [a, b] = [await makeUser(), await makeUser()];
    const tokenA = await createPasswordReset(env.DB, a, T0);
    const tokenB = await createPasswordReset(env.DB, b, T0);
    expect(await consumePasswordReset(env.DB, tokenA, a, "new-a", newSession(T0), T0)).toEqual({ userId: a });
    expect(await findPasswordReset(env.DB, tokenB, T0)).toEqual({ userId: b });
    expect((await userRow(b)).password_hash).toBe("old-hash");
  });
});

describe("consuming a reset", () => {
  it("replaces the password, ends every old session, starts the given one, verifies the address, and works once", async () => {
    const userId = await makeUser();
    const oldTokens = [generateSessionToken(), generateSessionToken()];
    for (const token of oldTokens) await createSession(env.DB, token, userId, T0);
    const resetToken = await createPasswordReset(env.DB, userId, T0);
    const fresh = newSession(T0 + 5);

    expect(await consumePasswordReset(env.DB, resetToken, userId, "new-hash", fresh, T0 + 5)).toEqual({ userId });
    expect(await userRow(userId)).toEqual({ password_hash: "new-hash", email_verified_at: T0 + 5 });
    for (const token of oldTokens) expect((await validateSessionToken(env.DB, token, T0 + 5)).session).toBeNull();
    expect((await validateSessionToken(env.DB, fresh.token, T0 + 5)).session).toMatchObject({ userId, expiresAt: fresh.expiresAt });
    expect(await sessionIds(userId)).toEqual([hashToken(fresh.token)]);

    // Single use: the same link again changes nothing.
    expect(await consumePasswordReset(env.DB, resetToken, userId, "second-hash", newSession(T0 + 6), T0 + 6)).toBeNull();
    expect((await userRow(userId)).password_hash).toBe("new-hash");
    expect(await sessionIds(userId)).toEqual([hashToken(fresh.token)]);
  });

  it("spends the sign-up code of the address it verifies, so nothing shows as waiting for a code", async () => {
    const up = await signedUpMember({ email: uniqueEmail("unverified") });
    const email = up.email;
    expect((await validateSessionToken(env.DB, up.token, T0 + 1)).user?.pendingEmail).toBe(email);
    const token = await createPasswordReset(env.DB, up.userId, T0 + 2);
    const session = newSession(T0 + 3);
    expect(await consumePasswordReset(env.DB, token, up.userId, "new-hash", session, T0 + 3)).toEqual({ userId: up.userId });
    const user = (await validateSessionToken(env.DB, session.token, T0 + 4)).user;
    expect(user).toMatchObject({ emailVerified: true, pendingEmail: null });
  });

  it("keeps an earlier verification date", async () => {
    const userId = await makeUser();
    await env.DB.prepare("UPDATE users SET email_verified_at = ?1 WHERE id = ?2").bind(T0 - 100, userId).run();
    const token = await createPasswordReset(env.DB, userId, T0);
    await consumePasswordReset(env.DB, token, userId, "h", newSession(T0), T0);
    expect((await userRow(userId)).email_verified_at).toBe(T0 - 100);
  });

  it("five concurrent uses of one token: exactly one succeeds, the rest get null, one session exists afterwards", async () => {
    const userId = await makeUser();
    await createSession(env.DB, generateSessionToken(), userId, T0);
    const token = await createPasswordReset(env.DB, userId, T0);
    const attempts = Array.from({ length: 5 }, (_, i) => ({ hash: `hash-${i}`, session: newSession(T0 + 1) }));
    const results = await Promise.all(attempts.map((a) => consumePasswordReset(env.DB, token, userId, a.hash, a.session, T0 + 1)));

    const winners = results.flatMap((result, i) => (result === null ? [] : [i]));
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => result === null)).toHaveLength(4);
    const winner = attempts[winners[0]!]!;
    expect(results[winners[0]!]).toEqual({ userId });
    expect((await userRow(userId)).password_hash).toBe(winner.hash);
    expect(await sessionIds(userId)).toEqual([hashToken(winner.session.token)]);
    for (const [i, attempt] of attempts.entries()) {
      if (i !== winners[0]) expect((await validateSessionToken(env.DB, attempt.session.token, T0 + 1)).session).toBeNull();
    }
    expect(await count("SELECT COUNT(*) AS n FROM password_resets WHERE user_id = ?1", userId)).toBe(0);
  });
});

describe("outstanding reset links after the account changes", () => {
  // A reset link is a bearer credential mailed to one address. When the member changes the password or moves the
  // account to another address, earlier links must die (as Django's reset tokens do, being keyed on both), or
  // whoever holds the old mailbox can still take the account over for up to an hour.
  const mailer = capturingMailer();
  const member = () => signedUpMember({ email: uniqueEmail("rl"), mailer });

  it("a password change kills earlier reset links", async () => {
    const { userId } = await member();
    const token = await createPasswordReset(env.DB, userId, T0 + 10);
    expect((await changePassword(env.DB, mailer, userId, PASSWORD, "copper meadow seventeen", T0 + 20, BREACHES)).ok).toBe(true);
    expect(await findPasswordReset(env.DB, token, T0 + 30)).toBeNull();
    expect(await consumePasswordReset(env.DB, token, userId, "attacker-hash", newSession(T0 + 30), T0 + 30)).toBeNull();
  });

  it("moving the account to a new email address kills reset links sent to the old one", async () => {
    const { userId } = await member();
    const oldAddressToken = await createPasswordReset(env.DB, userId, T0 + 10);
    const newEmail = uniqueEmail("moved");
    mailer.sent.length = 0;
    expect((await requestEmailChange(env.DB, mailer, userId, newEmail, PASSWORD, SITE, T0 + 20)).ok).toBe(true);
    const code = /code is ([A-Z0-9]{8})/.exec(mailer.sent.find((m) => m.to === newEmail)!.text)![1]!;
    expect(await verifyEmailCode(env.DB, userId, code, T0 + 30)).toEqual({ ok: true, email: newEmail });
    expect(await findPasswordReset(env.DB, oldAddressToken, T0 + 40)).toBeNull();
    expect(await consumePasswordReset(env.DB, oldAddressToken, userId, "attacker-hash", newSession(T0 + 40), T0 + 40)).toBeNull();
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?1").bind(userId).first<{ password_hash: string }>();
    expect(row!.password_hash).not.toBe("attacker-hash");
  });
});

describe("requestPasswordReset (the work behind /forgot)", () => {
  it("mails a working link built from the site URL to a known address, whatever its case, and kills earlier links", async () => {
    const up = await signedUpMember({ email: uniqueEmail("known") });
    const email = up.email;
    const earlier = await createPasswordReset(env.DB, up.userId, T0);
    const mailer = capturingMailer();
    await requestPasswordReset(env.DB, mailer, `  ${email.toUpperCase()} `, SITE, T0 + 10);
    expect(mailer.sent.map((message) => message.to)).toEqual([email]);
    const token = new RegExp(`${SITE}/reset\\?token=([a-z2-7]{32})`).exec(mailer.sent[0]!.text)?.[1];
    expect(token).toBeDefined();
    expect(await findPasswordReset(env.DB, token!, T0 + 11)).toEqual({ userId: up.userId });
    expect(await findPasswordReset(env.DB, earlier, T0 + 11)).toBeNull();
  });

  it("does nothing for an unknown address, and never throws when D1 or the mailer fails", async () => {
    const mailer = capturingMailer();
    const before = await count("SELECT COUNT(*) AS n FROM password_resets");
    await requestPasswordReset(env.DB, mailer, "nobody-here@example.org", SITE, T0);
    expect(mailer.sent).toEqual([]);
    expect(await count("SELECT COUNT(*) AS n FROM password_resets")).toBe(before);

    const broken = { prepare() { throw new Error("D1_ERROR: simulated outage"); } } as unknown as D1Database;
    await expect(requestPasswordReset(broken, capturingMailer(), "a@example.org", SITE, T0)).resolves.toBeUndefined();
    const { email } = await signedUpMember({ email: uniqueEmail("mailfail") });
    await expect(requestPasswordReset(env.DB, failingMailer(), email, SITE, T0)).resolves.toBeUndefined();
  });
});
