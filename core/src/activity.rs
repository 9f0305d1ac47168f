//! Population activity over time: daily/weekly/monthly active users ([`ActivitySeries`]) and
//! PostHog-style lifecycle counts per period ([`PeriodLifecycle`]).
//!
//! # Local time
//!
//! As in [`crate::retention`], every timestamp handed to these states is a *local* wall-clock
//! time in microseconds since 2000-01-01 00:00: the SQL layer converts each `timestamptz` to
//! the chosen time zone first, so days, ISO weeks (Monday to Sunday) and calendar months
//! follow that zone. Rows at `±infinity` (`i64::MIN`, `i64::MAX`) are ignored.
//!
//! # Active users
//!
//! [`ActivitySeries`] covers the local days `first_day ..= last_day` (days since
//! 2000-01-01). For each day `d`:
//! - `dau` = users with a row on day `d`;
//! - `wau` = users with a row on some day of `[d − 6, d]` (7 days);
//! - `mau` = users with a row on some day of `[d − 29, d]` (30 days);
//! - `stickiness = dau / mau` (NULL when `mau = 0`).
//!
//! Rows on days before `first_day − 29` or after `last_day` cannot count and are ignored.
//!
//! # Period lifecycle
//!
//! [`PeriodLifecycle`] covers the calendar periods (days, ISO weeks or months) whose start lies
//! in `[local_period_start(first), last]`. With `active(u, p)` = user `u` has a row in period
//! `p` and `first(u)` = the period of `u`'s earliest row (rows before the range included),
//! each period `p` of the range counts
//! - `new` = `#{u : active(u, p) ∧ first(u) = p}`;
//! - `returning` = `#{u : active(u, p) ∧ active(u, p − 1)}`;
//! - `resurrecting` = `#{u : active(u, p) ∧ ¬active(u, p − 1) ∧ first(u) < p}`;
//! - `dormant` = `#{u : ¬active(u, p) ∧ active(u, p − 1)}`, a positive count.
//!
//! These are the definitions of the query in `docs/lifecycle.md`, "Period lifecycle counts".
//! By construction the users active in `p − 1` are `returning(p) + dormant(p)`. Rows after
//! the last period are ignored (they can neither make a user active in the range nor be the
//! earliest row of a user who is).

use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::funnel::UserKey;
use crate::retention::{
    civil_from_days, days_from_civil, local_period_start, period_index, Period,
};
use crate::state::PartialState;
use crate::time::{fmt_ts, is_infinite, USECS_PER_DAY};
use hashbrown::HashMap;

/// Most days of an [`ActivitySeries`] (about 100 years).
pub const MAX_ACTIVITY_DAYS: i64 = 36_600;
/// Most periods of a [`PeriodLifecycle`].
pub const MAX_LIFECYCLE_PERIODS: i64 = 10_000;

/// Days before `first_day` whose activity still counts (in the `mau` window of `first_day`).
const LOOKBACK: i64 = 29;
const WEEK_WINDOW: usize = 7;
const MONTH_WINDOW: usize = 30;

const ACTIVITY_TAG: u8 = b'A';
const LIFECYCLE_TAG: u8 = b'Y';
const VERSION: u8 = 1;

/// Interrupt cadence of `finish` and merges, as in the other population states: a check at
/// least every 1024 users or about 64K units of work (kept slots).
const INTERRUPT_WORK: usize = 1 << 16;
const USER_WORK: usize = 64;

/// Calls `check_interrupts` when the work since the last check exceeds [`INTERRUPT_WORK`].
#[inline]
fn tick(work: &mut usize, cost: usize, check_interrupts: &mut dyn FnMut()) {
    *work += cost;
    if *work > INTERRUPT_WORK {
        check_interrupts();
        *work = cost;
    }
}

// ---------------------------------------------------------------------------------------
// A user's active slots
// ---------------------------------------------------------------------------------------

/// Below this many slots a full vector simply grows instead of being compacted.
const MIN_COMPACT: usize = 8;

/// One user's active slots (day or period offsets from the start of the tracked range, all
/// below 65 536). Pushes append; repeats of the last slot are dropped at once, and a full
/// vector is sorted and deduplicated before it grows (then grown to at least twice the
/// distinct slots), so memory stays within a small factor of the distinct slots and a push
/// costs `O(log n)` amortized. [`Slots::normalize`] makes it sorted and duplicate-free.
#[derive(Debug, Clone, Default)]
struct Slots(Vec<u16>);

impl Slots {
    #[inline]
    fn insert(&mut self, slot: u16) {
        let v = &mut self.0;
        if v.last() == Some(&slot) {
            return;
        }
        if v.len() == v.capacity() && v.len() >= MIN_COMPACT {
            v.sort_unstable();
            v.dedup();
            if v.len() * 2 > v.capacity() {
                v.reserve(v.len());
            }
        }
        v.push(slot);
    }

    fn is_normal(&self) -> bool {
        self.0.windows(2).all(|w| w[0] < w[1])
    }

    /// Sorts and deduplicates.
    fn normalize(&mut self) {
        if !self.is_normal() {
            self.0.sort_unstable();
            self.0.dedup();
        }
    }

    /// Adds every slot of `other`, leaving `self` normalized.
    fn union(&mut self, mut other: Slots) {
        if self.0.is_empty() {
            *self = other;
        } else {
            self.0.append(&mut other.0);
        }
        self.normalize();
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// The count, then each slot in ascending order (2 bytes little-endian).
    fn write(&self, w: &mut Writer) {
        let mut sorted;
        let slots = if self.is_normal() {
            &self.0
        } else {
            sorted = self.0.clone();
            sorted.sort_unstable();
            sorted.dedup();
            &sorted
        };
        w.len(slots.len());
        for &s in slots {
            let [lo, hi] = s.to_le_bytes();
            w.u8(lo).u8(hi);
        }
    }

    /// What [`Slots::write`] wrote: strictly ascending slots below `span` (`malformed`
    /// otherwise; an empty set too unless `allow_empty`).
    fn read(r: &mut Reader, span: usize, allow_empty: bool, what: &str) -> OpsResult<Slots> {
        let n = r.len(2)?;
        if n == 0 && !allow_empty {
            return Err(corrupt(what, "a user without activity"));
        }
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let s = u16::from_le_bytes([r.u8()?, r.u8()?]);
            if usize::from(s) >= span {
                return Err(corrupt(
                    what,
                    &format!("slot {s} beyond the {span} tracked"),
                ));
            }
            if v.last().is_some_and(|&l| l >= s) {
                return Err(corrupt(what, "slots out of order"));
            }
            v.push(s);
        }
        Ok(Slots(v))
    }
}

impl std::ops::Deref for Slots {
    type Target = [u16];
    fn deref(&self) -> &[u16] {
        &self.0
    }
}

fn corrupt(what: &str, detail: &str) -> OpsError {
    OpsError::malformed(format!("{what} state is corrupt: {detail}"))
}

