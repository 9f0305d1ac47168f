//! SQL glue for purchase intent: `intent_score` / `intent_score_detail` (aggregates),
//! `intent_weights` and `intent_tier` (see `core/src/intent.rs`).
//!
//! The transition functions read the per-group configuration (`weights jsonb`, `as_of`,
//! `lookback`, `half_life`) straight from the call frame, and only when a group's state is
//! created: pgrx would otherwise print and re-parse the `jsonb` on every row. The parsed
//! weights are also cached per call site (keyed by the `jsonb` bytes), so a `GROUP BY
//! user_id` over a million users parses the weights once.

#![allow(clippy::not_unsafe_ptr_arg_deref)]

use crate::agg;
use crate::errors::{invalid, OrRaise};
use pg_operations_core::intent::{self, IntentConfig, IntentState, IntentWeights};
use pg_operations_core::time::USECS_PER_DAY;
use pgrx::fcinfo::{pg_arg_is_null, pg_getarg, pg_getarg_datum_raw};
use pgrx::prelude::*;
use pgrx::{pg_sys, AnyArray, Internal, JsonB, PgMemoryContexts};
use std::sync::Arc;

crate::core_agg_state!(IntentState);

const IS: &str = "intent_score";
/// Default look-back window of `intent_score`.
const DEFAULT_LOOKBACK: i64 = 14 * USECS_PER_DAY;

/// Argument positions of the transition functions (0 is the state).
const ARG_WEIGHTS: usize = 3;
const ARG_AS_OF: usize = 4;
const ARG_LOOKBACK: usize = 5;
const ARG_HALF_LIFE: usize = 6;

/// What one transition-function call site has decoded: the last weights (keyed by their
/// `jsonb` bytes) and the last time configuration (keyed by the raw `as_of`, `lookback` and
/// `half_life` values, which are compared on every row; decoding and validating them happens
/// only when they change).
struct CallSite {
    weights_key: Vec<u8>,
    weights: Arc<IntentWeights>,
    config_key: Option<ConfigKey>,
    config: Option<IntentConfig>,
}

/// The raw time arguments of one row: `as_of` and the two intervals as (time, day, month).
#[derive(Clone, Copy, PartialEq)]
struct ConfigKey {
    as_of: i64,
    lookback: Option<(i64, i32, i32)>,
    half_life: Option<(i64, i32, i32)>,
}

