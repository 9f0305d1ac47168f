-- Funnels: window_funnel (per user) and funnel_step_rates (one-shot, event-name and two-stage forms).
CREATE EXTENSION pg_operations;

-- Hand-worked cases: seconds from 2026-01-01, letters = the steps a row matches (A, B, C).
-- Expected levels were worked out by hand and checked with tests/funnel_oracle.py
-- (any_chain_level); window 10 seconds.
CREATE TABLE hw(c text, s int, e text);
INSERT INTO hw VALUES
  ('01 unsorted input B@5 A@0',              5, 'B'), ('01 unsorted input B@5 A@0', 0, 'A'),
  ('02 boundary inclusive A@0 B@10 C@11',    0, 'A'), ('02 boundary inclusive A@0 B@10 C@11', 10, 'B'),
  ('02 boundary inclusive A@0 B@10 C@11',   11, 'C'),
  ('03 boundary A@0 B@10 C@10',              0, 'A'), ('03 boundary A@0 B@10 C@10', 10, 'B'),
  ('03 boundary A@0 B@10 C@10',             10, 'C'),
  ('04 one row matches A and B',             3, 'AB'),
  ('05 tie B@0 A@0',                         0, 'B'), ('05 tie B@0 A@0', 0, 'A'),
  ('06 no step 1 B@0 C@1',                   0, 'B'), ('06 no step 1 B@0 C@1', 1, 'C'),
  ('07 unmatched row A@0 -@1 B@2',           0, 'A'), ('07 unmatched row A@0 -@1 B@2', 1, ''),
  ('07 unmatched row A@0 -@1 B@2',           2, 'B'),
  ('08 repeat A@0 B@1 B@2 C@3',              0, 'A'), ('08 repeat A@0 B@1 B@2 C@3', 1, 'B'),
  ('08 repeat A@0 B@1 B@2 C@3',              2, 'B'), ('08 repeat A@0 B@1 B@2 C@3', 3, 'C'),
  ('09 out of order A@0 C@1 B@2',            0, 'A'), ('09 out of order A@0 C@1 B@2', 1, 'C'),
  ('09 out of order A@0 C@1 B@2',            2, 'B'),
  ('10 later chain A@0 B@1 A@100 B@101 C@102', 0, 'A'), ('10 later chain A@0 B@1 A@100 B@101 C@102', 1, 'B'),
  ('10 later chain A@0 B@1 A@100 B@101 C@102', 100, 'A'), ('10 later chain A@0 B@1 A@100 B@101 C@102', 101, 'B'),
  ('10 later chain A@0 B@1 A@100 B@101 C@102', 102, 'C'),
  -- ClickHouse pitfalls (see docs/funnels.md): ClickHouse answers differently in the named mode.
  ('11 CH strict_increase A@0 A@5 B@5',      0, 'A'), ('11 CH strict_increase A@0 A@5 B@5', 5, 'A'),
  ('11 CH strict_increase A@0 A@5 B@5',      5, 'B'),
  ('12 CH strict_dedup A@0 B@1 A@2 B@3 C@4', 0, 'A'), ('12 CH strict_dedup A@0 B@1 A@2 B@3 C@4', 1, 'B'),
  ('12 CH strict_dedup A@0 B@1 A@2 B@3 C@4', 2, 'A'), ('12 CH strict_dedup A@0 B@1 A@2 B@3 C@4', 3, 'B'),
  ('12 CH strict_dedup A@0 B@1 A@2 B@3 C@4', 4, 'C'),
  ('13 CH strict_order A@0 B@1 A@2 C@3',     0, 'A'), ('13 CH strict_order A@0 B@1 A@2 C@3', 1, 'B'),
  ('13 CH strict_order A@0 B@1 A@2 C@3',     2, 'A'), ('13 CH strict_order A@0 B@1 A@2 C@3', 3, 'C'),
  ('14 repeated step 1 A@0 A@1 B@2 C@3',     0, 'A'), ('14 repeated step 1 A@0 A@1 B@2 C@3', 1, 'A'),
  ('14 repeated step 1 A@0 A@1 B@2 C@3',     2, 'B'), ('14 repeated step 1 A@0 A@1 B@2 C@3', 3, 'C');
CREATE VIEW hwv AS
SELECT c, timestamptz '2026-01-01 00:00:00+00' + s * interval '1 second' AS ts,
       ARRAY[strpos(e, 'A') > 0, strpos(e, 'B') > 0, strpos(e, 'C') > 0] AS conds
