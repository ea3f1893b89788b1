-- 016_push.sql — Web Push: the devices a person turned notifications on for (a browser's
-- PushSubscription), and which messages were already pushed to which of them, so a push job
-- run twice (see cgi/worker/jobs.h) does not notify twice.

CREATE TABLE push_subscriptions (
    id              bigserial PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The push service's URL for this browser: a secret capability, unique per browser profile.
    endpoint        text NOT NULL UNIQUE CHECK (char_length(endpoint) BETWEEN 10 AND 2048),
    p256dh          bytea NOT NULL CHECK (octet_length(p256dh) = 65),
    auth            bytea NOT NULL CHECK (octet_length(auth) = 16),
    device          text NOT NULL DEFAULT '' CHECK (char_length(device) <= 64),
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_success_at timestamptz,
    last_error      text CHECK (char_length(last_error) <= 300),
    last_error_at   timestamptz
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

CREATE TABLE push_sent (
    subscription_id bigint NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    conversation_id bigint NOT NULL,
    seq             bigint NOT NULL,
    sent_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, conversation_id, seq)
);
CREATE INDEX push_sent_at ON push_sent (sent_at);
