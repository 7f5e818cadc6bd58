// The essays a letter can be made from, for the letters console: public essays from the prerendered
// /letters/essays.json (read through the ASSETS binding: they are not in the Worker), members-only essays from the
// Worker's own content store. Which of their paragraphs a letter may quote is access.ts's rule (mayQuoteMemberText).
import { env } from "cloudflare:workers";
import { getPublishedEssays } from "./essays";
import { openingParagraphs } from "@functions/letters/compose";
import type { LetterEssay } from "@functions/letters/letter-form";
import { logger } from "@functions/log";

interface EssaysFile { essays: Array<Omit<LetterEssay, "membersOnly">> }

/** The public essays' file: from the ASSETS binding, or (astro dev, which has none) from the site itself. */
async function publicEssays(origin: string): Promise<LetterEssay[]> {
  const url = new URL("/letters/essays.json", origin);
  const assets = (env as { ASSETS?: Fetcher }).ASSETS;
  try {
    const response = assets ? await assets.fetch(url) : await fetch(url);
    if (!response.ok) throw new Error(`status ${response.status}`);
    const file = (await response.json()) as EssaysFile;
    return file.essays.map((essay) => ({ ...essay, membersOnly: false }));
  } catch (error) {
    logger("site").error("essays.unavailable", { error: String(error).slice(0, 200) });
    return [];
  }
}

/** Every published essay a letter can quote, newest first. */
export async function listLetterEssays(origin: string): Promise<LetterEssay[]> {
  const members = (await getPublishedEssays()).filter((essay) => essay.data.membersOnly).map((essay) => ({
    slug: essay.id, title: essay.data.title, description: essay.data.description, pubDate: essay.data.pubDate.toISOString(),
    paragraphs: openingParagraphs(essay.body ?? ""), membersOnly: true,
  }));
  return [...members, ...(await publicEssays(origin))].sort((a, b) => b.pubDate.localeCompare(a.pubDate));
}
