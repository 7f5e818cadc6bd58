// Who may do what on every ward route, over HTTP against the built site: an organiser of ward A cannot touch ward B
// (every organiser action), a member cannot act as organiser, a visitor sees no member's name or email anywhere
// public; counts under 5 never shown as numbers; the visitor's cached ward page (0 D1 queries on a hit, at most 2 on
// a miss, never shared with a session) and a member's (at most 3); and the sample-ward seed script.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, expect, uniqueIp } from "./fixtures";
import { get, postForm, type Caller } from "./http";
import { staffMember, type StaffMember } from "./staff";
import { appoint, callerOf, createMeeting, createWard, meetingFields, uniqueDistrict, wardMember } from "./wards-support";
import type { Member } from "./members";
import { htmlProblems } from "@tests/support/html-validity";

interface World {
  staff: StaffMember;
  a: { slug: string; id: string; district: string };
  b: { slug: string; id: string; district: string };
  organiserA: Member; organiserB: Member; memberA: Member; memberB: Member;
  meetingA: string; privateMeetingA: string; meetingB: string;
  names: string[]; emails: string[];
}

let world: World;
test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  const staff = await staffMember(request, "admin");
  const [da, db] = [uniqueDistrict(), uniqueDistrict()];
  const tag = crypto.randomUUID().slice(0, 6);
  const a = { ...(await createWard(request, staff, `Matrix A ${tag}`, da)), district: da };
  const b = { ...(await createWard(request, staff, `Matrix B ${tag}`, db)), district: db };
  const organiserA = await wardMember(request, a.slug, `Orla Organiser ${tag}`, { listed: true, shareEmail: true });
  const organiserB = await wardMember(request, b.slug, `Bea Organiser ${tag}`, { listed: true });
  const memberA = await wardMember(request, a.slug, `Milo Member ${tag}`, { listed: true, shareEmail: false });
  const memberB = await wardMember(request, b.slug, `Nia Neighbour ${tag}`, { listed: true, shareEmail: true });
  await appoint(request, staff, a.id, organiserA);
  await appoint(request, staff, b.id, organiserB);
  const meetingA = await createMeeting(request, organiserA, a.slug, meetingFields(`Open meeting ${tag}`, { capacity: "10" }));
  const privateMeetingA = await createMeeting(request, organiserA, a.slug, meetingFields(`Members meeting ${tag}`, { visibility: "members" }));
  const meetingB = await createMeeting(request, organiserB, b.slug, meetingFields(`B meeting ${tag}`));
  world = {
    staff, a, b, organiserA, organiserB, memberA, memberB, meetingA, privateMeetingA, meetingB,
    names: [`Orla Organiser ${tag}`, `Bea Organiser ${tag}`, `Milo Member ${tag}`, `Nia Neighbour ${tag}`],
    emails: [organiserA.email, organiserB.email, memberA.email, memberB.email],
  };
});

const visitor = (): Caller => ({ ip: uniqueIp() });

test("an organiser of A cannot touch B, and a member cannot act as organiser, for every organiser action", async ({ request }) => {
  const { a, b, organiserA, memberA, meetingB } = world;
  const bPage = `/wards/${b.slug}/organise`;
  const actions: Array<Record<string, string>> = [
    meetingFields("Intruder meeting"),
    { ...meetingFields("Intruder edit"), action: "edit", meeting: meetingB },
    { action: "cancel", meeting: meetingB },
    { action: "notice", noticeTitle: "Intruder notice", body: "Should never appear" },
    { action: "remove-notice", notice: "00000000-0000-0000-0000-000000000000" },
  ];
  for (const [who, member] of [["organiser of A", organiserA], ["member of A", memberA]] as const) {
    expect((await get(request, bPage, callerOf(member))).status(), `${who} opens B's organiser page`).toBe(403);
    for (const fields of actions) {
      const response = await postForm(request, bPage, callerOf(member), fields);
      expect(response.status(), `${who}: ${fields.action} on B`).toBe(403);
    }
  }
  // A member of A cannot organise A either.
  expect((await get(request, `/wards/${a.slug}/organise`, callerOf(memberA))).status()).toBe(403);
  expect((await postForm(request, `/wards/${a.slug}/organise`, callerOf(memberA), meetingFields("Member meeting"))).status()).toBe(403);
  // A visitor is sent to sign in, and a post changes nothing.
  const visitorPost = await postForm(request, bPage, visitor(), meetingFields("Visitor meeting"));
  expect(visitorPost.status()).toBe(303);
  expect(visitorPost.headers().location).toMatch(/^\/login\?next=/);
  // B is untouched: its meeting is neither edited nor cancelled, and no intruder's meeting or notice appears.
  const bOwn = await (await get(request, bPage, callerOf(world.organiserB))).text();
  expect(bOwn).not.toMatch(/Intruder|Member meeting|Visitor meeting|Should never appear/);
  expect(bOwn).not.toContain("Cancelled");
  // Organisers and members are not staff.
  for (const member of [organiserA, memberA]) expect((await get(request, "/admin/wards", callerOf(member))).status()).toBe(403);
  expect((await postForm(request, "/admin/wards", callerOf(organiserA), { action: "appoint", ward: b.id, email: organiserA.email })).status()).toBe(403);
});

