-- 021_search_cheaper_sends.sql — the window's index on created_at as BRIN, not btree.
--
-- search_window (cgi/app/search.c) reads the searchable messages younger than an age through
-- messages_created (008). Messages are appended in time order, so each range of 16 pages
-- (some 600 messages) holds a narrow span of times, and the window (the newest hours or days)
-- is a few ranges, with at most one range's worth of older messages read too. A send adds
-- nothing to a BRIN index until autovacuum summarizes a full range (autosummarize), where the
-- btree took an entry per message; and it is some 70 kB per million messages instead of
-- 21 MB. Messages not in time order (an edit's new row version in free space) only widen a
-- range: never a wrong answer, at worst more of the table read.
--
-- Building it reads the table once (a few seconds per million messages), holding a lock that
-- lets reads go on and sends wait, as 008's did.

DROP INDEX messages_created;
CREATE INDEX messages_created ON messages USING brin (created_at) WITH (pages_per_range = 16, autosummarize = on)
    WHERE search_tsv IS NOT NULL;
