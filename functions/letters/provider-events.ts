// SES's bounce, complaint and delivery events, which arrive by Amazon SNS at POST /api/letters/events. SNS signs
// every message with RSA-SHA256 (SignatureVersion 2) under a certificate at SigningCertURL, which must be an https
// address on an sns.<region>.amazonaws.com host: that host's TLS certificate is what proves the key is Amazon's. We
// refuse unsigned, wrongly signed (forged or altered), SHA-1 (SignatureVersion 1), other topics' and stale messages;
// record each handled MessageId in letter_events so a replay changes nothing; and confirm the topic's subscription
// only after its own signature checks. workerd's node:crypto (nodejs_compat) reads the certificate (X509Certificate)
// and verifies the signature, so no package is needed.
// Effects: a permanent bounce or a complaint suppresses the address (functions/letters/suppression.ts); a Send or
// Delivery event for a delivery left INTERRUPTED (functions/letters/consumer.ts) records that it was sent after all.
import { X509Certificate, verify } from "node:crypto";
import { readBodyWithin } from "@functions/http/request-body";
import { logger } from "@functions/log";
import { suppressStatement } from "./suppression";
import { INTERRUPTED } from "./consumer";

const log = logger("letters");

/** SNS messages are at most 256 KiB. */
const MAX_BODY = 256 * 1024;
/** How old (seconds) a message may be: SNS's default HTTPS retries are over within minutes, so an hour is ample. */
export const EVENT_MAX_AGE = 60 * 60;
const CLOCK_SKEW = 5 * 60;
const SNS_CERT_HOST = /^sns\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?$/;

export interface EventsSettings {
  db: D1Database;
  /** The SNS topic whose messages are accepted (its ARN); empty: none is. */
  topicArn: string;
  now: number;
  /** Tests only: one more certificate URL to accept, honoured only on 127.0.0.1 or localhost (a local stand-in). */
  allowedCertUrl?: string | undefined;
  fetcher?: typeof fetch;
}

export interface EventsAnswer { status: number; body: { ok: boolean; outcome: string } }

const answer = (status: number, outcome: string): EventsAnswer => ({ status, body: { ok: status < 300, outcome } });

/** True when `url` may serve a signing certificate (or a SubscribeURL may be called): SNS's hosts over https. */
export function isTrustedSnsUrl(url: string, allowedCertUrl?: string): boolean {
  let parsed: URL;
  try { parsed = new URL(url); } catch { return false; }
  if (allowedCertUrl) {
    const allowed = new URL(allowedCertUrl);
    const local = allowed.hostname === "127.0.0.1" || allowed.hostname === "localhost";
    if (local && parsed.origin === allowed.origin) return true;
  }
  return parsed.protocol === "https:" && SNS_CERT_HOST.test(parsed.hostname) && parsed.port === "";
}

type SnsMessage = Record<string, string>;

/** The text SNS signs for a message (its documented key order; Subject only when present). */
export function snsStringToSign(message: SnsMessage): string | null {
  const keys = message.Type === "Notification"
    ? ["Message", "MessageId", ...(message.Subject !== undefined ? ["Subject"] : []), "Timestamp", "TopicArn", "Type"]
    : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  if (keys.some((key) => typeof message[key] !== "string")) return null;
  return keys.map((key) => `${key}\n${message[key]}\n`).join("");
}

// Certificates by URL, for the isolate's life: SNS signs with the same one for months.
const certificates = new Map<string, X509Certificate>();

async function certificate(url: string, fetcher: typeof fetch, now: number): Promise<X509Certificate | null> {
  let cert = certificates.get(url);
  if (cert === undefined) {
    const response = await fetcher(url, { signal: AbortSignal.timeout(5000) }).catch(() => null);
    if (response === null || !response.ok) return null;
    try { cert = new X509Certificate(new TextDecoder().decode(await response.arrayBuffer())); } catch { return null; }
    if (certificates.size > 20) certificates.clear();
    certificates.set(url, cert);
  }
  const valid = Date.parse(cert.validFrom) / 1000 <= now && now <= Date.parse(cert.validTo) / 1000;
  return valid ? cert : null;
}

/** Checks an SNS message's signature; the reason it fails, or null when it holds. */
async function checkSignature(message: SnsMessage, settings: EventsSettings): Promise<string | null> {
  if (typeof message.Signature !== "string" || typeof message.SigningCertURL !== "string") return "unsigned";
  if (message.SignatureVersion !== "2") return "signature version";
  if (!isTrustedSnsUrl(message.SigningCertURL, settings.allowedCertUrl)) return "certificate url";
  const signed = snsStringToSign(message);
  if (signed === null) return "incomplete";
  const cert = await certificate(message.SigningCertURL, settings.fetcher ?? fetch, settings.now);
  if (cert === null) return "certificate";
  const ok = verify("sha256", new TextEncoder().encode(signed), cert.publicKey, Uint8Array.from(atob(message.Signature), (c) => c.charCodeAt(0)));
  return ok ? null : "signature";
}

