-- The staff console's figures without scanning the tables (functions/staff/overview.ts, member-list.ts): member
-- totals kept by triggers in one row, and the indexes the name search and the refunds figure need. Everything else the
-- console reads walks an index range (migration 0007's users(created_at, id) and donations(created_at)).

-- One row: how many accounts exist and how many have verified their address. The triggers keep it exact in the same
-- statement as the change, so it can never drift from the users table.
CREATE TABLE member_counts (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  total INTEGER NOT NULL CHECK (total >= 0),
  verified INTEGER NOT NULL CHECK (verified >= 0)
) STRICT;
INSERT INTO member_counts (id, total, verified)
  SELECT 1, COUNT(*), COUNT(email_verified_at) FROM users;
CREATE TRIGGER member_counts_insert AFTER INSERT ON users BEGIN
  UPDATE member_counts SET total = total + 1, verified = verified + (NEW.email_verified_at IS NOT NULL) WHERE id = 1;
END;
CREATE TRIGGER member_counts_delete AFTER DELETE ON users BEGIN
  UPDATE member_counts SET total = total - 1, verified = verified - (OLD.email_verified_at IS NOT NULL) WHERE id = 1;
END;
CREATE TRIGGER member_counts_verify AFTER UPDATE OF email_verified_at ON users
  WHEN (OLD.email_verified_at IS NULL) <> (NEW.email_verified_at IS NULL) BEGIN
  UPDATE member_counts SET verified = verified + (NEW.email_verified_at IS NOT NULL) - (OLD.email_verified_at IS NOT NULL) WHERE id = 1;
END;

-- Search by name prefix, case-insensitively (ASCII), as a range on this index rather than a LIKE that reads every row.
CREATE INDEX users_display_name ON users(display_name COLLATE NOCASE);
-- Refunds by when they were reported (the overview's "refunds this month").
CREATE INDEX donations_refunded_at ON donations(refunded_at) WHERE refunded_at IS NOT NULL;
