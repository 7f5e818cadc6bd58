// UK postcodes as the ward finder reads them: a full postcode ("LS6 2AB", "ls62ab") or a district alone ("LS6"), in
// any spacing or case, reduced to its outward code (the postcode district a ward covers). London sub-districts keep
// their letter ("EC1A 1BB" → EC1A) and also name their parent district (EC1), since a ward may cover either. The
// Girobank postcode GIR 0AA is its own district. Anything else gets a message a person can act on.

/** The longest input read as a postcode; longer text is refused before any other work. */
export const POSTCODE_INPUT_MAX = 16;

export type PostcodeResult =
  | { ok: true; district: string; parent: string | null; full: string | null }
  | { ok: false; message: string };

// Letters by position, from the Royal Mail's rules: no Q, V or X first; no I, J or Z second.
const OUTWARD = /^(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)$/;
const INWARD = /^[0-9][ABD-HJLNP-UW-Z]{2}$/;

/** Reads `input` as a full postcode or a district; see the header comment. */
export function parsePostcode(input: string): PostcodeResult {
  const trimmed = input.trim();
  if (trimmed === "") return { ok: false, message: "Enter a postcode, such as LS6 2AB, or its first half, such as LS6." };
  if (trimmed.length > POSTCODE_INPUT_MAX) return { ok: false, message: "That is too long for a postcode. Enter one such as LS6 2AB, or its first half, such as LS6." };
  // Only ASCII letters and digits: a look-alike (Cyrillic А, full-width Ｌ) is named as the problem, not guessed at.
  const compact = trimmed.replace(/[ \t\u00A0]+/g, "").toUpperCase();
  if (!/^[A-Z0-9]+$/.test(compact)) return { ok: false, message: "A postcode has only the letters A to Z and the digits 0 to 9. Please retype it." };
  if (compact === "GIR0AA" || compact === "GIR") return { ok: true, district: "GIR", parent: null, full: compact === "GIR" ? null : "GIR 0AA" };
  if (OUTWARD.test(compact)) return district(compact, null);
  if (compact.length >= 5) {
    const outward = compact.slice(0, -3);
    const inward = compact.slice(-3);
    if (OUTWARD.test(outward) && INWARD.test(inward)) return district(outward, `${outward} ${inward}`);
  }
  return { ok: false, message: "That does not look like a UK postcode. Enter one such as LS6 2AB, or its first half, such as LS6." };
}

function district(outward: string, full: string | null): PostcodeResult {
  // A sub-district (EC1A, W1D) ends in a letter after its digit; its parent is the district without that letter.
  const parent = /[0-9][A-Z]$/.test(outward) ? outward.slice(0, -1) : null;
  return { ok: true, district: outward, parent, full };
}

/** Parses a list of districts ("LS6, LS16 BS3") for ward editing and proposals; full postcodes are refused here. */
export function parseDistrictList(input: string): { ok: true; districts: string[] } | { ok: false; message: string } {
  if (input.length > 400) return { ok: false, message: "List at most 40 postcode districts." };
  const parts = input.split(/[\s,;]+/).filter((part) => part !== "");
  if (parts.length === 0) return { ok: false, message: "List the postcode districts the ward covers, such as LS6 or BS3." };
  if (parts.length > 40) return { ok: false, message: "List at most 40 postcode districts." };
  const districts = new Set<string>();
  for (const part of parts) {
    const parsed = parsePostcode(part);
    if (!parsed.ok || parsed.full !== null) return { ok: false, message: `"${part.slice(0, POSTCODE_INPUT_MAX)}" is not a postcode district (the first half of a postcode, such as LS6).` };
    districts.add(parsed.district);
  }
  return { ok: true, districts: [...districts].sort() };
}
