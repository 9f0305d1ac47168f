-- holding_agg per user over the whole stream (invested/redeemed exact numeric sums, counts, times) as of 2026-06-30
-- vs: holding_plain_sql
SELECT user_id, holding_agg(ts, event, amount, '2026-06-30 00:00+00', 'pay', 'redeem') AS h
FROM events GROUP BY user_id;
