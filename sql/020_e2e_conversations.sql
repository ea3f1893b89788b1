-- 020_e2e_conversations.sql — end-to-end encrypted conversations: the server stores and
-- relays ciphertext only. A message of such a conversation has no body; it names the device
-- that sent it, may carry one sender-key ciphertext for the whole group (messages.ciphertext,
-- from 002) and carries one envelope per recipient device (a pairwise Double Ratchet
-- message). Each reader is given only the envelopes of their own devices.

ALTER TABLE messages ADD COLUMN e2e_device uuid;   -- the sending device; NULL: a plain message

-- Only a direct conversation or a group can be end-to-end encrypted, and it stays so.
ALTER TABLE conversations ADD CONSTRAINT conversations_e2e_kind CHECK (NOT e2e OR kind IN ('direct', 'group'));
CREATE FUNCTION conversations_e2e_stays() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF OLD.e2e AND NOT NEW.e2e THEN
        RAISE EXCEPTION 'an end-to-end encrypted conversation cannot be turned back';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER conversations_e2e_stays BEFORE UPDATE OF e2e ON conversations
    FOR EACH ROW EXECUTE FUNCTION conversations_e2e_stays();

CREATE TABLE e2e_envelopes (
    conversation_id bigint NOT NULL,
    seq             bigint NOT NULL,
    -- A retired device's envelopes go with it: nothing else could open them.
    device_id       uuid NOT NULL REFERENCES e2e_devices (id) ON DELETE CASCADE,
    type            text NOT NULL CHECK (type IN ('prekey', 'message')),
    ciphertext      bytea NOT NULL CHECK (octet_length(ciphertext) BETWEEN 1 AND 65536),
    PRIMARY KEY (conversation_id, seq, device_id),
    FOREIGN KEY (conversation_id, seq) REFERENCES messages (conversation_id, seq) ON DELETE CASCADE
);
CREATE INDEX e2e_envelopes_device ON e2e_envelopes (device_id);
