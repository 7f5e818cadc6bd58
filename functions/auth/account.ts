// Account use-cases: sign up, sign in, resend a code, change the password, display name or email, and reset a
// forgotten password (deleting the account and exporting its data are in account-data.ts). The Astro pages in src/pages/ parse the form, call one of these
// with db and mailer, and map the result to HTML (and a new session to the cookie, session-cookie.ts).
import { hashPassword, hasPassword, needsRehash, verifyDummyPassword, verifyPassword, NO_PASSWORD, PASSWORD_INPUT_MAX } from "./passwords";
import { reauthenticate } from "./reauthentication";
import { checkPasswordPolicy, screenNewPassword } from "./password-policy";
import type { BreachCheck } from "./breached-passwords";
import { endPreviousSessionStatements, insertSessionStatement, invalidateUserSessions, invalidateUserSessionsStatement, newSession, type NewSession } from "./sessions";
import { generateCode } from "./tokens";
import { cancelEmailChangeStatement, createEmailVerification, releaseAddressStatement, upsertVerificationStatement } from "./email-verification";
import {
  checkDisplayName, generateUserId, getUserByEmail, getUserById, insertUserStatement, isUniqueViolation, isValidEmail,
  normaliseEmail, rehashPasswordStatement, updateDisplayName, updatePasswordStatement,
} from "./users";
import { consumePasswordReset, createPasswordReset, deletePasswordResetsStatement, findPasswordReset } from "./password-reset";
import type { Mailer } from "@functions/email/mailer";
import { emailChangeNoticeEmail, passwordChangedEmail, passwordResetEmail, verificationEmail } from "@functions/email/messages";
import { errorMessage, logger } from "@functions/log";

const log = logger("auth");

/** Problems to show next to the form's fields, keyed by field name (`form` for the whole form). */
export type FieldErrors = Partial<Record<string, string>>;
export type Outcome<T> = ({ ok: true } & T) | { ok: false; errors: FieldErrors };
/** A use-case that signs a device in returns the session for the cookie and whose it is. */
export type SignedIn = NewSession & { userId: string };

const INVALID_EMAIL = "Enter one email address, like name@example.org.";
export const NOT_FOUND: FieldErrors = { form: "Your account could not be found." };
const RESET_LINK_SPENT: FieldErrors = { form: "This reset link has expired or was already used. Ask for a new one." };

/** Sends an email without letting a mail failure undo the account change that caused it. */
async function sendQuietly(mailer: Mailer, message: Parameters<Mailer["send"]>[0], event: string): Promise<boolean> {
  try {
    await mailer.send(message);
    return true;
  } catch (error) {
    log.error("email.failed", { about: event, error: errorMessage(error) });
    return false;
  }
}

export interface SignUpInput {
  email: string;
  /** null: a member without a password, who signs in by emailed code or passkey. */
  password: string | null;
  displayName: string | null;
  /** The session this device already had (a member joining again while signed in): it ends with the sign-up. */
  previousSessionId?: string | null | undefined;
}

/** Every problem with a sign-up at once (email, password, display name), so the form can show them together. */
export function checkSignUp(input: SignUpInput): FieldErrors {
  const email = normaliseEmail(input.email);
  const errors: FieldErrors = {};
  if (email === "") errors.email = "Enter your email address.";
  else if (!isValidEmail(email)) errors.email = INVALID_EMAIL;
  const policy = input.password === null ? null : checkPasswordPolicy(input.password, email);
  if (policy !== null) errors.password = policy;
  const displayName = input.displayName === null ? null : checkDisplayName(input.displayName);
  if (displayName !== null) errors.displayName = displayName;
  return errors;
}

/**
 * Creates an account, signs it in and emails a verification code. Duplicate emails are refused, never 500; so is a
 * password found in known breaches (checked last, when everything else is in order).
 */
export async function signUp(
  db: D1Database, mailer: Mailer, input: SignUpInput, siteUrl: string, now: number, breaches: BreachCheck,
): Promise<Outcome<SignedIn>> {
  const email = normaliseEmail(input.email);
  const errors = checkSignUp(input);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const breached = input.password === null ? null : await screenNewPassword(input.password, email, breaches);
  if (breached !== null) return { ok: false, errors: { password: breached } };
  return createAccount(db, mailer, input, siteUrl, now);
}

/**
 * The account-creating half of signUp, for a sign-up whose fields and password have been checked already (signUp,
 * and joinCommunity, which counts its throttles between the checks and this). A taken address is still refused.
 */
