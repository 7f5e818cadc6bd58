// The one interface letters go out through, whatever the provider: Amazon SES v2 in production
// (functions/letters/ses-sender.ts), the same client pointed at a local stand-in in tests, and the dev mailbox
// locally (a copy of every letter, or the only destination when no provider is set). Cloudflare Email Service stays
// for transactional mail (functions/email/), which its terms reserve it for.
import { createDevMailbox } from "@functions/email/dev-mailbox";

/** One letter to one member, ready to hand over: both parts and the list headers (functions/letters/message.ts). */
export interface OutgoingLetter {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** List-Id, List-Unsubscribe, List-Unsubscribe-Post. */
  headers: Record<string, string>;
  /** Name/value tags the provider returns with its events: the delivery id, so events find their delivery. */
  tags: Record<string, string>;
}

/**
 * Why a send failed: `permanent` failures (an address the provider refuses) are not retried; `throttled` ones (the
 * provider's rate limit) are retried without spending one of the delivery's tries, so a busy account only slows down.
 */
export class LetterSendError extends Error {
  constructor(message: string, readonly permanent: boolean, readonly throttled = false) {
    super(message);
    this.name = "LetterSendError";
  }
}

export interface LetterSender {
  /** The From address (display name included). */
  readonly from: string;
  /** The mailbox the mailto List-Unsubscribe writes to, or null when none is set up. */
  readonly unsubscribeMailbox: string | null;
  /** Hands one letter to the provider; resolves with its message id, rejects with a LetterSendError. */
  send(letter: OutgoingLetter): Promise<{ messageId: string }>;
}

/** A sender that also writes each letter it sent to the dev mailbox (locally and in tests), or only there. */
export function withDevMailbox(db: D1Database, sender: LetterSender | null, from: string, now: () => number): LetterSender {
  const mailbox = createDevMailbox(db, now);
  return {
    from: sender?.from ?? from,
    unsubscribeMailbox: sender?.unsubscribeMailbox ?? null,
    async send(letter) {
      const result = sender ? await sender.send(letter) : { messageId: `dev-${letter.tags.delivery ?? crypto.randomUUID()}` };
      await mailbox.send({ to: letter.to, subject: letter.subject, text: letter.text, html: letter.html });
      return result;
    },
  };
}
