// Email verification codes against a real local D1: wrong codes of the right length, the 15-minute boundary,
// the five-attempt limit (also under parallel guessing), single use, resend replacing the old code, and the
// email-change path (the verified code moves the account to the new address, unless someone took it).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  CODE_LIFETIME, CODE_MAX_ATTEMPTS, createEmailVerification as createVerificationOrNull, getPendingVerificationEmail, verifyEmailCode,
} from "@functions/auth/email-verification";
import { resendVerification } from "@functions/auth/account";
import { hashToken } from "@functions/auth/tokens";
import { SITE, T0, capturingMailer, failingMailer, insertUser } from "./support";

/** A fresh code for an address no other account awaits (createEmailVerification's null case is tested below). */
async function createEmailVerification(db: D1Database, userId: string, email: string, now: number): Promise<string> {
  const code = await createVerificationOrNull(db, userId, email, now);
  if (code === null) throw new Error(`another account awaits ${email}`);
  return code;
}

const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/** The same code with one character changed to another character of the code alphabet (same length). */
function oneCharOff(code: string, position = code.length - 1): string {
  const current = code[position]!;
  const replacement = ALPHABET[(ALPHABET.indexOf(current) + 1) % ALPHABET.length]!;
  return code.slice(0, position) + replacement + code.slice(position + 1);
}

async function verifiedAt(userId: string): Promise<number | null> {
  const row = await env.DB.prepare("SELECT email_verified_at FROM users WHERE id = ?1").bind(userId).first<{ email_verified_at: number | null }>();
  return row!.email_verified_at;
}

