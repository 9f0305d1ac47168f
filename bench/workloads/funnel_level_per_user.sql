-- funnel_level per user (GROUP BY user_id) with a funnel_definition: same 5 steps, 7 days
-- vs: baseline_group_by_user
SELECT user_id, funnel_level(ts, event, funnel_definition(interval '7 days',
                    steps => ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay']))
FROM events GROUP BY user_id;