fn read_kind<K: UserKey>(r: &mut Reader) -> OpsResult<()> {
    K::check_kind(r)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Active users per day
// ---------------------------------------------------------------------------------------

/// One day of an [`ActivitySeries`].
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityDay {
    /// Local day, in days since 2000-01-01.
    pub day: i64,
    /// Users active that day.
    pub dau: i64,
    /// Users active on some day of `[day − 6, day]`.
    pub wau: i64,
    /// Users active on some day of `[day − 29, day]`.
    pub mau: i64,
    /// `dau / mau`, `None` when `mau = 0`.
    pub stickiness: Option<f64>,
}

/// State of the daily active users series over the local days `first_day ..= last_day`
/// (see the module documentation).
///
/// Memory: 2 bytes per distinct active (user, day) in `[first_day − 29, last_day]` (up to
/// about 4× that in vector slack), plus per active user the key (8 bytes, or 24 plus the text
/// for `text` ids), a 24-byte `Vec` header and the hash table's slack. Other rows cost nothing.
#[derive(Debug, Clone)]
pub struct ActivitySeries<K: UserKey> {
    first_day: i64,
    last_day: i64,
    users: HashMap<K, Slots>,
}

impl<K: UserKey> ActivitySeries<K> {
    /// An empty series of the days `first_day ..= last_day` (days since 2000-01-01, finite
    /// dates: strictly between `i32::MIN` and `i32::MAX`). Invalid (`22023`) when `last_day <
    /// first_day` or a bound is not a finite date; more than [`MAX_ACTIVITY_DAYS`] days exceed
    /// the limit (`54000`).
    pub fn new(first_day: i64, last_day: i64) -> OpsResult<Self> {
        let finite = |d: i64| d > i64::from(i32::MIN) && d < i64::from(i32::MAX);
        if !finite(first_day) || !finite(last_day) {
            return Err(OpsError::invalid(format!(
                "active users need finite first and last days, got day numbers {first_day} and \
                 {last_day}"
            )));
        }
        if last_day < first_day {
            return Err(OpsError::invalid(format!(
                "active users need the last day on or after the first, got {} before {}",
                day_text(last_day),
                day_text(first_day)
            )));
        }
        let days = last_day - first_day + 1;
        if days > MAX_ACTIVITY_DAYS {
            return Err(OpsError::limit(format!(
                "active users cover {days} days from {} to {}; at most {MAX_ACTIVITY_DAYS} are \
                 supported",
                day_text(first_day),
                day_text(last_day)
            )));
        }
        Ok(ActivitySeries {
            first_day,
            last_day,
            users: HashMap::new(),
        })
    }

    /// The first day of the series (days since 2000-01-01).
    pub fn first_day(&self) -> i64 {
        self.first_day
    }

    /// The last day of the series (days since 2000-01-01).
    pub fn last_day(&self) -> i64 {
        self.last_day
    }

    /// Number of users with a kept row.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// Tracked days: `first_day − 29 ..= last_day`.
    fn span(&self) -> usize {
        (self.last_day - self.first_day + 1 + LOOKBACK) as usize
    }

    /// The slot of the local day of `local_ts`, `None` for ignored rows.
    #[inline]
    fn slot(&self, local_ts: i64) -> Option<u16> {
        if is_infinite(local_ts) {
            return None;
        }
        let offset = local_ts.div_euclid(USECS_PER_DAY) - (self.first_day - LOOKBACK);
        (0..self.span() as i64)
            .contains(&offset)
            .then_some(offset as u16)
    }

    /// Records that `key` was active on the local day of `local_ts`. Rows on days outside
    /// `[first_day − 29, last_day]` and infinite rows are ignored (the user is not recorded).
    pub fn push(&mut self, key: K, local_ts: i64) {
        if let Some(slot) = self.slot(local_ts) {
            self.users.entry(key).or_default().insert(slot);
        }
    }

    /// One entry per day of `first_day ..= last_day`, in order. Calls `check_interrupts`
    /// first, then at least every 1024 users or 64K active user-days, and at the end.
    ///
    /// Time: `O(active user-days + days)` (plus sorting users' days pushed out of order):
    /// each user's days are merged into runs of overlapping 7- and 30-day windows, which are
    /// added to difference arrays.
    pub fn finish(&mut self, check_interrupts: &mut dyn FnMut()) -> Vec<ActivityDay> {
        let span = self.span();
        let mut dau = vec![0i64; span];
        let mut wau = vec![0i64; span + 1];
        let mut mau = vec![0i64; span + 1];
        check_interrupts();
        let mut work = 0usize;
        for slots in self.users.values_mut() {
            tick(&mut work, USER_WORK + slots.len(), check_interrupts);
            slots.normalize();
            for &s in slots.iter() {
                dau[usize::from(s)] += 1;
            }
            add_windows(slots, WEEK_WINDOW, &mut wau);
            add_windows(slots, MONTH_WINDOW, &mut mau);
        }
        check_interrupts();
        let (mut w, mut m) = (0i64, 0i64);
        let mut out = Vec::with_capacity(span - LOOKBACK as usize);
        for s in 0..span {
            w += wau[s];
            m += mau[s];
            if s >= LOOKBACK as usize {
                out.push(ActivityDay {
                    day: self.first_day - LOOKBACK + s as i64,
                    dau: dau[s],
                    wau: w,
                    mau: m,
                    stickiness: (m > 0).then(|| dau[s] as f64 / m as f64),
                });
            }
        }
        out
    }
}

/// Adds `+1 … −1` to `diff` over the union of the windows `[s, s + len)` of the ascending
/// `slots` (one run per maximal group of overlapping or touching windows; the end is clamped
/// to the last cell of `diff`).
fn add_windows(slots: &[u16], len: usize, diff: &mut [i64]) {
    let end_cap = diff.len() - 1;
    let mut run: Option<(usize, usize)> = None;
    for &s in slots {
        let s = usize::from(s);
        match &mut run {
            Some((_, end)) if s <= *end => *end = s + len,
            _ => {
                if let Some((a, b)) = run {
                    diff[a] += 1;
                    diff[b.min(end_cap)] -= 1;
                }
                run = Some((s, s + len));
            }
        }
    }
    if let Some((a, b)) = run {
        diff[a] += 1;
        diff[b.min(end_cap)] -= 1;
    }
}

/// `YYYY-MM-DD` of a day number.
fn day_text(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

impl ActivitySeries<String> {
    /// [`ActivitySeries::push`] for a borrowed text key: allocates the key only for a user not
    /// seen before.
    pub fn push_str(&mut self, key: &str, local_ts: i64) {
        if let Some(slot) = self.slot(local_ts) {
            self.users.entry_ref(key).or_default().insert(slot);
        }
    }
}

impl<K: UserKey> PartialState for ActivitySeries<K> {
    /// A parallel leader's own part is handed over as it is (a state of every row).
    fn hand_over_in_process(&self) -> bool {
        true
    }
    fn merge(&mut self, other: ActivitySeries<K>) -> OpsResult<()> {
        self.merge_interruptible(other, &mut || {})
    }

    /// Unions each user's days; invalid when the day ranges differ. Checks for interrupts at
    /// least every 1024 users or 64K merged user-days.
    fn merge_interruptible(
        &mut self,
        other: ActivitySeries<K>,
        check_interrupts: &mut dyn FnMut(),
    ) -> OpsResult<()> {
        check_interrupts();
        if (self.first_day, self.last_day) != (other.first_day, other.last_day) {
            return Err(OpsError::invalid(format!(
                "active users need the same days for every row of a group, got {} to {} and {} \
                 to {}",
                day_text(self.first_day),
                day_text(self.last_day),
                day_text(other.first_day),
                day_text(other.last_day)
            )));
        }
        if self.users.is_empty() {
            self.users = other.users;
            return Ok(());
        }
        let mut work = 0usize;
        for (key, slots) in other.users {
            let cost = USER_WORK + slots.len();
            let mine = self.users.entry(key).or_default();
            tick(&mut work, cost + mine.len(), check_interrupts);
            mine.union(slots);
        }
        Ok(())
    }

    /// `'A'`, version, `first_day` and `last_day` (`i64`), the key kind, the number of users,
    /// then per user its key and its active days (count, then each day's offset from
    /// `first_day − 29` as a little-endian `u16`, ascending).
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(ACTIVITY_TAG, VERSION);
        w.i64(self.first_day).i64(self.last_day).u8(K::KIND);
        w.len(self.users.len());
        for (key, slots) in &self.users {
            key.write(&mut w);
            slots.write(&mut w);
        }
        w.finish()
    }

    /// Rejects (as `malformed`) a bad day range, another key kind, a user twice or without
    /// days, and days out of order or outside the tracked range.
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, ACTIVITY_TAG, VERSION)?;
        let (first_day, last_day) = (r.i64()?, r.i64()?);
        let mut s = ActivitySeries::new(first_day, last_day)
            .map_err(|e| corrupt("active users", &e.message))?;
        read_kind::<K>(&mut r)?;
        let span = s.span();
        // key (at least 8 bytes), count (8) and one day (2)
        let n = r.len(18)?;
        s.users.reserve(n);
        for _ in 0..n {
            let key = K::read(&mut r)?;
            let slots = Slots::read(&mut r, span, false, "active users")?;
            if s.users.insert(key, slots).is_some() {
                return Err(corrupt("active users", "a user twice"));
            }
        }
        r.finish()?;
        Ok(s)
    }
}

