// Letters through the built site as production runs them: a scheduled letter is started by the minute Cron Trigger
// (/cdn-cgi/handler/scheduled), fanned out and sent through the local Queues (miniflare, configured from
// wrangler.toml), to the SES stand-in and the dev mailbox. Then its unsubscribe link: GET changes nothing, the RFC 8058
// one-click POST (no Origin, as mail providers send it) unsubscribes, forged and altered tokens get a clear 400 page.
// And the SNS events webhook: unsigned and malformed posts refused, a signed bounce suppresses.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { uniqueEmail, uniqueIp } from "./fixtures";
import { get, postForm, postJson } from "./http";
import { waitForMail } from "./mailbox";
import { verifiedMember, type Member } from "./members";
import { LETTERS_STAND_IN_PORT, SITE_URL, STATE_DIR, TEST_ENV } from "@tests/support/test-env";
import { htmlProblems } from "@tests/support/html-validity";
import { unsubscribeToken } from "@functions/letters/unsubscribe";
import { expectNoAxeViolations } from "./axe";

const standIn = `http://127.0.0.1:${LETTERS_STAND_IN_PORT}`;
/** Where the screenshots of the pages go: SHOTS_DIR, else Playwright's git-ignored test-results/. */
const SHOTS = process.env.SHOTS_DIR ?? "test-results/shots";

/** Runs SQL against the suite's local D1 (the running preview holds it open: a busy database is retried). */
function sql(command: string): unknown[] {
  for (let attempt = 1; ; attempt++) {
    try {
      const output = execFileSync("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", STATE_DIR, "--json", "--command", command], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      return (JSON.parse(output) as { results: unknown[] }[]).flatMap((r) => r.results);
    } catch (error) {
      if (attempt < 4 && /SQLITE_BUSY|database is locked/i.test(String((error as { stderr?: string }).stderr))) continue;
      throw error;
    }
  }
}

/** The letters part of the member's data export. */
async function lettersExport(request: APIRequestContext, member: Member) {
  const response = await get(request, "/account/data", { ip: member.ip, token: member.token });
  expect(response.status()).toBe(200);
  return (await response.json()).letters as { subscriptions: { topic: string }[]; suppression: { reason: string } | null };
}

test("a scheduled letter goes out through the queues; its unsubscribe link confirms on GET and unsubscribes on one-click POST", async ({ request }) => {
  test.setTimeout(90_000);
  const member = await verifiedMember(request, uniqueEmail("letter"));
  const ward = `e2e-${crypto.randomUUID().slice(0, 8)}`;
  const letterId = `e2e${crypto.randomUUID().replace(/-/g, "").slice(0, 13)}`;
  sql(`INSERT INTO wards (id, slug, name, area, status, founding_threshold, created_at, updated_at) VALUES ('${ward}', '${ward}', 'Test ward', 'Here', 'active', 5, 0, 0);
    INSERT INTO ward_members (user_id, ward_id, joined_at) SELECT id, '${ward}', 0 FROM users WHERE email = '${member.email}';
    INSERT INTO letter_subscriptions (topic, user_id, subscribed_at) SELECT 'ward', id, 0 FROM users WHERE email = '${member.email}';
    INSERT INTO letters (id, subject, source, body_html, body_text, audience, ward_id, status, send_at, created_by, created_at, updated_at)
      VALUES ('${letterId}', 'Ward news ${ward}', 'markdown', '<p>Meeting on Tuesday.</p>', 'Meeting on Tuesday.', 'ward', '${ward}', 'scheduled', 1, 'e2e', 0, 0);`);
  expect((await lettersExport(request, member)).subscriptions).toEqual([expect.objectContaining({ topic: "ward" })]);

  const cron = await request.get(`${SITE_URL}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("* * * * *")}`);
  expect(cron.status()).toBe(200);
  let mail: string[] = [];
  for (let i = 0; i < 10 && mail.length === 0; i++) mail = await waitForMail(request, member.email, /Meeting on Tuesday/);
  expect(mail).toHaveLength(1);
  const link = /Unsubscribe: (\S+)/.exec(mail[0]!)![1]!;
  expect(link.startsWith(`${SITE_URL}/unsubscribe?t=`)).toBe(true);

  // The provider got the same letter, with the list headers.
  const { letters } = await (await request.get(`${standIn}/__requests`)).json() as { letters: { to: string[]; headers: Record<string, string>; tags: Record<string, string> }[] };
  const sent = letters.filter((l) => l.to[0] === member.email);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
  expect(sent[0]!.headers["List-Unsubscribe"]).toContain(`<${link}>`);
  expect(sent[0]!.tags.letter).toBe(letterId);
  await expect.poll(() => sql(`SELECT status FROM letters WHERE id = '${letterId}'`), { timeout: 20_000 }).toEqual([{ status: "sent" }]);

  // GET (a mail scanner, a link preview) shows a button and changes nothing.
  const path = link.slice(SITE_URL.length);
  const page = await get(request, path, { ip: uniqueIp(), origin: null });
  expect(page.status()).toBe(200);
  const html = await page.text();
  expect(html).toContain("Stop getting your ward&#39;s news");
  expect(html).toMatch(/<button type="submit">Unsubscribe<\/button>/);
  expect(page.headers()["set-cookie"]).toBeUndefined();
  expect((await lettersExport(request, member)).subscriptions).toHaveLength(1);

  // The mail provider's one-click POST: no Origin, no cookie, the RFC 8058 body.
  const oneClick = await postForm(request, path, { ip: uniqueIp(), origin: null }, "List-Unsubscribe=One-Click");
  expect(oneClick.status()).toBe(200);
  expect(await oneClick.text()).toContain("You will not get your ward&#39;s news any more");
  expect((await lettersExport(request, member)).subscriptions).toEqual([]);
  // Again (mail clients retry): the same answer, nothing more to change.
  expect((await postForm(request, path, { ip: uniqueIp(), origin: null }, "List-Unsubscribe=One-Click")).status()).toBe(200);
});

