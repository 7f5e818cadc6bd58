// Build checks: the prerendered pages, tag pages, RSS feed, sitemap and robots.txt match content/.
// Public essays (not draft, not membersOnly) get a static page, a feed item with full text and its author in
// <dc:creator>, and a sitemap entry; drafts appear nowhere in dist/client (HTML, feed, sitemap, Pagefind index);
// the members-only essay and the strategy pages have no static page and are in neither the feed nor the sitemap.
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { mdxSentences } from "@tests/support/mdx";
import { decodeEntities, markupToText, wordKey } from "@tests/support/text";
import { essays, strategyPages, tags, title } from "./content";
import { CLIENT, SITE, rel, requireBuild, walk } from "./dist";
import { filesContaining, haystacks, type Haystack } from "./haystacks";
import { parseTags } from "./html";
import { DEFAULT_AUTHOR } from "@src/site";

const ESSAYS = essays();
const STRATEGY = strategyPages();
const read = (path: string) => readFileSync(join(CLIENT, path), "utf8");

/** <loc> URLs of a sitemap file. */
const sitemapLocs = (xml: string) => [...xml.matchAll(/<loc>\s*([^<\s]+)\s*<\/loc>/g)].map((m) => m[1]!);
/** The <item> elements of an RSS document with their link and content:encoded text. */
function rssItems(xml: string) {
  return [...xml.matchAll(/<item>([\s\S]*?)<\/item>/g)].map((m) => ({
    link: /<link>([^<]*)<\/link>/.exec(m[1]!)?.[1]?.trim() ?? "",
    encoded: /<content:encoded>([\s\S]*?)<\/content:encoded>/.exec(m[1]!)?.[1] ?? "",
  }));
}

beforeAll(requireBuild);

describe("content/ as this suite reads it", () => {
  it("has public essays, a draft, a members-only essay and strategy pages to check", () => {
    expect(ESSAYS.public.length, "public essays").toBeGreaterThanOrEqual(3);
    expect(ESSAYS.drafts.length, "draft essays").toBeGreaterThanOrEqual(1);
    expect(ESSAYS.membersOnly.length, "members-only essays").toBeGreaterThanOrEqual(1);
    expect(STRATEGY.length, "strategy pages").toBeGreaterThanOrEqual(1);
  });
});

describe("public essays: one static page each", () => {
  it.each(ESSAYS.public.map((essay) => [essay.slug, essay] as const))("/essays/%s/ exists with its title as the heading", (slug, essay) => {
    const path = `essays/${slug}/index.html`;
    expect(existsSync(join(CLIENT, path)), path).toBe(true);
    const h1 = /<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(read(path))?.[1] ?? "";
    expect(wordKey(markupToText(h1))).toBe(wordKey(title(essay)));
  });
});

describe("essays that must have no static page", () => {
  const hidden = [
    ...ESSAYS.drafts.map((essay) => ["draft", essay.slug] as const),
    ...ESSAYS.membersOnly.map((essay) => ["members-only", essay.slug] as const),
  ];
  it.each(hidden)("%s essay %s: no dist/client/essays/<slug>/ page", (_kind, slug) => {
    expect(existsSync(join(CLIENT, "essays", slug)), `essays/${slug}/`).toBe(false);
    expect(existsSync(join(CLIENT, "essays", `${slug}.html`)), `essays/${slug}.html`).toBe(false);
  });

  it.each(STRATEGY.map((page) => [page.slug] as const))("strategy page %s: no static page", (slug) => {
    expect(existsSync(join(CLIENT, "strategy", slug)), `strategy/${slug}/`).toBe(false);
    expect(existsSync(join(CLIENT, "strategy", `${slug}.html`)), `strategy/${slug}.html`).toBe(false);
  });
});

describe("drafts appear nowhere in dist/client", () => {
  let stacks: Haystack[];
  beforeAll(() => {
    stacks = haystacks(CLIENT);
  });

  it("the haystack includes the HTML, the feed, the sitemap and the decompressed Pagefind index", () => {
    const names = stacks.map((stack) => rel(stack.file));
    expect(names).toContain("rss.xml");
    expect(names).toContain("sitemap-0.xml");
    expect(names.some((name) => name.endsWith(".pf_fragment")), "pagefind fragments").toBe(true);
    expect(names.some((name) => name.endsWith(".pf_index")), "pagefind index").toBe(true);
  });

  it.each(ESSAYS.drafts.map((essay) => [essay.slug, essay] as const))("draft %s: no slug, title, description or body sentence", (slug, essay) => {
    const raw = walk(CLIENT).filter((file) => readFileSync(file).includes(slug)).map((file) => rel(file));
    expect(raw, `files containing the slug "${slug}"`).toEqual([]);
    const needles = [title(essay), String(essay.data["description"]), ...mdxSentences(essay.body)];
    expect(needles.length).toBeGreaterThan(5);
    const found = needles.flatMap((needle) => filesContaining(stacks, needle).map((file) => `${rel(file)}: ${needle}`));
    expect(found).toEqual([]);
  });
});

describe("tag pages", () => {
  const publicTags = [...new Set(ESSAYS.public.flatMap(tags))].sort();
  it("every public essay's tags are collected", () => expect(publicTags.length).toBeGreaterThan(0));

  it.each(publicTags.map((tag) => [tag] as const))("/tags/%s/ lists every public essay with the tag and no draft", (tag) => {
    const path = `tags/${tag}/index.html`;
    expect(existsSync(join(CLIENT, path)), path).toBe(true);
    const linked = new Set(parseTags(read(path)).filter((t) => t.name === "a").map((t) => t.attrs["href"] ?? ""));
    for (const essay of ESSAYS.public.filter((e) => tags(e).includes(tag))) expect(linked, essay.slug).toContain(`/essays/${essay.slug}/`);
    for (const essay of ESSAYS.drafts) expect(linked, `draft ${essay.slug}`).not.toContain(`/essays/${essay.slug}/`);
  });

  it("the tag index links every tag page", () => {
    const html = read("tags/index.html");
    for (const tag of publicTags) expect(html, tag).toContain(`href="/tags/${tag}/"`);
  });
});

