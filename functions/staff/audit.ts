// The audit log: one append-only row per staff action (who, with which role, did what to whom, when, from which
// network as a keyed hash). auditStatement gives the INSERT to put in the same db.batch() as the action itself, so
// an action is never recorded without happening nor happens unrecorded. Rows are never updated or deleted (the
// table's triggers refuse it: migrations/0007_staff_console.sql). Read by /admin/audit with keyset paging.
import type { StaffRole } from "./access";

/** Who acted: the staff member, their role at the time and their network's tag. */
export interface Actor { userId: string; role: StaffRole | "cli" | "organiser"; net: string }

/** Short JSON-able facts about an action: ids, counts and filters, never an email address or member text. */
export type AuditDetail = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  id: number;
  at: number;
  actorId: string;
  actorRole: string;
  action: string;
  targetId: string | null;
  detail: AuditDetail | null;
  net: string;
}

/**
 * The statement that records `action` by `actor` on `targetId`; batch it with the action's own writes. With
 * `ifChanged` it records nothing unless the statement just before it in the batch changed a row (SQLite's changes()),
 * for actions whose write is conditional (a refused demotion of the last owner is not an action).
 */
export function auditStatement(
  db: D1Database, actor: Actor, action: string, targetId: string | null, now: number, detail: AuditDetail | null = null,
  ifChanged = false,
): D1PreparedStatement {
  return db
    .prepare(`INSERT INTO audit_log (at, actor_id, actor_role, action, target_id, detail, net) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE ${ifChanged ? "changes() > 0" : "true"}`)
    .bind(now, actor.userId, actor.role, action, targetId, detail === null ? null : JSON.stringify(detail), actor.net);
}

/** The most entries an audit page shows. */
export const AUDIT_PAGE_SIZE = 50;

interface AuditRow { id: number; at: number; actor_id: string; actor_role: string; action: string; target_id: string | null; detail: string | null; net: string }

/** One page of the log, newest first, starting below `beforeId` (keyset paging on the primary key). */
export async function listAudit(db: D1Database, beforeId: number | null): Promise<{ entries: AuditEntry[]; nextBefore: number | null }> {
  const { results } = await db
    .prepare("SELECT id, at, actor_id, actor_role, action, target_id, detail, net FROM audit_log WHERE ?1 IS NULL OR id < ?1 ORDER BY id DESC LIMIT ?2")
    .bind(beforeId, AUDIT_PAGE_SIZE + 1)
    .all<AuditRow>();
  const entries = results.slice(0, AUDIT_PAGE_SIZE).map((row) => ({
    id: row.id, at: row.at, actorId: row.actor_id, actorRole: row.actor_role, action: row.action,
    targetId: row.target_id, detail: row.detail === null ? null : (JSON.parse(row.detail) as AuditDetail), net: row.net,
  }));
  return { entries, nextBefore: results.length > AUDIT_PAGE_SIZE ? entries.at(-1)!.id : null };
}
