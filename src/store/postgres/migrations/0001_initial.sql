-- 0001: the PostgreSQL schema, the same tables as SQLite's migrations 0001-0003 plus the
-- replicas' leases.
--
-- Every time a replica writes is BIGINT microseconds since the Unix epoch, UTC, as in SQLite:
-- the same values round-trip exactly in both backends and `store copy` moves them unchanged.
-- Lease times are the database's own clock (timestamptz, `now()`), never a replica's.
-- Text is ordered with COLLATE "C" in queries (bytewise, as SQLite does), whatever the
-- database's locale.

CREATE TABLE accounts (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    platform TEXT NOT NULL,
    handle TEXT NOT NULL,
    created BIGINT NOT NULL,
    UNIQUE (name, platform)
);

-- The UNIQUE key is what makes re-inserting a fetched page a no-op (ON CONFLICT DO NOTHING).
CREATE TABLE posts (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    post_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    reply_to_id TEXT,
    reply_to_account TEXT,
    reply_to_created_at BIGINT,
    client TEXT,
    -- A JSON array of strings (kept as text: read back exactly as written).
    links TEXT NOT NULL DEFAULT '[]',
    lang TEXT,
    UNIQUE (account_id, post_id)
);

CREATE INDEX posts_account_created ON posts (account_id, created_at);

CREATE TABLE direct_messages (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT,
    created_at BIGINT NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (account_id, message_id)
);

CREATE INDEX direct_messages_account_created ON direct_messages (account_id, created_at);

CREATE TABLE fetch_state (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    etag TEXT,
    last_modified TEXT,
    cursor TEXT,
    backfilled BOOLEAN NOT NULL DEFAULT FALSE,
    last_success BIGINT
);

-- One row per analysis run; `report` is the AccountReport as JSON text, `content_hash` its
-- xxh3 (an unchanged result is recorded once).
CREATE TABLE runs (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    score BIGINT NOT NULL,
    findings BIGINT NOT NULL,
    report TEXT NOT NULL,
    content_hash BIGINT
);

CREATE INDEX runs_account_at ON runs (account_id, at);

-- Replicas sharing this database: each heartbeats its row every lease round; a replica is live
-- while its row has not expired.
CREATE TABLE replicas (
    id TEXT PRIMARY KEY,
    expires_at TIMESTAMPTZ NOT NULL
);

-- One row per configured account name: who polls it, until when, and the fencing token of
-- the current claim (from lease_tokens, so it only grows).
CREATE TABLE leases (
    account TEXT PRIMARY KEY,
    holder TEXT,
    expires_at TIMESTAMPTZ,
    token BIGINT NOT NULL DEFAULT 0
);

CREATE SEQUENCE lease_tokens;
