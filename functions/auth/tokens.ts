// Random tokens and their hashes, shared by sessions, email codes, password-reset links, user ids and the donate
// form (its nonce and idempotency key).
// Follows Lucia's session guide (lucia-auth.com, "Basic session API", 2024 revision built on @oslojs):
// tokens are random base32 strings, and only their SHA-256 ever reaches the database.
import { SHA256, sha256 } from "@oslojs/crypto/sha2";
import { hmac } from "@oslojs/crypto/hmac";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";

/** A random token of `bytes` bytes (default 20 = 160 bits) as lower-case base32 without padding. */
export function generateToken(bytes = 20): string {
  const random = new Uint8Array(bytes);
  crypto.getRandomValues(random);
  return encodeBase32LowerCaseNoPadding(random);
}

/** SHA-256 of a string as lower-case hex: the only form in which secrets are stored. */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/**
 * HMAC-SHA-256 of `value` under the site's HASH_SECRET, for one `purpose` ("throttle", "network"), as hex. For keys
 * made from guessable values (an IP address, an email address): a plain hash of those is reversed by trying them all.
 */
export function keyedHash(secret: string, purpose: string, value: string): string {
  const encoder = new TextEncoder();
  return encodeHexLowerCase(hmac(SHA256, encoder.encode(secret), encoder.encode(`${purpose}\n${value}`)));
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  // Lucia's Astro example compared a string with itself here; we compare the two arguments.
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let i = 0; i < left.length; i++) difference |= left[i]! ^ right[i]!;
  return difference === 0;
}

const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I/L: codes are typed by hand

/** An 8-character code for the verification email (about 40 bits; 5 tries and 15 minutes bound guessing). */
export function generateCode(length = 8): string {
  const out: string[] = [];
  // Rejection sampling keeps every character equally likely.
  while (out.length < length) {
    const byte = crypto.getRandomValues(new Uint8Array(1))[0]!;
    if (byte < 248) out.push(CODE_ALPHABET[byte % CODE_ALPHABET.length]!);
  }
  return out.join("");
}

/** Normalises a typed code: upper case, without spaces or dashes. */
export function normaliseCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, "");
}
