// WebAuthn ceremonies checked on the server, with @oslojs/webauthn for parsing (client data, authenticator data,
// attestation objects, COSE keys) as in Lucia's passkey example, and the Workers runtime's own WebCrypto for the
// signature (native, a fraction of a millisecond). Pure: no D1 here; passkeys.ts stores keys and challenges.
// What a passkey must be here: discoverable (the browser is asked for a resident key), user verification required
// (the UV flag must be set), ES256 or RS256, attestation "none" (the statement is not checked: the key is trusted
// because the signed-in member's own browser handed it over, inside a session and for a challenge we issued).
import {
  ClientDataType, coseAlgorithmES256, coseAlgorithmRS256, COSEKeyType, coseEllipticCurveP256, createAssertionSignatureMessage,
  parseAttestationObject, parseAuthenticatorData, parseClientDataJSON,
} from "@oslojs/webauthn";
import { p256, decodePKIXECDSASignature } from "@oslojs/crypto/ecdsa";
import { RSAPublicKey } from "@oslojs/crypto/rsa";
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";

/** The relying party: the site's host name as RP ID, and the one origin ceremonies may come from. */
export interface RelyingParty { id: string; origin: string; name: string }

/** The relying party for the configured site URL (production: SITE_URL's host, e.g. smallism.org). */
export function relyingPartyFor(siteUrl: string): RelyingParty {
  const url = new URL(siteUrl);
  return { id: url.hostname, origin: url.origin, name: "Smallism" };
}

/** The algorithms a passkey may use, in the order the browser is offered them. */
export const PASSKEY_ALGORITHMS = [coseAlgorithmES256, coseAlgorithmRS256] as const;
export type PasskeyAlgorithm = (typeof PASSKEY_ALGORITHMS)[number];

/** Why a ceremony was refused (logged; the member is told only that it did not work). */
export type CeremonyFailure = "malformed" | "type" | "origin" | "rp-id" | "presence" | "verification" | "algorithm" | "signature";
export type Checked<T> = ({ ok: true } & T) | { ok: false; reason: CeremonyFailure };

/** Bytes from a base64url field, or null when it is not base64url. */
export function decodeField(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    return decodeBase64urlIgnorePadding(text);
  } catch {
    return null;
  }
}

/** Bytes as base64url without padding, as credential ids and challenges travel. */
export function encodeField(bytes: Uint8Array): string {
  return encodeBase64urlNoPadding(bytes);
}

