// The unsubscribe link in every letter: a token that names the delivery, its member and the letter's topic, with
// an HMAC over the three under HASH_SECRET (functions/auth/tokens.ts keyedHash), so no sign-in is needed and no
// one can make a link for another member. The token carries what it needs, so it keeps working after housekeeping
// has folded the delivery row away. The rule itself is here; /unsubscribe (GET confirm, POST and RFC 8058 one-click)
// and the mailto handler call it.
import { constantTimeEqual, keyedHash } from "@functions/auth/tokens";
import { MAX_FORM_BYTES, readForm } from "@functions/http/forms";
import { readBodyWithin } from "@functions/http/request-body";
import { isLetterTopic, unsubscribeTopic, type LetterTopic } from "./subscriptions";

/** What a valid token names. */
export interface UnsubscribeClaim { deliveryId: string; userId: string; topic: LetterTopic }

// 128 bits of the HMAC are plenty for a link (forging one means guessing them), and keep List-Unsubscribe short.
const MAC_LENGTH = 32;
const PART = /^[A-Za-z0-9-]{1,64}$/;

function mac(secret: string, claim: UnsubscribeClaim): string {
  return keyedHash(secret, "unsubscribe", `${claim.deliveryId}\n${claim.userId}\n${claim.topic}`).slice(0, MAC_LENGTH);
}

/** The token for one delivery's unsubscribe link. */
export function unsubscribeToken(secret: string, claim: UnsubscribeClaim): string {
  return `${claim.deliveryId}.${claim.userId}.${claim.topic}.${mac(secret, claim)}`;
}

/** What `token` names, or null when it is malformed, altered or made with another key. */
export function readUnsubscribeToken(secret: string, token: unknown): UnsubscribeClaim | null {
  if (typeof token !== "string" || token.length > 300) return null;
  const [deliveryId, userId, topic, given, ...rest] = token.split(".");
  if (rest.length > 0 || !deliveryId || !userId || !given || !PART.test(deliveryId) || !PART.test(userId) || !isLetterTopic(topic)) return null;
  const claim = { deliveryId, userId, topic };
  return constantTimeEqual(given, mac(secret, claim)) ? claim : null;
}

/** The https link (for the footer and List-Unsubscribe): GET shows a confirm button, POST unsubscribes. */
export function unsubscribeUrl(siteUrl: string, token: string): string {
  return new URL(`/unsubscribe?t=${encodeURIComponent(token)}`, siteUrl).href;
}

/** The mailto List-Unsubscribe: a message to `mailbox` whose subject carries the token. */
export function unsubscribeMailto(mailbox: string, token: string): string {
  return `mailto:${mailbox}?subject=${encodeURIComponent(`unsubscribe ${token}`)}`;
}

/** The token in a mailto unsubscribe's subject line, if there is one. */
export function tokenFromSubject(subject: string): string | null {
  const match = /unsubscribe\s+(\S{1,300})/i.exec(subject);
  return match ? match[1]! : null;
}

export type UnsubscribeOutcome = { ok: true; topic: LetterTopic; wasSubscribed: boolean } | { ok: false };

/**
 * Unsubscribes the member a valid token names from its topic. Idempotent: a second POST (mail clients retry, people
 * click twice) answers as the first did, with wasSubscribed false.
 */
export async function unsubscribeWithToken(db: D1Database, secret: string, token: unknown): Promise<UnsubscribeOutcome> {
  const claim = readUnsubscribeToken(secret, token);
  if (claim === null) return { ok: false };
  return { ok: true, topic: claim.topic, wasSubscribed: await unsubscribeTopic(db, claim.userId, claim.topic) };
}

/** What the letters of each topic are, for the unsubscribe page. */
export const TOPIC_WORDS: Record<LetterTopic, string> = { essays: "letters about new essays and the movement's news", ward: "your ward's news" };

/**
 * Reads an unsubscribe POST: the token is in the address (RFC 8058's one-click POST goes to the List-Unsubscribe URL
 * as it is, with the body List-Unsubscribe=One-Click) or in the confirm form's `t` field. Either body type RFC 8058
 * allows is read, within the form size limit; anything else is a refusal, never an error.
 */
export async function readUnsubscribePost(request: Request, url: URL): Promise<{ token: string | null; oneClick: boolean }> {
  const fromUrl = url.searchParams.get("t");
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  let fields: URLSearchParams | null = null;
  if (type === "multipart/form-data") {
    const bytes = await readBodyWithin(request, MAX_FORM_BYTES);
    if (bytes !== null) {
      const form = await new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "Content-Type": request.headers.get("Content-Type")! } }).formData().catch(() => null);
      if (form) fields = new URLSearchParams([...form.entries()].filter((e): e is [string, string] => typeof e[1] === "string"));
    }
  } else {
    const form = await readForm(request);
    if (form.ok) fields = form.fields;
  }
  const token = fromUrl ?? fields?.get("t") ?? null;
  return { token, oneClick: fields?.get("List-Unsubscribe") === "One-Click" };
}
