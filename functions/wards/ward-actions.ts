// The member's posts to a ward's page (join, consents, leave, RSVP), each checked by decideWardAccess first: the
// page parses the form with guardForm and hands the fields here, then redirects or shows the problem.
import type { FieldErrors } from "@functions/auth/account";
import type { ThrottleRule } from "@functions/auth/throttle";
import { field } from "@functions/http/forms";
import { decideWardAccess, type WardAction, type WardDecision, type WardReader } from "./access";
import { joinWard, leaveWard, readConsents, updateConsents } from "./membership";
import { answerRsvp } from "./rsvps";
import { readMembership, wardBySlug, type Ward } from "./wards";

/** Ward posts per member: generous for RSVPs, a wall for scripts. */
export const WARD_POST_THROTTLE: ThrottleRule = { name: "ward:account", limit: 60, windowSeconds: 15 * 60 };

/** Every field a ward page's forms send. */
export const WARD_POST_FIELDS = ["action", "listed", "shareEmail", "meeting", "answer", "from"] as const;

const ACTIONS = new Map<string, WardAction>([["join", "ward.join"], ["consents", "ward.leave"], ["leave", "ward.leave"], ["rsvp", "meeting.rsvp"]]);

export type WardPostResult = { kind: "done"; done: string; purge: string[] } | { kind: "missing" } | { kind: "refused"; decision: Exclude<WardDecision, "allow"> } | { kind: "problem"; errors: FieldErrors };

/**
 * Carries out one post by `user` to the page of ward `slug`; a "done" result lists the public pages the change
 * makes stale (this ward's, the finder's, and the ward a member moved from).
 */
export async function postToWard(db: D1Database, user: { id: string; emailVerified: boolean }, slug: string, fields: URLSearchParams, now: number): Promise<WardPostResult> {
  const [ward, membership] = await Promise.all([wardBySlug(db, slug), readMembership(db, user.id)]);
  if (ward === null) return { kind: "missing" };
  const reader: NonNullable<WardReader> = { userId: user.id, emailVerified: user.emailVerified, wardId: membership.wardId, organiserOf: membership.organiserOf };
  const result = await handleWardPost(db, reader, ward, fields, now);
  if (result.kind !== "done") return result;
  const purge = [`/wards/${slug}/`, "/wards/", ...(membership.wardSlug !== null && membership.wardSlug !== slug ? [`/wards/${membership.wardSlug}/`] : [])];
  return { ...result, purge };
}

type ActionResult = { kind: "done"; done: string } | Exclude<WardPostResult, { kind: "done" } | { kind: "missing" }>;

/** Carries out one ward-page post by `reader` on `ward`. */
async function handleWardPost(db: D1Database, reader: NonNullable<WardReader>, ward: Ward, fields: URLSearchParams, now: number): Promise<ActionResult> {
  const action = field(fields, "action");
  const wardAction = ACTIONS.get(action);
  if (wardAction === undefined) return { kind: "problem", errors: { form: "That action is not one this page offers." } };
  const decision = decideWardAccess(reader, ward, wardAction);
  if (decision !== "allow") return { kind: "refused", decision };
  switch (action) {
    case "join":
      await joinWard(db, reader.userId, ward.id, readConsents(fields), now);
      return { kind: "done", done: reader.wardId === null ? "joined" : "moved" };
    case "consents":
      await updateConsents(db, reader.userId, readConsents(fields));
      return { kind: "done", done: "consents" };
    case "leave":
      await leaveWard(db, reader.userId, now);
      return { kind: "done", done: "left" };
    default: {
      const answer = field(fields, "answer");
      if (answer !== "going" && answer !== "not_going") return { kind: "problem", errors: { form: "Choose going or not going." } };
      const meeting = await db.prepare("SELECT id FROM ward_meetings WHERE id = ?1 AND ward_id = ?2").bind(field(fields, "meeting"), ward.id).first<{ id: string }>();
      const status = meeting === null ? null : await answerRsvp(db, meeting.id, reader.userId, answer, now);
      if (status === null) return { kind: "problem", errors: { form: "That meeting is not taking answers: it has ended or been cancelled." } };
      return { kind: "done", done: status };
    }
  }
}

/** What a page says after each post (a Map: ?done=constructor finds nothing). */
export const WARD_DONE = new Map([
  ["joined", "Welcome: you are now a member of this ward."],
  ["moved", "You have moved to this ward. Your places at your old ward's meetings were given up."],
  ["consents", "Your choices are saved."],
  ["left", "You have left the ward."],
  ["going", "You are going. A calendar file is beside the meeting."],
  ["waitlisted", "The meeting is full, so you are on the waitlist. If a place frees, it is yours, in turn."],
  ["not_going", "You are not going. Your place has gone to the next person waiting."],
]);
