// Who may write to which audience, and which audiences may read member-only text: the one rule for both (as
// decideStaffAccess is for the console and decideWardAccess for wards), tested as a table of roles × organiser ×
// audience. Editors and up write to the essays topic ("letters.write"); admins and owners also to monthly donors
// ("letters.donors"); staff who run wards ("wards.manage") to any ward; a ward's organisers only to their own ward,
// from its organisers' page. A site role is not a ward role, and a ward role grants nothing on the site.
import { decideStaffAccess, type SiteRole } from "@functions/staff/access";
import { LETTER_AUDIENCES, type LetterAudience } from "./audience";

/** The writer as this rule sees them: their site role and the ward they organise, if any. */
export interface LetterWriter { role: SiteRole; organiserOf: string | null }

/** True when `writer` may write to (and send to) `audience`; `wardId` is the ward of a "ward" audience. */
export function decideLetterAudience(writer: LetterWriter, audience: LetterAudience, wardId: string | null): boolean {
  switch (audience) {
    case "essays":
      return decideStaffAccess(writer.role, "letters.write");
    case "monthly-donors":
      return decideStaffAccess(writer.role, "letters.donors");
    case "ward":
      if (wardId === null) return false;
      return (decideStaffAccess(writer.role, "letters.write") && decideStaffAccess(writer.role, "wards.manage")) || writer.organiserOf === wardId;
    default:
      return false;
  }
}

/**
 * True when a letter to `audience` may quote a members-only essay's text. Only for audiences whose every recipient
 * is a member with a verified email (who may read the essay on the site) and whose letters are never published:
 * a ward's members (joining a ward needs a verified email) and monthly donors (audience.ts counts verified members
 * only). Never for the essays topic: its letters are published in the public archive (/letters/), so anyone could
 * read them. Such letters say what the essay is about and link to it, as its public summary does.
 */
export function mayQuoteMemberText(audience: LetterAudience): boolean {
  return audience === "ward" || audience === "monthly-donors";
}

/** The audiences a staff role may choose in the console, in the order its form lists them ("ward": any ward). */
export function staffAudiences(role: SiteRole): LetterAudience[] {
  return LETTER_AUDIENCES.filter((audience) => decideLetterAudience({ role, organiserOf: null }, audience, audience === "ward" ? "any ward" : null));
}
