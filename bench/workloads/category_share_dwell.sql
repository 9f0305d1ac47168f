-- category_share per user by dwell time (30-minute sessions) over the whole stream, detail views categorized by channel
-- vs: category_share_dwell_sql
SELECT user_id, category_share(ts, CASE WHEN event = 'view_detail' THEN channel END, interval '30 minutes') AS p
FROM events GROUP BY user_id;
