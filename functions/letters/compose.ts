// A letter's own content (without the email's frame and footer, which message.ts adds): its subject, `body_html` and
// `body_text`, from Markdown written in the console or from an essay (its title, description, opening paragraphs and
// a link). Markdown goes through markdown-it with raw HTML off, so whatever is typed becomes text: no tag, attribute
// or script of the writer's reaches a reader. Links are kept only to http(s) and mailto (site-relative ones are made
// absolute: a mail client has no "site"); images are off (a remote image in a letter is a tracking pixel).
// The HTML is simple, inline-able markup (p, h2–h4, lists, blockquote, strong/em, code, hr, a) that every mail client
// renders. Which essays' paragraphs may go to which audience is decided by the caller (access.ts: mayQuoteMemberText).
// The package's own prebuilt, minified ES module (its "browser" export: no Node APIs, dependencies included), which is
// about 90 KB smaller in the Worker than bundling its sources (the adapter does not minify the Worker's output).
import MarkdownIt from "markdown-it/browser";

/** The longest subject (migrations/0012_letters.sql checks it too). */
export const SUBJECT_MAX = 200;
/** The longest Markdown a letter may have (the schema's check on body_markdown). */
export const MARKDOWN_MAX = 100_000;
/** How much of an essay's opening a letter quotes: at most this many paragraphs and characters. */
export const EXCERPT_PARAGRAPHS = 3;
export const EXCERPT_CHARS = 1500;

const md = new MarkdownIt("default", { html: false, linkify: true, typographer: true, breaks: false });
md.disable(["image"]);
// Letters have their subject as the title: a writer's "# Heading" is shown one level down.
const HEADING_LEVEL: Record<string, string> = { h1: "h2", h2: "h3", h3: "h4", h4: "h4", h5: "h4", h6: "h4" };

/** True for the link targets a letter keeps: http(s), mailto and site-relative paths; nothing else (javascript:, data:, file:…). */
function isAllowedHref(href: string): boolean {
  return /^(https?:\/\/|mailto:)/i.test(href) || /^\/(?!\/)/.test(href) || href.startsWith("#");
}
md.validateLink = (url) => isAllowedHref(url.trim());

/** The links a letter's writer cannot trust to survive: relative ones become absolute on the site. */
function absoluteHref(href: string, siteUrl: string): string {
  return href.startsWith("/") || href.startsWith("#") ? new URL(href, siteUrl).href : href;
}

/** The rendering of a Markdown text for `siteUrl`: simple HTML and its plain-text twin. */
export function renderMarkdown(markdown: string, siteUrl: string): { html: string; text: string } {
  const tokens = md.parse(markdown, {});
  for (const token of tokens) {
    if (token.type === "heading_open" || token.type === "heading_close") token.tag = HEADING_LEVEL[token.tag] ?? token.tag;
    for (const child of token.children ?? []) {
      if (child.type === "link_open") child.attrSet("href", absoluteHref(String(child.attrGet("href") ?? ""), siteUrl));
    }
  }
  return { html: md.renderer.render(tokens, md.options, {}).trim(), text: plainText(tokens) };
}

type Token = ReturnType<typeof md.parse>[number];

/** Plain text from markdown-it's tokens: paragraphs apart, list items marked, links written out after their text. */
function plainText(tokens: Token[]): string {
  const blocks: string[] = [];
  const lists: Array<{ ordered: boolean; next: number }> = [];
  let quote = 0;
  let itemMark: string | null = null;
  const push = (text: string) => {
    const lines = text.split("\n").map((line) => "> ".repeat(quote) + line);
    const indent = "   ".repeat(Math.max(0, lists.length - 1));
    if (itemMark !== null) {
      lines[0] = `${indent}${itemMark} ${lines[0]}`;
      for (let i = 1; i < lines.length; i++) lines[i] = `${indent}  ${lines[i]}`;
      itemMark = null;
    }
    blocks.push(lines.join("\n"));
  };
  tokens.forEach((token, index) => {
    switch (token.type) {
      case "bullet_list_open": lists.push({ ordered: false, next: 1 }); break;
      case "ordered_list_open": lists.push({ ordered: true, next: Number(token.attrGet("start") ?? 1) }); break;
      case "bullet_list_close": case "ordered_list_close": lists.pop(); break;
      case "list_item_open": {
        const list = lists.at(-1)!;
        itemMark = list.ordered ? `${list.next++}.` : "-";
        break;
      }
      case "blockquote_open": quote++; break;
      case "blockquote_close": quote--; break;
      case "hr": push("----"); break;
      case "fence": case "code_block": push(token.content.replace(/\n$/, "")); break;
      case "inline": {
        const text = inlineText(token.children ?? []);
        const heading = tokens[index - 1]?.type === "heading_open";
        push(heading ? `${text}\n${"-".repeat(Math.min(text.length, 72))}` : text);
        break;
      }
    }
  });
  // Every block (list items too) is a paragraph of its own: plain-text readers wrap lines, not blocks.
  return blocks.join("\n\n").replace(/\n{3,}/g, "\n\n").trim();
}

