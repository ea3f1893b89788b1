-- 010_two_factor.sql — a second factor at sign-in: a TOTP secret per person (the codes of
-- any authenticator app) and single-use recovery codes for when the phone is lost.

CREATE TABLE two_factor (
    user_id     bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret      bytea NOT NULL CHECK (octet_length(secret) = 20),
    enabled_at  timestamptz,                 -- NULL while set up but not yet confirmed with a code
    last_step   bigint NOT NULL DEFAULT 0,   -- the 30-second step of the last code used: each works once
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recovery_codes (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),   -- SHA-256 of the code, never the code
    used_at    timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
