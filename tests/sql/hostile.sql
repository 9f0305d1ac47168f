-- Hostile-input campaign: every function and aggregate with NULLs, empty groups, single
-- rows, infinite timestamps, zero/negative intervals, huge and empty arrays, too many steps,
-- malformed jsonb, bad counts, enormous bins, unknown modes/schemes/languages and mismatched
-- array lengths. Each case runs in its own subtransaction; the outcome is either 'ok' with
-- the result as text or the SQLSTATE with its message. expect is the documented outcome
-- ('ok' or a SQLSTATE). An XX000 (internal error, e.g. a Rust panic) is always a bug.
-- After the run the same backend must still answer SELECT 1.
CREATE EXTENSION pg_operations;
SET client_min_messages = warning;
SET TIME ZONE 'UTC';
SET extra_float_digits = 0;

CREATE TABLE cases (id serial PRIMARY KEY, fn text NOT NULL, sql text NOT NULL, expect text NOT NULL);
CREATE TABLE outcomes (id int PRIMARY KEY, got text, detail text);

-- Helpers for big inputs.
CREATE FUNCTION bools(n int, v bool DEFAULT true) RETURNS bool[] LANGUAGE sql IMMUTABLE
AS $$ SELECT array_agg(v) FROM generate_series(1, n) $$;
CREATE FUNCTION names(n int) RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT array_agg('s' || i ORDER BY i) FROM generate_series(1, n) i $$;

-- Shared rows: user, ts, event (two users, a few events).
CREATE TABLE ev AS
SELECT * FROM (VALUES
  (1::bigint, timestamptz '2026-01-01 00:00', 'a'), (1, '2026-01-01 00:10', 'b'), (1, '2026-01-01 00:20', 'c'),
  (2, '2026-01-01 00:00', 'a'), (2, '2026-01-03 00:00', 'b')) AS v(u, ts, e);

