// What /admin/wards does with each post (functions/wards/ward-admin.ts, proposals.ts): create or edit a ward,
// appoint or remove an organiser, approve or decline a proposal. Each needs its wards.* staff action
// (decideStaffAccess), checked here so no post can skip it.
import type { FieldErrors } from "@functions/auth/account";
import { decideStaffAccess, type StaffAction, type StaffRole } from "@functions/staff/access";
import type { Actor } from "@functions/staff/audit";
import { field } from "@functions/http/forms";
import { appointOrganiser, createWard, readWardForm, removeOrganiser, updateWard } from "./ward-admin";
import { approveProposal, declineProposal } from "./proposals";

/** Fields the page's forms send. */
export const STAFF_WARD_FIELDS = ["action", "ward", "name", "area", "status", "foundingThreshold", "districts", "email", "userId", "proposal", "message"] as const;

const NEEDS = new Map<string, StaffAction>([
  ["create", "wards.manage"], ["edit", "wards.manage"], ["appoint", "wards.organisers"], ["remove-organiser", "wards.organisers"],
  ["approve", "wards.proposals"], ["decline", "wards.proposals"],
]);

export type StaffWardResult = { ok: true; done: string; slug: string | null } | { ok: false; errors: FieldErrors; action: string; forbidden?: boolean };

/** Carries out one post by staff `actor`; a done result names the ward the page returns to. */
export async function handleStaffWardPost(db: D1Database, actor: Actor & { role: StaffRole }, fields: URLSearchParams, now: number): Promise<StaffWardResult> {
  const action = field(fields, "action");
  const needs = NEEDS.get(action);
  if (needs === undefined) return { ok: false, errors: { form: "That action is not one this page offers." }, action };
  if (!decideStaffAccess(actor.role, needs)) return { ok: false, errors: { form: "Your role does not allow that." }, action, forbidden: true };
  const wardId = field(fields, "ward");
  const slugOf = async () => (await db.prepare("SELECT slug FROM wards WHERE id = ?1").bind(wardId).first<{ slug: string }>())?.slug ?? null;
  switch (action) {
    case "create":
    case "edit": {
      const form = readWardForm(fields);
      if (!form.ok) return { ok: false, errors: form.errors, action };
      if (action === "create") return { ok: true, done: "created", slug: await createWard(db, actor, form.input, now) };
      const slug = await slugOf();
      if (slug === null) return { ok: false, errors: { form: "There is no such ward." }, action };
      await updateWard(db, actor, wardId, form.input, now);
      return { ok: true, done: "edited", slug };
    }
    case "appoint": {
      const result = await appointOrganiser(db, actor, wardId, field(fields, "email"), now);
      return result.ok ? { ok: true, done: "appointed", slug: await slugOf() } : { ok: false, errors: result.errors, action };
    }
    case "remove-organiser":
      await removeOrganiser(db, actor, wardId, field(fields, "userId"), now);
      return { ok: true, done: "removed", slug: await slugOf() };
    case "approve": {
      const result = await approveProposal(db, actor, field(fields, "proposal"), now);
      return result.ok ? { ok: true, done: "approved", slug: result.slug } : { ok: false, errors: result.errors, action };
    }
    default: {
      const result = await declineProposal(db, actor, field(fields, "proposal"), field(fields, "message"), now);
      return result.ok ? { ok: true, done: "declined", slug: null } : { ok: false, errors: result.errors, action };
    }
  }
}

/** What the page says after each post. */
export const STAFF_WARD_DONE = new Map([
  ["created", "The ward is created."], ["edited", "The ward is saved."], ["appointed", "The organiser is appointed."],
  ["removed", "The organiser role is removed."], ["approved", "The proposal is approved: the ward is forming, with its proposer as organiser."],
  ["declined", "The proposal is declined; the proposer sees your message."],
]);
