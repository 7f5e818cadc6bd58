// Member-only text as the leak and gating tests look for it: the body sentences of a content file (split as the
// build checks split them, tests/support/mdx.ts) and the plain text of a served page, both with typography folded
// (quotes, dashes, ellipses, spaces) so the two compare equal whatever Markdown rendering did to them.
import { readFileSync } from "node:fs";
import { mdxSentences, readFrontmatter } from "@tests/support/mdx";
import { decodeEntities } from "@tests/support/text";

/** Folds typography that Markdown rendering may change (smart quotes, dashes, ellipses, spaces) so texts compare equal. */
export function foldText(text: string): string {
  return text
    .replace(/[\u2018\u2019\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201F\u2033]/g, '"')
    .replace(/\u2026/g, "...")
    .replace(/[\u2012\u2013\u2014\u2015\u2212]|-{2,3}/g, "-")
    .replace(/[\s\u00a0\u202f]+/g, " ")
    .replace(/ ([.,;:!?)])/g, "$1")
    .replace(/\( /g, "(")
    .trim();
}

/** Plain text of an HTML or XML response: tags dropped, entities decoded (twice, for escaped HTML in feeds), folded. */
export function plainText(markup: string): string {
  let text = markup.replace(/<!\[CDATA\[|\]\]>/g, " ");
  // Block-level tags separate words; inline tags (strong, a, em, code…) do not.
  const block = /<\/?(?:p|div|li|ul|ol|h[1-6]|br|hr|td|th|tr|table|thead|tbody|section|article|header|footer|nav|main|aside|blockquote|pre|figure|figcaption|title|meta|link|script|style|head|body|html|item|description|loc|url|dt|dd|dl|option|button|label|input|form)\b[^>]*>/gi;
  for (let round = 0; round < 2; round++) text = decodeEntities(text.replace(block, " ").replace(/<[^>]*>/g, ""));
  return foldText(text);
}

/** The frontmatter of a content file (path relative to the project root, where Playwright runs). */
export function frontmatterOf(path: string): Record<string, unknown> {
  return readFrontmatter(readFileSync(path, "utf8"), path).data;
}

/** The body sentences (8+ words) of a content file, folded, in document order. */
export function bodySentences(path: string): string[] {
  const { body } = readFrontmatter(readFileSync(path, "utf8"), path);
  return [...new Set(mdxSentences(body).map(foldText))];
}
