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

-- Who is notified of what. Per conversation: all messages, mentions only, or nothing (NULL:
-- the default for its kind: direct and group all, channel mentions), and a mute until a time.
CREATE TABLE notify_settings (
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    level           text CHECK (level IN ('all', 'mentions', 'none')),
    muted_until     timestamptz,
    PRIMARY KEY (user_id, conversation_id)
);

-- Per person: do-not-disturb hours (minutes after midnight in their time zone; start > end
-- spans midnight) and words that count as mentions.
CREATE TABLE notify_prefs (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    time_zone  text NOT NULL DEFAULT 'UTC' CHECK (char_length(time_zone) BETWEEN 1 AND 64),
    dnd_start  smallint CHECK (dnd_start BETWEEN 0 AND 1439),
    dnd_end    smallint CHECK (dnd_end BETWEEN 0 AND 1439),
    keywords   text[] NOT NULL DEFAULT '{}' CHECK (cardinality(keywords) <= 20),
    CHECK ((dnd_start IS NULL) = (dnd_end IS NULL))
);
