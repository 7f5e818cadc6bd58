// The dev mailbox: in local development and tests, "sent" email is stored in D1 (table dev_mailbox) and shown
// at /dev/mailbox, so developers and browser tests can read verification codes and reset links.
// Never used in production: there DEV_MAILBOX is unset and the /dev/mailbox route is not built.
import type { EmailMessage, Mailer } from "./mailer";
import { nowSeconds } from "@functions/clock";

export interface StoredEmail extends EmailMessage { id: number; sentAt: number }

/** A Mailer that writes each message to the dev_mailbox table. */
export function createDevMailbox(db: D1Database, now: () => number = nowSeconds): Mailer {
  return {
    async send(message: EmailMessage): Promise<void> {
      await db
        .prepare("INSERT INTO dev_mailbox (recipient, subject, text_body, html_body, sent_at) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(message.to, message.subject, message.text, message.html, now())
        .run();
    },
  };
}

/** The newest messages first, optionally only those to one address. */
export async function listDevMailbox(db: D1Database, recipient?: string, limit = 50): Promise<StoredEmail[]> {
  const query = recipient
    ? db.prepare("SELECT * FROM dev_mailbox WHERE recipient = ?1 ORDER BY id DESC LIMIT ?2").bind(recipient.toLowerCase(), limit)
    : db.prepare("SELECT * FROM dev_mailbox ORDER BY id DESC LIMIT ?1").bind(limit);
  const { results } = await query.all<{ id: number; recipient: string; subject: string; text_body: string; html_body: string; sent_at: number }>();
  return results.map((row) => ({ id: row.id, to: row.recipient, subject: row.subject, text: row.text_body, html: row.html_body, sentAt: row.sent_at }));
}
