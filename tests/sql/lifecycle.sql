-- Lifecycle: lifecycle_stage (scalar and aggregates) and lifecycle_code.
CREATE EXTENSION pg_operations;
SET timezone = 'UTC';

-- Scalar at every boundary: a second before, on, and a second after each threshold, from a
-- fixed as_of (defaults: new 90, dead 30, dormant 30, churn 90, lost 360 days).
CREATE TABLE probe AS SELECT '2026-06-30 00:00:00+00'::timestamptz AS as_of;
-- dead_days: never converted; idle > 30 days is dead (from last activity, or registration).
SELECT d.off, lifecycle_stage(as_of - interval '200 days', NULL, as_of - interval '30 days' + d.off, as_of) AS from_last_active,
       lifecycle_stage(as_of - interval '30 days' + d.off, NULL, NULL, as_of) AS from_registration
FROM probe, (VALUES (interval '1 second'), (interval '0'), (interval '-1 second')) d(off)
ORDER BY d.off DESC;
-- new_days: converted and registered at most 90 days ago is new (however idle since).
SELECT d.off, lifecycle_stage(as_of - interval '90 days' + d.off, as_of - interval '80 days', as_of - interval '80 days', as_of) AS stage
FROM probe, (VALUES (interval '1 second'), (interval '0'), (interval '-1 second')) d(off)
ORDER BY d.off DESC;
-- dormant_days / churn_days / lost_days: converted long ago, by idle time since last activity.
SELECT b.days, d.off,
       lifecycle_stage(as_of - interval '1000 days', as_of - interval '999 days',
                       as_of - b.days * interval '1 day' + d.off, as_of) AS stage
FROM probe, (VALUES (30), (90), (360)) b(days),
     (VALUES (interval '1 second'), (interval '0'), (interval '-1 second')) d(off)
ORDER BY b.days, d.off DESC;
-- The same boundaries with other thresholds, by name.
SELECT d.days, lifecycle_stage(as_of - interval '1000 days', as_of - interval '999 days',
                               as_of - d.days * interval '1 day', as_of,
                               dormant_days => 7, churn_days => 14, lost_days => 28) AS stage
FROM probe, generate_series(6, 29) d(days) WHERE d.days IN (6, 7, 8, 14, 15, 28, 29)
ORDER BY d.days;

-- Rule order (first match wins).
SELECT label, stage FROM probe, LATERAL (VALUES
  ('never converted, idle 31 days, registered 31 days ago: dead before new',
   lifecycle_stage(as_of - interval '31 days', NULL, NULL, as_of)),
  ('never converted, active yesterday, registered 500 days ago: registered',
   lifecycle_stage(as_of - interval '500 days', NULL, as_of - interval '1 day', as_of)),
  ('converted, registered 10 days ago, idle 9 days: new before active',
   lifecycle_stage(as_of - interval '10 days', as_of - interval '9 days', NULL, as_of)),
  ('converted, registered 89 days ago, idle 89 days: new before dormant',
   lifecycle_stage(as_of - interval '89 days', as_of - interval '89 days', NULL, as_of)),
  ('converted 5 days ago, last_active NULL: the conversion is activity',
   lifecycle_stage(as_of - interval '400 days', as_of - interval '5 days', NULL, as_of)),
  ('converted 5 days ago, last_active 100 days ago: latest of both',
   lifecycle_stage(as_of - interval '400 days', as_of - interval '5 days', as_of - interval '100 days', as_of)),
  ('conversion after as_of has not happened yet: never converted',
   lifecycle_stage(as_of - interval '400 days', as_of + interval '1 day', as_of - interval '1 day', as_of)),
  ('last activity after as_of is ignored',
   lifecycle_stage(as_of - interval '400 days', as_of - interval '399 days', as_of + interval '1 day', as_of)),
  ('registered after as_of: not a user yet',
   lifecycle_stage(as_of + interval '1 second', NULL, NULL, as_of)),
  ('registered exactly at as_of',
   lifecycle_stage(as_of, NULL, NULL, as_of))
) v(label, stage);

