-- 032_clock.sql — a person's clock: times on pages as "15:05" instead of "3:05 PM".
--
-- Kept beside the time zone (notify_prefs.time_zone) and carried in the user row, so every
-- page's local_time() reads both without a query (cgi/view/localtime.c).

ALTER TABLE notify_prefs ADD COLUMN clock24 boolean NOT NULL DEFAULT false;