test("the organiser of A sees A's RSVPs and members, with emails only where shared", async ({ request }) => {
  const { a, organiserA, memberA, meetingA } = world;
  expect((await postForm(request, `/wards/${a.slug}/`, callerOf(memberA), { action: "rsvp", meeting: meetingA, answer: "going" })).status()).toBe(303);
  const page = await (await get(request, `/wards/${a.slug}/organise?rsvps=${meetingA}`, callerOf(organiserA))).text();
  expect(page).toContain(world.names[2]);
  expect(page).toContain(organiserA.email);
  expect(page).not.toContain(memberA.email);
  // RSVP to another ward's meeting through A's page: refused.
  const cross = await postForm(request, `/wards/${a.slug}/`, callerOf(memberA), { action: "rsvp", meeting: world.meetingB, answer: "going" });
  expect(cross.status()).toBe(400);
});

test("visitors and other wards' members see no member's name or email; members-only meetings stay with members", async ({ request }) => {
  const { a, b, memberB, privateMeetingA, meetingA } = world;
  const publicPaths = ["/wards/", `/wards/?postcode=${a.district}`, `/wards/?q=Matrix`, `/wards/${a.slug}/`, `/wards/${b.slug}/`, `/wards/${a.slug}/meetings/${meetingA}.ics`];
  for (const path of publicPaths) {
    const response = await get(request, path, visitor());
    expect(response.status(), path).toBe(200);
    const text = await response.text();
    for (const secret of [...world.names, ...world.emails]) expect(text, `${path} shows ${secret}`).not.toContain(secret);
    expect(text).not.toContain("Members meeting");
  }
  const asOther = await (await get(request, `/wards/${a.slug}/`, callerOf(memberB))).text();
  for (const secret of [...world.names, ...world.emails]) expect(asOther).not.toContain(secret);
  expect((await get(request, `/wards/${a.slug}/meetings/${privateMeetingA}.ics`, visitor())).status()).toBe(404);
  expect((await get(request, `/wards/${a.slug}/meetings/${privateMeetingA}.ics`, callerOf(memberB))).status()).toBe(404);
  expect((await get(request, `/wards/${b.slug}/meetings/${privateMeetingA}.ics`, callerOf(world.memberA))).status()).toBe(404);
  const own = await get(request, `/wards/${a.slug}/meetings/${privateMeetingA}.ics`, callerOf(world.memberA));
  expect(own.status()).toBe(200);
  expect(own.headers()["content-type"]).toMatch(/^text\/calendar/);
  // A's members see the directory (listed names only) and the members-only meeting.
  const asMember = await (await get(request, `/wards/${a.slug}/`, callerOf(world.memberA))).text();
  expect(asMember).toContain(world.names[0]);
  expect(asMember).toContain("Members meeting");
  for (const email of world.emails) expect(asMember).not.toContain(email);
});

test("counts of 0 to 4 are never numbers: the ward page, the finder and the member's own data", async ({ request }) => {
  const { a } = world;
  for (const path of [`/wards/${a.slug}/`, `/wards/?postcode=${a.district}`, "/wards/?q=Matrix"]) {
    const html = await (await get(request, path, visitor())).text();
    expect(html).toContain("fewer than 5 of 20 neighbours");
    expect(html, path).not.toMatch(/\b[0-4] (of 20 neighbours|members|going)\b/);
  }
  const member = await (await get(request, `/wards/${a.slug}/`, callerOf(world.memberA))).text();
  expect(member).toContain("fewer than 5 going");
  expect(member).not.toMatch(/\b[0-4] going\b/);
  // The one JSON the site serves about wards is the member's own data export: it holds their own rows, no counts.
  const exported = await (await get(request, "/account/data", callerOf(world.memberA))).json();
  expect(exported.wards.membership).toMatchObject({ slug: a.slug, listed_in_directory: 1, email_shared_with_organisers: 0 });
  expect(JSON.stringify(exported.wards)).not.toMatch(/"(members|going|waitlisted|count)":/);
});

test("a visitor's ward page is cached (0 D1 queries on a hit, at most 2 on a miss); a member's is never shared (at most 3)", async ({ request }) => {
  const path = `/wards/${world.b.slug}/?fresh=${crypto.randomUUID().slice(0, 8)}`;
  const miss = await get(request, path, visitor());
  // Kept in the Workers Cache API, never by the browser or a proxy (a member signing in must not get this copy).
  expect(miss.headers()["x-public-cache"]).toBe("stored");
  expect(miss.headers()["cache-control"]).toBe("private, no-store");
  expect(Number(miss.headers()["x-d1-queries"])).toBeLessThanOrEqual(2);
  expect(Number(miss.headers()["x-d1-queries"])).toBeGreaterThan(0);
  const hit = await get(request, path, visitor());
  expect(hit.headers()["x-d1-queries"]).toBe("0");
  expect(hit.headers()["x-public-cache"]).toBe("hit");
  expect(await hit.text()).toBe(await miss.text());
  const asMember = await get(request, path, callerOf(world.memberB));
  expect(asMember.headers()["cache-control"]).toBe("private, no-store");
  expect(asMember.headers()["x-public-cache"]).toBe("member");
  expect(Number(asMember.headers()["x-d1-queries"])).toBeLessThanOrEqual(3);
  expect(await asMember.text()).toContain("You are a member of this ward");
  // The hit never carries a member's page either way round.
  expect(await (await get(request, path, visitor())).text()).not.toContain("You are a member of this ward");
});

