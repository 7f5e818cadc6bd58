// Shared helpers for the build checks (tests/build/*.test.ts): where the build and the content live, a small
// YAML-frontmatter reader for content/*.mdx, MDX body → plain sentences, built files → searchable text (gunzipped,
// escapes and entities decoded, tags dropped) and a regex-level HTML tag/attribute reader. Node built-ins only.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { gunzipSync } from "node:zlib";

// ---- Where things are -------------------------------------------------------------------------------------------

export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
/** The build output (benchmarks build elsewhere with SMALLISM_OUT_DIR, like astro.config.mjs). */
export const DIST = resolve(ROOT, process.env.SMALLISM_OUT_DIR ?? "dist");
export const CLIENT = join(DIST, "client");
export const SERVER = join(DIST, "server");
export const CONTENT = resolve(ROOT, process.env.SMALLISM_CONTENT_DIR ?? "content");
/** The public origin the build was made for (astro.config.mjs: SITE_URL, default https://smallism.org). */
export const SITE = new URL(process.env.SITE_URL ?? "https://smallism.org").origin;

/** Throws a clear message when the build is missing, instead of every test failing on its own ENOENT. */
export function requireBuild(): void {
  if (!existsSync(join(CLIENT, "index.html")) || !existsSync(SERVER)) {
    throw new Error(`No build in ${DIST}: run \`DEV_MAILBOX=1 npm run build\` before \`npx vitest run --project build\`.`);
  }
}

/** Every file under `dir` (dotfiles included), as absolute paths, sorted. */
export function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

/** A path relative to dist/client (or any root), with forward slashes, for messages. */
export function rel(path: string, root = CLIENT): string {
  return relative(root, path).split(sep).join("/");
}

export function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

// ---- Content: frontmatter and sentences ----------------------------------------------------------------------

export type Frontmatter = Record<string, string | number | boolean | string[] | Record<string, string>>;

export interface ContentFile {
  /** The collection id Astro's glob loader gives the entry: the `slug` field, else the file name without .mdx. */
  slug: string;
  file: string;
  data: Frontmatter;
  /** The MDX body, frontmatter removed. */
  body: string;
}

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

/** Every .mdx file of a collection folder (content/essays, content/strategy) with its frontmatter and body. */
export function readCollection(name: "essays" | "strategy"): ContentFile[] {
  const dir = join(CONTENT, name);
  return walk(dir)
    .filter((file) => file.endsWith(".mdx") || file.endsWith(".md"))
    .map((file) => {
      const { data, body } = readFrontmatter(readFileSync(file, "utf8"), rel(file, ROOT));
      const slug = typeof data["slug"] === "string" ? data["slug"] : rel(file, dir).replace(/\.mdx?$/, "");
      return { slug, file, data, body };
    });
}

export function essays() {
  const all = readCollection("essays");
  const drafts = all.filter((essay) => essay.data["draft"] === true);
  const published = all.filter((essay) => essay.data["draft"] !== true);
  return {
    all,
    drafts,
    published,
    /** Published essays anyone may read in full: the prerendered pages, the feed, the sitemap and search. */
    public: published.filter((essay) => essay.data["membersOnly"] !== true),
    /** Published members-only essays: rendered on demand, never in dist/client. */
    membersOnly: published.filter((essay) => essay.data["membersOnly"] === true),
  };
}

export function strategyPages(): ContentFile[] {
  return readCollection("strategy");
}

export function title(file: ContentFile): string {
  const value = file.data["title"];
  if (typeof value !== "string") throw new Error(`${rel(file.file, ROOT)}: no title`);
  return value;
}

