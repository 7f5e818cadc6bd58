// A letter's content (functions/letters/compose.ts): Markdown rendered with raw HTML off and only safe links, hostile
// and huge input refused or defused, the plain-text twin, and letters from essays with their opening paragraphs.
import { describe, expect, it } from "vitest";
import { composeFromEssay, composeFromMarkdown, MARKDOWN_MAX, openingParagraphs, renderMarkdown, SUBJECT_MAX } from "@functions/letters/compose";

const SITE = "https://smallism.test";
const ok = (result: ReturnType<typeof composeFromMarkdown>) => {
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.letter;
};

describe("renderMarkdown", () => {
  it("renders simple markup, a writer's headings one level down", () => {
    const { html } = renderMarkdown("# Title\n\nSome *emphasis* and **strength**.\n\n- one\n- two\n\n> quoted", SITE);
    expect(html).toContain("<h2>Title</h2>");
    expect(html).toContain("<em>emphasis</em>");
    expect(html).toContain("<strong>strength</strong>");
    expect(html).toContain("<li>one</li>");
    expect(html).toContain("<blockquote>");
  });

  it("shows raw HTML as text, never as markup", () => {
    const { html } = renderMarkdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\nHi <b onclick="x()">there</b>', SITE);
    expect(html).not.toMatch(/<(script|img|b)\b/i);
    expect(html).not.toMatch(/\son\w+="/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("drops javascript:, data:, vbscript: and file: links but keeps their text", () => {
    for (const href of ["javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x", "file:///etc/passwd", "java\tscript:alert(1)"]) {
      const { html } = renderMarkdown(`[click](${href})`, SITE);
      expect(html, href).not.toMatch(/href=/);
      expect(html, href).toContain("click");
    }
    expect(renderMarkdown("<javascript:alert(1)>", SITE).html).not.toMatch(/href=/);
  });

  it("keeps http(s) and mailto links, makes site-relative ones absolute, and links bare addresses", () => {
    const { html } = renderMarkdown("[a](https://example.org/x) [b](mailto:hello@example.org) [c](/essays/one/) https://example.org/bare", SITE);
    expect(html).toContain('href="https://example.org/x"');
    expect(html).toContain('href="mailto:hello@example.org"');
    expect(html).toContain(`href="${SITE}/essays/one/"`);
    expect(html).toContain('<a href="https://example.org/bare">https://example.org/bare</a>');
    expect(renderMarkdown("[protocol-relative](//evil.example/x)", SITE).html).not.toMatch(/href=/);
  });

  it("shows images as their text: no remote image (a tracking pixel) in a letter", () => {
    const { html } = renderMarkdown("![a pixel](https://tracker.example/p.gif)", SITE);
    expect(html).not.toContain("<img");
    expect(html).not.toContain('src="');
  });

  it("escapes attribute breakouts in link targets and titles", () => {
    const { html } = renderMarkdown('[x](https://example.org/"onmouseover="alert(1) "t\\"itle")', SITE);
    expect(html).not.toMatch(/"\s*onmouseover=/);
  });

  it("writes a plain-text twin: links after their text, list items marked, quotes marked", () => {
    const { text } = renderMarkdown("## Plans\n\nRead [the essay](/essays/one/) now.\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\nVisit https://example.org", SITE);
    expect(text).toContain("Plans\n-----");
    expect(text).toContain(`Read the essay (${SITE}/essays/one/) now.`);
    expect(text).toContain("- one");
    expect(text).toContain("2. second");
    expect(text).toContain("> quoted");
    expect(text).toContain("Visit https://example.org");
    expect(text).not.toContain("https://example.org (https://example.org)");
    expect(text).not.toMatch(/<\/?[a-z]/);
  });
});

describe("composeFromMarkdown", () => {
  it("makes subject, HTML and text", () => {
    const letter = ok(composeFromMarkdown({ subject: "  Hello  ", markdown: "Dear members,\n\nNews." }, SITE));
    expect(letter).toEqual({ subject: "Hello", bodyHtml: "<p>Dear members,</p>\n<p>News.</p>", bodyText: "Dear members,\n\nNews." });
  });

  it("refuses an empty subject and an empty text, each with its message", () => {
    const result = composeFromMarkdown({ subject: " ", markdown: " \n " }, SITE);
    expect(result).toEqual({ ok: false, errors: { subject: "Give the letter a subject.", bodyMarkdown: "Write the letter: its text is empty." } });
  });

  it("refuses an over-long subject, a subject with a line break, and over-long text", () => {
    const long = composeFromMarkdown({ subject: "s".repeat(SUBJECT_MAX + 1), markdown: "x".repeat(MARKDOWN_MAX + 1) }, SITE);
    expect(long.ok).toBe(false);
    if (!long.ok) {
      expect(long.errors.subject).toMatch(/200 characters/);
      expect(long.errors.bodyMarkdown).toMatch(/100,000 characters; this one has 100,001/);
    }
    const split = composeFromMarkdown({ subject: "Hi\r\nBcc: everyone@example.org", markdown: "x" }, SITE);
    expect(split.ok ? null : split.errors.subject).toBe("The subject must be one line.");
  });

  it("renders the largest hostile inputs allowed quickly", () => {
    for (const hostile of ["[".repeat(MARKDOWN_MAX), "*".repeat(MARKDOWN_MAX), ">".repeat(MARKDOWN_MAX), "- ".repeat(MARKDOWN_MAX / 2), "<".repeat(MARKDOWN_MAX), "[a](".repeat(MARKDOWN_MAX / 4)]) {
      const started = performance.now();
      const letter = ok(composeFromMarkdown({ subject: "Big", markdown: hostile }, SITE));
      expect(performance.now() - started, hostile.slice(0, 4)).toBeLessThan(2000);
      expect(letter.bodyHtml).not.toMatch(/<script|href="javascript/i);
    }
  });
});

describe("composeFromEssay", () => {
  const essay = { slug: "small-is-possible", title: "Small is possible", description: "Why wards work.", paragraphs: ["First <b>para</b>.", "Second with [a link](/about/)."] };

  it("quotes the title, description, given paragraphs and a link to the essay", () => {
    const letter = ok(composeFromEssay({ subject: "", note: "", essay, paragraphs: essay.paragraphs }, SITE));
    expect(letter.subject).toBe("Small is possible");
    expect(letter.bodyHtml).toContain("<h2>Small is possible</h2>");
    expect(letter.bodyHtml).toContain("<p><em>Why wards work.</em></p>");
    expect(letter.bodyHtml).toContain("<p>First &lt;b&gt;para&lt;/b&gt;.</p>");
    expect(letter.bodyHtml).toContain(`<a href="${SITE}/about/">a link</a>`);
    expect(letter.bodyHtml).toContain(`<a href="${SITE}/essays/small-is-possible/">Read the whole essay on the site</a>`);
    expect(letter.bodyText).toContain(`Read the whole essay on the site: ${SITE}/essays/small-is-possible/`);
  });

  it("with no paragraphs (a members-only essay to a public audience) has only what its public summary shows", () => {
    const letter = ok(composeFromEssay({ subject: "Custom", note: "A note *first*.", essay, paragraphs: [] }, SITE));
    expect(letter.subject).toBe("Custom");
    expect(letter.bodyHtml).not.toContain("First");
    expect(letter.bodyText).not.toContain("First");
    expect(letter.bodyHtml.indexOf("<em>first</em>")).toBeLessThan(letter.bodyHtml.indexOf("<h2>"));
    expect(letter.bodyHtml).toContain("Read the essay on the site");
  });

  it("escapes an essay's title and description", () => {
    const letter = ok(composeFromEssay({ subject: "", note: "", essay: { ...essay, title: "<i>T</i>", description: '"D" & <b>' }, paragraphs: [] }, SITE));
    expect(letter.bodyHtml).toContain("<h2>&lt;i&gt;T&lt;/i&gt;</h2>");
    expect(letter.bodyHtml).toContain("&quot;D&quot; &amp; &lt;b&gt;");
  });
});

describe("openingParagraphs", () => {
  it("takes the first prose paragraphs, skipping imports, components, headings, lists and code", () => {
    const source = [
      'import Figure from "../components/Figure.astro";',
      "## A heading",
      '<Figure src="x" />',
      "```js\nconst a = 1;\n\nconst b = 2;\n```",
      "- a list",
      "The first\nparagraph.[^1]",
      "| a | table |",
      "The second.",
      "The third.",
      "The fourth.",
    ].join("\n\n");
    expect(openingParagraphs(source)).toEqual(["The first paragraph.", "The second.", "The third."]);
  });

  it("stops after about 1,500 characters", () => {
    const long = "word ".repeat(400).trim();
    expect(openingParagraphs(`${long}\n\n${long}\n\nthird`)).toEqual([long]);
  });
});
