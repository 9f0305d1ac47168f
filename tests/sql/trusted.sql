-- pg_operations is a trusted extension (README, "Trusted extension"): a database owner who is
-- not a superuser can install it. The script then runs as the bootstrap superuser, so its
-- objects (including the C functions) are owned by that superuser, while the extension
-- itself belongs to the installing user.
DROP DATABASE IF EXISTS regress_trusted_analyst;
DROP ROLE IF EXISTS analyst;
DROP ROLE IF EXISTS visitor;
CREATE ROLE analyst LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE visitor LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE regress_trusted_analyst OWNER analyst;
SELECT name, trusted, superuser FROM pg_available_extension_versions WHERE name = 'pg_operations';

-- a user without CREATE on the database cannot install it
\c regress_trusted_analyst visitor
CREATE EXTENSION pg_operations;

\c regress_trusted_analyst analyst
SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user;
CREATE EXTENSION pg_operations;
SELECT extname, extowner::regrole AS owner FROM pg_extension WHERE extname = 'pg_operations';
SELECT DISTINCT p.proowner::regrole AS function_owner, l.lanname
FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid AND e.extname = 'pg_operations'
JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
JOIN pg_language l ON l.oid = p.prolang
WHERE d.deptype = 'e' ORDER BY 1, 2;

-- the functions work for the analyst
CREATE TABLE ev AS SELECT * FROM generate_demo_events(200, 30, 1);
SELECT s.step, s.name, s.users
FROM (SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'view_detail', 'pay'], '3 days') AS r FROM ev) t,
     unnest(r) s ORDER BY s.step;
SELECT intent_tier(score, 10, 3) AS tier, count(*) AS users
FROM (SELECT user_id, intent_score(event, ts, intent_weights(), '2026-01-31') AS score FROM ev GROUP BY user_id) s
GROUP BY 1 ORDER BY 1;
SELECT lifecycle_stage('2026-01-01', '2026-01-02', '2026-03-01', '2026-03-15') AS stage;

-- installing it gives the analyst no superuser powers: C functions stay superuser-only
CREATE FUNCTION my_stage(timestamptz, timestamptz, timestamptz, timestamptz) RETURNS text
LANGUAGE c AS '$libdir/pg_operations', 'lifecycle_stage_scalar';
-- nor the right to change the extension's functions (they belong to the superuser)
ALTER FUNCTION intent_weights(text) VOLATILE;
CREATE OR REPLACE FUNCTION intent_weights(preset text) RETURNS jsonb LANGUAGE sql AS $$ SELECT '{}'::jsonb $$;
-- the extension's owner may drop and re-create it, in another schema too
DROP EXTENSION pg_operations;
CREATE SCHEMA ops;
CREATE EXTENSION pg_operations SCHEMA ops;
SET search_path = public;
SELECT count(*) AS events FROM ops.generate_demo_events(10, 7, 1);
SELECT ops.intent_tier(5, 10, 3) AS tier;
RESET search_path;

\c regress_trusted postgres
DROP DATABASE regress_trusted_analyst;
DROP ROLE analyst;
DROP ROLE visitor;
