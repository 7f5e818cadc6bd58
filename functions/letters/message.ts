// A letter as the email each member receives: the letter's own content (body_html / body_text, rendered by
// functions/letters/compose.ts) in the site's frame, with a footer that says why they get it and how to stop, both a
// plain-text and an HTML part, and the list headers mail providers act on: List-Id (RFC 2919), List-Unsubscribe with
// an https and a mailto address (RFC 2369) and List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058), which
// lets Gmail and Yahoo show their own unsubscribe button that POSTs to the https address.
import { escapeHtml } from "@functions/email/messages";
import { audienceTopic, type LetterAudience } from "./audience";
import type { LetterSender, OutgoingLetter } from "./sender";
import type { LetterTopic } from "./subscriptions";
import { unsubscribeMailto, unsubscribeToken, unsubscribeUrl } from "./unsubscribe";

/** The parts of a letter the email is made from. */
export interface LetterContent { id: string; subject: string; bodyHtml: string; bodyText: string; audience: LetterAudience }

/** Who it goes to: the delivery it belongs to (its id is the provider's message tag and is in the unsubscribe token). */
export interface LetterRecipient { deliveryId: string; userId: string; email: string }

const WHY: Record<LetterTopic, string> = {
  essays: "You get this because you asked for Smallism's letters about new essays and the movement's news.",
  ward: "You get this because you asked for your ward's news from Smallism.",
};

/** The list's id: `<topic>.letters.<site host>`, one list per topic. */
export function listId(siteUrl: string, topic: LetterTopic): string {
  return `Smallism ${topic === "essays" ? "essays and news" : "ward news"} <${topic}.letters.${new URL(siteUrl).hostname}>`;
}

function frame(subject: string, bodyHtml: string, footer: string[], links: { href: string; label: string }[], banner: string | null): string {
  const notice = banner ? `<p style="background:#fff4d6;color:#1c2220;padding:8px 12px;border-radius:4px">${escapeHtml(banner)}</p>` : "";
  const linkHtml = links.map((l) => `<a href="${escapeHtml(l.href)}" style="color:#0b5a4a">${escapeHtml(l.label)}</a>`).join(" · ");
  return `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>`
    + `<body style="font-family:Georgia,serif;color:#1c2220;line-height:1.6;max-width:600px;margin:0 auto;padding:24px">${notice}`
    + `<h1 style="font-size:24px;line-height:1.25">${escapeHtml(subject)}</h1>${bodyHtml}`
    + `<hr style="border:0;border-top:1px solid #ccd3d0;margin:32px 0 16px">`
    + `<footer style="font-family:system-ui,sans-serif;color:#4c5652;font-size:14px">${footer.map((p) => `<p>${escapeHtml(p)}</p>`).join("")}<p>${linkHtml}</p></footer></body></html>`;
}

function email(to: string, content: LetterContent, siteUrl: string, unsubscribe: { https: string; mailto: string | null } | null, tags: Record<string, string>, banner: string | null): OutgoingLetter {
  const topic = audienceTopic(content.audience);
  const account = new URL("/account", siteUrl).href;
  const stop = unsubscribe ? unsubscribe.https : account;
  const footer = [WHY[topic], "Smallism: local services, owned by the people who use them."];
  const text = [banner, content.bodyText, "—", ...footer, `Unsubscribe: ${stop}`, `Choose your letters: ${account}`].filter((l) => l !== null).join("\n\n");
  const html = frame(content.subject, content.bodyHtml, footer, [{ href: stop, label: "Unsubscribe" }, { href: account, label: "Choose your letters" }], banner);
  const headers: Record<string, string> = { "List-Id": listId(siteUrl, topic) };
  if (unsubscribe) {
    headers["List-Unsubscribe"] = [unsubscribe.https, unsubscribe.mailto].filter((u) => u !== null).map((u) => `<${u}>`).join(", ");
    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
  }
  return { to, subject: banner ? `[Test] ${content.subject}` : content.subject, text, html, headers, tags };
}

/** The email one member receives for one delivery. */
export function buildLetterEmail(content: LetterContent, recipient: LetterRecipient, context: { siteUrl: string; secret: string; unsubscribeMailbox: string | null }): OutgoingLetter {
  const token = unsubscribeToken(context.secret, { deliveryId: recipient.deliveryId, userId: recipient.userId, topic: audienceTopic(content.audience) });
  const unsubscribe = { https: unsubscribeUrl(context.siteUrl, token), mailto: context.unsubscribeMailbox ? unsubscribeMailto(context.unsubscribeMailbox, token) : null };
  return email(recipient.email, content, context.siteUrl, unsubscribe, { delivery: recipient.deliveryId, letter: content.id }, null);
}

/**
 * Sends the letter to `toAddress` as a test: the same frame, marked as a test in the subject and at the top, with no
 * unsubscribe headers (there is no delivery to unsubscribe from; the footer links to /account).
 */
export async function sendTestLetter(sender: LetterSender, letter: LetterContent, toAddress: string, siteUrl: string): Promise<void> {
  const banner = "This is a test of a letter that has not been sent to anyone else yet.";
  await sender.send(email(toAddress, letter, siteUrl, null, { letter: letter.id, test: "1" }, banner));
}
