//! Retention: ClickHouse's per-user `retention(conds bool[])` ([`RetentionFlags`]) and the
//! one-shot cohort retention matrix over raw events ([`CohortRetention`]).
//!
//! # `retention(conds)`
//!
//! Over one user's rows (1 to [`MAX_CONDITIONS`] conditions per row, the same number on every
//! row): `r[1] = 1` if `cond1` held on some row; `r[k] = 1` (k ≥ 2) if `cond1` held on some
//! row **and** `cond_k` held on some row (the same or another, in any order, with no time
//! constraint); otherwise 0. A NULL condition counts as false.
//!
//! # The cohort matrix
//!
//! ## Local time
//!
//! Every timestamp handed to [`CohortRetention`] (the rows and `as_of`) is a *local*
//! wall-clock time in microseconds since 2000-01-01 00:00 (the PostgreSQL epoch): the SQL
//! layer converts each `timestamptz` to the chosen time zone first, so days, ISO weeks
//! (Monday to Sunday) and months of the proleptic Gregorian calendar follow that zone,
//! daylight-saving changes included, and a rolling period of `n` days is `n × 24` hours of
//! that local clock. Rows at `±infinity` (`i64::MIN`, `i64::MAX`), rows after `as_of`, and
//! rows that are neither cohort nor return events are ignored.
//!
//! ## Entries and cohorts
//!
//! An *entry* is a (user, cohort period, anchor) triple; the anchor is a cohort event's
//! timestamp.
//! - `first`: each user with a cohort event has exactly one entry, anchored at the user's
//!   earliest cohort event; its cohort period is the calendar period containing the anchor.
//! - `recurring`: every calendar period containing at least one cohort event of the user is
//!   an entry, anchored at the user's earliest cohort event in that period (a user can be in
//!   several cohorts, but at most once in each).
//! - `rolling N days`: as above with the local day as the "period" that groups entries: with
//!   `first` the one entry is anchored at the earliest cohort event; with `recurring` each
//!   local day containing cohort events is an entry anchored at that day's first cohort
//!   event.
//!
//! A *cohort* is one distinct cohort period start (for rolling periods: the start of the
//! local day of the anchor) that has at least one entry; its `cohort_size` is its number of
//! entries, i.e. of distinct users. At most [`MAX_COHORTS`] cohorts (else `54000`).
//!
//! ## Period `k` of an entry (k = 0 ..= `periods`)
//!
//! - calendar: the `k`-th calendar period after the cohort period, `k = 0` being the cohort
//!   period itself, i.e. `[start(P + k), start(P + k + 1))`;
//! - rolling `N` days: `[anchor + k·N·24h, anchor + (k+1)·N·24h)`.
//!
//! ## Retained
//!
//! Only return events strictly after the entry's anchor count (`ts > anchor`): a return
//! event earlier than the cohort event never counts, not even in period 0, so a user whose
//! first return precedes their cohort event is retained only by later returns; and the
//! cohort event itself is never its own return, so with the same event as cohort and return
//! (repeat purchase, re-borrowing) period 0 counts users who converted *again* within the
//! cohort period. Return events after `as_of` are ignored.
//! - `on`: the entry is retained in period `k` if a counting return event lies in period
//!   `k`. For `k = 0` that is a return in the cohort period (rolling: the first `N` days)
//!   after the anchor.
//! - `on_or_after`: retained in period `k` if a counting return event lies in period `k` or
//!   any later period (up to `as_of`). So period 0 counts every entry with any return
//!   after its anchor, and the row of a cohort never increases with `k`.
//!
//! `retained` is the number of entries of the cohort retained in period `k`; `rate =
//! retained / cohort_size` with its 95 % Wilson interval ([`crate::stats::wilson`]).
//!
//! ## Complete
//!
//! `complete` is true when period `k` has wholly happened by `as_of`: its (exclusive) end is
//! at most `as_of + 1 µs`. Calendar: `start(P + k + 1) <= as_of + 1 µs`. Rolling: the period
//! `k` of *every* entry of the cohort has ended, i.e. `latest anchor + (k+1)·N·24h <= as_of +
//! 1 µs`. Every cohort has all `periods + 1` rows, including periods that start after
//! `as_of` (retained 0, complete false).

use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::funnel::UserKey;
use crate::state::{PartialState, Work, INTERRUPT_WORK};
use crate::stats::{wilson, z_for_confidence};
use crate::time::{fmt_ts, is_infinite, USECS_PER_DAY};
use hashbrown::{HashMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};

/// Most conditions of `retention(conds)` (ClickHouse's limit).
pub const MAX_CONDITIONS: usize = 32;
/// Most periods after the cohort period in a retention matrix.
pub const MAX_PERIODS: u32 = 400;
/// Most cohorts in a retention matrix.
pub const MAX_COHORTS: usize = 100_000;
/// Longest rolling period, in days (about 274 years).
pub const MAX_ROLLING_DAYS: u32 = 100_000;

const FLAGS_TAG: u8 = b'T';
const COHORT_TAG: u8 = b'C';
const VERSION: u8 = 1;

// ---------------------------------------------------------------------------------------
// retention(conds)
// ---------------------------------------------------------------------------------------

/// State of `retention(conds bool[]) -> int[]` over one user's rows: which conditions held
/// on some row (a bit per condition) and the number of conditions of the group. 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionFlags {
    seen: u64,
    n: u8,
}

fn check_conditions(n: usize) -> OpsResult<()> {
    if n == 0 {
        return Err(OpsError::invalid(
            "retention needs at least one condition, got an empty array",
        ));
    }
    if n > MAX_CONDITIONS {
        return Err(OpsError::limit(format!(
            "retention has {n} conditions; at most {MAX_CONDITIONS} are supported"
        )));
    }
    Ok(())
}

impl RetentionFlags {
    /// An empty state for rows of `n` conditions: `n = 0` is invalid, more than
    /// [`MAX_CONDITIONS`] exceeds the limit.
    pub fn new(n: usize) -> OpsResult<Self> {
        check_conditions(n)?;
        Ok(RetentionFlags {
            seen: 0,
            n: n as u8,
        })
    }

    /// A state holding the first row of a group (its length fixes the number of conditions).
    pub fn from_conds(conds: &[Option<bool>]) -> OpsResult<Self> {
        let mut s = RetentionFlags::new(conds.len())?;
        s.push_conds(conds)?;
        Ok(s)
    }

    /// The number of conditions per row.
    pub fn conditions(&self) -> usize {
        usize::from(self.n)
    }

    /// Adds a row as a mask (bit `i` = condition `i + 1` held); bits from `n` up are ignored.
    #[inline]
    pub fn push(&mut self, mask: u64) {
        self.seen |= mask & ((1u64 << self.n) - 1);
    }

    /// Adds a `conds bool[]` row (NULL = false); invalid when its length differs from the
    /// group's number of conditions.
    pub fn push_conds(&mut self, conds: &[Option<bool>]) -> OpsResult<()> {
        if conds.len() != self.conditions() {
            return Err(OpsError::invalid(format!(
                "retention got a row of {} conditions after rows of {}; every row of a group \
                 must have the same number of conditions",
                conds.len(),
                self.n
            )));
        }
        let mask = conds
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == Some(true))
            .fold(0u64, |m, (i, _)| m | 1 << i);
        self.push(mask);
        Ok(())
    }

    /// `r[1] = cond1 seen`, `r[k] = cond1 seen && cond_k seen` (as 0/1).
    pub fn finish(&self) -> Vec<i32> {
        let first = self.seen & 1 != 0;
        (0..self.n)
            .map(|i| i32::from(first && self.seen >> i & 1 != 0))
            .collect()
    }
}

impl PartialState for RetentionFlags {
    /// ORs the conditions seen; invalid when the states have different condition counts.
    fn merge(&mut self, other: RetentionFlags) -> OpsResult<()> {
        if self.n != other.n {
            return Err(OpsError::invalid(format!(
                "retention got rows of {} and of {} conditions; every row of a group must have \
                 the same number of conditions",
                self.n, other.n
            )));
        }
        self.seen |= other.seen;
        Ok(())
    }

    /// 11 bytes: `'T'`, version, the number of conditions (`u8`), the mask (`u64`).
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(FLAGS_TAG, VERSION);
        w.u8(self.n).u64(self.seen);
        w.finish()
    }

    /// Checks the length, the condition count and that no bit beyond it is set.
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, FLAGS_TAG, VERSION)?;
        let (n, seen) = (r.u8()?, r.u64()?);
        r.finish()?;
        let mut s = RetentionFlags::new(n.into())
            .map_err(|e| OpsError::malformed(format!("retention state: {}", e.message)))?;
        if seen >> n != 0 {
            return Err(OpsError::malformed(format!(
                "retention state has mask {seen:#x} for {n} conditions"
            )));
        }
        s.seen = seen;
        Ok(s)
    }
}

// ---------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, days since 2000-01-01)
// ---------------------------------------------------------------------------------------

/// Days from 0000-03-01 to 2000-01-01.
const EPOCH_SHIFT: i64 = 719_468 + 10_957;

/// Days since 2000-01-01 of the proleptic Gregorian date `year-month-day` (`month` 1..=12,
/// `day` 1..=31; an out-of-range day rolls over, e.g. Feb 30 is Mar 1 or 2).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = year - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - EPOCH_SHIFT
}

/// The proleptic Gregorian `(year, month, day)` of `days` since 2000-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + EPOCH_SHIFT;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Days from Monday 1999-12-27 (the start of the ISO week of 2000-01-01, a Saturday) to
/// 2000-01-01.
const WEEK_SHIFT: i64 = 5;

/// The number of the calendar period containing `ts`: days since 2000-01-01, ISO weeks since
/// the one starting 1999-12-27, or months since 2000-01. Rolling periods group by day.
fn period_number(period: Period, ts: i64) -> i64 {
    let day = ts.div_euclid(USECS_PER_DAY);
    match period {
        Period::Day | Period::Rolling { .. } => day,
        Period::Week => (day + WEEK_SHIFT).div_euclid(7),
        Period::Month => {
            let (y, m, _) = civil_from_days(day);
            (y - 2000) * 12 + i64::from(m) - 1
        }
    }
}

/// The local start of period number `n` (see [`period_number`]), unclamped.
fn number_start(period: Period, n: i64) -> i128 {
    let day = match period {
        Period::Day | Period::Rolling { .. } => n,
        Period::Week => n * 7 - WEEK_SHIFT,
        Period::Month => days_from_civil(2000 + n.div_euclid(12), n.rem_euclid(12) as u32 + 1, 1),
    };
    i128::from(day) * i128::from(USECS_PER_DAY)
}

fn clamp(v: i128) -> i64 {
    v.clamp(i64::MIN.into(), i64::MAX.into()) as i64
}

/// The start of the calendar period containing the local timestamp `local_ts` (for
/// [`Period::Rolling`], of its local day), as local microseconds since 2000-01-01. Infinite
/// timestamps are returned unchanged.
pub fn local_period_start(period: Period, local_ts: i64) -> i64 {
    if is_infinite(local_ts) {
        return local_ts;
    }
    clamp(number_start(period, period_number(period, local_ts)))
}