-- Named arguments, in any order; defaults for the rest.
SELECT lifecycle_stage(r, f, l, as_of, churn_days => 60) AS churn_60,
       lifecycle_stage(r, f, l, as_of) AS churn_90,
       lifecycle_stage(registered_at => r, first_conversion_at => f, last_active_at => l,
                       as_of => as_of, lost_days => 70, churn_days => 61) AS lost_70,
       lifecycle_stage(r, f, l, as_of, 90, 30, 30, 60, 360) AS positional
FROM probe, LATERAL (SELECT as_of - interval '400 days' r, as_of - interval '399 days' f,
                            as_of - interval '65 days' l) s;

-- NULLs: first_conversion_at / last_active_at NULL mean never; NULL registered_at, as_of or a
-- threshold gives NULL.
SELECT lifecycle_stage(NULL, NULL, NULL, as_of) IS NULL AS null_registered,
       lifecycle_stage(as_of, NULL, NULL, NULL) IS NULL AS null_as_of,
       lifecycle_stage(as_of, NULL, NULL, as_of, new_days => NULL) IS NULL AS null_days,
       lifecycle_stage(as_of - interval '1 day', NULL, NULL, as_of) AS never_anything
FROM probe;

-- Errors: 22023 naming the values.
SELECT lifecycle_stage('2026-03-01', NULL, '2026-02-01', '2026-06-30');
SELECT lifecycle_stage('2026-03-01', '2026-02-28 23:59:59', NULL, '2026-06-30');
SELECT lifecycle_stage('2026-03-01', NULL, NULL, '2026-06-30', dormant_days => 90);
SELECT lifecycle_stage('2026-03-01', NULL, NULL, '2026-06-30', churn_days => 400);
SELECT lifecycle_stage('2026-03-01', NULL, NULL, '2026-06-30', new_days => -1);
SELECT lifecycle_stage('2026-03-01', NULL, NULL, '2026-06-30', dead_days => -5);
SELECT lifecycle_stage('2026-03-01', NULL, NULL, 'infinity');
SELECT lifecycle_stage('-infinity', NULL, NULL, '2026-06-30');

-- lifecycle_code for every stage; unknown names are an error listing the names.
SELECT stage, lifecycle_code(stage) AS code
FROM unnest(ARRAY['registered', 'dead', 'new', 'active', 'dormant', 'churned', 'lost', 'reactivated']) stage;
SELECT lifecycle_code(NULL) IS NULL AS null_is_null;
SELECT lifecycle_code('Active');
SELECT lifecycle_code('');

-- Aggregate: hand-worked cases with reactivation (as_of 2026-06-30, default days).
CREATE TABLE ev(user_id int, ts timestamptz, converted bool);
INSERT INTO ev VALUES
  -- 1: registered and converted 400 days ago, back 5 days ago after a 395-day gap: reactivated
  (1, '2025-05-26', true), (1, '2026-06-25', false),
  -- 2: the conversion is the returning event itself: reactivated
  (2, '2025-05-26', false), (2, '2026-06-25', true),
  -- 3: never converted: the gap does not matter, active recently → registered
  (3, '2025-05-26', false), (3, '2026-06-25', false),
  -- 4: gap exactly 90 days (= churn_days) before the last event: active, not reactivated
  (4, '2025-01-01', true), (4, '2026-03-22', false), (4, '2026-06-20', false),
  -- 5: gap 90 days + 1 second: reactivated
  (5, '2025-01-01', true), (5, '2026-03-21 23:59:59', false), (5, '2026-06-20', false),
  -- 6: back exactly 30 days (= dormant_days) before as_of: reactivated; 7: a second earlier: dormant
  (6, '2025-01-01', true), (6, '2026-05-31', false),
  (7, '2025-01-01', true), (7, '2026-05-30 23:59:59', false),
  -- 8: duplicates of the latest timestamp: the gap is to the previous distinct event
  (8, '2025-01-01', true), (8, '2026-06-29', false), (8, '2026-06-29', false), (8, '2026-06-29', true),
  -- 9: a recent event before the latest closes the gap: active
  (9, '2025-01-01', true), (9, '2026-06-27', false), (9, '2026-06-29', false),
  -- 10: registered 60 days ago, converted, a 50-day gap: new wins
  (10, '2026-05-01', true), (10, '2026-06-29', false),
  -- 11: events after as_of have not happened yet: lost
  (11, '2025-01-01', true), (11, '2026-07-01', false),
  -- 12: every event after as_of: NULL
  (12, '2026-07-01', true),
  -- 13: NULL ts skipped, NULL converted = false: dead
  (13, '2026-01-01', NULL), (13, NULL, true);
