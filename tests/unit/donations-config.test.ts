// Pure donation rules in Node: amount parsing and bounds, money formatting, settings from env, the Bitcoin
// address validator, the build-time config check, and the QR code (decoded back with jsqr).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import jsQR from "jsqr";
import { ROOT } from "@tests/build/dist";
import { formatMoney, parseAmount, readDonationSettings } from "@functions/donations/config";
import { checkBitcoinAddress, configuredBitcoinAddress } from "@functions/donations/bitcoin-address";
import { bitcoinUri, qrSvgPath } from "@functions/donations/bitcoin-qr";
import { DONATION_SETTING_KEYS, donationConfigProblems, donationConfigWarnings } from "@src/integrations/validate-donation-config";
import { readDevVars, readWranglerVars } from "@src/integrations/wrangler-vars";
import { cardUnavailableNotice, cardUnavailableProblem } from "@functions/donations/ways-to-give";

describe("parseAmount (integer minor units, no floats)", () => {
  it.each([
    ["12", 1200], ["12.50", 1250], ["12.5", 1250], ["0.01", 1], ["£5", 500], ["1,000.10", 100_010], ["999999999.99", 99_999_999_999],
  ])("%j → %i", (input, minor) => expect(parseAmount(input, 2)).toEqual({ ok: true, minor }));

  it.each([
    ["", "empty"], ["12.345", "fraction"], ["0", "zero"], ["0.00", "zero"], ["-1", "format"], ["+1", "format"], ["1e2", "format"],
    ["12,34", "format"], [".5", "format"], ["5.", "format"], ["1 000", "format"], ["NaN", "format"], ["9".repeat(17), "format"], ["1234567890", "format"],
  ])("%j → %s", (input, reason) => expect(parseAmount(input, 2)).toEqual({ ok: false, reason }));

  it("zero-decimal currencies take whole amounts only", () => {
    expect(parseAmount("1200", 0)).toEqual({ ok: true, minor: 1200 });
    expect(parseAmount("12.5", 0)).toEqual({ ok: false, reason: "fraction" });
  });
});

describe("formatMoney", () => {
  it.each([
    [1250, "gbp", "£12.50"], [1000, "gbp", "£10"], [1_000_000, "gbp", "£10,000"], [500, "eur", "€5"], [1200, "jpy", "JP¥1,200"],
  ])("%i %s → %s", (minor, currency, text) => expect(formatMoney(minor, currency)).toBe(text));
});

describe("readDonationSettings", () => {
  it("defaults to GBP, £1 to £10,000", () => {
    expect(readDonationSettings({})).toEqual({ settings: { currency: "gbp", fractionDigits: 2, minMinor: 100, maxMinor: 1_000_000 }, problems: [] });
  });
  it("reads currency and bounds", () => {
    expect(readDonationSettings({ DONATION_CURRENCY: "USD", DONATION_MIN: "2.50", DONATION_MAX: "500" }).settings).toEqual({ currency: "usd", fractionDigits: 2, minMinor: 250, maxMinor: 50_000 });
    expect(readDonationSettings({ DONATION_CURRENCY: "jpy", DONATION_MIN: "100", DONATION_MAX: "100000" }).settings).toEqual({ currency: "jpy", fractionDigits: 0, minMinor: 100, maxMinor: 100_000 });
  });
  it.each([
    [{ DONATION_CURRENCY: "pounds" }, /DONATION_CURRENCY/],
    [{ DONATION_MIN: "-1" }, /DONATION_MIN/],
    [{ DONATION_MAX: "lots" }, /DONATION_MAX/],
    [{ DONATION_MAX: "99999999999" }, /DONATION_MAX/],
    [{ DONATION_MIN: "50", DONATION_MAX: "10" }, /larger than DONATION_MAX/],
  ])("names a bad setting %j and falls back to defaults", (env, message) => {
    const { settings, problems } = readDonationSettings(env);
    expect(problems.join(" ")).toMatch(message);
    expect(settings.minMinor).toBeLessThanOrEqual(settings.maxMinor);
  });
});

