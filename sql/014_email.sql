-- 014_email.sql — an optional e-mail address per account, verified by a mailed link, and the
-- single-use links that verify it or reset a lost password.

-- The address as typed (its domain folded to lower case); verified once its link was opened.
-- Changing it clears the verification. Several accounts may share an address.
ALTER TABLE users ADD COLUMN email text CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254);
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
CREATE INDEX users_email_verified ON users (lower(email)) WHERE email_verified_at IS NOT NULL;

-- The links' tokens: only their SHA-256 is kept (the token itself exists only in the mail).
-- A token is made by the worker when it sends the mail, is bound to the address it was sent
-- to, and is deleted when used; a password reset deletes every token of the account.
CREATE TABLE email_tokens (
    token_hash  text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('verify', 'reset')),
    email       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX email_tokens_user ON email_tokens (user_id);
CREATE INDEX email_tokens_expires ON email_tokens (expires_at);
