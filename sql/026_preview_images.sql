-- 026_preview_images.sql — a link preview's image (og:image), fetched by parley-worker
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
