// Account use-cases: sign up, sign in, verify, change password or email, export and delete. The Astro pages
// in src/pages/ parse the form, call one of these with db and mailer, and map the result to HTML.
import { hashPassword, needsRehash, verifyDummyPassword, verifyPassword } from "./passwords";
import { checkPasswordPolicy, screenNewPassword } from "./password-policy";
import type { BreachCheck } from "./breached-passwords";
import { generateSessionToken, insertSessionStatement, invalidateUserSessionsStatement } from "./sessions";
import { generateCode } from "./tokens";
import { upsertVerificationStatement, createEmailVerification } from "./email-verification";
import {
  generateUserId, getUserByEmail, getUserById, insertUserStatement, isUniqueViolation, isValidEmail, normaliseEmail,
  selectUserStatement, toUser, updatePasswordStatement, type UserRow,
} from "./users";
import { logAuthEvent } from "./log";
import type { Mailer } from "@functions/email/mailer";
import { emailChangeNoticeEmail, passwordChangedEmail, passwordResetEmail, verificationEmail } from "@functions/email/messages";
import { createPasswordReset, deletePasswordResetsStatement } from "./password-reset";

export type FieldErrors = Partial<Record<string, string>>;
export type Outcome<T> = ({ ok: true } & T) | { ok: false; errors: FieldErrors };

/** Sends an email without letting a mail failure undo the account change that caused it. */
async function sendQuietly(mailer: Mailer, message: Parameters<Mailer["send"]>[0], event: string): Promise<boolean> {
  try {
    await mailer.send(message);
    return true;
  } catch (error) {
    logAuthEvent("email.failed", { about: event, error: error instanceof Error ? error.message : "unknown" });
    return false;
  }
}

export interface SignUpInput { email: string; password: string; displayName: string | null }

/** The problems with a sign-up's email and password, so a form can show them together with its own checks. */
export function checkSignUp(input: Pick<SignUpInput, "email" | "password">): FieldErrors {
  const email = normaliseEmail(input.email);
  const errors: FieldErrors = {};
  if (!isValidEmail(email)) errors.email = "Enter one email address, like name@example.org.";
  const policy = checkPasswordPolicy(input.password, email);
  if (policy !== null) errors.password = policy;
  return errors;
}

/**
 * Creates an account, signs it in and emails a verification code. Duplicate emails are refused, never 500; so is a
 * password found in known breaches (checked last, when everything else is in order).
 */
