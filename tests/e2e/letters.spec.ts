// Writing letters, over HTTP and in the browser against the built site: compose → preview → a test copy in the dev
// mailbox → send → the progress page's counts; a sent letter can't be edited; who may write where (every role and
// organiser case refused at the HTTP level); bad input gets a clear message, never a 500; the archive shows essays
// letters only and never a members-only essay's text; letter choices at /join and /account/letters round-trip.
import { test, expect, uniqueEmail, uniqueIp, submitJoinForm } from "./fixtures";
import type { APIRequestContext } from "@playwright/test";
import { get, postForm, postJson, SESSION_COOKIE, type Caller } from "./http";
import { LETTERS_STAND_IN_PORT, SITE_URL } from "@tests/support/test-env";
import { staffMember, type StaffMember } from "./staff";
import { verifiedMember, type Member } from "./members";
import { waitForMail } from "./mailbox";
import { appoint, callerOf, createWard, uniqueDistrict, wardMember } from "./wards-support";
import { bodySentences, plainText } from "./member-text";
import { expectNoAxeViolations } from "./axe";
import { htmlProblems } from "@tests/support/html-validity";

const MEMBERS_ESSAY = "the-first-hundred-members";
const PUBLIC_ESSAY = "the-case-for-small-wards";
const letterFields = (extra: Record<string, string> = {}) => ({ action: "save", source: "markdown", essay: "", subject: `Letter ${crypto.randomUUID().slice(0, 8)}`, bodyMarkdown: "Dear members,\n\nNews **today**.", audience: "essays", ward: "", ...extra });

/** Saves a new letter at `base` ("/admin/letters" or "/wards/<slug>/letters") and returns its id. */
async function saveLetter(request: APIRequestContext, base: string, caller: Caller, fields: Record<string, string>): Promise<string> {
  const response = await postForm(request, `${base}/new`, caller, fields);
  expect(response.status(), await response.text().then((t) => t.slice(0, 300))).toBe(303);
  const id = new RegExp(`^${base}/([A-Za-z0-9_-]+)\\?done=saved$`).exec(response.headers().location ?? "")?.[1];
  expect(id, response.headers().location).toBeDefined();
  return id!;
}

/** Ticks the essays topic for `member` on /account/letters. */
async function subscribe(request: APIRequestContext, member: Member, topics: Record<string, string> = { essaysLetters: "yes" }) {
  const response = await postForm(request, "/account/letters", callerOf(member), { action: "topics", ...topics });
  expect(response.status()).toBe(303);
}

let editor: StaffMember;
let admin: StaffMember;
test.describe.configure({ mode: "serial" });
test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  [editor, admin] = [await staffMember(request, "editor"), await staffMember(request, "admin")];
});

