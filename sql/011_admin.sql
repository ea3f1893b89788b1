-- 011_admin.sql — running an instance: administrators, deactivated accounts, the
-- registration policy and its invitations, and the audit log of security events.

ALTER TABLE users ADD COLUMN is_admin boolean NOT NULL DEFAULT false;
-- A deactivated person cannot sign in; their sessions, tokens and streams ended with it.
ALTER TABLE users ADD COLUMN deactivated_at timestamptz;

-- Instance-wide settings an administrator changes at run time (not the PARLEY_* ones).
CREATE TABLE instance_settings (
    key    text PRIMARY KEY CHECK (key IN ('registration')),
    value  text NOT NULL,
    CHECK (key <> 'registration' OR value IN ('open', 'invite', 'closed'))
);
INSERT INTO instance_settings (key, value) VALUES ('registration', 'open');

-- Invitations to register while registration is invite-only: the link's code is shown once;
-- only its SHA-256 is kept.
CREATE TABLE invites (
    code_hash   text PRIMARY KEY CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    created_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    uses_left   integer NOT NULL CHECK (uses_left >= 0),
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Security events: who (actor), to whom (subject), what, from where.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint REFERENCES users (id) ON DELETE SET NULL,
    subject_id  bigint REFERENCES users (id) ON DELETE SET NULL,
    action      text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]{1,63}$'),
    ip          text NOT NULL DEFAULT '',
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_subject ON audit_log (subject_id, at DESC);
