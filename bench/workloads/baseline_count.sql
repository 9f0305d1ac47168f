-- Baseline: plain sequential scan, SELECT count(*) FROM events
SELECT count(*) FROM events;
