// Essay queries shared by pages, feeds and tests: which essays are published, reading time, related essays.
import { getCollection, type CollectionEntry } from "astro:content";
import { isPublished, newestFirst } from "@functions/essay-links";

export { linkCandidates, relatedEssays } from "@functions/essay-links";

export type Essay = CollectionEntry<"essays">;

/** Published essays, newest first; drafts only appear in `astro dev`. */
export async function getPublishedEssays(): Promise<Essay[]> {
  return newestFirst(await getCollection("essays", (essay) => isPublished(essay, import.meta.env.DEV)));
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

/** Every tag in use with the essays that carry it, alphabetically. */
export function essaysByTag(essays: Essay[]): Map<string, Essay[]> {
  const byTag = new Map<string, Essay[]>();
  for (const essay of essays) {
    for (const tag of essay.data.tags) byTag.set(tag, [...(byTag.get(tag) ?? []), essay]);
  }
  return new Map([...byTag].sort(([a], [b]) => a.localeCompare(b)));
}
