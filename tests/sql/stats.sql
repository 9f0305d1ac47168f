-- Shared statistics: quantile_breaks (exact percentile_cont) and wilson_interval.
CREATE EXTENSION pg_operations;
SELECT pg_operations_version() IS NOT NULL AS loaded;

-- Oracle: PostgreSQL's own percentile_cont, on data with ties, NULLs and negative values.
CREATE TABLE q AS
SELECT g AS id, CASE WHEN g % 11 = 0 THEN NULL ELSE ((g * 37) % 19 - 6)::float8 / 3 END AS v
FROM generate_series(1, 2000) g;
SELECT quantile_breaks(v, ARRAY[0, 0.2, 0.4, 0.5, 0.8, 1])
     = percentile_cont(ARRAY[0, 0.2, 0.4, 0.5, 0.8, 1]) WITHIN GROUP (ORDER BY v) AS equal_to_percentile_cont
FROM q;
-- Per group, including a single-row group and an all-NULL group.
INSERT INTO q VALUES (5001, 42), (5002, NULL);
SELECT count(*) AS groups,
       count(*) FILTER (WHERE a IS NOT DISTINCT FROM b) AS equal
FROM (SELECT id % 7 AS k, quantile_breaks(v, ARRAY[0.4, 0.8]) a,
             percentile_cont(ARRAY[0.4, 0.8]) WITHIN GROUP (ORDER BY v) b
      FROM q GROUP BY id % 7
      UNION ALL
      SELECT id, quantile_breaks(v, ARRAY[0.4, 0.8]), percentile_cont(ARRAY[0.4, 0.8]) WITHIN GROUP (ORDER BY v)
      FROM q WHERE id > 5000 GROUP BY id) s;
-- Hand-worked: 1..5 → 0.4 at position 1.6 → 2.6; 0.8 at 3.2 → 4.2. NULL probability → NULL.
SELECT quantile_breaks(x, ARRAY[0.4, 0.8, NULL]) FROM generate_series(1, 5) x;
-- Empty input → NULL, as percentile_cont.
SELECT quantile_breaks(x, ARRAY[0.5]) IS NULL AS empty_is_null FROM generate_series(1, 0) x;

-- Forced parallel plan gives the same answer as serial.
CREATE TABLE big AS SELECT ((g * 7919) % 1000)::float8 AS v FROM generate_series(1, 200000) g;
ANALYZE big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT quantile_breaks(v, ARRAY[0.4, 0.8]) FROM big;
CREATE TEMP TABLE par AS SELECT quantile_breaks(v, ARRAY[0.1, 0.4, 0.8]) AS b FROM big;
RESET ALL;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT b FROM par) = quantile_breaks(v, ARRAY[0.1, 0.4, 0.8]) AS parallel_equals_serial,
       (SELECT b FROM par) = percentile_cont(ARRAY[0.1, 0.4, 0.8]) WITHIN GROUP (ORDER BY v) AS equals_oracle
FROM big;
RESET ALL;

-- Bad input: SQLSTATE 22023 naming the value.
SELECT quantile_breaks(x, ARRAY[1.5]) FROM generate_series(1, 3) x;
SELECT quantile_breaks(x, ARRAY['NaN'::float8]) FROM generate_series(1, 3) x;
SELECT quantile_breaks(x, NULL) FROM generate_series(1, 3) x;

-- Wilson interval: values computed independently in Python from the closed form.
SELECT round(rate::numeric, 12) rate, round(ci_low::numeric, 12) lo, round(ci_high::numeric, 12) hi
FROM wilson_interval(3, 12);
SELECT abs(ci_low - 0.08894166839405476) < 1e-12 AS low_ok, abs(ci_high - 0.5323053349335656) < 1e-12 AS high_ok
FROM wilson_interval(3, 12);
SELECT * FROM wilson_interval(0, 0);
SELECT * FROM wilson_interval(5, 3);
SELECT * FROM wilson_interval(-1, 3);
SELECT * FROM wilson_interval(1, 3, 1.0);
SELECT 1 AS still_alive;
