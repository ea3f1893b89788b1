-- 022_digests.sql — missed-message e-mail digests: whether a person wants them and after how
-- many minutes unread, the conversations with a digest pending for them, and the site's key
-- that signs the one-click unsubscribe links (RFC 8058) the digests carry. And for Web Push:
-- when a pushed notification was cleared by a "read" notice (read on another device).

-- On by default (for a verified address); the delay in minutes a message stays unread first.
ALTER TABLE notify_prefs ADD COLUMN email_digests boolean NOT NULL DEFAULT true;
ALTER TABLE notify_prefs ADD COLUMN digest_minutes smallint NOT NULL DEFAULT 10
    CHECK (digest_minutes BETWEEN 1 AND 1440);

-- One row per person and conversation while a digest is due: from the first unread message
-- that notifies them (first_seq) to the last one seen (last_seq); due_at is when it is sent
-- (later while in do-not-disturb hours). The digest.send job deletes it once sent.
CREATE TABLE digest_pending (
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    first_seq       bigint NOT NULL,
    last_seq        bigint NOT NULL CHECK (last_seq >= first_seq),
    due_at          timestamptz NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);

-- Secrets this site makes for itself (32 random bytes from PostgreSQL's strong random
-- source): 'unsubscribe' keys the HMAC of the links that turn digests off without a sign-in.
CREATE TABLE site_secrets (
    name    text PRIMARY KEY CHECK (name ~ '^[a-z_]{1,32}$'),
    secret  bytea NOT NULL CHECK (octet_length(secret) >= 32)
);
INSERT INTO site_secrets (name, secret)
VALUES ('unsubscribe', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- A notification whose message the person read (on any device) gets a "read" notice to the
-- devices it went to, once: cleared_at says it went.
ALTER TABLE push_sent ADD COLUMN cleared_at timestamptz;
