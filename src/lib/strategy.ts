// Strategy-page queries shared by the strategy index, the page route and the build tests: order, sections,
// previous/next. Titles and summaries are public; bodies are rendered only for readers decideAccess allows.
import { getCollection, type CollectionEntry } from "astro:content";

export type StrategyPage = CollectionEntry<"strategy">;

/** Every strategy page in reading order. */
export async function getStrategyPages(): Promise<StrategyPage[]> {
  const pages = await getCollection("strategy");
  return pages.sort((a, b) => a.data.order - b.data.order || a.data.title.localeCompare(b.data.title));
}

/** Pages grouped by section, sections in the order their first page appears. */
export function groupBySection(pages: StrategyPage[]): Array<{ section: string; pages: StrategyPage[] }> {
  const groups = new Map<string, StrategyPage[]>();
  for (const page of pages) groups.set(page.data.section, [...(groups.get(page.data.section) ?? []), page]);
  return [...groups].map(([section, grouped]) => ({ section, pages: grouped }));
}
