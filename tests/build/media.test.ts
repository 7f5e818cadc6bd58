// Build checks on pictures and social cards:
//   - every essay hero is a <picture> of AVIF and WebP sources (several real widths, made at build time into
//     dist/client/_astro) with a fallback in the original's format, alt text from the frontmatter, width and height
//     in the original's proportions (no layout shift), loaded eagerly at high priority; nothing points at /_image;
//   - every published essay, every strategy page and the site have a social card in dist/client/og: a PNG of
//     1200×630 (IHDR), each different, none for drafts or anything else; every page's og:image, twitter:image and
//     JSON-LD image name an existing card, with its size and alt text;
//   - the text a card records having drawn (its "Drawn text" iTXt chunk) is exactly the site's name, the page's
//     label, its title, its description or public summary, and the site's address: never a body sentence.
// Run after `DEV_MAILBOX=1 npm run build`: `npx vitest run --project build`.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { CLIENT, SITE, htmlFiles, pageUrl, rel, requireBuild, staticFileFor, walk } from "./dist";
import { CONTENT, essays, strategyPages, type ContentFile } from "./content";
import { parseTags, type Tag } from "./html";
import { mdxSentences } from "@tests/support/mdx";
import { wordKey } from "@tests/support/text";
import { SITE_DESCRIPTION, SITE_TAGLINE, SITE_TITLE } from "@src/site";

beforeAll(requireBuild);

// ---- PNG ----------------------------------------------------------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The chunks of a PNG file, in order: type and data. Throws when the bytes are not a PNG. */
function pngChunks(bytes: Buffer): Array<{ type: string; data: Buffer }> {
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error("not a PNG (signature)");
  const chunks: Array<{ type: string; data: Buffer }> = [];
  for (let offset = 8; offset + 8 <= bytes.length;) {
    const length = bytes.readUInt32BE(offset);
    chunks.push({ type: bytes.toString("latin1", offset + 4, offset + 8), data: bytes.subarray(offset + 8, offset + 8 + length) });
    offset += 12 + length;
  }
  return chunks;
}

/** Width and height from the IHDR chunk (which must come first). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  const [ihdr] = pngChunks(bytes);
  if (ihdr?.type !== "IHDR") throw new Error("IHDR is not the first chunk");
  return { width: ihdr.data.readUInt32BE(0), height: ihdr.data.readUInt32BE(4) };
}

/** The strings a card recorded having drawn (src/lib/social-card-image.ts), or null without that chunk. */
function drawnText(bytes: Buffer): string[] | null {
  for (const { type, data } of pngChunks(bytes)) {
    if (type !== "iTXt") continue;
    const keywordEnd = data.indexOf(0);
    if (data.toString("latin1", 0, keywordEnd) !== "Drawn text") continue;
    // keyword \0, compression flag, method, language tag \0, translated keyword \0, then the text.
    const languageEnd = data.indexOf(0, keywordEnd + 3);
    const translatedEnd = data.indexOf(0, languageEnd + 1);
    return JSON.parse(data.toString("utf8", translatedEnd + 1)) as string[];
  }
  return null;
}

// ---- What the content says each card shows ------------------------------------------------------------------------

const ESSAYS = essays();
const STRATEGY = strategyPages();
const HOST = new URL(SITE).host;
const field = (file: ContentFile, key: string) => String(file.data[key] ?? "");

interface ExpectedCard {
  file: string;
  /** The page whose card it is. */
  page: string;
  drawn: string[];
  /** Body sentences the card must never carry (member-only pages). */
  sealed: string[];
}

const EXPECTED: ExpectedCard[] = [
  { file: "og/site.png", page: "/", drawn: [SITE_TITLE, SITE_TAGLINE, SITE_DESCRIPTION, HOST], sealed: [] },
  ...ESSAYS.published.map((essay) => ({
    file: `og/essays/${essay.slug}.png`,
    page: `/essays/${essay.slug}/`,
    drawn: [SITE_TITLE, essay.data["membersOnly"] === true ? "Essay · Members" : "Essay", field(essay, "title"), field(essay, "description"), HOST],
    sealed: essay.data["membersOnly"] === true ? mdxSentences(essay.body) : [],
  })),
  ...STRATEGY.map((page) => {
    const section = field(page, "section") || "Strategy";
    return {
      file: `og/strategy/${page.slug}.png`,
      page: `/strategy/${page.slug}/`,
      drawn: [SITE_TITLE, section === "Strategy" ? "Strategy" : `Strategy · ${section}`, field(page, "title"), field(page, "summary"), HOST],
      sealed: mdxSentences(page.body),
    };
  }),
];

