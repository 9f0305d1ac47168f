-- retention_matrix one-shot, event-name form: weekly cohorts of registrations, return = view_detail or pay, 8 periods, as of 2026-06-30
-- vs: retention_handwritten_sql
SELECT retention_matrix(user_id, ts, event, ARRAY['register'], ARRAY['view_detail', 'pay'],
                        retention_definition('2026-06-30 00:00+00', period => 'week', periods => 8)) IS NULL
FROM events;
