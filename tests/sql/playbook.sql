-- The operations playbook (docs/playbook.md, docs/lifecycle.md): every function against an
-- independent oracle in plain SQL on generated data, hand-worked boundaries, and errors.
CREATE EXTENSION pg_operations;
CREATE TABLE ev AS SELECT * FROM generate_demo_events(4000, 180, 7);
-- A summary per user, as of 2026-06-30, with values full of ties (amounts are multiples of 100).
CREATE TABLE u AS
SELECT user_id,
       min(ts) FILTER (WHERE event = 'register') AS registered_at,
       min(ts) FILTER (WHERE event <> 'register') AS first_action_at,
       min(ts) FILTER (WHERE event = 'pay') AS first_pay,
       max(ts) FILTER (WHERE ts <= '2026-06-30') AS last_active_at,
       coalesce(sum(amount) FILTER (WHERE event = 'pay' AND ts <= '2026-06-30'), 0)::float8 AS invested
FROM ev GROUP BY user_id;

-- lifecycle_grade == a CASE over interval comparisons (interval days count as 24 h), on every
-- user and on each boundary +/- 1 microsecond
SELECT count(*) AS users,
       count(*) FILTER (WHERE lifecycle_grade(last_active_at, '2026-06-30') IS DISTINCT FROM
           CASE WHEN last_active_at > '2026-06-30' THEN NULL
                WHEN '2026-06-30' - last_active_at <= interval '7 days' THEN 'A'
                WHEN '2026-06-30' - last_active_at <= interval '21 days' THEN 'B'
                WHEN '2026-06-30' - last_active_at <= interval '90 days' THEN 'C'
                WHEN '2026-06-30' - last_active_at <= interval '180 days' THEN 'D'
                WHEN '2026-06-30' - last_active_at <= interval '360 days' THEN 'E'
                ELSE 'F' END) AS differ
FROM u;
SELECT d, lifecycle_grade(timestamptz '2026-06-30' - d * interval '1 day' + e * interval '1 microsecond', '2026-06-30') AS grade
FROM unnest(ARRAY[0, 7, 21, 90, 180, 360]) d, unnest(ARRAY[1, 0, -1]) e ORDER BY d, e DESC;
SELECT lifecycle_grade('2026-07-01', '2026-06-30') AS future_is_null,
       lifecycle_grade('2026-06-01', '2026-06-30', '{3,30}') AS custom,
       lifecycle_grade('2025-06-01', '2026-06-30', '{3,30}') AS custom_last,
       lifecycle_grade('2026-06-30', '2026-06-30', '{0}') AS zero_threshold;
SELECT * FROM lifecycle_grades('{1,2,3}');
-- errors
SELECT lifecycle_grade('2026-06-01', '2026-06-30', '{}');
SELECT lifecycle_grade('2026-06-01', '2026-06-30', '{7,7}');
SELECT lifecycle_grade('2026-06-01', '2026-06-30', '{-1,7}');
SELECT lifecycle_grade('2026-06-01', '2026-06-30', '{7,NULL}');
SELECT lifecycle_grade('2026-06-01', '2026-06-30', (SELECT array_agg(g) FROM generate_series(1, 26) g));
SELECT lifecycle_grade('infinity', '2026-06-30');
SELECT lifecycle_grade('2026-06-01', '-infinity');

-- value_score == 1 + count(breaks < value) (the rfm_cell rule), ties stay together
WITH b AS (SELECT quantile_breaks(invested, ARRAY[0.2, 0.4, 0.6, 0.8]) AS breaks FROM u WHERE invested > 0)
SELECT count(*) AS users,
       count(*) FILTER (WHERE value_score(invested, b.breaks)
                        <> 1 + (SELECT count(*) FROM unnest(b.breaks) x WHERE x < invested)) AS differ,
       count(DISTINCT (invested, value_score(invested, b.breaks))) = count(DISTINCT invested) AS ties_together