describe("social cards", () => {
  it("there is one for the site, each published essay and each strategy page, and nothing else in og/", () => {
    expect(walk(join(CLIENT, "og")).map((file) => rel(file)).sort()).toEqual(EXPECTED.map((card) => card.file).sort());
    expect(EXPECTED.length).toBe(1 + ESSAYS.published.length + STRATEGY.length);
    for (const draft of ESSAYS.drafts) expect(existsSync(join(CLIENT, "og", "essays", `${draft.slug}.png`)), draft.slug).toBe(false);
  });

  it.each(EXPECTED.map((card) => [card.file, card] as const))("%s is a 1200×630 PNG", (_name, card) => {
    expect(pngSize(readFileSync(join(CLIENT, card.file)))).toEqual({ width: 1200, height: 630 });
  });

  it("every card is different", () => {
    const hashes = EXPECTED.map((card) => createHash("sha256").update(readFileSync(join(CLIENT, card.file))).digest("hex"));
    expect(new Set(hashes).size).toBe(EXPECTED.length);
  });

  it.each(EXPECTED.map((card) => [card.file, card] as const))("%s drew the site's name, label, title, standfirst and address only", (_name, card) => {
    expect(drawnText(readFileSync(join(CLIENT, card.file)))).toEqual(card.drawn);
  });

  it.each(EXPECTED.filter((card) => card.sealed.length > 0).map((card) => [card.page, card] as const))("%s: its card carries no body sentence", (_page, card) => {
    expect(card.sealed.length).toBeGreaterThanOrEqual(15);
    const drawn = ` ${wordKey((drawnText(readFileSync(join(CLIENT, card.file))) ?? []).join(" "))} `;
    const bytes = ` ${wordKey(readFileSync(join(CLIENT, card.file)).toString("utf8"))} `;
    expect(card.sealed.filter((sentence) => drawn.includes(` ${wordKey(sentence)} `) || bytes.includes(` ${wordKey(sentence)} `))).toEqual([]);
  });

  it("the drawn-text reader finds a sentence when one is there (so the check above can fail)", () => {
    const card = EXPECTED.find((candidate) => candidate.file.startsWith("og/strategy/"))!;
    const summary = card.drawn[3]!;
    expect(` ${wordKey((drawnText(readFileSync(join(CLIENT, card.file))) ?? []).join(" "))} `).toContain(` ${wordKey(summary)} `);
  });

  const meta = (found: Tag[], key: string) => found.find((t) => t.name === "meta" && (t.attrs["property"] === key || t.attrs["name"] === key))?.attrs["content"];
  it.each(htmlFiles().map((file) => [rel(file), file] as const))("%s names an existing card as og:image, twitter:image and JSON-LD image", (_name, file) => {
    const found = parseTags(readFileSync(file, "utf8"));
    const image = meta(found, "og:image") ?? "";
    expect(image.startsWith(`${SITE}/og/`), image).toBe(true);
    expect(staticFileFor(new URL(image).pathname), `${image} is built`).not.toBeNull();
    expect(meta(found, "twitter:image")).toBe(image);
    expect([meta(found, "og:image:width"), meta(found, "og:image:height"), meta(found, "og:image:type")]).toEqual(["1200", "630", "image/png"]);
    expect(meta(found, "og:image:alt")).toMatch(new RegExp(`^${SITE_TITLE}: .+`));
    expect(meta(found, "twitter:image:alt")).toBe(meta(found, "og:image:alt"));
    const own = EXPECTED.find((card) => card.page === pageUrl(file) && card.file !== "og/site.png");
    expect(image, "a page with its own card names it; the rest name the site's").toBe(`${SITE}/${own?.file ?? "og/site.png"}`);
    const jsonLd = found.find((t) => t.name === "script" && t.attrs["type"] === "application/ld+json");
    if (jsonLd) {
      const data = JSON.parse(jsonLd.content ?? "") as { image?: string };
      if (data.image !== undefined) expect(data.image).toBe(image);
    }
  });
});

// ---- Hero pictures ------------------------------------------------------------------------------------------------

