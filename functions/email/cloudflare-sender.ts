// Sends email through Cloudflare Email Service: the `[[send_email]]` binding named EMAIL in wrangler.toml,
// from the address in EMAIL_FROM (a domain onboarded in Email Service). Used in production only.
import type { EmailMessage, Mailer } from "./mailer";

/** The part of the send_email binding this sender uses. */
export interface SendEmailBinding {
  send(message: { from: { email: string; name?: string }; to: string; subject: string; text: string; html: string }): Promise<unknown>;
}

/** A Mailer that hands messages to Cloudflare Email Service. */
export function createCloudflareMailer(binding: SendEmailBinding, fromAddress: string, fromName = "Smallism"): Mailer {
  return {
    async send(message: EmailMessage): Promise<void> {
      await binding.send({ from: { email: fromAddress, name: fromName }, ...message });
    },
  };
}