FROM u, b WHERE invested > 0;
SELECT value_score(v, '{1,2,2,3}') AS s, v FROM unnest(ARRAY[0.5, 1, 1.5, 2, 2.5, 3, 4, 'NaN', '-Infinity']::float8[]) v;
SELECT value_score(1, '{}') AS no_breaks;
SELECT value_score(1, '{2,1}');
SELECT value_score(1, '{1,NULL}');
SELECT value_score(1, '{1,NaN}');

-- old_user_matrix == GROUP BY grade, score over the full grid (a cross join), shares and sums
CREATE TABLE scored AS
WITH b AS (SELECT quantile_breaks(invested, ARRAY[0.2, 0.4, 0.6, 0.8]) AS breaks FROM u WHERE first_pay <= '2026-06-30')
SELECT user_id, lifecycle_grade(last_active_at, '2026-06-30') AS grade,
       value_score(invested, b.breaks) AS score, invested
FROM u, b WHERE first_pay <= '2026-06-30';
CREATE TABLE m AS SELECT c.* FROM (SELECT old_user_matrix(grade, score, invested) AS cells FROM scored) s, unnest(s.cells) WITH ORDINALITY c;
WITH grid AS (
    SELECT g AS grade, sc AS score
    FROM unnest(ARRAY['A', 'B', 'C', 'D', 'E', 'F']) g, generate_series(1, 5) sc
), oracle AS (
    SELECT grid.grade || grid.score AS cell, grid.grade, grid.score, count(s.user_id) AS users,
           count(s.user_id)::float8 / (SELECT count(*) FROM scored) AS share,
           coalesce(sum(s.invested), 0) AS value_sum
    FROM grid LEFT JOIN scored s USING (grade, score) GROUP BY 1, 2, 3
)
SELECT (SELECT count(*) FROM m) AS cells,
       (SELECT sum(users) FROM m) AS users,
       (SELECT count(*) FROM scored) AS scored_users,
       (SELECT count(*) FROM (SELECT cell, grade, score, users, share, value_sum FROM m
                              EXCEPT SELECT * FROM oracle) x) AS differ,
       (SELECT array_agg(cell ORDER BY ordinality) FROM m) AS order_of_cells;
-- NULL rows are skipped; a NULL value counts the user; the grid grows for G and 6
SELECT c.cell, c.users, c.share, c.value_sum
FROM (SELECT old_user_matrix(g, s, v) AS m FROM (VALUES ('A', 5, 10.0), ('A', 5, NULL), (NULL, 5, 1.0), ('B', NULL, 1.0), ('G', 6, 2.5)) t(g, s, v)) x,
     unnest(x.m) c WHERE c.users > 0 OR c.cell IN ('G1', 'A6', 'G6');
SELECT array_length(old_user_matrix(g, s, v), 1) AS grid_cells FROM (VALUES ('G', 6, 2.5)) t(g, s, v);
SELECT old_user_matrix(g, s, v) IS NULL AS empty_is_null FROM (VALUES (NULL::text, 1, 1.0)) t(g, s, v);
SELECT old_user_matrix('a', 1, 1.0);
SELECT old_user_matrix('AB', 1, 1.0);
SELECT old_user_matrix('A', 0, 1.0);
SELECT old_user_matrix('A', 101, 1.0);
SELECT old_user_matrix('A', 1, 'Infinity');

-- onboarding_reminder == calendar-day arithmetic in SQL, in UTC and in a DST zone
SELECT tz, count(*) AS users,
       count(*) FILTER (WHERE onboarding_reminder(registered_at, first_action_at, as_of, time_zone => tz)
           IS DISTINCT FROM
           CASE WHEN registered_at <= as_of AND (first_action_at IS NULL OR first_action_at > as_of)
                 AND ((as_of AT TIME ZONE tz)::date - (registered_at AT TIME ZONE tz)::date) IN (2, 5, 7, 15)
                THEN (as_of AT TIME ZONE tz)::date - (registered_at AT TIME ZONE tz)::date END) AS differ,
       count(*) FILTER (WHERE onboarding_reminder(registered_at, first_action_at, as_of, time_zone => tz) IS NOT NULL) AS reminded
