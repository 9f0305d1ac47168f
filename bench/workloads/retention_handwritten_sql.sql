-- Hand-written SQL for the same weekly matrix (first entry, on): cohort per user, distinct (user, week offset) of later returns, sizes x periods
WITH c AS (
    SELECT user_id, min(ts) AS anchor, date_trunc('week', min(ts)) AS cw
    FROM events WHERE event = 'register' AND ts <= '2026-06-30 00:00+00' GROUP BY user_id
), r AS (
    SELECT DISTINCT e.user_id, c.cw, (date_trunc('week', e.ts)::date - c.cw::date) / 7 AS k
    FROM events e JOIN c USING (user_id)
    WHERE e.event IN ('view_detail', 'pay') AND e.ts > c.anchor AND e.ts <= '2026-06-30 00:00+00'
), sizes AS (
    SELECT cw, count(*) AS n FROM c GROUP BY cw
)
SELECT s.cw, p.k, s.n, count(r.user_id) AS retained
FROM sizes s CROSS JOIN generate_series(0, 8) p(k)
LEFT JOIN r ON r.cw = s.cw AND r.k = p.k
GROUP BY 1, 2, 3;