test("compose, preview, test-send, send, follow the progress; a sent letter can't be edited", async ({ request }) => {
  test.setTimeout(90_000);
  const reader = await verifiedMember(request, uniqueEmail("reader"));
  await subscribe(request, reader);
  const staff = callerOf(editor);
  const subject = `Owning the buses ${crypto.randomUUID().slice(0, 6)}`;
  const id = await saveLetter(request, "/admin/letters", staff, letterFields({ subject, bodyMarkdown: "Dear members,\n\nThe **buses** are ours. <script>alert(1)</script>" }));
  const page = await (await get(request, `/admin/letters/${id}?done=saved`, staff)).text();
  expect(page).toContain("The draft is saved");
  expect(page).toContain("<strong>buses</strong>");
  expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  expect(page).not.toContain("<script>alert(1)");
  const count = Number(/<strong>([\d,]+) members?<\/strong> would get this letter/.exec(page)?.[1]?.replace(/,/g, ""));
  expect(count).toBeGreaterThanOrEqual(1);

  expect((await postForm(request, `/admin/letters/${id}`, staff, { action: "test" })).status()).toBe(303);
  expect(await waitForMail(request, editor.email, /This is a test of a letter[\s\S]*The buses are ours/)).toHaveLength(1);
  expect(await waitForMail(request, reader.email, /buses/)).toHaveLength(0);

  // "Send" twice at once: one starts it, the other is told it had already started; one email each.
  const sends = await Promise.all([1, 2].map(() => postForm(request, `/admin/letters/${id}`, staff, { action: "send" })));
  expect(sends.map((send) => send.headers().location).sort()).toEqual([`/admin/letters/${id}?done=already`, `/admin/letters/${id}?done=started`]);
  await expect.poll(async () => /Sent to [\d,]+ members/.test(await (await get(request, `/admin/letters/${id}`, staff)).text()), { timeout: 30_000 }).toBe(true);
  const progress = plainText(await (await get(request, `/admin/letters/${id}`, staff)).text());
  expect(progress).toMatch(/Waiting to send 0 Sent [1-9]/);
  expect(await waitForMail(request, reader.email, /buses/)).toHaveLength(1);

  const edit = await postForm(request, `/admin/letters/${id}`, staff, letterFields({ subject: "Changed after sending" }));
  expect(edit.status()).toBe(409);
  expect(await edit.text()).toContain("This letter has started sending, so it can no longer be changed.");
  expect(await (await get(request, `/admin/letters/${id}`, staff)).text()).not.toContain("Changed after sending");
  const list = await (await get(request, "/admin/letters", staff)).text();
  expect(list).toContain(subject);
});

test("who may write where: every role and organiser case, refused over HTTP", async ({ request }) => {
  test.setTimeout(120_000);
  const [da, db] = [uniqueDistrict(), uniqueDistrict()];
  const tag = crypto.randomUUID().slice(0, 6);
  const a = await createWard(request, admin, `Letters A ${tag}`, da);
  const b = await createWard(request, admin, `Letters B ${tag}`, db);
  const organiserA = await wardMember(request, a.slug, `Ola ${tag}`);
  const memberA = await wardMember(request, a.slug, `Mo ${tag}`);
  await appoint(request, admin, a.id, organiserA);
  const member = await verifiedMember(request, uniqueEmail("plain"));

  // The console: members get 403; editors write to the essays topic only; admins also to donors and any ward.
  expect((await get(request, "/admin/letters", callerOf(member))).status()).toBe(403);
  expect((await postForm(request, "/admin/letters/new", callerOf(member), letterFields())).status()).toBe(403);
  expect((await postForm(request, "/admin/letters/new", callerOf(organiserA), letterFields())).status()).toBe(403);
  expect((await postForm(request, "/admin/letters/new", callerOf(editor), letterFields({ audience: "monthly-donors" }))).status()).toBe(403);
  expect((await postForm(request, "/admin/letters/new", callerOf(editor), letterFields({ audience: "ward", ward: a.slug }))).status()).toBe(403);
  const donors = await saveLetter(request, "/admin/letters", callerOf(admin), letterFields({ audience: "monthly-donors" }));
  await saveLetter(request, "/admin/letters", callerOf(admin), letterFields({ audience: "ward", ward: b.slug }));
  // An editor may read a donors letter but not change or send it.
  expect(await (await get(request, `/admin/letters/${donors}`, callerOf(editor))).text()).toContain("Your role may read this letter but not change or send it.");
  expect((await postForm(request, `/admin/letters/${donors}`, callerOf(editor), { action: "send" })).status()).toBe(403);
  expect((await postForm(request, `/admin/letters/${donors}`, callerOf(editor), letterFields())).status()).toBe(403);
  const visitor = await postForm(request, "/admin/letters/new", { ip: uniqueIp() }, letterFields());
  expect([visitor.status(), visitor.headers().location]).toEqual([303, "/login?next=%2Fadmin%2Fletters%2Fnew"]);

  // Organisers write to their own ward only; its members, other wards' organisers and visitors cannot.
  const own = await saveLetter(request, `/wards/${a.slug}/letters`, callerOf(organiserA), letterFields({ audience: "essays" }));
  const ownPage = await (await get(request, `/wards/${a.slug}/letters/${own}`, callerOf(organiserA))).text();
  expect(ownPage).toContain(`To: the members of Letters A ${tag} who asked for its news.`);
  expect(await (await get(request, `/wards/${a.slug}/organise`, callerOf(organiserA))).text()).toContain(`/wards/${a.slug}/letters/${own}`);
  expect((await postForm(request, `/wards/${b.slug}/letters/new`, callerOf(organiserA), letterFields())).status()).toBe(403);
  expect((await postForm(request, `/wards/${a.slug}/letters/new`, callerOf(memberA), letterFields())).status()).toBe(403);
  expect((await postForm(request, `/wards/${a.slug}/letters/${own}`, callerOf(memberA), { action: "send" })).status()).toBe(403);
  expect((await get(request, `/wards/${b.slug}/letters/${own}`, callerOf(organiserA))).status()).toBe(403);
  // A's organiser can't open the donors letter through their ward's page.
  expect((await get(request, `/wards/${a.slug}/letters/${donors}`, callerOf(organiserA))).status()).toBe(404);
  const visitorWard = await postForm(request, `/wards/${a.slug}/letters/new`, { ip: uniqueIp() }, letterFields());
  expect(visitorWard.status()).toBe(303);
});

