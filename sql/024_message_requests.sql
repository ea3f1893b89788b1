-- 024_message_requests.sql — message requests: the first direct message from someone who is
-- not a contact waits in the recipient's Requests, not their inbox, until they accept it.
-- The state is the recipient's membership's: NULL is an ordinary conversation, 'pending' a
-- request not yet answered, 'deleted' a request they deleted (hidden; the sender is not told).

ALTER TABLE members ADD COLUMN request text CHECK (request IN ('pending', 'deleted'));
CREATE INDEX members_request ON members (user_id) WHERE request IS NOT NULL;

-- "Allow direct messages from everyone": off, strangers' first messages are requests.
ALTER TABLE users ADD COLUMN dm_from_everyone boolean NOT NULL DEFAULT false;
