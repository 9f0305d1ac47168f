-- BI discoverability: every function, aggregate and type of the extension has a COMMENT (so
-- \df+, \dT+, DBeaver, Metabase and Superset show what it does), and every function is
-- IMMUTABLE or STABLE, PARALLEL SAFE and not SECURITY DEFINER.
CREATE EXTENSION pg_operations;
CREATE VIEW ext_objects AS
SELECT d.classid, d.objid,
       CASE WHEN d.classid = 'pg_type'::regclass THEN 'type'
            WHEN p.prokind = 'a' THEN 'aggregate'
            WHEN 'internal'::regtype = ANY (p.proargtypes) THEN 'support function'
            ELSE 'function' END AS kind,
       pg_describe_object(d.classid, d.objid, 0) AS object,
       obj_description(d.objid, d.classid::regclass::name) AS comment
FROM pg_depend d
JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
WHERE e.extname = 'pg_operations' AND d.deptype = 'e';

-- objects without a comment: expect none
SELECT kind, object FROM ext_objects WHERE coalesce(comment, '') = '' ORDER BY kind, object;
-- how many objects were checked, by kind (all commented)
SELECT kind, count(*) AS objects, count(comment) AS commented FROM ext_objects GROUP BY kind ORDER BY kind;
-- anything of the extension that is neither a function, a type nor its internal schema (expect none)
SELECT classid::regclass, object FROM ext_objects WHERE classid NOT IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_namespace'::regclass);

-- each support function's comment names an aggregate it serves (expect none that does not)
SELECT f.object AS support_function, a.aggfnoid::regprocedure AS aggregate
FROM ext_objects f
JOIN pg_aggregate a ON f.objid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn)
JOIN pg_proc ap ON ap.oid = a.aggfnoid
WHERE strpos(f.comment, ap.proname) = 0
ORDER BY 1, 2;
-- how many (support function, aggregate) pairs were checked
SELECT count(*) AS pairs, count(DISTINCT f.objid) AS support_functions, count(DISTINCT a.aggfnoid) AS aggregates
FROM ext_objects f
JOIN pg_aggregate a ON f.objid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn);
-- support functions no aggregate uses (expect none)
SELECT object FROM ext_objects f
WHERE kind = 'support function'
  AND NOT EXISTS (SELECT FROM pg_aggregate a
                  WHERE f.objid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn))
  AND NOT EXISTS (SELECT FROM pg_proc p WHERE p.prosupport = f.objid);
-- planner support functions, and the functions that name them
SELECT p.oid::regprocedure AS function, p.prosupport AS support
FROM ext_objects o JOIN pg_proc p ON p.oid = o.objid
WHERE p.prosupport <> 0 ORDER BY 1;

-- volatility and parallel safety: expect every function IMMUTABLE or STABLE and PARALLEL
-- SAFE, none SECURITY DEFINER and none with a SET clause (printed: the ones that are not)
SELECT o.object,
       CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END AS volatility,
       CASE p.proparallel WHEN 's' THEN 'PARALLEL SAFE' WHEN 'r' THEN 'PARALLEL RESTRICTED' ELSE 'PARALLEL UNSAFE' END AS parallel,
       p.prosecdef AS security_definer, p.proconfig
FROM ext_objects o JOIN pg_proc p ON p.oid = o.objid
WHERE p.provolatile NOT IN ('i', 's') OR p.proparallel <> 's' OR p.prosecdef OR p.proconfig IS NOT NULL
ORDER BY 1;
-- aggregates declared PARALLEL SAFE with combine, serial and deserial functions (expect none missing)
SELECT a.aggfnoid::regprocedure AS aggregate
FROM ext_objects o JOIN pg_aggregate a ON a.aggfnoid = o.objid
WHERE a.aggcombinefn = 0 OR (a.aggtranstype = 'internal'::regtype AND (a.aggserialfn = 0 OR a.aggdeserialfn = 0))
ORDER BY 1;
-- the summary: kind, language, volatility, parallel safety
SELECT o.kind, l.lanname AS language,
       CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END AS volatility,
       CASE p.proparallel WHEN 's' THEN 'SAFE' WHEN 'r' THEN 'RESTRICTED' ELSE 'UNSAFE' END AS parallel,
       count(*) AS functions
FROM ext_objects o JOIN pg_proc p ON p.oid = o.objid JOIN pg_language l ON l.oid = p.prolang
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;

-- What a BI tool (or an analyst) sees: the user-facing functions, aggregates and types with
-- the start of their description (docs/recipes.md has this query for analysts).
SELECT kind, coalesce(p.proname, t.typname) AS name, count(*) AS overloads,
       left(min(comment), 60) AS description
FROM ext_objects o
LEFT JOIN pg_proc p ON o.classid = 'pg_proc'::regclass AND p.oid = o.objid
LEFT JOIN pg_type t ON o.classid = 'pg_type'::regclass AND t.oid = o.objid
WHERE kind <> 'support function' AND comment NOT LIKE 'Internal:%'
GROUP BY 1, 2 ORDER BY 1, 2;
