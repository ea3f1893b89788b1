-- 025_pickers.sql — the emoji picker and link previews (issue: pickers, previews).
-- A reaction is any one emoji of Unicode's list (the server checks it against the list, see
-- cgi/core/emoji.c); the longest fully-qualified one (a kiss with two skin tones) is 35 bytes.
ALTER TABLE reactions DROP CONSTRAINT reactions_emoji_check;
ALTER TABLE reactions ADD CONSTRAINT reactions_emoji_check CHECK (octet_length(emoji) BETWEEN 1 AND 64);

-- Link previews: one row per URL (a cache with an expiry), fetched by parley-worker
-- ("preview.fetch"); a message points at the first http(s) link of its body, and its sender
-- may remove the preview. End-to-end encrypted conversations have none (the server cannot
-- read their links).
CREATE TABLE link_previews (
    url         text PRIMARY KEY CHECK (octet_length(url) BETWEEN 1 AND 2048),
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed')),
    title       text NOT NULL DEFAULT '' CHECK (octet_length(title) <= 300),
    description text NOT NULL DEFAULT '' CHECK (octet_length(description) <= 600),
    fetched_at  timestamptz,
    expires_at  timestamptz NOT NULL DEFAULT now() + interval '1 hour'   -- pending: a fetch's lease
);
CREATE TABLE message_previews (
    conversation_id bigint NOT NULL,
    seq             bigint NOT NULL,
    url             text NOT NULL,
    removed         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (conversation_id, seq),
    FOREIGN KEY (conversation_id, seq) REFERENCES messages (conversation_id, seq) ON DELETE CASCADE
);
CREATE INDEX message_previews_url ON message_previews (url);