FROM hw;
-- ClickHouse windowFunnel (tests/funnel_oracle.py clickhouse_level, confirmed with chdb by
-- tests/py/test_funnel_clickhouse.py) answers the same except: 08 strict_order 3 and
-- order_increase 3 (it does not stop at the repeated B); 10 strict_deduplication 1 (the B of
-- the first chain blocks the second); 11 strict_increase 1 (A@5 replaces A@0); 12
-- strict_deduplication 1; 13 strict_order 3 and order_increase 3 (it mixes two chains).
SELECT c,
       window_funnel(ts, conds, interval '10 seconds') AS "default",
       window_funnel(ts, conds, interval '10 seconds', 'default') AS default2,
       window_funnel(ts, conds, interval '10 seconds', 'strict_order') AS strict_order,
       window_funnel(ts, conds, interval '10 seconds', 'strict_deduplication') AS strict_dedup,
       window_funnel(ts, conds, interval '10 seconds', 'strict_increase') AS strict_increase,
       window_funnel(ts, conds, interval '10 seconds', 'strict_order, strict_increase') AS order_increase
FROM hwv GROUP BY c ORDER BY c;

-- A month counts 30 days; the window end is inclusive to the microsecond.
SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 month') AS thirty_days,
       window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '30 days') AS same,
       window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '30 days' - interval '1 microsecond') AS one_usec_short
FROM (VALUES (timestamptz '2026-01-01 00:00:00+00', 'a'), ('2026-01-31 00:00:00+00', 'b')) v(ts, e);

-- NULLs: rows with NULL ts or conds are skipped; NULL elements are false; a group with
-- nothing left is NULL (so the two-stage form skips it, as the one-shot form skips the user).
SELECT window_funnel(ts, conds, interval '10 seconds') AS level
FROM (VALUES (timestamptz '2026-01-01 00:00:00+00', ARRAY[true, false]),
             (NULL, ARRAY[false, true]),
             ('2026-01-01 00:00:01+00', NULL),
             ('2026-01-01 00:00:02+00', ARRAY[NULL, true]::bool[])) v(ts, conds);
SELECT window_funnel(ts, conds, interval '10 seconds') IS NULL AS only_null_rows_is_null
FROM (VALUES (NULL::timestamptz, ARRAY[true])) v(ts, conds);
SELECT window_funnel(ts, ARRAY[true], interval '1 second') IS NULL AS empty_is_null
FROM (SELECT now() AS ts WHERE false) s;

-- Infinite timestamps: the window saturates instead of overflowing.
SELECT u, window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 day') AS level
FROM (VALUES (1, timestamptz 'infinity', 'a'), (1, 'infinity', 'b'),
             (2, '-infinity', 'a'), (2, '2026-01-01', 'b'),
             (3, '2026-01-01', 'a'), (3, 'infinity', 'b')) v(u, ts, e)
GROUP BY u ORDER BY u;

-- The investment funnel on demo data: one-shot (event-name form).
CREATE TABLE ev AS SELECT * FROM generate_demo_events(2000, 60, 1);
ANALYZE ev;
SELECT count(*) AS events, count(DISTINCT user_id) AS users FROM ev;
CREATE TABLE one_shot AS
SELECT (r).* FROM (
  SELECT unnest(funnel_step_rates(user_id, ts, event,
           ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'], interval '7 days')) AS r
  FROM ev) s;
SELECT step, name, users, round(rate_from_previous::numeric, 4) AS rate_prev,
       round(rate_from_first::numeric, 4) AS rate_first, round(ci_low::numeric, 4) AS ci_low,
       round(ci_high::numeric, 4) AS ci_high, round(median_seconds_from_previous::numeric, 1) AS median_s
FROM one_shot ORDER BY step;

-- Two-stage: window_funnel per user, then funnel_step_rates(level, names). Same users,
-- rates and intervals (medians are NULL in this form).
CREATE TABLE levels AS
SELECT user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest',
                                        event = 'click_submit', event = 'pay'], interval '7 days') AS level
