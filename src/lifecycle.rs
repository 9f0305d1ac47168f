//! SQL glue for the lifecycle capability: the `lifecycle_stage` scalar (over a user summary
//! row), the `lifecycle_stage` aggregates (over a user's raw events; they also detect
//! `'reactivated'`) and `lifecycle_code`.

use crate::agg;
use crate::errors::{invalid, OrRaise};
use pg_operations_core::lifecycle::{self, LifecycleState, Stage, Thresholds};
use pgrx::prelude::*;
use pgrx::{pg_sys, Internal};

/// `lifecycle_stage(registered_at, first_conversion_at, last_active_at, as_of, new_days,
/// dead_days, dormant_days, churn_days, lost_days)`, declared in sql/lifecycle.sql.
///
/// Not strict: a NULL `first_conversion_at` means "never converted" and a NULL
/// `last_active_at` "no activity recorded"; a NULL `registered_at`, `as_of` or threshold
/// gives NULL.
///
/// Written against the raw V1 calling convention instead of `#[pg_extern]`: pgrx's generic
/// argument decoding cost more than the stage computation itself (this is called once per
/// user over summary tables of millions of rows, and must keep up with a hand-written
/// `CASE`). The only allocation is the returned text.
///
/// # Safety
/// Called by PostgreSQL through the fmgr with a valid `fcinfo` for the signature above.
#[pg_guard]
#[no_mangle]
pub unsafe extern "C-unwind" fn lifecycle_stage_scalar(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    // SAFETY: `fcinfo` is the live call frame; argument indexes are within the declared 9
    // (the planner fills in defaults, so every call has all 9).
    let arg = |i: usize| -> Option<pg_sys::Datum> {
        let nargs = unsafe { (*fcinfo).nargs } as usize;
        if i >= nargs {
            return None;
        }
        // SAFETY: as above; `i < nargs` was just checked.
        let a = unsafe { pgrx::fcinfo::pg_get_nullable_datum(fcinfo, i) };
        (!a.isnull).then_some(a.value)
    };
    let ts = |i: usize| arg(i).map(|d| d.value() as i64);
    let day = |i: usize, default: i32| -> Option<i32> {
        // SAFETY: as above, `fcinfo` is the live call frame.
        let nargs = unsafe { (*fcinfo).nargs } as usize;
        if i >= nargs {
            Some(default)
        } else {
            arg(i).map(|d| d.value() as i32)
        }
    };
    let stage = (|| {
        let t = Thresholds {
            new_days: day(4, 90)?,
            dead_days: day(5, 30)?,
            dormant_days: day(6, 30)?,
            churn_days: day(7, 90)?,
            lost_days: day(8, 360)?,
        };
        lifecycle::stage(ts(0)?, ts(1), ts(2), ts(3)?, &t).or_raise()
    })();
    match stage {
        Some(s) => {
            let name = s.name();
            // SAFETY: `name` is valid for `name.len()` bytes; the text is palloc'd in the
            // caller's (per-tuple) memory context, as for any function result.
            let text = unsafe {
                pg_sys::cstring_to_text_with_len(name.as_ptr().cast(), name.len() as i32)
            };
            pg_sys::Datum::from(text)
        }
        None => {
            // SAFETY: as above.
            unsafe { pgrx::fcinfo::pg_return_null(fcinfo) }
        }
    }
}

/// The V1 calling-convention record of [`lifecycle_stage_scalar`] (`PG_FUNCTION_INFO_V1`).
#[no_mangle]
#[doc(hidden)]
pub extern "C" fn pg_finfo_lifecycle_stage_scalar() -> &'static pg_sys::Pg_finfo_record {
    const V1_API: pg_sys::Pg_finfo_record = pg_sys::Pg_finfo_record { api_version: 1 };
    &V1_API
}

crate::core_agg_state!(LifecycleState);

const LS: &str = "lifecycle_stage";

/// Shared transition step: `as_of` and the thresholds are decoded and validated on the
/// group's first non-NULL row; later rows only have to carry the same values.
fn lifecycle_step(
    mut state: Internal,
    ts: Option<TimestampWithTimeZone>,
    converted: Option<bool>,
    as_of: Option<TimestampWithTimeZone>,
    t: Thresholds,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let Some(ts) = ts else { return state };
    let Some(as_of) = as_of else {
        invalid("lifecycle_stage: as_of must not be NULL")
    };
    let as_of = i64::from(as_of);
    // SAFETY: this aggregate's functions all use LifecycleState (sql/lifecycle.sql).
    let s = unsafe {
        agg::state_mut(&mut state, fcinfo, LS, || {
            LifecycleState::new(as_of, t).or_raise()
        })
    };
    if s.as_of() != as_of || *s.thresholds() != t {
        // Same check (and message) as when partial states of a parallel plan are combined.
        let other = LifecycleState::new(as_of, t).or_raise();
        s.clone().merge(other).or_raise();
    }
    s.push(ts.into(), converted.unwrap_or(false));
    state
}

