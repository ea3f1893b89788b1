-- Event ids come from PostgreSQL, not from a Redis counter: they survive a Redis restart
-- (clients hold Last-Event-ID, and ids must never go backwards). On an upgrade, the
-- events hub raises the sequence once to the old Redis counter (parley:evseq) at start.
CREATE SEQUENCE IF NOT EXISTS event_ids AS bigint;