FROM ev GROUP BY user_id;
CREATE TABLE two_stage AS
SELECT (r).* FROM (
  SELECT unnest(funnel_step_rates(level, ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'])) AS r
  FROM levels) s;
SELECT count(*) AS steps,
       bool_and(o.name = t.name AND o.users = t.users AND o.rate_from_previous = t.rate_from_previous
                AND o.rate_from_first IS NOT DISTINCT FROM t.rate_from_first
                AND o.ci_low = t.ci_low AND o.ci_high = t.ci_high) AS two_stage_equals_one_shot,
       bool_and(t.median_seconds_from_previous IS NULL) AS two_stage_medians_null
FROM one_shot o JOIN two_stage t USING (step);
SELECT level, count(*) FROM levels GROUP BY level ORDER BY level;

-- The conds form and text user ids give the same rows as the event-name form.
SELECT (SELECT array_agg(users ORDER BY step) FROM one_shot) AS event_form,
       (SELECT array_agg((r).users ORDER BY (r).step) FROM (
          SELECT unnest(funnel_step_rates(user_id, ts, ARRAY[event = 'view_list', event = 'view_detail',
                   event = 'click_invest', event = 'click_submit', event = 'pay'], interval '7 days')) r FROM ev) s) AS conds_form,
       (SELECT array_agg((r).users ORDER BY (r).step) FROM (
          SELECT unnest(funnel_step_rates('u' || user_id, ts, event,
                   ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'], interval '7 days')) r FROM ev) s) AS text_ids;
-- Default step names of the conds form, and the explicit-names and mode forms.
SELECT (r).step, (r).name, (r).users
FROM (SELECT unnest(funnel_step_rates(user_id, ts, ARRAY[event = 'view_list', event = 'pay'], interval '7 days')) r
      FROM ev) s ORDER BY 1;
SELECT (r).step, (r).name, (r).users
FROM (SELECT unnest(funnel_step_rates(user_id::text, ts, ARRAY[event = 'view_list', event = 'pay'], interval '7 days',
                                      ARRAY['list', 'paid'], 'strict_order')) r
      FROM ev) s ORDER BY 1;

-- Oracle in plain SQL for the users column (default mode): from each step-1 event, take the
-- earliest next-step event at or after the previous one and within 7 days of the anchor.
WITH e AS (SELECT user_id, ts, event FROM ev),
s1 AS (SELECT DISTINCT user_id, ts AS t1 FROM e WHERE event = 'view_list'),
s2 AS (SELECT s1.user_id, s1.t1, min(e.ts) AS t FROM s1 JOIN e ON e.user_id = s1.user_id AND e.event = 'view_detail'
         AND e.ts >= s1.t1 AND e.ts <= s1.t1 + interval '7 days' GROUP BY 1, 2),
s3 AS (SELECT s2.user_id, s2.t1, min(e.ts) AS t FROM s2 JOIN e ON e.user_id = s2.user_id AND e.event = 'click_invest'
         AND e.ts >= s2.t AND e.ts <= s2.t1 + interval '7 days' GROUP BY 1, 2),
s4 AS (SELECT s3.user_id, s3.t1, min(e.ts) AS t FROM s3 JOIN e ON e.user_id = s3.user_id AND e.event = 'click_submit'
         AND e.ts >= s3.t AND e.ts <= s3.t1 + interval '7 days' GROUP BY 1, 2),
s5 AS (SELECT s4.user_id, s4.t1, min(e.ts) AS t FROM s4 JOIN e ON e.user_id = s4.user_id AND e.event = 'pay'
         AND e.ts >= s4.t AND e.ts <= s4.t1 + interval '7 days' GROUP BY 1, 2)
SELECT ARRAY[(SELECT count(DISTINCT user_id) FROM s1), (SELECT count(DISTINCT user_id) FROM s2),
             (SELECT count(DISTINCT user_id) FROM s3), (SELECT count(DISTINCT user_id) FROM s4),
             (SELECT count(DISTINCT user_id) FROM s5)] AS oracle_users,
       (SELECT array_agg(users ORDER BY step) FROM one_shot) AS funnel_users;

-- Per-channel breakdown: GROUP BY channel, one-shot and two-stage agree per channel.
SELECT channel, (r).step, (r).users, round((r).rate_from_previous::numeric, 4) AS rate_prev
FROM (SELECT channel, unnest(funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'click_invest', 'pay'],
                                               interval '7 days')) r
      FROM ev GROUP BY channel) s
ORDER BY channel, 2;
CREATE FUNCTION rates(_pg_operations_internal.funnel_step[]) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT string_agg(format('%s/%s/%s/%s/%s/%s', s.step, s.users, s.rate_from_previous, s.rate_from_first,
                            s.ci_low, s.ci_high), ' ' ORDER BY s.step) FROM unnest($1) s $$;
SELECT count(*) AS channels, bool_and(rates(a) = rates(b)) AS one_shot_equals_two_stage,
       sum((SELECT users FROM unnest(a) WHERE step = 1)) AS users_step1
FROM (SELECT channel, funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'click_invest', 'pay'], interval '7 days') a
      FROM ev GROUP BY channel) x
JOIN (SELECT channel, funnel_step_rates(l, ARRAY['view_list', 'click_invest', 'pay']) b
      FROM (SELECT channel, user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'click_invest', event = 'pay'],
                                                   interval '7 days') l
            FROM ev GROUP BY channel, user_id) u
      GROUP BY channel) y USING (channel);