// ---------------------------------------------------------------------------------------
// Lifecycle counts per period
// ---------------------------------------------------------------------------------------

/// One period of a [`PeriodLifecycle`] (see the module documentation for the definitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleCount {
    /// Local start of the period, in microseconds since 2000-01-01.
    pub period_start: i64,
    /// Users active in the period whose earliest row is in it.
    pub new: i64,
    /// Users active in the period and in the one before.
    pub returning: i64,
    /// Users active in the period, not in the one before, with an earlier row.
    pub resurrecting: i64,
    /// Users active in the period before and not in this one (a positive count).
    pub dormant: i64,
}

/// What [`PeriodLifecycle`] keeps per user.
#[derive(Debug, Clone)]
struct Lifeline {
    /// The user's earliest row (local µs; `i64::MAX` only before the first push).
    earliest: i64,
    /// Active periods as `index + 1`, index −1 being the period before the first.
    slots: Slots,
}

impl Default for Lifeline {
    fn default() -> Self {
        Lifeline {
            earliest: i64::MAX,
            slots: Slots::default(),
        }
    }
}

/// State of the lifecycle counts (new, returning, resurrecting, dormant) per calendar period
/// (see the module documentation).
///
/// Memory: per user with a row at or before the last period the key (8 bytes, or 24 plus
/// the text for `text` ids), its earliest row (8 bytes), a 24-byte `Vec` header, 2 bytes per
/// distinct active period from the one before the first (up to about 4× that in vector
/// slack), and the hash table's slack.
#[derive(Debug, Clone)]
pub struct PeriodLifecycle<K: UserKey> {
    period: Period,
    first: i64,
    last: i64,
    /// Periods in the range.
    periods: i64,
    users: HashMap<K, Lifeline>,
}

impl<K: UserKey> PeriodLifecycle<K> {
    /// An empty state over the periods (`Day`, `Week` or `Month`) whose start lies in
    /// `[local_period_start(period, first), last]` (local timestamps). Invalid (`22023`) for
    /// a rolling period, an infinite bound or `last < first`; more than
    /// [`MAX_LIFECYCLE_PERIODS`] periods exceed the limit (`54000`).
    pub fn new(period: Period, first: i64, last: i64) -> OpsResult<Self> {
        if let Period::Rolling { .. } = period {
            return Err(OpsError::invalid(format!(
                "lifecycle counts need a calendar period (day, week or month), got {period}"
            )));
        }
        if is_infinite(first) || is_infinite(last) {
            return Err(OpsError::invalid(format!(
                "lifecycle counts need finite first and last timestamps, got {} and {}",
                fmt_ts(first),
                fmt_ts(last)
            )));
        }
        if last < first {
            return Err(OpsError::invalid(format!(
                "lifecycle counts need last on or after first, got {} before {}",
                local_text(last),
                local_text(first)
            )));
        }
        let periods = period_index(period, first, last) + 1;
        if periods > MAX_LIFECYCLE_PERIODS {
            return Err(OpsError::limit(format!(
                "lifecycle counts cover {periods} periods of a {period} from {} to {}; at most \
                 {MAX_LIFECYCLE_PERIODS} are supported",
                local_text(first),
                local_text(last)
            )));
        }
        Ok(PeriodLifecycle {
            period,
            first,
            last,
            periods,
            users: HashMap::new(),
        })
    }

    /// The period (day, week or month).
    pub fn period(&self) -> Period {
        self.period
    }

    /// The `first` timestamp given to [`PeriodLifecycle::new`].
    pub fn first(&self) -> i64 {
        self.first
    }

    /// The `last` timestamp given to [`PeriodLifecycle::new`].
    pub fn last(&self) -> i64 {
        self.last
    }

    /// Number of periods in the range (rows of [`PeriodLifecycle::finish`]).
    pub fn periods(&self) -> i64 {
        self.periods
    }

    /// Number of users with a kept row.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// The index of the period of `local_ts` (0 = the first period of the range), `None` for
    /// ignored rows (infinite, or after the last period).
    #[inline]
    fn index(&self, local_ts: i64) -> Option<i64> {
        if is_infinite(local_ts) {
            return None;
        }
        let index = period_index(self.period, self.first, local_ts);
        (index < self.periods).then_some(index)
    }

    #[inline]
    fn record(user: &mut Lifeline, index: i64, local_ts: i64) {
        user.earliest = user.earliest.min(local_ts);
        if index >= -1 {
            user.slots.insert((index + 1) as u16);
        }
    }

    /// Adds a row of `key` at `local_ts`: the user is active in its period (when in the range
    /// or the period just before it) and the row may be the user's earliest. Infinite rows and
    /// rows after the last period are ignored (the user is not recorded).
    pub fn push(&mut self, key: K, local_ts: i64) {
        if let Some(index) = self.index(local_ts) {
            Self::record(self.users.entry(key).or_default(), index, local_ts);
        }
    }

