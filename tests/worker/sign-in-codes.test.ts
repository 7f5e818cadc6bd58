// Sign-in codes by email against a real local D1, with a controlled clock: the code mailed (8 characters, stored as
// its SHA-256), the 10-minute boundary, the five-try limit, single use (also under 5 concurrent submissions), the
// session it starts (a normal one, ending the device's previous session) and the address it verifies, and one
// refusal for every failure, so an address with an account cannot be told from one without.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CODE_REFUSED, requestSignInCode, signInWithCode, SIGN_IN_CODE_LIFETIME, SIGN_IN_CODE_MAX_ATTEMPTS } from "@functions/auth/sign-in-codes";
import { createSession, validateSessionToken } from "@functions/auth/sessions";
import { hashToken } from "@functions/auth/tokens";
import { exportUserData } from "@functions/auth/account-data";
import { countQueries, withQueryCounting } from "@functions/http/d1-counter";
import { SITE, T0, capturingMailer, count, failingMailer, insertUser, signedUpMember, uniqueEmail } from "./support";

/** Asks for a code for `email` at `now` and returns the code from the mail (or null when none was sent). */
async function mailedCode(email: string, now = T0): Promise<string | null> {
  const mailer = capturingMailer();
  await requestSignInCode(env.DB, mailer, email, SITE, now);
  const message = mailer.sent[0];
  return message === undefined ? null : /code is ([A-Z0-9]{8})\./.exec(message.text)![1]!;
}

const wrongCode = (code: string) => (code.startsWith("A") ? "B" : "A") + code.slice(1);

describe("asking for a sign-in code", () => {
  it("mails an 8-character code to an account's address, stored only as its SHA-256, and nothing to an unknown address", async () => {
    const user = await insertUser();
    const code = await mailedCode(user.email);
    expect(code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/);
    const row = await env.DB.prepare("SELECT * FROM sign_in_codes WHERE email = ?1").bind(user.email).first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(code!);
    expect(row).toMatchObject({ user_id: user.id, code_hash: hashToken(code!), attempts: 0, expires_at: T0 + SIGN_IN_CODE_LIFETIME });
    expect(await mailedCode(uniqueEmail("nobody"))).toBeNull();
  });

  it("is in the member's data export with its dates, never its hash", async () => {
    const user = await insertUser();
    const code = await mailedCode(user.email);
    const data = await exportUserData(env.DB, user.id, T0 + 1);
    expect(data!.pendingSignInCode).toEqual({ email: user.email, expires_at: new Date((T0 + SIGN_IN_CODE_LIFETIME) * 1000).toISOString(), created_at: new Date(T0 * 1000).toISOString() });
    expect(JSON.stringify(data)).not.toContain(hashToken(code!));
  });

  it("replaces the earlier code: only the newest works", async () => {
    const user = await insertUser();
    const first = await mailedCode(user.email);
    const second = await mailedCode(user.email, T0 + 1);
    expect((await signInWithCode(env.DB, user.email, first!, T0 + 2)).ok).toBe(false);
    expect((await signInWithCode(env.DB, user.email, second!, T0 + 2)).ok).toBe(true);
  });

  it("never throws when the mail cannot be sent", async () => {
    const user = await insertUser();
    await expect(requestSignInCode(env.DB, failingMailer(), user.email, SITE, T0)).resolves.toBeUndefined();
  });
});

