-- 0001: the first schema.
--
-- Every time is INTEGER microseconds since the Unix epoch, UTC: it sorts and compares as a
-- number and keeps the sub-second part of the formats that have one.
-- An account is identified by (name, platform): the operator's names are unique in the config,
-- and keying on the platform too means a name reused for another platform never mixes the
-- two platforms' posts.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    platform TEXT NOT NULL,
    handle TEXT NOT NULL,
    created INTEGER NOT NULL,
    UNIQUE (name, platform)
);

-- One row per post; the UNIQUE key is what makes re-inserting a fetched page a no-op.
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    post_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    reply_to_id TEXT,
    reply_to_account TEXT,
    reply_to_created_at INTEGER,
    client TEXT,
    -- A JSON array of strings.
    links TEXT NOT NULL DEFAULT '[]',
    lang TEXT,
    UNIQUE (account_id, post_id)
);

-- Timelines are read per account in time order, and retention deletes by time per account.
CREATE INDEX posts_account_created ON posts (account_id, created_at);

CREATE TABLE fetch_state (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    etag TEXT,
    last_modified TEXT,
    cursor TEXT,
    backfilled INTEGER NOT NULL DEFAULT 0,
    last_success INTEGER
);

-- One row per analysis run; `report` is the AccountReport as JSON.
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    score INTEGER NOT NULL,
    findings INTEGER NOT NULL,
    report TEXT NOT NULL
);

CREATE INDEX runs_account_at ON runs (account_id, at);
