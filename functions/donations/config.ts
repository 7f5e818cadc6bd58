// Donation settings read from the environment (DONATION_CURRENCY, DONATION_MIN, DONATION_MAX) and money
// formatting. Used by getDonationSettings() (src/lib/runtime.ts), the donate and thank-you pages, the account
// page's donation list and the build-time config check (src/integrations/validate-donation-config.ts), so a bad
// setting fails the build with the same message that the Worker logs at run time.
import { logger } from "@functions/log";

/** Currencies Stripe counts in whole units (no minor unit): amounts are sent to Stripe as they are. */
const ZERO_DECIMAL_CURRENCIES = new Set([
  "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
]);

export interface DonationSettings {
  /** Lower-case ISO 4217 code, as Stripe wants it. */
  currency: string;
  /** Digits after the decimal point in this currency (2 for GBP, 0 for JPY). */
  fractionDigits: 0 | 2;
  /** Smallest and largest donation, in minor units. */
  minMinor: number;
  maxMinor: number;
}

/** The settings as the Worker's env holds them; any may be unset (and the build-time check passes only those set). */
export type DonationEnv = Partial<Pick<Env, "DONATION_CURRENCY" | "DONATION_MIN" | "DONATION_MAX">>;

export const DEFAULT_SETTINGS: DonationSettings = { currency: "gbp", fractionDigits: 2, minMinor: 100, maxMinor: 1_000_000 };

/** The largest amount anyone may configure (Stripe's own ceiling for a Checkout amount is 99,999,999 minor units). */
const CONFIG_CEILING_MINOR = 99_999_999;

export type SettingsResult = { settings: DonationSettings; problems: string[] };

/** Reads the donation settings; any bad value is named in `problems` and replaced by its default. */
export function readDonationSettings(env: DonationEnv): SettingsResult {
  const problems: string[] = [];
  let currency = DEFAULT_SETTINGS.currency;
  const rawCurrency = env.DONATION_CURRENCY?.trim();
  if (rawCurrency) {
    if (/^[A-Za-z]{3}$/.test(rawCurrency)) currency = rawCurrency.toLowerCase();
    else problems.push(`DONATION_CURRENCY must be a three-letter ISO 4217 code such as GBP (got "${rawCurrency.slice(0, 20)}").`);
  }
  const fractionDigits: 0 | 2 = ZERO_DECIMAL_CURRENCIES.has(currency) ? 0 : 2;
  const scale = fractionDigits === 2 ? 100 : 1;
  const bound = (name: "DONATION_MIN" | "DONATION_MAX", fallbackMajor: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallbackMajor * scale;
    const parsed = parseAmount(raw, fractionDigits);
    if (parsed.ok && parsed.minor <= CONFIG_CEILING_MINOR) return parsed.minor;
    problems.push(`${name} must be a positive amount in ${currency.toUpperCase()} such as 5 or 2.50 (got "${raw.slice(0, 20)}").`);
    return fallbackMajor * scale;
  };
  let minMinor = bound("DONATION_MIN", 1);
  let maxMinor = bound("DONATION_MAX", 10_000);
  if (minMinor > maxMinor) {
    problems.push("DONATION_MIN is larger than DONATION_MAX; using the defaults (1 to 10,000).");
    minMinor = 1 * scale;
    maxMinor = 10_000 * scale;
  }
  return { settings: { currency, fractionDigits, minMinor, maxMinor }, problems };
}

let loggedProblems = false;

/** The settings for this Worker; bad values are logged once per instance (the build refuses them earlier). */
export function donationSettingsFromEnv(env: DonationEnv): DonationSettings {
  const { settings, problems } = readDonationSettings(env);
  if (problems.length > 0 && !loggedProblems) {
    loggedProblems = true;
    for (const problem of problems) logger("donations").error("config.invalid", { message: problem });
  }
  return settings;
}

export type AmountParse = { ok: true; minor: number } | { ok: false; reason: "empty" | "format" | "fraction" | "zero" };

/** The longest amount text we look at; anything longer is not an amount a person typed. */
export const MAX_AMOUNT_LENGTH = 16;

/**
 * Parses a typed amount ("12", "12.50", "£1,000") into minor units with integer arithmetic only.
 * Refuses signs, exponents, more decimals than the currency has (12.345) and anything but digits.
 */
export function parseAmount(input: string, fractionDigits: 0 | 2): AmountParse {
  let text = input.trim();
  if (text === "") return { ok: false, reason: "empty" };
  if (text.length > MAX_AMOUNT_LENGTH) return { ok: false, reason: "format" };
  text = text.replace(/^[£$€¥]\s?/u, "");
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(text);
  if (match === null) return { ok: false, reason: "format" };
  const whole = match[1]!.replace(/,/g, "");
  const fraction = match[2] ?? "";
  if (fraction.length > fractionDigits) return { ok: false, reason: "fraction" };
  if (whole.length > 9) return { ok: false, reason: "format" };
  const minor = Number(whole) * 10 ** fractionDigits + (fraction === "" ? 0 : Number(fraction.padEnd(fractionDigits, "0")));
  if (minor === 0) return { ok: false, reason: "zero" };
  return { ok: true, minor };
}

/** Formats minor units as money for people ("£12.50", "£10"). */
export function formatMoney(minor: number, currency: string): string {
  const upper = currency.toUpperCase();
  const digits = ZERO_DECIMAL_CURRENCIES.has(currency.toLowerCase()) ? 0 : 2;
  const major = minor / 10 ** digits;
  const whole = Number.isInteger(major);
  try {
    return new Intl.NumberFormat("en-GB", {
      style: "currency",
      currency: upper,
      minimumFractionDigits: whole ? 0 : digits,
      maximumFractionDigits: digits,
    }).format(major);
  } catch {
    return `${major.toFixed(whole ? 0 : digits)} ${upper}`;
  }
}

/** The currency's symbol alone ("£"), for labels next to an amount input. */
export function currencySymbol(currency: string): string {
  try {
    const parts = new Intl.NumberFormat("en-GB", { style: "currency", currency: currency.toUpperCase() }).formatToParts(0);
    return parts.find((part) => part.type === "currency")?.value ?? currency.toUpperCase();
  } catch {
    return currency.toUpperCase();
  }
}
