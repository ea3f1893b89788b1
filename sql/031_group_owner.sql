-- 031_group_owner.sql — a group or channel never stays without an owner.
--
-- Whoever removes the last owner (leaving, being removed, or an account deleted, whose
-- memberships go by ON DELETE CASCADE), the same statement makes an heir owner: the longest-
-- standing admin, else the longest-standing member (the earliest joined_at, then the smallest
-- user id). Before this, only the leave and remove handlers did it, so a person who deleted
-- their account left their groups with no one able to manage them.

CREATE FUNCTION members_keep_owner() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE members m SET role = 'owner'
    FROM (SELECT DISTINCT ON (x.conversation_id) x.conversation_id, x.user_id
          FROM members x JOIN conversations c ON c.id = x.conversation_id
          WHERE x.conversation_id IN (SELECT DISTINCT conversation_id FROM members_removed)
            AND c.kind IN ('group', 'channel')
            AND NOT EXISTS (SELECT 1 FROM members o WHERE o.conversation_id = x.conversation_id AND o.role = 'owner')
          ORDER BY x.conversation_id, x.role = 'admin' DESC, x.joined_at, x.user_id) heir
    WHERE m.conversation_id = heir.conversation_id AND m.user_id = heir.user_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER members_keep_owner AFTER DELETE ON members
    REFERENCING OLD TABLE AS members_removed FOR EACH STATEMENT EXECUTE FUNCTION members_keep_owner();

-- Groups and channels left without an owner before this migration get theirs now.
UPDATE members m SET role = 'owner'
FROM (SELECT DISTINCT ON (x.conversation_id) x.conversation_id, x.user_id
      FROM members x JOIN conversations c ON c.id = x.conversation_id
      WHERE c.kind IN ('group', 'channel')
        AND NOT EXISTS (SELECT 1 FROM members o WHERE o.conversation_id = x.conversation_id AND o.role = 'owner')
      ORDER BY x.conversation_id, x.role = 'admin' DESC, x.joined_at, x.user_id) heir
WHERE m.conversation_id = heir.conversation_id AND m.user_id = heir.user_id;
