// What /donate/thanks (src/pages/donate/thanks.astro) shows for ?session_id=…: only an id shaped like a Checkout
// Session id reaches Stripe, and only within the per-IP throttle (each look-up is a Stripe API call); a paid
// donation is recorded through the same fulfilment rule as the webhook, so whichever comes first records it once.
import type Stripe from "stripe";
import { isCheckoutSessionId, retrieveCheckoutSession } from "./checkout";
import { fulfilCheckoutSession, isDonationMetadata } from "./ledger";
import { errorFields } from "./stripe-client";
import { consumeThrottle, THROTTLES, type ThrottleStore } from "@functions/auth/throttle";
import { logger } from "@functions/log";

const log = logger("donations");

export type ThanksOutcome =
  /** Not a Checkout Session id at all: Stripe was not asked. */
  | { state: "malformed" }
  /** Too many look-ups from this network (retryAfter seconds), or the throttle could not be counted (null). */
  | { state: "busy"; retryAfter: number | null }
  /** Stripe does not know it, it is not one of our donations, or Stripe could not be reached. */
  | { state: "unknown" }
  /** Paid (and recorded), paid by a method that is still confirming, or abandoned. */
  | { state: "paid" | "processing" | "unfinished"; session: Stripe.Checkout.Session };

export interface ThanksLookUp {
  /** D1 (the ledger and the throttle) and the secret throttle keys are made with. */
  store: ThrottleStore;
  stripe: Stripe;
  /** The session_id query parameter as it came. */
  sessionId: string;
  /** The client's network as throttles count it (clientIp). */
  ip: string;
  now: number;
}

/** Looks the donation up at Stripe (see the header comment) and records it when it is paid. */
export async function lookUpThankYou({ store, stripe, sessionId, ip, now }: ThanksLookUp): Promise<ThanksOutcome> {
  if (!isCheckoutSessionId(sessionId)) return { state: "malformed" };
  try {
    const verdict = await consumeThrottle(store, THROTTLES.thanksIp, ip, now);
    if (!verdict.allowed) {
      log.warn("thanks.throttled", { retryAfter: verdict.retryAfter });
      return { state: "busy", retryAfter: verdict.retryAfter };
    }
  } catch (error) {
    // Without a count there is no limit, so Stripe is not asked; the donor can reload in a moment.
    log.error("thanks.throttle_failed", errorFields(error));
    return { state: "busy", retryAfter: null };
  }
  const session = await retrieveCheckoutSession(stripe, sessionId);
  if (session === null || !isDonationMetadata(session.metadata)) return { state: "unknown" };
  if (session.payment_status === "paid") {
    try {
      await fulfilCheckoutSession(store.db, session, now);
    } catch (error) {
      // Nothing is lost: Stripe's webhook records the same donation (and retries until it can).
      log.error("thanks.record_failed", { sessionId: session.id, ...errorFields(error) });
    }
    return { state: "paid", session };
  }
  return { state: session.status === "complete" ? "processing" : "unfinished", session };
}
