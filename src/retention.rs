//! Retention: ClickHouse's per-user `retention(conds)` and the one-shot cohort retention
//! matrix `retention_matrix(user_id, ts, cohort, returned, definition)` with its definition
//! built by `retention_definition(...)` (see `core/src/retention.rs` for the semantics).

use crate::pg::errors::{invalid, raise, OrRaise};
use crate::pg::zone::LocalTime;
use crate::pg::{Call, Record, RowArray};
use pg_operations_core::codec::{Reader, Writer};
use pg_operations_core::funnel::UserKey;
use pg_operations_core::retention::{
    CohortCell, CohortRetention, Counting, Entry, Period, RetentionDefinition, RetentionFlags,
};
use pg_operations_core::time::USECS_PER_DAY;
use pg_operations_core::{OpsError, OpsResult, PartialState};
use pgrx::datum::TimestampWithTimeZone;
use pgrx::{pg_sys, IntoDatum};

/// The definition and its time zone from the scalar's arguments, validated (22023).
fn build(
    as_of: i64,
    period: &str,
    periods: i32,
    entry: &str,
    counting: &str,
    time_zone: &str,
    rolling_days: i32,
) -> (RetentionDefinition, LocalTime) {
    let mut zone = LocalTime::new(time_zone).unwrap_or_else(|m| invalid(m));
    if as_of == i64::MIN || as_of == i64::MAX {
        invalid("retention as_of must be a finite timestamp");
    }
    let period = if period.trim().eq_ignore_ascii_case("rolling") {
        Period::rolling(rolling_days.into()).or_raise()
    } else {
        Period::parse(period).or_raise()
    };
    let def = RetentionDefinition::new(
        period,
        periods.into(),
        Entry::parse(entry).or_raise(),
        Counting::parse(counting).or_raise(),
        zone.to_local(as_of),
    )
    .or_raise();
    (def, zone)
}

/// Reads a `retention_definition` value (as the scalar made it).
fn from_record(rec: &Record<'_>) -> (RetentionDefinition, LocalTime) {
    let t = rec.tuple();
    let text = |name: &str| -> String {
        match t.get_by_name::<String>(name) {
            Ok(Some(v)) => v,
            _ => invalid(format!("retention definition: {name} must not be NULL")),
        }
    };
    let int = |name: &str| -> i32 {
        match t.get_by_name::<i32>(name) {
            Ok(Some(v)) => v,
            _ => invalid(format!("retention definition: {name} must not be NULL")),
        }
    };
    let as_of = match t.get_by_name::<TimestampWithTimeZone>("as_of") {
        Ok(Some(v)) => pg_sys::TimestampTz::from(v),
        _ => invalid("retention definition: as_of must not be NULL"),
    };
    build(
        as_of,
        &text("period"),
        int("periods"),
        &text("entry"),
        &text("counting"),
        &text("time_zone"),
        int("rolling_days"),
    )
}

/// The matrix state: the core state plus the time zone its rows are converted in.
pub struct Matrix<K: UserKey> {
    inner: CohortRetention<K>,
    zone: LocalTime,
}

/// Codec tag of `retention_matrix` partial states (core states use letters).
const MATRIX_TAG: u8 = 202;

impl<K: UserKey + 'static> PartialState for Matrix<K> {
    fn merge(&mut self, other: Self) -> OpsResult<()> {
        self.merge_interruptible(other, &mut || {})
    }
    fn merge_interruptible(&mut self, other: Self, check: &mut dyn FnMut()) -> OpsResult<()> {
        if other.zone.name() != self.zone.name() {
            return Err(OpsError::invalid(
                "retention_matrix: the definition must be the same on every row of a group",
            ));
        }
        self.inner.merge_interruptible(other.inner, check)
    }
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(MATRIX_TAG, 1);
        w.str(self.zone.name()).bytes(&self.inner.encode());
        w.finish()
    }
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, MATRIX_TAG, 1)?;
        let zone = LocalTime::new(&r.str()?).map_err(OpsError::malformed)?;
        let inner = CohortRetention::decode(r.bytes()?)?;
        r.finish()?;
        Ok(Matrix { inner, zone })
    }
}

/// A user id as the transition receives it (`bigint` or borrowed `text`).
trait MatrixKey: Copy {
    type Owned: UserKey + 'static;
    fn push(self, m: &mut CohortRetention<Self::Owned>, ts: i64, cohort: bool, ret: bool);
}

impl MatrixKey for i64 {
    type Owned = i64;
    fn push(self, m: &mut CohortRetention<i64>, ts: i64, cohort: bool, ret: bool) {
        m.push(self, ts, cohort, ret);
    }
}

impl MatrixKey for &str {
    type Owned = String;
    fn push(self, m: &mut CohortRetention<String>, ts: i64, cohort: bool, ret: bool) {
        m.push_str(self, ts, cohort, ret);
    }
}

/// Shared transition: rows that are neither cohort nor return events, or lack a user or a
/// timestamp, cost nothing; the definition is read on the group's first counted row.
fn matrix_step<'fc, K: MatrixKey>(
    slot: &mut crate::pg::agg::Slot<'fc, crate::pg::agg::Boxed<Matrix<K::Owned>>>,
    key: Option<K>,
    ts: Option<i64>,
    cohort: Option<bool>,
    returned: Option<bool>,
    definition: impl FnOnce() -> Option<Record<'fc>>,
) {
    let (cohort, returned) = (cohort == Some(true), returned == Some(true));
    if !(cohort || returned) {
        return;
    }
    let (Some(key), Some(ts)) = (key, ts) else {
        return;
    };
    let m = slot.get_or_init(|| {
        let Some(rec) = definition() else {
            invalid("retention_matrix: definition must not be NULL")
        };
        let (def, zone) = from_record(&rec);
        Matrix {
            inner: CohortRetention::new(def).or_raise(),
            zone,
        }
    });
    let local = m.zone.to_local(ts);
    key.push(&mut m.inner, local, cohort, returned);
}