INSERT INTO cases (fn, sql, expect) VALUES
-- ---------------------------------------------------------------- window_funnel
('window_funnel', $$SELECT window_funnel(NULL::timestamptz, NULL::bool[], NULL::interval)$$, 'ok'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a'], '1 hour') FROM ev WHERE false$$, 'ok'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '1 hour') FROM ev WHERE u = 1 AND e = 'a'$$, 'ok'),
('window_funnel', $$SELECT window_funnel(NULL, ARRAY[true], '1 hour')$$, 'ok'),
('window_funnel', $$SELECT window_funnel(now(), NULL, '1 hour')$$, 'ok'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[NULL, e='b'], '1 hour') FROM ev WHERE u = 1$$, 'ok'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], NULL) FROM ev WHERE u = 1$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '0') FROM ev WHERE u = 1$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '-1 hour') FROM ev WHERE u = 1$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '1 mon') FROM ev WHERE u = 2$$, 'ok'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '178000000 years') FROM ev WHERE u = 2$$, 'ok'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '-178000000 years') FROM ev WHERE u = 2$$, '22023'),
('window_funnel', $$SELECT window_funnel(t, ARRAY[s=1, s=2], '1 hour') FROM (VALUES ('infinity'::timestamptz, 1), ('infinity', 2)) v(t, s)$$, 'ok'),
('window_funnel', $$SELECT window_funnel(t, ARRAY[s=1, s=2], '1 hour') FROM (VALUES ('-infinity'::timestamptz, 1), ('2026-01-01', 2)) v(t, s)$$, 'ok'),
('window_funnel', $$SELECT window_funnel(t, ARRAY[s=1, s=2], '1 hour') FROM (VALUES ('-infinity'::timestamptz, 1), ('-infinity', 2)) v(t, s)$$, 'ok'),
('window_funnel', $$SELECT window_funnel(t, ARRAY[s=1, s=2], '178000000 years') FROM (VALUES ('2026-01-01'::timestamptz, 1), ('infinity', 2)) v(t, s)$$, 'ok'),
('window_funnel', $$SELECT window_funnel(t, ARRAY[s=1, s=2], '1 hour', 'strict_increase') FROM (VALUES ('infinity'::timestamptz, 1), ('infinity', 2)) v(t, s)$$, 'ok'),
('window_funnel', $$SELECT window_funnel(ts, '{}'::bool[], '1 hour') FROM ev WHERE u = 1$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, bools(64), '1 hour') FROM ev WHERE u = 1$$, 'ok'),
('window_funnel', $$SELECT window_funnel(ts, bools(65), '1 hour') FROM ev WHERE u = 1$$, '54000'),
('window_funnel', $$SELECT window_funnel(ts, bools(100000), '1 hour') FROM ev WHERE u = 1$$, '54000'),
('window_funnel', $$SELECT window_funnel(ts, CASE e WHEN 'a' THEN ARRAY[true, false] ELSE ARRAY[true, false, true] END, '1 hour') FROM ev WHERE u = 1$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, '{{true,false},{false,true}}'::bool[], '1 hour') FROM ev WHERE u = 1$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '1 hour', 'nope') FROM ev WHERE u = 1$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '1 hour', NULL) FROM ev WHERE u = 1$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '1 hour', '') FROM ev WHERE u = 1$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '1 hour', 'allow_reentry') FROM ev WHERE u = 1$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '1 hour', 'strict_order,strict_increase') FROM ev WHERE u = 1$$, 'ok'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '1 hour', 'strict_order,,') FROM ev WHERE u = 1$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '1 hour', repeat('x', 100000)) FROM ev WHERE u = 1$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e='a', e='b'], '1 hour', ' STRICT_Order , strict_increase ') FROM ev WHERE u = 1$$, 'ok'),
('window_funnel', $$SELECT window_funnel(ts, array_fill(NULL::bool, ARRAY[64]), '1 hour') FROM ev WHERE u = 1$$, 'ok'),
-- ---------------------------------------------------------------- funnel_step_rates (conds)
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], '1 hour') FROM ev WHERE false$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(NULL::bigint, ts, ARRAY[e='a', e='b'], '1 hour') FROM ev$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], '1 hour') FROM ev WHERE u = 2 AND e = 'a'$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], NULL) FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], '-1 second') FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], '0') FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], '1 hour', ARRAY['x', NULL]) FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], '1 hour', ARRAY['x']) FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], '1 hour', '{}'::text[]) FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], '1 hour', NULL::text[]) FROM ev$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], '1 hour', NULL::text[], 'strict_order') FROM ev$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], '1 hour', NULL, 'bogus') FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], '1 hour', ARRAY['x','y'], NULL) FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, bools(65), '1 hour') FROM ev$$, '54000'),
('funnel_step_rates', $$SELECT (funnel_step_rates(u, ts, bools(64), '1 hour'))[64] FROM ev$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, '{}'::bool[], '1 hour') FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, CASE u WHEN 1 THEN ARRAY[true] ELSE ARRAY[true, true] END, '1 hour') FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u::text, ts, ARRAY[e='a', e='b'], '1 hour') FROM ev$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates('', ts, ARRAY[e='a', e='b'], '1 hour') FROM ev$$, 'ok'),
('funnel_step_rates', $$SELECT (funnel_step_rates(repeat('x', 1000000) || u, ts, ARRAY[e='a', e='b'], '1 hour'))[2].users FROM ev$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(NULL::text, ts, ARRAY[e='a', e='b'], '1 hour') FROM ev$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(u::text, ts, ARRAY[e='a', e='b'], '1 hour', ARRAY['x','y'], 'nope') FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, t, ARRAY[true, true], '1 hour') FROM (VALUES (1::bigint, 'infinity'::timestamptz), (2, '-infinity')) v(u, t)$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, t, ARRAY[s=1, s=2], '1 day') FROM (VALUES (1::bigint, '-infinity'::timestamptz, 1), (1, 'infinity', 2)) v(u, t, s)$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, t, ARRAY[s=1, s=2], '178000000 years') FROM (VALUES (1::bigint, '-infinity'::timestamptz, 1), (1, 'infinity', 2), (2, '2026-01-01', 1), (2, 'infinity', 2)) v(u, t, s)$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, ARRAY[e='a', e='b'], '1 hour') FROM ev, generate_series(1, 3) WHERE u = 1$$, 'ok'),
-- ---------------------------------------------------------------- funnel_step_rates (event)
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, e, ARRAY['a','b'], '1 hour') FROM ev WHERE false$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, NULL::text, ARRAY['a','b'], '1 hour') FROM ev$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, e, '{}'::text[], '1 hour') FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, e, NULL::text[], '1 hour') FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, e, ARRAY['a', NULL], '1 hour') FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, e, ARRAY['a', 'a'], '1 hour') FROM ev$$, 'ok'),
('funnel_step_rates', $$SELECT (funnel_step_rates(u, ts, e, array_fill('a'::text, ARRAY[64]), '1 hour'))[64] FROM ev$$, 'ok'),
('funnel_step_rates', $$SELECT (funnel_step_rates(u, ts, repeat('a', 1000000), ARRAY['a', repeat('a', 1000000)], '1 hour'))[2] FROM ev$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, e, names(65), '1 hour') FROM ev$$, '54000'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, e, names(100000), '1 hour') FROM ev$$, '54000'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, e, ARRAY['a','b'], '1 hour', 'nope') FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u::text, ts, e, ARRAY['a','b'], '-1 day') FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u::text, ts, e, ARRAY['a','b'], '1 day', NULL) FROM ev$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(u, ts, e, ARRAY['a','b'], '1 hour') FROM ev WHERE u = 1 AND e = 'a'$$, 'ok'),
-- ---------------------------------------------------------------- funnel_step_rates (levels)
('funnel_step_rates', $$SELECT funnel_step_rates(l, ARRAY['a','b']) FROM (VALUES (1)) v(l) WHERE false$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(NULL::int, ARRAY['a','b'])$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(2, ARRAY['a','b'])$$, 'ok'),
('funnel_step_rates', $$SELECT funnel_step_rates(-1, ARRAY['a','b'])$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(3, ARRAY['a','b'])$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(2147483647, ARRAY['a','b'])$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(1, NULL::text[])$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(1, '{}'::text[])$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(1, ARRAY[NULL::text])$$, '22023'),
('funnel_step_rates', $$SELECT funnel_step_rates(1, names(65))$$, '54000'),
('funnel_step_rates', $$SELECT funnel_step_rates(l, CASE WHEN l = 1 THEN ARRAY['a'] ELSE ARRAY['a','b'] END) FROM (VALUES (1), (2)) v(l)$$, '22023'),
-- ---------------------------------------------------------------- intent_score / _detail
('intent_score', $$SELECT intent_score(NULL::text, NULL::timestamptz, NULL::jsonb, NULL::timestamptz)$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '2026-01-02') FROM ev WHERE false$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '2026-01-02') FROM ev WHERE u = 1 AND e = 'a'$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '2025-01-01') FROM ev$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, NULL, '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', NULL) FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', 'infinity') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '-infinity') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score('a', t, '{"a":1}', '2026-01-02') FROM (VALUES ('infinity'::timestamptz), ('-infinity')) v(t)$$, 'ok'),
('intent_score', $$SELECT intent_score('a', t, '{"a":1}', '2026-01-02', '178000000 years', '1 day') FROM (VALUES ('-infinity'::timestamptz), ('2026-01-01')) v(t)$$, '54000'),
('intent_score', $$SELECT intent_score('a', t, '{"a":1}', '2026-01-02', '290000 years', '1 day') FROM (VALUES ('-infinity'::timestamptz), ('2026-01-01'), ('4713-01-01 BC'::timestamptz)) v(t)$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, '"abc"', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '[1, 2]', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '12', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, 'null', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{}', '2026-01-02') FROM ev$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": {"b": 1}}', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": [1]}', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": "NaN"}', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": "Infinity"}', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": "-Infinity"}', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": "1"}', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": true}', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": null}', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": 1e101}', '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": 1e100, "b": 1e100, "c": -1e100}', '2026-01-02') FROM ev$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": 1e-400}', '2026-01-02') FROM ev$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": 123456789012345678901234567890}', '2026-01-02') FROM ev$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, '{"": 1, "a": -2.5}', '2026-01-02') FROM ev$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": 1', '2026-01-02') FROM ev$$, '22P02'),
('intent_score', $$SELECT intent_score(e, ts, 'NaN', '2026-01-02') FROM ev$$, '22P02'),
('intent_score', $$SELECT intent_score(e, ts, (SELECT jsonb_object_agg('k' || i, i) FROM generate_series(1, 100000) i), '2026-01-02') FROM ev$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, CASE e WHEN 'a' THEN '{"a":1}'::jsonb ELSE '{"a":2}' END, '2026-01-02') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '2026-01-02', '0') FROM ev$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '2026-01-02', '-1 day') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '2026-01-02', NULL) FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '2026-01-02', '300000 years') FROM ev$$, '54000'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '2026-01-02', '1 day', '0') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '2026-01-02', '1 day', '-1 hour') FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '2026-01-02', '1 day', NULL) FROM ev$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '2026-01-02', '14 days', '1 microsecond') FROM ev$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, '{"a":1}', '2026-01-02', '14 days', '300000 years') FROM ev$$, '54000'),
('intent_score_detail', $$SELECT intent_score_detail(e, ts, '{"a":1,"b":0,"z":3}', '2026-01-05') FROM ev$$, 'ok'),
('intent_score_detail', $$SELECT intent_score_detail(e, ts, '{"a":1}', '2026-01-05') FROM ev WHERE false$$, 'ok'),
('intent_score_detail', $$SELECT intent_score_detail(e, ts, '{"a":1}', '2025-01-05') FROM ev$$, 'ok'),
-- no 'a' event in the 1-day window: the bad weight is never used (0.2.0: not an error)
('intent_score_detail', $$SELECT intent_score_detail(e, ts, '{"a":"x"}', '2026-01-05', '1 day') FROM ev$$, 'ok'),
('intent_score_detail', $$SELECT intent_score_detail(e, ts, '{"a":1}', '2026-01-05', '1 day', '-1 day') FROM ev$$, '22023'),
-- ---------------------------------------------------------------- intent_weights / intent_tier
('intent_weights', $$SELECT intent_weights()$$, 'ok'),
('intent_weights', $$SELECT intent_weights('loan')$$, 'ok'),
('intent_weights', $$SELECT intent_weights('nope')$$, '22023'),
('intent_weights', $$SELECT intent_weights('')$$, '22023'),
('intent_weights', $$SELECT intent_weights('INVEST')$$, '22023'),
('intent_weights', $$SELECT intent_weights(NULL)$$, 'ok'),
('intent_tier', $$SELECT intent_tier(NULL, 1, 0)$$, 'ok'),
('intent_tier', $$SELECT intent_tier('NaN', 1, 0)$$, '22023'),
('intent_tier', $$SELECT intent_tier(5, 'NaN', 0)$$, '22023'),
('intent_tier', $$SELECT intent_tier(5, 0, 1)$$, '22023'),
('intent_tier', $$SELECT intent_tier('infinity', 1, 0)$$, 'ok'),
('intent_tier', $$SELECT intent_tier('-infinity', 'infinity', 'infinity')$$, 'ok'),
('intent_tier', $$SELECT intent_tier(1, 1, 1)$$, 'ok'),
('intent_tier', $$SELECT intent_tier(1, '{}'::float8[])$$, '22023'),
('intent_tier', $$SELECT intent_tier(1, ARRAY[1.0])$$, '22023'),
('intent_tier', $$SELECT intent_tier(1, ARRAY[1.0, 2, 3])$$, '22023'),
('intent_tier', $$SELECT intent_tier(1, ARRAY[2.0, 1])$$, '22023'),
('intent_tier', $$SELECT intent_tier(1, ARRAY[NULL, 1.0])$$, '22023'),
('intent_tier', $$SELECT intent_tier(1, ARRAY['NaN', 1.0])$$, '22023'),
('intent_tier', $$SELECT intent_tier(1, '{{0,1}}'::float8[])$$, '22023'),
('intent_tier', $$SELECT intent_tier(1, NULL::float8[])$$, 'ok'),
('intent_tier', $$SELECT intent_tier(1, ARRAY['-infinity', 'infinity']::float8[])$$, 'ok'),
('intent_tier', $$SELECT intent_tier('NaN', ARRAY[0.0, 1])$$, '22023'),
-- ---------------------------------------------------------------- quantile_breaks
('quantile_breaks', $$SELECT quantile_breaks(NULL::float8, ARRAY[0.5])$$, 'ok'),
('quantile_breaks', $$SELECT quantile_breaks(v, ARRAY[0.5]) FROM (VALUES (1.0)) t(v) WHERE false$$, 'ok'),
('quantile_breaks', $$SELECT quantile_breaks(7, ARRAY[0, 0.5, 1])$$, 'ok'),
('quantile_breaks', $$SELECT quantile_breaks(7, NULL)$$, '22023'),
('quantile_breaks', $$SELECT quantile_breaks(7, '{}')$$, 'ok'),
('quantile_breaks', $$SELECT quantile_breaks(7, ARRAY[NULL, 0.5])$$, 'ok'),
('quantile_breaks', $$SELECT quantile_breaks(7, ARRAY[1.5])$$, '22023'),
('quantile_breaks', $$SELECT quantile_breaks(7, ARRAY[-0.1])$$, '22023'),
('quantile_breaks', $$SELECT quantile_breaks(7, ARRAY['NaN'::float8])$$, '22023'),
('quantile_breaks', $$SELECT quantile_breaks(7, ARRAY['infinity'::float8])$$, '22023'),
('quantile_breaks', $$SELECT quantile_breaks(v, ARRAY[0, 0.25, 0.5, 1]) FROM unnest(ARRAY['NaN', 'infinity', '-infinity', 0]::float8[]) v$$, 'ok'),
('quantile_breaks', $$SELECT quantile_breaks(v, ARRAY[0.5]) FROM unnest(ARRAY['infinity', '-infinity']::float8[]) v$$, 'ok'),
('quantile_breaks', $$SELECT array_length(quantile_breaks(7, (SELECT array_agg(i / 100000.0) FROM generate_series(0, 100000) i)), 1)$$, 'ok'),
('quantile_breaks', $$SELECT quantile_breaks(7, '{{0.1,0.9}}'::float8[])$$, '22023'),
('quantile_breaks', $$SELECT quantile_breaks(v, CASE WHEN v = 1 THEN ARRAY[0.5] ELSE ARRAY[0.1] END) FROM (VALUES (1.0), (2.0)) t(v)$$, 'ok'),
-- ---------------------------------------------------------------- wilson_interval
('wilson_interval', $$SELECT wilson_interval(0, 0)$$, 'ok'),
('wilson_interval', $$SELECT wilson_interval(NULL, 10)$$, 'ok'),
('wilson_interval', $$SELECT wilson_interval(1, 1)$$, 'ok'),
('wilson_interval', $$SELECT wilson_interval(-1, 10)$$, '22023'),
('wilson_interval', $$SELECT wilson_interval(1, -10)$$, '22023'),
('wilson_interval', $$SELECT wilson_interval(11, 10)$$, '22023'),
('wilson_interval', $$SELECT wilson_interval(1, 10, 0)$$, '22023'),
('wilson_interval', $$SELECT wilson_interval(1, 10, 1)$$, '22023'),
('wilson_interval', $$SELECT wilson_interval(1, 10, 'NaN')$$, '22023'),
('wilson_interval', $$SELECT wilson_interval(1, 10, 1e-300)$$, 'ok'),
('wilson_interval', $$SELECT wilson_interval(1, 10, 0.9999999999999999)$$, 'ok'),
('wilson_interval', $$SELECT wilson_interval(9223372036854775807, 9223372036854775807)$$, 'ok'),
('wilson_interval', $$SELECT wilson_interval(-9223372036854775808, 0)$$, '22023'),
-- ---------------------------------------------------------------- rfm_agg
('rfm_agg', $$SELECT rfm_agg(NULL::timestamptz, NULL::numeric, NULL::timestamptz)$$, '22023'),
('rfm_agg', $$SELECT rfm_agg(ts, 1, '2026-02-01') FROM ev WHERE false$$, 'ok'),
('rfm_agg', $$SELECT rfm_agg(ts, 9.99, '2026-02-01') FROM ev WHERE u = 2 AND e = 'a'$$, 'ok'),
('rfm_agg', $$SELECT rfm_agg(ts, 1, NULL) FROM ev$$, '22023'),
('rfm_agg', $$SELECT rfm_agg(ts, 1, 'infinity') FROM ev$$, '22023'),
('rfm_agg', $$SELECT rfm_agg(ts, 1, '-infinity') FROM ev$$, '22023'),
('rfm_agg', $$SELECT rfm_agg(NULL, 1, '2026-02-01') FROM ev$$, 'ok'),
('rfm_agg', $$SELECT rfm_agg(ts, NULL, '2026-02-01') FROM ev$$, 'ok'),
('rfm_agg', $$SELECT rfm_agg(ts, 1, '2025-01-01') FROM ev$$, 'ok'),
('rfm_agg', $$SELECT rfm_agg(t, 1, '2026-02-01') FROM (VALUES ('-infinity'::timestamptz), ('infinity')) v(t)$$, 'ok'),
('rfm_agg', $$SELECT rfm_agg(ts, a, '2026-02-01') FROM ev, (VALUES (-5.5), ('NaN'::numeric)) v(a)$$, 'ok'),
('rfm_agg', $$SELECT rfm_agg(ts, a, '2026-02-01') FROM ev, (VALUES (1e130000::numeric), (-1e130000::numeric)) v(a)$$, 'ok'),
('rfm_agg', $$SELECT rfm_agg(ts, a, '2026-02-01') FROM ev, (VALUES ('infinity'::numeric)) v(a)$$, 'ok'),
('rfm_agg', $$SELECT rfm_agg(ts, 1, CASE e WHEN 'a' THEN timestamptz '2026-02-01' ELSE '2026-03-01' END) FROM ev$$, '22023'),
('rfm_agg', $$SELECT rfm_agg(ts, 1, CASE e WHEN 'a' THEN timestamptz '2026-02-01' END) FROM ev$$, '22023'),
-- ---------------------------------------------------------------- rfm_breaks
('rfm_breaks', $$SELECT rfm_breaks(NULL::float8, NULL, NULL)$$, 'ok'),
('rfm_breaks', $$SELECT rfm_breaks(r, f, m) FROM (VALUES (1.0, 1.0, 1.0)) v(r, f, m) WHERE false$$, 'ok'),
('rfm_breaks', $$SELECT rfm_breaks(3, 4, 5)$$, 'ok'),
('rfm_breaks', $$SELECT rfm_breaks(3, NULL, 5)$$, 'ok'),
('rfm_breaks', $$SELECT rfm_breaks(3, 4, 5, 2)$$, 'ok'),
('rfm_breaks', $$SELECT rfm_breaks(3, 4, 5, 1)$$, '22023'),
('rfm_breaks', $$SELECT rfm_breaks(3, 4, 5, 0)$$, '22023'),
('rfm_breaks', $$SELECT rfm_breaks(3, 4, 5, -2147483648)$$, '22023'),
('rfm_breaks', $$SELECT rfm_breaks(3, 4, 5, 101)$$, '54000'),
('rfm_breaks', $$SELECT rfm_breaks(3, 4, 5, 2147483647)$$, '54000'),
('rfm_breaks', $$SELECT rfm_breaks(3, 4, 5, NULL)$$, '22023'),
('rfm_breaks', $$SELECT rfm_breaks(r, 1, 1, b) FROM (VALUES (1.0, 3), (2.0, 4)) v(r, b)$$, '22023'),
('rfm_breaks', $$SELECT rfm_breaks(r, 1, 1, b) FROM (VALUES (1.0, 3), (2.0, NULL)) v(r, b)$$, '22023'),
('rfm_breaks', $$SELECT rfm_breaks(v, v, v, 3) FROM unnest(ARRAY['NaN', 'infinity', '-infinity', 1]::float8[]) v$$, 'ok'),
-- ---------------------------------------------------------------- rfm_cell
('rfm_cell', $$SELECT rfm_cell(3, 4, 5, NULL)$$, 'ok'),
('rfm_cell', $$SELECT rfm_cell(NULL, 4, 5, rfm_breaks(1, 2, 3)) FROM generate_series(1, 5)$$, 'ok'),
('rfm_cell', $$SELECT rfm_cell(3, 4, 5, (SELECT rfm_breaks(g, g, g) FROM generate_series(1, 10) g))$$, 'ok'),
('rfm_cell', $$SELECT rfm_cell('NaN', 'infinity', '-infinity', (SELECT rfm_breaks(g, g, g) FROM generate_series(1, 10) g))$$, 'ok'),
('rfm_cell', $$SELECT rfm_cell(3, 4, 5, ROW(5, '{3,2,1,0}', '{1,2,3,4}', '{1,2,3,4}')::_pg_operations_internal.rfm_breaks)$$, '22023'),
('rfm_cell', $$SELECT rfm_cell(3, 4, 5, ROW(5, '{1,2,3}', '{1,2,3,4}', '{1,2,3,4}')::_pg_operations_internal.rfm_breaks)$$, '22023'),
('rfm_cell', $$SELECT rfm_cell(3, 4, 5, ROW(5, '{1,NULL,3,4}', '{1,2,3,4}', '{1,2,3,4}')::_pg_operations_internal.rfm_breaks)$$, '22023'),
('rfm_cell', $$SELECT rfm_cell(3, 4, 5, ROW(NULL, '{1,2,3,4}', '{1,2,3,4}', '{1,2,3,4}')::_pg_operations_internal.rfm_breaks)$$, '22023'),
('rfm_cell', $$SELECT rfm_cell(3, 4, 5, ROW(1, '{}', '{}', '{}')::_pg_operations_internal.rfm_breaks)$$, '22023'),
('rfm_cell', $$SELECT rfm_cell(3, 4, 5, ROW(1000000, '{}', '{}', '{}')::_pg_operations_internal.rfm_breaks)$$, '54000'),
('rfm_cell', $$SELECT rfm_cell(3, 4, 5, ROW(5, NULL, '{1,2,3,4}', '{1,2,3,4}')::_pg_operations_internal.rfm_breaks)$$, 'ok'),
('rfm_cell', $$SELECT rfm_cell(3, 4, 5, ROW(5, '{1,2,3,4}', '{1,2,3,4}', '{1,NaN,3,4}')::_pg_operations_internal.rfm_breaks)$$, '22023'),
('rfm_cell', $$SELECT rfm_cell(3, 4, 5, ROW(5, '{}', '{1,2,3,4}', '{1,2,3,4}')::_pg_operations_internal.rfm_breaks)$$, 'ok'),
-- ---------------------------------------------------------------- rfm_segment
('rfm_segment', $$SELECT rfm_segment(5, 5, 5)$$, 'ok'),
('rfm_segment', $$SELECT rfm_segment(1, 1, 1, 'value8', 'zh')$$, 'ok'),
('rfm_segment', $$SELECT rfm_segment(NULL, 5, 5)$$, 'ok'),
('rfm_segment', $$SELECT rfm_segment(5, 5, 5, NULL)$$, 'ok'),
('rfm_segment', $$SELECT rfm_segment(0, 5, 5)$$, '22023'),
('rfm_segment', $$SELECT rfm_segment(5, 6, 5)$$, '22023'),
('rfm_segment', $$SELECT rfm_segment(5, 5, -2147483648)$$, '22023'),
('rfm_segment', $$SELECT rfm_segment(5, 5, 5, 'nope')$$, '22023'),
('rfm_segment', $$SELECT rfm_segment(5, 5, 5, '')$$, '22023'),
('rfm_segment', $$SELECT rfm_segment(5, 5, 5, 'classic', 'fr')$$, '22023'),
('rfm_segment', $$SELECT rfm_segment(5, 5, 5, 'classic', 'EN')$$, '22023'),
-- ---------------------------------------------------------------- channel_quadrant
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 50, 0.05)$$, 'ok'),
('channel_quadrant', $$SELECT channel_quadrant(0, 0, 50, 0.05)$$, 'ok'),
('channel_quadrant', $$SELECT channel_quadrant(NULL, 10, 50, 0.05)$$, 'ok'),
('channel_quadrant', $$SELECT channel_quadrant(-1, 0, 50, 0.05)$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(10, -1, 50, 0.05)$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(10, 11, 50, 0.05)$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 'NaN', 0.05)$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 50, 'infinity')$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 50, 0.05, -1)$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 50, 0.05, 0)$$, 'ok'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, -1e308, -5)$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 100, 1e308, 2)$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 100, 1e308, 1)$$, 'ok'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 50, 0.05, 30, 0)$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 50, 0.05, 30, 1)$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 50, 0.05, 30, 'NaN')$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(9223372036854775807, 9223372036854775807, 1e300, 0.5, 9223372036854775807)$$, 'ok'),
('channel_quadrant', $$SELECT channel_quadrant(-9223372036854775808, 0, 50, 0.05)$$, '22023'),
-- ---------------------------------------------------------------- channel_prior / channel_shrunk_rate
('channel_prior', $$SELECT channel_prior(t, c) FROM (VALUES (1::bigint, 0::bigint)) v(t, c) WHERE false$$, 'ok'),
('channel_prior', $$SELECT channel_prior(100, 10)$$, 'ok'),
('channel_prior', $$SELECT channel_prior(NULL, NULL)$$, 'ok'),
('channel_prior', $$SELECT channel_prior(t, c) FROM (VALUES (100::bigint, 10::bigint), (200, 30), (0, 0), (NULL, 5)) v(t, c)$$, 'ok'),
('channel_prior', $$SELECT channel_prior(t, c) FROM (VALUES (100::bigint, 10::bigint), (200, 20), (300, 30)) v(t, c)$$, 'ok'),
('channel_prior', $$SELECT channel_prior(t, c) FROM (VALUES (100::bigint, 10::bigint), (-1, 0)) v(t, c)$$, '22023'),
('channel_prior', $$SELECT channel_prior(t, c) FROM (VALUES (100::bigint, 10::bigint), (5, 6)) v(t, c)$$, '22023'),
('channel_prior', $$SELECT channel_prior(t, c) FROM (VALUES (9223372036854775807, 1::bigint), (9223372036854775807, 9223372036854775807), (9223372036854775807, 0)) v(t, c)$$, 'ok'),
('channel_prior', $$SELECT channel_prior(t, c) FROM (VALUES (100::bigint, 0::bigint), (200, 0)) v(t, c)$$, 'ok'),
('channel_prior', $$SELECT channel_prior(t, c) FROM (VALUES (100::bigint, 100::bigint), (200, 200)) v(t, c)$$, 'ok'),
('channel_shrunk_rate', $$SELECT channel_shrunk_rate(10, 1, (SELECT channel_prior(t, c) FROM (VALUES (100::bigint, 10::bigint), (200, 30)) v(t, c)))$$, 'ok'),
('channel_shrunk_rate', $$SELECT channel_shrunk_rate(0, 0, ROW(1, 9)::_pg_operations_internal.channel_prior)$$, 'ok'),
('channel_shrunk_rate', $$SELECT channel_shrunk_rate(10, 1, NULL)$$, 'ok'),
('channel_shrunk_rate', $$SELECT channel_shrunk_rate(10, 11, ROW(1, 9)::_pg_operations_internal.channel_prior)$$, '22023'),
('channel_shrunk_rate', $$SELECT channel_shrunk_rate(-10, 0, ROW(1, 9)::_pg_operations_internal.channel_prior)$$, '22023'),
('channel_shrunk_rate', $$SELECT channel_shrunk_rate(10, 1, ROW(NULL, 9)::_pg_operations_internal.channel_prior)$$, '22023'),
('channel_shrunk_rate', $$SELECT channel_shrunk_rate(10, 1, ROW(-1, 9)::_pg_operations_internal.channel_prior)$$, '22023'),
('channel_shrunk_rate', $$SELECT channel_shrunk_rate(10, 1, ROW('NaN', 9)::_pg_operations_internal.channel_prior)$$, '22023'),
('channel_shrunk_rate', $$SELECT channel_shrunk_rate(10, 1, ROW(1, 'infinity')::_pg_operations_internal.channel_prior)$$, '22023'),
('channel_shrunk_rate', $$SELECT channel_shrunk_rate(0, 0, ROW(0, 0)::_pg_operations_internal.channel_prior)$$, '22023'),
-- ---------------------------------------------------------------- lifecycle_stage (scalar)
('lifecycle_stage', $$SELECT lifecycle_stage('2026-01-01'::timestamptz, '2026-01-02', '2026-03-01', '2026-03-02')$$, 'ok'),
('lifecycle_stage', $$SELECT lifecycle_stage(NULL::timestamptz, NULL, NULL, '2026-03-02')$$, 'ok'),
('lifecycle_stage', $$SELECT lifecycle_stage('2026-01-01'::timestamptz, NULL, NULL, NULL)$$, 'ok'),
('lifecycle_stage', $$SELECT lifecycle_stage('2026-01-01'::timestamptz, NULL, NULL, '2026-03-02', NULL)$$, 'ok'),
('lifecycle_stage', $$SELECT lifecycle_stage('infinity'::timestamptz, NULL, NULL, '2026-03-02')$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage('-infinity'::timestamptz, NULL, NULL, '2026-03-02')$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage('2026-01-01'::timestamptz, NULL, NULL, 'infinity')$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage('2026-01-01'::timestamptz, 'infinity', 'infinity', '2026-03-02')$$, 'ok'),
('lifecycle_stage', $$SELECT lifecycle_stage('2026-01-01'::timestamptz, '-infinity', NULL, '2026-03-02')$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage('2026-01-01'::timestamptz, NULL, '2025-12-31', '2026-03-02')$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage('2026-01-01'::timestamptz, NULL, NULL, '2026-03-02', dead_days => -1)$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage('2026-01-01'::timestamptz, NULL, NULL, '2026-03-02', dormant_days => 90, churn_days => 90)$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage('2026-01-01'::timestamptz, '2026-01-02', NULL, '2026-03-02', 2147483647, 2147483647, 2147483645, 2147483646, 2147483647)$$, 'ok'),
('lifecycle_stage', $$SELECT lifecycle_stage('4000-01-01'::timestamptz, '4000-01-02', NULL, '294276-12-31', 0, 0, 0, 1, 2)$$, 'ok'),
('lifecycle_stage', $$SELECT lifecycle_stage('4713-11-24 BC'::timestamptz, '4713-11-25 BC', NULL, '294276-12-31', 0, 0, 0, 1, 2)$$, 'ok'),
-- ---------------------------------------------------------------- lifecycle_stage (aggregate)
('lifecycle_stage', $$SELECT lifecycle_stage(ts, true, '2026-02-01'::timestamptz) FROM ev WHERE false$$, 'ok'),
('lifecycle_stage', $$SELECT lifecycle_stage(NULL::timestamptz, NULL::bool, NULL::timestamptz)$$, 'ok'),
('lifecycle_stage', $$SELECT lifecycle_stage(ts, NULL, '2026-02-01'::timestamptz) FROM ev WHERE u = 1$$, 'ok'),
('lifecycle_stage', $$SELECT lifecycle_stage(ts, e = 'b', '2026-02-01'::timestamptz) FROM ev WHERE u = 2 AND e = 'a'$$, 'ok'),
('lifecycle_stage', $$SELECT lifecycle_stage(ts, true, NULL::timestamptz) FROM ev$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage(ts, true, 'infinity'::timestamptz) FROM ev$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage(ts, true, CASE e WHEN 'a' THEN timestamptz '2026-02-01' ELSE '2026-03-01' END) FROM ev$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage(t, true, '2026-02-01'::timestamptz) FROM (VALUES ('-infinity'::timestamptz), ('2026-01-01')) v(t)$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage(t, true, '2026-02-01'::timestamptz) FROM (VALUES ('infinity'::timestamptz), ('2026-01-01')) v(t)$$, 'ok'),
('lifecycle_stage', $$SELECT lifecycle_stage(ts, true, '2026-02-01'::timestamptz, 90, 30, 30, 90, NULL) FROM ev$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage(ts, true, '2026-02-01'::timestamptz, -1, 30, 30, 90, 360) FROM ev$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage(ts, true, '2026-02-01'::timestamptz, 90, 30, 90, 30, 360) FROM ev$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage(ts, true, '2026-02-01'::timestamptz, 90, 30, 30, 90, CASE e WHEN 'a' THEN 360 ELSE 361 END) FROM ev$$, '22023'),
('lifecycle_stage', $$SELECT lifecycle_stage(ts, true, '2026-02-01'::timestamptz, 0, 0, 0, 1, 2147483647) FROM ev$$, 'ok'),
-- ---------------------------------------------------------------- lifecycle_code
('lifecycle_code', $$SELECT lifecycle_code('reactivated')$$, 'ok'),
('lifecycle_stages', $$SELECT count(*) FROM lifecycle_stages()$$, 'ok'),
('lifecycle_stages', $$SELECT string_agg(code, '' ORDER BY code) FROM lifecycle_stages()$$, 'ok'),
('lifecycle_code', $$SELECT lifecycle_code(NULL)$$, 'ok'),
('lifecycle_code', $$SELECT lifecycle_code('')$$, '22023'),
('lifecycle_code', $$SELECT lifecycle_code('Active')$$, '22023'),
('lifecycle_code', $$SELECT lifecycle_code(repeat('x', 1000000))$$, '22023'),
-- ---------------------------------------------------------------- generate_demo_events
('generate_demo_events', $$SELECT count(*) FROM generate_demo_events(0)$$, 'ok'),
('generate_demo_events', $$SELECT count(*) > 0 FROM generate_demo_events(3, 3650, 7)$$, 'ok'),
('generate_demo_events', $$SELECT count(*) FROM generate_demo_events(NULL)$$, 'ok'),
('generate_demo_events', $$SELECT count(*) FROM generate_demo_events(1, 1, -9223372036854775808)$$, 'ok'),
('generate_demo_events', $$SELECT count(*) FROM generate_demo_events(-1)$$, '22023'),
('generate_demo_events', $$SELECT count(*) FROM generate_demo_events(10, 0)$$, '22023'),
('generate_demo_events', $$SELECT count(*) FROM generate_demo_events(10, 3651)$$, '22023'),
('generate_demo_events', $$SELECT count(*) FROM generate_demo_events(10, -2147483648)$$, '22023'),
-- ---------------------------------------------------------------- round 2 (0.2.0)
-- jsonb weights: numbers beyond float8 and deep nesting under a key no event uses do not
-- matter; used, they are 22023 naming the key (never an internal error).
('intent_score', $$SELECT intent_score('view', timestamptz '2026-01-01', '{"view": 1, "other": 1e400}'::jsonb, timestamptz '2026-01-01')$$, 'ok'),
('intent_score', $$SELECT intent_score('other', timestamptz '2026-01-01', '{"view": 1, "other": 1e400}'::jsonb, timestamptz '2026-01-01')$$, '22023'),
('intent_score', $$SELECT intent_score('view', timestamptz '2026-01-01', '{"view": 1, "other": -1e400}'::jsonb, timestamptz '2026-01-01')$$, 'ok'),
('intent_score', $$SELECT intent_score('view', timestamptz '2026-01-01', ('{"view": 2, "deep": ' || repeat('[', 5000) || repeat(']', 5000) || '}')::jsonb, timestamptz '2026-01-01')$$, 'ok'),
('intent_score', $$SELECT intent_score('deep', timestamptz '2026-01-01', ('{"view": 2, "deep": ' || repeat('{"a":', 2000) || '1' || repeat('}', 2000) || '}')::jsonb, timestamptz '2026-01-01')$$, '22023'),
('intent_score', $$SELECT intent_score('view', timestamptz '2026-01-01', ('[' || repeat('[', 5000) || repeat(']', 5000) || ']')::jsonb, timestamptz '2026-01-01')$$, '22023'),
('intent_score', $$SELECT intent_score('view', timestamptz '2026-01-01', '{"view": 1, "other": "x"}'::jsonb, timestamptz '2026-01-01')$$, 'ok'),
('intent_score', $$SELECT intent_score('view', timestamptz '2026-01-01', '{"view": 1e-400}'::jsonb, timestamptz '2026-01-01')$$, 'ok'),
-- Per-user funnels under GROUP BY keep their rows in a pool per call site: a conds length
-- that changes within a group is still an error, and one that differs between groups is not.
('window_funnel', $$SELECT u, window_funnel(ts, CASE WHEN e = 'a' THEN ARRAY[true] ELSE ARRAY[true, false] END, '1 day') FROM ev GROUP BY u$$, '22023'),
('window_funnel', $$SELECT u, window_funnel(ts, CASE WHEN u % 2 = 0 THEN ARRAY[e = 'a'] ELSE ARRAY[e = 'a', e = 'b'] END, '1 day') FROM ev GROUP BY u$$, 'ok'),
('funnel_level', $$SELECT u, funnel_level(ts, CASE WHEN e = 'a' THEN ARRAY[true, false] ELSE ARRAY[true, false, true] END, funnel_definition('1 day')) FROM ev GROUP BY u$$, '22023'),
('funnel_level', $$SELECT u, funnel_level(ts, CASE WHEN u % 2 = 0 THEN ARRAY[e = 'a', e = 'b'] ELSE ARRAY[e = 'a', e = 'b', e = 'c'] END, funnel_definition('1 day')) FROM ev GROUP BY u$$, 'ok'),
-- Messages quote at most a short prefix of a bad value (1 MB mode, weight key, stage name).
('window_funnel', $$SELECT window_funnel(ts, ARRAY[true], '1 day', repeat('x', 1000000)) FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(repeat('k', 1000000), timestamptz '2026-01-01', jsonb_build_object(repeat('k', 1000000), 'x'), timestamptz '2026-01-01')$$, '22023'),
('lifecycle_code', $$SELECT lifecycle_code(repeat('s', 1000000))$$, '22023'),
('rfm_segment', $$SELECT rfm_segment(1, 1, 1, repeat('s', 1000000))$$, '22023'),
-- Wilson bounds are exact at the edges and contain the rate; a rate equal to the cut is not significant.
('wilson_interval', $$SELECT w.ci_low = 0 AND w.ci_low <= w.rate FROM wilson_interval(0, 10) w$$, 'ok'),
('wilson_interval', $$SELECT w.ci_high = 1 AND w.ci_high >= w.rate FROM wilson_interval(5, 5) w$$, 'ok'),
('channel_quadrant', $$SELECT (channel_quadrant(10, 0, 5, 0, 0)).significant$$, 'ok'),
('channel_quadrant', $$SELECT (channel_quadrant(10, 10, 5, 1, 0)).significant$$, 'ok'),
-- A window longer than the timestamp range saturates at infinity.
('window_funnel', $$SELECT window_funnel(t, ARRAY[i = 1, i = 2], interval '300000 years') FROM (VALUES (timestamptz '4713-01-01 00:00+00 BC', 1), ('290000-01-01 00:00+00', 2)) v(t, i)$$, 'ok'),
-- Shrinkage with a prior whose alpha + beta overflows float8.
('channel_shrunk_rate', $$SELECT channel_shrunk_rate(10, 5, ROW(1e308, 1e308)::_pg_operations_internal.channel_prior)$$, 'ok'),
-- Array arguments are one-dimensional with lower bound 1.
('quantile_breaks', $$SELECT quantile_breaks(x, '{{0.1,0.5},{0.6,0.9}}'::float8[]) FROM (VALUES (1.0::float8), (2.0)) v(x)$$, '22023'),
('quantile_breaks', $$SELECT quantile_breaks(x, '[3:4]={0.1,0.9}'::float8[]) FROM (VALUES (1.0::float8), (2.0)) v(x)$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, '{{true},{false}}'::bool[], '1 day') FROM ev$$, '22023'),
-- generate_demo_events is bounded (a set-returning function is materialized before LIMIT).
('generate_demo_events', $$SELECT count(*) FROM (SELECT * FROM generate_demo_events(9223372036854775807) LIMIT 5) s$$, '54000'),
('generate_demo_events', $$SELECT count(*) FROM (SELECT * FROM generate_demo_events(10000001, 1) LIMIT 5) s$$, '54000'),
-- Funnels v2 (0.2.0): funnel_definition and the aggregates that take it.
('funnel_definition', $$SELECT funnel_definition(NULL)$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('0 seconds')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', mode => NULL)$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', mode => repeat('é', 100000))$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', mode => 'allow_reentry')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', step_windows => ARRAY['-1 second']::interval[])$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', step_windows => ARRAY['1 second', '1 second']::interval[])$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', step_windows => ARRAY[NULL]::interval[])$$, 'ok'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => '{"event": "x"}')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => '[1]')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => '[{"event": "x", "cond": 1}]')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => '[{"event": "x", "from_step": 2, "to_step": 2}]')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => '[{"event": "x", "to_step": 9}]')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => '[{"event": "x", "from_step": -1}]')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => '[{"event": "x", "from_step": 1e300}]')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => '[{"event": "x", "colour": 1}]')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => '[{"cond": 3}]')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => ('[' || repeat('{"event": "x"},', 40) || '{"event": "y"}]')::jsonb)$$, '54000'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => '[{"event": "x"}]', mode => 'clickhouse')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => names(33), mode => 'strict_order, clickhouse')$$, '54000'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => names(65))$$, '54000'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,NULL}')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', step_names => '{x}')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', step_count => 0)$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', property_step => '3')$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', property_step => 'middle')$$, '22023'),
('funnel_level', $$SELECT funnel_level(ts, e, NULL::_pg_operations_internal.funnel_definition) FROM ev$$, '22023'),
('funnel_level', $$SELECT funnel_level(ts, e, funnel_definition('1 hour')) FROM ev$$, '22023'),
('funnel_level', $$SELECT funnel_level(ts, ARRAY[e = 'a'], funnel_definition('1 hour', step_count => 2)) FROM ev$$, '22023'),
('funnel_level', $$SELECT funnel_level(ts, ARRAY[e = 'a', e = 'b'], funnel_definition('1 hour', exclusions => '[{"event": "c"}]')) FROM ev$$, '22023'),
('funnel_level', $$SELECT funnel_level(ts, ARRAY[e = 'a', e = 'b'], funnel_definition('1 hour', exclusions => '[{"cond": 3}]')) FROM ev$$, '22023'),
('funnel_level', $$SELECT funnel_level(ts, ARRAY[e = 'a', e = 'b', e = 'c'], funnel_definition('1 hour', step_count => 2, exclusions => '[{"cond": 3}]')) FROM ev$$, 'ok'),
('funnel_level', $$SELECT funnel_level(ts, e, funnel_definition(CASE WHEN e = 'a' THEN interval '1 hour' ELSE interval '2 hours' END, steps => '{a,b}')) FROM ev$$, '22023'),
('funnel_level', $$SELECT funnel_level(ts, e, funnel_definition('1 hour', steps => '{a,b}'), NULL) FROM ev$$, 'ok'),
('funnel_level', $$SELECT funnel_level(ts, e, funnel_definition('1 hour', steps => '{a,b}', mode => 'strict_once, strict_order, allow_reentry, clickhouse')) FROM ev$$, 'ok'),
('funnel_level', $$SELECT funnel_level(t, e, funnel_definition('1 hour', steps => '{a,b}', step_windows => ARRAY['178000000 years']::interval[])) FROM (VALUES ('-infinity'::timestamptz, 'a'), ('infinity', 'b')) v(t, e)$$, 'ok'),
('funnel_level', $$SELECT funnel_level(t, e, funnel_definition('1 hour', steps => '{a,b}', mode => 'clickhouse')) FROM (VALUES ('-infinity'::timestamptz, 'a'), ('infinity', 'b'), ('4713-01-01 00:00+00 BC', 'a')) v(t, e)$$, 'ok'),
('funnel_path', $$SELECT funnel_path(ts, e, funnel_definition('1 hour', steps => '{a,b}', property_step => 'last'), 'k', repeat('é', 100000)) FROM ev$$, 'ok'),
('funnel_path', $$SELECT funnel_path(t, e, funnel_definition('1 hour', steps => '{a,b}')) FROM (VALUES ('infinity'::timestamptz, 'a'), ('infinity', 'b')) v(t, e)$$, 'ok'),
('funnel_report', $$SELECT funnel_report(u, ts, e, funnel_definition('1 hour', steps => '{a,b}')) FROM ev$$, 'ok'),
('funnel_report', $$SELECT funnel_report(u::text, ts, e, funnel_definition('1 hour', steps => '{a,b}'), NULL) FROM ev$$, 'ok'),
('funnel_report', $$SELECT funnel_report(u, ts, ARRAY[e = 'a'], funnel_definition('1 hour', steps => '{a,b}')) FROM ev$$, '22023'),
-- A configuration computed per row is rebuilt at the same address with other contents: still 22023.
('intent_score', $$SELECT intent_score(e, ts, jsonb_build_object(e, 1), '2026-03-01') FROM ev WHERE u = 1$$, '22023'),
('funnel_level', $$SELECT funnel_level(ts, e, funnel_definition(make_interval(hours => length(e) + ascii(e)), steps => '{a,b}')) FROM ev WHERE u = 1$$, '22023'),
-- Retention, activity and lifecycle counts (0.2.0).
('retention', $$SELECT retention(ARRAY[]::bool[])$$, '22023'),
('retention', $$SELECT retention('{{true},{false}}'::bool[])$$, '22023'),
('retention', $$SELECT retention(array_fill(true, ARRAY[100000]))$$, '54000'),
('retention', $$SELECT retention(ARRAY[e = 'a', NULL]) FROM ev$$, 'ok'),
('retention_definition', $$SELECT retention_definition(NULL)$$, 'ok'),
('retention_definition', $$SELECT retention_definition('-infinity')$$, '22023'),
('retention_definition', $$SELECT retention_definition('2026-01-01', period => 'rolling', rolling_days => 2147483647)$$, '22023'),
('retention_definition', $$SELECT retention_definition('2026-01-01', time_zone => repeat('x', 100000))$$, '22023'),
('retention_matrix', $$SELECT retention_matrix(u, ts, true, true, NULL) FROM ev$$, '22023'),
('retention_matrix', $$SELECT retention_matrix(u, ts, NULL, NULL, NULL) FROM ev$$, 'ok'),
('retention_matrix', $$SELECT retention_matrix(u, t, true, true, retention_definition('2026-01-05')) FROM ev, (VALUES ('infinity'::timestamptz), ('-infinity'), ('4713-01-01 BC')) v(t)$$, 'ok'),
('retention_matrix', $$SELECT retention_matrix(u::text, ts, e = 'a', e = 'b', retention_definition('2026-01-05', period => 'day', periods => 400, time_zone => 'Pacific/Kiritimati')) IS NOT NULL FROM ev$$, 'ok'),
('activity_series', $$SELECT activity_series(u, ts, '2026-01-01', '2226-01-01') FROM ev$$, '54000'),
('activity_series', $$SELECT activity_series(u, ts, NULL, '2026-01-01') FROM ev$$, '22023'),
('activity_series', $$SELECT activity_series(u, t, '2026-01-01', '2026-01-02') FROM ev, (VALUES ('infinity'::timestamptz), ('-infinity')) v(t)$$, 'ok'),
('activity_series', $$SELECT activity_series(u, ts, '2026-01-01', '2026-01-02', 'Nowhere/Land') FROM ev$$, '22023'),
('activity_series', $$SELECT activity_series(u, ts, '4713-01-01 BC', '4713-01-02 BC') FROM ev$$, 'ok'),
('lifecycle_counts', $$SELECT lifecycle_counts(u, ts, 'fortnight', '2026-01-01', '2026-02-01') FROM ev$$, '22023'),
('lifecycle_counts', $$SELECT lifecycle_counts(u, ts, 'day', '2000-01-01', '2100-01-01') FROM ev$$, '54000'),
('lifecycle_counts', $$SELECT lifecycle_counts(u, ts, NULL, '2026-01-01', '2026-02-01') FROM ev$$, '22023'),
('lifecycle_counts', $$SELECT lifecycle_counts(u::text, t, 'month', '2026-01-01', '2026-02-01') FROM ev, (VALUES ('infinity'::timestamptz), ('-infinity')) v(t)$$, 'ok'),
-- The operations playbook (0.2.0, issue #20).
('lifecycle_grade', $$SELECT lifecycle_grade(NULL, '2026-01-01')$$, 'ok'),
('lifecycle_grade', $$SELECT lifecycle_grade('2026-01-01', '2026-01-01', NULL)$$, 'ok'),
('lifecycle_grade', $$SELECT lifecycle_grade('4713-01-01 BC', '294276-12-31')$$, 'ok'),
('lifecycle_grade', $$SELECT lifecycle_grade('2026-01-01', '2026-02-01', ARRAY[2147483647])$$, 'ok'),
('lifecycle_grade', $$SELECT lifecycle_grade('2026-01-01', '2026-02-01', array_fill(1, ARRAY[100000]))$$, '22023'),
('lifecycle_grade', $$SELECT lifecycle_grade('2026-01-01', '2026-02-01', '{{1},{2}}'::int[])$$, '22023'),
('lifecycle_grade', $$SELECT lifecycle_grade('-infinity', '2026-02-01')$$, '22023'),
('lifecycle_grades', $$SELECT count(*) FROM lifecycle_grades((SELECT array_agg(g) FROM generate_series(0, 24) g))$$, 'ok'),
('lifecycle_grades', $$SELECT count(*) FROM lifecycle_grades('{}')$$, '22023'),
('lifecycle_grades', $$SELECT count(*) FROM lifecycle_grades(NULL)$$, 'ok'),
('value_score', $$SELECT value_score('Infinity', '{1,2}')$$, 'ok'),
('value_score', $$SELECT value_score(1, array_fill(0::float8, ARRAY[1000000]))$$, 'ok'),
('value_score', $$SELECT value_score(1, '{{1},{2}}'::float8[])$$, '22023'),
('value_score', $$SELECT value_score(1, '{Infinity,-Infinity}')$$, '22023'),
('old_user_matrix', $$SELECT old_user_matrix(repeat('A', 1000000), 1, 1)$$, '22023'),
('old_user_matrix', $$SELECT old_user_matrix('Z', 100, 1e100) IS NOT NULL$$, 'ok'),
('old_user_matrix', $$SELECT old_user_matrix('A', 1, 1e300)$$, '22023'),
('old_user_matrix', $$SELECT old_user_matrix('A', 1, 'NaN')$$, '22023'),
('old_user_matrix', $$SELECT old_user_matrix('Ä', 1, 1)$$, '22023'),
('old_user_matrix', $$SELECT old_user_matrix(NULL, NULL, NULL)$$, 'ok'),
('onboarding_reminder', $$SELECT onboarding_reminder('infinity', NULL, '2026-01-01')$$, '22023'),
('onboarding_reminder', $$SELECT onboarding_reminder('4713-01-01 BC', NULL, '294276-12-31')$$, 'ok'),
('onboarding_reminder', $$SELECT onboarding_reminder('2026-01-01', NULL, '2026-01-03', '{2}', 2147483647)$$, 'ok'),
('onboarding_reminder', $$SELECT onboarding_reminder('2026-01-01', NULL, '2026-01-03', '{2}', 0)$$, '22023'),
('onboarding_reminder', $$SELECT onboarding_reminder('2026-01-01', NULL, '2026-01-03', array_fill(1, ARRAY[100000]))$$, '22023'),
('onboarding_reminder', $$SELECT onboarding_reminder('2026-01-01', NULL, '2026-01-03', time_zone => repeat('x', 100000))$$, '22023'),
('onboarding_reminder', $$SELECT onboarding_reminder('2026-01-01', NULL, '2026-01-03', NULL)$$, 'ok'),
('holding_agg', $$SELECT holding_agg(ts, e, 1e-1000, '2026-02-01', 'a', 'b') FROM ev$$, 'ok'),
('holding_agg', $$SELECT holding_agg(ts, e, 'NaN', '2026-02-01', 'a', 'b') FROM ev$$, 'ok'),
('holding_agg', $$SELECT holding_agg(ts, e, 1, NULL, 'a', 'b') FROM ev$$, '22023'),
('holding_agg', $$SELECT holding_agg(ts, e, 1, '2026-02-01', NULL, 'b') FROM ev$$, '22023'),
('holding_agg', $$SELECT holding_agg(t, 'a', 1, '2026-02-01', 'a', 'b') FROM (VALUES ('-infinity'::timestamptz), ('4713-01-01 BC')) v(t)$$, 'ok'),
('holding_agg', $$SELECT holding_agg(ts, e, 1, '2026-02-01', repeat('é', 100000), 'b') FROM ev$$, 'ok'),
('category_share', $$SELECT category_share(ts, e, '-1 hour') FROM ev$$, '22023'),
('category_share', $$SELECT category_share(ts, e, '1000000 years') FROM ev$$, 'ok'),
('category_share', $$SELECT category_share(ts, e, NULL) FROM ev$$, '22023'),
('category_share', $$SELECT category_share(t, repeat('é', 100000)) IS NOT NULL FROM (VALUES ('-infinity'::timestamptz), ('infinity')) v(t)$$, 'ok'),
('category_share', $$SELECT category_share(t, c, '1 hour') FROM (VALUES ('-infinity'::timestamptz, 'a'), ('infinity', 'b'), ('2026-01-01', '')) v(t, c)$$, 'ok'),
('lifecycle_rules', $$SELECT lifecycle_rules(-1)$$, '22023'),
('lifecycle_rules', $$SELECT lifecycle_rules(on_inconsistent => repeat('x', 100000))$$, '22023'),
('lifecycle_rules', $$SELECT lifecycle_rules(on_inconsistent => NULL)$$, 'ok'),
('lifecycle_stage_agg', $$SELECT lifecycle_stage_agg(ts, true, '2026-02-01', 'infinity', lifecycle_rules()) FROM ev$$, '22023'),
('lifecycle_stage_agg', $$SELECT lifecycle_stage_agg(ts, true, '2026-02-01', 'infinity', lifecycle_rules(on_inconsistent => 'null')) FROM ev$$, 'ok'),
('lifecycle_stage_agg', $$SELECT lifecycle_stage_agg(ts, true, '2026-02-01', '-infinity', lifecycle_rules()) FROM ev$$, '22023'),
('lifecycle_stage_agg', $$SELECT lifecycle_stage_agg(ts, true, 'infinity', '2026-01-01', lifecycle_rules()) FROM ev$$, '22023'),
('lifecycle_stage_with', $$SELECT lifecycle_stage_with('2026-01-01'::timestamptz, NULL, NULL, '2026-02-01'::timestamptz, ROW(-1, 1, 1, 2, 3, true, 'error')::_pg_operations_internal.lifecycle_rules)$$, '22023'),
('lifecycle_stage_with', $$SELECT lifecycle_stage_with('2026-01-01'::timestamptz, NULL, NULL, '2026-02-01'::timestamptz, ROW(1, 1, 1, 2, 3, NULL, 'error')::_pg_operations_internal.lifecycle_rules)$$, '22023'),
('lifecycle_issue', $$SELECT lifecycle_issue('-infinity', '-infinity', 'infinity')$$, 'ok'),
('lifecycle_issue', $$SELECT lifecycle_issue(NULL, '2026-01-01', NULL)$$, 'ok'),
('intent_definition', $$SELECT intent_definition('{"a": "x"}', '2026-01-01')$$, 'ok'),
('intent_definition', $$SELECT intent_definition('[1]', '2026-01-01')$$, '22023'),
('intent_definition', $$SELECT intent_definition('{}', 'infinity')$$, '22023'),
('intent_definition', $$SELECT intent_definition('{}', '2026-01-01', '-1 day')$$, '22023'),
('intent_definition', $$SELECT intent_definition('{}', '2026-01-01', half_life => '0')$$, '22023'),
('intent_definition', $$SELECT intent_definition('{}', '2026-01-01', reset_events => '{}')$$, '22023'),
('intent_definition', $$SELECT intent_definition('{}', '2026-01-01', reset_events => ARRAY[NULL])$$, '22023'),
('intent_definition', $$SELECT intent_definition('{}', '2026-01-01', reset_events => ARRAY['pay'], reset_factor => 'NaN')$$, '22023'),
('intent_definition', $$SELECT intent_definition('{}', '2026-01-01', reset_events => ARRAY['pay'], reset_factor => 1.5)$$, '22023'),
('intent_definition', $$SELECT intent_definition(NULL, '2026-01-01')$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, intent_definition('{"a": 1e300, "b": -1e300}', '2026-02-01', '1000 years', reset_events => ARRAY['c', ''])) FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, intent_definition('{"a": 1e100, "b": -1e100}', '2026-02-01', '1000 years', reset_events => ARRAY['b'], reset_factor => 1e-300)) FROM ev$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, NULL::_pg_operations_internal.intent_definition) FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, '{"a": 1}', '2026-02-01', CASE WHEN e = 'a' THEN interval '1 day' ELSE '2 days' END) FROM ev$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, CASE WHEN e = 'a' THEN '{"a": 1}'::jsonb ELSE '{"a": 2}' END, '2026-02-01') FROM ev$$, '22023'),
('intent_breaks', $$SELECT intent_breaks(s) FROM (VALUES (1.0::float8), ('NaN')) v(s)$$, '22023'),
('intent_breaks', $$SELECT intent_breaks(s, 0, 0.4) FROM (VALUES (1.0::float8)) v(s)$$, '22023'),
('intent_breaks', $$SELECT intent_breaks(s, 0.7, 0.4) FROM (VALUES (1.0::float8)) v(s)$$, '22023'),
('intent_breaks', $$SELECT intent_breaks(s, NULL, 0.4) FROM (VALUES (1.0::float8)) v(s)$$, '22023'),
('intent_breaks', $$SELECT intent_breaks(s) FROM (VALUES (NULL::float8)) v(s)$$, 'ok'),
('intent_breaks', $$SELECT intent_breaks(s) FROM (VALUES (1e308::float8), (-1e308), (5e-324)) v(s)$$, 'ok'),
('intent_share_tier', $$SELECT intent_share_tier('NaN', intent_breaks(1))$$, '22023'),
('intent_share_tier', $$SELECT intent_share_tier(1, ROW(0.2, 0.4, 1, 2, 1, 1, 0, 0, 0, 0)::_pg_operations_internal.intent_breaks)$$, '22023'),
('intent_share_tier', $$SELECT intent_share_tier(1, ROW(0.2, 0.4, NULL, NULL, 0, 0, 0, 0, 0, 0)::_pg_operations_internal.intent_breaks)$$, 'ok'),
('rfm_means', $$SELECT rfm_means(x, x, x) FROM (VALUES (1e308::float8), (1e308)) v(x)$$, 'ok'),
('rfm_means', $$SELECT rfm_means(x, 1, 1) FROM (VALUES ('Infinity'::float8)) v(x)$$, '22023'),
('rfm_means', $$SELECT rfm_means(NULL, NULL, NULL)$$, 'ok'),
('rfm_segment', $$SELECT rfm_segment(2, 1, 2, 2)$$, 'ok'),
('rfm_segment', $$SELECT rfm_segment(3, 1, 2, 2)$$, '22023'),
('rfm_segment', $$SELECT rfm_segment(1, 1, 1, 101)$$, '22023'),
('rfm_segment', $$SELECT rfm_segment(1, 1, 1, 4, 'classic')$$, '22023'),
('rfm_agg', $$SELECT rfm_agg(ts, 1, '2026-02-01', 'weeks') FROM ev$$, '22023'),
('rfm_agg', $$SELECT rfm_agg(ts, 1, '2026-02-01', 'days', 'Nowhere/Land') FROM ev$$, '22023'),
('rfm_agg', $$SELECT rfm_agg(t, 1, '2026-02-01', 'days', 'Asia/Shanghai') FROM (VALUES ('-infinity'::timestamptz), ('4713-01-01 BC')) v(t)$$, 'ok'),
('rfm_agg', $$SELECT rfm_agg(ts, 1, '2026-02-01', CASE WHEN e = 'a' THEN 'days' ELSE 'rows' END) FROM ev$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 50, 10)$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, -1, 0.1)$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 50, 0.1, 95)$$, 'ok'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 50, 0.1, 30, 95)$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 50, 0.1, 'fr')$$, '22023'),
('channel_quadrant', $$SELECT channel_quadrant(100, 10, 50, 0.1, repeat('z', 100000))$$, '22023'),
-- ---------------------------------------------------------------- round 3 (a hostile sweep, 2026-12-01)
-- funnel_path with the clickhouse flag has no chain: its property is NULL (was XX000).
('funnel_path', $$SELECT funnel_path(ts, e, funnel_definition('1 hour', steps => '{a}', mode => 'clickhouse'), 'all', 'p') FROM (VALUES (timestamptz '2026-01-01', 'a')) v(ts, e)$$, 'ok'),
('funnel_path', $$SELECT funnel_path(ts, e, funnel_definition('1 day', steps => '{a,b}', mode => 'strict_order, clickhouse', property_step => 'last'), 'all', e) FROM ev GROUP BY u$$, 'ok'),
-- jsonb nested deeper than JSON text parsing allows (128 levels): 22023, not a panic; in
-- intent weights, keys no event uses do not matter however deep.
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => (repeat('[', 128) || repeat(']', 128))::jsonb)$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => ('[{"event": "x", "to_step": ' || repeat('[', 200) || repeat(']', 200) || '}]')::jsonb)$$, '22023'),
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a,b}', exclusions => (repeat('[', 127) || repeat(']', 127))::jsonb)$$, '22023'),
('funnel_level', $$SELECT funnel_level(ts, e, ROW('1 day', '{a,b}', 'default', NULL, NULL, (repeat('[', 300) || repeat(']', 300))::jsonb, NULL, 'first')::_pg_operations_internal.funnel_definition) FROM ev GROUP BY u$$, '22023'),
('intent_score', $$SELECT intent_score(e, ts, intent_definition(('{"a": 1, "zz": ' || repeat('[', 300) || repeat(']', 300) || '}')::jsonb, '2026-01-05')) FROM ev GROUP BY u$$, 'ok'),
('intent_score', $$SELECT intent_score(e, ts, intent_definition(('{"a": ' || repeat('[', 300) || repeat(']', 300) || '}')::jsonb, '2026-01-05')) FROM ev GROUP BY u$$, '22023'),
-- A bad name of a megabyte is named in a short message (checked below with the others).
('funnel_definition', $$SELECT funnel_definition('1 hour', steps => '{a}', mode => repeat('Q', 1000000))$$, '22023'),
('window_funnel', $$SELECT window_funnel(ts, ARRAY[e = 'a'], '1 hour', repeat('Q', 1000000)) FROM ev$$, '22023'),
('retention_definition', $$SELECT retention_definition('2026-02-01', period => repeat('Q', 1000000))$$, '22023'),
('retention_definition', $$SELECT retention_definition('2026-02-01', entry => repeat('Q', 1000000))$$, '22023'),
('retention_definition', $$SELECT retention_definition('2026-02-01', counting => repeat('Q', 1000000))$$, '22023'),
('lifecycle_counts', $$SELECT lifecycle_counts(u, ts, repeat('Q', 1000000), '2026-01-01', '2026-01-31') FROM ev$$, '22023'),
('rfm_segment', $$SELECT rfm_segment(1, 1, 1, repeat('Q', 1000000))$$, '22023'),
('rfm_segment', $$SELECT rfm_segment(1, 1, 1, 'classic', repeat('Q', 1000000))$$, '22023'),
('rfm_segment', $$SELECT rfm_segment(1, 1, 1, 5, repeat('Q', 1000000))$$, '22023'),
('intent_weights', $$SELECT intent_weights(repeat('Q', 1000000))$$, '22023'),
('lifecycle_code', $$SELECT lifecycle_code(repeat('Q', 1000000))$$, '22023'),
-- lifecycle_counts: a date beyond the timestamp range is 22023, not a wrapped answer.
('lifecycle_counts', $$SELECT lifecycle_counts(u, ts, 'day', '2026-01-01', '586580-02-19') FROM ev$$, '22023'),
('lifecycle_counts', $$SELECT lifecycle_counts(u, ts, 'day', '-infinity', 'infinity') FROM ev$$, '22023'),
('lifecycle_counts', $$SELECT lifecycle_counts(u, ts, 'month', '294276-01-01', '294276-12-31') FROM ev$$, 'ok'),
('lifecycle_counts', $$SELECT lifecycle_counts(u, ts, 'week', '4713-11-24 BC', '4713-12-31 BC') FROM ev$$, 'ok'),
-- intent_definition checks reset_factor also without reset events; holding_agg names the
-- setting that differs between rows.
('intent_definition', $$SELECT intent_definition('{"a": 1}', '2026-01-05', reset_factor => 7)$$, '22023'),
('intent_definition', $$SELECT intent_definition('{"a": 1}', '2026-01-05', reset_factor => 'NaN')$$, '22023'),
('intent_definition', $$SELECT intent_definition('{"a": 1}', '2026-01-05', reset_factor => 1)$$, 'ok'),
('holding_agg', $$SELECT holding_agg(ts, e, 1, '2026-02-01', 'a', CASE WHEN e = 'c' THEN 'x' ELSE 'b' END) FROM ev GROUP BY u$$, '22023'),
-- ---------------------------------------------------------------- internal functions called directly
-- Support functions taking internal cannot be reached from SQL at all.
('window_funnel_transition', $$SELECT _pg_operations_internal.window_funnel_transition(NULL::internal, now(), ARRAY[true], '1 hour') IS NULL$$, '42846'),
('window_funnel_deserial', $$SELECT _pg_operations_internal.window_funnel_deserial('\x0102'::bytea, NULL) IS NULL$$, '42883');

