-- Donations reported by Stripe (functions/donations/). Amounts are in minor units (pence), times in unix seconds.
-- Idempotency: each Stripe event is processed once (stripe_events, written in the same batch as its effects), and
-- UNIQUE checkout-session and invoice ids make a second recording of the same payment impossible, whichever path
-- (webhook or thanks page) and whichever event (checkout.session.completed or invoice.paid) comes first.

CREATE TABLE donations (
  id TEXT PRIMARY KEY,
  -- NULL for guests and after the member deletes their account (the record is kept, anonymised).
  user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
  email TEXT,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  frequency TEXT NOT NULL CHECK (frequency IN ('once', 'monthly')),
  status TEXT NOT NULL CHECK (status IN ('paid', 'partially_refunded', 'refunded')),
  -- How much of `amount` Stripe has refunded so far (minor units).
  amount_refunded INTEGER NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
  note TEXT,
  -- The Checkout Session that took the payment (NULL for a monthly donation's later invoices).
  checkout_session_id TEXT UNIQUE,
  -- The invoice a monthly donation's payment belongs to (NULL for one-off donations).
  invoice_id TEXT UNIQUE,
  payment_intent_id TEXT,
  subscription_id TEXT,
  customer_id TEXT,
  created_at INTEGER NOT NULL,
  refunded_at INTEGER
) STRICT;
CREATE INDEX donations_user_id ON donations(user_id, created_at);
CREATE INDEX donations_payment_intent_id ON donations(payment_intent_id);
CREATE INDEX donations_email ON donations(email);

CREATE TABLE subscriptions (
  -- Stripe subscription id: one row per monthly donation.
  id TEXT PRIMARY KEY,
  user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
  email TEXT,
  customer_id TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  status TEXT NOT NULL CHECK (status IN ('active', 'canceled')),
  created_at INTEGER NOT NULL,
  canceled_at INTEGER
) STRICT;
CREATE INDEX subscriptions_user_id ON subscriptions(user_id);
CREATE INDEX subscriptions_email ON subscriptions(email);

-- Stripe events already applied (event id). Checked before a handler runs and written in the handler's batch.
CREATE TABLE stripe_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  processed_at INTEGER NOT NULL
) STRICT;