describe("RSS feed (rss.xml)", () => {
  const items = () => rssItems(read("rss.xml"));
  const essayUrl = (slug: string) => `${SITE}/essays/${slug}/`;

  it("lists exactly the public essays", () => {
    expect(items().map((item) => item.link).sort()).toEqual(ESSAYS.public.map((essay) => essayUrl(essay.slug)).sort());
  });

  it.each(ESSAYS.public.map((essay) => [essay.slug, essay] as const))("%s: content:encoded has the full text", (slug, essay) => {
    const item = items().find((candidate) => candidate.link === essayUrl(slug));
    expect(item, slug).toBeDefined();
    const text = ` ${wordKey(markupToText(item!.encoded))} `;
    const sentences = mdxSentences(essay.body);
    expect(sentences.length).toBeGreaterThan(5);
    expect(sentences.filter((sentence) => !text.includes(` ${wordKey(sentence)} `)), "sentences missing from the feed").toEqual([]);
  });

  it("names each essay's author in <dc:creator> (RSS 2.0's <author> must be an email address), never <author>", () => {
    const xml = read("rss.xml");
    expect(xml).not.toMatch(/<author[\s>]/);
    const creators = [...xml.matchAll(/<item>[\s\S]*?<link>([^<]*)<\/link>[\s\S]*?<\/item>/g)].map((m) => [
      m[1]!.trim(), [...m[0].matchAll(/<dc:creator>([^<]*)<\/dc:creator>/g)].map((c) => decodeEntities(c[1]!)),
    ]);
    expect(Object.fromEntries(creators)).toEqual(Object.fromEntries(ESSAYS.public.map((essay) => [
      essayUrl(essay.slug), [String(essay.data["author"] ?? DEFAULT_AUTHOR)],
    ])));
  });

  it("declares on <rss> the namespace of every prefixed element it uses", () => {
    const xml = read("rss.xml");
    const rssTag = parseTags(xml).find((tag) => tag.name === "rss");
    const prefixes = new Set([...xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "").matchAll(/<\/?([a-z]+):[a-z]/gi)].map((m) => m[1]!.toLowerCase()));
    expect([...prefixes].filter((prefix) => rssTag?.attrs[`xmlns:${prefix}`] === undefined), "undeclared prefixes").toEqual([]);
    expect(prefixes).toContain("dc");
    expect(rssTag?.attrs["xmlns:dc"]).toBe("http://purl.org/dc/elements/1.1/");
  });

  it("mentions no draft, members-only essay or strategy page", () => {
    const xml = read("rss.xml");
    for (const slug of [...ESSAYS.drafts, ...ESSAYS.membersOnly].map((essay) => essay.slug)) expect(xml, slug).not.toContain(`/essays/${slug}`);
    for (const page of STRATEGY) expect(xml, page.slug).not.toContain(`/strategy/${page.slug}`);
  });
});

describe("sitemap", () => {
  const locs = () => sitemapLocs(read("sitemap-0.xml"));
  const paths = () => locs().map((loc) => new URL(loc).pathname);

  it("sitemap-index.xml points at sitemap-0.xml on the site", () => {
    expect(sitemapLocs(read("sitemap-index.xml"))).toContain(`${SITE}/sitemap-0.xml`);
  });

  it("every URL is absolute on the site", () => {
    for (const loc of locs()) expect(new URL(loc).origin, loc).toBe(SITE);
  });

  it("lists exactly the public essays among /essays/<slug>/ URLs", () => {
    const listed = paths().filter((path) => /^\/essays\/[^/]+\/?$/.test(path)).sort();
    expect(listed).toEqual(ESSAYS.public.map((essay) => `/essays/${essay.slug}/`).sort());
  });

  it("has the home page, the essay index and the public strategy index", () => {
    expect(paths()).toEqual(expect.arrayContaining(["/", "/essays/", "/strategy/"]));
  });

  it.each([
    ["a strategy page", /^\/strategy\/.+/],
    ["/join", /^\/join(\/|$)/],
    ["/login", /^\/login(\/|$)/],
    ["/account", /^\/account(\/|$)/],
    ["/dev/", /^\/dev(\/|$)/],
    ["/api/", /^\/api(\/|$)/],
    ["/verify, /forgot, /reset, /logout, /unsubscribe", /^\/(verify|forgot|reset|logout|unsubscribe)(\/|$)/],
  ])("no %s URL", (_label, pattern) => {
    expect(paths().filter((path) => pattern.test(path))).toEqual([]);
  });
});

describe("robots.txt", () => {
  it("points crawlers at the sitemap index, which exists", () => {
    const robots = read("robots.txt");
    const sitemaps = [...robots.matchAll(/^Sitemap:\s*(\S+)\s*$/gim)].map((m) => m[1]!);
    expect(sitemaps).toEqual([`${SITE}/sitemap-index.xml`]);
    expect(existsSync(join(CLIENT, new URL(sitemaps[0]!).pathname)), "the file it names").toBe(true);
  });

  it("allows the public site and keeps crawlers out of /account, /api/ and /dev/", () => {
    const robots = read("robots.txt");
    expect(robots).toMatch(/^User-agent: \*$/m);
    for (const path of ["/account", "/api/", "/dev/"]) expect(robots).toMatch(new RegExp(`^Disallow: ${path}$`, "m"));
    expect(robots).not.toMatch(/^Disallow: \/\s*$/m);
  });
});