SELECT user_id, lifecycle_stage(ts, converted, '2026-06-30') AS stage,
       lifecycle_code(lifecycle_stage(ts, converted, '2026-06-30')) AS code
FROM ev GROUP BY user_id ORDER BY user_id;
-- 8-argument form: with churn_days 30 (lost 60), user 9's 2-day gap still is no return,
-- user 4's 90-day gap now is.
SELECT user_id, lifecycle_stage(ts, converted, '2026-06-30', 90, 30, 7, 30, 60) AS stage
FROM ev WHERE user_id IN (4, 7, 9) GROUP BY user_id ORDER BY user_id;
-- Unsorted input: the same stages whatever the order rows arrive in.
SELECT count(*) AS users,
       count(*) FILTER (WHERE a IS NOT DISTINCT FROM b AND a IS NOT DISTINCT FROM c) AS same
FROM (SELECT user_id,
             lifecycle_stage(ts, converted, '2026-06-30' ORDER BY ts) a,
             lifecycle_stage(ts, converted, '2026-06-30' ORDER BY ts DESC) b,
             lifecycle_stage(ts, converted, '2026-06-30' ORDER BY md5(ts::text || converted::text)) c
      FROM ev GROUP BY user_id) s;
-- Aggregate errors.
SELECT lifecycle_stage(ts, converted, NULL) FROM ev WHERE user_id = 1;
SELECT lifecycle_stage(ts, converted, '2026-06-30', 90, 30, 30, 30, 360) FROM ev WHERE user_id = 1;
SELECT lifecycle_stage(ts, converted, '2026-06-30', 90, 30, NULL, 90, 360) FROM ev WHERE user_id = 1;
SELECT lifecycle_stage(ts, converted, '2026-06-30', -1, 30, 30, 90, 360) FROM ev WHERE user_id = 1;
SELECT lifecycle_stage(ts, converted, '2026-06-30'::timestamptz + (user_id || ' days')::interval) FROM ev;
SELECT lifecycle_stage(ts, converted, 'infinity') FROM ev;
-- Nothing but NULL ts: NULL without looking at as_of.
SELECT lifecycle_stage(NULL::timestamptz, true, NULL) IS NULL AS all_null_ts;

-- Aggregate vs scalar on generated users without reactivation (events at most 60 days
-- apart, so no gap exceeds churn_days). Oracle: min/max in plain SQL, then the scalar.
CREATE TABLE gen AS
SELECT u AS user_id,
       '2025-01-01'::timestamptz + ((u * 7919 + k * 104729) % 12000) * interval '1 hour'
         + (u % 13) * interval '1 minute' AS ts,
       (u * 31 + k * 17) % 11 = 0 AS converted
FROM generate_series(1, 3000) u, generate_series(1, (u % 9) + 1) k;
-- close the gaps: add an event every 60 days between each user's first and last event
INSERT INTO gen
SELECT user_id, t, false
FROM (SELECT user_id, min(ts) lo, max(ts) hi FROM gen GROUP BY user_id) s,
     LATERAL generate_series(lo, hi, interval '60 days') t;
