// Schema.org Article data for essay and strategy pages, built in one place so public essays, members-only essays
// and strategy pages describe themselves alike (publisher, page, dates, image). Only public fields go in: titles,
// descriptions and summaries, never a member-only body. Each names the page's own social card as its image, the
// same one the page head shows (src/lib/social-cards.ts).
import type { Essay } from "./essays";
import type { StrategyPage } from "./strategy";
import { essayCard, strategyCard } from "./social-cards";
import { DEFAULT_AUTHOR, SITE_TITLE } from "@src/site";

interface ArticleFields {
  site: URL | undefined;
  /** Site path of the page, e.g. "/essays/slug/". */
  path: string;
  headline: string;
  /** Public text only: an essay's description or a strategy page's summary. */
  description: string;
  published?: Date | undefined;
  modified: Date;
  author: string;
  tags?: string[];
  /** False for pages whose text only members may read. */
  free: boolean;
  /** Site path of the page's social card. */
  image: string;
}

function article(fields: ArticleFields): Record<string, unknown> {
  const organisation = (name: string) => ({ "@type": "Organization", name });
  return {
    "@context": "https://schema.org",
    "@type": "Article",
    headline: fields.headline,
    description: fields.description,
    ...(fields.published && { datePublished: fields.published.toISOString() }),
    dateModified: fields.modified.toISOString(),
    author: organisation(fields.author),
    publisher: organisation(SITE_TITLE),
    mainEntityOfPage: new URL(fields.path, fields.site).href,
    image: new URL(fields.image, fields.site).href,
    isAccessibleForFree: fields.free,
    ...(fields.tags && fields.tags.length > 0 && { keywords: fields.tags.join(", ") }),
  };
}

/** JSON-LD for an essay page, public or members-only. */
export function essayJsonLd(essay: Essay, site: URL | undefined): Record<string, unknown> {
  const { title, description, pubDate, updatedDate, author, tags, membersOnly } = essay.data;
  return article({
    site, path: `/essays/${essay.id}/`, headline: title, description, published: pubDate,
    modified: updatedDate ?? pubDate, author, tags, free: !membersOnly, image: essayCard(essay).path,
  });
}

/** JSON-LD for a strategy page: its summary, never its body. */
export function strategyJsonLd(page: StrategyPage, site: URL | undefined): Record<string, unknown> {
  const { title, summary, updatedDate } = page.data;
  return article({
    site, path: `/strategy/${page.id}/`, headline: title, description: summary, modified: updatedDate,
    author: DEFAULT_AUTHOR, free: false, image: strategyCard(page).path,
  });
}
