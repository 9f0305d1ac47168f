//! Funnels: `window_funnel` (per-user deepest step) and `funnel_step_rates` (population
//! funnel, one-shot over raw events with bigint or text user ids, or two-stage over per-user
//! levels). Each aggregate's configuration (steps, window, mode, names) is decoded once, on
//! the group's first non-skipped row.

use crate::keys::{conds_mask, SqlKey};
use crate::pg::agg::{Boxed, Slot};
use crate::pg::errors::{invalid, null_argument, OrRaise};
use crate::pg::{Call, RowArray};
use pg_operations_core::funnel::{
    FunnelConfig, FunnelMode, LevelCounts, PopulationFunnel, StepRow, UserFunnel, UserKey,
};
use pg_operations_core::OpsResult;
use pgrx::datum::{Array, Interval};
use pgrx::IntoDatum;

const WF: &str = "window_funnel";
const FSR: &str = "funnel_step_rates";

/// The window in microseconds (a month counts 30 days); NULL or not positive is 22023.
fn window_micros(window: Option<Interval>, caller: &str) -> i64 {
    let Some(window) = window else {
        null_argument(caller, "window")
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
        Some(None) => null_argument(caller, "mode"),
        Some(Some(text)) => or_raise_in(FunnelMode::parse(text), caller),
    }
}

/// The elements of a `text[]` configuration argument; NULL array or element is 22023.
fn text_list(list: Option<Array<&str>>, what: &str, caller: &str) -> Vec<String> {
    let Some(list) = list else {
        null_argument(caller, what)
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

// ---------------------------------------------------------------------------------------
// window_funnel
// ---------------------------------------------------------------------------------------

fn window_funnel_step(
    slot: &mut Slot<'_, Boxed<UserFunnel>>,
    ts: Option<i64>,
    conds: Option<Array<bool>>,
    window: impl FnOnce() -> Option<Interval>,
    mode: impl FnOnce() -> Option<Option<&'static str>>,
) {
    let (Some(ts), Some(conds)) = (ts, conds) else {
        return;
    };
    let len = conds.len();
    let s = slot.get_or_init(|| {
        let window = window_micros(window(), WF);
        let mode = funnel_mode(mode(), WF);
        UserFunnel::new(or_raise_in(FunnelConfig::new(len, window, mode), WF))
    });
    check_conds_len(s.cfg.nsteps, len, WF);
    s.push(ts, conds_mask(&conds).1);
}

// ---------------------------------------------------------------------------------------
// funnel_step_rates
// ---------------------------------------------------------------------------------------

/// Transition of the conds form; `names` and `mode` are read only when a group starts
/// (`None` = the overload has no such argument).
fn conds_step<'fc, K: SqlKey>(
    slot: &mut Slot<'fc, Boxed<PopulationFunnel<K::Owned>>>,
    key: Option<K>,
    ts: Option<i64>,
    conds: Option<Array<bool>>,
    window: impl FnOnce() -> Option<Interval>,
    names: impl FnOnce() -> Option<Option<Array<'fc, &'fc str>>>,
    mode: impl FnOnce() -> Option<Option<&'fc str>>,
) {
    let (Some(key), Some(ts), Some(conds)) = (key, ts, conds) else {
        return;
    };
    let len = conds.len();
    let s = slot.get_or_init(|| {
        let window = window_micros(window(), FSR);
        let mode = funnel_mode(mode(), FSR);
        let cfg = or_raise_in(FunnelConfig::new(len, window, mode), FSR);
        let names = match names() {
            None | Some(None) => default_names(len),
            Some(names) => text_list(names, "step_names", FSR),
        };
        or_raise_in(PopulationFunnel::<K::Owned>::new(cfg, Some(names)), FSR)
    });
    check_conds_len(s.cfg.nsteps, len, FSR);
    key.funnel(s, ts, conds_mask(&conds).1);
}

/// Transition of the event-name form. Only the per-row arguments (user, ts, event) are
/// decoded on every row; `steps`, `window` and `mode` are read once, when the group's state
/// is created: decoding a `text[]` and an interval on each of millions of rows cost more
/// than the funnel matching itself.
fn event_step<'fc, K: SqlKey>(
    slot: &mut Slot<'fc, Boxed<PopulationFunnel<K::Owned>>>,
    key: Option<K>,
    ts: Option<i64>,
    event: Option<&str>,
    steps: impl FnOnce() -> Option<Array<'fc, &'fc str>>,
    window: impl FnOnce() -> Option<Interval>,
    mode: impl FnOnce() -> Option<Option<&'fc str>>,
) {
    let (Some(key), Some(ts), Some(event)) = (key, ts, event) else {
        return;
    };
    let s = slot.get_or_init(|| {
        let steps = text_list(steps(), "steps", FSR);
        let window = window_micros(window(), FSR);
        let mode = funnel_mode(mode(), FSR);
        or_raise_in(
            PopulationFunnel::<K::Owned>::for_events(steps, window, mode),
            FSR,
        )
    });
    key.funnel_event(s, ts, event);
}

/// `funnel_step[]` from the report rows.
fn step_rows(cx: &Call<'_>, rows: Vec<StepRow>) -> RowArray {
    let rows: Vec<_> = rows
        .into_iter()
        .map(|r| {
            vec![
                r.step.into_datum(),
                r.name.into_datum(),
                r.users.into_datum(),
                r.rate_from_previous.into_datum(),
                r.rate_from_first.into_datum(),
                r.ci_low.into_datum(),
                r.ci_high.into_datum(),
                r.median_seconds_from_previous.into_datum(),
            ]
        })
        .collect();
    cx.row_array(&rows)
}

