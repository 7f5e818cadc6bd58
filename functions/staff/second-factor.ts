// The staff second factor: a TOTP authenticator (RFC 6238: SHA-1, 30-second steps, 6 digits, as every authenticator
// app expects; @oslojs/otp computes the codes) with ten single-use recovery codes. Every staff session must pass it
// before any console page shows member data; the pass is stored on the session row (sessions.second_factor_at).
// A code is accepted for the current step and one either side (clock drift), never for a step at or before the last
// one accepted (no replay, even from another session), and wrong codes are limited per account
// (THROTTLES.secondFactorAccount, counted first and given back for a right code, so concurrent guesses cannot exceed
// it). Used by the console's enrol and second-factor pages (src/pages/admin/) through console-guard.ts.
import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";
import { renderSVG } from "uqr";
import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { constantTimeEqual, generateToken, hashToken } from "@functions/auth/tokens";
import { consumeThrottle, refundThrottle, THROTTLES, type ThrottleStore } from "@functions/auth/throttle";
import { logger } from "@functions/log";
import { auditStatement, type Actor } from "./audit";
import { sealSecret, unsealSecret } from "./sealed-secret";

const log = logger("security");

export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;
const ISSUER = "Smallism";

/** Where a staff member stands with the second factor. */
export type SecondFactorState = "none" | "enrolling" | "enrolled";

/** The time step a Unix time falls in. */
export function totpStep(now: number): number {
  return Math.floor(now / TOTP_PERIOD);
}

/** The code an authenticator shows for `key` at `now` (tests and the bench type it as a person would). */
export function totpCode(key: Uint8Array, now: number): string {
  return generateHOTP(key, BigInt(totpStep(now)), TOTP_DIGITS);
}

/** The step in now ± 1 whose code is `code`, or null. */
function matchingStep(key: Uint8Array, code: string, now: number): number | null {
  const step = totpStep(now);
  for (const candidate of [step - 1, step, step + 1]) {
    if (constantTimeEqual(generateHOTP(key, BigInt(candidate), TOTP_DIGITS), code)) return candidate;
  }
  return null;
}

/** "12 34 56" or "123456" as typed → "123456"; a recovery code "abcde-fghij" → "abcdefghij". */
function normaliseTyped(code: string): string {
  return code.replace(/[\s-]/g, "").toLowerCase();
}

/** Whether `userId` has a confirmed authenticator, one being set up, or none. */
export async function secondFactorState(db: D1Database, userId: string): Promise<SecondFactorState> {
  const row = await db.prepare("SELECT confirmed_at FROM staff_totp WHERE user_id = ?1").bind(userId).first<{ confirmed_at: number | null }>();
  if (row === null) return "none";
  return row.confirmed_at === null ? "enrolling" : "enrolled";
}

export interface Enrolment {
  /** The otpauth:// URI the QR code holds. */
  keyUri: string;
  /** The secret as authenticator apps accept it typed (base32), in groups of four. */
  secretText: string;
  /** The QR code as an SVG element (server-drawn; no script). */
  qrSvg: string;
}

/**
 * The authenticator being set up for `userId`: the unconfirmed secret already stored (so a reload shows the same
 * QR code), or a new one. Null when an authenticator is already confirmed.
 */
export async function beginTotpEnrolment(db: D1Database, hashSecret: string, userId: string, accountName: string, now: number): Promise<Enrolment | null> {
  const row = await db.prepare("SELECT secret_sealed, confirmed_at FROM staff_totp WHERE user_id = ?1").bind(userId).first<{ secret_sealed: string; confirmed_at: number | null }>();
  if (row?.confirmed_at != null) return null;
  let key = row === null ? null : await unsealSecret(hashSecret, row.secret_sealed);
  if (key === null) {
    key = crypto.getRandomValues(new Uint8Array(20));
    await db
      .prepare("INSERT INTO staff_totp (user_id, secret_sealed, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, created_at = excluded.created_at WHERE confirmed_at IS NULL")
      .bind(userId, await sealSecret(hashSecret, key), now)
      .run();
  }
  const keyUri = createTOTPKeyURI(ISSUER, accountName, key, TOTP_PERIOD, TOTP_DIGITS);
  return { keyUri, secretText: encodeBase32UpperCaseNoPadding(key).match(/.{1,4}/g)!.join(" "), qrSvg: renderSVG(keyUri, { border: 2 }) };
}

export type SecondFactorResult =
  | { ok: true; recoveryCodes?: string[] }
  | { ok: false; reason: "wrong" | "throttled" | "not-enrolled"; retryAfter?: number };

/** Counts an attempt against the account's limit; null when allowed, else the refusal. */
async function countAttempt(store: ThrottleStore, userId: string, now: number): Promise<SecondFactorResult | null> {
  const verdict = await consumeThrottle(store, THROTTLES.secondFactorAccount, userId, now);
  if (verdict.allowed) return null;
  log.warn("throttle.refused", { path: "/admin/second-factor", rules: THROTTLES.secondFactorAccount.name, userId, retryAfter: verdict.retryAfter });
  return { ok: false, reason: "throttled", retryAfter: verdict.retryAfter };
}

