-- Refunds Stripe has reported (charge.refunded), one row per PaymentIntent, whether or not its donation is in the
-- ledger yet (functions/donations/ledger.ts). A refund can arrive before the payment it refunds is recorded (events
-- come in any order, and checkout.session.completed may still be retrying): it waits here, and the statements that
-- record a payment apply it in the same batch, so both orders end in the same donation row. Amounts in minor
-- units, times in unix seconds.
CREATE TABLE stripe_refunds (
  payment_intent_id TEXT PRIMARY KEY,
  -- The invoice this PaymentIntent paid (monthly donations, whose invoice payloads do not name the PaymentIntent).
  invoice_id TEXT,
  -- Stripe's running total for the charge: it only grows.
  amount_refunded INTEGER NOT NULL CHECK (amount_refunded >= 0),
  -- 1 once Stripe reports the charge fully refunded.
  fully_refunded INTEGER NOT NULL CHECK (fully_refunded IN (0, 1)),
  -- When we first heard of a refund of this payment.
  refunded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX stripe_refunds_invoice_id ON stripe_refunds(invoice_id);
