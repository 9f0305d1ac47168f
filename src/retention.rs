//! Retention: ClickHouse's per-user `retention(conds)` and the one-shot cohort retention
//! matrix `retention_matrix(user_id, ts, cohort, returned, definition)` with its definition
//! built by `retention_definition(...)` (see `core/src/retention.rs` for the semantics).

use crate::keys::SqlKey;
use crate::pg::errors::{invalid, null_argument, raise, OrRaise};
use crate::pg::zone::LocalTime;
use crate::pg::{Call, Record, RowArray};
use pg_operations_core::activity::{ActivitySeries, PeriodLifecycle};
use pg_operations_core::codec::{Reader, Writer};
use pg_operations_core::funnel::UserKey;
use pg_operations_core::retention::{
    CohortCell, CohortRetention, Counting, Entry, Period, RetentionDefinition, RetentionFlags,
};
use pg_operations_core::same_name;
use pg_operations_core::time::{TIMESTAMP_RANGE, USECS_PER_DAY};
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
            _ => null_argument("retention_definition", name),
        }
    };
    let int = |name: &str| -> i32 {
        match t.get_by_name::<i32>(name) {
            Ok(Some(v)) => v,
            _ => null_argument("retention_definition", name),
        }
    };
    let as_of = match t.get_by_name::<TimestampWithTimeZone>("as_of") {
        Ok(Some(v)) => pg_sys::TimestampTz::from(v),
        _ => null_argument("retention_definition", "as_of"),
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

/// A core state plus the time zone its rows are converted to local time in.
pub struct Zoned<S> {
    inner: S,
    zone: LocalTime,
}

/// Codec tag of zoned partial states (core states use letters).
const ZONED_TAG: u8 = 202;

impl<S: PartialState> PartialState for Zoned<S> {
    fn hand_over_in_process(&self) -> bool {
        self.inner.hand_over_in_process()
    }
    fn merge(&mut self, other: Self) -> OpsResult<()> {
        self.merge_interruptible(other, &mut || {})
    }
    fn merge_interruptible(&mut self, other: Self, check: &mut dyn FnMut()) -> OpsResult<()> {
        if other.zone.name() != self.zone.name() {
            return Err(OpsError::invalid(
                "the time zone must be the same on every row of a group",
            ));
        }
        self.inner.merge_interruptible(other.inner, check)
    }
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(ZONED_TAG, 1);
        w.str(self.zone.name()).bytes(&self.inner.encode());
        w.finish()
    }
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, ZONED_TAG, 1)?;
        let zone = LocalTime::new(&r.str()?).map_err(OpsError::malformed)?;
        let inner = S::decode(r.bytes()?)?;
        r.finish()?;
        Ok(Zoned { inner, zone })
    }
}

/// The matrix state.
pub type Matrix<K> = Zoned<CohortRetention<K>>;

/// Shared transition: rows that are neither cohort nor return events, or lack a user or a
/// timestamp, cost nothing; the definition is read on the group's first counted row.
fn matrix_step<'fc, K: SqlKey>(
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
            null_argument("retention_matrix", "definition")
        };
        let (def, zone) = from_record(&rec);
        Zoned {
            inner: CohortRetention::new(def).or_raise(),
            zone,
        }
    });
    let local = m.zone.to_local(ts);
    key.matrix(&mut m.inner, local, cohort, returned);
}

/// The event-name form's state: the matrix plus the event names that make a row a cohort or
/// a return event (read from the group's first row).
pub struct EventMatrix<K: UserKey> {
    matrix: Matrix<K>,
    cohort_events: Vec<String>,
    return_events: Vec<String>,
}

/// Codec tag of the event-name form's partial states.
const EVENT_MATRIX_TAG: u8 = 203;

