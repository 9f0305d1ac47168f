-- intent_score per user with the 'invest' preset over the 14 days before 2026-06-30
-- vs: intent_handwritten_sql
SELECT user_id, intent_score(event, ts, intent_weights('invest'), '2026-06-30 00:00+00') AS score
FROM events GROUP BY user_id;
