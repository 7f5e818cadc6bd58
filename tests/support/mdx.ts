// Reading content/*.mdx the way the checks need it: a small YAML-frontmatter reader (the kinds of values our
// frontmatter uses, anything else throws) and an MDX body turned into plain sentences. The build checks look for
// those sentences in dist/ (tests/build/seal.test.ts) and the browser tests in what the site serves
// (tests/e2e/leak-crawl.spec.ts, strategy.spec.ts), so both sides split the text the same way.
import { wordKey } from "./text";

/** The frontmatter of one file: flat keys, with one level of nested maps (hero: image, alt). */
export type Frontmatter = Record<string, string | number | boolean | string[] | Record<string, string>>;

/** Parses one YAML scalar or flow list of the kinds our frontmatter uses; throws on anything else so a new
 *  YAML feature fails loudly here instead of being misread. */
function yamlValue(raw: string, where: string): string | number | boolean | string[] {
  const value = raw.replace(/\s+#.*$/, "").trim();
  if (/^"(?:[^"\\]|\\.)*"$/.test(value)) return JSON.parse(value) as string;
  if (/^'(?:[^']|'')*'$/.test(value)) return value.slice(1, -1).replace(/''/g, "'");
  if (value === "true" || value === "false") return value === "true";
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value.startsWith("[")) {
    if (!value.endsWith("]")) throw new Error(`${where}: unsupported YAML list ${raw}`);
    const inner = value.slice(1, -1).trim();
    if (inner === "") return [];
    return inner.split(",").map((item) => {
      const parsed = yamlValue(item, where);
      if (typeof parsed !== "string") throw new Error(`${where}: list items must be strings: ${raw}`);
      return parsed;
    });
  }
  if (/^[|>{&*!%@`]/.test(value)) throw new Error(`${where}: unsupported YAML value ${raw}`);
  return value; // plain scalar: dates (2026-03-24), bare words
}

/** Splits an MDX source into frontmatter (a flat YAML map, one level of nested maps allowed) and body. */
export function readFrontmatter(source: string, where = "frontmatter"): { data: Frontmatter; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(source);
  if (!match) throw new Error(`${where}: no YAML frontmatter`);
  const data: Frontmatter = {};
  let nested: Record<string, string> | null = null;
  for (const line of match[1]!.split(/\r?\n/)) {
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    const indented = /^\s+/.test(line);
    const pair = /^\s*([A-Za-z0-9_-]+):(?:\s+(.*))?$/.exec(line);
    if (!pair) throw new Error(`${where}: unsupported frontmatter line ${JSON.stringify(line)}`);
    const [, key, raw = ""] = pair;
    if (indented) {
      if (nested === null) throw new Error(`${where}: indented line without a parent: ${line}`);
      nested[key!] = String(yamlValue(raw, where));
      continue;
    }
    if (raw.trim() === "") {
      nested = {};
      data[key!] = nested;
      continue;
    }
    nested = null;
    data[key!] = yamlValue(raw, where);
  }
  return { data, body: source.slice(match[0].length) };
}

/** Markdown inline syntax → its text: images → alt, links → text, code spans, emphasis, escapes, inline HTML. */
export function stripInlineMarkdown(text: string): string {
  return text
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)/g, "$1")
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1")
    .replace(/\[\^[^\]]+\]/g, "")
    .replace(/<(https?:\/\/[^>\s]+)>/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/(^|[^\w*])[*_]([^*_]+)[*_](?=[^\w*]|$)/g, "$1$2")
    .replace(/~~(.+?)~~/g, "$1")
    .replace(/<\/?[A-Za-z][^>]*>/g, "")
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, "$1");
}

/** The body of an MDX file as plain sentences of at least `minWords` words: frontmatter, imports/exports, JSX
 *  lines and fences dropped; headings, list items, quotes and table rows (pipes removed) each stand alone. */
export function mdxSentences(body: string, minWords = 8): string[] {
  const paragraphs: string[] = [];
  let current: string[] = [];
  let quoting = false;
  const flush = () => {
    if (current.length) paragraphs.push(current.join(" "));
    current = [];
  };
  for (const rawLine of body.split(/\r?\n/)) {
    const line = rawLine.trim();
    const wasQuoting = quoting;
    quoting = line.startsWith(">");
    if (wasQuoting && !quoting) flush();
    if (line === "" || line.startsWith("```") || line.startsWith("~~~") || /^(import|export)\s/.test(line) || /^<\/?[A-Z]/.test(line)) {
      flush();
      continue;
    }
    if (line.startsWith("|")) {
      flush();
      if (/^\|[\s|:-]+\|?$/.test(line)) continue; // the | --- | separator row
      paragraphs.push(line.replace(/^\||\|$/g, "").split(/(?<!\\)\|/).map((cell) => cell.trim()).join(" "));
      continue;
    }
    if (/^>/.test(line)) {
      // Block quotes: the marker goes; consecutive quoted lines join like a paragraph's.
      if (!wasQuoting) flush();
      current.push(line.replace(/^(>\s?)+/, ""));
      continue;
    }
    if (/^(#{1,6}\s|[-*+]\s|\d+[.)]\s)/.test(line)) {
      flush();
      current.push(line.replace(/^(#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)/, ""));
      if (/^#{1,6}\s/.test(line)) flush();
      continue;
    }
    current.push(line);
  }
  flush();
  const sentences = paragraphs
    .map((paragraph) => stripInlineMarkdown(paragraph).replace(/\s+/g, " ").trim())
    .flatMap((paragraph) => paragraph.split(/(?<=[.!?])["'\u2019\u201D)]?\s+(?=["'\u2018\u201C(]?[A-Z0-9£$€])/))
    .map((sentence) => sentence.trim())
    .filter((sentence) => wordKey(sentence).split(" ").length >= minWords);
  return [...new Set(sentences)];
}
