-- Purchase intent: intent_score / intent_score_detail, intent_weights, intent_tier.
CREATE EXTENSION pg_operations;
SET TimeZone = 'UTC';

-- Presets.
SELECT intent_weights() AS invest, intent_weights('loan') AS loan;
SELECT intent_weights() = intent_weights('invest') AS default_is_invest;

-- Hand-worked window: as_of 2026-03-15 00:00, default lookback 14 days → (2026-03-01 00:00, 2026-03-15 00:00].
CREATE TABLE ev (user_id int, event text, ts timestamptz);
INSERT INTO ev VALUES
  (1, 'view_list',    '2026-03-15 00:00'),    -- exactly as_of: in (1)
  (1, 'view_detail',  '2026-03-01 00:00'),    -- exactly as_of - 14 days: out
  (1, 'click_invest', '2026-03-01 00:00:01'), -- just inside: in (3)
  (1, 'pay',          '2026-03-15 00:00:01'), -- after as_of: out
  (1, 'unknown',      '2026-03-10 00:00'),    -- unweighted: 0
  (1, NULL,           '2026-03-10 00:00'),    -- NULL event: skipped
  (1, 'pay',          NULL),                  -- NULL ts: skipped
  (2, 'pay',          '2026-01-01 00:00'),    -- all outside the window → 0, not NULL
  (2, 'pay',          '2026-04-01 00:00'),
  (3, 'pay',          '2026-03-14 00:00'),    -- 8 + 8 + 5 = 21
  (3, 'pay',          '2026-03-08 00:00'),
  (3, 'click_submit', '2026-03-08 00:00');
SELECT user_id, intent_score(event, ts, intent_weights(), '2026-03-15 00:00') AS score
FROM ev GROUP BY user_id ORDER BY user_id;
-- Explicit lookback: 7 days keeps only user 3's 2026-03-14 pay among user 3's rows; 0 days is an empty window.
SELECT user_id, intent_score(event, ts, intent_weights(), '2026-03-15 00:00', '7 days') AS score7,
       intent_score(event, ts, intent_weights(), '2026-03-15 00:00', '0 days') AS score0,
       intent_score(event, ts, intent_weights(), '2026-03-15 00:00', '1 year') AS score_year
FROM ev GROUP BY user_id ORDER BY user_id;
-- Decay with a 7-day half-life: user 3 = 8·0.5^(1/7) + (8 + 5)·0.5^(7/7) = 7.2458... + 6.5.
SELECT user_id, round(intent_score(event, ts, intent_weights(), '2026-03-15 00:00', '14 days', '7 days')::numeric, 10) AS decayed,
       round((8 * 0.5 ^ (1 / 7.0) + 13 * 0.5)::numeric, 10) AS user3_by_hand
FROM ev GROUP BY user_id ORDER BY user_id;
-- NULL half_life means no decay.
SELECT intent_score(event, ts, intent_weights(), '2026-03-15 00:00', '14 days', NULL) AS no_decay FROM ev WHERE user_id = 3;
-- Detail: one row per weighted event in the window, by contribution descending.
SELECT user_id, d.* FROM (SELECT user_id, intent_score_detail(event, ts, intent_weights(), '2026-03-15 00:00') AS det
                          FROM ev GROUP BY user_id) s, unnest(det) d ORDER BY user_id, d.contribution DESC, d.event;
SELECT user_id, cardinality(intent_score_detail(event, ts, intent_weights(), '2026-03-15 00:00', '14 days', '7 days')) AS n
FROM ev GROUP BY user_id ORDER BY user_id;
-- No rows at all → 0 and an empty detail (the score of no behaviour), as for a user whose rows
-- all fall outside the window.
SELECT intent_score(event, ts, intent_weights(), '2026-03-15 00:00') = 0 AS empty_is_zero,
       intent_score_detail(event, ts, intent_weights(), '2026-03-15 00:00') = '{}' AS empty_detail
FROM ev WHERE false;
-- Negative weights and fractional weights are allowed.
SELECT intent_score(e, '2026-03-14', '{"a": -1.5, "b": 0.25}', '2026-03-15') FROM unnest(ARRAY['a', 'b', 'b']) e;

-- Weights that differ per group in one query (the per-call-site cache must follow them).
SELECT user_id, intent_score(event, ts, CASE WHEN user_id = 3 THEN '{"pay": 100}'::jsonb ELSE '{"pay": 1, "view_list": 10}' END,
                             '2026-03-15 00:00', '1 year') AS score