    /// The local start of the period of index `p` (0 = the first of the range).
    fn period_start(&self, p: i64) -> i64 {
        let start = local_period_start(self.period, self.first);
        let day = start.div_euclid(USECS_PER_DAY);
        let days = match self.period {
            Period::Week => day + 7 * p,
            Period::Month => {
                let (y, m, _) = civil_from_days(day);
                let n = i64::from(m) - 1 + p;
                days_from_civil(y + n.div_euclid(12), n.rem_euclid(12) as u32 + 1, 1)
            }
            Period::Day | Period::Rolling { .. } => day + p,
        };
        let ts = i128::from(days) * i128::from(USECS_PER_DAY);
        ts.clamp(i64::MIN.into(), i64::MAX.into()) as i64
    }

    /// One count per period of the range, in order. Calls `check_interrupts` first, then at
    /// least every 1024 users or 64K active user-periods, and at the end.
    ///
    /// Time: `O(active user-periods + periods)` (plus sorting users' periods pushed out of
    /// order).
    pub fn finish(&mut self, check_interrupts: &mut dyn FnMut()) -> Vec<LifecycleCount> {
        let periods = self.periods;
        let mut out: Vec<LifecycleCount> = (0..periods)
            .map(|p| LifecycleCount {
                period_start: self.period_start(p),
                new: 0,
                returning: 0,
                resurrecting: 0,
                dormant: 0,
            })
            .collect();
        check_interrupts();
        let mut work = 0usize;
        for user in self.users.values_mut() {
            tick(&mut work, USER_WORK + user.slots.len(), check_interrupts);
            user.slots.normalize();
            let first = period_index(self.period, self.first, user.earliest);
            let s = &user.slots;
            for (i, &slot) in s.iter().enumerate() {
                let p = i64::from(slot) - 1;
                if p >= 0 {
                    let c = &mut out[p as usize];
                    if i > 0 && s[i - 1] + 1 == slot {
                        c.returning += 1;
                    } else if first == p {
                        c.new += 1;
                    } else {
                        c.resurrecting += 1;
                    }
                }
                let next_active = s.get(i + 1) == Some(&(slot + 1));
                if !next_active && p + 1 < periods {
                    out[(p + 1) as usize].dormant += 1;
                }
            }
        }
        check_interrupts();
        out
    }

    fn describe(&self) -> String {
        format!(
            "period {}, first {}, last {}",
            self.period,
            local_text(self.first),
            local_text(self.last)
        )
    }
}

/// A local timestamp for messages, without the `+00` of [`fmt_ts`].
fn local_text(ts: i64) -> String {
    fmt_ts(ts).trim_end_matches("+00").to_string()
}

impl PeriodLifecycle<String> {
    /// [`PeriodLifecycle::push`] for a borrowed text key: allocates the key only for a user
    /// not seen before.
    pub fn push_str(&mut self, key: &str, local_ts: i64) {
        if let Some(index) = self.index(local_ts) {
            Self::record(self.users.entry_ref(key).or_default(), index, local_ts);
        }
    }
}

impl<K: UserKey> PartialState for PeriodLifecycle<K> {
    /// A parallel leader's own part is handed over as it is (a state of every row).
    fn hand_over_in_process(&self) -> bool {
        true
    }
    fn merge(&mut self, other: PeriodLifecycle<K>) -> OpsResult<()> {
        self.merge_interruptible(other, &mut || {})
    }

    /// Keeps each user's earliest row and unions the active periods; invalid when the
    /// periods or bounds differ. Checks for interrupts at least every 1024 users or 64K
    /// merged user-periods.
    fn merge_interruptible(
        &mut self,
        other: PeriodLifecycle<K>,
        check_interrupts: &mut dyn FnMut(),
    ) -> OpsResult<()> {
        check_interrupts();
        if (self.period, self.first, self.last) != (other.period, other.first, other.last) {
            return Err(OpsError::invalid(format!(
                "lifecycle counts need the same period and bounds for every row of a group, \
                 got {} and {}",
                self.describe(),
                other.describe()
            )));
        }
        if self.users.is_empty() {
            self.users = other.users;
            return Ok(());
        }
        let mut work = 0usize;
        for (key, user) in other.users {
            let cost = USER_WORK + user.slots.len();
            let mine = self.users.entry(key).or_default();
            tick(&mut work, cost + mine.slots.len(), check_interrupts);
            mine.earliest = mine.earliest.min(user.earliest);
            mine.slots.union(user.slots);
        }
        Ok(())
    }