/// Which period of an entry anchored at `anchor` contains `ts` (both local): for calendar
/// periods the number of calendar periods from the one containing `anchor` to the one
/// containing `ts`; for `Rolling { days }` `floor((ts − anchor) / (days · 24h))`. Negative
/// when `ts` lies in an earlier period.
pub fn period_index(period: Period, anchor: i64, ts: i64) -> i64 {
    match period {
        Period::Rolling { days } => {
            let len = i128::from(days.max(1)) * i128::from(USECS_PER_DAY);
            clamp((i128::from(ts) - i128::from(anchor)).div_euclid(len))
        }
        _ => period_number(period, ts) - period_number(period, anchor),
    }
}

// ---------------------------------------------------------------------------------------
// Definition
// ---------------------------------------------------------------------------------------

/// The period of a retention matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// Local calendar days.
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
    /// `days × 24h` windows anchored at each entry's cohort event.
    Rolling { days: u32 },
}

impl Period {
    /// `'day'`, `'week'` or `'month'` (case and surrounding whitespace are ignored); rolling
    /// periods are built with [`Period::rolling`].
    pub fn parse(text: &str) -> OpsResult<Period> {
        match text.trim().to_ascii_lowercase().as_str() {
            "day" => Ok(Period::Day),
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            _ => Err(OpsError::invalid(format!(
                "unknown retention period '{}'; valid periods are day, week, month",
                crate::error::truncate(text, 60)
            ))),
        }
    }

    /// A rolling period of `days` days (1 ..= [`MAX_ROLLING_DAYS`]).
    pub fn rolling(days: i64) -> OpsResult<Period> {
        match u32::try_from(days) {
            Ok(d @ 1..=MAX_ROLLING_DAYS) => Ok(Period::Rolling { days: d }),
            _ => Err(OpsError::invalid(format!(
                "a rolling retention period must be 1 to {MAX_ROLLING_DAYS} days, got {days}"
            ))),
        }
    }

    /// The length of a rolling period in microseconds (`None` for calendar periods).
    fn rolling_len(self) -> Option<i128> {
        match self {
            Period::Rolling { days } => Some(i128::from(days) * i128::from(USECS_PER_DAY)),
            _ => None,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Day => f.write_str("day"),
            Period::Week => f.write_str("week"),
            Period::Month => f.write_str("month"),
            Period::Rolling { days } => write!(f, "rolling {days} days"),
        }
    }
}

/// Which cohort events make a user enter a cohort (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entry {
    /// Once, at the earliest cohort event.
    First,
    /// Once per period (rolling: per local day) with a cohort event.
    Recurring,
}

impl Entry {
    /// `'first'` or `'recurring'` (case and surrounding whitespace are ignored).
    pub fn parse(text: &str) -> OpsResult<Entry> {
        match text.trim().to_ascii_lowercase().as_str() {
            "first" => Ok(Entry::First),
            "recurring" => Ok(Entry::Recurring),
            _ => Err(OpsError::invalid(format!(
                "unknown retention entry '{}'; valid entries are first, recurring",
                crate::error::truncate(text, 60)
            ))),
        }
    }
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entry::First => "first",
            Entry::Recurring => "recurring",
        })
    }
}

/// When a user counts as retained in period `k` (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counting {
    /// A return event in period `k`.
    On,
    /// A return event in period `k` or later.
    OnOrAfter,
}

impl Counting {
    /// `'on'` or `'on_or_after'` (case and surrounding whitespace are ignored).
    pub fn parse(text: &str) -> OpsResult<Counting> {
        match text.trim().to_ascii_lowercase().as_str() {
            "on" => Ok(Counting::On),
            "on_or_after" => Ok(Counting::OnOrAfter),
            _ => Err(OpsError::invalid(format!(
                "unknown retention counting '{}'; valid countings are on, on_or_after",
                crate::error::truncate(text, 60)
            ))),
        }
    }
}

impl fmt::Display for Counting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Counting::On => "on",
            Counting::OnOrAfter => "on_or_after",
        })
    }
}

/// Everything that shapes a retention matrix; the same for every row of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetentionDefinition {
    pub period: Period,
    /// Periods after the cohort period (the matrix has `periods + 1` columns), 1..=400.
    pub periods: u32,
    pub entry: Entry,
    pub counting: Counting,
    /// Local microseconds since 2000-01-01; later rows are ignored. Finite.
    pub as_of: i64,
}

impl RetentionDefinition {
    /// A validated definition: `periods` in 1..=[`MAX_PERIODS`], finite `as_of`, rolling days
    /// in 1..=[`MAX_ROLLING_DAYS`] (all `22023` otherwise).
    pub fn new(
        period: Period,
        periods: i64,
        entry: Entry,
        counting: Counting,
        as_of: i64,
    ) -> OpsResult<Self> {
        let periods = u32::try_from(periods)
            .ok()
            .filter(|p| (1..=MAX_PERIODS).contains(p))
            .ok_or_else(|| {
                OpsError::invalid(format!(
                    "retention periods must be between 1 and {MAX_PERIODS}, got {periods}"
                ))
            })?;
        let def = RetentionDefinition {
            period,
            periods,
            entry,
            counting,
            as_of,
        };
        def.validate()?;
        Ok(def)
    }

    /// Checks a definition built field by field (as [`RetentionDefinition::new`]).
    pub fn validate(&self) -> OpsResult<()> {
        if !(1..=MAX_PERIODS).contains(&self.periods) {
            return Err(OpsError::invalid(format!(
                "retention periods must be between 1 and {MAX_PERIODS}, got {}",
                self.periods
            )));
        }
        if let Period::Rolling { days } = self.period {
            Period::rolling(days.into())?;
        }
        if is_infinite(self.as_of) {
            return Err(OpsError::invalid(format!(
                "retention as_of must be finite, got {}",
                fmt_ts(self.as_of)
            )));
        }
        Ok(())
    }

    /// 19 bytes: period kind (`u8`: 0 day, 1 week, 2 month, 3 rolling), rolling days
    /// (`u32`, 0 for calendar periods), periods (`u32`), entry (`u8`: 0 first, 1 recurring),
    /// counting (`u8`: 0 on, 1 on_or_after), `as_of` (`i64`).
    pub fn write(&self, w: &mut Writer) {
        let (kind, days) = match self.period {
            Period::Day => (0, 0),
            Period::Week => (1, 0),
            Period::Month => (2, 0),
            Period::Rolling { days } => (3, days),
        };
        w.u8(kind)
            .u32(days)
            .u32(self.periods)
            .u8(match self.entry {
                Entry::First => 0,
                Entry::Recurring => 1,
            })
            .u8(match self.counting {
                Counting::On => 0,
                Counting::OnOrAfter => 1,
            })
            .i64(self.as_of);
    }

    /// What [`RetentionDefinition::write`] wrote, validated (errors are `malformed`).
    pub fn read(r: &mut Reader) -> OpsResult<Self> {
        let (kind, days, periods) = (r.u8()?, r.u32()?, r.u32()?);
        let (entry, counting, as_of) = (r.u8()?, r.u8()?, r.i64()?);
        let bad = |what: String| OpsError::malformed(format!("retention state holds {what}"));
        let period = match (kind, days) {
            (0, 0) => Period::Day,
            (1, 0) => Period::Week,
            (2, 0) => Period::Month,
            (3, days) => Period::Rolling { days },
            _ => return Err(bad(format!("period kind {kind} with {days} days"))),
        };
        let entry = match entry {
            0 => Entry::First,
            1 => Entry::Recurring,
            e => return Err(bad(format!("entry {e}"))),
        };
        let counting = match counting {
            0 => Counting::On,
            1 => Counting::OnOrAfter,
            c => return Err(bad(format!("counting {c}"))),
        };
        let def = RetentionDefinition {
            period,
            periods,
            entry,
            counting,
            as_of,
        };
        def.validate().map_err(|e| bad(e.message))?;
        Ok(def)
    }
}

impl fmt::Display for RetentionDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "period {}, periods {}, entry {}, counting {}, as_of {}",
            self.period,
            self.periods,
            self.entry,
            self.counting,
            fmt_ts(self.as_of).trim_end_matches("+00")
        )
    }
}

// ---------------------------------------------------------------------------------------
// The cohort matrix
// ---------------------------------------------------------------------------------------

/// One cell of the retention matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortCell {
    /// Local start of the cohort period (rolling: of the local day of the anchor).
    pub cohort_start: i64,
    /// `k`, 0 ..= `periods`.
    pub period: i32,
    /// Entries (distinct users) of the cohort.
    pub cohort_size: i64,
    /// Entries retained in period `k`.
    pub retained: i64,
    /// `retained / cohort_size`.
    pub rate: Option<f64>,
    /// 95 % Wilson interval of `rate`.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Period `k` has wholly happened by `as_of` (see the module documentation).
    pub complete: bool,
}

/// Flags of a kept row.
const COHORT_ROW: u8 = 1;
const RETURN_ROW: u8 = 2;

const USER_WORK: usize = 64;

/// Most bits per pass of the radix sort that groups the kept rows by user (4096 buckets).
const RADIX_BITS: u32 = 12;
/// Fewer kept rows than this are grouped by one comparison sort.
const RADIX_MIN_ROWS: usize = 1 << 10;

/// A kept row of a key stored inline (keys of at most 8 bytes: `bigint` ids); 24 bytes for
/// an `i64` key.
#[derive(Debug, Clone, Copy)]
struct KeyedRow<K> {
    key: K,
    ts: i64,
    flags: u8,
}

/// A kept row of an interned key (larger keys: `text` ids); 16 bytes.
#[derive(Debug, Clone, Copy)]
struct IdRow {
    id: u32,
    ts: i64,
    flags: u8,
}

/// A kept row as [`group_rows`] sees it.
trait FlatRow: Clone {
    /// The same for every row of a user (distinct users may share it).
    fn group(&self) -> u64;
    fn same_user(&self, other: &Self) -> bool;
    fn ts(&self) -> i64;
    fn flags(&self) -> u8;
}

impl<K: UserKey> FlatRow for KeyedRow<K> {
    #[inline]
    fn group(&self) -> u64 {
        let mut h = GroupHasher(0);
        self.key.hash(&mut h);
        h.finish()
    }
    #[inline]
    fn same_user(&self, other: &Self) -> bool {
        self.key == other.key
    }
    #[inline]
    fn ts(&self) -> i64 {
        self.ts
    }
    #[inline]
    fn flags(&self) -> u8 {
        self.flags
    }
}

impl FlatRow for IdRow {
    #[inline]
    fn group(&self) -> u64 {
        self.id.into()
    }
    #[inline]
    fn same_user(&self, other: &Self) -> bool {
        self.id == other.id
    }
    #[inline]
    fn ts(&self) -> i64 {
        self.ts
    }
    #[inline]
    fn flags(&self) -> u8 {
        self.flags
    }
}