FROM ev GROUP BY user_id ORDER BY user_id;
-- Months count as 30 days: '1 mon' = '30 days'.
SELECT intent_score(event, ts, intent_weights(), '2026-03-15 00:00', '1 mon') = intent_score(event, ts, intent_weights(), '2026-03-15 00:00', '30 days') AS month_is_30_days
FROM ev;

-- Oracle: the equivalent hand-written query on demo data (integer weights → exactly equal).
CREATE TABLE demo AS SELECT * FROM generate_demo_events(2000, 60, 1);
ANALYZE demo;
CREATE TEMP TABLE ours AS
SELECT user_id, intent_score(event, ts, intent_weights(), '2026-02-20') AS score FROM demo GROUP BY user_id;
CREATE TEMP TABLE oracle AS
SELECT user_id, coalesce(sum(CASE event WHEN 'view_list' THEN 1 WHEN 'view_detail' THEN 2 WHEN 'click_invest' THEN 3
                                       WHEN 'click_submit' THEN 5 WHEN 'pay' THEN 8 ELSE 0 END)
                         FILTER (WHERE ts > timestamptz '2026-02-20' - interval '14 days' AND ts <= '2026-02-20'), 0)::float8 AS score
FROM demo GROUP BY user_id;
SELECT count(*) AS users, count(*) FILTER (WHERE o.score = i.score) AS equal, sum(i.score) AS total,
       count(*) FILTER (WHERE i.score > 0) AS positive
FROM ours i JOIN oracle o USING (user_id);
-- Decayed score vs a hand-written decay (equal to 1e-9).
SELECT count(*) FILTER (WHERE abs(a - b) > 1e-9) AS mismatches, count(*) AS users
FROM (SELECT user_id, intent_score(event, ts, intent_weights(), '2026-02-20', '30 days', '3 days') a,
             coalesce(sum((intent_weights()->>event)::float8 * 0.5 ^ (extract(epoch FROM timestamptz '2026-02-20' - ts) / 259200))
                      FILTER (WHERE ts > timestamptz '2026-02-20' - interval '30 days' AND ts <= '2026-02-20'), 0) b
      FROM demo GROUP BY user_id) s;

-- Tiers: fixed thresholds (boundaries are exclusive).
SELECT s, intent_tier(s, 10, 3) FROM unnest(ARRAY[0, 3, 3.5, 10, 10.5]::float8[]) s;
SELECT intent_tier(5, 5, 5) AS equal_thresholds;
-- Tiers from quantile breaks: top 20 % strong, next 40 % medium, bottom 40 % weak (ties share a tier).
WITH b AS (SELECT quantile_breaks(score, ARRAY[0.4, 0.8]) AS breaks FROM ours)
SELECT (SELECT breaks FROM b) AS breaks,
       (SELECT percentile_cont(ARRAY[0.4, 0.8]) WITHIN GROUP (ORDER BY score) FROM ours) AS oracle;
WITH b AS (SELECT quantile_breaks(score, ARRAY[0.4, 0.8]) AS breaks FROM ours)
SELECT intent_tier(score, breaks) AS tier, count(*) AS users, min(score), max(score)
FROM ours, b GROUP BY 1 ORDER BY min(score);
WITH b AS (SELECT quantile_breaks(score, ARRAY[0.4, 0.8]) AS br FROM ours)
SELECT count(*) FILTER (WHERE intent_tier(score, br) = CASE WHEN score > br[2] THEN 'strong' WHEN score > br[1] THEN 'medium' ELSE 'weak' END) AS agree,
       count(*) AS users
FROM ours, b;
-- Simple hand-worked: 10 scores 1..10 → breaks {4.6, 8.2}.
SELECT quantile_breaks(x, ARRAY[0.4, 0.8]) AS breaks, string_agg(intent_tier(x, ARRAY[4.6, 8.2]), ',' ORDER BY x) AS tiers
FROM generate_series(1, 10) x;

-- Materialized view refreshed twice with explicit as_of: same rows.
CREATE MATERIALIZED VIEW user_intent AS
SELECT user_id, intent_score(event, ts, intent_weights(), '2026-02-20') AS score,
       intent_tier(intent_score(event, ts, intent_weights(), '2026-02-20'), 20, 5) AS tier
