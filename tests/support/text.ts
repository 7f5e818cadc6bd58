// Text normalisation shared by the build checks (tests/build/) and the browser tests (tests/e2e/): HTML/XML character
// references decoded, markup reduced to its text, and "word keys" that compare rendered HTML, feeds, JSON and source
// text by their words alone.

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", ndash: "\u2013", mdash: "\u2014", hellip: "\u2026",
  lsquo: "\u2018", rsquo: "\u2019", ldquo: "\u201C", rdquo: "\u201D", pound: "£", euro: "€", copy: "©", middot: "·",
};

/** Decodes HTML/XML character references (&amp; &#39; &#x27; &quot; &rsquo; …) in one pass, so "&amp;lt;" → "&lt;". */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** Tags dropped (each replaced by a space), CDATA markers dropped, entities decoded; done twice for the escaped
 *  HTML inside RSS <content:encoded>. */
export function markupToText(markup: string): string {
  let text = markup;
  for (let round = 0; round < 2; round++) text = decodeEntities(text.replace(/<!\[CDATA\[|\]\]>/g, " ").replace(/<[^>]*>/g, " "));
  return text;
}

/** Words only: NFKC, lower case, every run of non-letters/digits → one space. Makes rendered HTML, feeds, JSON and
 *  source text comparable whatever the quotes, dashes, entities, tags or punctuation between the words. */
export function wordKey(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}