/// A fixed hasher spreading inline keys over the radix buckets: FxHash-style mixing of
/// 64-bit words, then MurmurHash3's finalizer. A key hashed as one 64-bit write (an `i64`)
/// maps injectively; keys whose values collide are told apart by `Eq` ([`separate_users`]).
struct GroupHasher(u64);

impl GroupHasher {
    #[inline]
    fn word(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for GroupHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.word(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.word(v);
    }
    #[inline]
    fn write_i64(&mut self, v: i64) {
        self.word(v as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}

/// Reorders `rows` so that each user's rows are contiguous and in time order.
///
/// A stable LSD radix sort on the low `bits` bits of `digit` (equal for the rows of a user),
/// in passes of at most [`RADIX_BITS`] bits (a pass is skipped when every row has the same
/// digit); with `bits = 0` (few rows) all rows form one run. Then every run of equal digits
/// that holds several users or rows out of time order is sorted by (group, ts) and its users
/// that share a group value are brought together. Rows pushed in time order (each user's rows
/// spread over the table) come out of the radix passes already in order.
///
/// Checks for interrupts at least every 64K rows scanned or moved; the comparison sort of one
/// run (one digit value: mostly a single user's rows, or all rows when `bits = 0`) is not
/// interruptible. Memory: a second buffer as large as `rows` during the radix passes.
fn group_rows<T: FlatRow>(
    rows: &mut Vec<T>,
    bits: u32,
    digit: impl Fn(&T) -> u64,
    check: &mut dyn FnMut(),
) {
    let mut work = Work { done: 0, check };
    let digit = |r: &T| if bits == 0 { 0 } else { digit(r) };
    if bits > 0 {
        let passes = bits.div_ceil(RADIX_BITS);
        let width = bits.div_ceil(passes);
        let mask = (1u64 << width) - 1;
        // Every pass's counts from one read of the rows (a histogram does not depend on the
        // order the earlier passes leave).
        let mut all_counts = vec![vec![0usize; 1 << width]; passes as usize];
        for chunk in rows.chunks(INTERRUPT_WORK) {
            for r in chunk {
                let d = digit(r);
                for (pass, counts) in all_counts.iter_mut().enumerate() {
                    counts[((d >> (pass as u32 * width)) & mask) as usize] += 1;
                }
            }
            work.add(chunk.len());
        }
        let mut scratch: Vec<T> = Vec::new();
        for (pass, counts) in all_counts.iter_mut().enumerate() {
            let shift = pass as u32 * width;
            let bucket = |r: &T| ((digit(r) >> shift) & mask) as usize;
            if counts.contains(&rows.len()) {
                continue;
            }
            let mut next = 0;
            for c in counts.iter_mut() {
                (*c, next) = (next, next + *c);
            }
            if scratch.is_empty() {
                // Overwritten by the pass below: filled, not copied.
                scratch = vec![rows[0].clone(); rows.len()];
            }
            for chunk in rows.chunks(INTERRUPT_WORK) {
                for r in chunk {
                    let b = bucket(r);
                    scratch[counts[b]] = r.clone();
                    counts[b] += 1;
                }
                work.add(chunk.len());
            }
            std::mem::swap(rows, &mut scratch);
        }
    }
    let mut i = 0;
    while i < rows.len() {
        let d = digit(&rows[i]);
        let mut j = i + 1;
        let mut ordered = true;
        while j < rows.len() && digit(&rows[j]) == d {
            ordered &= rows[j - 1].ts() <= rows[j].ts() && rows[j - 1].same_user(&rows[j]);
            j += 1;
        }
        work.add(j - i);
        if !ordered {
            let run = &mut rows[i..j];
            run.sort_unstable_by_key(|r| (r.group(), r.ts()));
            separate_users(run);
            work.add(j - i);
        }
        i = j;
    }
}

/// In `run`, sorted by (group, ts), brings the rows of each user together where users share
/// a group value (keys whose hashes collide), keeping time order. Quadratic in the number of
/// users sharing one value; linear when none do.
fn separate_users<T: FlatRow>(run: &mut [T]) {
    let mut i = 0;
    while i < run.len() {
        let g = run[i].group();
        let end = run[i..]
            .iter()
            .position(|r| r.group() != g)
            .map_or(run.len(), |n| i + n);
        while i < end {
            let first = run[i].clone();
            if run[i..end].iter().all(|r| r.same_user(&first)) {
                break;
            }
            let (mine, others): (Vec<T>, Vec<T>) = run[i..end]
                .iter()
                .cloned()
                .partition(|r| r.same_user(&first));
            let n = mine.len();
            for (slot, r) in run[i..end].iter_mut().zip(mine.into_iter().chain(others)) {
                *slot = r;
            }
            i += n;
        }
        i = end;
    }
}

/// Groups inline-keyed rows by user ([`group_rows`] on the top bits of the key's hash, about
/// log2 of the number of rows, so that users seldom share a digit).
fn group_keyed<K: UserKey>(rows: &mut Vec<KeyedRow<K>>, check: &mut dyn FnMut()) {
    let bits = if rows.len() < RADIX_MIN_ROWS {
        0
    } else {
        (usize::BITS - rows.len().leading_zeros()).min(48)
    };
    group_rows(rows, bits, |r| r.group() >> (64 - bits), check);
}

/// Groups rows of interned ids (below `users`) by user ([`group_rows`] on the id).
fn group_ids(rows: &mut Vec<IdRow>, users: usize, check: &mut dyn FnMut()) {
    let bits = if rows.len() < RADIX_MIN_ROWS {
        0
    } else {
        usize::BITS - users.saturating_sub(1).leading_zeros()
    };
    group_rows(rows, bits, |r| r.id.into(), check);
}

/// State of the one-shot cohort retention matrix `(user_id, ts, is_cohort, is_return)`:
/// every kept row (a cohort or return event at or before `as_of`) appended to one flat
/// buffer, grouped by user with a single sort in [`CohortRetention::finish`].
///
/// Keys of at most 8 bytes (`bigint` ids) are stored in their rows, so a push is a bounds
/// check and an append, with no lookup. Larger keys (`text` ids) are interned: a hash lookup
/// per row that allocates only for a new user, and a 32-bit id in the row (at most 2^32
/// users).
///
/// Memory: `bigint` ids: 24 bytes per kept row, nothing per user. `text` ids: 16 bytes per
/// kept row, plus per user the text and a hash-table bucket of 32 bytes and a control byte
/// (the key's `String` and its id; buckets 7/16 to 7/8 full). Row buffers grow by doubling
/// (up to as much again of spare capacity). [`CohortRetention::finish`] needs a second row
/// buffer while sorting; `encode` sorts a copy (two more row buffers). Other rows cost
/// nothing.
#[derive(Debug, Clone)]
pub struct CohortRetention<K: UserKey> {
    def: RetentionDefinition,
    /// Rows of inline keys, in push order (until `finish` groups them).
    inline: Vec<KeyedRow<K>>,
    /// Interned keys: dense ids `0..len`, each with at least one row in `rows`.
    ids: HashMap<K, u32>,
    /// Rows of interned keys, in push order (until `finish` groups them).
    rows: Vec<IdRow>,
}

// `push_str` interns: `String` keys are never inline.
const _: () = assert!(std::mem::size_of::<String>() > 8);

/// Per-cohort tallies while finishing.
struct Tally {
    size: i64,
    /// `on`: entries retained in period `k`. `on_or_after`: entries whose latest counting
    /// return lies in period `k` (clamped to `periods`); suffix sums give the retained.
    counts: Vec<i64>,
    latest_anchor: i64,
}

impl<K: UserKey> CohortRetention<K> {
    /// Keys stored in each row rather than interned.
    const INLINE: bool = std::mem::size_of::<K>() <= 8;

    /// An empty state (the definition is validated).
    pub fn new(def: RetentionDefinition) -> OpsResult<Self> {
        def.validate()?;
        Ok(CohortRetention {
            def,
            inline: Vec::new(),
            ids: HashMap::new(),
            rows: Vec::new(),
        })
    }

    pub fn definition(&self) -> &RetentionDefinition {
        &self.def
    }

    /// Number of users with at least one kept row: counted with a hash set over the kept rows
    /// (O(rows)) for inline keys, O(1) for interned ones.
    pub fn user_count(&self) -> usize {
        if Self::INLINE {
            self.inline
                .iter()
                .map(|r| &r.key)
                .collect::<HashSet<&K>>()
                .len()
        } else {
            self.ids.len()
        }
    }

    /// The flags to keep for a row, `None` to drop it.
    #[inline]
    fn keep(&self, ts: i64, is_cohort: bool, is_return: bool) -> Option<u8> {
        let flags = (u8::from(is_cohort) * COHORT_ROW) | (u8::from(is_return) * RETURN_ROW);
        (flags != 0 && !is_infinite(ts) && ts <= self.def.as_of).then_some(flags)
    }

    /// The id of the next interned user.
    fn next_id(&self) -> u32 {
        u32::try_from(self.ids.len()).expect("at most 2^32 users with interned keys")
    }

    /// Adds a row of `key` at local time `ts`. Rows that are neither cohort nor return
    /// events, after `as_of` or infinite are dropped (the user is not even recorded).
    #[inline]
    pub fn push(&mut self, key: K, ts: i64, is_cohort: bool, is_return: bool) {
        if let Some(flags) = self.keep(ts, is_cohort, is_return) {
            if Self::INLINE {
                self.inline.push(KeyedRow { key, ts, flags });
            } else {
                let next = self.next_id();
                let id = *self.ids.entry(key).or_insert(next);
                self.rows.push(IdRow { id, ts, flags });
            }
        }
    }

    /// The retention matrix: for each cohort (ascending start) the rows of periods
    /// `0..=periods`. Calls `check_interrupts` first, then at least every 64K rows scanned or
    /// moved while sorting, every 1024 users or 64K units of work while tallying, and every
    /// 64K emitted cells. Not interruptible: the comparison sort of one user's rows when they
    /// were not pushed in time order (of all rows below 1024 kept rows). Errors (`54000`)
    /// beyond [`MAX_COHORTS`] cohorts. The state stays usable (its rows grouped by user).
    ///
    /// Time: a stable radix sort of the kept rows on their user (two passes up to 16M rows),
    /// a comparison sort of each user's rows not pushed in time order (and of users whose
    /// keys' hashes share a radix digit), plus per entry a binary search and
    /// (`on`) a scan of its returns up to period `periods`. Memory: a second row buffer while
    /// sorting, `periods + 1` counters per cohort and the cells (up to [`MAX_COHORTS`] × 401).
    pub fn finish(&mut self, check_interrupts: &mut dyn FnMut()) -> OpsResult<Vec<CohortCell>> {
        check_interrupts();
        let mut tallies = HashMap::new();
        if Self::INLINE {
            group_keyed(&mut self.inline, check_interrupts);
            tally_users(self.def, &self.inline, &mut tallies, check_interrupts)?;
        } else {
            group_ids(&mut self.rows, self.ids.len(), check_interrupts);
            tally_users(self.def, &self.rows, &mut tallies, check_interrupts)?;
        }
        check_interrupts();
        Ok(cells(self.def, tallies, check_interrupts))
    }
}

/// Tallies the entries of every user of `rows` (each user's rows contiguous and in time
/// order, as [`group_rows`] leaves them) into one [`Tally`] per cohort number.
fn tally_users<T: FlatRow>(
    def: RetentionDefinition,
    rows: &[T],
    tallies: &mut HashMap<i64, Tally>,
    check_interrupts: &mut dyn FnMut(),
) -> OpsResult<()> {
    let horizon = def.periods as usize;
    let rolling = def.period.rolling_len();
    let mut returns: Vec<i64> = Vec::new();
    let mut entries: Vec<(i64, i64)> = Vec::new();
    let mut work = 0usize;
    for rows in rows.chunk_by(|a, b| a.same_user(b)) {
        work += USER_WORK + rows.len();
        if work > INTERRUPT_WORK {
            check_interrupts();
            work = USER_WORK + rows.len();
        }
        returns.clear();
        returns.extend(
            rows.iter()
                .filter(|r| r.flags() & RETURN_ROW != 0)
                .map(|r| r.ts()),
        );
        // Entries (cohort number, anchor): rows are in time order, so period numbers ascend
        // and the first row of each number is its earliest cohort event.
        entries.clear();
        for ts in rows
            .iter()
            .filter(|r| r.flags() & COHORT_ROW != 0)
            .map(|r| r.ts())
        {
            let number = period_number(def.period, ts);
            if entries.last().is_some_and(|&(n, _)| n == number) {
                continue;
            }
            entries.push((number, ts));
            if def.entry == Entry::First {
                break;
            }
        }
        for &(number, anchor) in &entries {
            // `on` scans returns per entry: one user with many entries can take a while.
            if work > INTERRUPT_WORK {
                check_interrupts();
                work = 0;
            }
            if tallies.len() >= MAX_COHORTS && !tallies.contains_key(&number) {
                return Err(too_many_cohorts(def));
            }
            let tally = tallies.entry(number).or_insert_with(|| Tally {
                size: 0,
                counts: vec![0; horizon + 1],
                latest_anchor: anchor,
            });
            tally.size += 1;
            tally.latest_anchor = tally.latest_anchor.max(anchor);
            let counting = &returns[returns.partition_point(|&r| r <= anchor)..];
            // The period of a counting return (> anchor, so never negative).
            let index = |r: i64| -> usize {
                let k = match rolling {
                    Some(len) => (i128::from(r) - i128::from(anchor)) / len,
                    None => i128::from(period_number(def.period, r) - number),
                };
                usize::try_from(k).unwrap_or(usize::MAX)
            };
            match def.counting {
                Counting::On => {
                    let mut last = usize::MAX;
                    for &r in counting {
                        work += 1;
                        let k = index(r);
                        if k > horizon {
                            break;
                        }
                        if k != last {
                            tally.counts[k] += 1;
                            last = k;
                        }
                    }
                }
                Counting::OnOrAfter => {
                    if let Some(&r) = counting.last() {
                        tally.counts[index(r).min(horizon)] += 1;
                    }
                }
            }
        }
    }
    Ok(())
}

/// The cells of the tallied cohorts, by ascending cohort start then period.
fn cells(
    def: RetentionDefinition,
    mut tallies: HashMap<i64, Tally>,
    check_interrupts: &mut dyn FnMut(),
) -> Vec<CohortCell> {
    let horizon = def.periods as usize;
    let rolling = def.period.rolling_len();
    let mut numbers: Vec<i64> = tallies.keys().copied().collect();
    numbers.sort_unstable();
    let z = z_for_confidence(0.95).expect("0.95 is a valid confidence");
    let end_limit = i128::from(def.as_of) + 1;
    let mut cells = Vec::with_capacity(numbers.len() * (horizon + 1));
    let mut work = 0usize;
    for number in numbers {
        let mut tally = tallies.remove(&number).expect("a key of the map");
        if def.counting == Counting::OnOrAfter {
            for k in (0..horizon).rev() {
                tally.counts[k] += tally.counts[k + 1];
            }
        }
        let cohort_start = clamp(number_start(def.period, number));
        for (k, &retained) in tally.counts.iter().enumerate() {
            work += 1;
            if work > INTERRUPT_WORK {
                check_interrupts();
                work = 0;
            }
            let end = match rolling {
                Some(len) => i128::from(tally.latest_anchor) + (k as i128 + 1) * len,
                None => number_start(def.period, number + k as i64 + 1),
            };
            let p = wilson(retained, tally.size, z).expect("0 <= retained <= cohort size");
            cells.push(CohortCell {
                cohort_start,
                period: k as i32,
                cohort_size: tally.size,
                retained,
                rate: p.map(|p| p.rate),
                ci_low: p.map(|p| p.low),
                ci_high: p.map(|p| p.high),
                complete: end <= end_limit,
            });
        }
    }
    cells
}

fn too_many_cohorts(def: RetentionDefinition) -> OpsError {
    OpsError::limit(format!(
        "retention matrix has more than {MAX_COHORTS} cohorts (period {}); use a longer period \
         or fewer rows",
        def.period
    ))
}

impl CohortRetention<String> {
    /// [`CohortRetention::push`] for a borrowed text key: allocates the key only for a user
    /// not seen before.
    #[inline]
    pub fn push_str(&mut self, key: &str, ts: i64, is_cohort: bool, is_return: bool) {
        if let Some(flags) = self.keep(ts, is_cohort, is_return) {
            let next = self.next_id();
            let id = *self.ids.entry_ref(key).or_insert(next);
            self.rows.push(IdRow { id, ts, flags });
        }
    }
}

/// Writes one user's rows (count, then `ts` and flags each).
fn write_rows<T: FlatRow>(w: &mut Writer, rows: &[T]) {
    w.len(rows.len());
    for r in rows {
        w.i64(r.ts()).u8(r.flags());
    }
}

impl<K: UserKey> PartialState for CohortRetention<K> {
    /// A parallel leader's own part is handed over as it is (a state of every row).
    fn hand_over_in_process(&self) -> bool {
        true
    }
    fn merge(&mut self, other: CohortRetention<K>) -> OpsResult<()> {
        self.merge_interruptible(other, &mut || {})
    }

    /// Appends the other state's rows (interned keys remapped to this state's ids); invalid
    /// when the definitions differ. Checks for interrupts at least every 1024 users or 64K
    /// moved rows, an inline row counting as a possible user of its own (so about every 1000
    /// rows).
    fn merge_interruptible(
        &mut self,
        other: CohortRetention<K>,
        check_interrupts: &mut dyn FnMut(),
    ) -> OpsResult<()> {
        check_interrupts();
        if self.def != other.def {
            return Err(OpsError::invalid(format!(
                "the retention definition must be the same for every row of a group, got {} \
                 and {}",
                self.def, other.def
            )));
        }
        let mut work = 0usize;
        if Self::INLINE {
            if self.inline.is_empty() {
                self.inline = other.inline;
                return Ok(());
            }
            self.inline.reserve(other.inline.len());
            for row in other.inline {
                work += USER_WORK + 1;
                if work > INTERRUPT_WORK {
                    check_interrupts();
                    work = USER_WORK + 1;
                }
                self.inline.push(row);
            }
        } else {
            if self.ids.is_empty() {
                (self.ids, self.rows) = (other.ids, other.rows);
                return Ok(());
            }
            let mut remap = vec![0u32; other.ids.len()];
            for (key, id) in other.ids {
                work += USER_WORK;
                if work > INTERRUPT_WORK {
                    check_interrupts();
                    work = USER_WORK;
                }
                let next = self.next_id();
                remap[id as usize] = *self.ids.entry(key).or_insert(next);
            }
            self.rows.reserve(other.rows.len());
            for row in other.rows {
                work += 1;
                if work > INTERRUPT_WORK {
                    check_interrupts();
                    work = 0;
                }
                let id = remap[row.id as usize];
                self.rows.push(IdRow { id, ..row });
            }
        }
        Ok(())
    }

    /// `'C'`, version, the definition ([`RetentionDefinition::write`]), the key kind, the
    /// number of users, then per user its key and its rows (count, then `ts: i64` and flags
    /// `u8` each), users in an unspecified order. Groups a copy of the rows by user.
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(COHORT_TAG, VERSION);
        self.def.write(&mut w);
        w.u8(K::KIND);
        if Self::INLINE {
            let mut rows = self.inline.clone();
            group_keyed(&mut rows, &mut || {});
            w.len(rows.chunk_by(|a, b| a.same_user(b)).count());
            for user in rows.chunk_by(|a, b| a.same_user(b)) {
                user[0].key.write(&mut w);
                write_rows(&mut w, user);
            }
        } else {
            let mut rows = self.rows.clone();
            group_ids(&mut rows, self.ids.len(), &mut || {});
            let mut keys: Vec<Option<&K>> = vec![None; self.ids.len()];
            for (key, &id) in &self.ids {
                keys[id as usize] = Some(key);
            }
            w.len(keys.len());
            for user in rows.chunk_by(|a, b| a.id == b.id) {
                keys[user[0].id as usize]
                    .expect("an interned id")
                    .write(&mut w);
                write_rows(&mut w, user);
            }
        }
        w.finish()
    }

    /// Rejects (as `malformed`) a bad definition, another key kind, a user twice or without
    /// rows, unknown row flags, and rows that are infinite or after `as_of`.
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, COHORT_TAG, VERSION)?;
        let def = RetentionDefinition::read(&mut r)?;
        K::check_kind(&mut r)?;
        let bad = |what: &str| OpsError::malformed(format!("retention state is corrupt: {what}"));
        let n = r.len(16)?;
        let mut s = CohortRetention::<K>::new(def)?;
        // Inline keys: the users seen, to reject one twice.
        let mut seen: HashSet<K> = HashSet::new();
        if Self::INLINE {
            seen.reserve(n);
        } else {
            s.ids.reserve(n);
        }
        for _ in 0..n {
            let key = K::read(&mut r)?;
            let len = r.len(9)?;
            if len == 0 {
                return Err(bad("a user without rows"));
            }
            let id = s.next_id();
            // The key for each inline row; interned rows need only the id.
            let (inline_key, twice) = if Self::INLINE {
                s.inline.reserve(len);
                (Some(key.clone()), !seen.insert(key))
            } else {
                s.rows.reserve(len);
                (None, s.ids.insert(key, id).is_some())
            };
            if twice {
                return Err(bad("a user twice"));
            }
            for _ in 0..len {
                let (ts, flags) = (r.i64()?, r.u8()?);
                if !(1..=COHORT_ROW | RETURN_ROW).contains(&flags) {
                    return Err(bad(&format!("row flags {flags}")));
                }
                if is_infinite(ts) || ts > def.as_of {
                    return Err(bad(&format!("a row at {} after as_of", fmt_ts(ts))));
                }
                match &inline_key {
                    Some(key) => s.inline.push(KeyedRow {
                        key: key.clone(),
                        ts,
                        flags,
                    }),
                    None => s.rows.push(IdRow { id, ts, flags }),
                }
            }
        }
        r.finish()?;
        Ok(s)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};

