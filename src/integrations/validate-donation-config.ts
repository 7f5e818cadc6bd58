// An Astro integration that refuses to build (or start the dev server) with a donation setting that would lose
// money or confuse donors: an invalid BITCOIN_ADDRESS, or a bad DONATION_CURRENCY / DONATION_MIN / DONATION_MAX.
// A test (testnet) Bitcoin address passes with a warning: it works, and the donate page labels it as a test one.
// These are wrangler vars, so they are read from the process environment, then .dev.vars, then wrangler.toml's
// [vars] (the first that sets a key wins, as wrangler resolves them for local runs). Used by astro.config.mjs.
import type { AstroIntegration } from "astro";
import { AstroError } from "astro/errors";
import { checkBitcoinAddress } from "@functions/donations/bitcoin-address";
import { readDonationSettings, type DonationEnv } from "@functions/donations/config";
import { readDevVars, readProjectFile, readWranglerVars } from "./wrangler-vars";

/** The settings this check reads. */
export const DONATION_SETTING_KEYS = ["BITCOIN_ADDRESS", "DONATION_CURRENCY", "DONATION_MIN", "DONATION_MAX"] as const;
type Key = (typeof DONATION_SETTING_KEYS)[number];

type Sources = Array<{ name: string; vars: Partial<Record<Key, string>> }>;

/** Each key's value from the first source that sets it, with that source's name. */
function resolve(sources: Sources): Partial<Record<Key, { value: string; source: string }>> {
  const resolved: Partial<Record<Key, { value: string; source: string }>> = {};
  for (const source of sources) {
    for (const key of DONATION_SETTING_KEYS) {
      const value = source.vars[key];
      if (value !== undefined && resolved[key] === undefined) resolved[key] = { value, source: source.name };
    }
  }
  return resolved;
}

/** Settings that work but deserve a word: a test (testnet) Bitcoin address, which the donate page labels as one. */
export function donationConfigWarnings(sources: Sources): string[] {
  const bitcoin = resolve(sources).BITCOIN_ADDRESS;
  if (bitcoin === undefined) return [];
  const check = checkBitcoinAddress(bitcoin.value);
  if (!check.ok || check.network !== "test") return [];
  return [`BITCOIN_ADDRESS (from ${bitcoin.source}) is a testnet address: the donate page shows it labelled as a test address. Set a mainnet address (bc1…, 1… or 3…) to take real gifts.`];
}

/** Every problem with the donation settings, as sentences naming where the bad value came from. */
export function donationConfigProblems(sources: Sources): string[] {
  const resolved = resolve(sources);
  const problems: string[] = [];
  const bitcoin = resolved.BITCOIN_ADDRESS;
  if (bitcoin !== undefined && bitcoin.value.trim() !== "") {
    const check = checkBitcoinAddress(bitcoin.value);
    if (!check.ok) problems.push(`BITCOIN_ADDRESS (from ${bitcoin.source}) is not a valid Bitcoin address: ${check.reason}. Fix it or leave it empty to hide the Bitcoin section.`);
  }
  const settings: DonationEnv = {};
  for (const key of ["DONATION_CURRENCY", "DONATION_MIN", "DONATION_MAX"] as const) {
    const value = resolved[key]?.value;
    if (value !== undefined) settings[key] = value;
  }
  const { problems: settingProblems } = readDonationSettings(settings);
  problems.push(...settingProblems);
  return problems;
}

/** The integration: checks the settings when Astro sets up its config (dev, build, preview, check). */
export default function validateDonationConfig(): AstroIntegration {
  return {
    name: "smallism:validate-donation-config",
    hooks: {
      "astro:config:setup": ({ config, logger }) => {
        const fromEnv: Partial<Record<Key, string>> = {};
        for (const key of DONATION_SETTING_KEYS) {
          const value = process.env[key];
          if (value !== undefined) fromEnv[key] = value;
        }
        const sources: Sources = [
          { name: "the environment", vars: fromEnv },
          { name: ".dev.vars", vars: readDevVars(readProjectFile(config.root, ".dev.vars"), DONATION_SETTING_KEYS) },
          { name: "wrangler.toml [vars]", vars: readWranglerVars(readProjectFile(config.root, "wrangler.toml"), DONATION_SETTING_KEYS) },
        ];
        const problems = donationConfigProblems(sources);
        if (problems.length > 0) {
          throw new AstroError(
            `Donation settings are invalid:\n- ${problems.join("\n- ")}`,
            "Fix each setting where it is named (the environment, .dev.vars or wrangler.toml [vars]), or leave it empty to use the default. README: Donations.",
          );
        }
        for (const warning of donationConfigWarnings(sources)) logger.warn(warning);
        logger.debug("donation settings are valid");
      },
    },
  };
}
