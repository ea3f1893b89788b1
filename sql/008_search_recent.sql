-- 008_search_recent.sql — the index that lets a search by relevance stop at an age.
--
-- Searching someone's many conversations for a common word ranks only the messages younger
-- than the age beyond which no score can beat the page (cgi/app/search.c, search_page): it
-- reads them newest first by created_at. Only searchable messages are in it.
--
-- Built inside the migration's transaction, as 006's indexes: a plain btree on a timestamp
-- takes about a second per million messages, during which reads go on and sends wait.

CREATE INDEX messages_created ON messages (created_at) WHERE search_tsv IS NOT NULL;