/// The matrix rows as `retention_cell[]`.
fn cells(cx: &Call<'_>, cells: Vec<CohortCell>) -> RowArray {
    let rows: Vec<_> = cells
        .into_iter()
        .map(|c| {
            let day = c.cohort_start.div_euclid(USECS_PER_DAY) as i32;
            vec![
                Some(pg_sys::Datum::from(day)),
                c.period.into_datum(),
                c.cohort_size.into_datum(),
                c.retained.into_datum(),
                c.rate.into_datum(),
                c.ci_low.into_datum(),
                c.ci_high.into_datum(),
                c.complete.into_datum(),
            ]
        })
        .collect();
    cx.row_array(&rows)
}

fn matrix_final<K: UserKey>(s: Option<&mut Matrix<K>>, cx: &Call<'_>) -> Option<RowArray> {
    let s = s?;
    let out = s
        .inner
        .finish(&mut || cx.check_interrupts())
        .unwrap_or_else(|e| raise(e));
    Some(cells(cx, out))
}

/// The steps a `conds bool[]` row matches (NULL counts as false), and how many there are.
fn conds_mask(conds: &pgrx::datum::Array<bool>) -> (usize, u64) {
    let mut mask = 0u64;
    let mut n = 0;
    for (i, c) in conds.iter().enumerate() {
        if c == Some(true) && i < 64 {
            mask |= 1 << i;
        }
        n = i + 1;
    }
    (n, mask)
}

pg_operations_macros::declare! {
    type retention_definition (as_of timestamptz, period text, periods int, entry text,
                               counting text, time_zone text, rolling_days int)
        "What shapes a retention matrix, built by retention_definition(...): as_of, period (day, week, month or rolling), number of periods, entry (first or recurring), counting (on or on_or_after), time zone and the days of a rolling period.";
    type retention_cell (cohort_start date, period int, cohort_size bigint, retained bigint,
                         rate float8, ci_low float8, ci_high float8, complete bool)
        "One cell of a cohort retention matrix: the cohort's first day (local date of its period start), period k, the cohort's users, those retained in period k, the rate with its 95 % Wilson interval, and whether period k had wholly happened by as_of.";

    fn retention_definition(as_of timestamptz, period text = "week", periods int = 8,
                            entry text = "first", counting text = "on", time_zone text = "UTC",
                            rolling_days int = 7) -> retention_definition strict
        "A retention matrix definition (validated): as_of (events after it are ignored; a cell whose period is not over by then is marked incomplete), period 'day', 'week' (ISO, Monday to Sunday), 'month' (calendar periods in time_zone, an IANA name, default 'UTC') or 'rolling' (rolling_days x 24 h from each user's cohort event), periods after the cohort period (1..400), entry 'first' (a user's first cohort event) or 'recurring' (every period with a cohort event), counting 'on' (returned in period N) or 'on_or_after' (in period N or later). 22023 for anything else."
        = |a| {
            // Validation only: the value is stored as given and decoded again per group.
            build(a.as_of(), a.period(), a.periods(), a.entry(), a.counting(), a.time_zone(), a.rolling_days());
            a.call().row(&[
                Some(pg_sys::Datum::from(a.as_of())),
                a.period().trim().to_lowercase().into_datum(),
                a.periods().into_datum(),
                a.entry().trim().to_lowercase().into_datum(),
                a.counting().trim().to_lowercase().into_datum(),
                a.time_zone().into_datum(),
                a.rolling_days().into_datum(),
            ])
        };

    aggregate retention -> int[]
        "ClickHouse retention over one user's rows: r[1] = 1 if conds[1] held on some row, r[k] = 1 if conds[1] and conds[k] each held on some row (any order), else 0. NULL elements count as false; rows with a NULL conds are skipped (NULL when none is left). 1 to 32 conditions, the same number on every row (22023 otherwise)."
    {
        state Flags: RetentionFlags plain sspace 32 = |s, _| s.map(|s| s.finish());
        (conds bool[]) Flags = |slot, a| {
            let Some(conds) = a.conds() else { return };
            let (n, mask) = conds_mask(&conds);
            let s = slot.get_or_init(|| RetentionFlags::new(n).or_raise());
            if s.conditions() != n {
                invalid(format!(
                    "retention: conds has {n} elements on this row but {} on the group's first row",
                    s.conditions()
                ));
            }
            s.push(mask);
        };
    }

    aggregate retention_matrix -> retention_cell[]
        "One-shot cohort retention matrix over raw events: one retention_cell per (cohort, period 0..periods) with cohort size, retained users, rate, 95 % Wilson interval and a complete flag, as shaped by definition (retention_definition(...)). A row counts as a cohort event when cohort is true and as a return event when returned is true; rows that are neither, or lack user_id or ts, are skipped. See docs/retention.md."
    {
        state ById: Matrix<i64> = |s, cx| matrix_final(s, cx);
        state ByText: Matrix<String> = |s, cx| matrix_final(s, cx);
        (user_id bigint, ts timestamptz, cohort bool, returned bool, definition retention_definition) ById
            = |slot, a| matrix_step(slot, a.user_id(), a.ts(), a.cohort(), a.returned(), || a.definition());
        (user_id text, ts timestamptz, cohort bool, returned bool, definition retention_definition) ByText
            = |slot, a| matrix_step(slot, a.user_id(), a.ts(), a.cohort(), a.returned(), || a.definition());
    }
}