/** An inline run as text: a link is "its text (its address)" unless the text already is the address. */
function inlineText(children: Token[]): string {
  let out = "";
  const hrefs: Array<{ href: string; start: number }> = [];
  for (const child of children) {
    if (child.type === "text" || child.type === "code_inline") out += child.content;
    else if (child.type === "softbreak" || child.type === "hardbreak") out += "\n";
    else if (child.type === "link_open") hrefs.push({ href: String(child.attrGet("href") ?? ""), start: out.length });
    else if (child.type === "link_close") {
      const link = hrefs.pop();
      if (link && out.slice(link.start) !== link.href.replace(/^mailto:/, "")) out += ` (${link.href})`;
    }
  }
  return out;
}

/** Escapes text for HTML (element content and double-quoted attributes). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A letter's content as the letters table stores it. */
export interface LetterContent { subject: string; bodyHtml: string; bodyText: string }

export type ComposeResult = { ok: true; letter: LetterContent } | { ok: false; errors: Record<string, string> };

/** The subject's problem, if any (empty, too long, or a line break that would split the header). */
export function checkSubject(subject: string): string | null {
  if (subject === "") return "Give the letter a subject.";
  if (subject.length > SUBJECT_MAX) return `Keep the subject to ${SUBJECT_MAX} characters (it has ${subject.length}).`;
  if (/[\r\n]/.test(subject)) return "The subject must be one line.";
  return null;
}

/** The Markdown's problem, if any (too long, or nothing to say when `required`). */
function checkMarkdown(markdown: string, required: boolean): string | null {
  if (markdown.length > MARKDOWN_MAX) return `A letter can be up to ${MARKDOWN_MAX.toLocaleString("en-GB")} characters; this one has ${markdown.length.toLocaleString("en-GB")}.`;
  if (required && markdown.trim() === "") return "Write the letter: its text is empty.";
  return null;
}

/** A letter written in Markdown. */
export function composeFromMarkdown(input: { subject: string; markdown: string }, siteUrl: string): ComposeResult {
  const subject = input.subject.trim();
  const errors: Record<string, string> = {};
  const subjectProblem = checkSubject(subject);
  const markdownProblem = checkMarkdown(input.markdown, true);
  if (subjectProblem) errors.subject = subjectProblem;
  if (markdownProblem) errors.bodyMarkdown = markdownProblem;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const body = renderMarkdown(input.markdown, siteUrl);
  return { ok: true, letter: { subject, bodyHtml: body.html, bodyText: body.text } };
}

/** What a letter from an essay is made of: what its page shows, and the opening paragraphs (Markdown) it may quote. */
export interface EssayForLetter { slug: string; title: string; description: string; paragraphs: string[] }

/**
 * A letter from an essay: an optional note (Markdown), the essay's title as heading, its description, the opening
 * `paragraphs` (already cut to what this audience may read: access.ts) and a link to the whole essay on the site.
 * The subject is the essay's title unless one is given.
 */
export function composeFromEssay(input: { subject: string; note: string; essay: EssayForLetter; paragraphs: string[] }, siteUrl: string): ComposeResult {
  const subject = input.subject.trim() || input.essay.title;
  const errors: Record<string, string> = {};
  const subjectProblem = checkSubject(subject);
  const noteProblem = checkMarkdown(input.note, false);
  if (subjectProblem) errors.subject = subjectProblem;
  if (noteProblem) errors.bodyMarkdown = noteProblem;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const url = new URL(`/essays/${encodeURIComponent(input.essay.slug)}/`, siteUrl).href;
  const note = input.note.trim() === "" ? null : renderMarkdown(input.note, siteUrl);
  const opening = input.paragraphs.length === 0 ? null : renderMarkdown(input.paragraphs.join("\n\n"), siteUrl);
  const more = input.paragraphs.length === 0 ? "Read the essay on the site" : "Read the whole essay on the site";
  const html = [
    note?.html,
    `<h2>${escapeHtml(input.essay.title)}</h2>`,
    `<p><em>${escapeHtml(input.essay.description)}</em></p>`,
    opening?.html,
    `<p><a href="${escapeHtml(url)}">${more}</a></p>`,
  ].filter(Boolean).join("\n");
  const text = [note?.text, input.essay.title, input.essay.description, opening?.text, `${more}: ${url}`].filter(Boolean).join("\n\n");
  return { ok: true, letter: { subject, bodyHtml: html, bodyText: text } };
}

/**
 * The opening paragraphs of an essay's Markdown (MDX) source: its first prose paragraphs, at most EXCERPT_PARAGRAPHS
 * and about EXCERPT_CHARS, skipping imports, components, headings, lists, tables and code (a letter quotes prose).
 */
export function openingParagraphs(source: string): string[] {
  const paragraphs: string[] = [];
  let chars = 0;
  // Fenced code may hold blank lines: drop it whole before splitting into blocks.
  const unfenced = source.replace(/\r\n?/g, "\n").replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, "");
  for (const block of unfenced.split(/\n\s*\n/)) {
    const text = block.trim();
    if (text === "" || /^(```|~~~|import\s|export\s|<|\{|#|\||[-*+]\s|\d+[.)]\s|>|---|\*\*\*|\[\^)/.test(text)) continue;
    if (/<[A-Za-z]|\{[^}]*\}/.test(text)) continue;
    const prose = text.replace(/\[\^[^\]]+\]/g, "").replace(/\s*\n\s*/g, " ");
    paragraphs.push(prose);
    chars += prose.length;
    if (paragraphs.length >= EXCERPT_PARAGRAPHS || chars >= EXCERPT_CHARS) break;
  }
  return paragraphs;
}
