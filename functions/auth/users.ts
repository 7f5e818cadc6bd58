// Member accounts in D1: the row, the rules for its email address and display name, and the statements that
// create, read and update it. Used by the account use-cases (account.ts) and the pages that show those rules' limits.
// Emails are stored lower-cased; the UNIQUE constraint makes concurrent sign-ups safe.
import { generateToken } from "./tokens";
import type { SiteRole } from "@functions/staff/access";

export interface User {
  id: string;
  email: string;
  displayName: string | null;
  passwordHash: string;
  emailVerifiedAt: number | null;
  /** "member", or the staff role from the staff table (functions/staff/). */
  role: SiteRole;
  createdAt: number;
}

export interface UserRow {
  id: string; email: string; display_name: string | null; password_hash: string;
  email_verified_at: number | null; role: User["role"]; created_at: number;
}

/** The longest email address (RFC 5321's limit for a path). */
export const EMAIL_MAX = 254;
/** The longest display name, in UTF-16 units as an input's `maxlength` counts them. */
export const DISPLAY_NAME_MAX = 80;

/** A users row with its site role (staff members have a row in `staff`). */
const SELECT_USER = "SELECT users.*, COALESCE(staff.role, 'member') AS role FROM users LEFT JOIN staff ON staff.user_id = users.id";

/** Maps a users row (snake_case, as D1 returns it) to a User. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    emailVerifiedAt: row.email_verified_at,
    role: row.role,
    createdAt: row.created_at,
  };
}

/** Lower-cases and trims an email address; the one form we store and compare. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A deliberately plain check: one address, no spaces or control characters, a dot in the domain, <= EMAIL_MAX chars. */
export function isValidEmail(email: string): boolean {
  return email.length <= EMAIL_MAX && /^[^\s@<>(),;:"\\[\]\p{Cc}]{1,64}@[^\s@<>(),;:"\\[\]\p{Cc}]+\.[^\s@<>(),;:"\\[\]\p{Cc}]{2,}$/u.test(email);
}

/** Why a (trimmed) display name is refused, or null when it is acceptable; empty means "no display name". */
export function checkDisplayName(displayName: string): string | null {
  return displayName.length > DISPLAY_NAME_MAX ? `Use at most ${DISPLAY_NAME_MAX} characters.` : null;
}

/** A new opaque user id (120 random bits). */
export function generateUserId(): string {
  return generateToken(15);
}

/** The statement that inserts a member; fails on a duplicate email (UNIQUE). */
export function insertUserStatement(
  db: D1Database,
  user: { id: string; email: string; displayName: string | null; passwordHash: string },
  now: number,
): D1PreparedStatement {
  return db
    .prepare("INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
    .bind(user.id, user.email, user.displayName, user.passwordHash, now);
}

/** True when a D1 error is a UNIQUE constraint violation (a duplicate that is not a fault). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed/i.test(error.message);
}

/** The member with this (normalised) email, or null. */
export async function getUserByEmail(db: D1Database, email: string): Promise<User | null> {
  const row = await db.prepare(`${SELECT_USER} WHERE users.email = ?1`).bind(normaliseEmail(email)).first<UserRow>();
  return row === null ? null : toUser(row);
}

/** The statement that reads the member with this id, for callers that batch it with other reads. */
export function selectUserStatement(db: D1Database, id: string): D1PreparedStatement {
  return db.prepare(`${SELECT_USER} WHERE users.id = ?1`).bind(id);
}

/** The member with this id, or null. */
export async function getUserById(db: D1Database, id: string): Promise<User | null> {
  const row = await selectUserStatement(db, id).first<UserRow>();
  return row === null ? null : toUser(row);
}

/** Writes a display name as given (null removes it); changeDisplayName in account.ts checks it first. */
export async function updateDisplayName(db: D1Database, userId: string, displayName: string | null): Promise<void> {
  await db.prepare("UPDATE users SET display_name = ?1 WHERE id = ?2").bind(displayName, userId).run();
}

/**
 * The statement that upgrades a member's hash to current parameters after a sign-in, only if the hash is still the
 * one the password was checked against: a reset or change that landed meanwhile must not be undone.
 */
export function rehashPasswordStatement(db: D1Database, userId: string, checkedHash: string, passwordHash: string): D1PreparedStatement {
  return db.prepare("UPDATE users SET password_hash = ?1 WHERE id = ?2 AND password_hash = ?3").bind(passwordHash, userId, checkedHash);
}

/** The statement that replaces a member's password hash (password change, reset). */
export function updatePasswordStatement(db: D1Database, userId: string, passwordHash: string): D1PreparedStatement {
  return db.prepare("UPDATE users SET password_hash = ?1 WHERE id = ?2").bind(passwordHash, userId);
}