export function tags(file: ContentFile): string[] {
  const value = file.data["tags"];
  return Array.isArray(value) ? value : [];
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

// ---- Text comparison --------------------------------------------------------------------------------------------

/** Words only: NFKC, lower case, every run of non-letters/digits → one space. Makes rendered HTML, feeds, JSON and
 *  source text comparable whatever the quotes, dashes, entities, tags or punctuation between the words. */
export function wordKey(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", ndash: "\u2013", mdash: "\u2014", hellip: "\u2026",
  lsquo: "\u2018", rsquo: "\u2019", ldquo: "\u201C", rdquo: "\u201D", pound: "£", euro: "€", copy: "©", middot: "·",
};

/** Decodes HTML/XML character references (&amp; &#39; &#x27; &quot; &rsquo; …). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** Decodes JavaScript/JSON string escapes (\u2019, \u{1F600}, \x27, \n, \", \\) so text inside bundles compares. */
export function decodeJsEscapes(text: string): string {
  return text
    .replace(/\\u\{([0-9a-f]{1,6})\}/gi, (_, hex: string) => String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff)))
    .replace(/\\u([0-9a-f]{4})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\[nrt]/g, " ")
    .replace(/\\(["'`\\/])/g, "$1");
}

/** Tags dropped (each replaced by a space), CDATA markers dropped, entities decoded; done twice for the escaped
 *  HTML inside RSS <content:encoded>. */
export function markupToText(markup: string): string {
  let text = markup;
  for (let round = 0; round < 2; round++) text = decodeEntities(text.replace(/<!\[CDATA\[|\]\]>/g, " ").replace(/<[^>]*>/g, " "));
  return text;
}

/** A built file's bytes as text, gunzipped first when gzip-compressed (Pagefind's .pf_fragment/.pf_index/.pf_meta). */
export function fileText(path: string): string {
  let bytes = readFileSync(path);
  if (bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return bytes.toString("utf8");
}

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

// ---- HTML -------------------------------------------------------------------------------------------------------

export function htmlFiles(): string[] {
  return walk(CLIENT).filter((file) => file.endsWith(".html"));
}

export interface Tag {
  name: string;
  attrs: Record<string, string>;
  /** The raw text between this opening tag and its closing tag, for <script> and <style> only. */
  content?: string;
}

/** Opening tags of an HTML document with their attributes (names lower-cased, values entity-decoded).
 *  Comments and the insides of <script>/<style> are skipped; their text is given as `content`. */
export function parseTags(html: string): Tag[] {
  const out: Tag[] = [];
  const tagPattern = /<!--[\s\S]*?-->|<([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
  let match: RegExpExecArray | null;
  while ((match = tagPattern.exec(html)) !== null) {
    if (match[1] === undefined) continue;
    const name = match[1].toLowerCase();
    const attrs: Record<string, string> = {};
    const attrPattern = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
    let attr: RegExpExecArray | null;
    while ((attr = attrPattern.exec(match[2] ?? "")) !== null) {
      attrs[attr[1]!.toLowerCase()] = decodeEntities(attr[2] ?? attr[3] ?? attr[4] ?? "");
    }
    const tag: Tag = { name, attrs };
    if (name === "script" || name === "style") {
      const close = html.toLowerCase().indexOf(`</${name}`, tagPattern.lastIndex);
      const end = close === -1 ? html.length : close;
      tag.content = html.slice(tagPattern.lastIndex, end);
      tagPattern.lastIndex = end;
    }
    out.push(tag);
  }
  return out;
}

/** The values of every id="" and name="" (for <a name>) in a document: the targets of #fragments. */
export function fragmentTargets(html: string): Set<string> {
  const ids = new Set<string>();
  for (const tag of parseTags(html)) {
    if (tag.attrs["id"] !== undefined) ids.add(tag.attrs["id"]);
    if (tag.name === "a" && tag.attrs["name"] !== undefined) ids.add(tag.attrs["name"]);
  }
  return ids;
}

/** The URLs in a srcset attribute. */
export function srcsetUrls(srcset: string): string[] {
  return srcset.split(",").map((candidate) => candidate.trim().split(/\s+/)[0] ?? "").filter(Boolean);
}

/** The dist/client file a same-site path is served from (path, path/index.html or path.html), or null. */
export function staticFileFor(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.split("/").includes("..")) return null;
  const base = join(CLIENT, decoded);
  for (const candidate of [base, join(base, "index.html"), `${base.replace(/\/$/, "")}.html`]) {
    if (isFile(candidate)) return candidate;
  }
  return null;
}

/** The page URL a dist/client HTML file is served at ("/essays/x/" for essays/x/index.html, "/404.html"…). */
export function pageUrl(file: string): string {
  const path = `/${rel(file)}`;
  return path.endsWith("/index.html") ? path.slice(0, -"index.html".length) : path;
}

/** "same" for a same-site URL (relative, or absolute on SITE), "external" for another host, "other" for mailto: etc. */
export function classifyUrl(raw: string): "same" | "external" | "other" {
  const value = raw.trim();
  if (value === "" || value.startsWith("#")) return "same";
  if (/^(mailto|tel|sms|data|javascript|blob):/i.test(value)) return "other";
  const url = new URL(value, `${SITE}/`);
  return url.origin === SITE ? "same" : "external";
}

export function fileName(path: string): string {
  return basename(path);
}

// ---- Cloudflare _headers files ------------------------------------------------------------------------------------

export interface HeaderRule {
  path: string;
  /** Headers set by the rule, in file order ([name, value]; names as written). */
  set: Array<[string, string]>;
  /** Header names detached with "! Name" (removed from what broader rules set). */
  detach: string[];
}

/** Parses a Cloudflare Pages/Workers-assets `_headers` file: a URL pattern on its own line, then indented
 *  "Name: value" or "! Name" lines; "#" starts a comment line. Throws on lines it does not understand. */
export function parseHeadersFile(text: string): HeaderRule[] {
  const rules: HeaderRule[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    if (!/^\s/.test(line)) {
      rules.push({ path: line.trim(), set: [], detach: [] });
      continue;
    }
    const rule = rules.at(-1);
    if (rule === undefined) throw new Error(`_headers line ${index + 1}: header before any path`);
    const detach = /^\s+!\s*([A-Za-z0-9-]+)\s*$/.exec(line);
    const header = /^\s+([A-Za-z0-9-]+):\s*(.*?)\s*$/.exec(line);
    if (detach) rule.detach.push(detach[1]!);
    else if (header) rule.set.push([header[1]!, header[2]!]);
    else throw new Error(`_headers line ${index + 1}: cannot read ${JSON.stringify(line)}`);
  }
  return rules;
}
