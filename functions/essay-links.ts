// Which essays an essay page links to below its text: the chosen "read more" essay and up to three related ones.
// One home for the rule, because two places apply it: the essay pages (src/components/EssayArticle.astro) and the
// build step that decides which public essays a members-only essay needs in the Worker
// (src/integrations/worker-content.ts); both must pick the same essays.

/** What the rule reads of an essay: its slug, tags, date, chosen read-more, and whether it is members-only. */
export interface LinkableEssay {
  id: string;
  data: { tags: string[]; pubDate: Date; readMore?: string | undefined; membersOnly: boolean; draft: boolean };
}

/** Whether an essay is published: drafts only in `astro dev`. */
export function isPublished(essay: LinkableEssay, dev: boolean): boolean {
  return dev || !essay.data.draft;
}

/** Essays newest first (a stable sort: essays of the same day keep their order). */
export function newestFirst<E extends LinkableEssay>(essays: E[]): E[] {
  return [...essays].sort((a, b) => b.data.pubDate.valueOf() - a.data.pubDate.valueOf());
}

/** The essays a page may link to: public ones, and the essay itself (a members-only essay links only to public
 *  essays, never to another members-only one). */
export function linkCandidates<E extends LinkableEssay>(essay: E, published: E[]): E[] {
  return published.filter((other) => !other.data.membersOnly || other.id === essay.id);
}

/** Up to `limit` other essays ranked by shared tags, then recency (the "read more" essay is linked on its own). */
export function relatedEssays<E extends LinkableEssay>(essay: E, all: E[], limit = 3): E[] {
  const tags = new Set(essay.data.tags);
  return all
    .filter((other) => other.id !== essay.id && other.id !== essay.data.readMore)
    .map((other) => ({ other, shared: other.data.tags.filter((tag) => tags.has(tag)).length }))
    .filter(({ shared }) => shared > 0)
    .sort((a, b) => b.shared - a.shared || b.other.data.pubDate.valueOf() - a.other.data.pubDate.valueOf())
    .slice(0, limit)
    .map(({ other }) => other);
}

/** Slugs of every essay an essay's page links to below its text, from the candidates `linkCandidates` gives. */
export function linkedEssayIds(essay: LinkableEssay, candidates: LinkableEssay[]): string[] {
  const readMore = candidates.find((other) => other.id === essay.data.readMore);
  return [...(readMore ? [readMore.id] : []), ...relatedEssays(essay, candidates).map((other) => other.id)];
}
