-- The namespace analysts see: only documented functions in the install schema; support
-- functions and result types in _pg_operations_internal; our result types' names stay free
-- for the user's own tables; CREATE EXTENSION ... SCHEMA works without that schema on the
-- search_path.
CREATE EXTENSION pg_operations;
-- what \df of the install schema lists: every function documented, none with an internal
-- argument or an 'Internal:' description (expect none)
SELECT p.oid::regprocedure AS function
FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace
  AND ('internal'::regtype = ANY (p.proargtypes) OR obj_description(p.oid, 'pg_proc') LIKE 'Internal:%'
       OR obj_description(p.oid, 'pg_proc') IS NULL);
-- objects per schema and kind
SELECT n.nspname AS schema, CASE WHEN d.classid = 'pg_type'::regclass THEN 'type' ELSE
         CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'function' END END AS kind, count(*)
FROM pg_depend d
JOIN pg_extension e ON d.refobjid = e.oid AND e.extname = 'pg_operations' AND d.deptype = 'e'
LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
LEFT JOIN pg_type t ON d.classid = 'pg_type'::regclass AND t.oid = d.objid
JOIN pg_namespace n ON n.oid = coalesce(p.pronamespace, t.typnamespace)
GROUP BY 1, 2 ORDER BY 1, 2;
-- the user's own tables named like our result types
CREATE TABLE rfm_breaks (user_id bigint, r int);
CREATE TABLE funnel_step (step int);
CREATE TABLE wilson_ci (x int);
CREATE TABLE rfm_values (x int);
CREATE TABLE rfm_cell (x int);
CREATE TABLE channel_quadrant (x int);
CREATE TABLE channel_prior (x int);
CREATE TABLE intent_contribution (x int);
INSERT INTO rfm_breaks VALUES (1, 5);
-- and the functions returning those types still work beside them
SELECT (rfm_breaks(f, f, f)).bins, (wilson_interval(3, 12)).ci_low > 0 AS wilson_ok,
       (channel_quadrant(200, 30, 100, 0.1)).label
FROM (VALUES (1.0::float8), (2.0), (3.0)) v(f);
SELECT s.step, s.users FROM unnest((SELECT funnel_step_rates(1::bigint, now(), ARRAY[true, false], '1 day'))) s;

-- CREATE EXTENSION ... SCHEMA: functions in that schema, called qualified or through the
-- search_path; internal names are schema-qualified, so the caller's search_path never
-- matters.
DROP EXTENSION pg_operations;
CREATE SCHEMA ops;
CREATE EXTENSION pg_operations SCHEMA ops;
SHOW search_path;
SELECT ops.intent_tier(5, 8, 2) AS tier,
       (SELECT count(*) FROM ops.generate_demo_events(3, 7, 1)) AS demo_events,
       (SELECT ops.window_funnel(ts, ARRAY[event = 'register', event = 'pay'], '7 days')
        FROM ops.generate_demo_events(1, 30, 1)) AS level;
SET search_path = ops, public;
SELECT (rfm_cell(2, 10, 500, b)).cell FROM (SELECT rfm_breaks(x, x, x) b FROM generate_series(1, 10) x(x)) s;
RESET search_path;

-- UTF-8 databases only: CREATE EXTENSION in a LATIN1 database fails clearly (0A000).
CREATE DATABASE ops_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c ops_latin1
\set VERBOSITY verbose
CREATE EXTENSION pg_operations;
SELECT count(*) AS extension_objects FROM pg_extension WHERE extname = 'pg_operations';
-- Nor can a 0.1.1 installed there (its script had no check) be updated to 0.2.0: the update
-- stops with the reason instead of leaving functions that all refuse to run.
CREATE EXTENSION pg_operations VERSION '0.1.1';
ALTER EXTENSION pg_operations UPDATE TO '0.2.0';
SELECT extversion FROM pg_extension WHERE extname = 'pg_operations';
\c regress_namespace
DROP DATABASE ops_latin1;
