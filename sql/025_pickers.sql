-- 025_pickers.sql — the emoji picker and link previews (issue: pickers, previews).
-- A reaction is any one emoji of Unicode's list (the server checks it against the list, see
-- cgi/core/emoji.c); the longest fully-qualified one (a kiss with two skin tones) is 35 bytes.
ALTER TABLE reactions DROP CONSTRAINT reactions_emoji_check;
ALTER TABLE reactions ADD CONSTRAINT reactions_emoji_check CHECK (octet_length(emoji) BETWEEN 1 AND 64);
