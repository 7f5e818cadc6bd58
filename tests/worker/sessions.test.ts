// Sessions against a real local D1: token shape, storage of hashes only, expiry and renewal boundaries, cap.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  createSession, generateSessionToken, invalidateSession, invalidateUserSessions, SESSION_ABSOLUTE_LIFETIME,
  SESSION_LIFETIME, SESSION_RENEW_BELOW, validateSessionToken,
} from "@functions/auth/sessions";
import { hashToken } from "@functions/auth/tokens";
import { T0, insertUser } from "./support";


describe("session tokens", () => {
  it("are 32 base32 characters (160 bits), all distinct over 10,000 draws", () => {
    const tokens = Array.from({ length: 10_000 }, generateSessionToken);
    for (const token of tokens) expect(token).toMatch(/^[a-z2-7]{32}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it("are stored only as their SHA-256: the cookie value is in no column", async () => {
    const { id: userId } = await insertUser();
    const token = generateSessionToken();
    await createSession(env.DB, token, userId, T0);
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'").all<{ name: string }>();
    for (const { name } of tables.results) {
      const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
      expect(JSON.stringify(rows.results)).not.toContain(token);
    }
    const row = await env.DB.prepare("SELECT id FROM sessions WHERE user_id = ?1").bind(userId).first<{ id: string }>();
    expect(row?.id).toBe(hashToken(token));
  });

  it("rejects a same-length wrong token", async () => {
    const { id: userId } = await insertUser();
    const token = generateSessionToken();
    await createSession(env.DB, token, userId, T0);
    const wrong = (token[0] === "a" ? "b" : "a") + token.slice(1);
    expect((await validateSessionToken(env.DB, wrong, T0)).session).toBeNull();
    expect((await validateSessionToken(env.DB, token, T0)).session).not.toBeNull();
  });
});

describe("session expiry and renewal (controlled clock)", () => {
  it("is valid one second before expiry and gone (and deleted) at expiry", async () => {
    const { id: userId } = await insertUser();
    const [early, late] = [generateSessionToken(), generateSessionToken()];
    await createSession(env.DB, early, userId, T0);
    await createSession(env.DB, late, userId, T0);
    expect((await validateSessionToken(env.DB, early, T0 + SESSION_LIFETIME - 1)).session).not.toBeNull();
    expect((await validateSessionToken(env.DB, late, T0 + SESSION_LIFETIME)).session).toBeNull();
    expect(await env.DB.prepare("SELECT 1 FROM sessions WHERE id = ?1").bind(hashToken(late)).first()).toBeNull();
  });

  it("renews only when less than 15 days remain", async () => {
    const { id: userId } = await insertUser();
    const token = generateSessionToken();
    await createSession(env.DB, token, userId, T0);
    const exactlyAtThreshold = T0 + SESSION_LIFETIME - SESSION_RENEW_BELOW;
    const notYet = await validateSessionToken(env.DB, token, exactlyAtThreshold);
    expect(notYet.renewed).toBe(false);
    expect(notYet.session?.expiresAt).toBe(T0 + SESSION_LIFETIME);
    const justAfter = await validateSessionToken(env.DB, token, exactlyAtThreshold + 1);
    expect(justAfter.renewed).toBe(true);
    expect(justAfter.session?.expiresAt).toBe(exactlyAtThreshold + 1 + SESSION_LIFETIME);
  });

  it("never outlives the absolute cap under constant use", async () => {
    const { id: userId } = await insertUser();
    const token = generateSessionToken();
    await createSession(env.DB, token, userId, T0);
    let now = T0;
    let lastValid = T0;
    while (now < T0 + SESSION_ABSOLUTE_LIFETIME + 5 * 86_400) {
      now += 86_400; // used every day
      if ((await validateSessionToken(env.DB, token, now)).session !== null) lastValid = now;
      else break;
    }
    expect(lastValid).toBeLessThan(T0 + SESSION_ABSOLUTE_LIFETIME);
    expect((await validateSessionToken(env.DB, token, T0 + SESSION_ABSOLUTE_LIFETIME)).session).toBeNull();
  });
});

describe("ending sessions", () => {
  it("sign-out deletes the session; sign-out-everywhere deletes all but the kept one", async () => {
    const { id: userId } = await insertUser();
    const [a, b, c] = [generateSessionToken(), generateSessionToken(), generateSessionToken()];
    for (const token of [a, b, c]) await createSession(env.DB, token, userId, T0);
    await invalidateSession(env.DB, hashToken(a));
    expect((await validateSessionToken(env.DB, a, T0)).session).toBeNull();
    await invalidateUserSessions(env.DB, userId, hashToken(b));
    expect((await validateSessionToken(env.DB, b, T0)).session).not.toBeNull();
    expect((await validateSessionToken(env.DB, c, T0)).session).toBeNull();
  });
});