test("bad input gets a clear message and changes nothing, never a 500", async ({ request }) => {
  const staff = callerOf(editor);
  const empty = await postForm(request, "/admin/letters/new", staff, letterFields({ subject: "", bodyMarkdown: "" }));
  expect(empty.status()).toBe(400);
  const emptyText = await empty.text();
  expect(emptyText).toContain("Give the letter a subject.");
  expect(emptyText).toContain("Write the letter: its text is empty.");
  const tooLong = await postForm(request, "/admin/letters/new", staff, letterFields({ bodyMarkdown: "x".repeat(100_001) }));
  expect(tooLong.status()).toBe(400);
  expect(await tooLong.text()).toContain("A letter can be up to 100,000 characters");
  const huge = await postForm(request, "/admin/letters/new", staff, letterFields({ bodyMarkdown: "%".repeat(200_000) }));
  expect(huge.status()).toBe(413);
  expect(await huge.text()).toContain("far more text than this form accepts");
  const hostile = await postForm(request, "/admin/letters/new", staff, letterFields({ subject: "Hi\r\nBcc: all@example.org" }));
  expect(hostile.status()).toBe(400);
  const badEssay = await postForm(request, "/admin/letters/new", staff, letterFields({ source: "essay", essay: "../../../etc/passwd" }));
  expect(badEssay.status()).toBe(400);
  expect(await badEssay.text()).toContain("Choose one of the published essays.");
  const extra = await postForm(request, "/admin/letters/new", staff, { ...letterFields(), injected: "1" });
  expect(extra.status()).toBe(400);
  expect((await get(request, "/admin/letters/no-such-letter", staff)).status()).toBe(404);
  expect((await get(request, "/admin/letters?after=not-a-cursor", staff)).status()).toBe(400);
  const id = await saveLetter(request, "/admin/letters", staff, letterFields());
  // Cross-site, missing and null Origins are refused before the page runs: the letter stays a draft.
  for (const origin of ["https://evil.example", null, "null"]) {
    expect((await postForm(request, `/admin/letters/${id}`, { ...staff, origin }, { action: "send" })).status(), String(origin)).toBe(403);
    expect((await postForm(request, "/account/letters", { ...staff, origin }, { action: "topics", essaysLetters: "yes" })).status(), String(origin)).toBe(403);
  }
  expect(await (await get(request, `/admin/letters/${id}`, staff)).text()).toContain("Edit the draft");
  const past = await postForm(request, `/admin/letters/${id}`, staff, { action: "schedule", date: "2020-01-01", time: "09:00" });
  expect(past.status()).toBe(400);
  expect(await past.text()).toContain("Choose a time at least a minute from now");
  const scheduled = await postForm(request, `/admin/letters/${id}`, staff, { action: "schedule", date: "2099-07-01", time: "09:00" });
  expect(scheduled.headers().location).toBe(`/admin/letters/${id}?done=scheduled`);
  expect(await (await get(request, `/admin/letters/${id}`, staff)).text()).toContain("Scheduled for Wednesday 1 July 2099, 09:00 (UK time).");
});

