-- 0003: a hash of each run's report, so that an unchanged result is recorded once even when
-- it is computed twice (a restart, or two replicas around a hand-over). Runs stored before
-- this version have none and never match. And each account's last known status (last fetch,
-- last error), so that the API can answer for accounts another replica polls.

ALTER TABLE runs ADD COLUMN content_hash INTEGER;
ALTER TABLE accounts ADD COLUMN status TEXT;
