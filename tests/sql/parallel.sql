-- Every aggregate of the extension gives the same answer under a forced parallel plan as
-- under a serial one (API.md: combinefunc/serialfunc/deserialfunc on every aggregate).
--
-- par_check(name, query) runs a query whose aggregate result column is named r:
--   1. with parallel plans forced (PG15: force_parallel_mode) it prints EXPLAIN (COSTS OFF),
--      which must show Partial / Finalize aggregates under a Gather (Merge);
--   2. it runs EXPLAIN (ANALYZE) CREATE TABLE par_NAME AS query (CREATE TABLE AS runs its
--      query in parallel) and prints only the 'Workers Launched' lines: the parallel result
--      was really computed by two workers plus the leader, not vacuously in one process;
--   3. with max_parallel_workers_per_gather = 0 it stores the serial result in ser_NAME
--      (and complains if that plan has a Gather or a Partial aggregate);
--   4. it compares both: rows only in one of them (EXCEPT ALL both ways, must be 0), and
--      for a one-row result the whole rows with IS NOT DISTINCT FROM. "distinct" counts the
--      different values of r in the serial result, so an all-NULL or constant r shows.
-- Per-user aggregates run as GROUP BY user_id: the planner uses Partial HashAggregate in the
-- workers, so each user's events are split between processes and merged by the combine
-- function. Population aggregates (quantile_breaks, funnel_step_rates, rfm_breaks,
-- channel_prior) run over the whole table (Partial Aggregate) and one per group.
CREATE EXTENSION pg_operations;
-- Rows in a hash order, so each user's events are spread over many pages (and so over the
-- workers) and no aggregate sees its input in time order. A statistics target of 1000
-- samples every row, so the estimates (and the plans) are the same on every run.
CREATE TABLE ev AS SELECT * FROM generate_demo_events(5000, 90, 3) ORDER BY md5(user_id || ' ' || ts);
SET default_statistics_target = 1000;
ANALYZE ev;
SELECT count(*) AS events, count(DISTINCT user_id) AS users FROM ev;

CREATE FUNCTION par_check(name text, q text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
DECLARE
    l text; n bigint; nn bigint; nd bigint; m1 bigint; m2 bigint; same bool;
BEGIN
    PERFORM set_config('parallel_setup_cost', '0', true);
    PERFORM set_config('parallel_tuple_cost', '0', true);
    PERFORM set_config('min_parallel_table_scan_size', '0', true);
    PERFORM set_config('max_parallel_workers_per_gather', '2', true);
    PERFORM set_config('force_parallel_mode', 'on', true);
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        RETURN NEXT l;
    END LOOP;
    FOR l IN EXECUTE format('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) CREATE TABLE %I AS %s',
                            'par_' || name, q) LOOP
        IF l ~ 'Workers Launched' THEN
            RETURN NEXT 'parallel run: ' || trim(l);
        END IF;
    END LOOP;
    PERFORM set_config('max_parallel_workers_per_gather', '0', true);
    PERFORM set_config('force_parallel_mode', 'off', true);
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        IF l ~ 'Gather|Partial' THEN
            RETURN NEXT 'serial plan is parallel: ' || l;
        END IF;
    END LOOP;
    EXECUTE format('CREATE TABLE %I AS %s', 'ser_' || name, q);
    EXECUTE format('SELECT count(*), count(r::text), count(DISTINCT r::text) FROM %I', 'ser_' || name)
        INTO n, nn, nd;
    EXECUTE format('SELECT count(*) FROM (TABLE %I EXCEPT ALL TABLE %I) x', 'par_' || name, 'ser_' || name)
        INTO m1;
    EXECUTE format('SELECT count(*) FROM (TABLE %I EXCEPT ALL TABLE %I) x', 'ser_' || name, 'par_' || name)
        INTO m2;
    RETURN NEXT format('rows %s, non-null r %s, distinct r %s; only parallel %s, only serial %s',
                       n, nn, nd, m1, m2);
    IF n = 1 THEN
        EXECUTE format('SELECT (SELECT p FROM %I p) IS NOT DISTINCT FROM (SELECT s FROM %I s)',
                       'par_' || name, 'ser_' || name) INTO same;
        RETURN NEXT format('parallel row IS NOT DISTINCT FROM serial row: %s', same);
    END IF;
END
$f$;

-- quantile_breaks: whole table, per channel, and equal to percentile_cont
SELECT * FROM par_check('qb', $$SELECT quantile_breaks(amount::float8, ARRAY[0, 0.1, 0.25, 0.5, 0.9, 1]) AS r FROM ev$$);
SELECT r FROM ser_qb;
SELECT (SELECT r FROM par_qb) = percentile_cont(ARRAY[0, 0.1, 0.25, 0.5, 0.9, 1]) WITHIN GROUP (ORDER BY amount::float8)
       AS equals_percentile_cont FROM ev;
SELECT * FROM par_check('qb_channel', $$SELECT channel, quantile_breaks(amount::float8, ARRAY[0.2, 0.5, 0.8]) AS r FROM ev GROUP BY channel$$);

-- window_funnel, both arities, per user
SELECT * FROM par_check('wf3', $$SELECT user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'click_submit', event = 'pay'], '3 days') AS r FROM ev GROUP BY user_id$$);
SELECT * FROM par_check('wf4', $$SELECT user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'click_submit', event = 'pay'], '3 days', 'strict_order') AS r FROM ev GROUP BY user_id$$);
SELECT * FROM par_check('wf4b', $$SELECT user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'click_submit', event = 'pay'], '3 days', 'strict_deduplication,strict_increase') AS r FROM ev GROUP BY user_id$$);
SELECT r, count(*) AS users FROM ser_wf3 GROUP BY r ORDER BY r;