FROM (SELECT user_id, registered_at, CASE WHEN user_id % 3 = 0 THEN NULL ELSE first_action_at END AS first_action_at FROM u) u,
     unnest(ARRAY['UTC', 'America/New_York', 'Asia/Shanghai']) tz,
     generate_series(timestamptz '2026-03-01 03:30+00', '2026-03-20 03:30+00', interval '1 day') as_of
GROUP BY tz ORDER BY tz;
-- hand-worked: registered 2026-03-06 23:50 New York time; day 2 is 2026-03-08 local (the DST day)
SELECT as_of, onboarding_reminder('2026-03-06 23:50-05', NULL, as_of, time_zone => 'America/New_York') AS ny,
       onboarding_reminder('2026-03-06 23:50-05', NULL, as_of) AS utc
FROM unnest(ARRAY[timestamptz '2026-03-08 00:30-05', '2026-03-08 23:30-04', '2026-03-09 00:30-04', '2026-03-09 12:00+00']) as_of;
SELECT onboarding_reminder('2026-03-01', '2026-03-02', '2026-03-03') AS acted,
       onboarding_reminder('2026-03-01', '2026-03-05', '2026-03-03') AS acts_later,
       onboarding_reminder('2026-03-05', NULL, '2026-03-03') AS registered_later,
       onboarding_reminder('2026-03-01', NULL, '2026-03-04', ARRAY[3]) AS custom_day,
       onboarding_reminder(NULL, NULL, '2026-03-04') AS null_registration;
SELECT onboarding_reminder('2026-03-01', NULL, '2026-03-03', ARRAY[2, 30]);
SELECT onboarding_reminder('2026-03-01', NULL, '2026-03-03', ARRAY[5, 2]);
SELECT onboarding_reminder('2026-03-01', NULL, '2026-03-03', ARRAY[]::int[]);
SELECT onboarding_reminder('2026-03-01', NULL, '2026-03-03', time_zone => 'Mars/Olympus');

-- holding_agg == FILTERed sums per user
WITH h AS (SELECT user_id, holding_agg(ts, event, amount, '2026-05-31', 'pay', 'redeem') AS h FROM ev GROUP BY user_id),
o AS (
    SELECT user_id,
           coalesce(sum(amount) FILTER (WHERE event = 'pay' AND ts <= '2026-05-31'), 0) AS invested,
           coalesce(sum(amount) FILTER (WHERE event = 'redeem' AND ts <= '2026-05-31'), 0) AS redeemed,
           count(*) FILTER (WHERE event = 'pay' AND ts <= '2026-05-31') AS invests,
           count(*) FILTER (WHERE event = 'redeem' AND ts <= '2026-05-31') AS redeems,
           min(ts) FILTER (WHERE event = 'pay' AND ts <= '2026-05-31') AS first_invest_at,
           max(ts) FILTER (WHERE event = 'pay' AND ts <= '2026-05-31') AS last_invest_at,
           max(ts) FILTER (WHERE event = 'redeem' AND ts <= '2026-05-31') AS last_redeem_at
    FROM ev GROUP BY user_id
)
SELECT count(*) AS users,
       count(*) FILTER (WHERE (h.h).invested <> o.invested OR (h.h).redeemed <> o.redeemed
           OR (h.h).holding <> greatest(o.invested - o.redeemed, 0)
           OR (h.h).invests <> o.invests OR (h.h).redeems <> o.redeems
           OR (h.h).first_invest_at IS DISTINCT FROM o.first_invest_at
           OR (h.h).last_invest_at IS DISTINCT FROM o.last_invest_at
           OR (h.h).last_redeem_at IS DISTINCT FROM o.last_redeem_at
           OR (h.h).fully_redeemed <> (o.invests > 0 AND o.redeemed >= o.invested)) AS differ,
       count(*) FILTER (WHERE (h.h).fully_redeemed) AS fully_redeemed,
       count(*) FILTER (WHERE (h.h).redeemed > (h.h).invested) AS redeemed_more_than_invested