/** Public essays with a hero, with the path of its source image. */
const HEROES = ESSAYS.public
  .filter((essay) => typeof essay.data["hero"] === "object")
  .map((essay) => {
    const hero = essay.data["hero"] as Record<string, string>;
    return { essay, alt: hero["alt"]!, source: join(CONTENT, "essays", hero["image"]!) };
  });

/** The tags of an essay page's hero: the first <picture>, its <source>s and its <img>. */
function heroTags(slug: string): { sources: Tag[]; img: Tag } {
  const tags = parseTags(readFileSync(join(CLIENT, "essays", slug, "index.html"), "utf8"));
  const start = tags.findIndex((tag) => tag.name === "picture");
  expect(start, "a <picture>").toBeGreaterThan(-1);
  const end = tags.findIndex((tag, index) => index > start && tag.name === "img");
  return { sources: tags.slice(start + 1, end).filter((tag) => tag.name === "source"), img: tags[end]! };
}

/** [url, width descriptor] of each srcset candidate. */
const candidates = (srcset: string) => srcset.split(",").map((part) => part.trim().split(/\s+/) as [string, string]);

describe("hero pictures", () => {
  it("at least one sample essay has a hero (so these checks check something)", () => expect(HEROES.length).toBeGreaterThanOrEqual(1));

  it.each(HEROES.map((hero) => [hero.essay.slug, hero] as const))("%s: AVIF then WebP at several widths, built to dist/client", async (slug) => {
    const { sources } = heroTags(slug);
    expect(sources.map((source) => source.attrs["type"])).toEqual(["image/avif", "image/webp"]);
    for (const source of sources) {
      const format = source.attrs["type"]!.replace("image/", "");
      const list = candidates(source.attrs["srcset"] ?? "");
      expect(list.length, `${format} widths`).toBeGreaterThanOrEqual(3);
      expect(source.attrs["sizes"], "sizes").toMatch(/\d/);
      for (const [url, descriptor] of list) {
        expect(url, "made at build time, not by /_image").toMatch(/^\/_astro\/[^?]+\.(avif|webp)$/);
        const file = staticFileFor(url);
        expect(file, `${url} is built`).not.toBeNull();
        const info = await sharp(file!).metadata();
        expect(info.format === "heif" ? "avif" : info.format, url).toBe(format);
        expect(`${info.width}w`, url).toBe(descriptor);
      }
    }
  });

  it.each(HEROES.map((hero) => [hero.essay.slug, hero] as const))("%s: the fallback <img> has alt, width and height in proportion, and loads first", async (slug, hero) => {
    const { img } = heroTags(slug);
    const original = await sharp(hero.source).metadata();
    expect(img.attrs["alt"]).toBe(hero.alt);
    const width = Number(img.attrs["width"]);
    const height = Number(img.attrs["height"]);
    expect(width).toBeGreaterThan(0);
    expect(Math.abs(width / height - original.width! / original.height!)).toBeLessThan(0.01);
    expect([img.attrs["loading"], img.attrs["fetchpriority"]]).toEqual(["eager", "high"]);
    expect(extname(img.attrs["src"] ?? ""), "fallback in the original's format").toBe(extname(hero.source));
    expect(staticFileFor(img.attrs["src"] ?? "")).not.toBeNull();
  });

  it("only an essay's hero loads eagerly: every other <img> on every page is lazy or a small inline icon", () => {
    const eager: string[] = [];
    for (const file of htmlFiles()) {
      const imgs = parseTags(readFileSync(file, "utf8")).filter((tag) => tag.name === "img");
      const hero = HEROES.some((candidate) => pageUrl(file) === `/essays/${candidate.essay.slug}/`) ? imgs.shift() : undefined;
      if (hero !== undefined) expect(hero.attrs["fetchpriority"]).toBe("high");
      for (const img of imgs) if (img.attrs["loading"] !== "lazy" && !(img.attrs["src"] ?? "").startsWith("data:")) eager.push(`${rel(file)}: ${img.attrs["src"]}`);
    }
    expect(eager).toEqual([]);
  });

  it("no page points at the on-demand image endpoint (/_image)", () => {
    const pages = htmlFiles().filter((file) => readFileSync(file, "utf8").includes("/_image"));
    expect(pages.map((file) => rel(file))).toEqual([]);
  });
});
