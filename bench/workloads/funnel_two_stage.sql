-- Two-stage funnel: window_funnel per user (GROUP BY user_id), then funnel_step_rates(level, names); same 5 steps, 7 days
-- vs: funnel_handwritten_sql
SELECT (r).step, (r).name, (r).users, (r).rate_from_previous, (r).rate_from_first, (r).ci_low, (r).ci_high
FROM (SELECT unnest(funnel_step_rates(level,
                    ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'])) AS r
      FROM (SELECT window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest',
                                           event = 'click_submit', event = 'pay'], interval '7 days') AS level
            FROM events GROUP BY user_id) per_user) s;
