//! RFM: per-user recency / frequency / monetary values, population quantile breaks,
//! tie-aware 1..bins scores, and named segments.
//!
//! # Scores
//!
//! With `breaks` = `percentile_cont(k / bins)` for `k = 1 .. bins-1`:
//! `f = 1 + #{b : frequency > b}`, `m` likewise, and recency is reversed,
//! `r = 1 + #{b : recency_days < b}` (more recent = higher). Equal inputs always get equal
//! scores. Comparisons use PostgreSQL's float order (`NaN` above everything).
//!
//! # Classic segments (`rfm_segment(r, f, m, 'classic')`)
//!
//! The widely used R × FM grid, where `FM = round_half_up((F + M) / 2) = (F + M + 1) / 2`
//! (integer division), so `FM` is again a 1..5 score. Every `(r, f, m)` in `1..=5`³ falls in
//! exactly one rule:
//!
//! | Segment            | `zh`              | R     | FM    |
//! |--------------------|-------------------|-------|-------|
//! | Champions          | 冠军客户          | 5     | 4 – 5 |
//! | Loyal              | 忠诚客户          | 3 – 4 | 4 – 5 |
//! | Potential Loyalist | 潜力客户          | 4 – 5 | 2 – 3 |
//! | New                | 新客户            | 5     | 1     |
//! | Promising          | 有前景客户        | 4     | 1     |
//! | Need Attention     | 需要关注客户      | 3     | 3     |
//! | About to Sleep     | 即将沉睡客户      | 3     | 1 – 2 |
//! | At Risk            | 有流失风险客户    | 1 – 2 | 3 – 4 |
//! | Can't Lose Them    | 不能失去客户      | 1 – 2 | 5     |
//! | Hibernating        | 冬眠客户          | 2     | 1 – 2 |
//! | Lost               | 流失客户          | 1     | 1 – 2 |
//!
//! As a grid (rows R, columns FM):
//!
//! | R \ FM | 1               | 2                  | 3                  | 4               | 5               |
//! |--------|-----------------|--------------------|--------------------|-----------------|-----------------|
//! | 5      | New             | Potential Loyalist | Potential Loyalist | Champions       | Champions       |
//! | 4      | Promising       | Potential Loyalist | Potential Loyalist | Loyal           | Loyal           |
//! | 3      | About to Sleep  | About to Sleep     | Need Attention     | Loyal           | Loyal           |
//! | 2      | Hibernating     | Hibernating        | At Risk            | At Risk         | Can't Lose Them |
//! | 1      | Lost            | Lost               | At Risk            | At Risk         | Can't Lose Them |
//!
//! # Value classes (`rfm_segment(r, f, m, 'value8')`)
//!
//! Each dimension is high when its score is above the middle of `1..=bins`
//! (`score * 2 > bins + 1`: `score > 3` for 5 bins, `score = 2` for 2 bins, `score > 5`
//! for 10 bins; see [`segment_binned`]):
//!
//! | R    | F    | M    | `en`               | `zh`         |
//! |------|------|------|--------------------|--------------|
//! | high | high | high | important value    | 重要价值客户 |
//! | low  | high | high | important retain   | 重要保持客户 |
//! | high | low  | high | important develop  | 重要发展客户 |
//! | low  | low  | high | important win-back | 重要挽留客户 |
//! | high | high | low  | general value      | 一般价值客户 |
//! | low  | high | low  | general retain     | 一般保持客户 |
//! | high | low  | low  | general develop    | 一般发展客户 |
//! | low  | low  | low  | general win-back   | 一般挽留客户 |
//!
//! # Above / below the mean (`rfm_means`)
//!
//! A common alternative to quantile bins: [`RfmMeansState`] gives 2-bin breaks holding the
//! mean of each metric, so with [`RfmBreaks::cell`] a user is high (score 2) when frequency
//! or monetary is strictly above the mean, or recency days strictly below the mean, and the
//! cell's segment is the `value8` class.
//!
//! # Frequency as distinct active days
//!
//! [`DistinctDays`] counts the distinct days (e.g. `date` values as day numbers) of a user's
//! transactions, for a frequency that does not reward many orders on one day.

use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::intent::ExactSum;
use crate::quantile::{pg_float_cmp, QuantileState};
use crate::state::PartialState;
use crate::time;
use std::cmp::Ordering;

// ---------------------------------------------------------------------------------------
// Per-user accumulation (`rfm_agg`)
// ---------------------------------------------------------------------------------------

/// Per-user state of `rfm_agg` (monetary is summed by the caller as `numeric`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RfmAcc {
    pub as_of: i64,
    pub frequency: i64,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

const ACC_TAG: u8 = b'R';
const BREAKS_TAG: u8 = b'B';
const VERSION: u8 = 1;

impl RfmAcc {
    /// `as_of` must be finite.
    pub fn new(as_of: i64) -> OpsResult<RfmAcc> {
        time::check_finite_as_of(as_of)?;
        Ok(RfmAcc {
            as_of,
            frequency: 0,
            first: None,
            last: None,
        })
    }

    /// Counts a transaction at `ts`; returns `false` (and ignores it) when `ts > as_of`, in
    /// which case the caller must not add its amount either.
    pub fn push(&mut self, ts: i64) -> bool {
        if ts > self.as_of {
            return false;
        }
        self.frequency = self.frequency.saturating_add(1);
        self.first = Some(self.first.map_or(ts, |f| f.min(ts)));
        self.last = Some(self.last.map_or(ts, |l| l.max(ts)));
        true
    }

    /// Errors unless `as_of` is the same for both (it must be the same for every row of a
    /// group, or the result would depend on row order and on the parallel plan).
    pub fn check_as_of(&self, as_of: i64) -> OpsResult<()> {
        if as_of == self.as_of {
            Ok(())
        } else {
            Err(OpsError::invalid(format!(
                "rfm_agg: as_of must be the same for every row of a group, got {} and {}",
                time::fmt_ts(self.as_of),
                time::fmt_ts(as_of)
            )))
        }
    }

    /// Whole days (floor) from the last transaction to `as_of`; `None` without transactions,
    /// `+inf` when the last transaction is at `-infinity`.
    pub fn recency_days(&self) -> Option<f64> {
        self.last.map(|l| {
            if l == time::NEG_INFINITY {
                f64::INFINITY
            } else {
                time::whole_days_between(l, self.as_of) as f64
            }
        })
    }
}

