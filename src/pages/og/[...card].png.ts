// The social cards (src/lib/social-cards.ts) as static PNG files: /og/site.png, /og/essays/<slug>.png and
// /og/strategy/<slug>.png, drawn once at build time into dist/client (and on request by `astro dev`). Prerendered,
// so neither this route nor the drawing code is part of the Worker.
import type { APIRoute, GetStaticPaths } from "astro";
import { getSocialCards, type SocialCard } from "@src/lib/social-cards";
import { renderSocialCard } from "@src/lib/social-card-image";

export const prerender = true;

export const getStaticPaths = (async () => {
  const cards = await getSocialCards();
  return cards.map((card) => ({ params: { card: card.path.replace(/^\/og\/|\.png$/g, "") }, props: { card } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute<{ card: SocialCard }> = async ({ props, site }) => {
  if (site === undefined) throw new Error("astro.config.mjs must set `site`: the cards show its address");
  const png = await renderSocialCard(props.card.text, site.host);
  return new Response(new Uint8Array(png), { headers: { "Content-Type": "image/png" } });
};
