// The rules for a new password (sign-up, reset, password change). No composition rules (NIST SP 800-63B): a
// length of PASSWORD_MIN to PASSWORD_MAX characters, not a common password or one built from this site's words
// (common-passwords.ts), not the email address, and not a password from a known breach (breached-passwords.ts).
import { PASSWORD_MAX, PASSWORD_MIN } from "./passwords";
import { isCommonPassword } from "./common-passwords";
import { countPasswordBreaches, type BreachCheck } from "./breached-passwords";

/** The reason a new password is refused by the local rules (instant, no network), or null when they accept it. */
export function checkPasswordPolicy(password: string, email?: string): string | null {
  const length = [...password].length;
  if (length === 0) return "Enter a password.";
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  if (isCommonPassword(password)) return "This password is one of the most common and easily guessed, or a small change to one. Choose another.";
  if (email && password.toLowerCase() === email.toLowerCase()) return "Your password must not be your email address.";
  return null;
}

/** The message for a password found in breaches: how often, never which breach. */
function breachedMessage(count: number): string {
  const times = count === 1 ? "once" : `${count.toLocaleString("en-GB")} times`;
  return `This password has appeared in known data breaches (${times}), so attackers will try it. Choose another.`;
}

/**
 * The reason a new password is refused, or null: the local rules first, then (only if they pass) the breach check,
 * which sends Have I Been Pwned five characters of the password's SHA-1 and is skipped when it cannot answer in time.
 */
export async function screenNewPassword(password: string, email: string, breaches: BreachCheck): Promise<string | null> {
  const local = checkPasswordPolicy(password, email);
  if (local !== null) return local;
  const count = await countPasswordBreaches(password, breaches);
  return count !== null && count > 0 ? breachedMessage(count) : null;
}