test("forged, altered and missing unsubscribe tokens get a clear page, never an error", async ({ request }) => {
  const caller = { ip: uniqueIp(), origin: null };
  const altered = `abc.${crypto.randomUUID()}.essays.${"0".repeat(32)}`;
  for (const path of ["/unsubscribe", "/unsubscribe?t=", `/unsubscribe?t=${encodeURIComponent(altered)}`, "/unsubscribe?t=%00%ff", `/unsubscribe?t=${"x".repeat(5000)}`]) {
    const page = await get(request, path, caller);
    expect({ path, status: page.status() }).toEqual({ path, status: 400 });
    expect(await page.text()).toContain("This unsubscribe link is not valid");
  }
  for (const [body, type] of [["List-Unsubscribe=One-Click", "application/x-www-form-urlencoded"], [`t=${encodeURIComponent(altered)}`, "application/x-www-form-urlencoded"], ["{}", "application/json"], ["x".repeat(40_000), "application/x-www-form-urlencoded"]] as const) {
    const response = await postForm(request, `/unsubscribe?t=${encodeURIComponent(altered)}`, caller, body, type);
    expect(response.status()).toBe(400);
    expect(await response.text()).toContain("This unsubscribe link is not valid");
  }
  const multipart = await request.post(`${SITE_URL}/unsubscribe?t=${encodeURIComponent(altered)}`, { multipart: { "List-Unsubscribe": "One-Click" }, headers: { "CF-Connecting-IP": uniqueIp() } });
  expect(multipart.status()).toBe(400);
});

test("the events webhook refuses unsigned and malformed posts and applies a signed bounce", async ({ request }) => {
  const member = await verifiedMember(request, uniqueEmail("bounce"));
  const caller = { ip: uniqueIp(), origin: null };
  expect((await postJson(request, "/api/letters/events", caller, "not an object")).status()).toBe(400);
  expect((await postForm(request, "/api/letters/events", caller, "{broken", "text/plain")).status()).toBe(400);
  const message = JSON.stringify({ eventType: "Bounce", mail: {}, bounce: { bounceType: "Permanent", bouncedRecipients: [{ emailAddress: member.email, diagnosticCode: "550 user unknown" }] } });
  const signed = await (await request.post(`${standIn}/__sns/sign`, { data: { Message: message } })).json() as Record<string, string>;
  const { Signature: _signature, ...unsigned } = signed;
  expect((await postJson(request, "/api/letters/events", caller, unsigned)).status()).toBe(403);
  expect((await postJson(request, "/api/letters/events", caller, { ...signed, Message: message.replace("Permanent", "Transient") })).status()).toBe(403);
  expect((await lettersExport(request, member)).suppression).toBeNull();
  const applied = await postJson(request, "/api/letters/events", caller, signed);
  expect(await applied.json()).toEqual({ ok: true, outcome: "applied" });
  expect((await lettersExport(request, member)).suppression).toMatchObject({ reason: "bounce" });
  expect(await (await postJson(request, "/api/letters/events", caller, signed)).json()).toEqual({ ok: true, outcome: "replayed" });
  expect((await request.get(`${SITE_URL}/api/letters/events`)).status()).toBe(405);
});

test("the unsubscribe pages are valid, accessible HTML, on a phone and a desktop, light and dark", async ({ browser, request }) => {
  const token = unsubscribeToken(TEST_ENV.HASH_SECRET, { deliveryId: "shotdelivery", userId: crypto.randomUUID(), topic: "essays" });
  const confirm = `/unsubscribe?t=${encodeURIComponent(token)}`;
  for (const [path, status] of [[confirm, 200], ["/unsubscribe?t=forged", 400]] as const) {
    const response = await get(request, path, { ip: uniqueIp() });
    expect(response.status()).toBe(status);
    expect(await htmlProblems(await response.text(), path)).toEqual([]);
  }
  const done = await postForm(request, confirm, { ip: uniqueIp() }, "List-Unsubscribe=One-Click");
  expect(await htmlProblems(await done.text(), "POST /unsubscribe")).toEqual([]);
  mkdirSync(SHOTS, { recursive: true });
  for (const [name, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]] as const) {
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ viewport, colorScheme });
      const page = await context.newPage();
      await page.goto(confirm);
      await expectNoAxeViolations(page);
      await page.screenshot({ path: `${SHOTS}/unsubscribe-confirm-${name}-${colorScheme}.png`, fullPage: true });
      await page.getByRole("button", { name: "Unsubscribe" }).click();
      await expect(page.getByRole("status")).toContainText("You will not get letters about new essays");
      await expectNoAxeViolations(page);
      await page.screenshot({ path: `${SHOTS}/unsubscribe-done-${name}-${colorScheme}.png`, fullPage: true });
      await page.goto("/unsubscribe?t=forged");
      await expectNoAxeViolations(page);
      await page.screenshot({ path: `${SHOTS}/unsubscribe-invalid-${name}-${colorScheme}.png`, fullPage: true });
      await context.close();
    }
  }
});