describe("signing in with a code", () => {
  it("starts a normal session, verifies the address, spends the code and the pending sign-up code", async () => {
    const member = await signedUpMember();
    expect(await count("SELECT COUNT(*) AS n FROM email_verifications WHERE user_id = ?1", member.userId)).toBe(1);
    const code = await mailedCode(member.email, T0 + 10);
    const result = await signInWithCode(env.DB, member.email.toUpperCase(), code!.toLowerCase(), T0 + 20, hashToken(member.token));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const validated = await validateSessionToken(env.DB, result.token, T0 + 21);
    expect(validated.user).toMatchObject({ id: member.userId, emailVerified: true, pendingEmail: null });
    expect(validated.session!.createdAt).toBe(T0 + 20);
    // The device's previous session (from the sign-up) ended with it.
    expect((await validateSessionToken(env.DB, member.token, T0 + 21)).session).toBeNull();
    expect(await count("SELECT COUNT(*) AS n FROM sign_in_codes WHERE user_id = ?1", member.userId)).toBe(0);
    expect((await signInWithCode(env.DB, member.email, code!, T0 + 22)).ok).toBe(false);
  });

  it("works until the last second of its 10 minutes and not at the boundary", async () => {
    const user = await insertUser();
    const early = await mailedCode(user.email);
    expect((await signInWithCode(env.DB, user.email, early!, T0 + SIGN_IN_CODE_LIFETIME - 1)).ok).toBe(true);
    const late = await mailedCode(user.email, T0 + 1000);
    expect(await signInWithCode(env.DB, user.email, late!, T0 + 1000 + SIGN_IN_CODE_LIFETIME)).toEqual({ ok: false, errors: { code: CODE_REFUSED } });
  });

  it("dies after five wrong tries: the fifth wrong try is still counted, then even the right code fails", async () => {
    const user = await insertUser();
    const code = await mailedCode(user.email);
    for (let i = 0; i < SIGN_IN_CODE_MAX_ATTEMPTS - 1; i++) expect((await signInWithCode(env.DB, user.email, wrongCode(code!), T0 + i)).ok).toBe(false);
    // Four wrong tries leave the right code working…
    const other = await insertUser();
    const otherCode = await mailedCode(other.email);
    for (let i = 0; i < SIGN_IN_CODE_MAX_ATTEMPTS - 1; i++) await signInWithCode(env.DB, other.email, wrongCode(otherCode!), T0 + i);
    expect((await signInWithCode(env.DB, other.email, otherCode!, T0 + 10)).ok).toBe(true);
    // …a fifth ends it.
    expect((await signInWithCode(env.DB, user.email, wrongCode(code!), T0 + 10)).ok).toBe(false);
    expect((await signInWithCode(env.DB, user.email, code!, T0 + 11)).ok).toBe(false);
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", user.id)).toBe(0);
  });

  it("gives one session to five concurrent submissions of one code", async () => {
    const user = await insertUser();
    const code = await mailedCode(user.email);
    const results = await Promise.all(Array.from({ length: 5 }, () => signInWithCode(env.DB, user.email, code!, T0 + 5)));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", user.id)).toBe(1);
  });

  it("is void once the account's address has changed since the code was sent", async () => {
    const user = await insertUser();
    const code = await mailedCode(user.email);
    await env.DB.prepare("UPDATE users SET email = ?1 WHERE id = ?2").bind(uniqueEmail("moved"), user.id).run();
    expect((await signInWithCode(env.DB, user.email, code!, T0 + 5)).ok).toBe(false);
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", user.id)).toBe(0);
  });

  it("refuses an unknown address, no code, a wrong code and a spent code with the same answer and the same queries", async () => {
    const user = await insertUser();
    const code = await mailedCode(user.email);
    const attempt = (email: string, typed: string) => countQueries(() => signInWithCode(withQueryCounting(env.DB), email, typed, T0 + 5));
    const noCode = await insertUser();
    const answers = [
      await attempt(uniqueEmail("nobody"), code!),
      await attempt(noCode.email, code!),
      await attempt(user.email, wrongCode(code!)),
    ];
    expect((await signInWithCode(env.DB, user.email, code!, T0 + 6)).ok).toBe(true);
    answers.push(await attempt(user.email, code!));
    for (const answer of answers) expect(answer).toEqual({ result: { ok: false, errors: { code: CODE_REFUSED } }, queries: 1 });
  });

  it("ends the device's previous session whoever's it was, as a password sign-in does", async () => {
    const user = await insertUser();
    const victim = await insertUser();
    await createSession(env.DB, "victim-token-abcdefghijklmnop", victim.id, T0);
    const code = await mailedCode(user.email);
    const result = await signInWithCode(env.DB, user.email, code!, T0 + 5, hashToken("victim-token-abcdefghijklmnop"));
    expect(result.ok).toBe(true);
    // The previous session is the device's own: it ends, whoever's it was (as signIn does).
    expect((await validateSessionToken(env.DB, "victim-token-abcdefghijklmnop", T0 + 6)).session).toBeNull();
  });
});
