-- Plain-SQL equivalent of rfm_agg: floor days since max(ts), count(ts), sum(amount), min/max(ts) per user
SELECT user_id,
       floor(extract(epoch FROM timestamptz '2026-06-30 00:00+00' - max(ts)) / 86400) AS recency_days,
       count(ts) AS frequency, sum(amount) AS monetary, min(ts) AS first_at, max(ts) AS last_at
FROM events WHERE event = 'pay' AND ts <= '2026-06-30 00:00+00' GROUP BY user_id;
