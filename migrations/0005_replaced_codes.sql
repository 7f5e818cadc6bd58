-- The hash of the code a new one replaced ("send a new code", or a second email change), kept with the live code
-- so /verify can tell a member who types the older code that it was replaced, instead of "not right".
-- It goes when the row goes (code used, account deleted) and is overwritten by the next replacement.
ALTER TABLE email_verifications ADD COLUMN replaced_code_hash TEXT;
