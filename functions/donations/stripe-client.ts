// The Stripe client for the Worker: the fetch HTTP client and SubtleCrypto (the Node defaults do not run in
// workerd), pointed at a local stand-in when STRIPE_API_BASE is set (tests only). Used through getStripe()
// (src/lib/runtime.ts) by the donate, thanks, billing and webhook endpoints. Without a secret key there is no
// client, and one warning is logged. Also what the donation modules' log lines may say about a failure (errorFields).
import Stripe from "stripe";
import { errorMessage, logger, type LogFields } from "@functions/log";

let warnedMissingKey = false;

/** The host/port/protocol options that send the SDK's requests to `apiBase` (a test stand-in) instead of Stripe. */
export function standInOptions(apiBase: string | undefined): Pick<Stripe.StripeConfig, "host" | "port" | "protocol"> {
  if (!apiBase) return {};
  const url = new URL(apiBase);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: url.port || (protocol === "http" ? 80 : 443), protocol };
}

/**
 * How often the SDK retries a request. stripe-node retries connection errors, 5xx and 409 (unless Stripe sends
 * Stripe-Should-Retry: false), sleeping 0.5 s, 0.5 s, then 0.5–1 s between tries. The 409 that matters is
 * `idempotency_key_in_use`: a double click's second request arrives while the first is still creating the Checkout
 * Session, and one retry after 0.5 s was often too soon. Three give the first request about 1.5–2 s to finish,
 * after which the retry gets the same session back. Idempotency keys make every retry safe.
 */
export const STRIPE_NETWORK_RETRIES = 3;

/** A Stripe client for `key`, retrying as STRIPE_NETWORK_RETRIES explains; no retry loop of our own. */
export function createStripeClient(key: string, apiBase?: string): Stripe {
  return new Stripe(key, {
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: STRIPE_NETWORK_RETRIES,
    timeout: 20_000,
    ...standInOptions(apiBase),
  });
}

/** The client when STRIPE_SECRET_KEY is set; otherwise null, with one clear warning per Worker instance. */
export function stripeFromEnv(env: Partial<Pick<Env, "STRIPE_SECRET_KEY" | "STRIPE_API_BASE">>): Stripe | null {
  const key = env.STRIPE_SECRET_KEY?.trim();
  if (!key) {
    if (!warnedMissingKey) {
      warnedMissingKey = true;
      logger("donations").warn("stripe.not_configured", { message: "STRIPE_SECRET_KEY is not set: card donations are switched off (README: Donations)." });
    }
    return null;
  }
  return createStripeClient(key, env.STRIPE_API_BASE);
}

/** The crypto provider for webhook signatures inside workerd (the synchronous Node one throws there). */
export const webhookCryptoProvider = Stripe.createSubtleCryptoProvider();

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
  return { error: errorMessage(error, 200) };
}
