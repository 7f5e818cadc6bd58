-- The dev mailbox (functions/email/dev-mailbox.ts): email "sent" in local development and tests.
-- Production never writes here: it sends through Cloudflare Email Service instead.
CREATE TABLE dev_mailbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT NOT NULL,
  sent_at INTEGER NOT NULL
) STRICT;
