-- 009_media.sql — uploaded files (photos, videos, voice notes, any file), what messages carry
-- them, avatars, and resumable uploads in progress. The bytes live on disk under the media
-- directory by content hash (blobs/ab/cd/<sha256>); a row here is one person's upload of such
-- bytes, so the same file uploaded twice is stored once.

CREATE TABLE media (
    id           bigserial PRIMARY KEY,
    uploader_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size         bigint NOT NULL CHECK (size >= 0),
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
    mime         text NOT NULL CHECK (char_length(mime) BETWEEN 3 AND 127),
    -- image, video and audio are shown inline; file is always a download; opaque is a blob
    -- the server cannot decode (end-to-end encrypted): never sniffed or processed.
    kind         text NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'file', 'opaque')),
    width        integer CHECK (width > 0),
    height       integer CHECK (height > 0),
    duration_ms  integer CHECK (duration_ms >= 0),
    -- processing: the worker has not finished (others may not fetch an image before its
    -- metadata is stripped); ready; failed: served as a download only.
    state        text NOT NULL DEFAULT 'ready' CHECK (state IN ('processing', 'ready', 'failed')),
    thumbs       boolean NOT NULL DEFAULT false,   -- thumbnails (or a video poster) exist
    clean        boolean NOT NULL DEFAULT false,   -- a re-encoded copy without EXIF/GPS exists
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_uploader ON media (uploader_id, created_at);
CREATE INDEX media_sha ON media (sha256);
-- Finding uploads no message, avatar or upload refers to (the daily clean-up).
CREATE INDEX media_created ON media (created_at);

-- The files a message carries, in order. A deleted message loses them (ON DELETE of the row
-- never happens: a tombstone stays; the delete handler removes these rows).
CREATE TABLE message_media (
    conversation_id bigint NOT NULL,
    seq             bigint NOT NULL,
    position        smallint NOT NULL CHECK (position BETWEEN 1 AND 10),
    media_id        bigint NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, seq, position),
    FOREIGN KEY (conversation_id, seq) REFERENCES messages (conversation_id, seq) ON DELETE CASCADE
);
CREATE INDEX message_media_media ON message_media (media_id);

ALTER TABLE users ADD COLUMN avatar_media_id bigint REFERENCES media (id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN avatar_media_id bigint REFERENCES media (id) ON DELETE SET NULL;

-- Resumable uploads (tus 1.0) in progress: the bytes so far are in uploads/<id> under the
-- media directory. Finished ones become a media row and are deleted; abandoned ones are
-- deleted by the clean-up after a day.
CREATE TABLE uploads (
    id          text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    length      bigint NOT NULL CHECK (length >= 0),
    "offset"    bigint NOT NULL DEFAULT 0 CHECK ("offset" >= 0 AND "offset" <= length),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
    declared    text NOT NULL DEFAULT '' CHECK (char_length(declared) <= 127),   -- the client's type: a hint
    opaque      boolean NOT NULL DEFAULT false,
    media_id    bigint REFERENCES media (id) ON DELETE SET NULL,   -- set once complete
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uploads_user ON uploads (user_id);
CREATE INDEX uploads_updated ON uploads (updated_at);
