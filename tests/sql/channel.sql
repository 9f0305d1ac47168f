-- Channel quadrant: channel_quadrant, channel_prior, channel_shrunk_rate.
CREATE EXTENSION pg_operations;

-- Wilson values vs numbers computed independently in Python 3 from the closed form
-- (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), clamped to [0, 1],
-- z = statistics.NormalDist().inv_cdf(1 - (1 - confidence) / 2).
SELECT x, n, conf,
       abs(q.rate - x::float8 / n) < 1e-12 AS rate_ok,
       abs(q.ci_low - lo) < 1e-12 AS low_ok,
       abs(q.ci_high - hi) < 1e-12 AS high_ok
FROM (VALUES (3, 12, 0.95, 0.08894166839405476, 0.5323053349335656),
             (30, 200, 0.95, 0.10713593562241996, 0.20605579284166659),
             (5, 40, 0.90, 0.06219135869811129, 0.2353237277859823),
             (0, 50, 0.99, 0.0, 0.11715209171762792),
             (12, 12, 0.95, 0.7575059933447593, 1.0),
             (7, 29, 0.95, 0.12218422442520088, 0.42107601617811335),
             (450, 1000, 0.8, 0.42993681395996375, 0.4702271541844658),
             (41, 300, 0.95, 0.10236514609208625, 0.1801554129977505)) v(x, n, conf, lo, hi),
     LATERAL channel_quadrant(n, x, 0, 0.5, 0, conf) q
ORDER BY n, x;
-- The same numbers as wilson_interval gives.
SELECT (channel_quadrant(200, 30, 0, 0.5)).ci_low = (wilson_interval(30, 200)).ci_low AS same_as_wilson_interval;

-- Points on, above and below each cut (traffic cut 100, rate cut 0.1; high means > cut).
SELECT traffic, conversions, q.quadrant, q.label, q.strategy
FROM (VALUES (101, 20), (100, 20), (99, 20), (100, 10), (99, 5), (200, 20), (200, 21), (200, 19))
       v(traffic, conversions),
     LATERAL channel_quadrant(traffic, conversions, 100, 0.1) q
ORDER BY traffic, conversions;
-- Fractional traffic cut; cuts at the ends of their ranges (below them is 22023, see the end).
SELECT (channel_quadrant(100, 50, 99.5, 0.1)).label AS above_99_5,
       (channel_quadrant(100, 50, 100.5, 0.1)).label AS below_100_5,
       (channel_quadrant(40, 0, 0, 0)).label AS zero_cuts;

-- min_traffic boundary (default 30): 29 is insufficient (rate and interval still shown), 30 is not.
SELECT traffic, q.quadrant, q.label, round(q.rate::numeric, 4) AS rate, q.ci_low IS NOT NULL AS has_ci, q.strategy
FROM generate_series(29, 31) traffic, LATERAL channel_quadrant(traffic, 10, 10, 0.1) q
ORDER BY traffic;
SELECT (channel_quadrant(29, 10, 10, 0.1, min_traffic => 29)).label AS min_traffic_29,
       (channel_quadrant(30, 10, 10, 0.1, min_traffic => 31)).label AS min_traffic_31;
-- No traffic: never a quadrant, even with min_traffic 0.
SELECT * FROM channel_quadrant(0, 0, 10, 0.1, 0);

-- 12 visitors with 3 conversions (25 %) is not a star: below the default min_traffic...
SELECT quadrant, label, rate, significant FROM channel_quadrant(12, 3, 5, 0.1);
-- ...and with min_traffic 0 it is labelled star, but significant = f: its interval
-- [0.089, 0.532] includes the 10 % cut, so the label says little.
SELECT quadrant, label, round(ci_low::numeric, 4) AS ci_low, round(ci_high::numeric, 4) AS ci_high, significant
FROM channel_quadrant(12, 3, 5, 0.1, min_traffic => 0);

-- significant = the interval excludes rate_cut. 30/200: [0.10714, 0.20606].
SELECT cut, (channel_quadrant(200, 30, 0, cut)).significant
FROM unnest(ARRAY[0.10, 0.107, 0.11, 0.20, 0.21]) cut ORDER BY cut;
-- A narrower confidence narrows the interval: 0.80 excludes 0.11.
SELECT (channel_quadrant(200, 30, 0, 0.11, 30, 0.80)).significant AS at_80,
       (channel_quadrant(200, 30, 0, 0.11, 30, 0.99)).significant AS at_99;
-- STRICT: NULL in, NULL out.
SELECT channel_quadrant(NULL, 3, 5, 0.1) IS NULL AS null_traffic;

