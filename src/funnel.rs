//! SQL glue for funnels: `window_funnel` (per-user deepest step) and `funnel_step_rates`
//! (population funnel, one-shot over raw events or two-stage over per-user levels).
//!
//! Every aggregate keeps a core state behind `internal` (`UserFunnel`, `PopulationFunnel`,
//! `LevelCounts`); its configuration (steps, window, mode, names) is decoded once, on the
//! group's first non-skipped row. The `CREATE AGGREGATE` statements are in sql/funnel.sql.

use crate::agg;
use crate::composite;
use crate::errors::{invalid, OrRaise};
use pg_operations_core::funnel::{
    FunnelConfig, FunnelMode, LevelCounts, PopulationFunnel, StepRow, UserFunnel, UserKey,
    MAX_STEPS,
};
use pg_operations_core::OpsResult;
use pgrx::prelude::*;
use pgrx::{pg_sys, Internal};

type FunnelStep = pgrx::composite_type!('static, "funnel_step");

crate::core_agg_state!(UserFunnel);

crate::core_agg_state!(impl[K: UserKey + 'static] PopulationFunnel<K>);

crate::core_agg_state!(LevelCounts);

const WF: &str = "window_funnel";
const FSR: &str = "funnel_step_rates";

// ---------------------------------------------------------------------------------------
// Configuration, decoded once per group
// ---------------------------------------------------------------------------------------

/// The window in microseconds (a month counts 30 days); NULL or not positive is 22023.
fn window_micros(window: Option<Interval>, caller: &str) -> i64 {
    let Some(window) = window else {
        invalid(format!("{caller}: window must not be NULL"))
    };
    let micros = window.as_micros();
    if micros <= 0 {
        invalid(format!(
            "{caller}: window must be a positive interval, got '{window}'"
        ));
    }
    i64::try_from(micros).unwrap_or(i64::MAX)
}

/// The mode argument: `None` = the form without a mode (default), `Some(None)` = SQL NULL.
fn funnel_mode(mode: Option<Option<&str>>, caller: &str) -> FunnelMode {
    match mode {
        None => FunnelMode::default(),
        Some(None) => invalid(format!("{caller}: mode must not be NULL")),
        Some(Some(text)) => or_raise_in(FunnelMode::parse(text), caller),
    }
}

/// The elements of a `text[]` configuration argument; NULL array or element is 22023.
fn text_list(list: Option<Array<&str>>, what: &str, caller: &str) -> Vec<String> {
    let Some(list) = list else {
        invalid(format!("{caller}: {what} must not be NULL"))
    };
    list.iter()
        .enumerate()
        .map(|(i, name)| match name {
            Some(name) => name.to_string(),
            None => invalid(format!("{caller}: {what}[{}] is NULL", i + 1)),
        })
        .collect()
}

/// `'step 1'`, `'step 2'`, ...: the names used when the conds form has no `step_names`.
fn default_names(nsteps: usize) -> Vec<String> {
    (1..=nsteps).map(|i| format!("step {i}")).collect()
}

/// The steps a `conds bool[]` row matches (NULL elements count as false).
fn conds_mask(conds: &Array<bool>) -> u64 {
    conds
        .iter()
        .take(MAX_STEPS)
        .enumerate()
        .fold(0, |mask, (i, c)| {
            if c == Some(true) {
                mask | 1u64 << i
            } else {
                mask
            }
        })
}

/// Rejects a row whose `conds` length differs from the group's first row.
fn check_conds_len(expected: usize, got: usize, caller: &str) {
    if expected != got {
        invalid(format!(
            "{caller}: conds has {got} elements on this row but {expected} on the group's first row; \
             every row must have one condition per step"
        ));
    }
}

/// Unwraps a core result or raises its error, prefixed with the SQL function's name.
fn or_raise_in<T>(result: OpsResult<T>, caller: &str) -> T {
    result
        .map_err(|mut e| {
            e.message = format!("{caller}: {}", e.message);
            e
        })
        .or_raise()
}

fn micros(ts: TimestampWithTimeZone) -> i64 {
    pg_sys::TimestampTz::from(ts)
}

// ---------------------------------------------------------------------------------------
// window_funnel(ts, conds, window [, mode]) -> int
// ---------------------------------------------------------------------------------------

fn window_funnel_step(
    mut state: Internal,
    ts: Option<TimestampWithTimeZone>,
    conds: Option<Array<bool>>,
    window: Option<Interval>,
    mode: Option<Option<&str>>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let (Some(ts), Some(conds)) = (ts, conds) else {
        return state;
    };
    let len = conds.len();
    // SAFETY: every window_funnel support function uses UserFunnel (sql/funnel.sql).
    let s = unsafe {
        agg::state_mut(&mut state, fcinfo, WF, || {
            let window = window_micros(window, WF);
            let mode = funnel_mode(mode, WF);
            UserFunnel::new(or_raise_in(FunnelConfig::new(len, window, mode), WF))
        })
    };
    check_conds_len(s.cfg.nsteps, len, WF);
    s.push(micros(ts), conds_mask(&conds));
    state
}

#[pg_extern(immutable, parallel_safe)]
fn window_funnel_sfunc(
    state: Internal,
    ts: Option<TimestampWithTimeZone>,
    conds: Option<Array<bool>>,
    window: Option<Interval>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    window_funnel_step(state, ts, conds, window, None, fcinfo)
}

#[pg_extern(immutable, parallel_safe)]
fn window_funnel_mode_sfunc(
    state: Internal,
    ts: Option<TimestampWithTimeZone>,
    conds: Option<Array<bool>>,
    window: Option<Interval>,
    mode: Option<&str>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    window_funnel_step(state, ts, conds, window, Some(mode), fcinfo)
}

/// The deepest step reached; NULL when the group had no row with a timestamp and conds.
#[pg_extern(immutable, parallel_safe)]
fn window_funnel_final(mut state: Internal) -> Option<i32> {
    // SAFETY: see window_funnel_step.
    unsafe { agg::existing::<UserFunnel>(&mut state) }.map(|s| i32::from(s.finish()))
}

#[pg_extern(immutable, parallel_safe)]
fn window_funnel_combine(a: Internal, b: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    // SAFETY: see window_funnel_step.
    unsafe { agg::combine::<UserFunnel>(a, b, fcinfo, WF) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn window_funnel_serial(state: Internal) -> Vec<u8> {
    // SAFETY: see window_funnel_step.
    unsafe { agg::serialize::<UserFunnel>(state) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn window_funnel_deserial(
    bytes: &[u8],
    _unused: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    agg::deserialize::<UserFunnel>(bytes, fcinfo, WF)
}

// ---------------------------------------------------------------------------------------
// Output rows
// ---------------------------------------------------------------------------------------

fn step_rows_sql(rows: Vec<StepRow>, fcinfo: pg_sys::FunctionCallInfo) -> Vec<FunnelStep> {
    rows.into_iter()
        .map(|r| {
            composite::row(
                fcinfo,
                "funnel_step",
                vec![
                    r.step.into_datum(),
                    r.name.into_datum(),
                    r.users.into_datum(),
                    r.rate_from_previous.into_datum(),
                    r.rate_from_first.into_datum(),
                    r.ci_low.into_datum(),
                    r.ci_high.into_datum(),
                    r.median_seconds_from_previous.into_datum(),
                ],
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// One-shot funnel_step_rates(user_id, ts, conds, window [, step_names [, mode]])
// ---------------------------------------------------------------------------------------

/// A `user_id` argument as the transition function receives it (`bigint` or borrowed `text`).
trait SqlKey: Copy {
    type Owned: UserKey + 'static;
    fn push(self, state: &mut PopulationFunnel<Self::Owned>, ts: i64, mask: u64);
    fn push_event(self, state: &mut PopulationFunnel<Self::Owned>, ts: i64, event: &str);
}

impl SqlKey for i64 {
    type Owned = i64;
    fn push(self, state: &mut PopulationFunnel<i64>, ts: i64, mask: u64) {
        state.push(self, ts, mask);
    }
    fn push_event(self, state: &mut PopulationFunnel<i64>, ts: i64, event: &str) {
        state.push_event(self, ts, Some(event));
    }
}

impl SqlKey for &str {
    type Owned = String;
    fn push(self, state: &mut PopulationFunnel<String>, ts: i64, mask: u64) {
        state.push_str(self, ts, mask);
    }
    fn push_event(self, state: &mut PopulationFunnel<String>, ts: i64, event: &str) {
        state.push_event_str(self, ts, Some(event));
    }
}

/// The optional trailing arguments of the conds form: `None` = the form without them.
struct CondsOptions<'a, 'b, 'c> {
    names: Option<Option<Array<'a, &'b str>>>,
    mode: Option<Option<&'c str>>,
}

const NO_OPTIONS: CondsOptions<'static, 'static, 'static> = CondsOptions {
    names: None,
    mode: None,
};

fn conds_form_step<K: SqlKey>(
    mut state: Internal,
    key: Option<K>,
    ts: Option<TimestampWithTimeZone>,
    conds: Option<Array<bool>>,
    window: Option<Interval>,
    options: CondsOptions<'_, '_, '_>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let (Some(key), Some(ts), Some(conds)) = (key, ts, conds) else {
        return state;
    };
    let len = conds.len();
    // SAFETY: each funnel_step_rates aggregate pairs PopulationFunnel<K> support functions
    // of one key type (sql/funnel.sql).
    let s = unsafe {
        agg::state_mut(&mut state, fcinfo, FSR, || {
            let window = window_micros(window, FSR);
            let mode = funnel_mode(options.mode, FSR);
            let cfg = or_raise_in(FunnelConfig::new(len, window, mode), FSR);
            let names = match options.names {
                None | Some(None) => default_names(len),
                Some(names) => text_list(names, "step_names", FSR),
            };
            or_raise_in(PopulationFunnel::<K::Owned>::new(cfg, Some(names)), FSR)
        })
    };
    check_conds_len(s.cfg.nsteps, len, FSR);
    key.push(s, micros(ts), conds_mask(&conds));
    state
}

/// Argument positions of the event form's configuration (after state, user, ts, event).
const ARG_STEPS: usize = 4;
const ARG_WINDOW: usize = 5;
const ARG_MODE: usize = 6;

/// Transition of the event-name form. Only the per-row arguments (user, ts, event) are
/// decoded on every row; `steps`, `window` and `mode` are read from the call frame once, when
/// the group's state is created, because decoding a `text[]` and an interval on each of
/// millions of rows cost more than the funnel matching itself.
fn event_form_step<K: SqlKey>(
    mut state: Internal,
    key: Option<K>,
    ts: Option<TimestampWithTimeZone>,
    event: Option<&str>,
    has_mode: bool,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let (Some(key), Some(ts), Some(event)) = (key, ts, event) else {
        return state;
    };
    // SAFETY: as in conds_form_step; the pg_getarg calls read this frame's own arguments at
    // the positions the SQL signatures in sql/funnel.sql declare.
    let s = unsafe {
        agg::state_mut(&mut state, fcinfo, FSR, || {
            let steps = text_list(pgrx::fcinfo::pg_getarg(fcinfo, ARG_STEPS), "steps", FSR);
            let window = window_micros(pgrx::fcinfo::pg_getarg(fcinfo, ARG_WINDOW), FSR);
            let mode = if has_mode {
                funnel_mode(Some(pgrx::fcinfo::pg_getarg(fcinfo, ARG_MODE)), FSR)
            } else {
                funnel_mode(None, FSR)
            };
            or_raise_in(
                PopulationFunnel::<K::Owned>::for_events(steps, window, mode),
                FSR,
            )
        })
    };
    key.push_event(s, micros(ts), event);
    state
}

fn population_final<K: UserKey + 'static>(
    mut state: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<Vec<FunnelStep>> {
    // SAFETY: as in conds_form_step.
    let s = unsafe { agg::existing::<PopulationFunnel<K>>(&mut state) }?;
    let rows = s.finish(&mut || {
        pgrx::check_for_interrupts!();
    });
    Some(step_rows_sql(rows, fcinfo))
}

#[pg_extern(immutable, parallel_safe)]
fn funnel_rates_id_sfunc(
    state: Internal,
    user_id: Option<i64>,
    ts: Option<TimestampWithTimeZone>,
    conds: Option<Array<bool>>,
    window: Option<Interval>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    conds_form_step(state, user_id, ts, conds, window, NO_OPTIONS, fcinfo)
}

#[pg_extern(immutable, parallel_safe)]
fn funnel_rates_id_names_sfunc(
    state: Internal,
    user_id: Option<i64>,
    ts: Option<TimestampWithTimeZone>,
    conds: Option<Array<bool>>,
    window: Option<Interval>,
    step_names: Option<Array<&str>>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let options = CondsOptions {
        names: Some(step_names),
        mode: None,
    };
    conds_form_step(state, user_id, ts, conds, window, options, fcinfo)
}

#[pg_extern(immutable, parallel_safe)]
#[allow(clippy::too_many_arguments)]
fn funnel_rates_id_names_mode_sfunc(
    state: Internal,
    user_id: Option<i64>,
    ts: Option<TimestampWithTimeZone>,
    conds: Option<Array<bool>>,
    window: Option<Interval>,
    step_names: Option<Array<&str>>,
    mode: Option<&str>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let options = CondsOptions {
        names: Some(step_names),
        mode: Some(mode),
    };
    conds_form_step(state, user_id, ts, conds, window, options, fcinfo)
}

#[pg_extern(immutable, parallel_safe)]
fn funnel_rates_text_sfunc(
    state: Internal,
    user_id: Option<&str>,
    ts: Option<TimestampWithTimeZone>,
    conds: Option<Array<bool>>,
    window: Option<Interval>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    conds_form_step(state, user_id, ts, conds, window, NO_OPTIONS, fcinfo)
}

#[pg_extern(immutable, parallel_safe)]
fn funnel_rates_text_names_sfunc(
    state: Internal,
    user_id: Option<&str>,
    ts: Option<TimestampWithTimeZone>,
    conds: Option<Array<bool>>,
    window: Option<Interval>,
    step_names: Option<Array<&str>>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let options = CondsOptions {
        names: Some(step_names),
        mode: None,
    };
    conds_form_step(state, user_id, ts, conds, window, options, fcinfo)
}

#[pg_extern(immutable, parallel_safe)]
#[allow(clippy::too_many_arguments)]
fn funnel_rates_text_names_mode_sfunc(
    state: Internal,
    user_id: Option<&str>,
    ts: Option<TimestampWithTimeZone>,
    conds: Option<Array<bool>>,
    window: Option<Interval>,
    step_names: Option<Array<&str>>,
    mode: Option<&str>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let options = CondsOptions {
        names: Some(step_names),
        mode: Some(mode),
    };
    conds_form_step(state, user_id, ts, conds, window, options, fcinfo)
}

#[pg_extern(
    immutable,
    parallel_safe,
    sql = r#"
CREATE FUNCTION funnel_rates_id_event_sfunc(internal, bigint, timestamptz, text, text[], interval)
RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'funnel_rates_id_event_sfunc_wrapper';
"#
)]
fn funnel_rates_id_event_sfunc(
    state: Internal,
    user_id: Option<i64>,
    ts: Option<TimestampWithTimeZone>,
    event: Option<&str>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    event_form_step(state, user_id, ts, event, false, fcinfo)
}

#[pg_extern(
    immutable,
    parallel_safe,
    sql = r#"
CREATE FUNCTION funnel_rates_id_event_mode_sfunc(internal, bigint, timestamptz, text, text[], interval, text)
RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'funnel_rates_id_event_mode_sfunc_wrapper';
"#
)]
fn funnel_rates_id_event_mode_sfunc(
    state: Internal,
    user_id: Option<i64>,
    ts: Option<TimestampWithTimeZone>,
    event: Option<&str>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    event_form_step(state, user_id, ts, event, true, fcinfo)
}

#[pg_extern(
    immutable,
    parallel_safe,
    sql = r#"
CREATE FUNCTION funnel_rates_text_event_sfunc(internal, text, timestamptz, text, text[], interval)
RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'funnel_rates_text_event_sfunc_wrapper';
"#
)]
fn funnel_rates_text_event_sfunc(
    state: Internal,
    user_id: Option<&str>,
    ts: Option<TimestampWithTimeZone>,
    event: Option<&str>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    event_form_step(state, user_id, ts, event, false, fcinfo)
}

#[pg_extern(
    immutable,
    parallel_safe,
    sql = r#"
CREATE FUNCTION funnel_rates_text_event_mode_sfunc(internal, text, timestamptz, text, text[], interval, text)
RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'funnel_rates_text_event_mode_sfunc_wrapper';
"#
)]
fn funnel_rates_text_event_mode_sfunc(
    state: Internal,
    user_id: Option<&str>,
    ts: Option<TimestampWithTimeZone>,
    event: Option<&str>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    event_form_step(state, user_id, ts, event, true, fcinfo)
}