-- Runs every case in its own subtransaction and records what happened.
DO $run$
DECLARE
  c record;
  res text;
  st text;
  msg text;
BEGIN
  FOR c IN SELECT * FROM cases ORDER BY id LOOP
    BEGIN
      EXECUTE format('SELECT string_agg(coalesce(r::text, ''NULL''), '' | '') FROM (%s) r', c.sql) INTO res;
      INSERT INTO outcomes VALUES (c.id, 'ok', coalesce(res, '(no rows)'));
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
      INSERT INTO outcomes VALUES (c.id, st, msg);
    END;
  END LOOP;
END
$run$;

\pset format unaligned
\pset fieldsep ' | '
\pset tuples_only on
-- One line per case: id, function, expected, got, then the message or the (abridged) result.
SELECT c.id, c.fn, c.expect, o.got,
       CASE WHEN o.got = c.expect THEN '' ELSE '**UNEXPECTED** ' END
         || CASE WHEN length(o.detail) > 160 THEN left(o.detail, 160) || '...' ELSE o.detail END
FROM cases c JOIN outcomes o USING (id) ORDER BY c.id;
\pset tuples_only off
\pset format aligned
\pset fieldsep '|'

-- No message echoes a bad value whole: the longest message of all cases (the 1 MB inputs
-- above included) stays short.
SELECT max(length(detail)) FILTER (WHERE got <> 'ok') < 400 AS messages_bounded,
       max(length(detail)) FILTER (WHERE got <> 'ok') AS longest_message FROM outcomes;
