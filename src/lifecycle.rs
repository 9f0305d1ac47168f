//! SQL glue for the lifecycle capability: the `lifecycle_stage` scalar (over a user summary
//! row), the `lifecycle_stage` aggregates (over a user's raw events; they also detect
//! `'reactivated'`) and `lifecycle_code`.

use crate::errors::{invalid, OrRaise};
use crate::{agg, fmgr, raw_v1_function};
use pg_operations_core::lifecycle::{self, LifecycleState, Stage, Thresholds};
use pgrx::pg_sys;
use pgrx::prelude::*;

raw_v1_function! {
    /// `lifecycle_stage(registered_at, first_conversion_at, last_active_at, as_of, new_days,
    /// dead_days, dormant_days, churn_days, lost_days)`, declared in sql/lifecycle.sql.
    ///
    /// Not strict: a NULL `first_conversion_at` means "never converted" and a NULL
    /// `last_active_at` "no activity recorded"; a NULL `registered_at`, `as_of` or threshold
    /// gives NULL. A raw V1 function (see [`crate::fmgr`]): it is called once per user over
    /// summary tables of millions of rows and must keep up with a hand-written `CASE`. The
    /// only allocation is the returned text.
    fn lifecycle_stage_scalar / pg_finfo_lifecycle_stage_scalar(fcinfo) {
        // SAFETY: `fcinfo` is the live call frame of the signature above. The planner fills
        // in defaults, so SQL calls have all 9 arguments; a shorter direct call gets the
        // default days.
        let stage = unsafe {
            let nargs = (*fcinfo).nargs as usize;
            let ts = |i| fmgr::timestamp_arg(fcinfo, i);
            let day = |i, default| if i < nargs { fmgr::int4_arg(fcinfo, i) } else { Some(default) };
            let d = Thresholds::DEFAULT;
            (|| {
                let t = Thresholds {
                    new_days: day(4, d.new_days)?,
                    dead_days: day(5, d.dead_days)?,
                    dormant_days: day(6, d.dormant_days)?,
                    churn_days: day(7, d.churn_days)?,
                    lost_days: day(8, d.lost_days)?,
                };
                lifecycle::stage(ts(0)?, ts(1), ts(2), ts(3)?, &t).or_raise()
            })()
        };
        match stage {
            Some(s) => fmgr::text(s.name()),
            // SAFETY: as above.
            None => unsafe { fmgr::null(fcinfo) },
        }
    }
}

// The lifecycle_stage aggregates. `LifecycleState` is plain data (a few timestamps), so it
// lives directly in the aggregate memory context (`agg::plain_into`): one palloc per group,
// nothing to drop. All six support functions are raw V1 functions under the symbol names of
// the first release (declared in sql/lifecycle.sql): over 10 M events and 500 000 users the
// aggregate's cost is per-row calls and per-group bookkeeping, not the min/max work.

const LS: &str = "lifecycle_stage";

/// Shared transition step: rows with a NULL `ts` are skipped before anything else is read;
/// `thresholds` then reads the days. `as_of` and the thresholds are validated when a group's
/// first non-NULL row creates its state; later rows only have to carry the same values.
///
/// # Safety
/// `fcinfo` is the live call frame of `lifecycle_stage_sfunc(internal, timestamptz, bool,
/// timestamptz, ...)`; argument 0 is NULL or a state made here.
unsafe fn lifecycle_step(
    fcinfo: pg_sys::FunctionCallInfo,
    thresholds: impl FnOnce() -> Thresholds,
) -> pg_sys::Datum {
    // SAFETY: guaranteed by the caller.
    unsafe {
        let state = fmgr::arg(fcinfo, 0);
        let Some(ts) = fmgr::timestamp_arg(fcinfo, 1) else {
            return state.unwrap_or_else(|| fmgr::null(fcinfo));
        };
        let t = thresholds();
        let Some(as_of) = fmgr::timestamp_arg(fcinfo, 3) else {
            invalid("lifecycle_stage: as_of must not be NULL")
        };
        let converted = fmgr::bool_arg(fcinfo, 2).unwrap_or(false);
        match state {
            Some(d) => {
                let s = agg::plain_mut::<LifecycleState>(d);
                if s.as_of() != as_of || *s.thresholds() != t {
                    // Same check (and message) as when partial states are combined.
                    s.merge(LifecycleState::new(as_of, t).or_raise()).or_raise();
                }
                s.push(ts, converted);
                d
            }
            None => {
                let ctx = agg::aggregate_context(fcinfo, LS);
                let mut s = LifecycleState::new(as_of, t).or_raise();
                s.push(ts, converted);
                agg::plain_into(ctx, s)
            }
        }
    }
}