-- Forced parallel plan gives the same answers as a serial one.
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'view_detail', 'pay'], interval '7 days') FROM ev;
EXPLAIN (COSTS OFF)
SELECT window_funnel(ts, ARRAY[event = 'view_list', event = 'pay'], interval '7 days', 'strict_order') FROM ev;
CREATE TEMP TABLE par AS
SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'view_detail', 'pay'], interval '7 days') AS a,
       funnel_step_rates(user_id::text, ts, ARRAY[event = 'view_list', event = 'click_submit'], interval '1 day',
                         NULL, 'strict_order') AS b,
       window_funnel(ts, ARRAY[event = 'register', event = 'view_list', event = 'pay'], interval '180 days',
                     'strict_deduplication') AS c,
       funnel_step_rates(CASE WHEN user_id % 3 = 0 THEN 1 WHEN user_id % 3 = 1 THEN 0 ELSE 2 END,
                         ARRAY['x', 'y']) AS d
FROM ev;
SET max_parallel_workers_per_gather = 0;
SELECT p.a = s.a AS a_equal, p.b = s.b AS b_equal, p.c = s.c AS c_equal, p.d = s.d AS d_equal
FROM par p, (
  SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'view_detail', 'pay'], interval '7 days') AS a,
         funnel_step_rates(user_id::text, ts, ARRAY[event = 'view_list', event = 'click_submit'], interval '1 day',
                           NULL, 'strict_order') AS b,
         window_funnel(ts, ARRAY[event = 'register', event = 'view_list', event = 'pay'], interval '180 days',
                       'strict_deduplication') AS c,
         funnel_step_rates(CASE WHEN user_id % 3 = 0 THEN 1 WHEN user_id % 3 = 1 THEN 0 ELSE 2 END,
                           ARRAY['x', 'y']) AS d
  FROM ev) s;
RESET ALL;

-- The final step of a parallel plan runs on threads, one per process that scanned (at most
-- the cores; docs/funnels.md). On a time-ordered table large enough that the parts are
-- spread over segments and kept as their bytes, the answers equal the serial plan's.
CREATE TABLE thr_ev AS SELECT * FROM generate_demo_events(40000, 60, 7) ORDER BY ts;
ANALYZE thr_ev;
CREATE FUNCTION workers_launched(q text) RETURNS int LANGUAGE plpgsql AS $f$
DECLARE line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    IF line ~ 'Workers Launched' THEN RETURN substring(line FROM '[0-9]+')::int; END IF;
  END LOOP;
  RETURN 0;
END $f$;
CREATE FUNCTION thr_q() RETURNS text LANGUAGE sql AS $f$ SELECT $q$
SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'view_detail', 'click_invest', 'pay'],
                         interval '7 days') AS a,
       funnel_step_rates(user_id::text, ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'pay'],
                         interval '3 days', NULL, 'strict_order') AS b,
       funnel_report(user_id, ts, event, funnel_definition(interval '2 days',
                     steps => ARRAY['view_list', 'click_invest', 'pay'],
                     exclusions => '[{"event": "register", "from_step": 1, "to_step": 3}]')) AS c
FROM thr_ev $q$ $f$;
SELECT count(*) AS rows, count(DISTINCT user_id) AS users FROM thr_ev;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT workers_launched(thr_q()) AS workers_launched;
DO $d$ BEGIN EXECUTE 'CREATE TEMP TABLE thr_par AS ' || thr_q(); END $d$;
SET max_parallel_workers_per_gather = 0;
DO $d$ BEGIN EXECUTE 'CREATE TEMP TABLE thr_ser AS ' || thr_q(); END $d$;
SELECT p.a = s.a AS a_equal, p.b = s.b AS b_equal, p.c = s.c AS c_equal,
       (SELECT array_agg(users ORDER BY step) FROM unnest(s.a)) AS a_users,
       (SELECT array_agg(users ORDER BY step) FROM unnest(s.c)) AS c_users
