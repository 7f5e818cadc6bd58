// Members without a password against a real local D1: the NO_PASSWORD marker (a password tried on it gets the wrong
// password's answer after exactly one scrypt run), the one re-authentication rule as a table, joining without a
// password, removing the password (only beside a passkey, with the confirm step) and adding one back (recent sign-in,
// or the reset link), removing the last passkey (confirm step), and the sensitive changes that take a recent sign-in
// in place of a password.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { changePassword, requestEmailChange, requestPasswordReset, resetPassword, signIn, signOutOtherDevices } from "@functions/auth/account";
import { deleteAccount, exportUserData } from "@functions/auth/account-data";
import { joinCommunity } from "@functions/auth/join";
import { countScryptRuns, hashPassword, NO_PASSWORD, verifyPassword } from "@functions/auth/passwords";
import { decideReauthentication, RECENT_SIGN_IN, SIGN_IN_AGAIN, type ReauthPurpose } from "@functions/auth/reauthentication";
import { createSession, validateSessionToken } from "@functions/auth/sessions";
import { requestSignInCode, signInWithCode } from "@functions/auth/sign-in-codes";
import { describeRemaining, passkeyRemovalNeedsConfirm, readSignInMethods, removePasskey, removePassword } from "@functions/auth/sign-in-methods";
import { countQueries, withQueryCounting } from "@functions/http/d1-counter";
import { BREACHES } from "./breach-support";
import { PASSWORD, SITE, STORE, T0, capturingMailer, count, insertUser, uniqueEmail } from "./support";

const RECENT = { createdAt: T0 };
const STALE_AT = T0 + RECENT_SIGN_IN + 1;

/** A member with no password (the marker), optionally with passkeys (rows written straight into D1). */
async function passwordless(passkeys: string[] = []) {
  const user = await insertUser({ passwordHash: NO_PASSWORD, emailVerifiedAt: T0 });
  for (const name of passkeys) await addPasskeyRow(user.id, name);
  return user;
}

/** A member whose password is PASSWORD, optionally with passkeys. */
async function withPassword(passkeys: string[] = []) {
  const user = await insertUser({ passwordHash: await hashPassword(PASSWORD), emailVerifiedAt: T0 });
  for (const name of passkeys) await addPasskeyRow(user.id, name);
  return user;
}

async function addPasskeyRow(userId: string, name: string): Promise<string> {
  const id = `cred-${crypto.randomUUID()}`;
  await env.DB.prepare("INSERT INTO passkeys (id, user_id, name, algorithm, public_key, created_at) VALUES (?1, ?2, ?3, -7, ?4, ?5)")
    .bind(id, userId, name, new Uint8Array(65), T0).run();
  return id;
}

