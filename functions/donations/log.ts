// Structured donation log lines (Workers Logs in production, the terminal locally). Ids, types and outcomes
// only: never email addresses, notes or card details.

type LogFields = Record<string, string | number | boolean | null>;

/** Writes one JSON log line for a donation event such as "webhook.rejected". */
export function logDonationEvent(event: string, fields: LogFields = {}, level: "log" | "warn" | "error" = "log"): void {
  console[level](JSON.stringify({ type: "donations", event, ...fields }));
}

/** The parts of a Stripe SDK error worth logging (stripe-node's StripeError: type, code, statusCode). */
interface StripeErrorShape { type: string; code?: string; statusCode?: number }

function isStripeError(error: unknown): error is StripeErrorShape {
  return typeof error === "object" && error !== null && typeof (error as { type?: unknown }).type === "string" && (error as { type: string }).type.startsWith("Stripe");
}

/**
 * What a log line may say about a failure. Stripe's messages can quote what was sent (an invalid email address,
 * a note), so a Stripe error is logged by its type, code and HTTP status only; other errors (D1, the runtime) by
 * their own short message, which names tables and constraints but carries no values.
 */
export function errorFields(error: unknown): LogFields {
  if (isStripeError(error)) return { errorType: error.type, errorCode: error.code ?? null, status: error.statusCode ?? null };
  return { error: error instanceof Error ? error.message.slice(0, 200) : "unknown" };
}
