// A member's ways of signing in taken as a whole, for /account/security: what they have (a password or not, their
// passkeys; emailed codes always), removing the password (only beside a passkey), removing a passkey, and the
// confirm step that says what remains before a removal leaves fewer ways in. Adding a password is changePassword
// (account.ts), which accepts a recent sign-in in place of a current password for a member who has none.
import { hasPassword, NO_PASSWORD } from "./passwords";
import { listPasskeys, type Passkey } from "./passkeys";
import { reauthenticate } from "./reauthentication";
import { getUserById } from "./users";
import { NOT_FOUND, type Outcome } from "./account";
import { isStaffRole } from "@functions/staff/access";
import { logger } from "@functions/log";

const log = logger("auth");

/** The field of the confirm step ("I understand what remains"), in the forms that remove a way of signing in. */
export const CONFIRM_FIELD = "confirmRemoval";

export interface SignInMethods { hasPassword: boolean; passkeys: Passkey[] }

/** The member's password (whether they have one) and passkeys; emailed codes need no row. */
export async function readSignInMethods(db: D1Database, userId: string): Promise<SignInMethods> {
  const [user, passkeys] = await Promise.all([getUserById(db, userId), listPasskeys(db, userId)]);
  return { hasPassword: user !== null && hasPassword(user.passwordHash), passkeys };
}

/** The ways in that would remain, in words: "your password, your passkey “Phone” or a code we email to a@b.c". */
export function describeRemaining(email: string, remaining: { password: boolean; passkeyNames: string[] }): string {
  const ways: string[] = [];
  if (remaining.password) ways.push("your password");
  const [only] = remaining.passkeyNames;
  if (remaining.passkeyNames.length === 1) ways.push(`your passkey “${only}”`);
  else if (remaining.passkeyNames.length > 1) ways.push(`one of your ${remaining.passkeyNames.length} passkeys`);
  ways.push(`a code we email to ${email}`);
  return ways.length === 1 ? ways[0]! : `${ways.slice(0, -1).join(", ")} or ${ways.at(-1)}`;
}

/** True when removing the passkey `removingId` leaves nothing but emailed codes, so the page must ask first. */
export function passkeyRemovalNeedsConfirm(methods: SignInMethods, removingId: string): boolean {
  return !methods.hasPassword && methods.passkeys.every((passkey) => passkey.id === removingId);
}

/** Why a member may not remove their password now, or null: a passkey must remain, and staff keep theirs. */
export function passwordRemovalRefusal(methods: SignInMethods, role: string): string | null {
  if (!methods.hasPassword) return "You have no password to remove.";
  if (isStaffRole(role)) return "Staff keep a password: the console asks for it before changes to members and staff.";
  return methods.passkeys.length === 0 ? "To remove your password, add a passkey first: without a password you sign in with a passkey or a code by email." : null;
}

const CONFIRM_NEEDED = "Tick the box to confirm that you have read what will remain.";

/**
 * Removes the member's password after a recent sign-in or the password itself, and the confirm step. The write
 * happens only while the member still has a passkey, so a passkey removed meanwhile in another tab cannot leave
 * an account with neither.
 */
export async function removePassword(
  db: D1Database, userId: string, session: { createdAt: number }, password: string, confirmed: boolean, now: number,
): Promise<Outcome<object>> {
  const user = await getUserById(db, userId);
  if (user === null) return { ok: false, errors: NOT_FOUND };
  const refusal = passwordRemovalRefusal(await readSignInMethods(db, userId), user.role);
  if (refusal !== null) return { ok: false, errors: { form: refusal } };
  const refused = await reauthenticate(user, session, password, "password.remove", now, "removePasswordPassword", "Enter your password to remove it.");
  if (refused !== null) return { ok: false, errors: refused };
  if (!confirmed) return { ok: false, errors: { [CONFIRM_FIELD]: CONFIRM_NEEDED } };
  const result = await db
    .prepare("UPDATE users SET password_hash = ?1 WHERE id = ?2 AND password_hash = ?3 AND EXISTS (SELECT 1 FROM passkeys WHERE user_id = ?2)")
    .bind(NO_PASSWORD, userId, user.passwordHash).run();
  if (result.meta.changes !== 1) return { ok: false, errors: { form: "Your sign-in methods changed meanwhile. Please look again and retry." } };
  log.info("password.removed", { userId });
  return { ok: true };
}

/**
 * Removes one of the member's passkeys after a recent sign-in or the password; when it is the last way in beside
 * emailed codes, only with the confirm step. The condition is in the DELETE itself, so two tabs removing the last
 * two passkeys at once cannot skip the step.
 */
export async function removePasskey(
  db: D1Database, userId: string, session: { createdAt: number }, passkeyId: string, password: string, confirmed: boolean, now: number,
): Promise<Outcome<object>> {
  const user = await getUserById(db, userId);
  if (user === null) return { ok: false, errors: NOT_FOUND };
  const refused = await reauthenticate(user, session, password, "passkey.remove", now, "removePassword", "Enter your password to remove a passkey.");
  if (refused !== null) return { ok: false, errors: refused };
  const result = await db
    .prepare(
      `DELETE FROM passkeys WHERE id = ?1 AND user_id = ?2 AND (?3 OR EXISTS (SELECT 1 FROM users WHERE id = ?2 AND password_hash IS NOT ?4)
         OR EXISTS (SELECT 1 FROM passkeys WHERE user_id = ?2 AND id IS NOT ?1))`,
    )
    .bind(passkeyId, userId, confirmed ? 1 : 0, NO_PASSWORD).run();
  if (result.meta.changes === 1) {
    log.info("passkey.removed", { userId });
    return { ok: true };
  }
  const mine = await db.prepare("SELECT 1 FROM passkeys WHERE id = ?1 AND user_id = ?2").bind(passkeyId, userId).first();
  return { ok: false, errors: mine === null ? { form: "That passkey is not one of yours any more." } : { [CONFIRM_FIELD]: CONFIRM_NEEDED } };
}
