-- 0004: the handle and platform an account's own data names, where its key cannot say them: a
-- watched file's key holds the path and `other` (the file says whose posts it holds only when
-- read). Recorded at each read of the file; `timeline` and so `echoscope export` return them.
-- NULL until recorded (every other source, and files not read since this version).

ALTER TABLE accounts ADD COLUMN seen_handle TEXT;
ALTER TABLE accounts ADD COLUMN seen_platform TEXT;
