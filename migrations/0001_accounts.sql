-- Member accounts: users, sessions, email verification codes, password reset tokens and durable throttles.
-- Timestamps are unix seconds. Secrets (session tokens, codes, reset tokens) are stored only as SHA-256 hex.

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) <= 254),
  display_name TEXT CHECK (display_name IS NULL OR length(display_name) <= 80),
  -- PHC string: $scrypt$ln=15,r=8,p=3$<salt>$<hash>, so parameters can be raised later.
  password_hash TEXT NOT NULL,
  email_verified_at INTEGER,
  role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'editor', 'owner')),
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  -- SHA-256 (hex) of the token in the member's cookie; the token itself is never stored.
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user_id ON sessions(user_id);

CREATE TABLE email_verifications (
  -- One live code per member; a new code replaces the old one.
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  -- The address being verified: the account's own, or the new one during an email change.
  email TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE password_resets (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX password_resets_user_id ON password_resets(user_id);

CREATE TABLE throttles (
  -- "<action>:<ip|email>:<sha-256 of the value>"; fixed windows.
  key TEXT PRIMARY KEY,
  hits INTEGER NOT NULL,
  window_start INTEGER NOT NULL
) STRICT;
