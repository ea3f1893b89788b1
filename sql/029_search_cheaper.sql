-- 029_search_cheaper.sql — a cheaper fold for every send, conversation titles by index, and
-- the window's index on created_at a btree again.
--
-- parley_fold (002) was a SQL function around unaccent. Because unaccent is STABLE and the
-- wrapper IMMUTABLE, PostgreSQL cannot inline it and runs it as a SQL function: an executor
-- started for every call. The trigram index on messages (006) calls it for every send, and
-- search's walks call it on every non-ASCII message they test. The same expression in
-- PL/pgSQL returns the same text for the same input (so every index built on it stays valid
-- and no index is rebuilt) at about half the cost per call, measured on the bench's million
-- messages (docs/ARCHITECTURE.md, "Search").
CREATE OR REPLACE FUNCTION parley_fold(text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ BEGIN RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1)); END $$;

-- search_convs (cgi/app/search.c) read every conversation of the searcher to test each title:
-- 5,000 conversations cost more than the message search itself. It now starts from the titles
-- that match (this index) and from the people whose name matches (users_display_trgm, 006)
-- for direct conversations, and keeps the searcher's. A send's UPDATE of conversations
-- changes last_seq, never title, so it stays a HOT update: sends pay nothing for this index.
CREATE INDEX conversations_title_trgm ON conversations USING gin (parley_fold(title) gin_trgm_ops);

-- search_window (cgi/app/search.c) ranks the searchable messages younger than an age through
-- messages_created. As a BRIN index (021) that held only while new messages were appended at
-- the end of the table: once (auto)vacuum records the room left in old pages, new messages,
-- short ones especially, are put there, and each such page's 16-page range then spans from
-- its old messages to now, so every window reads it. On the bench's million messages, after a
-- VACUUM and 30,000 sends, a window of three hours read 17,508 of the table's pages (661,344
-- rows rechecked, 0.3–3 s) where this btree reads 1,913 rows (2.5 ms). A btree entry costs a
-- send less than the noise of measuring it (database CPU per insert, alternated: within
-- 5 µs of the BRIN index and of none); it takes some 21 MB per million messages. Building it
-- reads the table once, holding a lock that lets reads go on and makes sends wait, about a
-- few seconds per million messages.
DROP INDEX messages_created;
CREATE INDEX messages_created ON messages (created_at) WHERE search_tsv IS NOT NULL;
