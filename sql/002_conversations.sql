-- 002_conversations.sql — contacts, blocks, conversations, members, messages, reactions.
-- Messages are keyed (conversation_id, seq) so they can be sharded by conversation.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is STABLE (it reads a dictionary); this wrapper pins the dictionary so that
-- it may be used in indexes.
CREATE FUNCTION parley_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

CREATE INDEX users_username_fold ON users (parley_fold(username) text_pattern_ops);
CREATE INDEX users_display_fold ON users (parley_fold(display_name) text_pattern_ops);

CREATE TABLE contacts (            -- accepted contacts: one row each way
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, contact_id),
    CHECK (user_id <> contact_id)
);

CREATE TABLE contact_requests (
    from_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (from_id, to_id),
    CHECK (from_id <> to_id)
);
CREATE INDEX contact_requests_to ON contact_requests (to_id);

CREATE TABLE blocks (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,   -- who blocks
    blocked_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, blocked_id),
    CHECK (user_id <> blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

CREATE TABLE conversations (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('direct', 'group', 'channel')),
    title            text NOT NULL DEFAULT '' CHECK (char_length(title) <= 100),
    description      text NOT NULL DEFAULT '' CHECK (char_length(description) <= 1000),
    e2e              boolean NOT NULL DEFAULT false,   -- end-to-end encrypted (later)
    direct_key       text UNIQUE,                      -- 'low:high' user ids, direct only
    last_seq         bigint NOT NULL DEFAULT 0,        -- the gap-free counter (row lock)
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    created_by       bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'direct') = (direct_key IS NOT NULL))
);

CREATE TABLE members (
    conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
    read_seq        bigint NOT NULL DEFAULT 0,
    joined_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE messages (
    conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             bigint NOT NULL,
    id              bigserial NOT NULL UNIQUE,
    kind            text NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'system')),
    sender_id       bigint REFERENCES users (id) ON DELETE SET NULL,
    body            text,                 -- NULL once deleted (the row stays: a tombstone)
    ciphertext      bytea,                -- end-to-end encrypted payload (later)
    client_id       uuid,
    reply_to_seq    bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    edited_at       timestamptz,
    deleted_at      timestamptz,
    PRIMARY KEY (conversation_id, seq)
);
-- Idempotent sends: one message per (conversation, sender, client_id).
CREATE UNIQUE INDEX messages_client ON messages (conversation_id, sender_id, client_id)
    WHERE client_id IS NOT NULL;

CREATE TABLE reactions (
    conversation_id bigint NOT NULL,
    seq             bigint NOT NULL,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji           text NOT NULL CHECK (octet_length(emoji) BETWEEN 1 AND 32),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, seq, user_id, emoji),
    FOREIGN KEY (conversation_id, seq) REFERENCES messages (conversation_id, seq) ON DELETE CASCADE
);
