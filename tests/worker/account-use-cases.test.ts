// The account use-cases the pages call for a reset link, a display name and a new session, against a real local D1:
// resetPassword (what /reset runs), the display-name limit wherever a name is taken, and the session a use-case
// returns for the cookie (its expiry is the stored row's, so the cookie can never outlive the session).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { changeDisplayName, changePassword, resetPassword, signIn, signUp } from "@functions/auth/account";
import { createPasswordReset, findPasswordReset } from "@functions/auth/password-reset";
import { validateSessionToken, SESSION_LIFETIME } from "@functions/auth/sessions";
import { hashToken } from "@functions/auth/tokens";
import { DISPLAY_NAME_MAX, getUserByEmail, getUserById } from "@functions/auth/users";
import { BREACHES } from "./breach-support";

const T0 = 1_800_000_000;
const PASSWORD = "lantern orchard tidal";
const NEW_PASSWORD = "copper meadow seventeen";
const quiet = { async send() {} };

async function joined(displayName: string | null = null): Promise<{ email: string; userId: string }> {
  const email = `uc-${crypto.randomUUID().slice(0, 10)}@example.org`;
  const up = await signUp(env.DB, quiet, { email, password: PASSWORD, displayName }, "https://smallism.example", T0, BREACHES);
  if (!up.ok) throw new Error("sign-up failed");
  return { email, userId: up.userId };
}

async function storedExpiry(token: string): Promise<number | undefined> {
  return (await env.DB.prepare("SELECT expires_at FROM sessions WHERE id = ?1").bind(hashToken(token)).first<{ expires_at: number }>())?.expires_at;
}

describe("resetPassword", () => {
  it("sets the new password, signs this device in with the session it returns, and spends the link", async () => {
    const { email, userId } = await joined();
    const token = await createPasswordReset(env.DB, userId, T0 + 10);
    const result = await resetPassword(env.DB, token, NEW_PASSWORD, T0 + 20, BREACHES);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.userId).toBe(userId);
    expect(result.expiresAt).toBe(T0 + 20 + SESSION_LIFETIME);
    expect(await storedExpiry(result.token)).toBe(result.expiresAt);
    expect((await validateSessionToken(env.DB, result.token, T0 + 21)).user?.id).toBe(userId);
    expect((await signIn(env.DB, email, NEW_PASSWORD, T0 + 30)).ok).toBe(true);
    expect(await findPasswordReset(env.DB, token, T0 + 30)).toBeNull();
    expect(await resetPassword(env.DB, token, "another fine passphrase", T0 + 40, BREACHES)).toEqual({
      ok: false, errors: { form: "This reset link has expired or was already used. Ask for a new one." },
    });
  });

  it("refuses a password the policy refuses, next to the field, and keeps the link and the old password", async () => {
    const { email, userId } = await joined();
    const token = await createPasswordReset(env.DB, userId, T0);
    const result = await resetPassword(env.DB, token, email, T0 + 1, BREACHES);
    expect(result).toEqual({ ok: false, errors: { password: "Your password must not be your email address." } });
    expect(await findPasswordReset(env.DB, token, T0 + 2)).toEqual({ userId });
    expect((await signIn(env.DB, email, PASSWORD, T0 + 3)).ok).toBe(true);
  });

  it("refuses unknown, expired and overlong tokens with the same message and changes nothing", async () => {
    const { email, userId } = await joined();
    const token = await createPasswordReset(env.DB, userId, T0);
    for (const [typed, now] of [["a".repeat(32), T0 + 1], [token, T0 + 60 * 60], ["x".repeat(128), T0 + 1]] as const) {
      expect(await resetPassword(env.DB, typed, NEW_PASSWORD, now, BREACHES)).toMatchObject({ ok: false, errors: { form: expect.stringMatching(/expired or was already used/) } });
    }
    expect((await signIn(env.DB, email, PASSWORD, T0 + 2)).ok).toBe(true);
  });

  it("of three concurrent uses exactly one wins; the others get the link message and no session", async () => {
    const { userId } = await joined();
    const token = await createPasswordReset(env.DB, userId, T0);
    const results = await Promise.all([0, 1, 2].map((i) => resetPassword(env.DB, token, `${NEW_PASSWORD} ${i}`, T0 + 5, BREACHES)));
    const winners = results.filter((result) => result.ok);
    expect(winners).toHaveLength(1);
    const { results: rows } = await env.DB.prepare("SELECT id FROM sessions WHERE user_id = ?1").bind(userId).all<{ id: string }>();
    expect(rows.map((row) => row.id)).toEqual([hashToken(winners[0]!.ok ? winners[0]!.token : "")]);
  });
});

describe("the session a use-case returns for the cookie", () => {
  it("sign-up, sign-in and password change each return the expiry stored with their session", async () => {
    const email = `uc-s-${crypto.randomUUID().slice(0, 8)}@example.org`;
    const up = await signUp(env.DB, quiet, { email, password: PASSWORD, displayName: null }, "https://smallism.example", T0, BREACHES);
    const inside = await signIn(env.DB, email, PASSWORD, T0 + 100);
    if (!up.ok || !inside.ok) throw new Error("setup failed");
    for (const [session, now] of [[up, T0], [inside, T0 + 100]] as const) {
      expect(session.expiresAt).toBe(now + SESSION_LIFETIME);
      expect(await storedExpiry(session.token)).toBe(session.expiresAt);
    }
    const changed = await changePassword(env.DB, quiet, up.userId, PASSWORD, NEW_PASSWORD, T0 + 200, BREACHES);
    if (!changed.ok) throw new Error("change failed");
    expect(changed.expiresAt).toBe(T0 + 200 + SESSION_LIFETIME);
    expect(await storedExpiry(changed.token)).toBe(changed.expiresAt);
    // The change ended the two earlier sessions: only its own row is left.
    expect([await storedExpiry(up.token), await storedExpiry(inside.token)]).toEqual([undefined, undefined]);
  });
});

describe("the display-name limit", () => {
  const tooLong = "n".repeat(DISPLAY_NAME_MAX + 1);

  it("sign-up refuses a name over the limit next to the field and creates nothing", async () => {
    const email = `uc-long-${crypto.randomUUID().slice(0, 8)}@example.org`;
    const result = await signUp(env.DB, quiet, { email, password: PASSWORD, displayName: tooLong }, "https://smallism.example", T0, BREACHES);
    expect(result).toEqual({ ok: false, errors: { displayName: `Use at most ${DISPLAY_NAME_MAX} characters.` } });
    expect(await getUserByEmail(env.DB, email)).toBeNull();
  });

  it("changeDisplayName takes up to the limit (trimmed), clears on empty, and refuses longer without a change", async () => {
    const { userId } = await joined("Ada");
    const longest = "m".repeat(DISPLAY_NAME_MAX);
    expect(await changeDisplayName(env.DB, userId, `  ${longest}  `)).toEqual({ ok: true });
    expect((await getUserById(env.DB, userId))!.displayName).toBe(longest);
    expect(await changeDisplayName(env.DB, userId, tooLong)).toEqual({ ok: false, errors: { displayName: `Use at most ${DISPLAY_NAME_MAX} characters.` } });
    expect((await getUserById(env.DB, userId))!.displayName).toBe(longest);
    expect(await changeDisplayName(env.DB, userId, "   ")).toEqual({ ok: true });
    expect((await getUserById(env.DB, userId))!.displayName).toBeNull();
  });
});
