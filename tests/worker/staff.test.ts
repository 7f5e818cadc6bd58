// The staff console's rules against a real local D1 with the real migrations: the TOTP second factor at the edges of
// its window with a controlled clock, replay, concurrent use of one code, the throttle and its recovery; sealed
// secrets; granting and revoking roles with the last-owner rule; the audit log (one row per action, in the action's
// batch, append-only); and staff sessions ending after 12 hours idle.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  beginTotpEnrolment, confirmTotpEnrolment, passSecondFactor, recoveryCodesLeft, secondFactorState, totpCode, TOTP_PERIOD,
} from "@functions/staff/second-factor";
import { sealSecret, unsealSecret } from "@functions/staff/sealed-secret";
import { grantRole, listStaff, revokeRole } from "@functions/staff/staff-members";
import { auditStatement, listAudit, AUDIT_PAGE_SIZE, type Actor } from "@functions/staff/audit";
import { createSession, generateSessionToken, STAFF_IDLE_LIMIT, validateSessionToken } from "@functions/auth/sessions";
import { THROTTLES } from "@functions/auth/throttle";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { HASH_SECRET, STORE, T0, count, insertUser } from "./support";

/** A verified member with a session, made staff with `role` (straight into D1, as the script does). */
async function staff(role: "owner" | "admin" | "editor" = "owner") {
  const user = await insertUser({ emailVerifiedAt: T0 });
  await env.DB.prepare("INSERT INTO staff (user_id, role, granted_at, granted_by) VALUES (?1, ?2, ?3, 'test')").bind(user.id, role, T0).run();
  const token = generateSessionToken();
  const session = await createSession(env.DB, token, user.id, T0);
  const actor: Actor & { role: typeof role } = { userId: user.id, role, net: "0123456789abcdef" };
  return { ...user, token, sessionId: session.id, actor };
}

/** `staff()` with a confirmed authenticator; returns its key and recovery codes. */
async function enrolled(role: "owner" | "admin" | "editor" = "owner", at = T0) {
  const s = await staff(role);
  const enrolment = (await beginTotpEnrolment(env.DB, HASH_SECRET, s.id, s.email, at))!;
  const key = decodeBase32IgnorePadding(enrolment.secretText.replace(/ /g, ""));
  const result = await confirmTotpEnrolment(STORE, s.actor, s.sessionId, totpCode(key, at), at);
  if (!result.ok) throw new Error("enrolment failed");
  return { ...s, key, recoveryCodes: result.recoveryCodes! };
}

const secondFactorAt = async (sessionId: string) =>
  (await env.DB.prepare("SELECT second_factor_at FROM sessions WHERE id = ?1").bind(sessionId).first<{ second_factor_at: number | null }>())!.second_factor_at;
const auditRows = (actorId: string, action?: string) =>
  count(`SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = ?1 ${action ? "AND action = ?2" : "AND ?2 IS NULL"}`, actorId, action ?? null);
async function newSession(userId: string, at = T0) {
  return (await createSession(env.DB, generateSessionToken(), userId, at)).id;
}