test("the new-letter form posted twice, one after the other or at once, saves one letter", async ({ request }) => {
  const staff = callerOf(editor);
  const form = await (await get(request, "/admin/letters/new", staff)).text();
  const draft = /name="draft" value="([a-z2-7]{16})"/.exec(form)?.[1];
  expect(draft, "the form carries its draft key").toBeDefined();
  const fields = letterFields({ draft: draft!, subject: `Twice ${draft}` });
  const answers = await Promise.all([1, 2].map(() => postForm(request, "/admin/letters/new", staff, fields)));
  const again = await postForm(request, "/admin/letters/new", staff, fields);
  for (const answer of [...answers, again]) expect(answer.headers().location).toBe(`/admin/letters/${draft}?done=saved`);
  const list = await (await get(request, "/admin/letters", staff)).text();
  expect(list.split(`Twice ${draft}`).length - 1).toBe(1);
  // Another writer cannot save over it with the same key.
  const taken = await postForm(request, "/admin/letters/new", callerOf(admin), letterFields({ draft: draft!, subject: "Someone else" }));
  expect(taken.status()).toBe(409);
  expect(await taken.text()).toContain("This form was already used for another letter.");
});

test("the archive shows essays letters only, never a members-only essay's text", async ({ request }) => {
  test.setTimeout(90_000);
  const staff = callerOf(admin);
  const tag = crypto.randomUUID().slice(0, 6);
  const ward = await createWard(request, admin, `Archive ward ${tag}`, uniqueDistrict());
  const fromMembersEssay = await saveLetter(request, "/admin/letters", staff, letterFields({ source: "essay", essay: MEMBERS_ESSAY, subject: `Members essay ${tag}`, bodyMarkdown: "" }));
  const fromPublicEssay = await saveLetter(request, "/admin/letters", staff, letterFields({ source: "essay", essay: PUBLIC_ESSAY, subject: `Public essay ${tag}`, bodyMarkdown: "" }));
  const wardLetter = await saveLetter(request, "/admin/letters", staff, letterFields({ audience: "ward", ward: ward.slug, subject: `Ward news ${tag}` }));
  const donorLetter = await saveLetter(request, "/admin/letters", staff, letterFields({ audience: "monthly-donors", subject: `Donor news ${tag}` }));
  for (const id of [fromMembersEssay, fromPublicEssay, wardLetter, donorLetter]) expect((await postForm(request, `/admin/letters/${id}`, staff, { action: "send" })).status()).toBe(303);
  const visitor = { ip: uniqueIp() };
  await expect.poll(async () => (await (await get(request, `/letters/?t=${Date.now()}`, visitor)).text()).includes(`Public essay ${tag}`), { timeout: 30_000 }).toBe(true);
  await expect.poll(async () => (await (await get(request, `/letters/?t=${Date.now()}`, visitor)).text()).includes(`Members essay ${tag}`), { timeout: 30_000 }).toBe(true);
  const list = await (await get(request, `/letters/?t=${Date.now()}`, visitor)).text();
  expect(list).not.toContain(`Ward news ${tag}`);
  expect(list).not.toContain(`Donor news ${tag}`);
  const slugs = [...list.matchAll(/href="\/letters\/([a-z0-9-]+)\/"/g)].map((m) => m[1]!);
  const memberSentences = bodySentences(`content/essays/${MEMBERS_ESSAY}.mdx`);
  expect(memberSentences.length).toBeGreaterThan(3);
  for (const slug of slugs) {
    const response = await get(request, `/letters/${slug}/`, visitor);
    expect(response.status()).toBe(200);
    // Shared with visitors through the edge cache (src/lib/public-cache.ts), never kept by a browser or proxy.
    expect(response.headers()["cache-control"]).toBe("private, no-store");
    expect(["stored", "hit"]).toContain(response.headers()["x-public-cache"]);
    const text = plainText(await response.text());
    for (const sentence of memberSentences) expect(text, `/letters/${slug}/`).not.toContain(sentence);
  }
  // The public essay's letter quotes its opening; the members-only one only its summary and link.
  const publicSlug = /href="\/letters\/([a-z0-9-]+)\/">Public essay/.exec(list)?.[1];
  expect(plainText(await (await get(request, `/letters/${publicSlug}/`, visitor)).text())).toContain("Read the whole essay on the site");
  const membersSlug = /href="\/letters\/([a-z0-9-]+)\/">Members essay/.exec(list)?.[1];
  expect(await (await get(request, `/letters/${membersSlug}/`, visitor)).text()).toContain(`/essays/${MEMBERS_ESSAY}/`);
  expect((await get(request, "/letters/no-such-letter/", visitor)).status()).toBe(404);
  expect((await get(request, "/letters/?before=junk", visitor)).status()).toBe(400);
  // To a ward (members with verified addresses, never published) the same essay's opening is quoted.
  const toWard = await saveLetter(request, "/admin/letters", staff, letterFields({ source: "essay", essay: MEMBERS_ESSAY, audience: "ward", ward: ward.slug, bodyMarkdown: "" }));
  const wardPreview = plainText(await (await get(request, `/admin/letters/${toWard}`, staff)).text());
  expect(memberSentences.some((sentence) => wardPreview.includes(sentence))).toBe(true);
});

