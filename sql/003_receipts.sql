-- 003_receipts.sql — delivery receipts and the read-receipts setting.

-- The highest seq a member's client has received (a client acknowledges what it got).
ALTER TABLE members ADD COLUMN delivered_seq bigint NOT NULL DEFAULT 0;

-- Off: others do not see your read position, and you see no read receipts (as in Signal).
ALTER TABLE users ADD COLUMN read_receipts boolean NOT NULL DEFAULT true;
