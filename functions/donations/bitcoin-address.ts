// Checks the configured BITCOIN_ADDRESS before anyone sends money to it: SegWit addresses (bc1…) by their
// bech32 (v0, BIP 173) or bech32m (v1+, BIP 350) checksum and witness-program rules, legacy (1…) and P2SH (3…)
// addresses by their base58check checksum. Testnet and regtest addresses (tb1…, bcrt1…, m…, n…, 2…) pass too, as
// *test* addresses: the sample settings use one so every way of giving shows locally, and the donate page labels
// such an address as a test one (mainnet wallets refuse to pay it, so no real money can go there).
// Used by the build-time check (src/integrations/validate-donation-config.ts) and the donate page.
import { sha256 } from "@oslojs/crypto/sha2";
import { logger } from "@functions/log";

export type BitcoinNetwork = "mainnet" | "test";

export type BitcoinAddressCheck =
  | { ok: true; address: string; kind: "p2pkh" | "p2sh" | "segwit-v0" | "taproot" | "segwit"; network: BitcoinNetwork }
  | { ok: false; reason: string };

const BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_CONST = 1;
const BECH32M_CONST = 0x2bc830a3;
const BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** BIP 173's checksum polynomial over 5-bit values. */
function bech32Polymod(values: number[]): number {
  const generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) checksum ^= generator[i]!;
  }
  return checksum >>> 0;
}

/** The human-readable part expanded for the checksum (BIP 173). */
function hrpExpand(hrp: string): number[] {
  const codes = [...hrp].map((char) => char.charCodeAt(0));
  return [...codes.map((code) => code >> 5), 0, ...codes.map((code) => code & 31)];
}

/** Regroups bits (5 → 8 here) without padding; null when the leftover bits are not a valid zero padding. */
function convertBits(data: number[], from: number, to: number): number[] | null {
  let accumulator = 0;
  let bits = 0;
  const result: number[] = [];
  const maxValue = (1 << to) - 1;
  for (const value of data) {
    accumulator = (accumulator << from) | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      result.push((accumulator >> bits) & maxValue);
    }
    accumulator &= (1 << bits) - 1;
  }
  if (bits >= from || ((accumulator << (to - bits)) & maxValue) !== 0) return null;
  return result;
}

/** Checks a bc1… address (BIP 173 / BIP 350). */
function checkSegwit(address: string): BitcoinAddressCheck {
  if (address.length > 90) return { ok: false, reason: "it is longer than any SegWit address (90 characters)" };
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) return { ok: false, reason: "it mixes upper- and lower-case letters" };
  const lower = address.toLowerCase();
  const separator = lower.lastIndexOf("1");
  const hrp = lower.slice(0, separator);
  if (hrp !== "bc" && hrp !== "tb" && hrp !== "bcrt") return { ok: false, reason: `its prefix "${hrp}" is not bc (or tb/bcrt for a test address)` };
  const network: BitcoinNetwork = hrp === "bc" ? "mainnet" : "test";
  const data: number[] = [];
  for (const char of lower.slice(separator + 1)) {
    const value = BECH32_CHARSET.indexOf(char);
    if (value === -1) return { ok: false, reason: `it contains "${char}", which no bech32 address has` };
    data.push(value);
  }
  if (data.length < 7) return { ok: false, reason: "it is too short" };
  const constant = bech32Polymod([...hrpExpand(hrp), ...data]);
  if (constant !== BECH32_CONST && constant !== BECH32M_CONST) return { ok: false, reason: "its checksum is wrong (a character is mistyped or missing)" };
  const version = data[0]!;
  if (version > 16) return { ok: false, reason: "its witness version is not valid" };
  const program = convertBits(data.slice(1, -6), 5, 8);
  if (program === null || program.length < 2 || program.length > 40) return { ok: false, reason: "its witness program has an invalid length" };
  if (version === 0) {
    if (constant !== BECH32_CONST) return { ok: false, reason: "a version 0 address must use bech32, not bech32m" };
    if (program.length !== 20 && program.length !== 32) return { ok: false, reason: "a version 0 program must be 20 or 32 bytes" };
    return { ok: true, address: lower, kind: "segwit-v0", network };
  }
  if (constant !== BECH32M_CONST) return { ok: false, reason: "an address of version 1 or above must use bech32m (BIP 350)" };
  return { ok: true, address: lower, kind: version === 1 && program.length === 32 ? "taproot" : "segwit", network };
}

