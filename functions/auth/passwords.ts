// Password hashing (scrypt via node:crypto) and the length limits (the policy: password-policy.ts). Used by the
// account use-cases (account.ts); the forms take the limits from here for their inputs. Hashes are PHC strings
// carrying their parameters, so the cost can be raised later and old hashes still verify.
import { scrypt, randomBytes, timingSafeEqual } from "node:crypto";

export interface ScryptParams { ln: number; r: number; p: number }

/**
 * OWASP's scrypt minimums include N=2^15, r=8, p=3. Workers caps N·r·p at 2^20 and memory at 128 MB; this uses
 * 32 MiB and stays inside both. Measured CPU time is in README "Performance".
 */
export const SCRYPT_PARAMS: ScryptParams = { ln: 15, r: 8, p: 3 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/** The policy's bounds for a new password, in characters. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;
/**
 * The longest input (in UTF-16 units) that sign-in and the password checks on the account page hash at all. No valid
 * password is longer than PASSWORD_MAX characters (at most 512 units, even all outside the BMP), so a longer input
 * cannot match and is refused before scrypt spends time on it.
 */
export const PASSWORD_INPUT_MAX = 1024;

/**
 * The password_hash of a member who has no password (they sign in by emailed code or passkey). It matches no
 * password, yet trying one on it runs scrypt once (verifyPassword), so neither the time nor the answer of a sign-in
 * tells such accounts apart from others.
 */
export const NO_PASSWORD = "$none$";

/** True when the stored hash is a real password's, false for the NO_PASSWORD marker. */
export function hasPassword(hash: string): boolean {
  return hash !== NO_PASSWORD;
}

let scryptRuns = 0;
/** How many scrypt derivations this isolate has run: lets tests show that a refusal still paid for one. */
export function countScryptRuns(): number {
  return scryptRuns;
}

function deriveKey(password: string, salt: Buffer, { ln, r, p }: ScryptParams): Promise<Buffer> {
  const N = 2 ** ln;
  scryptRuns++;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes a password as `$scrypt$ln=15,r=8,p=3$<salt b64>$<hash b64>`. */
export async function hashPassword(password: string, params: ScryptParams = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await deriveKey(password, salt, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

// A corrupted or hostile hash must not make scrypt throw or allocate beyond what Workers allow.
function isRunnable({ ln, r, p }: ScryptParams): boolean {
  // scrypt needs 128·N·r bytes: at most 64 MiB here, half of a Worker's memory.
  return ln >= 10 && ln <= 20 && r >= 1 && r <= 32 && p >= 1 && p <= 16 && 2 ** ln * r <= 2 ** 19 && 2 ** ln * r * p <= 2 ** 20;
}

/** True when `password` matches the PHC `hash`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (!hasPassword(hash)) return verifyDummyPassword(password);
  const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (match === null) return false;
  const params = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (!isRunnable(params)) return false;
  const expected = Buffer.from(match[5]!, "base64");
  try {
    const actual = await deriveKey(password, Buffer.from(match[4]!, "base64"), params);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

/** True when a stored hash uses weaker parameters than today's and should be replaced at the next sign-in. */
export function needsRehash(hash: string): boolean {
  return !hash.startsWith(`$scrypt$ln=${SCRYPT_PARAMS.ln},r=${SCRYPT_PARAMS.r},p=${SCRYPT_PARAMS.p}$`);
}

/**
 * A hash of a throwaway password at today's parameters, computed ahead of time so that even the first unknown-email
 * sign-in on a fresh Worker runs scrypt once, like every other. Keep its parameters equal to SCRYPT_PARAMS
 * (a unit test checks).
 */
export const DUMMY_HASH = "$scrypt$ln=15,r=8,p=3$OxoFL956Ql4UeV6SgWaZlA==$3lIfX5KiXCnN5kYYDuQLuwVYVPeooUvbyXgWSsgG7/o=";

/**
 * Spends the same time as checking a real password, so a sign-in for an unknown email costs what a
 * wrong password for a known one costs, and timing does not reveal which emails have accounts.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  await verifyPassword(DUMMY_HASH, password);
  return false;
}
