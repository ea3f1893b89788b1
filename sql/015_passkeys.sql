-- 015_passkeys.sql — passkeys (WebAuthn credentials, ES256): sign-in without a password,
-- user verification included, so a passkey counts as two factors.

CREATE TABLE passkeys (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The credential id as the browser names it: unpadded base64url.
    credential_id text NOT NULL UNIQUE CHECK (credential_id ~ '^[A-Za-z0-9_-]+$' AND char_length(credential_id) BETWEEN 16 AND 1400),
    -- The uncompressed P-256 point (0x04 || x || y).
    public_key    bytea NOT NULL CHECK (octet_length(public_key) = 65),
    sign_count    bigint NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz
);
CREATE INDEX passkeys_user ON passkeys (user_id);
