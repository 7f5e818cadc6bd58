// Member sessions in D1, as Lucia's session guide teaches (lucia-auth.com "Basic session API", 2024 revision):
// a random >=160-bit token lives only in the member's cookie; D1 keeps its SHA-256 as the session id; expiry
// slides forward when less than half remains. We go further than the guide in two places: an absolute
// lifetime cap (a stolen cookie cannot be kept alive for ever by use), and the `__Host-` cookie prefix
// (session-cookie.ts). Staff sessions (functions/staff/) also end after STAFF_IDLE_LIMIT without use, and record when
// they passed the staff second factor. Used by src/middleware.ts (validate), the account use-cases in account.ts (create, end)
// and the sign-out endpoints.
import { generateToken, hashToken } from "./tokens";
import { NO_PASSWORD } from "./passwords";
import { DAY } from "@functions/clock";
import type { SiteRole } from "@functions/staff/access";

/** Sliding lifetime of a session. */
export const SESSION_LIFETIME = 30 * DAY;
/** Renew when less than this remains. */
export const SESSION_RENEW_BELOW = 15 * DAY;
/** No session outlives this, however often it is used. */
export const SESSION_ABSOLUTE_LIFETIME = 90 * DAY;
/** A staff member's session ends after this long without a request (a console left open is not left signed in). */
export const STAFF_IDLE_LIMIT = 12 * 60 * 60;
/** How stale a staff session's last-use time may get before a request writes it again (one write a minute at most). */
const SEEN_GRANULARITY = 60;

export interface Session {
  id: string;
  userId: string;
  expiresAt: number;
  createdAt: number;
  /** When this session passed the staff second factor, or null. */
  secondFactorAt: number | null;
}

export interface SessionUser {
  id: string;
  email: string;
  displayName: string | null;
  emailVerified: boolean;
  role: SiteRole;
  /** The address a live verification code was sent to (sign-up or email change), or null. */
  pendingEmail: string | null;
  /** False for a member without a password (passwords.ts NO_PASSWORD), who signs in by code or passkey. */
  hasPassword: boolean;
}

export type SessionValidationResult =
  | { session: Session; user: SessionUser; renewed: boolean }
  | { session: null; user: null; renewed: false };

interface SessionRow {
  id: string; user_id: string; expires_at: number; created_at: number; second_factor_at: number | null; seen_at: number | null;
  email: string; display_name: string | null; email_verified_at: number | null; role: SessionUser["role"]; pending_email: string | null; has_password: number;
}

/** A session about to be stored: the token for the member's cookie and the expiry both the row and the cookie get. */
export interface NewSession { token: string; expiresAt: number }

/** A condition for insertSessionStatement, bound from ?5 on (?1 to ?4 are the session's own values). */
export interface SqlCondition { sql: string; values: unknown[] }

/** A new random session token (160 bits) for the cookie. */
export function generateSessionToken(): string {
  return generateToken(20);
}

/** When a session created at `createdAt` expires if used at `now`: a sliding window, never past the absolute cap. */
function nextExpiry(createdAt: number, now: number): number {
  return Math.min(now + SESSION_LIFETIME, createdAt + SESSION_ABSOLUTE_LIFETIME);
}

/** A session starting at `now`: a fresh token and its first expiry. */
export function newSession(now: number): NewSession {
  return { token: generateSessionToken(), expiresAt: nextExpiry(now, now) };
}

/**
 * The statement that stores `session` for `userId`; batch it with the writes that must happen with it. With
 * `onlyIf` it stores nothing unless that condition holds, for batches whose other writes depend on the same
 * condition (a password reset's writes all depend on its link still being live).
 */
export function insertSessionStatement(db: D1Database, session: NewSession, userId: string, now: number, onlyIf?: SqlCondition): D1PreparedStatement {
  return db
    .prepare(`INSERT INTO sessions (id, user_id, expires_at, created_at) SELECT ?1, ?2, ?3, ?4 WHERE ${onlyIf?.sql ?? "true"}`)
    .bind(hashToken(session.token), userId, session.expiresAt, now, ...(onlyIf?.values ?? []));
}