describe("enrolling an authenticator", () => {
  it("keeps the same secret until confirmed, seals it, and confirms with a code from it", async () => {
    const s = await staff();
    expect(await secondFactorState(env.DB, s.id)).toBe("none");
    const first = (await beginTotpEnrolment(env.DB, HASH_SECRET, s.id, s.email, T0))!;
    const again = (await beginTotpEnrolment(env.DB, HASH_SECRET, s.id, s.email, T0 + 5))!;
    expect(again.secretText).toBe(first.secretText);
    expect(first.keyUri).toMatch(/^otpauth:\/\/totp\/Smallism:.+\?.*secret=[A-Z2-7]+/);
    expect(first.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(await secondFactorState(env.DB, s.id)).toBe("enrolling");
    const stored = (await env.DB.prepare("SELECT secret_sealed FROM staff_totp WHERE user_id = ?1").bind(s.id).first<{ secret_sealed: string }>())!.secret_sealed;
    expect(stored).not.toContain(first.secretText.replace(/ /g, ""));
    const key = decodeBase32IgnorePadding(first.secretText.replace(/ /g, ""));
    expect(await unsealSecret(HASH_SECRET, stored)).toEqual(key);

    expect(await confirmTotpEnrolment(STORE, s.actor, s.sessionId, "000000", T0)).toMatchObject({ ok: false, reason: "wrong" });
    expect(await secondFactorAt(s.sessionId)).toBeNull();
    const confirmed = await confirmTotpEnrolment(STORE, s.actor, s.sessionId, totpCode(key, T0), T0);
    expect(confirmed.ok).toBe(true);
    expect((confirmed as { recoveryCodes: string[] }).recoveryCodes).toHaveLength(10);
    expect(new Set((confirmed as { recoveryCodes: string[] }).recoveryCodes).size).toBe(10);
    expect(await secondFactorState(env.DB, s.id)).toBe("enrolled");
    expect(await secondFactorAt(s.sessionId)).toBe(T0);
    expect(await recoveryCodesLeft(env.DB, s.id)).toBe(10);
    expect(await auditRows(s.id, "staff.second-factor.enrolled")).toBe(1);
    // Once confirmed, the secret is never shown again.
    expect(await beginTotpEnrolment(env.DB, HASH_SECRET, s.id, s.email, T0 + 60)).toBeNull();
  });

  it("a sealed secret does not open under another key, nor when altered", async () => {
    const secret = crypto.getRandomValues(new Uint8Array(20));
    const sealed = await sealSecret(HASH_SECRET, secret);
    expect(await unsealSecret("another-hash-secret-entirely", sealed)).toBeNull();
    const bytes = Uint8Array.from(atob(sealed), (c) => c.charCodeAt(0));
    bytes[bytes.length - 1]! ^= 1;
    expect(await unsealSecret(HASH_SECRET, btoa(String.fromCharCode(...bytes)))).toBeNull();
    expect(await unsealSecret(HASH_SECRET, "not base64 at all!")).toBeNull();
  });
});

describe("passing the second factor with a TOTP code", () => {
  it("accepts the step before, the current one and the one after, and nothing further (controlled clock)", async () => {
    const s = await enrolled("owner", T0);
    const at = T0 + 10 * TOTP_PERIOD;
    const cases: Array<[number, boolean]> = [[-2, false], [2, false], [-1, true], [0, true], [1, true]];
    for (const [offset, accepted] of cases) {
      const sessionId = await newSession(s.id, at);
      const code = totpCode(s.key, at + offset * TOTP_PERIOD);
      const result = await passSecondFactor(STORE, s.actor, sessionId, code, at);
      expect(result.ok, `step ${offset}`).toBe(accepted);
      expect(await secondFactorAt(sessionId), `step ${offset}`).toBe(accepted ? at : null);
    }
  });

  it("never accepts a code twice, nor an older step after a newer one, even from another session", async () => {
    const s = await enrolled("owner", T0);
    const at = T0 + 100 * TOTP_PERIOD;
    const code = totpCode(s.key, at);
    expect((await passSecondFactor(STORE, s.actor, await newSession(s.id, at), code, at)).ok).toBe(true);
    expect(await passSecondFactor(STORE, s.actor, await newSession(s.id, at), code, at + 5)).toEqual({ ok: false, reason: "wrong" });
    expect((await passSecondFactor(STORE, s.actor, await newSession(s.id, at), totpCode(s.key, at - TOTP_PERIOD), at)).ok).toBe(false);
    expect((await passSecondFactor(STORE, s.actor, await newSession(s.id, at), totpCode(s.key, at + TOTP_PERIOD), at + TOTP_PERIOD)).ok).toBe(true);
  });

  it("of five concurrent submissions of one code, exactly one passes", async () => {
    const s = await enrolled("owner", T0);
    const at = T0 + 200 * TOTP_PERIOD;
    const sessions = await Promise.all(Array.from({ length: 5 }, () => newSession(s.id, at)));
    const code = totpCode(s.key, at);
    const results = await Promise.all(sessions.map((sessionId) => passSecondFactor(STORE, s.actor, sessionId, code, at)));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const passed = await Promise.all(sessions.map(secondFactorAt));
    expect(passed.filter((value) => value !== null)).toHaveLength(1);
  });

  it("refuses codes for a member who has no confirmed authenticator", async () => {
    const s = await staff();
    expect(await passSecondFactor(STORE, s.actor, s.sessionId, "123456", T0)).toEqual({ ok: false, reason: "not-enrolled" });
  });
});

describe("recovery codes", () => {
  it("each works once, in any case and spacing; used twice concurrently, once", async () => {
    const s = await enrolled();
    const [first, second] = s.recoveryCodes;
    expect(first).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect((await passSecondFactor(STORE, s.actor, await newSession(s.id), ` ${first!.toUpperCase().replace("-", " ")} `, T0 + 1)).ok).toBe(true);
    expect((await passSecondFactor(STORE, s.actor, await newSession(s.id), first!, T0 + 2)).ok).toBe(false);
    const racing = await Promise.all([0, 1].map(async () => passSecondFactor(STORE, s.actor, await newSession(s.id), second!, T0 + 3)));
    expect(racing.filter((result) => result.ok)).toHaveLength(1);
    expect(await recoveryCodesLeft(env.DB, s.id)).toBe(8);
    const stored = await env.DB.prepare("SELECT code_hash FROM staff_recovery_codes WHERE user_id = ?1").bind(s.id).all<{ code_hash: string }>();
    expect(JSON.stringify(stored.results)).not.toContain(first!.replace("-", ""));
  });
});

describe("the second-factor throttle", () => {
  it("five wrong codes in 15 minutes are allowed, the sixth attempt is refused even with the right code, and it recovers", async () => {
    const s = await enrolled("admin", T0);
    const at = T0 + 300 * TOTP_PERIOD;
    const sessionId = await newSession(s.id, at);
    for (let i = 1; i <= THROTTLES.secondFactorAccount.limit; i++) {
      expect(await passSecondFactor(STORE, s.actor, sessionId, "000000", at + i), `wrong ${i}`).toEqual({ ok: false, reason: "wrong" });
    }
    expect(await passSecondFactor(STORE, s.actor, sessionId, totpCode(s.key, at + 10), at + 10)).toMatchObject({ ok: false, reason: "throttled", retryAfter: expect.any(Number) });
    expect(await secondFactorAt(sessionId)).toBeNull();
    const later = at + THROTTLES.secondFactorAccount.windowSeconds + 1;
    expect((await passSecondFactor(STORE, s.actor, sessionId, totpCode(s.key, later), later)).ok).toBe(true);
  });

  it("right codes cost nothing: many passes in one window never trip it", async () => {
    const s = await enrolled("admin", T0);
    const at = T0 + 400 * TOTP_PERIOD;
    for (let i = 0; i < THROTTLES.secondFactorAccount.limit + 3; i++) {
      const when = at + i * TOTP_PERIOD;
      expect((await passSecondFactor(STORE, s.actor, await newSession(s.id, when), totpCode(s.key, when), when)).ok, `pass ${i}`).toBe(true);
    }
  });
});

describe("granting and revoking roles", () => {
  it("grants a verified member, refuses unknown and unverified addresses, and audits each change once", async () => {
    const owner = await staff("owner");
    const member = await insertUser({ emailVerifiedAt: T0 });
    expect(await grantRole(env.DB, owner.actor, member.email.toUpperCase(), "admin", T0)).toEqual({ ok: true, changed: true });
    expect(await grantRole(env.DB, owner.actor, member.email, "admin", T0)).toEqual({ ok: true, changed: false });
    expect((await listStaff(env.DB)).find((row) => row.userId === member.id)).toMatchObject({ role: "admin", grantedBy: owner.id });
    expect(await grantRole(env.DB, owner.actor, "nobody@example.org", "admin", T0)).toMatchObject({ ok: false });
    const unverified = await insertUser();
    expect(await grantRole(env.DB, owner.actor, unverified.email, "editor", T0)).toMatchObject({ ok: false, message: expect.stringContaining("verified") });
    expect(await auditRows(owner.id, "staff.grant")).toBe(1);
    expect(await revokeRole(env.DB, owner.actor, member.id, T0)).toEqual({ ok: true, changed: true });
    expect(await revokeRole(env.DB, owner.actor, member.id, T0)).toEqual({ ok: true, changed: false });
    expect(await auditRows(owner.id, "staff.revoke")).toBe(1);
  });

  it("never removes or demotes the last owner, and writes no audit row for the refusal", async () => {
    await env.DB.prepare("DELETE FROM staff WHERE role = 'owner'").run();
    const only = await staff("owner");
    expect(await revokeRole(env.DB, only.actor, only.id, T0)).toMatchObject({ ok: false, message: expect.stringContaining("last owner") });
    expect(await grantRole(env.DB, only.actor, only.email, "admin", T0)).toMatchObject({ ok: false, message: expect.stringContaining("last owner") });
    expect(await auditRows(only.id)).toBe(0);
    expect((await listStaff(env.DB)).filter((row) => row.role === "owner")).toHaveLength(1);
    // With a second owner, either may go; two owners demoting each other at once leave one.
    const other = await staff("owner");
    const results = await Promise.all([revokeRole(env.DB, only.actor, other.id, T0), revokeRole(env.DB, other.actor, only.id, T0)]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect((await listStaff(env.DB)).filter((row) => row.role === "owner")).toHaveLength(1);
  });
});

describe("the audit log", () => {
  it("is append-only: UPDATE and DELETE are refused by the database", async () => {
    const s = await staff("admin");
    await auditStatement(env.DB, s.actor, "test.action", null, T0).run();
    await expect(env.DB.prepare("UPDATE audit_log SET action = 'x' WHERE actor_id = ?1").bind(s.id).run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("DELETE FROM audit_log WHERE actor_id = ?1").bind(s.id).run()).rejects.toThrow(/append-only/);
    expect(await auditRows(s.id, "test.action")).toBe(1);
  });

  it("is written with its action or not at all: a failing batch leaves neither", async () => {
    const s = await staff("admin");
    await expect(env.DB.batch([
      auditStatement(env.DB, s.actor, "test.failed", null, T0),
      env.DB.prepare("INSERT INTO staff (user_id, role, granted_at, granted_by) VALUES (?1, 'nonsense', 0, 'x')").bind(s.id),
    ])).rejects.toThrow();
    expect(await auditRows(s.id, "test.failed")).toBe(0);
  });

  it("pages newest first by id, 50 at a time", async () => {
    const s = await staff("admin");
    await env.DB.batch(Array.from({ length: AUDIT_PAGE_SIZE + 5 }, (_, i) => auditStatement(env.DB, s.actor, `page.${i}`, null, T0 + i, { i })));
    const first = await listAudit(env.DB, null);
    expect(first.entries).toHaveLength(AUDIT_PAGE_SIZE);
    expect(first.entries[0]!.action).toBe(`page.${AUDIT_PAGE_SIZE + 4}`);
    expect(first.entries[0]!.detail).toEqual({ i: AUDIT_PAGE_SIZE + 4 });
    const second = await listAudit(env.DB, first.nextBefore);
    expect(second.entries[0]!.id).toBeLessThan(first.entries.at(-1)!.id);
    expect(new Set([...first.entries, ...second.entries].map((entry) => entry.id)).size).toBe(first.entries.length + second.entries.length);
  });
});

describe("staff sessions", () => {
  it("end after 12 hours without use; use keeps them alive; members' sessions are not affected", async () => {
    const s = await staff("editor");
    expect((await validateSessionToken(env.DB, s.token, T0 + STAFF_IDLE_LIMIT - 10)).session).not.toBeNull();
    // That use counts: 12 hours after it, not after sign-in.
    expect((await validateSessionToken(env.DB, s.token, T0 + 2 * STAFF_IDLE_LIMIT - 20)).session).not.toBeNull();
    expect((await validateSessionToken(env.DB, s.token, T0 + 3 * STAFF_IDLE_LIMIT)).session).toBeNull();
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE id = ?1", s.sessionId)).toBe(0);

    const member = await insertUser({ emailVerifiedAt: T0 });
    const token = generateSessionToken();
    await createSession(env.DB, token, member.id, T0);
    expect((await validateSessionToken(env.DB, token, T0 + 3 * STAFF_IDLE_LIMIT)).session).not.toBeNull();
  });

  it("report their role and second-factor pass to the console", async () => {
    const s = await enrolled("admin", T0);
    const result = await validateSessionToken(env.DB, s.token, T0 + 1);
    expect(result.user?.role).toBe("admin");
    expect(result.session?.secondFactorAt).toBe(T0);
  });
});