-- funnel_step_rates, one-shot forms over raw events, bigint and text user ids
SELECT * FROM par_check('fsr_id', $$SELECT funnel_step_rates(user_id, ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'pay'], '3 days') AS r FROM ev$$);
SELECT * FROM par_check('fsr_id_names', $$SELECT funnel_step_rates(user_id, ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'pay'], '3 days', ARRAY['list', 'detail', 'pay']) AS r FROM ev$$);
SELECT * FROM par_check('fsr_id_mode', $$SELECT funnel_step_rates(user_id, ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'pay'], '3 days', ARRAY['list', 'detail', 'pay'], 'strict_increase') AS r FROM ev$$);
SELECT * FROM par_check('fsr_text', $$SELECT funnel_step_rates('u' || user_id, ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'pay'], '3 days') AS r FROM ev$$);
SELECT * FROM par_check('fsr_text_names', $$SELECT funnel_step_rates('u' || user_id, ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'pay'], '3 days', ARRAY['list', 'detail', 'pay']) AS r FROM ev$$);
SELECT * FROM par_check('fsr_text_mode', $$SELECT funnel_step_rates('u' || user_id, ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'pay'], '3 days', ARRAY['list', 'detail', 'pay'], 'strict_order') AS r FROM ev$$);
SELECT * FROM par_check('fsr_id_event', $$SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'], '3 days') AS r FROM ev$$);
SELECT * FROM par_check('fsr_id_event_mode', $$SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'], '3 days', 'strict_deduplication') AS r FROM ev$$);
SELECT * FROM par_check('fsr_text_event', $$SELECT funnel_step_rates('u' || user_id, ts, event, ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'], '3 days') AS r FROM ev$$);
SELECT * FROM par_check('fsr_text_event_mode', $$SELECT funnel_step_rates('u' || user_id, ts, event, ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'], '3 days', 'strict_increase') AS r FROM ev$$);
-- per channel (Gather Merge or Gather + Finalize over partial states)
SELECT * FROM par_check('fsr_channel', $$SELECT channel, funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'view_detail', 'pay'], '3 days') AS r FROM ev GROUP BY channel$$);
SELECT step, name, users, round(rate_from_previous::numeric, 4) AS rate_from_previous,
       round(median_seconds_from_previous::numeric) AS median_seconds
FROM ser_fsr_id_event, unnest(r) ORDER BY step;
-- the one-shot text form counts the same users as the bigint form
SELECT (SELECT array_agg(s.users ORDER BY s.step) FROM par_fsr_text_event, unnest(r) s)
     = (SELECT array_agg(s.users ORDER BY s.step) FROM par_fsr_id_event, unnest(r) s) AS text_ids_same_users;

-- funnel_step_rates two-stage form over per-user levels (a table of levels, as a BI tool would
-- have), whole table and per channel
CREATE TABLE user_levels AS
SELECT user_id, min(channel) AS channel,
       window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'click_submit', event = 'pay'], '3 days') AS level
FROM ev GROUP BY user_id;
ANALYZE user_levels;
SELECT * FROM par_check('fsr_levels', $$SELECT funnel_step_rates(level, ARRAY['list', 'detail', 'invest', 'submit', 'pay']) AS r FROM user_levels$$);
SELECT * FROM par_check('fsr_levels_channel', $$SELECT channel, funnel_step_rates(level, ARRAY['list', 'detail', 'invest', 'submit', 'pay']) AS r FROM user_levels GROUP BY channel$$);
-- two-stage and one-shot agree on the users per step
SELECT (SELECT array_agg(s.users ORDER BY s.step) FROM par_fsr_levels, unnest(r) s)
     = (SELECT array_agg(s.users ORDER BY s.step) FROM par_fsr_id_event, unnest(r) s) AS two_stage_same_users;

-- intent_score (3 arities) and intent_score_detail (3 arities), per user
SELECT * FROM par_check('is4', $$SELECT user_id, intent_score(event, ts, intent_weights(), '2026-03-15 00:00+00') AS r FROM ev GROUP BY user_id$$);
SELECT * FROM par_check('is5', $$SELECT user_id, intent_score(event, ts, intent_weights(), '2026-03-15 00:00+00', '30 days') AS r FROM ev GROUP BY user_id$$);
SELECT * FROM par_check('is6', $$SELECT user_id, intent_score(event, ts, intent_weights(), '2026-03-15 00:00+00', '30 days', '7 days') AS r FROM ev GROUP BY user_id$$);
SELECT * FROM par_check('isd4', $$SELECT user_id, intent_score_detail(event, ts, intent_weights(), '2026-03-15 00:00+00') AS r FROM ev GROUP BY user_id$$);
SELECT * FROM par_check('isd5', $$SELECT user_id, intent_score_detail(event, ts, intent_weights(), '2026-03-15 00:00+00', '30 days') AS r FROM ev GROUP BY user_id$$);
SELECT * FROM par_check('isd6', $$SELECT user_id, intent_score_detail(event, ts, intent_weights(), '2026-03-15 00:00+00', '30 days', '7 days') AS r FROM ev GROUP BY user_id$$);
SELECT count(*) FILTER (WHERE r > 0) AS scored_users, sum(r) AS total_score FROM ser_is4;

-- rfm_agg per user; rfm_breaks (both arities) over a table of per-user values
SELECT * FROM par_check('rfm_agg', $$SELECT user_id, rfm_agg(ts, amount, '2026-04-01 00:00+00') FILTER (WHERE event = 'pay') AS r FROM ev GROUP BY user_id$$);
CREATE TABLE user_rfm AS
SELECT user_id, (v).recency_days, (v).frequency::float8 AS frequency, (v).monetary::float8 AS monetary
FROM (SELECT user_id, rfm_agg(ts, amount, '2026-04-01 00:00+00') AS v FROM ev WHERE event = 'pay' GROUP BY user_id) s;
ANALYZE user_rfm;
SELECT * FROM par_check('rfm_breaks3', $$SELECT rfm_breaks(recency_days, frequency, monetary) AS r FROM user_rfm$$);
SELECT * FROM par_check('rfm_breaks4', $$SELECT rfm_breaks(recency_days, frequency, monetary, 3) AS r FROM user_rfm$$);
SELECT r FROM ser_rfm_breaks4;

-- channel_prior over (channel, day) "channels": one row each
CREATE TABLE channel_days AS
SELECT channel, date_trunc('day', ts) AS day, count(DISTINCT user_id) AS traffic,
       count(DISTINCT user_id) FILTER (WHERE event = 'pay') AS conversions
FROM ev GROUP BY 1, 2;
ANALYZE channel_days;
SELECT * FROM par_check('channel_prior', $$SELECT channel_prior(traffic, conversions) AS r FROM channel_days$$);
SELECT * FROM par_check('channel_prior_channel', $$SELECT channel, channel_prior(traffic, conversions) AS r FROM channel_days GROUP BY channel$$);
SELECT round((r).alpha::numeric, 4) AS alpha, round((r).beta::numeric, 4) AS beta FROM ser_channel_prior;

-- lifecycle_stage aggregate, both arities, per user
SELECT * FROM par_check('lc3', $$SELECT user_id, lifecycle_stage(ts, event = 'pay', '2026-04-01 00:00+00') AS r FROM ev GROUP BY user_id$$);
SELECT * FROM par_check('lc8', $$SELECT user_id, lifecycle_stage(ts, event = 'pay', '2026-04-01 00:00+00', 30, 14, 14, 45, 120) AS r FROM ev GROUP BY user_id$$);
SELECT r AS stage, count(*) AS users FROM ser_lc3 GROUP BY r ORDER BY r;

-- Coverage follows the catalog: every aggregate of the extension, enumerated from
-- pg_aggregate (so a new aggregate is covered without editing a list), is called with
-- arguments chosen by argument name, under a forced parallel plan and a serial one
-- (GROUP BY user_id, or GROUP BY channel for aggregates that take user_id themselves), and
-- over an empty group, a single row and a row of NULLs. An argument name without a value
-- below fails the test (add the name, not a special case).
-- An argument's value by its name, or by the name and the aggregate when two aggregates give
-- the same argument name different types (agg = NULL: every aggregate).
CREATE TABLE arg_values (name text NOT NULL, expr text NOT NULL, agg text, UNIQUE (name, agg));
INSERT INTO arg_values VALUES
  ('user_id', 'user_id'), ('ts', 'ts'), ('event', 'event'), ('amount', 'amount'),
  ('conds', $$ARRAY[event = 'view_list', event = 'view_detail', event = 'pay']$$),
  ('window', $$interval '3 days'$$), ('mode', $$'strict_order'$$),
  ('step_names', $$ARRAY['list', 'detail', 'pay']$$),
  ('steps', $$ARRAY['view_list', 'view_detail', 'pay']$$),
  ('level', '(user_id % 4)::int'),
  ('weights', 'intent_weights()'), ('as_of', $$timestamptz '2026-03-15 00:00+00'$$),
  ('lookback', $$interval '30 days'$$), ('half_life', $$interval '7 days'$$),
  ('converted', $$event = 'pay'$$),
  ('new_days', '30'), ('dead_days', '14'), ('dormant_days', '14'), ('churn_days', '45'), ('lost_days', '120'),
  ('value', 'amount::float8'), ('probs', 'ARRAY[0.25, 0.5, 0.75]'),
  ('recency_days', '(user_id % 97)::float8'), ('frequency', '(user_id % 13)::float8'),
  ('monetary', 'amount::float8'), ('bins', '4'),
  ('traffic', '(user_id % 50 + 20)::bigint'), ('conversions', '(user_id % 7)::bigint'),
  ('cohort', $$event = 'register'$$), ('returned', $$event IN ('view_detail', 'pay')$$),
  ('definition', $$retention_definition('2026-03-15', period => 'week', periods => 4, time_zone => 'Asia/Shanghai')$$),
  ('first_day', $$date '2026-02-01'$$), ('last_day', $$date '2026-03-15'$$),
  ('time_zone', $$'America/New_York'$$), ('period', $$'week'$$),
  ('cohort_events', $$ARRAY['register']$$), ('return_events', $$ARRAY['view_detail', 'pay']$$),
  ('grade', 'chr(65 + (user_id % 7)::int)'), ('score', '(1 + user_id % 6)::int'),
  ('invest_event', $$'pay'$$), ('redeem_event', $$'redeem'$$),
  ('category', $$CASE WHEN event IN ('view_detail', 'click_invest', 'pay') THEN channel END$$),
  ('session_timeout', $$interval '30 minutes'$$), ('registered_at', $$timestamptz '2025-12-31'$$),
  ('rules', $$lifecycle_rules(30, 14, 14, 45, 120, new_wins => false)$$),
  ('count_by', $$'days'$$), ('strong_share', '0.25'), ('medium_share', '0.35');
INSERT INTO arg_values (name, expr, agg) VALUES
  ('definition', $$intent_definition(intent_weights(), '2026-03-15', '30 days', '7 days', ARRAY['pay'], 0.5)$$, 'intent_score'),
  ('definition', $$intent_definition(intent_weights(), '2026-03-15', '30 days', '7 days', ARRAY['pay'], 0.5)$$, 'intent_score_detail'),
  ('definition', $$funnel_definition('3 days', steps => '{view_list,view_detail,pay}', mode => 'strict_order', step_windows => ARRAY['1 day', NULL]::interval[], property_step => 'last')$$, 'funnel_level'),
  ('definition', $$funnel_definition('3 days', steps => '{view_list,view_detail,pay}', mode => 'strict_order', step_windows => ARRAY['1 day', NULL]::interval[], property_step => 'last')$$, 'funnel_path'),
  ('definition', $$funnel_definition('3 days', steps => '{view_list,view_detail,pay}', mode => 'strict_order', step_windows => ARRAY['1 day', NULL]::interval[], property_step => 'last')$$, 'funnel_report'),
  ('key', $$(user_id % 3)::text$$, NULL),
  ('property', $$event$$, NULL);
CREATE VIEW ext_aggregates AS
SELECT p.oid::regprocedure::text AS aggregate,
       CASE WHEN p.pronamespace = '_pg_operations_internal'::regnamespace
            THEN '_pg_operations_internal.' ELSE '' END || p.proname AS name,
       (SELECT string_agg(coalesce(v.expr, '<no value for ' || n || '>'), ', ' ORDER BY o)
        FROM unnest(p.proargnames) WITH ORDINALITY AS a(n, o)
        LEFT JOIN LATERAL (SELECT expr FROM arg_values v WHERE v.name = a.n AND (v.agg IS NULL OR v.agg = p.proname)
                           ORDER BY v.agg NULLS LAST LIMIT 1) v ON true) AS args,
       'user_id' = ANY (p.proargnames) AS takes_user
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_operations'
WHERE p.prokind = 'a';
-- arguments without a value (expect none)
SELECT aggregate, args FROM ext_aggregates WHERE args LIKE '%<no value%';
CREATE FUNCTION cover_all() RETURNS TABLE (aggregate text, check_name text, result text)
LANGUAGE plpgsql AS $f$
DECLARE
    a record; i int := 0; l text; grp text; q text;
BEGIN
    FOR a IN SELECT * FROM ext_aggregates ORDER BY 1 LOOP
        i := i + 1;
        grp := CASE WHEN a.takes_user THEN 'channel' ELSE 'user_id' END;
        q := format('SELECT %s, %s(%s) AS r FROM ev GROUP BY %s', grp, a.name, a.args, grp);
        FOR l IN SELECT * FROM par_check('cov' || i, q) LOOP
            IF l ~ '^(rows|parallel row|serial plan)' THEN
                aggregate := a.aggregate; check_name := 'parallel == serial'; result := l; RETURN NEXT;
            END IF;
        END LOOP;
        aggregate := a.aggregate;
        check_name := 'empty group';
        EXECUTE format('SELECT %s(%s)::text FROM ev WHERE false', a.name, a.args) INTO result;
        result := coalesce(result, 'NULL'); RETURN NEXT;
        check_name := 'single row';
        EXECUTE format('SELECT %s(%s)::text FROM (SELECT * FROM ev ORDER BY user_id, ts LIMIT 1) ev', a.name, a.args) INTO result;
        result := coalesce(left(result, 120), 'NULL'); RETURN NEXT;
        check_name := 'NULL row';
        BEGIN
            EXECUTE format('SELECT %s(%s)::text FROM (SELECT NULL::bigint user_id, NULL::timestamptz ts, NULL::text event, NULL::numeric amount, NULL::text channel) ev',
                           a.name, a.args) INTO result;
            result := coalesce(left(result, 120), 'NULL');
        EXCEPTION WHEN others THEN
            result := 'error ' || SQLSTATE || ': ' || SQLERRM;
        END;
        RETURN NEXT;
    END LOOP;
END
$f$;
SELECT * FROM cover_all();
-- every aggregate was covered
SELECT count(*) AS aggregates FROM ext_aggregates;
-- A parallel leader hands the rows its own Partial HashAggregate pooled over to its Finalize
-- Aggregate, in the same process, instead of encoding each group and decoding it again
-- (the plain plans above), also when both aggregates spill to disk (a pool per batch of the
-- partial aggregate, each handed over; tokens the finalize spills are read again later)
-- and when the finalize sorts the partial groups first (the tokens wait in the sort while
-- the partial aggregate goes on to its next batch and resets its memory).
SET work_mem = '64kB';
SET enable_sort = off;
SELECT * FROM par_check('spill_level', $$SELECT user_id, funnel_level(ts, event, funnel_definition('3 days', steps => '{view_list,view_detail,pay}')) AS r FROM ev GROUP BY user_id$$);
SELECT * FROM par_check('spill_wf', $$SELECT user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'pay'], interval '3 days', 'strict_order') AS r FROM ev GROUP BY user_id$$);
SET work_mem = '256kB';
RESET enable_sort;
SELECT * FROM par_check('sorted_level', $$SELECT user_id, funnel_level(ts, event, funnel_definition('3 days', steps => '{view_list,view_detail,pay}')) AS r FROM ev GROUP BY user_id$$);
SELECT * FROM par_check('sorted_wf', $$SELECT user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'pay'], interval '3 days', 'strict_order') AS r FROM ev GROUP BY user_id$$);
RESET work_mem;
