-- SSPACE on the per-user aggregates is the typical size in bytes of one group's state
-- (the Rust struct lives outside PostgreSQL's memory accounting). Without it PostgreSQL
-- assumes several kilobytes per internal state and spills GROUP BY user_id hash tables to
-- disk long before work_mem is really used (measured: 6.1 s -> 4.3 s on 10M rows).
-- window_funnel(ts, conds, window [, mode]) -> int: per-user deepest step.
CREATE AGGREGATE window_funnel(ts timestamptz, conds bool[], "window" interval) (
    SFUNC = window_funnel_sfunc,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = window_funnel_final,
    COMBINEFUNC = window_funnel_combine,
    SERIALFUNC = window_funnel_serial,
    DESERIALFUNC = window_funnel_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE window_funnel(timestamptz, bool[], interval) IS
  'Per-user funnel: the deepest step (1..n) reached by any chain of events that starts at a row matching conds[1] and matches conds[2], conds[3], ... in order within window of its start (inclusive); 0 when step 1 never matched. Rows with NULL ts or conds are skipped (NULL when none is left); NULL elements of conds count as false. Up to 64 steps. See docs/funnels.md.';

CREATE AGGREGATE window_funnel(ts timestamptz, conds bool[], "window" interval, mode text) (
    SFUNC = window_funnel_mode_sfunc,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = window_funnel_final,
    COMBINEFUNC = window_funnel_combine,
    SERIALFUNC = window_funnel_serial,
    DESERIALFUNC = window_funnel_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE window_funnel(timestamptz, bool[], interval, text) IS
  'Per-user funnel: the deepest step (1..n) reached by any chain of events that starts at a row matching conds[1] and matches conds[2], conds[3], ... in order within window of its start (inclusive) under mode (default, strict_order, strict_deduplication, strict_increase or a comma-separated combination; ClickHouse windowFunnel meanings); 0 when step 1 never matched. Rows with NULL ts or conds are skipped (NULL when none is left); NULL elements of conds count as false. Up to 64 steps. See docs/funnels.md.';

-- funnel_step_rates(user_id, ts, conds, window [, step_names [, mode]]) -> funnel_step[]
CREATE AGGREGATE funnel_step_rates(user_id bigint, ts timestamptz, conds bool[], "window" interval) (
    SFUNC = funnel_rates_id_sfunc,
    STYPE = internal,
    FINALFUNC = funnel_rates_id_final,
    COMBINEFUNC = funnel_rates_id_combine,
    SERIALFUNC = funnel_rates_id_serial,
    DESERIALFUNC = funnel_rates_id_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_step_rates(bigint, timestamptz, bool[], interval) IS
  'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default ''step 1'', ''step 2'', ...). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md.';

CREATE AGGREGATE funnel_step_rates(user_id bigint, ts timestamptz, conds bool[], "window" interval, step_names text[]) (
    SFUNC = funnel_rates_id_names_sfunc,
    STYPE = internal,
    FINALFUNC = funnel_rates_id_final,
    COMBINEFUNC = funnel_rates_id_combine,
    SERIALFUNC = funnel_rates_id_serial,
    DESERIALFUNC = funnel_rates_id_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_step_rates(bigint, timestamptz, bool[], interval, text[]) IS
  'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default ''step 1'', ''step 2'', ...). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md.';

CREATE AGGREGATE funnel_step_rates(user_id bigint, ts timestamptz, conds bool[], "window" interval, step_names text[], mode text) (
    SFUNC = funnel_rates_id_names_mode_sfunc,
    STYPE = internal,
    FINALFUNC = funnel_rates_id_final,
    COMBINEFUNC = funnel_rates_id_combine,
    SERIALFUNC = funnel_rates_id_serial,
    DESERIALFUNC = funnel_rates_id_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_step_rates(bigint, timestamptz, bool[], interval, text[], text) IS
  'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default ''step 1'', ''step 2'', ...). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md.';

CREATE AGGREGATE funnel_step_rates(user_id text, ts timestamptz, conds bool[], "window" interval) (
    SFUNC = funnel_rates_text_sfunc,
    STYPE = internal,
    FINALFUNC = funnel_rates_text_final,
    COMBINEFUNC = funnel_rates_text_combine,
    SERIALFUNC = funnel_rates_text_serial,
    DESERIALFUNC = funnel_rates_text_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_step_rates(text, timestamptz, bool[], interval) IS
  'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default ''step 1'', ''step 2'', ...). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md.';

CREATE AGGREGATE funnel_step_rates(user_id text, ts timestamptz, conds bool[], "window" interval, step_names text[]) (
    SFUNC = funnel_rates_text_names_sfunc,
    STYPE = internal,
    FINALFUNC = funnel_rates_text_final,
    COMBINEFUNC = funnel_rates_text_combine,
    SERIALFUNC = funnel_rates_text_serial,
    DESERIALFUNC = funnel_rates_text_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_step_rates(text, timestamptz, bool[], interval, text[]) IS
  'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default ''step 1'', ''step 2'', ...). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md.';

CREATE AGGREGATE funnel_step_rates(user_id text, ts timestamptz, conds bool[], "window" interval, step_names text[], mode text) (
    SFUNC = funnel_rates_text_names_mode_sfunc,
    STYPE = internal,
    FINALFUNC = funnel_rates_text_final,
    COMBINEFUNC = funnel_rates_text_combine,
    SERIALFUNC = funnel_rates_text_serial,
    DESERIALFUNC = funnel_rates_text_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_step_rates(text, timestamptz, bool[], interval, text[], text) IS
  'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default ''step 1'', ''step 2'', ...). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md.';

-- funnel_step_rates(user_id, ts, event, steps, window [, mode]) -> funnel_step[]
CREATE AGGREGATE funnel_step_rates(user_id bigint, ts timestamptz, event text, steps text[], "window" interval) (
    SFUNC = funnel_rates_id_event_sfunc,
    STYPE = internal,
    FINALFUNC = funnel_rates_id_final,
    COMBINEFUNC = funnel_rates_id_combine,
    SERIALFUNC = funnel_rates_id_serial,
    DESERIALFUNC = funnel_rates_id_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_step_rates(bigint, timestamptz, text, text[], interval) IS
  'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Step k matches rows whose event equals steps[k]; the step names are the name column. Rows with NULL user_id, ts or event are skipped. See docs/funnels.md.';

CREATE AGGREGATE funnel_step_rates(user_id bigint, ts timestamptz, event text, steps text[], "window" interval, mode text) (
    SFUNC = funnel_rates_id_event_mode_sfunc,
    STYPE = internal,
    FINALFUNC = funnel_rates_id_final,
    COMBINEFUNC = funnel_rates_id_combine,
    SERIALFUNC = funnel_rates_id_serial,
    DESERIALFUNC = funnel_rates_id_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_step_rates(bigint, timestamptz, text, text[], interval, text) IS
  'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Step k matches rows whose event equals steps[k]; the step names are the name column. Rows with NULL user_id, ts or event are skipped. See docs/funnels.md.';

CREATE AGGREGATE funnel_step_rates(user_id text, ts timestamptz, event text, steps text[], "window" interval) (
    SFUNC = funnel_rates_text_event_sfunc,
    STYPE = internal,
    FINALFUNC = funnel_rates_text_final,
    COMBINEFUNC = funnel_rates_text_combine,
    SERIALFUNC = funnel_rates_text_serial,
    DESERIALFUNC = funnel_rates_text_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_step_rates(text, timestamptz, text, text[], interval) IS
  'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Step k matches rows whose event equals steps[k]; the step names are the name column. Rows with NULL user_id, ts or event are skipped. See docs/funnels.md.';

CREATE AGGREGATE funnel_step_rates(user_id text, ts timestamptz, event text, steps text[], "window" interval, mode text) (
    SFUNC = funnel_rates_text_event_mode_sfunc,
    STYPE = internal,
    FINALFUNC = funnel_rates_text_final,
    COMBINEFUNC = funnel_rates_text_combine,
    SERIALFUNC = funnel_rates_text_serial,
    DESERIALFUNC = funnel_rates_text_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_step_rates(text, timestamptz, text, text[], interval, text) IS
  'One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Step k matches rows whose event equals steps[k]; the step names are the name column. Rows with NULL user_id, ts or event are skipped. See docs/funnels.md.';

-- funnel_step_rates(level, step_names) -> funnel_step[]: two-stage form over window_funnel levels.
CREATE AGGREGATE funnel_step_rates(level int, step_names text[]) (
    SFUNC = funnel_levels_sfunc,
    STYPE = internal,
    FINALFUNC = funnel_levels_final,
    COMBINEFUNC = funnel_levels_combine,
    SERIALFUNC = funnel_levels_serial,
    DESERIALFUNC = funnel_levels_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_step_rates(int, text[]) IS
  'Two-stage population funnel over per-user levels from window_funnel (one row per user): the same funnel_step rows as the one-shot form, median_seconds_from_previous NULL. NULL levels are skipped; a level outside 0..n is error 22023.';

COMMENT ON FUNCTION window_funnel_sfunc(internal, timestamptz, bool[], interval) IS 'Internal: transition function of window_funnel.';
COMMENT ON FUNCTION window_funnel_mode_sfunc(internal, timestamptz, bool[], interval, text) IS 'Internal: transition function of window_funnel with mode.';
COMMENT ON FUNCTION window_funnel_final(internal) IS 'Internal: final function of window_funnel.';
COMMENT ON FUNCTION window_funnel_combine(internal, internal) IS 'Internal: combine function of window_funnel.';
COMMENT ON FUNCTION window_funnel_serial(internal) IS 'Internal: serial function of window_funnel.';
COMMENT ON FUNCTION window_funnel_deserial(bytea, internal) IS 'Internal: deserial function of window_funnel.';
COMMENT ON FUNCTION funnel_rates_id_sfunc(internal, bigint, timestamptz, bool[], interval) IS 'Internal: transition function of funnel_step_rates (bigint user_id, conds).';
COMMENT ON FUNCTION funnel_rates_id_names_sfunc(internal, bigint, timestamptz, bool[], interval, text[]) IS 'Internal: transition function of funnel_step_rates (bigint user_id, conds, step_names).';
COMMENT ON FUNCTION funnel_rates_id_names_mode_sfunc(internal, bigint, timestamptz, bool[], interval, text[], text) IS 'Internal: transition function of funnel_step_rates (bigint user_id, conds, step_names, mode).';
COMMENT ON FUNCTION funnel_rates_id_event_sfunc(internal, bigint, timestamptz, text, text[], interval) IS 'Internal: transition function of funnel_step_rates (bigint user_id, event).';
COMMENT ON FUNCTION funnel_rates_id_event_mode_sfunc(internal, bigint, timestamptz, text, text[], interval, text) IS 'Internal: transition function of funnel_step_rates (bigint user_id, event, mode).';
COMMENT ON FUNCTION funnel_rates_id_final(internal) IS 'Internal: final function of the one-shot funnel_step_rates (bigint user_id).';
COMMENT ON FUNCTION funnel_rates_id_combine(internal, internal) IS 'Internal: combine function of the one-shot funnel_step_rates (bigint user_id).';
COMMENT ON FUNCTION funnel_rates_id_serial(internal) IS 'Internal: serial function of the one-shot funnel_step_rates (bigint user_id).';
COMMENT ON FUNCTION funnel_rates_id_deserial(bytea, internal) IS 'Internal: deserial function of the one-shot funnel_step_rates (bigint user_id).';
COMMENT ON FUNCTION funnel_rates_text_sfunc(internal, text, timestamptz, bool[], interval) IS 'Internal: transition function of funnel_step_rates (text user_id, conds).';
COMMENT ON FUNCTION funnel_rates_text_names_sfunc(internal, text, timestamptz, bool[], interval, text[]) IS 'Internal: transition function of funnel_step_rates (text user_id, conds, step_names).';
COMMENT ON FUNCTION funnel_rates_text_names_mode_sfunc(internal, text, timestamptz, bool[], interval, text[], text) IS 'Internal: transition function of funnel_step_rates (text user_id, conds, step_names, mode).';
COMMENT ON FUNCTION funnel_rates_text_event_sfunc(internal, text, timestamptz, text, text[], interval) IS 'Internal: transition function of funnel_step_rates (text user_id, event).';
COMMENT ON FUNCTION funnel_rates_text_event_mode_sfunc(internal, text, timestamptz, text, text[], interval, text) IS 'Internal: transition function of funnel_step_rates (text user_id, event, mode).';
COMMENT ON FUNCTION funnel_rates_text_final(internal) IS 'Internal: final function of the one-shot funnel_step_rates (text user_id).';
COMMENT ON FUNCTION funnel_rates_text_combine(internal, internal) IS 'Internal: combine function of the one-shot funnel_step_rates (text user_id).';
COMMENT ON FUNCTION funnel_rates_text_serial(internal) IS 'Internal: serial function of the one-shot funnel_step_rates (text user_id).';
COMMENT ON FUNCTION funnel_rates_text_deserial(bytea, internal) IS 'Internal: deserial function of the one-shot funnel_step_rates (text user_id).';
COMMENT ON FUNCTION funnel_levels_sfunc(internal, int, text[]) IS 'Internal: transition function of the two-stage funnel_step_rates(level, step_names).';
COMMENT ON FUNCTION funnel_levels_final(internal) IS 'Internal: final function of the two-stage funnel_step_rates.';
COMMENT ON FUNCTION funnel_levels_combine(internal, internal) IS 'Internal: combine function of the two-stage funnel_step_rates.';
COMMENT ON FUNCTION funnel_levels_serial(internal) IS 'Internal: serial function of the two-stage funnel_step_rates.';
COMMENT ON FUNCTION funnel_levels_deserial(bytea, internal) IS 'Internal: deserial function of the two-stage funnel_step_rates.';