/** Receives one POST from SNS: verifies it, then confirms the subscription or applies the SES event once. */
export async function receiveProviderEvent(request: Request, settings: EventsSettings): Promise<EventsAnswer> {
  const bytes = await readBodyWithin(request, MAX_BODY);
  if (bytes === null) return answer(413, "too large");
  let message: SnsMessage;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return answer(400, "malformed");
    message = parsed as SnsMessage;
  } catch {
    return answer(400, "malformed");
  }
  if (!settings.topicArn) return answer(503, "not configured");
  const refused = await checkSignature(message, settings).catch(() => "signature");
  if (refused !== null) {
    log.warn("events.refused", { reason: refused });
    return answer(403, `refused: ${refused}`);
  }
  if (message.TopicArn !== settings.topicArn) return answer(403, "refused: topic");
  const sentAt = Date.parse(message.Timestamp!) / 1000;
  if (!Number.isFinite(sentAt) || sentAt < settings.now - EVENT_MAX_AGE || sentAt > settings.now + CLOCK_SKEW) return answer(403, "refused: stale");
  if (message.Type === "SubscriptionConfirmation") return confirmSubscription(message, settings);
  if (message.Type !== "Notification") return answer(200, "ignored");
  return applySesEvent(message, settings);
}

async function confirmSubscription(message: SnsMessage, settings: EventsSettings): Promise<EventsAnswer> {
  if (!isTrustedSnsUrl(message.SubscribeURL!, settings.allowedCertUrl)) return answer(403, "refused: subscribe url");
  const response = await (settings.fetcher ?? fetch)(message.SubscribeURL!, { signal: AbortSignal.timeout(5000) }).catch(() => null);
  if (response === null || !response.ok) return answer(502, "confirmation failed");
  log.info("events.subscription_confirmed", { topic: message.TopicArn! });
  return answer(200, "subscribed");
}

interface SesEvent {
  eventType?: string;
  notificationType?: string;
  mail?: { tags?: Record<string, string[]> };
  bounce?: { bounceType?: string; bouncedRecipients?: { emailAddress?: string; diagnosticCode?: string }[] };
  complaint?: { complainedRecipients?: { emailAddress?: string }[]; complaintFeedbackType?: string };
}

async function applySesEvent(message: SnsMessage, settings: EventsSettings): Promise<EventsAnswer> {
  const { db, now } = settings;
  let event: SesEvent;
  try { event = JSON.parse(message.Message!) as SesEvent; } catch { return answer(400, "malformed event"); }
  if (typeof event !== "object" || event === null) return answer(400, "malformed event");
  const type = event.eventType ?? event.notificationType ?? "";
  const statements: D1PreparedStatement[] = [];
  if (type === "Bounce" && event.bounce?.bounceType === "Permanent") {
    for (const r of event.bounce.bouncedRecipients ?? [])
      if (typeof r.emailAddress === "string") statements.push(suppressStatement(db, r.emailAddress, "bounce", r.diagnosticCode ?? null, now));
  } else if (type === "Complaint") {
    for (const r of event.complaint?.complainedRecipients ?? [])
      if (typeof r.emailAddress === "string") statements.push(suppressStatement(db, r.emailAddress, "complaint", event.complaint?.complaintFeedbackType ?? null, now));
  } else if (type === "Send" || type === "Delivery") {
    const delivery = event.mail?.tags?.delivery?.[0];
    if (typeof delivery === "string")
      statements.push(db.prepare("UPDATE deliveries SET status = 'sent', reason = NULL, updated_at = ?3 WHERE id = ?1 AND status = 'failed' AND reason = ?2").bind(delivery, INTERRUPTED, now));
  }
  // The MessageId and the effects in one batch: a replay fails the plain INSERT, so the whole batch writes nothing.
  try {
    await db.batch([db.prepare("INSERT INTO letter_events (id, received_at) VALUES (?1, ?2)").bind(message.MessageId!, now), ...statements]);
  } catch (error) {
    if (error instanceof Error && /UNIQUE constraint failed/i.test(error.message)) return answer(200, "replayed");
    throw error;
  }
  log.info("events.applied", { eventType: type, changes: statements.length });
  return answer(200, "applied");
}