test("the finder answers any postcode input with a ward list or a clear message, never a 500", async ({ request }) => {
  const { a } = world;
  const found = await (await get(request, `/wards/?postcode=${encodeURIComponent(` ${a.district.toLowerCase()} 1ab `)}`, visitor())).text();
  expect(found).toContain(`Wards covering ${a.district}`);
  expect(found).toContain(`/wards/${a.slug}/`);
  const none = await (await get(request, "/wards/?postcode=GIR+0AA", visitor())).text();
  expect(none).toContain("No ward yet for GIR");
  expect(none).toContain("/wards/propose?districts=GIR");
  for (const input of ["ЕС1А 1ВВ", "LS6 2A", "x".repeat(2000), "<script>alert(1)</script>", "%00"]) {
    const response = await get(request, `/wards/?postcode=${encodeURIComponent(input)}`, visitor());
    expect(response.status(), input.slice(0, 20)).toBe(400);
    expect(await response.text()).toMatch(/There is a problem[\s\S]*(only the letters A to Z|does not look like a UK postcode|too long)/);
  }
  expect((await get(request, "/wards/no-such-ward/", visitor())).status()).toBe(404);
  expect((await get(request, "/wards/no-such-ward/meetings/x.ics", visitor())).status()).toBe(404);
});

test("every ward page is valid HTML as served, for visitors, members, organisers and staff", async ({ request }) => {
  const { a, organiserA, memberA, meetingA, staff } = world;
  const pages: Array<[Caller, string, number]> = [
    [visitor(), "/wards/", 200], [visitor(), "/wards/?postcode=LS6+2A", 400], [visitor(), `/wards/?postcode=${a.district}`, 200], [visitor(), "/wards/?q=Matrix", 200],
    [visitor(), `/wards/${a.slug}/`, 200], [visitor(), "/wards/no-such-ward/", 404],
    [callerOf(memberA), `/wards/${a.slug}/?done=going`, 200], [callerOf(memberA), "/wards/propose", 200], [callerOf(memberA), `/wards/${a.slug}/organise`, 403],
    [callerOf(organiserA), `/wards/${a.slug}/organise?rsvps=${meetingA}`, 200], [callerOf(organiserA), `/wards/${a.slug}/organise?edit=${meetingA}`, 200],
    [callerOf(staff), `/admin/wards?edit=${a.slug}`, 200], [callerOf(staff), "/admin/wards", 200],
  ];
  const problems: string[] = [];
  for (const [caller, path, status] of pages) {
    const response = await get(request, path, caller);
    expect(response.status(), path).toBe(status);
    problems.push(...(await htmlProblems(await response.text(), path)));
  }
  expect(problems).toEqual([]);
});

test("staff list one ward's members from its page in the console, and only that ward's", async ({ request }) => {
  const { a, staff, organiserA, memberA, memberB } = world;
  const edit = await (await get(request, `/admin/wards?edit=${a.slug}`, callerOf(staff))).text();
  const link = /href="(\/admin\/members\?ward=[^"]+)">List them</.exec(edit)?.[1];
  expect(link, "the ward's console page links to its members").toBe(`/admin/members?ward=${a.slug}`);
  const list = await get(request, link!, callerOf(staff));
  expect(list.status()).toBe(200);
  const html = await list.text();
  expect(html).toMatch(/Members of <strong>Matrix A /);
  for (const member of [organiserA, memberA]) expect(html).toContain(member.email);
  expect(html).not.toContain(memberB.email);
  expect(await htmlProblems(html, link!)).toEqual([]);
});

test("the sample-ward script fills an empty local database once, and never one with wards", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wards-seed-test-"));
  try {
    execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", dir], { stdio: "ignore" });
    expect(execFileSync("node", ["scripts/seed-wards.mjs", "--persist-to", dir], { encoding: "utf8" })).toMatch(/added 5 wards/);
    expect(execFileSync("node", ["scripts/seed-wards.mjs", "--persist-to", dir], { encoding: "utf8" })).toMatch(/already has wards; nothing added/);
    const out = execFileSync("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", dir, "--json", "--command", "SELECT (SELECT COUNT(*) FROM wards) AS w, (SELECT COUNT(*) FROM ward_meetings WHERE public = 1) AS m"], { encoding: "utf8" });
    expect(JSON.parse(out)[0].results[0]).toEqual({ w: 5, m: 10 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