raw_v1_function! {
    /// Transition of the 3-argument aggregate (default thresholds), `lifecycle_stage_sfunc`.
    fn lifecycle_stage_sfunc_wrapper / pg_finfo_lifecycle_stage_sfunc_wrapper(fcinfo) {
        // SAFETY: see lifecycle_step.
        unsafe { lifecycle_step(fcinfo, || Thresholds::DEFAULT) }
    }
}

/// The five day arguments (4..=8) of an 8-argument lifecycle transition; 22023 for a NULL.
///
/// # Safety
/// `fcinfo` is the live call frame of such a transition function.
unsafe fn days_args(fcinfo: pg_sys::FunctionCallInfo) -> Thresholds {
    let day = |i: usize, name: &str| {
        // SAFETY: guaranteed by the caller.
        match unsafe { fmgr::int4_arg(fcinfo, i) } {
            Some(v) => v,
            None => invalid(format!("lifecycle_stage: {name} must not be NULL")),
        }
    };
    Thresholds {
        new_days: day(4, "new_days"),
        dead_days: day(5, "dead_days"),
        dormant_days: day(6, "dormant_days"),
        churn_days: day(7, "churn_days"),
        lost_days: day(8, "lost_days"),
    }
}

raw_v1_function! {
    /// Transition of the 8-argument aggregate, `lifecycle_stage_sfunc_days`. The days are
    /// read on every row (five pass-by-value arguments) and must not be NULL.
    fn lifecycle_stage_sfunc_days_wrapper / pg_finfo_lifecycle_stage_sfunc_days_wrapper(fcinfo) {
        // SAFETY: see lifecycle_step; arguments 4..=8 are the int4 days.
        unsafe { lifecycle_step(fcinfo, || days_args(fcinfo)) }
    }
}

raw_v1_function! {
    /// `lifecycle_stage_final(internal) -> text`: NULL for a group without an event at or
    /// before `as_of`.
    fn lifecycle_stage_final_wrapper / pg_finfo_lifecycle_stage_final_wrapper(fcinfo) {
        // SAFETY: argument 0 is NULL or a state of this aggregate (see lifecycle_step).
        let stage = unsafe {
            fmgr::arg(fcinfo, 0).and_then(|d| agg::plain_mut::<LifecycleState>(d).finish().or_raise())
        };
        match stage {
            Some(s) => fmgr::text(s.name()),
            // SAFETY: as above.
            None => unsafe { fmgr::null(fcinfo) },
        }
    }
}

raw_v1_function! {
    /// `lifecycle_stage_combine(internal, internal) -> internal`: folds the second partial
    /// state into the first, or adopts it when the first is NULL (it was allocated in the
    /// aggregate's memory context, by the transition or the deserial function).
    fn lifecycle_stage_combine_wrapper / pg_finfo_lifecycle_stage_combine_wrapper(fcinfo) {
        // SAFETY: both arguments are NULL or states of this aggregate.
        unsafe {
            match (fmgr::arg(fcinfo, 0), fmgr::arg(fcinfo, 1)) {
                (mine, None) => mine.unwrap_or_else(|| fmgr::null(fcinfo)),
                (None, Some(theirs)) => theirs,
                (Some(mine), Some(theirs)) => {
                    let theirs = *agg::plain_mut::<LifecycleState>(theirs);
                    agg::plain_mut::<LifecycleState>(mine).merge(theirs).or_raise();
                    mine
                }
            }
        }
    }
}

