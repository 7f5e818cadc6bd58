-- Letters to members (issue 14): consent by topic, letters, one delivery row per recipient, suppressions from the
-- provider's bounce and complaint events, and the counts that old deliveries are folded into.

-- A member's consent to a topic: 'essays' (new essays and movement news) or 'ward' (their ward's news). No row, no
-- letters. The primary key is the keyset the fan-out reads subscribers by.
CREATE TABLE letter_subscriptions (
  topic TEXT NOT NULL CHECK (topic IN ('essays', 'ward')),
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  subscribed_at INTEGER NOT NULL,
  PRIMARY KEY (topic, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX letter_subscriptions_user ON letter_subscriptions(user_id);

-- A letter. Its content is rendered when it is saved (body_html / body_text: the letter's own content, without the
-- email's frame and footer) and frozen once sending starts.
CREATE TABLE letters (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  -- 'essay': built from an essay (essay_slug); 'markdown': written in the console (body_markdown).
  source TEXT NOT NULL CHECK (source IN ('essay', 'markdown')),
  essay_slug TEXT,
  body_markdown TEXT NOT NULL DEFAULT '' CHECK (length(body_markdown) <= 100000),
  body_html TEXT NOT NULL,
  body_text TEXT NOT NULL,
  -- 'essays': the essays topic's subscribers; 'ward': one ward's members subscribed to 'ward';
  -- 'monthly-donors': members with an active monthly donation who are subscribed to 'essays'.
  audience TEXT NOT NULL CHECK (audience IN ('essays', 'ward', 'monthly-donors')),
  ward_id TEXT REFERENCES wards(id) ON DELETE CASCADE,
  -- Set for letters to the essays topic: the archive's /letters/<slug>/.
  archive_slug TEXT UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'sending', 'sent')),
  -- When a scheduled letter goes out (Unix seconds).
  send_at INTEGER,
  -- Counted when sending starts; the progress page compares the deliveries with it.
  recipient_count INTEGER,
  -- The last subscriber the fan-out has enqueued (keyset cursor); NULL before it starts or after it finishes.
  fan_out_cursor TEXT,
  -- No foreign key: a letter outlives its author's account.
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sending_at INTEGER,
  -- When the fan-out enqueued its last recipients; the letter is 'sent' once this is set and no delivery is pending.
  fanned_out_at INTEGER,
  sent_at INTEGER,
  CHECK ((audience = 'ward') = (ward_id IS NOT NULL))
) STRICT;
CREATE INDEX letters_status_send_at ON letters(status, send_at);
CREATE INDEX letters_created_at ON letters(created_at DESC, id DESC);
-- A ward's letters, newest first (its organisers' page).
CREATE INDEX letters_ward ON letters(ward_id, created_at DESC, id DESC) WHERE ward_id IS NOT NULL;
CREATE INDEX letters_archive ON letters(sent_at DESC) WHERE archive_slug IS NOT NULL AND status = 'sent';

-- One row per letter and recipient, written before the provider is called: the provider gets `id` as its
-- idempotency key, and the UNIQUE pair is what makes a redelivered queue message or a second "Send" a no-op.
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  letter_id TEXT NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  attempts INTEGER NOT NULL DEFAULT 0,
  -- Why it failed or was skipped ('suppressed: bounce', 'unsubscribed', the provider's error).
  reason TEXT CHECK (reason IS NULL OR length(reason) <= 500),
  provider_message_id TEXT,
  -- Set while one consumer is calling the provider for this delivery (claimed in the same statement that checks it is
  -- pending and unclaimed), so a duplicate queue message running at the same time never sends it too. Cleared with
  -- the outcome; a claim left behind by a crash marks the one window where the outcome is unknown (README: Letters).
  claimed_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (letter_id, user_id)
) STRICT;
CREATE INDEX deliveries_letter_status ON deliveries(letter_id, status);
CREATE INDEX deliveries_user ON deliveries(user_id, created_at);
CREATE INDEX deliveries_updated_at ON deliveries(updated_at);
CREATE INDEX deliveries_claimed ON deliveries(claimed_at) WHERE claimed_at IS NOT NULL;

-- Addresses the provider reported as bounced or complained about; every send checks here first. Keyed by address (a
-- bounce belongs to the mailbox, not the account); removed with the account and when the member re-enables letters
-- after a bounce.
CREATE TABLE letter_suppressions (
  email TEXT PRIMARY KEY,
  user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
  reason TEXT NOT NULL CHECK (reason IN ('bounce', 'complaint')),
  detail TEXT CHECK (detail IS NULL OR length(detail) <= 500),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX letter_suppressions_user ON letter_suppressions(user_id);

-- Provider events already handled (their ids), so a replayed event changes nothing. Housekeeping deletes old rows.
CREATE TABLE letter_events (
  id TEXT PRIMARY KEY,
  received_at INTEGER NOT NULL
) STRICT;
CREATE INDEX letter_events_received_at ON letter_events(received_at);

-- Per-letter counts of deliveries folded away by housekeeping after 90 days (the progress page adds them to the
-- rows still present).
CREATE TABLE letter_counts (
  letter_id TEXT PRIMARY KEY REFERENCES letters(id) ON DELETE CASCADE,
  sent INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A ward letter's fan-out reads the ward's members in user order (keyset); ward_members_ward orders by joined_at.
CREATE INDEX ward_members_ward_user ON ward_members(ward_id, user_id);
