// A software WebAuthn authenticator for tests that run without a browser (worker tests, the benchmark): it makes
// ES256 or RS256 key pairs with WebCrypto and writes the bytes a browser would send, with a tiny CBOR encoder for
// what WebAuthn needs (maps, integers, byte and text strings). Every field can be bent (origin, RP ID, flags,
// counter, signature) so tests can check that the server refuses each bent answer.
import { sha256 } from "@oslojs/crypto/sha2";
import { decodeIEEEP1363ECDSASignature, p256 } from "@oslojs/crypto/ecdsa";
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";

type Cbor = number | string | Uint8Array | Map<number | string, Cbor> | Record<string, never>;

function head(major: number, length: number): number[] {
  if (length < 24) return [(major << 5) | length];
  if (length < 256) return [(major << 5) | 24, length];
  if (length < 65536) return [(major << 5) | 25, length >> 8, length & 255];
  return [(major << 5) | 26, (length >>> 24) & 255, (length >> 16) & 255, (length >> 8) & 255, length & 255];
}

/** CBOR bytes of `value` (definite lengths only, as authenticators write them). */
export function encodeCbor(value: Cbor): Uint8Array {
  const out: number[] = [];
  const write = (item: Cbor) => {
    if (typeof item === "number") out.push(...(item >= 0 ? head(0, item) : head(1, -1 - item)));
    else if (typeof item === "string") {
      const bytes = new TextEncoder().encode(item);
      out.push(...head(3, bytes.length), ...bytes);
    } else if (item instanceof Uint8Array) out.push(...head(2, item.length), ...item);
    else if (item instanceof Map) {
      out.push(...head(5, item.size));
      for (const [key, entry] of item) { write(key); write(entry); }
    } else out.push(...head(5, 0));
  };
  write(value);
  return new Uint8Array(out);
}

const b64 = (bytes: Uint8Array | ArrayBuffer) => encodeBase64urlNoPadding(new Uint8Array(bytes));
const utf8 = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) { out.set(part, offset); offset += part.length; }
  return out;
};

export interface Bend {
  origin?: string; rpId?: string; userPresent?: boolean; userVerified?: boolean; signCount?: number; type?: string;
  /** Flip a bit of the signature. */
  tamper?: boolean; userHandle?: string;
}

export type Algorithm = "ES256" | "RS256";

/** One credential on the software authenticator. */
export class TestCredential {
  readonly id = crypto.getRandomValues(new Uint8Array(16));
  counter = 0;
  private constructor(readonly algorithm: Algorithm, private readonly keys: CryptoKeyPair, readonly userId: string) {}

  static async create(algorithm: Algorithm, userId: string): Promise<TestCredential> {
    const keys = algorithm === "ES256"
      ? await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])
      : await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"]);
    return new TestCredential(algorithm, keys as CryptoKeyPair, userId);
  }

  /** An ES256 credential whose public key's `coordinate` starts with a zero byte (about one key in 256). */
  static async createWithLeadingZero(userId: string, coordinate: "x" | "y"): Promise<TestCredential> {
    for (;;) {
      const credential = await TestCredential.create("ES256", userId);
      const jwk = (await crypto.subtle.exportKey("jwk", credential.keys.publicKey)) as JsonWebKey;
      if (decodeBase64urlIgnorePadding(jwk[coordinate]!)[0] === 0) return credential;
    }
  }

  get idText(): string { return b64(this.id); }

  private async coseKey(): Promise<Uint8Array> {
    const jwk = await crypto.subtle.exportKey("jwk", this.keys.publicKey) as JsonWebKey;
    const bytes = (text: string | undefined) => decodeBase64urlIgnorePadding(text!);
    return this.algorithm === "ES256"
      ? encodeCbor(new Map<number, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, bytes(jwk.x)], [-3, bytes(jwk.y)]]))
      : encodeCbor(new Map<number, Cbor>([[1, 3], [3, -257], [-1, bytes(jwk.n)], [-2, bytes(jwk.e)]]));
  }

  private authenticatorData(rpId: string, bend: Bend, attested: Uint8Array | null): Uint8Array {
    const flags = ((bend.userPresent ?? true) ? 1 : 0) | ((bend.userVerified ?? true) ? 4 : 0) | (attested ? 64 : 0);
    const count = bend.signCount ?? this.counter;
    return concat(sha256(utf8(bend.rpId ?? rpId)), new Uint8Array([flags, count >>> 24, (count >> 16) & 255, (count >> 8) & 255, count & 255]), attested ?? new Uint8Array());
  }

  private clientData(type: string, challenge: string, origin: string, bend: Bend): Uint8Array {
    return utf8(JSON.stringify({ type: bend.type ?? type, challenge, origin: bend.origin ?? origin, crossOrigin: false }));
  }

  /** The fields the account page's form posts for "Add a passkey" answering `challenge`. */
  async register(challenge: string, site: { rpId: string; origin: string }, bend: Bend = {}): Promise<{ clientDataJSON: string; attestationObject: string }> {
    const attested = concat(new Uint8Array(16), new Uint8Array([this.id.length >> 8, this.id.length & 255]), this.id, await this.coseKey());
    const authData = this.authenticatorData(site.rpId, bend, attested);
    const attestationObject = encodeCbor(new Map<string, Cbor>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]));
    return { clientDataJSON: b64(this.clientData("webauthn.create", challenge, site.origin, bend)), attestationObject: b64(attestationObject) };
  }

  /** The fields the sign-in page's form posts for "Sign in with a passkey" answering `challenge`; moves the counter on. */
  async assert(challenge: string, site: { rpId: string; origin: string }, bend: Bend = {}) {
    this.counter++;
    const authData = this.authenticatorData(site.rpId, bend, null);
    const clientDataJSON = this.clientData("webauthn.get", challenge, site.origin, bend);
    const message = concat(authData, sha256(clientDataJSON));
    let signature: Uint8Array = this.algorithm === "ES256"
      ? decodeIEEEP1363ECDSASignature(p256, new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, this.keys.privateKey, message))).encodePKIX()
      : new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", this.keys.privateKey, message));
    if (bend.tamper) {
      signature = new Uint8Array(signature);
      signature[signature.length - 1] = signature[signature.length - 1]! ^ 1;
    }
    return {
      credentialId: this.idText, clientDataJSON: b64(clientDataJSON), authenticatorData: b64(authData), signature: b64(signature),
      userHandle: bend.userHandle ?? b64(utf8(this.userId)),
    };
  }
}