raw_v1_function! {
    /// `lifecycle_stage_serial(internal) -> bytea` (strict).
    fn lifecycle_stage_serial_wrapper / pg_finfo_lifecycle_stage_serial_wrapper(fcinfo) {
        // SAFETY: strict, so argument 0 is a state of this aggregate.
        let s = unsafe { agg::plain_mut::<LifecycleState>(fmgr::arg(fcinfo, 0).unwrap()) };
        fmgr::bytea(&s.encode())
    }
}

raw_v1_function! {
    /// `lifecycle_stage_deserial(bytea, internal) -> internal` (strict): the state is
    /// validated and allocated in the aggregate's memory context, so that combine can adopt
    /// it as a group's state without a copy (most groups of a parallel plan have one
    /// partial state).
    fn lifecycle_stage_deserial_wrapper / pg_finfo_lifecycle_stage_deserial_wrapper(fcinfo) {
        let ctx = agg::aggregate_context(fcinfo, LS);
        // SAFETY: strict, so argument 0 is a non-NULL bytea.
        let bytes = unsafe { fmgr::bytea_arg(fcinfo, 0).unwrap() };
        agg::plain_into(ctx, LifecycleState::deserialize(bytes).or_raise())
    }
}

/// The one-letter code of a stage name (`'dormant'` → `'S'`).
#[pg_extern(immutable, parallel_safe, strict)]
fn lifecycle_code(stage: &str) -> String {
    Stage::from_name(stage).or_raise().code().to_string()
}

/// `lifecycle_stages()`: every stage with its one-letter code and rule, in rule order
/// (a lookup table for BI tools and legends). Added in 0.1.1.
#[pg_extern(immutable, parallel_safe)]
fn lifecycle_stages() -> TableIterator<
    'static,
    (
        name!(stage, &'static str),
        name!(code, String),
        name!(rule, &'static str),
    ),
> {
    TableIterator::new(
        Stage::RULE_ORDER
            .into_iter()
            .map(|s| (s.name(), s.code().to_string(), s.rule())),
    )
}

extension_sql_file!(
    "../sql/lifecycle.sql",
    name = "lifecycle_sql",
    requires = [lifecycle_code, lifecycle_stages]
);

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use pgrx::prelude::*;

    #[pg_test]
    fn lifecycle_scalar_rules() {
        let s = |sql: &str| Spi::get_one::<String>(sql).unwrap();
        let base = "'2026-06-30'::timestamptz";
        assert_eq!(
            s(&format!(
                "SELECT lifecycle_stage({base} - interval '200 days', NULL, NULL, {base})"
            )),
            Some("dead".into())
        );
        assert_eq!(
            s(&format!(
                "SELECT lifecycle_stage({base} - interval '200 days', {base} - interval '199 days',
                                        {base} - interval '61 days', {base}, churn_days => 60)"
            )),
            Some("churned".into())
        );
        assert_eq!(
            s(&format!("SELECT lifecycle_stage(NULL, NULL, NULL, {base})")),
            None
        );
    }

    #[pg_test]
    fn lifecycle_aggregate_reactivated() {
        let stage = Spi::get_one::<String>(
            "SELECT lifecycle_stage(ts, c, '2026-06-30') FROM (VALUES
               ('2025-01-01'::timestamptz, true), ('2026-06-25', false)) v(ts, c)",
        );
        assert_eq!(stage, Ok(Some("reactivated".into())));
        let code = Spi::get_one::<String>("SELECT lifecycle_code('reactivated')");
        assert_eq!(code, Ok(Some("B".into())));
    }

    #[pg_test(
        error = "days must increase strictly: dormant_days (90) < churn_days (90) < lost_days (360)"
    )]
    fn lifecycle_rejects_bad_days() {
        Spi::run("SELECT lifecycle_stage(now(), NULL, NULL, now(), dormant_days => 90)").unwrap();
    }
}
