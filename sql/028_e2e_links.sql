-- 028_e2e_links.sql — linking a new device of the same person (issue 16): the server relays
-- opaque bytes between two of the person's devices and reads none of them. The new device
-- opens a slot with a fresh X25519 public key; the old device, given the code the new one
-- shows, sends its own key and the transfer sealed under the key both derive (in parts, each
-- at most 512 KiB); the new device reads it once. A slot lasts ten minutes; it is kept a day
-- after that (so the answer is "expired" or "used", not "no such link"), without its parts.

CREATE TABLE e2e_links (
    id         text PRIMARY KEY CHECK (id ~ '^[0-9]{10}$'),   -- the first ten digits of the code
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_key    bytea NOT NULL CHECK (octet_length(new_key) = 32),   -- the new device's public key
    old_key    bytea CHECK (octet_length(old_key) = 32),            -- the sending device's, once it sends
    parts      integer NOT NULL DEFAULT 0 CHECK (parts >= 0),
    bytes      bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    complete   boolean NOT NULL DEFAULT false,                       -- the last part has arrived
    used_at    timestamptz,                                          -- the last part was read
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL DEFAULT now() + interval '10 minutes'
);
CREATE INDEX e2e_links_user ON e2e_links (user_id, created_at);
CREATE INDEX e2e_links_expires ON e2e_links (expires_at);

CREATE TABLE e2e_link_parts (
    link_id text NOT NULL REFERENCES e2e_links (id) ON DELETE CASCADE,
    part    integer NOT NULL CHECK (part >= 0),
    data    bytea NOT NULL CHECK (octet_length(data) BETWEEN 1 AND 524288),
    PRIMARY KEY (link_id, part)
);
