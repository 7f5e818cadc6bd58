// Managing an account against a real local D1: changing the password (every old session dies, the returned
// token works), requesting an email change, deleting the account (wrong password changes nothing; the right one
// removes the member, sessions, codes and reset tokens and anonymises donations) and the data export (no hash,
// no session ids or token hashes).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { changePassword, requestEmailChange, signIn, signUp } from "@functions/auth/account";
import { deleteAccount, exportUserData } from "@functions/auth/account-data";
import { validateSessionToken } from "@functions/auth/sessions";
import { createPasswordReset } from "@functions/auth/password-reset";
import { getPendingVerificationEmail } from "@functions/auth/email-verification";
import { hashToken } from "@functions/auth/tokens";
import { getUserById, updateDisplayName } from "@functions/auth/users";
import { PASSWORD, SITE, T0, capturingMailer, count, signedUpMember, uniqueEmail } from "./support";
import { BREACHES } from "./breach-support";

const NEW_PASSWORD = "copper meadow seventeen";

/** A member with the sign-up session and one more sign-in session. */
async function member(): Promise<{ email: string; userId: string; tokens: string[] }> {
  const { email, userId, token } = await signedUpMember();
  const again = await signIn(env.DB, email, PASSWORD, T0 + 1);
  if (!again.ok) throw new Error("sign-in failed");
  return { email, userId, tokens: [token, again.token] };
}

async function insertDonation(values: { userId: string | null; email: string | null }): Promise<string> {
  const id = `don_${crypto.randomUUID()}`;
  await env.DB.prepare(
    "INSERT INTO donations (id, user_id, email, amount, currency, frequency, status, checkout_session_id, created_at) VALUES (?1, ?2, ?3, 1500, 'gbp', 'once', 'paid', ?4, ?5)",
  ).bind(id, values.userId, values.email, `cs_${crypto.randomUUID()}`, T0).run();
  return id;
}

describe("changePassword", () => {
  it("ends every old session (the current one too), returns a working new token, and changes the password", async () => {
    const { email, userId, tokens } = await member();
    const mailer = capturingMailer();
    const result = await changePassword(env.DB, mailer, userId, PASSWORD, NEW_PASSWORD, T0 + 100, BREACHES);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    for (const old of tokens) expect((await validateSessionToken(env.DB, old, T0 + 100)).session).toBeNull();
    expect(tokens).not.toContain(result.token);
    expect((await validateSessionToken(env.DB, result.token, T0 + 100)).user?.id).toBe(userId);
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", userId)).toBe(1);
    expect((await signIn(env.DB, email, PASSWORD, T0 + 101)).ok).toBe(false);
    expect((await signIn(env.DB, email, NEW_PASSWORD, T0 + 101)).ok).toBe(true);
    expect(mailer.sent.map((m) => [m.to, m.subject])).toEqual([[email, "Your Smallism password was changed"]]);
  });

  it("with a wrong current password changes nothing", async () => {
    const { email, userId, tokens } = await member();
    const before = (await getUserById(env.DB, userId))!.passwordHash;
    const result = await changePassword(env.DB, capturingMailer(), userId, "not my password", NEW_PASSWORD, T0 + 100, BREACHES);
    expect(result).toEqual({ ok: false, errors: { currentPassword: expect.any(String) } });
    expect((await getUserById(env.DB, userId))!.passwordHash).toBe(before);
    for (const token of tokens) expect((await validateSessionToken(env.DB, token, T0 + 100)).session).not.toBeNull();
    expect((await signIn(env.DB, email, PASSWORD, T0 + 101)).ok).toBe(true);
  });

  it("refuses a new password that breaks the policy, changing nothing", async () => {
    const { email, userId, tokens } = await member();
    for (const bad of ["short", "password1", email]) {
      const result = await changePassword(env.DB, capturingMailer(), userId, PASSWORD, bad, T0 + 100, BREACHES);
      expect(result).toEqual({ ok: false, errors: { newPassword: expect.any(String) } });
    }
    for (const token of tokens) expect((await validateSessionToken(env.DB, token, T0 + 100)).session).not.toBeNull();
    expect((await signIn(env.DB, email, PASSWORD, T0 + 101)).ok).toBe(true);
  });
});