SELECT max(gap) <= interval '90 days' AS no_long_gaps
FROM (SELECT ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) gap FROM gen) s;
WITH as_ofs(as_of) AS (VALUES ('2026-06-30'::timestamptz), ('2025-12-01'), ('2025-06-15 12:00'), ('2025-03-01'))
SELECT a.as_of, count(*) AS users, count(*) FILTER (WHERE agg IS NOT DISTINCT FROM scalar) AS agree,
       count(*) FILTER (WHERE agg IS NULL) AS not_yet_registered
FROM as_ofs a CROSS JOIN LATERAL (
    SELECT user_id, lifecycle_stage(ts, converted, a.as_of) AS agg,
           lifecycle_stage(min(ts) FILTER (WHERE ts <= a.as_of),
                           min(ts) FILTER (WHERE converted AND ts <= a.as_of),
                           max(ts) FILTER (WHERE ts <= a.as_of), a.as_of) AS scalar
    FROM gen GROUP BY user_id) s
GROUP BY a.as_of ORDER BY a.as_of;
-- Stages with other days (8-argument aggregate) and agreement with the scalar on them.
SELECT stage, count(*) AS users
FROM (SELECT lifecycle_stage(ts, converted, '2025-12-01', 60, 20, 20, 90, 200) AS stage
      FROM gen GROUP BY user_id) s
GROUP BY stage ORDER BY stage;
SELECT count(*) AS users,
       count(*) FILTER (WHERE agg IS NOT DISTINCT FROM scalar) AS agree_custom_days
FROM (SELECT user_id, lifecycle_stage(ts, converted, '2025-12-01', 60, 20, 20, 90, 200) AS agg,
             lifecycle_stage(min(ts) FILTER (WHERE ts <= '2025-12-01'),
                             min(ts) FILTER (WHERE converted AND ts <= '2025-12-01'),
                             max(ts) FILTER (WHERE ts <= '2025-12-01'), '2025-12-01', 60, 20, 20, 90, 200) AS scalar
      FROM gen GROUP BY user_id) s;

-- Forced parallel plan (partial states combined per user, and over the whole table) equals serial.
CREATE TABLE big AS SELECT * FROM generate_demo_events(4000, 180, 7);
ANALYZE big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT user_id, lifecycle_stage(ts, event = 'pay', '2026-06-30') FROM big GROUP BY user_id;
CREATE TEMP TABLE par AS
SELECT user_id, lifecycle_stage(ts, event = 'pay', '2026-06-30') AS stage,
       lifecycle_stage(ts, event = 'pay', '2026-04-01', 30, 14, 14, 45, 120) AS stage2
FROM big GROUP BY user_id;
CREATE TEMP TABLE par_all AS
SELECT lifecycle_stage(ts, event = 'pay', '2026-06-30') AS a, lifecycle_stage(ts, event = 'redeem', '2026-03-01') AS b
FROM big;
RESET ALL;
SET timezone = 'UTC';
SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS users,
       count(*) FILTER (WHERE p.stage IS NOT DISTINCT FROM s.stage AND p.stage2 IS NOT DISTINCT FROM s.stage2) AS parallel_equals_serial
FROM par p FULL JOIN (
    SELECT user_id, lifecycle_stage(ts, event = 'pay', '2026-06-30') AS stage,
           lifecycle_stage(ts, event = 'pay', '2026-04-01', 30, 14, 14, 45, 120) AS stage2
    FROM big GROUP BY user_id) s USING (user_id);
SELECT (SELECT (a, b) FROM par_all) = (lifecycle_stage(ts, event = 'pay', '2026-06-30'),
                                        lifecycle_stage(ts, event = 'redeem', '2026-03-01')) AS whole_table_same
