-- 001_init.sql — accounts and personal API tokens. Sessions live in Redis.

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
    display_name  text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 64),
    status_text   text NOT NULL DEFAULT '' CHECK (char_length(status_text) <= 140),
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- Unique ignoring case (usernames are stored folded, the index makes sure of it).
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    token_hash   text NOT NULL UNIQUE,          -- hex SHA-256 of the secret; never the secret
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