export async function signUp(
  db: D1Database, mailer: Mailer, input: SignUpInput, siteUrl: string, now: number, breaches: BreachCheck,
): Promise<Outcome<{ token: string; userId: string }>> {
  const email = normaliseEmail(input.email);
  const errors = checkSignUp(input);
  if (errors.email || errors.password) return { ok: false, errors };
  const breached = await screenNewPassword(input.password, email, breaches);
  if (breached !== null) return { ok: false, errors: { password: breached } };

  const userId = generateUserId();
  const token = generateSessionToken();
  const code = generateCode();
  const passwordHash = await hashPassword(input.password);
  try {
    // One transaction: the account, its first session and its first code exist together or not at all.
    await db.batch([
      insertUserStatement(db, { id: userId, email, displayName: input.displayName, passwordHash }, now),
      insertSessionStatement(db, token, userId, now),
      upsertVerificationStatement(db, userId, email, code, now),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) {
      logAuthEvent("signup.duplicate");
      return { ok: false, errors: { email: "This email address already has an account. Sign in, or reset your password." } };
    }
    throw error;
  }
  logAuthEvent("signup", { userId });
  await sendQuietly(mailer, verificationEmail(email, code, siteUrl), "signup");
  return { ok: true, token, userId };
}

/** Checks an email and password and starts a new session. Unknown emails cost and say the same as wrong passwords. */
export async function signIn(db: D1Database, email: string, password: string, now: number): Promise<Outcome<{ token: string; userId: string }>> {
  const failure = { ok: false as const, errors: { form: "That email and password do not match an account." } };
  if (password.length > 1024) return failure;
  const user = await getUserByEmail(db, email);
  if (user === null) {
    await verifyDummyPassword(password);
    logAuthEvent("signin.failed", { reason: "unknown-email" });
    return failure;
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    logAuthEvent("signin.failed", { userId: user.id, reason: "wrong-password" });
    return failure;
  }
  const token = generateSessionToken();
  const statements = [insertSessionStatement(db, token, user.id, now)];
  if (needsRehash(user.passwordHash)) statements.push(updatePasswordStatement(db, user.id, await hashPassword(password)));
  await db.batch(statements);
  logAuthEvent("signin", { userId: user.id });
  return { ok: true, token, userId: user.id };
}

/** Emails a fresh verification code to the address awaiting verification (or the account's own). */
export async function resendVerification(db: D1Database, mailer: Mailer, userId: string, email: string, siteUrl: string, now: number): Promise<boolean> {
  const code = await createEmailVerification(db, userId, email, now);
  logAuthEvent("verify.resent", { userId });
  return sendQuietly(mailer, verificationEmail(email, code, siteUrl), "verify.resend");
}

/**
 * Changes the password after checking the current one. Every session of the member, this one included, ends
 * in the same batch and a new session begins, so any copy of an old cookie stops working.
 */
export async function changePassword(
  db: D1Database, mailer: Mailer, userId: string, current: string, next: string, now: number, breaches: BreachCheck,
): Promise<Outcome<{ token: string }>> {
  const user = await getUserById(db, userId);
  if (user === null) return { ok: false, errors: { form: "Your account could not be found." } };
  if (current.length > 1024 || !(await verifyPassword(user.passwordHash, current))) {
    logAuthEvent("password.change.failed", { userId });
    return { ok: false, errors: { currentPassword: "That is not your current password." } };
  }
  const policy = await screenNewPassword(next, user.email, breaches);
  if (policy !== null) return { ok: false, errors: { newPassword: policy } };
  const token = generateSessionToken();
  await db.batch([
    updatePasswordStatement(db, userId, await hashPassword(next)),
    invalidateUserSessionsStatement(db, userId),
    insertSessionStatement(db, token, userId, now),
    // A reset link requested before the change would otherwise undo it.
    deletePasswordResetsStatement(db, userId),
  ]);
  logAuthEvent("password.changed", { userId });
  await sendQuietly(mailer, passwordChangedEmail(user.email), "password.changed");
  return { ok: true, token };
}

/**
 * The work behind "forgot password": when `email` has an account, a new reset link (earlier ones die) is created
 * and mailed; otherwise nothing. /forgot runs it after answering, so that known and unknown addresses get the same
 * reply in the same time and the page cannot be used to find out who has an account.
 */
export async function requestPasswordReset(db: D1Database, mailer: Mailer, email: string, siteUrl: string, now: number): Promise<void> {
  try {
    const user = await getUserByEmail(db, email);
    logAuthEvent("reset.requested", { userId: user?.id ?? null });
    if (user === null) return;
    const token = await createPasswordReset(db, user.id, now);
    await sendQuietly(mailer, passwordResetEmail(user.email, token, siteUrl), "reset");
  } catch (error) {
    // Nobody is waiting for this answer any more; the member can simply ask again.
    logAuthEvent("reset.failed", { error: error instanceof Error ? error.message : "unknown" });
  }
}

/** Starts an email change: checks the password, sends a code to the new address and a notice to the old one. */
export async function requestEmailChange(
  db: D1Database, mailer: Mailer, userId: string, newEmailInput: string, password: string, siteUrl: string, now: number,
): Promise<Outcome<{ email: string }>> {
  const user = await getUserById(db, userId);
  if (user === null) return { ok: false, errors: { form: "Your account could not be found." } };
  const newEmail = normaliseEmail(newEmailInput);
  if (!isValidEmail(newEmail)) return { ok: false, errors: { newEmail: "Enter one email address, like name@example.org." } };
  if (newEmail === user.email) return { ok: false, errors: { newEmail: "That is already your email address." } };
  if (password.length > 1024 || !(await verifyPassword(user.passwordHash, password))) {
    return { ok: false, errors: { emailPassword: "That is not your current password." } };
  }
  if ((await getUserByEmail(db, newEmail)) !== null) {
    return { ok: false, errors: { newEmail: "Another account uses that email address." } };
  }
  const code = await createEmailVerification(db, userId, newEmail, now);
  logAuthEvent("email.change.requested", { userId });
  await sendQuietly(mailer, verificationEmail(newEmail, code, siteUrl), "email.change");
  await sendQuietly(mailer, emailChangeNoticeEmail(user.email, newEmail), "email.change.notice");
  return { ok: true, email: newEmail };
}

/**
 * Deletes an account after checking its password: the member, sessions, codes and reset tokens go; donations
 * stay for the accounts but lose their link to the member and their email address. One batch.
 */
export async function deleteAccount(db: D1Database, userId: string, password: string): Promise<Outcome<object>> {
  const user = await getUserById(db, userId);
  if (user === null) return { ok: false, errors: { form: "Your account could not be found." } };
  if (password.length > 1024 || !(await verifyPassword(user.passwordHash, password))) {
    return { ok: false, errors: { deletePassword: "That is not your current password." } };
  }
  // Guest donations made with the member's address are theirs only if they proved they own it: anyone can
  // join with someone else's address, and deleting that account must not erase the real owner's records.
  const ownedEmail = user.emailVerifiedAt !== null ? user.email : null;
  await db.batch([
    db.prepare("UPDATE donations SET user_id = NULL, email = NULL WHERE user_id = ?1 OR email = ?2").bind(userId, ownedEmail),
    db.prepare("UPDATE subscriptions SET user_id = NULL, email = NULL WHERE user_id = ?1 OR email = ?2").bind(userId, ownedEmail),
    db.prepare("DELETE FROM users WHERE id = ?1").bind(userId),
  ]);
  logAuthEvent("account.deleted", { userId });
  return { ok: true };
}

/** Everything the site holds about a member, for "download my data" (no password hash, no token hashes). */
export async function exportUserData(db: D1Database, userId: string, now: number): Promise<Record<string, unknown> | null> {
  // One round trip for everything (the page's D1 budget is two, and the session lookup is the other).
  const [account, sessions, verification, resets, donations, subscriptions] = await db.batch([
    selectUserStatement(db, userId),
    db.prepare("SELECT created_at, expires_at FROM sessions WHERE user_id = ?1 ORDER BY created_at").bind(userId),
    db.prepare("SELECT email, expires_at, created_at FROM email_verifications WHERE user_id = ?1").bind(userId),
    db.prepare("SELECT created_at, expires_at FROM password_resets WHERE user_id = ?1").bind(userId),
    db.prepare(
      "SELECT amount, currency, frequency, status, note, created_at, refunded_at, checkout_session_id, invoice_id FROM donations WHERE user_id = ?1 ORDER BY created_at",
    ).bind(userId),
    db.prepare("SELECT id, amount, currency, status, created_at, canceled_at FROM subscriptions WHERE user_id = ?1").bind(userId),
  ]);
  const iso = (seconds: unknown): string | null => (typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : null);
  const withDates = (rows: Record<string, unknown>[]) =>
    rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, key.endsWith("_at") ? iso(value) : value])));
  const row = account!.results[0] as UserRow | undefined;
  if (row === undefined) return null;
  const user = toUser(row);
  return {
    exportedAt: iso(now),
    account: {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      emailVerifiedAt: iso(user.emailVerifiedAt),
      role: user.role,
      createdAt: iso(user.createdAt),
      password: "stored only as a scrypt hash, which is not included",
    },
    sessions: withDates(sessions!.results as Record<string, unknown>[]),
    pendingEmailVerification: withDates(verification!.results as Record<string, unknown>[])[0] ?? null,
    passwordResetRequests: withDates(resets!.results as Record<string, unknown>[]),
    donations: withDates(donations!.results as Record<string, unknown>[]),
    monthlyDonations: withDates(subscriptions!.results as Record<string, unknown>[]),
  };
}
