// Server CPU inside workerd (run by `npm run bench` through bench/vitest.config.ts): the time of one password hash
// (scrypt, as sign-up, sign-in and reset spend it), of one session validation against a real local D1 (as the
// middleware spends it on every on-demand request with a session cookie), and of the two sign-ins without a password:
// a code sign-in and a passkey sign-in (ES256, the signature checked with WebCrypto), each with its D1 work; and a
// password tried on an account that has none (passwords.ts NO_PASSWORD), beside a wrong password on one that has one,
// which must cost the same (one scrypt run each).
//
// Method. Deployed Workers only advance Date.now()/performance.now() across I/O (a Spectre mitigation), so a
// timer read right after pure computation can show 0 ms. Every sample here is therefore fenced by an I/O
// boundary: `await setTimeout(0)` before the start time and again before the end time. The fence's own cost is
// measured the same way with nothing in between and subtracted (it is well under a millisecond locally).
// Session validation also makes a D1 query, which is I/O itself; it is sampled one by one (fenced) and as one
// batch of many back-to-back validations divided by their number, and both are reported. All numbers are wall time
// on this machine's workerd with a local D1 (SQLite in the same process), so for validation they include a local
// D1 round trip, not the network hop to D1 in production. Results go to stdout as one `BENCH_CPU_JSON {...}` line.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { hashPassword, verifyPassword, NO_PASSWORD } from "@functions/auth/passwords";
import { getUserByEmail } from "@functions/auth/users";
import { createSession, generateSessionToken, validateSessionToken } from "@functions/auth/sessions";
import { requestSignInCode, signInWithCode } from "@functions/auth/sign-in-codes";
import { addPasskey, createChallenge, signInWithPasskey } from "@functions/auth/passkeys";
import { relyingPartyFor, verifyAssertion, decodeField } from "@functions/auth/webauthn";
import { TestCredential } from "@tests/support/test-authenticator";

const fence = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Times `work` once between two I/O fences; returns milliseconds. */
async function sample(work: () => Promise<unknown>): Promise<number> {
  await fence();
  const start = performance.now();
  await work();
  await fence();
  return performance.now() - start;
}

function summary(samples: number[], baseline: number): { n: number; medianMs: number; p90Ms: number; minMs: number; maxMs: number } {
  const sorted = samples.map((value) => Math.max(0, value - baseline)).sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (value: number): number => Math.round(value * 1000) / 1000;
  const median = sorted.length % 2 === 1 ? at(0.5) : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return { n: sorted.length, medianMs: round(median), p90Ms: round(at(0.9)), minMs: round(sorted[0]!), maxMs: round(sorted[sorted.length - 1]!) };
}

