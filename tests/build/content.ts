// The site's content as the build checks read it from content/ (or SMALLISM_CONTENT_DIR, as the benchmarks use):
// every essay and strategy page with its frontmatter and body, essays grouped as astro.config.mjs and the pages
// publish them (drafts, public, members-only), and the title and tags of one file.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readFrontmatter, type Frontmatter } from "@tests/support/mdx";
import { ROOT, rel, walk } from "./dist";

export const CONTENT = resolve(ROOT, process.env.SMALLISM_CONTENT_DIR ?? "content");

/** One content file: its collection id, path, frontmatter and MDX body. */
export interface ContentFile {
  /** The collection id Astro's glob loader gives the entry: the `slug` field, else the file name without .mdx. */
  slug: string;
  file: string;
  data: Frontmatter;
  /** The MDX body, frontmatter removed. */
  body: string;
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

/** The essays: all of them, drafts, published, and the published ones split into public and members-only. */
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

/** The strategy pages (all member-only). */
export function strategyPages(): ContentFile[] {
  return readCollection("strategy");
}

/** The title of a content file; throws when it has none. */
export function title(file: ContentFile): string {
  const value = file.data["title"];
  if (typeof value !== "string") throw new Error(`${rel(file.file, ROOT)}: no title`);
  return value;
}

/** The tags of a content file ([] when it has none). */
export function tags(file: ContentFile): string[] {
  const value = file.data["tags"];
  return Array.isArray(value) ? value : [];
}