FROM h JOIN o USING (user_id);
SELECT (holding_agg(ts, e, a, '2026-01-10', 'buy', 'sell')).*
FROM (VALUES ('2026-01-01'::timestamptz, 'buy', 100.10), ('2026-01-02', 'sell', 40.05), ('2026-01-03', 'buy', NULL),
             ('2026-01-04', 'view', 999), (NULL, 'buy', 5), ('2026-01-11', 'buy', 7)) t(ts, e, a);
SELECT holding_agg(ts, 'buy', -1, '2026-01-10', 'buy', 'sell') FROM (VALUES ('2026-01-01'::timestamptz)) t(ts);
SELECT holding_agg(ts, 'buy', 1, '2026-01-10', 'buy', 'buy') FROM (VALUES ('2026-01-01'::timestamptz)) t(ts);
SELECT holding_agg(ts, 'buy', 1, as_of, 'buy', 'sell') FROM (VALUES ('2026-01-01'::timestamptz, '2026-01-10'::timestamptz), ('2026-01-02', '2026-01-11')) t(ts, as_of);
SELECT holding_agg(ts, 'buy', 1, 'infinity', 'buy', 'sell') FROM (VALUES ('2026-01-01'::timestamptz)) t(ts);

-- category_share by count == count per category / all categorized rows; by dwell == lead()
CREATE TABLE pv AS
SELECT user_id, ts,
       CASE WHEN event IN ('view_detail', 'click_invest') THEN (ARRAY['bond', 'fund', 'deposit'])[1 + (user_id + extract(day FROM ts)::int) % 3] END AS cat
FROM ev WHERE user_id <= 1500;
WITH ours AS (SELECT user_id, category_share(ts, cat) AS p, category_share(ts, cat, '30 minutes') AS d FROM pv GROUP BY user_id),
c AS (SELECT user_id, cat, count(*)::float8 / sum(count(*)) OVER (PARTITION BY user_id) AS share,
             row_number() OVER (PARTITION BY user_id ORDER BY count(*) DESC, cat COLLATE "C") AS rk
      FROM pv WHERE cat IS NOT NULL GROUP BY user_id, cat),
dw AS (SELECT user_id, cat, least(coalesce(lead(ts) OVER w - ts, interval '0'), interval '30 minutes') AS dwell
       FROM pv WINDOW w AS (PARTITION BY user_id ORDER BY ts, cat COLLATE "C" NULLS FIRST)),
d AS (SELECT user_id, cat, sum(extract(epoch FROM dwell)) AS secs FROM dw WHERE cat IS NOT NULL GROUP BY 1, 2),
dt AS (SELECT user_id, cat, secs, secs / nullif(sum(secs) OVER (PARTITION BY user_id), 0) AS share,
              row_number() OVER (PARTITION BY user_id ORDER BY secs DESC, cat COLLATE "C") AS rk FROM d)
SELECT (SELECT count(*) FROM ours WHERE p IS NOT NULL) AS users_with_category,
       (SELECT count(DISTINCT user_id) FROM c) AS oracle_users,
       (SELECT count(*) FROM c JOIN ours USING (user_id)
         WHERE abs(((p).shares ->> cat)::float8 - c.share) > 1e-12) AS count_share_differ,
       (SELECT count(*) FROM c JOIN ours USING (user_id)
         WHERE c.rk = 1 AND ((p).top_category <> c.cat OR abs((p).top_share - c.share) > 1e-12)) AS count_top_differ,
       (SELECT count(*) FROM dt JOIN ours USING (user_id)
         WHERE abs(coalesce(((d).shares ->> cat)::float8, -1) - coalesce(dt.share, -1)) > 1e-9
            OR (dt.share IS NULL) <> ((d).shares ->> cat IS NULL)) AS dwell_share_differ,
       (SELECT count(*) FROM dt JOIN ours USING (user_id)
         WHERE dt.rk = 1 AND dt.share IS NOT NULL AND ((d).top_category <> dt.cat OR abs((d).top_share - dt.share) > 1e-9)) AS dwell_top_differ,
       (SELECT count(*) FROM (SELECT user_id, sum(secs) s FROM d GROUP BY 1) t JOIN ours USING (user_id)
         WHERE abs((d).total - t.s) > 1e-6) AS dwell_total_differ;
