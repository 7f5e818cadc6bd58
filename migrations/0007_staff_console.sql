-- The staff console (functions/staff/): site roles, the staff second factor, and the audit log.
-- Roles move out of users.role (whose CHECK could not grow 'admin' without rebuilding users and its cascades) into
-- `staff`: one row per staff member; everyone without a row is a member.
CREATE TABLE staff (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor')),
  granted_at INTEGER NOT NULL,
  -- The staff member who granted it, or 'cli' for `npm run staff`.
  granted_by TEXT NOT NULL
) STRICT;
INSERT INTO staff (user_id, role, granted_at, granted_by) SELECT id, role, created_at, 'migration' FROM users WHERE role <> 'member';
ALTER TABLE users DROP COLUMN role;

-- A staff member's TOTP authenticator. The secret is stored sealed (AES-GCM under a key derived from HASH_SECRET),
-- so a copy of the database alone cannot mint codes. `last_step` is the newest time step a code was accepted for:
-- a code is never accepted twice.
CREATE TABLE staff_totp (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  secret_sealed TEXT NOT NULL,
  -- NULL until the first code proves the authenticator holds the secret.
  confirmed_at INTEGER,
  last_step INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
) STRICT;

-- Ten single-use recovery codes per staff member, stored as SHA-256 (they are 50-bit random, not passwords).
CREATE TABLE staff_recovery_codes (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at INTEGER,
  PRIMARY KEY (user_id, code_hash)
) STRICT;

-- The second factor is passed per session; `seen_at` is the session's last use, for staff's 12-hour idle limit.
ALTER TABLE sessions ADD COLUMN second_factor_at INTEGER;
ALTER TABLE sessions ADD COLUMN seen_at INTEGER;

-- Every staff action, written in the same batch as the action. Append-only: the app never updates or deletes a row,
-- and these triggers refuse it to anyone who tries through SQL.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  -- No foreign keys: the record outlives the accounts it names.
  actor_id TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  action TEXT NOT NULL,
  target_id TEXT,
  -- A short JSON object of ids and counts; never an email address or other member text.
  detail TEXT,
  -- Keyed hash of the actor's network (functions/http/client-ip.ts networkTag).
  net TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_at ON audit_log(id DESC);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- The console's overview counts members and donations by month (functions/staff/), and its member list sorts by
-- joined date with keyset paging: both need these.
CREATE INDEX users_created_at ON users(created_at, id);
CREATE INDEX donations_created_at ON donations(created_at);
