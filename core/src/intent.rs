//! Purchase intent: a per-user weighted (optionally time-decayed) count of behaviour events
//! inside a look-back window, and its tiering into `strong` / `medium` / `weak`.
//!
//! The score is accumulated *exactly* ([`ExactSum`], Shewchuk's algorithm as in Python's
//! `math.fsum`) and rounded once at the end, so a serial plan, a parallel plan and any row
//! order give bit-identical scores.

use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::quantile::pg_float_cmp;
use crate::state::PartialState;
use crate::time;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------
// Exact summation
// ---------------------------------------------------------------------------------------

/// An exact, order-independent sum of `f64` values (Shewchuk 1997; the algorithm of
/// Python's `math.fsum`). The state is a list of non-overlapping partials, kept in
/// increasing magnitude, whose exact sum is the exact sum of every value added;
/// [`ExactSum::value`] rounds that exact sum once, correctly (round half to even).
///
/// Results are exact as long as intermediate partial sums stay finite, i.e. the sum of the
/// absolute values added stays below about `f64::MAX / 4` (intent weights are bounded by
/// [`MAX_ABS_WEIGHT`] so this always holds). Non-finite inputs, or an intermediate overflow,
/// are folded into a special IEEE sum (`inf`, `-inf` or `NaN`) that [`ExactSum::value`] returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactSum {
    partials: Vec<f64>,
    special: f64,
}

impl ExactSum {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `x` exactly.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        let mut x = x;
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        if x != 0.0 {
            if x.is_finite() {
                self.partials.push(x);
            } else {
                // Intermediate overflow from finite inputs: no exact answer fits an f64.
                self.special += x;
            }
        }
    }

    /// Adds everything `other` holds, exactly.
    pub fn merge(&mut self, other: &ExactSum) {
        for p in &other.partials {
            self.add(*p);
        }
        self.special += other.special;
    }

    /// The exact sum, correctly rounded to the nearest `f64` (ties to even); `0.0` when
    /// empty. A zero result is always `+0.0`.
    pub fn value(&self) -> f64 {
        if self.special != 0.0 {
            return self.special;
        }
        let p = &self.partials;
        let mut n = p.len();
        let mut hi = 0.0;
        if n > 0 {
            n -= 1;
            hi = p[n];
            let mut lo = 0.0;
            while n > 0 {
                let x = hi;
                n -= 1;
                let y = p[n];
                hi = x + y;
                let yr = hi - x;
                lo = y - yr;
                if lo != 0.0 {
                    break;
                }
            }
            // Round half to even across the remaining partials: if the rest of the
            // expansion pushes `lo` beyond the half-way point, `hi` must move one ulp.
            if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
                let y = lo * 2.0;
                let x = hi + y;
                let yr = x - hi;
                if y == yr {
                    hi = x;
                }
            }
        }
        hi + 0.0
    }

    fn write(&self, w: &mut Writer) {
        w.f64(self.special);
        w.f64s(&self.partials);
    }

    fn read(r: &mut Reader<'_>) -> OpsResult<Self> {
        let special = r.f64()?;
        let partials = r.f64s()?;
        if partials.iter().any(|p| !p.is_finite() || *p == 0.0) {
            return Err(OpsError::malformed(
                "exact sum state holds a zero or non-finite partial",
            ));
        }
        if special.is_finite() && special != 0.0 {
            return Err(OpsError::malformed(
                "exact sum state holds a finite special sum",
            ));
        }
        Ok(ExactSum { partials, special })
    }
}

// ---------------------------------------------------------------------------------------
// Weights and presets
// ---------------------------------------------------------------------------------------

/// Largest accepted weight magnitude. Far beyond any sensible weight, and small enough that
/// no sum of up to 2^63 decayed weights can overflow, which keeps [`ExactSum`] exact.
pub const MAX_ABS_WEIGHT: f64 = 1e100;

/// Event name → weight, decoded once per group from the `weights jsonb` argument.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntentWeights {
    map: HashMap<String, f64>,
    /// Keys whose number is not a usable weight (beyond f64, or magnitude above
    /// [`MAX_ABS_WEIGHT`]), with the error to raise when an event with that key is scored: a
    /// key no event uses does not matter.
    unusable: HashMap<String, String>,
}