export async function createAccount(db: D1Database, mailer: Mailer, input: SignUpInput, siteUrl: string, now: number): Promise<Outcome<SignedIn>> {
  const email = normaliseEmail(input.email);
  const userId = generateUserId();
  const session = newSession(now);
  const code = generateCode();
  const passwordHash = input.password === null ? NO_PASSWORD : await hashPassword(input.password);
  try {
    // One transaction: the account, its first session and its first code exist together or not at all.
    await db.batch([
      insertUserStatement(db, { id: userId, email, displayName: input.displayName, passwordHash }, now),
      insertSessionStatement(db, session, userId, now),
      releaseAddressStatement(db, email, userId),
      upsertVerificationStatement(db, userId, email, code, now),
      ...endPreviousSessionStatements(db, input.previousSessionId),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) {
      log.info("signup.duplicate");
      return { ok: false, errors: { email: "This email address already has an account. Sign in, or reset your password." } };
    }
    throw error;
  }
  log.info("signup", { userId });
  await sendQuietly(mailer, verificationEmail(email, code, siteUrl), "signup");
  return { ok: true, ...session, userId };
}

/**
 * Checks an email and password and starts a new session, ending `previousSessionId` (the device's old session) with
 * it. Unknown emails cost and say the same as wrong passwords. The session is stored only if the password hash is
 * still the one checked: a reset or password change that lands while scrypt runs ends every session, and a sign-in
 * with the old password must not slip a new one in after it.
 */
export async function signIn(db: D1Database, email: string, password: string, now: number, previousSessionId: string | null = null): Promise<Outcome<SignedIn>> {
  const failure = { ok: false as const, errors: { form: "That email and password do not match an account." } };
  if (password.length > PASSWORD_INPUT_MAX) return failure;
  const user = await getUserByEmail(db, email);
  if (user === null) {
    await verifyDummyPassword(password);
    log.info("signin.failed", { reason: "unknown-email" });
    return failure;
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    log.info("signin.failed", { userId: user.id, reason: "wrong-password" });
    return failure;
  }
  const session = newSession(now);
  const unchanged = { sql: "EXISTS (SELECT 1 FROM users WHERE id = ?5 AND password_hash = ?6)", values: [user.id, user.passwordHash] };
  const statements = [insertSessionStatement(db, session, user.id, now, unchanged), ...endPreviousSessionStatements(db, previousSessionId)];
  if (needsRehash(user.passwordHash)) statements.push(rehashPasswordStatement(db, user.id, user.passwordHash, await hashPassword(password)));
  const [inserted] = await db.batch(statements);
  if (inserted!.meta.changes !== 1) {
    log.warn("signin.failed", { userId: user.id, reason: "password-changed-meanwhile" });
    return failure;
  }
  log.info("signin", { userId: user.id });
  return { ok: true, ...session, userId: user.id };
}

/** Emails a fresh verification code to the address awaiting verification (or the account's own). */
export async function resendVerification(db: D1Database, mailer: Mailer, userId: string, email: string, siteUrl: string, now: number): Promise<boolean> {
  const code = await createEmailVerification(db, userId, email, now);
  if (code === null) return false;
  log.info("verify.resent", { userId });
  return sendQuietly(mailer, verificationEmail(email, code, siteUrl), "verify.resend");
}

/**
 * Changes the password after checking the current one, or gives a member without one a password after a recent
 * sign-in of `currentSession` (reauthentication.ts). Every session of the member, this one included, ends in the same batch and a new
 * session begins, so any copy of an old cookie stops working.
 */
export async function changePassword(
  db: D1Database, mailer: Mailer, userId: string, current: string, next: string, now: number, breaches: BreachCheck,
  currentSession: { createdAt: number } | null = null,
): Promise<Outcome<SignedIn>> {
  const user = await getUserById(db, userId);
  if (user === null) return { ok: false, errors: NOT_FOUND };
  const refused = await reauthenticate(user, currentSession, current, "password.change", now, "currentPassword", "Enter your current password.");
  if (refused !== null) {
    log.info("password.change.failed", { userId });
    return { ok: false, errors: refused };
  }
  const policy = await screenNewPassword(next, user.email, breaches);
  if (policy !== null) return { ok: false, errors: { newPassword: policy } };
  const session = newSession(now);
  await db.batch([
    updatePasswordStatement(db, userId, await hashPassword(next)),
    invalidateUserSessionsStatement(db, userId),
    insertSessionStatement(db, session, userId, now),
    // A reset link requested before the change would otherwise undo it.
    deletePasswordResetsStatement(db, userId),
    // So would a pending email change started by whoever knew the old password.
    cancelEmailChangeStatement(db, userId),
  ]);
  const added = !hasPassword(user.passwordHash);
  log.info(added ? "password.added" : "password.changed", { userId });
  await sendQuietly(mailer, passwordChangedEmail(user.email, added), "password.changed");
  return { ok: true, ...session, userId };
}

/**
 * Ends every session of the member but `session`, after the current password or a recent sign-in
 * (reauthentication.ts): someone holding a stolen cookie must not be able to evict the owner from their other devices.
 */
export async function signOutOtherDevices(
  db: D1Database, userId: string, session: { id: string; createdAt: number }, password: string, now: number,
): Promise<Outcome<object>> {
  const user = await getUserById(db, userId);
  if (user === null) return { ok: false, errors: NOT_FOUND };
  const refused = await reauthenticate(user, session, password, "signout.everywhere", now, "everywherePassword", "Enter your password to sign out your other devices.");
  if (refused !== null) return { ok: false, errors: refused };
  await invalidateUserSessions(db, userId, session.id);
  log.info("signout.everywhere", { userId });
  return { ok: true };
}

/** Sets the member's display name from what they typed (trimmed; empty removes it). */
export async function changeDisplayName(db: D1Database, userId: string, typed: string): Promise<Outcome<object>> {
  const displayName = typed.trim();
  const problem = checkDisplayName(displayName);
  if (problem !== null) return { ok: false, errors: { displayName: problem } };
  await updateDisplayName(db, userId, displayName === "" ? null : displayName);
  return { ok: true };
}

/**
 * The work behind "forgot password": when `email` has an account, a new reset link (earlier ones die) is created
 * and mailed; otherwise nothing. /forgot runs it after answering, so that known and unknown addresses get the same
 * reply in the same time and the page cannot be used to find out who has an account.
 */
export async function requestPasswordReset(db: D1Database, mailer: Mailer, email: string, siteUrl: string, now: number): Promise<void> {
  try {
    const user = await getUserByEmail(db, email);
    log.info("reset.requested", { userId: user?.id ?? null });
    if (user === null) return;
    const token = await createPasswordReset(db, user.id, now);
    await sendQuietly(mailer, passwordResetEmail(user.email, token, siteUrl, hasPassword(user.passwordHash)), "reset");
  } catch (error) {
    // Nobody is waiting for this answer any more; the member can simply ask again.
    log.error("reset.failed", { error: errorMessage(error) });
  }
}

/**
 * Completes a reset from the emailed link: checks the link and the new password, then sets it, ends every session,
 * signs this device in and verifies the address, in one batch that only the first of concurrent uses can win.
 */
export async function resetPassword(
  db: D1Database, token: string, password: string, now: number, breaches: BreachCheck,
): Promise<Outcome<SignedIn>> {
  const reset = await findPasswordReset(db, token, now);
  const user = reset === null ? null : await getUserById(db, reset.userId);
  if (user === null) return { ok: false, errors: RESET_LINK_SPENT };
  const policy = await screenNewPassword(password, user.email, breaches);
  if (policy !== null) return { ok: false, errors: { password: policy } };
  const session = newSession(now);
  if ((await consumePasswordReset(db, token, user.id, await hashPassword(password), session, now)) === null) {
    return { ok: false, errors: RESET_LINK_SPENT };
  }
  log.info("reset.completed", { userId: user.id });
  return { ok: true, ...session, userId: user.id };
}

/**
 * Starts an email change: checks the password (or, for a member without one, that `session` is a recent sign-in), sends a
 * code to the new address and a notice to the old one.
 */
export async function requestEmailChange(
  db: D1Database, mailer: Mailer, userId: string, newEmailInput: string, password: string, siteUrl: string, now: number,
  session: { createdAt: number } | null = null,
): Promise<Outcome<{ email: string }>> {
  const user = await getUserById(db, userId);
  if (user === null) return { ok: false, errors: NOT_FOUND };
  const newEmail = normaliseEmail(newEmailInput);
  if (!isValidEmail(newEmail)) return { ok: false, errors: { newEmail: INVALID_EMAIL } };
  if (newEmail === user.email) return { ok: false, errors: { newEmail: "That is already your email address." } };
  const refused = await reauthenticate(user, session, password, "email.change", now, "emailPassword", "Enter your current password.");
  if (refused !== null) return { ok: false, errors: refused };
  if ((await getUserByEmail(db, newEmail)) !== null) {
    return { ok: false, errors: { newEmail: "Another account uses that email address." } };
  }
  const code = await createEmailVerification(db, userId, newEmail, now);
  if (code === null) {
    log.info("email.change.refused", { userId, reason: "address-awaited" });
    return { ok: false, errors: { newEmail: "Another account is waiting to confirm a change to that address. Please try again later." } };
  }
  log.info("email.change.requested", { userId });
  await sendQuietly(mailer, verificationEmail(newEmail, code, siteUrl), "email.change");
  await sendQuietly(mailer, emailChangeNoticeEmail(user.email, newEmail), "email.change.notice");
  return { ok: true, email: newEmail };
}