FROM thr_par p, thr_ser s;
RESET ALL;

-- A typo guard: a step that no row matched gets a NOTICE naming it (event form: no row has
-- that event; conds form: the condition was never true), once per query when it ends, in a
-- serial and a parallel plan; the answer is unchanged (0 users from that step on). In a
-- breakdown (GROUP BY) only a step that no group matched is named, whether the groups are
-- hashed or sorted. As a window function nothing is said.
SELECT array_agg(users ORDER BY step) AS users
FROM unnest((SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'viewdetail', 'pay'],
                                      interval '7 days') FROM thr_ev));
SELECT array_agg(users ORDER BY step) AS users
FROM unnest((SELECT funnel_step_rates(user_id, ts, ARRAY[event = 'view_list', event = 'pay' AND amount < 0],
                                      interval '7 days', ARRAY['list', 'negative pay']) FROM thr_ev));
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT workers_launched($q$SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'Pay'],
                                      interval '7 days') FROM thr_ev$q$) AS workers_launched;
SELECT array_agg(users ORDER BY step) AS users
FROM unnest((SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'Pay'],
                                      interval '7 days') FROM thr_ev));
RESET ALL;
SELECT count(*) AS rows, count(DISTINCT r) AS distinct_results
FROM (SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'viewdetail'], interval '7 days')
               OVER (ORDER BY ts, user_id) AS r
      FROM thr_ev WHERE user_id <= 5) w;
SELECT channel, (funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'viewdetial', 'pay'],
                                   interval '7 days'))[3].users AS pay
FROM thr_ev WHERE channel <> 'social' OR event <> 'pay' GROUP BY channel ORDER BY channel;
SET enable_hashagg = off;
SELECT channel, (funnel_report(user_id, ts, event, funnel_definition(interval '7 days',
                   steps => ARRAY['view_list', 'pay'],
                   exclusions => '[{"event": "redeem"}, {"event": "uninstall"}]')))[2].users AS pay
FROM thr_ev WHERE channel <> 'social' OR event <> 'pay' GROUP BY channel ORDER BY channel;
RESET enable_hashagg;

-- The per-user aggregates under a definition have the same guard, over all users: a step or
-- exclusion no user's row matched is named once; a step some users lack is not.
SET max_parallel_workers_per_gather = 0;
SELECT count(l) AS users, sum(l) AS levels
FROM (SELECT user_id, funnel_level(ts, event, funnel_definition(interval '7 days',
                        steps => ARRAY['view_list', 'click_invest', 'payy'],
                        exclusions => '[{"event": "uninstall", "from_step": 1}]')) AS l
      FROM thr_ev GROUP BY user_id) s;
SET enable_hashagg = off;
SELECT count(l) AS users, count(*) FILTER (WHERE (l).level = 3) AS reached_pay
FROM (SELECT user_id, funnel_path(ts, event, funnel_definition(interval '7 days',
                        steps => ARRAY['view_list', 'click_invest', 'pay'])) AS l
      FROM thr_ev GROUP BY user_id) s;
RESET enable_hashagg;
SELECT count(*) AS rows
FROM (SELECT funnel_level(ts, event, funnel_definition(interval '7 days', steps => ARRAY['view_list', 'payy']))
               OVER (PARTITION BY user_id ORDER BY ts) AS l
      FROM thr_ev WHERE user_id <= 5) w;
-- A query that stops before its aggregate returned every group (a LIMIT) says nothing: the
-- groups it never finalized may hold the step. Here only user 2 has a 'b'.
SET enable_hashagg = off;
SELECT u, funnel_level(ts, e, funnel_definition(interval '1 day', steps => ARRAY['a', 'b'])) AS l
FROM (VALUES (1, timestamptz '2026-01-01', 'a'), (2, '2026-01-01', 'a'), (2, '2026-01-01 01:00', 'b')) v(u, ts, e)
GROUP BY u ORDER BY u LIMIT 1;
SELECT u, funnel_level(ts, e, funnel_definition(interval '1 day', steps => ARRAY['a', 'zz'])) AS l
FROM (VALUES (1, timestamptz '2026-01-01', 'a'), (2, '2026-01-01', 'a'), (2, '2026-01-01 01:00', 'b')) v(u, ts, e)
GROUP BY u ORDER BY u;
-- Nor does a correlated subquery, which reruns the aggregate over other rows for each outer
-- row (and any of those runs may stop early).
SELECT c.ch, (SELECT (funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'qq'], interval '1 day'))[1].users
              FROM thr_ev WHERE thr_ev.channel = c.ch) AS users
