-- activity_series: DAU, WAU, MAU and stickiness per day over 60 days
SELECT activity_series(user_id, ts, '2026-05-01', '2026-06-29') IS NULL FROM events;
