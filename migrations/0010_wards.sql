-- Wards (functions/wards/): the movement's local units, found by UK postcode district; one ward per member;
-- organisers (a role on one ward); meetings with RSVPs and a waitlist; notices; members' proposals of new wards.
-- Sample wards are seeded only into local D1 by scripts/seed-wards.mjs, never here.
CREATE TABLE wards (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  -- The area in words ("Headingley and Hyde Park, north of the university").
  area TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('forming', 'active')),
  -- Members a forming ward needs before it is founded ("12 of 20 neighbours").
  founding_threshold INTEGER NOT NULL CHECK (founding_threshold BETWEEN 1 AND 100000),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX wards_name ON wards(name COLLATE NOCASE);

-- The postcode districts (outward codes: LS6, BS3, EC1A) a ward covers; a district may be shared by neighbours.
CREATE TABLE ward_districts (
  district TEXT NOT NULL,
  ward_id TEXT NOT NULL REFERENCES wards(id) ON DELETE CASCADE,
  PRIMARY KEY (district, ward_id)
) STRICT;
CREATE INDEX ward_districts_ward ON ward_districts(ward_id);

-- One ward per member (user_id is the key), with the member's two consents.
CREATE TABLE ward_members (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  ward_id TEXT NOT NULL REFERENCES wards(id) ON DELETE CASCADE,
  joined_at INTEGER NOT NULL,
  -- Listed by display name in the ward's members-only directory.
  listed INTEGER NOT NULL DEFAULT 0 CHECK (listed IN (0, 1)),
  -- The ward's organisers may see this member's email address.
  share_email INTEGER NOT NULL DEFAULT 0 CHECK (share_email IN (0, 1))
) STRICT;
CREATE INDEX ward_members_ward ON ward_members(ward_id, joined_at);

-- Organiser is a role on one ward, not a site role.
CREATE TABLE ward_organisers (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  ward_id TEXT NOT NULL REFERENCES wards(id) ON DELETE CASCADE,
  appointed_at INTEGER NOT NULL,
  -- The staff member who appointed them, or 'proposal' when staff approved their proposal.
  appointed_by TEXT NOT NULL
) STRICT;
CREATE INDEX ward_organisers_ward ON ward_organisers(ward_id);

-- Times are Unix seconds (UTC); pages read and write them as Europe/London wall-clock times.
CREATE TABLE ward_meetings (
  id TEXT PRIMARY KEY,
  ward_id TEXT NOT NULL REFERENCES wards(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),
  place TEXT NOT NULL,
  -- NULL: no limit.
  capacity INTEGER CHECK (capacity IS NULL OR capacity >= 1),
  public INTEGER NOT NULL CHECK (public IN (0, 1)),
  description TEXT NOT NULL DEFAULT '',
  cancelled_at INTEGER,
  -- The .ics SEQUENCE: raised at every change, so calendar apps replace their copy.
  sequence INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX ward_meetings_ward_start ON ward_meetings(ward_id, starts_at);

-- `queued_at` orders the waitlist: the first waitlisted is promoted when a place frees.
CREATE TABLE ward_rsvps (
  meeting_id TEXT NOT NULL REFERENCES ward_meetings(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('going', 'waitlisted', 'not_going')),
  queued_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (meeting_id, user_id)
) STRICT;
CREATE INDEX ward_rsvps_status ON ward_rsvps(meeting_id, status, queued_at);
CREATE INDEX ward_rsvps_user ON ward_rsvps(user_id);

CREATE TABLE ward_notices (
  id TEXT PRIMARY KEY,
  ward_id TEXT NOT NULL REFERENCES wards(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  -- No foreign key: a notice outlives its author's account.
  author_id TEXT NOT NULL,
  posted_at INTEGER NOT NULL
) STRICT;
CREATE INDEX ward_notices_ward ON ward_notices(ward_id, posted_at DESC);

-- A member's proposal of a ward for a district that has none; staff approve (a forming ward, the proposer its first
-- organiser) or decline with a message.
CREATE TABLE ward_proposals (
  id TEXT PRIMARY KEY,
  proposer_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  districts TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined')),
  message TEXT,
  ward_id TEXT REFERENCES wards(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  decided_at INTEGER
) STRICT;
CREATE INDEX ward_proposals_status ON ward_proposals(status, created_at);
CREATE INDEX ward_proposals_proposer ON ward_proposals(proposer_id);
