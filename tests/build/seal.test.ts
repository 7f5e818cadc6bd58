// Build checks: the seal. No sentence of member-only text (strategy pages, members-only essays) is anywhere in
// dist/client, which Cloudflare serves to anyone: not in HTML, JS, CSS, JSON, XML, text, or the gzip-compressed
// Pagefind index. Every body sentence of 8+ words is extracted from content/*.mdx and searched as words (entities,
// JS escapes, tags, Markdown and punctuation normalised away) in every built file.
// Controls, so the test can fail: the same extraction finds every sentence of each public essay in its built page,
// and finds every member sentence in dist/server (the Worker must still be able to serve members).
// Also: no .dev.vars and no Stripe secret-looking strings in dist/client.
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { mdxSentences } from "@tests/support/mdx";
import { essays, strategyPages, type ContentFile } from "./content";
import { CLIENT, ROOT, fileText, rel, walk } from "./dist";
import { builtHaystacks, filesContaining, type Haystack } from "./haystacks";

const ESSAYS = essays();
const MEMBER_PAGES: Array<[label: string, file: ContentFile]> = [
  ...strategyPages().map((page) => [`/strategy/${page.slug}/`, page] as [string, ContentFile]),
  ...ESSAYS.membersOnly.map((essay) => [`/essays/${essay.slug}/`, essay] as [string, ContentFile]),
];

let client: Haystack[];
let server: Haystack[];
beforeAll(() => {
  ({ client, server } = builtHaystacks());
});

describe("sentence extraction", () => {
  it("covers every strategy page and at least one members-only essay", () => {
    expect(MEMBER_PAGES.filter(([label]) => label.startsWith("/strategy/")).length).toBeGreaterThanOrEqual(1);
    expect(ESSAYS.membersOnly.length).toBeGreaterThanOrEqual(1);
  });

  it.each(MEMBER_PAGES)("%s yields enough sentences of 8+ words", (_label, page) => {
    expect(mdxSentences(page.body).length).toBeGreaterThanOrEqual(15);
  });

  it("drops frontmatter, Markdown syntax, link targets, table pipes and short lines", () => {
    const body = [
      "## A heading that is far too short",
      "",
      "This **bold** and _quiet_ sentence links to [the handbook](/strategy/local-organising-handbook/) for all readers. Short one.",
      "",
      "| Column one | Column two |",
      "| --- | --- |",
      "| a cell with several words in it | and another cell that is long |",
      "",
      "- A list item that has at least eight words in it",
      "1. A numbered item that also has more than eight words",
      "> A quoted line that goes on and on",
      "> across two lines of the source file.",
    ].join("\n");
    expect(mdxSentences(body)).toEqual([
      "This bold and quiet sentence links to the handbook for all readers.",
      "a cell with several words in it and another cell that is long",
      "A list item that has at least eight words in it",
      "A numbered item that also has more than eight words",
      "A quoted line that goes on and on across two lines of the source file.",
    ]);
  });
});

describe("member-only text is not in dist/client", () => {
  it("the haystack covers HTML, JS, CSS, XML, text and the decompressed Pagefind files", () => {
    const names = client.map((stack) => basename(stack.file));
    for (const ending of [".html", ".js", ".css", ".xml", ".txt", ".json", ".pf_fragment", ".pf_index", ".pf_meta"]) {
      expect(names.some((name) => name.endsWith(ending)), ending).toBe(true);
    }
    const fragment = client.find((stack) => stack.file.endsWith(".pf_fragment"))!;
    expect(fileText(fragment.file), "pf_fragment is decompressed").toMatch(/"url":"\//);
  });

  it.each(MEMBER_PAGES)("%s: no body sentence in any file", (_label, page) => {
    const leaks = mdxSentences(page.body).flatMap((sentence) => filesContaining(client, sentence).map((file) => `${rel(file)}: ${sentence}`));
    expect(leaks).toEqual([]);
  });

  it.each(MEMBER_PAGES)("%s: not in the Pagefind fragments' URLs", (label) => {
    const urls = client.filter((stack) => stack.file.endsWith(".pf_fragment")).map((stack) => /"url":"([^"]+)"/.exec(fileText(stack.file))?.[1]);
    expect(urls).not.toContain(label);
  });
});

describe("positive controls", () => {
  it.each(ESSAYS.public.map((essay) => [essay.slug, essay] as const))("public essay %s: every sentence is found in its built page", (slug, essay) => {
    const sentences = mdxSentences(essay.body);
    expect(sentences.length).toBeGreaterThanOrEqual(15);
    const page = join(CLIENT, "essays", slug, "index.html");
    const missing = sentences.filter((sentence) => !filesContaining(client, sentence).includes(page));
    expect(missing).toEqual([]);
  });

  it.each(ESSAYS.public.map((essay) => [essay.slug, essay] as const))("public essay %s: the Pagefind index holds its text (decompression works)", (_slug, essay) => {
    const fragments = client.filter((stack) => stack.file.endsWith(".pf_fragment"));
    const first = mdxSentences(essay.body)[0]!;
    expect(filesContaining(fragments, first).length, first).toBe(1);
  });

  it.each(MEMBER_PAGES)("%s: every sentence is in dist/server (members are served it)", (_label, page) => {
    const missing = mdxSentences(page.body).filter((sentence) => filesContaining(server, sentence).length === 0);
    expect(missing).toEqual([]);
  });
});

describe("no secrets in dist/client", () => {
  const files = () => walk(CLIENT);

  it("no .dev.vars or .env file", () => {
    expect(files().map((file) => rel(file)).filter((name) => /(^|\/)\.(dev\.vars|env)(\.|$)/.test(name))).toEqual([]);
  });

  it.each(["sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"])("no file contains %s", (prefix) => {
    expect(files().filter((file) => fileText(file).includes(prefix)).map((file) => rel(file))).toEqual([]);
  });

  // Secret setting names from the committed example file: client code that names them has server code in it.
  const secretNames = [...readFileSync(join(ROOT, ".dev.vars.example"), "utf8").matchAll(/^([A-Z][A-Z0-9_]*)=/gm)]
    .map((m) => m[1]!)
    .filter((name) => /SECRET|TOKEN|PASSWORD|PRIVATE/.test(name));
  it("the example file names the secret settings", () => expect(secretNames.length).toBeGreaterThanOrEqual(1));
  it.each(secretNames.map((name) => [name] as const))("no file names the secret setting %s", (name) => {
    expect(files().filter((file) => fileText(file).includes(name)).map((file) => rel(file))).toEqual([]);
  });
});