#[pg_extern(immutable, parallel_safe, requires = ["funnel_step_type"])]
fn funnel_rates_id_final(
    state: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<Vec<pgrx::composite_type!('static, "funnel_step")>> {
    population_final::<i64>(state, fcinfo)
}

#[pg_extern(immutable, parallel_safe, requires = ["funnel_step_type"])]
fn funnel_rates_text_final(
    state: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<Vec<pgrx::composite_type!('static, "funnel_step")>> {
    population_final::<String>(state, fcinfo)
}

#[pg_extern(immutable, parallel_safe)]
fn funnel_rates_id_combine(a: Internal, b: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    // SAFETY: as in conds_form_step.
    unsafe { agg::combine::<PopulationFunnel<i64>>(a, b, fcinfo, FSR) }
}

#[pg_extern(immutable, parallel_safe)]
fn funnel_rates_text_combine(
    a: Internal,
    b: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    // SAFETY: as in conds_form_step.
    unsafe { agg::combine::<PopulationFunnel<String>>(a, b, fcinfo, FSR) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn funnel_rates_id_serial(state: Internal) -> Vec<u8> {
    // SAFETY: as in conds_form_step.
    unsafe { agg::serialize::<PopulationFunnel<i64>>(state) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn funnel_rates_text_serial(state: Internal) -> Vec<u8> {
    // SAFETY: as in conds_form_step.
    unsafe { agg::serialize::<PopulationFunnel<String>>(state) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn funnel_rates_id_deserial(
    bytes: &[u8],
    _unused: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    agg::deserialize::<PopulationFunnel<i64>>(bytes, fcinfo, FSR)
}

#[pg_extern(immutable, parallel_safe, strict)]
fn funnel_rates_text_deserial(
    bytes: &[u8],
    _unused: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    agg::deserialize::<PopulationFunnel<String>>(bytes, fcinfo, FSR)
}

// ---------------------------------------------------------------------------------------
// Two-stage funnel_step_rates(level, step_names)
// ---------------------------------------------------------------------------------------

#[pg_extern(immutable, parallel_safe)]
fn funnel_levels_sfunc(
    mut state: Internal,
    level: Option<i32>,
    step_names: Option<Array<&str>>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let Some(level) = level else { return state };
    // SAFETY: every two-stage funnel_step_rates support function uses LevelCounts.
    let s = unsafe {
        agg::state_mut(&mut state, fcinfo, FSR, || {
            or_raise_in(
                LevelCounts::new(text_list(step_names, "step_names", FSR)),
                FSR,
            )
        })
    };
    or_raise_in(s.push(level), FSR);
    state
}

#[pg_extern(immutable, parallel_safe, requires = ["funnel_step_type"])]
fn funnel_levels_final(
    mut state: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<Vec<pgrx::composite_type!('static, "funnel_step")>> {
    // SAFETY: see funnel_levels_sfunc.
    let s = unsafe { agg::existing::<LevelCounts>(&mut state) }?;
    Some(step_rows_sql(s.finish(), fcinfo))
}

#[pg_extern(immutable, parallel_safe)]
fn funnel_levels_combine(a: Internal, b: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    // SAFETY: see funnel_levels_sfunc.
    unsafe { agg::combine::<LevelCounts>(a, b, fcinfo, FSR) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn funnel_levels_serial(state: Internal) -> Vec<u8> {
    // SAFETY: see funnel_levels_sfunc.
    unsafe { agg::serialize::<LevelCounts>(state) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn funnel_levels_deserial(
    bytes: &[u8],
    _unused: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    agg::deserialize::<LevelCounts>(bytes, fcinfo, FSR)
}

extension_sql!(
    r#"
CREATE TYPE funnel_step AS (
    step int,
    name text,
    users bigint,
    rate_from_previous float8,
    rate_from_first float8,
    ci_low float8,
    ci_high float8,
    median_seconds_from_previous float8
);
COMMENT ON TYPE funnel_step IS 'One step of a population funnel: users whose deepest step is at least step, rate from the previous step (step 1: from the whole population) with its 95 % Wilson interval, rate from step 1, and the median seconds from the previous step (one-shot form only).';
"#,
    name = "funnel_step_type"
);

extension_sql_file!(
    "../sql/funnel.sql",
    name = "funnel_sql",
    requires = [
        "funnel_step_type",
        window_funnel_sfunc,
        window_funnel_mode_sfunc,
        window_funnel_final,
        window_funnel_combine,
        window_funnel_serial,
        window_funnel_deserial,
        funnel_rates_id_sfunc,
        funnel_rates_id_names_sfunc,
        funnel_rates_id_names_mode_sfunc,
        funnel_rates_text_sfunc,
        funnel_rates_text_names_sfunc,
        funnel_rates_text_names_mode_sfunc,
        funnel_rates_id_event_sfunc,
        funnel_rates_id_event_mode_sfunc,
        funnel_rates_text_event_sfunc,
        funnel_rates_text_event_mode_sfunc,
        funnel_rates_id_final,
        funnel_rates_text_final,
        funnel_rates_id_combine,
        funnel_rates_text_combine,
        funnel_rates_id_serial,
        funnel_rates_text_serial,
        funnel_rates_id_deserial,
        funnel_rates_text_deserial,
        funnel_levels_sfunc,
        funnel_levels_final,
        funnel_levels_combine,
        funnel_levels_serial,
        funnel_levels_deserial,
    ]
);

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use pgrx::prelude::*;

    #[pg_test]
    fn window_funnel_hand_worked() {
        let level = Spi::get_one::<i32>(
            "SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b', e = 'c'], interval '10 seconds')
             FROM (VALUES (timestamptz '2026-01-01 00:00:10', 'b'), ('2026-01-01 00:00:00', 'a'),
                          ('2026-01-01 00:00:11', 'c')) v(ts, e)",
        );
        assert_eq!(level, Ok(Some(2)));
        let level = Spi::get_one::<i32>(
            "SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '10 seconds', 'strict_increase')
             FROM (VALUES (timestamptz '2026-01-01 00:00:00', 'a'), ('2026-01-01 00:00:05', 'a'),
                          ('2026-01-01 00:00:05', 'b')) v(ts, e)",
        );
        assert_eq!(level, Ok(Some(2)));
    }

    #[pg_test]
    fn one_shot_equals_two_stage() {
        let same = Spi::get_one::<bool>(
            "WITH e AS (SELECT * FROM generate_demo_events(300, 30, 7)),
                  one AS (SELECT funnel_step_rates(user_id, ts, event,
                                 ARRAY['view_list','view_detail','click_invest'], interval '7 days') r FROM e),
                  lv AS (SELECT window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail',
                                 event = 'click_invest'], interval '7 days') l FROM e GROUP BY user_id),
                  two AS (SELECT funnel_step_rates(l, ARRAY['view_list','view_detail','click_invest']) r FROM lv)
             SELECT (SELECT array_agg(x.users ORDER BY x.step) FROM one, unnest(one.r) x)
                  = (SELECT array_agg(x.users ORDER BY x.step) FROM two, unnest(two.r) x)",
        );
        assert_eq!(same, Ok(Some(true)));
    }

    #[pg_test(error = "window_funnel: window must be a positive interval, got '00:00:00'")]
    fn window_funnel_rejects_zero_window() {
        Spi::run("SELECT window_funnel(now(), ARRAY[true], interval '0 seconds')").unwrap();
    }
}