-- hand-worked: bond@0 fund@60 bond@90 NULL@100 (seconds), timeout 1 h: bond 60 + 10, fund 30
SELECT (category_share(t, c, '1 hour')).*, (category_share(t, c)).*
FROM (VALUES (timestamptz '2026-01-01 00:00:00', 'bond'), ('2026-01-01 00:01:00', 'fund'),
             ('2026-01-01 00:01:30', 'bond'), ('2026-01-01 00:01:40', NULL)) v(t, c);
-- a gap above the timeout is capped; a single row has no dwell; no category gives NULL
SELECT (category_share(t, c, '10 seconds')).* FROM (VALUES (timestamptz '2026-01-01 00:00', 'bond'), ('2026-01-01 05:00', 'fund')) v(t, c);
SELECT (category_share(t, c, '10 seconds')).* FROM (VALUES (timestamptz '2026-01-01 00:00', 'bond')) v(t, c);
SELECT category_share(t, c) IS NULL AS no_category FROM (VALUES (timestamptz '2026-01-01', NULL::text)) v(t, c);
SELECT category_share(t, 'x', '0 seconds') FROM (VALUES (timestamptz '2026-01-01')) v(t);
SELECT category_share(t, 'x', i) FROM (VALUES (timestamptz '2026-01-01', interval '1 hour'), ('2026-01-02', '2 hours')) v(t, i);

-- lifecycle_rules: new_wins false == the scalar rules by hand; lenient; lifecycle_issue
SELECT lifecycle_rules();
SELECT lifecycle_rules(7, 7, 7, 14, 30, false, 'NULL');
SELECT lifecycle_rules(on_inconsistent => 'skip');
SELECT lifecycle_rules(dormant_days => 90);
WITH s AS (
    SELECT user_id, lifecycle_stage_with(registered_at, first_pay, last_active_at, timestamptz '2026-06-30',
                                    lifecycle_rules(new_wins => false)) AS stage,
           lifecycle_stage(registered_at, first_pay, last_active_at, timestamptz '2026-06-30') AS default_stage,
           registered_at, first_pay, last_active_at
    FROM u
)
SELECT count(*) FILTER (WHERE stage IS DISTINCT FROM default_stage) AS changed,
       count(*) FILTER (WHERE default_stage = 'new' AND stage <> 'new') AS idle_new_users,
       count(*) FILTER (WHERE stage IS DISTINCT FROM
           CASE WHEN default_stage = 'new' AND '2026-06-30' - greatest(last_active_at, first_pay) > interval '30 days'
                THEN CASE WHEN '2026-06-30' - greatest(last_active_at, first_pay) <= interval '90 days' THEN 'dormant'
                          ELSE 'churned' END
                ELSE default_stage END) AS differ_from_hand_rule
FROM s;
CREATE TABLE bad (user_id int, registered_at timestamptz, first_conversion_at timestamptz, last_active_at timestamptz);
INSERT INTO bad VALUES (1, '2026-01-10', '2026-01-05', '2026-02-01'), (2, '2026-01-10', '2026-01-20', '2026-01-09'),
                       (3, '2026-01-10', '2026-01-20', '2026-03-01'), (4, 'infinity', NULL, NULL), (5, NULL, NULL, NULL);
SELECT user_id, lifecycle_stage_with(registered_at, first_conversion_at, last_active_at, timestamptz '2026-03-15',
                                lifecycle_rules(on_inconsistent => 'null')) AS lenient,
       lifecycle_issue(registered_at, first_conversion_at, last_active_at) AS issue
FROM bad ORDER BY user_id;
SELECT lifecycle_stage_with(registered_at, first_conversion_at, last_active_at, timestamptz '2026-03-15', lifecycle_rules()) FROM bad;
CREATE MATERIALIZED VIEW stages AS
SELECT user_id, lifecycle_stage_with(registered_at, first_conversion_at, last_active_at, timestamptz '2026-03-15',
                                lifecycle_rules(on_inconsistent => 'null')) AS stage FROM bad;