describe("a missing current password is named as missing", () => {
  it("in changePassword and requestEmailChange, changing nothing", async () => {
    const m = await member();
    expect(await changePassword(env.DB, capturingMailer(), m.userId, "", NEW_PASSWORD, T0, BREACHES)).toEqual({ ok: false, errors: { currentPassword: "Enter your current password." } });
    expect(await requestEmailChange(env.DB, capturingMailer(), m.userId, uniqueEmail("new"), "", SITE, T0)).toEqual({ ok: false, errors: { emailPassword: "Enter your current password." } });
    expect((await signIn(env.DB, m.email, PASSWORD, T0 + 2)).ok).toBe(true);
    expect(await getPendingVerificationEmail(env.DB, m.userId)).toBe(m.email);
  });
});

describe("requestEmailChange", () => {
  it("needs the password, sends a code to the new address and a notice to the old one, and keeps the old email until verified", async () => {
    const { email, userId } = await member();
    const newEmail = uniqueEmail("moved");
    const mailer = capturingMailer();
    expect(await requestEmailChange(env.DB, mailer, userId, newEmail, "wrong", SITE, T0)).toEqual({ ok: false, errors: { emailPassword: expect.any(String) } });
    expect(mailer.sent).toEqual([]);
    expect(await requestEmailChange(env.DB, mailer, userId, newEmail.toUpperCase(), PASSWORD, SITE, T0)).toEqual({ ok: true, email: newEmail });
    expect(mailer.sent.map((m) => m.to)).toEqual([newEmail, email]);
    expect(mailer.sent[0]!.text).toMatch(/code is [A-Z2-9]{8}/);
    expect(mailer.sent[1]!.text).not.toMatch(/code is/);
    expect((await getUserById(env.DB, userId))!.email).toBe(email);
    expect(await getPendingVerificationEmail(env.DB, userId)).toBe(newEmail);
  });

  it("refuses an address another account uses, and the member's own address", async () => {
    const a = await member();
    const b = await member();
    expect(await requestEmailChange(env.DB, capturingMailer(), a.userId, b.email, PASSWORD, SITE, T0)).toEqual({ ok: false, errors: { newEmail: expect.stringMatching(/Another account/) } });
    expect(await requestEmailChange(env.DB, capturingMailer(), a.userId, a.email, PASSWORD, SITE, T0)).toEqual({ ok: false, errors: { newEmail: expect.any(String) } });
  });
});

