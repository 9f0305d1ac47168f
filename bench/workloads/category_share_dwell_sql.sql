-- Plain-SQL equivalent of category_share by dwell: lead(ts) per user in (ts, category) order, capped gaps summed per category, shares as jsonb
SELECT user_id, (array_agg(c ORDER BY d DESC, c COLLATE "C") FILTER (WHERE t > 0))[1] AS top_category,
       CASE WHEN max(t) > 0 THEN max(d) / max(t) END AS top_share, max(t) AS total,
       coalesce(jsonb_object_agg(c, d / t) FILTER (WHERE t > 0), '{}') AS shares
FROM (SELECT user_id, c, d, sum(d) OVER (PARTITION BY user_id) AS t
      FROM (SELECT user_id, c, sum(extract(epoch FROM least(nx - ts, interval '30 minutes')))::float8 AS d
            FROM (SELECT user_id, ts, c, coalesce(lead(ts) OVER (PARTITION BY user_id ORDER BY ts, c COLLATE "C" NULLS FIRST), ts) AS nx
                  FROM (SELECT user_id, ts, CASE WHEN event = 'view_detail' THEN channel END AS c FROM events) e) g
            WHERE c IS NOT NULL GROUP BY 1, 2) s) s2
GROUP BY user_id;
