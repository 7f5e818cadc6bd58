// Copy checks over the built pages and the page sources: no words glued together, and the movement's name
// capitalised. Astro drops the line break between a line of text and an element or expression that starts the
// next line ("write to⏎<a…>hello@…</a>" renders as "write tohello@…"), so the sources are checked for that shape
// (it covers the on-demand pages too, which the build does not render), and the built text is checked word by word
// against the words of every source file, where a glued word ("tocreate") cannot appear.
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, htmlFiles, rel, requireBuild, walk } from "./dist";
import { CONTENT } from "./content";
import { decodeEntities } from "@tests/support/text";
import { CONTACT_EMAIL } from "@functions/contact";

beforeAll(requireBuild);

/** Elements that sit inside a line of text, so that a missing space next to them glues two words. */
const INLINE = "a|abbr|b|button|cite|code|em|i|kbd|mark|q|s|small|span|strong|sub|sup|time|u|FormattedDate";

/** Visible text of a built page: scripts, styles, comments and tags removed, entities decoded. An inline tag
 *  between text and text leaves no gap (as a browser joins them); between two elements (buttons side by side in
 *  a row of actions) it counts as a gap, since layout separates those. */
function visibleText(html: string): string {
  const inline = new RegExp(`</?(?:${INLINE})\\b[^>]*>`, "gi");
  const closeThenOpen = new RegExp(`(</(?:${INLINE})>)(<(?:${INLINE})\\b)`, "gi");
  return decodeEntities(
    html
      .replace(/<script\b[\s\S]*?<\/script>|<style\b[\s\S]*?<\/style>|<!--[\s\S]*?-->/gi, " ")
      .replace(/<head\b[\s\S]*?<\/head>/i, " ")
      .replace(closeThenOpen, "$1 $2")
      .replace(inline, "")
      .replace(/<[^>]+>/g, " "),
  );
}

const ATTRIBUTE_LINE = /^\s*[\w:@.-]+=|^\s*\/?>/;

/** Glued spots in an .astro template: a line ending in a letter, and the next line starting with an inline element
 *  or an expression (or a line ending in an inline element or expression, and the next starting with a letter). */
function gluedLines(source: string): string[] {
  const template = source.replace(/^---\n[\s\S]*?\n---\n/, "").replace(/<(script|style)\b[\s\S]*?<\/\1>/g, (block) => block.replace(/[^\n]/g, ""));
  const lines = template.split("\n");
  const startsInline = new RegExp(`^\\s*(?:<(?:${INLINE})[\\s>/]|\\{)`);
  const endsInline = new RegExp(`(?:</(?:${INLINE})>|\\})$`);
  const out: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const before = lines[i - 1]!.trimEnd();
    const after = lines[i]!;
    // The attribute lines of a tag written over several lines are not text.
    if (ATTRIBUTE_LINE.test(before) || ATTRIBUTE_LINE.test(after)) continue;
    const textBefore = /[\p{L}\p{N},;:]$/u.test(before) && !/^\s*[<{/]/.test(before);
    if (textBefore && startsInline.test(after)) out.push(`${i}: ${before.trim()} ⏎ ${after.trim()}`);
    if (endsInline.test(before) && /^\s*[\p{L}\p{N}(]/u.test(after) && !/^\s*[<{}]/.test(before)) out.push(`${i}: ${before.trim()} ⏎ ${after.trim()}`);
  }
  return out;
}

const SOURCE_FILES = [
  ...walk(join(ROOT, "src")).filter((file) => /\.(astro|ts|mjs|js)$/.test(file)),
  ...walk(join(ROOT, "functions")).filter((file) => file.endsWith(".ts")),
  ...walk(CONTENT).filter((file) => /\.mdx?$/.test(file)),
];
const ASTRO_FILES = SOURCE_FILES.filter((file) => file.endsWith(".astro"));

/** Every word written anywhere in the sources, lower-cased (camelCase and identifiers split as well as whole). */
const SOURCE_WORDS = new Set(
  SOURCE_FILES.flatMap((file) => {
    const text = readFileSync(file, "utf8");
    return [...text.matchAll(/\p{L}+/gu)].map((match) => match[0].toLowerCase());
  }),
);
/** Words the build makes rather than copies: the month names of dates (Intl). */
const MADE_WORDS = new Set(["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]);

describe("no words glued together", () => {
  it("the checks themselves catch the known cases", () => {
    expect(gluedLines("<p>\n  write to\n  <a href={`mailto:${x}`}>{x}</a>.\n</p>")).toHaveLength(1);
    expect(gluedLines("<p>\n  is to\n  <a href=\"/join\">create an account</a>.\n</p>")).toHaveLength(1);
    expect(gluedLines("<p>\n  Write to us at {EMAIL}: news\n  of wards.\n</p>")).toEqual([]);
    expect(gluedLines("<input\n  id=\"x\" name=\"y\"\n  value={v} />")).toEqual([]);
    expect(visibleText("<p>write to<a href=\"mailto:a@b.org\">a@b.org</a></p>")).toContain("write toa@b.org");
  });

  it.each(ASTRO_FILES.map((file) => [rel(file, ROOT), file] as const))("%s: no text line runs into an element or expression on the next", (_name, file) => {
    expect(gluedLines(readFileSync(file, "utf8"))).toEqual([]);
  });

  it.each(htmlFiles().map((file) => [rel(file), file] as const))("%s: every word of the text is a word of the sources", (_name, file) => {
    const words = [...visibleText(readFileSync(file, "utf8")).matchAll(/\p{L}+/gu)].map((match) => match[0].toLowerCase());
    expect(words.length).toBeGreaterThan(0);
    expect([...new Set(words.filter((word) => !SOURCE_WORDS.has(word) && !MADE_WORDS.has(word)))]).toEqual([]);
  });

  it.each(htmlFiles().map((file) => [rel(file), file] as const))("%s: every email address in the text is one we publish, standing alone", (_name, file) => {
    const addresses = [...visibleText(readFileSync(file, "utf8")).matchAll(/[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[a-z]{2,}/gu)].map((match) => match[0]);
    expect(addresses.filter((address) => address !== CONTACT_EMAIL)).toEqual([]);
  });
});

describe("the movement's name", () => {
  /** "smallism" in lower case as a word of prose (not smallism.org, smallism_session, smallism-site…). */
  const LOWER_NAME = /(?<![\p{L}\p{N}._@/-])smallism(?![\p{L}\p{N}._@/:-])/u;

  it("is capitalised in the text of every built page", () => {
    const offenders = htmlFiles().filter((file) => LOWER_NAME.test(visibleText(readFileSync(file, "utf8"))));
    expect(offenders.map((file) => rel(file))).toEqual([]);
  });

  it.each(ASTRO_FILES.map((file) => [rel(file, ROOT), file] as const))("%s: is capitalised in the page's text and attributes", (_name, file) => {
    const template = readFileSync(file, "utf8").replace(/^---\n[\s\S]*?\n---\n/, "").replace(/\{\/\*[\s\S]*?\*\/\}/g, "");
    const lines = template.split("\n").filter((line) => LOWER_NAME.test(line));
    expect(lines).toEqual([]);
  });
});
