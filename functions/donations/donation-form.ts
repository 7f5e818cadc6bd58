// The donate form's server-side rules: which fields it has, how an amount is chosen and checked against the
// configured bounds, the optional note, the per-render nonce, and the idempotency key that makes a double
// submission create one Checkout Session. Used by src/pages/donate/index.astro (fields, presets, nonce) and
// submitDonation in checkout.ts (validation, key); never trusts the browser.
import { hashToken, generateToken } from "@functions/auth/tokens";
import { formatMoney, parseAmount, type DonationSettings } from "./config";
import { CONTACT_EMAIL } from "@functions/contact";

export type Frequency = "once" | "monthly";

/** The preset amounts offered, in major units (those outside the configured bounds are not shown). */
export const PRESET_AMOUNTS = [5, 10, 25, 50] as const;
/** The preset chosen when the page first renders. */
export const DEFAULT_PRESET = "10";
/** The longest note we take (Stripe metadata values hold at most 500 characters). */
export const NOTE_MAX = 500;
/** Every field the form sends; anything else is refused. */
export const DONATION_FORM_FIELDS = ["amount", "custom_amount", "frequency", "note", "nonce"] as const;

/** What the form shows again after a problem (never more than a sane length of what was sent). */
export interface DonationFormValues {
  amount: string;
  customAmount: string;
  frequency: Frequency;
  note: string;
}

export type DonationFormErrors = Partial<Record<"amount" | "frequency" | "note" | "form", string>>;

/** A checked donation, ready for Checkout. */
export interface DonationRequest {
  amountMinor: number;
  currency: string;
  frequency: Frequency;
  note: string | null;
  nonce: string;
}

export type DonationFormResult =
  | { ok: true; donation: DonationRequest; values: DonationFormValues }
  | { ok: false; errors: DonationFormErrors; values: DonationFormValues };

/** A fresh nonce for one render of the form (hidden field). */
export function generateFormNonce(): string {
  return generateToken(20);
}

/** The preset amounts (major units, as strings) that fit the configured bounds. */
export function presetAmounts(settings: DonationSettings): string[] {
  const scale = 10 ** settings.fractionDigits;
  return PRESET_AMOUNTS.filter((major) => major * scale >= settings.minMinor && major * scale <= settings.maxMinor).map(String);
}

/** The form as first shown. */
export function initialDonationValues(settings: DonationSettings): DonationFormValues {
  const presets = presetAmounts(settings);
  const amount = presets.includes(DEFAULT_PRESET) ? DEFAULT_PRESET : (presets[0] ?? "other");
  return { amount, customAmount: "", frequency: "once", note: "" };
}

/** Checks an amount's text against the currency and bounds; returns minor units or the message to show. */
export function checkAmount(text: string, settings: DonationSettings): { ok: true; minor: number } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (/^-/.test(trimmed)) return { ok: false, message: "The amount can't be negative." };
  const parsed = parseAmount(trimmed, settings.fractionDigits);
  if (!parsed.ok) {
    const messages: Record<typeof parsed.reason, string> = {
      empty: "Choose an amount or type one.",
      format: settings.fractionDigits === 2 ? "Type the amount in numbers, for example 12 or 12.50." : "Type the amount in whole numbers, for example 1200.",
      fraction: settings.fractionDigits === 2 ? "Use at most two decimal places." : "Use a whole amount, with no decimal places.",
      zero: "The amount must be more than zero.",
    };
    return { ok: false, message: messages[parsed.reason] };
  }
  if (parsed.minor < settings.minMinor) return { ok: false, message: `The smallest donation we can take is ${formatMoney(settings.minMinor, settings.currency)}.` };
  if (parsed.minor > settings.maxMinor) {
    return { ok: false, message: `The largest donation this form takes is ${formatMoney(settings.maxMinor, settings.currency)}. For more, please write to us at ${CONTACT_EMAIL}.` };
  }
  return { ok: true, minor: parsed.minor };
}

/** True for a nonce this site could have rendered (base32, 32 characters). */
export function isFormNonce(value: string): boolean {
  return /^[a-z2-7]{32}$/.test(value);
}

/** Validates a submitted donate form. A typed custom amount wins over a preset (the hint says so). */
export function validateDonationForm(fields: URLSearchParams, settings: DonationSettings): DonationFormResult {
  const get = (name: (typeof DONATION_FORM_FIELDS)[number]): string => fields.get(name) ?? "";
  const rawFrequency = get("frequency");
  const values: DonationFormValues = {
    amount: get("amount").slice(0, 20),
    customAmount: get("custom_amount").slice(0, 40),
    frequency: rawFrequency === "monthly" ? "monthly" : "once",
    note: get("note").slice(0, NOTE_MAX * 4),
  };
  const errors: DonationFormErrors = {};

  const custom = get("custom_amount").trim();
  const chosen = custom !== "" ? custom : values.amount === "other" ? "" : get("amount");
  const amount = checkAmount(chosen, settings);
  if (!amount.ok) errors.amount = amount.message;

  if (rawFrequency !== "once" && rawFrequency !== "monthly") errors.frequency = "Choose once or monthly.";

  const note = get("note").replace(/\r\n?/g, "\n").trim();
  if (note.length > NOTE_MAX) errors.note = `Keep the note to ${NOTE_MAX} characters or fewer (it has ${note.length}).`;
  else if (/[\u0000-\u0008\u000B-\u001F\u007F]/.test(note.replace(/\n/g, ""))) errors.note = "The note contains invisible control characters. Please retype it.";

  const nonce = get("nonce");
  if (!isFormNonce(nonce)) errors.form = "This form had expired. Please check the details below and send it again.";

  if (!amount.ok || Object.keys(errors).length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    donation: { amountMinor: amount.minor, currency: settings.currency, frequency: values.frequency, note: note === "" ? null : note, nonce },
  };
}

/**
 * The Stripe idempotency key for a donation: the form's nonce plus everything that shapes the Checkout Session,
 * so the same submission sent twice (double click, resend) gets the same session, and a changed one a new key.
 */
export function donationIdempotencyKey(donation: DonationRequest, userId: string | null): string {
  const content = [donation.nonce, donation.amountMinor, donation.currency, donation.frequency, donation.note ?? "", userId ?? ""].join("\u0000");
  return `donate-${hashToken(content)}`;
}
