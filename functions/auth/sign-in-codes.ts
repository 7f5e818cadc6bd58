// Signing in with a one-time code by email (/login/code), as the Copenhagen Book's "Email verification codes" page
// describes: 8 characters from a 31-letter alphabet (about 40 bits), a 10-minute life, single use, five wrong tries
// end it, only its SHA-256 stored. Codes rather than links, because mail scanners open links and would spend them.
// Nothing here may tell an address with an account from one without: the request is answered before the address is
// looked up (requestSignInCode runs in waitUntil, as /forgot does), and checking a code reads one row keyed by the
// address typed, with one refusal for every failure (no code, wrong, expired, spent), so both cost one query.
import { constantTimeEqual, generateCode, hashToken, normaliseCode } from "./tokens";
import { endPreviousSessionStatements, insertSessionStatement, newSession, type SqlCondition } from "./sessions";
import { getUserByEmail, normaliseEmail } from "./users";
import type { Outcome, SignedIn } from "./account";
import type { Mailer } from "@functions/email/mailer";
import { signInCodeEmail } from "@functions/email/messages";
import { errorMessage, logger } from "@functions/log";

const log = logger("auth");

/** How long a sign-in code works. */
export const SIGN_IN_CODE_LIFETIME = 10 * 60;
/** Wrong tries after which a sign-in code is dead. */
export const SIGN_IN_CODE_MAX_ATTEMPTS = 5;

/** The one answer to every failed code, whatever the reason (see the header). */
export const CODE_REFUSED = "That code is not right, or it no longer works. Check the latest email from us, or ask for a new code.";

/**
 * The work behind "Email me a sign-in code", run after the page has answered: when `email` has an account, a new
 * code replaces any earlier one for that address and is mailed; otherwise nothing. Never throws.
 */
export async function requestSignInCode(db: D1Database, mailer: Mailer, email: string, siteUrl: string, now: number): Promise<void> {
  try {
    const user = await getUserByEmail(db, email);
    log.info("signin.code.requested", { userId: user?.id ?? null });
    if (user === null) return;
    const code = generateCode();
    await db
      .prepare(
        `INSERT INTO sign_in_codes (email, user_id, code_hash, attempts, expires_at, created_at) VALUES (?1, ?2, ?3, 0, ?4, ?5)
         ON CONFLICT (email) DO UPDATE SET user_id = excluded.user_id, code_hash = excluded.code_hash, attempts = 0,
           expires_at = excluded.expires_at, created_at = excluded.created_at`,
      )
      .bind(user.email, user.id, hashToken(code), now + SIGN_IN_CODE_LIFETIME, now)
      .run();
    await mailer.send(signInCodeEmail(user.email, code, siteUrl));
  } catch (error) {
    // Nobody is waiting for this answer any more; the member can simply ask again.
    log.error("signin.code.failed", { error: errorMessage(error) });
  }
}

/** The statement that reads a member's live sign-in code for "download my data" (never its hash). */
export function exportSignInCodeStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db.prepare("SELECT email, expires_at, created_at FROM sign_in_codes WHERE user_id = ?1").bind(userId);
}

/**
 * Checks a typed code for `emailInput` and, when it is right, starts a session (ending the device's previous one),
 * verifies the address if it was not yet, and spends the code, in one batch. Only the first of concurrent right
 * submissions gets a session: each statement holds only while the code is still there, and the last one deletes it.
 */
export async function signInWithCode(
  db: D1Database, emailInput: string, typed: string, now: number, previousSessionId: string | null = null,
): Promise<Outcome<SignedIn>> {
  const failure = { ok: false as const, errors: { code: CODE_REFUSED } };
  const email = normaliseEmail(emailInput);
  // Spend the try first, atomically, so parallel guesses cannot exceed the limit.
  const row = await db
    .prepare("UPDATE sign_in_codes SET attempts = attempts + 1 WHERE email = ?1 AND attempts < ?2 RETURNING user_id, code_hash, expires_at")
    .bind(email, SIGN_IN_CODE_MAX_ATTEMPTS)
    .first<{ user_id: string; code_hash: string; expires_at: number }>();
  const codeHash = hashToken(normaliseCode(typed));
  if (row === null || now >= row.expires_at || !constantTimeEqual(codeHash, row.code_hash)) {
    log.info("signin.code.refused", { userId: row?.user_id ?? null });
    return failure;
  }
  const userId = row.user_id;
  const session = newSession(now);
  // Still live, and still the account's own address (a change of address since the code was sent voids it).
  const live = (first: number): SqlCondition => ({
    sql: `EXISTS (SELECT 1 FROM sign_in_codes c JOIN users u ON u.id = c.user_id AND u.email = c.email
                  WHERE c.email = ?${first} AND c.code_hash = ?${first + 1} AND c.expires_at > ?${first + 2})`,
    values: [email, codeHash, now],
  });
  const [inserted] = await db.batch([
    insertSessionStatement(db, session, userId, now, live(5)),
    db.prepare(`UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?1) WHERE id = ?2 AND ${live(3).sql}`).bind(now, userId, ...live(3).values),
    // The sign-up code for this address is moot once the address is proved.
    db.prepare(`DELETE FROM email_verifications WHERE user_id = ?1 AND email = ?2 AND ${live(3).sql}`).bind(userId, email, ...live(3).values),
    db.prepare("DELETE FROM sign_in_codes WHERE email = ?1 AND code_hash = ?2").bind(email, codeHash),
    ...endPreviousSessionStatements(db, previousSessionId),
  ]);
  if (inserted!.meta.changes !== 1) {
    log.info("signin.code.refused", { userId, reason: "spent-meanwhile" });
    return failure;
  }
  log.info("signin", { userId, method: "code" });
  return { ok: true, ...session, userId };
}
