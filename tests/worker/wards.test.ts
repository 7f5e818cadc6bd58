// The wards' rules against a real local D1 with the real migrations: concurrent RSVPs never overfill a meeting and
// a cancellation promotes exactly one; joining, moving and leaving (one ward at a time, places released); organiser
// writes scoped to their own ward in SQL and audited; the finder's reads; proposals; the data export and deletion.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { answerRsvp, listRsvps } from "@functions/wards/rsvps";
import { joinWard, leaveWard, listWardMembers } from "@functions/wards/membership";
import { cancelMeeting, createMeeting, readMeetingForm, updateMeeting, type MeetingInput } from "@functions/wards/meetings";
import { findWardsByDistrict, listWards, readMembership, searchWards, wardBySlug } from "@functions/wards/wards";
import { readWardPage } from "@functions/wards/ward-page";
import { postNotice } from "@functions/wards/notices";
import { createWard, appointOrganiser, readWardForm } from "@functions/wards/ward-admin";
import { approveProposal, declineProposal, latestProposal, proposeWard } from "@functions/wards/proposals";
import { deleteAccount, exportUserData } from "@functions/auth/account-data";
import type { Actor } from "@functions/staff/audit";
import { T0, count, insertUser, signedUpMember, PASSWORD } from "./support";

const DB = env.DB;
const staffActor: Actor = { userId: "staff-1", role: "admin", net: "0123456789abcdef" };
const organiserActor = (userId: string): Actor => ({ userId, role: "organiser", net: "0123456789abcdef" });

async function ward(name = `Ward ${crypto.randomUUID().slice(0, 6)}`, districts = "LS6") {
  const form = readWardForm(new URLSearchParams({ name, area: "Around the park", status: "forming", foundingThreshold: "20", districts }));
  if (!form.ok) throw new Error(JSON.stringify(form.errors));
  const slug = await createWard(DB, staffActor, form.input, T0);
  return (await wardBySlug(DB, slug))!;
}

async function member(wardId: string, options: { listed?: boolean; shareEmail?: boolean; displayName?: string } = {}) {
  const user = await insertUser({ emailVerifiedAt: T0 });
  if (options.displayName) await DB.prepare("UPDATE users SET display_name = ?2 WHERE id = ?1").bind(user.id, options.displayName).run();
  await joinWard(DB, user.id, wardId, { listed: options.listed ?? false, shareEmail: options.shareEmail ?? false }, T0);
  return user;
}

const input = (extra: Partial<MeetingInput> = {}): MeetingInput => ({
  title: "Ward meeting", startsAt: T0 + 86400, endsAt: T0 + 86400 + 7200, place: "The hall", capacity: 10, public: true, description: "", ...extra,
});
const statuses = async (meetingId: string) => {
  const { results } = await DB.prepare("SELECT status, COUNT(*) AS n FROM ward_rsvps WHERE meeting_id = ?1 GROUP BY status").bind(meetingId).all<{ status: string; n: number }>();
  return Object.fromEntries(results.map((row) => [row.status, row.n]));
};

describe("RSVPs", () => {
  it("gives 30 concurrent RSVPs to a 10-place meeting exactly 10 places and a waitlist of 20; a cancellation promotes exactly one", async () => {
    const w = await ward();
    const meetingId = await createMeeting(DB, organiserActor("o"), w.id, input(), T0);
    const people = await Promise.all(Array.from({ length: 30 }, () => member(w.id)));
    const answers = await Promise.all(people.map((p) => answerRsvp(DB, meetingId, p.id, "going", T0 + 10)));
    expect(answers.filter((a) => a === "going")).toHaveLength(10);
    expect(answers.filter((a) => a === "waitlisted")).toHaveLength(20);
    expect(await statuses(meetingId)).toEqual({ going: 10, waitlisted: 20 });

    const leaving = people[answers.indexOf("going")]!;
    expect(await answerRsvp(DB, meetingId, leaving.id, "not_going", T0 + 20)).toBe("not_going");
    expect(await statuses(meetingId)).toEqual({ going: 10, waitlisted: 19, not_going: 1 });
    // Saying "going" again keeps a place (and a turn): nobody is displaced and nobody jumps the queue.
    const goingNow = await listRsvps(DB, w.id, meetingId);
    const someoneGoing = people.find((p) => goingNow.length > 0 && answers[people.indexOf(p)] === "going" && p.id !== leaving.id)!;
    expect(await answerRsvp(DB, meetingId, someoneGoing.id, "going", T0 + 30)).toBe("going");
    expect(await answerRsvp(DB, meetingId, leaving.id, "going", T0 + 40)).toBe("waitlisted");
    expect(await statuses(meetingId)).toEqual({ going: 10, waitlisted: 20 });
  });

  it("promotes the first waitlisted, in order, and only into free places when the capacity grows", async () => {
    const w = await ward();
    const meetingId = await createMeeting(DB, organiserActor("o"), w.id, input({ capacity: 1 }), T0);
    const [a, b, c] = [await member(w.id), await member(w.id), await member(w.id)];
    expect(await answerRsvp(DB, meetingId, a.id, "going", T0 + 1)).toBe("going");
    expect(await answerRsvp(DB, meetingId, b.id, "going", T0 + 2)).toBe("waitlisted");
    expect(await answerRsvp(DB, meetingId, c.id, "going", T0 + 3)).toBe("waitlisted");
    await answerRsvp(DB, meetingId, a.id, "not_going", T0 + 4);
    const mine = async (id: string) => (await DB.prepare("SELECT status FROM ward_rsvps WHERE meeting_id = ?1 AND user_id = ?2").bind(meetingId, id).first<{ status: string }>())!.status;
    expect([await mine(b.id), await mine(c.id)]).toEqual(["going", "waitlisted"]);
    expect((await updateMeeting(DB, organiserActor("o"), w.id, meetingId, input({ capacity: 5 }), T0 + 5)).ok).toBe(true);
    expect(await mine(c.id)).toBe("going");
  });

  it("takes no answers for a cancelled or ended meeting", async () => {
    const w = await ward();
    const meetingId = await createMeeting(DB, organiserActor("o"), w.id, input(), T0);
    const p = await member(w.id);
    expect(await answerRsvp(DB, meetingId, p.id, "going", T0 + 86400 * 2)).toBeNull();
    await cancelMeeting(DB, organiserActor("o"), w.id, meetingId, T0 + 1);
    expect(await answerRsvp(DB, meetingId, p.id, "going", T0 + 2)).toBeNull();
    expect(await answerRsvp(DB, "no-such-meeting", p.id, "going", T0 + 2)).toBeNull();
  });
});