SELECT count(*) || ' inputs tried, ' || count(*) FILTER (WHERE o.got = c.expect) || ' as expected, '
       || count(*) FILTER (WHERE o.got = 'XX000') || ' internal errors' AS summary
FROM cases c JOIN outcomes o USING (id);
-- Every function named in the cases (the catalog's user-facing functions should all appear).
SELECT p.proname AS untested
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' AND p.proname NOT IN (SELECT fn FROM cases)
  AND p.proname NOT IN ('bools', 'names', 'pg_operations_version', 'generate_demo_events_raw')
  AND p.proname !~ '_(sfunc|sfunc3|sfunc4|sfunc_days|final|combine|serial|deserial)$'
  AND p.proname !~ '_(mode|names|names_mode|event|event_mode|id|text)_sfunc$'
  AND p.proname !~ '^(window_funnel|funnel_rates|funnel_levels|intent_score|rfm_agg|rfm_breaks|channel_prior|lifecycle_stage|quantile_breaks)_'
ORDER BY 1;

-- Hostile values through the parallel path: each aggregate's serialfunc, deserialfunc and
-- combinefunc must carry infinite timestamps, NaN and infinite numbers, exotic numerics,
-- empty and non-ASCII text keys and 64-step funnels unchanged. par_same(q) runs q under a
-- forced parallel plan (CREATE TABLE AS, so workers really run) and serially, and reports
-- the rows that differ (must be 0) and whether the plan was partial and had workers.
CREATE TABLE hp AS
SELECT i,
       (i % 499)::bigint AS u,
       CASE i % 4 WHEN 0 THEN '' WHEN 1 THEN 'ü' || (i % 499) WHEN 2 THEN repeat('k', 300) || (i % 7)
                  ELSE (i % 499)::text END AS tu,
       CASE WHEN i % 997 = 0 THEN 'infinity'::timestamptz WHEN i % 991 = 0 THEN '-infinity'
            ELSE timestamptz '2026-01-01' + ((i::bigint * 7919) % 200000) * interval '1 minute' END AS ts,
       CASE i % 6 WHEN 0 THEN 'a' WHEN 1 THEN 'b' WHEN 2 THEN 'c' WHEN 3 THEN '' WHEN 4 THEN 'é' END AS e,
       CASE WHEN i % 1009 = 0 THEN 'NaN'::numeric WHEN i % 1013 = 0 THEN 'Infinity'
            WHEN i % 1019 = 0 THEN '-Infinity' WHEN i % 7 = 0 THEN 1e-300 WHEN i % 11 = 0 THEN NULL
            WHEN i % 13 = 0 THEN 1e300 ELSE (i % 100) - 50.5 END AS amount,
       CASE WHEN i % 503 = 0 THEN 'NaN'::float8 WHEN i % 509 = 0 THEN 'infinity' WHEN i % 521 = 0 THEN '-infinity'
            WHEN i % 17 = 0 THEN NULL ELSE i * 1e-3 END AS v,
       (i % 997)::bigint AS traffic, ((i % 997) / 3)::bigint AS conv
FROM generate_series(1, 60000) i
ORDER BY md5(i::text);
ANALYZE hp;
ALTER TABLE hp SET (parallel_workers = 2);

CREATE FUNCTION par_same(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE l text; plan text := ''; diff bigint; n bigint; nd bigint;
BEGIN
  SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0;
  SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL max_parallel_workers_per_gather = 2;
  FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) CREATE TEMP TABLE par_out AS ' || q LOOP
    plan := plan || l || E'\n';
  END LOOP;
  SET LOCAL max_parallel_workers_per_gather = 0;
  EXECUTE 'CREATE TEMP TABLE ser_out AS ' || q;
  SELECT count(*) INTO diff FROM ((TABLE par_out EXCEPT ALL TABLE ser_out)
                                  UNION ALL (TABLE ser_out EXCEPT ALL TABLE par_out)) d;
  SELECT count(*), count(DISTINCT r) INTO n, nd FROM ser_out;
  DROP TABLE par_out;
  DROP TABLE ser_out;
  RETURN format('%s rows (%s distinct), %s differ, partial: %s, workers: %s', n, nd, diff, plan ~ 'Partial',
                coalesce(substring(plan from 'Workers Launched: (\d+)')::int, 0) > 0);
END $f$;

SELECT q, par_same(sql) FROM (VALUES
  ('window_funnel', $$SELECT u, window_funnel(ts, ARRAY[e = 'a', e = 'b' AND u % 3 > 0, e = 'c' AND u % 5 > 0], '3 days')::text AS r FROM hp GROUP BY u$$),
  ('window_funnel 64 steps', $$SELECT u, window_funnel(ts, array_fill(e IS NOT NULL, ARRAY[64]), (u % 50) * interval '1 day' + interval '1 second', 'strict_increase')::text AS r FROM hp GROUP BY u$$),
  ('funnel_step_rates bigint', $$SELECT funnel_step_rates(u, ts, ARRAY[e = 'a', e = 'b', e = ''], '1 day')::text AS r FROM hp$$),
  ('funnel_step_rates text', $$SELECT funnel_step_rates(tu, ts, e, ARRAY['', 'é', 'a'], '7 days', 'strict_deduplication')::text AS r FROM hp$$),
  ('funnel_step_rates levels', $$SELECT funnel_step_rates(l, ARRAY['x', 'y', 'z'])::text AS r FROM (SELECT (i % 4) AS l FROM hp) s$$),
  ('intent_score', $$SELECT u, intent_score(e, ts, '{"a": 1e100, "b": -1e100, "c": 1e-300, "": 0.1}', '2026-04-01', '90 days', '1 day')::text AS r FROM hp GROUP BY u$$),
  ('intent_score_detail', $$SELECT u, intent_score_detail(e, ts, '{"a": 1, "b": 2.5, "é": -3}', '2026-05-01', '300 days')::text AS r FROM hp GROUP BY u$$),
  ('quantile_breaks', $$SELECT quantile_breaks(v, ARRAY[0, 0.1, NULL, 0.5, 0.999, 1])::text AS r FROM hp$$),
  ('rfm_agg', $$SELECT u, rfm_agg(ts, amount, '2026-03-01')::text AS r FROM hp GROUP BY u$$),
  ('rfm_breaks', $$SELECT rfm_breaks(v, v * 2, -v, 7)::text AS r FROM hp$$),
  ('channel_prior', $$SELECT channel_prior(traffic * 9223372036854, conv)::text AS r FROM hp$$),
  ('lifecycle_stage', $$SELECT u, lifecycle_stage(ts, e = 'c' AND u % 3 = 0, '2026-03-01', (u % 7)::int, (u % 5)::int, 0, (u % 11)::int + 1, 12)::text AS r FROM hp WHERE ts > '-infinity' GROUP BY u$$),
  ('lifecycle_stage rules', $$SELECT u, lifecycle_stage_agg(ts, e = 'c', '2026-03-01', CASE WHEN u % 2 = 0 THEN timestamptz '2026-01-01' END, lifecycle_rules(new_wins => false, on_inconsistent => 'null'))::text AS r FROM hp GROUP BY u$$),
  ('holding_agg', $$SELECT u, holding_agg(ts, e, abs(amount), '2026-03-01', 'a', '')::text AS r FROM hp WHERE amount > '-Infinity' OR amount IS NULL GROUP BY u$$),
  ('category_share', $$SELECT u, category_share(ts, tu, '1 hour')::text AS r FROM hp GROUP BY u$$),
  ('old_user_matrix', $$SELECT old_user_matrix(chr(65 + (i % 26)::int), (i % 100)::int + 1, v)::text AS r FROM hp WHERE v BETWEEN -1e100 AND 1e100$$),
  ('intent_breaks', $$SELECT intent_breaks(v)::text AS r FROM hp WHERE v BETWEEN -1e300 AND 1e300$$),
  ('rfm_means', $$SELECT rfm_means(v, v, v)::text AS r FROM hp WHERE v BETWEEN -1e300 AND 1e300$$),
  ('rfm_agg days', $$SELECT u, rfm_agg(ts, amount, '2026-03-01', 'days', 'America/New_York')::text AS r FROM hp GROUP BY u$$),
  ('funnel_level definition', $$SELECT u, funnel_level(ts, e, funnel_definition('2 days', steps => '{a,b,c}', mode => 'strict_order', step_windows => ARRAY['1 day', NULL]::interval[], exclusions => '[{"event": "", "from_step": 2}]'), tu)::text AS r FROM hp GROUP BY u$$),
  ('funnel_path definition', $$SELECT u, funnel_path(ts, e, funnel_definition('2 days', steps => '{a,b,c}', mode => 'strict_once', property_step => 'last'), 'k', tu)::text AS r FROM hp GROUP BY u$$),
  ('funnel_report definition', $$SELECT funnel_report(tu, ts, e, funnel_definition('7 days', steps => '{a,é,b}', exclusions => '[{"event": "c"}]'))::text AS r FROM hp$$),
  ('funnel_level clickhouse', $$SELECT u, funnel_level(ts, ARRAY[e = 'a', e = 'b', e = 'c'], funnel_definition('3 days', mode => 'strict_deduplication, clickhouse'))::text AS r FROM hp GROUP BY u$$),
  ('intent_score definition', $$SELECT u, intent_score(e, ts, intent_definition('{"a": 1, "b": 2.5, "é": -3}', '2026-05-01', '300 days', reset_events => ARRAY['é', 'a'], reset_factor => 0.25))::text AS r FROM hp GROUP BY u$$)
) AS t(q, sql);

-- A configuration that varies between the rows of a group is an error under a parallel
-- plan too (the combine function compares the partial states). Which value a worker sees
-- first depends on the plan, so only the SQLSTATE is printed.
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
\set VERBOSITY sqlstate
SELECT rfm_agg(ts, amount, CASE WHEN i < 30000 THEN timestamptz '2026-03-01' ELSE '2026-03-02' END) FROM hp;
SELECT rfm_breaks(v, v, v, CASE WHEN i < 30000 THEN 5 ELSE 6 END) FROM hp;
SELECT lifecycle_stage(ts, true, CASE WHEN i < 30000 THEN timestamptz '2026-03-01' ELSE '2026-03-02' END) FROM hp;
SELECT intent_score(e, ts, '{"a": 1}', CASE WHEN i < 30000 THEN timestamptz '2026-03-01' ELSE '2026-03-02' END) FROM hp;
SELECT intent_score(e, ts, CASE WHEN i < 30000 THEN '{"a": 1}'::jsonb ELSE '{"a": 2}' END, '2026-03-01') FROM hp;
SELECT holding_agg(ts, e, 1, CASE WHEN i < 30000 THEN timestamptz '2026-03-01' ELSE '2026-03-02' END, 'a', 'b') FROM hp;
SELECT category_share(ts, e, CASE WHEN i < 30000 THEN interval '1 hour' ELSE '2 hours' END) FROM hp;
SELECT intent_breaks(v, CASE WHEN i < 30000 THEN 0.2 ELSE 0.3 END, 0.4) FROM hp WHERE v BETWEEN 0 AND 1e300;
RESET ALL;
\set VERBOSITY verbose

-- The same backend is still alive.
SELECT 1 AS alive;
