-- 0003: a lease is valid while its holder's heartbeat (its `replicas` row) is, so a lease round
-- writes one row however many accounts the replica holds. Before, each round renewed one
-- `leases` row per account held: at 100,000 accounts a round outgrew its time bound and the
-- leases ran out. A claim takes rows that are free or whose holder's heartbeat has expired;
-- fencing tokens are unchanged.
--
-- Replicas of an older echoscope read `leases.expires_at`, which is gone: they fail loudly
-- rather than count leases the new way's heartbeats keep alive as expired. Upgrade every
-- replica together (stop them all, start the new version).

ALTER TABLE leases DROP COLUMN expires_at;

CREATE INDEX leases_holder ON leases (holder);
