-- What deleting an account needs from the donation tables (functions/donations/member-donations.ts,
-- functions/donations/customer-deletion.ts):
-- 1. subscriptions.customer_id may be NULL: deletion clears the Stripe customer id from the member's monthly
--    donations, as it already did for donations. SQLite cannot drop NOT NULL in place, so the table is rebuilt
--    (nothing references it).
-- 2. Guest donations are matched to a member's verified address whatever the case Stripe reported it in
--    (users.email is stored lower-cased): indexes on lower(email) replace the plain email indexes.
-- 3. stripe_customer_deletions: Stripe customers still to be deleted through the API. A deletion writes them in the
--    same batch that deletes the account, and removes them once Stripe confirms; if Stripe could not be reached,
--    the daily Cron Trigger retries. Only the customer id is kept: nothing links it to the deleted member.

CREATE TABLE subscriptions_rebuilt (
  -- Stripe subscription id: one row per monthly donation.
  id TEXT PRIMARY KEY,
  user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
  email TEXT,
  -- NULL once the member who gave it deleted their account (the Stripe customer is deleted too).
  customer_id TEXT,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  status TEXT NOT NULL CHECK (status IN ('active', 'canceled')),
  created_at INTEGER NOT NULL,
  canceled_at INTEGER
) STRICT;
INSERT INTO subscriptions_rebuilt (id, user_id, email, customer_id, amount, currency, status, created_at, canceled_at)
  SELECT id, user_id, email, customer_id, amount, currency, status, created_at, canceled_at FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_rebuilt RENAME TO subscriptions;
CREATE INDEX subscriptions_user_id ON subscriptions(user_id);
CREATE INDEX subscriptions_email ON subscriptions(lower(email));
CREATE INDEX subscriptions_customer_id ON subscriptions(customer_id);

DROP INDEX donations_email;
CREATE INDEX donations_email ON donations(lower(email));
CREATE INDEX donations_customer_id ON donations(customer_id);

CREATE TABLE stripe_customer_deletions (
  customer_id TEXT PRIMARY KEY,
  -- When the account was deleted (unix seconds).
  requested_at INTEGER NOT NULL,
  -- Failed calls to Stripe so far, and when the last one was.
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_attempt_at INTEGER
) STRICT;