FROM demo GROUP BY user_id;
CREATE TEMP TABLE snap AS SELECT * FROM user_intent;
REFRESH MATERIALIZED VIEW user_intent;
SELECT (SELECT count(*) FROM (SELECT * FROM user_intent EXCEPT SELECT * FROM snap) a) AS new_rows,
       (SELECT count(*) FROM (SELECT * FROM snap EXCEPT SELECT * FROM user_intent) b) AS lost_rows,
       (SELECT count(*) FROM user_intent) AS users;
SELECT tier, count(*) FROM user_intent GROUP BY tier ORDER BY tier;

-- Forced parallel plan equals serial.
CREATE TABLE big AS SELECT d.user_id + 2000 * g AS user_id, (d.user_id + 2000 * g) % 7 AS k, d.event, d.ts - g * interval '1 hour' AS ts
FROM demo d, generate_series(0, 2) g;
ANALYZE big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT intent_score(event, ts, intent_weights(), '2026-02-20', '20 days', '5 days') FROM big;
CREATE TEMP TABLE par AS
SELECT intent_score(event, ts, intent_weights(), '2026-02-20', '20 days', '5 days') AS s,
       intent_score_detail(event, ts, intent_weights(), '2026-02-20', '20 days', '5 days') AS d,
       intent_score(event, ts, intent_weights(), '2026-02-20') AS s14
FROM big;
EXPLAIN (COSTS OFF)
SELECT k, intent_score(event, ts, intent_weights(), '2026-02-20') FROM big GROUP BY k;
CREATE TEMP TABLE par_g AS
SELECT k, intent_score(event, ts, intent_weights(), '2026-02-20', '20 days', '5 days') AS s FROM big GROUP BY k;
RESET ALL;
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT s FROM par) = intent_score(event, ts, intent_weights(), '2026-02-20', '20 days', '5 days') AS parallel_equals_serial,
       (SELECT d FROM par)::text = intent_score_detail(event, ts, intent_weights(), '2026-02-20', '20 days', '5 days')::text AS detail_equal,
       (SELECT s14 FROM par) = intent_score(event, ts, intent_weights(), '2026-02-20') AS s14_equal
FROM big;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.s = q.s) AS equal
FROM par_g p JOIN (SELECT k, intent_score(event, ts, intent_weights(), '2026-02-20', '20 days', '5 days') AS s
                   FROM big GROUP BY k) q USING (k);
RESET ALL;
SET TimeZone = 'UTC';

-- Errors (SQLSTATE 22023 naming the key, 22P02 for malformed jsonb).
SELECT intent_score('pay', '2026-03-01', '{"pay": "x"}', '2026-03-02');
SELECT intent_score('pay', '2026-03-01', '{"pay": "NaN"}', '2026-03-02');
SELECT intent_score('pay', '2026-03-01', '{"pay": {"w": 1}}', '2026-03-02');
SELECT intent_score('pay', '2026-03-01', '{"pay": null}', '2026-03-02');
SELECT intent_score('pay', '2026-03-01', '{"pay": 1e300}', '2026-03-02');
SELECT intent_score('pay', '2026-03-01', '[1, 2]', '2026-03-02');
SELECT intent_score('pay', '2026-03-01', '{"pay": 1', '2026-03-02');
SELECT intent_score('pay', '2026-03-01', NULL, '2026-03-02');
SELECT intent_score('pay', '2026-03-01', intent_weights(), NULL);
SELECT intent_score('pay', '2026-03-01', intent_weights(), 'infinity');
SELECT intent_score('pay', '2026-03-01', intent_weights(), '2026-03-02', '-1 day');
SELECT intent_score('pay', '2026-03-01', intent_weights(), '2026-03-02', '178000000 years');
SELECT intent_score('pay', '2026-03-01', intent_weights(), '2026-03-02', '200000 years') AS huge_lookback_ok;
SELECT intent_score('pay', '2026-03-01', intent_weights(), '2026-03-02', '14 days', '0 seconds');
SELECT intent_score('pay', '2026-03-01', intent_weights(), '2026-03-02', '14 days', '-1 hour');
SELECT intent_weights('crypto');
SELECT intent_tier(1, 2, 3);
SELECT intent_tier('NaN', 3, 2);
SELECT intent_tier(1, ARRAY[1.0]::float8[]);
SELECT intent_tier(1, ARRAY[3.0, 1.0]::float8[]);
SELECT intent_tier(1, ARRAY[NULL, 1.0]::float8[]);
SELECT intent_tier(NULL, 3, 2) IS NULL AS strict_null;
SELECT 1 AS still_alive;

