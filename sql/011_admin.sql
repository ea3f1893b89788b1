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

-- Moderation. A message an administrator removed stays as a tombstone that says so.
ALTER TABLE messages ADD COLUMN removed_by bigint REFERENCES users (id) ON DELETE SET NULL;

-- Reports of a message or a person, from anyone, to the administrators. user_id is the person
-- reported (a message's sender); conversation_id and seq name the message, when it is one.
CREATE TABLE reports (
    id               bigserial PRIMARY KEY,
    reporter_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_id          bigint REFERENCES users (id) ON DELETE SET NULL,
    conversation_id  bigint,
    seq              bigint,
    reason           text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 1000),
    state            text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    outcome          text CHECK (outcome IN ('removed', 'warned', 'deactivated', 'dismissed')),
    resolved_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    resolved_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((conversation_id IS NULL) = (seq IS NULL)),
    CHECK ((state = 'open') = (outcome IS NULL)),
    FOREIGN KEY (conversation_id, seq) REFERENCES messages (conversation_id, seq) ON DELETE CASCADE
);
CREATE INDEX reports_state ON reports (state, created_at);
CREATE INDEX reports_reporter ON reports (reporter_id, created_at DESC);
