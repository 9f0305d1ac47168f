-- pg_operations 0.1.1 -> 0.2.0: the namespace release.
-- Support functions and result types move into the internal schema _pg_operations_internal,
-- under the one naming scheme of 0.2.0 (AGGREGATE_transition for every transition function,
-- AGGREGATE[_STATE]_final/combine/serial/deserial for the others). Everything is moved in
-- place (ALTER ... SET SCHEMA / RENAME keep the objects' OIDs), so views and materialized
-- views that use the aggregates, functions or result types keep working; the library keeps
-- the C symbols the 0.1.x scripts named (src/pg/legacy.rs).
\echo Use "ALTER EXTENSION pg_operations UPDATE TO '0.2.0'" to load this file. \quit

-- 0.2.0 reads text as UTF-8 (as CREATE EXTENSION checks): a 0.1.x installed in a database of
-- another encoding stops here, with the reason, rather than updating into functions that
-- would all refuse to run.
DO $check$ BEGIN
    IF getdatabaseencoding() <> 'UTF8' THEN
        RAISE EXCEPTION USING ERRCODE = '0A000',
            MESSAGE = format('pg_operations 0.2.0 needs a UTF8 database, this one is encoded in %s', getdatabaseencoding()),
            HINT = 'Create a UTF8 database (ENCODING ''UTF8'', TEMPLATE template0), install the extension there and move the data.';
    END IF;
END $check$;

CREATE SCHEMA _pg_operations_internal;
GRANT USAGE ON SCHEMA _pg_operations_internal TO PUBLIC;

-- Result types: users can now create tables named funnel_step, rfm_breaks, ... themselves.
ALTER TYPE wilson_ci SET SCHEMA _pg_operations_internal;
ALTER TYPE funnel_step SET SCHEMA _pg_operations_internal;
ALTER TYPE intent_contribution SET SCHEMA _pg_operations_internal;
ALTER TYPE rfm_values SET SCHEMA _pg_operations_internal;
ALTER TYPE rfm_breaks SET SCHEMA _pg_operations_internal;
ALTER TYPE rfm_cell SET SCHEMA _pg_operations_internal;
ALTER TYPE channel_quadrant SET SCHEMA _pg_operations_internal;
ALTER TYPE channel_prior SET SCHEMA _pg_operations_internal;

-- Support functions: move, then rename to the 0.2.0 scheme.
DO $move$
DECLARE
    f record;
BEGIN
    FOR f IN
        SELECT * FROM (VALUES
            ('channel_prior_sfunc(internal, bigint, bigint)', 'channel_prior_transition'),
            ('channel_prior_final(internal)', NULL),
            ('channel_prior_combine(internal, internal)', NULL),
            ('channel_prior_serial(internal)', NULL),
            ('channel_prior_deserial(bytea, internal)', NULL),
            ('window_funnel_sfunc(internal, timestamptz, bool[], interval)', 'window_funnel_transition'),
            ('window_funnel_mode_sfunc(internal, timestamptz, bool[], interval, text)', 'window_funnel_transition'),
            ('window_funnel_final(internal)', NULL),
            ('window_funnel_combine(internal, internal)', NULL),
            ('window_funnel_serial(internal)', NULL),
            ('window_funnel_deserial(bytea, internal)', NULL),
            ('funnel_rates_id_sfunc(internal, bigint, timestamptz, bool[], interval)', 'funnel_step_rates_transition'),
            ('funnel_rates_id_names_sfunc(internal, bigint, timestamptz, bool[], interval, text[])', 'funnel_step_rates_transition'),
            ('funnel_rates_id_names_mode_sfunc(internal, bigint, timestamptz, bool[], interval, text[], text)', 'funnel_step_rates_transition'),
            ('funnel_rates_text_sfunc(internal, text, timestamptz, bool[], interval)', 'funnel_step_rates_transition'),
            ('funnel_rates_text_names_sfunc(internal, text, timestamptz, bool[], interval, text[])', 'funnel_step_rates_transition'),
            ('funnel_rates_text_names_mode_sfunc(internal, text, timestamptz, bool[], interval, text[], text)', 'funnel_step_rates_transition'),
            ('funnel_rates_id_event_sfunc(internal, bigint, timestamptz, text, text[], interval)', 'funnel_step_rates_transition'),
            ('funnel_rates_id_event_mode_sfunc(internal, bigint, timestamptz, text, text[], interval, text)', 'funnel_step_rates_transition'),
            ('funnel_rates_text_event_sfunc(internal, text, timestamptz, text, text[], interval)', 'funnel_step_rates_transition'),
            ('funnel_rates_text_event_mode_sfunc(internal, text, timestamptz, text, text[], interval, text)', 'funnel_step_rates_transition'),
            ('funnel_levels_sfunc(internal, int, text[])', 'funnel_step_rates_transition'),
            ('funnel_rates_id_final(internal)', 'funnel_step_rates_byid_final'),
            ('funnel_rates_id_combine(internal, internal)', 'funnel_step_rates_byid_combine'),
            ('funnel_rates_id_serial(internal)', 'funnel_step_rates_byid_serial'),
            ('funnel_rates_id_deserial(bytea, internal)', 'funnel_step_rates_byid_deserial'),
            ('funnel_rates_text_final(internal)', 'funnel_step_rates_bytext_final'),
            ('funnel_rates_text_combine(internal, internal)', 'funnel_step_rates_bytext_combine'),
            ('funnel_rates_text_serial(internal)', 'funnel_step_rates_bytext_serial'),
            ('funnel_rates_text_deserial(bytea, internal)', 'funnel_step_rates_bytext_deserial'),
            ('funnel_levels_final(internal)', 'funnel_step_rates_levels_final'),
            ('funnel_levels_combine(internal, internal)', 'funnel_step_rates_levels_combine'),
            ('funnel_levels_serial(internal)', 'funnel_step_rates_levels_serial'),
            ('funnel_levels_deserial(bytea, internal)', 'funnel_step_rates_levels_deserial'),
            ('intent_score_sfunc(internal, text, timestamptz, jsonb, timestamptz)', 'intent_score_transition'),
            ('intent_score_sfunc(internal, text, timestamptz, jsonb, timestamptz, interval)', 'intent_score_transition'),
            ('intent_score_sfunc(internal, text, timestamptz, jsonb, timestamptz, interval, interval)', 'intent_score_transition'),
            ('intent_score_final(internal)', NULL),
            ('intent_score_detail_final(internal)', NULL),
            ('intent_score_combine(internal, internal)', NULL),
            ('intent_score_serial(internal)', NULL),
            ('intent_score_deserial(bytea, internal)', NULL),
            ('lifecycle_stage_sfunc(internal, timestamptz, bool, timestamptz)', 'lifecycle_stage_transition'),
            ('lifecycle_stage_sfunc_days(internal, timestamptz, bool, timestamptz, int, int, int, int, int)', 'lifecycle_stage_transition'),
            ('lifecycle_stage_final(internal)', NULL),
            ('lifecycle_stage_combine(internal, internal)', NULL),
            ('lifecycle_stage_serial(internal)', NULL),
            ('lifecycle_stage_deserial(bytea, internal)', NULL),
            ('quantile_breaks_sfunc(internal, float8, float8[])', 'quantile_breaks_transition'),
            ('quantile_breaks_final(internal)', NULL),
            ('quantile_breaks_combine(internal, internal)', NULL),
            ('quantile_breaks_serial(internal)', NULL),
            ('quantile_breaks_deserial(bytea, internal)', NULL),
            ('rfm_agg_sfunc(internal, timestamptz, numeric, timestamptz)', 'rfm_agg_transition'),
            ('rfm_agg_final(internal)', NULL),
            ('rfm_agg_combine(internal, internal)', NULL),
            ('rfm_agg_serial(internal)', NULL),
            ('rfm_agg_deserial(bytea, internal)', NULL),
            ('rfm_breaks_sfunc3(internal, float8, float8, float8)', 'rfm_breaks_transition'),
            ('rfm_breaks_sfunc4(internal, float8, float8, float8, int)', 'rfm_breaks_transition'),
            ('rfm_breaks_final(internal)', NULL),
            ('rfm_breaks_combine(internal, internal)', NULL),
            ('rfm_breaks_serial(internal)', NULL),
            ('rfm_breaks_deserial(bytea, internal)', NULL),
            ('generate_demo_events_raw(bigint, int, bigint)', NULL)
        ) AS v(signature, new_name)
    LOOP
        EXECUTE format('ALTER FUNCTION @extschema@.%s SET SCHEMA _pg_operations_internal', f.signature);
        IF f.new_name IS NOT NULL THEN
            EXECUTE format('ALTER FUNCTION _pg_operations_internal.%s RENAME TO %I', f.signature, f.new_name);
        END IF;
    END LOOP;
END
$move$;

-- generate_demo_events names the raw generator with its new schema.
CREATE OR REPLACE FUNCTION generate_demo_events(users bigint, days int DEFAULT 180, seed bigint DEFAULT 42)
RETURNS TABLE (user_id bigint, ts timestamptz, event text, channel text, amount numeric)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $body$
SELECT g.user_id, g.ts, g.event, g.channel, g.amount_cents * 0.01
             FROM _pg_operations_internal.generate_demo_events_raw(users, days, seed) AS g
$body$;

-- ==== generated by scripts/upgrade-generated from the declarations of this release;
-- ==== do not edit by hand below this line.

-- from src/intent.rs
CREATE TYPE _pg_operations_internal.intent_definition AS (weights jsonb, as_of timestamptz, lookback interval, half_life interval, reset_events text[], reset_factor float8);
COMMENT ON TYPE _pg_operations_internal.intent_definition IS 'What intent_score(event, ts, definition) scores, built by intent_definition(...): the weights, as_of, look-back window, half-life, and the reset rule (events that end the decision period and what the events before them count).';

-- from src/playbook.rs
CREATE TYPE _pg_operations_internal.old_user_cell AS (cell text, grade text, score int, users bigint, share float8, value_sum float8);
COMMENT ON TYPE _pg_operations_internal.old_user_cell IS 'One cell of the old-user matrix: code like ''B4'' (inactivity grade, value score), the grade and score, its users, their share of all users in the matrix, and the exact sum of their values (0 when none).';

-- from src/intent.rs
CREATE TYPE _pg_operations_internal.intent_breaks AS (strong_share float8, medium_share float8, strong_above float8, medium_above float8, users bigint, active bigint, strong_users bigint, medium_users bigint, weak_users bigint, none_users bigint);
COMMENT ON TYPE _pg_operations_internal.intent_breaks IS 'Population intent tiers from intent_breaks: the shares asked for, the thresholds among active users (score > 0), and how many users each tier really holds (none = score <= 0).';

-- from src/playbook.rs
CREATE TYPE _pg_operations_internal.holding AS (invested numeric, redeemed numeric, holding numeric, invests bigint, redeems bigint, first_invest_at timestamptz, last_invest_at timestamptz, last_redeem_at timestamptz, fully_redeemed bool);
COMMENT ON TYPE _pg_operations_internal.holding IS 'A user''s investment state from holding_agg: total invested and redeemed (exact sums), current holding greatest(invested - redeemed, 0), the number of investment and redemption events, the first and last investment and the last redemption time, and whether everything invested has been redeemed.';

-- from src/retention.rs
CREATE TYPE _pg_operations_internal.retention_definition AS (as_of timestamptz, period text, periods int, entry text, counting text, time_zone text, rolling_days int);
COMMENT ON TYPE _pg_operations_internal.retention_definition IS 'What shapes a retention matrix, built by retention_definition(...): as_of, period (day, week, month or rolling), number of periods, entry (first or recurring), counting (on or on_or_after), time zone and the days of a rolling period.';

-- from src/retention.rs
CREATE TYPE _pg_operations_internal.lifecycle_count AS (period_start date, new bigint, "returning" bigint, resurrecting bigint, dormant bigint);
COMMENT ON TYPE _pg_operations_internal.lifecycle_count IS 'One period of lifecycle_counts: users active in the period split into new (first activity ever), returning (also active the period before) and resurrecting (active before, not the period before), and dormant (active the period before, not this one) as a negative count.';

-- from src/retention.rs
CREATE TYPE _pg_operations_internal.retention_cell AS (cohort_start date, period int, cohort_size bigint, retained bigint, rate float8, ci_low float8, ci_high float8, complete bool);
COMMENT ON TYPE _pg_operations_internal.retention_cell IS 'One cell of a cohort retention matrix: the cohort''s first day (local date of its period start), period k, the cohort''s users, those retained in period k, the rate with its 95 % Wilson interval, and whether period k had wholly happened by as_of.';

-- from src/funnel.rs
CREATE TYPE _pg_operations_internal.funnel_path AS (level int, anchor timestamptz, step_times timestamptz[], property text);
COMMENT ON TYPE _pg_operations_internal.funnel_path IS 'A user''s reported funnel chain from funnel_path: the deepest step reached, the chain''s first event (anchor), the time of each step reached, and the property of the chosen step''s row.';

-- from src/funnel.rs
CREATE TYPE _pg_operations_internal.funnel_report_step AS (step int, name text, users bigint, rate_from_previous float8, rate_from_first float8, ci_low float8, ci_high float8, p25_seconds_from_previous float8, p50_seconds_from_previous float8, p75_seconds_from_previous float8, p90_seconds_from_previous float8, p25_seconds_from_first float8, p50_seconds_from_first float8, p75_seconds_from_first float8, p90_seconds_from_first float8);
COMMENT ON TYPE _pg_operations_internal.funnel_report_step IS 'One step of funnel_report: users whose deepest step is at least step, rates with the 95 % Wilson interval, and the 25th/50th/75th/90th percentiles (percentile_cont) of the seconds from the previous step and from step 1 over the reported chains reaching the step.';

-- from src/playbook.rs
CREATE TYPE _pg_operations_internal.category_preference AS (top_category text, top_share float8, total float8, shares jsonb);
COMMENT ON TYPE _pg_operations_internal.category_preference IS 'A user''s attention per product category from category_share: the top category and its share, the total (rows, or seconds of dwell time) and every category''s share as a jsonb object.';

-- from src/playbook.rs
CREATE FUNCTION lifecycle_grade(last_active_at timestamptz, as_of timestamptz, thresholds int[] DEFAULT '{7,21,90,180,360}') RETURNS text LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_grade_timestamptz_timestamptz_int_arr';
COMMENT ON FUNCTION lifecycle_grade(timestamptz, timestamptz, int[]) IS 'Inactivity grade of a converted (old) user: ''A'' if as_of - last_active_at <= thresholds[1] days, ''B'' if <= thresholds[2] days, ..., and the letter after the last threshold otherwise (default ladder 7, 21, 90, 180, 360 days: A..F). NULL when last_active_at is after as_of. 22023 for infinite timestamps or thresholds that are empty, longer than 25, negative or not strictly increasing.';
CREATE FUNCTION lifecycle_grades(thresholds int[] DEFAULT '{7,21,90,180,360}') RETURNS TABLE (grade text, min_days int, max_days int, label_en text, label_zh text) LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE ROWS 100
AS 'MODULE_PATHNAME', 'pgops_lifecycle_grades_int_arr';
COMMENT ON FUNCTION lifecycle_grades(int[]) IS 'The grades of an inactivity ladder (lifecycle_grade) with the days each covers and English and Chinese labels: a lookup table for BI legends.';
CREATE FUNCTION value_score(value float8, breaks float8[]) RETURNS int LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_value_score_float8_float8_arr';
COMMENT ON FUNCTION value_score(float8, float8[]) IS 'Tie-aware value score 1 + #{breaks < value}, the rule of rfm_cell: with breaks = quantile_breaks(v, ARRAY[0.2, 0.4, 0.6, 0.8]) a score 1..5 where equal values always get the same score (unlike ntile, which splits ties by row order). Works on any value column (monetary, loan count, an RFM sum). 22023 for NULL, NaN or unsorted breaks.';
CREATE FUNCTION onboarding_reminder(registered_at timestamptz, first_action_at timestamptz, as_of timestamptz, days int[] DEFAULT '{2,5,7,15}', dead_days int DEFAULT 30, time_zone text DEFAULT 'UTC') RETURNS int LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_onboarding_reminder_timestamptz_timestamptz_timestamptz_int_arr_int_text';
COMMENT ON FUNCTION onboarding_reminder(timestamptz, timestamptz, timestamptz, int[], int, text) IS 'The onboarding reminder due at as_of: n if as_of falls on calendar day n after the registration day (in time_zone) with n one of days, and the user has taken no action yet (first_action_at NULL or after as_of); else NULL (acted, not a reminder day, registered after as_of, or dead: no action after dead_days). For a daily job: WHERE onboarding_reminder(...) IS NOT NULL. NULL registered_at, as_of, days, dead_days or time_zone -> NULL. 22023 for days that are empty, below 1, not strictly increasing or not before dead_days, and for an unknown time zone.';
CREATE FUNCTION _pg_operations_internal.old_user_matrix_final(internal) RETURNS _pg_operations_internal.old_user_cell[] LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_old_user_matrix_final';
COMMENT ON FUNCTION _pg_operations_internal.old_user_matrix_final(internal) IS 'Internal: final function of the aggregate old_user_matrix (state Cells).';
CREATE FUNCTION _pg_operations_internal.old_user_matrix_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_old_user_matrix_combine';
COMMENT ON FUNCTION _pg_operations_internal.old_user_matrix_combine(internal, internal) IS 'Internal: combine function of the aggregate old_user_matrix (state Cells).';
CREATE FUNCTION _pg_operations_internal.old_user_matrix_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_old_user_matrix_serial';
COMMENT ON FUNCTION _pg_operations_internal.old_user_matrix_serial(internal) IS 'Internal: serial function of the aggregate old_user_matrix (state Cells).';
CREATE FUNCTION _pg_operations_internal.old_user_matrix_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_old_user_matrix_deserial';
COMMENT ON FUNCTION _pg_operations_internal.old_user_matrix_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate old_user_matrix (state Cells).';
CREATE FUNCTION _pg_operations_internal.old_user_matrix_transition(internal, text, int, float8) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_old_user_matrix_transition_text_int_float8';
COMMENT ON FUNCTION _pg_operations_internal.old_user_matrix_transition(internal, text, int, float8) IS 'Internal: transition function of the aggregate old_user_matrix(text, int, float8).';
CREATE AGGREGATE old_user_matrix(grade text, score int, value float8) (
    SFUNC = _pg_operations_internal.old_user_matrix_transition,
    STYPE = internal,
    SSPACE = 1024,
    FINALFUNC = _pg_operations_internal.old_user_matrix_final,
    COMBINEFUNC = _pg_operations_internal.old_user_matrix_combine,
    SERIALFUNC = _pg_operations_internal.old_user_matrix_serial,
    DESERIALFUNC = _pg_operations_internal.old_user_matrix_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE old_user_matrix(text, int, float8) IS 'The old-user matrix over a user summary (one row per converted user): per inactivity grade (lifecycle_grade) x value score (value_score) cell, its users, share of all users and the exact sum of value. Every cell of grades A..F x scores 1..5 is returned (30 cells, empty ones with 0 users), ordered by grade, then score from 5 down; higher grades or scores seen extend the grid. Rows with a NULL grade or score are skipped; a NULL value counts the user but adds nothing. NULL when no row is counted. 22023 for a grade that is not one letter A-Z, a score outside 1..100 or a non-finite value.';
CREATE FUNCTION _pg_operations_internal.holding_agg_final(internal) RETURNS _pg_operations_internal.holding LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_holding_agg_final';
COMMENT ON FUNCTION _pg_operations_internal.holding_agg_final(internal) IS 'Internal: final function of the aggregate holding_agg (state Holdings).';
CREATE FUNCTION _pg_operations_internal.holding_agg_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_holding_agg_combine';
COMMENT ON FUNCTION _pg_operations_internal.holding_agg_combine(internal, internal) IS 'Internal: combine function of the aggregate holding_agg (state Holdings).';
CREATE FUNCTION _pg_operations_internal.holding_agg_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_holding_agg_serial';
COMMENT ON FUNCTION _pg_operations_internal.holding_agg_serial(internal) IS 'Internal: serial function of the aggregate holding_agg (state Holdings).';
CREATE FUNCTION _pg_operations_internal.holding_agg_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_holding_agg_deserial';
COMMENT ON FUNCTION _pg_operations_internal.holding_agg_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate holding_agg (state Holdings).';
CREATE FUNCTION _pg_operations_internal.holding_agg_transition(internal, timestamptz, text, numeric, timestamptz, text, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_holding_agg_transition_timestamptz_text_numeric_timestamptz_text_text';
COMMENT ON FUNCTION _pg_operations_internal.holding_agg_transition(internal, timestamptz, text, numeric, timestamptz, text, text) IS 'Internal: transition function of the aggregate holding_agg(timestamptz, text, numeric, timestamptz, text, text).';
CREATE AGGREGATE holding_agg(ts timestamptz, event text, amount numeric, as_of timestamptz, invest_event text, redeem_event text) (
    SFUNC = _pg_operations_internal.holding_agg_transition,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = _pg_operations_internal.holding_agg_final,
    COMBINEFUNC = _pg_operations_internal.holding_agg_combine,
    SERIALFUNC = _pg_operations_internal.holding_agg_serial,
    DESERIALFUNC = _pg_operations_internal.holding_agg_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE holding_agg(timestamptz, text, numeric, timestamptz, text, text) IS 'A user''s investment state over invest and redeem events with amounts (GROUP BY user): rows whose event is invest_event add to invested, redeem_event to redeemed (exact numeric sums; other events are ignored, so pass the whole event stream); events after as_of are ignored. holding = greatest(invested - redeemed, 0) (redemptions may include returns); fully_redeemed = at least one investment and redeemed >= invested. A NULL amount counts the event but adds nothing; NULL ts rows are skipped. 22023 for a negative amount, a NULL or infinite as_of, equal event names, or as_of / names varying within a group.';
CREATE FUNCTION _pg_operations_internal.category_share_final(internal) RETURNS _pg_operations_internal.category_preference LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_category_share_final';
COMMENT ON FUNCTION _pg_operations_internal.category_share_final(internal) IS 'Internal: final function of the aggregate category_share (state Attention).';
CREATE FUNCTION _pg_operations_internal.category_share_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_category_share_combine';
COMMENT ON FUNCTION _pg_operations_internal.category_share_combine(internal, internal) IS 'Internal: combine function of the aggregate category_share (state Attention).';
CREATE FUNCTION _pg_operations_internal.category_share_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_category_share_serial';
COMMENT ON FUNCTION _pg_operations_internal.category_share_serial(internal) IS 'Internal: serial function of the aggregate category_share (state Attention).';
CREATE FUNCTION _pg_operations_internal.category_share_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_category_share_deserial';
COMMENT ON FUNCTION _pg_operations_internal.category_share_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate category_share (state Attention).';
CREATE FUNCTION _pg_operations_internal.category_share_transition(internal, timestamptz, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_category_share_transition_timestamptz_text';
COMMENT ON FUNCTION _pg_operations_internal.category_share_transition(internal, timestamptz, text) IS 'Internal: transition function of the aggregate category_share(timestamptz, text).';
CREATE AGGREGATE category_share(ts timestamptz, category text) (
    SFUNC = _pg_operations_internal.category_share_transition,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = _pg_operations_internal.category_share_final,
    COMBINEFUNC = _pg_operations_internal.category_share_combine,
    SERIALFUNC = _pg_operations_internal.category_share_serial,
    DESERIALFUNC = _pg_operations_internal.category_share_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE category_share(timestamptz, text) IS 'A user''s attention per product category by event count: each row with a non-NULL category counts 1 for it; shares = count / all counted rows, top category = the largest (ties: the smallest name). NULL ts rows are skipped; NULL when no row has a category.';
CREATE FUNCTION _pg_operations_internal.category_share_transition(internal, timestamptz, text, interval) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_category_share_transition_timestamptz_text_interval';
COMMENT ON FUNCTION _pg_operations_internal.category_share_transition(internal, timestamptz, text, interval) IS 'Internal: transition function of the aggregate category_share(timestamptz, text, interval).';
CREATE AGGREGATE category_share(ts timestamptz, category text, session_timeout interval) (
    SFUNC = _pg_operations_internal.category_share_transition,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = _pg_operations_internal.category_share_final,
    COMBINEFUNC = _pg_operations_internal.category_share_combine,
    SERIALFUNC = _pg_operations_internal.category_share_serial,
    DESERIALFUNC = _pg_operations_internal.category_share_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE category_share(timestamptz, text, interval) IS 'A user''s attention per product category by dwell time: each row''s dwell is the time to the user''s next row (any row, categorized or not), capped at session_timeout, the last row 0; rows are ordered by (ts, category) so ties are deterministic. Shares are among the categorized rows'' dwell. NULL when no row has a category; top_category NULL when the total dwell is 0. 22023 for a session_timeout <= 0 or one varying within a group.';

-- from src/funnel.rs
CREATE TYPE _pg_operations_internal.funnel_definition AS ("window" interval, steps text[], mode text, step_names text[], step_windows interval[], exclusions jsonb, step_count int, property_step text);
COMMENT ON TYPE _pg_operations_internal.funnel_definition IS 'What a funnel measures, built by funnel_definition(...): the window from step 1, the steps (event names, for the event form), mode, step names, per-step windows, exclusions, the step count (conds form) and which step''s property funnel_path reports.';

-- from src/funnel.rs
CREATE FUNCTION funnel_definition("window" interval, steps text[] DEFAULT NULL, mode text DEFAULT 'default', step_names text[] DEFAULT NULL, step_windows interval[] DEFAULT NULL, exclusions jsonb DEFAULT NULL, step_count int DEFAULT NULL, property_step text DEFAULT 'first') RETURNS _pg_operations_internal.funnel_definition LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_definition_interval_text_arr_text_text_arr_interval_arr_jsonb_int_text';
COMMENT ON FUNCTION funnel_definition(interval, text[], text, text[], interval[], jsonb, int, text) IS 'A funnel definition (validated) for funnel_level, funnel_path and funnel_report: window (from step 1, inclusive, > 0), steps (event names of the steps; the event form), mode (default, strict_order, strict_deduplication, strict_increase, strict_once, allow_reentry, clickhouse, comma-separated), step_names (report names), step_windows (largest gap from step k to step k+1; NULL elements: none), exclusions (jsonb array of {"event" or "cond", "from_step", "to_step"}: a chain with such an event strictly between its from_step and to_step events cannot reach to_step), step_count (conds form: the number of conds elements that are steps) and property_step (''first'', ''last'' or a step number). 22023 for anything invalid. See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_level_final(internal) RETURNS int LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_level_final';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_final(internal) IS 'Internal: final function of the aggregate funnel_level (state User).';
CREATE FUNCTION _pg_operations_internal.funnel_level_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_level_combine';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_combine(internal, internal) IS 'Internal: combine function of the aggregate funnel_level (state User).';
CREATE FUNCTION _pg_operations_internal.funnel_level_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_level_serial';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_serial(internal) IS 'Internal: serial function of the aggregate funnel_level (state User).';
CREATE FUNCTION _pg_operations_internal.funnel_level_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_level_deserial';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate funnel_level (state User).';
CREATE FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_level_transition_timestamptz_bool_arr_funnel_definition';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_level(timestamptz, bool[], _pg_operations_internal.funnel_definition).';
CREATE AGGREGATE funnel_level(ts timestamptz, conds bool[], definition _pg_operations_internal.funnel_definition) (
    SFUNC = _pg_operations_internal.funnel_level_transition,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = _pg_operations_internal.funnel_level_final,
    COMBINEFUNC = _pg_operations_internal.funnel_level_combine,
    SERIALFUNC = _pg_operations_internal.funnel_level_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_level_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_level(timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'Per-user funnel under a funnel_definition: the deepest step (1..n) of any chain that satisfies every constraint of the definition (window, per-step windows, mode, exclusions), 0 when step 1 never occurred. conds (bool[]: the steps'' conditions, then any exclusion conditions) or event (matched against the definition''s steps and exclusion events). Rows with NULL ts or conds/event are skipped (NULL when none is left). See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_level_transition_timestamptz_text_funnel_definition';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition).';
CREATE AGGREGATE funnel_level(ts timestamptz, event text, definition _pg_operations_internal.funnel_definition) (
    SFUNC = _pg_operations_internal.funnel_level_transition,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = _pg_operations_internal.funnel_level_final,
    COMBINEFUNC = _pg_operations_internal.funnel_level_combine,
    SERIALFUNC = _pg_operations_internal.funnel_level_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_level_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition) IS 'Per-user funnel under a funnel_definition: the deepest step (1..n) of any chain that satisfies every constraint of the definition (window, per-step windows, mode, exclusions), 0 when step 1 never occurred. conds (bool[]: the steps'' conditions, then any exclusion conditions) or event (matched against the definition''s steps and exclusion events). Rows with NULL ts or conds/event are skipped (NULL when none is left). See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_level_transition_timestamptz_bool_arr_funnel_definition_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_level(timestamptz, bool[], _pg_operations_internal.funnel_definition, text).';
CREATE AGGREGATE funnel_level(ts timestamptz, conds bool[], definition _pg_operations_internal.funnel_definition, key text) (
    SFUNC = _pg_operations_internal.funnel_level_transition,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = _pg_operations_internal.funnel_level_final,
    COMBINEFUNC = _pg_operations_internal.funnel_level_combine,
    SERIALFUNC = _pg_operations_internal.funnel_level_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_level_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_level(timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'Per-user funnel with a key held constant: every event of a chain carries the same non-NULL key (e.g. an application id); rows with a NULL key are skipped; the level is the deepest over keys. Otherwise as funnel_level(ts, conds, definition). See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_level_transition_timestamptz_text_funnel_definition_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition, text).';
CREATE AGGREGATE funnel_level(ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, key text) (
    SFUNC = _pg_operations_internal.funnel_level_transition,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = _pg_operations_internal.funnel_level_final,
    COMBINEFUNC = _pg_operations_internal.funnel_level_combine,
    SERIALFUNC = _pg_operations_internal.funnel_level_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_level_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'Per-user funnel by event name with a key held constant (see funnel_level(ts, conds, definition, key)). See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_level_transition_timestamptz_text_funnel_definition_text_arr';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: transition function of the aggregate funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition, text[]).';
CREATE AGGREGATE _pg_operations_internal.funnel_level(ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, steps text[]) (
    SFUNC = _pg_operations_internal.funnel_level_transition,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = _pg_operations_internal.funnel_level_final,
    COMBINEFUNC = _pg_operations_internal.funnel_level_combine,
    SERIALFUNC = _pg_operations_internal.funnel_level_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_level_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: funnel_level(ts, ARRAY[event = steps[1], ...], definition) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
CREATE FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_level_transition_timestamptz_text_funnel_definition_text_arr_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: transition function of the aggregate funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition, text[], text).';
CREATE AGGREGATE _pg_operations_internal.funnel_level(ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, steps text[], key text) (
    SFUNC = _pg_operations_internal.funnel_level_transition,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = _pg_operations_internal.funnel_level_final,
    COMBINEFUNC = _pg_operations_internal.funnel_level_combine,
    SERIALFUNC = _pg_operations_internal.funnel_level_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_level_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: funnel_level(ts, ARRAY[event = steps[1], ...], definition, key) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
CREATE FUNCTION _pg_operations_internal.funnel_path_final(internal) RETURNS _pg_operations_internal.funnel_path LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_final';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_final(internal) IS 'Internal: final function of the aggregate funnel_path (state Path).';
CREATE FUNCTION _pg_operations_internal.funnel_path_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_combine';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_combine(internal, internal) IS 'Internal: combine function of the aggregate funnel_path (state Path).';
CREATE FUNCTION _pg_operations_internal.funnel_path_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_serial';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_serial(internal) IS 'Internal: serial function of the aggregate funnel_path (state Path).';
CREATE FUNCTION _pg_operations_internal.funnel_path_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_deserial';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate funnel_path (state Path).';
CREATE FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_transition_timestamptz_bool_arr_funnel_definition';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, bool[], _pg_operations_internal.funnel_definition).';
CREATE AGGREGATE funnel_path(ts timestamptz, conds bool[], definition _pg_operations_internal.funnel_definition) (
    SFUNC = _pg_operations_internal.funnel_path_transition,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = _pg_operations_internal.funnel_path_final,
    COMBINEFUNC = _pg_operations_internal.funnel_path_combine,
    SERIALFUNC = _pg_operations_internal.funnel_path_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_path_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_path(timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'Per-user funnel with its reported chain: the deepest level, the anchor (step 1) and the time of each step reached of the reported chain (among deepest chains: latest anchor, then earliest last step, then the latest events before it), under a funnel_definition. NULL step times with the clickhouse flag. See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_transition_timestamptz_text_funnel_definition';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition).';
CREATE AGGREGATE funnel_path(ts timestamptz, event text, definition _pg_operations_internal.funnel_definition) (
    SFUNC = _pg_operations_internal.funnel_path_transition,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = _pg_operations_internal.funnel_path_final,
    COMBINEFUNC = _pg_operations_internal.funnel_path_combine,
    SERIALFUNC = _pg_operations_internal.funnel_path_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_path_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition) IS 'Per-user funnel with its reported chain: the deepest level, the anchor (step 1) and the time of each step reached of the reported chain (among deepest chains: latest anchor, then earliest last step, then the latest events before it), under a funnel_definition. NULL step times with the clickhouse flag. See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_transition_timestamptz_bool_arr_funnel_definition_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, bool[], _pg_operations_internal.funnel_definition, text).';
CREATE AGGREGATE funnel_path(ts timestamptz, conds bool[], definition _pg_operations_internal.funnel_definition, key text) (
    SFUNC = _pg_operations_internal.funnel_path_transition,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = _pg_operations_internal.funnel_path_final,
    COMBINEFUNC = _pg_operations_internal.funnel_path_combine,
    SERIALFUNC = _pg_operations_internal.funnel_path_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_path_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_path(timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'funnel_path with a key held constant (NULL key: no key held; see funnel_level(..., key)). See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_transition_timestamptz_text_funnel_definition_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text).';
CREATE AGGREGATE funnel_path(ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, key text) (
    SFUNC = _pg_operations_internal.funnel_path_transition,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = _pg_operations_internal.funnel_path_final,
    COMBINEFUNC = _pg_operations_internal.funnel_path_combine,
    SERIALFUNC = _pg_operations_internal.funnel_path_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_path_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'funnel_path by event name with a key held constant (see funnel_level(..., key)). See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_transition_timestamptz_bool_arr_funnel_definition_text_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text, text) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, bool[], _pg_operations_internal.funnel_definition, text, text).';
CREATE AGGREGATE funnel_path(ts timestamptz, conds bool[], definition _pg_operations_internal.funnel_definition, key text, property text) (
    SFUNC = _pg_operations_internal.funnel_path_transition,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = _pg_operations_internal.funnel_path_final,
    COMBINEFUNC = _pg_operations_internal.funnel_path_combine,
    SERIALFUNC = _pg_operations_internal.funnel_path_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_path_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_path(timestamptz, bool[], _pg_operations_internal.funnel_definition, text, text) IS 'funnel_path that also reports property (e.g. platform, channel) of the row of the definition''s property_step (''first'' = step 1, first touch; ''last'' = the deepest step, last touch; or a step number; NULL when not reached). key NULL on every row: no key held. See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_transition_timestamptz_text_funnel_definition_text_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text, text) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text, text).';
CREATE AGGREGATE funnel_path(ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, key text, property text) (
    SFUNC = _pg_operations_internal.funnel_path_transition,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = _pg_operations_internal.funnel_path_final,
    COMBINEFUNC = _pg_operations_internal.funnel_path_combine,
    SERIALFUNC = _pg_operations_internal.funnel_path_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_path_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text, text) IS 'funnel_path by event name reporting a property of the chosen step''s row (see funnel_path(ts, conds, definition, key, property)). See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_transition_timestamptz_text_funnel_definition_text_arr';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text[]).';
CREATE AGGREGATE _pg_operations_internal.funnel_path(ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, steps text[]) (
    SFUNC = _pg_operations_internal.funnel_path_transition,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = _pg_operations_internal.funnel_path_final,
    COMBINEFUNC = _pg_operations_internal.funnel_path_combine,
    SERIALFUNC = _pg_operations_internal.funnel_path_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_path_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: funnel_path(ts, ARRAY[event = steps[1], ...], definition) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
CREATE FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_transition_timestamptz_text_funnel_definition_text_arr_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text[], text).';
CREATE AGGREGATE _pg_operations_internal.funnel_path(ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, steps text[], key text) (
    SFUNC = _pg_operations_internal.funnel_path_transition,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = _pg_operations_internal.funnel_path_final,
    COMBINEFUNC = _pg_operations_internal.funnel_path_combine,
    SERIALFUNC = _pg_operations_internal.funnel_path_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_path_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: funnel_path(ts, ARRAY[event = steps[1], ...], definition, key) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
CREATE FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_path_transition_timestamptz_text_funnel_definition_text_arr_text_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text, text) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text[], text, text).';
CREATE AGGREGATE _pg_operations_internal.funnel_path(ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, steps text[], key text, property text) (
    SFUNC = _pg_operations_internal.funnel_path_transition,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = _pg_operations_internal.funnel_path_final,
    COMBINEFUNC = _pg_operations_internal.funnel_path_combine,
    SERIALFUNC = _pg_operations_internal.funnel_path_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_path_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text[], text, text) IS 'Internal: funnel_path(ts, ARRAY[event = steps[1], ...], definition, key, property) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
CREATE FUNCTION _pg_operations_internal.funnel_report_byid_final(internal) RETURNS _pg_operations_internal.funnel_report_step[] LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_byid_final';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_byid_final(internal) IS 'Internal: final function of the aggregate funnel_report (state ById).';
CREATE FUNCTION _pg_operations_internal.funnel_report_byid_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_byid_combine';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_byid_combine(internal, internal) IS 'Internal: combine function of the aggregate funnel_report (state ById).';
CREATE FUNCTION _pg_operations_internal.funnel_report_byid_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_byid_serial';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_byid_serial(internal) IS 'Internal: serial function of the aggregate funnel_report (state ById).';
CREATE FUNCTION _pg_operations_internal.funnel_report_byid_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_byid_deserial';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_byid_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate funnel_report (state ById).';
CREATE FUNCTION _pg_operations_internal.funnel_report_bytext_final(internal) RETURNS _pg_operations_internal.funnel_report_step[] LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_bytext_final';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_bytext_final(internal) IS 'Internal: final function of the aggregate funnel_report (state ByText).';
CREATE FUNCTION _pg_operations_internal.funnel_report_bytext_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_bytext_combine';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_bytext_combine(internal, internal) IS 'Internal: combine function of the aggregate funnel_report (state ByText).';
CREATE FUNCTION _pg_operations_internal.funnel_report_bytext_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_bytext_serial';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_bytext_serial(internal) IS 'Internal: serial function of the aggregate funnel_report (state ByText).';
CREATE FUNCTION _pg_operations_internal.funnel_report_bytext_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_bytext_deserial';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_bytext_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate funnel_report (state ByText).';
CREATE FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_transition_bigint_timestamptz_bool_arr_funnel_definition';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_report(bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition).';
CREATE AGGREGATE funnel_report(user_id bigint, ts timestamptz, conds bool[], definition _pg_operations_internal.funnel_definition) (
    SFUNC = _pg_operations_internal.funnel_report_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_report_byid_final,
    COMBINEFUNC = _pg_operations_internal.funnel_report_byid_combine,
    SERIALFUNC = _pg_operations_internal.funnel_report_byid_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_report_byid_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_report(bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, bool[], _pg_operations_internal.funnel_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_transition_text_timestamptz_bool_arr_funnel_definition';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_report(text, timestamptz, bool[], _pg_operations_internal.funnel_definition).';
CREATE AGGREGATE funnel_report(user_id text, ts timestamptz, conds bool[], definition _pg_operations_internal.funnel_definition) (
    SFUNC = _pg_operations_internal.funnel_report_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_report_bytext_final,
    COMBINEFUNC = _pg_operations_internal.funnel_report_bytext_combine,
    SERIALFUNC = _pg_operations_internal.funnel_report_bytext_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_report_bytext_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_report(text, timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, text, _pg_operations_internal.funnel_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_transition_bigint_timestamptz_text_funnel_definition';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, text, _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition).';
CREATE AGGREGATE funnel_report(user_id bigint, ts timestamptz, event text, definition _pg_operations_internal.funnel_definition) (
    SFUNC = _pg_operations_internal.funnel_report_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_report_byid_final,
    COMBINEFUNC = _pg_operations_internal.funnel_report_byid_combine,
    SERIALFUNC = _pg_operations_internal.funnel_report_byid_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_report_byid_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, text, _pg_operations_internal.funnel_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_transition_text_timestamptz_text_funnel_definition';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, text, _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition).';
CREATE AGGREGATE funnel_report(user_id text, ts timestamptz, event text, definition _pg_operations_internal.funnel_definition) (
    SFUNC = _pg_operations_internal.funnel_report_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_report_bytext_final,
    COMBINEFUNC = _pg_operations_internal.funnel_report_bytext_combine,
    SERIALFUNC = _pg_operations_internal.funnel_report_bytext_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_report_bytext_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_transition_bigint_timestamptz_bool_arr_funnel_definition_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_report(bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition, text).';
CREATE AGGREGATE funnel_report(user_id bigint, ts timestamptz, conds bool[], definition _pg_operations_internal.funnel_definition, key text) (
    SFUNC = _pg_operations_internal.funnel_report_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_report_byid_final,
    COMBINEFUNC = _pg_operations_internal.funnel_report_byid_combine,
    SERIALFUNC = _pg_operations_internal.funnel_report_byid_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_report_byid_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_report(bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'funnel_report with a key held constant (every event of a chain carries the same non-NULL key). See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_transition_text_timestamptz_bool_arr_funnel_definition_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_report(text, timestamptz, bool[], _pg_operations_internal.funnel_definition, text).';
CREATE AGGREGATE funnel_report(user_id text, ts timestamptz, conds bool[], definition _pg_operations_internal.funnel_definition, key text) (
    SFUNC = _pg_operations_internal.funnel_report_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_report_bytext_final,
    COMBINEFUNC = _pg_operations_internal.funnel_report_bytext_combine,
    SERIALFUNC = _pg_operations_internal.funnel_report_bytext_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_report_bytext_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_report(text, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_transition_bigint_timestamptz_text_funnel_definition_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text).';
CREATE AGGREGATE funnel_report(user_id bigint, ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, key text) (
    SFUNC = _pg_operations_internal.funnel_report_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_report_byid_final,
    COMBINEFUNC = _pg_operations_internal.funnel_report_byid_combine,
    SERIALFUNC = _pg_operations_internal.funnel_report_byid_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_report_byid_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, text, _pg_operations_internal.funnel_definition, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_transition_text_timestamptz_text_funnel_definition_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition, text).';
CREATE AGGREGATE funnel_report(user_id text, ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, key text) (
    SFUNC = _pg_operations_internal.funnel_report_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_report_bytext_final,
    COMBINEFUNC = _pg_operations_internal.funnel_report_bytext_combine,
    SERIALFUNC = _pg_operations_internal.funnel_report_bytext_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_report_bytext_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
CREATE FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_transition_bigint_timestamptz_text_funnel_definition_text_arr';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: transition function of the aggregate funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[]).';
CREATE AGGREGATE _pg_operations_internal.funnel_report(user_id bigint, ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, steps text[]) (
    SFUNC = _pg_operations_internal.funnel_report_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_report_byid_final,
    COMBINEFUNC = _pg_operations_internal.funnel_report_byid_combine,
    SERIALFUNC = _pg_operations_internal.funnel_report_byid_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_report_byid_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: funnel_report(user_id, ts, ARRAY[event = steps[1], ...], definition) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
CREATE FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_transition_bigint_timestamptz_text_funnel_definition_text_arr_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: transition function of the aggregate funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text).';
CREATE AGGREGATE _pg_operations_internal.funnel_report(user_id bigint, ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, steps text[], key text) (
    SFUNC = _pg_operations_internal.funnel_report_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_report_byid_final,
    COMBINEFUNC = _pg_operations_internal.funnel_report_byid_combine,
    SERIALFUNC = _pg_operations_internal.funnel_report_byid_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_report_byid_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: funnel_report(user_id, ts, ARRAY[event = steps[1], ...], definition, key) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
CREATE FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_transition_text_timestamptz_text_funnel_definition_text_arr';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: transition function of the aggregate funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition, text[]).';
CREATE AGGREGATE _pg_operations_internal.funnel_report(user_id text, ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, steps text[]) (
    SFUNC = _pg_operations_internal.funnel_report_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_report_bytext_final,
    COMBINEFUNC = _pg_operations_internal.funnel_report_bytext_combine,
    SERIALFUNC = _pg_operations_internal.funnel_report_bytext_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_report_bytext_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: funnel_report(user_id, ts, ARRAY[event = steps[1], ...], definition) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
CREATE FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_report_transition_text_timestamptz_text_funnel_definition_text_arr_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: transition function of the aggregate funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text).';
CREATE AGGREGATE _pg_operations_internal.funnel_report(user_id text, ts timestamptz, event text, definition _pg_operations_internal.funnel_definition, steps text[], key text) (
    SFUNC = _pg_operations_internal.funnel_report_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_report_bytext_final,
    COMBINEFUNC = _pg_operations_internal.funnel_report_bytext_combine,
    SERIALFUNC = _pg_operations_internal.funnel_report_bytext_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_report_bytext_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: funnel_report(user_id, ts, ARRAY[event = steps[1], ...], definition, key) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
CREATE FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, text, text[], interval) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_window_funnel_transition_timestamptz_text_text_arr_interval';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, text, text[], interval) IS 'Internal: transition function of the aggregate window_funnel(timestamptz, text, text[], interval).';
CREATE AGGREGATE _pg_operations_internal.window_funnel(ts timestamptz, event text, steps text[], "window" interval) (
    SFUNC = _pg_operations_internal.window_funnel_transition,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = _pg_operations_internal.window_funnel_final,
    COMBINEFUNC = _pg_operations_internal.window_funnel_combine,
    SERIALFUNC = _pg_operations_internal.window_funnel_serial,
    DESERIALFUNC = _pg_operations_internal.window_funnel_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.window_funnel(timestamptz, text, text[], interval) IS 'Internal: window_funnel(ts, ARRAY[event = steps[1], event = steps[2], ...], window) by event name, the form PostgreSQL runs such a call in (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
CREATE FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, text, text[], interval, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_window_funnel_transition_timestamptz_text_text_arr_interval_text';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, text, text[], interval, text) IS 'Internal: transition function of the aggregate window_funnel(timestamptz, text, text[], interval, text).';
CREATE AGGREGATE _pg_operations_internal.window_funnel(ts timestamptz, event text, steps text[], "window" interval, mode text) (
    SFUNC = _pg_operations_internal.window_funnel_transition,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = _pg_operations_internal.window_funnel_final,
    COMBINEFUNC = _pg_operations_internal.window_funnel_combine,
    SERIALFUNC = _pg_operations_internal.window_funnel_serial,
    DESERIALFUNC = _pg_operations_internal.window_funnel_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.window_funnel(timestamptz, text, text[], interval, text) IS 'Internal: window_funnel(ts, ARRAY[event = steps[1], ...], window, mode) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
CREATE FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, text, text[], interval, text[], text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_step_rates_transition_bigint_timestamptz_text_text_arr_interval_text_arr_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, text, text[], interval, text[], text) IS 'Internal: transition function of the aggregate funnel_step_rates(bigint, timestamptz, text, text[], interval, text[], text).';
CREATE AGGREGATE _pg_operations_internal.funnel_step_rates(user_id bigint, ts timestamptz, event text, steps text[], "window" interval, step_names text[], mode text) (
    SFUNC = _pg_operations_internal.funnel_step_rates_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_step_rates_byid_final,
    COMBINEFUNC = _pg_operations_internal.funnel_step_rates_byid_combine,
    SERIALFUNC = _pg_operations_internal.funnel_step_rates_byid_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_step_rates_byid_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.funnel_step_rates(bigint, timestamptz, text, text[], interval, text[], text) IS 'Internal: funnel_step_rates(user_id, ts, ARRAY[event = steps[1], event = steps[2], ...], window, step_names, mode) by event name, the form PostgreSQL runs such a call in (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step; NULL step_names are ''step 1'', ''step 2'', ...';
CREATE FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, text, text[], interval, text[], text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_funnel_step_rates_transition_text_timestamptz_text_text_arr_interval_text_arr_text';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, text, text[], interval, text[], text) IS 'Internal: transition function of the aggregate funnel_step_rates(text, timestamptz, text, text[], interval, text[], text).';
CREATE AGGREGATE _pg_operations_internal.funnel_step_rates(user_id text, ts timestamptz, event text, steps text[], "window" interval, step_names text[], mode text) (
    SFUNC = _pg_operations_internal.funnel_step_rates_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.funnel_step_rates_bytext_final,
    COMBINEFUNC = _pg_operations_internal.funnel_step_rates_bytext_combine,
    SERIALFUNC = _pg_operations_internal.funnel_step_rates_bytext_serial,
    DESERIALFUNC = _pg_operations_internal.funnel_step_rates_bytext_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE _pg_operations_internal.funnel_step_rates(text, timestamptz, text, text[], interval, text[], text) IS 'Internal: funnel_step_rates(user_id, ts, ARRAY[event = steps[1], ...], window, step_names, mode) with text user ids by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';

-- from src/funnel.rs
CREATE FUNCTION _pg_operations_internal.load_support(internal) RETURNS internal
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'pgops_load_support';
COMMENT ON FUNCTION _pg_operations_internal.load_support(internal) IS
  'Internal: planner support function of the conds transitions of the funnels; answers nothing, but loads the library while the query is planned, so that the query runs its conditions by name (docs/funnels.md).';
ALTER FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, bool[], interval)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, bool[], interval, text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, bool[], interval)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, bool[], interval, text[])
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, bool[], interval, text[], text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, bool[], interval)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, bool[], interval, text[])
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, bool[], interval, text[], text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text, text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition, text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, bool[], _pg_operations_internal.funnel_definition)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, bool[], _pg_operations_internal.funnel_definition, text)
  SUPPORT _pg_operations_internal.load_support;

-- from src/intent.rs
CREATE FUNCTION intent_definition(weights jsonb, as_of timestamptz, lookback interval DEFAULT '14 days', half_life interval DEFAULT NULL, reset_events text[] DEFAULT NULL, reset_factor float8 DEFAULT 0) RETURNS _pg_operations_internal.intent_definition LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_intent_definition_jsonb_timestamptz_interval_interval_text_arr_float8';
COMMENT ON FUNCTION intent_definition(jsonb, timestamptz, interval, interval, text[], float8) IS 'An intent score definition (validated) for intent_score(event, ts, definition): weights (as intent_weights), as_of, lookback (default 14 days, >= 0), half_life (NULL: no decay; else > 0), reset_events (e.g. ARRAY[''pay'']: the latest such event in the window ends the decision period) and reset_factor in [0, 1] (what the weighted events at or before it count: 0 not at all, 0.5 half). 22023 for NULL weights, as_of, lookback or reset_factor, and for any invalid value.';
CREATE FUNCTION intent_share_tier(score float8, breaks _pg_operations_internal.intent_breaks) RETURNS text LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_intent_share_tier_float8_intent_breaks';
COMMENT ON FUNCTION intent_share_tier(float8, _pg_operations_internal.intent_breaks) IS 'Tier of a score from intent_breaks(score): ''none'' if score <= 0, ''strong'' if score > breaks.strong_above, ''medium'' if score > breaks.medium_above, else ''weak'' (also ''weak'' for a positive score when the population had no active user). 22023 for NaN.';
CREATE FUNCTION _pg_operations_internal.intent_score_transition(internal, text, timestamptz, _pg_operations_internal.intent_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_intent_score_transition_text_timestamptz_intent_definition';
COMMENT ON FUNCTION _pg_operations_internal.intent_score_transition(internal, text, timestamptz, _pg_operations_internal.intent_definition) IS 'Internal: transition function of the aggregate intent_score / intent_score_detail(text, timestamptz, _pg_operations_internal.intent_definition).';
CREATE AGGREGATE intent_score(event text, ts timestamptz, definition _pg_operations_internal.intent_definition) (
    SFUNC = _pg_operations_internal.intent_score_transition,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = _pg_operations_internal.intent_score_final,
    COMBINEFUNC = _pg_operations_internal.intent_score_combine,
    SERIALFUNC = _pg_operations_internal.intent_score_serial,
    DESERIALFUNC = _pg_operations_internal.intent_score_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE intent_score(text, timestamptz, _pg_operations_internal.intent_definition) IS 'Purchase-intent score under intent_definition(weights, as_of, ...): the window (as_of - lookback, as_of], optional decay by half_life, and the reset rule: with reset_events, every weighted event at or before the group''s latest reset event in the window (a purchase ends the decision period) counts reset_factor times its weight (0: not at all). Same as the 6-argument aggregate otherwise; the definition must be the same on every row of a group.';
CREATE AGGREGATE intent_score_detail(event text, ts timestamptz, definition _pg_operations_internal.intent_definition) (
    SFUNC = _pg_operations_internal.intent_score_transition,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = _pg_operations_internal.intent_score_detail_final,
    COMBINEFUNC = _pg_operations_internal.intent_score_combine,
    SERIALFUNC = _pg_operations_internal.intent_score_serial,
    DESERIALFUNC = _pg_operations_internal.intent_score_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE intent_score_detail(text, timestamptz, _pg_operations_internal.intent_definition) IS 'Breakdown of intent_score (same arguments): one intent_contribution (event, events, contribution) per weighted event in the window, by contribution descending; an empty array when nothing in the window was weighted.';
CREATE FUNCTION _pg_operations_internal.intent_breaks_final(internal) RETURNS _pg_operations_internal.intent_breaks LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_intent_breaks_final';
COMMENT ON FUNCTION _pg_operations_internal.intent_breaks_final(internal) IS 'Internal: final function of the aggregate intent_breaks (state Scores).';
CREATE FUNCTION _pg_operations_internal.intent_breaks_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_intent_breaks_combine';
COMMENT ON FUNCTION _pg_operations_internal.intent_breaks_combine(internal, internal) IS 'Internal: combine function of the aggregate intent_breaks (state Scores).';
CREATE FUNCTION _pg_operations_internal.intent_breaks_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_intent_breaks_serial';
COMMENT ON FUNCTION _pg_operations_internal.intent_breaks_serial(internal) IS 'Internal: serial function of the aggregate intent_breaks (state Scores).';
CREATE FUNCTION _pg_operations_internal.intent_breaks_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_intent_breaks_deserial';
COMMENT ON FUNCTION _pg_operations_internal.intent_breaks_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate intent_breaks (state Scores).';
CREATE FUNCTION _pg_operations_internal.intent_breaks_transition(internal, float8) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_intent_breaks_transition_float8';
COMMENT ON FUNCTION _pg_operations_internal.intent_breaks_transition(internal, float8) IS 'Internal: transition function of the aggregate intent_breaks(float8).';
CREATE AGGREGATE intent_breaks(score float8) (
    SFUNC = _pg_operations_internal.intent_breaks_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.intent_breaks_final,
    COMBINEFUNC = _pg_operations_internal.intent_breaks_combine,
    SERIALFUNC = _pg_operations_internal.intent_breaks_serial,
    DESERIALFUNC = _pg_operations_internal.intent_breaks_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE intent_breaks(float8) IS 'Honest share-based intent tiers over one score per user: users with score <= 0 are tier none; among the active users (score > 0) strong_above = percentile_disc(0.8) and medium_above = percentile_disc(0.4) of their scores, so a tied block always lands in one tier and the strong tier holds at most 20 % of the active users (up to float rounding of percentile_disc). Reports how many users each tier really holds. Feed the result to intent_share_tier(score, breaks). NULL scores are skipped; NULL when no row. 22023 for a NaN or infinite score.';
CREATE FUNCTION _pg_operations_internal.intent_breaks_transition(internal, float8, float8, float8) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_intent_breaks_transition_float8_float8_float8';
COMMENT ON FUNCTION _pg_operations_internal.intent_breaks_transition(internal, float8, float8, float8) IS 'Internal: transition function of the aggregate intent_breaks(float8, float8, float8).';
CREATE AGGREGATE intent_breaks(score float8, strong_share float8, medium_share float8) (
    SFUNC = _pg_operations_internal.intent_breaks_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.intent_breaks_final,
    COMBINEFUNC = _pg_operations_internal.intent_breaks_combine,
    SERIALFUNC = _pg_operations_internal.intent_breaks_serial,
    DESERIALFUNC = _pg_operations_internal.intent_breaks_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE intent_breaks(float8, float8, float8) IS 'intent_breaks with explicit shares: strong_above = percentile_disc(1 - strong_share), medium_above = percentile_disc(1 - strong_share - medium_share) of the active scores. Each share in (0, 1] and strong_share + medium_share <= 1, the same on every row (22023 otherwise).';

-- from src/lifecycle.rs
CREATE TYPE _pg_operations_internal.lifecycle_rules AS (new_days int, dead_days int, dormant_days int, churn_days int, lost_days int, new_wins bool, on_inconsistent text);
COMMENT ON TYPE _pg_operations_internal.lifecycle_rules IS 'The rules of lifecycle_stage, built by lifecycle_rules(...): the five day thresholds, whether new wins over inactivity, and what inconsistent data gives (error or null).';

-- from src/lifecycle.rs
CREATE FUNCTION lifecycle_rules(new_days int DEFAULT 90, dead_days int DEFAULT 30, dormant_days int DEFAULT 30, churn_days int DEFAULT 90, lost_days int DEFAULT 360, new_wins bool DEFAULT true, on_inconsistent text DEFAULT 'error') RETURNS _pg_operations_internal.lifecycle_rules LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_rules_int_int_int_int_int_bool_text';
COMMENT ON FUNCTION lifecycle_rules(int, int, int, int, int, bool, text) IS 'Lifecycle rules (validated) for lifecycle_stage_with (summary rows) and lifecycle_stage_agg (events): the day thresholds as in lifecycle_stage; new_wins true (default): a converted user registered at most new_days ago is new however long idle, false: new only while idle at most dormant_days (else the inactivity rules apply); on_inconsistent ''error'' (default: 22023 for activity or conversion before registration or an infinite registration) or ''null'' (such a user gets NULL, so one bad row does not abort a refresh; list them with lifecycle_issue). 22023 for negative or not strictly increasing days or another on_inconsistent.';
CREATE FUNCTION lifecycle_stage_with(registered_at timestamptz, first_conversion_at timestamptz, last_active_at timestamptz, as_of timestamptz, rules _pg_operations_internal.lifecycle_rules) RETURNS text LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_stage_with_timestamptz_timestamptz_timestamptz_timestamptz_lifecycle_rules';
COMMENT ON FUNCTION lifecycle_stage_with(timestamptz, timestamptz, timestamptz, timestamptz, _pg_operations_internal.lifecycle_rules) IS 'Lifecycle stage of a user summary row under lifecycle_rules(...): the rules of the 9-argument lifecycle_stage with the rules'' days, new_wins and on_inconsistent (''null'': inconsistent data gives NULL instead of 22023). NULL registered_at, as_of or rules -> NULL.';
CREATE FUNCTION lifecycle_issue(registered_at timestamptz, first_conversion_at timestamptz, last_active_at timestamptz) RETURNS text LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_issue_timestamptz_timestamptz_timestamptz';
COMMENT ON FUNCTION lifecycle_issue(timestamptz, timestamptz, timestamptz) IS 'Why lifecycle_stage would reject a user summary row: the message of its 22023 error (an infinite registered_at, first_conversion_at or last_active_at before registered_at), or NULL for a consistent row (and for a NULL registered_at). SELECT ... WHERE lifecycle_issue(...) IS NOT NULL lists the offending rows.';
CREATE FUNCTION _pg_operations_internal.lifecycle_stage_agg_final(internal) RETURNS text LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_stage_agg_final';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_agg_final(internal) IS 'Internal: final function of the aggregate lifecycle_stage_agg (state Events).';
CREATE FUNCTION _pg_operations_internal.lifecycle_stage_agg_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_stage_agg_combine';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_agg_combine(internal, internal) IS 'Internal: combine function of the aggregate lifecycle_stage_agg (state Events).';
CREATE FUNCTION _pg_operations_internal.lifecycle_stage_agg_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_stage_agg_serial';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_agg_serial(internal) IS 'Internal: serial function of the aggregate lifecycle_stage_agg (state Events).';
CREATE FUNCTION _pg_operations_internal.lifecycle_stage_agg_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_stage_agg_deserial';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_agg_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate lifecycle_stage_agg (state Events).';
CREATE FUNCTION _pg_operations_internal.lifecycle_stage_agg_transition(internal, timestamptz, bool, timestamptz, timestamptz, _pg_operations_internal.lifecycle_rules) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_stage_agg_transition_timestamptz_bool_timestamptz_timestamptz_lifecycle_rules';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_agg_transition(internal, timestamptz, bool, timestamptz, timestamptz, _pg_operations_internal.lifecycle_rules) IS 'Internal: transition function of the aggregate lifecycle_stage_agg(timestamptz, bool, timestamptz, timestamptz, _pg_operations_internal.lifecycle_rules).';
CREATE AGGREGATE lifecycle_stage_agg(ts timestamptz, converted bool, as_of timestamptz, registered_at timestamptz, rules _pg_operations_internal.lifecycle_rules) (
    SFUNC = _pg_operations_internal.lifecycle_stage_agg_transition,
    STYPE = internal,
    SSPACE = 128,
    FINALFUNC = _pg_operations_internal.lifecycle_stage_agg_final,
    COMBINEFUNC = _pg_operations_internal.lifecycle_stage_agg_combine,
    SERIALFUNC = _pg_operations_internal.lifecycle_stage_agg_serial,
    DESERIALFUNC = _pg_operations_internal.lifecycle_stage_agg_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE lifecycle_stage_agg(timestamptz, bool, timestamptz, timestamptz, _pg_operations_internal.lifecycle_rules) IS 'Lifecycle stage of one user from the user''s events (GROUP BY user) under lifecycle_rules(...) (days, new_wins, on_inconsistent) with an explicit registration time, the same on every row of a group: registered after as_of -> NULL; an event before registered_at is inconsistent data (22023, or NULL with on_inconsistent ''null''); rows with a NULL ts count for the registration only, so users LEFT JOIN events classifies users without events too. A NULL registered_at means the first event is the registration (as in the lifecycle_stage aggregate). Pass only the events that count as activity, e.g. FILTER (WHERE event <> ''redeem''). Otherwise the rules of the lifecycle_stage aggregate, reactivated included.';

-- from src/retention.rs
CREATE TYPE _pg_operations_internal.activity_day AS (day date, dau bigint, wau bigint, mau bigint, stickiness float8);
COMMENT ON TYPE _pg_operations_internal.activity_day IS 'One day of activity_series: daily active users, users active in the 7 and in the 30 days ending that day, and stickiness = dau / mau.';

-- from src/retention.rs
CREATE FUNCTION retention_definition(as_of timestamptz, period text DEFAULT 'week', periods int DEFAULT 8, entry text DEFAULT 'first', counting text DEFAULT 'on', time_zone text DEFAULT 'UTC', rolling_days int DEFAULT 7) RETURNS _pg_operations_internal.retention_definition LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_definition_timestamptz_text_int_text_text_text_int';
COMMENT ON FUNCTION retention_definition(timestamptz, text, int, text, text, text, int) IS 'A retention matrix definition (validated): as_of (events after it are ignored; a cell whose period is not over by then is marked incomplete), period ''day'', ''week'' (ISO, Monday to Sunday), ''month'' (calendar periods in time_zone, an IANA name, default ''UTC'') or ''rolling'' (rolling_days x 24 h from each user''s cohort event), periods after the cohort period (1..400), entry ''first'' (a user''s first cohort event) or ''recurring'' (every period with a cohort event), counting ''on'' (returned in period N) or ''on_or_after'' (in period N or later). 22023 for anything else.';
CREATE FUNCTION _pg_operations_internal.retention_final(internal) RETURNS int[] LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_final';
COMMENT ON FUNCTION _pg_operations_internal.retention_final(internal) IS 'Internal: final function of the aggregate retention (state Flags).';
CREATE FUNCTION _pg_operations_internal.retention_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_combine';
COMMENT ON FUNCTION _pg_operations_internal.retention_combine(internal, internal) IS 'Internal: combine function of the aggregate retention (state Flags).';
CREATE FUNCTION _pg_operations_internal.retention_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_serial';
COMMENT ON FUNCTION _pg_operations_internal.retention_serial(internal) IS 'Internal: serial function of the aggregate retention (state Flags).';
CREATE FUNCTION _pg_operations_internal.retention_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_deserial';
COMMENT ON FUNCTION _pg_operations_internal.retention_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate retention (state Flags).';
CREATE FUNCTION _pg_operations_internal.retention_transition(internal, bool[]) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_transition_bool_arr';
COMMENT ON FUNCTION _pg_operations_internal.retention_transition(internal, bool[]) IS 'Internal: transition function of the aggregate retention(bool[]).';
CREATE AGGREGATE retention(conds bool[]) (
    SFUNC = _pg_operations_internal.retention_transition,
    STYPE = internal,
    SSPACE = 32,
    FINALFUNC = _pg_operations_internal.retention_final,
    COMBINEFUNC = _pg_operations_internal.retention_combine,
    SERIALFUNC = _pg_operations_internal.retention_serial,
    DESERIALFUNC = _pg_operations_internal.retention_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention(bool[]) IS 'ClickHouse retention over one user''s rows: r[1] = 1 if conds[1] held on some row, r[k] = 1 if conds[1] and conds[k] each held on some row (any order), else 0. NULL elements count as false; rows with a NULL conds are skipped (NULL when none is left). 1 to 32 conditions, the same number on every row (22023 otherwise).';
CREATE FUNCTION _pg_operations_internal.activity_series_byid_final(internal) RETURNS _pg_operations_internal.activity_day[] LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_activity_series_byid_final';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_byid_final(internal) IS 'Internal: final function of the aggregate activity_series (state ById).';
CREATE FUNCTION _pg_operations_internal.activity_series_byid_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_activity_series_byid_combine';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_byid_combine(internal, internal) IS 'Internal: combine function of the aggregate activity_series (state ById).';
CREATE FUNCTION _pg_operations_internal.activity_series_byid_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_activity_series_byid_serial';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_byid_serial(internal) IS 'Internal: serial function of the aggregate activity_series (state ById).';
CREATE FUNCTION _pg_operations_internal.activity_series_byid_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_activity_series_byid_deserial';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_byid_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate activity_series (state ById).';
CREATE FUNCTION _pg_operations_internal.activity_series_bytext_final(internal) RETURNS _pg_operations_internal.activity_day[] LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_activity_series_bytext_final';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_bytext_final(internal) IS 'Internal: final function of the aggregate activity_series (state ByText).';
CREATE FUNCTION _pg_operations_internal.activity_series_bytext_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_activity_series_bytext_combine';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_bytext_combine(internal, internal) IS 'Internal: combine function of the aggregate activity_series (state ByText).';
CREATE FUNCTION _pg_operations_internal.activity_series_bytext_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_activity_series_bytext_serial';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_bytext_serial(internal) IS 'Internal: serial function of the aggregate activity_series (state ByText).';
CREATE FUNCTION _pg_operations_internal.activity_series_bytext_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_activity_series_bytext_deserial';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_bytext_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate activity_series (state ByText).';
CREATE FUNCTION _pg_operations_internal.activity_series_transition(internal, bigint, timestamptz, date, date) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_activity_series_transition_bigint_timestamptz_date_date';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_transition(internal, bigint, timestamptz, date, date) IS 'Internal: transition function of the aggregate activity_series(bigint, timestamptz, date, date).';
CREATE AGGREGATE activity_series(user_id bigint, ts timestamptz, first_day date, last_day date) (
    SFUNC = _pg_operations_internal.activity_series_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.activity_series_byid_final,
    COMBINEFUNC = _pg_operations_internal.activity_series_byid_combine,
    SERIALFUNC = _pg_operations_internal.activity_series_byid_serial,
    DESERIALFUNC = _pg_operations_internal.activity_series_byid_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_series(bigint, timestamptz, date, date) IS 'DAU, WAU and MAU per day from raw events: for every local day from first_day to last_day, the distinct users active that day (dau), in the 7 days ending that day (wau) and in the 30 days ending that day (mau), and stickiness dau / mau. Days are UTC days, or local days in time_zone. Rows with a NULL user_id or ts are skipped. At most 36600 days. See docs/retention.md.';
CREATE FUNCTION _pg_operations_internal.activity_series_transition(internal, text, timestamptz, date, date) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_activity_series_transition_text_timestamptz_date_date';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_transition(internal, text, timestamptz, date, date) IS 'Internal: transition function of the aggregate activity_series(text, timestamptz, date, date).';
CREATE AGGREGATE activity_series(user_id text, ts timestamptz, first_day date, last_day date) (
    SFUNC = _pg_operations_internal.activity_series_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.activity_series_bytext_final,
    COMBINEFUNC = _pg_operations_internal.activity_series_bytext_combine,
    SERIALFUNC = _pg_operations_internal.activity_series_bytext_serial,
    DESERIALFUNC = _pg_operations_internal.activity_series_bytext_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_series(text, timestamptz, date, date) IS 'DAU, WAU and MAU per day from raw events: for every local day from first_day to last_day, the distinct users active that day (dau), in the 7 days ending that day (wau) and in the 30 days ending that day (mau), and stickiness dau / mau. Days are UTC days, or local days in time_zone. Rows with a NULL user_id or ts are skipped. At most 36600 days. See docs/retention.md.';
CREATE FUNCTION _pg_operations_internal.activity_series_transition(internal, bigint, timestamptz, date, date, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_activity_series_transition_bigint_timestamptz_date_date_text';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_transition(internal, bigint, timestamptz, date, date, text) IS 'Internal: transition function of the aggregate activity_series(bigint, timestamptz, date, date, text).';
CREATE AGGREGATE activity_series(user_id bigint, ts timestamptz, first_day date, last_day date, time_zone text) (
    SFUNC = _pg_operations_internal.activity_series_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.activity_series_byid_final,
    COMBINEFUNC = _pg_operations_internal.activity_series_byid_combine,
    SERIALFUNC = _pg_operations_internal.activity_series_byid_serial,
    DESERIALFUNC = _pg_operations_internal.activity_series_byid_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_series(bigint, timestamptz, date, date, text) IS 'DAU, WAU and MAU per day from raw events: for every local day from first_day to last_day, the distinct users active that day (dau), in the 7 days ending that day (wau) and in the 30 days ending that day (mau), and stickiness dau / mau. Days are UTC days, or local days in time_zone. Rows with a NULL user_id or ts are skipped. At most 36600 days. See docs/retention.md.';
CREATE FUNCTION _pg_operations_internal.activity_series_transition(internal, text, timestamptz, date, date, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_activity_series_transition_text_timestamptz_date_date_text';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_transition(internal, text, timestamptz, date, date, text) IS 'Internal: transition function of the aggregate activity_series(text, timestamptz, date, date, text).';
CREATE AGGREGATE activity_series(user_id text, ts timestamptz, first_day date, last_day date, time_zone text) (
    SFUNC = _pg_operations_internal.activity_series_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.activity_series_bytext_final,
    COMBINEFUNC = _pg_operations_internal.activity_series_bytext_combine,
    SERIALFUNC = _pg_operations_internal.activity_series_bytext_serial,
    DESERIALFUNC = _pg_operations_internal.activity_series_bytext_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_series(text, timestamptz, date, date, text) IS 'DAU, WAU and MAU per day from raw events: for every local day from first_day to last_day, the distinct users active that day (dau), in the 7 days ending that day (wau) and in the 30 days ending that day (mau), and stickiness dau / mau. Days are UTC days, or local days in time_zone. Rows with a NULL user_id or ts are skipped. At most 36600 days. See docs/retention.md.';
CREATE FUNCTION _pg_operations_internal.lifecycle_counts_byid_final(internal) RETURNS _pg_operations_internal.lifecycle_count[] LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_counts_byid_final';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_byid_final(internal) IS 'Internal: final function of the aggregate lifecycle_counts (state ById).';
CREATE FUNCTION _pg_operations_internal.lifecycle_counts_byid_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_counts_byid_combine';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_byid_combine(internal, internal) IS 'Internal: combine function of the aggregate lifecycle_counts (state ById).';
CREATE FUNCTION _pg_operations_internal.lifecycle_counts_byid_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_counts_byid_serial';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_byid_serial(internal) IS 'Internal: serial function of the aggregate lifecycle_counts (state ById).';
CREATE FUNCTION _pg_operations_internal.lifecycle_counts_byid_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_counts_byid_deserial';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_byid_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate lifecycle_counts (state ById).';
CREATE FUNCTION _pg_operations_internal.lifecycle_counts_bytext_final(internal) RETURNS _pg_operations_internal.lifecycle_count[] LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_counts_bytext_final';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_bytext_final(internal) IS 'Internal: final function of the aggregate lifecycle_counts (state ByText).';
CREATE FUNCTION _pg_operations_internal.lifecycle_counts_bytext_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_counts_bytext_combine';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_bytext_combine(internal, internal) IS 'Internal: combine function of the aggregate lifecycle_counts (state ByText).';
CREATE FUNCTION _pg_operations_internal.lifecycle_counts_bytext_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_counts_bytext_serial';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_bytext_serial(internal) IS 'Internal: serial function of the aggregate lifecycle_counts (state ByText).';
CREATE FUNCTION _pg_operations_internal.lifecycle_counts_bytext_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_counts_bytext_deserial';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_bytext_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate lifecycle_counts (state ByText).';
CREATE FUNCTION _pg_operations_internal.lifecycle_counts_transition(internal, bigint, timestamptz, text, date, date) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_counts_transition_bigint_timestamptz_text_date_date';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_transition(internal, bigint, timestamptz, text, date, date) IS 'Internal: transition function of the aggregate lifecycle_counts(bigint, timestamptz, text, date, date).';
CREATE AGGREGATE lifecycle_counts(user_id bigint, ts timestamptz, period text, first_day date, last_day date) (
    SFUNC = _pg_operations_internal.lifecycle_counts_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.lifecycle_counts_byid_final,
    COMBINEFUNC = _pg_operations_internal.lifecycle_counts_byid_combine,
    SERIALFUNC = _pg_operations_internal.lifecycle_counts_byid_serial,
    DESERIALFUNC = _pg_operations_internal.lifecycle_counts_byid_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE lifecycle_counts(bigint, timestamptz, text, date, date) IS 'Lifecycle counts per period (PostHog''s lifecycle): for each day, week (ISO) or month whose start lies between first_day and last_day, the users active in it that are new (first activity ever), returning (also active the period before) or resurrecting (active before, not the period before), and the dormant users (active the period before, not this one) as a negative count, so that last period''s active users = returning + (- dormant). Events before first_day count as history. UTC periods, or local in time_zone. See docs/retention.md.';
CREATE FUNCTION _pg_operations_internal.lifecycle_counts_transition(internal, text, timestamptz, text, date, date) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_counts_transition_text_timestamptz_text_date_date';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_transition(internal, text, timestamptz, text, date, date) IS 'Internal: transition function of the aggregate lifecycle_counts(text, timestamptz, text, date, date).';
CREATE AGGREGATE lifecycle_counts(user_id text, ts timestamptz, period text, first_day date, last_day date) (
    SFUNC = _pg_operations_internal.lifecycle_counts_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.lifecycle_counts_bytext_final,
    COMBINEFUNC = _pg_operations_internal.lifecycle_counts_bytext_combine,
    SERIALFUNC = _pg_operations_internal.lifecycle_counts_bytext_serial,
    DESERIALFUNC = _pg_operations_internal.lifecycle_counts_bytext_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE lifecycle_counts(text, timestamptz, text, date, date) IS 'Lifecycle counts per period (PostHog''s lifecycle): for each day, week (ISO) or month whose start lies between first_day and last_day, the users active in it that are new (first activity ever), returning (also active the period before) or resurrecting (active before, not the period before), and the dormant users (active the period before, not this one) as a negative count, so that last period''s active users = returning + (- dormant). Events before first_day count as history. UTC periods, or local in time_zone. See docs/retention.md.';
CREATE FUNCTION _pg_operations_internal.lifecycle_counts_transition(internal, bigint, timestamptz, text, date, date, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_counts_transition_bigint_timestamptz_text_date_date_text';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_transition(internal, bigint, timestamptz, text, date, date, text) IS 'Internal: transition function of the aggregate lifecycle_counts(bigint, timestamptz, text, date, date, text).';
CREATE AGGREGATE lifecycle_counts(user_id bigint, ts timestamptz, period text, first_day date, last_day date, time_zone text) (
    SFUNC = _pg_operations_internal.lifecycle_counts_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.lifecycle_counts_byid_final,
    COMBINEFUNC = _pg_operations_internal.lifecycle_counts_byid_combine,
    SERIALFUNC = _pg_operations_internal.lifecycle_counts_byid_serial,
    DESERIALFUNC = _pg_operations_internal.lifecycle_counts_byid_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE lifecycle_counts(bigint, timestamptz, text, date, date, text) IS 'Lifecycle counts per period (PostHog''s lifecycle): for each day, week (ISO) or month whose start lies between first_day and last_day, the users active in it that are new (first activity ever), returning (also active the period before) or resurrecting (active before, not the period before), and the dormant users (active the period before, not this one) as a negative count, so that last period''s active users = returning + (- dormant). Events before first_day count as history. UTC periods, or local in time_zone. See docs/retention.md.';
CREATE FUNCTION _pg_operations_internal.lifecycle_counts_transition(internal, text, timestamptz, text, date, date, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_lifecycle_counts_transition_text_timestamptz_text_date_date_text';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_transition(internal, text, timestamptz, text, date, date, text) IS 'Internal: transition function of the aggregate lifecycle_counts(text, timestamptz, text, date, date, text).';
CREATE AGGREGATE lifecycle_counts(user_id text, ts timestamptz, period text, first_day date, last_day date, time_zone text) (
    SFUNC = _pg_operations_internal.lifecycle_counts_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.lifecycle_counts_bytext_final,
    COMBINEFUNC = _pg_operations_internal.lifecycle_counts_bytext_combine,
    SERIALFUNC = _pg_operations_internal.lifecycle_counts_bytext_serial,
    DESERIALFUNC = _pg_operations_internal.lifecycle_counts_bytext_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE lifecycle_counts(text, timestamptz, text, date, date, text) IS 'Lifecycle counts per period (PostHog''s lifecycle): for each day, week (ISO) or month whose start lies between first_day and last_day, the users active in it that are new (first activity ever), returning (also active the period before) or resurrecting (active before, not the period before), and the dormant users (active the period before, not this one) as a negative count, so that last period''s active users = returning + (- dormant). Events before first_day count as history. UTC periods, or local in time_zone. See docs/retention.md.';
CREATE FUNCTION _pg_operations_internal.retention_matrix_byid_final(internal) RETURNS _pg_operations_internal.retention_cell[] LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_byid_final';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byid_final(internal) IS 'Internal: final function of the aggregate retention_matrix (state ById).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_byid_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_byid_combine';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byid_combine(internal, internal) IS 'Internal: combine function of the aggregate retention_matrix (state ById).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_byid_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_byid_serial';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byid_serial(internal) IS 'Internal: serial function of the aggregate retention_matrix (state ById).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_byid_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_byid_deserial';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byid_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate retention_matrix (state ById).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_bytext_final(internal) RETURNS _pg_operations_internal.retention_cell[] LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_bytext_final';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytext_final(internal) IS 'Internal: final function of the aggregate retention_matrix (state ByText).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_bytext_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_bytext_combine';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytext_combine(internal, internal) IS 'Internal: combine function of the aggregate retention_matrix (state ByText).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_bytext_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_bytext_serial';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytext_serial(internal) IS 'Internal: serial function of the aggregate retention_matrix (state ByText).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_bytext_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_bytext_deserial';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytext_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate retention_matrix (state ByText).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_byidevents_final(internal) RETURNS _pg_operations_internal.retention_cell[] LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_byidevents_final';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byidevents_final(internal) IS 'Internal: final function of the aggregate retention_matrix (state ByIdEvents).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_byidevents_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_byidevents_combine';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byidevents_combine(internal, internal) IS 'Internal: combine function of the aggregate retention_matrix (state ByIdEvents).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_byidevents_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_byidevents_serial';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byidevents_serial(internal) IS 'Internal: serial function of the aggregate retention_matrix (state ByIdEvents).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_byidevents_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_byidevents_deserial';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byidevents_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate retention_matrix (state ByIdEvents).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_bytextevents_final(internal) RETURNS _pg_operations_internal.retention_cell[] LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_bytextevents_final';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytextevents_final(internal) IS 'Internal: final function of the aggregate retention_matrix (state ByTextEvents).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_bytextevents_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_bytextevents_combine';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytextevents_combine(internal, internal) IS 'Internal: combine function of the aggregate retention_matrix (state ByTextEvents).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_bytextevents_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_bytextevents_serial';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytextevents_serial(internal) IS 'Internal: serial function of the aggregate retention_matrix (state ByTextEvents).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_bytextevents_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_bytextevents_deserial';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytextevents_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate retention_matrix (state ByTextEvents).';
CREATE FUNCTION _pg_operations_internal.retention_matrix_transition(internal, bigint, timestamptz, bool, bool, _pg_operations_internal.retention_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_transition_bigint_timestamptz_bool_bool_retention_definition';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_transition(internal, bigint, timestamptz, bool, bool, _pg_operations_internal.retention_definition) IS 'Internal: transition function of the aggregate retention_matrix(bigint, timestamptz, bool, bool, _pg_operations_internal.retention_definition).';
CREATE AGGREGATE retention_matrix(user_id bigint, ts timestamptz, cohort bool, returned bool, definition _pg_operations_internal.retention_definition) (
    SFUNC = _pg_operations_internal.retention_matrix_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.retention_matrix_byid_final,
    COMBINEFUNC = _pg_operations_internal.retention_matrix_byid_combine,
    SERIALFUNC = _pg_operations_internal.retention_matrix_byid_serial,
    DESERIALFUNC = _pg_operations_internal.retention_matrix_byid_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_matrix(bigint, timestamptz, bool, bool, _pg_operations_internal.retention_definition) IS 'One-shot cohort retention matrix over raw events: one retention_cell per (cohort, period 0..periods) with cohort size, retained users, rate, 95 % Wilson interval and a complete flag, as shaped by definition (retention_definition(...)). A row counts as a cohort event when cohort is true and as a return event when returned is true; rows that are neither, or lack user_id or ts, are skipped. See docs/retention.md.';
CREATE FUNCTION _pg_operations_internal.retention_matrix_transition(internal, text, timestamptz, bool, bool, _pg_operations_internal.retention_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_transition_text_timestamptz_bool_bool_retention_definition';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_transition(internal, text, timestamptz, bool, bool, _pg_operations_internal.retention_definition) IS 'Internal: transition function of the aggregate retention_matrix(text, timestamptz, bool, bool, _pg_operations_internal.retention_definition).';
CREATE AGGREGATE retention_matrix(user_id text, ts timestamptz, cohort bool, returned bool, definition _pg_operations_internal.retention_definition) (
    SFUNC = _pg_operations_internal.retention_matrix_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.retention_matrix_bytext_final,
    COMBINEFUNC = _pg_operations_internal.retention_matrix_bytext_combine,
    SERIALFUNC = _pg_operations_internal.retention_matrix_bytext_serial,
    DESERIALFUNC = _pg_operations_internal.retention_matrix_bytext_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_matrix(text, timestamptz, bool, bool, _pg_operations_internal.retention_definition) IS 'One-shot cohort retention matrix over raw events: one retention_cell per (cohort, period 0..periods) with cohort size, retained users, rate, 95 % Wilson interval and a complete flag, as shaped by definition (retention_definition(...)). A row counts as a cohort event when cohort is true and as a return event when returned is true; rows that are neither, or lack user_id or ts, are skipped. See docs/retention.md.';
CREATE FUNCTION _pg_operations_internal.retention_matrix_transition(internal, bigint, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_transition_bigint_timestamptz_text_text_arr_text_arr_retention_definition';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_transition(internal, bigint, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition) IS 'Internal: transition function of the aggregate retention_matrix(bigint, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition).';
CREATE AGGREGATE retention_matrix(user_id bigint, ts timestamptz, event text, cohort_events text[], return_events text[], definition _pg_operations_internal.retention_definition) (
    SFUNC = _pg_operations_internal.retention_matrix_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.retention_matrix_byidevents_final,
    COMBINEFUNC = _pg_operations_internal.retention_matrix_byidevents_combine,
    SERIALFUNC = _pg_operations_internal.retention_matrix_byidevents_serial,
    DESERIALFUNC = _pg_operations_internal.retention_matrix_byidevents_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_matrix(bigint, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition) IS 'Cohort retention matrix over raw events by event name: a row is a cohort event when event is one of cohort_events and a return event when it is one of return_events (compared byte for byte, no expression evaluated per row: the fastest form); otherwise as retention_matrix(user_id, ts, cohort, returned, definition). Rows with a NULL user_id, ts or event are skipped. See docs/retention.md.';
CREATE FUNCTION _pg_operations_internal.retention_matrix_transition(internal, text, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_retention_matrix_transition_text_timestamptz_text_text_arr_text_arr_retention_definition';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_transition(internal, text, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition) IS 'Internal: transition function of the aggregate retention_matrix(text, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition).';
CREATE AGGREGATE retention_matrix(user_id text, ts timestamptz, event text, cohort_events text[], return_events text[], definition _pg_operations_internal.retention_definition) (
    SFUNC = _pg_operations_internal.retention_matrix_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.retention_matrix_bytextevents_final,
    COMBINEFUNC = _pg_operations_internal.retention_matrix_bytextevents_combine,
    SERIALFUNC = _pg_operations_internal.retention_matrix_bytextevents_serial,
    DESERIALFUNC = _pg_operations_internal.retention_matrix_bytextevents_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_matrix(text, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition) IS 'Cohort retention matrix over raw events by event name: a row is a cohort event when event is one of cohort_events and a return event when it is one of return_events (compared byte for byte, no expression evaluated per row: the fastest form); otherwise as retention_matrix(user_id, ts, cohort, returned, definition). Rows with a NULL user_id, ts or event are skipped. See docs/retention.md.';

-- from src/channel.rs
CREATE FUNCTION channel_quadrant(traffic bigint, conversions bigint, traffic_cut float8, rate_cut float8, lang text, min_traffic bigint DEFAULT 30, confidence float8 DEFAULT 0.95) RETURNS _pg_operations_internal.channel_quadrant LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_channel_quadrant_bigint_bigint_float8_float8_text_bigint_float8';
COMMENT ON FUNCTION channel_quadrant(bigint, bigint, float8, float8, text, bigint, float8) IS 'channel_quadrant with labels and strategies in lang ''en'' or ''zh'' (star 明星渠道, potential 潜力渠道, weak 低效渠道, leaky 漏斗渠道, insufficient_data 数据不足). Same rules otherwise; 22023 for an unknown lang.';

-- from src/rfm.rs
CREATE FUNCTION rfm_segment(r int, f int, m int, bins int, scheme text DEFAULT 'value8', lang text DEFAULT 'en') RETURNS text LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_rfm_segment_int_int_int_int_text_text';
COMMENT ON FUNCTION rfm_segment(int, int, int, int, text, text) IS 'Named RFM segment of scores 1..bins: scheme ''value8'' (a dimension is high when its score is above the middle, score * 2 > bins + 1: for 2 bins (rfm_means) score 2 = above the mean, for 5 bins score > 3) or ''classic'' (bins must be 5); lang ''en'' or ''zh''. 22023 for bins outside 2..100, a score outside 1..bins, or an unknown scheme or lang.';
CREATE FUNCTION _pg_operations_internal.rfm_agg_transition(internal, timestamptz, numeric, timestamptz, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_rfm_agg_transition_timestamptz_numeric_timestamptz_text';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_transition(internal, timestamptz, numeric, timestamptz, text) IS 'Internal: transition function of the aggregate rfm_agg(timestamptz, numeric, timestamptz, text).';
CREATE AGGREGATE rfm_agg(ts timestamptz, amount numeric, as_of timestamptz, count_by text) (
    SFUNC = _pg_operations_internal.rfm_agg_transition,
    STYPE = internal,
    SSPACE = 160,
    FINALFUNC = _pg_operations_internal.rfm_agg_final,
    COMBINEFUNC = _pg_operations_internal.rfm_agg_combine,
    SERIALFUNC = _pg_operations_internal.rfm_agg_serial,
    DESERIALFUNC = _pg_operations_internal.rfm_agg_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rfm_agg(timestamptz, numeric, timestamptz, text) IS 'Per-user RFM values with count_by ''rows'' (frequency = transactions, as the 3-argument form) or ''days'' (frequency = distinct UTC calendar days with a transaction). Same as the 3-argument aggregate otherwise; count_by must be the same on every row (22023).';
CREATE FUNCTION _pg_operations_internal.rfm_agg_transition(internal, timestamptz, numeric, timestamptz, text, text) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_rfm_agg_transition_timestamptz_numeric_timestamptz_text_text';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_transition(internal, timestamptz, numeric, timestamptz, text, text) IS 'Internal: transition function of the aggregate rfm_agg(timestamptz, numeric, timestamptz, text, text).';
CREATE AGGREGATE rfm_agg(ts timestamptz, amount numeric, as_of timestamptz, count_by text, time_zone text) (
    SFUNC = _pg_operations_internal.rfm_agg_transition,
    STYPE = internal,
    SSPACE = 160,
    FINALFUNC = _pg_operations_internal.rfm_agg_final,
    COMBINEFUNC = _pg_operations_internal.rfm_agg_combine,
    SERIALFUNC = _pg_operations_internal.rfm_agg_serial,
    DESERIALFUNC = _pg_operations_internal.rfm_agg_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rfm_agg(timestamptz, numeric, timestamptz, text, text) IS 'Per-user RFM values with count_by ''days'' counting distinct calendar days in time_zone (an IANA name), or ''rows''. 22023 for an unknown count_by or time zone, or either varying within a group.';
CREATE FUNCTION _pg_operations_internal.rfm_means_final(internal) RETURNS _pg_operations_internal.rfm_breaks LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_rfm_means_final';
COMMENT ON FUNCTION _pg_operations_internal.rfm_means_final(internal) IS 'Internal: final function of the aggregate rfm_means (state Means).';
CREATE FUNCTION _pg_operations_internal.rfm_means_combine(internal, internal) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_rfm_means_combine';
COMMENT ON FUNCTION _pg_operations_internal.rfm_means_combine(internal, internal) IS 'Internal: combine function of the aggregate rfm_means (state Means).';
CREATE FUNCTION _pg_operations_internal.rfm_means_serial(internal) RETURNS bytea LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_rfm_means_serial';
COMMENT ON FUNCTION _pg_operations_internal.rfm_means_serial(internal) IS 'Internal: serial function of the aggregate rfm_means (state Means).';
CREATE FUNCTION _pg_operations_internal.rfm_means_deserial(bytea, internal) RETURNS internal LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_rfm_means_deserial';
COMMENT ON FUNCTION _pg_operations_internal.rfm_means_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate rfm_means (state Means).';
CREATE FUNCTION _pg_operations_internal.rfm_means_transition(internal, float8, float8, float8) RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pgops_rfm_means_transition_float8_float8_float8';
COMMENT ON FUNCTION _pg_operations_internal.rfm_means_transition(internal, float8, float8, float8) IS 'Internal: transition function of the aggregate rfm_means(float8, float8, float8).';
CREATE AGGREGATE rfm_means(recency_days float8, frequency float8, monetary float8) (
    SFUNC = _pg_operations_internal.rfm_means_transition,
    STYPE = internal,
    FINALFUNC = _pg_operations_internal.rfm_means_final,
    COMBINEFUNC = _pg_operations_internal.rfm_means_combine,
    SERIALFUNC = _pg_operations_internal.rfm_means_serial,
    DESERIALFUNC = _pg_operations_internal.rfm_means_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rfm_means(float8, float8, float8) IS 'Population means instead of quantiles (high = above the mean, a common practice): an rfm_breaks value with bins = 2 and each metric''s exact mean as its one break (empty when the metric had no values; NULL when no metric had any). With it rfm_cell scores 1/2 per metric (frequency and monetary high when strictly above the mean, recency high when strictly below the mean days) and its segment is the value8 class.';

-- every description
COMMENT ON SCHEMA _pg_operations_internal IS
  'Support functions and result types of pg_operations: not for direct use; may change between versions.';
COMMENT ON TYPE _pg_operations_internal.rfm_breaks IS 'Population RFM breaks from the rfm_breaks aggregate: per metric, percentile_cont(k / bins) for k = 1 .. bins-1 (empty when the metric had no values).';
COMMENT ON TYPE _pg_operations_internal.intent_definition IS 'What intent_score(event, ts, definition) scores, built by intent_definition(...): the weights, as_of, look-back window, half-life, and the reset rule (events that end the decision period and what the events before them count).';
COMMENT ON TYPE _pg_operations_internal.old_user_cell IS 'One cell of the old-user matrix: code like ''B4'' (inactivity grade, value score), the grade and score, its users, their share of all users in the matrix, and the exact sum of their values (0 when none).';
COMMENT ON TYPE _pg_operations_internal.intent_breaks IS 'Population intent tiers from intent_breaks: the shares asked for, the thresholds among active users (score > 0), and how many users each tier really holds (none = score <= 0).';
COMMENT ON TYPE _pg_operations_internal.holding IS 'A user''s investment state from holding_agg: total invested and redeemed (exact sums), current holding greatest(invested - redeemed, 0), the number of investment and redemption events, the first and last investment and the last redemption time, and whether everything invested has been redeemed.';
COMMENT ON TYPE _pg_operations_internal.channel_prior IS 'A Beta(alpha, beta) prior on channel conversion rates: mean alpha/(alpha+beta) is the pooled rate, alpha+beta its weight in visits.';
COMMENT ON TYPE _pg_operations_internal.funnel_step IS 'One step of a population funnel: users whose deepest step is at least step, rate from the previous step (step 1: from the whole population) with its 95 % Wilson interval, rate from step 1, and the median seconds from the previous step (one-shot form only).';
COMMENT ON TYPE _pg_operations_internal.retention_definition IS 'What shapes a retention matrix, built by retention_definition(...): as_of, period (day, week, month or rolling), number of periods, entry (first or recurring), counting (on or on_or_after), time zone and the days of a rolling period.';
COMMENT ON TYPE _pg_operations_internal.lifecycle_count IS 'One period of lifecycle_counts: users active in the period split into new (first activity ever), returning (also active the period before) and resurrecting (active before, not the period before), and dormant (active the period before, not this one) as a negative count.';
COMMENT ON FUNCTION pg_operations_version() IS 'Version of the pg_operations library that is loaded.';
COMMENT ON TYPE _pg_operations_internal.retention_cell IS 'One cell of a cohort retention matrix: the cohort''s first day (local date of its period start), period k, the cohort''s users, those retained in period k, the rate with its 95 % Wilson interval, and whether period k had wholly happened by as_of.';
COMMENT ON TYPE _pg_operations_internal.rfm_values IS 'Per-user RFM values from rfm_agg: whole days from the last transaction to as_of, number of transactions, sum of amounts, first and last transaction time.';
COMMENT ON FUNCTION _pg_operations_internal.generate_demo_events_raw(bigint, int, bigint) IS 'Internal: generate_demo_events with amounts in integer cents.';
COMMENT ON FUNCTION generate_demo_events(bigint, int, bigint) IS 'Deterministic demo data: users 1..users over days days from 2026-01-01 UTC (same seed, same rows). Events: register, view_list, view_detail, click_invest, click_submit, pay (amount), redeem (amount); channels app_store, search_ads, referral, social, partner differ in traffic and quality. About 20 events per user.';
COMMENT ON TYPE _pg_operations_internal.funnel_path IS 'A user''s reported funnel chain from funnel_path: the deepest step reached, the chain''s first event (anchor), the time of each step reached, and the property of the chosen step''s row.';
COMMENT ON TYPE _pg_operations_internal.funnel_report_step IS 'One step of funnel_report: users whose deepest step is at least step, rates with the 95 % Wilson interval, and the 25th/50th/75th/90th percentiles (percentile_cont) of the seconds from the previous step and from step 1 over the reported chains reaching the step.';
COMMENT ON TYPE _pg_operations_internal.wilson_ci IS 'A binomial proportion with its Wilson score interval.';
COMMENT ON FUNCTION wilson_interval(bigint, bigint, float8) IS 'Wilson score interval (rate, ci_low, ci_high) of successes/trials at the given two-sided confidence (default 0.95). NULL when trials = 0; 22023 for negative counts, successes > trials or confidence outside (0,1).';
COMMENT ON FUNCTION _pg_operations_internal.quantile_breaks_final(internal) IS 'Internal: final function of the aggregate quantile_breaks (state Values).';
COMMENT ON FUNCTION _pg_operations_internal.quantile_breaks_combine(internal, internal) IS 'Internal: combine function of the aggregate quantile_breaks (state Values).';
COMMENT ON FUNCTION _pg_operations_internal.quantile_breaks_serial(internal) IS 'Internal: serial function of the aggregate quantile_breaks (state Values).';
COMMENT ON FUNCTION _pg_operations_internal.quantile_breaks_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate quantile_breaks (state Values).';
COMMENT ON FUNCTION _pg_operations_internal.quantile_breaks_transition(internal, float8, float8[]) IS 'Internal: transition function of the aggregate quantile_breaks(float8, float8[]).';
COMMENT ON AGGREGATE quantile_breaks(float8, float8[]) IS 'Breaks at the given probabilities, exactly equal to percentile_cont(probs) WITHIN GROUP (ORDER BY value); parallel safe. NULL values are skipped; no rows gives NULL.';
COMMENT ON TYPE _pg_operations_internal.category_preference IS 'A user''s attention per product category from category_share: the top category and its share, the total (rows, or seconds of dwell time) and every category''s share as a jsonb object.';
COMMENT ON FUNCTION lifecycle_grade(timestamptz, timestamptz, int[]) IS 'Inactivity grade of a converted (old) user: ''A'' if as_of - last_active_at <= thresholds[1] days, ''B'' if <= thresholds[2] days, ..., and the letter after the last threshold otherwise (default ladder 7, 21, 90, 180, 360 days: A..F). NULL when last_active_at is after as_of. 22023 for infinite timestamps or thresholds that are empty, longer than 25, negative or not strictly increasing.';
COMMENT ON FUNCTION lifecycle_grades(int[]) IS 'The grades of an inactivity ladder (lifecycle_grade) with the days each covers and English and Chinese labels: a lookup table for BI legends.';
COMMENT ON FUNCTION value_score(float8, float8[]) IS 'Tie-aware value score 1 + #{breaks < value}, the rule of rfm_cell: with breaks = quantile_breaks(v, ARRAY[0.2, 0.4, 0.6, 0.8]) a score 1..5 where equal values always get the same score (unlike ntile, which splits ties by row order). Works on any value column (monetary, loan count, an RFM sum). 22023 for NULL, NaN or unsorted breaks.';
COMMENT ON FUNCTION onboarding_reminder(timestamptz, timestamptz, timestamptz, int[], int, text) IS 'The onboarding reminder due at as_of: n if as_of falls on calendar day n after the registration day (in time_zone) with n one of days, and the user has taken no action yet (first_action_at NULL or after as_of); else NULL (acted, not a reminder day, registered after as_of, or dead: no action after dead_days). For a daily job: WHERE onboarding_reminder(...) IS NOT NULL. NULL registered_at, as_of, days, dead_days or time_zone -> NULL. 22023 for days that are empty, below 1, not strictly increasing or not before dead_days, and for an unknown time zone.';
COMMENT ON FUNCTION _pg_operations_internal.old_user_matrix_final(internal) IS 'Internal: final function of the aggregate old_user_matrix (state Cells).';
COMMENT ON FUNCTION _pg_operations_internal.old_user_matrix_combine(internal, internal) IS 'Internal: combine function of the aggregate old_user_matrix (state Cells).';
COMMENT ON FUNCTION _pg_operations_internal.old_user_matrix_serial(internal) IS 'Internal: serial function of the aggregate old_user_matrix (state Cells).';
COMMENT ON FUNCTION _pg_operations_internal.old_user_matrix_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate old_user_matrix (state Cells).';
COMMENT ON FUNCTION _pg_operations_internal.old_user_matrix_transition(internal, text, int, float8) IS 'Internal: transition function of the aggregate old_user_matrix(text, int, float8).';
COMMENT ON AGGREGATE old_user_matrix(text, int, float8) IS 'The old-user matrix over a user summary (one row per converted user): per inactivity grade (lifecycle_grade) x value score (value_score) cell, its users, share of all users and the exact sum of value. Every cell of grades A..F x scores 1..5 is returned (30 cells, empty ones with 0 users), ordered by grade, then score from 5 down; higher grades or scores seen extend the grid. Rows with a NULL grade or score are skipped; a NULL value counts the user but adds nothing. NULL when no row is counted. 22023 for a grade that is not one letter A-Z, a score outside 1..100 or a non-finite value.';
COMMENT ON FUNCTION _pg_operations_internal.holding_agg_final(internal) IS 'Internal: final function of the aggregate holding_agg (state Holdings).';
COMMENT ON FUNCTION _pg_operations_internal.holding_agg_combine(internal, internal) IS 'Internal: combine function of the aggregate holding_agg (state Holdings).';
COMMENT ON FUNCTION _pg_operations_internal.holding_agg_serial(internal) IS 'Internal: serial function of the aggregate holding_agg (state Holdings).';
COMMENT ON FUNCTION _pg_operations_internal.holding_agg_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate holding_agg (state Holdings).';
COMMENT ON FUNCTION _pg_operations_internal.holding_agg_transition(internal, timestamptz, text, numeric, timestamptz, text, text) IS 'Internal: transition function of the aggregate holding_agg(timestamptz, text, numeric, timestamptz, text, text).';
COMMENT ON AGGREGATE holding_agg(timestamptz, text, numeric, timestamptz, text, text) IS 'A user''s investment state over invest and redeem events with amounts (GROUP BY user): rows whose event is invest_event add to invested, redeem_event to redeemed (exact numeric sums; other events are ignored, so pass the whole event stream); events after as_of are ignored. holding = greatest(invested - redeemed, 0) (redemptions may include returns); fully_redeemed = at least one investment and redeemed >= invested. A NULL amount counts the event but adds nothing; NULL ts rows are skipped. 22023 for a negative amount, a NULL or infinite as_of, equal event names, or as_of / names varying within a group.';
COMMENT ON FUNCTION _pg_operations_internal.category_share_final(internal) IS 'Internal: final function of the aggregate category_share (state Attention).';
COMMENT ON FUNCTION _pg_operations_internal.category_share_combine(internal, internal) IS 'Internal: combine function of the aggregate category_share (state Attention).';
COMMENT ON FUNCTION _pg_operations_internal.category_share_serial(internal) IS 'Internal: serial function of the aggregate category_share (state Attention).';
COMMENT ON FUNCTION _pg_operations_internal.category_share_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate category_share (state Attention).';
COMMENT ON FUNCTION _pg_operations_internal.category_share_transition(internal, timestamptz, text) IS 'Internal: transition function of the aggregate category_share(timestamptz, text).';
COMMENT ON AGGREGATE category_share(timestamptz, text) IS 'A user''s attention per product category by event count: each row with a non-NULL category counts 1 for it; shares = count / all counted rows, top category = the largest (ties: the smallest name). NULL ts rows are skipped; NULL when no row has a category.';
COMMENT ON FUNCTION _pg_operations_internal.category_share_transition(internal, timestamptz, text, interval) IS 'Internal: transition function of the aggregate category_share(timestamptz, text, interval).';
COMMENT ON AGGREGATE category_share(timestamptz, text, interval) IS 'A user''s attention per product category by dwell time: each row''s dwell is the time to the user''s next row (any row, categorized or not), capped at session_timeout, the last row 0; rows are ordered by (ts, category) so ties are deterministic. Shares are among the categorized rows'' dwell. NULL when no row has a category; top_category NULL when the total dwell is 0. 22023 for a session_timeout <= 0 or one varying within a group.';
COMMENT ON TYPE _pg_operations_internal.channel_quadrant IS 'A channel''s quadrant (1 star, 2 potential, 3 weak, 4 leaky; NULL when traffic < min_traffic), its label, conversion rate with Wilson interval, whether the interval excludes the rate cut, and the recommended strategy.';
COMMENT ON TYPE _pg_operations_internal.funnel_definition IS 'What a funnel measures, built by funnel_definition(...): the window from step 1, the steps (event names, for the event form), mode, step names, per-step windows, exclusions, the step count (conds form) and which step''s property funnel_path reports.';
COMMENT ON FUNCTION funnel_definition(interval, text[], text, text[], interval[], jsonb, int, text) IS 'A funnel definition (validated) for funnel_level, funnel_path and funnel_report: window (from step 1, inclusive, > 0), steps (event names of the steps; the event form), mode (default, strict_order, strict_deduplication, strict_increase, strict_once, allow_reentry, clickhouse, comma-separated), step_names (report names), step_windows (largest gap from step k to step k+1; NULL elements: none), exclusions (jsonb array of {"event" or "cond", "from_step", "to_step"}: a chain with such an event strictly between its from_step and to_step events cannot reach to_step), step_count (conds form: the number of conds elements that are steps) and property_step (''first'', ''last'' or a step number). 22023 for anything invalid. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_final(internal) IS 'Internal: final function of the aggregate funnel_level (state User).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_combine(internal, internal) IS 'Internal: combine function of the aggregate funnel_level (state User).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_serial(internal) IS 'Internal: serial function of the aggregate funnel_level (state User).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate funnel_level (state User).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_level(timestamptz, bool[], _pg_operations_internal.funnel_definition).';
COMMENT ON AGGREGATE funnel_level(timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'Per-user funnel under a funnel_definition: the deepest step (1..n) of any chain that satisfies every constraint of the definition (window, per-step windows, mode, exclusions), 0 when step 1 never occurred. conds (bool[]: the steps'' conditions, then any exclusion conditions) or event (matched against the definition''s steps and exclusion events). Rows with NULL ts or conds/event are skipped (NULL when none is left). See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition).';
COMMENT ON AGGREGATE funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition) IS 'Per-user funnel under a funnel_definition: the deepest step (1..n) of any chain that satisfies every constraint of the definition (window, per-step windows, mode, exclusions), 0 when step 1 never occurred. conds (bool[]: the steps'' conditions, then any exclusion conditions) or event (matched against the definition''s steps and exclusion events). Rows with NULL ts or conds/event are skipped (NULL when none is left). See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_level(timestamptz, bool[], _pg_operations_internal.funnel_definition, text).';
COMMENT ON AGGREGATE funnel_level(timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'Per-user funnel with a key held constant: every event of a chain carries the same non-NULL key (e.g. an application id); rows with a NULL key are skipped; the level is the deepest over keys. Otherwise as funnel_level(ts, conds, definition). See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition, text).';
COMMENT ON AGGREGATE funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'Per-user funnel by event name with a key held constant (see funnel_level(ts, conds, definition, key)). See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: transition function of the aggregate funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition, text[]).';
COMMENT ON AGGREGATE _pg_operations_internal.funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: funnel_level(ts, ARRAY[event = steps[1], ...], definition) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: transition function of the aggregate funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition, text[], text).';
COMMENT ON AGGREGATE _pg_operations_internal.funnel_level(timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: funnel_level(ts, ARRAY[event = steps[1], ...], definition, key) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_final(internal) IS 'Internal: final function of the aggregate funnel_path (state Path).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_combine(internal, internal) IS 'Internal: combine function of the aggregate funnel_path (state Path).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_serial(internal) IS 'Internal: serial function of the aggregate funnel_path (state Path).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate funnel_path (state Path).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, bool[], _pg_operations_internal.funnel_definition).';
COMMENT ON AGGREGATE funnel_path(timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'Per-user funnel with its reported chain: the deepest level, the anchor (step 1) and the time of each step reached of the reported chain (among deepest chains: latest anchor, then earliest last step, then the latest events before it), under a funnel_definition. NULL step times with the clickhouse flag. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition).';
COMMENT ON AGGREGATE funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition) IS 'Per-user funnel with its reported chain: the deepest level, the anchor (step 1) and the time of each step reached of the reported chain (among deepest chains: latest anchor, then earliest last step, then the latest events before it), under a funnel_definition. NULL step times with the clickhouse flag. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, bool[], _pg_operations_internal.funnel_definition, text).';
COMMENT ON AGGREGATE funnel_path(timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'funnel_path with a key held constant (NULL key: no key held; see funnel_level(..., key)). See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text).';
COMMENT ON AGGREGATE funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'funnel_path by event name with a key held constant (see funnel_level(..., key)). See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text, text) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, bool[], _pg_operations_internal.funnel_definition, text, text).';
COMMENT ON AGGREGATE funnel_path(timestamptz, bool[], _pg_operations_internal.funnel_definition, text, text) IS 'funnel_path that also reports property (e.g. platform, channel) of the row of the definition''s property_step (''first'' = step 1, first touch; ''last'' = the deepest step, last touch; or a step number; NULL when not reached). key NULL on every row: no key held. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text, text) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text, text).';
COMMENT ON AGGREGATE funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text, text) IS 'funnel_path by event name reporting a property of the chosen step''s row (see funnel_path(ts, conds, definition, key, property)). See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text[]).';
COMMENT ON AGGREGATE _pg_operations_internal.funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: funnel_path(ts, ARRAY[event = steps[1], ...], definition) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text[], text).';
COMMENT ON AGGREGATE _pg_operations_internal.funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: funnel_path(ts, ARRAY[event = steps[1], ...], definition, key) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text, text) IS 'Internal: transition function of the aggregate funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text[], text, text).';
COMMENT ON AGGREGATE _pg_operations_internal.funnel_path(timestamptz, text, _pg_operations_internal.funnel_definition, text[], text, text) IS 'Internal: funnel_path(ts, ARRAY[event = steps[1], ...], definition, key, property) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_byid_final(internal) IS 'Internal: final function of the aggregate funnel_report (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_byid_combine(internal, internal) IS 'Internal: combine function of the aggregate funnel_report (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_byid_serial(internal) IS 'Internal: serial function of the aggregate funnel_report (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_byid_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate funnel_report (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_bytext_final(internal) IS 'Internal: final function of the aggregate funnel_report (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_bytext_combine(internal, internal) IS 'Internal: combine function of the aggregate funnel_report (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_bytext_serial(internal) IS 'Internal: serial function of the aggregate funnel_report (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_bytext_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate funnel_report (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_report(bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition).';
COMMENT ON AGGREGATE funnel_report(bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_report(text, timestamptz, bool[], _pg_operations_internal.funnel_definition).';
COMMENT ON AGGREGATE funnel_report(text, timestamptz, bool[], _pg_operations_internal.funnel_definition) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, text, _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition).';
COMMENT ON AGGREGATE funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, text, _pg_operations_internal.funnel_definition) IS 'Internal: transition function of the aggregate funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition).';
COMMENT ON AGGREGATE funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_report(bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition, text).';
COMMENT ON AGGREGATE funnel_report(bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'funnel_report with a key held constant (every event of a chain carries the same non-NULL key). See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_report(text, timestamptz, bool[], _pg_operations_internal.funnel_definition, text).';
COMMENT ON AGGREGATE funnel_report(text, timestamptz, bool[], _pg_operations_internal.funnel_definition, text) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text).';
COMMENT ON AGGREGATE funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'Internal: transition function of the aggregate funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition, text).';
COMMENT ON AGGREGATE funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition, text) IS 'One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: transition function of the aggregate funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[]).';
COMMENT ON AGGREGATE _pg_operations_internal.funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: funnel_report(user_id, ts, ARRAY[event = steps[1], ...], definition) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: transition function of the aggregate funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text).';
COMMENT ON AGGREGATE _pg_operations_internal.funnel_report(bigint, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: funnel_report(user_id, ts, ARRAY[event = steps[1], ...], definition, key) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: transition function of the aggregate funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition, text[]).';
COMMENT ON AGGREGATE _pg_operations_internal.funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition, text[]) IS 'Internal: funnel_report(user_id, ts, ARRAY[event = steps[1], ...], definition) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: transition function of the aggregate funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text).';
COMMENT ON AGGREGATE _pg_operations_internal.funnel_report(text, timestamptz, text, _pg_operations_internal.funnel_definition, text[], text) IS 'Internal: funnel_report(user_id, ts, ARRAY[event = steps[1], ...], definition, key) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_final(internal) IS 'Internal: final function of the aggregate window_funnel (state User).';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_combine(internal, internal) IS 'Internal: combine function of the aggregate window_funnel (state User).';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_serial(internal) IS 'Internal: serial function of the aggregate window_funnel (state User).';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate window_funnel (state User).';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, bool[], interval) IS 'Internal: transition function of the aggregate window_funnel(timestamptz, bool[], interval).';
COMMENT ON AGGREGATE window_funnel(timestamptz, bool[], interval) IS 'Per-user funnel: the deepest step (1..n) reached by any chain of events that starts at a row matching conds[1] and matches conds[2], conds[3], ... in order within window of its start (inclusive); 0 when step 1 never matched. Rows with NULL ts or conds are skipped (NULL when none is left); NULL elements of conds count as false. Up to 64 steps. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, bool[], interval, text) IS 'Internal: transition function of the aggregate window_funnel(timestamptz, bool[], interval, text).';
COMMENT ON AGGREGATE window_funnel(timestamptz, bool[], interval, text) IS 'Per-user funnel under mode (default, strict_order, strict_deduplication, strict_increase or a comma-separated combination; ClickHouse windowFunnel meanings): otherwise as window_funnel(ts, conds, window). See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, text, text[], interval) IS 'Internal: transition function of the aggregate window_funnel(timestamptz, text, text[], interval).';
COMMENT ON AGGREGATE _pg_operations_internal.window_funnel(timestamptz, text, text[], interval) IS 'Internal: window_funnel(ts, ARRAY[event = steps[1], event = steps[2], ...], window) by event name, the form PostgreSQL runs such a call in (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, text, text[], interval, text) IS 'Internal: transition function of the aggregate window_funnel(timestamptz, text, text[], interval, text).';
COMMENT ON AGGREGATE _pg_operations_internal.window_funnel(timestamptz, text, text[], interval, text) IS 'Internal: window_funnel(ts, ARRAY[event = steps[1], ...], window, mode) by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_byid_final(internal) IS 'Internal: final function of the aggregate funnel_step_rates (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_byid_combine(internal, internal) IS 'Internal: combine function of the aggregate funnel_step_rates (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_byid_serial(internal) IS 'Internal: serial function of the aggregate funnel_step_rates (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_byid_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate funnel_step_rates (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_bytext_final(internal) IS 'Internal: final function of the aggregate funnel_step_rates (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_bytext_combine(internal, internal) IS 'Internal: combine function of the aggregate funnel_step_rates (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_bytext_serial(internal) IS 'Internal: serial function of the aggregate funnel_step_rates (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_bytext_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate funnel_step_rates (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_levels_final(internal) IS 'Internal: final function of the aggregate funnel_step_rates (state Levels).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_levels_combine(internal, internal) IS 'Internal: combine function of the aggregate funnel_step_rates (state Levels).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_levels_serial(internal) IS 'Internal: serial function of the aggregate funnel_step_rates (state Levels).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_levels_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate funnel_step_rates (state Levels).';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, bool[], interval) IS 'Internal: transition function of the aggregate funnel_step_rates(bigint, timestamptz, bool[], interval).';
COMMENT ON AGGREGATE funnel_step_rates(bigint, timestamptz, bool[], interval) IS 'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default ''step 1'', ''step 2'', ...; mode as in window_funnel). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, bool[], interval, text[]) IS 'Internal: transition function of the aggregate funnel_step_rates(bigint, timestamptz, bool[], interval, text[]).';
COMMENT ON AGGREGATE funnel_step_rates(bigint, timestamptz, bool[], interval, text[]) IS 'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default ''step 1'', ''step 2'', ...; mode as in window_funnel). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, bool[], interval, text[], text) IS 'Internal: transition function of the aggregate funnel_step_rates(bigint, timestamptz, bool[], interval, text[], text).';
COMMENT ON AGGREGATE funnel_step_rates(bigint, timestamptz, bool[], interval, text[], text) IS 'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default ''step 1'', ''step 2'', ...; mode as in window_funnel). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, bool[], interval) IS 'Internal: transition function of the aggregate funnel_step_rates(text, timestamptz, bool[], interval).';
COMMENT ON AGGREGATE funnel_step_rates(text, timestamptz, bool[], interval) IS 'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default ''step 1'', ''step 2'', ...; mode as in window_funnel). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, bool[], interval, text[]) IS 'Internal: transition function of the aggregate funnel_step_rates(text, timestamptz, bool[], interval, text[]).';
COMMENT ON AGGREGATE funnel_step_rates(text, timestamptz, bool[], interval, text[]) IS 'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default ''step 1'', ''step 2'', ...; mode as in window_funnel). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, bool[], interval, text[], text) IS 'Internal: transition function of the aggregate funnel_step_rates(text, timestamptz, bool[], interval, text[], text).';
COMMENT ON AGGREGATE funnel_step_rates(text, timestamptz, bool[], interval, text[], text) IS 'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default ''step 1'', ''step 2'', ...; mode as in window_funnel). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, text, text[], interval, text[], text) IS 'Internal: transition function of the aggregate funnel_step_rates(bigint, timestamptz, text, text[], interval, text[], text).';
COMMENT ON AGGREGATE _pg_operations_internal.funnel_step_rates(bigint, timestamptz, text, text[], interval, text[], text) IS 'Internal: funnel_step_rates(user_id, ts, ARRAY[event = steps[1], event = steps[2], ...], window, step_names, mode) by event name, the form PostgreSQL runs such a call in (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step; NULL step_names are ''step 1'', ''step 2'', ...';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, text, text[], interval, text[], text) IS 'Internal: transition function of the aggregate funnel_step_rates(text, timestamptz, text, text[], interval, text[], text).';
COMMENT ON AGGREGATE _pg_operations_internal.funnel_step_rates(text, timestamptz, text, text[], interval, text[], text) IS 'Internal: funnel_step_rates(user_id, ts, ARRAY[event = steps[1], ...], window, step_names, mode) with text user ids by event name (see docs/funnels.md, "Conditions run by name"). A NULL event matches no step.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, text, text[], interval) IS 'Internal: transition function of the aggregate funnel_step_rates(bigint, timestamptz, text, text[], interval).';
COMMENT ON AGGREGATE funnel_step_rates(bigint, timestamptz, text, text[], interval) IS 'One-shot population funnel over raw events by event name: step k matches rows whose event equals steps[k], and the step names are the steps (mode as in window_funnel). Otherwise as the conds form: one funnel_step row per step with users, rates, 95 % Wilson interval and median seconds from the previous step. Rows with NULL user_id, ts or event are skipped. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, text, text[], interval, text) IS 'Internal: transition function of the aggregate funnel_step_rates(bigint, timestamptz, text, text[], interval, text).';
COMMENT ON AGGREGATE funnel_step_rates(bigint, timestamptz, text, text[], interval, text) IS 'One-shot population funnel over raw events by event name: step k matches rows whose event equals steps[k], and the step names are the steps (mode as in window_funnel). Otherwise as the conds form: one funnel_step row per step with users, rates, 95 % Wilson interval and median seconds from the previous step. Rows with NULL user_id, ts or event are skipped. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, text, text[], interval) IS 'Internal: transition function of the aggregate funnel_step_rates(text, timestamptz, text, text[], interval).';
COMMENT ON AGGREGATE funnel_step_rates(text, timestamptz, text, text[], interval) IS 'One-shot population funnel over raw events by event name: step k matches rows whose event equals steps[k], and the step names are the steps (mode as in window_funnel). Otherwise as the conds form: one funnel_step row per step with users, rates, 95 % Wilson interval and median seconds from the previous step. Rows with NULL user_id, ts or event are skipped. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, text, text[], interval, text) IS 'Internal: transition function of the aggregate funnel_step_rates(text, timestamptz, text, text[], interval, text).';
COMMENT ON AGGREGATE funnel_step_rates(text, timestamptz, text, text[], interval, text) IS 'One-shot population funnel over raw events by event name: step k matches rows whose event equals steps[k], and the step names are the steps (mode as in window_funnel). Otherwise as the conds form: one funnel_step row per step with users, rates, 95 % Wilson interval and median seconds from the previous step. Rows with NULL user_id, ts or event are skipped. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, int, text[]) IS 'Internal: transition function of the aggregate funnel_step_rates(int, text[]).';
COMMENT ON AGGREGATE funnel_step_rates(int, text[]) IS 'Two-stage population funnel over per-user levels from window_funnel (one row per user): the same funnel_step rows as the one-shot form, median_seconds_from_previous NULL. NULL levels are skipped; a level outside 0..n is error 22023.';
COMMENT ON FUNCTION _pg_operations_internal.load_support(internal) IS
  'Internal: planner support function of the conds transitions of the funnels; answers nothing, but loads the library while the query is planned, so that the query runs its conditions by name (docs/funnels.md).';
COMMENT ON TYPE _pg_operations_internal.intent_contribution IS 'One weighted event of intent_score_detail: the event name, how many such events fell in the window, and their (decayed) contribution to the score.';
COMMENT ON FUNCTION intent_definition(jsonb, timestamptz, interval, interval, text[], float8) IS 'An intent score definition (validated) for intent_score(event, ts, definition): weights (as intent_weights), as_of, lookback (default 14 days, >= 0), half_life (NULL: no decay; else > 0), reset_events (e.g. ARRAY[''pay'']: the latest such event in the window ends the decision period) and reset_factor in [0, 1] (what the weighted events at or before it count: 0 not at all, 0.5 half). 22023 for NULL weights, as_of, lookback or reset_factor, and for any invalid value.';
COMMENT ON FUNCTION intent_share_tier(float8, _pg_operations_internal.intent_breaks) IS 'Tier of a score from intent_breaks(score): ''none'' if score <= 0, ''strong'' if score > breaks.strong_above, ''medium'' if score > breaks.medium_above, else ''weak'' (also ''weak'' for a positive score when the population had no active user). 22023 for NaN.';
COMMENT ON FUNCTION intent_weights(text) IS 'Documented default intent weights as jsonb: preset ''invest'' (view_list 1, view_detail 2, click_invest 3, click_submit 5, pay 8) or ''loan'' (exposure 0.5, click 1, register 2, apply 4, submit 6, first_review 7, second_review 8, reloan 10). Unknown preset is error 22023.';
COMMENT ON FUNCTION intent_tier(float8, float8, float8) IS '''strong'' if score > strong_above, ''medium'' if score > medium_above, else ''weak''. strong_above < medium_above or NaN is error 22023.';
COMMENT ON FUNCTION intent_tier(float8, float8[]) IS 'Tier from breaks = quantile_breaks(score, ARRAY[0.4, 0.8]): ''strong'' above breaks[2] (top 20 %), ''medium'' above breaks[1] (next 40 %), else ''weak''.';
COMMENT ON FUNCTION _pg_operations_internal.intent_score_final(internal) IS 'Internal: final function of the aggregate intent_score / intent_score_detail (state Intent).';
COMMENT ON FUNCTION _pg_operations_internal.intent_score_combine(internal, internal) IS 'Internal: combine function of the aggregate intent_score / intent_score_detail (state Intent).';
COMMENT ON FUNCTION _pg_operations_internal.intent_score_serial(internal) IS 'Internal: serial function of the aggregate intent_score / intent_score_detail (state Intent).';
COMMENT ON FUNCTION _pg_operations_internal.intent_score_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate intent_score / intent_score_detail (state Intent).';
COMMENT ON FUNCTION _pg_operations_internal.intent_score_detail_final(internal) IS 'Internal: final function of the aggregate intent_score_detail.';
COMMENT ON FUNCTION _pg_operations_internal.intent_score_transition(internal, text, timestamptz, jsonb, timestamptz) IS 'Internal: transition function of the aggregate intent_score / intent_score_detail(text, timestamptz, jsonb, timestamptz).';
COMMENT ON AGGREGATE intent_score(text, timestamptz, jsonb, timestamptz) IS 'Purchase-intent score of a group (usually one user): the sum of weights->>event over events with as_of - 14 days < ts <= as_of. Unweighted events and events outside the window add 0 (a user with rows but none in the window scores 0); NULL event/ts rows are skipped. A weight that is not a finite number is error 22023 naming the key.';
COMMENT ON AGGREGATE intent_score_detail(text, timestamptz, jsonb, timestamptz) IS 'Breakdown of intent_score (same arguments): one intent_contribution (event, events, contribution) per weighted event in the window, by contribution descending; an empty array when nothing in the window was weighted.';
COMMENT ON FUNCTION _pg_operations_internal.intent_score_transition(internal, text, timestamptz, jsonb, timestamptz, interval) IS 'Internal: transition function of the aggregate intent_score / intent_score_detail(text, timestamptz, jsonb, timestamptz, interval).';
COMMENT ON AGGREGATE intent_score(text, timestamptz, jsonb, timestamptz, interval) IS 'Purchase-intent score with an explicit look-back window: sum of weights->>event over events with as_of - lookback < ts <= as_of (1 day = 24 h, 1 month = 30 days). Negative lookback is error 22023.';
COMMENT ON AGGREGATE intent_score_detail(text, timestamptz, jsonb, timestamptz, interval) IS 'Breakdown of intent_score (same arguments): one intent_contribution (event, events, contribution) per weighted event in the window, by contribution descending; an empty array when nothing in the window was weighted.';
COMMENT ON FUNCTION _pg_operations_internal.intent_score_transition(internal, text, timestamptz, jsonb, timestamptz, interval, interval) IS 'Internal: transition function of the aggregate intent_score / intent_score_detail(text, timestamptz, jsonb, timestamptz, interval, interval).';
COMMENT ON AGGREGATE intent_score(text, timestamptz, jsonb, timestamptz, interval, interval) IS 'Time-decayed purchase-intent score: each weight in the window (as_of - lookback, as_of] is multiplied by 0.5 ^ ((as_of - ts) / half_life). NULL half_life means no decay; a half_life <= 0 is error 22023.';
COMMENT ON AGGREGATE intent_score_detail(text, timestamptz, jsonb, timestamptz, interval, interval) IS 'Breakdown of intent_score (same arguments): one intent_contribution (event, events, contribution) per weighted event in the window, by contribution descending; an empty array when nothing in the window was weighted.';
COMMENT ON FUNCTION _pg_operations_internal.intent_score_transition(internal, text, timestamptz, _pg_operations_internal.intent_definition) IS 'Internal: transition function of the aggregate intent_score / intent_score_detail(text, timestamptz, _pg_operations_internal.intent_definition).';
COMMENT ON AGGREGATE intent_score(text, timestamptz, _pg_operations_internal.intent_definition) IS 'Purchase-intent score under intent_definition(weights, as_of, ...): the window (as_of - lookback, as_of], optional decay by half_life, and the reset rule: with reset_events, every weighted event at or before the group''s latest reset event in the window (a purchase ends the decision period) counts reset_factor times its weight (0: not at all). Same as the 6-argument aggregate otherwise; the definition must be the same on every row of a group.';
COMMENT ON AGGREGATE intent_score_detail(text, timestamptz, _pg_operations_internal.intent_definition) IS 'Breakdown of intent_score (same arguments): one intent_contribution (event, events, contribution) per weighted event in the window, by contribution descending; an empty array when nothing in the window was weighted.';
COMMENT ON FUNCTION _pg_operations_internal.intent_breaks_final(internal) IS 'Internal: final function of the aggregate intent_breaks (state Scores).';
COMMENT ON FUNCTION _pg_operations_internal.intent_breaks_combine(internal, internal) IS 'Internal: combine function of the aggregate intent_breaks (state Scores).';
COMMENT ON FUNCTION _pg_operations_internal.intent_breaks_serial(internal) IS 'Internal: serial function of the aggregate intent_breaks (state Scores).';
COMMENT ON FUNCTION _pg_operations_internal.intent_breaks_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate intent_breaks (state Scores).';
COMMENT ON FUNCTION _pg_operations_internal.intent_breaks_transition(internal, float8) IS 'Internal: transition function of the aggregate intent_breaks(float8).';
COMMENT ON AGGREGATE intent_breaks(float8) IS 'Honest share-based intent tiers over one score per user: users with score <= 0 are tier none; among the active users (score > 0) strong_above = percentile_disc(0.8) and medium_above = percentile_disc(0.4) of their scores, so a tied block always lands in one tier and the strong tier holds at most 20 % of the active users (up to float rounding of percentile_disc). Reports how many users each tier really holds. Feed the result to intent_share_tier(score, breaks). NULL scores are skipped; NULL when no row. 22023 for a NaN or infinite score.';
COMMENT ON FUNCTION _pg_operations_internal.intent_breaks_transition(internal, float8, float8, float8) IS 'Internal: transition function of the aggregate intent_breaks(float8, float8, float8).';
COMMENT ON AGGREGATE intent_breaks(float8, float8, float8) IS 'intent_breaks with explicit shares: strong_above = percentile_disc(1 - strong_share), medium_above = percentile_disc(1 - strong_share - medium_share) of the active scores. Each share in (0, 1] and strong_share + medium_share <= 1, the same on every row (22023 otherwise).';
COMMENT ON TYPE _pg_operations_internal.lifecycle_rules IS 'The rules of lifecycle_stage, built by lifecycle_rules(...): the five day thresholds, whether new wins over inactivity, and what inconsistent data gives (error or null).';
COMMENT ON FUNCTION lifecycle_rules(int, int, int, int, int, bool, text) IS 'Lifecycle rules (validated) for lifecycle_stage_with (summary rows) and lifecycle_stage_agg (events): the day thresholds as in lifecycle_stage; new_wins true (default): a converted user registered at most new_days ago is new however long idle, false: new only while idle at most dormant_days (else the inactivity rules apply); on_inconsistent ''error'' (default: 22023 for activity or conversion before registration or an infinite registration) or ''null'' (such a user gets NULL, so one bad row does not abort a refresh; list them with lifecycle_issue). 22023 for negative or not strictly increasing days or another on_inconsistent.';
COMMENT ON FUNCTION lifecycle_stage_with(timestamptz, timestamptz, timestamptz, timestamptz, _pg_operations_internal.lifecycle_rules) IS 'Lifecycle stage of a user summary row under lifecycle_rules(...): the rules of the 9-argument lifecycle_stage with the rules'' days, new_wins and on_inconsistent (''null'': inconsistent data gives NULL instead of 22023). NULL registered_at, as_of or rules -> NULL.';
COMMENT ON FUNCTION lifecycle_issue(timestamptz, timestamptz, timestamptz) IS 'Why lifecycle_stage would reject a user summary row: the message of its 22023 error (an infinite registered_at, first_conversion_at or last_active_at before registered_at), or NULL for a consistent row (and for a NULL registered_at). SELECT ... WHERE lifecycle_issue(...) IS NOT NULL lists the offending rows.';
COMMENT ON FUNCTION lifecycle_stage(timestamptz, timestamptz, timestamptz, timestamptz, int, int, int, int, int) IS 'Lifecycle stage of a user summary row, first match wins: registered after as_of -> NULL; never converted (first_conversion_at NULL) -> dead if as_of - coalesce(last_active_at, registered_at) > dead_days, else registered; converted and as_of - registered_at <= new_days -> new; else by as_of - greatest(last_active_at, first_conversion_at): <= dormant_days active, <= churn_days dormant, <= lost_days churned, else lost. Timestamps after as_of count as NULL. NULL registered_at, as_of or days -> NULL. 22023 for activity or conversion before registration, infinite timestamps, negative or not strictly increasing days.';
COMMENT ON FUNCTION lifecycle_code(text) IS 'One-letter code of a lifecycle stage: R registered, D dead, N new, A active, S dormant (sleeping), C churned, L lost, B reactivated (back). 22023 for an unknown stage name.';
COMMENT ON FUNCTION lifecycle_stages() IS 'Every lifecycle stage with its one-letter code and the rule that assigns it, in the order the rules are tried (first match wins). A lookup table for BI legends.';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_final(internal) IS 'Internal: final function of the aggregate lifecycle_stage (state Events).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_combine(internal, internal) IS 'Internal: combine function of the aggregate lifecycle_stage (state Events).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_serial(internal) IS 'Internal: serial function of the aggregate lifecycle_stage (state Events).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate lifecycle_stage (state Events).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_transition(internal, timestamptz, bool, timestamptz) IS 'Internal: transition function of the aggregate lifecycle_stage(timestamptz, bool, timestamptz).';
COMMENT ON AGGREGATE lifecycle_stage(timestamptz, bool, timestamptz) IS 'Lifecycle stage of one user from the user''s events (GROUP BY user): the first event is the registration, the first converted event the first conversion, the latest event the last activity; events after as_of are ignored. Same rules as the scalar lifecycle_stage with default days (new 90, dead 30, dormant 30, churn 90, lost 360), plus reactivated: a converted, not new user whose latest event came more than churn_days after the previous distinct event and is within dormant_days of as_of. NULL ts rows are skipped, NULL converted counts as false; NULL when no event is at or before as_of. 22023 for a NULL as_of or as_of varying within a group.';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_transition(internal, timestamptz, bool, timestamptz, int, int, int, int, int) IS 'Internal: transition function of the aggregate lifecycle_stage(timestamptz, bool, timestamptz, int, int, int, int, int).';
COMMENT ON AGGREGATE lifecycle_stage(timestamptz, bool, timestamptz, int, int, int, int, int) IS 'Lifecycle stage of one user from the user''s events with explicit new_days, dead_days, dormant_days, churn_days, lost_days (same as the 3-argument aggregate otherwise). 22023 for NULL, negative or not strictly increasing (dormant < churn < lost) days, or days varying within a group.';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_agg_final(internal) IS 'Internal: final function of the aggregate lifecycle_stage_agg (state Events).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_agg_combine(internal, internal) IS 'Internal: combine function of the aggregate lifecycle_stage_agg (state Events).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_agg_serial(internal) IS 'Internal: serial function of the aggregate lifecycle_stage_agg (state Events).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_agg_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate lifecycle_stage_agg (state Events).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_stage_agg_transition(internal, timestamptz, bool, timestamptz, timestamptz, _pg_operations_internal.lifecycle_rules) IS 'Internal: transition function of the aggregate lifecycle_stage_agg(timestamptz, bool, timestamptz, timestamptz, _pg_operations_internal.lifecycle_rules).';
COMMENT ON AGGREGATE lifecycle_stage_agg(timestamptz, bool, timestamptz, timestamptz, _pg_operations_internal.lifecycle_rules) IS 'Lifecycle stage of one user from the user''s events (GROUP BY user) under lifecycle_rules(...) (days, new_wins, on_inconsistent) with an explicit registration time, the same on every row of a group: registered after as_of -> NULL; an event before registered_at is inconsistent data (22023, or NULL with on_inconsistent ''null''); rows with a NULL ts count for the registration only, so users LEFT JOIN events classifies users without events too. A NULL registered_at means the first event is the registration (as in the lifecycle_stage aggregate). Pass only the events that count as activity, e.g. FILTER (WHERE event <> ''redeem''). Otherwise the rules of the lifecycle_stage aggregate, reactivated included.';
COMMENT ON TYPE _pg_operations_internal.activity_day IS 'One day of activity_series: daily active users, users active in the 7 and in the 30 days ending that day, and stickiness = dau / mau.';
COMMENT ON FUNCTION retention_definition(timestamptz, text, int, text, text, text, int) IS 'A retention matrix definition (validated): as_of (events after it are ignored; a cell whose period is not over by then is marked incomplete), period ''day'', ''week'' (ISO, Monday to Sunday), ''month'' (calendar periods in time_zone, an IANA name, default ''UTC'') or ''rolling'' (rolling_days x 24 h from each user''s cohort event), periods after the cohort period (1..400), entry ''first'' (a user''s first cohort event) or ''recurring'' (every period with a cohort event), counting ''on'' (returned in period N) or ''on_or_after'' (in period N or later). 22023 for anything else.';
COMMENT ON FUNCTION _pg_operations_internal.retention_final(internal) IS 'Internal: final function of the aggregate retention (state Flags).';
COMMENT ON FUNCTION _pg_operations_internal.retention_combine(internal, internal) IS 'Internal: combine function of the aggregate retention (state Flags).';
COMMENT ON FUNCTION _pg_operations_internal.retention_serial(internal) IS 'Internal: serial function of the aggregate retention (state Flags).';
COMMENT ON FUNCTION _pg_operations_internal.retention_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate retention (state Flags).';
COMMENT ON FUNCTION _pg_operations_internal.retention_transition(internal, bool[]) IS 'Internal: transition function of the aggregate retention(bool[]).';
COMMENT ON AGGREGATE retention(bool[]) IS 'ClickHouse retention over one user''s rows: r[1] = 1 if conds[1] held on some row, r[k] = 1 if conds[1] and conds[k] each held on some row (any order), else 0. NULL elements count as false; rows with a NULL conds are skipped (NULL when none is left). 1 to 32 conditions, the same number on every row (22023 otherwise).';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_byid_final(internal) IS 'Internal: final function of the aggregate activity_series (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_byid_combine(internal, internal) IS 'Internal: combine function of the aggregate activity_series (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_byid_serial(internal) IS 'Internal: serial function of the aggregate activity_series (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_byid_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate activity_series (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_bytext_final(internal) IS 'Internal: final function of the aggregate activity_series (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_bytext_combine(internal, internal) IS 'Internal: combine function of the aggregate activity_series (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_bytext_serial(internal) IS 'Internal: serial function of the aggregate activity_series (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_bytext_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate activity_series (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_transition(internal, bigint, timestamptz, date, date) IS 'Internal: transition function of the aggregate activity_series(bigint, timestamptz, date, date).';
COMMENT ON AGGREGATE activity_series(bigint, timestamptz, date, date) IS 'DAU, WAU and MAU per day from raw events: for every local day from first_day to last_day, the distinct users active that day (dau), in the 7 days ending that day (wau) and in the 30 days ending that day (mau), and stickiness dau / mau. Days are UTC days, or local days in time_zone. Rows with a NULL user_id or ts are skipped. At most 36600 days. See docs/retention.md.';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_transition(internal, text, timestamptz, date, date) IS 'Internal: transition function of the aggregate activity_series(text, timestamptz, date, date).';
COMMENT ON AGGREGATE activity_series(text, timestamptz, date, date) IS 'DAU, WAU and MAU per day from raw events: for every local day from first_day to last_day, the distinct users active that day (dau), in the 7 days ending that day (wau) and in the 30 days ending that day (mau), and stickiness dau / mau. Days are UTC days, or local days in time_zone. Rows with a NULL user_id or ts are skipped. At most 36600 days. See docs/retention.md.';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_transition(internal, bigint, timestamptz, date, date, text) IS 'Internal: transition function of the aggregate activity_series(bigint, timestamptz, date, date, text).';
COMMENT ON AGGREGATE activity_series(bigint, timestamptz, date, date, text) IS 'DAU, WAU and MAU per day from raw events: for every local day from first_day to last_day, the distinct users active that day (dau), in the 7 days ending that day (wau) and in the 30 days ending that day (mau), and stickiness dau / mau. Days are UTC days, or local days in time_zone. Rows with a NULL user_id or ts are skipped. At most 36600 days. See docs/retention.md.';
COMMENT ON FUNCTION _pg_operations_internal.activity_series_transition(internal, text, timestamptz, date, date, text) IS 'Internal: transition function of the aggregate activity_series(text, timestamptz, date, date, text).';
COMMENT ON AGGREGATE activity_series(text, timestamptz, date, date, text) IS 'DAU, WAU and MAU per day from raw events: for every local day from first_day to last_day, the distinct users active that day (dau), in the 7 days ending that day (wau) and in the 30 days ending that day (mau), and stickiness dau / mau. Days are UTC days, or local days in time_zone. Rows with a NULL user_id or ts are skipped. At most 36600 days. See docs/retention.md.';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_byid_final(internal) IS 'Internal: final function of the aggregate lifecycle_counts (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_byid_combine(internal, internal) IS 'Internal: combine function of the aggregate lifecycle_counts (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_byid_serial(internal) IS 'Internal: serial function of the aggregate lifecycle_counts (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_byid_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate lifecycle_counts (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_bytext_final(internal) IS 'Internal: final function of the aggregate lifecycle_counts (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_bytext_combine(internal, internal) IS 'Internal: combine function of the aggregate lifecycle_counts (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_bytext_serial(internal) IS 'Internal: serial function of the aggregate lifecycle_counts (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_bytext_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate lifecycle_counts (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_transition(internal, bigint, timestamptz, text, date, date) IS 'Internal: transition function of the aggregate lifecycle_counts(bigint, timestamptz, text, date, date).';
COMMENT ON AGGREGATE lifecycle_counts(bigint, timestamptz, text, date, date) IS 'Lifecycle counts per period (PostHog''s lifecycle): for each day, week (ISO) or month whose start lies between first_day and last_day, the users active in it that are new (first activity ever), returning (also active the period before) or resurrecting (active before, not the period before), and the dormant users (active the period before, not this one) as a negative count, so that last period''s active users = returning + (- dormant). Events before first_day count as history. UTC periods, or local in time_zone. See docs/retention.md.';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_transition(internal, text, timestamptz, text, date, date) IS 'Internal: transition function of the aggregate lifecycle_counts(text, timestamptz, text, date, date).';
COMMENT ON AGGREGATE lifecycle_counts(text, timestamptz, text, date, date) IS 'Lifecycle counts per period (PostHog''s lifecycle): for each day, week (ISO) or month whose start lies between first_day and last_day, the users active in it that are new (first activity ever), returning (also active the period before) or resurrecting (active before, not the period before), and the dormant users (active the period before, not this one) as a negative count, so that last period''s active users = returning + (- dormant). Events before first_day count as history. UTC periods, or local in time_zone. See docs/retention.md.';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_transition(internal, bigint, timestamptz, text, date, date, text) IS 'Internal: transition function of the aggregate lifecycle_counts(bigint, timestamptz, text, date, date, text).';
COMMENT ON AGGREGATE lifecycle_counts(bigint, timestamptz, text, date, date, text) IS 'Lifecycle counts per period (PostHog''s lifecycle): for each day, week (ISO) or month whose start lies between first_day and last_day, the users active in it that are new (first activity ever), returning (also active the period before) or resurrecting (active before, not the period before), and the dormant users (active the period before, not this one) as a negative count, so that last period''s active users = returning + (- dormant). Events before first_day count as history. UTC periods, or local in time_zone. See docs/retention.md.';
COMMENT ON FUNCTION _pg_operations_internal.lifecycle_counts_transition(internal, text, timestamptz, text, date, date, text) IS 'Internal: transition function of the aggregate lifecycle_counts(text, timestamptz, text, date, date, text).';
COMMENT ON AGGREGATE lifecycle_counts(text, timestamptz, text, date, date, text) IS 'Lifecycle counts per period (PostHog''s lifecycle): for each day, week (ISO) or month whose start lies between first_day and last_day, the users active in it that are new (first activity ever), returning (also active the period before) or resurrecting (active before, not the period before), and the dormant users (active the period before, not this one) as a negative count, so that last period''s active users = returning + (- dormant). Events before first_day count as history. UTC periods, or local in time_zone. See docs/retention.md.';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byid_final(internal) IS 'Internal: final function of the aggregate retention_matrix (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byid_combine(internal, internal) IS 'Internal: combine function of the aggregate retention_matrix (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byid_serial(internal) IS 'Internal: serial function of the aggregate retention_matrix (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byid_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate retention_matrix (state ById).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytext_final(internal) IS 'Internal: final function of the aggregate retention_matrix (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytext_combine(internal, internal) IS 'Internal: combine function of the aggregate retention_matrix (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytext_serial(internal) IS 'Internal: serial function of the aggregate retention_matrix (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytext_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate retention_matrix (state ByText).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byidevents_final(internal) IS 'Internal: final function of the aggregate retention_matrix (state ByIdEvents).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byidevents_combine(internal, internal) IS 'Internal: combine function of the aggregate retention_matrix (state ByIdEvents).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byidevents_serial(internal) IS 'Internal: serial function of the aggregate retention_matrix (state ByIdEvents).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_byidevents_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate retention_matrix (state ByIdEvents).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytextevents_final(internal) IS 'Internal: final function of the aggregate retention_matrix (state ByTextEvents).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytextevents_combine(internal, internal) IS 'Internal: combine function of the aggregate retention_matrix (state ByTextEvents).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytextevents_serial(internal) IS 'Internal: serial function of the aggregate retention_matrix (state ByTextEvents).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_bytextevents_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate retention_matrix (state ByTextEvents).';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_transition(internal, bigint, timestamptz, bool, bool, _pg_operations_internal.retention_definition) IS 'Internal: transition function of the aggregate retention_matrix(bigint, timestamptz, bool, bool, _pg_operations_internal.retention_definition).';
COMMENT ON AGGREGATE retention_matrix(bigint, timestamptz, bool, bool, _pg_operations_internal.retention_definition) IS 'One-shot cohort retention matrix over raw events: one retention_cell per (cohort, period 0..periods) with cohort size, retained users, rate, 95 % Wilson interval and a complete flag, as shaped by definition (retention_definition(...)). A row counts as a cohort event when cohort is true and as a return event when returned is true; rows that are neither, or lack user_id or ts, are skipped. See docs/retention.md.';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_transition(internal, text, timestamptz, bool, bool, _pg_operations_internal.retention_definition) IS 'Internal: transition function of the aggregate retention_matrix(text, timestamptz, bool, bool, _pg_operations_internal.retention_definition).';
COMMENT ON AGGREGATE retention_matrix(text, timestamptz, bool, bool, _pg_operations_internal.retention_definition) IS 'One-shot cohort retention matrix over raw events: one retention_cell per (cohort, period 0..periods) with cohort size, retained users, rate, 95 % Wilson interval and a complete flag, as shaped by definition (retention_definition(...)). A row counts as a cohort event when cohort is true and as a return event when returned is true; rows that are neither, or lack user_id or ts, are skipped. See docs/retention.md.';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_transition(internal, bigint, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition) IS 'Internal: transition function of the aggregate retention_matrix(bigint, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition).';
COMMENT ON AGGREGATE retention_matrix(bigint, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition) IS 'Cohort retention matrix over raw events by event name: a row is a cohort event when event is one of cohort_events and a return event when it is one of return_events (compared byte for byte, no expression evaluated per row: the fastest form); otherwise as retention_matrix(user_id, ts, cohort, returned, definition). Rows with a NULL user_id, ts or event are skipped. See docs/retention.md.';
COMMENT ON FUNCTION _pg_operations_internal.retention_matrix_transition(internal, text, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition) IS 'Internal: transition function of the aggregate retention_matrix(text, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition).';
COMMENT ON AGGREGATE retention_matrix(text, timestamptz, text, text[], text[], _pg_operations_internal.retention_definition) IS 'Cohort retention matrix over raw events by event name: a row is a cohort event when event is one of cohort_events and a return event when it is one of return_events (compared byte for byte, no expression evaluated per row: the fastest form); otherwise as retention_matrix(user_id, ts, cohort, returned, definition). Rows with a NULL user_id, ts or event are skipped. See docs/retention.md.';
COMMENT ON FUNCTION channel_quadrant(bigint, bigint, float8, float8, bigint, float8) IS 'Channel quadrant: traffic > traffic_cut is high volume, conversions/traffic > rate_cut is high quality; 1 star (keep and increase investment), 2 potential (scale up delivery while watching quality), 3 weak (be careful: keep monitoring and adjust in small steps), 4 leaky (target delivery more precisely). Below min_traffic (default 30) the quadrant is NULL and the label insufficient_data. rate, ci_low, ci_high: Wilson interval at confidence (default 0.95); significant: the interval excludes rate_cut; when it does not, the strategy says there is not enough evidence yet (tentatively the quadrant''s label). 22023 for negative counts, conversions > traffic, a negative or non-finite traffic_cut, a rate_cut outside [0, 1] or confidence outside (0, 1).';
COMMENT ON FUNCTION channel_quadrant(bigint, bigint, float8, float8, text, bigint, float8) IS 'channel_quadrant with labels and strategies in lang ''en'' or ''zh'' (star 明星渠道, potential 潜力渠道, weak 低效渠道, leaky 漏斗渠道, insufficient_data 数据不足). Same rules otherwise; 22023 for an unknown lang.';
COMMENT ON FUNCTION channel_shrunk_rate(bigint, bigint, _pg_operations_internal.channel_prior) IS 'Shrunk (posterior-mean) conversion rate (conversions + alpha) / (traffic + alpha + beta) of a channel under a channel_prior; small channels are pulled toward the pooled rate. 22023 for negative counts, conversions > traffic, or a prior with a NULL, negative or non-finite field.';
COMMENT ON FUNCTION _pg_operations_internal.channel_prior_final(internal) IS 'Internal: final function of the aggregate channel_prior (state Channels).';
COMMENT ON FUNCTION _pg_operations_internal.channel_prior_combine(internal, internal) IS 'Internal: combine function of the aggregate channel_prior (state Channels).';
COMMENT ON FUNCTION _pg_operations_internal.channel_prior_serial(internal) IS 'Internal: serial function of the aggregate channel_prior (state Channels).';
COMMENT ON FUNCTION _pg_operations_internal.channel_prior_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate channel_prior (state Channels).';
COMMENT ON FUNCTION _pg_operations_internal.channel_prior_transition(internal, bigint, bigint) IS 'Internal: transition function of the aggregate channel_prior(bigint, bigint).';
COMMENT ON AGGREGATE channel_prior(bigint, bigint) IS 'Fits a Beta(alpha, beta) prior on conversion rates over channels (one row per channel: traffic, conversions) by the method of moments of the beta-binomial model: mean = pooled rate sum(conversions)/sum(traffic). Falls back to the pooled mean with weight sum(traffic) when channels vary no more than binomial noise. Rows with NULL counts and channels with traffic 0 are skipped; fewer than 2 channels gives NULL. 22023 for negative counts or conversions > traffic.';
COMMENT ON TYPE _pg_operations_internal.rfm_cell IS 'Tie-aware RFM scores of one user (1 .. bins, higher is better), the cell label like ''R5F4M3'' and the segment (classic for 5 bins, value8 for 2 bins, else NULL).';
COMMENT ON FUNCTION rfm_cell(float8, float8, float8, _pg_operations_internal.rfm_breaks) IS 'Tie-aware RFM scores from population breaks: f = 1 + #{breaks.frequency < frequency}, m likewise, r = 1 + #{breaks.recency > recency_days}; cell ''R5F4M3'' and the segment: classic for 5 bins, value8 for 2 bins (rfm_means), else NULL. A NULL metric gives a NULL score (and NULL cell/segment); NULL breaks give NULL.';
COMMENT ON FUNCTION rfm_segment(int, int, int, text, text) IS 'Named RFM segment of 1..5 scores: scheme ''classic'' (11 segments on R and FM = (F + M + 1) / 2) or ''value8'' (high = score > 3 per dimension, 8 value classes); lang ''en'' or ''zh''. Unknown scheme/lang or a score outside 1..5 is error 22023.';
COMMENT ON FUNCTION rfm_segment(int, int, int, int, text, text) IS 'Named RFM segment of scores 1..bins: scheme ''value8'' (a dimension is high when its score is above the middle, score * 2 > bins + 1: for 2 bins (rfm_means) score 2 = above the mean, for 5 bins score > 3) or ''classic'' (bins must be 5); lang ''en'' or ''zh''. 22023 for bins outside 2..100, a score outside 1..bins, or an unknown scheme or lang.';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_final(internal) IS 'Internal: final function of the aggregate rfm_agg (state Transactions).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_combine(internal, internal) IS 'Internal: combine function of the aggregate rfm_agg (state Transactions).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_serial(internal) IS 'Internal: serial function of the aggregate rfm_agg (state Transactions).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate rfm_agg (state Transactions).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_transition(internal, timestamptz, numeric, timestamptz) IS 'Internal: transition function of the aggregate rfm_agg(timestamptz, numeric, timestamptz).';
COMMENT ON AGGREGATE rfm_agg(timestamptz, numeric, timestamptz) IS 'Per-user RFM values (recency_days, frequency, monetary, first_at, last_at) over transactions with ts <= as_of: recency is whole days from the last transaction to as_of, frequency counts rows with a non-NULL ts, monetary sums the non-NULL amounts exactly (as count(ts) and sum(amount)). Infinite as_of is error 22023.';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_transition(internal, timestamptz, numeric, timestamptz, text) IS 'Internal: transition function of the aggregate rfm_agg(timestamptz, numeric, timestamptz, text).';
COMMENT ON AGGREGATE rfm_agg(timestamptz, numeric, timestamptz, text) IS 'Per-user RFM values with count_by ''rows'' (frequency = transactions, as the 3-argument form) or ''days'' (frequency = distinct UTC calendar days with a transaction). Same as the 3-argument aggregate otherwise; count_by must be the same on every row (22023).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_transition(internal, timestamptz, numeric, timestamptz, text, text) IS 'Internal: transition function of the aggregate rfm_agg(timestamptz, numeric, timestamptz, text, text).';
COMMENT ON AGGREGATE rfm_agg(timestamptz, numeric, timestamptz, text, text) IS 'Per-user RFM values with count_by ''days'' counting distinct calendar days in time_zone (an IANA name), or ''rows''. 22023 for an unknown count_by or time zone, or either varying within a group.';
COMMENT ON FUNCTION _pg_operations_internal.rfm_means_final(internal) IS 'Internal: final function of the aggregate rfm_means (state Means).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_means_combine(internal, internal) IS 'Internal: combine function of the aggregate rfm_means (state Means).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_means_serial(internal) IS 'Internal: serial function of the aggregate rfm_means (state Means).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_means_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate rfm_means (state Means).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_means_transition(internal, float8, float8, float8) IS 'Internal: transition function of the aggregate rfm_means(float8, float8, float8).';
COMMENT ON AGGREGATE rfm_means(float8, float8, float8) IS 'Population means instead of quantiles (high = above the mean, a common practice): an rfm_breaks value with bins = 2 and each metric''s exact mean as its one break (empty when the metric had no values; NULL when no metric had any). With it rfm_cell scores 1/2 per metric (frequency and monetary high when strictly above the mean, recency high when strictly below the mean days) and its segment is the value8 class.';
COMMENT ON FUNCTION _pg_operations_internal.rfm_breaks_final(internal) IS 'Internal: final function of the aggregate rfm_breaks (state Metrics).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_breaks_combine(internal, internal) IS 'Internal: combine function of the aggregate rfm_breaks (state Metrics).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_breaks_serial(internal) IS 'Internal: serial function of the aggregate rfm_breaks (state Metrics).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_breaks_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate rfm_breaks (state Metrics).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_breaks_transition(internal, float8, float8, float8) IS 'Internal: transition function of the aggregate rfm_breaks(float8, float8, float8).';
COMMENT ON AGGREGATE rfm_breaks(float8, float8, float8) IS 'Population breaks for 5 RFM bins: per metric, percentile_cont(k / 5) for k = 1 .. 4 (NULLs skipped per metric). Feed the result to rfm_cell.';
COMMENT ON FUNCTION _pg_operations_internal.rfm_breaks_transition(internal, float8, float8, float8, int) IS 'Internal: transition function of the aggregate rfm_breaks(float8, float8, float8, int).';
COMMENT ON AGGREGATE rfm_breaks(float8, float8, float8, int) IS 'Population breaks for bins RFM bins (2 .. 100): per metric, percentile_cont(k / bins) for k = 1 .. bins-1. bins < 2 is error 22023, bins > 100 is 54000.';
