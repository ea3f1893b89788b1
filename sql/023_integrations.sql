-- 023_integrations.sql — webhooks and bots. A bot is an account flagged is_bot: it has no
-- usable password (sign-in refuses it) and acts through API tokens; bot_owner_id is the
-- person who made it (NULL for an incoming webhook's own bot, which lives as long as the
-- history it wrote). Incoming webhooks' secrets are kept as SHA-256 hashes.

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
