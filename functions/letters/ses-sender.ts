// Letters through Amazon SES v2 (SendEmail, simple content with our own headers), each request signed with AWS
// Signature V4 by aws4fetch (small, fetch-based, made for Workers). SES has no idempotency key: the delivery id goes
// as the `delivery` message tag, which SES returns on every event it sends for the message (README: Letters, for
// what that does and does not guarantee). aws4fetch's own retries are off: the queue retries with backoff.
import { AwsClient } from "aws4fetch";
import { LetterSendError, type LetterSender, type OutgoingLetter } from "./sender";

export interface SesSettings {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  from: string;
  configurationSet: string | null;
  unsubscribeMailbox: string | null;
  /** The API's origin; empty: https://email.<region>.amazonaws.com. The tests point it at a local stand-in. */
  apiBase: string;
}

// Errors a later try can get past (SES's throttling, a paused account, its own faults); others are the message's own.
const TRANSIENT = /Throttling|TooManyRequests|LimitExceeded|SendingPaused|AccountSuspended|ServiceUnavailable|InternalFailure/i;
// SES's sending-rate and quota limits: the account is busy, the letter is fine.
const THROTTLED = /Throttling|TooManyRequests|LimitExceeded/i;

/** The request body of SendEmail for one letter. */
export function sendEmailBody(letter: OutgoingLetter, from: string, configurationSet: string | null): Record<string, unknown> {
  const data = (text: string) => ({ Data: text, Charset: "UTF-8" });
  return {
    FromEmailAddress: from,
    Destination: { ToAddresses: [letter.to] },
    Content: {
      Simple: {
        Subject: data(letter.subject),
        Body: { Text: data(letter.text), Html: data(letter.html) },
        Headers: Object.entries(letter.headers).map(([Name, Value]) => ({ Name, Value })),
      },
    },
    EmailTags: Object.entries(letter.tags).map(([Name, Value]) => ({ Name, Value })),
    ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
  };
}

/** A LetterSender that calls SES v2's SendEmail. */
export function createSesSender(settings: SesSettings, fetcher: typeof fetch = fetch): LetterSender {
  const client = new AwsClient({ accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, service: "ses", region: settings.region, retries: 0 });
  const endpoint = new URL("/v2/email/outbound-emails", settings.apiBase || `https://email.${settings.region}.amazonaws.com`).href;
  return {
    from: settings.from,
    unsubscribeMailbox: settings.unsubscribeMailbox,
    async send(letter) {
      const request = await client.sign(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(sendEmailBody(letter, settings.from, settings.configurationSet)),
      });
      let response: Response;
      try {
        response = await fetcher(request, { signal: AbortSignal.timeout(15_000) });
      } catch (error) {
        throw new LetterSendError(`SES unreachable: ${error instanceof Error ? error.message : String(error)}`, false);
      }
      const text = await response.text();
      if (response.ok) {
        const messageId = (JSON.parse(text) as { MessageId?: unknown }).MessageId;
        if (typeof messageId === "string") return { messageId };
        throw new LetterSendError("SES answered without a MessageId", false);
      }
      const type = (response.headers.get("x-amzn-errortype") ?? "").split(":")[0] || "Error";
      const message = (() => { try { return String((JSON.parse(text) as { message?: unknown }).message ?? ""); } catch { return ""; } })();
      const transient = response.status === 429 || response.status >= 500 || response.status === 403 || TRANSIENT.test(type);
      throw new LetterSendError(`SES ${response.status} ${type}${message ? `: ${message.slice(0, 200)}` : ""}`, !transient, response.status === 429 || THROTTLED.test(type));
    },
  };
}
