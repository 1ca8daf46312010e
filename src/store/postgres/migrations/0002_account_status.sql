-- 0002: each account's last known status (last fetch, last error, score) as JSON text, saved
-- by the replica polling it, so that every replica's API and pages can show it.

ALTER TABLE accounts ADD COLUMN status TEXT;
