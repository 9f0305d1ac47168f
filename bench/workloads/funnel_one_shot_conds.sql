-- funnel_step_rates one-shot, conds form (the 0.1 contract's form; run by name): 5-step investment funnel, 7-day window, over all events
-- vs: funnel_one_shot
SELECT (r).step, (r).name, (r).users, (r).rate_from_previous, (r).rate_from_first, (r).ci_low, (r).ci_high,
       (r).median_seconds_from_previous
FROM (SELECT unnest(funnel_step_rates(user_id, ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest',
                                                         event = 'click_submit', event = 'pay'],
                    interval '7 days')) AS r
      FROM events) s;