FROM big;
RESET max_parallel_workers_per_gather;

-- Demo data: stages per user, and reactivated users are exactly converted, not-new users whose
-- last event ended a gap > 90 days and is within 30 days of as_of (checked in plain SQL).
WITH u AS (SELECT user_id, lifecycle_stage(ts, event = 'pay', '2026-06-30') AS stage FROM big GROUP BY user_id)
SELECT stage, lifecycle_code(stage) AS code, count(*) AS users FROM u GROUP BY stage ORDER BY stage;
WITH d AS (SELECT DISTINCT user_id, ts, bool_or(event = 'pay') OVER (PARTITION BY user_id) AS converted,
                  min(ts) OVER (PARTITION BY user_id) AS registered
           FROM big WHERE ts <= '2026-06-30'),
g AS (SELECT user_id, ts, converted, registered, ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) AS gap,
             row_number() OVER (PARTITION BY user_id ORDER BY ts DESC) AS rn FROM d),
oracle AS (SELECT user_id FROM g WHERE rn = 1 AND converted AND gap > interval '90 days'
             AND '2026-06-30' - ts <= interval '30 days' AND '2026-06-30' - registered > interval '90 days')
SELECT (SELECT count(*) FROM oracle) AS oracle_reactivated,
       (SELECT count(*) FROM par WHERE stage = 'reactivated') AS reactivated,
       (SELECT count(*) FROM par JOIN oracle USING (user_id) WHERE stage = 'reactivated') AS both;

-- Old-user matrix: lifecycle code × value score (1-5 by total paid amount, ntile in plain SQL),
-- paying users not in the 'new' stage.
WITH u AS (
    SELECT user_id, lifecycle_stage(ts, event = 'pay', '2026-06-30') AS stage,
           sum(amount) FILTER (WHERE event = 'pay') AS paid
    FROM big GROUP BY user_id
), scored AS (
    SELECT user_id, lifecycle_code(stage) AS code, ntile(5) OVER (ORDER BY paid, user_id) AS score
    FROM u WHERE paid > 0 AND stage <> 'new'
)
SELECT code,
       count(*) FILTER (WHERE score = 1) AS "1", count(*) FILTER (WHERE score = 2) AS "2",
       count(*) FILTER (WHERE score = 3) AS "3", count(*) FILTER (WHERE score = 4) AS "4",
       count(*) FILTER (WHERE score = 5) AS "5", count(*) AS total
FROM scored GROUP BY code ORDER BY code;
-- The same as cells such as 'B4'.
WITH u AS (
    SELECT user_id, lifecycle_stage(ts, event = 'pay', '2026-06-30') AS stage,
           sum(amount) FILTER (WHERE event = 'pay') AS paid
    FROM big GROUP BY user_id
), scored AS (
    SELECT lifecycle_code(stage) || ntile(5) OVER (ORDER BY paid, user_id) AS cell
    FROM u WHERE paid > 0 AND stage <> 'new'
)
SELECT string_agg(cell || ':' || n, ' ' ORDER BY cell) AS cells
FROM (SELECT cell, count(*) AS n FROM scored GROUP BY cell) s;

-- As a window aggregate (the state lives in the window's aggregate context). Running frame:
-- lost (one converted event 545 days before as_of), lost (last activity 514 days ago),
-- reactivated (509-day gap, 5 days ago). Moving frame of 2 rows: the third row no longer sees
-- the conversion, so it is registered (never converted, active 5 days ago).
SELECT ts::date,
       lifecycle_stage(ts, c, '2026-06-30') OVER (ORDER BY ts) AS running,
       lifecycle_stage(ts, c, '2026-06-30') OVER (ORDER BY ts ROWS 1 PRECEDING) AS moving
FROM (VALUES ('2025-01-01'::timestamptz, true), ('2025-02-01', false), ('2026-06-25', false)) v(ts, c);
