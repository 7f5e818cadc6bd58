// Sealing the TOTP secrets at rest: AES-256-GCM under a key derived from HASH_SECRET (HMAC with its own purpose), so
// a copy of the database alone (an export, a backup, a leaked replica) cannot mint a staff member's codes. The sealed
// form is base64 of a random 12-byte IV followed by the ciphertext and tag. Rotating HASH_SECRET means every staff
// member enrols their authenticator again (README: Staff console).
import { decodeBase64, encodeBase64 } from "@oslojs/encoding";
import { hmac } from "@oslojs/crypto/hmac";
import { SHA256 } from "@oslojs/crypto/sha2";

async function sealingKey(hashSecret: string): Promise<CryptoKey> {
  const raw = new Uint8Array(hmac(SHA256, new TextEncoder().encode(hashSecret), new TextEncoder().encode("staff-totp-seal")));
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** Seals `secret` for storage. */
export async function sealSecret(hashSecret: string, secret: Uint8Array): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await sealingKey(hashSecret), new Uint8Array(secret)));
  const out = new Uint8Array(iv.length + sealed.length);
  out.set(iv);
  out.set(sealed, iv.length);
  return encodeBase64(out);
}

/** The secret inside `sealed`, or null when it was sealed under another key or altered. */
export async function unsealSecret(hashSecret: string, sealed: string): Promise<Uint8Array | null> {
  try {
    const bytes = decodeBase64(sealed);
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, 12) }, await sealingKey(hashSecret), bytes.slice(12));
    return new Uint8Array(plain);
  } catch {
    return null;
  }
}