/** Marks `sessionId` as having passed the second factor, with its audit row, in one batch. */
async function passSession(db: D1Database, actor: Actor, sessionId: string, method: string, now: number, extra: D1PreparedStatement[] = []): Promise<void> {
  await db.batch([
    db.prepare("UPDATE sessions SET second_factor_at = ?1 WHERE id = ?2").bind(now, sessionId),
    ...extra,
    auditStatement(db, actor, "staff.second-factor.passed", actor.userId, now, { method }),
  ]);
}

/**
 * Confirms the authenticator being set up with a code from it: stores it as confirmed, creates the recovery codes
 * (returned once, to show; only their hashes are kept), and passes this session's second factor.
 */
export async function confirmTotpEnrolment(store: ThrottleStore, actor: Actor, sessionId: string, typed: string, now: number): Promise<SecondFactorResult> {
  const { db, secret } = store;
  const row = await db.prepare("SELECT secret_sealed FROM staff_totp WHERE user_id = ?1 AND confirmed_at IS NULL").bind(actor.userId).first<{ secret_sealed: string }>();
  const key = row === null ? null : await unsealSecret(secret, row.secret_sealed);
  if (key === null) return { ok: false, reason: "not-enrolled" };
  const refused = await countAttempt(store, actor.userId, now);
  if (refused) return refused;
  const step = matchingStep(key, normaliseTyped(typed), now);
  if (step === null) {
    log.warn("second_factor.failed", { userId: actor.userId, method: "totp-enrol" });
    return { ok: false, reason: "wrong" };
  }
  await refundThrottle(store, THROTTLES.secondFactorAccount, actor.userId);
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, () => generateToken(7).slice(0, 10).replace(/^(.{5})/, "$1-"));
  await db.batch([
    db.prepare("UPDATE staff_totp SET confirmed_at = ?1, last_step = ?2 WHERE user_id = ?3 AND confirmed_at IS NULL").bind(now, step, actor.userId),
    db.prepare("DELETE FROM staff_recovery_codes WHERE user_id = ?1").bind(actor.userId),
    ...recoveryCodes.map((code) => db.prepare("INSERT INTO staff_recovery_codes (user_id, code_hash) VALUES (?1, ?2)").bind(actor.userId, hashToken(normaliseTyped(code)))),
    db.prepare("UPDATE sessions SET second_factor_at = ?1 WHERE id = ?2").bind(now, sessionId),
    auditStatement(db, actor, "staff.second-factor.enrolled", actor.userId, now, { method: "totp", recoveryCodes: RECOVERY_CODE_COUNT }),
  ]);
  return { ok: true, recoveryCodes };
}

/**
 * Checks a code from the authenticator, or a recovery code, and passes this session's second factor. A TOTP step
 * and a recovery code are each claimed by one conditional UPDATE, so of concurrent submissions of one code exactly
 * one succeeds.
 */
export async function passSecondFactor(store: ThrottleStore, actor: Actor, sessionId: string, typed: string, now: number): Promise<SecondFactorResult> {
  const { db, secret } = store;
  const row = await db.prepare("SELECT secret_sealed FROM staff_totp WHERE user_id = ?1 AND confirmed_at IS NOT NULL").bind(actor.userId).first<{ secret_sealed: string }>();
  const key = row === null ? null : await unsealSecret(secret, row.secret_sealed);
  if (key === null) return { ok: false, reason: "not-enrolled" };
  const refused = await countAttempt(store, actor.userId, now);
  if (refused) return refused;
  const code = normaliseTyped(typed);
  if (/^\d{6}$/.test(code)) {
    const step = matchingStep(key, code, now);
    const claimed = step === null ? null : await db
      .prepare("UPDATE staff_totp SET last_step = ?1 WHERE user_id = ?2 AND last_step < ?1 RETURNING user_id")
      .bind(step, actor.userId)
      .first();
    if (claimed) {
      await refundThrottle(store, THROTTLES.secondFactorAccount, actor.userId);
      await passSession(db, actor, sessionId, "totp", now);
      return { ok: true };
    }
  } else if (/^[a-z2-7]{10}$/.test(code)) {
    const claimed = await db
      .prepare("UPDATE staff_recovery_codes SET used_at = ?1 WHERE user_id = ?2 AND code_hash = ?3 AND used_at IS NULL RETURNING code_hash")
      .bind(now, actor.userId, hashToken(code))
      .first();
    if (claimed) {
      await refundThrottle(store, THROTTLES.secondFactorAccount, actor.userId);
      await passSession(db, actor, sessionId, "recovery-code", now);
      return { ok: true };
    }
  }
  log.warn("second_factor.failed", { userId: actor.userId });
  return { ok: false, reason: "wrong" };
}

/** How many unused recovery codes `userId` has left. */
export async function recoveryCodesLeft(db: D1Database, userId: string): Promise<number> {
  return (await db.prepare("SELECT COUNT(*) AS n FROM staff_recovery_codes WHERE user_id = ?1 AND used_at IS NULL").bind(userId).first<{ n: number }>())!.n;
}
