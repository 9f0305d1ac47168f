-- Conditions run by name: window_funnel(ts, ARRAY[e = 'a', e = 'b', ...], window [, mode])
-- runs as the internal event-name aggregate when every condition compares one text
-- expression with a constant. The result must be the conds form's, row for row.
--
-- A new session: its first query is rewritten (the planner loads the library through the
-- conds transition's support function before the executor starts).
CREATE EXTENSION pg_operations;
-- Data full of ties (2 000 distinct minutes for 20 000 rows of 200 users), NULL events, a
-- varchar column; hashint4 scatters the values reproducibly.
CREATE TABLE cb AS
SELECT abs(hashint4(i)) % 200 AS u,
       timestamptz '2026-01-01' + (abs(hashint4(i + 1000000)) % 2000) * interval '1 minute' AS ts,
       (ARRAY['a', 'b', 'c', 'd', NULL, 'x'])[1 + abs(hashint4(i + 2000000)) % 6] AS e,
       (abs(hashint4(i + 3000000)) % 4)::text::varchar(3) AS v
FROM generate_series(1, 20000) i;
ANALYZE cb;
\c
EXPLAIN (VERBOSE, COSTS OFF)
SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour') FROM cb;
SHOW pg_operations.conds_by_name;


-- q's rows (u, l) with the rewrite and without it: the number of users, the sum of their
-- levels (or, when l is not a number, a digest of the rows), and how many users differ.
CREATE FUNCTION pg_temp.compare_by_name(q text, levels bool) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    PERFORM set_config('pg_operations.conds_by_name', 'on', true);
    EXECUTE 'CREATE TEMP TABLE by_name AS ' || q;
    PERFORM set_config('pg_operations.conds_by_name', 'off', true);
    EXECUTE 'CREATE TEMP TABLE by_conds AS ' || q;
    PERFORM set_config('pg_operations.conds_by_name', 'on', true);
    SELECT format(CASE WHEN levels THEN '%s users, level sum %s, %s differ' ELSE '%s users, rows %s, %s differ' END,
                  count(*),
                  CASE WHEN levels THEN sum(n.l::text::int)::text
                       ELSE left(md5(string_agg(n.l::text, ',' ORDER BY u)), 8) END,
                  count(*) FILTER (WHERE n.l::text IS DISTINCT FROM c.l::text))
      INTO r
      FROM by_name n FULL JOIN by_conds c USING (u);
    DROP TABLE by_name, by_conds;
    RETURN r;
END $$;
CREATE FUNCTION pg_temp.by_name_vs_conds(q text) RETURNS text LANGUAGE sql
AS $$ SELECT pg_temp.compare_by_name(q, true) $$;
CREATE FUNCTION pg_temp.rows_by_name_vs_conds(q text) RETURNS text LANGUAGE sql
AS $$ SELECT pg_temp.compare_by_name(q, false) $$;

-- Every mode, serially.
SET max_parallel_workers_per_gather = 0;
SELECT m AS mode, pg_temp.by_name_vs_conds(format(
    $q$SELECT u, window_funnel(ts, ARRAY[e = 'a', e = 'b', 'c' = e, e = 'b', e = 'd'],
                             interval '30 minutes', %L) AS l FROM cb GROUP BY u$q$, m)) AS result
FROM unnest(ARRAY['default', 'strict_order', 'strict_deduplication', 'strict_increase',
                  'strict_order, strict_increase', 'strict_once', 'strict_order, allow_reentry',
                  'clickhouse', 'strict_order, clickhouse', 'strict_deduplication, clickhouse',
                  'strict_increase, clickhouse']) m;
SELECT pg_temp.by_name_vs_conds(
    $q$SELECT u, window_funnel(ts, ARRAY[v = '1', v = '2', v = '3'], interval '20 minutes') AS l
       FROM cb GROUP BY u$q$) AS varchar_column;
SELECT pg_temp.by_name_vs_conds(
    $q$SELECT u, window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '20 minutes')
                 FILTER (WHERE v <> '0') AS l
       FROM cb GROUP BY u$q$) AS with_filter;

