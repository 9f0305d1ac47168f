-- category_share per user by event count over detail views (the channel as the category)
-- vs: category_share_plain_sql
SELECT user_id, category_share(ts, channel) AS p FROM events WHERE event = 'view_detail' GROUP BY user_id;
