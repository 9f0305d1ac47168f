-- Built-in min/max/min FILTER over the same rows as lifecycle_aggregate, one small value per user out: the floor for a per-user lifecycle aggregate
SELECT user_id, num_nonnulls(min(ts), max(ts), min(ts) FILTER (WHERE event = 'pay')) FROM events WHERE ts <= '2026-06-30 00:00:00+00' GROUP BY user_id;
