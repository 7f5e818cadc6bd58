// Stripe Checkout for donations: builds the Checkout Session (one-off `payment` or monthly `subscription`, both
// with inline price_data), creates it with an idempotency key, and retrieves it again for the thank-you page.
// Used by src/pages/donate/index.astro and thanks.ts (the thank-you page's look-up).
import type Stripe from "stripe";
import type { DonationSettings } from "./config";
import {
  donationIdempotencyKey, validateDonationForm, type DonationFormErrors, type DonationFormValues, type DonationRequest,
} from "./donation-form";
import { logger } from "@functions/log";
import { errorFields } from "./stripe-client";

const log = logger("donations");

/** Metadata every donation carries to Stripe, so webhooks can link payments to members and notes. */
export interface DonationMetadata {
  [key: string]: string;
  kind: "donation";
  frequency: "once" | "monthly";
  user_id: string;
  note: string;
}

export interface CheckoutInput {
  donation: DonationRequest;
  /** The signed-in member, or null for a guest. */
  member: { id: string; email: string } | null;
  /** Public site URL (SITE_URL), for the success and cancel pages. */
  siteUrl: string;
  idempotencyKey: string;
}

/** What Stripe is asked for: inline price_data (no products to set up), metadata for the webhook, the member's email. */
export function checkoutSessionParams(input: CheckoutInput): Stripe.Checkout.SessionCreateParams {
  const { donation, member } = input;
  const base = input.siteUrl.replace(/\/+$/, "");
  const metadata: DonationMetadata = { kind: "donation", frequency: donation.frequency, user_id: member?.id ?? "", note: donation.note ?? "" };
  const monthly = donation.frequency === "monthly";
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: monthly ? "subscription" : "payment",
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: donation.currency,
          unit_amount: donation.amountMinor,
          product_data: { name: monthly ? "Monthly donation to Smallism" : "Donation to Smallism" },
          ...(monthly ? { recurring: { interval: "month" as const } } : {}),
        },
      },
    ],
    metadata,
    success_url: `${base}/donate/thanks?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${base}/donate?cancelled=1`,
  };
  if (member !== null) {
    params.client_reference_id = member.id;
    params.customer_email = member.email;
  }
  if (monthly) params.subscription_data = { metadata, description: "Monthly donation to Smallism" };
  else {
    params.submit_type = "donate";
    params.payment_intent_data = { metadata };
  }
  return params;
}

export type CheckoutResult = { ok: true; url: string; sessionId: string } | { ok: false; message: string };

/** Creates the Checkout Session and returns its hosted URL; Stripe failures become a message, never a throw. */
export async function createDonationCheckout(stripe: Stripe, input: CheckoutInput): Promise<CheckoutResult> {
  try {
    const session = await stripe.checkout.sessions.create(checkoutSessionParams(input), { idempotencyKey: input.idempotencyKey });
    if (!session.url) throw new Error("Checkout Session has no url");
    log.info("checkout.created", { sessionId: session.id, frequency: input.donation.frequency, amount: input.donation.amountMinor, member: input.member !== null });
    return { ok: true, url: session.url, sessionId: session.id };
  } catch (error) {
    log.error("checkout.failed", errorFields(error));
    return { ok: false, message: "We could not reach our card processor just now, so nothing was charged. Please try again in a minute." };
  }
}

/**
 * True for text shaped like a Checkout Session id, so junk never reaches Stripe: `cs_test_` or `cs_live_`, then
 * letters and digits only, 255 characters in all at most (Stripe's ceiling for object ids).
 */
export function isCheckoutSessionId(value: string): boolean {
  return /^cs_(test|live)_[A-Za-z0-9]{8,247}$/.test(value);
}

/** The Checkout Session with this id, or null when it is malformed, unknown or Stripe cannot be reached. */
export async function retrieveCheckoutSession(stripe: Stripe, sessionId: string): Promise<Stripe.Checkout.Session | null> {
  if (!isCheckoutSessionId(sessionId)) return null;
  try {
    return await stripe.checkout.sessions.retrieve(sessionId);
  } catch (error) {
    log.warn("checkout.retrieve_failed", errorFields(error));
    return null;
  }
}

export type DonationSubmission =
  | { ok: true; url: string; sessionId: string; idempotencyKey: string }
  | { ok: false; status: 400 | 502; errors: DonationFormErrors; values: DonationFormValues };

/**
 * The donate form's whole server path: validate the fields (nothing reaches Stripe unless they pass), derive the
 * idempotency key, create the Checkout Session. The page maps the result to a 303 or a re-rendered form.
 */
export async function submitDonation(
  stripe: Stripe,
  fields: URLSearchParams,
  settings: DonationSettings,
  member: { id: string; email: string } | null,
  siteUrl: string,
): Promise<DonationSubmission> {
  const form = validateDonationForm(fields, settings);
  if (!form.ok) return { ok: false, status: 400, errors: form.errors, values: form.values };
  const idempotencyKey = donationIdempotencyKey(form.donation, member?.id ?? null);
  const checkout = await createDonationCheckout(stripe, { donation: form.donation, member, siteUrl, idempotencyKey });
  if (!checkout.ok) return { ok: false, status: 502, errors: { form: checkout.message }, values: form.values };
  return { ok: true, url: checkout.url, sessionId: checkout.sessionId, idempotencyKey };
}
