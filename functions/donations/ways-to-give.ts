// Which ways of giving this site has set up (card through Stripe, Bitcoin, Brave Rewards), and the donate page's
// words for when card donations are off: they name only the ways that are really there, so a fresh clone (nothing
// configured) never points at a section that does not exist.
import { CONTACT_EMAIL } from "@functions/contact";

export interface WaysToGive { card: boolean; bitcoin: boolean; brave: boolean }

/** What else the page offers when card donations are off ("" when nothing is). */
function alternatives(ways: WaysToGive): string {
  if (ways.bitcoin && ways.brave) return "you can give by Bitcoin or through Brave Rewards below";
  if (ways.bitcoin) return "you can give by Bitcoin below";
  if (ways.brave) return "you can tip us through Brave Rewards below";
  return "";
}

/** The card section's notice while card donations are not set up. */
export function cardUnavailableNotice(ways: WaysToGive): string {
  const others = alternatives(ways);
  if (others === "") return `Card donations are not set up yet, and no other way of giving is either. Thank you for thinking of us: please come back soon, or write to ${CONTACT_EMAIL}.`;
  return `Card donations are not set up yet. Thank you for thinking of us: ${others}, or come back soon.`;
}

/** The problem shown when the card form is posted while card donations are not set up. */
export function cardUnavailableProblem(ways: WaysToGive): string {
  const others = alternatives(ways);
  return others === "" ? "Card donations are not set up yet, so nothing was charged." : `Card donations are not set up yet, so nothing was charged. Instead, ${others}.`;
}
