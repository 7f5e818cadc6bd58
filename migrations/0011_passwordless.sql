-- Signing in without a password (issue 15): one-time codes by email, passkeys (WebAuthn) and their challenges.

-- One live sign-in code per address (a new request replaces it). Keyed by the address typed, so checking a code
-- reads the same row whether or not the address has an account. Only the code's SHA-256 is stored.
CREATE TABLE sign_in_codes (
  email TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sign_in_codes_user_id ON sign_in_codes(user_id);

-- A member's passkeys. `id` is the credential id (base64url); `public_key` is SEC1 (ES256) or PKCS#1 (RS256).
CREATE TABLE passkeys (
  id TEXT PRIMARY KEY CHECK (length(id) <= 1400),
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
  algorithm INTEGER NOT NULL CHECK (algorithm IN (-7, -257)),
  public_key BLOB NOT NULL,
  sign_count INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
) STRICT;
CREATE INDEX passkeys_user_id ON passkeys(user_id);

-- WebAuthn challenges: random, single use (deleted when presented), 5 minutes. A registration challenge is bound
-- to the session that asked for it; a sign-in challenge to nobody (the passkey names its account).
CREATE TABLE webauthn_challenges (
  id TEXT PRIMARY KEY,
  purpose TEXT NOT NULL CHECK (purpose IN ('register', 'sign-in')),
  session_id TEXT REFERENCES sessions(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX webauthn_challenges_expires_at ON webauthn_challenges(expires_at);
