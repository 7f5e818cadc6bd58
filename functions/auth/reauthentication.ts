// Re-authentication: the current password a member types to confirm a sensitive change on /account (a new
// password, a new email address, deleting the account). One place decides it and logs every failure, so a stolen
// cookie cannot guess its way to the owner's password unseen. The staff console asks for it again before staff changes
// and destructive actions on members.
import { PASSWORD_INPUT_MAX, verifyPassword } from "./passwords";
import type { User } from "./users";
import { logger } from "@functions/log";

const log = logger("auth");

/** What the member is confirming, for the log line. */
export type ReauthPurpose = "password.change" | "email.change" | "account.delete" | "signout.everywhere" | "staff.change" | "console.action" | "passkey.remove";

/** True when `password` is the member's current one; inputs no valid password could be are refused unhashed. Failures are logged. */
export async function confirmCurrentPassword(user: User, password: string, purpose: ReauthPurpose): Promise<boolean> {
  const ok = password.length <= PASSWORD_INPUT_MAX && (await verifyPassword(user.passwordHash, password));
  if (!ok) log.warn("reauth.failed", { userId: user.id, purpose });
  return ok;
}
