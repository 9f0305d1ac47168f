-- Retention, activity and lifecycle counts on hand-worked data (the 32-combination matrix
-- oracle, chdb and the parallel checks are in tests/py/test_retention_oracle.py and
-- tests/sql/parallel.sql).
CREATE EXTENSION pg_operations;
SET TimeZone = 'UTC';
CREATE TABLE ev (u bigint, ts timestamptz, e text);
INSERT INTO ev VALUES
  -- u1: registers Mon Jan 5 2026, views on Jan 6 (day 1) and Jan 14 (week 1), pays Jan 14
  (1, '2026-01-05 10:00', 'register'), (1, '2026-01-06 09:00', 'view'), (1, '2026-01-14 12:00', 'view'),
  (1, '2026-01-14 12:05', 'pay'),
  -- u2: registers Jan 5, views only BEFORE registering (never counts), and on Jan 5 later
  (2, '2026-01-04 23:00', 'view'), (2, '2026-01-05 11:00', 'register'), (2, '2026-01-05 18:00', 'view'),
  -- u3: registers Sun Jan 11 (same ISO week as Jan 5), returns Jan 12 (next week), Feb 2
  (3, '2026-01-11 08:00', 'register'), (3, '2026-01-12 08:00', 'view'), (3, '2026-02-02 08:00', 'view'),
  -- u4: registers Jan 12, never returns; u5: never registers
  (4, '2026-01-12 10:00', 'register'), (5, '2026-01-13 10:00', 'view');

-- retention(conds): r[1] registered, r[2] registered and viewed, r[3] registered and paid
SELECT u, retention(ARRAY[e = 'register', e = 'view', e = 'pay']) FROM ev GROUP BY u ORDER BY u;
SELECT retention(ARRAY[e = 'register']) FROM ev WHERE false;
SELECT retention(ARRAY[NULL::bool, true]);
SELECT retention(c) FROM (VALUES (ARRAY[true, false]), (NULL), (ARRAY[false, true])) v(c);

-- weekly cohorts of registrations, return = view; as_of Jan 21 cuts the week of Jan 19
--   week Jan 5: u1 (views Jan 6 = week 0, Jan 14 = week 1), u2 (Jan 5 18:00 = week 0), u3 (Jan 12 = week 1, Feb 2 = after as_of)
--   week Jan 12: u4 (no return)
SELECT c.* FROM (SELECT retention_matrix(u, ts, e = 'register', e = 'view',
                        retention_definition('2026-01-21 00:00', periods => 2)) m FROM ev) s, unnest(s.m) c;
-- on_or_after: u3 counts in week 0 too (a later return)
SELECT c.cohort_start, c.period, c.retained FROM (SELECT retention_matrix(u, ts, e = 'register', e = 'view',
       retention_definition('2026-01-21 00:00', periods => 2, counting => 'on_or_after')) m FROM ev) s, unnest(s.m) c;
-- daily, rolling 1 day, text ids: u1 returns in [Jan 5 10:00, Jan 6 10:00) -> day 0
SELECT c.cohort_start, c.period, c.cohort_size, c.retained, c.complete
FROM (SELECT retention_matrix('user ' || u, ts, e = 'register', e = 'view',
             retention_definition('2026-01-08 00:00', period => 'rolling', rolling_days => 1, periods => 1)) m
      FROM ev WHERE u = 1) s, unnest(s.m) c;
-- a time zone moves the cohort day: 10:00 and 11:00 UTC on Jan 5 are Jan 6 in UTC+14
SELECT z, c.cohort_start, c.cohort_size FROM (VALUES ('UTC'), ('Pacific/Kiritimati')) v(z),
       LATERAL (SELECT retention_matrix(u, ts, e = 'register', false,
                       retention_definition('2026-02-01', period => 'day', periods => 1, time_zone => z)) m
                FROM ev WHERE u IN (1, 2)) s, unnest(s.m) c WHERE c.period = 0;
