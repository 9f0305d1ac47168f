-- Upgrades: install each earlier release (frozen in sql/released/), build a dependent
-- materialized view, ALTER EXTENSION ... UPDATE, and check the view still refreshes to the
-- same rows and the upgraded catalog equals a fresh install of the current version.
-- First from 0.1.0 (through 0.1.1), then from 0.1.1.
SELECT version FROM pg_available_extension_versions WHERE name = 'pg_operations' ORDER BY version;
CREATE EXTENSION pg_operations VERSION '0.1.0';
SELECT extversion FROM pg_extension WHERE extname = 'pg_operations';

CREATE TABLE events AS SELECT * FROM generate_demo_events(500, 60, 11);
CREATE MATERIALIZED VIEW user_summary AS
SELECT user_id,
       window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'pay'], interval '7 days') AS level,
       intent_score(event, ts, intent_weights('invest'), '2026-03-01 00:00+00') AS intent,
       lifecycle_stage(ts, event = 'pay', '2026-03-01 00:00+00') AS stage,
       rfm_agg(ts, amount, '2026-03-01 00:00+00') FILTER (WHERE event = 'pay') AS rfm
FROM events GROUP BY user_id;
CREATE UNIQUE INDEX ON user_summary (user_id);
CREATE TABLE before_update AS SELECT * FROM user_summary;

ALTER EXTENSION pg_operations UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pg_operations';
REFRESH MATERIALIZED VIEW CONCURRENTLY user_summary;
SELECT (SELECT count(*) FROM user_summary) AS users,
       (SELECT count(*) FROM (SELECT * FROM user_summary EXCEPT SELECT * FROM before_update) s) AS changed_rows,
       (SELECT count(*) FROM (SELECT * FROM before_update EXCEPT SELECT * FROM user_summary) s) AS lost_rows;
-- What 0.1.1 adds.
SELECT * FROM lifecycle_stages();
-- What 0.2.0 moves: support functions and types now live in the internal schema.
SELECT n.nspname AS schema, count(*) AS functions
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
GROUP BY 1 ORDER BY 1;
CREATE TABLE rfm_breaks (user_id bigint);
DROP TABLE rfm_breaks;

-- The upgraded catalog equals a fresh install: every function's signature, kind,
-- volatility, parallel safety, strictness, aggregate support functions and comment.
CREATE FUNCTION pg_temp.extension_objects() RETURNS TABLE (object text, properties text)
LANGUAGE sql AS $$
  SELECT p.oid::regprocedure::text || ' in ' || p.pronamespace::regnamespace::text,
         concat_ws(' ', p.prokind, p.provolatile, p.proparallel, p.proisstrict, p.prorettype::regtype, p.prosupport,
                   a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
                   a.aggtransspace, md5(obj_description(p.oid, 'pg_proc')))
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_operations'
  LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
  UNION ALL
  SELECT t.oid::regtype::text || ' in ' || t.typnamespace::regnamespace::text,
         concat_ws(' ', (SELECT string_agg(attname || ':' || atttypid::regtype, ',' ORDER BY attnum)
                         FROM pg_attribute WHERE attrelid = t.typrelid AND attnum > 0),
                   md5(obj_description(t.oid, 'pg_type')))
  FROM pg_type t
  JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_operations'
$$;
CREATE TEMP TABLE upgraded AS SELECT * FROM pg_temp.extension_objects();
DROP EXTENSION pg_operations CASCADE;
CREATE EXTENSION pg_operations;
CREATE TEMP TABLE fresh AS SELECT * FROM pg_temp.extension_objects();
SELECT count(*) AS objects FROM fresh;
SELECT 'only after upgrade' AS side, * FROM (SELECT * FROM upgraded EXCEPT SELECT * FROM fresh) u
UNION ALL
SELECT 'only in fresh install', * FROM (SELECT * FROM fresh EXCEPT SELECT * FROM upgraded) f
ORDER BY 1, 2;

-- From 0.1.1: the same, with a view over the result types' fields too.
DROP EXTENSION pg_operations CASCADE;
CREATE EXTENSION pg_operations VERSION '0.1.1';
CREATE MATERIALIZED VIEW user_summary AS
SELECT user_id,
       window_funnel(ts, ARRAY[event = 'view_list', event = 'pay'], interval '7 days') AS level,
       intent_score(event, ts, intent_weights('invest'), '2026-03-01 00:00+00') AS intent,
       lifecycle_stage(ts, event = 'pay', '2026-03-01 00:00+00') AS stage,
       (rfm_agg(ts, amount, '2026-03-01 00:00+00') FILTER (WHERE event = 'pay')).monetary AS monetary
FROM events GROUP BY user_id;
CREATE UNIQUE INDEX ON user_summary (user_id);
CREATE TABLE before_update_011 AS SELECT * FROM user_summary;
ALTER EXTENSION pg_operations UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pg_operations';
REFRESH MATERIALIZED VIEW CONCURRENTLY user_summary;
SELECT (SELECT count(*) FROM user_summary) AS users,
       (SELECT count(*) FROM (SELECT * FROM user_summary EXCEPT SELECT * FROM before_update_011) s) AS changed_rows,
       (SELECT count(*) FROM (SELECT * FROM before_update_011 EXCEPT SELECT * FROM user_summary) s) AS lost_rows;
CREATE TEMP TABLE upgraded_011 AS SELECT * FROM pg_temp.extension_objects();
SELECT 'only after upgrade' AS side, * FROM (SELECT * FROM upgraded_011 EXCEPT SELECT * FROM fresh) u
UNION ALL
SELECT 'only in fresh install', * FROM (SELECT * FROM fresh EXCEPT SELECT * FROM upgraded_011) f
ORDER BY 1, 2;