REFRESH MATERIALIZED VIEW stages;
SELECT * FROM stages ORDER BY user_id;

-- the aggregate with an explicit registration == the scalar over the summary with that
-- registration, on activity without redemptions
WITH agg AS (
    SELECT e.user_id,
           lifecycle_stage_agg(e.ts, e.event = 'pay', timestamptz '2026-06-30', u.registered_at, lifecycle_rules())
               FILTER (WHERE e.event <> 'redeem') AS stage
    FROM ev e JOIN u USING (user_id) GROUP BY e.user_id
), summary AS (
    SELECT user_id, min(ts) FILTER (WHERE event = 'register') AS registered_at,
           min(ts) FILTER (WHERE event = 'pay' AND ts <= '2026-06-30') AS first_pay,
           max(ts) FILTER (WHERE event <> 'redeem' AND ts <= '2026-06-30') AS last_active
    FROM ev GROUP BY user_id
)
SELECT count(*) AS users,
       count(*) FILTER (WHERE agg.stage = 'reactivated') AS reactivated,
       count(*) FILTER (WHERE agg.stage IS DISTINCT FROM
           lifecycle_stage(registered_at, first_pay, last_active, timestamptz '2026-06-30')
           AND agg.stage <> 'reactivated') AS differ
FROM agg JOIN summary USING (user_id);
-- a registration 200 days back makes a first event 50 days ago active, not new; NULL ts rows
-- (users LEFT JOIN events) still classify; NULL registered_at = the first event
SELECT lifecycle_stage_agg(ts, c, timestamptz '2026-06-30', r, lifecycle_rules()) AS explicit,
       lifecycle_stage_agg(ts, c, timestamptz '2026-06-30', NULL, lifecycle_rules()) AS first_event,
       lifecycle_stage(ts, c, timestamptz '2026-06-30') AS three_args
FROM (VALUES (timestamptz '2026-05-11', true, timestamptz '2025-12-12'), ('2026-06-25', false, '2025-12-12')) v(ts, c, r);
SELECT lifecycle_stage_agg(NULL::timestamptz, NULL::bool, timestamptz '2026-06-30', timestamptz '2026-06-01', lifecycle_rules()) AS registered_only,
       lifecycle_stage_agg(NULL::timestamptz, NULL::bool, timestamptz '2026-06-30', timestamptz '2026-01-01', lifecycle_rules()) AS dead;
SELECT lifecycle_stage_agg(ts, false, timestamptz '2026-06-30', timestamptz '2026-06-01', lifecycle_rules(on_inconsistent => 'null')) AS lenient
FROM (VALUES (timestamptz '2026-05-01')) v(ts);
SELECT lifecycle_stage_agg(ts, false, timestamptz '2026-06-30', timestamptz '2026-06-01', lifecycle_rules())
FROM (VALUES (timestamptz '2026-05-01')) v(ts);
SELECT lifecycle_stage_agg(ts, false, timestamptz '2026-06-30', r, lifecycle_rules())
FROM (VALUES (timestamptz '2026-06-05', timestamptz '2026-06-01'), ('2026-06-06', '2026-06-02')) v(ts, r);
SELECT lifecycle_stage_agg(ts, false, timestamptz '2026-06-30', timestamptz '2026-06-01', NULL::_pg_operations_internal.lifecycle_rules)
FROM (VALUES (timestamptz '2026-06-05')) v(ts);

-- Exact numeric sums (holding_agg's invested/redeemed/holding, rfm_agg's monetary) equal
-- PostgreSQL's sum(numeric) to the display scale, serially and in parallel: money at
-- scales 0-6, values too wide for fixed point from the start (1e40, 1e-50, 39 nines) or
-- once summed (1e37 each), NaN, Infinity on both sides, and (rfm only) negative amounts.
CREATE TABLE nm AS
SELECT u, ts, e, amt FROM (
  SELECT i % 50 AS u, timestamptz '2026-01-01' + i * interval '1 minute' AS ts,
         CASE WHEN i % 3 = 0 THEN 'redeem' ELSE 'pay' END AS e,
         (ARRAY['900.00', '1.5', '0.0012', '12345678', '0', '0.000', '1e30', '1e37', '1e40', '1e-50',
                '123456789012345678901234567890.123456', NULL, '7', '99999999999999999999999999999999999999',
                '0.1', '3.14159265358979323846264338327950288'])[1 + (i * 7) % 16]::numeric AS amt
  FROM generate_series(1, 4000) i) s
