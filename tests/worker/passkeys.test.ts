// Passkeys against a real local D1, with a software authenticator (tests/support/test-authenticator.ts) and a
// controlled clock: adding ES256 and RS256 passkeys and signing in with them; every bent answer refused (replayed
// assertion, wrong origin, wrong RP ID, expired or reused challenge, tampered signature, another member's credential,
// no user verification, a counter that went back, a registration challenge of another session); a staff member's
// passkey sign-in passing the second factor with its audit row; rename and remove only by the owner.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  addPasskey, CHALLENGE_LIFETIME, createChallenge, listPasskeys, renamePasskey, signInWithPasskey,
} from "@functions/auth/passkeys";
import { relyingPartyFor } from "@functions/auth/webauthn";
import { createSession, validateSessionToken } from "@functions/auth/sessions";
import { hashToken } from "@functions/auth/tokens";
import { exportUserData } from "@functions/auth/account-data";
import { removePasskey } from "@functions/auth/sign-in-methods";
import { TestCredential, type Algorithm, type Bend } from "@tests/support/test-authenticator";
import { SITE, T0, count, insertUser } from "./support";

const RP = relyingPartyFor(SITE);
const SITE_KEYS = { rpId: RP.id, origin: RP.origin };
const NET = "0123456789abcdef";

/** A member with a session and a passkey of `algorithm`, added through the real use-case at T0. */
async function memberWithPasskey(algorithm: Algorithm = "ES256") {
  const user = await insertUser();
  const token = `session-${crypto.randomUUID()}`;
  const session = await createSession(env.DB, token, user.id, T0);
  const credential = await TestCredential.create(algorithm, user.id);
  const challenge = await createChallenge(env.DB, "register", session.id, T0);
  const added = await addPasskey(env.DB, RP, { id: session.id, userId: user.id }, { name: "Laptop", ...(await credential.register(challenge, SITE_KEYS)) }, T0 + 1);
  expect(added).toEqual({ ok: true, name: "Laptop" });
  return { user, session, credential };
}

/** Signs in with `credential` answering a fresh sign-in challenge at `now`, bent by `bend`. */
async function signIn(credential: TestCredential, now: number, bend: Bend = {}, challengeAt = now) {
  const challenge = await createChallenge(env.DB, "sign-in", null, challengeAt);
  const fields = await credential.assert(challenge, SITE_KEYS, bend);
  return { fields, result: await signInWithPasskey(env.DB, RP, fields, now, null, NET) };
}

const REFUSED = { ok: false, errors: { form: "That passkey did not work. Please try again." } };