/// One top-level entry of a weights document, as the SQL layer reads it from `jsonb`
/// (without converting the whole document to text and parsing it again).
#[derive(Debug, Clone, PartialEq)]
pub enum WeightValue {
    /// A number, as its exact decimal text (it need not fit an `f64`).
    Number(String),
    Null,
    Bool(bool),
    String(String),
    Array,
    Object,
}

impl WeightValue {
    fn kind(&self) -> &'static str {
        match self {
            WeightValue::Number(_) => "a number",
            WeightValue::Null => "null",
            WeightValue::Bool(_) => "a boolean",
            WeightValue::String(_) => "a string",
            WeightValue::Array => "an array",
            WeightValue::Object => "an object",
        }
    }
}

/// At most this many characters of a key or value are quoted in an error message.
const QUOTE_MAX: usize = 60;

/// `s`, cut to [`QUOTE_MAX`] characters (with `...` when cut), for error messages.
fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_MAX) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

impl IntentWeights {
    /// Parses `{"event": number, ...}` (see [`IntentWeights::from_entries`]).
    pub fn from_json(v: &Value) -> OpsResult<IntentWeights> {
        let obj = v
            .as_object()
            .ok_or_else(|| IntentWeights::not_an_object(json_kind(v)))?;
        IntentWeights::from_entries(obj.iter().map(|(k, val)| {
            let w = match val {
                Value::Number(n) => WeightValue::Number(n.to_string()),
                Value::Null => WeightValue::Null,
                Value::Bool(b) => WeightValue::Bool(*b),
                Value::String(s) => WeightValue::String(s.clone()),
                Value::Array(_) => WeightValue::Array,
                Value::Object(_) => WeightValue::Object,
            };
            (k.clone(), w)
        }))
    }

    /// The error for a weights document that is not an object (`kind`: "an array", ...).
    pub fn not_an_object(kind: &str) -> OpsError {
        OpsError::invalid(format!(
            "intent weights must be a JSON object of event name to number, got {kind}"
        ))
    }

    /// Weights from the top-level entries of a JSON object. A weight must be a finite number
    /// with magnitude at most [`MAX_ABS_WEIGHT`] (weights may be negative, e.g. for an
    /// "uninstall" event). A key with any other value (a number beyond that range or beyond
    /// `float8`, a string, array, object, null or boolean) is an error naming the key when an
    /// event with that key is scored; keys no event uses do not matter.
    pub fn from_entries(
        entries: impl IntoIterator<Item = (String, WeightValue)>,
    ) -> OpsResult<IntentWeights> {
        let mut map = HashMap::new();
        let mut unusable = HashMap::new();
        for (k, val) in entries {
            let got = match &val {
                WeightValue::Number(text) => match text.parse::<f64>() {
                    Ok(w) if w.is_finite() && w.abs() <= MAX_ABS_WEIGHT => {
                        map.insert(k, w);
                        continue;
                    }
                    Ok(w) if w.is_finite() => format!("{w:e}"),
                    _ => format!("a number beyond the range of float8 ({})", quote(text)),
                },
                WeightValue::String(text) => format!("a string \"{}\"", quote(text)),
                WeightValue::Bool(b) => format!("a boolean {b}"),
                other => other.kind().to_string(),
            };
            let msg = match val {
                WeightValue::Number(_) => format!(
                    "intent weight for key \"{}\" must be a finite number with magnitude at most {MAX_ABS_WEIGHT:e}, got {got}",
                    quote(&k)
                ),
                _ => format!("intent weight for key \"{}\" must be a number, got {got}", quote(&k)),
            };
            unusable.insert(k, msg);
        }
        Ok(IntentWeights { map, unusable })
    }

    /// The error for scoring an event whose weight is unusable, if it is.
    pub fn check(&self, event: &str) -> OpsResult<()> {
        match self.unusable.get(event) {
            Some(msg) => Err(OpsError::invalid(msg.clone())),
            None => Ok(()),
        }
    }