/// Transition of the 3-argument aggregate (default thresholds), `lifecycle_stage_sfunc` in
/// sql/lifecycle.sql. Written against the raw V1 calling convention (under the symbol name of
/// the first release) because pgrx's generic wrapper cost more per row than the min/max
/// bookkeeping it wraps.
///
/// # Safety
/// Called by PostgreSQL through the fmgr with a valid `fcinfo` for
/// `(internal, timestamptz, bool, timestamptz)`.
#[pg_guard]
#[no_mangle]
pub unsafe extern "C-unwind" fn lifecycle_stage_sfunc_wrapper(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    // SAFETY: `fcinfo` is the live call frame with the 4 arguments declared above.
    let (state, ts, converted, as_of) = unsafe {
        let a = pgrx::fcinfo::pg_get_nullable_datum(fcinfo, 0);
        let state = Internal::from((!a.isnull).then_some(a.value));
        let ts: Option<TimestampWithTimeZone> = pgrx::fcinfo::pg_getarg(fcinfo, 1);
        let converted: Option<bool> = pgrx::fcinfo::pg_getarg(fcinfo, 2);
        let as_of: Option<TimestampWithTimeZone> = pgrx::fcinfo::pg_getarg(fcinfo, 3);
        (state, ts, converted, as_of)
    };
    match lifecycle_step(state, ts, converted, as_of, Thresholds::DEFAULT, fcinfo).unwrap() {
        Some(d) => d,
        // SAFETY: as above.
        None => unsafe { pgrx::fcinfo::pg_return_null(fcinfo) },
    }
}

/// The V1 calling-convention record of [`lifecycle_stage_sfunc_wrapper`].
#[no_mangle]
#[doc(hidden)]
pub extern "C" fn pg_finfo_lifecycle_stage_sfunc_wrapper() -> &'static pg_sys::Pg_finfo_record {
    const V1_API: pg_sys::Pg_finfo_record = pg_sys::Pg_finfo_record { api_version: 1 };
    &V1_API
}

/// Transition of the 8-argument aggregate.
#[allow(clippy::too_many_arguments)]
#[pg_extern(immutable, parallel_safe)]
fn lifecycle_stage_sfunc_days(
    state: Internal,
    ts: Option<TimestampWithTimeZone>,
    converted: Option<bool>,
    as_of: Option<TimestampWithTimeZone>,
    new_days: Option<i32>,
    dead_days: Option<i32>,
    dormant_days: Option<i32>,
    churn_days: Option<i32>,
    lost_days: Option<i32>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    if ts.is_none() {
        return state;
    }
    let day = |name: &str, v: Option<i32>| match v {
        Some(v) => v,
        None => invalid(format!("lifecycle_stage: {name} must not be NULL")),
    };
    let t = Thresholds {
        new_days: day("new_days", new_days),
        dead_days: day("dead_days", dead_days),
        dormant_days: day("dormant_days", dormant_days),
        churn_days: day("churn_days", churn_days),
        lost_days: day("lost_days", lost_days),
    };
    lifecycle_step(state, ts, converted, as_of, t, fcinfo)
}

#[pg_extern(immutable, parallel_safe)]
fn lifecycle_stage_final(mut state: Internal) -> Option<&'static str> {
    // SAFETY: see lifecycle_step.
    let s = unsafe { agg::existing::<LifecycleState>(&mut state) }?;
    Some(s.finish().or_raise()?.name())
}

#[pg_extern(immutable, parallel_safe)]
fn lifecycle_stage_combine(a: Internal, b: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    // SAFETY: see lifecycle_step.
    unsafe { agg::combine::<LifecycleState>(a, b, fcinfo, LS) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn lifecycle_stage_serial(state: Internal) -> Vec<u8> {
    // SAFETY: see lifecycle_step.
    unsafe { agg::serialize::<LifecycleState>(state) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn lifecycle_stage_deserial(
    bytes: &[u8],
    _unused: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    agg::deserialize::<LifecycleState>(bytes, fcinfo, LS)
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
    requires = [
        lifecycle_stage_sfunc_days,
        lifecycle_stage_final,
        lifecycle_stage_combine,
        lifecycle_stage_serial,
        lifecycle_stage_deserial,
        lifecycle_code,
        lifecycle_stages,
    ]
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
