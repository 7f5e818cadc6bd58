// What staff may do to a member's account from the console (/admin/members/<id>): resend the verification code, end
// every session, delete the account. Each writes exactly one audit row in the same db.batch() as its change, so a D1
// failure leaves neither. The destructive two need the staff member's own password again (confirmCurrentPassword,
// throttled per staff member as /account's are); deleting does what the member's own deletion does
// (accountDeletionStatements). Staff act on their own account from /account, and a staff member's account is deleted
// only after their role is revoked (/admin/staff), so the console can never remove the last owner. Stripe is asked to
// delete the member's customers after the batch, as for the member's own deletion.
import type Stripe from "stripe";
import { accountDeletionStatements, finishAccountDeletion } from "@functions/auth/account-data";
import { confirmCurrentPassword } from "@functions/auth/reauthentication";
import { emailVerificationStatements } from "@functions/auth/email-verification";
import { invalidateUserSessionsStatement } from "@functions/auth/sessions";
import { consumeThrottles, THROTTLES, type ThrottleStore } from "@functions/auth/throttle";
import { generateCode } from "@functions/auth/tokens";
import { getUserById, isUniqueViolation } from "@functions/auth/users";
import { waitText } from "@functions/http/form-guard";
import type { Mailer } from "@functions/email/mailer";
import { verificationEmail } from "@functions/email/messages";
import { errorMessage, logger } from "@functions/log";
import { auditStatement, type Actor } from "./audit";
import { readMemberRecord } from "./member-record";

// Staff actions on members are security events: their log lines carry the network tag, as auth and security lines do.
const log = logger("security");

export type MemberActionResult =
  | { ok: true; message: string }
  | { ok: false; status: number; message: string; retryAfter?: number; passwordError?: boolean };

const NO_MEMBER: MemberActionResult = { ok: false, status: 404, message: "That member no longer exists." };
const YOURSELF: MemberActionResult = { ok: false, status: 400, message: "This is your own account: use your account page for it." };

/** The staff member's password, checked against their account (at most THROTTLES.reauthAccount tries per 15 minutes). */
async function confirmStaffPassword(store: ThrottleStore, actor: Actor, password: string, now: number): Promise<MemberActionResult | null> {
  if (password === "") return { ok: false, status: 400, message: "Enter your password to confirm.", passwordError: true };
  const verdict = await consumeThrottles(store, [[THROTTLES.reauthAccount, actor.userId]], now);
  if (!verdict.allowed) return { ok: false, status: 429, retryAfter: verdict.retryAfter, message: `Too many attempts. Please wait ${waitText(verdict.retryAfter)} and try again.` };
  const staff = await getUserById(store.db, actor.userId);
  if (staff === null || !(await confirmCurrentPassword(staff, password, "console.action"))) {
    return { ok: false, status: 400, message: "That is not your password.", passwordError: true };
  }
  return null;
}

/** Emails the member a new verification code (to the address awaiting verification), recorded as members.resend-verification. */
export async function resendMemberVerification(store: ThrottleStore, mailer: Mailer, actor: Actor, memberId: string, siteUrl: string, now: number): Promise<MemberActionResult> {
  const db = store.db;
  const member = await readMemberRecord(db, memberId, now);
  if (member === null) return NO_MEMBER;
  const address = member.pendingEmail ?? (member.verifiedAt === null ? member.email : null);
  if (address === null) return { ok: false, status: 400, message: "This member has verified their address and is not changing it: there is nothing to resend." };
  // Every code is an email to someone: the member's own resend limits count the console's too.
  const verdict = await consumeThrottles(store, [[THROTTLES.resendAccount, memberId], [THROTTLES.codeRecipient, address]], now);
  if (!verdict.allowed) return { ok: false, status: 429, retryAfter: verdict.retryAfter, message: `Codes were sent to this member recently. Please wait ${waitText(verdict.retryAfter)} before sending another.` };
  const code = generateCode();
  try {
    await db.batch([...emailVerificationStatements(db, memberId, address, code, now), auditStatement(db, actor, "members.resend-verification", memberId, now)]);
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, status: 409, message: "Another account is waiting for a code at that address, so none was sent." };
    throw error;
  }
  try {
    await mailer.send(verificationEmail(address, code, siteUrl));
  } catch (error) {
    log.error("resend.send.failed", { memberId, error: errorMessage(error) });
    return { ok: false, status: 502, message: "The new code was made but the email could not be sent. Try again in a few minutes." };
  }
  log.info("member.resend-verification", { actorId: actor.userId, memberId });
  return { ok: true, message: "A new verification code is on its way to the member." };
}

/** Signs the member out everywhere after the staff member's password, recorded as members.end-sessions. */
export async function endMemberSessions(store: ThrottleStore, actor: Actor, memberId: string, password: string, now: number): Promise<MemberActionResult> {
  if (memberId === actor.userId) return YOURSELF;
  const refused = await confirmStaffPassword(store, actor, password, now);
  if (refused !== null) return refused;
  const [ended] = await store.db.batch([
    invalidateUserSessionsStatement(store.db, memberId),
    auditStatement(store.db, actor, "members.end-sessions", memberId, now, null),
  ]);
  log.info("member.end-sessions", { actorId: actor.userId, memberId, sessions: ended!.meta.changes });
  return { ok: true, message: `Signed out everywhere: ${ended!.meta.changes} session${ended!.meta.changes === 1 ? "" : "s"} ended.` };
}

/** Deletes the member's account as their own deletion would, after the staff member's password, recorded as members.delete. */
export async function deleteMember(store: ThrottleStore, stripe: Stripe | null, actor: Actor, memberId: string, password: string, now: number): Promise<MemberActionResult> {
  if (memberId === actor.userId) return YOURSELF;
  const refused = await confirmStaffPassword(store, actor, password, now);
  if (refused !== null) return refused;
  const member = await getUserById(store.db, memberId);
  if (member === null) return NO_MEMBER;
  if (member.role !== "member") return { ok: false, status: 400, message: `This account has the ${member.role} role. Revoke it on the Staff page before deleting the account.` };
  const results = await store.db.batch([
    ...accountDeletionStatements(store.db, memberId, now),
    // Recorded only if this batch deleted the row (a member deleting themselves meanwhile is not a staff action).
    auditStatement(store.db, actor, "members.delete", memberId, now, null, true),
  ]);
  if (results.at(-2)!.meta.changes === 0) return NO_MEMBER;
  log.info("member.deleted", { actorId: actor.userId, memberId });
  await finishAccountDeletion(store.db, stripe, results[0], memberId, now);
  return { ok: true, message: "The account is deleted. Its donations are kept for the accounts, without the member's name or address." };
}
