-- 005_jobs.sql — the durable job queue of parley-worker (mail, Web Push, webhooks,
-- thumbnails, clean-up). A job is inserted in the same transaction as the change that causes
-- it (an outbox): a committed change always has its jobs, a rolled-back one never does.

CREATE TABLE jobs (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
    payload      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
    state        text NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts integer NOT NULL DEFAULT 8 CHECK (max_attempts BETWEEN 1 AND 100),
    run_after    timestamptz NOT NULL DEFAULT now(),   -- not before (backoff, delayed jobs)
    locked_by    text,                                 -- the worker thread that claimed it last
    locked_at    timestamptz,                          -- when; a running job older than the lease is reclaimed
    last_error   text,
    -- Optional: a second job with the same key is not queued (NULLs never collide).
    idem_key     text UNIQUE CHECK (char_length(idem_key) BETWEEN 1 AND 200),
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,                          -- done or failed for good
    CHECK (state <> 'running' OR locked_at IS NOT NULL)
);
-- Claiming: the oldest runnable queued job (FOR UPDATE SKIP LOCKED walks this index).
CREATE INDEX jobs_ready ON jobs (run_after, id) WHERE state = 'queued';
-- Reclaiming jobs whose worker died: running ones by lease age.
CREATE INDEX jobs_running ON jobs (locked_at) WHERE state = 'running';
-- Listing failures and cleaning up old finished jobs.
CREATE INDEX jobs_finished ON jobs (state, finished_at) WHERE state IN ('done', 'failed');