describe("a code", () => {
  it("is 8 characters from the unambiguous alphabet and stored only as its SHA-256", async () => {
    const user = await insertUser();
    const code = await createEmailVerification(env.DB, user.id, user.email, T0);
    expect(code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/);
    const row = await env.DB.prepare("SELECT * FROM email_verifications WHERE user_id = ?1").bind(user.id).first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(code);
    expect(row!.code_hash).toBe(hashToken(code));
  });

  it("of the same length but one character wrong is refused, costs an attempt and does not verify", async () => {
    const user = await insertUser();
    const code = await createEmailVerification(env.DB, user.id, user.email, T0);
    for (const position of [0, 7]) {
      const wrong = oneCharOff(code, position);
      expect(wrong).toHaveLength(code.length);
      expect(wrong).not.toBe(code);
    }
    expect(await verifyEmailCode(env.DB, user.id, oneCharOff(code, 0), T0)).toEqual({ ok: false, reason: "wrong", attemptsLeft: 4 });
    expect(await verifyEmailCode(env.DB, user.id, oneCharOff(code, 7), T0)).toEqual({ ok: false, reason: "wrong", attemptsLeft: 3 });
    expect(await verifiedAt(user.id)).toBeNull();
    expect(await verifyEmailCode(env.DB, user.id, code, T0)).toEqual({ ok: true, email: user.email });
    expect(await verifiedAt(user.id)).toBe(T0);
  });

  it("is accepted typed in lower case with spaces or a dash", async () => {
    const user = await insertUser();
    const code = await createEmailVerification(env.DB, user.id, user.email, T0);
    const typed = ` ${code.slice(0, 4).toLowerCase()}-${code.slice(4)} `;
    expect((await verifyEmailCode(env.DB, user.id, typed, T0)).ok).toBe(true);
  });

  it("works one second before 15 minutes and is expired at exactly 15 minutes", async () => {
    expect(CODE_LIFETIME).toBe(15 * 60);
    const early = await insertUser();
    const earlyCode = await createEmailVerification(env.DB, early.id, early.email, T0);
    expect((await verifyEmailCode(env.DB, early.id, earlyCode, T0 + CODE_LIFETIME - 1)).ok).toBe(true);

    const late = await insertUser();
    const lateCode = await createEmailVerification(env.DB, late.id, late.email, T0);
    expect(await verifyEmailCode(env.DB, late.id, lateCode, T0 + CODE_LIFETIME)).toEqual({ ok: false, reason: "expired" });
    expect(await verifyEmailCode(env.DB, late.id, lateCode, T0 + CODE_LIFETIME + 3600)).toMatchObject({ ok: false });
    expect(await verifiedAt(late.id)).toBeNull();
  });

  it("allows the right code on the fifth try, after four wrong ones", async () => {
    const user = await insertUser();
    const code = await createEmailVerification(env.DB, user.id, user.email, T0);
    for (let i = 0; i < CODE_MAX_ATTEMPTS - 1; i++) expect((await verifyEmailCode(env.DB, user.id, oneCharOff(code), T0)).ok).toBe(false);
    expect((await verifyEmailCode(env.DB, user.id, code, T0)).ok).toBe(true);
  });

  it("ends after five wrong tries: even the right code fails afterwards", async () => {
    expect(CODE_MAX_ATTEMPTS).toBe(5);
    const user = await insertUser();
    const code = await createEmailVerification(env.DB, user.id, user.email, T0);
    const reasons: string[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await verifyEmailCode(env.DB, user.id, oneCharOff(code), T0);
      expect(result.ok).toBe(false);
      if (!result.ok) reasons.push(result.reason);
    }
    expect(reasons).toEqual(["wrong", "wrong", "wrong", "wrong", "exhausted"]);
    expect(await verifyEmailCode(env.DB, user.id, code, T0)).toEqual({ ok: false, reason: "exhausted" });
    expect(await verifiedAt(user.id)).toBeNull();
  });

  it("cannot be guessed more than five times by parallel requests", async () => {
    const user = await insertUser();
    const code = await createEmailVerification(env.DB, user.id, user.email, T0);
    const guesses = await Promise.all(Array.from({ length: 25 }, () => verifyEmailCode(env.DB, user.id, oneCharOff(code), T0)));
    expect(guesses.filter((g) => !g.ok && g.reason === "wrong")).toHaveLength(4);
    const row = await env.DB.prepare("SELECT attempts FROM email_verifications WHERE user_id = ?1").bind(user.id).first<{ attempts: number }>();
    expect(row!.attempts).toBe(5);
    expect((await verifyEmailCode(env.DB, user.id, code, T0)).ok).toBe(false);
  });

  it("works once: a second use finds no code", async () => {
    const user = await insertUser();
    const code = await createEmailVerification(env.DB, user.id, user.email, T0);
    expect((await verifyEmailCode(env.DB, user.id, code, T0)).ok).toBe(true);
    expect(await verifyEmailCode(env.DB, user.id, code, T0 + 1)).toEqual({ ok: false, reason: "none" });
    expect(await getPendingVerificationEmail(env.DB, user.id)).toBeNull();
  });

  it("belongs to one account: another member's code does not verify this one", async () => {
    const [a, b] = [await insertUser(), await insertUser()];
    const codeA = await createEmailVerification(env.DB, a.id, a.email, T0);
    await createEmailVerification(env.DB, b.id, b.email, T0);
    expect(await verifyEmailCode(env.DB, b.id, codeA, T0)).toMatchObject({ ok: false, reason: "wrong" });
    expect(await verifiedAt(b.id)).toBeNull();
  });
});

