-- Cancellation: long-running aggregates and the demo generator stop at statement_timeout
-- with 57014 (query_canceled), and the same backend answers the next query. Only the
-- SQLSTATE is printed so the output does not depend on timing or on the build. Every query
-- below needs well over 1 s in a release build (hundreds of millions of rows from
-- generate_series, so nothing large is stored first); the whole file takes about 5 s.
CREATE EXTENSION pg_operations;
SET max_parallel_workers_per_gather = 0;
SET statement_timeout = '1s';
\set VERBOSITY sqlstate
-- One-shot funnel over 200M rows (200k users x 1000 events, 3 kept per user).
SELECT funnel_step_rates(u, timestamptz '2026-01-01' + k * interval '1 second',
                         ARRAY[k = 1, k = 2, k = 3], interval '1 hour')
FROM generate_series(1, 200000) u, generate_series(1, 1000) k;
SELECT 1 AS alive;
-- Event-name form with text user ids.
SELECT funnel_step_rates(u::text, timestamptz '2026-01-01' + k * interval '1 second',
                         'e' || (k % 10), ARRAY['e1', 'e2', 'e3'], interval '1 hour')
FROM generate_series(1, 200000) u, generate_series(1, 1000) k;
SELECT 1 AS alive;
-- Per-user window_funnel over many groups.
SELECT count(*) FROM (
  SELECT window_funnel(timestamptz '2026-01-01' + k * interval '1 second', ARRAY[k = 1, k = 2], interval '1 hour')
  FROM generate_series(1, 200000) u, generate_series(1, 1000) k GROUP BY u) s;
SELECT 1 AS alive;
-- quantile_breaks (filtered so it keeps only 200k values while the scan runs long).
SELECT quantile_breaks(k::float8, ARRAY[0.5]) FROM generate_series(1, 200000) u, generate_series(1, 1000) k
WHERE k = 1;
SELECT 1 AS alive;
-- The demo generator (3M users, about 60M rows).
SELECT count(*) FROM generate_demo_events(3000000, 180, 1);
SELECT 1 AS alive;
RESET statement_timeout;
\set VERBOSITY default
SELECT count(*) AS small_funnel_still_works
FROM (SELECT funnel_step_rates(u, timestamptz '2026-01-01' + k * interval '1 second',
                               ARRAY[k = 1, k = 2], interval '1 hour') AS r
      FROM generate_series(1, 100) u, generate_series(1, 10) k) s;