-- A NULL event matches no step but is a row, as in the conds form: in strict_order it ends
-- the chain (level 1); funnel_level's event form skips rows with a NULL event (level 2).
CREATE TABLE cb_null (ts timestamptz, e text);
INSERT INTO cb_null VALUES ('2026-01-01 00:00', 'a'), ('2026-01-01 00:01', NULL), ('2026-01-01 00:02', 'b');
SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour', 'strict_order') AS by_name,
       funnel_level(ts, e, funnel_definition(interval '1 hour', steps => ARRAY['a', 'b'],
                                             mode => 'strict_order')) AS event_form
FROM cb_null;
SET pg_operations.conds_by_name = off;
SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour', 'strict_order') AS conds
FROM cb_null;
RESET pg_operations.conds_by_name;

-- Parallel plans (partial aggregates in the workers, rewritten in the leader's plan).
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT u, window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '30 minutes') FROM cb GROUP BY u;
SELECT m AS mode, pg_temp.by_name_vs_conds(format(
    $q$SELECT u, window_funnel(ts, ARRAY[e = 'a', e = 'b', e = 'c', e = 'd'],
                             interval '30 minutes', %L) AS l FROM cb GROUP BY u$q$, m)) AS parallel
FROM unnest(ARRAY['default', 'strict_order', 'strict_deduplication, clickhouse']) m;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- funnel_step_rates in its conds form (bigint and text ids, with and without step_names
-- and mode) runs by name too: the whole funnel_step array is compared.
CREATE FUNCTION pg_temp.rates_by_name_vs_conds(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n text; c text;
BEGIN
    PERFORM set_config('pg_operations.conds_by_name', 'on', true);
    EXECUTE q INTO n;
    PERFORM set_config('pg_operations.conds_by_name', 'off', true);
    EXECUTE q INTO c;
    PERFORM set_config('pg_operations.conds_by_name', 'on', true);
    RETURN CASE WHEN n IS NOT DISTINCT FROM c THEN 'same: ' ELSE 'DIFFERENT: ' || c || ' by conds, by name: ' END || n;
END $$;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT funnel_step_rates(u, ts, ARRAY[e = 'a', e = 'b'], interval '30 minutes') FROM cb;
SELECT m AS mode, pg_temp.rates_by_name_vs_conds(format(
    $q$SELECT array_agg(s.users ORDER BY s.step)::text || ' ' || min(s.name)
       FROM unnest((SELECT funnel_step_rates(u, ts, ARRAY[e = 'a', e = 'b', 'c' = e, e = 'b', e = 'd'],
                                             interval '30 minutes', NULL, %L) FROM cb)) s$q$, m)) AS result
FROM unnest(ARRAY['default', 'strict_order', 'strict_deduplication', 'strict_increase',
                  'strict_once', 'strict_order, allow_reentry', 'strict_order, clickhouse',
                  'strict_deduplication, clickhouse']) m;
SELECT pg_temp.rates_by_name_vs_conds(
    $q$SELECT funnel_step_rates(u::text, ts, ARRAY[e = 'a', e = 'b', e = 'c'], interval '1 hour')::text FROM cb$q$) AS text_ids;
SELECT pg_temp.rates_by_name_vs_conds(
    $q$SELECT funnel_step_rates(u, ts, ARRAY[e = 'a', e = 'b', e = 'c'], interval '1 hour', ARRAY['A', 'B', 'C'])::text FROM cb$q$) AS named;
SELECT pg_temp.rates_by_name_vs_conds(
    $q$SELECT funnel_step_rates(u, ts, ARRAY[v = '1', v = '2'], interval '1 hour', NULL, 'strict_order')::text FROM cb$q$) AS varchar_strict;
-- Users whose every event is NULL are in the population of the conds form (step 1's rate
-- is over them): so they are by name.
SELECT pg_temp.rates_by_name_vs_conds(
    $q$SELECT funnel_step_rates(u, ts, ARRAY[e = 'a', e = 'b'], interval '1 hour')::text
       FROM (SELECT u, ts, CASE WHEN u % 3 = 0 THEN NULL ELSE e END AS e FROM cb) s$q$) AS null_users;
-- The typo guard still speaks of conditions and default names.
SELECT (funnel_step_rates(u, ts, ARRAY[e = 'a', e = 'zzz'], interval '1 hour'))[2].users FROM cb;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT m AS mode, pg_temp.rates_by_name_vs_conds(format(
    $q$SELECT funnel_step_rates(u, ts, ARRAY[e = 'a', e = 'b', e = 'c', e = 'd'], interval '30 minutes', NULL, %L)::text
       FROM cb$q$, m)) AS parallel
FROM unnest(ARRAY['default', 'strict_order']) m;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- The aggregates under a funnel_definition in their conds form (conds beyond the steps
-- are exclusion conditions) run by name too: funnel_level, funnel_path (with a held key and
-- a property) and funnel_report (bigint and text ids, with a key).
CREATE TEMP TABLE defs AS
SELECT * FROM (VALUES
  ('plain', funnel_definition(interval '30 minutes', step_count => 3)),
  ('strict', funnel_definition(interval '30 minutes', step_count => 3, mode => 'strict_order')),
  ('gaps', funnel_definition(interval '1 hour', step_count => 3, step_windows => ARRAY['5 minutes', NULL]::interval[])),
  ('excl', funnel_definition(interval '1 hour', step_count => 3,
                             exclusions => '[{"cond": 4, "from_step": 1, "to_step": 3}]')),
  ('dedup_ch', funnel_definition(interval '30 minutes', step_count => 3, mode => 'strict_deduplication, clickhouse')),
  ('last', funnel_definition(interval '1 hour', step_count => 3, property_step => 'last'))
) d(label, def);
SET max_parallel_workers_per_gather = 0;
SELECT label,
       pg_temp.by_name_vs_conds(format($q$SELECT u, funnel_level(ts, ARRAY[e = 'a', e = 'b', e = 'c', e = 'x'], %L::_pg_operations_internal.funnel_definition) AS l FROM cb GROUP BY u$q$, def)) AS level,
       pg_temp.by_name_vs_conds(format($q$SELECT u, funnel_level(ts, ARRAY[e = 'a', e = 'b', e = 'c', e = 'x'], %L::_pg_operations_internal.funnel_definition, v) AS l FROM cb GROUP BY u$q$, def)) AS level_key,
       pg_temp.rows_by_name_vs_conds(format($q$SELECT u, funnel_path(ts, ARRAY[e = 'a', e = 'b', e = 'c', e = 'x'], %L::_pg_operations_internal.funnel_definition) AS l FROM cb GROUP BY u$q$, def)) AS path,
       pg_temp.rows_by_name_vs_conds(format($q$SELECT u, funnel_path(ts, ARRAY[e = 'a', e = 'b', e = 'c', e = 'x'], %L::_pg_operations_internal.funnel_definition, v, ts::text) AS l FROM cb GROUP BY u$q$, def)) AS path_key_property,
       pg_temp.rates_by_name_vs_conds(format($q$SELECT md5(funnel_report(u, ts, ARRAY[e = 'a', e = 'b', e = 'c', e = 'x'], %L::_pg_operations_internal.funnel_definition)::text) FROM cb$q$, def)) AS report,
       pg_temp.rates_by_name_vs_conds(format($q$SELECT md5(funnel_report(u::text, ts, ARRAY[e = 'a', e = 'b', e = 'c', e = 'x'], %L::_pg_operations_internal.funnel_definition, v)::text) FROM cb$q$, def)) AS report_text_key
FROM defs ORDER BY label;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT u, funnel_path(ts, ARRAY[e = 'a', e = 'b'], funnel_definition(interval '1 hour', step_count => 2), v, e) FROM cb GROUP BY u;
-- In parallel, the typo guard still names the steps (read from the partial call).
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT u, funnel_level(ts, ARRAY[e = 'a', e = 'zzz'], funnel_definition(interval '1 hour', step_count => 2, step_names => ARRAY['A', 'Z'])) FROM cb GROUP BY u;
SELECT sum(l) FROM (SELECT u, funnel_level(ts, ARRAY[e = 'a', e = 'zzz'], funnel_definition(interval '1 hour', step_count => 2, step_names => ARRAY['A', 'Z'])) AS l FROM cb GROUP BY u) s;
SELECT label,
       pg_temp.by_name_vs_conds(format($q$SELECT u, funnel_level(ts, ARRAY[e = 'a', e = 'b', e = 'c', e = 'x'], %L::_pg_operations_internal.funnel_definition) AS l FROM cb GROUP BY u$q$, def)) AS level,
       pg_temp.rows_by_name_vs_conds(format($q$SELECT u, funnel_path(ts, ARRAY[e = 'a', e = 'b', e = 'c', e = 'x'], %L::_pg_operations_internal.funnel_definition, v, ts::text) AS l FROM cb GROUP BY u$q$, def)) AS path_key_property,
       pg_temp.rates_by_name_vs_conds(format($q$SELECT md5(funnel_report(u, ts, ARRAY[e = 'a', e = 'b', e = 'c', e = 'x'], %L::_pg_operations_internal.funnel_definition)::text) FROM cb$q$, def)) AS report
FROM defs WHERE label IN ('plain', 'excl', 'strict') ORDER BY label;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Subqueries, UNION branches and HAVING are rewritten too.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT (SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour') FROM cb WHERE u = 1)
UNION ALL
SELECT window_funnel(ts, ARRAY[e = 'c', e = 'd'], interval '1 hour') FROM cb WHERE u = 2
HAVING window_funnel(ts, ARRAY[e = 'c', e = 'd'], interval '1 hour') > 0;

-- A generic plan with the window as a parameter: rewritten, and the same answer each time.
SET plan_cache_mode = force_generic_plan;
PREPARE wf(interval) AS
SELECT sum(l) FROM (SELECT u, window_funnel(ts, ARRAY[e = 'a', e = 'b', e = 'c'], $1) AS l
                    FROM cb GROUP BY u) s;
EXECUTE wf('10 minutes');
EXECUTE wf('2 hours');
SET pg_operations.conds_by_name = off;
EXECUTE wf('2 hours');
RESET pg_operations.conds_by_name;
DEALLOCATE wf;
RESET plan_cache_mode;

-- The step names as parameters (a prepared statement's generic plan, as a JDBC driver gets
-- after a few runs; a varchar parameter; a PL/pgSQL variable): rewritten with each run's
-- values, the same answer as the conds form; a NULL value runs as written.
SET plan_cache_mode = force_generic_plan;
PREPARE wfp(text, varchar, text) AS
SELECT u, window_funnel(ts, ARRAY[e = $1, $2 = e, e = $3], interval '30 minutes', 'strict_order') AS l
FROM cb GROUP BY u;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE wfp('a', 'b', 'c');
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE wfp('a', NULL, 'c');
SELECT pg_temp.by_name_vs_conds(format('EXECUTE wfp(%L, %L, %L)', a1, a2, a3)) AS generic_plan,
       a1, a2, a3
FROM (VALUES ('a', 'b', 'c'), ('c', 'b', 'a'), ('a', NULL, 'c'), ('d', 'd', 'x')) v(a1, a2, a3);
DEALLOCATE wfp;
RESET plan_cache_mode;
-- In PL/pgSQL the variables are the statement's parameters (read through its parameter
-- hook; in EXPLAIN they are constants already).
SET plan_cache_mode = force_generic_plan;
CREATE FUNCTION pg_temp.wf_vars(s1 text, s2 text) RETURNS TABLE (u int, l int) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY SELECT cb.u, window_funnel(cb.ts, ARRAY[cb.e = s1, cb.e = s2], interval '1 hour')
                 FROM cb GROUP BY cb.u;
END $$;
SELECT pg_temp.by_name_vs_conds('SELECT * FROM pg_temp.wf_vars(''b'', ''c'')') AS plpgsql_vars;
CREATE FUNCTION pg_temp.wf_vars_plan(s1 text, s2 text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXPLAIN (VERBOSE, COSTS OFF)
        SELECT window_funnel(cb.ts, ARRAY[cb.e = s1, cb.e = s2], interval '1 hour') FROM cb;
END $$;
SELECT * FROM pg_temp.wf_vars_plan('b', 'c');
RESET plan_cache_mode;

-- Not rewritten (the conds form runs): conditions on two expressions, a comparison with a
-- column, a volatile expression, an IN list, an ORDER BY inside the call, a
-- nondeterministic collation.
CREATE COLLATION cb_nd (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
EXPLAIN (VERBOSE, COSTS OFF)
SELECT window_funnel(ts, ARRAY[e = 'a', v = '1'], interval '1 hour'),
       window_funnel(ts, ARRAY[e = 'a', e = v], interval '1 hour'),
       window_funnel(ts, ARRAY[e || random()::text = 'a', e || random()::text = 'b'], interval '1 hour'),
       window_funnel(ts, ARRAY[e IN ('a', 'x'), e = 'b'], interval '1 hour'),
       window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour' ORDER BY ts),
       window_funnel(ts, ARRAY[e = 'A' COLLATE cb_nd, e = 'B' COLLATE cb_nd], interval '1 hour')
FROM cb;
-- The nondeterministic collation's answer is its own (A = a), not byte equality.
SELECT window_funnel(ts, ARRAY[e = 'A' COLLATE cb_nd, e = 'B' COLLATE cb_nd], interval '1 hour') AS nd,
       window_funnel(ts, ARRAY[e = 'A', e = 'B'], interval '1 hour') AS bytes
FROM cb_null;

-- An aggregate of the same name and signature that is not ours is left alone.
CREATE SCHEMA cb_other;
CREATE FUNCTION cb_other.rows_sfunc(int, timestamptz, bool[], interval) RETURNS int
LANGUAGE sql IMMUTABLE AS 'SELECT coalesce($1, 0) + 1';
CREATE AGGREGATE cb_other.window_funnel(timestamptz, bool[], interval) (
    SFUNC = cb_other.rows_sfunc, STYPE = int);
EXPLAIN (VERBOSE, COSTS OFF)
SELECT cb_other.window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour') FROM cb_null;
SELECT cb_other.window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour') FROM cb_null;
DROP SCHEMA cb_other CASCADE;

-- Privileges are those of the call as written, checked on every run: without EXECUTE on
-- window_funnel the error is the conds form's, also from a plan that a privileged user ran
-- (and so had rewritten) before; USAGE on the internal schema is not needed (executing a
-- function never needs it), so the call still runs by name.
CREATE ROLE cb_user;
GRANT SELECT ON cb_null TO cb_user;
REVOKE EXECUTE ON FUNCTION window_funnel(timestamptz, bool[], interval) FROM PUBLIC;
SET ROLE cb_user;
SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour') FROM cb_null;
RESET ROLE;
SET plan_cache_mode = force_generic_plan;
PREPARE cb_p AS SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour') FROM cb_null;
EXECUTE cb_p;
SET ROLE cb_user;
EXECUTE cb_p;
RESET ROLE;
DEALLOCATE cb_p;
RESET plan_cache_mode;
GRANT EXECUTE ON FUNCTION window_funnel(timestamptz, bool[], interval) TO PUBLIC;
REVOKE USAGE ON SCHEMA _pg_operations_internal FROM PUBLIC;
SET ROLE cb_user;
EXPLAIN (VERBOSE, COSTS OFF) SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour') FROM cb_null;
SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour') AS level FROM cb_null;
RESET ROLE;
GRANT USAGE ON SCHEMA _pg_operations_internal TO PUBLIC;
DROP OWNED BY cb_user;
DROP ROLE cb_user;

-- A cached plan never holds the twin itself: dropped and created again (as an update
-- might), the twin is found anew by the plan's next run.
SET plan_cache_mode = force_generic_plan;
PREPARE cb_q AS SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour') FROM cb_null;
EXECUTE cb_q;
ALTER EXTENSION pg_operations DROP AGGREGATE _pg_operations_internal.window_funnel(timestamptz, text, text[], interval);
DROP AGGREGATE _pg_operations_internal.window_funnel(timestamptz, text, text[], interval);
EXECUTE cb_q;
CREATE AGGREGATE _pg_operations_internal.window_funnel(ts timestamptz, event text, steps text[], "window" interval) (
    SFUNC = _pg_operations_internal.window_funnel_transition, STYPE = internal, SSPACE = 256,
    FINALFUNC = _pg_operations_internal.window_funnel_final,
    COMBINEFUNC = _pg_operations_internal.window_funnel_combine,
    SERIALFUNC = _pg_operations_internal.window_funnel_serial,
    DESERIALFUNC = _pg_operations_internal.window_funnel_deserial, PARALLEL = SAFE);
ALTER EXTENSION pg_operations ADD AGGREGATE _pg_operations_internal.window_funnel(timestamptz, text, text[], interval);
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE cb_q;
EXECUTE cb_q;
DEALLOCATE cb_q;
RESET plan_cache_mode;

-- Each run's rewritten copy is freed when its executor ends: a SQL function called 20 000
-- times in one query (its plan lives for the whole outer query) holds the same memory as
-- after one call (a copy kept per call once took 6 kB each).
CREATE TABLE cb_one (ts timestamptz, e text);
INSERT INTO cb_one VALUES ('2026-01-01', 'a');
CREATE FUNCTION cb_level() RETURNS int LANGUAGE sql VOLATILE
AS $$ SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour') FROM cb_one $$;
WITH calls AS MATERIALIZED (SELECT cb_level() AS l FROM generate_series(1, 20000))
SELECT (SELECT count(*) FROM calls WHERE l = 1) AS calls,
       (SELECT sum(total_bytes) FROM pg_backend_memory_contexts WHERE name = 'SQL function') < 100000 AS small;
DROP FUNCTION cb_level();
DROP TABLE cb_one;

-- Views keep the conds form in their definition (the rewrite is made on each plan).
CREATE VIEW cb_levels AS
SELECT u, window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour') AS l FROM cb GROUP BY u;
SELECT pg_get_viewdef('cb_levels'::regclass);
SELECT count(*), sum(l) FROM cb_levels;

-- Errors are the conds form's.
\set VERBOSITY default
SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '0 seconds') FROM cb_null;
SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '1 hour', 'sideways') FROM cb_null;

DROP VIEW cb_levels;
DROP TABLE cb, cb_null;
DROP COLLATION cb_nd;

-- A session that sets pg_operations.conds_by_name before the library is loaded, whose
-- first funnel runs only inside a parallel worker: no warning about setting it during a
-- parallel operation (workers never define the setting), and the session's value holds.
\c 'dbname=regress_conds_by_name options=-cpg_operations.conds_by_name=off'
CREATE TABLE cb_par AS
SELECT i % 7 AS u, timestamptz '2026-01-01' + i * interval '1 minute' AS ts, (ARRAY['a', 'b'])[1 + i % 2] AS e
FROM generate_series(1, 1000) i;
CREATE FUNCTION cb_par_level(uu int) RETURNS int LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT funnel_level(ts, ARRAY[e = 'a', e = 'b'], funnel_definition(interval '1 hour')) FROM cb_par WHERE u = uu $$;
SET force_parallel_mode = on;
SELECT cb_par_level(5);
RESET force_parallel_mode;
SHOW pg_operations.conds_by_name;
DROP FUNCTION cb_par_level(int);
DROP TABLE cb_par;
