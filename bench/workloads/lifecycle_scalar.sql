-- lifecycle_stage scalar over a per-user min/max summary (compare with lifecycle_case_sql)
-- vs: lifecycle_case_sql
WITH s AS (
    SELECT user_id, min(ts) AS registered_at, min(ts) FILTER (WHERE event = 'pay') AS first_conversion_at,
           max(ts) AS last_active_at
    FROM events GROUP BY user_id
)
SELECT count(lifecycle_stage(registered_at, first_conversion_at, last_active_at, '2026-06-30 00:00:00+00'))
FROM s;
