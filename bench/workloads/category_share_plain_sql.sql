-- Plain-SQL equivalent of category_share by count: counts per (user, category), the user's total by a window, top category, shares as jsonb
SELECT user_id, (array_agg(c ORDER BY n DESC, c COLLATE "C"))[1] AS top_category, max(n)::float8 / sum(n) AS top_share,
       sum(n) AS total, jsonb_object_agg(c, n::float8 / t) AS shares
FROM (SELECT user_id, channel AS c, count(*) AS n, sum(count(*)) OVER (PARTITION BY user_id) AS t
      FROM events WHERE event = 'view_detail' GROUP BY 1, 2) s
GROUP BY user_id;
