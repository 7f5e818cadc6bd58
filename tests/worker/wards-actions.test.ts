// The wards' page handlers against real D1: a member's posts to a ward page (postToWard), an organiser's posts
// (openOrganiserPage, handleOrganiserPost) and staff's (handleStaffWardPost), each refused for readers the rule
// refuses and carried out (with the stale public pages named) for those it allows.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { postToWard } from "@functions/wards/ward-actions";
import { handleOrganiserPost, openOrganiserPage } from "@functions/wards/organiser-page";
import { handleStaffWardPost } from "@functions/wards/staff-page";
import { readMembership } from "@functions/wards/wards";
import { proposeWard, pendingProposals } from "@functions/wards/proposals";
import { listOrganisers } from "@functions/wards/ward-admin";
import type { Actor } from "@functions/staff/audit";
import { T0, count, insertUser } from "./support";

const DB = env.DB;
const admin: Actor & { role: "admin" } = { userId: "admin-1", role: "admin", net: "0123456789abcdef" };
const editor: Actor & { role: "editor" } = { userId: "editor-1", role: "editor", net: "0123456789abcdef" };
const form = (fields: Record<string, string>) => new URLSearchParams(fields);

async function staffWard(name: string, districts = "ZE2") {
  const result = await handleStaffWardPost(DB, admin, form({ action: "create", name, area: "Around the green", status: "active", foundingThreshold: "20", districts }), T0);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const id = (await DB.prepare("SELECT id FROM wards WHERE slug = ?1").bind(result.slug).first<{ id: string }>())!.id;
  return { slug: result.slug!, id };
}
const verified = async () => ({ ...(await insertUser({ emailVerifiedAt: T0 })), emailVerified: true });

describe("staff posts", () => {
  it("create, edit, appoint and remove organisers, approve and decline proposals; editors may do none of it", async () => {
    const ward = await staffWard(`Staff ward ${crypto.randomUUID().slice(0, 6)}`);
    expect(await handleStaffWardPost(DB, editor, form({ action: "create", name: "X", area: "Y", status: "active", foundingThreshold: "5", districts: "LS6" }), T0)).toMatchObject({ ok: false, forbidden: true });
    expect(await handleStaffWardPost(DB, admin, form({ action: "nonsense" }), T0)).toMatchObject({ ok: false });
    expect(await handleStaffWardPost(DB, admin, form({ action: "create", name: "", area: "", status: "x", foundingThreshold: "0", districts: "LS6 2AB" }), T0)).toMatchObject({ ok: false, errors: { name: expect.any(String), area: expect.any(String), status: expect.any(String), foundingThreshold: expect.any(String), districts: expect.any(String) } });
    const edited = await handleStaffWardPost(DB, admin, form({ action: "edit", ward: ward.id, name: "Renamed ward", area: "Elsewhere", status: "forming", foundingThreshold: "30", districts: "ZE3 ZE4" }), T0 + 1);
    expect(edited).toEqual({ ok: true, done: "edited", slug: ward.slug });
    expect(await count("SELECT COUNT(*) AS n FROM ward_districts WHERE ward_id = ?1", ward.id)).toBe(2);
    expect(await handleStaffWardPost(DB, admin, form({ action: "edit", ward: "missing", name: "N", area: "A", status: "active", foundingThreshold: "5", districts: "LS6" }), T0)).toMatchObject({ ok: false });

    const member = await verified();
    expect(await handleStaffWardPost(DB, admin, form({ action: "appoint", ward: ward.id, email: member.email }), T0)).toMatchObject({ ok: false, errors: { email: expect.stringMatching(/join the ward first/) } });
    await postToWard(DB, member, ward.slug, form({ action: "join" }), T0);
    expect(await handleStaffWardPost(DB, admin, form({ action: "appoint", ward: ward.id, email: member.email.toUpperCase() }), T0)).toMatchObject({ ok: true, done: "appointed" });
    expect((await listOrganisers(DB, ward.id)).map((o) => o.userId)).toEqual([member.id]);
    expect(await handleStaffWardPost(DB, admin, form({ action: "remove-organiser", ward: ward.id, userId: member.id }), T0)).toMatchObject({ ok: true, done: "removed" });
    expect(await listOrganisers(DB, ward.id)).toEqual([]);

    const proposer = await verified();
    await proposeWard(DB, proposer.id, form({ name: "Proposed place", districts: "ZE9", reason: "Nobody here yet." }), T0);
    const proposal = (await pendingProposals(DB)).find((p) => p.name === "Proposed place")!;
    expect(await handleStaffWardPost(DB, admin, form({ action: "decline", proposal: proposal.id, message: "" }), T0)).toMatchObject({ ok: false });
    expect(await handleStaffWardPost(DB, admin, form({ action: "decline", proposal: proposal.id, message: "Covered by the next ward." }), T0)).toMatchObject({ ok: true, done: "declined" });
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = 'admin-1' AND action LIKE 'wards.%'")).toBeGreaterThanOrEqual(5);
  });
});