-- Errors: 22023 naming the value.
SELECT channel_quadrant(10, 11, 5, 0.1);
SELECT channel_quadrant(-1, 0, 5, 0.1);
SELECT channel_quadrant(10, -2, 5, 0.1);
SELECT channel_quadrant(10, 2, 5, 0.1, -3);
SELECT channel_quadrant(10, 2, 5, 0.1, 30, 0);
SELECT channel_quadrant(10, 2, 5, 0.1, 30, 1);
SELECT channel_quadrant(10, 2, 5, 0.1, 30, 'NaN');
SELECT channel_quadrant(10, 2, 'NaN', 0.1);
SELECT channel_quadrant(10, 2, 5, 'NaN');
SELECT channel_quadrant(10, 2, 5, '-Infinity');

-- Prior fit and shrunk rates; expected values computed independently in Python 3 (method of
-- moments: m = Σx/Σn, s² = sample variance of the rates, h = mean(1/n),
-- ρ = (s²/(m(1−m)) − h)/(1 − h), c = 1/ρ − 1, alpha = m·c, beta = (1−m)·c).
CREATE TABLE ch(name text, traffic bigint, conversions bigint);
INSERT INTO ch VALUES ('a', 100, 10), ('b', 100, 30), ('c', 50, 2), ('d', 400, 60), ('e', 0, 0), ('f', NULL, 3);
SELECT abs((p).alpha - 1.7184253648127863) < 1e-12 AS alpha_ok,
       abs((p).beta - 9.232324508994186) < 1e-12 AS beta_ok,
       round(((p).alpha / ((p).alpha + (p).beta))::numeric, 12) AS prior_mean,
       round((102.0 / 650)::numeric, 12) AS pooled_rate
FROM (SELECT channel_prior(traffic, conversions) AS p FROM ch) s;
SELECT c.name, c.traffic, c.conversions,
       round((c.conversions::float8 / nullif(c.traffic, 0))::numeric, 4) AS raw_rate,
       round(channel_shrunk_rate(c.traffic, c.conversions, s.p)::numeric, 4) AS shrunk,
       abs(channel_shrunk_rate(c.traffic, c.conversions, s.p) - v.expected) < 1e-12 AS matches_python
FROM ch c
CROSS JOIN (SELECT channel_prior(traffic, conversions) AS p FROM ch) s
JOIN (VALUES ('a', 0.10561826195984321), ('b', 0.28587842264147517), ('c', 0.06100704868293582),
             ('d', 0.15018448167758552), ('e', 0.15692307692307692)) v(name, expected) USING (name)
ORDER BY c.name;
-- Hand-worked: (100, 10), (100, 30) → alpha 35/23, beta 140/23; shrunk 10/100 → 265/2475.
SELECT abs((p).alpha - 35.0 / 23) < 1e-12 AS alpha_ok, abs((p).beta - 140.0 / 23) < 1e-12 AS beta_ok,
       abs(channel_shrunk_rate(100, 10, p) - 265.0 / 2475) < 1e-12 AS shrunk_ok
FROM (SELECT channel_prior(n, x) AS p FROM (VALUES (100, 10), (100, 30)) v(n, x)) s;
-- Fallback: identical rates → pooled mean with weight Σ traffic; fewer than 2 channels → NULL.
SELECT channel_prior(n, x) FROM (VALUES (100, 20), (100, 20)) v(n, x);
SELECT channel_prior(n, x) IS NULL AS one_channel_is_null FROM (VALUES (100, 20), (0, 0)) v(n, x);
SELECT channel_prior(n, x) IS NULL AS empty_is_null FROM ch v(nm, n, x) WHERE false;
-- Errors.
SELECT channel_prior(n, x) FROM (VALUES (100, 20), (3, 4)) v(n, x);
SELECT channel_prior(n, x) FROM (VALUES (100, 20), (-3, 0)) v(n, x);
SELECT channel_shrunk_rate(3, 4, ROW(1, 1)::_pg_operations_internal.channel_prior);
SELECT channel_shrunk_rate(3, 1, ROW(-1, 1)::_pg_operations_internal.channel_prior);
SELECT channel_shrunk_rate(3, 1, ROW(NULL, 1)::_pg_operations_internal.channel_prior);
SELECT channel_shrunk_rate(0, 0, ROW(0, 0)::_pg_operations_internal.channel_prior);

-- Forced parallel plan gives the same prior as the serial one.
CREATE TABLE many AS
SELECT g AS id, 20 + (g * 7919) % 500 AS traffic, 0::bigint AS conversions FROM generate_series(1, 100000) g;
UPDATE many SET conversions = (traffic * ((id * 31) % 17)) / 40;
ANALYZE many;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT channel_prior(traffic, conversions) FROM many;
CREATE TEMP TABLE par AS SELECT channel_prior(traffic, conversions) AS p FROM many;
RESET ALL;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT p FROM par) = channel_prior(traffic, conversions) AS parallel_equals_serial,
       (SELECT p FROM par) IS NOT NULL AS not_null
