//! RFM: `rfm_agg` (per-user values), `rfm_breaks` (population quantiles), `rfm_cell`
//! (tie-aware scores) and `rfm_segment` (see `core/src/rfm.rs`).

use crate::numeric::NumericSum;
use crate::pg::errors::{invalid, null_argument, OrRaise};
use crate::pg::zone::LocalTime;
use crate::pg::NumericArg;
use crate::pg::Record;
use pg_operations_core::codec::{Reader, Writer};
use pg_operations_core::rfm::{
    self, DistinctDays, RfmAcc, RfmBreaks, RfmBreaksState, RfmMeansState,
};
use pg_operations_core::time::USECS_PER_DAY;
use pg_operations_core::{OpsError, OpsResult, PartialState};
use pgrx::datum::Array;
use pgrx::IntoDatum;

/// `rfm_agg` state: the core accumulator plus the exact `numeric` sum of the amounts of the
/// counted rows (`None` until a non-NULL amount is counted, as `sum(amount)`; fixed point
/// while it fits, see src/numeric.rs).
pub struct RfmAggState {
    acc: RfmAcc,
    monetary: Option<NumericSum>,
    /// With `count_by => 'days'`: the distinct local days of the counted rows, in a zone.
    days: Option<Box<(DistinctDays, LocalTime)>>,
}

impl RfmAggState {
    fn new(as_of: i64, days_in: Option<LocalTime>) -> Self {
        RfmAggState {
            acc: RfmAcc::new(as_of).or_raise(),
            monetary: None,
            days: days_in.map(|z| Box::new((DistinctDays::new(), z))),
        }
    }

    /// The counting rule: `None` for rows, the zone's name for distinct local days.
    fn counting(&self) -> Option<&str> {
        self.days.as_ref().map(|d| d.1.name())
    }

    /// Frequency: counted rows, or distinct local days with a counted row.
    fn frequency(&mut self) -> i64 {
        match &mut self.days {
            None => self.acc.frequency,
            Some(d) => d.0.count(),
        }
    }
}

impl PartialState for RfmAggState {
    fn merge(&mut self, other: Self) -> OpsResult<()> {
        if self.counting() != other.counting() {
            let show = |c: Option<&str>| c.map_or("rows".to_string(), |z| format!("days in {z}"));
            return Err(OpsError::invalid(format!(
                "rfm_agg: count_by and time_zone must be the same for every row of a group, got {} and {}",
                show(self.counting()),
                show(other.counting())
            )));
        }
        self.acc.merge(other.acc)?;
        NumericSum::merge_into(&mut self.monetary, other.monetary);
        if let (Some(mine), Some(theirs)) = (&mut self.days, other.days) {
            mine.0.merge(theirs.0)?;
        }
        Ok(())
    }
    /// The accumulator's bytes, then the sum ([`NumericSum::encode`]).
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(RFM_AGG_TAG, 2);
        w.bytes(&self.acc.encode());
        NumericSum::encode(&self.monetary, &mut w);
        match &self.days {
            Some(d) => {
                w.u8(1).str(d.1.name()).bytes(&d.0.encode());
            }
            None => {
                w.u8(0);
            }
        }
        w.finish()
    }
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let bad = || OpsError::malformed("rfm_agg state is truncated or corrupt");
        let mut r = Reader::new(bytes, RFM_AGG_TAG, 2)?;
        let acc = RfmAcc::decode(r.bytes()?)?;
        let monetary = NumericSum::decode(&mut r, bad)?;
        let days = match r.u8()? {
            0 => None,
            1 => {
                let zone = LocalTime::new(&r.str()?).map_err(|_| bad())?;
                Some(Box::new((DistinctDays::decode(r.bytes()?)?, zone)))
            }
            _ => return Err(bad()),
        };
        r.finish()?;
        Ok(RfmAggState {
            acc,
            monetary,
            days,
        })
    }
}

/// The codec tag of `rfm_agg` partial states (core states use 1 .. 20).
const RFM_AGG_TAG: u8 = 200;