impl<K: UserKey + 'static> PartialState for EventMatrix<K> {
    fn hand_over_in_process(&self) -> bool {
        self.matrix.hand_over_in_process()
    }
    fn merge(&mut self, other: Self) -> OpsResult<()> {
        self.merge_interruptible(other, &mut || {})
    }
    fn merge_interruptible(&mut self, other: Self, check: &mut dyn FnMut()) -> OpsResult<()> {
        if other.cohort_events != self.cohort_events || other.return_events != self.return_events {
            return Err(OpsError::invalid(
                "retention_matrix: cohort_events and return_events must be the same on every row of a group",
            ));
        }
        self.matrix.merge_interruptible(other.matrix, check)
    }
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(EVENT_MATRIX_TAG, 1);
        for list in [&self.cohort_events, &self.return_events] {
            w.len(list.len());
            for e in list {
                w.str(e);
            }
        }
        w.bytes(&self.matrix.encode());
        w.finish()
    }
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, EVENT_MATRIX_TAG, 1)?;
        let mut lists = [Vec::new(), Vec::new()];
        for list in &mut lists {
            let n = r.len(4)?;
            for _ in 0..n {
                list.push(r.str()?);
            }
        }
        let matrix = Matrix::decode(r.bytes()?)?;
        r.finish()?;
        let [cohort_events, return_events] = lists;
        Ok(EventMatrix {
            matrix,
            cohort_events,
            return_events,
        })
    }
}

/// Transition of the event-name form: the event is compared with the group's cohort and
/// return event names byte for byte (no SQL expression is evaluated per row); rows that
/// match neither cost that comparison.
#[allow(clippy::too_many_arguments)]
fn event_matrix_step<'fc, K: SqlKey>(
    slot: &mut crate::pg::agg::Slot<'fc, crate::pg::agg::Boxed<EventMatrix<K::Owned>>>,
    key: Option<K>,
    ts: Option<i64>,
    event: Option<&str>,
    cohort_events: impl FnOnce() -> Option<pgrx::datum::Array<'fc, &'fc str>>,
    return_events: impl FnOnce() -> Option<pgrx::datum::Array<'fc, &'fc str>>,
    definition: impl FnOnce() -> Option<Record<'fc>>,
) {
    let (Some(key), Some(ts), Some(event)) = (key, ts, event) else {
        return;
    };
    let s = slot.get_or_init(|| {
        const F: &str = "retention_matrix";
        let list = |a: Option<pgrx::datum::Array<'fc, &'fc str>>, what: &str| -> Vec<String> {
            let Some(a) = a else { null_argument(F, what) };
            a.iter()
                .map(|e| {
                    e.map(str::to_string)
                        .unwrap_or_else(|| null_argument(F, what))
                })
                .collect()
        };
        let cohort_events = list(cohort_events(), "cohort_events");
        let return_events = list(return_events(), "return_events");
        let Some(rec) = definition() else {
            null_argument(F, "definition")
        };
        let (def, zone) = from_record(&rec);
        EventMatrix {
            matrix: Zoned {
                inner: CohortRetention::new(def).or_raise(),
                zone,
            },
            cohort_events,
            return_events,
        }
    });
    let cohort = s.cohort_events.iter().any(|e| same_name(e, event));
    let returned = s.return_events.iter().any(|e| same_name(e, event));
    if !(cohort || returned) {
        return;
    }
    let local = s.matrix.zone.to_local(ts);
    key.matrix(&mut s.matrix.inner, local, cohort, returned);
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

/// The zone of an overload with a `time_zone` argument (`None`: the overload has none, UTC).
fn zone_of(zone: Option<Option<&str>>, caller: &str) -> LocalTime {
    match zone {
        None => LocalTime::new("UTC").expect("UTC is known"),
        Some(None) => null_argument(caller, "time_zone"),
        Some(Some(z)) => LocalTime::new(z).unwrap_or_else(|m| invalid(format!("{caller}: {m}"))),
    }
}

/// A NULL date argument is 22023.
fn day_arg(day: Option<i32>, what: &str, caller: &str) -> i64 {
    match day {
        Some(d) => i64::from(d),
        None => null_argument(caller, what),
    }
}

/// Transition of `activity_series`: rows without a user or a timestamp are skipped; the
/// range and the zone are read on the group's first row.
fn activity_step<'fc, K: SqlKey>(
    slot: &mut crate::pg::agg::Slot<'fc, crate::pg::agg::Boxed<Zoned<ActivitySeries<K::Owned>>>>,
    key: Option<K>,
    ts: Option<i64>,
    config: impl FnOnce() -> (Option<i32>, Option<i32>, Option<Option<&'fc str>>),
) {
    let (Some(key), Some(ts)) = (key, ts) else {
        return;
    };
    let s = slot.get_or_init(|| {
        const F: &str = "activity_series";
        let (first, last, zone) = config();
        Zoned {
            inner: ActivitySeries::new(
                day_arg(first, "first_day", F),
                day_arg(last, "last_day", F),
            )
            .or_raise(),
            zone: zone_of(zone, F),
        }
    });
    let local = s.zone.to_local(ts);
    key.activity(&mut s.inner, local);
}

fn activity_final<K: UserKey>(
    s: Option<&mut Zoned<ActivitySeries<K>>>,
    cx: &Call<'_>,
) -> Option<RowArray> {
    let days = s?.inner.finish(&mut || cx.check_interrupts());
    let rows: Vec<_> = days
        .into_iter()
        .map(|d| {
            vec![
                Some(pg_sys::Datum::from(d.day as i32)),
                d.dau.into_datum(),
                d.wau.into_datum(),
                d.mau.into_datum(),
                d.stickiness.into_datum(),
            ]
        })
        .collect();
    Some(cx.row_array(&rows))
}

/// Transition of `lifecycle_counts` (as [`activity_step`]).
fn lifecycle_step<'fc, K: SqlKey>(
    slot: &mut crate::pg::agg::Slot<'fc, crate::pg::agg::Boxed<Zoned<PeriodLifecycle<K::Owned>>>>,
    key: Option<K>,
    ts: Option<i64>,
    config: impl FnOnce() -> (
        Option<&'fc str>,
        Option<i32>,
        Option<i32>,
        Option<Option<&'fc str>>,
    ),
) {
    let (Some(key), Some(ts)) = (key, ts) else {
        return;
    };
    let s = slot.get_or_init(|| {
        const F: &str = "lifecycle_counts";
        let (period, first, last, zone) = config();
        let Some(period) = period else {
            null_argument(F, "period")
        };
        let period = Period::parse(period).or_raise();
        // A date beyond the timestamp range (infinity included) is an error, not a wrapped
        // product.
        let micros = |day: Option<i32>, what: &str| {
            day_arg(day, what, F)
                .checked_mul(USECS_PER_DAY)
                .filter(|us| TIMESTAMP_RANGE.contains(us))
                .unwrap_or_else(|| invalid(format!("{F}: {what} is outside the timestamp range")))
        };
        let (first, last) = (micros(first, "first_day"), micros(last, "last_day"));
        Zoned {
            inner: PeriodLifecycle::new(period, first, last).or_raise(),
            zone: zone_of(zone, F),
        }
    });
    let local = s.zone.to_local(ts);
    key.lifecycle(&mut s.inner, local);
}