-- ==== intent_breaks / intent_share_tier (issue #20): honest tiers on tied distributions.
-- Oracle: PostgreSQL's percentile_disc over the active scores (score > 0), counts in SQL.
CREATE TABLE gd AS SELECT * FROM generate_demo_events(3000, 60, 11);
CREATE TABLE sc AS
SELECT user_id, intent_score(event, ts, intent_weights(), '2026-02-25', '3 days') AS score FROM gd GROUP BY 1;
WITH b AS (SELECT intent_breaks(score) AS b, intent_breaks(score, 0.25, 0.35) AS b2 FROM sc),
o AS (SELECT percentile_disc(0.8) WITHIN GROUP (ORDER BY score) FILTER (WHERE score > 0) AS s80,
             percentile_disc(0.4) WITHIN GROUP (ORDER BY score) FILTER (WHERE score > 0) AS s40,
             percentile_disc(0.75) WITHIN GROUP (ORDER BY score) FILTER (WHERE score > 0) AS s75,
             count(*) AS users, count(*) FILTER (WHERE score > 0) AS active FROM sc)
SELECT (b).strong_above = s80 AS strong_ok, (b).medium_above = s40 AS medium_ok,
       (b2).strong_above = s75 AND (b2).medium_above = s40 AS custom_ok,
       (b).users = o.users AND (b).active = o.active AS counts_ok,
       (b).strong_users = (SELECT count(*) FROM sc WHERE score > s80)
   AND (b).medium_users = (SELECT count(*) FROM sc WHERE score > s40 AND score <= s80)
   AND (b).weak_users = (SELECT count(*) FROM sc WHERE score > 0 AND score <= s40)
   AND (b).none_users = (SELECT count(*) FROM sc WHERE score <= 0) AS tier_counts_ok,
       (b).strong_users <= 0.2 * (b).active AS strong_at_most_20pct,
       (b).none_users > (b).active AS mostly_zero,
       (b).strong_above, (b).medium_above
FROM b, o;
-- intent_share_tier agrees with the reported counts, and a tie block never straddles tiers
WITH b AS (SELECT intent_breaks(score) AS b FROM sc)
SELECT intent_share_tier(score, b.b) AS tier, count(*) AS users, min(score), max(score),
       count(*) = CASE intent_share_tier(score, b.b) WHEN 'strong' THEN (b.b).strong_users WHEN 'medium' THEN (b.b).medium_users
                       WHEN 'weak' THEN (b.b).weak_users ELSE (b.b).none_users END AS matches_breaks
FROM sc, b GROUP BY 1, b.b ORDER BY min(score);
SELECT count(*) AS scores_in_two_tiers FROM (
  SELECT score FROM sc, (SELECT intent_breaks(score) AS b FROM sc) b GROUP BY score HAVING count(DISTINCT intent_share_tier(score, b.b)) > 1) t;
-- hand-worked: 70 zeros, 20 ones, 6 threes, 4 nines: active 30; percentile_disc(0.8) of 30 is
-- row 24 = 3, percentile_disc(0.4) row 12 = 1: strong 4 (the nines), medium 6, weak 20, none 70
SELECT (b).* FROM (SELECT intent_breaks(s) AS b FROM (
  SELECT 0::float8 s FROM generate_series(1, 70) UNION ALL SELECT 1 FROM generate_series(1, 20)
  UNION ALL SELECT 3 FROM generate_series(1, 6) UNION ALL SELECT 9 FROM generate_series(1, 4)) v) x;
SELECT s, intent_share_tier(s, ROW(0.2, 0.4, 3, 1, 100, 30, 4, 6, 20, 70)::_pg_operations_internal.intent_breaks) AS tier
FROM unnest(ARRAY[-1, 0, 0.5, 1, 2, 3, 3.5, 9]::float8[]) s;
SELECT intent_breaks(s) IS NULL AS empty_is_null FROM (SELECT 1.0::float8 s WHERE false) v;
SELECT (intent_breaks(s)).* FROM (VALUES (0.0::float8), (-2), (NULL)) v(s);
SELECT intent_share_tier(5, (SELECT intent_breaks(0.0::float8))) AS positive_without_active_population;

-- ==== intent_definition: reset rule (a purchase ends the decision period), == the 6-argument
-- form without a reset rule, and == a hand-written SQL oracle with one
SELECT intent_definition(intent_weights(), '2026-03-15');
SELECT intent_definition('{"pay": 8}', '2026-03-15', '7 days', '2 days', ARRAY['pay', 'pay', 'click_submit'], 0.25);
WITH ours AS (
  SELECT user_id,
         intent_score(event, ts, intent_weights(), '2026-02-25', '10 days', '3 days') AS six,
         intent_score(event, ts, intent_definition(intent_weights(), '2026-02-25', '10 days', '3 days')) AS def,
         intent_score(event, ts, intent_definition(intent_weights(), '2026-02-25', '10 days', reset_events => ARRAY['pay'], reset_factor => 0.25)) AS reset,
         intent_score(event, ts, intent_weights(), '2026-02-25', '10 days') AS plain
  FROM gd GROUP BY user_id),
win AS (SELECT * FROM gd WHERE ts > timestamptz '2026-02-25' - interval '10 days' AND ts <= '2026-02-25'),
t AS (SELECT user_id, max(ts) FILTER (WHERE event = 'pay') AS last_pay FROM win GROUP BY 1),
oracle AS (
  SELECT w.user_id,
         sum((intent_weights() ->> w.event)::float8 * CASE WHEN w.ts <= t.last_pay THEN 0.25 ELSE 1 END) AS reset
  FROM win w JOIN t USING (user_id) WHERE intent_weights() ? w.event GROUP BY 1)
SELECT count(*) AS users,
       count(*) FILTER (WHERE six IS DISTINCT FROM def) AS definition_differs,
       count(*) FILTER (WHERE abs(ours.reset - coalesce(o.reset, 0)) > 1e-9) AS reset_differs,
       count(*) FILTER (WHERE ours.reset < plain) > 0 AS some_scores_lowered
FROM ours LEFT JOIN oracle o USING (user_id);
SELECT intent_score_detail(event, ts, intent_definition(intent_weights(), '2026-03-15', reset_events => ARRAY['pay'], reset_factor => 0.5))
FROM (VALUES ('view_detail', timestamptz '2026-03-10'), ('pay', '2026-03-11'), ('view_list', '2026-03-13'), ('pay', '2026-03-01')) v(event, ts);

-- ==== one configuration per group: varying as_of, weights, lookback or definition is 22023
SELECT intent_score(event, ts, intent_weights(), as_of)
FROM (VALUES ('pay', timestamptz '2026-03-01', timestamptz '2026-03-02'), ('pay', '2026-03-01', '2026-03-20')) v(event, ts, as_of);
SELECT intent_score(event, ts, intent_weights(), as_of)
FROM (VALUES ('pay', timestamptz '2026-03-01', timestamptz '2026-03-20'), ('pay', '2026-03-01', '2026-03-02')) v(event, ts, as_of);
SELECT intent_score(event, ts, w, '2026-03-02')
FROM (VALUES ('pay', timestamptz '2026-03-01', '{"pay": 2}'::jsonb), ('pay', '2026-03-01', '{"pay": 200}')) v(event, ts, w);
SELECT intent_score(event, ts, '{"pay": 2}', '2026-03-02', lb)
FROM (VALUES ('pay', timestamptz '2026-03-01', interval '1 day'), ('pay', '2026-03-01', '2 days')) v(event, ts, lb);
SELECT intent_score(event, ts, intent_definition('{"pay": 2}', '2026-03-02', reset_factor => f, reset_events => ARRAY['pay']))
FROM (VALUES ('pay', timestamptz '2026-03-01', 0.0), ('pay', '2026-03-01', 0.5)) v(event, ts, f);
-- rows outside the window are checked too (the config is decoded per row, cached per call)
SELECT intent_score(event, ts, intent_weights(), as_of)
FROM (VALUES ('pay', timestamptz '2020-01-01', timestamptz '2026-03-02'), ('pay', '2020-01-01', '2026-03-20')) v(event, ts, as_of);
-- equal values from different rows (e.g. a joined settings table) are fine
SELECT intent_score(event, ts, w, '2026-03-02')
FROM (VALUES ('pay', timestamptz '2026-03-01', '{"pay": 2}'::jsonb), ('pay', '2026-03-01', '{"pay": 2.0}'), ('view_list', '2026-03-01', '{ "pay" : 2 }')) v(event, ts, w);
