// Checks a new password against Have I Been Pwned's Pwned Passwords with its range API (k-anonymity): only the
// first five hex characters of the password's SHA-1 leave the Worker; the answer lists every breached hash suffix
// with that prefix (padded with decoys, `Add-Padding: true`, so its size says nothing either), and the match is made
// here. The service must never block a sign-up: a slow, failing or garbled answer gives up after
// BREACH_CHECK_TIMEOUT_MS with one log line, and the local list (common-passwords.ts) stands alone.
import { logger } from "@functions/log";

/** The real service; PWNED_PASSWORDS_API overrides it (tests point it at a local stand-in). */
export const PWNED_PASSWORDS_API = "https://api.pwnedpasswords.com";
/** How long a sign-up, reset or password change waits for the answer before going on without it. */
export const BREACH_CHECK_TIMEOUT_MS = 1500;

/** Where the range API is (no trailing slash needed). */
export interface BreachCheck { apiBase: string }

/** The password's SHA-1 as 40 upper-case hex characters (the form the range API lists). */
async function sha1Hex(password: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(password)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/**
 * How many times `password` appears in known breaches (0: not at all), or null when the service could not say
 * (logged; the caller goes on without it).
 */
export async function countPasswordBreaches(password: string, check: BreachCheck): Promise<number | null> {
  const hash = await sha1Hex(password);
  const prefix = hash.slice(0, 5);
  const suffix = hash.slice(5);
  const unavailable = (reason: string): null => {
    logger("auth").warn("password.breach_check_unavailable", { reason });
    return null;
  };
  try {
    const response = await fetch(`${check.apiBase.replace(/\/+$/, "")}/range/${prefix}`, {
      headers: { "Add-Padding": "true", "User-Agent": "smallism-site" },
      signal: AbortSignal.timeout(BREACH_CHECK_TIMEOUT_MS),
    });
    if (!response.ok) return unavailable(`status ${response.status}`);
    let answered = false;
    for (const line of (await response.text()).split("\n")) {
      const entry = /^([0-9A-F]{35}):(\d+)\s*$/.exec(line);
      if (entry === null) continue;
      answered = true;
      // Padding lines carry a count of 0, so a decoy that matched would still say "not breached".
      if (entry[1] === suffix) return Number(entry[2]);
    }
    return answered ? 0 : unavailable("unreadable answer");
  } catch (error) {
    return unavailable(error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError") ? "timeout" : "network error");
  }
}