/** Stores a session with the given token for `userId` and returns it (tests and benchmarks seed sessions with it). */
export async function createSession(db: D1Database, token: string, userId: string, now: number): Promise<Session> {
  const expiresAt = nextExpiry(now, now);
  await insertSessionStatement(db, { token, expiresAt }, userId, now).run();
  return { id: hashToken(token), userId, expiresAt, createdAt: now, secondFactorAt: null };
}

/**
 * Resolves a cookie token to its session and member in one query. Expired sessions are deleted; sessions
 * with less than SESSION_RENEW_BELOW left are extended (up to the absolute cap) and reported as renewed.
 */
export async function validateSessionToken(db: D1Database, token: string, now: number): Promise<SessionValidationResult> {
  const id = hashToken(token);
  const row = await db
    .prepare(
      `SELECT s.id, s.user_id, s.expires_at, s.created_at, s.second_factor_at, s.seen_at, u.email, u.display_name,
              u.email_verified_at, COALESCE(st.role, 'member') AS role, v.email AS pending_email, u.password_hash IS NOT ?2 AS has_password
       FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN staff st ON st.user_id = s.user_id
         LEFT JOIN email_verifications v ON v.user_id = s.user_id
       WHERE s.id = ?1`,
    )
    .bind(id, NO_PASSWORD)
    .first<SessionRow>();
  if (row === null) return { session: null, user: null, renewed: false };
  const staff = row.role !== "member";
  const lastUse = row.seen_at ?? row.created_at;
  if (now >= row.expires_at || (staff && now - lastUse > STAFF_IDLE_LIMIT)) {
    await invalidateSession(db, id);
    return { session: null, user: null, renewed: false };
  }
  if (staff && now - lastUse >= SEEN_GRANULARITY) await db.prepare("UPDATE sessions SET seen_at = ?1 WHERE id = ?2").bind(now, id).run();
  const session: Session = { id, userId: row.user_id, expiresAt: row.expires_at, createdAt: row.created_at, secondFactorAt: row.second_factor_at };
  let renewed = false;
  if (row.expires_at - now < SESSION_RENEW_BELOW) {
    const expiresAt = nextExpiry(row.created_at, now);
    if (expiresAt > row.expires_at) {
      await db.prepare("UPDATE sessions SET expires_at = ?1 WHERE id = ?2").bind(expiresAt, id).run();
      session.expiresAt = expiresAt;
      renewed = true;
    }
  }
  const user: SessionUser = {
    id: row.user_id,
    email: row.email,
    displayName: row.display_name,
    emailVerified: row.email_verified_at !== null,
    role: row.role,
    pendingEmail: row.pending_email,
    hasPassword: row.has_password === 1,
  };
  return { session, user, renewed };
}

/** The statement that ends one session; batch it with the sign-in that replaces it. */
export function invalidateSessionStatement(db: D1Database, sessionId: string): D1PreparedStatement {
  return db.prepare("DELETE FROM sessions WHERE id = ?1").bind(sessionId);
}

/** Ends one session (sign-out). */
export async function invalidateSession(db: D1Database, sessionId: string): Promise<void> {
  await invalidateSessionStatement(db, sessionId).run();
}

/**
 * The statements that end the session a device had before it signs in again (or joins) as anyone: without them the
 * old session would stay valid server-side for up to 30 days after its cookie is overwritten (ASVS 7.2.4).
 */
export function endPreviousSessionStatements(db: D1Database, previousSessionId: string | null | undefined): D1PreparedStatement[] {
  return previousSessionId ? [invalidateSessionStatement(db, previousSessionId)] : [];
}

/** The statement that ends every session of a member except `keepSessionId`; batch it with the change that needs it. */
export function invalidateUserSessionsStatement(db: D1Database, userId: string, keepSessionId: string | null = null): D1PreparedStatement {
  return db.prepare("DELETE FROM sessions WHERE user_id = ?1 AND id IS NOT ?2").bind(userId, keepSessionId);
}

/** Ends every session of a member ("sign out everywhere"), optionally keeping the current one. */
export async function invalidateUserSessions(db: D1Database, userId: string, keepSessionId: string | null = null): Promise<void> {
  await invalidateUserSessionsStatement(db, userId, keepSessionId).run();
}