describe("member posts", () => {
  it("join, consents, RSVP, move and leave, naming the pages to purge; refusals for visitors' kin", async () => {
    const [a, b] = [await staffWard(`Member A ${crypto.randomUUID().slice(0, 6)}`), await staffWard(`Member B ${crypto.randomUUID().slice(0, 6)}`)];
    const member = await verified();
    expect(await postToWard(DB, member, "no-such-ward", form({ action: "join" }), T0)).toEqual({ kind: "missing" });
    expect(await postToWard(DB, member, a.slug, form({ action: "leave" }), T0)).toEqual({ kind: "refused", decision: "forbidden" });
    expect(await postToWard(DB, { ...member, emailVerified: false }, a.slug, form({ action: "join" }), T0)).toEqual({ kind: "refused", decision: "verify" });
    expect(await postToWard(DB, member, a.slug, form({ action: "join", listed: "yes" }), T0)).toMatchObject({ kind: "done", done: "joined", purge: [`/wards/${a.slug}/`, "/wards/"] });
    expect(await postToWard(DB, member, a.slug, form({ action: "join" }), T0)).toEqual({ kind: "refused", decision: "forbidden" });
    expect(await postToWard(DB, member, a.slug, form({ action: "consents", shareEmail: "yes" }), T0)).toMatchObject({ kind: "done", done: "consents" });
    expect(await readMembership(DB, member.id)).toMatchObject({ listed: false, shareEmail: true });
    expect(await postToWard(DB, member, a.slug, form({ action: "rsvp", meeting: "none", answer: "going" }), T0)).toMatchObject({ kind: "problem" });
    expect(await postToWard(DB, member, a.slug, form({ action: "rsvp", meeting: "none", answer: "maybe" }), T0)).toMatchObject({ kind: "problem" });
    expect(await postToWard(DB, member, a.slug, form({ action: "dance" }), T0)).toMatchObject({ kind: "problem" });
    expect(await postToWard(DB, member, b.slug, form({ action: "join" }), T0)).toMatchObject({ kind: "done", done: "moved", purge: [`/wards/${b.slug}/`, "/wards/", `/wards/${a.slug}/`] });
    expect(await postToWard(DB, member, b.slug, form({ action: "leave" }), T0)).toMatchObject({ kind: "done", done: "left" });
  });
});

describe("organiser posts", () => {
  it("only the ward's organisers open the page; they create, edit, cancel meetings and post and remove notices", async () => {
    const [a, b] = [await staffWard(`Org A ${crypto.randomUUID().slice(0, 6)}`), await staffWard(`Org B ${crypto.randomUUID().slice(0, 6)}`)];
    const organiser = await verified();
    await postToWard(DB, organiser, a.slug, form({ action: "join" }), T0);
    await handleStaffWardPost(DB, admin, form({ action: "appoint", ward: a.id, email: organiser.email }), T0);
    expect(await openOrganiserPage(DB, null, a.slug)).toEqual({ ok: false, decision: "sign-in" });
    expect(await openOrganiserPage(DB, organiser, "no-such-ward")).toEqual({ ok: false, decision: "missing" });
    expect(await openOrganiserPage(DB, organiser, b.slug)).toEqual({ ok: false, decision: "forbidden" });
    const opened = await openOrganiserPage(DB, organiser, a.slug);
    if (!opened.ok) throw new Error("organiser refused");
    const actor: Actor = { userId: organiser.id, role: "organiser", net: "0123456789abcdef" };
    const meeting = { title: "Planning", date: "2027-10-31", start: "01:30", end: "03:00", place: "Hall", capacity: "", visibility: "public", description: "" };
    expect(await handleOrganiserPost(DB, actor, opened.ward, form({ ...meeting, action: "create" }), T0)).toEqual({ ok: true, done: "created" });
    const id = (await DB.prepare("SELECT id FROM ward_meetings WHERE ward_id = ?1").bind(a.id).first<{ id: string }>())!.id;
    expect(await handleOrganiserPost(DB, actor, opened.ward, form({ ...meeting, action: "create", title: "" }), T0)).toMatchObject({ ok: false, action: "create" });
    expect(await handleOrganiserPost(DB, actor, opened.ward, form({ ...meeting, action: "edit", meeting: id, title: "Planning (moved)" }), T0)).toEqual({ ok: true, done: "edited" });
    expect(await handleOrganiserPost(DB, actor, opened.ward, form({ ...meeting, action: "edit", meeting: "other" }), T0)).toMatchObject({ ok: false });
    expect(await handleOrganiserPost(DB, actor, opened.ward, form({ action: "cancel", meeting: id }), T0)).toEqual({ ok: true, done: "cancelled" });
    expect(await handleOrganiserPost(DB, actor, opened.ward, form({ action: "cancel", meeting: id }), T0)).toMatchObject({ ok: false });
    expect(await handleOrganiserPost(DB, actor, opened.ward, form({ action: "notice", noticeTitle: "Hello", body: "First notice" }), T0)).toEqual({ ok: true, done: "posted" });
    const notice = (await DB.prepare("SELECT id FROM ward_notices WHERE ward_id = ?1").bind(a.id).first<{ id: string }>())!.id;
    expect(await handleOrganiserPost(DB, actor, opened.ward, form({ action: "notice", noticeTitle: "", body: "" }), T0)).toMatchObject({ ok: false });
    expect(await handleOrganiserPost(DB, actor, opened.ward, form({ action: "remove-notice", notice }), T0)).toEqual({ ok: true, done: "removed" });
    expect(await handleOrganiserPost(DB, actor, opened.ward, form({ action: "remove-notice", notice }), T0)).toMatchObject({ ok: false });
    expect(await handleOrganiserPost(DB, actor, opened.ward, form({ action: "steal" }), T0)).toMatchObject({ ok: false });
    // 01:30 on 31 October 2027 happens twice in London: the first (summer-time) one.
    const starts = (await DB.prepare("SELECT starts_at FROM ward_meetings WHERE id = ?1").bind(id).first<{ starts_at: number }>())!.starts_at;
    expect(new Date(starts * 1000).toISOString()).toBe("2027-10-31T00:30:00.000Z");
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = ?1 AND actor_role = 'organiser'", organiser.id)).toBe(5);
  });
});
