-- lifecycle_stage aggregate over raw events: lifecycle_stage(ts, event = 'pay', as_of) GROUP BY user_id
-- vs: lifecycle_builtin_minmax
SELECT user_id, lifecycle_stage(ts, event = 'pay', '2026-06-30 00:00:00+00') FROM events GROUP BY user_id;
