// Passwords too common to allow, checked locally and instantly (the breach check in breached-passwords.ts may be
// unreachable; this list always holds). Two parts:
// - every password of 8+ characters in @zxcvbn-ts/language-common's frequency list (about 18,000), built into the
//   Worker as compressed data by src/integrations/common-passwords.ts and decoded into a Set at first use;
// - this site's own words (the site name, ward…), which attackers try first against a site's members.
// A password is refused when it, or its core with the changes people make to a word undone (capitals, leetspeak,
// digits and symbols before or after, spaces and dots inside), is on the list or is made only of the site's words.
import encoded from "virtual:common-passwords";
import decompress from "@zxcvbn-ts/dictionary-compression/decompress";

/** The words of this site that passwords must not be built from (lower case, letters only). */
export const SITE_WORDS = ["smallism", "smallisms", "smallist", "smallists", "smallismorg", "ward", "wards"] as const;

const MADE_OF_SITE_WORDS = new RegExp(`^(?:${[...SITE_WORDS].sort((a, b) => b.length - a.length).join("|")})+$`);

/** Leetspeak undone; "1" is read both as "i" and as "l" (sma11ism, sm4ll1sm). */
const LEET: Record<string, string> = { "0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s", "!": "i", "|": "l", "+": "t" };

let list: ReadonlySet<string> | null = null;

/** The decoded list of common passwords (lower case). */
export function commonPasswordList(): ReadonlySet<string> {
  list ??= new Set(decompress(encoded));
  return list;
}

function undoLeet(text: string, one: "i" | "l"): string {
  return text.replace(/[0-9@$!|+]/g, (char) => (char === "1" ? one : LEET[char] ?? char));
}

/** A password's simple forms: lower-cased; without digits and symbols around it; with leetspeak undone. */
function simpleForms(password: string): string[] {
  const lowered = password.toLowerCase().normalize("NFKC");
  const joined = lowered.replace(/[\s._-]+/g, "");
  const trimmed = joined.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, "");
  const forms = [lowered, joined, trimmed];
  for (const one of ["i", "l"] as const) {
    forms.push(undoLeet(trimmed, one), undoLeet(joined, one).replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ""));
  }
  return [...new Set(forms)].filter((form) => form !== "");
}

/** True when a password is on the common list or built from the site's own words (see the header comment). */
export function isCommonPassword(password: string): boolean {
  const common = commonPasswordList();
  return simpleForms(password).some((form) => common.has(form) || MADE_OF_SITE_WORDS.test(form));
}