/** The client data's challenge, after checking its type and origin (never cross-origin). */
function checkClientData(clientDataJSON: Uint8Array, type: ClientDataType, rp: RelyingParty): Checked<{ challenge: Uint8Array }> {
  let clientData;
  try {
    clientData = parseClientDataJSON(clientDataJSON);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (clientData.type !== type) return { ok: false, reason: "type" };
  if (clientData.origin !== rp.origin || clientData.crossOrigin === true) return { ok: false, reason: "origin" };
  return { ok: true, challenge: clientData.challenge };
}

/** The parsed authenticator data, after checking the RP ID hash and both flags (present and verified). */
function checkAuthenticatorData(authenticatorData: ReturnType<typeof parseAuthenticatorData>, rp: RelyingParty): CeremonyFailure | null {
  if (!authenticatorData.verifyRelyingPartyIdHash(rp.id)) return "rp-id";
  if (!authenticatorData.userPresent) return "presence";
  if (!authenticatorData.userVerified) return "verification";
  return null;
}

/** The DER header of a P-256 SubjectPublicKeyInfo (id-ecPublicKey, prime256v1, a 66-byte BIT STRING follows). */
const P256_SPKI_PREFIX = [0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00];

/**
 * A P-256 public key as SPKI for WebCrypto, each coordinate written as exactly 32 bytes. (@oslojs/crypto 1.0.1's
 * encodePKIXUncompressed writes a y that starts with a zero byte shifted, padded at the end: a wrong key for about one
 * passkey in 256, found by the worker tests; tests/worker/passkeys.test.ts keeps a key of each kind.)
 */
function p256PublicKeyInfo(x: bigint, y: bigint): Uint8Array {
  const coordinate = (value: bigint) => Uint8Array.from(value.toString(16).padStart(64, "0").match(/../g)!, (hex) => parseInt(hex, 16));
  if (x >= 2n ** 256n || y >= 2n ** 256n) throw new RangeError("not a P-256 coordinate");
  return Uint8Array.from([...P256_SPKI_PREFIX, 0x04, ...coordinate(x), ...coordinate(y)]);
}

export interface NewPasskey { challenge: Uint8Array; credentialId: string; algorithm: PasskeyAlgorithm; publicKey: Uint8Array; signCount: number }

/** Checks a registration (navigator.credentials.create's answer) and returns the key to store, in SPKI form. */
export function verifyRegistration(input: { clientDataJSON: Uint8Array; attestationObject: Uint8Array }, rp: RelyingParty): Checked<NewPasskey> {
  const client = checkClientData(input.clientDataJSON, ClientDataType.Create, rp);
  if (!client.ok) return client;
  let attestation;
  try {
    attestation = parseAttestationObject(input.attestationObject);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const { authenticatorData } = attestation;
  const failure = checkAuthenticatorData(authenticatorData, rp);
  if (failure !== null) return { ok: false, reason: failure };
  const credential = authenticatorData.credential;
  if (credential === null) return { ok: false, reason: "malformed" };
  let algorithm: PasskeyAlgorithm;
  let publicKey: Uint8Array;
  try {
    const key = credential.publicKey;
    if (key.algorithm() === coseAlgorithmES256 && key.type() === COSEKeyType.EC2) {
      const ec2 = key.ec2();
      if (ec2.curve !== coseEllipticCurveP256) return { ok: false, reason: "algorithm" };
      algorithm = coseAlgorithmES256;
      publicKey = p256PublicKeyInfo(ec2.x, ec2.y);
    } else if (key.algorithm() === coseAlgorithmRS256 && key.type() === COSEKeyType.RSA) {
      const rsa = key.rsa();
      algorithm = coseAlgorithmRS256;
      publicKey = new RSAPublicKey(rsa.n, rsa.e).encodePKIX();
    } else return { ok: false, reason: "algorithm" };
  } catch {
    return { ok: false, reason: "malformed" };
  }
  return { ok: true, challenge: client.challenge, credentialId: encodeField(credential.id), algorithm, publicKey, signCount: authenticatorData.signatureCounter };
}

export interface Assertion { clientDataJSON: Uint8Array; authenticatorData: Uint8Array; signature: Uint8Array }

/**
 * Checks a sign-in (navigator.credentials.get's answer) against the stored key: client data, RP ID, flags and the
 * signature. Returns the challenge it answers (the caller spends it) and the authenticator's signature counter.
 */
export async function verifyAssertion(
  input: Assertion, rp: RelyingParty, stored: { algorithm: number; publicKey: Uint8Array },
): Promise<Checked<{ challenge: Uint8Array; signCount: number }>> {
  const client = checkClientData(input.clientDataJSON, ClientDataType.Get, rp);
  if (!client.ok) return client;
  let authenticatorData;
  try {
    authenticatorData = parseAuthenticatorData(input.authenticatorData);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const failure = checkAuthenticatorData(authenticatorData, rp);
  if (failure !== null) return { ok: false, reason: failure };
  const message = createAssertionSignatureMessage(input.authenticatorData, input.clientDataJSON);
  if (!(await verifySignature(stored.algorithm, stored.publicKey, input.signature, message))) return { ok: false, reason: "signature" };
  return { ok: true, challenge: client.challenge, signCount: authenticatorData.signatureCounter };
}

/** WebCrypto verification of `signature` over `message` by the SPKI `publicKey`; false for anything unreadable. */
async function verifySignature(algorithm: number, publicKeyBytes: Uint8Array, signatureBytes: Uint8Array, messageBytes: Uint8Array): Promise<boolean> {
  // WebCrypto's types want ArrayBuffer-backed views; copies made here are.
  const [publicKey, signature, message] = [publicKeyBytes, signatureBytes, messageBytes].map((bytes) => new Uint8Array(bytes));
  try {
    if (algorithm === coseAlgorithmES256) {
      // WebAuthn sends ECDSA signatures DER-encoded; WebCrypto wants r‖s.
      const raw = new Uint8Array(decodePKIXECDSASignature(signature!).encodeIEEEP1363(p256));
      const key = await crypto.subtle.importKey("spki", publicKey!, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, raw, message!);
    }
    if (algorithm === coseAlgorithmRS256) {
      const key = await crypto.subtle.importKey("spki", publicKey!, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
      return await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature!, message!);
    }
    return false;
  } catch {
    return false;
  }
}