describe("resending", () => {
  it("replaces the old code (which then fails) and restores the five attempts", async () => {
    const user = await insertUser();
    const first = await createEmailVerification(env.DB, user.id, user.email, T0);
    for (let i = 0; i < 3; i++) await verifyEmailCode(env.DB, user.id, oneCharOff(first), T0);
    const second = await createEmailVerification(env.DB, user.id, user.email, T0 + 60);
    expect(second).not.toBe(first);
    // The old code is recognised as replaced (not "wrong"), names the address of the new one, and costs nothing.
    expect(await verifyEmailCode(env.DB, user.id, first, T0 + 60)).toEqual({ ok: false, reason: "replaced", email: user.email });
    expect(await verifyEmailCode(env.DB, user.id, oneCharOff(second), T0 + 60)).toEqual({ ok: false, reason: "wrong", attemptsLeft: 4 });
    expect((await verifyEmailCode(env.DB, user.id, second, T0 + 60)).ok).toBe(true);
  });

  it("typing the replaced code any number of times never uses up the new code's attempts", async () => {
    const user = await insertUser();
    const first = await createEmailVerification(env.DB, user.id, user.email, T0);
    const second = await createEmailVerification(env.DB, user.id, user.email, T0 + 60);
    for (let i = 0; i < CODE_MAX_ATTEMPTS + 2; i++) {
      expect(await verifyEmailCode(env.DB, user.id, first.toLowerCase(), T0 + 61), `try ${i + 1}`).toMatchObject({ ok: false, reason: "replaced" });
    }
    const row = await env.DB.prepare("SELECT attempts, replaced_code_hash FROM email_verifications WHERE user_id = ?1").bind(user.id).first<{ attempts: number; replaced_code_hash: string }>();
    expect(row).toEqual({ attempts: 0, replaced_code_hash: hashToken(first) });
    expect((await verifyEmailCode(env.DB, user.id, second, T0 + 62)).ok).toBe(true);
  });

  it("only the code just replaced is recognised; one replaced twice over is simply wrong", async () => {
    const user = await insertUser();
    const first = await createEmailVerification(env.DB, user.id, user.email, T0);
    const second = await createEmailVerification(env.DB, user.id, user.email, T0 + 60);
    await createEmailVerification(env.DB, user.id, user.email, T0 + 120);
    expect(await verifyEmailCode(env.DB, user.id, second, T0 + 121)).toMatchObject({ ok: false, reason: "replaced" });
    expect(await verifyEmailCode(env.DB, user.id, first, T0 + 121)).toEqual({ ok: false, reason: "wrong", attemptsLeft: 4 });
  });

  it("a code replaced by an email change names the new address", async () => {
    const user = await insertUser();
    const first = await createEmailVerification(env.DB, user.id, user.email, T0);
    const newAddress = `moved-${crypto.randomUUID().slice(0, 8)}@example.org`;
    await createEmailVerification(env.DB, user.id, newAddress, T0 + 60);
    expect(await verifyEmailCode(env.DB, user.id, first, T0 + 61)).toEqual({ ok: false, reason: "replaced", email: newAddress });
  });

  it("through resendVerification emails the new code, with a fresh 15 minutes from the resend", async () => {
    const user = await insertUser();
    const first = await createEmailVerification(env.DB, user.id, user.email, T0);
    const mailer = capturingMailer();
    expect(await resendVerification(env.DB, mailer, user.id, user.email, SITE, T0 + 600)).toBe(true);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]!.to).toBe(user.email);
    const code = /code is ([A-Z0-9]{8})/.exec(mailer.sent[0]!.text)?.[1];
    expect(code).toBeDefined();
    expect(code).not.toBe(first);
    expect(mailer.sent[0]!.text).toContain(`${SITE}/verify`);
    expect((await verifyEmailCode(env.DB, user.id, first, T0 + 600)).ok).toBe(false);
    // Alive until 15 minutes after the resend, not after the first code.
    expect((await verifyEmailCode(env.DB, user.id, code!, T0 + 600 + CODE_LIFETIME - 1)).ok).toBe(true);
  });

  it("reports a mail failure as false without undoing the new code", async () => {
    const user = await insertUser();
    expect(await resendVerification(env.DB, failingMailer("smtp down"), user.id, user.email, SITE, T0)).toBe(false);
    expect(await getPendingVerificationEmail(env.DB, user.id)).toBe(user.email);
  });
});

describe("email change", () => {
  it("moves the account to the new address when its code is entered", async () => {
    const user = await insertUser();
    const newEmail = `new-${crypto.randomUUID().slice(0, 8)}@example.org`;
    const code = await createEmailVerification(env.DB, user.id, newEmail, T0);
    expect(await getPendingVerificationEmail(env.DB, user.id)).toBe(newEmail);
    expect(await verifyEmailCode(env.DB, user.id, code, T0)).toEqual({ ok: true, email: newEmail });
    const row = await env.DB.prepare("SELECT email FROM users WHERE id = ?1").bind(user.id).first<{ email: string }>();
    expect(row!.email).toBe(newEmail);
  });

  it("refuses with `taken` (and changes nothing) when another account claimed the address meanwhile", async () => {
    const user = await insertUser();
    const contested = `contested-${crypto.randomUUID().slice(0, 8)}@example.org`;
    const code = await createEmailVerification(env.DB, user.id, contested, T0);
    await insertUser({ email: contested });
    expect(await verifyEmailCode(env.DB, user.id, code, T0)).toEqual({ ok: false, reason: "taken" });
    const row = await env.DB.prepare("SELECT email, email_verified_at FROM users WHERE id = ?1").bind(user.id).first<{ email: string; email_verified_at: number | null }>();
    expect(row).toEqual({ email: user.email, email_verified_at: null });
  });
});
