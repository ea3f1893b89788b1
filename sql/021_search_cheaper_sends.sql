-- 021_search_cheaper_sends.sql — the same search, for less work on each send.
--
-- 006 indexed a message with a PL/pgSQL trigger calling parley_search_tsv for every insert
-- and edit. PostgreSQL's own tsvector_update_trigger (C) computes the same to_tsvector in
-- the same configuration without an interpreter call; its WHEN clause keeps it to plain text,
-- and a second trigger, for updates only (deletes, encryption), empties the column of a
-- message that is no longer searchable: deleted, system and end-to-end encrypted messages
-- still never match.
--
-- The btree on created_at (008) became a BRIN index: messages are appended in time order,
-- so each range of 16 pages (some 600 messages) holds a narrow span of times, and the
-- window search_window reads (the newest days) is a few ranges, with at most one range's
-- worth of older messages read too; a send adds nothing to it until autovacuum summarizes a
-- full range (autosummarize), where a btree took an entry per message.
-- Creating it reads the table once (about a second per million messages), holding a lock
-- that lets reads go on and sends wait, as 008 did.
--
-- Nothing is rewritten: the triggers are replaced in one transaction, so no message is sent
-- between them unindexed.

DROP TRIGGER messages_search_tsv ON messages;
CREATE TRIGGER messages_search_tsv BEFORE INSERT OR UPDATE OF body, kind, ciphertext ON messages
    FOR EACH ROW WHEN (NEW.kind = 'text' AND NEW.body IS NOT NULL AND NEW.ciphertext IS NULL)
    EXECUTE FUNCTION tsvector_update_trigger(search_tsv, 'public.parley_search', body);
CREATE TRIGGER messages_search_clear BEFORE UPDATE OF body, kind, ciphertext ON messages
    FOR EACH ROW WHEN (NEW.search_tsv IS NOT NULL AND NOT (NEW.kind = 'text' AND NEW.body IS NOT NULL
                                                           AND NEW.ciphertext IS NULL))
    EXECUTE FUNCTION parley_messages_tsv();

DROP INDEX messages_created;
CREATE INDEX messages_created ON messages USING brin (created_at) WITH (pages_per_range = 16, autosummarize = on)
    WHERE search_tsv IS NOT NULL;
