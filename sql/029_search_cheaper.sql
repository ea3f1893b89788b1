-- 029_search_cheaper.sql — a cheaper fold for every send, and conversation titles by index.
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
