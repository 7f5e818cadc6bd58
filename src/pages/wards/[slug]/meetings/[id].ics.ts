// A ward meeting as an .ics file (functions/wards/ics.ts): public meetings for anyone, members-only meetings for
// the ward's members (decideWardAccess), nothing for anyone else (404, as if there were no such meeting).
import type { APIRoute } from "astro";
import { meetingOfWard } from "@functions/wards/meetings";
import { meetingIcs } from "@functions/wards/ics";
import { readMembership, wardBySlug } from "@functions/wards/wards";
import { decideWardAccess } from "@functions/wards/access";
import { getDb, getSiteUrl } from "@src/lib/runtime";

export const prerender = false;

/** A plain 404: the same answer for a meeting that does not exist and one the reader may not see. */
function notFound(): Response {
  return new Response("No such meeting.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

export const GET: APIRoute = async ({ params, locals }) => {
  const db = getDb();
  const user = locals.user;
  const [ward, meeting] = await Promise.all([wardBySlug(db, params.slug ?? ""), meetingOfWard(db, params.slug ?? "", params.id ?? "", null)]);
  if (ward === null || meeting === null) return notFound();
  if (!meeting.public) {
    const membership = user === null ? null : await readMembership(db, user.id);
    const reader = user === null ? null : { userId: user.id, emailVerified: user.emailVerified, wardId: membership!.wardId, organiserOf: membership!.organiserOf };
    if (decideWardAccess(reader, ward, "members.read") !== "allow") return notFound();
  }
  const site = new URL(getSiteUrl());
  return new Response(meetingIcs(meeting, ward, new URL(`/wards/${ward.slug}/`, site).href, site.host), {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": `attachment; filename="${ward.slug}-${meeting.startsAt}.ics"`,
    },
  });
};
