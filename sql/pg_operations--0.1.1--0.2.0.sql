-- pg_operations 0.1.1 -> 0.2.0: the namespace release.
-- Support functions and result types move into the internal schema _pg_operations_internal,
-- under the one naming scheme of 0.2.0 (AGGREGATE_transition for every transition function,
-- AGGREGATE[_STATE]_final/combine/serial/deserial for the others). Everything is moved in
-- place (ALTER ... SET SCHEMA / RENAME keep the objects' OIDs), so views and materialized
-- views that use the aggregates, functions or result types keep working; the library keeps
-- the C symbols the 0.1.x scripts named (src/pg/legacy.rs).
\echo Use "ALTER EXTENSION pg_operations UPDATE TO '0.2.0'" to load this file. \quit

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

-- ==== generated by scripts/upgrade-generated src/retention.rs from the declarations of this release;
-- ==== do not edit by hand below this line.

-- from src/retention.rs
CREATE TYPE _pg_operations_internal.activity_day AS (day date, dau bigint, wau bigint, mau bigint, stickiness float8);
COMMENT ON TYPE _pg_operations_internal.activity_day IS 'One day of activity_series: daily active users, users active in the 7 and in the 30 days ending that day, and stickiness = dau / mau.';

-- from src/retention.rs
CREATE TYPE _pg_operations_internal.retention_definition AS (as_of timestamptz, period text, periods int, entry text, counting text, time_zone text, rolling_days int);
COMMENT ON TYPE _pg_operations_internal.retention_definition IS 'What shapes a retention matrix, built by retention_definition(...): as_of, period (day, week, month or rolling), number of periods, entry (first or recurring), counting (on or on_or_after), time zone and the days of a rolling period.';

-- from src/retention.rs
CREATE TYPE _pg_operations_internal.lifecycle_count AS (period_start date, new bigint, "returning" bigint, resurrecting bigint, dormant bigint);
COMMENT ON TYPE _pg_operations_internal.lifecycle_count IS 'One period of lifecycle_counts: users active in the period split into new (first activity ever), returning (also active the period before) and resurrecting (active before, not the period before), and dormant (active the period before, not this one) as a negative count.';

-- from src/retention.rs
CREATE TYPE _pg_operations_internal.retention_cell AS (cohort_start date, period int, cohort_size bigint, retained bigint, rate float8, ci_low float8, ci_high float8, complete bool);
COMMENT ON TYPE _pg_operations_internal.retention_cell IS 'One cell of a cohort retention matrix: the cohort''s first day (local date of its period start), period k, the cohort''s users, those retained in period k, the rate with its 95 % Wilson interval, and whether period k had wholly happened by as_of.';

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

-- every description
COMMENT ON SCHEMA _pg_operations_internal IS
  'Support functions and result types of pg_operations: not for direct use; may change between versions.';
COMMENT ON TYPE _pg_operations_internal.activity_day IS 'One day of activity_series: daily active users, users active in the 7 and in the 30 days ending that day, and stickiness = dau / mau.';
COMMENT ON TYPE _pg_operations_internal.wilson_ci IS 'A binomial proportion with its Wilson score interval.';
COMMENT ON TYPE _pg_operations_internal.retention_definition IS 'What shapes a retention matrix, built by retention_definition(...): as_of, period (day, week, month or rolling), number of periods, entry (first or recurring), counting (on or on_or_after), time zone and the days of a rolling period.';
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
COMMENT ON TYPE _pg_operations_internal.channel_quadrant IS 'A channel''s quadrant (1 star, 2 potential, 3 weak, 4 leaky; NULL when traffic < min_traffic), its label, conversion rate with Wilson interval, whether the interval excludes the rate cut, and the recommended strategy.';
COMMENT ON TYPE _pg_operations_internal.rfm_breaks IS 'Population RFM breaks from the rfm_breaks aggregate: per metric, percentile_cont(k / bins) for k = 1 .. bins-1 (empty when the metric had no values).';
COMMENT ON TYPE _pg_operations_internal.rfm_cell IS 'Tie-aware RFM scores of one user (1 .. bins, higher is better), the cell label like ''R5F4M3'' and the classic segment (5 bins only).';
COMMENT ON TYPE _pg_operations_internal.channel_prior IS 'A Beta(alpha, beta) prior on channel conversion rates: mean alpha/(alpha+beta) is the pooled rate, alpha+beta its weight in visits.';
COMMENT ON FUNCTION channel_quadrant(bigint, bigint, float8, float8, bigint, float8) IS 'Channel quadrant: traffic > traffic_cut is high volume, conversions/traffic > rate_cut is high quality; 1 star (keep and increase investment), 2 potential (scale up delivery while watching quality), 3 weak (be careful: keep monitoring and adjust in small steps), 4 leaky (target delivery more precisely). Below min_traffic (default 30) the quadrant is NULL and the label insufficient_data. rate, ci_low, ci_high: Wilson interval at confidence (default 0.95); significant: the interval excludes rate_cut. 22023 for negative counts, conversions > traffic, non-finite cuts or confidence outside (0,1).';
COMMENT ON FUNCTION channel_shrunk_rate(bigint, bigint, _pg_operations_internal.channel_prior) IS 'Shrunk (posterior-mean) conversion rate (conversions + alpha) / (traffic + alpha + beta) of a channel under a channel_prior; small channels are pulled toward the pooled rate. 22023 for negative counts, conversions > traffic, or a prior with a NULL, negative or non-finite field.';
COMMENT ON FUNCTION _pg_operations_internal.channel_prior_final(internal) IS 'Internal: final function of the aggregate channel_prior (state Channels).';
COMMENT ON FUNCTION _pg_operations_internal.channel_prior_combine(internal, internal) IS 'Internal: combine function of the aggregate channel_prior (state Channels).';
COMMENT ON FUNCTION _pg_operations_internal.channel_prior_serial(internal) IS 'Internal: serial function of the aggregate channel_prior (state Channels).';
COMMENT ON FUNCTION _pg_operations_internal.channel_prior_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate channel_prior (state Channels).';
COMMENT ON FUNCTION _pg_operations_internal.channel_prior_transition(internal, bigint, bigint) IS 'Internal: transition function of the aggregate channel_prior(bigint, bigint).';
COMMENT ON AGGREGATE channel_prior(bigint, bigint) IS 'Fits a Beta(alpha, beta) prior on conversion rates over channels (one row per channel: traffic, conversions) by the method of moments of the beta-binomial model: mean = pooled rate sum(conversions)/sum(traffic). Falls back to the pooled mean with weight sum(traffic) when channels vary no more than binomial noise. Rows with NULL counts and channels with traffic 0 are skipped; fewer than 2 channels gives NULL. 22023 for negative counts or conversions > traffic.';
COMMENT ON TYPE _pg_operations_internal.funnel_step IS 'One step of a population funnel: users whose deepest step is at least step, rate from the previous step (step 1: from the whole population) with its 95 % Wilson interval, rate from step 1, and the median seconds from the previous step (one-shot form only).';
COMMENT ON TYPE _pg_operations_internal.lifecycle_count IS 'One period of lifecycle_counts: users active in the period split into new (first activity ever), returning (also active the period before) and resurrecting (active before, not the period before), and dormant (active the period before, not this one) as a negative count.';
COMMENT ON FUNCTION pg_operations_version() IS 'Version of the pg_operations library that is loaded.';
COMMENT ON FUNCTION wilson_interval(bigint, bigint, float8) IS 'Wilson score interval (rate, ci_low, ci_high) of successes/trials at the given two-sided confidence (default 0.95). NULL when trials = 0; 22023 for negative counts, successes > trials or confidence outside (0,1).';
COMMENT ON FUNCTION _pg_operations_internal.quantile_breaks_final(internal) IS 'Internal: final function of the aggregate quantile_breaks (state Values).';
COMMENT ON FUNCTION _pg_operations_internal.quantile_breaks_combine(internal, internal) IS 'Internal: combine function of the aggregate quantile_breaks (state Values).';
COMMENT ON FUNCTION _pg_operations_internal.quantile_breaks_serial(internal) IS 'Internal: serial function of the aggregate quantile_breaks (state Values).';
COMMENT ON FUNCTION _pg_operations_internal.quantile_breaks_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate quantile_breaks (state Values).';
COMMENT ON FUNCTION _pg_operations_internal.quantile_breaks_transition(internal, float8, float8[]) IS 'Internal: transition function of the aggregate quantile_breaks(float8, float8[]).';
COMMENT ON AGGREGATE quantile_breaks(float8, float8[]) IS 'Breaks at the given probabilities, exactly equal to percentile_cont(probs) WITHIN GROUP (ORDER BY value); parallel safe. NULL values are skipped; no rows gives NULL.';
COMMENT ON FUNCTION _pg_operations_internal.generate_demo_events_raw(bigint, int, bigint) IS 'Internal: generate_demo_events with amounts in integer cents.';
COMMENT ON FUNCTION generate_demo_events(bigint, int, bigint) IS 'Deterministic demo data: users 1..users over days days from 2026-01-01 UTC (same seed, same rows). Events: register, view_list, view_detail, click_invest, click_submit, pay (amount), redeem (amount); channels app_store, search_ads, referral, social, partner differ in traffic and quality. About 20 events per user.';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_final(internal) IS 'Internal: final function of the aggregate window_funnel (state User).';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_combine(internal, internal) IS 'Internal: combine function of the aggregate window_funnel (state User).';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_serial(internal) IS 'Internal: serial function of the aggregate window_funnel (state User).';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate window_funnel (state User).';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, bool[], interval) IS 'Internal: transition function of the aggregate window_funnel(timestamptz, bool[], interval).';
COMMENT ON AGGREGATE window_funnel(timestamptz, bool[], interval) IS 'Per-user funnel: the deepest step (1..n) reached by any chain of events that starts at a row matching conds[1] and matches conds[2], conds[3], ... in order within window of its start (inclusive); 0 when step 1 never matched. Rows with NULL ts or conds are skipped (NULL when none is left); NULL elements of conds count as false. Up to 64 steps. See docs/funnels.md.';
COMMENT ON FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, bool[], interval, text) IS 'Internal: transition function of the aggregate window_funnel(timestamptz, bool[], interval, text).';
COMMENT ON AGGREGATE window_funnel(timestamptz, bool[], interval, text) IS 'Per-user funnel under mode (default, strict_order, strict_deduplication, strict_increase or a comma-separated combination; ClickHouse windowFunnel meanings): otherwise as window_funnel(ts, conds, window). See docs/funnels.md.';
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
COMMENT ON TYPE _pg_operations_internal.rfm_values IS 'Per-user RFM values from rfm_agg: whole days from the last transaction to as_of, number of transactions, sum of amounts, first and last transaction time.';
COMMENT ON FUNCTION rfm_cell(float8, float8, float8, _pg_operations_internal.rfm_breaks) IS 'Tie-aware RFM scores from population breaks: f = 1 + #{breaks.frequency < frequency}, m likewise, r = 1 + #{breaks.recency > recency_days}; cell ''R5F4M3'' and the classic segment (5 bins). A NULL metric gives a NULL score (and NULL cell/segment); NULL breaks give NULL.';
COMMENT ON FUNCTION rfm_segment(int, int, int, text, text) IS 'Named RFM segment of 1..5 scores: scheme ''classic'' (11 segments on R and FM = (F + M + 1) / 2) or ''value8'' (high = score > 3 per dimension, 8 value classes); lang ''en'' or ''zh''. Unknown scheme/lang or a score outside 1..5 is error 22023.';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_final(internal) IS 'Internal: final function of the aggregate rfm_agg (state Transactions).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_combine(internal, internal) IS 'Internal: combine function of the aggregate rfm_agg (state Transactions).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_serial(internal) IS 'Internal: serial function of the aggregate rfm_agg (state Transactions).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate rfm_agg (state Transactions).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_agg_transition(internal, timestamptz, numeric, timestamptz) IS 'Internal: transition function of the aggregate rfm_agg(timestamptz, numeric, timestamptz).';
COMMENT ON AGGREGATE rfm_agg(timestamptz, numeric, timestamptz) IS 'Per-user RFM values (recency_days, frequency, monetary, first_at, last_at) over transactions with ts <= as_of: recency is whole days from the last transaction to as_of, frequency counts rows with a non-NULL ts, monetary sums the non-NULL amounts exactly (as count(ts) and sum(amount)). Infinite as_of is error 22023.';
COMMENT ON FUNCTION _pg_operations_internal.rfm_breaks_final(internal) IS 'Internal: final function of the aggregate rfm_breaks (state Metrics).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_breaks_combine(internal, internal) IS 'Internal: combine function of the aggregate rfm_breaks (state Metrics).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_breaks_serial(internal) IS 'Internal: serial function of the aggregate rfm_breaks (state Metrics).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_breaks_deserial(bytea, internal) IS 'Internal: deserial function of the aggregate rfm_breaks (state Metrics).';
COMMENT ON FUNCTION _pg_operations_internal.rfm_breaks_transition(internal, float8, float8, float8) IS 'Internal: transition function of the aggregate rfm_breaks(float8, float8, float8).';
COMMENT ON AGGREGATE rfm_breaks(float8, float8, float8) IS 'Population breaks for 5 RFM bins: per metric, percentile_cont(k / 5) for k = 1 .. 4 (NULLs skipped per metric). Feed the result to rfm_cell.';
COMMENT ON FUNCTION _pg_operations_internal.rfm_breaks_transition(internal, float8, float8, float8, int) IS 'Internal: transition function of the aggregate rfm_breaks(float8, float8, float8, int).';
COMMENT ON AGGREGATE rfm_breaks(float8, float8, float8, int) IS 'Population breaks for bins RFM bins (2 .. 100): per metric, percentile_cont(k / bins) for k = 1 .. bins-1. bins < 2 is error 22023, bins > 100 is 54000.';
COMMENT ON TYPE _pg_operations_internal.intent_contribution IS 'One weighted event of intent_score_detail: the event name, how many such events fell in the window, and their (decayed) contribution to the score.';
COMMENT ON TYPE _pg_operations_internal.retention_cell IS 'One cell of a cohort retention matrix: the cohort''s first day (local date of its period start), period k, the cohort''s users, those retained in period k, the rate with its 95 % Wilson interval, and whether period k had wholly happened by as_of.';
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