describe("adding a passkey", () => {
  for (const algorithm of ["ES256", "RS256"] as const) {
    it(`stores an ${algorithm} key under its credential id, and it signs the member in`, async () => {
      const { user, credential } = await memberWithPasskey(algorithm);
      const [passkey] = await listPasskeys(env.DB, user.id);
      expect(passkey).toEqual({ id: credential.idText, name: "Laptop", createdAt: T0 + 1, lastUsedAt: null });
      const { result } = await signIn(credential, T0 + 100);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect((await validateSessionToken(env.DB, result.token, T0 + 101)).user!.id).toBe(user.id);
      expect((await listPasskeys(env.DB, user.id))[0]!.lastUsedAt).toBe(T0 + 100);
    });
  }

  for (const coordinate of ["x", "y"] as const) {
    it(`stores and verifies an ES256 key whose ${coordinate} starts with a zero byte (one key in 256)`, async () => {
      const user = await insertUser();
      const session = await createSession(env.DB, `s-${crypto.randomUUID()}`, user.id, T0);
      const credential = await TestCredential.createWithLeadingZero(user.id, coordinate);
      const challenge = await createChallenge(env.DB, "register", session.id, T0);
      expect((await addPasskey(env.DB, RP, { id: session.id, userId: user.id }, { name: "Key", ...(await credential.register(challenge, SITE_KEYS)) }, T0 + 1)).ok).toBe(true);
      expect((await signIn(credential, T0 + 10)).result.ok).toBe(true);
    });
  }

  it("refuses an answer without user verification, from another origin or RP ID, and a challenge of another session or spent", async () => {
    const user = await insertUser();
    const session = await createSession(env.DB, `s-${crypto.randomUUID()}`, user.id, T0);
    const other = await createSession(env.DB, `s-${crypto.randomUUID()}`, user.id, T0);
    const credential = await TestCredential.create("ES256", user.id);
    const attempt = async (bend: Bend, challengeSession = session.id, now = T0 + 1) => {
      const challenge = await createChallenge(env.DB, "register", challengeSession, T0);
      return addPasskey(env.DB, RP, { id: session.id, userId: user.id }, { name: "Phone", ...(await credential.register(challenge, SITE_KEYS, bend)) }, now);
    };
    for (const bend of [{ userVerified: false }, { userPresent: false }, { origin: "https://evil.example" }, { rpId: "evil.example" }, { type: "webauthn.get" }]) {
      expect((await attempt(bend)).ok, JSON.stringify(bend)).toBe(false);
    }
    expect((await attempt({}, other.id)).ok).toBe(false);
    expect((await attempt({}, session.id, T0 + CHALLENGE_LIFETIME)).ok).toBe(false);
    // A sign-in challenge is not a registration challenge.
    const signInChallenge = await createChallenge(env.DB, "sign-in", null, T0);
    expect((await addPasskey(env.DB, RP, { id: session.id, userId: user.id }, { name: "Phone", ...(await credential.register(signInChallenge, SITE_KEYS)) }, T0 + 1)).ok).toBe(false);
    expect(await count("SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?1", user.id)).toBe(0);
    // And the good answer is accepted once: its challenge is spent.
    const challenge = await createChallenge(env.DB, "register", session.id, T0);
    const fields = await credential.register(challenge, SITE_KEYS);
    expect((await addPasskey(env.DB, RP, { id: session.id, userId: user.id }, { name: "Phone", ...fields }, T0 + 1)).ok).toBe(true);
    expect((await addPasskey(env.DB, RP, { id: session.id, userId: user.id }, { name: "Phone", ...fields }, T0 + 2)).ok).toBe(false);
  });

  it("refuses garbage fields and an empty or overlong name without storing anything", async () => {
    const user = await insertUser();
    const session = await createSession(env.DB, `s-${crypto.randomUUID()}`, user.id, T0);
    const add = (fields: { name: string; clientDataJSON: string; attestationObject: string }) => addPasskey(env.DB, RP, { id: session.id, userId: user.id }, fields, T0);
    expect((await add({ name: "x", clientDataJSON: "not base64!", attestationObject: "" })).ok).toBe(false);
    expect((await add({ name: "x", clientDataJSON: "e30", attestationObject: "oA" })).ok).toBe(false);
    expect(await add({ name: "  ", clientDataJSON: "e30", attestationObject: "oA" })).toMatchObject({ ok: false, errors: { passkeyName: expect.any(String) } });
    expect(await add({ name: "n".repeat(61), clientDataJSON: "e30", attestationObject: "oA" })).toMatchObject({ ok: false, errors: { passkeyName: expect.any(String) } });
    expect(await count("SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?1", user.id)).toBe(0);
  });
});

describe("signing in with a passkey", () => {
  it("refuses a replayed assertion", async () => {
    const { credential } = await memberWithPasskey();
    const { fields, result } = await signIn(credential, T0 + 10);
    expect(result.ok).toBe(true);
    expect(await signInWithPasskey(env.DB, RP, fields, T0 + 11, null, NET)).toEqual(REFUSED);
  });

  it("refuses a wrong origin, a wrong RP ID, a tampered signature, no user verification and a get of the wrong type", async () => {
    const { user, credential } = await memberWithPasskey("RS256");
    for (const bend of [{ origin: "https://evil.example" }, { rpId: "evil.example" }, { tamper: true }, { userVerified: false }, { type: "webauthn.create" }]) {
      expect((await signIn(credential, T0 + 10, bend)).result, JSON.stringify(bend)).toEqual(REFUSED);
    }
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", user.id)).toBe(1);
  });

  it("accepts a challenge until its fifth minute ends, and not after", async () => {
    const { credential } = await memberWithPasskey();
    expect((await signIn(credential, T0 + CHALLENGE_LIFETIME - 1, {}, T0)).result.ok).toBe(true);
    expect((await signIn(credential, T0 + CHALLENGE_LIFETIME, {}, T0)).result).toEqual(REFUSED);
  });

  it("refuses a second answer to a spent challenge, even freshly signed", async () => {
    const { credential } = await memberWithPasskey();
    const challenge = await createChallenge(env.DB, "sign-in", null, T0);
    expect((await signInWithPasskey(env.DB, RP, await credential.assert(challenge, SITE_KEYS), T0 + 1, null, NET)).ok).toBe(true);
    expect(await signInWithPasskey(env.DB, RP, await credential.assert(challenge, SITE_KEYS), T0 + 2, null, NET)).toEqual(REFUSED);
  });

  it("gives one session to concurrent answers to one challenge", async () => {
    const { user, credential } = await memberWithPasskey();
    const challenge = await createChallenge(env.DB, "sign-in", null, T0);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await credential.assert(challenge, SITE_KEYS));
    const results = await Promise.all(answers.reverse().map((fields) => signInWithPasskey(env.DB, RP, fields, T0 + 1, null, NET)));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", user.id)).toBe(2);
  });

  it("refuses another member's credential presented for this member (user handle) and an unknown credential", async () => {
    const { credential } = await memberWithPasskey();
    const someone = await insertUser();
    const handle = btoa(someone.id).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    expect((await signIn(credential, T0 + 10, { userHandle: handle })).result).toEqual(REFUSED);
    const stranger = await TestCredential.create("ES256", someone.id);
    expect((await signIn(stranger, T0 + 10)).result).toEqual(REFUSED);
  });

  it("refuses a counter that does not move forward (a cloned authenticator)", async () => {
    const { credential } = await memberWithPasskey();
    expect((await signIn(credential, T0 + 10, { signCount: 5 })).result.ok).toBe(true);
    expect((await signIn(credential, T0 + 11, { signCount: 5 })).result).toEqual(REFUSED);
    expect((await signIn(credential, T0 + 12, { signCount: 4 })).result).toEqual(REFUSED);
  });

  it("ends the device's previous session", async () => {
    const { session, credential } = await memberWithPasskey();
    const challenge = await createChallenge(env.DB, "sign-in", null, T0);
    expect((await signInWithPasskey(env.DB, RP, await credential.assert(challenge, SITE_KEYS), T0 + 1, session.id, NET)).ok).toBe(true);
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE id = ?1", session.id)).toBe(0);
  });

  it("passes a staff member's second factor, with an audit row; a member's session gets none", async () => {
    const { user, credential } = await memberWithPasskey();
    await env.DB.prepare("INSERT INTO staff (user_id, role, granted_at, granted_by) VALUES (?1, 'admin', ?2, 'cli')").bind(user.id, T0).run();
    const { result } = await signIn(credential, T0 + 20);
    expect(result).toMatchObject({ ok: true, secondFactor: true });
    if (!result.ok) return;
    expect((await validateSessionToken(env.DB, result.token, T0 + 21)).session!.secondFactorAt).toBe(T0 + 20);
    const audit = await env.DB.prepare("SELECT actor_role, action, detail, net FROM audit_log WHERE actor_id = ?1").bind(user.id).all();
    expect(audit.results).toEqual([{ actor_role: "admin", action: "staff.second-factor.passed", detail: JSON.stringify({ method: "passkey" }), net: NET }]);
    const member = await memberWithPasskey();
    const plain = (await signIn(member.credential, T0 + 20)).result;
    expect(plain).toMatchObject({ ok: true, secondFactor: false });
    if (plain.ok) expect((await validateSessionToken(env.DB, plain.token, T0 + 21)).session!.secondFactorAt).toBeNull();
  });
});