    /// `'Y'`, version, the period (`u8`: 0 day, 1 week, 2 month), `first` and `last`
    /// (`i64`), the key kind, the number of users, then per user its key, its earliest row
    /// (`i64`) and its active periods (count, then each period's index + 1 as a little-endian
    /// `u16`, ascending; index −1 is the period before the first).
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(LIFECYCLE_TAG, VERSION);
        let kind = match self.period {
            Period::Day => 0,
            Period::Week => 1,
            _ => 2,
        };
        w.u8(kind).i64(self.first).i64(self.last).u8(K::KIND);
        w.len(self.users.len());
        for (key, user) in &self.users {
            key.write(&mut w);
            w.i64(user.earliest);
            user.slots.write(&mut w);
        }
        w.finish()
    }

    /// Rejects (as `malformed`) a bad period or bounds, another key kind, a user twice,
    /// periods out of order or outside the tracked range, and an earliest row that is
    /// infinite, after the range or inconsistent with the active periods (a row in the
    /// tracked periods must be the first of them).
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        const WHAT: &str = "lifecycle counts";
        let mut r = Reader::new(bytes, LIFECYCLE_TAG, VERSION)?;
        let period = match r.u8()? {
            0 => Period::Day,
            1 => Period::Week,
            2 => Period::Month,
            k => return Err(corrupt(WHAT, &format!("period kind {k}"))),
        };
        let (first, last) = (r.i64()?, r.i64()?);
        let mut s =
            PeriodLifecycle::new(period, first, last).map_err(|e| corrupt(WHAT, &e.message))?;
        read_kind::<K>(&mut r)?;
        let span = (s.periods + 1) as usize;
        // key (at least 8 bytes), earliest (8), count (8)
        let n = r.len(24)?;
        s.users.reserve(n);
        for _ in 0..n {
            let key = K::read(&mut r)?;
            let earliest = r.i64()?;
            let slots = Slots::read(&mut r, span, true, WHAT)?;
            let index = s
                .index(earliest)
                .ok_or_else(|| corrupt(WHAT, &format!("earliest row at {}", fmt_ts(earliest))))?;
            let consistent = match slots.first() {
                Some(&slot) => index < -1 || index + 1 == i64::from(slot),
                None => index < -1,
            };
            if !consistent {
                return Err(corrupt(WHAT, "earliest row not in the first active period"));
            }
            if s.users.insert(key, Lifeline { earliest, slots }).is_some() {
                return Err(corrupt(WHAT, "a user twice"));
            }
        }
        r.finish()?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};

    const D: i64 = USECS_PER_DAY;
    const H: i64 = 3_600_000_000;

    /// Local microseconds of `y-m-d hh:00` (the retention tests' helper).
    use crate::retention::tests::at;

    fn series(first: i64, last: i64, rows: &[(i64, i64)]) -> ActivitySeries<i64> {
        let mut s = ActivitySeries::new(first, last).unwrap();
        rows.iter().for_each(|&(u, ts)| s.push(u, ts));
        s
    }

    fn lifecycle(
        period: Period,
        first: i64,
        last: i64,
        rows: &[(i64, i64)],
    ) -> PeriodLifecycle<i64> {
        let mut s = PeriodLifecycle::new(period, first, last).unwrap();
        rows.iter().for_each(|&(u, ts)| s.push(u, ts));
        s
    }

    /// `(date, new, returning, resurrecting, dormant)` rows.
    fn counts(s: &mut PeriodLifecycle<i64>) -> Vec<(String, i64, i64, i64, i64)> {
        s.finish(&mut || {})
            .iter()
            .map(|c| {
                assert_eq!(c.period_start % D, 0);
                let date = fmt_ts(c.period_start)[..10].to_string();
                (date, c.new, c.returning, c.resurrecting, c.dormant)
            })
            .collect()
    }

    fn expected(rows: &[(&str, i64, i64, i64, i64)]) -> Vec<(String, i64, i64, i64, i64)> {
        rows.iter()
            .map(|&(d, a, b, c, e)| (d.to_string(), a, b, c, e))
            .collect()
    }

    /// Shuffles with a xorshift seeded by `seed`.
    fn shuffle<T>(v: &mut [T], seed: u64) {
        let mut x = seed | 1;
        for i in (1..v.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v.swap(i, (x % (i as u64 + 1)) as usize);
        }
    }

    // ---- active users -----------------------------------------------------------------

    #[test]
    fn active_users_by_hand() {
        let (first, last) = (days_from_civil(2024, 3, 1), days_from_civil(2024, 3, 10));
        // 2024 is a leap year: 29 days before March 1 is February 1.
        assert_eq!(first - LOOKBACK, days_from_civil(2024, 2, 1));
        let rows = [
            (1, at(2024, 1, 31, 12)), // before Feb 1: ignored
            (1, at(2024, 2, 1, 0)),   // only in the 30-day window of Mar 1
            (2, at(2024, 2, 25, 23)), // 7-day windows of Mar 1 and Mar 2
            (3, at(2024, 3, 1, 23)),
            (3, at(2024, 3, 5, 12)),
            (3, at(2024, 3, 1, 0)), // same day again, out of order
            (4, at(2024, 3, 10, 23)),
            (4, at(2024, 3, 11, 0)), // after the last day: ignored
            (5, i64::MIN),
            (5, i64::MAX),
            (6, at(2024, 3, 11, 0)),
        ];
        let mut s = series(first, last, &rows);
        assert_eq!(s.user_count(), 4);
        let got = s.finish(&mut || {});
        let want: [(i64, i64, i64); 10] = [
            (1, 2, 3),
            (0, 2, 2),
            (0, 1, 2),
            (0, 1, 2),
            (1, 1, 2),
            (0, 1, 2),
            (0, 1, 2),
            (0, 1, 2),
            (0, 1, 2),
            (1, 2, 3),
        ];
        assert_eq!(got.len(), 10);
        for (i, (g, &(dau, wau, mau))) in got.iter().zip(&want).enumerate() {
            let stickiness = Some(dau as f64 / mau as f64);
            let w = ActivityDay {
                day: first + i as i64,
                dau,
                wau,
                mau,
                stickiness,
            };
            assert_eq!(g, &w, "day {}", day_text(first + i as i64));
        }
        assert_eq!(got[0].stickiness, Some(1.0 / 3.0));
        assert_eq!(got[4].stickiness, Some(0.5));

        // No activity: zeros and no stickiness; the text form agrees with the bigint form.
        let mut empty = ActivitySeries::<String>::new(first, first).unwrap();
        let zero = ActivityDay {
            day: first,
            dau: 0,
            wau: 0,
            mau: 0,
            stickiness: None,
        };
        assert_eq!(empty.finish(&mut || {}), vec![zero]);
        let mut t = ActivitySeries::<String>::new(first, last).unwrap();
        rows.iter()
            .for_each(|&(u, ts)| t.push_str(&format!("ü{u}"), ts));
        assert_eq!(t.user_count(), 4);
        assert_eq!(t.finish(&mut || {}), got);
    }

    #[test]
    fn active_users_window_edges_and_limits() {
        // A single active day d counts in wau for d..=d+6 and in mau for d..=d+29.
        let mut s = series(0, 40, &[(1, 5 * D + 3)]);
        let days = s.finish(&mut || {});
        for d in &days {
            let i = d.day;
            assert_eq!(d.dau, i64::from(i == 5), "{i}");
            assert_eq!(d.wau, i64::from((5..=11).contains(&i)), "{i}");
            assert_eq!(d.mau, i64::from((5..=34).contains(&i)), "{i}");
        }

        let e = ActivitySeries::<i64>::new(5, 4).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert!(
            e.message.contains("2000-01-05 before 2000-01-06"),
            "{}",
            e.message
        );
        for (a, b) in [
            (i64::from(i32::MAX), i64::from(i32::MAX)),
            (i64::from(i32::MIN), 0),
        ] {
            let e = ActivitySeries::<i64>::new(a, b).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter);
        }
        let e = ActivitySeries::<i64>::new(0, MAX_ACTIVITY_DAYS).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LimitExceeded);
        assert!(e.message.contains("36601 days"), "{}", e.message);
        // The longest range tracks its first lookback day and its last day.
        let last = MAX_ACTIVITY_DAYS - 1;
        let mut s = series(
            0,
            last,
            &[(1, -29 * D), (2, last * D + D - 1), (2, (last + 1) * D)],
        );
        let days = s.finish(&mut || {});
        assert_eq!(days.len(), MAX_ACTIVITY_DAYS as usize);
        assert_eq!((days[0].dau, days[0].wau, days[0].mau), (0, 0, 1));
        assert_eq!(days[1].mau, 0);
        let end = days.last().unwrap();
        assert_eq!((end.day, end.dau, end.wau, end.mau), (last, 1, 1, 1));
        // The earliest finite dates are accepted (no timestamp reaches them).
        let low = i64::from(i32::MIN) + 1;
        let mut s = series(
            low,
            low + 1,
            &[(1, 0), (1, i64::MIN + 1), (1, i64::MAX - 1)],
        );
        assert_eq!(s.user_count(), 0);
        assert_eq!(s.finish(&mut || {})[0].mau, 0);
    }

    #[test]
    fn slots_stay_compact() {
        let mut s = ActivitySeries::<i64>::new(0, 1000).unwrap();
        for i in 0..100_000 {
            s.push(1, (i % 2) * D);
        }
        assert!(
            s.users[&1].0.capacity() <= 16,
            "{}",
            s.users[&1].0.capacity()
        );
        for i in (0..1000).rev() {
            s.push(2, i * D);
            s.push(2, 999 * D);
        }
        assert!(
            s.users[&2].0.capacity() <= 4 * 1000,
            "{}",
            s.users[&2].0.capacity()
        );
        let days = s.finish(&mut || {});
        assert_eq!(days.iter().map(|d| d.dau).sum::<i64>(), 1000 + 2);
        assert_eq!(*s.users[&2], (29..1029).collect::<Vec<u16>>()[..]);
    }

    #[test]
    fn active_users_merge_rules_and_corrupt_states() {
        let mut a = series(10, 20, &[(1, 12 * D)]);
        let e = a.merge(series(10, 21, &[])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert!(e
            .message
            .contains("2000-01-11 to 2000-01-21 and 2000-01-11 to 2000-01-22"));

        let good = a.encode();
        let n = good.len();
        // 2 + first + last + kind + users + key + days + one day
        assert_eq!(n, 2 + 8 + 8 + 1 + 8 + 8 + 8 + 2);
        let malformed = |b: &[u8]| ActivitySeries::<i64>::decode(b).unwrap_err().kind;
        assert_eq!(
            malformed(&[good.clone(), vec![0]].concat()),
            ErrorKind::Malformed
        );
        assert!(ActivitySeries::<String>::decode(&good).is_err());
        // a day beyond the tracked 11 + 29 days, then the last one tracked
        let mut b = good.clone();
        b[n - 2..].copy_from_slice(&40u16.to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        b[n - 2..].copy_from_slice(&39u16.to_le_bytes());
        assert!(ActivitySeries::<i64>::decode(&b).is_ok());
        // last day before the first
        let mut b = good.clone();
        b[10..18].copy_from_slice(&9i64.to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        // a user without days
        let mut b = good[..n - 10].to_vec();
        b.extend_from_slice(&0u64.to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        // a user twice
        let mut b = good.clone();
        b[19..27].copy_from_slice(&2u64.to_le_bytes());
        b.extend_from_slice(&good[27..]);
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        // days out of order or repeated
        let two = series(10, 20, &[(1, 12 * D), (1, 13 * D)]).encode();
        let m = two.len();
        for (x, y) in [(32u16, 31u16), (31, 31)] {
            let mut b = two.clone();
            b[m - 4..m - 2].copy_from_slice(&x.to_le_bytes());
            b[m - 2..].copy_from_slice(&y.to_le_bytes());
            assert_eq!(malformed(&b), ErrorKind::Malformed);
        }
    }

    #[test]
    fn active_users_check_interrupts() {
        let mut s = ActivitySeries::<i64>::new(0, 100).unwrap();
        (0..5000).for_each(|u| s.push(u, (u % 100) * D));
        let mut calls = 0;
        s.finish(&mut || calls += 1);
        // at the start, every ~1008 users and at the end
        assert_eq!(calls, 1 + 4 + 1);
        let mut a = series(0, 100, &[(1, 0)]);
        let mut calls = 0;
        a.merge_interruptible(s, &mut || calls += 1).unwrap();
        assert_eq!(calls, 1 + 4);
        assert_eq!(a.user_count(), 5000);
    }

    // ---- lifecycle --------------------------------------------------------------------

    #[test]
    fn weekly_lifecycle_by_hand() {
        // Weeks starting Monday 2024-01-01, 01-08, 01-15 and 01-22; the week before starts
        // 2023-12-25.
        let (first, last) = (at(2024, 1, 3, 12), at(2024, 1, 22, 0));
        let rows = [
            // A: first active the week before the range
            (1, at(2024, 1, 16, 9)),
            (1, at(2024, 1, 2, 9)),
            (1, at(2023, 12, 27, 9)),
            // B: active only the week before (Sunday's last µs): dormant in the first week
            (2, at(2024, 1, 1, 0) - 1),
            // C: active long before, then again
            (3, at(2023, 11, 1, 0)),
            (3, at(2024, 1, 9, 0)),
            // D: new on a Sunday night, returning on the Monday
            (4, at(2024, 1, 7, 23)),
            (4, at(2024, 1, 8, 0)),
            // E: active only long before: counts nowhere
            (5, at(2023, 10, 1, 0)),
            // F: new in the last week; its later week is ignored
            (6, at(2024, 1, 29, 0)),
            (6, at(2024, 1, 28, 23)),
            // G: only after the range: not recorded; H: infinite rows
            (7, at(2024, 2, 5, 0)),
            (8, i64::MIN),
            (8, i64::MAX),
        ];
        let mut s = lifecycle(Period::Week, first, last, &rows);
        assert_eq!((s.periods(), s.user_count()), (4, 6));
        assert_eq!(
            counts(&mut s),
            expected(&[
                // new, returning, resurrecting, dormant
                ("2024-01-01", 1, 1, 0, 1),
                ("2024-01-08", 0, 1, 1, 1),
                ("2024-01-15", 0, 0, 1, 2),
                ("2024-01-22", 1, 0, 0, 1),
            ])
        );
        // Text keys agree.
        let mut t = PeriodLifecycle::<String>::new(Period::Week, first, last).unwrap();
        rows.iter()
            .for_each(|&(u, ts)| t.push_str(&format!("ü{u}"), ts));
        assert_eq!(t.finish(&mut || {}), s.finish(&mut || {}));
    }

    #[test]
    fn monthly_and_daily_lifecycle_by_hand() {
        let (first, last) = (at(2024, 2, 15, 0), at(2024, 5, 1, 0) - 1);
        let rows = [
            (1, at(2024, 2, 1, 0) - 1), // Jan 31, last µs
            (1, at(2024, 2, 29, 12)),   // leap day
            (2, at(2024, 2, 1, 0)),
            (2, at(2024, 4, 1, 0)),
            (3, at(2024, 4, 1, 0) - 1), // Mar 31, last µs
            (4, at(2024, 5, 1, 0)),     // after the range
            (5, at(2023, 12, 31, 0)),
            (5, at(2024, 3, 1, 0)),
        ];
        let mut s = lifecycle(Period::Month, first, last, &rows);
        assert_eq!((s.periods(), s.user_count()), (3, 4));
        assert_eq!(
            counts(&mut s),
            expected(&[
                ("2024-02-01", 1, 1, 0, 0),
                ("2024-03-01", 1, 0, 1, 2),
                ("2024-04-01", 0, 0, 1, 2),
            ])
        );
        // Days across the year end: Dec 30 .. Jan 2, first mid-day.
        let rows = [
            (1, at(2023, 12, 29, 5)),
            (1, at(2023, 12, 30, 5)),
            (1, at(2024, 1, 1, 5)),
            (2, at(2023, 12, 31, 23)),
            (2, at(2024, 1, 1, 0)),
            (2, at(2024, 1, 2, 0)),
            (3, at(2024, 1, 2, 0)),
        ];
        let mut s = lifecycle(Period::Day, at(2023, 12, 30, 12), at(2024, 1, 2, 0), &rows);
        assert_eq!(
            counts(&mut s),
            expected(&[
                ("2023-12-30", 0, 1, 0, 0),
                ("2023-12-31", 1, 0, 0, 1),
                ("2024-01-01", 0, 1, 1, 0),
                ("2024-01-02", 1, 1, 0, 1),
            ])
        );
    }

    #[test]
    fn lifecycle_limits_merges_and_corrupt_states() {
        let invalid = |p, a, b| PeriodLifecycle::<i64>::new(p, a, b).unwrap_err().kind;
        assert_eq!(
            invalid(Period::Rolling { days: 7 }, 0, D),
            ErrorKind::InvalidParameter
        );
        assert_eq!(
            invalid(Period::Day, i64::MIN, D),
            ErrorKind::InvalidParameter
        );
        assert_eq!(
            invalid(Period::Day, 0, i64::MAX),
            ErrorKind::InvalidParameter
        );
        assert_eq!(invalid(Period::Day, D, D - 1), ErrorKind::InvalidParameter);
        let most = PeriodLifecycle::<i64>::new(Period::Day, 12 * H, 9_999 * D).unwrap();
        assert_eq!(most.periods(), MAX_LIFECYCLE_PERIODS);
        let e = PeriodLifecycle::<i64>::new(Period::Day, 12 * H, 10_000 * D).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LimitExceeded);
        assert!(
            e.message.contains("10001 periods of a day"),
            "{}",
            e.message
        );
        // 2000-01 .. 2833-04 is 833 * 12 + 4 months.
        let (apr, may) = (at(2833, 4, 10, 0), at(2833, 5, 1, 0));
        let mut s = PeriodLifecycle::<i64>::new(Period::Month, 0, apr).unwrap();
        assert_eq!(s.periods(), MAX_LIFECYCLE_PERIODS);
        assert_eq!(invalid(Period::Month, 0, may), ErrorKind::LimitExceeded);
        s.push(1, apr);
        let c = s.finish(&mut || {});
        assert_eq!(fmt_ts(c[9_999].period_start)[..10], *"2833-04-01");
        assert_eq!((c[9_999].new, c[9_998].new), (1, 0));

        // Weeks from Monday 2000-01-03 to 2000-01-17; the one before starts 1999-12-27.
        let mut a = lifecycle(Period::Week, 2 * D, 16 * D, &[(1, -5 * D), (1, 3 * D)]);
        let e = a
            .merge(lifecycle(Period::Month, 2 * D, 16 * D, &[]))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert!(
            e.message.contains("period week, first 2000-01-03 00:00:00"),
            "{}",
            e.message
        );

        let good = a.encode();
        let n = good.len();
        // 2 + period + first + last + kind + users + key + earliest + count + two periods
        assert_eq!(n, 2 + 1 + 8 + 8 + 1 + 8 + 8 + 8 + 8 + 4);
        assert_eq!(good[n - 4..], [0, 0, 1, 0]); // Dec 27 (week -1) and Jan 4 (week 0)
        let malformed = |b: &[u8]| PeriodLifecycle::<i64>::decode(b).unwrap_err().kind;
        assert_eq!(
            malformed(&[good.clone(), vec![0]].concat()),
            ErrorKind::Malformed
        );
        assert!(PeriodLifecycle::<String>::decode(&good).is_err());
        let mut b = good.clone();
        b[2] = 3;
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        // earliest: infinite, after the range, or not in the first active period
        let earliest = 2 + 1 + 8 + 8 + 1 + 8 + 8;
        for t in [i64::MAX, i64::MIN, 30 * D, 20 * D, 3 * D] {
            let mut b = good.clone();
            b[earliest..earliest + 8].copy_from_slice(&t.to_le_bytes());
            assert_eq!(malformed(&b), ErrorKind::Malformed, "{}", fmt_ts(t));
        }
        // ... but any time in that week, or in an earlier week if that is untracked, is fine
        for t in [-2 * D, -9 * D] {
            let mut b = good.clone();
            b[earliest..earliest + 8].copy_from_slice(&t.to_le_bytes());
            assert!(PeriodLifecycle::<i64>::decode(&b).is_ok(), "{}", fmt_ts(t));
        }
        // periods out of order, repeated or beyond the tracked 1 + 3
        for (x, y) in [(1u16, 0u16), (0, 0), (0, 4)] {
            let mut b = good.clone();
            b[n - 4..n - 2].copy_from_slice(&x.to_le_bytes());
            b[n - 2..].copy_from_slice(&y.to_le_bytes());
            assert_eq!(malformed(&b), ErrorKind::Malformed, "{x} {y}");
        }
        // a user with no tracked period needs an earlier earliest row
        let mut b = good[..earliest].to_vec();
        b.extend_from_slice(&(-9 * D).to_le_bytes());
        b.extend_from_slice(&0u64.to_le_bytes());
        let mut only_before = PeriodLifecycle::<i64>::decode(&b).unwrap();
        let none = lifecycle(Period::Week, 2 * D, 16 * D, &[]).finish(&mut || {});
        assert_eq!(only_before.finish(&mut || {}), none);
        b[earliest..earliest + 8].copy_from_slice(&(-5 * D).to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        // a user twice
        let mut b = good.clone();
        b[20..28].copy_from_slice(&2u64.to_le_bytes());
        b.extend_from_slice(&good[28..]);
        assert_eq!(malformed(&b), ErrorKind::Malformed);
    }

    #[test]
    fn lifecycle_checks_interrupts() {
        let mut s = PeriodLifecycle::<i64>::new(Period::Week, 0, 100 * D).unwrap();
        (0..5000).for_each(|u| s.push(u, (u % 100) * D));
        let mut calls = 0;
        s.finish(&mut || calls += 1);
        assert_eq!(calls, 1 + 4 + 1);
        let mut a = lifecycle(Period::Week, 0, 100 * D, &[(1, 0)]);
        let mut calls = 0;
        a.merge_interruptible(s, &mut || calls += 1).unwrap();
        assert_eq!(calls, 1 + 4);
    }

    // ---- property tests ---------------------------------------------------------------

    type Rows = Vec<(i64, i64)>;

    /// A day range of up to 60 days and rows from 45 days before it to 5 days after it.
    fn arb_activity() -> impl Strategy<Value = (i64, i64, Rows)> {
        (-400i64..400, 0i64..60).prop_flat_map(|(first, len)| {
            let last = first + len;
            let ts = (
                (first - 45)..(last + 6),
                prop_oneof![Just(0i64), 0..D, Just(D - 1)],
            )
                .prop_map(|(d, t)| d * D + t);
            let row = (
                0i64..6,
                prop_oneof![9 => ts, 1 => Just(i64::MIN), 1 => Just(i64::MAX)],
            );
            (Just(first), Just(last), prop::collection::vec(row, 0..80))
        })
    }

    /// Distinct users per window, by scanning every row for every day.
    fn activity_oracle(first: i64, last: i64, rows: &Rows) -> Vec<ActivityDay> {
        (first..=last)
            .map(|day| {
                let users = |from: i64| {
                    rows.iter()
                        .filter(|r| r.1 != i64::MIN && r.1 != i64::MAX)
                        .filter(|r| (from..=day).contains(&r.1.div_euclid(D)))
                        .map(|r| r.0)
                        .collect::<BTreeSet<i64>>()
                        .len() as i64
                };
                let (dau, wau, mau) = (users(day), users(day - 6), users(day - 29));
                ActivityDay {
                    day,
                    dau,
                    wau,
                    mau,
                    stickiness: (mau > 0).then(|| dau as f64 / mau as f64),
                }
            })
            .collect()
    }

    /// Period starts (days since 2000-01-01) from 1999-01 to 2008, built by stepping through
    /// the calendar (month lengths and the leap rule written out).
    fn oracle_bounds(period: Period) -> Vec<i64> {
        let first = -365; // 1999-01-01, a Friday
        let last = 9 * 366;
        match period {
            Period::Week => (first..last)
                .filter(|d| (d - (first + 3)) % 7 == 0)
                .collect(),
            Period::Month => {
                let mut out = vec![];
                let mut day = first;
                for year in 1999..2009 {
                    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
                    let feb = if leap { 29 } else { 28 };
                    for len in [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] {
                        out.push(day);
                        day += len;
                    }
                }
                out
            }
            _ => (first..last).collect(),
        }
    }

    /// A calendar period, `first`/`last` and rows around a centre day in 1999-11 .. 2002-03,
    /// spread over a few days to two years (so some rows fall before and after the range).
    fn arb_lifecycle() -> impl Strategy<Value = (Period, i64, i64, Rows)> {
        (
            prop_oneof![Just(Period::Day), Just(Period::Week), Just(Period::Month)],
            -60i64..800,
            prop_oneof![Just(4i64), Just(25), Just(100), Just(400)],
        )
            .prop_flat_map(|(period, centre, spread)| {
                let ts = move |from: i64, to: i64| {
                    (from..to, prop_oneof![Just(0i64), 0..D, Just(D - 1)])
                        .prop_map(|(d, t)| d * D + t)
                };
                let row = (
                    0i64..8,
                    prop_oneof![
                        9 => ts(centre - spread / 2, centre + 2 * spread),
                        1 => Just(i64::MIN),
                        1 => Just(i64::MAX),
                    ],
                );
                (
                    Just(period),
                    ts(centre, centre + spread),
                    0..spread * D,
                    prop::collection::vec(row, 0..60),
                )
            })
            .prop_map(|(p, first, len, rows)| (p, first, first + len, rows))
    }

    /// The definitions evaluated literally over every user and period.
    fn lifecycle_oracle(period: Period, first: i64, last: i64, rows: &Rows) -> Vec<LifecycleCount> {
        let bounds: Vec<i64> = oracle_bounds(period).iter().map(|b| b * D).collect();
        let which = |ts: i64| bounds.iter().rposition(|&b| b <= ts).unwrap() as i64;
        let mut active: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
        for &(u, ts) in rows.iter().filter(|r| r.1 != i64::MIN && r.1 != i64::MAX) {
            active.entry(u).or_default().insert(which(ts));
        }
        (which(first)..=which(last))
            .map(|p| {
                let mut c = LifecycleCount {
                    period_start: bounds[p as usize],
                    new: 0,
                    returning: 0,
                    resurrecting: 0,
                    dormant: 0,
                };
                for set in active.values() {
                    let first_p = *set.first().unwrap();
                    let (now, before) = (set.contains(&p), set.contains(&(p - 1)));
                    c.new += i64::from(now && first_p == p);
                    c.returning += i64::from(now && before);
                    c.resurrecting += i64::from(now && !before && first_p < p);
                    c.dormant += i64::from(!now && before);
                }
                c
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn active_users_match_the_scan((first, last, rows) in arb_activity()) {
            let got = series(first, last, &rows).finish(&mut || {});
            prop_assert_eq!(got, activity_oracle(first, last, &rows));
        }

        #[test]
        fn active_users_ignore_order_splits_and_bytes(
            (first, last, rows) in arb_activity(),
            split in any::<prop::sample::Index>(),
            seed in any::<u64>(),
        ) {
            let whole = series(first, last, &rows).finish(&mut || {});
            let mut sorted = rows.clone();
            sorted.sort_by_key(|r| (r.1, r.0));
            prop_assert_eq!(&series(first, last, &sorted).finish(&mut || {}), &whole);
            let mut shuffled = rows.clone();
            shuffle(&mut shuffled, seed);
            let (left, right) = shuffled.split_at(split.index(shuffled.len() + 1));
            let (a, b) = (series(first, last, left), series(first, last, right));
            for (x, y) in [(a.clone(), b.clone()), (b.clone(), a.clone())] {
                let mut x = ActivitySeries::<i64>::decode(&x.encode()).unwrap();
                x.merge(ActivitySeries::decode(&y.encode()).unwrap()).unwrap();
                prop_assert_eq!(&x.finish(&mut || {}), &whole);
            }
            let bytes = a.encode();
            for n in 0..bytes.len() {
                let e = ActivitySeries::<i64>::decode(&bytes[..n]).err();
                prop_assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Malformed));
            }
            let mut t = ActivitySeries::<String>::new(first, last).unwrap();
            rows.iter().for_each(|&(u, ts)| t.push_str(&format!("u{u}"), ts));
            let mut t = ActivitySeries::<String>::decode(&t.encode()).unwrap();
            prop_assert_eq!(t.finish(&mut || {}), whole);
        }

        #[test]
        fn lifecycle_matches_the_definitions((period, first, last, rows) in arb_lifecycle()) {
            let got = lifecycle(period, first, last, &rows).finish(&mut || {});
            prop_assert_eq!(&got, &lifecycle_oracle(period, first, last, &rows));
            // Active users of p - 1 are returning or dormant in p.
            for w in got.windows(2) {
                let active = w[0].new + w[0].returning + w[0].resurrecting;
                prop_assert_eq!(active, w[1].returning + w[1].dormant);
            }
        }

        #[test]
        fn lifecycle_ignores_order_splits_and_bytes(
            (period, first, last, rows) in arb_lifecycle(),
            split in any::<prop::sample::Index>(),
            seed in any::<u64>(),
        ) {
            let whole = lifecycle(period, first, last, &rows).finish(&mut || {});
            let mut sorted = rows.clone();
            sorted.sort_by_key(|r| (r.1, r.0));
            prop_assert_eq!(&lifecycle(period, first, last, &sorted).finish(&mut || {}), &whole);
            let mut shuffled = rows.clone();
            shuffle(&mut shuffled, seed);
            let (left, right) = shuffled.split_at(split.index(shuffled.len() + 1));
            let (a, b) = (lifecycle(period, first, last, left), lifecycle(period, first, last, right));
            for (x, y) in [(a.clone(), b.clone()), (b.clone(), a.clone())] {
                let mut x = PeriodLifecycle::<i64>::decode(&x.encode()).unwrap();
                x.merge(PeriodLifecycle::decode(&y.encode()).unwrap()).unwrap();
                prop_assert_eq!(&x.finish(&mut || {}), &whole);
            }
            let bytes = a.encode();
            for n in 0..bytes.len() {
                let e = PeriodLifecycle::<i64>::decode(&bytes[..n]).err();
                prop_assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Malformed));
            }
            let mut t = PeriodLifecycle::<String>::new(period, first, last).unwrap();
            rows.iter().for_each(|&(u, ts)| t.push_str(&format!("u{u}"), ts));
            let mut t = PeriodLifecycle::<String>::decode(&t.encode()).unwrap();
            prop_assert_eq!(t.finish(&mut || {}), whole);
        }

        #[test]
        fn slots_are_the_set_of_pushed_values(
            values in prop::collection::vec(prop_oneof![0u16..20, 0u16..2000], 0..400),
        ) {
            let mut s = Slots::default();
            values.iter().for_each(|&v| s.insert(v));
            let distinct: BTreeSet<u16> = values.iter().copied().collect();
            prop_assert!(s.0.capacity() <= 4 * distinct.len().max(MIN_COMPACT));
            s.normalize();
            prop_assert_eq!(s.0, distinct.into_iter().collect::<Vec<_>>());
        }
    }
}