FROM (VALUES ('social'), ('partner')) c(ch);
RESET enable_hashagg;
RESET max_parallel_workers_per_gather;
-- In a parallel plan the leader's final step reads partial states, which carry no names:
-- it takes them from the constant definition of the Partial Aggregate below it (each of two
-- calls its own), and gives the number alone when the definition is a parameter of a
-- generic plan.
CREATE FUNCTION plan_has(q text, what text) RETURNS bool LANGUAGE plpgsql AS $f$
DECLARE line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    IF line ~ what THEN RETURN true; END IF;
  END LOOP;
  RETURN false;
END $f$;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT plan_has($q$SELECT count(l) FROM (SELECT user_id, funnel_level(ts, event, funnel_definition(interval '7 days', steps => ARRAY['view_list', 'payy'])) AS l FROM thr_ev GROUP BY user_id) s$q$,
                'Partial') AS partial_plan;
SELECT count(l) AS users, count(l2) AS users2
FROM (SELECT user_id,
             funnel_level(ts, event, funnel_definition(interval '7 days', steps => ARRAY['view_list', 'payy'])) AS l,
             funnel_level(ts, event, funnel_definition(interval '7 days', steps => ARRAY['view_list', 'pay', 'sumbit'])) AS l2
      FROM thr_ev GROUP BY user_id) s;
PREPARE typo(text) AS
SELECT count(l) AS users
FROM (SELECT user_id, funnel_level(ts, event, funnel_definition(interval '7 days', steps => ARRAY['view_list', $1])) AS l
      FROM thr_ev GROUP BY user_id) s;
SET plan_cache_mode = force_generic_plan;
EXECUTE typo('payy');
DEALLOCATE typo;
RESET ALL;

-- Empty input gives NULL; a two-stage group of NULL levels too.
SELECT funnel_step_rates(user_id, ts, event, ARRAY['a'], interval '1 day') IS NULL AS empty_is_null
FROM ev WHERE false;
SELECT funnel_step_rates(NULL::int, ARRAY['a']) IS NULL AS null_levels_is_null;
-- A user whose rows match no step still counts in the population (rate of step 1 = 1/2).
SELECT (r).step, (r).users, (r).rate_from_previous, (r).rate_from_first
FROM (SELECT unnest(funnel_step_rates(u, ts, e, ARRAY['a', 'b'], interval '1 hour')) r
      FROM (VALUES (1, timestamptz '2026-01-01', 'a'), (2, '2026-01-01', 'zzz'), (3, NULL, 'a'),
                   (NULL, '2026-01-01', 'a'), (4, '2026-01-01', NULL)) v(u, ts, e)) s ORDER BY 1;

-- Two-stage over users with no usable row: their NULL level is skipped, as the one-shot
-- form skips them.
SELECT (r).step, (r).users
FROM (SELECT unnest(funnel_step_rates(l, ARRAY['a', 'b'])) r
      FROM (SELECT u, window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour') l
            FROM (VALUES (1, timestamptz '2026-01-01', 'a'), (2, '2026-01-01', 'zzz'), (3, NULL, 'a'))
                 v(u, ts, e) GROUP BY u) s) s ORDER BY 1;

