//! SQL glue for RFM: `rfm_agg` (per-user values), `rfm_breaks` (population quantiles),
//! `rfm_cell` (tie-aware scores) and `rfm_segment` (see `core/src/rfm.rs`).

#![allow(clippy::not_unsafe_ptr_arg_deref)]

use crate::agg::{self, AggState};
use crate::composite;
use crate::errors::{invalid, OrRaise};
use pg_operations_core::rfm::{self, RfmAcc, RfmBreaks, RfmBreaksState};
use pg_operations_core::{OpsError, OpsResult};
use pgrx::fcinfo::{pg_arg_is_null, pg_getarg, pg_getarg_datum_raw};
use pgrx::heap_tuple::PgHeapTuple;
use pgrx::prelude::*;
use pgrx::{pg_sys, AllocatedByRust, AnyElement, AnyNumeric, Internal, PgMemoryContexts};

// ---------------------------------------------------------------------------------------
// rfm_agg
// ---------------------------------------------------------------------------------------

/// `rfm_agg` state: the core accumulator plus the exact `numeric` sum of the amounts of the
/// counted rows (`None` until a non-NULL amount is counted, as `sum(amount)`).
pub struct RfmAggState {
    acc: RfmAcc,
    monetary: Option<AnyNumeric>,
}

fn add_numeric(a: Option<AnyNumeric>, b: AnyNumeric) -> AnyNumeric {
    match a {
        Some(a) => a + b,
        None => b,
    }
}

impl AggState for RfmAggState {
    fn merge(&mut self, other: Self) {
        self.acc.merge(&other.acc).or_raise();
        if let Some(m) = other.monetary {
            self.monetary = Some(add_numeric(self.monetary.take(), m));
        }
    }
    /// `[u32 length][RfmAcc bytes][u8 has monetary][monetary as text]`; numeric text is exact.
    fn serialize(&self) -> Vec<u8> {
        let acc = self.acc.serialize();
        let mut out = Vec::with_capacity(acc.len() + 32);
        out.extend_from_slice(&(acc.len() as u32).to_le_bytes());
        out.extend_from_slice(&acc);
        match &self.monetary {
            Some(m) => {
                out.push(1);
                out.extend_from_slice(m.to_string().as_bytes());
            }
            None => out.push(0),
        }
        out
    }
    fn deserialize(bytes: &[u8]) -> OpsResult<Self> {
        let bad = || OpsError::malformed("rfm_agg state is truncated or corrupt");
        let n = u32::from_le_bytes(bytes.get(..4).ok_or_else(bad)?.try_into().unwrap()) as usize;
        let acc = RfmAcc::deserialize(bytes.get(4..4 + n).ok_or_else(bad)?)?;
        let rest = bytes.get(4 + n..).ok_or_else(bad)?;
        let monetary = match rest.split_first() {
            Some((0, [])) => None,
            Some((1, text)) => {
                let text = std::str::from_utf8(text).map_err(|_| bad())?;
                Some(AnyNumeric::try_from(text).map_err(|_| bad())?)
            }
            _ => return Err(bad()),
        };
        Ok(RfmAggState { acc, monetary })
    }
}

const RA: &str = "rfm_agg";

/// Transition: the state (and `as_of`) is set up on the group's first row; rows with a NULL
/// ts or after `as_of` are skipped; a NULL amount counts in frequency but not in monetary.
#[pg_extern(immutable, parallel_safe, requires = ["rfm_types"])]
fn rfm_agg_sfunc(
    mut state: Internal,
    ts: Option<TimestampWithTimeZone>,
    amount: Option<AnyNumeric>,
    as_of: Option<TimestampWithTimeZone>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    // SAFETY: every rfm_agg support function uses RfmAggState (sql/rfm.sql).
    let s = unsafe {
        agg::state_mut(&mut state, fcinfo, RA, || {
            let Some(as_of) = as_of else {
                invalid("rfm_agg: as_of must not be NULL")
            };
            RfmAggState {
                acc: RfmAcc::new(pg_sys::TimestampTz::from(as_of)).or_raise(),
                monetary: None,
            }
        })
    };
    // as_of must be the same on every row (checked even on rows with a NULL ts).
    match as_of {
        None => invalid("rfm_agg: as_of must not be NULL"),
        Some(a) => s.acc.check_as_of(pg_sys::TimestampTz::from(a)).or_raise(),
    }
    if let Some(ts) = ts {
        if s.acc.push(pg_sys::TimestampTz::from(ts)) {
            if let Some(a) = amount {
                s.monetary = Some(add_numeric(s.monetary.take(), a));
            }
        }
    }
    state
}

