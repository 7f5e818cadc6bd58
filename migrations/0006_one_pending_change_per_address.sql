-- At most one live code per email address across all accounts: any number of accounts could otherwise point a
-- pending email change at one address and have codes mailed to it (inbox flooding). Expired rows are pruned first by
-- the code that inserts (functions/auth/email-verification.ts). Existing duplicates keep their newest row.
DELETE FROM email_verifications
WHERE EXISTS (
  SELECT 1 FROM email_verifications newer
  WHERE newer.email = email_verifications.email
    AND (newer.created_at > email_verifications.created_at
         OR (newer.created_at = email_verifications.created_at AND newer.user_id > email_verifications.user_id))
);
CREATE UNIQUE INDEX email_verifications_email ON email_verifications(email);
