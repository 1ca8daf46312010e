-- 0002: direct messages the account sent, from archives that include them (the auto_reply
-- detector looks for templated first messages). Without them `serve` missed findings that
-- `scan` of the same archive shows.

CREATE TABLE direct_messages (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT,
    created_at INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (account_id, message_id)
);

-- Read per account in time order, pruned by time per account, like posts.
CREATE INDEX direct_messages_account_created ON direct_messages (account_id, created_at);