/// `rfm_values` row; recency/first/last NULL without counted transactions.
#[pg_extern(immutable, parallel_safe, requires = ["rfm_types"])]
fn rfm_agg_final(
    mut state: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<pgrx::composite_type!('static, "rfm_values")> {
    // SAFETY: see rfm_agg_sfunc.
    let s = unsafe { agg::existing::<RfmAggState>(&mut state) }?;
    let ts = |v: Option<i64>| v.map(pg_sys::Datum::from);
    Some(composite::row(
        fcinfo,
        "rfm_values",
        vec![
            s.acc.recency_days().into_datum(),
            s.acc.frequency.into_datum(),
            s.monetary.clone().into_datum(),
            ts(s.acc.first),
            ts(s.acc.last),
        ],
    ))
}

#[pg_extern(immutable, parallel_safe)]
fn rfm_agg_combine(a: Internal, b: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    // SAFETY: see rfm_agg_sfunc.
    unsafe { agg::combine::<RfmAggState>(a, b, fcinfo, RA) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn rfm_agg_serial(state: Internal) -> Vec<u8> {
    // SAFETY: see rfm_agg_sfunc.
    unsafe { agg::serialize::<RfmAggState>(state) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn rfm_agg_deserial(bytes: &[u8], _unused: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    agg::deserialize::<RfmAggState>(bytes, fcinfo, RA)
}

// ---------------------------------------------------------------------------------------
// rfm_breaks
// ---------------------------------------------------------------------------------------

crate::core_agg_state!(RfmBreaksState);

const RB: &str = "rfm_breaks";
const DEFAULT_BINS: i32 = 5;

fn breaks_sfunc(
    mut state: Internal,
    r: Option<f64>,
    f: Option<f64>,
    m: Option<f64>,
    bins: impl FnOnce() -> i32,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    // SAFETY: every rfm_breaks support function uses RfmBreaksState (sql/rfm.sql).
    let s = unsafe {
        agg::state_mut(&mut state, fcinfo, RB, || {
            RfmBreaksState::new(bins()).or_raise()
        })
    };
    s.push(r, f, m);
    state
}

#[pg_extern(immutable, parallel_safe)]
fn rfm_breaks_sfunc3(
    state: Internal,
    recency_days: Option<f64>,
    frequency: Option<f64>,
    monetary: Option<f64>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    breaks_sfunc(
        state,
        recency_days,
        frequency,
        monetary,
        || DEFAULT_BINS,
        fcinfo,
    )
}

#[pg_extern(immutable, parallel_safe)]
fn rfm_breaks_sfunc4(
    state: Internal,
    recency_days: Option<f64>,
    frequency: Option<f64>,
    monetary: Option<f64>,
    bins: Option<i32>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let bins = bins.unwrap_or_else(|| invalid("rfm_breaks: bins must not be NULL"));
    let mut state = breaks_sfunc(state, recency_days, frequency, monetary, || bins, fcinfo);
    // bins must be the same on every row of a group.
    // SAFETY: every rfm_breaks support function uses RfmBreaksState (sql/rfm.sql).
    if let Some(s) = unsafe { agg::existing::<RfmBreaksState>(&mut state) } {
        s.check_bins_same(bins).or_raise();
    }
    state
}

/// The `rfm_breaks` row; NULL when no metric had any value.
#[pg_extern(immutable, parallel_safe, requires = ["rfm_types"])]
fn rfm_breaks_final(
    mut state: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<pgrx::composite_type!('static, "rfm_breaks")> {
    // SAFETY: see breaks_sfunc.
    let b = unsafe { agg::existing::<RfmBreaksState>(&mut state) }?.finish()?;
    Some(composite::row(
        fcinfo,
        "rfm_breaks",
        vec![
            b.bins.into_datum(),
            b.recency.into_datum(),
            b.frequency.into_datum(),
            b.monetary.into_datum(),
        ],
    ))
}

#[pg_extern(immutable, parallel_safe)]
fn rfm_breaks_combine(a: Internal, b: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    // SAFETY: see breaks_sfunc.
    unsafe { agg::combine::<RfmBreaksState>(a, b, fcinfo, RB) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn rfm_breaks_serial(state: Internal) -> Vec<u8> {
    // SAFETY: see breaks_sfunc.
    unsafe { agg::serialize::<RfmBreaksState>(state) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn rfm_breaks_deserial(
    bytes: &[u8],
    _unused: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    agg::deserialize::<RfmBreaksState>(bytes, fcinfo, RB)
}

// ---------------------------------------------------------------------------------------
// rfm_cell
// ---------------------------------------------------------------------------------------

/// Per call site of `rfm_cell`: the output row descriptor and the last breaks argument,
/// decoded and validated.
struct CellCache {
    /// A blessed copy of the `rfm_cell` descriptor, allocated in `fn_mcxt`.
    tupdesc: pg_sys::TupleDesc,
    key: Vec<u8>,
    breaks: Option<RfmBreaks>,
}

/// Decodes an `rfm_breaks` composite (arrays must not contain NULL; a NULL array counts as
/// empty, i.e. that metric's score is NULL) and validates it.
fn parse_breaks(t: &PgHeapTuple<'_, AllocatedByRust>) -> RfmBreaks {
    let bins = match t.get_by_name::<i32>("bins") {
        Ok(Some(b)) => b,
        Ok(None) => invalid("rfm_breaks.bins must not be NULL"),
        Err(e) => invalid(format!("rfm_cell: cannot read rfm_breaks.bins: {e}")),
    };
    let arr = |name: &str| -> Vec<f64> {
        match t.get_by_name::<Array<'_, f64>>(name) {
            Ok(Some(v)) => v
                .iter()
                .map(|x| {
                    x.unwrap_or_else(|| invalid(format!("rfm_breaks.{name} must not contain NULL")))
                })
                .collect(),
            Ok(None) => Vec::new(),
            Err(e) => invalid(format!("rfm_cell: cannot read rfm_breaks.{name}: {e}")),
        }
    };
    let b = RfmBreaks {
        bins,
        recency: arr("recency"),
        frequency: arr("frequency"),
        monetary: arr("monetary"),
    };
    b.validate().or_raise();
    b
}

fn text_datum(s: Option<&str>) -> (pg_sys::Datum, bool) {
    match s {
        // SAFETY: cstring_to_text_with_len copies `len` bytes into a new palloc'd text.
        Some(s) => unsafe {
            let t = pg_sys::cstring_to_text_with_len(
                s.as_ptr() as *const std::ffi::c_char,
                s.len() as i32,
            );
            (pg_sys::Datum::from(t), false)
        },
        None => (pg_sys::Datum::from(0), true),
    }
}

fn int_datum(v: Option<i32>) -> (pg_sys::Datum, bool) {
    match v {
        Some(v) => (pg_sys::Datum::from(v), false),
        None => (pg_sys::Datum::from(0), true),
    }
}

/// `rfm_cell(recency_days, frequency, monetary, breaks)`: not strict (a NULL metric gives a
/// NULL score; NULL breaks give NULL). The breaks are decoded and validated once per call
/// site and reused while the argument's bytes stay the same; the output descriptor is
/// cached too, so a row costs the three comparisons loops and one `heap_form_tuple`.
#[pg_extern(
    immutable,
    parallel_safe,
    sql = r#"
CREATE FUNCTION rfm_cell(recency_days float8, frequency float8, monetary float8, breaks rfm_breaks)
RETURNS rfm_cell LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'rfm_cell_wrapper';
"#,
    requires = ["rfm_types"]
)]
fn rfm_cell(fcinfo: pg_sys::FunctionCallInfo) -> Option<AnyElement> {
    // SAFETY: the SQL signature above fixes the four argument types; fn_extra of this call
    // site holds NULL or a CellCache stored here, allocated in fn_mcxt (lives as long as
    // the FmgrInfo), and so is its descriptor copy; the detoasted breaks datum is readable
    // for the duration of the call; the formed tuple matches the rfm_cell descriptor.
    unsafe {
        if pg_arg_is_null(fcinfo, 3) {
            return None;
        }
        let flinfo = (*fcinfo).flinfo;
        let mut cache = (*flinfo).fn_extra as *mut CellCache;
        if cache.is_null() {
            let oid = crate::composite::type_in_own_schema(fcinfo, "rfm_cell");
            let mut mcx = PgMemoryContexts::For((*flinfo).fn_mcxt);
            let tupdesc = mcx.switch_to(|_| {
                let tc = pg_sys::lookup_rowtype_tupdesc(oid, -1);
                let copy = pg_sys::CreateTupleDescCopy(tc);
                pg_sys::DecrTupleDescRefCount(tc);
                pg_sys::BlessTupleDesc(copy)
            });
            let c = CellCache {
                tupdesc,
                key: Vec::new(),
                breaks: None,
            };
            cache = mcx.leak_and_drop_on_delete(c);
            (*flinfo).fn_extra = cache as *mut std::ffi::c_void;
        }
        let cache = &mut *cache;
        let raw = pg_getarg_datum_raw(fcinfo, 3);
        let v = pg_sys::pg_detoast_datum(raw.cast_mut_ptr());
        let bytes = std::slice::from_raw_parts(v as *const u8, pgrx::varsize_any(v));
        if cache.breaks.is_none() || cache.key != bytes {
            let t = PgHeapTuple::<AllocatedByRust>::from_composite_datum(pg_sys::Datum::from(v));
            cache.breaks = Some(parse_breaks(&t));
            cache.key.clear();
            cache.key.extend_from_slice(bytes);
        }
        let breaks = cache.breaks.as_ref().expect("breaks were just parsed");
        let r: Option<f64> = pg_getarg(fcinfo, 0);
        let f: Option<f64> = pg_getarg(fcinfo, 1);
        let m: Option<f64> = pg_getarg(fcinfo, 2);
        let c = breaks.cell(r, f, m);
        let cols = [
            int_datum(c.r),
            int_datum(c.f),
            int_datum(c.m),
            text_datum(c.cell.as_deref()),
            text_datum(c.segment.as_deref()),
        ];
        let mut values = cols.map(|x| x.0);
        let mut nulls = cols.map(|x| x.1);
        let tuple = pg_sys::heap_form_tuple(cache.tupdesc, values.as_mut_ptr(), nulls.as_mut_ptr());
        let datum = pg_sys::HeapTupleHeaderGetDatum((*tuple).t_data);
        AnyElement::from_polymorphic_datum(datum, false, (*cache.tupdesc).tdtypeid)
    }
}

/// `rfm_segment(r, f, m, scheme, lang)`.
#[pg_extern(immutable, parallel_safe, strict)]
fn rfm_segment(
    r: i32,
    f: i32,
    m: i32,
    scheme: default!(&str, "'classic'"),
    lang: default!(&str, "'en'"),
) -> String {
    rfm::segment(r, f, m, scheme, lang).or_raise()
}

extension_sql!(
    r#"
CREATE TYPE rfm_values AS (recency_days float8, frequency bigint, monetary numeric,
                           first_at timestamptz, last_at timestamptz);
COMMENT ON TYPE rfm_values IS
  'Per-user RFM values from rfm_agg: whole days from the last transaction to as_of, number of transactions, sum of amounts, first and last transaction time.';
CREATE TYPE rfm_breaks AS (bins int, recency float8[], frequency float8[], monetary float8[]);
COMMENT ON TYPE rfm_breaks IS
  'Population RFM breaks from the rfm_breaks aggregate: per metric, percentile_cont(k / bins) for k = 1 .. bins-1 (empty when the metric had no values).';
CREATE TYPE rfm_cell AS (r int, f int, m int, cell text, segment text);
COMMENT ON TYPE rfm_cell IS
  'Tie-aware RFM scores of one user (1 .. bins, higher is better), the cell label like ''R5F4M3'' and the classic segment (5 bins only).';
"#,
    name = "rfm_types"
);

extension_sql_file!(
    "../sql/rfm.sql",
    name = "rfm_sql",
    requires = [
        rfm_agg_sfunc,
        rfm_agg_final,
        rfm_agg_combine,
        rfm_agg_serial,
        rfm_agg_deserial,
        rfm_breaks_sfunc3,
        rfm_breaks_sfunc4,
        rfm_breaks_final,
        rfm_breaks_combine,
        rfm_breaks_serial,
        rfm_breaks_deserial,
        rfm_cell,
        rfm_segment,
        "rfm_types",
    ]
);

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use pgrx::prelude::*;

    #[pg_test]
    fn rfm_agg_hand_worked() {
        let v = Spi::get_one::<String>(
            "SELECT concat_ws(',', (v).recency_days, (v).frequency, (v).monetary,
                              (v).first_at = '2026-03-01 00:00+00', (v).last_at = '2026-03-05 06:00+00')
             FROM (SELECT rfm_agg(ts::timestamptz, amt, '2026-03-10 12:00+00') v
                   FROM (VALUES ('2026-03-01 00:00+00', 10.5), ('2026-03-05 06:00+00', NULL),
                                ('2026-03-20 00:00+00', 99), (NULL, 7)) AS t(ts, amt)) s",
        );
        assert_eq!(v, Ok(Some("5,2,10.5,t,t".to_string())));
    }

    #[pg_test]
    fn rfm_cell_and_segment() {
        let v = Spi::get_one::<String>(
            "SELECT (rfm_cell(2, 10, 500, b)).cell || ' ' || (rfm_cell(2, 10, 500, b)).segment
             FROM (SELECT rfm_breaks(r, f, m) b
                   FROM generate_series(1, 10) g, LATERAL (SELECT g * 3.0 r, g::float8 f, g * 10.0 m) x) s",
        );
        assert_eq!(v, Ok(Some("R5F5M5 Champions".to_string())));
        let z = Spi::get_one::<String>("SELECT rfm_segment(1, 5, 5, 'value8', 'zh')");
        assert_eq!(z, Ok(Some("重要保持客户".to_string())));
    }
}