    /// The weight of `event`, `None` when the event is not weighted (it then adds 0).
    pub fn get(&self, event: &str) -> Option<f64> {
        self.map.get(event).copied()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Preset `'invest'`: an investment / wealth-management purchase flow. Weights grow with
/// each step's distance down the funnel, i.e. with how strongly the step predicts a purchase.
pub const INVEST_WEIGHTS: &[(&str, f64)] = &[
    // Browsing the product list: weakest signal, most users do it without intent.
    ("view_list", 1.0),
    // Opening a product's detail page: interest in a specific product.
    ("view_detail", 2.0),
    // Clicking "invest": the user starts the purchase flow.
    ("click_invest", 3.0),
    // Submitting the order form: amount chosen, only payment left.
    ("click_submit", 5.0),
    // Paying: the strongest signal, a completed (or repeat) purchase.
    ("pay", 8.0),
];

/// Preset `'loan'`: a cash-loan app, from passive exposure to re-borrowing.
pub const LOAN_WEIGHTS: &[(&str, f64)] = &[
    // Saw a loan offer (banner, push, list): passive, half a click.
    ("exposure", 0.5),
    // Clicked an offer: first active interest.
    ("click", 1.0),
    // Registered: identity given, a committed prospect.
    ("register", 2.0),
    // Started an application: explicit borrowing need.
    ("apply", 4.0),
    // Submitted the application with documents: only approval left.
    ("submit", 6.0),
    // Passed the first (automatic) review: need confirmed and eligible.
    ("first_review", 7.0),
    // Passed the second (manual) review: a loan is imminent.
    ("second_review", 8.0),
    // Borrowed again after repaying: the strongest, proven demand.
    ("reloan", 10.0),
];

/// Known presets of `intent_weights(preset)`.
pub const PRESETS: &[(&str, &[(&str, f64)])] =
    &[("invest", INVEST_WEIGHTS), ("loan", LOAN_WEIGHTS)];

/// `intent_weights(preset)`: the documented default weights as a JSON object.
pub fn preset(name: &str) -> OpsResult<Value> {
    let (_, pairs) = PRESETS.iter().find(|(n, _)| *n == name).ok_or_else(|| {
        let known: Vec<String> = PRESETS.iter().map(|(n, _)| format!("'{n}'")).collect();
        OpsError::invalid(format!(
            "unknown intent weights preset '{name}', known presets: {}",
            known.join(", ")
        ))
    })?;
    let mut obj = serde_json::Map::new();
    for (k, w) in pairs.iter() {
        obj.insert(k.to_string(), serde_json::json!(w));
    }
    Ok(Value::Object(obj))
}

// ---------------------------------------------------------------------------------------
// Configuration and aggregate state
// ---------------------------------------------------------------------------------------

/// The time parameters of one `intent_score` group. All values are microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntentConfig {
    pub as_of: i64,
    /// Exclusive lower bound of the window: `as_of - lookback` (saturating).
    pub window_start: i64,
    pub lookback: i64,
    pub half_life: Option<i64>,
}

impl IntentConfig {
    /// The window is `as_of - lookback < ts <= as_of`; `lookback = 0` gives an empty window.
    /// `as_of` must be finite, `lookback` non-negative, `half_life` (when given) positive.
    pub fn new(as_of: i64, lookback: i64, half_life: Option<i64>) -> OpsResult<IntentConfig> {
        time::check_finite_as_of(as_of)?;
        if lookback < 0 {
            return Err(OpsError::invalid(format!(
                "lookback must not be negative, got {lookback} microseconds"
            )));
        }
        if let Some(h) = half_life {
            if h <= 0 {
                return Err(OpsError::invalid(format!(
                    "half_life must be positive, got {h} microseconds"
                )));
            }
        }
        Ok(IntentConfig {
            as_of,
            window_start: as_of.saturating_sub(lookback),
            lookback,
            half_life,
        })
    }

    /// True when `ts` lies in `(as_of - lookback, as_of]`.
    pub fn in_window(&self, ts: i64) -> bool {
        ts > self.window_start && ts <= self.as_of
    }

