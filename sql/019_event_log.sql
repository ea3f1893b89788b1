-- 019_event_log.sql — the durable event log. Every event that reports a change (a message,
-- an edit, a reaction, a receipt, a member or a conversation change) is a row here, with its
-- id from event_ids; a new message's row is written by the very statement that stores the
-- message, so a committed message is always announced. Redis pub/sub stays the fast
-- doorbell: the events hubs read this table back to deliver what the doorbell missed (a
-- page server killed between commit and publish, a Redis outage) and to replay a
-- reconnecting client's Last-Event-ID. Ephemeral events (typing, presence) are not kept.
-- Rows older than a day are deleted by the worker's hourly clean-up.

CREATE TABLE event_log (
    id        bigint PRIMARY KEY,                 -- nextval('event_ids')
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    type      text NOT NULL,
    conv_id   bigint,        -- to the members of this conversation (who were members by then)…
    uids      bigint[],      -- …or to these people (conv_id NULL)
    extra_uid bigint,        -- and to this person too (a member just removed)
    skip_uid  bigint,        -- but never to this one
    msg_seq   bigint,        -- message.created: rendered from the message row when replayed
    body      text           -- otherwise the event as JSON, without its id
);
CREATE INDEX event_log_at ON event_log (at);
-- A retried send finds its message's event, to announce it again under the same id.
CREATE INDEX event_log_msg ON event_log (conv_id, msg_seq) WHERE msg_seq IS NOT NULL;