-- Bad input: each error has its SQLSTATE and names the offending value.
SELECT window_funnel(now(), array_fill(true, ARRAY[65]), interval '1 day');
SELECT window_funnel(now(), array_fill(true, ARRAY[64]), interval '1 day') AS sixty_four_steps_ok;
SELECT window_funnel(now(), ARRAY[true], interval '0 seconds');
SELECT window_funnel(now(), ARRAY[true], interval '-1 day');
SELECT window_funnel(now(), ARRAY[true], interval '1 month -30 days');
SELECT window_funnel(now(), ARRAY[true], NULL::interval);
SELECT window_funnel(now(), ARRAY[true], interval '1 day', 'strict');
SELECT window_funnel(now(), ARRAY[true], interval '1 day', NULL);
SELECT window_funnel(now(), ARRAY[]::bool[], interval '1 day');
SELECT window_funnel(ts, conds, interval '1 day')
FROM (VALUES (timestamptz '2026-01-01', ARRAY[true, false, true]), ('2026-01-02', ARRAY[true, false])) v(ts, conds);
SELECT funnel_step_rates(l, ARRAY['a', 'b']) FROM (VALUES (0), (2), (3)) v(l);
SELECT funnel_step_rates(l, ARRAY['a', 'b']) FROM (VALUES (-1)) v(l);
SELECT funnel_step_rates(l, ARRAY['a', NULL]) FROM (VALUES (1)) v(l);
SELECT funnel_step_rates(1, now(), ARRAY[true, false], interval '1 day', ARRAY['only one']);
SELECT funnel_step_rates(1, now(), 'a', ARRAY['a', NULL], interval '1 day');
SELECT funnel_step_rates(1, now(), 'a', ARRAY['a'], interval '1 day', 'strict_ordr');
SELECT 1 AS still_alive;

-- Collations (docs/funnels.md): the one-shot form compares user ids and event names byte
-- for byte; GROUP BY follows a nondeterministic collation. With the keys normalised by
-- lower(), the one-shot and the two-stage forms agree.
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE ci_ev (u text COLLATE ci, ts timestamptz, e text COLLATE ci);
INSERT INTO ci_ev VALUES ('U1', '2026-01-01 00:00+00', 'view'), ('u1', '2026-01-01 00:05+00', 'PAY'),
                         ('u2', '2026-01-01 00:00+00', 'view'), ('u3', '2026-01-01 00:00+00', 'View'),
                         ('U3', '2026-01-01 00:01+00', 'pay');
-- byte for byte: U1/u1 and u3/U3 are four users, 'PAY' and 'View' match no step
SELECT s.step, s.users FROM (SELECT funnel_step_rates(u, ts, e, ARRAY['view', 'pay'], '1 day') r FROM ci_ev) f,
       unnest(f.r) s ORDER BY s.step;
-- GROUP BY under the collation: three users
SELECT count(*) AS users FROM (SELECT u FROM ci_ev GROUP BY u) g;
-- normalised: one-shot == two-stage (3 users, 2 reach pay)
SELECT (SELECT array_agg(s.users ORDER BY s.step)
        FROM (SELECT funnel_step_rates(lower(u), ts, lower(e), ARRAY['view', 'pay'], '1 day') r FROM ci_ev) f,
             unnest(f.r) s) AS one_shot,
       (SELECT array_agg(s.users ORDER BY s.step)
        FROM (SELECT funnel_step_rates(l, ARRAY['view', 'pay']) r
              FROM (SELECT lower(u), window_funnel(ts, ARRAY[lower(e) = 'view', lower(e) = 'pay'], '1 day') l
                    FROM ci_ev GROUP BY lower(u)) w) f,
             unnest(f.r) s) AS two_stage;

-- Pooled per-user states: under GROUP BY, a group of window_funnel, or of funnel_level with
-- a constant definition, keeps its rows in one buffer per call site and memory context. Every
-- way of running them must give the levels of a state per group, which the window-function
-- form keeps (a window's state is finalized while rows still come, so it is never pooled).
CREATE TABLE pool_ev AS SELECT * FROM ev ORDER BY ts;
CREATE TABLE pool_ref AS
SELECT DISTINCT user_id,
       window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'pay'], '3 days') OVER w AS wf,
       funnel_level(ts, event, funnel_definition('3 days', steps => '{view_list,view_detail,click_invest,pay}')) OVER w AS fl,
       funnel_level(ts, event, funnel_definition('1 day', steps => '{view_list,click_submit,pay}', mode => 'strict_order')) OVER w AS fl_strict
FROM pool_ev WINDOW w AS (PARTITION BY user_id);
-- the reference is not trivial: levels 1..4 all occur
SELECT fl, count(*) AS users FROM pool_ref GROUP BY fl ORDER BY fl;
CREATE FUNCTION pool_diff(q text) RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM ((SELECT user_id, wf, fl, fl_strict FROM pool_ref EXCEPT ALL SELECT * FROM (%1$s) a)
                    UNION ALL (SELECT * FROM (%1$s) b EXCEPT ALL SELECT user_id, wf, fl, fl_strict FROM pool_ref)) d', q) INTO n;
    RETURN n;
