-- 027_send_path.sql — the send path of notifications (issue 14).
-- A message posted through an incoming webhook may name itself, as Slack's "username" does
-- ("Deploy bot"): the name is stored on the message and always shown beside its bot's
-- (pages: "Deploy bot (via Deploys)" with the BOT badge), so it can never pass for a person.
-- NULL for every other message. 1 to 80 characters, checked again by the handler.
ALTER TABLE messages ADD COLUMN sender_name text
    CHECK (sender_name IS NULL OR char_length(sender_name) BETWEEN 1 AND 80);

-- Mentions, written by the statement that stores the message (msg_insert): one row per
-- member a message names (@username: 'user') or reaches with @all / @here in a group or
-- channel ('all', 'here'); the sender gets none. GET /mentions reads them joined to the
-- reader's current memberships, so a member who left sees none of that conversation's, and
-- nothing is ever written for someone who was not a member when it was sent. Keywords stay
-- a scan at read time ('keyword' is never stored; see cgi/app/mentions.c). Edits rewrite a
-- message's rows, deletes remove them.
CREATE TABLE mentions (
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id bigint NOT NULL,
    seq             bigint NOT NULL,
    message_id      bigint NOT NULL,                     -- messages.id: the list's order and cursor
    kind            text NOT NULL CHECK (kind IN ('user', 'all', 'here', 'keyword')),
    PRIMARY KEY (user_id, conversation_id, seq),
    FOREIGN KEY (conversation_id, seq) REFERENCES messages (conversation_id, seq) ON DELETE CASCADE
);
-- A person's mentions, newest first (GET /mentions pages on message_id).
CREATE INDEX mentions_newest ON mentions (user_id, message_id DESC);
-- A message's rows (edits and deletes).
CREATE INDEX mentions_message ON mentions (conversation_id, seq);

-- Backfill from the stored messages: the @names of each live text message (a name is what
-- follows '@' at a word start; a trailing '.' is punctuation), for the members it names
-- today; @all / @here in groups and channels. Unlike the formatter this does not skip
-- mentions inside `code`.
INSERT INTO mentions (user_id, conversation_id, seq, message_id, kind)
SELECT mb.user_id, m.conversation_id, m.seq, m.id,
       CASE WHEN u.username = ANY (x.names) THEN 'user' WHEN 'all' = ANY (x.names) THEN 'all' ELSE 'here' END
FROM messages m
JOIN conversations c ON c.id = m.conversation_id
CROSS JOIN LATERAL (SELECT array_agg(DISTINCT lower(rtrim(g[2], '.'))) AS names
                    FROM regexp_matches(m.body, '(^|[^[:alnum:]_.-])@([A-Za-z0-9_.-]+)', 'g') AS g) x
JOIN members mb ON mb.conversation_id = m.conversation_id AND mb.user_id IS DISTINCT FROM m.sender_id
JOIN users u ON u.id = mb.user_id
WHERE m.kind = 'text' AND m.deleted_at IS NULL AND m.body LIKE '%@%' AND x.names IS NOT NULL
  AND (u.username = ANY (x.names) OR (c.kind IN ('group', 'channel') AND x.names && ARRAY['all', 'here']))
ON CONFLICT DO NOTHING;