/** A session that signed in just now, so removals need no password. */
const RECENT = { createdAt: T0 + 30 };

describe("managing passkeys", () => {
  it("renames and removes only the member's own, and a removed passkey no longer signs in", async () => {
    const { user, credential } = await memberWithPasskey();
    const intruder = await insertUser();
    expect((await renamePasskey(env.DB, intruder.id, credential.idText, "Mine now")).ok).toBe(false);
    expect((await removePasskey(env.DB, intruder.id, RECENT, credential.idText, "", false, T0 + 30)).ok).toBe(false);
    expect(await renamePasskey(env.DB, user.id, credential.idText, "  ")).toMatchObject({ ok: false, errors: { passkeyName: expect.any(String) } });
    expect((await renamePasskey(env.DB, user.id, credential.idText, " Work phone ")).ok).toBe(true);
    expect((await listPasskeys(env.DB, user.id))[0]!.name).toBe("Work phone");
    expect((await removePasskey(env.DB, user.id, RECENT, credential.idText, "", false, T0 + 30)).ok).toBe(true);
    expect((await signIn(credential, T0 + 30)).result).toEqual(REFUSED);
  });

  it("are in the member's data export by name and dates, without the key or the credential id", async () => {
    const { user, credential } = await memberWithPasskey();
    const data = await exportUserData(env.DB, user.id, T0 + 5);
    expect(data!.passkeys).toEqual([{ name: "Laptop", created_at: new Date((T0 + 1) * 1000).toISOString(), last_used_at: null }]);
    const key = (await env.DB.prepare("SELECT public_key FROM passkeys WHERE id = ?1").bind(credential.idText).first<{ public_key: ArrayBuffer | number[] }>())!.public_key;
    const json = JSON.stringify(data);
    expect(json).not.toContain(credential.idText);
    expect(json).not.toContain(btoa(String.fromCharCode(...new Uint8Array(key))).slice(0, 40));
  });

  it("goes with the account: deleting the member deletes their passkeys", async () => {
    const { user } = await memberWithPasskey();
    await env.DB.prepare("DELETE FROM users WHERE id = ?1").bind(user.id).run();
    expect(await count("SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?1", user.id)).toBe(0);
  });
});

it("stores challenges only as hashes", async () => {
  const challenge = await createChallenge(env.DB, "sign-in", null, T0);
  expect(await count("SELECT COUNT(*) AS n FROM webauthn_challenges WHERE id = ?1", hashToken(challenge))).toBe(1);
  expect(await count("SELECT COUNT(*) AS n FROM webauthn_challenges WHERE id = ?1", challenge)).toBe(0);
});
