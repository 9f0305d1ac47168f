-- Hand-written equivalent of intent_score: sum(CASE event ...) with the same 14-day window filter
SELECT user_id,
       coalesce(sum(CASE event WHEN 'view_list' THEN 1 WHEN 'view_detail' THEN 2 WHEN 'click_invest' THEN 3
                               WHEN 'click_submit' THEN 5 WHEN 'pay' THEN 8 ELSE 0 END)
                FILTER (WHERE ts > timestamptz '2026-06-30 00:00+00' - interval '14 days'
                          AND ts <= '2026-06-30 00:00+00'), 0)::float8 AS score
FROM events GROUP BY user_id;
