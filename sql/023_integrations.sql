-- 023_integrations.sql — webhooks and bots. A bot is an account flagged is_bot: it has no
-- usable password (sign-in refuses it) and acts through API tokens; bot_owner_id is the
-- person who made it (NULL for an incoming webhook's own bot, which lives as long as the
-- history it wrote). Incoming webhooks' secrets are kept as SHA-256 hashes; an outgoing
-- webhook's signing secret must be kept as it is, since the worker signs with it.

ALTER TABLE users ADD COLUMN is_bot boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN bot_owner_id bigint REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX users_bot_owner ON users (bot_owner_id) WHERE bot_owner_id IS NOT NULL;

CREATE TABLE incoming_webhooks (
    id              bigserial PRIMARY KEY,
    conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    bot_id          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    secret_hash     text NOT NULL UNIQUE,          -- hex SHA-256 of the URL's secret
    created_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz
);
CREATE INDEX incoming_webhooks_conversation ON incoming_webhooks (conversation_id);
CREATE TABLE outgoing_webhooks (
    id              bigserial PRIMARY KEY,
    conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    bot_id          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    url             text NOT NULL CHECK (char_length(url) BETWEEN 10 AND 2048),
    trigger_word    text CHECK (char_length(trigger_word) BETWEEN 1 AND 32),
    mentions_only   boolean NOT NULL DEFAULT false,
    secret          text NOT NULL,                 -- the HMAC key (hex), shown once at creation
    created_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_error      text CHECK (char_length(last_error) <= 300)
);
-- The send path's one lookup: does this conversation have an outgoing webhook?
CREATE INDEX outgoing_webhooks_conversation ON outgoing_webhooks (conversation_id);