const passwordHashOf = async (userId: string) => (await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?1").bind(userId).first<{ password_hash: string }>())!.password_hash;

describe("the NO_PASSWORD marker", () => {
  it("refuses any password, the empty one and the marker itself included, each after one scrypt run", async () => {
    for (const tried of ["", NO_PASSWORD, PASSWORD, "not-a-real-password-for-timing-only"]) {
      const before = countScryptRuns();
      expect(await verifyPassword(NO_PASSWORD, tried)).toBe(false);
      expect(countScryptRuns() - before).toBe(1);
    }
  });

  it("a password sign-in on an account without one gets the wrong password's reply, queries and one scrypt run", async () => {
    const none = await passwordless(["Phone"]);
    const known = await withPassword();
    const attempts = { "no password": none.email, "wrong password": known.email, "no account": uniqueEmail("nobody") };
    const replies: Record<string, unknown> = {};
    for (const [label, email] of Object.entries(attempts)) {
      const before = countScryptRuns();
      const { result, queries } = await countQueries(() => signIn(withQueryCounting(env.DB), email, "a guess at the password", T0 + 1));
      replies[label] = result;
      expect(countScryptRuns() - before, label).toBe(1);
      expect(queries, label).toBe(1);
    }
    expect(replies["no password"]).toEqual(replies["wrong password"]);
    expect(replies["no password"]).toEqual(replies["no account"]);
    expect(replies["no password"]).toEqual({ ok: false, errors: { form: "That email and password do not match an account." } });
    expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?1", none.id)).toBe(0);
  });

  it("shows on the session's member as hasPassword", async () => {
    const none = await passwordless();
    const known = await withPassword();
    for (const [user, expected] of [[none, false], [known, true]] as const) {
      const token = `t-${crypto.randomUUID()}`;
      await createSession(env.DB, token, user.id, T0);
      expect((await validateSessionToken(env.DB, token, T0 + 1)).user!.hasPassword).toBe(expected);
    }
  });
});

describe("decideReauthentication: has password × recent sign-in × password typed", () => {
  type Typed = "right" | "wrong" | "absent";
  // [has password, recent, typed, for a purpose a recent sign-in confirms (passkey.remove), for one it does not (email.change)]
  const TABLE: Array<[boolean, boolean, Typed, string, string]> = [
    [true, true, "right", "allowed", "allowed"],
    [true, true, "wrong", "password-wrong", "password-wrong"],
    [true, true, "absent", "allowed", "password-needed"],
    [true, false, "right", "allowed", "allowed"],
    [true, false, "wrong", "password-wrong", "password-wrong"],
    [true, false, "absent", "password-needed", "password-needed"],
    [false, true, "right", "password-wrong", "password-wrong"],
    [false, true, "wrong", "password-wrong", "password-wrong"],
    [false, true, "absent", "allowed", "allowed"],
    [false, false, "right", "password-wrong", "password-wrong"],
    [false, false, "wrong", "password-wrong", "password-wrong"],
    [false, false, "absent", "sign-in-again", "sign-in-again"],
  ];
  const hash = hashPassword(PASSWORD);
  for (const [has, recent, typed, lenient, strict] of TABLE) {
    it(`${has ? "with" : "without"} a password, ${recent ? "recent" : "old"} sign-in, password ${typed}: ${lenient} / ${strict}`, async () => {
      const user = { id: "table", passwordHash: has ? await hash : NO_PASSWORD };
      const password = { right: PASSWORD, wrong: "not the password", absent: "" }[typed];
      const now = recent ? T0 + RECENT_SIGN_IN : STALE_AT;
      const decide = (purpose: ReauthPurpose) => decideReauthentication(user, RECENT, password, purpose, now);
      expect(await decide("passkey.remove")).toBe(lenient);
      expect(await decide("email.change")).toBe(strict);
      // No session at all claims no recent sign-in.
      if (!recent) expect(await decideReauthentication(user, null, password, "passkey.remove", T0)).toBe(lenient);
    });
  }
});

describe("joining without a password", () => {
  it("stores the marker, signs in, mails the code; a sign-in code then works and verifies the address", async () => {
    const email = uniqueEmail("nopw");
    const mailer = capturingMailer();
    const joined = await joinCommunity(STORE, mailer, { email, password: "", noPassword: true, displayName: "", agree: true }, "203.0.113.9", SITE, T0, BREACHES);
    expect(joined.ok).toBe(true);
    if (!joined.ok) return;
    expect(await passwordHashOf(joined.userId)).toBe(NO_PASSWORD);
    expect((await validateSessionToken(env.DB, joined.token, T0 + 1)).user).toMatchObject({ hasPassword: false, emailVerified: false });
    expect(mailer.sent.map((m) => m.to)).toEqual([email]);

    const codes = capturingMailer();
    await requestSignInCode(env.DB, codes, email, SITE, T0 + 10);
    const code = /code is ([A-Z0-9]{8})\./.exec(codes.sent[0]!.text)![1]!;
    const signedIn = await signInWithCode(env.DB, email, code, T0 + 20);
    expect(signedIn.ok).toBe(true);
    if (signedIn.ok) expect((await validateSessionToken(env.DB, signedIn.token, T0 + 21)).user).toMatchObject({ hasPassword: false, emailVerified: true });
  });

  it("refuses a typed password beside “no password”, and a missing password without it, creating nothing", async () => {
    const email = uniqueEmail("nopw-both");
    const both = await joinCommunity(STORE, capturingMailer(), { email, password: PASSWORD, noPassword: true, displayName: "", agree: true }, "203.0.113.10", SITE, T0, BREACHES);
    expect(both).toMatchObject({ ok: false, status: 400, errors: { password: "Leave the password empty, or untick “No password”." } });
    const neither = await joinCommunity(STORE, capturingMailer(), { email, password: "", displayName: "", agree: true }, "203.0.113.10", SITE, T0, BREACHES);
    expect(neither).toMatchObject({ ok: false, status: 400, errors: { password: expect.any(String) } });
    expect(await count("SELECT COUNT(*) AS n FROM users WHERE email = ?1", email)).toBe(0);
  });
});

describe("removing the password", () => {
  it("needs a passkey, keeps staff's, and asks for the confirm step before it writes", async () => {
    const bare = await withPassword();
    expect(await removePassword(env.DB, bare.id, RECENT, "", true, T0 + 1)).toEqual({ ok: false, errors: { form: expect.stringContaining("add a passkey first") } });
    const staff = await withPassword(["Key"]);
    await env.DB.prepare("INSERT INTO staff (user_id, role, granted_at, granted_by) VALUES (?1, 'editor', ?2, 'test')").bind(staff.id, T0).run();
    expect(await removePassword(env.DB, staff.id, RECENT, "", true, T0 + 1)).toEqual({ ok: false, errors: { form: expect.stringContaining("Staff keep a password") } });
    const member = await withPassword(["Phone"]);
    expect(await removePassword(env.DB, member.id, RECENT, "", false, T0 + 1)).toEqual({ ok: false, errors: { confirmRemoval: expect.stringContaining("Tick the box") } });
    for (const user of [bare, staff, member]) expect(await passwordHashOf(user.id)).not.toBe(NO_PASSWORD);
  });

  it("takes a recent sign-in or the password, and then the old password no longer signs in", async () => {
    const member = await withPassword(["Phone"]);
    expect(await removePassword(env.DB, member.id, RECENT, "", true, STALE_AT)).toEqual({ ok: false, errors: { removePasswordPassword: "Enter your password to remove it." } });
    expect(await removePassword(env.DB, member.id, RECENT, "wrong one", true, STALE_AT)).toEqual({ ok: false, errors: { removePasswordPassword: "That is not your current password." } });
    expect(await removePassword(env.DB, member.id, RECENT, PASSWORD, true, STALE_AT)).toEqual({ ok: true });
    expect(await passwordHashOf(member.id)).toBe(NO_PASSWORD);
    expect((await signIn(env.DB, member.email, PASSWORD, STALE_AT + 1)).ok).toBe(false);
    expect(await readSignInMethods(env.DB, member.id)).toMatchObject({ hasPassword: false, passkeys: [{ name: "Phone" }] });
    const recent = await withPassword(["Phone"]);
    expect(await removePassword(env.DB, recent.id, RECENT, "", true, T0 + RECENT_SIGN_IN)).toEqual({ ok: true });
  });

  it("writes nothing when the last passkey went meanwhile (the condition is in the UPDATE)", async () => {
    const member = await withPassword(["Phone"]);
    const removal = removePassword(env.DB, member.id, RECENT, PASSWORD, true, T0 + 1);
    await env.DB.prepare("DELETE FROM passkeys WHERE user_id = ?1").bind(member.id).run();
    expect((await removal).ok).toBe(false);
    expect(await passwordHashOf(member.id)).not.toBe(NO_PASSWORD);
  });
});

describe("removing a passkey", () => {
  it("asks for the confirm step only when it is the last way in beside codes", async () => {
    const member = await passwordless(["Phone", "Laptop"]);
    const methods = await readSignInMethods(env.DB, member.id);
    const [laptop, phone] = methods.passkeys;
    // What the page asks for: no step while another passkey remains, the step for the last one.
    expect(passkeyRemovalNeedsConfirm(methods, laptop!.id)).toBe(false);
    expect(passkeyRemovalNeedsConfirm({ ...methods, passkeys: [phone!] }, phone!.id)).toBe(true);
    expect(passkeyRemovalNeedsConfirm({ hasPassword: true, passkeys: [phone!] }, phone!.id)).toBe(false);
    expect(await removePasskey(env.DB, member.id, RECENT, laptop!.id, "", false, T0 + 1)).toEqual({ ok: true });
    expect(await removePasskey(env.DB, member.id, RECENT, phone!.id, "", false, T0 + 1)).toEqual({ ok: false, errors: { confirmRemoval: expect.stringContaining("Tick the box") } });
    expect(await count("SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?1", member.id)).toBe(1);
    expect(await removePasskey(env.DB, member.id, RECENT, phone!.id, "", true, T0 + 1)).toEqual({ ok: true });
    expect(await count("SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?1", member.id)).toBe(0);
    // A member with a password removes their only passkey with no confirm step.
    const other = await withPassword(["Key"]);
    const [key] = (await readSignInMethods(env.DB, other.id)).passkeys;
    expect(await removePasskey(env.DB, other.id, RECENT, key!.id, "", false, T0 + 1)).toEqual({ ok: true });
  });

  it("for a member without a password, needs a recent sign-in", async () => {
    const member = await passwordless(["Phone"]);
    const [phone] = (await readSignInMethods(env.DB, member.id)).passkeys;
    expect(await removePasskey(env.DB, member.id, RECENT, phone!.id, "", true, STALE_AT)).toEqual({ ok: false, errors: { form: SIGN_IN_AGAIN } });
    expect(await count("SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?1", member.id)).toBe(1);
  });

  it("says exactly what remains", () => {
    expect(describeRemaining("a@example.org", { password: false, passkeyNames: [] })).toBe("a code we email to a@example.org");
    expect(describeRemaining("a@example.org", { password: false, passkeyNames: ["Phone"] })).toBe("your passkey “Phone” or a code we email to a@example.org");
    expect(describeRemaining("a@example.org", { password: true, passkeyNames: ["A", "B"] })).toBe("your password, one of your 2 passkeys or a code we email to a@example.org");
  });
});

describe("a member without a password", () => {
  it("is told in their data export that there is no password, where a member with one is told it is a hash", async () => {
    const without = await passwordless();
    const withOne = await withPassword();
    expect(((await exportUserData(env.DB, without.id, T0))!.account as { password: string }).password).toBe("none: you sign in with codes by email or a passkey");
    expect(((await exportUserData(env.DB, withOne.id, T0))!.account as { password: string }).password).toBe("stored only as a scrypt hash, which is not included");
  });

  it("adds a password after a recent sign-in (not an old one), ending other sessions, and is told by mail", async () => {
    const member = await passwordless();
    const other = `other-${crypto.randomUUID()}`;
    await createSession(env.DB, other, member.id, T0);
    const mailer = capturingMailer();
    expect(await changePassword(env.DB, mailer, member.id, "", "copper meadow seventeen", STALE_AT, BREACHES, RECENT)).toEqual({ ok: false, errors: { form: SIGN_IN_AGAIN } });
    const added = await changePassword(env.DB, mailer, member.id, "", "copper meadow seventeen", T0 + 60, BREACHES, RECENT);
    expect(added.ok).toBe(true);
    expect((await signIn(env.DB, member.email, "copper meadow seventeen", T0 + 61)).ok).toBe(true);
    expect((await validateSessionToken(env.DB, other, T0 + 61)).session).toBeNull();
    expect(mailer.sent.map((m) => m.subject)).toEqual(["A password was added to your Smallism account"]);
  });

  it("is mailed a link that says it sets a first password, and sets one with it", async () => {
    const member = await passwordless();
    const mailer = capturingMailer();
    await requestPasswordReset(env.DB, mailer, member.email, SITE, T0);
    expect(mailer.sent[0]!.text).toContain("Someone asked for a password for your Smallism account, which has none");
    const token = /\/reset\?token=([a-z2-7]+)/.exec(mailer.sent[0]!.text)![1]!;
    expect((await resetPassword(env.DB, token, "copper meadow seventeen", T0 + 5, BREACHES)).ok).toBe(true);
    expect((await signIn(env.DB, member.email, "copper meadow seventeen", T0 + 6)).ok).toBe(true);
  });

  it("changes the email, signs out other devices and deletes the account after a recent sign-in, and is told to sign in again otherwise", async () => {
    const member = await passwordless();
    const mailer = capturingMailer();
    const session = { id: "this-session", createdAt: T0 };
    expect(await requestEmailChange(env.DB, mailer, member.id, uniqueEmail("to"), "", SITE, STALE_AT, RECENT)).toEqual({ ok: false, errors: { form: SIGN_IN_AGAIN } });
    expect(await signOutOtherDevices(env.DB, member.id, session, "", STALE_AT)).toEqual({ ok: false, errors: { form: SIGN_IN_AGAIN } });
    expect(await deleteAccount(env.DB, null, member.id, "", STALE_AT, RECENT)).toEqual({ ok: false, errors: { form: SIGN_IN_AGAIN } });
    // Without a session to vouch for it, a member without a password cannot delete at all.
    expect(await deleteAccount(env.DB, null, member.id, "", T0 + 1)).toEqual({ ok: false, errors: { form: SIGN_IN_AGAIN } });
    expect(mailer.sent).toEqual([]);
    expect((await requestEmailChange(env.DB, mailer, member.id, uniqueEmail("to"), "", SITE, T0 + 1, RECENT)).ok).toBe(true);
    expect(await signOutOtherDevices(env.DB, member.id, session, "", T0 + 1)).toEqual({ ok: true });
    expect(await deleteAccount(env.DB, null, member.id, "", T0 + 1, RECENT)).toEqual({ ok: true });
    expect(await count("SELECT COUNT(*) AS n FROM users WHERE id = ?1", member.id)).toBe(0);
  });
});
