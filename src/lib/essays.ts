// Essay queries shared by pages, feeds and tests: which essays are published, reading time, related essays.
import { getCollection, type CollectionEntry } from "astro:content";

export type Essay = CollectionEntry<"essays">;

/** Published essays, newest first; drafts only appear in `astro dev`. */
export async function getPublishedEssays(): Promise<Essay[]> {
  const essays = await getCollection("essays", ({ data }) => import.meta.env.DEV || !data.draft);
  return essays.sort((a, b) => b.data.pubDate.valueOf() - a.data.pubDate.valueOf());
}

/** Published essays whose full text anyone may read (feeds, search and static pages use these). */
export async function getPublicEssays(): Promise<Essay[]> {
  return (await getPublishedEssays()).filter((essay) => !essay.data.membersOnly);
}

/** Minutes to read a text at 230 words a minute, never less than one. */
export function readingMinutes(text: string): number {
  const words = text.split(/\s+/).filter(Boolean).length;
  return Math.max(1, Math.round(words / 230));
}

/** Up to `limit` other essays ranked by shared tags, then recency. */
export function relatedEssays(essay: Essay, all: Essay[], limit = 3): Essay[] {
  const tags = new Set(essay.data.tags);
  return all
    .filter((other) => other.id !== essay.id && other.id !== essay.data.readMore)
    .map((other) => ({ other, shared: other.data.tags.filter((tag) => tags.has(tag)).length }))
    .filter(({ shared }) => shared > 0)
    .sort((a, b) => b.shared - a.shared || b.other.data.pubDate.valueOf() - a.other.data.pubDate.valueOf())
    .slice(0, limit)
    .map(({ other }) => other);
}

/** Every tag in use with the essays that carry it, alphabetically. */
export function essaysByTag(essays: Essay[]): Map<string, Essay[]> {
  const byTag = new Map<string, Essay[]>();
  for (const essay of essays) {
    for (const tag of essay.data.tags) byTag.set(tag, [...(byTag.get(tag) ?? []), essay]);
  }
  return new Map([...byTag].sort(([a], [b]) => a.localeCompare(b)));
}
