// Schema.org Article data for essay and strategy pages, built in one place so public essays, members-only essays
// and strategy pages describe themselves alike (publisher, page, dates, image). Only public fields go in: titles,
// descriptions and summaries, never a member-only body. Also home of the social card's address, which the page
// head and the JSON-LD share.
import type { Essay } from "./essays";
import type { StrategyPage } from "./strategy";
import { DEFAULT_AUTHOR, SITE_TITLE } from "@src/site";

/** The one social-card image (public/social-card.png) as an absolute URL on `site`. */
export function socialCardUrl(site: URL | undefined): URL {
  return new URL("/social-card.png", site);
}

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
    image: socialCardUrl(fields.site).href,
    isAccessibleForFree: fields.free,
    ...(fields.tags && fields.tags.length > 0 && { keywords: fields.tags.join(", ") }),
  };
}

/** JSON-LD for an essay page, public or members-only. */
export function essayJsonLd(essay: Essay, site: URL | undefined): Record<string, unknown> {
  const { title, description, pubDate, updatedDate, author, tags, membersOnly } = essay.data;
  return article({
    site, path: `/essays/${essay.id}/`, headline: title, description, published: pubDate,
    modified: updatedDate ?? pubDate, author, tags, free: !membersOnly,
  });
}

/** JSON-LD for a strategy page: its summary, never its body. */
export function strategyJsonLd(page: StrategyPage, site: URL | undefined): Record<string, unknown> {
  const { title, summary, updatedDate } = page.data;
  return article({
    site, path: `/strategy/${page.id}/`, headline: title, description: summary, modified: updatedDate,
    author: DEFAULT_AUTHOR, free: false,
  });
}
