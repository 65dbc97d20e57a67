-- API tokens may carry an expiry, and a token made with another token as
-- its credential records that parent: it never expires after the parent
-- and is revoked with it, so a token cannot mint one that outlives it.
ALTER TABLE api_token
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN parent_id  bigint REFERENCES api_token;
CREATE INDEX api_token_by_parent ON api_token (parent_id)
    WHERE parent_id IS NOT NULL;
CREATE INDEX api_token_by_user ON api_token (user_id)
    WHERE revoked_at IS NULL;

-- Failed sign-ins are limited per account and address, not per account
-- alone: failures from one address do not lock the right password out
-- everywhere.
CREATE INDEX signin_attempt_pair ON signin_attempt (lower(email), ip, at);
