-- window_funnel per user (GROUP BY user_id), conds form: same 5 steps, 7 days
-- vs: baseline_group_by_user
SELECT user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest',
                                        event = 'click_submit', event = 'pay'], interval '7 days')
FROM events GROUP BY user_id;