UNION ALL SELECT 60, '2026-01-01', 'pay', 'NaN' UNION ALL SELECT 60, '2026-01-02', 'pay', '5'
UNION ALL SELECT 61, '2026-01-01', 'pay', 'Infinity' UNION ALL SELECT 61, '2026-01-02', 'redeem', 'Infinity'
UNION ALL SELECT 62, '2026-01-01', 'pay', '2.50' UNION ALL SELECT 62, '2026-01-02', 'redeem', '2.5'
UNION ALL SELECT 63, '2026-01-01', 'pay', '1e37' UNION ALL SELECT 63, '2026-01-02', 'redeem', '0.5'
UNION ALL SELECT 64, '2026-01-01', 'redeem', '0.10' UNION ALL SELECT 64, '2027-01-02', 'pay', '1';
ANALYZE nm;
CREATE VIEW nm_want AS
SELECT u, coalesce(sum(amt) FILTER (WHERE e = 'pay'), 0)::text AS inv,
       coalesce(sum(amt) FILTER (WHERE e = 'redeem'), 0)::text AS red,
       CASE WHEN coalesce(sum(amt) FILTER (WHERE e = 'redeem'), 0) >= coalesce(sum(amt) FILTER (WHERE e = 'pay'), 0) THEN 0
            ELSE coalesce(sum(amt) FILTER (WHERE e = 'pay'), 0) - coalesce(sum(amt) FILTER (WHERE e = 'redeem'), 0) END::text AS hold,
       (count(*) FILTER (WHERE e = 'pay') > 0 AND coalesce(sum(amt) FILTER (WHERE e = 'redeem'), 0)
          >= coalesce(sum(amt) FILTER (WHERE e = 'pay'), 0)) AS fully,
       sum(amt)::text AS monetary
FROM nm WHERE ts <= '2026-12-31' GROUP BY u;
CREATE VIEW nm_got AS
SELECT u, (h).invested::text AS inv, (h).redeemed::text AS red, (h).holding::text AS hold,
       (h).fully_redeemed AS fully, (r).monetary::text AS monetary
FROM (SELECT u, holding_agg(ts, e, amt, '2026-12-31', 'pay', 'redeem') AS h,
             rfm_agg(ts, amt, '2026-12-31') AS r
      FROM nm GROUP BY u) s WHERE (r).frequency > 0;
SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS users, count(*) FILTER (WHERE row(w.*) IS DISTINCT FROM row(g.*)) AS differ
FROM nm_want w FULL JOIN nm_got g USING (u);
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT * FROM nm_got;
SELECT count(*) AS users, count(*) FILTER (WHERE row(w.*) IS DISTINCT FROM row(g.*)) AS differ
FROM nm_want w FULL JOIN nm_got g USING (u);
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size; RESET parallel_leader_participation;
SELECT * FROM nm_got WHERE u IN (0, 60, 61, 62, 63, 64) ORDER BY u;
-- rfm_agg's monetary with refunds (negative amounts) crossing zero and back.
SELECT (rfm_agg(ts, a, '2026-12-31')).monetary, sum(a)
FROM (VALUES (timestamptz '2026-01-01', 10.25), ('2026-01-02', -20.5), ('2026-01-03', 10.250),
             ('2026-01-04', -0.001)) v(ts, a);
DROP VIEW nm_want, nm_got;
DROP TABLE nm;
-- A negative amount of 100 000 digits: the message shows its first 60.
SELECT holding_agg(ts, 'pay', a, '2027-01-01', 'pay', 'x')
FROM (VALUES (timestamptz '2026-01-01', ('-' || repeat('9', 100000))::numeric)) v(ts, a);
