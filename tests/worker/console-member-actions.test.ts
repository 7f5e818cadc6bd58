// Staff actions on a member (functions/staff/member-actions.ts) and the member's record (member-record.ts) against
// real D1: each action writes exactly one audit row in the batch of its change; a batch that fails (a trigger refusing
// the audit insert) writes neither; the destructive ones need the staff member's password; deleting does what the
// member's own deletion does; staff accounts and one's own are refused.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { deleteMember, endMemberSessions, resendMemberVerification } from "@functions/staff/member-actions";
import { readMemberRecord } from "@functions/staff/member-record";
import { THROTTLES } from "@functions/auth/throttle";
import { PASSWORD, SITE, STORE, T0, capturingMailer, count, failingMailer } from "./support";
import { auditRows, seedDonation, seedMember, seedStaff, seedSubscription } from "./console-support";
import { standInRequests, testStripe, unique } from "./donations-support";

async function withSessions(userId: string, n: number): Promise<void> {
  for (let index = 0; index < n; index++) {
    await env.DB.prepare("INSERT INTO sessions (id, user_id, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)").bind(crypto.randomUUID(), userId, T0 + 3600, T0 - 60).run();
  }
}

/** Makes every audit insert fail until the returned function is called, as a D1 failure inside the batch would. */
async function breakAuditLog(): Promise<() => Promise<void>> {
  await env.DB.prepare("CREATE TRIGGER audit_log_fail BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END").run();
  return async () => { await env.DB.prepare("DROP TRIGGER audit_log_fail").run(); };
}

let admin: Awaited<ReturnType<typeof seedStaff>>;
beforeEach(async () => {
  admin = await seedStaff("admin", T0 - 100);
});

describe("a member's record", () => {
  it("shows the account, live sessions, donations and monthly donations in one read", async () => {
    const member = await seedMember({ name: "Ruth", createdAt: T0 - 500, verifiedAt: T0 - 400 });
    await withSessions(member.id, 2);
    await env.DB.prepare("INSERT INTO sessions (id, user_id, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)").bind(crypto.randomUUID(), member.id, T0 - 1, T0 - 999).run();
    await seedDonation({ createdAt: T0 - 100, userId: member.id, amount: 700 });
    await seedSubscription({ userId: member.id, customerId: "cus_ruth", amount: 500, createdAt: T0 - 100 });
    const record = await readMemberRecord(env.DB, member.id, T0);
    expect(record).toMatchObject({ id: member.id, email: member.email, displayName: "Ruth", verifiedAt: T0 - 400, role: "member", activeSessions: 2, pendingEmail: null });
    expect(record!.donations).toEqual([expect.objectContaining({ amount: 700, frequency: "once", status: "paid" })]);
    expect(record!.monthly).toEqual([expect.objectContaining({ amount: 500 })]);
    expect(await readMemberRecord(env.DB, "nobody", T0)).toBeNull();
  });
});

describe("ending a member's sessions", () => {
  it("needs the staff member's password, then ends every session with one audit row", async () => {
    const member = await seedMember({ createdAt: T0 - 500 });
    await withSessions(member.id, 3);
    expect(await endMemberSessions(STORE, admin, member.id, "", T0)).toMatchObject({ ok: false, passwordError: true });
    expect(await endMemberSessions(STORE, admin, member.id, "not my password", T0)).toMatchObject({ ok: false, passwordError: true });
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", member.id)).toBe(3);
    expect(await auditRows(admin.userId)).toEqual([]);
    expect(await endMemberSessions(STORE, admin, member.id, PASSWORD, T0)).toEqual({ ok: true, message: "Signed out everywhere: 3 sessions ended." });
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", member.id)).toBe(0);
    expect(await auditRows(admin.userId)).toEqual([{ action: "members.end-sessions", target_id: member.id, detail: null, actor_role: "admin" }]);
  });

  it("changes nothing when the batch fails", async () => {
    const member = await seedMember({ createdAt: T0 - 500 });
    await withSessions(member.id, 2);
    const repair = await breakAuditLog();
    await expect(endMemberSessions(STORE, admin, member.id, PASSWORD, T0)).rejects.toThrow(/audit log unavailable/);
    await repair();
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", member.id)).toBe(2);
    expect(await auditRows(admin.userId)).toEqual([]);
  });

  it("is throttled per staff member across wrong passwords, and refused for one's own account", async () => {
    const member = await seedMember({ createdAt: T0 - 500 });
    for (let attempt = 0; attempt < THROTTLES.reauthAccount.limit; attempt++) await endMemberSessions(STORE, admin, member.id, "wrong", T0);
    expect(await endMemberSessions(STORE, admin, member.id, PASSWORD, T0)).toMatchObject({ ok: false, status: 429 });
    const other = await seedStaff("owner", T0 - 100);
    expect(await endMemberSessions(STORE, other, other.userId, PASSWORD, T0)).toMatchObject({ ok: false, status: 400 });
    expect(await auditRows(other.userId)).toEqual([]);
  });
});

