// Build checks on what the static pages say about themselves: canonical URL and og:url only on indexable pages
// (never on 404.html), a public essay's JSON-LD (parses; headline, dates, author, publisher, page, and its own
// social card as image), and the contact address as a mailto link on the about and privacy pages.
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { markupToText } from "@tests/support/text";
import { essays, tags, title } from "./content";
import { CLIENT, SITE, htmlFiles, pageUrl, rel, requireBuild } from "./dist";
import { parseTags, type Tag } from "./html";
import { CONTACT_EMAIL } from "@functions/contact";
import { DEFAULT_AUTHOR } from "@src/site";

const read = (path: string) => readFileSync(join(CLIENT, path), "utf8");
const linkHref = (found: Tag[], rel: string) => found.find((t) => t.name === "link" && t.attrs["rel"] === rel)?.attrs["href"];
const metaContent = (found: Tag[], key: string) =>
  found.find((t) => t.name === "meta" && (t.attrs["property"] === key || t.attrs["name"] === key))?.attrs["content"];
/** A frontmatter date as the ISO string Astro's z.coerce.date() gives it. */
const iso = (value: unknown) => new Date(String(value)).toISOString();

beforeAll(requireBuild);

describe("canonical URL and og:url", () => {
  it("404.html is noindex and names no canonical URL or og:url (it would point crawlers at /404/)", () => {
    const found = parseTags(read("404.html"));
    expect(metaContent(found, "robots")).toBe("noindex");
    expect(linkHref(found, "canonical"), "canonical").toBeUndefined();
    expect(metaContent(found, "og:url"), "og:url").toBeUndefined();
  });

  it("every indexable page names itself as canonical and og:url; no noindex page names any", () => {
    const wrong: string[] = [];
    for (const file of htmlFiles()) {
      const found = parseTags(readFileSync(file, "utf8"));
      const noindex = (metaContent(found, "robots") ?? "").includes("noindex");
      const expected = noindex ? undefined : `${SITE}${pageUrl(file)}`;
      for (const [what, value] of [["canonical", linkHref(found, "canonical")], ["og:url", metaContent(found, "og:url")]]) {
        if (value !== expected) wrong.push(`${rel(file)} ${what}: ${value} (expected ${expected})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("JSON-LD of public essays", () => {
  it.each(essays().public.map((essay) => [essay.slug, essay] as const))("%s: parses, with every Article field", (slug, essay) => {
    const found = parseTags(read(`essays/${slug}/index.html`));
    const blocks = found.filter((t) => t.name === "script" && t.attrs["type"] === "application/ld+json");
    expect(blocks).toHaveLength(1);
    const data = JSON.parse(blocks[0]!.content ?? "") as Record<string, unknown>;
    const url = `${SITE}/essays/${slug}/`;
    const image = `${SITE}/og/essays/${slug}.png`;
    const { pubDate, updatedDate, description, author = DEFAULT_AUTHOR } = essay.data;
    expect(data).toEqual({
      "@context": "https://schema.org",
      "@type": "Article",
      headline: title(essay),
      description,
      datePublished: iso(pubDate),
      dateModified: iso(updatedDate ?? pubDate),
      author: { "@type": "Organization", name: author },
      publisher: { "@type": "Organization", name: "Smallism" },
      mainEntityOfPage: url,
      image,
      isAccessibleForFree: true,
      ...(tags(essay).length > 0 && { keywords: tags(essay).join(", ") }),
    });
    expect(linkHref(found, "canonical"), "the page's canonical URL is the JSON-LD's page").toBe(url);
    expect(metaContent(found, "og:image"), "og:image is the JSON-LD's image").toBe(image);
    expect(existsSync(join(CLIENT, "og", "essays", `${slug}.png`)), "the social card it names is built").toBe(true);
  });
});

describe("contact address", () => {
  it.each([["about/index.html"], ["privacy/index.html"]])("%s links mailto:CONTACT_EMAIL, showing the address", (path) => {
    const html = read(path);
    const links = [...html.matchAll(/<a\b[^>]*>[\s\S]*?<\/a>/g)].map((m) => m[0]).filter((a) => parseTags(a)[0]?.attrs["href"] === `mailto:${CONTACT_EMAIL}`);
    expect(links.length, `<a href="mailto:${CONTACT_EMAIL}">`).toBeGreaterThan(0);
    expect(markupToText(links[0]!).trim()).toBe(CONTACT_EMAIL);
  });
});