test("every letters page is valid HTML as served", async ({ request }) => {
  test.setTimeout(90_000);
  const staff = callerOf(admin);
  const ward = await createWard(request, admin, `Valid ward ${crypto.randomUUID().slice(0, 6)}`, uniqueDistrict());
  const organiser = await wardMember(request, ward.slug, "Vale Organiser");
  await appoint(request, admin, ward.id, organiser);
  const draft = await saveLetter(request, "/admin/letters", staff, letterFields({ bodyMarkdown: "# Heading\n\n- a\n- b\n\n> quote\n\n[link](https://example.org) `code`" }));
  const sent = await saveLetter(request, "/admin/letters", staff, letterFields());
  await postForm(request, `/admin/letters/${sent}`, staff, { action: "send" });
  const wardLetter = await saveLetter(request, `/wards/${ward.slug}/letters`, callerOf(organiser), letterFields());
  const problems: string[] = [];
  const pages: Array<[string, Caller, number]> = [
    ["/letters/", { ip: uniqueIp() }, 200], ["/letters/no-such-letter/", { ip: uniqueIp() }, 404],
    ["/admin/letters", staff, 200], ["/admin/letters/new", staff, 200], [`/admin/letters/${draft}`, staff, 200], [`/admin/letters/${sent}`, staff, 200],
    [`/wards/${ward.slug}/letters/new`, callerOf(organiser), 200], [`/wards/${ward.slug}/letters/${wardLetter}`, callerOf(organiser), 200],
    [`/wards/${ward.slug}/organise`, callerOf(organiser), 200], ["/account/letters", callerOf(organiser), 200],
  ];
  for (const [path, caller, status] of pages) {
    const response = await get(request, path, caller);
    expect(response.status(), path).toBe(status);
    problems.push(...await htmlProblems(await response.text(), path));
  }
  const refused = await postForm(request, "/admin/letters/new", staff, letterFields({ subject: "", bodyMarkdown: "" }));
  problems.push(...await htmlProblems(await refused.text(), "POST /admin/letters/new (empty)"));
  await expect.poll(async () => /href="\/letters\/[a-z0-9-]+\/"/.test(await (await get(request, `/letters/?t=${Date.now()}`, { ip: uniqueIp() })).text()), { timeout: 30_000 }).toBe(true);
  const slug = /href="\/letters\/([a-z0-9-]+)\/"/.exec(await (await get(request, `/letters/?t=${Date.now()}`, { ip: uniqueIp() })).text())![1];
  problems.push(...await htmlProblems(await (await get(request, `/letters/${slug}/`, { ip: uniqueIp() })).text(), `/letters/${slug}/`));
  expect(problems).toEqual([]);
});

