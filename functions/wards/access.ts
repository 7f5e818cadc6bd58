// Who may do what on a ward: the one rule for every ward page and action (as decideAccess is for reading and
// decideStaffAccess for the console), tested as a table. Anyone may see a ward's public page and public meetings;
// a signed-in member with a verified email may join, move or leave; a ward's members see its members-only meetings,
// notices and directory and may RSVP; only that ward's organisers organise it. Staff run wards from /admin/wards
// under decideStaffAccess (wards.*), not through this function: a site role is not a ward role.

/** Everything a reader can do on a ward. */
export const WARD_ACTIONS = [
  "ward.view",
  "ward.join",
  "ward.leave",
  "members.read",
  "meeting.rsvp",
  "meeting.create",
  "meeting.edit",
  "meeting.cancel",
  "notice.post",
  "rsvps.view",
  "members.view",
] as const;
export type WardAction = (typeof WARD_ACTIONS)[number];

/** The organiser's actions: only a ward's own organisers take them. */
export const ORGANISER_ACTIONS: ReadonlySet<WardAction> = new Set(["meeting.create", "meeting.edit", "meeting.cancel", "notice.post", "rsvps.view", "members.view"]);
const MEMBER_ACTIONS: ReadonlySet<WardAction> = new Set(["members.read", "meeting.rsvp", "ward.leave"]);

/** The reader as ward rules see them: null for a visitor. */
export type WardReader = null | { userId: string; emailVerified: boolean; wardId: string | null; organiserOf: string | null };

export type WardDecision = "allow" | "sign-in" | "verify" | "forbidden";

/** What `reader` may do with `action` on `ward` (see the header comment). */
export function decideWardAccess(reader: WardReader, ward: { id: string }, action: WardAction): WardDecision {
  if (action === "ward.view") return "allow";
  if (reader === null) return "sign-in";
  if (!reader.emailVerified) return "verify";
  if (ORGANISER_ACTIONS.has(action)) return reader.organiserOf === ward.id ? "allow" : "forbidden";
  if (action === "ward.join") return reader.wardId === ward.id ? "forbidden" : "allow";
  if (MEMBER_ACTIONS.has(action)) return reader.wardId === ward.id || reader.organiserOf === ward.id ? "allow" : "forbidden";
  return "forbidden";
}