it("measures a password hash and a session validation inside workerd", async () => {
  const password = "lantern orchard ferry 42";

  // The fence's own cost, subtracted from every sample.
  const empty: number[] = [];
  for (let i = 0; i < 50; i++) empty.push(await sample(async () => undefined));
  const baseline = [...empty].sort((a, b) => a - b)[Math.floor(empty.length / 2)]!;

  // One warm-up hash (first use of scrypt), not counted.
  const stored = await hashPassword(password);
  const hashSamples: number[] = [];
  for (let i = 0; i < 8; i++) hashSamples.push(await sample(() => hashPassword(password)));
  const verifySamples: number[] = [];
  for (let i = 0; i < 4; i++) verifySamples.push(await sample(() => verifyPassword(stored, password)));
  expect(await verifyPassword(stored, password)).toBe(true);

  // A real member with a real session in D1 (created now, so validation neither expires nor renews it).
  const now = Math.floor(Date.now() / 1000);
  const userId = crypto.randomUUID();
  await env.DB.prepare("INSERT INTO users (id, email, password_hash, display_name, email_verified_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)")
    .bind(userId, "bench@example.org", stored, "Bench member", now).run();
  const token = generateSessionToken();
  await createSession(env.DB, token, userId, now);
  // Other members' sessions, so the lookup is an index search, not a one-row table.
  for (let i = 0; i < 20; i++) {
    const otherId = crypto.randomUUID();
    await env.DB.prepare("INSERT INTO users (id, email, password_hash, created_at) VALUES (?1, ?2, 'x', ?3)").bind(otherId, `m${i}@example.org`, now).run();
    for (let j = 0; j < 5; j++) await createSession(env.DB, generateSessionToken(), otherId, now);
  }
  const check = await validateSessionToken(env.DB, token, now);
  expect(check.user?.emailVerified).toBe(true);
  expect(check.renewed).toBe(false);

  for (let i = 0; i < 20; i++) await validateSessionToken(env.DB, token, now); // warm-up
  const validateSamples: number[] = [];
  for (let i = 0; i < 200; i++) validateSamples.push(await sample(() => validateSessionToken(env.DB, token, now)));
  const batchSize = 500;
  const batchMs = await sample(async () => {
    for (let i = 0; i < batchSize; i++) await validateSessionToken(env.DB, token, now);
  });
  const unknownSamples: number[] = [];
  for (let i = 0; i < 100; i++) unknownSamples.push(await sample(() => validateSessionToken(env.DB, generateSessionToken(), now)));

  // A code sign-in: each sample a fresh code (mailed untimed), then the timed check and session batch.
  let mailed = "";
  const mailer = { async send(message: { text: string }) { mailed = /code is ([A-Z0-9]{8})\./.exec(message.text)![1]!; } };
  const codeSamples: number[] = [];
  for (let i = 0; i < 30; i++) {
    await requestSignInCode(env.DB, mailer, "bench@example.org", "https://smallism.example", now);
    codeSamples.push(await sample(() => signInWithCode(env.DB, "bench@example.org", mailed, now)));
  }

  // A passkey sign-in: a registered ES256 passkey; each sample a fresh challenge and answer (untimed), then the timed
  // lookup, verification and session batch; and the verification alone (no D1).
  const rp = relyingPartyFor("https://smallism.example");
  const site = { rpId: rp.id, origin: rp.origin };
  const credential = await TestCredential.create("ES256", userId);
  const registration = await createChallenge(env.DB, "register", check.session!.id, now);
  await addPasskey(env.DB, rp, { id: check.session!.id, userId }, { name: "Bench", ...(await credential.register(registration, site)) }, now);
  const passkeySamples: number[] = [];
  const verifySignatureSamples: number[] = [];
  const storedKey = (await env.DB.prepare("SELECT public_key FROM passkeys WHERE id = ?1").bind(credential.idText).first<{ public_key: ArrayBuffer | number[] }>())!;
  for (let i = 0; i < 30; i++) {
    const fields = await credential.assert(await createChallenge(env.DB, "sign-in", null, now), site);
    const assertion = { clientDataJSON: decodeField(fields.clientDataJSON)!, authenticatorData: decodeField(fields.authenticatorData)!, signature: decodeField(fields.signature)! };
    verifySignatureSamples.push(await sample(() => verifyAssertion(assertion, rp, { algorithm: -7, publicKey: new Uint8Array(storedKey.public_key) })));
    passkeySamples.push(await sample(async () => expect((await signInWithPasskey(env.DB, rp, fields, now, null, "bench")).ok).toBe(true)));
  }

  // A password sign-in refused, as signIn refuses it (the member looked up, then the password checked): on an account
  // without a password, and a wrong password on one with a password. (signIn itself imports the password policy's
  // build-time word list, which this config does not generate.)
  await env.DB.prepare("INSERT INTO users (id, email, password_hash, created_at) VALUES (?1, 'nopw-bench@example.org', ?2, ?3)").bind(crypto.randomUUID(), NO_PASSWORD, now).run();
  const refusal = async (email: string, typed: string) => expect(await verifyPassword((await getUserByEmail(env.DB, email))!.passwordHash, typed)).toBe(false);
  const noPasswordSamples: number[] = [];
  const wrongPasswordSamples: number[] = [];
  for (let i = 0; i < 10; i++) {
    noPasswordSamples.push(await sample(() => refusal("nopw-bench@example.org", password)));
    wrongPasswordSamples.push(await sample(() => refusal("bench@example.org", "not the password")));
  }

  const result = {
    method: "wall time in workerd (vitest-pool-workers), each sample between two setTimeout(0) I/O fences, fence cost subtracted",
    fenceBaselineMs: Math.round(baseline * 1000) / 1000,
    hashPassword: summary(hashSamples, baseline),
    verifyPassword: summary(verifySamples, baseline),
    validateSession: summary(validateSamples, baseline),
    validateSessionBatch: { n: batchSize, meanMs: Math.round(((batchMs - baseline) / batchSize) * 1000) / 1000 },
    validateUnknownToken: summary(unknownSamples, baseline),
    signInWithCode: summary(codeSamples, baseline),
    signInWithPasskey: summary(passkeySamples, baseline),
    verifyPasskeyAssertion: summary(verifySignatureSamples, baseline),
    signInNoPasswordAttempt: summary(noPasswordSamples, baseline),
    signInWrongPassword: summary(wrongPasswordSamples, baseline),
  };
  console.log(`BENCH_CPU_JSON ${JSON.stringify(result)}`);
});
