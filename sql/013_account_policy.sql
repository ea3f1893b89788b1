-- 013_account_policy.sql — what administrators may require of accounts (a new password, a
-- second factor), and muting a member of a group or channel for a time.

-- Set by an administrator: until they choose a new password, the account can do nothing else.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- require_2fa: who must set up two-factor sign-in before doing anything else.
ALTER TABLE instance_settings DROP CONSTRAINT instance_settings_key_check;
ALTER TABLE instance_settings ADD CONSTRAINT instance_settings_key_check
    CHECK (key IN ('registration', 'message_retention_days', 'require_2fa', 'instance_name'));
ALTER TABLE instance_settings ADD CONSTRAINT instance_settings_require_2fa_check
    CHECK (key <> 'require_2fa' OR value IN ('off', 'admins', 'everyone'));
INSERT INTO instance_settings (key, value) VALUES ('require_2fa', 'off');

-- A muted member reads but cannot send until then.
ALTER TABLE members ADD COLUMN muted_until timestamptz;

-- A group's moderation log: the audit entries that name it.
CREATE INDEX audit_log_conversation ON audit_log (((detail ->> 'conversation_id')::bigint), at DESC)
    WHERE detail ? 'conversation_id';

-- instance_name: what pages call this server (absent: "Parley").
ALTER TABLE instance_settings ADD CONSTRAINT instance_settings_name_check
    CHECK (key <> 'instance_name' OR char_length(value) BETWEEN 1 AND 64);
