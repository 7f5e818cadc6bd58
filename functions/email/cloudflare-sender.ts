// Sends email through Cloudflare Email Service: the `[[send_email]]` binding named EMAIL in wrangler.toml,
// from the address in EMAIL_FROM (a domain onboarded in Email Service). Used in production only, through
// getMailer() in src/lib/runtime.ts.
import type { EmailMessage, Mailer } from "./mailer";

/** A Mailer that hands messages to Cloudflare Email Service, from `fromName <fromAddress>`. */
export function createCloudflareMailer(binding: SendEmail, fromAddress: string, fromName = "Smallism"): Mailer {
  return {
    async send(message: EmailMessage): Promise<void> {
      await binding.send({ from: { email: fromAddress, name: fromName }, ...message });
    },
  };
}
