// Password hashing inside workerd (node:crypto scrypt under nodejs_compat): the PHC string format, verification,
// old parameters still verifying (and flagged for rehash), unreadable hashes. The policy: password-policy.test.ts.
import { describe, expect, it } from "vitest";
import {
  hashPassword, needsRehash, SCRYPT_PARAMS, verifyDummyPassword, verifyPassword, DUMMY_HASH,
} from "@functions/auth/passwords";

const PHC = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/;

describe("hashPassword", () => {
  it("writes a PHC string carrying ln, r, p, a 16-byte salt and a 32-byte key", async () => {
    const hash = await hashPassword("correct horse battery staple");
    const match = PHC.exec(hash);
    expect(match, hash).not.toBeNull();
    expect(match!.slice(1, 4).map(Number)).toEqual([SCRYPT_PARAMS.ln, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
    // OWASP minimum for scrypt (N=2^15, r=8, p>=1) and the Workers cap N·r·p <= 2^20.
    expect(SCRYPT_PARAMS.ln).toBeGreaterThanOrEqual(15);
    expect(SCRYPT_PARAMS.r).toBeGreaterThanOrEqual(8);
    expect(2 ** SCRYPT_PARAMS.ln * SCRYPT_PARAMS.r * SCRYPT_PARAMS.p).toBeLessThanOrEqual(2 ** 20);
    expect(Buffer.from(match![4]!, "base64")).toHaveLength(16);
    expect(Buffer.from(match![5]!, "base64")).toHaveLength(32);
    expect(needsRehash(hash)).toBe(false);
  });

  it("salts every hash: the same password twice gives two different strings", async () => {
    const [a, b] = await Promise.all([hashPassword("same password here"), hashPassword("same password here")]);
    expect(a).not.toBe(b);
    expect(PHC.exec(a)![4]).not.toBe(PHC.exec(b)![4]);
  });
});

describe("verifyPassword", () => {
  it("accepts the right password and refuses wrong ones (one character, case, extra space, empty)", async () => {
    const hash = await hashPassword("Tidal orchard 42 lanterns");
    expect(await verifyPassword(hash, "Tidal orchard 42 lanterns")).toBe(true);
    for (const wrong of ["Tidal orchard 42 lanternz", "tidal orchard 42 lanterns", "Tidal orchard 42 lanterns ", ""]) {
      expect(await verifyPassword(hash, wrong), JSON.stringify(wrong)).toBe(false);
    }
  });

  it("treats NFC and NFD spellings of the same password as equal (NFKC before hashing)", async () => {
    const hash = await hashPassword("café au lait, s'il vous plaît".normalize("NFC"));
    expect(await verifyPassword(hash, "café au lait, s'il vous plaît".normalize("NFD"))).toBe(true);
  });

  it("still verifies a hash made with other (older, cheaper) parameters, which needsRehash flags", async () => {
    const old = await hashPassword("an older pass phrase", { ln: 14, r: 8, p: 1 });
    expect(old.startsWith("$scrypt$ln=14,r=8,p=1$")).toBe(true);
    expect(await verifyPassword(old, "an older pass phrase")).toBe(true);
    expect(await verifyPassword(old, "an older pass phrasE")).toBe(false);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(`$scrypt$ln=${SCRYPT_PARAMS.ln},r=${SCRYPT_PARAMS.r},p=${SCRYPT_PARAMS.p + 1}$AAAA$AAAA`)).toBe(true);
  });

  it("returns false (never throws, never true) for unreadable or tampered hashes", async () => {
    const good = await hashPassword("pass phrase for tampering");
    const parts = good.split("$");
    const flippedKey = Buffer.from(parts[4]!, "base64");
    flippedKey[0] = flippedKey[0]! ^ 1;
    const unreadable = [
      "",
      "x",
      "plaintext-password",
      "$2b$12$abcdefghijklmnopqrstuu5cQ0yRkZ2Qj8qXwJjv1pXh6k4R0p1q", // bcrypt
      "$scrypt$ln=15,r=8$c2FsdA==$a2V5", // no p
      "$scrypt$ln=15,r=8,p=3$c2FsdA==", // no key
      "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$a2V5",
      good.replace("$scrypt$", "$SCRYPT$"),
      `${good}$extra`,
      [parts[0], parts[1], parts[2], parts[3], flippedKey.toString("base64")].join("$"), // wrong key, same length
      [parts[0], parts[1], parts[2], parts[3], Buffer.from("short").toString("base64")].join("$"), // key of another length
    ];
    for (const hash of unreadable) {
      await expect(verifyPassword(hash, "pass phrase for tampering"), hash).resolves.toBe(false);
    }
  });

  it("returns false (does not throw) for a PHC string whose parameters scrypt cannot run", async () => {
    // A corrupted or hand-edited row must fail the sign-in cleanly, not turn it into a 500.
    const hostile = [
      "$scrypt$ln=99,r=8,p=3$c2FsdA==$a2V5", "$scrypt$ln=15,r=0,p=3$c2FsdA==$a2V5", "$scrypt$ln=15,r=8,p=0$c2FsdA==$a2V5",
      "$scrypt$ln=15,r=32,p=1$c2FsdA==$a2V5", // 128 MiB of scrypt memory: a Worker's whole allowance
    ];
    for (const hash of hostile) {
      await expect(verifyPassword(hash, "pass phrase for tampering"), hash).resolves.toBe(false);
    }
  });

  it("the precomputed dummy hash is a real hash at today's parameters (so it costs what a real check costs)", async () => {
    expect(needsRehash(DUMMY_HASH)).toBe(false);
    await expect(verifyPassword(DUMMY_HASH, "not-a-real-password-for-timing-only")).resolves.toBe(true);
  });

  it("verifyDummyPassword always resolves to false", async () => {
    await expect(verifyDummyPassword("not-a-real-password-for-timing-only")).resolves.toBe(false);
    await expect(verifyDummyPassword("anything at all")).resolves.toBe(false);
  });
});

