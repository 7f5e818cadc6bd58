// Granting and revoking staff roles, for the owner's /admin/staff page (audited in the same batch) and the
// `npm run staff` script (scripts/staff.mjs, which runs the same SQL through wrangler). The account must exist and
// be verified, and the last owner can never be removed or demoted: the statements themselves check it, so two
// owners demoting each other at once cannot leave the site with none.
import { auditStatement, type Actor } from "./audit";
import type { StaffRole } from "./access";

export interface StaffMember { userId: string; email: string; displayName: string | null; role: StaffRole; grantedAt: number; grantedBy: string }

/** Everyone on the staff, owners first. */
export async function listStaff(db: D1Database): Promise<StaffMember[]> {
  const { results } = await db
    .prepare(
      `SELECT s.user_id, u.email, u.display_name, s.role, s.granted_at, s.granted_by FROM staff s JOIN users u ON u.id = s.user_id
       ORDER BY CASE s.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, u.email`,
    )
    .all<{ user_id: string; email: string; display_name: string | null; role: StaffRole; granted_at: number; granted_by: string }>();
  return results.map((row) => ({ userId: row.user_id, email: row.email, displayName: row.display_name, role: row.role, grantedAt: row.granted_at, grantedBy: row.granted_by }));
}

export type StaffChange = { ok: true; changed: boolean } | { ok: false; message: string };

/** SQL that is true unless the change would leave no owner: `?userId` is not an owner, or another owner remains. */
const KEEPS_AN_OWNER = "(NOT EXISTS (SELECT 1 FROM staff WHERE user_id = ?1 AND role = 'owner') OR (SELECT COUNT(*) FROM staff WHERE role = 'owner') > 1)";

/** Gives the verified member with address `email` the role `role` (replacing any other), recorded in the audit log. */
export async function grantRole(db: D1Database, actor: Actor, email: string, role: StaffRole, now: number): Promise<StaffChange> {
  const user = await db
    .prepare("SELECT u.id, u.email_verified_at, s.role FROM users u LEFT JOIN staff s ON s.user_id = u.id WHERE u.email = ?1")
    .bind(email.trim().toLowerCase())
    .first<{ id: string; email_verified_at: number | null; role: StaffRole | null }>();
  if (user === null) return { ok: false, message: "No account has that email address. They must join first." };
  if (user.email_verified_at === null) return { ok: false, message: "That account has not verified its email address yet." };
  if (user.role === role) return { ok: true, changed: false };
  const [changed] = await db.batch([
    db.prepare(
      `INSERT INTO staff (user_id, role, granted_at, granted_by) SELECT ?1, ?2, ?3, ?4 WHERE ?2 = 'owner' OR ${KEEPS_AN_OWNER}
       ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, granted_at = excluded.granted_at, granted_by = excluded.granted_by`,
    ).bind(user.id, role, now, actor.userId),
    auditStatement(db, actor, "staff.grant", user.id, now, { role, previous: user.role }, true),
  ]);
  if (changed!.meta.changes === 0) return { ok: false, message: "The last owner cannot be demoted. Make someone else an owner first." };
  return { ok: true, changed: true };
}

/** Makes `userId` a member again; refused for the last owner. Recorded in the audit log. */
export async function revokeRole(db: D1Database, actor: Actor, userId: string, now: number): Promise<StaffChange> {
  const current = await db.prepare("SELECT role FROM staff WHERE user_id = ?1").bind(userId).first<{ role: StaffRole }>();
  if (current === null) return { ok: true, changed: false };
  const [deleted] = await db.batch([
    db.prepare(`DELETE FROM staff WHERE user_id = ?1 AND ${KEEPS_AN_OWNER}`).bind(userId),
    auditStatement(db, actor, "staff.revoke", userId, now, { previous: current.role }, true),
  ]);
  if (deleted!.meta.changes === 0) return { ok: false, message: "The last owner cannot be removed. Make someone else an owner first." };
  return { ok: true, changed: true };
}
