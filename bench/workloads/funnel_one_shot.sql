-- funnel_step_rates one-shot, event-name form: 5-step investment funnel, 7-day window, over all events
-- vs: funnel_handwritten_sql
SELECT (r).step, (r).name, (r).users, (r).rate_from_previous, (r).rate_from_first, (r).ci_low, (r).ci_high,
       (r).median_seconds_from_previous
FROM (SELECT unnest(funnel_step_rates(user_id, ts, event,
                    ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'],
                    interval '7 days')) AS r
      FROM events) s;
