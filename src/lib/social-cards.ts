// Social cards: the 1200×630 PNG that a shared link shows (og:image, twitter:image, JSON-LD image). One per essay
// (public or members-only), one per strategy page and one for the rest of the site, drawn at build time by the
// prerendered endpoint src/pages/og/[...card].png.ts. This module decides where each card lives and what text it
// carries: public text only (title, description or public summary, labels), never a member-only body.
import { SITE_DESCRIPTION, SITE_TAGLINE, SITE_TITLE } from "@src/site";
import { getPublishedEssays, type Essay } from "./essays";
import { getStrategyPages, type StrategyPage } from "./strategy";


/** Everything written on a card, besides the site's mark, name and address. */
export interface CardText {
  /** Small capitals at the top right ("Essay", "Strategy · Wards"); empty for none. */
  label: string;
  title: string;
  /** The essay's description or the strategy page's public summary. */
  standfirst: string;
}

export interface SocialCard {
  /** Site path of the PNG, e.g. "/og/essays/the-case-for-small-wards.png". */
  path: string;
  /** Text alternative for og:image:alt and twitter:image:alt. */
  alt: string;
  text: CardText;
}

function card(path: string, text: CardText): SocialCard {
  return { path: `/og/${path}.png`, alt: `${SITE_TITLE}: ${text.title}`, text };
}

/** The card for pages without one of their own (home, indexes, forms). */
export const SITE_CARD: SocialCard = card("site", { label: "", title: SITE_TAGLINE, standfirst: SITE_DESCRIPTION });

/** An essay's card: its title and description (members-only essays too: both are public). */
export function essayCard(essay: Essay): SocialCard {
  const { title, description, membersOnly } = essay.data;
  return card(`essays/${essay.id}`, { label: membersOnly ? "Essay · Members" : "Essay", title, standfirst: description });
}

/** A strategy page's card: its title and public summary, never its body. */
export function strategyCard(page: StrategyPage): SocialCard {
  const { title, summary, section } = page.data;
  return card(`strategy/${page.id}`, { label: section === "Strategy" ? "Strategy" : `Strategy · ${section}`, title, standfirst: summary });
}

/** Every card the site has: the site's own, each published essay's and each strategy page's. */
export async function getSocialCards(): Promise<SocialCard[]> {
  const [essays, pages] = await Promise.all([getPublishedEssays(), getStrategyPages()]);
  return [SITE_CARD, ...essays.map(essayCard), ...pages.map(strategyCard)];
}