/// The text form of an interval, for error messages.
fn interval_text(i: Interval) -> String {
    // SAFETY: interval_out takes one non-NULL interval and returns a palloc'd C string.
    let s = unsafe {
        pgrx::direct_function_call::<&std::ffi::CStr>(pg_sys::interval_out, &[i.into_datum()])
    };
    s.map(|c| c.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// An interval as a fixed number of microseconds (1 day = 24 h, 1 month = 30 days, as
/// PostgreSQL compares intervals).
fn interval_micros(i: Interval, what: &str) -> i64 {
    i64::try_from(i.as_micros()).unwrap_or_else(|_| {
        crate::errors::raise(pg_operations_core::OpsError::limit(format!(
            "{what} {} is out of range",
            interval_text(i)
        )))
    })
}

/// This call site's cache in `fn_extra`, created on first use.
///
/// # Safety
/// `fcinfo` is the live call frame of an `intent_score` transition function; `fn_extra` of
/// these functions only ever holds a `CallSite` allocated here, in `fn_mcxt`.
unsafe fn call_site<'a>(fcinfo: pg_sys::FunctionCallInfo) -> &'a mut CallSite {
    // SAFETY: see above.
    unsafe {
        let flinfo = (*fcinfo).flinfo;
        if (*flinfo).fn_extra.is_null() {
            let c = CallSite {
                weights_key: Vec::new(),
                weights: Arc::new(IntentWeights::default()),
                config_key: None,
                config: None,
            };
            let ptr = PgMemoryContexts::For((*flinfo).fn_mcxt).leak_and_drop_on_delete(c);
            (*flinfo).fn_extra = ptr as *mut std::ffi::c_void;
        }
        &mut *((*flinfo).fn_extra as *mut CallSite)
    }
}

/// The weights argument, parsed once per call site for as long as its bytes do not change.
///
/// # Safety
/// `fcinfo` is the live call frame of an `intent_score` transition function.
unsafe fn weights_arg(fcinfo: pg_sys::FunctionCallInfo) -> Arc<IntentWeights> {
    if unsafe { pg_arg_is_null(fcinfo, ARG_WEIGHTS) } {
        invalid("intent_score: weights must not be NULL");
    }
    // SAFETY: argument ARG_WEIGHTS is a non-NULL jsonb; detoasting gives a readable varlena
    // that lives at least until this call returns.
    let bytes: &[u8] = unsafe {
        let raw = pg_getarg_datum_raw(fcinfo, ARG_WEIGHTS);
        let v = pg_sys::pg_detoast_datum_packed(raw.cast_mut_ptr());
        std::slice::from_raw_parts(v as *const u8, pgrx::varsize_any(v))
    };
    // SAFETY: see call_site.
    let site = unsafe { call_site(fcinfo) };
    if !site.weights_key.is_empty() && site.weights_key == bytes {
        return site.weights.clone();
    }
    // SAFETY: the argument is a non-NULL jsonb (checked above).
    let json: Option<JsonB> = unsafe { pg_getarg(fcinfo, ARG_WEIGHTS) };
    let json = json.expect("weights is not NULL");
    let weights = Arc::new(IntentWeights::from_json(&json.0).or_raise());
    site.weights_key = bytes.to_vec();
    site.weights = weights.clone();
    weights
}

/// The raw (time, day, month) of a non-NULL interval argument, or None for SQL NULL.
///
/// # Safety
/// Argument `i` of the live frame `fcinfo` is an `interval`.
unsafe fn interval_key(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<(i64, i32, i32)> {
    // SAFETY: see above; a non-NULL interval datum points to a pg_sys::Interval.
    unsafe {
        if pg_arg_is_null(fcinfo, i) {
            return None;
        }
        let iv = pg_getarg_datum_raw(fcinfo, i).cast_mut_ptr::<pg_sys::Interval>();
        Some(((*iv).time, (*iv).day, (*iv).month))
    }
}

/// The row's time configuration, decoded and validated only when the raw `as_of` /
/// `lookback` / `half_life` differ from the previous row's; the first decode at a call
/// site also validates the weights, so bad weights are reported even when no row falls in
/// the window.
///
/// # Safety
/// `fcinfo` is the live call frame of an `intent_score` transition function with `nargs`
/// SQL arguments after the state.
unsafe fn row_config(fcinfo: pg_sys::FunctionCallInfo, nargs: usize) -> IntentConfig {
    // SAFETY: the argument positions and types match sql/intent.sql.
    let key = unsafe {
        if pg_arg_is_null(fcinfo, ARG_AS_OF) {
            invalid("intent_score: as_of must not be NULL");
        }
        let lookback = if nargs >= 5 {
            match interval_key(fcinfo, ARG_LOOKBACK) {
                Some(k) => Some(k),
                None => invalid("intent_score: lookback must not be NULL"),
            }
        } else {
            None
        };
        ConfigKey {
            as_of: pg_getarg_datum_raw(fcinfo, ARG_AS_OF).value() as i64,
            lookback,
            half_life: if nargs >= 6 {
                interval_key(fcinfo, ARG_HALF_LIFE)
            } else {
                None
            },
        }
    };
    // SAFETY: see call_site.
    let site = unsafe { call_site(fcinfo) };
    if let (Some(k), Some(c)) = (site.config_key, site.config) {
        if k == key {
            return c;
        }
    }
    if site.config.is_none() {
        // SAFETY: as above.
        let _ = unsafe { weights_arg(fcinfo) };
    }
    // SAFETY: as above.
    let config = unsafe { decode_config(fcinfo, nargs) };
    // SAFETY: see call_site (weights_arg may have created it; the pointer is stable).
    let site = unsafe { call_site(fcinfo) };
    site.config_key = Some(key);
    site.config = Some(config);
    config
}

/// The time configuration from the arguments (`nargs` counts the SQL arguments of the
/// aggregate, 4 to 6), validated.
///
/// # Safety
/// `fcinfo` is the live call frame of an `intent_score` transition function.
unsafe fn decode_config(fcinfo: pg_sys::FunctionCallInfo, nargs: usize) -> IntentConfig {
    // SAFETY: the caller passes its own frame; the argument types match sql/intent.sql.
    unsafe {
        let as_of: Option<TimestampWithTimeZone> = pg_getarg(fcinfo, ARG_AS_OF);
        let Some(as_of) = as_of else {
            invalid("intent_score: as_of must not be NULL")
        };
        let lookback = if nargs >= 5 {
            let l: Option<Interval> = pg_getarg(fcinfo, ARG_LOOKBACK);
            let Some(l) = l else {
                invalid("intent_score: lookback must not be NULL")
            };
            let us = interval_micros(l, "lookback");
            if us < 0 {
                invalid(format!(
                    "intent_score: lookback must not be negative, got {}",
                    interval_text(l)
                ));
            }
            us
        } else {
            DEFAULT_LOOKBACK
        };
        // A NULL half_life means no decay.
        let half_life = if nargs >= 6 {
            let h: Option<Interval> = pg_getarg(fcinfo, ARG_HALF_LIFE);
            match h {
                None => None,
                Some(h) => {
                    let us = interval_micros(h, "half_life");
                    if us <= 0 {
                        invalid(format!(
                            "intent_score: half_life must be positive, got {}",
                            interval_text(h)
                        ));
                    }
                    Some(us)
                }
            }
        } else {
            None
        };
        IntentConfig::new(pg_sys::TimestampTz::from(as_of), lookback, half_life).or_raise()
    }
}

/// Argument positions of the per-row values (after the state).
const ARG_EVENT: usize = 1;
const ARG_TS: usize = 2;

/// Shared transition. A group's state is created by its first row inside the window: rows
/// outside it (most of a long event history) cost a timestamp comparison and allocate
/// nothing, and a group without any row in the window has no state at all (the final
/// functions then give 0 and an empty detail). Rows with a NULL event or ts add nothing.
fn sfunc(mut state: Internal, fcinfo: pg_sys::FunctionCallInfo, nargs: usize) -> Internal {
    // SAFETY: every intent_score / intent_score_detail transition uses IntentState
    // (sql/intent.sql); row_config and pg_getarg read this frame's own arguments at the
    // positions the SQL signatures declare.
    // A group keeps the configuration of the row that created its state; before that, each
    // row's own (cached, validated) configuration decides whether it is in the window.
    let config = match unsafe { agg::existing::<IntentState>(&mut state) } {
        Some(s) => s.config,
        None => unsafe { row_config(fcinfo, nargs) },
    };
    // SAFETY: as above.
    let ts: Option<TimestampWithTimeZone> = unsafe { pg_getarg(fcinfo, ARG_TS) };
    let Some(ts) = ts.map(pg_sys::TimestampTz::from) else {
        return state;
    };
    if !config.in_window(ts) {
        return state;
    }
    // SAFETY: as above.
    let event: Option<&str> = unsafe { pg_getarg(fcinfo, ARG_EVENT) };
    let Some(event) = event else {
        return state;
    };
    // SAFETY: as above.
    let s = unsafe {
        agg::state_mut(&mut state, fcinfo, IS, || {
            IntentState::new(config, weights_arg(fcinfo))
        })
    };
    s.push(event, ts);
    state
}

/// The transition functions, in the raw V1 calling convention (`CREATE FUNCTION` in
/// sql/intent.sql; the symbol names are those of the first release): pgrx's generic wrapper
/// (argument iterator, memory-context switch, unwind guard) cost more per row than the work
/// itself for the rows outside the window.
///
/// # Safety
/// Called by PostgreSQL through the fmgr with a valid `fcinfo` for the declared signature.
unsafe fn raw_sfunc(fcinfo: pg_sys::FunctionCallInfo, nargs: usize) -> pg_sys::Datum {
    // SAFETY: argument 0 is the internal state (NULL on a group's first row).
    let state = Internal::from(unsafe { crate::fmgr::arg(fcinfo, 0) });
    match sfunc(state, fcinfo, nargs).unwrap() {
        Some(d) => d,
        // SAFETY: `fcinfo` is the live call frame.
        None => unsafe { crate::fmgr::null(fcinfo) },
    }
}

crate::raw_v1_function! {
    /// `intent_score_sfunc` with 4 SQL arguments (see [`raw_sfunc`]).
    fn intent_score_sfunc4_wrapper / pg_finfo_intent_score_sfunc4_wrapper(fcinfo) {
        // SAFETY: as documented on raw_sfunc.
        unsafe { raw_sfunc(fcinfo, 4) }
    }
}

crate::raw_v1_function! {
    /// `intent_score_sfunc` with 5 SQL arguments (see [`raw_sfunc`]).
    fn intent_score_sfunc5_wrapper / pg_finfo_intent_score_sfunc5_wrapper(fcinfo) {
        // SAFETY: as documented on raw_sfunc.
        unsafe { raw_sfunc(fcinfo, 5) }
    }
}

crate::raw_v1_function! {
    /// `intent_score_sfunc` with 6 SQL arguments (see [`raw_sfunc`]).
    fn intent_score_sfunc6_wrapper / pg_finfo_intent_score_sfunc6_wrapper(fcinfo) {
        // SAFETY: as documented on raw_sfunc.
        unsafe { raw_sfunc(fcinfo, 6) }
    }
}

#[pg_extern(immutable, parallel_safe)]
fn intent_score_final(mut state: Internal) -> f64 {
    // SAFETY: see sfunc. No state: no row of the group was in the window.
    unsafe { agg::existing::<IntentState>(&mut state) }.map_or(0.0, |s| s.score())
}

/// `intent_score_detail` final: `intent_contribution[]`, by contribution descending, then
/// event name; an empty array when nothing in the window was weighted.
#[pg_extern(
    immutable,
    parallel_safe,
    sql = r#"
CREATE FUNCTION intent_score_detail_final(internal) RETURNS intent_contribution[]
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'intent_score_detail_final_wrapper';
"#,
    requires = ["intent_types"]
)]
fn intent_score_detail_final(
    mut state: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<AnyArray> {
    // SAFETY: see sfunc. No state: no row of the group was in the window.
    let detail =
        unsafe { agg::existing::<IntentState>(&mut state) }.map_or(Vec::new(), |s| s.detail());
    let oid = crate::composite::type_oid(fcinfo, "intent_contribution");
    // SAFETY: the type cache returns a reference-counted descriptor released by PgTupleDesc;
    // each datum matches the attribute types of intent_contribution (sql/intent.sql), and
    // construct_array copies the tuples into one array of that element type.
    unsafe {
        let tupdesc = pgrx::PgTupleDesc::from_pg(pg_sys::lookup_rowtype_tupdesc(oid, -1));
        let mut elems: Vec<pg_sys::Datum> = Vec::with_capacity(detail.len());
        for (event, count, contribution) in detail {
            let mut values = [
                event.into_datum().unwrap(),
                count.into_datum().unwrap(),
                contribution.into_datum().unwrap(),
            ];
            let mut nulls = [false; 3];
            let tuple =
                pg_sys::heap_form_tuple(tupdesc.as_ptr(), values.as_mut_ptr(), nulls.as_mut_ptr());
            elems.push(pg_sys::heap_copy_tuple_as_datum(tuple, tupdesc.as_ptr()));
        }
        let mut typlen: i16 = 0;
        let mut typbyval = false;
        let mut typalign: std::ffi::c_char = 0;
        pg_sys::get_typlenbyvalalign(oid, &mut typlen, &mut typbyval, &mut typalign);
        let arr = pg_sys::construct_array(
            elems.as_mut_ptr(),
            elems.len() as i32,
            oid,
            typlen as i32,
            typbyval,
            typalign,
        );
        AnyArray::from_polymorphic_datum(pg_sys::Datum::from(arr), false, oid)
    }
}

#[pg_extern(immutable, parallel_safe)]
fn intent_score_combine(a: Internal, b: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    // SAFETY: see sfunc.
    unsafe { agg::combine::<IntentState>(a, b, fcinfo, IS) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn intent_score_serial(state: Internal) -> Vec<u8> {
    // SAFETY: see sfunc.
    unsafe { agg::serialize::<IntentState>(state) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn intent_score_deserial(
    bytes: &[u8],
    _unused: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    agg::deserialize::<IntentState>(bytes, fcinfo, IS)
}

/// `intent_weights(preset)`: the documented default weights as `jsonb`.
#[pg_extern(immutable, parallel_safe, strict)]
fn intent_weights(preset: default!(&str, "'invest'")) -> JsonB {
    JsonB(intent::preset(preset).or_raise())
}

/// `intent_tier(score, strong_above, medium_above)`.
#[pg_extern(immutable, parallel_safe, strict)]
fn intent_tier(score: f64, strong_above: f64, medium_above: f64) -> &'static str {
    intent::tier_fixed(score, strong_above, medium_above).or_raise()
}

/// `intent_tier(score, breaks)` with `breaks = quantile_breaks(score, ARRAY[0.4, 0.8])`.
#[pg_extern(immutable, parallel_safe, strict, name = "intent_tier")]
fn intent_tier_breaks(score: f64, breaks: Array<f64>) -> &'static str {
    let breaks: Vec<Option<f64>> = breaks.iter().collect();
    intent::tier_breaks(score, &breaks).or_raise()
}

extension_sql!(
    r#"
CREATE TYPE intent_contribution AS (event text, events bigint, contribution float8);
COMMENT ON TYPE intent_contribution IS
  'One weighted event of intent_score_detail: the event name, how many such events fell in the window, and their (decayed) contribution to the score.';
"#,
    name = "intent_types"
);

extension_sql_file!(
    "../sql/intent.sql",
    name = "intent_sql",
    requires = [
        intent_score_final,
        intent_score_detail_final,
        intent_score_combine,
        intent_score_serial,
        intent_score_deserial,
        intent_weights,
        intent_tier,
        intent_tier_breaks,
        "intent_types",
    ]
);

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use pgrx::prelude::*;

    #[pg_test]
    fn intent_score_hand_worked() {
        // view_list 1 + pay 8 in the window; the 15-day-old click and the future pay add 0.
        let v = Spi::get_one::<f64>(
            "SELECT intent_score(e, ts::timestamptz, intent_weights(), '2026-03-15 00:00+00')
             FROM (VALUES ('view_list', '2026-03-14 00:00+00'), ('pay', '2026-03-01 00:00:01+00'),
                          ('click_invest', '2026-02-28 00:00+00'), ('pay', '2026-03-16 00:00+00'),
                          ('unknown', '2026-03-14 00:00+00')) AS t(e, ts)",
        );
        assert_eq!(v, Ok(Some(9.0)));
    }

    #[pg_test]
    fn intent_score_half_life() {
        let v = Spi::get_one::<f64>(
            "SELECT intent_score('pay', '2026-03-08 00:00+00', intent_weights(), '2026-03-15 00:00+00',
                                 '14 days', '7 days')",
        );
        assert_eq!(v, Ok(Some(4.0)));
    }

    #[pg_test(error = "intent weight for key \"pay\" must be a number, got a string \"x\"")]
    fn intent_score_rejects_string_weight() {
        Spi::run("SELECT intent_score('pay', now(), '{\"pay\": \"x\"}', now())").unwrap();
    }

    #[pg_test]
    fn intent_tier_both_forms() {
        let v = Spi::get_one::<String>(
            "SELECT intent_tier(5, 8, 2) || ',' || intent_tier(9, ARRAY[2.0, 8.0]::float8[])",
        );
        assert_eq!(v, Ok(Some("medium,strong".to_string())));
    }
}