describe("deleteAccount", () => {
  async function memberWithEverything() {
    const m = await member();
    await env.DB.prepare("UPDATE users SET email_verified_at = ?1 WHERE id = ?2").bind(T0 + 1, m.userId).run();
    await createPasswordReset(env.DB, m.userId, T0 + 2);
    const ownDonation = await insertDonation({ userId: m.userId, email: m.email });
    const guestDonation = await insertDonation({ userId: null, email: m.email });
    const strangerEmail = uniqueEmail("stranger");
    const strangerDonation = await insertDonation({ userId: null, email: strangerEmail });
    return { ...m, ownDonation, guestDonation, strangerDonation, strangerEmail };
  }

  async function snapshot(userId: string) {
    return {
      users: await count("SELECT COUNT(*) AS n FROM users WHERE id = ?1", userId),
      sessions: await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", userId),
      codes: await count("SELECT COUNT(*) AS n FROM email_verifications WHERE user_id = ?1", userId),
      resets: await count("SELECT COUNT(*) AS n FROM password_resets WHERE user_id = ?1", userId),
      donations: await count("SELECT COUNT(*) AS n FROM donations WHERE user_id = ?1", userId),
    };
  }

  it("with a wrong password changes nothing", async () => {
    const m = await memberWithEverything();
    const before = await snapshot(m.userId);
    expect(before).toEqual({ users: 1, sessions: 2, codes: 1, resets: 1, donations: 1 });
    expect(await deleteAccount(env.DB, null, m.userId, "not the password", T0 + 5)).toEqual({ ok: false, errors: { deletePassword: expect.any(String) } });
    expect(await deleteAccount(env.DB, null, m.userId, "x".repeat(2000), T0 + 5)).toEqual({ ok: false, errors: { deletePassword: expect.any(String) } });
    expect(await snapshot(m.userId)).toEqual(before);
    const row = await env.DB.prepare("SELECT user_id, email FROM donations WHERE id = ?1").bind(m.ownDonation).first();
    expect(row).toEqual({ user_id: m.userId, email: m.email });
  });

  it("with no password says it is missing (not that it is wrong) and changes nothing", async () => {
    const m = await memberWithEverything();
    const before = await snapshot(m.userId);
    expect(await deleteAccount(env.DB, null, m.userId, "", T0 + 5)).toEqual({ ok: false, errors: { deletePassword: "Enter your password to confirm that you want to delete your account." } });
    expect(await deleteAccount(env.DB, null, m.userId, "not the password", T0 + 5)).toEqual({ ok: false, errors: { deletePassword: "That is not your current password." } });
    expect(await snapshot(m.userId)).toEqual(before);
  });

  it("with the right password deletes member, sessions, codes and resets, and anonymises (keeps) their donations", async () => {
    const m = await memberWithEverything();
    expect(await deleteAccount(env.DB, null, m.userId, PASSWORD, T0 + 5)).toEqual({ ok: true });
    expect(await snapshot(m.userId)).toEqual({ users: 0, sessions: 0, codes: 0, resets: 0, donations: 0 });
    for (const token of m.tokens) expect((await validateSessionToken(env.DB, token, T0 + 5)).session).toBeNull();
    expect((await signIn(env.DB, m.email, PASSWORD, T0 + 5)).ok).toBe(false);

    for (const id of [m.ownDonation, m.guestDonation]) {
      const row = await env.DB.prepare("SELECT user_id, email, amount, currency, status FROM donations WHERE id = ?1").bind(id).first();
      expect(row, id).toEqual({ user_id: null, email: null, amount: 1500, currency: "gbp", status: "paid" });
    }
    // Nobody else's donation is touched.
    const stranger = await env.DB.prepare("SELECT email FROM donations WHERE id = ?1").bind(m.strangerDonation).first();
    expect(stranger).toEqual({ email: m.strangerEmail });
    // The address is free again: it can join anew.
    expect((await signUp(env.DB, capturingMailer(), { email: m.email, password: PASSWORD, displayName: null }, SITE, T0 + 6, BREACHES)).ok).toBe(true);
  });

  it("an account that never verified its address leaves guest donations made with that address alone", async () => {
    // Anyone can join with someone else's address; deleting that account must not erase the owner's records.
    const victimEmail = uniqueEmail("victim");
    const guestDonation = await insertDonation({ userId: null, email: victimEmail });
    const up = await signedUpMember({ email: victimEmail });
    expect(await deleteAccount(env.DB, null, up.userId, PASSWORD, T0 + 5)).toEqual({ ok: true });
    const row = await env.DB.prepare("SELECT user_id, email FROM donations WHERE id = ?1").bind(guestDonation).first();
    expect(row).toEqual({ user_id: null, email: victimEmail });
  });

  it("for an unknown member reports it without throwing", async () => {
    expect(await deleteAccount(env.DB, null, "no-such-user", PASSWORD, T0 + 5)).toEqual({ ok: false, errors: { form: expect.any(String) } });
  });
});

describe("exportUserData", () => {
  it("holds the account, sessions (dates only), donations; no password hash, session ids, token or code hashes", async () => {
    const m = await member();
    await updateDisplayName(env.DB, m.userId, "Ada Export");
    const resetToken = await createPasswordReset(env.DB, m.userId, T0 + 3);
    await insertDonation({ userId: m.userId, email: m.email });
    const user = (await getUserById(env.DB, m.userId))!;
    const codeHash = (await env.DB.prepare("SELECT code_hash FROM email_verifications WHERE user_id = ?1").bind(m.userId).first<{ code_hash: string }>())!.code_hash;

    const data = await exportUserData(env.DB, m.userId, T0 + 10);
    expect(data).not.toBeNull();
    const json = JSON.stringify(data);
    expect(data).toMatchObject({
      exportedAt: new Date((T0 + 10) * 1000).toISOString(),
      account: { id: m.userId, email: m.email, displayName: "Ada Export", emailVerifiedAt: null, role: "member" },
      pendingEmailVerification: { email: m.email },
    });
    expect((data!.sessions as unknown[]).length).toBe(2);
    expect((data!.passwordResetRequests as unknown[]).length).toBe(1);
    expect(data!.donations).toEqual([expect.objectContaining({ amount: 1500, currency: "gbp", frequency: "once", status: "paid" })]);

    const forbidden = [
      user.passwordHash, user.passwordHash.split("$")[4]!, user.passwordHash.split("$")[5]!, "$scrypt$",
      ...m.tokens, ...m.tokens.map(hashToken), resetToken, hashToken(resetToken), codeHash,
    ];
    for (const secret of forbidden) expect(json, secret).not.toContain(secret);
    expect(json).not.toMatch(/password_hash|passwordHash|code_hash|"id":"[0-9a-f]{64}"/);
  });

  it("is null for an unknown member", async () => {
    expect(await exportUserData(env.DB, "no-such-user", T0)).toBeNull();
  });
});
