// The checks every account form shares before its own validation: a readable body of sane size, only the
// fields the form has (each once), no control characters, and the durable throttles. Returns either the
// fields or a problem to show (with its HTTP status, and Retry-After for throttles; a throttled form's fields come
// back too, so the page can keep what was typed).
import { field, readForm, hasControlCharacters } from "./forms";
import { consumeThrottles, type ThrottleRule, type ThrottleStore } from "@functions/auth/throttle";
import { EMAIL_MAX, normaliseEmail } from "@functions/auth/users";
import { nowSeconds } from "@functions/clock";
import { logger } from "@functions/log";

export type GuardResult =
  | { ok: true; fields: URLSearchParams }
  | { ok: false; status: number; message: string; retryAfter?: number; fields?: URLSearchParams };

export interface GuardOptions {
  /** Field names the form may send. */
  allowed: readonly string[];
  /**
   * Free-text fields whose content the form's own rules check (the donation note): the guard skips its
   * control-character check for them, so a problem there is shown next to the field with the input kept.
   */
  freeText?: readonly string[];
  /** Throttles to count, each with the value it is keyed by (IP, email…). Counted before any work. */
  throttles?: (fields: URLSearchParams) => Array<[ThrottleRule, string]>;
  /** A larger body than forms.ts's MAX_FORM_BYTES, for a form that takes long text (a letter). */
  maxBytes?: number;
}

/**
 * The per-address throttle for a form's email field, or none when the field is empty: an empty field names nobody,
 * and counting it would make every empty post on the site share one counter (and refuse them all after a few).
 */
export function emailThrottle(rule: ThrottleRule, fields: URLSearchParams): Array<[ThrottleRule, string]> {
  const email = normaliseEmail(field(fields, "email")).slice(0, EMAIL_MAX);
  return email === "" ? [] : [[rule, email]];
}

/** Reads a form post and runs the shared checks and throttles above before the form's own rules; see GuardResult. */
export async function guardForm(request: Request, store: ThrottleStore, options: GuardOptions): Promise<GuardResult> {
  const form = await readForm(request, options.maxBytes);
  if (!form.ok) return { ok: false, status: form.status, message: form.message };
  const seen = new Set<string>();
  for (const [name, value] of form.fields) {
    if (!options.allowed.includes(name)) return { ok: false, status: 400, message: "The form contained a field it does not have. Please use the form on this page." };
    if (seen.has(name)) return { ok: false, status: 400, message: "The form contained a field twice. Please use the form on this page." };
    seen.add(name);
    if (!options.freeText?.includes(name) && hasControlCharacters(value)) return { ok: false, status: 400, message: "The form contained invisible control characters. Please retype it." };
  }
  if (options.throttles) {
    const verdict = await consumeThrottles(store, options.throttles(form.fields), nowSeconds());
    if (!verdict.allowed) {
      logger("security").warn("throttle.refused", { path: new URL(request.url).pathname, rules: verdict.refusedBy?.join(",") ?? "", retryAfter: verdict.retryAfter });
      return { ok: false, status: 429, retryAfter: verdict.retryAfter, fields: form.fields, message: `Too many attempts. Please wait ${waitText(verdict.retryAfter)} and try again.` };
    }
  }
  return { ok: true, fields: form.fields };
}

/** A wait in whole minutes for people ("1 minute", "12 minutes"), rounded up. */
export function waitText(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** Copies a guard failure's status (and Retry-After) onto the page response; returns the message to show. */
export function failWith(response: { status?: number; headers: Headers }, failure: { status: number; message: string; retryAfter?: number }): string {
  response.status = failure.status;
  if (failure.retryAfter !== undefined) response.headers.set("Retry-After", String(failure.retryAfter));
  return failure.message;
}