test("letter choices at /join and /account/letters round-trip", async ({ page }) => {
  test.setTimeout(60_000);
  const email = uniqueEmail("topics");
  await page.goto("/join?next=%2Faccount%2Fletters");
  await expect(page.getByLabel("New essays and movement news, a few times a month")).not.toBeChecked();
  await expect(page.getByLabel("News from my ward's organisers, once I have joined a ward")).not.toBeChecked();
  await page.getByLabel("New essays and movement news, a few times a month").check();
  await submitJoinForm(page, email, "a long enough pass phrase");
  await expect(page).toHaveURL(/\/verify/);
  await page.goto("/account/letters");
  await expect(page.getByLabel("New essays and movement news, a few times a month")).toBeChecked();
  await expect(page.getByLabel("News from my ward's organisers, once I have joined a ward")).not.toBeChecked();
  await expectNoAxeViolations(page);
  await page.getByLabel("New essays and movement news, a few times a month").uncheck();
  await page.getByLabel("News from my ward's organisers, once I have joined a ward").check();
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page.getByRole("status")).toHaveText("Your letter choices are saved.");
  await expect(page.getByLabel("New essays and movement news, a few times a month")).not.toBeChecked();
  await expect(page.getByLabel("News from my ward's organisers, once I have joined a ward")).toBeChecked();
  await page.goto("/account");
  await expect(page.getByRole("link", { name: "Choose your letters" })).toHaveAttribute("href", "/account/letters");
});

test("after a bounce /account/letters says why letters stopped and re-enables them", async ({ request }) => {
  const member = await verifiedMember(request, uniqueEmail("bounced"));
  await subscribe(request, member);
  const message = JSON.stringify({ eventType: "Bounce", mail: {}, bounce: { bounceType: "Permanent", bouncedRecipients: [{ emailAddress: member.email, diagnosticCode: "550 mailbox unavailable" }] } });
  const signed = await (await request.post(`http://127.0.0.1:${LETTERS_STAND_IN_PORT}/__sns/sign`, { data: { Message: message } })).json() as Record<string, string>;
  expect((await postJson(request, "/api/letters/events", { ip: uniqueIp(), origin: null }, signed)).status()).toBe(200);
  const stopped = plainText(await (await get(request, "/account/letters", callerOf(member))).text());
  expect(stopped).toContain("A letter to your address bounced: the receiving mail server said \"550 mailbox unavailable\"");
  expect(stopped).toContain("Re-enable letters to this address");
  const reenable = await postForm(request, "/account/letters", callerOf(member), { action: "reenable" });
  expect(reenable.headers().location).toBe("/account/letters?done=reenabled");
  const after = plainText(await (await get(request, "/account/letters?done=reenabled", callerOf(member))).text());
  expect(after).toContain("Letters are on again for this address.");
  expect(after).not.toContain("Re-enable letters");
  expect((await postForm(request, "/account/letters", callerOf(member), { action: "reenable" })).status()).toBe(400);
});

test("the letters pages have no accessibility problems", async ({ page, context }) => {
  test.setTimeout(60_000);
  await page.goto("/letters/");
  await expectNoAxeViolations(page);
  await context.addCookies([{ name: SESSION_COOKIE, value: editor.token, url: SITE_URL }]);
  await page.goto("/admin/letters");
  await expectNoAxeViolations(page);
  await page.goto("/admin/letters/new");
  await expectNoAxeViolations(page);
});
