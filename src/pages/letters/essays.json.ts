// What the letters console needs of the public essays, prerendered (public essays never enter the Worker:
// src/integrations/worker-content.ts): each one's slug, title, description, date and opening paragraphs, newest
// first. The console reads it through the ASSETS binding (src/lib/letter-essays.ts), so a letter can quote an essay
// the Worker does not carry. Public text only: members-only essays are never listed here.
import type { APIRoute } from "astro";
import { getPublicEssays } from "@src/lib/essays";
import { openingParagraphs } from "@functions/letters/compose";

export const GET: APIRoute = async () => {
  const essays = (await getPublicEssays()).map((essay) => ({
    slug: essay.id,
    title: essay.data.title,
    description: essay.data.description,
    pubDate: essay.data.pubDate.toISOString(),
    paragraphs: openingParagraphs(essay.body ?? ""),
  }));
  return new Response(JSON.stringify({ essays }), { headers: { "Content-Type": "application/json; charset=utf-8" } });
};
