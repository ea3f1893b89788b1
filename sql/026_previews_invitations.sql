-- 026_previews_invitations.sql — link preview images and group invitations.

-- A link preview's image (og:image), fetched by parley-worker
-- through the outbound guard and kept only as a thumbnail it made itself (WebP, metadata
-- stripped): media/previews/ab/cd/<image_key>.webp, where image_key is the SHA-256 of
-- "preview:" and the page's URL (one file per cached URL, replaced when it is fetched
-- again). NULL: the page names no image, or it was refused (address, type, size).
-- The clean-up (media.cleanup) deletes a cache row no message shows any more once it has
-- expired, and its file with it.
ALTER TABLE link_previews ADD COLUMN image_key text CHECK (image_key ~ '^[0-9a-f]{64}$'),
                          ADD COLUMN image_width int CHECK (image_width > 0),
                          ADD COLUMN image_height int CHECK (image_height > 0);
CREATE INDEX link_previews_expires ON link_previews (expires_at);

-- Group invitations: an owner or admin adding someone who is not their contact (and does not
-- allow direct messages from everyone, users.dm_from_everyone) to a group or channel invites
-- them instead. The invitation waits in the invitee's Requests (no membership, so no inbox
-- entry, messages or pushes) until they accept (they join with role), decline (the row goes;
-- the inviter is not told) or block the inviter. It counts only while the inviter is still an
-- owner or admin there and no block stands between the two (cgi/app/invitations.c).
CREATE TABLE group_invitations (
    conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    inviter_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin', 'owner')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX group_invitations_user ON group_invitations (user_id, created_at);