impl PartialState for RfmAcc {
    /// Combines two partial states; errors when they have different `as_of`.
    fn merge(&mut self, other: RfmAcc) -> OpsResult<()> {
        self.check_as_of(other.as_of)?;
        self.frequency = self.frequency.saturating_add(other.frequency);
        self.first = min_opt(self.first, other.first);
        self.last = match (self.last, other.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        Ok(())
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(ACC_TAG, VERSION);
        w.i64(self.as_of).i64(self.frequency);
        for v in [self.first, self.last] {
            match v {
                Some(t) => w.u8(1).i64(t),
                None => w.u8(0),
            };
        }
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, ACC_TAG, VERSION)?;
        let as_of = r.i64()?;
        let frequency = r.i64()?;
        let mut opt = || -> OpsResult<Option<i64>> {
            match r.u8()? {
                0 => Ok(None),
                1 => Ok(Some(r.i64()?)),
                t => Err(OpsError::malformed(format!(
                    "rfm state has bad option flag {t}"
                ))),
            }
        };
        let first = opt()?;
        let last = opt()?;
        r.finish()?;
        let consistent = match (first, last) {
            (None, None) => frequency == 0,
            (Some(f), Some(l)) => frequency > 0 && f <= l && l <= as_of,
            _ => false,
        };
        if time::is_infinite(as_of) || !consistent {
            return Err(OpsError::malformed("rfm state is inconsistent"));
        }
        Ok(RfmAcc {
            as_of,
            frequency,
            first,
            last,
        })
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

// ---------------------------------------------------------------------------------------
// Population breaks (`rfm_breaks`)
// ---------------------------------------------------------------------------------------

/// Most bins `rfm_breaks` accepts.
pub const MAX_BINS: i32 = 100;

fn check_bins(bins: i32) -> OpsResult<()> {
    if bins < 2 {
        return Err(OpsError::invalid(format!(
            "bins must be at least 2, got {bins}"
        )));
    }
    if bins > MAX_BINS {
        return Err(OpsError::limit(format!(
            "bins must be at most {MAX_BINS}, got {bins}"
        )));
    }
    Ok(())
}

/// The `rfm_breaks` composite: `percentile_cont(k / bins)`, `k = 1 .. bins-1`, per metric.
/// A metric that had no non-NULL value in the group gets an empty array.
#[derive(Debug, Clone, PartialEq)]
pub struct RfmBreaks {
    pub bins: i32,
    pub recency: Vec<f64>,
    pub frequency: Vec<f64>,
    pub monetary: Vec<f64>,
}

/// Aggregate state of `rfm_breaks`: one exact quantile state per metric.
#[derive(Debug, Clone, PartialEq)]
pub struct RfmBreaksState {
    pub bins: i32,
    recency: QuantileState,
    frequency: QuantileState,
    monetary: QuantileState,
}

impl RfmBreaksState {
    /// `bins` in `2..=100` (`< 2` is `22023`, `> 100` is `54000`).
    pub fn new(bins: i32) -> OpsResult<Self> {
        check_bins(bins)?;
        let probs: Vec<Option<f64>> = (1..bins).map(|k| Some(k as f64 / bins as f64)).collect();
        let q = QuantileState::new(probs)?;
        Ok(RfmBreaksState {
            bins,
            recency: q.clone(),
            frequency: q.clone(),
            monetary: q,
        })
    }

    /// Adds one user's values; each `None` is skipped independently.
    pub fn push(&mut self, r: Option<f64>, f: Option<f64>, m: Option<f64>) {
        if let Some(v) = r {
            self.recency.push(v);
        }
        if let Some(v) = f {
            self.frequency.push(v);
        }
        if let Some(v) = m {
            self.monetary.push(v);
        }
    }

    /// Errors unless `bins` is this state's (it must be the same for every row of a group,
    /// or the result would depend on row order and on the parallel plan).
    pub fn check_bins_same(&self, bins: i32) -> OpsResult<()> {
        if bins == self.bins {
            Ok(())
        } else {
            Err(OpsError::invalid(format!(
                "rfm_breaks: bins must be the same for every row of a group, got {} and {bins}",
                self.bins
            )))
        }
    }

    /// The breaks; `None` (SQL NULL) when no metric received any value.
    pub fn finish(&mut self) -> Option<RfmBreaks> {
        let flat = |q: &mut QuantileState| -> Vec<f64> {
            q.finish()
                .map(|v| v.into_iter().flatten().collect())
                .unwrap_or_default()
        };
        let recency = flat(&mut self.recency);
        let frequency = flat(&mut self.frequency);
        let monetary = flat(&mut self.monetary);
        if recency.is_empty() && frequency.is_empty() && monetary.is_empty() {
            return None;
        }
        Some(RfmBreaks {
            bins: self.bins,
            recency,
            frequency,
            monetary,
        })
    }
}

impl PartialState for RfmBreaksState {
    /// A parallel leader's own part is handed over as it is (a state of every row).
    fn hand_over_in_process(&self) -> bool {
        true
    }
    /// Combines two partial states; errors when they have different `bins`.
    fn merge(&mut self, other: RfmBreaksState) -> OpsResult<()> {
        self.check_bins_same(other.bins)?;
        self.recency.merge(other.recency)?;
        self.frequency.merge(other.frequency)?;
        self.monetary.merge(other.monetary)
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(BREAKS_TAG, VERSION);
        w.u32(self.bins as u32);
        for q in [&self.recency, &self.frequency, &self.monetary] {
            w.bytes(&q.encode());
        }
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, BREAKS_TAG, VERSION)?;
        let bins = r.u32()?;
        let bins = i32::try_from(bins)
            .ok()
            .filter(|b| check_bins(*b).is_ok())
            .ok_or_else(|| OpsError::malformed(format!("rfm_breaks state has bad bins {bins}")))?;
        let mut qs = Vec::with_capacity(3);
        for _ in 0..3 {
            let q = QuantileState::decode(r.bytes()?)?;
            if q.probs.len() != (bins - 1) as usize {
                return Err(OpsError::malformed(
                    "rfm_breaks state has the wrong number of probabilities",
                ));
            }
            qs.push(q);
        }
        r.finish()?;
        let monetary = qs.pop().unwrap();
        let frequency = qs.pop().unwrap();
        let recency = qs.pop().unwrap();
        Ok(RfmBreaksState {
            bins,
            recency,
            frequency,
            monetary,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Scores and cells (`rfm_cell`)
// ---------------------------------------------------------------------------------------

/// `1 + #{b : value > b}` (frequency, monetary).
pub fn score_higher(value: f64, breaks: &[f64]) -> i32 {
    1 + breaks
        .iter()
        .filter(|b| pg_float_cmp(&value, b) == Ordering::Greater)
        .count() as i32
}

/// `1 + #{b : value < b}` (recency: fewer days since the last purchase = higher score).
pub fn score_lower(value: f64, breaks: &[f64]) -> i32 {
    1 + breaks
        .iter()
        .filter(|b| pg_float_cmp(&value, b) == Ordering::Less)
        .count() as i32
}

/// The `rfm_cell` composite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RfmCell {
    pub r: Option<i32>,
    pub f: Option<i32>,
    pub m: Option<i32>,
    /// `"R5F4M3"`; `None` unless all three scores exist.
    pub cell: Option<String>,
    /// English segment when all three scores exist: the classic segment for `bins == 5`,
    /// the `value8` class for `bins == 2` (high = score 2, e.g. above the mean with
    /// [`RfmMeansState`] breaks); `None` for any other `bins`.
    pub segment: Option<String>,
}

impl RfmBreaks {
    /// Checks `bins` and that each array is either empty (metric had no values: its score is
    /// NULL) or holds `bins - 1` non-decreasing breaks.
    pub fn validate(&self) -> OpsResult<()> {
        check_bins(self.bins)?;
        let want = (self.bins - 1) as usize;
        for (name, arr) in [
            ("recency", &self.recency),
            ("frequency", &self.frequency),
            ("monetary", &self.monetary),
        ] {
            if !arr.is_empty() && arr.len() != want {
                return Err(OpsError::invalid(format!(
                    "rfm_breaks.{name} must have bins - 1 = {want} elements, got {}",
                    arr.len()
                )));
            }
            if arr
                .windows(2)
                .any(|w| pg_float_cmp(&w[0], &w[1]) == Ordering::Greater)
            {
                return Err(OpsError::invalid(format!(
                    "rfm_breaks.{name} must be sorted non-decreasing"
                )));
            }
        }
        Ok(())
    }
}

/// `rfm_cell(recency_days, frequency, monetary, breaks)`. A NULL value, or a metric whose
/// breaks array is empty, gives a NULL score.
pub fn rfm_cell(
    r: Option<f64>,
    f: Option<f64>,
    m: Option<f64>,
    breaks: &RfmBreaks,
) -> OpsResult<RfmCell> {
    breaks.validate()?;
    Ok(breaks.cell(r, f, m))
}

impl RfmBreaks {
    /// [`rfm_cell`] for breaks already checked with [`RfmBreaks::validate`] (callers that
    /// score many users against the same breaks validate once).
    pub fn cell(&self, r: Option<f64>, f: Option<f64>, m: Option<f64>) -> RfmCell {
        let score = |v: Option<f64>, b: &[f64], lower: bool| -> Option<i32> {
            let v = v?;
            if b.is_empty() {
                None
            } else if lower {
                Some(score_lower(v, b))
            } else {
                Some(score_higher(v, b))
            }
        };
        let rs = score(r, &self.recency, true);
        let fs = score(f, &self.frequency, false);
        let ms = score(m, &self.monetary, false);
        let (cell, segment) = match (rs, fs, ms) {
            (Some(r), Some(f), Some(m)) => {
                let seg = match self.bins {
                    5 => Some(classic_segment(r, f, m).en.to_string()),
                    2 => Some(value8_segment(r, f, m, 2).en.to_string()),
                    _ => None,
                };
                (Some(format!("R{r}F{f}M{m}")), seg)
            }
            _ => (None, None),
        };
        RfmCell {
            r: rs,
            f: fs,
            m: ms,
            cell,
            segment,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Segments (`rfm_segment`)
// ---------------------------------------------------------------------------------------

/// A named segment in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentName {
    pub en: &'static str,
    pub zh: &'static str,
}

/// One rule of the classic scheme: inclusive ranges of R and of `FM = (F + M + 1) / 2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassicRule {
    pub name: SegmentName,
    pub r: (i32, i32),
    pub fm: (i32, i32),
}

const fn rule(en: &'static str, zh: &'static str, r: (i32, i32), fm: (i32, i32)) -> ClassicRule {
    ClassicRule {
        name: SegmentName { en, zh },
        r,
        fm,
    }
}

/// The classic scheme as data (see the module documentation for the grid).
pub const CLASSIC_RULES: [ClassicRule; 11] = [
    rule("Champions", "冠军客户", (5, 5), (4, 5)),
    rule("Loyal", "忠诚客户", (3, 4), (4, 5)),
    rule("Potential Loyalist", "潜力客户", (4, 5), (2, 3)),
    rule("New", "新客户", (5, 5), (1, 1)),
    rule("Promising", "有前景客户", (4, 4), (1, 1)),
    rule("Need Attention", "需要关注客户", (3, 3), (3, 3)),
    rule("About to Sleep", "即将沉睡客户", (3, 3), (1, 2)),
    rule("At Risk", "有流失风险客户", (1, 2), (3, 4)),
    rule("Can't Lose Them", "不能失去客户", (1, 2), (5, 5)),
    rule("Hibernating", "冬眠客户", (2, 2), (1, 2)),
    rule("Lost", "流失客户", (1, 1), (1, 2)),
];

/// The value-class names indexed by `(r_high, f_high, m_high)` as bits `4·r + 2·f + m`.
const VALUE8: [SegmentName; 8] = [
    SegmentName {
        en: "general win-back",
        zh: "一般挽留客户",
    }, // r low,  f low,  m low
    SegmentName {
        en: "important win-back",
        zh: "重要挽留客户",
    }, // r low,  f low,  m high
    SegmentName {
        en: "general retain",
        zh: "一般保持客户",
    }, // r low,  f high, m low
    SegmentName {
        en: "important retain",
        zh: "重要保持客户",
    }, // r low,  f high, m high
    SegmentName {
        en: "general develop",
        zh: "一般发展客户",
    }, // r high, f low,  m low
    SegmentName {
        en: "important develop",
        zh: "重要发展客户",
    }, // r high, f low,  m high
    SegmentName {
        en: "general value",
        zh: "一般价值客户",
    }, // r high, f high, m low
    SegmentName {
        en: "important value",
        zh: "重要价值客户",
    }, // r high, f high, m high
];

/// Known `scheme` values of `rfm_segment`.
pub const SCHEMES: &[&str] = &["classic", "value8"];
/// Known `lang` values of `rfm_segment`.
pub const LANGS: &[&str] = &["en", "zh"];

/// The classic rule for scores already checked to be in `1..=5`.
fn classic_segment(r: i32, f: i32, m: i32) -> SegmentName {
    let fm = (f + m + 1) / 2;
    CLASSIC_RULES
        .iter()
        .find(|x| (x.r.0..=x.r.1).contains(&r) && (x.fm.0..=x.fm.1).contains(&fm))
        .map(|x| x.name)
        .expect("classic rules cover every score in 1..=5")
}

/// The value class for scores already checked to be in `1..=bins`: a dimension is high
/// when its score is above the middle of `1..=bins`, `score * 2 > bins + 1`.
fn value8_segment(r: i32, f: i32, m: i32, bins: i32) -> SegmentName {
    let bit = |s: i32| usize::from(s * 2 > bins + 1);
    VALUE8[4 * bit(r) + 2 * bit(f) + bit(m)]
}

fn quoted(list: &[&str]) -> String {
    list.iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `rfm_segment(r, f, m, scheme, lang)`: scores must be in `1..=5`; the same as
/// [`segment_binned`] with `bins = 5`.
pub fn segment(r: i32, f: i32, m: i32, scheme: &str, lang: &str) -> OpsResult<String> {
    segment_binned(r, f, m, 5, scheme, lang)
}

/// `rfm_segment(r, f, m, bins, scheme, lang)`: scores from `bins` bins.
///
/// * `'value8'`: each dimension is high when its score is above the middle of `1..=bins`,
///   i.e. `score * 2 > bins + 1` (5 bins: `score > 3`; 2 bins: `score = 2`; 4 bins:
///   `score > 2`), then the 8 value classes of the module documentation.
/// * `'classic'`: needs `bins = 5` (the grid is defined on 1..5 scores).
///
/// Errors (`invalid`): `bins` outside `2..=100`, a score outside `1..=bins` (naming it),
/// unknown scheme, `'classic'` with `bins != 5`, unknown lang.
pub fn segment_binned(
    r: i32,
    f: i32,
    m: i32,
    bins: i32,
    scheme: &str,
    lang: &str,
) -> OpsResult<String> {
    if !(2..=MAX_BINS).contains(&bins) {
        return Err(OpsError::invalid(format!(
            "rfm_segment bins must be between 2 and {MAX_BINS}, got {bins}"
        )));
    }
    for (name, v) in [("r", r), ("f", f), ("m", m)] {
        if !(1..=bins).contains(&v) {
            return Err(OpsError::invalid(format!(
                "rfm_segment score {name} must be between 1 and {bins}, got {v}"
            )));
        }
    }
    let seg = match scheme {
        "classic" if bins == 5 => classic_segment(r, f, m),
        "classic" => {
            return Err(OpsError::invalid(format!(
                "rfm_segment scheme 'classic' needs bins = 5, got {bins}"
            )))
        }
        "value8" => value8_segment(r, f, m, bins),
        _ => {
            return Err(OpsError::invalid(format!(
                "unknown rfm_segment scheme '{}', known schemes: {}",
                crate::error::truncate(scheme, 60),
                quoted(SCHEMES)
            )))
        }
    };
    match lang {
        "en" => Ok(seg.en.to_string()),
        "zh" => Ok(seg.zh.to_string()),
        _ => Err(OpsError::invalid(format!(
            "unknown rfm_segment lang '{}', known: {}",
            crate::error::truncate(lang, 60),
            quoted(LANGS)
        ))),
    }
}

// ---------------------------------------------------------------------------------------
// Means as 2-bin breaks (`rfm_means`)
// ---------------------------------------------------------------------------------------

const MEANS_TAG: u8 = b'E';
const DAYS_TAG: u8 = b'D';

/// Exact running mean of one metric.
#[derive(Debug, Clone, Default, PartialEq)]
struct Mean {
    count: i64,
    sum: ExactSum,
}

impl Mean {
    fn push(&mut self, v: Option<f64>, name: &str) -> OpsResult<()> {
        let Some(v) = v else { return Ok(()) };
        if !v.is_finite() {
            return Err(OpsError::invalid(format!(
                "rfm_means: {name} must be finite, got {v}"
            )));
        }
        self.count = self.count.saturating_add(1);
        self.sum.add(v);
        Ok(())
    }

    fn merge(&mut self, other: &Mean) {
        self.count = self.count.saturating_add(other.count);
        self.sum.merge(&other.sum);
    }

    /// `[mean]`, or `[]` without values.
    fn breaks(&self) -> Vec<f64> {
        if self.count == 0 {
            Vec::new()
        } else {
            vec![self.sum.value() / self.count as f64]
        }
    }
}

/// Aggregate state of `rfm_means`: one row per user (`recency_days`, `frequency`,
/// `monetary`), giving 2-bin [`RfmBreaks`] that hold each metric's mean.
///
/// Each mean is the exact sum of the metric's non-NULL values ([`ExactSum`], rounded once)
/// divided by their count, so it does not depend on row order or on the parallel plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RfmMeansState {
    recency: Mean,
    frequency: Mean,
    monetary: Mean,
}

impl RfmMeansState {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one user's values; each `None` is skipped independently. A NaN or infinite value
    /// is an error naming the metric and the value.
    pub fn push(&mut self, r: Option<f64>, f: Option<f64>, m: Option<f64>) -> OpsResult<()> {
        self.recency.push(r, "recency_days")?;
        self.frequency.push(f, "frequency")?;
        self.monetary.push(m, "monetary")
    }

    /// `RfmBreaks { bins: 2, recency: [mean], frequency: [mean], monetary: [mean] }`, a metric
    /// without values getting `[]`; `None` (SQL NULL) when no metric received any value.
    ///
    /// With these breaks [`RfmBreaks::cell`] scores 2 (high) when frequency or monetary is
    /// strictly above its mean, or recency days strictly below the mean recency; 1 otherwise
    /// (equal to the mean is low). The cell's segment is then the `value8` class.
    pub fn finish(&self) -> Option<RfmBreaks> {
        let recency = self.recency.breaks();
        let frequency = self.frequency.breaks();
        let monetary = self.monetary.breaks();
        if recency.is_empty() && frequency.is_empty() && monetary.is_empty() {
            return None;
        }
        Some(RfmBreaks {
            bins: 2,
            recency,
            frequency,
            monetary,
        })
    }
}

impl PartialState for RfmMeansState {
    fn merge(&mut self, other: RfmMeansState) -> OpsResult<()> {
        self.recency.merge(&other.recency);
        self.frequency.merge(&other.frequency);
        self.monetary.merge(&other.monetary);
        Ok(())
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(MEANS_TAG, VERSION);
        for m in [&self.recency, &self.frequency, &self.monetary] {
            w.i64(m.count);
            m.sum.write(&mut w);
        }
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, MEANS_TAG, VERSION)?;
        let mut read = || -> OpsResult<Mean> {
            let count = r.i64()?;
            let sum = ExactSum::read(&mut r)?;
            if count < 0 || (count == 0 && sum != ExactSum::new()) {
                return Err(OpsError::malformed("rfm_means state is inconsistent"));
            }
            Ok(Mean { count, sum })
        };
        let recency = read()?;
        let frequency = read()?;
        let monetary = read()?;
        r.finish()?;
        Ok(RfmMeansState {
            recency,
            frequency,
            monetary,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Distinct days (frequency as active days)
// ---------------------------------------------------------------------------------------

/// Smallest number of values [`DistinctDays`] lets accumulate before compacting.
const DAYS_COMPACT_MIN: usize = 32;

/// The number of distinct days (`i32` day numbers, e.g. PostgreSQL `date`s) among the
/// values pushed.
///
/// Days are appended to a vector that is sorted and deduplicated whenever it has grown to
/// twice its size after the last compaction (and at [`DistinctDays::count`] and encode), so
/// memory stays proportional to the number of distinct days (at most about twice it, plus a
/// small constant) and a push is amortised `O(log n)`.
#[derive(Debug, Clone, Default)]
pub struct DistinctDays {
    days: Vec<i32>,
    /// Length of the sorted, deduplicated prefix of `days`.
    sorted: usize,
}

impl PartialEq for DistinctDays {
    /// The same set of days.
    fn eq(&self, other: &Self) -> bool {
        self.normalized() == other.normalized()
    }
}

impl DistinctDays {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one day.
    pub fn push(&mut self, day: i32) {
        self.days.push(day);
        self.maybe_compact();
    }

    /// The number of distinct days pushed (or merged in).
    pub fn count(&mut self) -> i64 {
        self.compact();
        self.days.len() as i64
    }

    fn maybe_compact(&mut self) {
        if self.days.len() >= (2 * self.sorted).max(DAYS_COMPACT_MIN) {
            self.compact();
        }
    }

    fn compact(&mut self) {
        if self.sorted != self.days.len() {
            self.days.sort_unstable();
            self.days.dedup();
            self.sorted = self.days.len();
        }
    }

    /// The distinct days, ascending, without changing `self`.
    fn normalized(&self) -> std::borrow::Cow<'_, [i32]> {
        if self.sorted == self.days.len() {
            std::borrow::Cow::Borrowed(&self.days)
        } else {
            let mut v = self.days.clone();
            v.sort_unstable();
            v.dedup();
            std::borrow::Cow::Owned(v)
        }
    }
}

impl PartialState for DistinctDays {
    /// The union of both sets of days.
    fn merge(&mut self, mut other: DistinctDays) -> OpsResult<()> {
        if self.days.len() < other.days.len() {
            std::mem::swap(self, &mut other);
        }
        self.days.extend_from_slice(&other.days);
        self.maybe_compact();
        Ok(())
    }

    fn encode(&self) -> Vec<u8> {
        let days = self.normalized();
        let mut w = Writer::new(DAYS_TAG, VERSION);
        w.len(days.len());
        for d in days.iter() {
            w.i32(*d);
        }
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, DAYS_TAG, VERSION)?;
        let n = r.len(4)?;
        let days = (0..n).map(|_| r.i32()).collect::<OpsResult<Vec<i32>>>()?;
        r.finish()?;
        if days.windows(2).any(|w| w[0] >= w[1]) {
            return Err(OpsError::malformed(
                "distinct days state is not strictly increasing",
            ));
        }
        Ok(DistinctDays {
            sorted: days.len(),
            days,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::time::USECS_PER_DAY;
    use proptest::prelude::*;
    use std::collections::{HashMap, HashSet};

    const DAY: i64 = USECS_PER_DAY;

    #[test]
    fn cell_method_equals_rfm_cell() {
        let b = RfmBreaks {
            bins: 5,
            recency: vec![5.0, 10.0, 20.0, 40.0],
            frequency: vec![1.0, 1.0, 2.0, 3.0],
            monetary: vec![],
        };
        for (r, f, m) in [
            (Some(3.0), Some(1.0), Some(9.0)),
            (None, Some(4.0), None),
            (Some(40.0), Some(2.0), None),
        ] {
            assert_eq!(rfm_cell(r, f, m, &b).unwrap(), b.cell(r, f, m));
        }
        let c = b.cell(Some(10.0), Some(2.0), Some(1.0));
        assert_eq!((c.r, c.f, c.m, c.cell), (Some(3), Some(3), None, None));
    }

    fn all_scores() -> impl Iterator<Item = (i32, i32, i32)> {
        (1..=5).flat_map(|r| (1..=5).flat_map(move |f| (1..=5).map(move |m| (r, f, m))))
    }

    #[test]
    fn classic_rules_partition_all_125() {
        let mut seen = HashSet::new();
        for (r, f, m) in all_scores() {
            let fm = (f + m + 1) / 2;
            let hits: Vec<_> = CLASSIC_RULES
                .iter()
                .filter(|x| (x.r.0..=x.r.1).contains(&r) && (x.fm.0..=x.fm.1).contains(&fm))
                .collect();
            assert_eq!(hits.len(), 1, "({r},{f},{m})");
            seen.insert(hits[0].name.en);
            assert_eq!(segment(r, f, m, "classic", "en").unwrap(), hits[0].name.en);
            assert_eq!(segment(r, f, m, "classic", "zh").unwrap(), hits[0].name.zh);
        }
        assert_eq!(seen.len(), 11);
        assert_eq!(segment(5, 5, 5, "classic", "en").unwrap(), "Champions");
        assert_eq!(segment(1, 1, 1, "classic", "en").unwrap(), "Lost");
        assert_eq!(segment(1, 5, 4, "classic", "zh").unwrap(), "不能失去客户");
        assert_eq!(segment(5, 1, 1, "classic", "en").unwrap(), "New");
        assert_eq!(
            segment(5, 2, 1, "classic", "en").unwrap(),
            "Potential Loyalist"
        ); // FM = 2
        assert_eq!(segment(3, 3, 2, "classic", "en").unwrap(), "Need Attention");
        // FM = 3
    }

    #[test]
    fn value8_eight_classes() {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for (r, f, m) in all_scores() {
            *counts
                .entry(segment(r, f, m, "value8", "en").unwrap())
                .or_default() += 1;
            segment(r, f, m, "value8", "zh").unwrap();
        }
        assert_eq!(counts.len(), 8);
        assert_eq!(counts["important value"], 8); // 2 × 2 × 2 high combinations
        assert_eq!(counts["general win-back"], 27); // 3 × 3 × 3 low combinations
        assert_eq!(segment(4, 4, 4, "value8", "zh").unwrap(), "重要价值客户");
        assert_eq!(
            segment(3, 5, 5, "value8", "en").unwrap(),
            "important retain"
        );
        assert_eq!(
            segment(5, 1, 4, "value8", "en").unwrap(),
            "important develop"
        );
        assert_eq!(segment(1, 1, 5, "value8", "zh").unwrap(), "重要挽留客户");
        assert_eq!(segment(5, 5, 3, "value8", "en").unwrap(), "general value");
        assert_eq!(segment(1, 5, 1, "value8", "zh").unwrap(), "一般保持客户");
        assert_eq!(segment(4, 2, 2, "value8", "zh").unwrap(), "一般发展客户");
    }

    #[test]
    fn segment_errors() {
        let e = segment(0, 3, 3, "classic", "en").unwrap_err();
        assert!(
            e.message.contains("r") && e.message.contains("got 0"),
            "{}",
            e.message
        );
        assert!(segment(3, 6, 3, "classic", "en")
            .unwrap_err()
            .message
            .contains("f must"));
        assert!(segment(3, 3, -1, "classic", "en")
            .unwrap_err()
            .message
            .contains("m must"));
        let e = segment(3, 3, 3, "nope", "en").unwrap_err();
        assert!(e.message.contains("'classic', 'value8'") && e.kind == ErrorKind::InvalidParameter);
        assert!(segment(3, 3, 3, "classic", "fr")
            .unwrap_err()
            .message
            .contains("'en', 'zh'"));
    }

    fn breaks5() -> RfmBreaks {
        RfmBreaks {
            bins: 5,
            recency: vec![10.0, 30.0, 60.0, 120.0],
            frequency: vec![1.0, 2.0, 2.0, 5.0],
            monetary: vec![100.0, 200.0, 400.0, 800.0],
        }
    }

    #[test]
    fn cells_hand_worked_with_ties() {
        let b = breaks5();
        // recency 5 < all 4 breaks → 5; frequency 6 > all → 5; monetary 900 > all → 5
        let c = rfm_cell(Some(5.0), Some(6.0), Some(900.0), &b).unwrap();
        assert_eq!((c.r, c.f, c.m), (Some(5), Some(5), Some(5)));
        assert_eq!(
            (c.cell.as_deref(), c.segment.as_deref()),
            (Some("R5F5M5"), Some("Champions"))
        );
        // ties: recency 30 is not < 30 → < 60, 120 only → 3; frequency 2 > 1 only → 2
        // (both breaks equal to 2 are ties); monetary 100 > nothing → 1
        let c = rfm_cell(Some(30.0), Some(2.0), Some(100.0), &b).unwrap();
        assert_eq!((c.r, c.f, c.m), (Some(3), Some(2), Some(1)));
        assert_eq!(c.cell.as_deref(), Some("R3F2M1"));
        assert_eq!(c.segment.as_deref(), Some("About to Sleep")); // FM = (2 + 1 + 1) / 2 = 2
                                                                  // recency 200 > every break → 1; frequency 3 > 1, 2, 2 → 4
        let c = rfm_cell(Some(200.0), Some(3.0), None, &b).unwrap();
        assert_eq!(
            (c.r, c.f, c.m, c.cell, c.segment),
            (Some(1), Some(4), None, None, None)
        );
        // bins != 5: cell but no segment
        let b3 = RfmBreaks {
            bins: 3,
            recency: vec![7.0, 30.0],
            frequency: vec![1.0, 3.0],
            monetary: vec![],
        };
        let c = rfm_cell(Some(7.0), Some(3.0), Some(5.0), &b3).unwrap();
        assert_eq!((c.r, c.f, c.m), (Some(2), Some(2), None)); // empty monetary breaks → NULL
        let c = rfm_cell(
            Some(1.0),
            Some(9.0),
            Some(1.0),
            &RfmBreaks {
                monetary: vec![2.0, 2.0],
                ..b3
            },
        )
        .unwrap();
        assert_eq!((c.cell.as_deref(), c.segment), (Some("R3F3M1"), None));
        assert_eq!(score_higher(f64::NAN, &[1.0, 2.0]), 3);
        assert_eq!(score_lower(f64::NAN, &[1.0, 2.0]), 1);
    }

    #[test]
    fn cell_errors() {
        let mut b = breaks5();
        b.frequency = vec![1.0, 2.0];
        assert!(rfm_cell(Some(1.0), Some(1.0), Some(1.0), &b)
            .unwrap_err()
            .message
            .contains("frequency"));
        let mut b = breaks5();
        b.monetary = vec![1.0, 3.0, 2.0, 4.0];
        assert!(rfm_cell(Some(1.0), Some(1.0), Some(1.0), &b)
            .unwrap_err()
            .message
            .contains("monetary"));
        let mut b = breaks5();
        b.bins = 1;
        assert_eq!(
            rfm_cell(None, None, None, &b).unwrap_err().kind,
            ErrorKind::InvalidParameter
        );
        b.bins = 101;
        assert_eq!(
            rfm_cell(None, None, None, &b).unwrap_err().kind,
            ErrorKind::LimitExceeded
        );
    }

    #[test]
    fn breaks_state() {
        assert_eq!(
            RfmBreaksState::new(1).unwrap_err().kind,
            ErrorKind::InvalidParameter
        );
        let e = RfmBreaksState::new(101).unwrap_err();
        assert!(e.kind == ErrorKind::LimitExceeded && e.message.contains("bins"));
        let mut s = RfmBreaksState::new(5).unwrap();
        assert_eq!(s.finish(), None);
        s.push(None, None, None);
        assert_eq!(s.finish(), None);
        for v in 1..=6 {
            s.push(Some(v as f64), if v > 3 { None } else { Some(1.0) }, None);
        }
        let b = s.finish().unwrap();
        // recency 1..6: positions k/5 * 5 = k → values k + 1
        assert_eq!(b.recency, vec![2.0, 3.0, 4.0, 5.0]);
        assert_eq!(b.frequency, vec![1.0; 4]);
        assert!(b.monetary.is_empty());
        assert_eq!(b.bins, 5);
        b.validate().unwrap();
        let c = rfm_cell(Some(1.0), Some(1.0), Some(1.0), &b).unwrap();
        assert_eq!((c.r, c.f, c.m), (Some(5), Some(1), None));
    }

    #[test]
    fn config_must_not_vary_within_a_group() {
        // Partial states with different as_of / bins cannot be combined: the result would
        // depend on which row came first and on the parallel plan.
        let mut a = RfmAcc::new(100 * DAY).unwrap();
        a.push(DAY);
        let b = RfmAcc::new(200 * DAY).unwrap();
        let e = a.merge(b).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidParameter);
        assert!(
            e.message.contains("as_of must be the same"),
            "{}",
            e.message
        );
        assert_eq!(a.frequency, 1);
        assert!(a.check_as_of(100 * DAY).is_ok());
        let mut x = RfmBreaksState::new(5).unwrap();
        let y = RfmBreaksState::new(4).unwrap();
        let e = x.merge(y).unwrap_err();
        assert!(e.message.contains("got 5 and 4"), "{}", e.message);
        assert!(x.merge(RfmBreaksState::new(5).unwrap()).is_ok());
    }

    #[test]
    fn acc_basics() {
        assert!(RfmAcc::new(i64::MAX).is_err());
        assert!(RfmAcc::new(i64::MIN).is_err());
        let as_of = 100 * DAY;
        let mut a = RfmAcc::new(as_of).unwrap();
        assert_eq!(a.recency_days(), None);
        assert!(!a.push(as_of + 1));
        assert!(a.push(as_of - DAY - 1)); // 1 day and 1 µs ago → 1 whole day
        assert_eq!(a.recency_days(), Some(1.0));
        assert!(a.push(as_of - DAY + 1)); // just under a day → 0
        assert_eq!(a.recency_days(), Some(0.0));
        assert!(a.push(as_of));
        assert!(a.push(10 * DAY));
        assert_eq!(
            (a.frequency, a.first, a.last),
            (4, Some(10 * DAY), Some(as_of))
        );
        let mut b = RfmAcc::new(as_of).unwrap();
        b.push(i64::MIN);
        assert_eq!(b.recency_days(), Some(f64::INFINITY));
        assert!(RfmAcc::decode(&b.encode()[..5]).is_err());
        assert!(RfmBreaksState::decode(&b.encode()).is_err());
    }

    #[test]
    fn segment_is_segment_binned_with_5_bins() {
        for (r, f, m) in all_scores() {
            for scheme in SCHEMES {
                for lang in LANGS {
                    assert_eq!(
                        segment(r, f, m, scheme, lang),
                        segment_binned(r, f, m, 5, scheme, lang)
                    );
                }
            }
        }
        // errors are the same too
        assert_eq!(
            segment(6, 1, 1, "value8", "en"),
            segment_binned(6, 1, 1, 5, "value8", "en")
        );
        assert_eq!(
            segment(3, 3, 3, "x", "en"),
            segment_binned(3, 3, 3, 5, "x", "en")
        );
    }

    #[test]
    fn value8_relative_to_the_middle_of_any_bin_count() {
        let v = |r, f, m, bins| segment_binned(r, f, m, bins, "value8", "en").unwrap();
        // 2 bins: 2 is high, 1 is low
        assert_eq!(v(2, 2, 2, 2), "important value");
        assert_eq!(v(1, 1, 1, 2), "general win-back");
        assert_eq!(v(2, 1, 2, 2), "important develop");
        assert_eq!(v(1, 2, 1, 2), "general retain");
        // 4 bins: middle 2.5, so 3 and 4 are high
        assert_eq!(v(3, 2, 4, 4), "important develop");
        // 3 bins: middle 2, so only 3 is high (2 is the middle itself: low)
        assert_eq!(v(2, 3, 3, 3), "important retain");
        // 10 bins: > 5.5
        assert_eq!(v(6, 5, 10, 10), "important develop");
        assert_eq!(
            segment_binned(100, 51, 50, 100, "value8", "zh").unwrap(),
            "一般价值客户"
        );
        // high ⟺ score above the middle (bins + 1) / 2, for every bin count
        for bins in 2..=12 {
            for s in 1..=bins {
                let high = f64::from(s) > f64::from(bins + 1) / 2.0;
                let name = v(s, 1, 1, bins);
                assert_eq!(name == "general develop", high, "bins {bins} score {s}");
            }
        }
    }

    #[test]
    fn segment_binned_errors() {
        let e = segment_binned(3, 1, 1, 2, "value8", "en").unwrap_err();
        assert_eq!(
            e.message,
            "rfm_segment score r must be between 1 and 2, got 3"
        );
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert!(segment_binned(1, 0, 1, 2, "value8", "en")
            .unwrap_err()
            .message
            .contains("score f"));
        for bins in [1, 0, -3, 101] {
            let e = segment_binned(1, 1, 1, bins, "value8", "en").unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter);
            assert!(e.message.contains(&format!("got {bins}")), "{}", e.message);
        }
        let e = segment_binned(1, 1, 1, 4, "classic", "en").unwrap_err();
        assert_eq!(
            e.message,
            "rfm_segment scheme 'classic' needs bins = 5, got 4"
        );
        assert!(segment_binned(1, 1, 1, 4, "value8", "de")
            .unwrap_err()
            .message
            .contains("'de'"));
        assert!(segment_binned(1, 1, 1, 4, "v9", "en")
            .unwrap_err()
            .message
            .contains("'v9'"));
    }

    fn means(rows: &[(Option<f64>, Option<f64>, Option<f64>)]) -> RfmMeansState {
        let mut s = RfmMeansState::new();
        for &(r, f, m) in rows {
            s.push(r, f, m).unwrap();
        }
        s
    }

    #[test]
    fn means_hand_worked() {
        let s = means(&[
            (Some(10.0), Some(1.0), Some(100.0)),
            (Some(20.0), Some(3.0), Some(50.0)),
            (Some(30.0), Some(2.0), None),
            (None, Some(2.0), Some(150.0)),
            (None, None, None),
        ]);
        // recency (10 + 20 + 30) / 3 = 20, frequency 8 / 4 = 2, monetary 300 / 3 = 100
        let b = s.finish().unwrap();
        assert_eq!(
            b,
            RfmBreaks {
                bins: 2,
                recency: vec![20.0],
                frequency: vec![2.0],
                monetary: vec![100.0],
            }
        );
        b.validate().unwrap();
        // recency 10 < 20 high; frequency 1 low; monetary 100 = mean: low
        let c = b.cell(Some(10.0), Some(1.0), Some(100.0));
        assert_eq!((c.r, c.f, c.m), (Some(2), Some(1), Some(1)));
        assert_eq!(
            (c.cell.as_deref(), c.segment.as_deref()),
            (Some("R2F1M1"), Some("general develop"))
        );
        // recency 20 = mean: low; frequency 3 high; monetary 50 low
        let c = b.cell(Some(20.0), Some(3.0), Some(50.0));
        assert_eq!(c.segment.as_deref(), Some("general retain"));
        let c = b.cell(Some(19.5), Some(2.5), Some(100.5));
        assert_eq!(
            (c.cell.as_deref(), c.segment.as_deref()),
            (Some("R2F2M2"), Some("important value"))
        );
        let c = b.cell(Some(30.0), None, Some(500.0));
        assert_eq!((c.r, c.f, c.m, c.segment), (Some(1), None, Some(2), None));
        // exact mean: 0.1 × 10 / 10 is 0.1 exactly, whatever the order
        let s = means(&vec![(Some(0.1), None, None); 10]);
        let b = s.finish().unwrap();
        assert_eq!(b.recency, vec![0.1]);
        assert!(b.frequency.is_empty() && b.monetary.is_empty());
        let s = means(&[
            (Some(1e16), None, None),
            (Some(1.0), None, None),
            (Some(-1e16), None, None),
        ]);
        assert_eq!(s.finish().unwrap().recency, vec![1.0 / 3.0]);
        // nothing: NULL
        assert_eq!(RfmMeansState::new().finish(), None);
        assert_eq!(means(&[(None, None, None)]).finish(), None);
    }

    #[test]
    fn means_errors_and_decode() {
        let mut s = RfmMeansState::new();
        let e = s.push(Some(f64::INFINITY), None, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert_eq!(e.message, "rfm_means: recency_days must be finite, got inf");
        assert!(s
            .push(None, Some(f64::NAN), None)
            .unwrap_err()
            .message
            .contains("frequency must be finite, got NaN"));
        assert!(s
            .push(None, None, Some(f64::NEG_INFINITY))
            .unwrap_err()
            .message
            .contains("monetary must be finite, got -inf"));
        let s = means(&[(Some(1.0), Some(2.0), None)]);
        let bytes = s.encode();
        assert_eq!(RfmMeansState::decode(&bytes).unwrap(), s);
        for n in 0..bytes.len() {
            assert_eq!(
                RfmMeansState::decode(&bytes[..n]).unwrap_err().kind,
                ErrorKind::Malformed
            );
        }
        assert!(RfmMeansState::decode(&DistinctDays::new().encode()).is_err());
        // a negative count is rejected
        let mut bad = bytes.clone();
        bad[2..10].copy_from_slice(&(-1i64).to_le_bytes());
        assert!(RfmMeansState::decode(&bad).is_err());
    }

    #[test]
    fn distinct_days_basics() {
        let mut d = DistinctDays::new();
        assert_eq!(d.count(), 0);
        for day in [5, 3, 5, -2, 3, i32::MIN, i32::MAX, 5] {
            d.push(day);
        }
        assert_eq!(d.count(), 5);
        // many repeats of few days stay small
        for i in 0..100_000 {
            d.push(i % 7);
        }
        assert!(d.days.capacity() < 1000, "{}", d.days.capacity());
        assert_eq!(d.count(), 5 + 5); // 0..7 adds 0, 1, 2, 4 and 6 (3 and 5 were there)
        let back = DistinctDays::decode(&d.encode()).unwrap();
        assert_eq!(back, d);
        let mut w = Writer::new(DAYS_TAG, VERSION);
        w.len(2).i32(4).i32(4);
        assert_eq!(
            DistinctDays::decode(&w.finish()).unwrap_err().kind,
            ErrorKind::Malformed
        );
        let bytes = d.encode();
        for n in 0..bytes.len() {
            assert!(DistinctDays::decode(&bytes[..n]).is_err());
        }
    }

    proptest! {
        #[test]
        fn distinct_days_match_a_set(
            days in prop::collection::vec(prop_oneof![-40i32..40, any::<i32>()], 0..300),
            split in any::<prop::sample::Index>(),
        ) {
            let set: std::collections::BTreeSet<i32> = days.iter().copied().collect();
            let mut whole = DistinctDays::new();
            days.iter().for_each(|d| whole.push(*d));
            prop_assert_eq!(whole.count(), set.len() as i64);
            prop_assert!(whole.days.len() <= 2 * set.len() + DAYS_COMPACT_MIN);
            let (x, y) = days.split_at(split.index(days.len() + 1));
            let mut a = DistinctDays::new();
            let mut b = DistinctDays::new();
            x.iter().rev().for_each(|d| a.push(*d));
            y.iter().for_each(|d| b.push(*d));
            let mut a = DistinctDays::decode(&a.encode()).unwrap();
            a.merge(DistinctDays::decode(&b.encode()).unwrap()).unwrap();
            prop_assert_eq!(a.count(), set.len() as i64);
            prop_assert_eq!(&a.normalized()[..], &set.iter().copied().collect::<Vec<_>>()[..]);
            prop_assert_eq!(a, whole);
        }

        #[test]
        fn means_merge_equals_one_shot_and_value8_is_above_the_mean(
            rows in prop::collection::vec(
                (prop::option::of(0i32..400), prop::option::of(0i32..30), prop::option::of(-1000i32..100_000)),
                0..60,
            ),
            split in any::<prop::sample::Index>(),
        ) {
            let rows: Vec<_> = rows
                .iter()
                .map(|(r, f, m)| (r.map(f64::from), f.map(f64::from), m.map(|m| f64::from(m) / 100.0)))
                .collect();
            let whole = means(&rows);
            let (x, y) = rows.split_at(split.index(rows.len() + 1));
            let mut rev: Vec<_> = x.to_vec();
            rev.reverse();
            let mut a = RfmMeansState::decode(&means(&rev).encode()).unwrap();
            a.merge(RfmMeansState::decode(&means(y).encode()).unwrap()).unwrap();
            let b = whole.finish();
            prop_assert_eq!(a.finish(), b.clone());
            let Some(b) = b else {
                prop_assert!(rows.iter().all(|(r, f, m)| r.is_none() && f.is_none() && m.is_none()));
                return Ok(());
            };
            b.validate().unwrap();
            // naive: exact rational comparison against the mean (monetary in cents)
            let naive_mean = |vals: Vec<i64>| -> Option<(i64, i64)> {
                (!vals.is_empty()).then(|| (vals.iter().sum::<i64>(), vals.len() as i64))
            };
            let rm = naive_mean(rows.iter().filter_map(|r| r.0.map(|v| v as i64)).collect());
            let fm = naive_mean(rows.iter().filter_map(|r| r.1.map(|v| v as i64)).collect());
            let mm = naive_mean(rows.iter().filter_map(|r| r.2.map(|v| (v * 100.0).round() as i64)).collect());
            for &(r, f, m) in &rows {
                let c = b.cell(r, f, m);
                let above = |v: Option<f64>, mean: Option<(i64, i64)>, scale: f64, lower: bool| {
                    let (v, (sum, n)) = (v?, mean?);
                    let v = (v * scale).round() as i64;
                    let high = if lower { v * n < sum } else { v * n > sum };
                    Some(if high { 2 } else { 1 })
                };
                let want = (above(r, rm, 1.0, true), above(f, fm, 1.0, false), above(m, mm, 100.0, false));
                prop_assert_eq!((c.r, c.f, c.m), want);
                if let (Some(r), Some(f), Some(m)) = want {
                    let name = VALUE8[4 * (r as usize - 1) + 2 * (f as usize - 1) + (m as usize - 1)].en;
                    prop_assert_eq!(c.segment.as_deref(), Some(name));
                    prop_assert_eq!(
                        c.segment.clone().unwrap(),
                        segment_binned(r, f, m, 2, "value8", "en").unwrap()
                    );
                } else {
                    prop_assert_eq!(c.segment, None);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn acc_push_merge_encode(
            ts in prop::collection::vec(-200i64..50, 0..40),
            split in 0usize..40,
        ) {
            let as_of = 0i64;
            let ts: Vec<i64> = ts.into_iter().map(|d| d * DAY / 3).collect();
            let mut whole = RfmAcc::new(as_of).unwrap();
            let kept: Vec<i64> = ts.iter().copied().filter(|t| whole.push(*t)).collect();
            prop_assert!(kept.iter().all(|t| *t <= as_of));
            prop_assert_eq!(whole.frequency as usize, kept.len());
            prop_assert_eq!(whole.first, kept.iter().copied().min());
            prop_assert_eq!(whole.last, kept.iter().copied().max());
            let split = split.min(ts.len());
            let mut a = RfmAcc::new(as_of).unwrap();
            let mut b = RfmAcc::new(as_of).unwrap();
            ts[..split].iter().rev().for_each(|t| { a.push(*t); });
            ts[split..].iter().for_each(|t| { b.push(*t); });
            let b = RfmAcc::decode(&b.encode()).unwrap();
            let mut a = RfmAcc::decode(&a.encode()).unwrap();
            a.merge(b).unwrap();
            prop_assert_eq!(a, whole);
            if let Some(d) = whole.recency_days() {
                prop_assert!(d >= 0.0 && d.fract() == 0.0);
                let last = whole.last.unwrap();
                prop_assert!(last + (d as i64) * DAY <= as_of && as_of < last + (d as i64 + 1) * DAY);
            }
        }

        #[test]
        fn breaks_merge_encode_and_scores_monotone(
            vals in prop::collection::vec((-50i32..50, 0i32..20), 1..60),
            split in 0usize..60,
            bins in 2i32..8,
        ) {
            let rows: Vec<(f64, f64, f64)> = vals.iter().map(|(a, b)| (*a as f64, *b as f64, (*a * *b) as f64)).collect();
            let mut whole = RfmBreaksState::new(bins).unwrap();
            rows.iter().for_each(|(r, f, m)| whole.push(Some(*r), Some(*f), Some(*m)));
            let split = split.min(rows.len());
            let mut a = RfmBreaksState::new(bins).unwrap();
            let mut b = RfmBreaksState::new(bins).unwrap();
            rows[..split].iter().rev().for_each(|(r, f, m)| a.push(Some(*r), Some(*f), Some(*m)));
            rows[split..].iter().for_each(|(r, f, m)| b.push(Some(*r), Some(*f), Some(*m)));
            a.merge(RfmBreaksState::decode(&b.encode()).unwrap()).unwrap();
            let bw = whole.finish().unwrap();
            prop_assert_eq!(a.finish(), Some(bw.clone()));
            bw.validate().unwrap();
            let mut by_f: Vec<(f64, i32)> = Vec::new();
            for (r, f, m) in &rows {
                let c = rfm_cell(Some(*r), Some(*f), Some(*m), &bw).unwrap();
                for s in [c.r, c.f, c.m] {
                    prop_assert!((1..=bins).contains(&s.unwrap()));
                }
                by_f.push((*f, c.f.unwrap()));
            }
            // tie-aware and monotone: larger frequency never gets a smaller score
            for x in &by_f {
                for y in &by_f {
                    if x.0 == y.0 { prop_assert_eq!(x.1, y.1); }
                    if x.0 < y.0 { prop_assert!(x.1 <= y.1); }
                }
            }
        }
    }
}
