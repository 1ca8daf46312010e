-- 0003: a hash of each run's report, so that an unchanged result is recorded once even when
-- it is computed twice (a restart, or two replicas around a hand-over). Runs stored before
-- this version have none and never match.

ALTER TABLE runs ADD COLUMN content_hash INTEGER;