describe("checkBitcoinAddress", () => {
  it.each([
    ["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "segwit-v0"],
    ["BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", "segwit-v0"],
    ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "taproot"],
    ["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "p2pkh"],
    ["3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "p2sh"],
  ])("accepts %s (%s) as a mainnet address", (address, kind) => expect(checkBitcoinAddress(address)).toMatchObject({ ok: true, kind, network: "mainnet" }));

  // BIP 173's and BIP 350's testnet/regtest vectors, and testnet base58 addresses: valid, and marked as test ones.
  it.each([
    ["tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "segwit-v0"],
    ["tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "segwit-v0"],
    ["tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "taproot"],
    ["bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", "segwit-v0"],
    ["mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "p2pkh"],
    ["2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", "p2sh"],
  ])("accepts %s (%s) as a test address", (address, kind) => expect(checkBitcoinAddress(address)).toMatchObject({ ok: true, kind, network: "test" }));

  it("the sample settings' address (.dev.vars.example) is a valid test address", () => {
    const sample = /^BITCOIN_ADDRESS=(\S+)$/m.exec(readFileSync(join(ROOT, ".dev.vars.example"), "utf8"))?.[1];
    expect(checkBitcoinAddress(sample ?? "")).toMatchObject({ ok: true, network: "test" });
  });

  it.each([
    ["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr", /checksum/],
    ["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5md", /checksum/],
    ["bc1qAr0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", /mixes/],
    ["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mbq", /"b"|checksum/],
    // The BIP 350 test vector: a version 1 program with a bech32 (not bech32m) checksum.
    ["bc1pw508d6qejxtdg4c3l4s3wpf7mnms8ryhv6pt7r", /checksum|bech32m|length/],
    // The BIP 173 mainnet vector's data under the testnet prefix: the checksum covers the prefix.
    ["tb1qw508d6qejxtdg4c3l4s3wpf7mnms8ryhv6pt7r", /checksum/],
    ["ltc1qw508d6qejxtdg4c3l4s3wpf7mnms8ryhv6pt7r", /does not start like/],
    ["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", /checksum/],
    ["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0", /character/],
    ["mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfm", /checksum/],
    ["0x52908400098527886E0F7030069857D2E4169EE7", /does not start like/],
    ["", /empty/],
    ["bc1" + "q".repeat(100), /longer/],
  ])("refuses %s", (address, reason) => {
    const check = checkBitcoinAddress(address);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });

  it("an invalid configured address only hides the section at run time; a test address is usable and marked", () => {
    expect(configuredBitcoinAddress(undefined)).toEqual({ state: "unset" });
    expect(configuredBitcoinAddress("  ")).toEqual({ state: "unset" });
    expect(configuredBitcoinAddress("bc1qnotanaddress")).toMatchObject({ state: "invalid", reason: expect.stringMatching(/"o"/) });
    expect(configuredBitcoinAddress(" bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq ")).toEqual({ state: "usable", address: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", test: false });
    expect(configuredBitcoinAddress("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx")).toEqual({ state: "usable", address: "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", test: true });
  });
});

describe("the build-time config check (src/integrations/validate-donation-config.ts)", () => {
  const toml = `name = "smallism"\n[vars]\nSITE_URL = "https://smallism.org"\nBITCOIN_ADDRESS = "bc1qnotvalid" # comment\nDONATION_MAX = '500'\n\n[observability]\nBITCOIN_ADDRESS = "ignored"\n`;

  it("reads only the [vars] table of wrangler.toml", () => {
    expect(readWranglerVars(toml, DONATION_SETTING_KEYS)).toEqual({ BITCOIN_ADDRESS: "bc1qnotvalid", DONATION_MAX: "500" });
    expect(readDevVars('BITCOIN_ADDRESS="1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"\nOTHER=1\n', DONATION_SETTING_KEYS)).toEqual({ BITCOIN_ADDRESS: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa" });
  });

  it("fails with a message naming the key, the source and the reason", () => {
    const problems = donationConfigProblems([{ name: "wrangler.toml [vars]", vars: readWranglerVars(toml, DONATION_SETTING_KEYS) }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/BITCOIN_ADDRESS \(from wrangler\.toml \[vars\]\) is not a valid Bitcoin address/);
  });

  it("the environment overrides the files, and empty or valid values pass", () => {
    const files = { name: "wrangler.toml [vars]", vars: readWranglerVars(toml, DONATION_SETTING_KEYS) };
    expect(donationConfigProblems([{ name: "the environment", vars: { BITCOIN_ADDRESS: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq" } }, files])).toEqual([]);
    expect(donationConfigProblems([{ name: "the environment", vars: { BITCOIN_ADDRESS: "" } }, files])).toEqual([]);
    expect(donationConfigProblems([{ name: "the environment", vars: { DONATION_CURRENCY: "pounds" } }]).join()).toMatch(/DONATION_CURRENCY/);
  });
});

describe("a test Bitcoin address in the settings", () => {
  it("passes the build-time check with a warning naming its source; a mainnet address gets none", () => {
    const sources = [{ name: ".dev.vars", vars: { BITCOIN_ADDRESS: "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx" } }];
    expect(donationConfigProblems(sources)).toEqual([]);
    expect(donationConfigWarnings(sources)).toEqual([expect.stringMatching(/^BITCOIN_ADDRESS \(from \.dev\.vars\) is a testnet address/)]);
    expect(donationConfigWarnings([{ name: ".dev.vars", vars: { BITCOIN_ADDRESS: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq" } }])).toEqual([]);
    expect(donationConfigWarnings([{ name: ".dev.vars", vars: {} }])).toEqual([]);
  });
});

describe("the donate page's words when card donations are off", () => {
  it.each([
    [{ bitcoin: true, brave: true }, /give by Bitcoin or through Brave Rewards below/],
    [{ bitcoin: true, brave: false }, /give by Bitcoin below/],
    [{ bitcoin: false, brave: true }, /through Brave Rewards below/],
  ])("name only the ways that are set up: %j", (ways, expected) => {
    const all = { card: false, ...ways };
    expect(cardUnavailableNotice(all)).toMatch(expected);
    expect(cardUnavailableProblem(all)).toMatch(expected);
    if (!ways.bitcoin) expect(cardUnavailableNotice(all)).not.toMatch(/Bitcoin/);
    if (!ways.brave) expect(cardUnavailableNotice(all)).not.toMatch(/Brave/);
  });

  it("with nothing set up (a fresh clone), point at nothing below", () => {
    const none = { card: false, bitcoin: false, brave: false };
    expect(cardUnavailableNotice(none)).toMatch(/no other way of giving is either/);
    expect(`${cardUnavailableNotice(none)} ${cardUnavailableProblem(none)}`).not.toMatch(/below|Bitcoin|Brave/);
  });
});

describe("the Bitcoin QR code", () => {
  it("decodes (jsqr) to the bitcoin: URI of the address", () => {
    const address = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    const { size, path } = qrSvgPath(bitcoinUri(address));
    const scale = 8;
    const width = size * scale;
    const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
    for (const match of path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
      const [x, y] = [Number(match[1]), Number(match[2])];
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const offset = ((y * scale + dy) * width + x * scale + dx) * 4;
          pixels[offset] = pixels[offset + 1] = pixels[offset + 2] = 0;
        }
      }
    }
    expect(jsQR(pixels, width, width)?.data).toBe(`bitcoin:${address}`);
  });
});
