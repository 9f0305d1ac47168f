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
