// Built files as searchable text, for the checks that look for content sentences in dist/ (tests/build/seal.test.ts,
// pages.test.ts): JavaScript/JSON escapes and HTML entities decoded, tags dropped, Markdown stripped, then compared as
// word keys (tests/support/text.ts), so a sentence is found whatever quotes, tags or escapes surround its words.
import { stripInlineMarkdown } from "@tests/support/mdx";
import { decodeEntities, markupToText, wordKey } from "@tests/support/text";
import { CLIENT, SERVER, fileText, requireBuild, walk } from "./dist";

/** Decodes JavaScript/JSON string escapes (\u2019, \u{1F600}, \x27, \n, \", \\) so text inside bundles compares. */
export function decodeJsEscapes(text: string): string {
  return text
    .replace(/\\u\{([0-9a-f]{1,6})\}/gi, (_, hex: string) => String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff)))
    .replace(/\\u([0-9a-f]{4})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\[nrt]/g, " ")
    .replace(/\\(["'`\\/])/g, "$1");
}

/** One built file as searchable text. */
export interface Haystack {
  file: string;
  /** Word keys of the file's text in several readings (escapes+entities decoded; tags dropped; Markdown stripped),
   *  each padded with a space at both ends. */
  keys: string[];
}

/** Every file under `dir` as searchable word keys (see Haystack). Binary files are read as text too: harmless. */
export function haystacks(dir: string): Haystack[] {
  return walk(dir).map((file) => {
    const text = decodeJsEscapes(fileText(file));
    const decoded = decodeEntities(decodeEntities(text));
    const noTags = markupToText(text);
    const noMarkdown = stripInlineMarkdown(decoded);
    return { file, keys: [...new Set([wordKey(decoded), wordKey(noTags), wordKey(noMarkdown)])].map((key) => ` ${key} `) };
  });
}

/** Files whose text contains `needle` (compared as word keys, padded so a match never starts or ends mid-word). */
export function filesContaining(stacks: Haystack[], needle: string): string[] {
  const key = ` ${wordKey(needle)} `;
  return stacks.filter((stack) => stack.keys.some((text) => text.includes(key))).map((stack) => stack.file);
}

/** The build's two halves as haystacks: dist/client (served to anyone) and dist/server (the Worker), after requireBuild. */
export function builtHaystacks(): { client: Haystack[]; server: Haystack[] } {
  requireBuild();
  return { client: haystacks(CLIENT), server: haystacks(SERVER) };
}