/// The shared transition of `rfm_agg`: the state (and as_of, and the counting rule) is set
/// up on the group's first row and must be the same on every row; rows with a NULL ts or
/// after as_of are skipped; a NULL amount counts in frequency but not in monetary.
fn agg_step<'fc>(
    slot: &mut crate::pg::agg::Slot<'_, crate::pg::agg::Boxed<RfmAggState>>,
    ts: Option<i64>,
    amount: impl FnOnce() -> Option<NumericArg<'fc>>,
    as_of: Option<i64>,
    count_by: Option<(Option<&str>, Option<&str>)>,
) {
    let Some(as_of) = as_of else {
        null_argument("rfm_agg", "as_of")
    };
    let zone = |count_by: Option<(Option<&str>, Option<&str>)>| -> Option<LocalTime> {
        let (by, tz) = count_by?;
        let by = by.unwrap_or_else(|| null_argument("rfm_agg", "count_by"));
        match by.trim().to_ascii_lowercase().as_str() {
            "rows" => None,
            "days" => {
                let tz = tz.unwrap_or_else(|| null_argument("rfm_agg", "time_zone"));
                Some(LocalTime::new(tz).unwrap_or_else(|m| invalid(format!("rfm_agg: {m}"))))
            }
            _ => invalid(format!(
                "rfm_agg: unknown count_by '{}'; valid values are rows, days",
                by.chars().take(60).collect::<String>()
            )),
        }
    };
    let s = slot.get_or_init(|| RfmAggState::new(as_of, zone(count_by)));
    // as_of must be the same on every row (checked even on rows with a NULL ts).
    s.acc.check_as_of(as_of).or_raise();
    if let Some((by, tz)) = count_by {
        let same = match &s.days {
            None => by.is_some_and(|b| b.trim().eq_ignore_ascii_case("rows")),
            Some(d) => {
                by.is_some_and(|b| b.trim().eq_ignore_ascii_case("days")) && tz == Some(d.1.name())
            }
        };
        if !same {
            s.merge(RfmAggState::new(as_of, zone(count_by))).or_raise();
        }
    }
    if let Some(ts) = ts {
        if s.acc.push(ts) {
            if let Some(m) = amount() {
                NumericSum::add_to(&mut s.monetary, m);
            }
            if let Some(d) = &mut s.days {
                let day = d.1.to_local(ts).div_euclid(USECS_PER_DAY);
                d.0.push(i32::try_from(day).unwrap_or(if day < 0 { i32::MIN } else { i32::MAX }));
            }
        }
    }
}

