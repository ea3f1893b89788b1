-- 030_member_epoch.sql — a count of each conversation's membership changes, for fan-out by
-- conversation.
--
-- A new message is published once, to parley:c:<conversation>:<epoch> (cgi/app/events.c),
-- with the epoch its sending statement read from the conversation's row. Each events hub
-- keeps the member lists of the conversations it delivers, with the epoch they were read
-- at (cgi/events/convmap.c), and delivers a message from its list only when the two epochs
-- are equal: then the list is exactly the members the message was sent to. A removed member
-- is never served from an older list, and a new member never missed from one.
--
-- The counter moves in the transaction of the change, by statement triggers, whichever code
-- adds or removes a member. msg_insert increments last_seq on the same row first, so a send
-- and a membership change of one conversation are ordered by that row's lock: the send reads
-- the epoch of every change committed before it. The handlers that add and remove members
-- lock that row first too (conv_lock), so the trigger's update never waits behind a send
-- that waits for them.

ALTER TABLE conversations ADD COLUMN member_epoch bigint NOT NULL DEFAULT 0;

CREATE FUNCTION members_epoch_added() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE conversations SET member_epoch = member_epoch + 1
        WHERE id IN (SELECT DISTINCT conversation_id FROM members_added);
    RETURN NULL;
END
$$;
CREATE FUNCTION members_epoch_removed() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE conversations SET member_epoch = member_epoch + 1
        WHERE id IN (SELECT DISTINCT conversation_id FROM members_removed);
    RETURN NULL;
END
$$;
CREATE TRIGGER members_epoch_added AFTER INSERT ON members
    REFERENCING NEW TABLE AS members_added FOR EACH STATEMENT EXECUTE FUNCTION members_epoch_added();
CREATE TRIGGER members_epoch_removed AFTER DELETE ON members
    REFERENCING OLD TABLE AS members_removed FOR EACH STATEMENT EXECUTE FUNCTION members_epoch_removed();
