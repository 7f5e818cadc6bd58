// deleteExpiredRows (functions/housekeeping.ts), the daily Cron Trigger's work, against real D1 with the real
// migrations: each table loses exactly the rows past their boundary, and live rows stay.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deleteExpiredRows } from "@functions/housekeeping";
import { insertUser } from "./support";

const NOW = 1_900_000_000;
const DAY = 86_400;

/** A member who joined 40 days before NOW. */
async function makeUser(): Promise<string> {
  return (await insertUser({ createdAt: NOW - 40 * DAY })).id;
}

async function ids(sql: string, userId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(sql).bind(userId).all<{ id: string }>();
  return results.map((row) => row.id).sort();
}

describe("deleteExpiredRows", () => {
  it("deletes sessions, reset links, codes (verification and sign-in), passkey challenges, throttle windows and dev mail past their time, and nothing else", async () => {
    const userId = await makeUser();
    const other = await makeUser();
    const insertSession = (id: string, expiresAt: number) =>
      env.DB.prepare("INSERT INTO sessions (id, user_id, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)").bind(id, userId, expiresAt, NOW - 30 * DAY).run();
    await insertSession(`expired-${userId}`, NOW);
    await insertSession(`live-${userId}`, NOW + 1);
    await env.DB.prepare("INSERT INTO password_resets (id, user_id, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)").bind(`old-reset-${userId}`, userId, NOW - 1, NOW - 3600).run();
    await env.DB.prepare("INSERT INTO password_resets (id, user_id, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)").bind(`live-reset-${other}`, other, NOW + 60, NOW).run();
    const insertCode = (user: string, expiresAt: number) =>
      env.DB.prepare("INSERT INTO email_verifications (user_id, email, code_hash, attempts, expires_at, created_at) VALUES (?1, ?2, 'h', 0, ?3, ?4)").bind(user, `${user}@example.org`, expiresAt, expiresAt - 900).run();
    await insertCode(userId, NOW - DAY); // expired a day ago: gone
    await insertCode(other, NOW - DAY + 1); // expired, but within the day's grace: kept
    const throttleKey = `test:${crypto.randomUUID()}`;
    await env.DB.prepare("INSERT INTO throttles (key, hits, window_start) VALUES (?1, 3, ?2), (?3, 1, ?4)")
      .bind(`${throttleKey}:old`, NOW - DAY - 1, `${throttleKey}:new`, NOW - 60).run();
    const recipient = `mailbox-${crypto.randomUUID()}@example.org`;
    await env.DB.prepare("INSERT INTO dev_mailbox (recipient, subject, text_body, html_body, sent_at) VALUES (?1, 's', 't', 'h', ?2), (?1, 's', 't', 'h', ?3)")
      .bind(recipient, NOW - 7 * DAY, NOW - 7 * DAY + 1).run();

    const insertSignInCode = (user: string, expiresAt: number) =>
      env.DB.prepare("INSERT INTO sign_in_codes (email, user_id, code_hash, attempts, expires_at, created_at) VALUES (?1, ?2, 'h', 0, ?3, ?4)").bind(`signin-${user}@example.org`, user, expiresAt, expiresAt - 600).run();
    await insertSignInCode(userId, NOW); // expired: gone
    await insertSignInCode(other, NOW + 1); // live: kept
    await env.DB.prepare("INSERT INTO webauthn_challenges (id, purpose, session_id, expires_at) VALUES (?1, 'sign-in', NULL, ?2), (?3, 'sign-in', NULL, ?4)")
      .bind(`old-challenge-${userId}`, NOW, `live-challenge-${userId}`, NOW + 1).run();

    const report = await deleteExpiredRows(env.DB, NOW);

    expect(report.sessions).toBeGreaterThanOrEqual(1);
    expect(await ids("SELECT id FROM sessions WHERE user_id = ?1", userId)).toEqual([`live-${userId}`]);
    expect(await ids("SELECT id FROM password_resets WHERE user_id = ?1", userId)).toEqual([]);
    expect(await ids("SELECT id FROM password_resets WHERE user_id = ?1", other)).toEqual([`live-reset-${other}`]);
    expect(await ids("SELECT user_id AS id FROM email_verifications WHERE user_id = ?1", userId)).toEqual([]);
    expect(await ids("SELECT user_id AS id FROM email_verifications WHERE user_id = ?1", other)).toEqual([other]);
    expect(await ids("SELECT key AS id FROM throttles WHERE key LIKE ?1", `${throttleKey}:%`)).toEqual([`${throttleKey}:new`]);
    const mail = await env.DB.prepare("SELECT sent_at FROM dev_mailbox WHERE recipient = ?1").bind(recipient).all<{ sent_at: number }>();
    expect(mail.results.map((row) => row.sent_at)).toEqual([NOW - 7 * DAY + 1]);
    expect(await ids("SELECT user_id AS id FROM sign_in_codes WHERE user_id = ?1", userId)).toEqual([]);
    expect(await ids("SELECT user_id AS id FROM sign_in_codes WHERE user_id = ?1", other)).toEqual([other]);
    expect(await ids("SELECT id FROM webauthn_challenges WHERE id LIKE '%' || ?1", userId)).toEqual([`live-challenge-${userId}`]);
    // Members themselves are never touched.
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM users WHERE id IN (?1, ?2)").bind(userId, other).first("n")).toBe(2);

    // Running again finds nothing more to do.
    const again = await deleteExpiredRows(env.DB, NOW);
    expect(again).toMatchObject({ passwordResets: 0, devMail: 0 });
  });
});
