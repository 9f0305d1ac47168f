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