describe("deleting a member", () => {
  it("does what the member's own deletion does, Stripe customer included, with one audit row", async () => {
    const member = await seedMember({ createdAt: T0 - 500, verifiedAt: T0 - 400 });
    await withSessions(member.id, 1);
    const customer = `cus_${unique()}`;
    const linked = await seedDonation({ createdAt: T0 - 100, userId: member.id, email: member.email, note: "from Ruth" });
    await env.DB.prepare("UPDATE donations SET customer_id = ?1 WHERE id = ?2").bind(customer, linked).run();
    const guest = await seedDonation({ createdAt: T0 - 100, email: member.email });
    expect(await deleteMember(STORE, testStripe(), admin, member.id, PASSWORD, T0)).toMatchObject({ ok: true });
    expect(await count("SELECT COUNT(*) AS n FROM users WHERE id = ?1", member.id)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", member.id)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM donations WHERE id IN (?1, ?2) AND user_id IS NULL AND email IS NULL AND note IS NULL AND customer_id IS NULL", linked, guest)).toBe(2);
    expect((await standInRequests()).some((request) => request.method === "DELETE" && request.path === `/v1/customers/${customer}`)).toBe(true);
    expect(await auditRows(admin.userId)).toEqual([{ action: "members.delete", target_id: member.id, detail: null, actor_role: "admin" }]);
    // A second try finds nobody and records nothing more.
    expect(await deleteMember(STORE, null, admin, member.id, PASSWORD, T0)).toMatchObject({ ok: false, status: 404 });
    expect(await auditRows(admin.userId)).toHaveLength(1);
  });

  it("keeps the account when the batch fails, and refuses staff accounts and wrong passwords", async () => {
    const member = await seedMember({ createdAt: T0 - 500 });
    const repair = await breakAuditLog();
    await expect(deleteMember(STORE, null, admin, member.id, PASSWORD, T0)).rejects.toThrow(/audit log unavailable/);
    await repair();
    expect(await count("SELECT COUNT(*) AS n FROM users WHERE id = ?1", member.id)).toBe(1);
    expect(await deleteMember(STORE, null, admin, member.id, "wrong", T0)).toMatchObject({ ok: false, passwordError: true });
    const owner = await seedStaff("owner", T0 - 100);
    expect(await deleteMember(STORE, null, admin, owner.userId, PASSWORD, T0)).toMatchObject({ ok: false, message: expect.stringContaining("owner role") });
    expect(await count("SELECT COUNT(*) AS n FROM users WHERE id IN (?1, ?2)", member.id, owner.userId)).toBe(2);
    expect(await auditRows(admin.userId)).toEqual([]);
  });
});

describe("resending a member's verification code", () => {
  it("mails a new code to the unverified address with one audit row, and refuses a verified member", async () => {
    const member = await seedMember({ createdAt: T0 - 500 });
    const mailer = capturingMailer();
    expect(await resendMemberVerification(STORE, mailer, admin, member.id, SITE, T0)).toMatchObject({ ok: true });
    expect(mailer.sent.map((message) => message.to)).toEqual([member.email]);
    expect(await count("SELECT COUNT(*) AS n FROM email_verifications WHERE user_id = ?1 AND email = ?2", member.id, member.email)).toBe(1);
    expect(await auditRows(admin.userId)).toEqual([{ action: "members.resend-verification", target_id: member.id, detail: null, actor_role: "admin" }]);
    const verified = await seedMember({ createdAt: T0 - 500, verifiedAt: T0 - 400 });
    expect(await resendMemberVerification(STORE, mailer, admin, verified.id, SITE, T0)).toMatchObject({ ok: false, status: 400 });
    expect(await auditRows(admin.userId)).toHaveLength(1);
  });

  it("writes no code and no audit row when the batch fails, and says so when the mail cannot go", async () => {
    const member = await seedMember({ createdAt: T0 - 500 });
    const repair = await breakAuditLog();
    await expect(resendMemberVerification(STORE, capturingMailer(), admin, member.id, SITE, T0)).rejects.toThrow(/audit log unavailable/);
    await repair();
    expect(await count("SELECT COUNT(*) AS n FROM email_verifications WHERE user_id = ?1", member.id)).toBe(0);
    expect(await auditRows(admin.userId)).toEqual([]);
    expect(await resendMemberVerification(STORE, failingMailer(), admin, member.id, SITE, T0)).toMatchObject({ ok: false, status: 502 });
  });
});
