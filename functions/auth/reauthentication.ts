// Re-authentication: may this request do a sensitive thing (a new password or email address, deleting the account,
// signing out other devices, removing a passkey or the password, the staff console's changes)? One rule decides it,
// decideReauthentication, for members with and without a password: a password typed must be right; with none typed,
// a recent sign-in is enough where the purpose allows it, and always for a member who has no password (their
// re-authentication is signing in again, by code or passkey). Failures are logged, so a stolen cookie cannot guess
// its way to the owner's password unseen.
import { hasPassword, PASSWORD_INPUT_MAX, verifyPassword } from "./passwords";
import { logger } from "@functions/log";

const log = logger("auth");

/** What the member is confirming, for the log line and for whether a recent sign-in is enough. */
export type ReauthPurpose =
  | "password.change" | "email.change" | "account.delete" | "signout.everywhere" | "staff.change" | "console.action"
  | "passkey.remove" | "password.remove";

/** A session this young counts as a fresh sign-in (ASVS 7.5.2 allows it in place of the password for some changes). */
export const RECENT_SIGN_IN = 5 * 60;

/** True when the session began (a sign-in, join, reset or password change) within RECENT_SIGN_IN of `now`. */
export function isRecentSignIn(session: { createdAt: number }, now: number): boolean {
  return now - session.createdAt <= RECENT_SIGN_IN;
}

/**
 * Purposes a recent sign-in confirms without the password for a member who has one: they take nothing away that the
 * owner could not restore by signing in. A new password or address, or deleting the account, always asks for it.
 */
const RECENT_SIGN_IN_SUFFICES: ReadonlySet<ReauthPurpose> = new Set(["signout.everywhere", "passkey.remove", "password.remove"]);

/** The answer: go ahead, or why not (no password typed where one is needed, a wrong one, or sign in again). */
export type ReauthDecision = "allowed" | "password-needed" | "password-wrong" | "sign-in-again";

/** The page's sentence for a member without a password whose sign-in is not recent. */
export const SIGN_IN_AGAIN = "For your safety, this needs a sign-in from the last 5 minutes. Sign in again with a code or a passkey, then try again.";
/** The sentence for a wrong current password, wherever one is asked for. */
export const WRONG_PASSWORD = "That is not your current password.";

/**
 * The one rule for "may this request do a sensitive thing": `password` is what the form sent ("" when it had no
 * password field or it was left empty); `session` is the requesting one (null: no recent sign-in is claimed). A typed password is checked, even beside a recent sign-in; on a member with
 * no password it runs scrypt and fails, as any wrong password does.
 */
export async function decideReauthentication(
  user: { id: string; passwordHash: string }, session: { createdAt: number } | null, password: string, purpose: ReauthPurpose, now: number,
): Promise<ReauthDecision> {
  if (password !== "") return (await confirmCurrentPassword(user, password, purpose)) ? "allowed" : "password-wrong";
  const asked = reauthAsks(hasPassword(user.passwordHash), session !== null && isRecentSignIn(session, now), purpose);
  return asked === "nothing" ? "allowed" : asked === "password" ? "password-needed" : "sign-in-again";
}

/**
 * What a form must ask for before `purpose` when nothing is typed yet: nothing, the password, or (for a member
 * without one whose sign-in is not recent) signing in again. The pages draw their fields from it, so they show what
 * decideReauthentication will accept.
 */
export function reauthAsks(hasPassword: boolean, recent: boolean, purpose: ReauthPurpose): "nothing" | "password" | "sign-in-again" {
  if (!hasPassword) return recent ? "nothing" : "sign-in-again";
  return recent && RECENT_SIGN_IN_SUFFICES.has(purpose) ? "nothing" : "password";
}

/**
 * decideReauthentication as form errors: null when allowed, else the problem under `field` (the form's password
 * field; `form` for "sign in again", which has no field), with `passwordNeeded` as the page's own request for it.
 */
export async function reauthenticate(
  user: { id: string; passwordHash: string }, session: { createdAt: number } | null, password: string, purpose: ReauthPurpose, now: number,
  field: string, passwordNeeded: string,
): Promise<Partial<Record<string, string>> | null> {
  const decision = await decideReauthentication(user, session, password, purpose, now);
  if (decision === "allowed") return null;
  if (decision === "sign-in-again") {
    log.info("reauth.sign-in-again", { userId: user.id, purpose });
    return { form: SIGN_IN_AGAIN };
  }
  return { [field]: decision === "password-wrong" ? WRONG_PASSWORD : passwordNeeded };
}

/** True when `password` is the member's current one; inputs no valid password could be are refused unhashed. Failures are logged. */
export async function confirmCurrentPassword(user: { id: string; passwordHash: string }, password: string, purpose: ReauthPurpose): Promise<boolean> {
  const ok = password.length <= PASSWORD_INPUT_MAX && (await verifyPassword(user.passwordHash, password));
  if (!ok) log.warn("reauth.failed", { userId: user.id, purpose });
  return ok;
}
