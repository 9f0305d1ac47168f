-- funnel_report one-shot with a funnel_definition: 5-step investment funnel, 7-day window, time percentiles
-- vs: baseline_group_by_user
SELECT (r).step, (r).users, (r).p50_seconds_from_previous, (r).p90_seconds_from_first
FROM (SELECT unnest(funnel_report(user_id, ts, event,
                    funnel_definition(interval '7 days',
                                      steps => ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay']))) AS r
      FROM events) s;