/** Decodes base58 text to bytes (leading "1"s are zero bytes); null on a character outside the alphabet. */
function decodeBase58(text: string): Uint8Array | null {
  const bytes: number[] = [];
  for (const char of text) {
    let carry = BASE58_ALPHABET.indexOf(char);
    if (carry === -1) return null;
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i]! * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (const char of text) {
    if (char !== "1") break;
    bytes.push(0);
  }
  return Uint8Array.from(bytes.reverse());
}

/** Checks a legacy (1…) or P2SH (3…) address by its base58check checksum and version byte. */
function checkBase58(address: string): BitcoinAddressCheck {
  if (address.length < 26 || address.length > 35) return { ok: false, reason: "it is not 26 to 35 characters long" };
  const bytes = decodeBase58(address);
  if (bytes === null) return { ok: false, reason: "it contains a character base58 does not use (0, O, I or l)" };
  if (bytes.length !== 25) return { ok: false, reason: "it does not decode to 25 bytes" };
  const payload = bytes.subarray(0, 21);
  const checksum = sha256(sha256(payload)).subarray(0, 4);
  if (!checksum.every((byte, i) => byte === bytes[21 + i])) return { ok: false, reason: "its checksum is wrong (a character is mistyped or missing)" };
  if (bytes[0] === 0x00) return { ok: true, address, kind: "p2pkh", network: "mainnet" };
  if (bytes[0] === 0x05) return { ok: true, address, kind: "p2sh", network: "mainnet" };
  if (bytes[0] === 0x6f) return { ok: true, address, kind: "p2pkh", network: "test" };
  if (bytes[0] === 0xc4) return { ok: true, address, kind: "p2sh", network: "test" };
  return { ok: false, reason: "its version byte is not a Bitcoin address's" };
}

/** Checks a Bitcoin address (mainnet, or test: see the header); the reason says what is wrong in words an owner can act on. */
export function checkBitcoinAddress(input: string): BitcoinAddressCheck {
  const address = input.trim();
  if (address === "") return { ok: false, reason: "it is empty" };
  if (/^(bc|tb|bcrt)1/i.test(address)) return checkSegwit(address);
  if (/^[123mn]/.test(address)) return checkBase58(address);
  return { ok: false, reason: "it does not start like a Bitcoin address (bc1…, 1… or 3…)" };
}

export interface UsableBitcoinAddress {
  address: string;
  /** A testnet/regtest address: the page says it is for trying the site out and must not be paid. */
  test: boolean;
}

export type ConfiguredBitcoinAddress =
  | { state: "unset" }
  | { state: "invalid"; reason: string }
  | ({ state: "usable" } & UsableBitcoinAddress);

let loggedInvalid = false;

/**
 * What the configured BITCOIN_ADDRESS gives the donate page. An invalid value is logged once per instance and the
 * Bitcoin section hidden (the build and the dev server refuse one at start; this covers a value that reaches a
 * running Worker another way: .dev.vars edited while `npm run dev` runs, or a variable set in the dashboard).
 */
export function configuredBitcoinAddress(configured: string | undefined): ConfiguredBitcoinAddress {
  if (configured === undefined || configured.trim() === "") return { state: "unset" };
  const check = checkBitcoinAddress(configured);
  if (check.ok) return { state: "usable", address: check.address, test: check.network === "test" };
  if (!loggedInvalid) {
    loggedInvalid = true;
    logger("donations").error("bitcoin.invalid_address", { message: `BITCOIN_ADDRESS is not a valid Bitcoin address: ${check.reason}. The Bitcoin section is hidden.` });
  }
  return { state: "invalid", reason: check.reason };
}
