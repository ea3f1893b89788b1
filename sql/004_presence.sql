-- 004_presence.sql — the presence setting. Presence itself (who is online, away, last seen)
-- lives in Redis: it may be lost without losing data.

-- Off: others do not see whether you are online or when you were last seen, and you do not
-- see theirs (as with read receipts).
ALTER TABLE users ADD COLUMN show_presence boolean NOT NULL DEFAULT true;
