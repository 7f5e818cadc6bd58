// functions/auth/tokens.ts: the random tokens (sessions, reset links), their SHA-256 hashes, the constant-time
// comparison, and the 8-character verification codes people type from an email (no 0/O/1/I/L, uniform).
import { describe, expect, it } from "vitest";
import { constantTimeEqual, generateCode, generateToken, hashToken, keyedHash, normaliseCode } from "@functions/auth/tokens";

const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

describe("generateToken", () => {
  it.each([
    [1, 2], [5, 8], [16, 26], [20, 32], [32, 52],
  ])("%i bytes → %i lower-case base32 characters, no padding", (bytes, length) => {
    const token = generateToken(bytes);
    expect(token).toHaveLength(length);
    expect(token).toMatch(/^[a-z2-7]+$/);
  });

  it("defaults to 20 bytes (160 bits)", () => expect(generateToken()).toMatch(/^[a-z2-7]{32}$/));

  it("does not repeat across 10,000 tokens, and uses the whole alphabet", () => {
    const tokens = Array.from({ length: 10_000 }, () => generateToken());
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(new Set(tokens.join("")).size).toBe(32);
  });
});

describe("hashToken", () => {
  it.each([
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ])("SHA-256 of %j as lower-case hex", (input, hex) => {
    expect(hashToken(input)).toBe(hex);
  });

  it("hashes UTF-8 bytes, and a token never equals its hash", () => {
    const token = generateToken();
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toBe(token);
    expect(hashToken("é")).not.toBe(hashToken("e\u0301"));
  });
});

describe("constantTimeEqual", () => {
  it.each([
    ["equal", "abc", "abc", true],
    ["equal tokens", "mfrggzdfmztwq2lk", "mfrggzdfmztwq2lk", true],
    ["both empty", "", "", true],
    ["different, same length", "abc", "abd", false],
    ["different first character", "xbc", "abc", false],
    ["case differs", "abc", "ABC", false],
    ["prefix", "abc", "abcd", false],
    ["longer first", "abcd", "abc", false],
    ["one empty", "", "a", false],
    ["other empty", "a", "", false],
    ["same UTF-16 length, different UTF-8 bytes", "é", "e", false],
    ["composed vs decomposed", "é", "e\u0301", false],
    ["equal non-ASCII", "Łódź", "Łódź", true],
  ])("%s: %j vs %j → %s", (_label, a, b, expected) => {
    expect(constantTimeEqual(a, b)).toBe(expected);
    expect(constantTimeEqual(b, a)).toBe(expected);
  });
});

describe("generateCode", () => {
  it("is 8 characters from the hand-typing alphabet (no 0, O, 1, I or L)", () => {
    for (let i = 0; i < 1000; i++) {
      const code = generateCode();
      expect(code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
      expect(code).not.toMatch(/[0O1IL]/);
    }
  });

  it("the alphabet has 31 symbols", () => {
    expect(CODE_ALPHABET).toHaveLength(31);
    expect(new Set(CODE_ALPHABET).size).toBe(31);
  });

  it.each([[4], [6], [12]])("length %i when asked", (length) => {
    expect(generateCode(length)).toHaveLength(length);
  });

  it("is uniform over the 31 symbols (chi-square over 31,000 codes = 248,000 characters)", () => {
    const counts = new Map<string, number>([...CODE_ALPHABET].map((symbol) => [symbol, 0]));
    const strangers = new Set<string>();
    let total = 0;
    for (let i = 0; i < 31_000; i++) {
      for (const symbol of generateCode()) {
        const count = counts.get(symbol);
        if (count === undefined) strangers.add(symbol);
        else counts.set(symbol, count + 1);
        total++;
      }
    }
    expect([...strangers]).toEqual([]);
    const expected = total / 31;
    const chiSquare = [...counts.values()].reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 30 degrees of freedom: mean 30, P(χ² > 90) < 1e-7. A plain `byte % 31` without rejection (8 symbols with
    // probability 9/256 instead of 8/256) scores about 700 here.
    expect(chiSquare, JSON.stringify(Object.fromEntries(counts))).toBeLessThan(90);
    expect(Math.min(...counts.values())).toBeGreaterThan(expected * 0.9);
    expect(Math.max(...counts.values())).toBeLessThan(expected * 1.1);
  });

  it("different codes in a row (1,000 draws, birthday bound ~6e-10)", () => {
    const codes = Array.from({ length: 1000 }, () => generateCode());
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe("normaliseCode", () => {
  it.each([
    ["ABCD2345", "ABCD2345"],
    ["abcd2345", "ABCD2345"],
    ["abcd-2345", "ABCD2345"],
    ["ABCD 2345", "ABCD2345"],
    ["  abcd2345  ", "ABCD2345"],
    ["ab-cd 23-45", "ABCD2345"],
    ["abcd\t2345\n", "ABCD2345"],
    ["abcd--2345", "ABCD2345"],
    ["", ""],
    ["---", ""],
  ])("%j → %j", (input, expected) => {
    expect(normaliseCode(input)).toBe(expected);
  });

  it("a generated code survives the way people retype it", () => {
    const code = generateCode();
    expect(normaliseCode(`${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`)).toBe(code);
  });
});

describe("keyedHash", () => {
  it("is HMAC-SHA-256 (RFC 4231 test case 2 shape) over purpose and value, as hex", async () => {
    // Cross-checked with WebCrypto's HMAC, an independent implementation.
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("Jefe"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const expected = Buffer.from(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode("throttle\nwhat do ya want for nothing?"))).toString("hex");
    expect(keyedHash("Jefe", "throttle", "what do ya want for nothing?")).toBe(expected);
  });

  it("differs by secret and by purpose, so a throttle key and a log tag of one address never match", () => {
    const value = "198.51.100.7";
    const keys = new Set([keyedHash("a", "throttle", value), keyedHash("b", "throttle", value), keyedHash("a", "network", value), hashToken(value)]);
    expect(keys.size).toBe(4);
  });
});
