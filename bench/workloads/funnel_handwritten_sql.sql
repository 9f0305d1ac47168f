-- Hand-written SQL funnel (no extension): default-mode 5-step investment funnel, 7-day window, chained min() joins per anchor; users, rates, Wilson CI
WITH e AS (
    SELECT user_id, ts, event FROM events
    WHERE event IN ('view_list', 'view_detail', 'click_invest', 'click_submit', 'pay')
),
-- every step-1 event anchors a chain; each next step is the earliest matching event at or after
-- the previous step and within 7 days of the anchor (the greedy choice is optimal in default mode)
s1 AS (SELECT DISTINCT user_id, ts AS t1 FROM e WHERE event = 'view_list'),
s2 AS (SELECT a.user_id, a.t1, min(b.ts) AS t FROM s1 a JOIN e b ON b.user_id = a.user_id AND b.event = 'view_detail'
         AND b.ts >= a.t1 AND b.ts <= a.t1 + interval '7 days' GROUP BY 1, 2),
s3 AS (SELECT a.user_id, a.t1, min(b.ts) AS t FROM s2 a JOIN e b ON b.user_id = a.user_id AND b.event = 'click_invest'
         AND b.ts >= a.t AND b.ts <= a.t1 + interval '7 days' GROUP BY 1, 2),
s4 AS (SELECT a.user_id, a.t1, min(b.ts) AS t FROM s3 a JOIN e b ON b.user_id = a.user_id AND b.event = 'click_submit'
         AND b.ts >= a.t AND b.ts <= a.t1 + interval '7 days' GROUP BY 1, 2),
s5 AS (SELECT a.user_id, a.t1, min(b.ts) AS t FROM s4 a JOIN e b ON b.user_id = a.user_id AND b.event = 'pay'
         AND b.ts >= a.t AND b.ts <= a.t1 + interval '7 days' GROUP BY 1, 2),
counts AS (
    SELECT 0 AS step, NULL::text AS name, count(DISTINCT user_id) AS users FROM events
    UNION ALL SELECT 1, 'view_list', count(DISTINCT user_id) FROM s1
    UNION ALL SELECT 2, 'view_detail', count(DISTINCT user_id) FROM s2
    UNION ALL SELECT 3, 'click_invest', count(DISTINCT user_id) FROM s3
    UNION ALL SELECT 4, 'click_submit', count(DISTINCT user_id) FROM s4
    UNION ALL SELECT 5, 'pay', count(DISTINCT user_id) FROM s5
),
r AS (
    SELECT step, name, users, lag(users) OVER (ORDER BY step) AS prev,
           max(users) FILTER (WHERE step = 1) OVER () AS first
    FROM counts
)
SELECT step, name, users, p AS rate_from_previous, users::float8 / nullif(first, 0) AS rate_from_first,
       -- 95 % Wilson score interval of p = users / n
       (p + z * z / (2 * n) - z * sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n) AS ci_low,
       (p + z * z / (2 * n) + z * sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n) AS ci_high
FROM r, LATERAL (SELECT users::float8 / nullif(prev, 0) AS p, nullif(prev, 0)::float8 AS n,
                        1.959963984540054::float8 AS z) x
WHERE step >= 1 ORDER BY step;
