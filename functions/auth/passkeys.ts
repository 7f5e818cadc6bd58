// Passkeys in D1: the challenges the browser signs (random, single use, 5 minutes; a registration's bound to the
// session that asked), adding a passkey, signing in with one, and listing and renaming them (removing one is
// sign-in-methods.ts's, which knows what else remains). The ceremony checks are in webauthn.ts. A passkey sign-in is a normal session, ending the device's previous one; since user
// verification is required, it also passes a staff member's second factor (with its audit row).
import { hashToken } from "./tokens";
import { endPreviousSessionStatements, insertSessionStatement, newSession, type SqlCondition } from "./sessions";
import { decodeField, encodeField, verifyAssertion, verifyRegistration, type CeremonyFailure, type RelyingParty } from "./webauthn";
import type { Outcome, SignedIn } from "./account";
import { isStaffRole, type SiteRole } from "@functions/staff/access";
import { auditStatement } from "@functions/staff/audit";
import { logger } from "@functions/log";

const log = logger("auth");

/** How long a challenge may be answered. */
export const CHALLENGE_LIFETIME = 5 * 60;
/** The longest passkey name. */
export const PASSKEY_NAME_MAX = 60;
/** The most passkeys one member may have. */
export const PASSKEYS_MAX = 20;

export type ChallengePurpose = "register" | "sign-in";

export interface Passkey { id: string; name: string; createdAt: number; lastUsedAt: number | null }

/** A new challenge for `purpose` (32 random bytes as base64url), stored as its SHA-256; bound to `sessionId` if given. */
export async function createChallenge(db: D1Database, purpose: ChallengePurpose, sessionId: string | null, now: number): Promise<string> {
  const challenge = encodeField(crypto.getRandomValues(new Uint8Array(32)));
  await db.prepare("INSERT INTO webauthn_challenges (id, purpose, session_id, expires_at) VALUES (?1, ?2, ?3, ?4)")
    .bind(hashToken(challenge), purpose, sessionId, now + CHALLENGE_LIFETIME).run();
  return challenge;
}

/** The SQL condition "this challenge is live for this purpose (and session)", bound from ?first on. */
function liveChallenge(challenge: string, purpose: ChallengePurpose, sessionId: string | null, now: number, first: number): SqlCondition {
  return {
    sql: `EXISTS (SELECT 1 FROM webauthn_challenges WHERE id = ?${first} AND purpose = ?${first + 1} AND session_id IS ?${first + 2} AND expires_at > ?${first + 3})`,
    values: [hashToken(challenge), purpose, sessionId, now],
  };
}

function spendChallengeStatement(db: D1Database, challenge: string): D1PreparedStatement {
  return db.prepare("DELETE FROM webauthn_challenges WHERE id = ?1").bind(hashToken(challenge));
}

/** The passkeys of a member, newest first. */
export async function listPasskeys(db: D1Database, userId: string): Promise<Passkey[]> {
  const { results } = await db.prepare("SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = ?1 ORDER BY created_at DESC, id")
    .bind(userId).all<{ id: string; name: string; created_at: number; last_used_at: number | null }>();
  return results.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at }));
}

/** The statement that reads a member's passkeys for "download my data" (never the public keys). */
export function exportPasskeysStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db.prepare("SELECT name, created_at, last_used_at FROM passkeys WHERE user_id = ?1 ORDER BY created_at").bind(userId);
}

/** Why a typed passkey name is refused, or null; the name is trimmed first. */
export function checkPasskeyName(name: string): string | null {
  if (name === "") return "Give the passkey a name, like the device it is on.";
  return name.length > PASSKEY_NAME_MAX ? `Use at most ${PASSKEY_NAME_MAX} characters.` : null;
}

const REFUSED = "That passkey did not work. Please try again.";

/** The browser's answer to "Add a passkey", as the page's form sends it (base64url fields). */
export interface RegistrationFields { clientDataJSON: string; attestationObject: string; name: string }

/**
 * Adds a passkey from a registration answer: checks the ceremony (webauthn.ts), then stores the key and spends the
 * challenge in one batch that stores nothing unless the challenge was this session's, unspent and under 5 minutes old.
 */
export async function addPasskey(
  db: D1Database, rp: RelyingParty, session: { id: string; userId: string }, fields: RegistrationFields, now: number,
): Promise<Outcome<{ name: string }>> {
  const name = fields.name.trim();
  const nameProblem = checkPasskeyName(name);
  if (nameProblem !== null) return { ok: false, errors: { passkeyName: nameProblem } };
  const clientDataJSON = decodeField(fields.clientDataJSON);
  const attestationObject = decodeField(fields.attestationObject);
  const checked = clientDataJSON && attestationObject ? verifyRegistration({ clientDataJSON, attestationObject }, rp) : { ok: false as const, reason: "malformed" as const };
  if (!checked.ok) {
    log.info("passkey.add.refused", { userId: session.userId, reason: checked.reason });
    return { ok: false, errors: { form: REFUSED } };
  }
  const challenge = encodeField(checked.challenge);
  const live = liveChallenge(challenge, "register", session.id, now, 8);
  let inserted;
  try {
    [inserted] = await db.batch([
      db.prepare(
        `INSERT INTO passkeys (id, user_id, name, algorithm, public_key, sign_count, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE ${live.sql} AND (SELECT COUNT(*) FROM passkeys WHERE user_id = ?2) < ${PASSKEYS_MAX}`,
      ).bind(checked.credentialId, session.userId, name, checked.algorithm, checked.publicKey, checked.signCount, now, ...live.values),
      spendChallengeStatement(db, challenge),
    ]);
  } catch (error) {
    if (error instanceof Error && /UNIQUE constraint failed/i.test(error.message)) return { ok: false, errors: { form: "That passkey is already registered." } };
    throw error;
  }
  if (inserted!.meta.changes !== 1) {
    log.info("passkey.add.refused", { userId: session.userId, reason: "challenge" });
    return { ok: false, errors: { form: `That took too long, or you already have ${PASSKEYS_MAX} passkeys. Please try again.` } };
  }
  log.info("passkey.added", { userId: session.userId });
  return { ok: true, name };
}