describe("membership", () => {
  it("keeps one ward per member: moving releases the old ward's places and organiser role; leaving ends membership", async () => {
    const [a, b] = [await ward(), await ward()];
    const meetingId = await createMeeting(DB, organiserActor("o"), a.id, input({ capacity: 1 }), T0);
    const p = await member(a.id);
    const waiting = await member(a.id);
    await answerRsvp(DB, meetingId, p.id, "going", T0 + 1);
    await answerRsvp(DB, meetingId, waiting.id, "going", T0 + 2);
    expect((await appointOrganiser(DB, staffActor, a.id, p.email, T0)).ok).toBe(true);
    expect((await readMembership(DB, p.id)).organiserOf).toBe(a.id);

    expect(await joinWard(DB, p.id, b.id, { listed: true, shareEmail: false }, T0 + 3)).toBe(true);
    const moved = await readMembership(DB, p.id);
    expect(moved).toMatchObject({ wardId: b.id, organiserOf: null, listed: true, shareEmail: false });
    expect(await count("SELECT COUNT(*) AS n FROM ward_members WHERE user_id = ?1", p.id)).toBe(1);
    expect(await statuses(meetingId)).toEqual({ going: 1, not_going: 1 });

    expect(await leaveWard(DB, p.id, T0 + 4)).toBe(true);
    expect((await readMembership(DB, p.id)).wardId).toBeNull();
    expect(await leaveWard(DB, p.id, T0 + 5)).toBe(false);
    expect(await joinWard(DB, p.id, "no-such-ward", { listed: false, shareEmail: false }, T0)).toBe(false);
  });

  it("shows organisers emails only of members who agreed, and the directory only those listed with a name", async () => {
    const w = await ward();
    await member(w.id, { shareEmail: true, listed: true, displayName: "Asha" });
    const hidden = await member(w.id, { shareEmail: false, listed: false, displayName: "Bryn" });
    const { members } = await listWardMembers(DB, w.id, null);
    expect(members.find((m) => m.displayName === "Asha")!.email).toMatch(/@example\.org$/);
    expect(members.find((m) => m.displayName === "Bryn")!.email).toBeNull();
    const page = (await readWardPage(DB, w.slug, { id: hidden.id, emailVerified: true }, T0))!;
    expect(page.member).toBe(true);
    expect(page.directory).toEqual(["Asha"]);
    const visitor = (await readWardPage(DB, w.slug, null, T0))!;
    expect([visitor.member, visitor.directory, visitor.notices]).toEqual([false, [], []]);
  });
});

