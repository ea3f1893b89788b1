-- 006_search.sql — full-text and fragment search over messages, and fuzzy names.
--
-- The text search configuration parley_search is `simple` (no stemming, no stop words: a chat
-- mixes languages) with unaccent in front, so "José" is found by "jose" and ts_headline
-- highlights it. To use a language's stemmer instead, ALTER TEXT SEARCH CONFIGURATION
-- parley_search ALTER MAPPING … in a new migration and rebuild messages.search_tsv (UPDATE
-- messages SET search_tsv = parley_search_tsv(kind, body, ciphertext)): the queries name the
-- configuration, never a language.
--
-- Why a trigger-filled column and not a GENERATED ALWAYS … STORED one: adding a stored
-- generated column rewrites the whole table under an ACCESS EXCLUSIVE lock (no reads, no
-- sends) for as long as that takes. Adding a plain nullable column is instant; the trigger
-- keeps new and edited messages indexed from this transaction on, and the backfill below is
-- an UPDATE, which takes row locks only (reading and sending go on). On a very large table
-- an operator may instead run the backfill in batches after migrating (the statement is
-- idempotent: it only touches rows whose column is still NULL), and search simply misses
-- old messages until it finishes.
--
-- Only plain text is indexed: deleted messages (body NULL), system messages and end-to-end
-- encrypted ones (ciphertext) get a NULL column and never match; the queries also check.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TEXT SEARCH CONFIGURATION parley_search (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION parley_search
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH public.unaccent, pg_catalog.simple;

CREATE FUNCTION parley_search_tsv(kind text, body text, ciphertext bytea) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN kind = 'text' AND body IS NOT NULL AND ciphertext IS NULL
                      THEN to_tsvector('public.parley_search'::regconfig, body) END $$;

ALTER TABLE messages ADD COLUMN search_tsv tsvector;

CREATE FUNCTION parley_messages_tsv() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN
        NEW.search_tsv := parley_search_tsv(NEW.kind, NEW.body, NEW.ciphertext);
        RETURN NEW;
    END $$;
CREATE TRIGGER messages_search_tsv BEFORE INSERT OR UPDATE OF body, kind, ciphertext ON messages
    FOR EACH ROW EXECUTE FUNCTION parley_messages_tsv();

UPDATE messages SET search_tsv = parley_search_tsv(kind, body, ciphertext)
    WHERE search_tsv IS NULL AND kind = 'text' AND body IS NOT NULL AND ciphertext IS NULL;

-- Whole words, phrases and prefixes.
CREATE INDEX messages_search ON messages USING gin (search_tsv) WHERE search_tsv IS NOT NULL;
-- Fragments inside words and one- or two-letter terms (LIKE '%…%' on the folded body).
CREATE INDEX messages_trgm ON messages USING gin (parley_fold(body) gin_trgm_ops)
    WHERE kind = 'text' AND body IS NOT NULL AND ciphertext IS NULL;
-- Typo-tolerant people search (similarity on folded names).
CREATE INDEX users_username_trgm ON users USING gin (parley_fold(username) gin_trgm_ops);
CREATE INDEX users_display_trgm ON users USING gin (parley_fold(display_name) gin_trgm_ops);