    const D: i64 = USECS_PER_DAY;
    const H: i64 = 3_600_000_000;

    /// Local microseconds of `y-m-d hh:00`, from a day count checked against `fmt_ts`.
    pub(crate) fn at(y: i64, m: u32, d: u32, h: i64) -> i64 {
        let ts = days_from_civil(y, m, d) * D + h * H;
        assert_eq!(
            &fmt_ts(ts)[..13],
            format!("{y:04}-{m:02}-{d:02} {h:02}"),
            "test date"
        );
        ts
    }

    fn date(ts: i64) -> String {
        fmt_ts(ts)[..10].to_string()
    }

    type Row = (i64, i64, bool, bool);

    fn build(def: RetentionDefinition, rows: &[Row]) -> CohortRetention<i64> {
        let mut s = CohortRetention::new(def).unwrap();
        rows.iter().for_each(|&(u, ts, c, r)| s.push(u, ts, c, r));
        s
    }

    fn def(
        period: Period,
        periods: i64,
        entry: Entry,
        counting: Counting,
        as_of: i64,
    ) -> RetentionDefinition {
        RetentionDefinition::new(period, periods, entry, counting, as_of).unwrap()
    }

    /// `(cohort date, size, retained per period)` rows of the matrix, after checking that
    /// every cohort has all its periods in order and the rates and intervals.
    fn matrix(s: &mut CohortRetention<i64>) -> Vec<(String, i64, Vec<i64>)> {
        let cells = s.finish(&mut || {}).unwrap();
        let cols = s.def.periods as usize + 1;
        assert_eq!(cells.len() % cols, 0);
        let z = z_for_confidence(0.95).unwrap();
        cells
            .chunks(cols)
            .map(|c| {
                for (k, cell) in c.iter().enumerate() {
                    assert_eq!(cell.period, k as i32);
                    assert_eq!(
                        (cell.cohort_start, cell.cohort_size),
                        (c[0].cohort_start, c[0].cohort_size)
                    );
                    let p = wilson(cell.retained, cell.cohort_size, z).unwrap().unwrap();
                    assert_eq!(
                        cell.rate,
                        Some(cell.retained as f64 / cell.cohort_size as f64)
                    );
                    assert_eq!((cell.ci_low, cell.ci_high), (Some(p.low), Some(p.high)));
                }
                let retained = c.iter().map(|x| x.retained).collect();
                (date(c[0].cohort_start), c[0].cohort_size, retained)
            })
            .collect()
    }