describe("organiser writes", () => {
  it("never change another ward's meetings, and every one is audited in its batch", async () => {
    const [a, b] = [await ward(), await ward()];
    const meetingOfB = await createMeeting(DB, organiserActor("org-b"), b.id, input(), T0);
    const before = await count("SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = 'org-a'");
    expect((await updateMeeting(DB, organiserActor("org-a"), a.id, meetingOfB, input({ title: "Hijacked" }), T0)).ok).toBe(false);
    expect((await cancelMeeting(DB, organiserActor("org-a"), a.id, meetingOfB, T0)).ok).toBe(false);
    expect(await count("SELECT COUNT(*) AS n FROM ward_meetings WHERE id = ?1 AND title = 'Ward meeting' AND cancelled_at IS NULL", meetingOfB)).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = 'org-a'")).toBe(before);
    expect((await postNotice(DB, organiserActor("org-b"), b.id, new URLSearchParams({ noticeTitle: "Hello", body: "First notice" }), T0)).ok).toBe(true);
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = 'org-b' AND actor_role = 'organiser'")).toBe(2);
  });

  it("reads the meeting form with clear messages", () => {
    const ok = readMeetingForm(new URLSearchParams({ title: "Meeting", date: "2026-10-25", start: "19:00", end: "21:00", place: "Hall", capacity: "", visibility: "members", description: "" }));
    expect(ok).toMatchObject({ ok: true, input: { capacity: null, public: false, startsAt: Date.parse("2026-10-25T19:00:00Z") / 1000 } });
    const bad = readMeetingForm(new URLSearchParams({ title: "", date: "2027-03-28", start: "01:30", end: "03:00", place: "", capacity: "0", visibility: "x" }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.errors).sort()).toEqual(["capacity", "place", "start", "title", "visibility"]);
  });
});

describe("the finder", () => {
  it("finds wards by district (and a sub-district's parent), by name, and lists them in pages", async () => {
    const tag = crypto.randomUUID().slice(0, 6).toUpperCase();
    const w = await ward(`Finder ${tag} 100% _Ward`, "ZE1 EC9");
    expect((await findWardsByDistrict(DB, "ZE1", null)).map((x) => x.id)).toContain(w.id);
    expect((await findWardsByDistrict(DB, "EC9A", "EC9")).map((x) => x.id)).toContain(w.id);
    expect((await searchWards(DB, `${tag.toLowerCase()} 100%`)).map((x) => x.id)).toEqual([w.id]);
    expect(await searchWards(DB, `${tag} 1_0`)).toEqual([]);
    expect((await listWards(DB, 1)).wards.length).toBeGreaterThan(0);
  });
});

describe("proposals", () => {
  it("lets a member propose once at a time; staff approve (a forming ward, its first organiser) or decline", async () => {
    const p = await insertUser({ emailVerifiedAt: T0 });
    const fields = new URLSearchParams({ name: "Meanwood", districts: "LS7", reason: "No ward north of the beck." });
    expect((await proposeWard(DB, p.id, fields, T0)).ok).toBe(true);
    expect(await proposeWard(DB, p.id, fields, T0 + 1)).toMatchObject({ ok: false });
    const proposal = (await latestProposal(DB, p.id))!;
    const approved = await approveProposal(DB, staffActor, proposal.id, T0 + 2);
    expect(approved.ok).toBe(true);
    const membership = await readMembership(DB, p.id);
    expect(membership.wardSlug).toBe(approved.ok ? approved.slug : "");
    expect(membership.organiserOf).toBe(membership.wardId);
    expect((await approveProposal(DB, staffActor, proposal.id, T0 + 3)).ok).toBe(false);
    expect((await declineProposal(DB, staffActor, proposal.id, "Already done", T0 + 3)).ok).toBe(false);
    expect((await proposeWard(DB, p.id, new URLSearchParams({ name: "", districts: "LS7 1AA", reason: "" }), T0)).ok).toBe(false);
  });
});

describe("the member's data", () => {
  it("exports membership, consents and RSVPs, and deleting the account removes them and frees the place", async () => {
    const w = await ward();
    const meetingId = await createMeeting(DB, organiserActor("o"), w.id, input({ capacity: 1 }), T0);
    const signed = await signedUpMember();
    await DB.prepare("UPDATE users SET email_verified_at = ?2 WHERE id = ?1").bind(signed.userId, T0).run();
    await joinWard(DB, signed.userId, w.id, { listed: true, shareEmail: true }, T0);
    const waiting = await member(w.id);
    await answerRsvp(DB, meetingId, signed.userId, "going", T0 + 1);
    await answerRsvp(DB, meetingId, waiting.id, "going", T0 + 2);
    const exported = (await exportUserData(DB, signed.userId, T0 + 3))!;
    expect(exported.wards).toMatchObject({
      membership: { ward: w.name, listed_in_directory: 1, email_shared_with_organisers: 1 },
      rsvps: [{ meeting: "Ward meeting", status: "going" }],
    });
    expect((await deleteAccount(DB, null, signed.userId, PASSWORD, T0 + 4)).ok).toBe(true);
    expect(await count("SELECT COUNT(*) AS n FROM ward_members WHERE user_id = ?1", signed.userId)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM ward_rsvps WHERE user_id = ?1", signed.userId)).toBe(0);
    expect(await statuses(meetingId)).toEqual({ going: 1 });
  });
});