END $f$;
-- The reference's three aggregates over src, grouped by grp (fl's definition: def).
CREATE FUNCTION pool_q(src text, grp text DEFAULT 'user_id',
                       def text DEFAULT $$funnel_definition('3 days', steps => '{view_list,view_detail,click_invest,pay}')$$)
RETURNS text LANGUAGE sql AS $f$
SELECT format($q$SELECT user_id,
       window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'pay'], '3 days') AS wf,
       funnel_level(ts, event, %s) AS fl,
       funnel_level(ts, event, funnel_definition('1 day', steps => '{view_list,click_submit,pay}', mode => 'strict_order')) AS fl_strict
FROM %s GROUP BY %s$q$, def, src, grp)
$f$;
CREATE FUNCTION pool_explain(q text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
DECLARE l text;
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        IF l ~ 'Aggregate|Gather|Workers Launched' THEN
            RETURN NEXT regexp_replace(l, '\s*\(actual.*\)', '');
        END IF;
    END LOOP;
END $f$;
-- hash aggregate (one pool per call site for all groups; three call sites in one context)
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT user_id, funnel_level(ts, event, funnel_definition('3 days', steps => '{view_list,pay}')) FROM pool_ev GROUP BY user_id;
SELECT pool_diff(pool_q('pool_ev')) AS hashed_differences;
-- the same rows in another order (each user's rows out of time order)
SELECT pool_diff(pool_q('(SELECT * FROM pool_ev ORDER BY md5(ts::text || event) OFFSET 0) p')) AS shuffled_differences;
-- sorted group aggregate (each group's context is reset after it: one pool per group)
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT user_id, funnel_level(ts, event, funnel_definition('3 days', steps => '{view_list,pay}')) FROM pool_ev GROUP BY user_id;
SELECT pool_diff(pool_q('pool_ev')) AS sorted_differences;
RESET enable_hashagg;
-- grouping sets: the per-user rows and the all-rows group from the same pools
SELECT pool_diff(format('SELECT * FROM (%s) g WHERE user_id IS NOT NULL',
                        pool_q('pool_ev', 'GROUPING SETS ((user_id), ())'))) AS grouping_sets_differences;
SELECT (SELECT fl FROM (SELECT user_id, funnel_level(ts, event, funnel_definition('3 days', steps => '{view_list,view_detail,click_invest,pay}')) AS fl
                        FROM pool_ev GROUP BY GROUPING SETS ((user_id), ())) g WHERE user_id IS NULL)
     = (SELECT DISTINCT funnel_level(ts, event, funnel_definition('3 days', steps => '{view_list,view_detail,click_invest,pay}')) OVER ()
        FROM pool_ev) AS all_rows_group_agrees;
-- a definition that is not a constant (one state per group, as before) gives the same levels
SELECT pool_diff(pool_q('pool_ev', 'user_id',
    $$funnel_definition(interval '3 days' + (length(event) - length(event)) * interval '1 s', steps => '{view_list,view_detail,click_invest,pay}')$$))
  AS per_row_definition_differences;
-- a parallel plan: each process pools its groups and sends their rows; the leader pools what
-- it receives and merges a user's parts (a union in its pool) before evaluating
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT * FROM pool_explain(pool_q('pool_ev'));
SELECT pool_diff(pool_q('pool_ev')) AS parallel_differences;
-- more than 32 steps and exclusions together do not fit a pooled row's bits: such groups
-- keep states of their own (34 steps, the last 30 never reached: the 4-step levels)
CREATE FUNCTION wide_diff() RETURNS bigint LANGUAGE sql AS $f$
SELECT count(*) FROM (SELECT user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'pay']
                                                       || array_fill(false, ARRAY[30]), '3 days') AS wf
                      FROM pool_ev GROUP BY user_id) a FULL JOIN pool_ref r USING (user_id)
WHERE a.wf IS DISTINCT FROM r.wf
$f$;
SELECT wide_diff() AS wide_parallel_differences;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;
SELECT wide_diff() AS wide_differences;
-- a per-row definition that differs within a group is still an error
SELECT funnel_level(ts, event, funnel_definition(CASE WHEN event = 'pay' THEN interval '1 day' ELSE interval '2 days' END, steps => '{view_list,pay}'))
FROM pool_ev GROUP BY user_id;
RESET max_parallel_workers_per_gather;