    fn completes(s: &mut CohortRetention<i64>) -> Vec<bool> {
        s.finish(&mut || {})
            .unwrap()
            .iter()
            .map(|c| c.complete)
            .collect()
    }

    fn rows_of(expected: &[(&str, i64, &[i64])]) -> Vec<(String, i64, Vec<i64>)> {
        expected
            .iter()
            .map(|(d, n, r)| (d.to_string(), *n, r.to_vec()))
            .collect()
    }

    /// Runs the four entry × counting combinations on `rows`, in that order:
    /// first/on, first/on_or_after, recurring/on, recurring/on_or_after.
    fn four(
        period: Period,
        periods: i64,
        as_of: i64,
        rows: &[Row],
        expected: [&[(&str, i64, &[i64])]; 4],
    ) {
        let combos = [
            (Entry::First, Counting::On),
            (Entry::First, Counting::OnOrAfter),
            (Entry::Recurring, Counting::On),
            (Entry::Recurring, Counting::OnOrAfter),
        ];
        for ((entry, counting), want) in combos.into_iter().zip(expected) {
            let mut s = build(def(period, periods, entry, counting, as_of), rows);
            assert_eq!(matrix(&mut s), rows_of(want), "{period} {entry} {counting}");
        }
    }

    #[test]
    fn retention_flags_follow_clickhouse() {
        let t = Some(true);
        let f = Some(false);
        let mut s = RetentionFlags::from_conds(&[f, t, None]).unwrap();
        assert_eq!(s.finish(), vec![0, 0, 0]); // cond1 never held
        s.push_conds(&[t, None, f]).unwrap();
        assert_eq!(s.finish(), vec![1, 1, 0]); // cond2 on another (earlier) row
        s.push(0b1111_0100);
        assert_eq!(s.finish(), vec![1, 1, 1]);
        assert_eq!(s.conditions(), 3);
        let e = s.push_conds(&[t, t]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert!(
            e.message.contains("2 conditions after rows of 3"),
            "{}",
            e.message
        );
        assert_eq!(
            RetentionFlags::new(0).unwrap_err().kind,
            ErrorKind::InvalidParameter
        );
        assert_eq!(
            RetentionFlags::new(33).unwrap_err().kind,
            ErrorKind::LimitExceeded
        );
        let mut big = RetentionFlags::new(32).unwrap();
        big.push(u64::MAX);
        assert_eq!(big.finish(), vec![1; 32]);
        let mut one = RetentionFlags::new(1).unwrap();
        one.push(0b10);
        assert_eq!(one.finish(), vec![0]);

        // merge = OR; different n is invalid
        let mut a = RetentionFlags::from_conds(&[f, t, f]).unwrap();
        a.merge(RetentionFlags::from_conds(&[t, f, f]).unwrap())
            .unwrap();
        assert_eq!(a.finish(), vec![1, 1, 0]);
        let e = a.merge(RetentionFlags::new(2).unwrap()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);

        // fixed 11-byte form, validated
        let b = a.encode();
        assert_eq!(b, vec![b'T', 1, 3, 0b011, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(RetentionFlags::decode(&b).unwrap(), a);
        for n in 0..b.len() {
            assert_eq!(
                RetentionFlags::decode(&b[..n]).unwrap_err().kind,
                ErrorKind::Malformed
            );
        }
        let malformed = |b: &[u8]| RetentionFlags::decode(b).unwrap_err().kind;
        let mut x = b.clone();
        x[3] = 0b1000; // a bit beyond the 3 conditions
        assert_eq!(malformed(&x), ErrorKind::Malformed);
        let mut x = b.clone();
        x[2] = 0;
        assert_eq!(malformed(&x), ErrorKind::Malformed);
        x[2] = 33;
        assert_eq!(malformed(&x), ErrorKind::Malformed);
        let mut x = b.clone();
        x.push(0);
        assert_eq!(malformed(&x), ErrorKind::Malformed);
        let mut x = big.encode();
        assert_eq!(RetentionFlags::decode(&x).unwrap(), big);
        x[7] = 1; // bit 32
        assert_eq!(malformed(&x), ErrorKind::Malformed);
    }

    #[test]
    fn calendar_arithmetic() {
        // Every day from 1600 to 2400 against the crate's independent formatter.
        for days in -146_097..=146_097 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert_eq!(fmt_ts(days * D)[..10], format!("{y:04}-{m:02}-{d:02}"));
        }
        assert_eq!(days_from_civil(2000, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 1, 1), 8_766);
        assert_eq!(civil_from_days(59), (2000, 2, 29)); // 2000 is a leap year
        assert_eq!(
            civil_from_days(days_from_civil(1900, 3, 1) - 1),
            (1900, 2, 28)
        );
        assert_eq!(
            civil_from_days(days_from_civil(2023, 3, 1) - 1),
            (2023, 2, 28)
        );
        assert_eq!(
            civil_from_days(days_from_civil(2024, 3, 1) - 1),
            (2024, 2, 29)
        );
        assert_eq!(civil_from_days(-1), (1999, 12, 31));

        let ms = |p, ts| date(local_period_start(p, ts));
        // weeks start on Monday: 2024-01-01 was a Monday, 2000-01-01 a Saturday
        assert_eq!(ms(Period::Week, at(2024, 1, 7, 23) + H - 1), "2024-01-01");
        assert_eq!(ms(Period::Week, at(2024, 1, 8, 0)), "2024-01-08");
        assert_eq!(ms(Period::Week, at(2024, 1, 1, 0) - 1), "2023-12-25");
        assert_eq!(ms(Period::Week, 0), "1999-12-27");
        assert_eq!(ms(Period::Week, at(2000, 1, 3, 0)), "2000-01-03");
        assert_eq!(ms(Period::Week, at(1999, 12, 26, 23)), "1999-12-20");
        // months: ends of long and short months, leap and common Februaries
        assert_eq!(ms(Period::Month, at(2024, 1, 31, 23)), "2024-01-01");
        assert_eq!(ms(Period::Month, at(2024, 2, 29, 23)), "2024-02-01");
        assert_eq!(ms(Period::Month, at(2024, 3, 1, 0)), "2024-03-01");
        assert_eq!(ms(Period::Month, at(2024, 3, 1, 0) - 1), "2024-02-01");
        assert_eq!(ms(Period::Month, at(2023, 3, 1, 0) - 1), "2023-02-01");
        assert_eq!(ms(Period::Month, at(1999, 12, 31, 23)), "1999-12-01");
        assert_eq!(ms(Period::Month, at(2000, 2, 29, 12)), "2000-02-01");
        assert_eq!(ms(Period::Day, at(2024, 2, 29, 23)), "2024-02-29");
        assert_eq!(ms(Period::Day, -1), "1999-12-31");
        assert_eq!(
            ms(Period::Rolling { days: 7 }, at(2024, 2, 29, 23)),
            "2024-02-29"
        );
        assert_eq!(local_period_start(Period::Day, i64::MAX), i64::MAX);
        assert_eq!(local_period_start(Period::Month, i64::MIN), i64::MIN);
        // no overflow at the ends of the range
        assert_eq!(local_period_start(Period::Month, i64::MIN + 1), i64::MIN);
        assert!(local_period_start(Period::Week, i64::MAX - 1) < i64::MAX);

        let jan31 = at(2024, 1, 31, 23);
        assert_eq!(period_index(Period::Month, jan31, at(2024, 2, 1, 0)), 1);
        assert_eq!(period_index(Period::Month, jan31, at(2024, 2, 29, 0)), 1);
        assert_eq!(period_index(Period::Month, jan31, at(2024, 3, 1, 0)), 2);
        assert_eq!(period_index(Period::Month, jan31, at(2025, 1, 1, 0)), 12);
        assert_eq!(period_index(Period::Month, jan31, at(2023, 12, 31, 0)), -1);
        assert_eq!(
            period_index(Period::Week, at(2024, 1, 7, 22), at(2024, 1, 8, 1)),
            1
        );
        assert_eq!(
            period_index(Period::Day, at(2024, 1, 7, 22), at(2024, 1, 8, 1)),
            1
        );
        let r = Period::Rolling { days: 2 };
        assert_eq!(period_index(r, jan31, jan31 + 2 * D - 1), 0);
        assert_eq!(period_index(r, jan31, jan31 + 2 * D), 1);
        assert_eq!(period_index(r, jan31, jan31 - 1), -1);
    }

    #[test]
    fn definitions_parse_validate_and_round_trip() {
        assert_eq!(Period::parse(" Week ").unwrap(), Period::Week);
        assert_eq!(Period::parse("day").unwrap(), Period::Day);
        assert_eq!(Period::parse("MONTH").unwrap(), Period::Month);
        let e = Period::parse("year").unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert!(e.message.contains("'year'") && e.message.contains("day, week, month"));
        assert_eq!(Entry::parse("first").unwrap(), Entry::First);
        assert_eq!(Entry::parse("Recurring").unwrap(), Entry::Recurring);
        assert!(Entry::parse("once")
            .unwrap_err()
            .message
            .contains("first, recurring"));
        assert_eq!(Counting::parse("on").unwrap(), Counting::On);
        assert_eq!(Counting::parse("ON_OR_AFTER").unwrap(), Counting::OnOrAfter);
        assert!(Counting::parse("after")
            .unwrap_err()
            .message
            .contains("on, on_or_after"));
        assert_eq!(Period::rolling(7).unwrap(), Period::Rolling { days: 7 });
        for bad in [0, -1, i64::from(MAX_ROLLING_DAYS) + 1, i64::MAX] {
            assert_eq!(
                Period::rolling(bad).unwrap_err().kind,
                ErrorKind::InvalidParameter
            );
        }

        let new = |p, n, as_of| RetentionDefinition::new(p, n, Entry::First, Counting::On, as_of);
        for bad in [0, -3, 401, i64::from(u32::MAX) + 1] {
            let e = new(Period::Day, bad, 0).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter);
            assert!(e.message.contains(&bad.to_string()), "{}", e.message);
        }
        assert!(new(Period::Day, 400, 0).is_ok());
        assert!(new(Period::Day, 1, i64::MAX).is_err());
        assert!(new(Period::Day, 1, i64::MIN).is_err());
        assert!(new(Period::Rolling { days: 0 }, 1, 0).is_err());
        let mut d = new(Period::Week, 3, 0).unwrap();
        d.periods = 0;
        assert!(CohortRetention::<i64>::new(d).is_err());

        for period in [
            Period::Day,
            Period::Week,
            Period::Month,
            Period::Rolling { days: 9 },
        ] {
            for (entry, counting) in [
                (Entry::First, Counting::OnOrAfter),
                (Entry::Recurring, Counting::On),
            ] {
                let d = RetentionDefinition::new(period, 12, entry, counting, -77).unwrap();
                let mut w = Writer::new(0, 0);
                d.write(&mut w);
                let b = w.finish();
                assert_eq!(b.len(), 2 + 19);
                let mut r = Reader::new(&b, 0, 0).unwrap();
                assert_eq!(RetentionDefinition::read(&mut r).unwrap(), d);
                r.finish().unwrap();
                for n in 2..b.len() {
                    let mut r = Reader::new(&b[..n], 0, 0).unwrap();
                    assert!(RetentionDefinition::read(&mut r).is_err());
                }
            }
        }
        let d = new(Period::Day, 5, 0).unwrap();
        let read = |patch: &dyn Fn(&mut Vec<u8>)| {
            let mut w = Writer::new(0, 0);
            d.write(&mut w);
            let mut b = w.finish();
            patch(&mut b);
            let mut r = Reader::new(&b, 0, 0).unwrap();
            RetentionDefinition::read(&mut r).map_err(|e| e.kind)
        };
        assert_eq!(read(&|_| {}), Ok(d));
        let m = Err(ErrorKind::Malformed);
        assert_eq!(read(&|b| b[2] = 4), m); // period kind
        assert_eq!(read(&|b| b[3] = 1), m); // days for a calendar period
        assert_eq!(read(&|b| b[2] = 3), m); // rolling 0 days
        assert_eq!(read(&|b| b[7] = 0), m); // 0 periods
        assert_eq!(read(&|b| b[11] = 2), m); // entry
        assert_eq!(read(&|b| b[12] = 2), m); // counting
        assert_eq!(
            read(&|b| b[13..21].copy_from_slice(&i64::MAX.to_le_bytes())),
            m
        );
        assert_eq!(
            d.to_string(),
            "period day, periods 5, entry first, counting on, as_of 2000-01-01 00:00:00"
        );
    }

    #[test]
    fn day_periods_by_hand() {
        let rows = [
            // u1: a return before the cohort event (ignored), later returns on Jan 2 and 4,
            // a second cohort event on Jan 2 (a recurring entry anchored at 07:00).
            (1, at(2024, 1, 1, 9), false, true),
            (1, at(2024, 1, 1, 10), true, false),
            (1, at(2024, 1, 2, 7), true, false),
            (1, at(2024, 1, 2, 8), false, true),
            (1, at(2024, 1, 4, 12), false, true),
            // u2: one row that is both the cohort and a return event: never its own return
            (2, at(2024, 1, 1, 12), true, true),
            // u3: no return
            (3, at(2024, 1, 2, 10), true, false),
            // u4: only returns, never in a cohort
            (4, at(2024, 1, 1, 10), false, true),
            (4, at(2024, 1, 2, 10), false, false),
        ];
        four(
            Period::Day,
            3,
            at(2024, 1, 20, 12),
            &rows,
            [
                &[
                    ("2024-01-01", 2, &[0, 1, 0, 1]),
                    ("2024-01-02", 1, &[0, 0, 0, 0]),
                ],
                &[
                    ("2024-01-01", 2, &[1, 1, 1, 1]),
                    ("2024-01-02", 1, &[0, 0, 0, 0]),
                ],
                &[
                    ("2024-01-01", 2, &[0, 1, 0, 1]),
                    ("2024-01-02", 2, &[1, 0, 1, 0]),
                ],
                &[
                    ("2024-01-01", 2, &[1, 1, 1, 1]),
                    ("2024-01-02", 2, &[1, 1, 1, 0]),
                ],
            ],
        );
    }

    #[test]
    fn week_periods_by_hand() {
        // 2024-01-01 is a Monday: weeks Jan 1-7, 8-14, 15-21, 22-28.
        let rows = [
            // u1: cohort on Sunday Jan 7 (the week of Monday Jan 1), a return 1 h earlier
            // (ignored), one on Monday Jan 8 (the next week); a cohort again on Jan 16 with a
            // return on Jan 20 (same week).
            (1, at(2024, 1, 7, 21), false, true),
            (1, at(2024, 1, 7, 22), true, false),
            (1, at(2024, 1, 8, 1), false, true),
            (1, at(2024, 1, 16, 9), true, false),
            (1, at(2024, 1, 20, 9), false, true),
            // u2: cohort at the very start of the week, a return that Saturday and one in
            // period 3 (beyond `periods` for `on`, but it retains every period for
            // `on_or_after`).
            (2, at(2024, 1, 1, 0), true, false),
            (2, at(2024, 1, 6, 10), false, true),
            (2, at(2024, 1, 22, 10), false, true),
            // u3: the first return precedes the cohort event; nothing after it
            (3, at(2024, 1, 2, 10), false, true),
            (3, at(2024, 1, 9, 10), true, false),
        ];
        let as_of = at(2024, 1, 31, 0);
        four(
            Period::Week,
            2,
            as_of,
            &rows,
            [
                &[("2024-01-01", 2, &[1, 1, 1]), ("2024-01-08", 1, &[0, 0, 0])],
                &[("2024-01-01", 2, &[2, 2, 2]), ("2024-01-08", 1, &[0, 0, 0])],
                &[
                    ("2024-01-01", 2, &[1, 1, 1]),
                    ("2024-01-08", 1, &[0, 0, 0]),
                    ("2024-01-15", 1, &[1, 0, 0]),
                ],
                &[
                    ("2024-01-01", 2, &[2, 2, 2]),
                    ("2024-01-08", 1, &[0, 0, 0]),
                    ("2024-01-15", 1, &[1, 0, 0]),
                ],
            ],
        );
        // The week of Jan 29 (period 2 of the Jan 15 cohort) ends Feb 5, after as_of.
        let mut s = build(
            def(Period::Week, 2, Entry::Recurring, Counting::On, as_of),
            &rows,
        );
        let c = completes(&mut s);
        assert_eq!(c, [true, true, true, true, true, true, true, true, false]);
    }

    #[test]
    fn month_periods_by_hand() {
        let rows = [
            // u1: cohort on Jan 31 late; returns on Feb 29 (leap day, period 1) and Mar 1
            // (period 2): a month is a calendar month, not 31 days.
            (1, at(2024, 1, 31, 23), true, false),
            (1, at(2024, 2, 29, 12), false, true),
            (1, at(2024, 3, 1, 0), false, true),
            // u2: cohort on Feb 29 10:00 (a return at 09:00 that day does not count), returns
            // Mar 31 and Apr 1; cohort again Mar 15.
            (2, at(2024, 2, 29, 9), false, true),
            (2, at(2024, 2, 29, 10), true, false),
            (2, at(2024, 3, 15, 10), true, false),
            (2, at(2024, 3, 31, 23), false, true),
            (2, at(2024, 4, 1, 0), false, true),
            // u3: no return
            (3, at(2024, 1, 1, 0), true, false),
        ];
        let as_of = at(2024, 5, 31, 23);
        four(
            Period::Month,
            2,
            as_of,
            &rows,
            [
                &[("2024-01-01", 2, &[0, 1, 1]), ("2024-02-01", 1, &[0, 1, 1])],
                &[("2024-01-01", 2, &[1, 1, 1]), ("2024-02-01", 1, &[1, 1, 1])],
                &[
                    ("2024-01-01", 2, &[0, 1, 1]),
                    ("2024-02-01", 1, &[0, 1, 1]),
                    ("2024-03-01", 1, &[1, 1, 0]),
                ],
                &[
                    ("2024-01-01", 2, &[1, 1, 1]),
                    ("2024-02-01", 1, &[1, 1, 1]),
                    ("2024-03-01", 1, &[1, 1, 0]),
                ],
            ],
        );
        // May (period 2 of March) ends Jun 1 00:00 = as_of + 1 h: incomplete; a µs before
        // midnight it is complete.
        let mut s = build(
            def(Period::Month, 2, Entry::Recurring, Counting::On, as_of),
            &rows,
        );
        assert!(!completes(&mut s)[8]);
        let end = at(2024, 6, 1, 0) - 1;
        let mut s = build(
            def(Period::Month, 2, Entry::Recurring, Counting::On, end),
            &rows,
        );
        assert_eq!(completes(&mut s), [true; 9]);
        // A common year: Jan 31 → Feb 28 → Mar 1.
        let rows = [
            (1, at(2023, 1, 31, 12), true, false),
            (1, at(2023, 2, 28, 23), false, true),
            (2, at(2023, 1, 1, 0), true, false),
            (2, at(2023, 3, 1, 0), false, true),
        ];
        let mut s = build(
            def(Period::Month, 2, Entry::First, Counting::On, end),
            &rows,
        );
        assert_eq!(matrix(&mut s), rows_of(&[("2023-01-01", 2, &[0, 1, 1])]));
    }

    #[test]
    fn rolling_periods_by_hand() {
        let rows = [
            // u1: anchor Jan 1 10:00, periods [Jan 1 10:00, Jan 3 10:00), [.., Jan 5 10:00),
            // [.., Jan 7 10:00): a return before the anchor (ignored), Jan 2 (period 0), Jan 6
            // (period 2). A second cohort event the same day is no new entry; one on Jan 3
            // 09:00 is (recurring): Jan 6 11:00 is its period 1.
            (1, at(2024, 1, 1, 9), false, true),
            (1, at(2024, 1, 1, 10), true, false),
            (1, at(2024, 1, 1, 20), true, false),
            (1, at(2024, 1, 2, 8), false, true),
            (1, at(2024, 1, 3, 9), true, false),
            (1, at(2024, 1, 6, 11), false, true),
            // u2: cohort and return in one row (never its own return)
            (2, at(2024, 1, 1, 12), true, true),
            // u3: cohort late on Jan 3, no return
            (3, at(2024, 1, 3, 23), true, false),
        ];
        let as_of = at(2024, 1, 7, 10);
        let two = Period::Rolling { days: 2 };
        four(
            two,
            2,
            as_of,
            &rows,
            [
                &[("2024-01-01", 2, &[1, 0, 1]), ("2024-01-03", 1, &[0, 0, 0])],
                &[("2024-01-01", 2, &[1, 1, 1]), ("2024-01-03", 1, &[0, 0, 0])],
                &[("2024-01-01", 2, &[1, 0, 1]), ("2024-01-03", 2, &[0, 1, 0])],
                &[("2024-01-01", 2, &[1, 1, 1]), ("2024-01-03", 2, &[1, 1, 0])],
            ],
        );
        // Complete when the latest anchor's period has ended: Jan 1 cohort (latest anchor
        // 12:00) period 2 ends Jan 7 12:00 > as_of; Jan 3 cohort (latest anchor 23:00) period
        // 1 ends Jan 7 23:00.
        for entry in [Entry::First, Entry::Recurring] {
            let mut s = build(def(two, 2, entry, Counting::On, as_of), &rows);
            assert_eq!(completes(&mut s), [true, true, false, true, false, false]);
        }
        // A 1-day rolling period differs from a calendar day: 23:00 → next day 22:00 is
        // period 0.
        let rows = [
            (1, at(2024, 1, 1, 23), true, false),
            (1, at(2024, 1, 2, 22), false, true),
        ];
        let mut s = build(
            def(
                Period::Rolling { days: 1 },
                1,
                Entry::First,
                Counting::On,
                as_of,
            ),
            &rows,
        );
        assert_eq!(matrix(&mut s), rows_of(&[("2024-01-01", 1, &[1, 0])]));
        let mut s = build(
            def(Period::Day, 1, Entry::First, Counting::On, as_of),
            &rows,
        );
        assert_eq!(matrix(&mut s), rows_of(&[("2024-01-01", 1, &[0, 1])]));
    }

    #[test]
    fn as_of_cuts_periods() {
        let as_of = at(2024, 1, 3, 12);
        let rows = [
            (1, at(2024, 1, 1, 0), true, false),
            (1, at(2024, 1, 3, 11), false, true),
            (1, as_of + 1, false, true), // after as_of: ignored
            (1, at(2024, 1, 5, 0), false, true),
            (2, as_of + 1, true, true), // a cohort event after as_of: no entry
            (3, i64::MIN, true, true),  // infinite rows are ignored
            (3, i64::MAX, true, true),
            (4, as_of, true, false), // exactly at as_of counts
        ];
        let expected: [&[i64]; 2] = [&[0, 0, 1, 0, 0], &[1, 1, 1, 0, 0]];
        for (counting, jan1) in [Counting::On, Counting::OnOrAfter]
            .into_iter()
            .zip(expected)
        {
            let mut s = build(def(Period::Day, 4, Entry::First, counting, as_of), &rows);
            assert_eq!(s.user_count(), 2);
            assert_eq!(
                matrix(&mut s),
                rows_of(&[("2024-01-01", 1, jan1), ("2024-01-03", 1, &[0; 5])]),
                "{counting}"
            );
            let want = [
                true, true, false, false, false, false, false, false, false, false,
            ];
            assert_eq!(completes(&mut s), want);
        }
        // The last µs of a day completes it.
        let as_of = at(2024, 1, 4, 0) - 1;
        let mut s = build(
            def(Period::Day, 4, Entry::First, Counting::On, as_of),
            &rows,
        );
        assert_eq!(completes(&mut s)[..5], [true, true, true, false, false]);
        // With no rows at all: no cohort, no row.
        let mut s = build(def(Period::Week, 4, Entry::First, Counting::On, as_of), &[]);
        assert!(s.finish(&mut || {}).unwrap().is_empty());
    }

    #[test]
    fn text_keys_limits_merges_and_corrupt_states() {
        let d = def(
            Period::Day,
            2,
            Entry::Recurring,
            Counting::OnOrAfter,
            100 * D,
        );
        let mut by_ref = CohortRetention::<String>::new(d).unwrap();
        by_ref.push_str("ü1", 0, true, false);
        by_ref.push_str("ü1", D, false, true);
        by_ref.push_str("ü2", D, true, false);
        by_ref.push_str("ü3", D, false, false); // neither: not recorded
        let mut owned = CohortRetention::<String>::new(d).unwrap();
        owned.push("ü1".into(), D, false, true);
        owned.push("ü1".into(), 0, true, false);
        owned.push("ü2".into(), D, true, false);
        assert_eq!(by_ref.user_count(), 2);
        let a = by_ref.finish(&mut || {}).unwrap();
        assert_eq!(a, owned.finish(&mut || {}).unwrap());
        assert_eq!(
            a.iter().map(|c| c.retained).collect::<Vec<_>>(),
            [1, 1, 0, 0, 0, 0]
        );
        assert!(CohortRetention::<i64>::decode(&owned.encode()).is_err());

        let other = CohortRetention::<String>::new(RetentionDefinition { as_of: 0, ..d }).unwrap();
        let e = owned.merge(other).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert!(e.message.contains("as_of 2000-04-10"), "{}", e.message);

        // More than MAX_COHORTS cohorts (one per day).
        let d = def(Period::Day, 1, Entry::First, Counting::On, 200_000 * D);
        let mut s = build(d, &[]);
        (0..=MAX_COHORTS as i64).for_each(|u| s.push(u, u * D, true, false));
        let e = s.finish(&mut || {}).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LimitExceeded);
        assert!(e.message.contains("100000 cohorts"), "{}", e.message);
        let mut s = build(d, &[]);
        (0..MAX_COHORTS as i64).for_each(|u| s.push(u, u * D, true, false));
        assert_eq!(s.finish(&mut || {}).unwrap().len(), 2 * MAX_COHORTS);

        // Corrupt states.
        let mut s = build(d, &[(7, 5, true, false)]);
        let good = s.encode();
        assert_eq!(
            CohortRetention::<i64>::decode(&good)
                .unwrap()
                .finish(&mut || {}),
            s.finish(&mut || {})
        );
        let malformed = |b: &[u8]| CohortRetention::<i64>::decode(b).unwrap_err().kind;
        let n = good.len();
        // layout: 2 + 19 definition + kind + users(8) + key(8) + rows(8) + ts(8) + flags
        assert_eq!(n, 2 + 19 + 1 + 8 + 8 + 8 + 8 + 1);
        let mut b = good.clone();
        b[n - 1] = 0;
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        b[n - 1] = 4;
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        let mut b = good.clone();
        b[n - 9..n - 1].copy_from_slice(&(200_000 * D + 1).to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        b[n - 9..n - 1].copy_from_slice(&i64::MIN.to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        // a user without rows
        let mut b = good[..n - 17].to_vec();
        b.extend_from_slice(&0u64.to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        // a user twice
        let mut b = good.clone();
        b[22..30].copy_from_slice(&2u64.to_le_bytes());
        b.extend_from_slice(&good[30..]);
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        let mut b = good.clone();
        b.push(0);
        assert_eq!(malformed(&b), ErrorKind::Malformed);
    }

    #[test]
    fn finish_and_merge_check_interrupts() {
        let d = def(Period::Week, 3, Entry::First, Counting::On, 10_000 * D);
        let mut s = build(d, &[]);
        (0..5000).for_each(|u| s.push(u, u, true, false));
        let mut calls = 0;
        s.finish(&mut || calls += 1).unwrap();
        // at the start, every 1024 users, before the output, and every 64K output cells
        assert_eq!(calls, 1 + 4 + 1);
        let mut a = build(d, &[(1, 0, true, false)]);
        let mut calls = 0;
        a.merge_interruptible(s, &mut || calls += 1).unwrap();
        assert_eq!(calls, 1 + 4);
    }

    /// A user key whose hash collides on purpose (only the residue mod 3 is hashed): users
    /// sharing a hash must still be told apart by `Eq`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Clash(i64);

    impl Hash for Clash {
        fn hash<H: Hasher>(&self, h: &mut H) {
            (self.0.rem_euclid(3) as u8).hash(h);
        }
    }

    impl UserKey for Clash {
        const KIND: u8 = 9;
        fn write(&self, w: &mut Writer) {
            w.i64(self.0);
        }
        fn read(r: &mut Reader) -> OpsResult<Clash> {
            r.i64().map(Clash)
        }
    }

    /// `n` rows of `users` users interleaved in time order over 300 days (some at the same
    /// instant, some neither cohort nor return, some after an `as_of` of day 250).
    fn interleaved(users: i64, n: i64) -> Vec<Row> {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut ts = 0;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if i % 7 != 0 {
                    ts += (x >> 20) as i64 % (600 * D / n);
                }
                let u = (x % users as u64) as i64 * 7_919 - 1_000_000;
                (
                    u,
                    ts,
                    (x >> 8).is_multiple_of(5),
                    !(x >> 12).is_multiple_of(3),
                )
            })
            .collect()
    }

    #[test]
    fn interleaved_rows_equal_rows_pushed_user_by_user() {
        let defs = [
            def(Period::Day, 7, Entry::Recurring, Counting::On, 250 * D),
            def(Period::Week, 6, Entry::First, Counting::OnOrAfter, 250 * D),
            def(
                Period::Month,
                4,
                Entry::Recurring,
                Counting::OnOrAfter,
                250 * D,
            ),
            def(
                Period::rolling(10).unwrap(),
                5,
                Entry::First,
                Counting::On,
                250 * D,
            ),
        ];
        for (users, n) in [(3, 60), (40, 900), (3_000, 40_000)] {
            let rows = interleaved(users, n);
            // user by user, each user's rows in time order (a stable sort by user)
            let mut by_user = rows.clone();
            by_user.sort_by_key(|r| r.0);
            let mut backwards = rows.clone();
            backwards.reverse();
            for d in defs {
                let mut want = build(d, &by_user);
                let users_kept = want.user_count();
                let want = want.finish(&mut || {}).unwrap();
                assert!(!want.is_empty());
                for order in [&rows, &backwards] {
                    let mut s = build(d, order);
                    assert_eq!(s.user_count(), users_kept);
                    assert_eq!(s.finish(&mut || {}).unwrap(), want, "{d} {users}");
                    // finishing twice, and through bytes after finishing, changes nothing
                    assert_eq!(s.finish(&mut || {}).unwrap(), want);
                    let mut back = CohortRetention::<i64>::decode(&s.encode()).unwrap();
                    assert_eq!(back.finish(&mut || {}).unwrap(), want);
                    // interned text keys, colliding keys, each through bytes and a merge
                    let mut t = CohortRetention::<String>::new(d).unwrap();
                    let mut c = CohortRetention::<Clash>::new(d).unwrap();
                    let (mut t2, mut c2) = (t.clone(), c.clone());
                    for (i, &(u, ts, co, re)) in order.iter().enumerate() {
                        let (t, c) = if i % 3 == 0 {
                            (&mut t2, &mut c2)
                        } else {
                            (&mut t, &mut c)
                        };
                        t.push_str(&format!("user {u}"), ts, co, re);
                        c.push(Clash(u), ts, co, re);
                    }
                    let t2 = CohortRetention::<String>::decode(&t2.encode()).unwrap();
                    let c2 = CohortRetention::<Clash>::decode(&c2.encode()).unwrap();
                    t.merge(t2).unwrap();
                    c.merge(c2).unwrap();
                    assert_eq!((t.user_count(), c.user_count()), (users_kept, users_kept));
                    assert_eq!(t.finish(&mut || {}).unwrap(), want, "text {d} {users}");
                    assert_eq!(c.finish(&mut || {}).unwrap(), want, "clash {d} {users}");
                }
            }
        }
        // The matrix of the middle case against the enumeration.
        let rows = interleaved(40, 900);
        for d in defs {
            assert_eq!(cells(&mut build(d, &rows)), oracle(&d, &rows), "{d}");
        }
    }

    #[test]
    fn finish_checks_interrupts_while_sorting() {
        // Two users, 300K rows: almost all the work is the sort and the scan of the rows.
        let d = def(Period::Month, 3, Entry::Recurring, Counting::On, 10_000 * D);
        let n = 300_000;
        let mut s = build(d, &[]);
        (0..n).for_each(|i| s.push(i % 2, (n - i) * 1_000, true, true));
        let mut calls = 0;
        s.finish(&mut || calls += 1).unwrap();
        // two radix passes (a scan and a move each), the check of the runs, the per-user
        // scan; at least one check per 64K rows of each
        assert!(calls as i64 >= 5 * n / INTERRUPT_WORK as i64, "{calls}");
    }

    // ---- property tests -------------------------------------------------------------

    /// Period starts (days since 2000-01-01) from 1999-01 to 2008, built by stepping through
    /// the calendar (month lengths and the leap rule written out), not with the module's
    /// arithmetic.
    fn oracle_bounds(period: Period) -> Vec<i64> {
        let first = -365; // 1999-01-01, a Friday
        let last = 9 * 366;
        match period {
            Period::Day | Period::Rolling { .. } => (first..last).collect(),
            // 1999-01-04 was a Monday
            Period::Week => (first..last)
                .filter(|d| (d - (first + 3)) % 7 == 0)
                .collect(),
            Period::Month => {
                let mut out = vec![];
                let mut day = first;
                for year in 1999..2009 {
                    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
                    for len in [
                        31,
                        if leap { 29 } else { 28 },
                        31,
                        30,
                        31,
                        30,
                        31,
                        31,
                        30,
                        31,
                        30,
                        31,
                    ] {
                        out.push(day);
                        day += len;
                    }
                }
                out
            }
        }
    }

    type Cell = (i64, i64, i64, i64, bool); // (cohort start, k, size, retained, complete)

    /// The matrix by enumeration: the entries of each user, then for every (entry, k) pair
    /// the period's bounds and a scan of all of the user's returns.
    fn oracle(d: &RetentionDefinition, rows: &[Row]) -> Vec<Cell> {
        let bounds: Vec<i64> = oracle_bounds(d.period).iter().map(|x| x * D).collect();
        let which = |ts: i64| bounds.iter().rposition(|&b| b <= ts).unwrap();
        let periods = d.periods as usize;
        // cohort start -> per entry, per k: (retained, end of the period)
        let mut cohorts: BTreeMap<i64, Vec<Vec<(bool, i64)>>> = BTreeMap::new();
        let users: BTreeSet<i64> = rows.iter().map(|r| r.0).collect();
        for u in users {
            let mine: Vec<&Row> = rows
                .iter()
                .filter(|r| r.0 == u && r.1 != i64::MIN && r.1 != i64::MAX && r.1 <= d.as_of)
                .collect();
            let returns: Vec<i64> = mine.iter().filter(|r| r.3).map(|r| r.1).collect();
            // earliest cohort event of each period (rolling: of each day)
            let mut groups: BTreeMap<usize, i64> = BTreeMap::new();
            for c in mine.iter().filter(|r| r.2).map(|r| r.1) {
                let g = groups.entry(which(c)).or_insert(c);
                *g = (*g).min(c);
            }
            let take = if d.entry == Entry::First {
                1
            } else {
                usize::MAX
            };
            for (i, anchor) in groups.into_iter().take(take) {
                let cells = (0..=periods)
                    .map(|k| {
                        let (lo, hi) = match d.period {
                            Period::Rolling { days } => {
                                let len = i64::from(days) * D;
                                (anchor + k as i64 * len, anchor + (k as i64 + 1) * len)
                            }
                            _ => (bounds[i + k], bounds[i + k + 1]),
                        };
                        let retained = returns.iter().any(|&r| {
                            r > anchor && r >= lo && (d.counting == Counting::OnOrAfter || r < hi)
                        });
                        (retained, hi)
                    })
                    .collect();
                cohorts.entry(bounds[i]).or_default().push(cells);
            }
        }
        let mut out = vec![];
        for (start, entries) in cohorts {
            for k in 0..=periods {
                let retained = entries.iter().filter(|e| e[k].0).count() as i64;
                let complete = entries.iter().all(|e| e[k].1 <= d.as_of + 1);
                out.push((start, k as i64, entries.len() as i64, retained, complete));
            }
        }
        out
    }

    fn cells(s: &mut CohortRetention<i64>) -> Vec<Cell> {
        s.finish(&mut || {})
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c.cohort_start,
                    c.period.into(),
                    c.cohort_size,
                    c.retained,
                    c.complete,
                )
            })
            .collect()
    }

    /// A definition with `as_of` 0 (each case sets it near its rows).
    fn arb_def() -> impl Strategy<Value = RetentionDefinition> {
        (
            prop_oneof![
                Just(Period::Day),
                Just(Period::Week),
                Just(Period::Month),
                (1u32..=10).prop_map(|days| Period::Rolling { days }),
            ],
            1i64..=6,
            prop_oneof![Just(Entry::First), Just(Entry::Recurring)],
            prop_oneof![Just(Counting::On), Just(Counting::OnOrAfter)],
        )
            .prop_map(|(p, n, e, c)| def(p, n, e, c, 0))
    }

    /// A definition and rows around a random centre day in 1999-10 .. 2002-03 (spanning the
    /// leap day of 2000), spread over a few days to a year, with `as_of` among them.
    fn arb_case() -> impl Strategy<Value = (RetentionDefinition, Vec<Row>)> {
        (
            arb_def(),
            -70i64..800,
            prop_oneof![Just(4i64), Just(25), Just(100), Just(400)],
        )
            .prop_flat_map(|(d, centre, spread)| {
                let ts = (0..spread, prop_oneof![Just(0i64), 0..24 * H, Just(D - 1)])
                    .prop_map(move |(day, t)| (centre + day) * D + t);
                let row = (
                    0i64..6,
                    prop_oneof![9 => ts.clone(), 1 => Just(i64::MAX), 1 => Just(i64::MIN)],
                    any::<bool>(),
                    any::<bool>(),
                );
                (
                    Just(d),
                    prop::collection::vec(row, 0..40),
                    ts.prop_map(|t| t + 5 * D),
                )
            })
            .prop_map(|(d, rows, as_of)| (RetentionDefinition { as_of, ..d }, rows))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn matrix_matches_the_enumeration((d, rows) in arb_case()) {
            let mut s = build(d, &rows);
            prop_assert_eq!(cells(&mut s), oracle(&d, &rows));
        }

        #[test]
        fn order_splits_merges_and_bytes_do_not_matter(
            (d, rows) in arb_case(),
            split in any::<prop::sample::Index>(),
            seed in any::<u64>(),
        ) {
            let whole = cells(&mut build(d, &rows));
            // sorted input and a permutation of it
            let mut sorted = rows.clone();
            sorted.sort_by_key(|r| (r.1, r.0));
            prop_assert_eq!(&cells(&mut build(d, &sorted)), &whole);
            let mut shuffled = rows.clone();
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let (left, right) = shuffled.split_at(split.index(shuffled.len() + 1));
            let (a, b) = (build(d, left), build(d, right));
            // parallel: both halves through bytes, merged either way round
            for (x, y) in [(a.clone(), b.clone()), (b.clone(), a.clone())] {
                let mut x = CohortRetention::<i64>::decode(&x.encode()).unwrap();
                let y = CohortRetention::<i64>::decode(&y.encode()).unwrap();
                x.merge(y).unwrap();
                prop_assert_eq!(&cells(&mut x), &whole);
            }
            // every strict prefix of an encoding is an error
            let bytes = a.encode();
            for n in 0..bytes.len() {
                let e = CohortRetention::<i64>::decode(&bytes[..n]).err();
                prop_assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Malformed));
            }
            // text keys give the same matrix
            let mut t = CohortRetention::<String>::new(d).unwrap();
            rows.iter().for_each(|&(u, ts, c, r)| t.push_str(&format!("u{u}"), ts, c, r));
            let mut t = CohortRetention::<String>::decode(&t.encode()).unwrap();
            let tc: Vec<Cell> = t.finish(&mut || {}).unwrap().iter()
                .map(|c| (c.cohort_start, c.period.into(), c.cohort_size, c.retained, c.complete))
                .collect();
            prop_assert_eq!(tc, whole);
        }

        #[test]
        fn retention_flags_merge_and_round_trip(
            rows in prop::collection::vec(prop::collection::vec(any::<Option<bool>>(), 5), 1..12),
            split in any::<prop::sample::Index>(),
        ) {
            let whole = {
                let mut s = RetentionFlags::new(5).unwrap();
                rows.iter().for_each(|r| s.push_conds(r).unwrap());
                s
            };
            let held = |i: usize| rows.iter().any(|r| r[i] == Some(true));
            let want: Vec<i32> = (0..5).map(|i| i32::from(held(0) && held(i))).collect();
            prop_assert_eq!(whole.finish(), want);
            let (l, r) = rows.split_at(split.index(rows.len() + 1));
            let mut a = RetentionFlags::new(5).unwrap();
            let mut b = RetentionFlags::new(5).unwrap();
            l.iter().for_each(|x| a.push_conds(x).unwrap());
            r.iter().for_each(|x| b.push_conds(x).unwrap());
            a.merge(RetentionFlags::decode(&b.encode()).unwrap()).unwrap();
            prop_assert_eq!(a, whole);
        }
    }
}