fn lifecycle_final<K: UserKey>(
    s: Option<&mut Zoned<PeriodLifecycle<K>>>,
    cx: &Call<'_>,
) -> Option<RowArray> {
    let counts = s?.inner.finish(&mut || cx.check_interrupts());
    let rows: Vec<_> = counts
        .into_iter()
        .map(|c| {
            vec![
                Some(pg_sys::Datum::from(
                    c.period_start.div_euclid(USECS_PER_DAY) as i32,
                )),
                c.new.into_datum(),
                c.returning.into_datum(),
                c.resurrecting.into_datum(),
                (-c.dormant).into_datum(),
            ]
        })
        .collect();
    Some(cx.row_array(&rows))
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
            let (n, mask) = (conds.len(), conds.mask());
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

    type activity_day (day date, dau bigint, wau bigint, mau bigint, stickiness float8)
        "One day of activity_series: daily active users, users active in the 7 and in the 30 days ending that day, and stickiness = dau / mau.";
    type lifecycle_count (period_start date, new bigint, returning bigint, resurrecting bigint, dormant bigint)
        "One period of lifecycle_counts: users active in the period split into new (first activity ever), returning (also active the period before) and resurrecting (active before, not the period before), and dormant (active the period before, not this one) as a negative count.";

    aggregate activity_series -> activity_day[]
        "DAU, WAU and MAU per day from raw events: for every local day from first_day to last_day, the distinct users active that day (dau), in the 7 days ending that day (wau) and in the 30 days ending that day (mau), and stickiness dau / mau. Days are UTC days, or local days in time_zone. Rows with a NULL user_id or ts are skipped. At most 36600 days. See docs/retention.md."
    {
        state ById: Zoned<ActivitySeries<i64>> = |s, cx| activity_final(s, cx);
        state ByText: Zoned<ActivitySeries<String>> = |s, cx| activity_final(s, cx);
        (user_id bigint, ts timestamptz, first_day date, last_day date) ById
            = |slot, a| activity_step(slot, a.user_id(), a.ts(), || (a.first_day(), a.last_day(), None));
        (user_id text, ts timestamptz, first_day date, last_day date) ByText
            = |slot, a| activity_step(slot, a.user_id(), a.ts(), || (a.first_day(), a.last_day(), None));
        (user_id bigint, ts timestamptz, first_day date, last_day date, time_zone text) ById
            = |slot, a| activity_step(slot, a.user_id(), a.ts(), || (a.first_day(), a.last_day(), Some(a.time_zone())));
        (user_id text, ts timestamptz, first_day date, last_day date, time_zone text) ByText
            = |slot, a| activity_step(slot, a.user_id(), a.ts(), || (a.first_day(), a.last_day(), Some(a.time_zone())));
    }

    aggregate lifecycle_counts -> lifecycle_count[]
        "Lifecycle counts per period (PostHog's lifecycle): for each day, week (ISO) or month whose start lies between first_day and last_day, the users active in it that are new (first activity ever), returning (also active the period before) or resurrecting (active before, not the period before), and the dormant users (active the period before, not this one) as a negative count, so that last period's active users = returning + (- dormant). Events before first_day count as history. UTC periods, or local in time_zone. See docs/retention.md."
    {
        state ById: Zoned<PeriodLifecycle<i64>> = |s, cx| lifecycle_final(s, cx);
        state ByText: Zoned<PeriodLifecycle<String>> = |s, cx| lifecycle_final(s, cx);
        (user_id bigint, ts timestamptz, period text, first_day date, last_day date) ById
            = |slot, a| lifecycle_step(slot, a.user_id(), a.ts(), || (a.period(), a.first_day(), a.last_day(), None));
        (user_id text, ts timestamptz, period text, first_day date, last_day date) ByText
            = |slot, a| lifecycle_step(slot, a.user_id(), a.ts(), || (a.period(), a.first_day(), a.last_day(), None));
        (user_id bigint, ts timestamptz, period text, first_day date, last_day date, time_zone text) ById
            = |slot, a| lifecycle_step(slot, a.user_id(), a.ts(), || (a.period(), a.first_day(), a.last_day(), Some(a.time_zone())));
        (user_id text, ts timestamptz, period text, first_day date, last_day date, time_zone text) ByText
            = |slot, a| lifecycle_step(slot, a.user_id(), a.ts(), || (a.period(), a.first_day(), a.last_day(), Some(a.time_zone())));
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

        state ByIdEvents: EventMatrix<i64> = |s, cx| matrix_final(s.map(|s| &mut s.matrix), cx);
        state ByTextEvents: EventMatrix<String> = |s, cx| matrix_final(s.map(|s| &mut s.matrix), cx);
        note events "Cohort retention matrix over raw events by event name: a row is a cohort event when event is one of cohort_events and a return event when it is one of return_events (compared byte for byte, no expression evaluated per row: the fastest form); otherwise as retention_matrix(user_id, ts, cohort, returned, definition). Rows with a NULL user_id, ts or event are skipped. See docs/retention.md.";
        (user_id bigint, ts timestamptz, event text, cohort_events text[], return_events text[], definition retention_definition) ByIdEvents events
            = |slot, a| event_matrix_step(slot, a.user_id(), a.ts(), a.event(), || a.cohort_events(), || a.return_events(), || a.definition());
        (user_id text, ts timestamptz, event text, cohort_events text[], return_events text[], definition retention_definition) ByTextEvents events
            = |slot, a| event_matrix_step(slot, a.user_id(), a.ts(), a.event(), || a.cohort_events(), || a.return_events(), || a.definition());
    }
}
