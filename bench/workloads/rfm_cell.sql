-- Full RFM pipeline: rfm_agg per user, rfm_breaks over users, rfm_cell per user, segment counts per cell
WITH v AS MATERIALIZED (
  SELECT user_id, (rfm_agg(ts, amount, '2026-06-30 00:00+00')).*
  FROM events WHERE event = 'pay' GROUP BY user_id),
b AS (SELECT rfm_breaks(recency_days, frequency, monetary::float8) AS b FROM v)
SELECT c.cell, c.segment, count(*) AS users
FROM v, b, rfm_cell(v.recency_days, v.frequency, v.monetary::float8, b.b) c
GROUP BY c.cell, c.segment;
