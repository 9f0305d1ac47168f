-- Hand-written CASE equivalent of lifecycle_stage over the same per-user min/max summary
WITH s AS (
    SELECT user_id, min(ts) AS registered_at, min(ts) FILTER (WHERE event = 'pay') AS first_conversion_at,
           max(ts) AS last_active_at
    FROM events GROUP BY user_id
)
SELECT count(CASE
    WHEN first_conversion_at IS NULL THEN
        CASE WHEN '2026-06-30 00:00:00+00'::timestamptz - coalesce(last_active_at, registered_at) > interval '30 days'
             THEN 'dead' ELSE 'registered' END
    WHEN '2026-06-30 00:00:00+00'::timestamptz - registered_at <= interval '90 days' THEN 'new'
    WHEN '2026-06-30 00:00:00+00'::timestamptz - greatest(last_active_at, first_conversion_at) <= interval '30 days' THEN 'active'
    WHEN '2026-06-30 00:00:00+00'::timestamptz - greatest(last_active_at, first_conversion_at) <= interval '90 days' THEN 'dormant'
    WHEN '2026-06-30 00:00:00+00'::timestamptz - greatest(last_active_at, first_conversion_at) <= interval '360 days' THEN 'churned'
    ELSE 'lost' END)
FROM s;
