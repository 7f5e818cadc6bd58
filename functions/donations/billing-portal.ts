// Stripe's hosted Customer Portal, where a monthly donor changes their card or cancels. Used by
// src/pages/account/billing.astro after it has found the member's Stripe customer.
import type Stripe from "stripe";
import { logger } from "@functions/log";
import { errorFields } from "./stripe-client";

const log = logger("donations");

export type PortalResult = { ok: true; url: string } | { ok: false; message: string };

/** A Customer Portal session for `customerId` that returns to `returnUrl`; Stripe failures become a message. */
export async function createBillingPortalSession(stripe: Stripe, customerId: string, returnUrl: string): Promise<PortalResult> {
  try {
    const session = await stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl });
    return { ok: true, url: session.url };
  } catch (error) {
    log.error("portal.failed", errorFields(error));
    return { ok: false, message: "We could not open the page for managing your monthly donation just now. Please try again in a minute." };
  }
}