/** The browser's answer to "Sign in with a passkey", as the login page's form sends it (base64url fields). */
export interface AssertionFields { credentialId: string; clientDataJSON: string; authenticatorData: string; signature: string; userHandle: string }

interface StoredPasskey { user_id: string; algorithm: number; public_key: ArrayBuffer | number[]; sign_count: number; role: SiteRole }

/**
 * Signs in with a passkey: finds it by credential id, checks the ceremony and the signature counter, then in one
 * batch starts the session (only if the challenge is live: a replayed or late answer starts nothing), records the
 * use, spends the challenge, ends the device's previous session and, for staff, passes the second factor.
 */
export async function signInWithPasskey(
  db: D1Database, rp: RelyingParty, fields: AssertionFields, now: number, previousSessionId: string | null, net: string,
): Promise<Outcome<SignedIn & { secondFactor: boolean }>> {
  const failure = (reason: CeremonyFailure | "unknown" | "user-handle" | "counter" | "challenge", userId: string | null = null) => {
    log.info("signin.passkey.refused", { userId, reason });
    return { ok: false as const, errors: { form: REFUSED } };
  };
  const [clientDataJSON, authenticatorData, signature] = [fields.clientDataJSON, fields.authenticatorData, fields.signature].map(decodeField);
  if (!clientDataJSON || !authenticatorData || !signature || decodeField(fields.credentialId) === null) return failure("malformed");
  const stored = await db
    .prepare(`SELECT p.user_id, p.algorithm, p.public_key, p.sign_count, COALESCE(st.role, 'member') AS role
              FROM passkeys p LEFT JOIN staff st ON st.user_id = p.user_id WHERE p.id = ?1`)
    .bind(fields.credentialId)
    .first<StoredPasskey>();
  if (stored === null) return failure("unknown");
  // The user handle is the account id the passkey was made for; a mismatch is another account's credential.
  if (fields.userHandle !== "" && fields.userHandle !== encodeField(new TextEncoder().encode(stored.user_id))) return failure("user-handle", stored.user_id);
  const checked = await verifyAssertion({ clientDataJSON, authenticatorData, signature }, rp, { algorithm: stored.algorithm, publicKey: new Uint8Array(stored.public_key) });
  if (!checked.ok) return failure(checked.reason, stored.user_id);
  // A counter that does not move forward means a cloned authenticator (passkeys that sync keep it at 0).
  if ((checked.signCount !== 0 || stored.sign_count !== 0) && checked.signCount <= stored.sign_count) return failure("counter", stored.user_id);
  const challenge = encodeField(checked.challenge);
  const session = newSession(now);
  const live = liveChallenge(challenge, "sign-in", null, now, 5);
  const staff = isStaffRole(stored.role);
  const statements = [
    insertSessionStatement(db, session, stored.user_id, now, live),
    db.prepare(`UPDATE passkeys SET sign_count = ?1, last_used_at = ?2 WHERE id = ?3 AND ${liveChallenge(challenge, "sign-in", null, now, 4).sql}`)
      .bind(checked.signCount, now, fields.credentialId, ...live.values),
  ];
  if (staff) {
    statements.push(
      db.prepare("UPDATE sessions SET second_factor_at = ?1 WHERE id = ?2").bind(now, hashToken(session.token)),
      auditStatement(db, { userId: stored.user_id, role: stored.role as Exclude<SiteRole, "member">, net }, "staff.second-factor.passed", stored.user_id, now, { method: "passkey" }, true),
    );
  }
  statements.push(spendChallengeStatement(db, challenge), ...endPreviousSessionStatements(db, previousSessionId));
  const [inserted] = await db.batch(statements);
  if (inserted!.meta.changes !== 1) return failure("challenge", stored.user_id);
  log.info("signin", { userId: stored.user_id, method: "passkey" });
  return { ok: true, ...session, userId: stored.user_id, secondFactor: staff };
}

/** Renames one of the member's passkeys. */
export async function renamePasskey(db: D1Database, userId: string, passkeyId: string, typed: string): Promise<Outcome<object>> {
  const name = typed.trim();
  const problem = checkPasskeyName(name);
  if (problem !== null) return { ok: false, errors: { passkeyName: problem } };
  const result = await db.prepare("UPDATE passkeys SET name = ?1 WHERE id = ?2 AND user_id = ?3").bind(name, passkeyId, userId).run();
  return result.meta.changes === 1 ? { ok: true } : { ok: false, errors: { form: "That passkey is not one of yours any more." } };
}
