-- Baseline: SELECT user_id, count(*) FROM events GROUP BY user_id
SELECT user_id, count(*) FROM events GROUP BY user_id;