    /// `0.5 ^ ((as_of - ts) / half_life)`, or 1 without a half-life.
    pub fn decay(&self, ts: i64) -> f64 {
        match self.half_life {
            None => 1.0,
            Some(h) => {
                let age = (self.as_of as i128 - ts as i128) as f64;
                0.5f64.powf(age / h as f64)
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
struct EventAcc {
    count: i64,
    sum: ExactSum,
}

/// Aggregate state of `intent_score` (and its detail breakdown).
#[derive(Debug, Clone, PartialEq)]
pub struct IntentState {
    pub config: IntentConfig,
    pub weights: Arc<IntentWeights>,
    events: BTreeMap<String, EventAcc>,
}

const TAG: u8 = b'I';
/// Version 2: partial states no longer carry the weights (see [`IntentState`]'s [`PartialState::encode`]).
const VERSION: u8 = 2;

/// The empty weight set shared by every decoded partial state.
fn no_weights() -> Arc<IntentWeights> {
    static EMPTY: std::sync::OnceLock<Arc<IntentWeights>> = std::sync::OnceLock::new();
    EMPTY
        .get_or_init(|| Arc::new(IntentWeights::default()))
        .clone()
}

impl IntentState {
    /// `weights` may be a shared `Arc` (parsed once per call site) or a plain value.
    pub fn new(config: IntentConfig, weights: impl Into<Arc<IntentWeights>>) -> Self {
        IntentState {
            config,
            weights: weights.into(),
            events: BTreeMap::new(),
        }
    }

    /// Adds one event. Events outside the window or without a weight add nothing; an event
    /// whose key has an unusable weight (see [`IntentWeights::from_entries`]) is an error.
    pub fn push(&mut self, event: &str, ts: i64) -> OpsResult<()> {
        if !self.config.in_window(ts) {
            return Ok(());
        }
        if !self.weights.unusable.is_empty() {
            self.weights.check(event)?;
        }
        let Some(w) = self.weights.get(event) else {
            return Ok(());
        };
        let contribution = if self.config.half_life.is_some() {
            w * self.config.decay(ts)
        } else {
            w
        };
        let acc = match self.events.get_mut(event) {
            Some(acc) => acc,
            None => self.events.entry(event.to_string()).or_default(),
        };
        acc.count += 1;
        acc.sum.add(contribution);
        Ok(())
    }

    /// The score: the exact sum of every in-window contribution, rounded once.
    /// `0.0` when no weighted event fell in the window.
    pub fn score(&self) -> f64 {
        let mut total = ExactSum::new();
        for acc in self.events.values() {
            total.merge(&acc.sum);
        }
        total.value()
    }

    /// `(event, count, contribution)` per weighted event seen in the window, by
    /// contribution descending, then name.
    pub fn detail(&self) -> Vec<(String, i64, f64)> {
        let mut out: Vec<(String, i64, f64)> = self
            .events
            .iter()
            .map(|(n, a)| (n.clone(), a.count, a.sum.value()))
            .collect();
        out.sort_by(|a, b| pg_float_cmp(&b.2, &a.2).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

impl PartialState for IntentState {
    /// Combines a partial state (parallel workers); `self` keeps its configuration.
    fn merge(&mut self, other: IntentState) -> OpsResult<()> {
        for (name, acc) in other.events {
            match self.events.get_mut(&name) {
                Some(mine) => {
                    mine.count = mine.count.saturating_add(acc.count);
                    mine.sum.merge(&acc.sum);
                }
                None => {
                    self.events.insert(name, acc);
                }
            }
        }
        Ok(())
    }

    /// The partial state for a parallel worker: the configuration and the per-event
    /// accumulators. The weights are left out: they were applied when the rows were pushed,
    /// and a combined state is only merged and finished, never pushed to again; writing and
    /// re-parsing them for each of 500 000 per-user groups made the parallel plan slower than
    /// the serial one. A decoded state has no weights ([`no_weights`]).
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        let c = &self.config;
        w.i64(c.as_of).i64(c.lookback);
        match c.half_life {
            Some(h) => w.u8(1).i64(h),
            None => w.u8(0),
        };
        w.len(self.events.len());
        for (name, acc) in &self.events {
            w.str(name).i64(acc.count);
            acc.sum.write(&mut w);
        }
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let bad = |e: OpsError| OpsError::malformed(format!("intent state: {}", e.message));
        let mut r = Reader::new(bytes, TAG, VERSION)?;
        let as_of = r.i64()?;
        let lookback = r.i64()?;
        let half_life = match r.u8()? {
            0 => None,
            1 => Some(r.i64()?),
            t => {
                return Err(OpsError::malformed(format!(
                    "intent state has bad half_life flag {t}"
                )))
            }
        };
        let config = IntentConfig::new(as_of, lookback, half_life).map_err(bad)?;
        let n = r.len(32)?;
        let mut events = BTreeMap::new();
        for _ in 0..n {
            let name = r.str()?;
            let count = r.i64()?;
            let sum = ExactSum::read(&mut r)?;
            if count < 0 {
                return Err(OpsError::malformed(format!(
                    "intent state has negative count for \"{name}\""
                )));
            }
            events.insert(name, EventAcc { count, sum });
        }
        r.finish()?;
        Ok(IntentState {
            config,
            weights: no_weights(),
            events,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Tiers
// ---------------------------------------------------------------------------------------

fn check_score(score: f64) -> OpsResult<()> {
    if score.is_nan() {
        return Err(OpsError::invalid("intent score must not be NaN"));
    }
    Ok(())
}

fn tier(score: f64, strong_above: f64, medium_above: f64) -> &'static str {
    if score > strong_above {
        "strong"
    } else if score > medium_above {
        "medium"
    } else {
        "weak"
    }
}

/// `intent_tier(score, strong_above, medium_above)`: `'strong'` if `score > strong_above`,
/// `'medium'` if `score > medium_above`, else `'weak'`. Equal thresholds are allowed (no
/// medium band); `strong_above < medium_above` or a NaN is an error.
pub fn tier_fixed(score: f64, strong_above: f64, medium_above: f64) -> OpsResult<&'static str> {
    check_score(score)?;
    if strong_above.is_nan() || medium_above.is_nan() {
        return Err(OpsError::invalid(format!(
            "intent_tier thresholds must not be NaN, got strong_above {strong_above}, medium_above {medium_above}"
        )));
    }
    if strong_above < medium_above {
        return Err(OpsError::invalid(format!(
            "strong_above ({strong_above}) must not be less than medium_above ({medium_above})"
        )));
    }
    Ok(tier(score, strong_above, medium_above))
}

/// `intent_tier(score, breaks)` with `breaks = quantile_breaks(score, ARRAY[0.4, 0.8])`:
/// `'strong'` if `score > breaks[2]`, `'medium'` if `score > breaks[1]`, else `'weak'`.
pub fn tier_breaks(score: f64, breaks: &[Option<f64>]) -> OpsResult<&'static str> {
    check_score(score)?;
    if breaks.len() != 2 {
        return Err(OpsError::invalid(format!(
            "intent_tier breaks must have exactly 2 elements (from quantile_breaks(score, ARRAY[0.4, 0.8])), got {}",
            breaks.len()
        )));
    }
    let (Some(medium), Some(strong)) = (breaks[0], breaks[1]) else {
        return Err(OpsError::invalid(
            "intent_tier breaks must not contain NULL",
        ));
    };
    if medium.is_nan() || strong.is_nan() {
        return Err(OpsError::invalid("intent_tier breaks must not contain NaN"));
    }
    if medium > strong {
        return Err(OpsError::invalid(format!(
            "intent_tier breaks must be non-decreasing, got [{medium}, {strong}]"
        )));
    }
    Ok(tier(score, strong, medium))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::USECS_PER_DAY;
    use proptest::prelude::*;
    use serde_json::json;

    const DAY: i64 = USECS_PER_DAY;
    const AS_OF: i64 = 1000 * DAY;

    fn weights() -> IntentWeights {
        IntentWeights::from_json(&json!({"view": 1, "cart": 2.5, "pay": 8, "unsub": -3})).unwrap()
    }

    fn state(lookback_days: i64, half_life_days: Option<i64>) -> IntentState {
        let cfg =
            IntentConfig::new(AS_OF, lookback_days * DAY, half_life_days.map(|h| h * DAY)).unwrap();
        IntentState::new(cfg, weights())
    }

    #[test]
    fn exact_sum_hand_worked() {
        let sum = |xs: &[f64]| {
            let mut s = ExactSum::new();
            xs.iter().for_each(|x| s.add(*x));
            s.value()
        };
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[0.1; 10]), 1.0);
        assert_eq!(sum(&[1e100, 1.0, -1e100, 1e-100]), 1.0);
        assert_eq!(sum(&[1e16, 1.0, 1e-16]), 10000000000000002.0);
        assert_eq!(sum(&[-0.0]).to_bits(), 0.0f64.to_bits());
        assert_eq!(sum(&[2.0, -2.0]).to_bits(), 0.0f64.to_bits());
        // half-way case resolved by a tiny tail: 1 + 2^-53 + 2^-106 rounds up
        assert_eq!(
            sum(&[1.0, 2f64.powi(-53), 2f64.powi(-106)]),
            1.0 + f64::EPSILON
        );
        assert_eq!(sum(&[1.0, 2f64.powi(-53)]), 1.0);
        assert_eq!(sum(&[f64::INFINITY, 1.0]), f64::INFINITY);
        assert!(sum(&[f64::INFINITY, f64::NEG_INFINITY]).is_nan());
    }

    #[test]
    fn plain_sum_and_window_boundaries() {
        let mut s = state(14, None);
        s.push("view", AS_OF).unwrap(); // included: ts == as_of
        s.push("view", AS_OF - 14 * DAY).unwrap(); // excluded: ts == as_of - lookback
        s.push("pay", AS_OF - 14 * DAY + 1).unwrap(); // included
        s.push("pay", AS_OF + 1).unwrap(); // excluded: after as_of
        s.push("cart", AS_OF - DAY).unwrap();
        s.push("cart", AS_OF - 2 * DAY).unwrap();
        s.push("unknown", AS_OF).unwrap(); // not weighted: adds 0, absent from detail
        s.push("unsub", AS_OF - 3 * DAY).unwrap();
        assert_eq!(s.score(), 1.0 + 8.0 + 5.0 - 3.0);
        assert_eq!(
            s.detail(),
            vec![
                ("pay".to_string(), 1, 8.0),
                ("cart".to_string(), 2, 5.0),
                ("view".to_string(), 1, 1.0),
                ("unsub".to_string(), 1, -3.0),
            ]
        );
    }

    #[test]
    fn empty_user_scores_zero() {
        let mut s = state(14, Some(7));
        assert_eq!(s.score().to_bits(), 0.0f64.to_bits());
        s.push("pay", AS_OF - 30 * DAY).unwrap();
        s.push("pay", i64::MIN).unwrap();
        s.push("pay", i64::MAX).unwrap();
        assert_eq!(s.score().to_bits(), 0.0f64.to_bits());
        assert!(s.detail().is_empty());
        let mut z = state(0, None);
        z.push("pay", AS_OF).unwrap();
        assert_eq!(z.score(), 0.0);
    }

    #[test]
    fn decay_half_life() {
        let mut s = state(30, Some(7));
        s.push("pay", AS_OF - 7 * DAY).unwrap(); // exactly one half-life old: 8 * 0.5
        assert_eq!(s.score(), 4.0);
        s.push("pay", AS_OF - 14 * DAY).unwrap(); // two half-lives: 8 * 0.25
        assert_eq!(s.score(), 6.0);
        s.push("view", AS_OF).unwrap(); // age 0: full weight
        assert_eq!(s.score(), 7.0);
        let cfg = IntentConfig::new(AS_OF, DAY, Some(2 * DAY)).unwrap();
        assert_eq!(cfg.decay(AS_OF - DAY), 0.5f64.sqrt());
        // lookback huge: window start saturates, -infinity still excluded
        let cfg = IntentConfig::new(-DAY, i64::MAX, Some(DAY)).unwrap();
        assert!(!cfg.in_window(i64::MIN));
        assert!(cfg.in_window(i64::MIN + 1));
        assert_eq!(cfg.decay(i64::MIN + 1), 0.0);
    }

    #[test]
    fn weights_errors_name_the_key() {
        let err = |v: Value| IntentWeights::from_json(&v).unwrap_err();
        // A bad weight is an error naming its key when that key is scored, not before.
        let used = |v: Value, key: &str| {
            let w = IntentWeights::from_json(&v).unwrap();
            assert!(w.check("other").is_ok());
            let mut s = IntentState::new(IntentConfig::new(0, DAY, None).unwrap(), w);
            s.push("other", 0).unwrap();
            s.push(key, 0).unwrap_err()
        };
        for bad in [
            json!({"a": [1]}),
            json!({"a": "NaN"}),
            json!({"a": null}),
            json!({"a": {"b": 1}}),
            json!({"a": true}),
        ] {
            let e = used(bad, "a");
            assert_eq!(e.kind, crate::error::ErrorKind::InvalidParameter);
            assert!(e.message.contains("\"a\""), "{}", e.message);
        }
        assert!(used(json!({"big": 1e200}), "big")
            .message
            .contains("\"big\""));
        assert!(used(json!({"big": 1e200}), "big")
            .message
            .ends_with("got 1e200"));
        assert!(used(json!({"a": null}), "a")
            .message
            .ends_with("must be a number, got null"));
        // Beyond float8 (as jsonb can hold): unused it does not matter, used it is an error.
        let entries = vec![
            ("view".to_string(), WeightValue::Number("1".into())),
            (
                "huge".to_string(),
                WeightValue::Number(format!("1{}", "0".repeat(400))),
            ),
        ];
        let w = IntentWeights::from_entries(entries).unwrap();
        assert_eq!(w.get("view"), Some(1.0));
        let m = w.check("huge").unwrap_err().message;
        assert!(
            m.contains("beyond the range of float8") && m.len() < 300,
            "{m}"
        );
        for bad in [json!([1, 2]), json!("x"), json!(null), json!(3)] {
            assert!(err(bad).message.contains("must be a JSON object"));
        }
        let w = IntentWeights::from_json(&json!({"neg": -1.5, "zero": 0})).unwrap();
        assert_eq!(
            (w.get("neg"), w.get("zero"), w.get("x")),
            (Some(-1.5), Some(0.0), None)
        );
        assert!(IntentWeights::from_json(&json!({})).unwrap().is_empty());
    }

    #[test]
    fn presets() {
        let inv = preset("invest").unwrap();
        assert_eq!(
            inv,
            json!({"view_list": 1.0, "view_detail": 2.0, "click_invest": 3.0, "click_submit": 5.0, "pay": 8.0})
        );
        for (_, pairs) in PRESETS {
            assert!(pairs.windows(2).all(|w| w[0].1 < w[1].1));
        }
        let loan = IntentWeights::from_json(&preset("loan").unwrap()).unwrap();
        assert_eq!(
            (loan.len(), loan.get("exposure"), loan.get("reloan")),
            (8, Some(0.5), Some(10.0))
        );
        let e = preset("retail").unwrap_err();
        assert!(
            e.message.contains("'invest'")
                && e.message.contains("'loan'")
                && e.message.contains("retail")
        );
    }

    #[test]
    fn config_errors() {
        assert!(IntentConfig::new(i64::MAX, DAY, None).is_err());
        assert!(IntentConfig::new(i64::MIN, DAY, None).is_err());
        let e = IntentConfig::new(0, -1, None).unwrap_err();
        assert!(
            e.message
                .starts_with("lookback must not be negative, got -1"),
            "{}",
            e.message
        );
        assert!(IntentConfig::new(0, DAY, Some(0))
            .unwrap_err()
            .message
            .contains("half_life"));
        assert!(IntentConfig::new(0, DAY, Some(-DAY)).is_err());
    }

    #[test]
    fn tiers() {
        assert_eq!(tier_fixed(10.0, 8.0, 3.0).unwrap(), "strong");
        assert_eq!(tier_fixed(8.0, 8.0, 3.0).unwrap(), "medium");
        assert_eq!(tier_fixed(3.0, 8.0, 3.0).unwrap(), "weak");
        assert_eq!(tier_fixed(5.0, 5.0, 5.0).unwrap(), "weak");
        assert!(tier_fixed(1.0, 3.0, 8.0).is_err());
        assert!(tier_fixed(1.0, f64::NAN, 8.0).is_err());
        assert!(tier_fixed(f64::NAN, 8.0, 3.0).is_err());
        assert_eq!(tier_fixed(f64::INFINITY, 8.0, 3.0).unwrap(), "strong");

        let b = [Some(2.6), Some(4.2)];
        assert_eq!(tier_breaks(4.3, &b).unwrap(), "strong");
        assert_eq!(tier_breaks(4.2, &b).unwrap(), "medium");
        assert_eq!(tier_breaks(2.6, &b).unwrap(), "weak");
        assert!(tier_breaks(1.0, &[Some(1.0)])
            .unwrap_err()
            .message
            .contains("exactly 2"));
        assert!(tier_breaks(1.0, &[Some(1.0), None])
            .unwrap_err()
            .message
            .contains("NULL"));
        assert!(tier_breaks(1.0, &[Some(2.0), Some(1.0)])
            .unwrap_err()
            .message
            .contains("non-decreasing"));
        assert!(tier_breaks(f64::NAN, &b).is_err());
    }

    #[test]
    fn decode_rejects_garbage() {
        let s = state(14, Some(7));
        let bytes = s.encode();
        let back = IntentState::decode(&bytes).unwrap();
        assert_eq!(
            (back.config, back.score(), back.detail()),
            (s.config, s.score(), s.detail())
        );
        assert!(
            back.weights.is_empty(),
            "partial states do not carry the weights"
        );
        assert!(IntentState::decode(&bytes[..bytes.len() - 1]).is_err());
        let mut other = bytes.clone();
        other[0] = b'Q';
        assert!(IntentState::decode(&other).is_err());
    }

    fn event_strategy() -> impl Strategy<Value = Vec<(usize, i64)>> {
        prop::collection::vec((0usize..5, -20 * DAY..DAY), 0..80)
    }

    const NAMES: [&str; 5] = ["view", "cart", "pay", "unsub", "other"];

    proptest! {
        #[test]
        fn permutation_split_merge_serialize_bit_identical(
            events in event_strategy(),
            split in 0usize..80,
            seed in any::<u64>(),
        ) {
            let cfg = IntentConfig::new(AS_OF, 14 * DAY, Some(3 * DAY + 12345)).unwrap();
            let w = Arc::new(weights());
            let mut whole = IntentState::new(cfg, w.clone());
            for (e, d) in &events { whole.push(NAMES[*e], AS_OF + d).unwrap(); }
            // a pseudo-random permutation
            let mut perm = events.clone();
            let mut x = seed | 1;
            for i in (1..perm.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                perm.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let split = split.min(perm.len());
            let mut a = IntentState::new(cfg, w.clone());
            let mut b = IntentState::new(cfg, w.clone());
            for (e, d) in &perm[..split] { a.push(NAMES[*e], AS_OF + d).unwrap(); }
            for (e, d) in &perm[split..] { b.push(NAMES[*e], AS_OF + d).unwrap(); }
            let b = IntentState::decode(&b.encode()).unwrap();
            let mut a = IntentState::decode(&a.encode()).unwrap();
            a.merge(b).unwrap();
            prop_assert_eq!(whole.score().to_bits(), a.score().to_bits());
            let bits = |d: Vec<(String, i64, f64)>| d.into_iter().map(|(n, c, v)| (n, c, v.to_bits())).collect::<Vec<_>>();
            prop_assert_eq!(bits(whole.detail()), bits(a.detail()));
        }

        #[test]
        fn exact_sum_matches_fixed_point_reference(
            terms in prop::collection::vec((-(1i64 << 53)..(1i64 << 53), 0u32..60), 0..100),
            split in 0usize..100,
        ) {
            // value = m * 2^e / 1024: exact in f64 and in i128 fixed point (units of 1/1024)
            let vals: Vec<f64> = terms.iter().map(|(m, e)| *m as f64 * 2f64.powi(*e as i32) / 1024.0).collect();
            let exact: i128 = terms.iter().map(|(m, e)| (*m as i128) << e).sum();
            let expected = exact as f64 / 1024.0;
            let mut s = ExactSum::new();
            vals.iter().for_each(|v| s.add(*v));
            prop_assert_eq!(s.value().to_bits(), (expected + 0.0).to_bits());
            let split = split.min(vals.len());
            let mut a = ExactSum::new();
            let mut b = ExactSum::new();
            vals[..split].iter().rev().for_each(|v| a.add(*v));
            vals[split..].iter().for_each(|v| b.add(*v));
            a.merge(&b);
            prop_assert_eq!(a.value().to_bits(), (expected + 0.0).to_bits());
        }
    }
}
