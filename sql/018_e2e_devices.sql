-- 018_e2e_devices.sql — the key directory of end-to-end encryption: each device of a person
-- publishes its identity key (Ed25519), a signed prekey (X25519, signed by the identity) and
-- one-time prekeys (X25519); other devices fetch them to start a session, each one-time
-- prekey handed out once and then deleted. Public keys only: no secret ever reaches the server.

CREATE TABLE e2e_devices (
    -- Chosen by the device (a random UUID), so a registration can be repeated safely.
    id            uuid PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    identity_key  bytea NOT NULL CHECK (octet_length(identity_key) = 32),
    spk_id        bigint NOT NULL CHECK (spk_id BETWEEN 0 AND 4294967295),
    spk           bytea NOT NULL CHECK (octet_length(spk) = 32),
    spk_signature bytea NOT NULL CHECK (octet_length(spk_signature) = 64),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX e2e_devices_user ON e2e_devices (user_id, created_at);

CREATE TABLE e2e_prekeys (
    device_id  uuid NOT NULL REFERENCES e2e_devices (id) ON DELETE CASCADE,
    key_id     bigint NOT NULL CHECK (key_id BETWEEN 0 AND 4294967295),
    public_key bytea NOT NULL CHECK (octet_length(public_key) = 32),
    PRIMARY KEY (device_id, key_id)
);
