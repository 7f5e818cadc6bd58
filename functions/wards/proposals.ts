// Members' proposals of new wards, and staff's answers: a member whose district has no ward proposes one (name,
// districts, why; one pending proposal at a time); staff approve it (a forming ward, the proposer its first organiser,
// and its member unless already in another ward) or decline it with a message. Staff answers are audited in the same db.batch().
import type { FieldErrors, Outcome } from "@functions/auth/account";
import { auditStatement, type Actor } from "@functions/staff/audit";
import { field, hasControlCharacters } from "@functions/http/forms";
import { parseDistrictList } from "./postcode";
import { slugFor, wardStatements, DEFAULT_FOUNDING_THRESHOLD } from "./ward-admin";

export const PROPOSAL_NAME_MAX = 80;
export const PROPOSAL_REASON_MAX = 2000;

export interface Proposal { id: string; proposerName: string; name: string; districts: string; reason: string; status: "pending" | "approved" | "declined"; message: string | null; createdAt: number }

/** Checks and stores `userId`'s proposal. */
export async function proposeWard(db: D1Database, userId: string, fields: URLSearchParams, now: number): Promise<Outcome<object>> {
  const name = field(fields, "name").trim();
  const reason = field(fields, "reason").trim().replace(/\r\n/g, "\n");
  const errors: FieldErrors = {};
  if (name === "") errors.name = "Give the ward a name: its neighbourhood, as people there say it.";
  else if (name.length > PROPOSAL_NAME_MAX) errors.name = `Keep the name to ${PROPOSAL_NAME_MAX} characters.`;
  const districts = parseDistrictList(field(fields, "districts"));
  if (!districts.ok) errors.districts = districts.message;
  if (reason === "") errors.reason = "Say why this ward, in a sentence or two.";
  else if (reason.length > PROPOSAL_REASON_MAX) errors.reason = `Keep it to ${PROPOSAL_REASON_MAX} characters.`;
  else if (hasControlCharacters(reason.replace(/\n/g, ""))) errors.reason = "This contains invisible control characters. Please retype it.";
  if (Object.keys(errors).length > 0 || !districts.ok) return { ok: false, errors };
  const inserted = await db
    .prepare(`INSERT INTO ward_proposals (id, proposer_id, name, districts, reason, created_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6
      WHERE NOT EXISTS (SELECT 1 FROM ward_proposals WHERE proposer_id = ?2 AND status = 'pending')`)
    .bind(crypto.randomUUID(), userId, name, districts.districts.join(" "), reason, now)
    .run();
  if (inserted.meta.changes === 0) return { ok: false, errors: { form: "You already have a proposal waiting for an answer. We will email you when staff have read it." } };
  return { ok: true };
}

/** `userId`'s latest proposal, or null. */
export async function latestProposal(db: D1Database, userId: string): Promise<Proposal | null> {
  const rows = await listProposalRows(db, "p.proposer_id = ?1", userId, 1);
  return rows[0] ?? null;
}

/** Pending proposals, oldest first, for staff. */
export async function pendingProposals(db: D1Database): Promise<Proposal[]> {
  return listProposalRows(db, "p.status = ?1", "pending", 100);
}

async function listProposalRows(db: D1Database, where: string, param: string, limit: number): Promise<Proposal[]> {
  const { results } = await db
    .prepare(`SELECT p.id, COALESCE(u.display_name, 'A member') AS proposer_name, p.name, p.districts, p.reason, p.status, p.message, p.created_at
      FROM ward_proposals p JOIN users u ON u.id = p.proposer_id WHERE ${where} ORDER BY p.created_at ${limit === 1 ? "DESC" : "ASC"} LIMIT ?2`)
    .bind(param, limit)
    .all<{ id: string; proposer_name: string; name: string; districts: string; reason: string; status: Proposal["status"]; message: string | null; created_at: number }>();
  return results.map((row) => ({ id: row.id, proposerName: row.proposer_name, name: row.name, districts: row.districts, reason: row.reason, status: row.status, message: row.message, createdAt: row.created_at }));
}

/** Approves a pending proposal: a forming ward, the proposer its member and organiser; returns the ward's slug. */
export async function approveProposal(db: D1Database, actor: Actor, proposalId: string, now: number): Promise<Outcome<{ slug: string }>> {
  const proposal = await db.prepare("SELECT proposer_id, name, districts, reason FROM ward_proposals WHERE id = ?1 AND status = 'pending'").bind(proposalId)
    .first<{ proposer_id: string; name: string; districts: string; reason: string }>();
  if (proposal === null) return { ok: false, errors: { form: "That proposal has already been answered." } };
  const wardId = crypto.randomUUID();
  const slug = await slugFor(db, proposal.name);
  const ward = { name: proposal.name, area: proposal.reason.slice(0, 300), status: "forming" as const, foundingThreshold: DEFAULT_FOUNDING_THRESHOLD, districts: proposal.districts.split(" ") };
  await db.batch([
    // The ward first (the proposal points at it); a second approval racing this one makes the same slug and fails whole.
    ...wardStatements(db, wardId, slug, ward, now, true),
    db.prepare("UPDATE ward_proposals SET status = 'approved', ward_id = ?2, decided_at = ?3 WHERE id = ?1 AND status = 'pending'").bind(proposalId, wardId, now),
    db.prepare("INSERT INTO ward_members (user_id, ward_id, joined_at) SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM wards WHERE id = ?2) ON CONFLICT (user_id) DO NOTHING").bind(proposal.proposer_id, wardId, now),
    db.prepare("INSERT INTO ward_organisers (user_id, ward_id, appointed_at, appointed_by) SELECT ?1, ?2, ?3, 'proposal' WHERE EXISTS (SELECT 1 FROM wards WHERE id = ?2) ON CONFLICT (user_id) DO UPDATE SET ward_id = excluded.ward_id, appointed_at = excluded.appointed_at, appointed_by = excluded.appointed_by").bind(proposal.proposer_id, wardId, now),
    auditStatement(db, actor, "wards.proposal.approve", proposalId, now, { ward: wardId }),
  ]);
  return { ok: true, slug };
}

/** Declines a pending proposal with a message to the proposer. */
export async function declineProposal(db: D1Database, actor: Actor, proposalId: string, message: string, now: number): Promise<Outcome<object>> {
  const text = message.trim();
  if (text === "" || text.length > 1000) return { ok: false, errors: { message: "Write the proposer a short message (up to 1000 characters) saying why." } };
  const [updated] = await db.batch([
    db.prepare("UPDATE ward_proposals SET status = 'declined', message = ?2, decided_at = ?3 WHERE id = ?1 AND status = 'pending'").bind(proposalId, text, now),
    auditStatement(db, actor, "wards.proposal.decline", proposalId, now, null, true),
  ]);
  return updated!.meta.changes === 1 ? { ok: true } : { ok: false, errors: { form: "That proposal has already been answered." } };
}
