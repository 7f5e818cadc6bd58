// The one interface every email goes through. Production sends with Cloudflare Email Service
// (cloudflare-sender.ts); local development and tests write to the dev mailbox (dev-mailbox.ts).

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Sends one message; rejects when it could not be handed over. */
  send(message: EmailMessage): Promise<void>;
}
