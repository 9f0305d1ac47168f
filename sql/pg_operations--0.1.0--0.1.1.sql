-- pg_operations 0.1.0 -> 0.1.1
-- Adds lifecycle_stages(), the stage/code/rule lookup table. Nothing else changes in SQL:
-- every object created by 0.1.0 keeps its signature, so views and materialized views that
-- depend on them keep working across ALTER EXTENSION pg_operations UPDATE.
\echo Use "ALTER EXTENSION pg_operations UPDATE TO '0.1.1'" to load this file. \quit

CREATE FUNCTION lifecycle_stages()
RETURNS TABLE (stage text, code text, rule text)
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c AS 'MODULE_PATHNAME', 'lifecycle_stages_wrapper';
COMMENT ON FUNCTION lifecycle_stages() IS
  'Every lifecycle stage with its one-letter code and the rule that assigns it, in the order the rules are tried (first match wins). A lookup table for BI legends.';
