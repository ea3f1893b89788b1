-- 017_small_site.sql — the small-site store: with PARLEY_REDIS=none (a shared host without
-- Redis) what Redis keeps lives here instead, each row with its expiry. Rows past it count as
-- gone (every statement checks expires > now()); the worker's hourly clean-up deletes them.
-- Unused (empty) while Redis is configured.

-- Login sessions: id is the SHA-256 of the token, like Redis's sess:<id>.
CREATE TABLE small_sessions (
    id       text PRIMARY KEY,
    user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf     text NOT NULL,
    ip       text NOT NULL,
    ua       text NOT NULL,
    created  timestamptz NOT NULL DEFAULT now(),
    seen     timestamptz NOT NULL DEFAULT now(),
    expires  timestamptz NOT NULL
);
CREATE INDEX small_sessions_user ON small_sessions (user_id);
CREATE INDEX small_sessions_expires ON small_sessions (expires);

-- Rate-limit counters (Redis's rl:<key>): n requests in the window that ends at expires.
CREATE TABLE small_counters (
    key      text PRIMARY KEY,
    n        bigint NOT NULL,
    expires  timestamptz NOT NULL
);
CREATE INDEX small_counters_expires ON small_counters (expires);

-- Short-lived tickets: 2FA login tickets (2fa:<t>), passkey challenges (wa:<c>), typing
-- throttles; a value with an expiry, like a Redis string with EX.
CREATE TABLE small_tickets (
    key      text PRIMARY KEY,
    value    text NOT NULL,
    expires  timestamptz NOT NULL
);
CREATE INDEX small_tickets_expires ON small_tickets (expires);

-- Presence: when each person last did something (a long-poll, POST /presence/active, typing).
CREATE TABLE small_presence (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    active_at  timestamptz NOT NULL
);
