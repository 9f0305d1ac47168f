-- rfm_agg per user over pay events (recency, frequency, exact numeric monetary, first/last) as of 2026-06-30
-- vs: rfm_plain_sql
SELECT user_id, rfm_agg(ts, amount, '2026-06-30 00:00+00') AS v
FROM events WHERE event = 'pay' GROUP BY user_id;