fn population_final<K: UserKey>(
    s: Option<&mut PopulationFunnel<K>>,
    cx: &Call<'_>,
) -> Option<RowArray> {
    let rows = s?.finish(&mut || cx.check_interrupts());
    Some(step_rows(cx, rows))
}

pg_operations_macros::declare! {
    type funnel_step (step int, name text, users bigint, rate_from_previous float8,
                      rate_from_first float8, ci_low float8, ci_high float8,
                      median_seconds_from_previous float8)
        "One step of a population funnel: users whose deepest step is at least step, rate from the previous step (step 1: from the whole population) with its 95 % Wilson interval, rate from step 1, and the median seconds from the previous step (one-shot form only).";

    aggregate window_funnel -> int
        "Per-user funnel: the deepest step (1..n) reached by any chain of events that starts at a row matching conds[1] and matches conds[2], conds[3], ... in order within window of its start (inclusive); 0 when step 1 never matched. Rows with NULL ts or conds are skipped (NULL when none is left); NULL elements of conds count as false. Up to 64 steps. See docs/funnels.md."
    {
        state User: UserFunnel sspace 256 = |s, _| s.map(|s| i32::from(s.finish()));
        (ts timestamptz, conds bool[], window interval) User = |slot, a| {
            window_funnel_step(slot, a.ts(), a.conds(), || a.window(), || None)
        };
        (ts timestamptz, conds bool[], window interval, mode text) User
            "Per-user funnel under mode (default, strict_order, strict_deduplication, strict_increase or a comma-separated combination; ClickHouse windowFunnel meanings): otherwise as window_funnel(ts, conds, window). See docs/funnels.md."
            = |slot, a| {
                window_funnel_step(slot, a.ts(), a.conds(), || a.window(), || Some(a.mode()))
            };
    }

    aggregate funnel_step_rates -> funnel_step[]
        "One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default 'step 1', 'step 2', ...; mode as in window_funnel). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md."
    {
        state ById: PopulationFunnel<i64> = |s, cx| population_final(s, cx);
        state ByText: PopulationFunnel<String> = |s, cx| population_final(s, cx);
        state Levels: LevelCounts = |s, cx| s.map(|s| step_rows(cx, s.finish()));
        note events "One-shot population funnel over raw events by event name: step k matches rows whose event equals steps[k], and the step names are the steps (mode as in window_funnel). Otherwise as the conds form: one funnel_step row per step with users, rates, 95 % Wilson interval and median seconds from the previous step. Rows with NULL user_id, ts or event are skipped. See docs/funnels.md.";

        (user_id bigint, ts timestamptz, conds bool[], window interval) ById = |slot, a| {
            conds_step(slot, a.user_id(), a.ts(), a.conds(), || a.window(), || None, || None)
        };
        (user_id bigint, ts timestamptz, conds bool[], window interval, step_names text[]) ById = |slot, a| {
            conds_step(slot, a.user_id(), a.ts(), a.conds(), || a.window(), || Some(a.step_names()), || None)
        };
        (user_id bigint, ts timestamptz, conds bool[], window interval, step_names text[], mode text) ById = |slot, a| {
            conds_step(slot, a.user_id(), a.ts(), a.conds(), || a.window(), || Some(a.step_names()), || Some(a.mode()))
        };
        (user_id text, ts timestamptz, conds bool[], window interval) ByText = |slot, a| {
            conds_step(slot, a.user_id(), a.ts(), a.conds(), || a.window(), || None, || None)
        };
        (user_id text, ts timestamptz, conds bool[], window interval, step_names text[]) ByText = |slot, a| {
            conds_step(slot, a.user_id(), a.ts(), a.conds(), || a.window(), || Some(a.step_names()), || None)
        };
        (user_id text, ts timestamptz, conds bool[], window interval, step_names text[], mode text) ByText = |slot, a| {
            conds_step(slot, a.user_id(), a.ts(), a.conds(), || a.window(), || Some(a.step_names()), || Some(a.mode()))
        };

        (user_id bigint, ts timestamptz, event text, steps text[], window interval) ById
            events
            = |slot, a| event_step(slot, a.user_id(), a.ts(), a.event(), || a.steps(), || a.window(), || None);
        (user_id bigint, ts timestamptz, event text, steps text[], window interval, mode text) ById
            events
            = |slot, a| event_step(slot, a.user_id(), a.ts(), a.event(), || a.steps(), || a.window(), || Some(a.mode()));
        (user_id text, ts timestamptz, event text, steps text[], window interval) ByText events
            = |slot, a| event_step(slot, a.user_id(), a.ts(), a.event(), || a.steps(), || a.window(), || None);
        (user_id text, ts timestamptz, event text, steps text[], window interval, mode text) ByText events
            = |slot, a| event_step(slot, a.user_id(), a.ts(), a.event(), || a.steps(), || a.window(), || Some(a.mode()));

        (level int, step_names text[]) Levels
            "Two-stage population funnel over per-user levels from window_funnel (one row per user): the same funnel_step rows as the one-shot form, median_seconds_from_previous NULL. NULL levels are skipped; a level outside 0..n is error 22023."
            = |slot, a| {
                let Some(level) = a.level() else { return };
                let s = slot.get_or_init(|| or_raise_in(LevelCounts::new(text_list(a.step_names(), "step_names", FSR)), FSR));
                or_raise_in(s.push(level), FSR);
            };
    }
}
