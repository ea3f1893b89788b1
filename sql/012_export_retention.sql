-- 012_export_retention.sql — a person's data export (one ZIP file the worker builds) and
-- message retention (delete messages older than N days, instance-wide and per conversation).

-- An export: pending until parley-worker (job export.build) has written
-- exports/<id>.zip under the media directory; ready for 7 days (expires_at), then the
-- clean-up deletes the file and the row. failed keeps the reason for the person.
CREATE TABLE exports (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed')),
    size         bigint CHECK (size >= 0),
    error        text CHECK (char_length(error) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    expires_at   timestamptz,
    CHECK ((status = 'ready') = (expires_at IS NOT NULL AND size IS NOT NULL))
);
-- At most one export per person in the making.
CREATE UNIQUE INDEX exports_one_pending ON exports (user_id) WHERE status = 'pending';
CREATE INDEX exports_user ON exports (user_id, created_at DESC);
CREATE INDEX exports_expires ON exports (expires_at) WHERE expires_at IS NOT NULL;

-- Retention. Per conversation (owners and admins of a group or channel): NULL keeps
-- messages forever. Instance-wide: the setting message_retention_days ('0' keeps them
-- forever). The shorter of the two applies.
ALTER TABLE conversations ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 36500);

ALTER TABLE instance_settings DROP CONSTRAINT instance_settings_key_check;
ALTER TABLE instance_settings ADD CONSTRAINT instance_settings_key_check
    CHECK (key IN ('registration', 'message_retention_days'));
ALTER TABLE instance_settings ADD CONSTRAINT instance_settings_retention_check
    CHECK (key <> 'message_retention_days' OR value ~ '^(0|[1-9][0-9]{0,4})$');
INSERT INTO instance_settings (key, value) VALUES ('message_retention_days', '0');

-- The retention job's search: a conversation's live messages by age.
CREATE INDEX messages_live_age ON messages (conversation_id, created_at) WHERE deleted_at IS NULL;
