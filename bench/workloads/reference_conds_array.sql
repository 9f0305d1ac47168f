-- Reference: the GROUP BY user_id floor plus PostgreSQL evaluating window_funnel_per_user's conds array on every row (the cost the conds form pays before the aggregate sees a row)
SELECT user_id, count(*) FILTER (WHERE (ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest',
                                              event = 'click_submit', event = 'pay'])[5])
FROM events GROUP BY user_id;