/// Decodes an `rfm_breaks` composite (arrays must not contain NULL; a NULL array counts as
/// empty, i.e. that metric's score is NULL) and validates it.
fn parse_breaks(rec: &Record<'_>) -> RfmBreaks {
    let t = rec.tuple();
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

/// An `rfm_breaks` value as the SQL composite (the result of `rfm_breaks` and `rfm_means`).
fn breaks_row(b: &RfmBreaks, cx: &crate::pg::Call<'_>) -> crate::pg::Row {
    cx.row(&[
        b.bins.into_datum(),
        b.recency.clone().into_datum(),
        b.frequency.clone().into_datum(),
        b.monetary.clone().into_datum(),
    ])
}

/// What one `rfm_cell` call site keeps: the last breaks argument (by its bytes), decoded.
#[derive(Default)]
struct CellCache {
    key: Vec<u8>,
    breaks: Option<RfmBreaks>,
}

/// Transition of `rfm_breaks`: bins must be the same on every row of a group.
fn breaks_step(
    slot: &mut crate::pg::agg::Slot<'_, crate::pg::agg::Boxed<RfmBreaksState>>,
    r: Option<f64>,
    f: Option<f64>,
    m: Option<f64>,
    bins: i32,
) {
    let s = slot.get_or_init(|| RfmBreaksState::new(bins).or_raise());
    s.check_bins_same(bins).or_raise();
    s.push(r, f, m);
}

pg_operations_macros::declare! {
    type rfm_values (recency_days float8, frequency bigint, monetary numeric,
                     first_at timestamptz, last_at timestamptz)
        "Per-user RFM values from rfm_agg: whole days from the last transaction to as_of, number of transactions, sum of amounts, first and last transaction time.";
    type rfm_breaks (bins int, recency float8[], frequency float8[], monetary float8[])
        "Population RFM breaks from the rfm_breaks aggregate: per metric, percentile_cont(k / bins) for k = 1 .. bins-1 (empty when the metric had no values).";
    type rfm_cell (r int, f int, m int, cell text, segment text)
        "Tie-aware RFM scores of one user (1 .. bins, higher is better), the cell label like 'R5F4M3' and the segment (classic for 5 bins, value8 for 2 bins, else NULL).";

    // Not strict: a NULL metric gives a NULL score; NULL breaks give NULL. The breaks are
    // decoded and validated once per call site while the argument's bytes stay the same.
    fn rfm_cell(recency_days float8, frequency float8, monetary float8, breaks rfm_breaks) -> rfm_cell
        "Tie-aware RFM scores from population breaks: f = 1 + #{breaks.frequency < frequency}, m likewise, r = 1 + #{breaks.recency > recency_days}; cell 'R5F4M3' and the segment: classic for 5 bins, value8 for 2 bins (rfm_means), else NULL. A NULL metric gives a NULL score (and NULL cell/segment); NULL breaks give NULL."
        = |a| {
            let rec = a.breaks()?;
            let c = a.call().with_cache(|cache: &mut CellCache| {
                if cache.breaks.is_none() || cache.key != rec.bytes() {
                    cache.breaks = Some(parse_breaks(&rec));
                    cache.key.clear();
                    cache.key.extend_from_slice(rec.bytes());
                }
                cache.breaks.as_ref().expect("breaks were just parsed")
                    .cell(a.recency_days(), a.frequency(), a.monetary())
            });
            Some(a.call().row(&[
                c.r.into_datum(),
                c.f.into_datum(),
                c.m.into_datum(),
                c.cell.into_datum(),
                c.segment.into_datum(),
            ]))
        };

    fn rfm_segment(r int, f int, m int, scheme text = "classic", lang text = "en") -> text strict
        "Named RFM segment of 1..5 scores: scheme 'classic' (11 segments on R and FM = (F + M + 1) / 2) or 'value8' (high = score > 3 per dimension, 8 value classes); lang 'en' or 'zh'. Unknown scheme/lang or a score outside 1..5 is error 22023."
        = |a| rfm::segment(a.r(), a.f(), a.m(), a.scheme(), a.lang()).or_raise();

    fn rfm_segment(r int, f int, m int, bins int, scheme text = "value8", lang text = "en") -> text strict
        "Named RFM segment of scores 1..bins: scheme 'value8' (a dimension is high when its score is above the middle, score * 2 > bins + 1: for 2 bins (rfm_means) score 2 = above the mean, for 5 bins score > 3) or 'classic' (bins must be 5); lang 'en' or 'zh'. 22023 for bins outside 2..100, a score outside 1..bins, or an unknown scheme or lang."
        = |a| rfm::segment_binned(a.r(), a.f(), a.m(), a.bins(), a.scheme(), a.lang()).or_raise();

    aggregate rfm_agg -> rfm_values
        "Per-user RFM values (recency_days, frequency, monetary, first_at, last_at) over transactions with ts <= as_of: recency is whole days from the last transaction to as_of, frequency counts rows with a non-NULL ts, monetary sums the non-NULL amounts exactly (as count(ts) and sum(amount)). Infinite as_of is error 22023."
    {
        state Transactions: RfmAggState sspace 160 = |s, cx| {
            let s = s?;
            let ts = |v: Option<i64>| v.map(pgrx::pg_sys::Datum::from);
            let frequency = s.frequency();
            Some(cx.row(&[
                s.acc.recency_days().into_datum(),
                frequency.into_datum(),
                s.monetary.as_ref().map(NumericSum::datum),
                ts(s.acc.first),
                ts(s.acc.last),
            ]))
        };
        (ts timestamptz, amount numeric, as_of timestamptz) Transactions = |slot, a| {
            agg_step(slot, a.ts(), || a.amount(), a.as_of(), None)
        };
        (ts timestamptz, amount numeric, as_of timestamptz, count_by text) Transactions
            "Per-user RFM values with count_by 'rows' (frequency = transactions, as the 3-argument form) or 'days' (frequency = distinct UTC calendar days with a transaction). Same as the 3-argument aggregate otherwise; count_by must be the same on every row (22023)."
            = |slot, a| {
                agg_step(slot, a.ts(), || a.amount(), a.as_of(), Some((a.count_by(), Some("UTC"))))
            };
        (ts timestamptz, amount numeric, as_of timestamptz, count_by text, time_zone text) Transactions
            "Per-user RFM values with count_by 'days' counting distinct calendar days in time_zone (an IANA name), or 'rows'. 22023 for an unknown count_by or time zone, or either varying within a group."
            = |slot, a| {
                agg_step(slot, a.ts(), || a.amount(), a.as_of(), Some((a.count_by(), a.time_zone())))
            };
    }

    aggregate rfm_means -> rfm_breaks
        "Population means instead of quantiles (high = above the mean, a common practice): an rfm_breaks value with bins = 2 and each metric's exact mean as its one break (empty when the metric had no values; NULL when no metric had any). With it rfm_cell scores 1/2 per metric (frequency and monetary high when strictly above the mean, recency high when strictly below the mean days) and its segment is the value8 class."
    {
        state Means: RfmMeansState = |s, cx| {
            let b = s?.finish()?;
            Some(breaks_row(&b, cx))
        };
        (recency_days float8, frequency float8, monetary float8) Means = |slot, a| {
            slot.get_or_init(RfmMeansState::new)
                .push(a.recency_days(), a.frequency(), a.monetary())
                .or_raise();
        };
    }

    aggregate rfm_breaks -> rfm_breaks
        "Population breaks for 5 RFM bins: per metric, percentile_cont(k / 5) for k = 1 .. 4 (NULLs skipped per metric). Feed the result to rfm_cell."
    {
        state Metrics: RfmBreaksState = |s, cx| {
            let b = s?.finish()?;
            Some(breaks_row(&b, cx))
        };
        (recency_days float8, frequency float8, monetary float8) Metrics = |slot, a| {
            breaks_step(slot, a.recency_days(), a.frequency(), a.monetary(), 5)
        };
        (recency_days float8, frequency float8, monetary float8, bins int) Metrics
            "Population breaks for bins RFM bins (2 .. 100): per metric, percentile_cont(k / bins) for k = 1 .. bins-1. bins < 2 is error 22023, bins > 100 is 54000."
            = |slot, a| {
                let bins = a.bins().unwrap_or_else(|| null_argument("rfm_breaks", "bins"));
                breaks_step(slot, a.recency_days(), a.frequency(), a.monetary(), bins)
            };
    }
}
