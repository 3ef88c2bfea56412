-- The referral programme is over.
ALTER TABLE users DROP COLUMN referrer_code;