-- rows but no cohort row: an empty matrix
SELECT retention_matrix(u, ts, false, true, retention_definition('2026-02-01')) FROM ev;

-- activity: u1..u5 over Jan 11..13
SELECT a.* FROM (SELECT activity_series(u, ts, '2026-01-11', '2026-01-13') s FROM ev) x, unnest(x.s) a;
-- lifecycle counts per week (u2 was first active Sun Jan 4, the week before): week Jan 5 new
-- {1,3}, returning {2}; week Jan 12 returning {1,3}, new {4,5}, dormant {2}; week Jan 19
-- dormant {1,3,4,5}
SELECT c.* FROM (SELECT lifecycle_counts(u, ts, 'week', '2026-01-05', '2026-01-19') l FROM ev) x, unnest(x.l) c;

-- errors: 22023 with the offending value named
SELECT retention_definition('2026-01-01', period => 'fortnight');
SELECT retention_definition('2026-01-01', entry => 'sometimes');
SELECT retention_definition('2026-01-01', counting => 'around');
SELECT retention_definition('2026-01-01', periods => 0);
SELECT retention_definition('2026-01-01', periods => 401);
SELECT retention_definition('2026-01-01', time_zone => 'Mars/Olympus_Mons');
SELECT retention_definition('infinity');
SELECT retention_definition('2026-01-01', period => 'rolling', rolling_days => 0);
SELECT retention(ARRAY[true, false]) FROM (VALUES (1), (2)) v(i) WHERE i = 1
UNION ALL SELECT retention(c) FROM (VALUES (ARRAY[true]), (ARRAY[true, true])) v(c);
SELECT retention(array_fill(true, ARRAY[33]));
SELECT activity_series(u, ts, '2026-01-13', '2026-01-11') FROM ev;
SELECT activity_series(u, ts, '2026-01-01', NULL) FROM ev;
SELECT lifecycle_counts(u, ts, 'rolling', '2026-01-05', '2026-01-19') FROM ev;
SELECT lifecycle_counts(u, ts, 'week', '2026-01-05', '2026-01-19', 'Nowhere/Land') FROM ev;

-- The hand-written SQL matrix of bench/workloads/retention_handwritten_sql.sql (first entry,
-- on, weekly) gives exactly the function's cells on generated data.
CREATE TABLE gen AS SELECT * FROM generate_demo_events(3000, 120, 9);
WITH c AS (
    SELECT user_id, min(ts) AS anchor, date_trunc('week', min(ts)) AS cw
    FROM gen WHERE event = 'register' AND ts <= '2026-04-15 00:00+00' GROUP BY user_id
), r AS (
    SELECT DISTINCT e.user_id, c.cw, (date_trunc('week', e.ts)::date - c.cw::date) / 7 AS k
    FROM gen e JOIN c USING (user_id)
    WHERE e.event IN ('view_detail', 'pay') AND e.ts > c.anchor AND e.ts <= '2026-04-15 00:00+00'
), sizes AS (SELECT cw, count(*) AS n FROM c GROUP BY cw),
hand AS (
    SELECT s.cw::date AS cw, p.k, s.n, count(r.user_id) AS retained
    FROM sizes s CROSS JOIN generate_series(0, 8) p(k) LEFT JOIN r ON r.cw = s.cw AND r.k = p.k
    GROUP BY 1, 2, 3
), fn AS (
    SELECT c.cohort_start AS cw, c.period AS k, c.cohort_size AS n, c.retained
    FROM (SELECT retention_matrix(user_id, ts, event, ARRAY['register'], ARRAY['view_detail', 'pay'],
                 retention_definition('2026-04-15 00:00+00', period => 'week', periods => 8)) m FROM gen) s,
         unnest(s.m) c
)
SELECT (SELECT count(*) FROM hand) AS cells, (SELECT sum(retained) FROM hand) AS retained_total,
       (SELECT count(*) FROM (TABLE hand EXCEPT TABLE fn) a) + (SELECT count(*) FROM (TABLE fn EXCEPT TABLE hand) b)
       AS differing_cells;