FROM many;
RESET ALL;

-- The channel report over demo data: traffic = distinct users, conversions = distinct payers,
-- cuts from window functions over the channels.
CREATE TABLE events AS SELECT * FROM generate_demo_events(3000, 60, 1);
WITH c AS (
    SELECT channel, count(DISTINCT user_id) AS traffic,
           count(DISTINCT user_id) FILTER (WHERE event = 'pay') AS conversions
    FROM events GROUP BY channel
), q AS (
    SELECT channel, traffic, conversions,
           channel_quadrant(traffic, conversions, avg(traffic) OVER (),
                            sum(conversions) OVER () / sum(traffic) OVER ()) AS cq,
           channel_prior(traffic, conversions) OVER () AS prior
    FROM c
)
SELECT channel, traffic, conversions, (cq).quadrant, (cq).label,
       round((cq).rate::numeric, 4) AS rate, round((cq).ci_low::numeric, 4) AS ci_low,
       round((cq).ci_high::numeric, 4) AS ci_high, (cq).significant,
       round(channel_shrunk_rate(traffic, conversions, prior)::numeric, 4) AS shrunk_rate
FROM q ORDER BY (cq).quadrant NULLS LAST, traffic DESC;
-- Oracle for that report: cuts and labels recomputed in plain SQL.
WITH c AS (
    SELECT channel, count(DISTINCT user_id) AS traffic,
           count(DISTINCT user_id) FILTER (WHERE event = 'pay') AS conversions
    FROM events GROUP BY channel
), cuts AS (
    SELECT avg(traffic) AS tcut, sum(conversions)::numeric / sum(traffic) AS rcut FROM c
)
SELECT channel, traffic, conversions, round(tcut, 2) AS traffic_cut, round(rcut, 4) AS rate_cut,
       CASE WHEN traffic > tcut AND conversions::numeric / traffic > rcut THEN 'star'
            WHEN conversions::numeric / traffic > rcut THEN 'potential'
            WHEN traffic > tcut THEN 'leaky' ELSE 'weak' END AS expected_label
FROM c, cuts ORDER BY channel;

-- ==== issue #20: the strategy respects significant, Chinese texts, range errors.
-- 30 of 200 at rate_cut 0.12: Wilson 95% interval (0.107, 0.206) includes 0.12 -> tentative
SELECT (q).quadrant, (q).label, (q).significant, (q).strategy
FROM (SELECT channel_quadrant(200, 30, 100, 0.12) AS q) s;
SELECT (q).quadrant, (q).label, (q).significant, (q).strategy
FROM (SELECT channel_quadrant(200, 30, 100, 0.12, 'zh') AS q) s;
-- significant channels keep the confident advice; en == the 6-argument form
SELECT count(*) AS cases,
       count(*) FILTER (WHERE a IS DISTINCT FROM b) AS en_differs,
       count(*) FILTER (WHERE (a).significant AND (a).strategy LIKE 'not enough evidence%') AS significant_but_tentative,
       count(*) FILTER (WHERE NOT (a).significant AND (a).quadrant IS NOT NULL AND (a).strategy NOT LIKE 'not enough evidence yet%') AS not_significant_but_confident,
       count(*) FILTER (WHERE (a).quadrant IS DISTINCT FROM (z).quadrant OR (a).significant IS DISTINCT FROM (z).significant) AS zh_differs
FROM (SELECT channel_quadrant(t, c, 500, 0.1) AS a, channel_quadrant(t, c, 500, 0.1, 'en') AS b,
             channel_quadrant(t, c, 500, 0.1, 'zh') AS z
      FROM generate_series(0, 1000, 37) t, generate_series(0, 300, 13) c WHERE c <= t) s;
SELECT (channel_quadrant(t, c, 1000, 0.12, 'zh')).label AS zh, (channel_quadrant(t, c, 1000, 0.12)).label AS en
FROM (VALUES (2000, 400), (200, 60), (200, 2), (2000, 20), (10, 5)) v(t, c);
SELECT channel_quadrant(100, 10, 50, 10);
SELECT channel_quadrant(100, 10, 50, -0.01);
SELECT channel_quadrant(100, 10, -5, 0.1);
SELECT channel_quadrant(100, 10, 50, 0.1, 30, 95);
SELECT channel_quadrant(100, 10, 50, 0.1, 'de');
SELECT channel_quadrant(100, 10, 50, 0.1, lang => 'zh', min_traffic => 200);
SELECT (channel_quadrant(100, 10, 50, 0, 'en')).significant AS cut_zero_ok, (channel_quadrant(100, 100, 50, 1)).label AS cut_one_ok;
