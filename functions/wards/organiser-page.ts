// What a ward's organisers' page reads and does (src/pages/wards/[slug]/organise.astro): the gate (decideWardAccess
// on the reader's own membership: an organiser of another ward, a member or a visitor gets nothing), and the posts
// (create, edit, cancel a meeting; post or remove a notice), each scoped to the organiser's own ward in SQL.
import type { FieldErrors } from "@functions/auth/account";
import type { Actor } from "@functions/staff/audit";
import { field } from "@functions/http/forms";
import { decideWardAccess, type WardAction, type WardDecision } from "./access";
import { cancelMeeting, createMeeting, readMeetingForm, updateMeeting } from "./meetings";
import { postNotice, removeNotice } from "./notices";
import { readMembership, wardBySlug, type Ward } from "./wards";

/** Fields the organisers' forms send. */
export const ORGANISER_FIELDS = ["action", "meeting", "notice", "title", "date", "start", "end", "place", "capacity", "visibility", "description", "noticeTitle", "body"] as const;

/** The ward, if the reader may organise it; otherwise the decision that refuses them (or "missing"). */
export async function openOrganiserPage(db: D1Database, user: { id: string; emailVerified: boolean } | null, slug: string): Promise<{ ok: true; ward: Ward } | { ok: false; decision: Exclude<WardDecision, "allow"> | "missing" }> {
  const [ward, membership] = await Promise.all([wardBySlug(db, slug), user === null ? null : readMembership(db, user.id)]);
  if (ward === null) return { ok: false, decision: "missing" };
  const reader = user === null ? null : { userId: user.id, emailVerified: user.emailVerified, wardId: membership!.wardId, organiserOf: membership!.organiserOf };
  const decision = decideWardAccess(reader, ward, "meeting.create");
  return decision === "allow" ? { ok: true, ward } : { ok: false, decision };
}

const ACTIONS = new Map<string, WardAction>([["create", "meeting.create"], ["edit", "meeting.edit"], ["cancel", "meeting.cancel"], ["notice", "notice.post"], ["remove-notice", "notice.post"]]);

/** Carries out one organiser post on `ward` (already opened by openOrganiserPage); returns the done key or errors. */
export async function handleOrganiserPost(db: D1Database, actor: Actor, ward: Ward, fields: URLSearchParams, now: number): Promise<{ ok: true; done: string } | { ok: false; errors: FieldErrors; action: string }> {
  const action = field(fields, "action");
  if (!ACTIONS.has(action)) return { ok: false, errors: { form: "That action is not one this page offers." }, action };
  if (action === "create" || action === "edit") {
    const form = readMeetingForm(fields);
    if (!form.ok) return { ok: false, errors: form.errors, action };
    if (action === "create") {
      await createMeeting(db, actor, ward.id, form.input, now);
      return { ok: true, done: "created" };
    }
    const result = await updateMeeting(db, actor, ward.id, field(fields, "meeting"), form.input, now);
    return result.ok ? { ok: true, done: "edited" } : { ok: false, errors: result.errors, action };
  }
  if (action === "cancel") {
    const result = await cancelMeeting(db, actor, ward.id, field(fields, "meeting"), now);
    return result.ok ? { ok: true, done: "cancelled" } : { ok: false, errors: result.errors, action };
  }
  const result = action === "notice" ? await postNotice(db, actor, ward.id, fields, now) : await removeNotice(db, actor, ward.id, field(fields, "notice"), now);
  return result.ok ? { ok: true, done: action === "notice" ? "posted" : "removed" } : { ok: false, errors: result.errors, action };
}

/** What the page says after each post (a Map: ?done=constructor finds nothing). */
export const ORGANISER_DONE = new Map([
  ["created", "The meeting is on the ward's page."],
  ["edited", "The meeting is changed. Calendar apps that imported it update their copy from its .ics file."],
  ["cancelled", "The meeting is cancelled. Members who answered see it marked so."],
  ["posted", "The notice is on the ward's page for its members."],
  ["removed", "The notice is removed."],
]);
