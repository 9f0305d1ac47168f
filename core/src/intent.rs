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
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
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
    partials: Partials,
    special: f64,
}

/// Inline capacity of [`Partials`]: sums of a handful of weights (or of any number of
/// equal weights) need one or two partials, so per-user sums never touch the heap.
const INLINE_PARTIALS: usize = 3;

/// The partials of an [`ExactSum`]: inline up to [`INLINE_PARTIALS`], on the heap beyond.
/// A state per user under `GROUP BY` on a table in time order then costs no allocation and
/// no pointer to follow (the heap buffer was a dependent cache miss per row).
#[derive(Clone)]
enum Partials {
    Inline {
        len: u8,
        buf: [f64; INLINE_PARTIALS],
    },
    Heap(Vec<f64>),
}

impl Default for Partials {
    fn default() -> Self {
        Partials::Inline {
            len: 0,
            buf: [0.0; INLINE_PARTIALS],
        }
    }
}

impl Partials {
    #[inline]
    fn as_slice(&self) -> &[f64] {
        match self {
            Partials::Inline { len, buf } => &buf[..*len as usize],
            Partials::Heap(v) => v,
        }
    }

    #[inline]
    fn as_mut_slice(&mut self) -> &mut [f64] {
        match self {
            Partials::Inline { len, buf } => &mut buf[..*len as usize],
            Partials::Heap(v) => v,
        }
    }

    #[inline]
    fn truncate(&mut self, n: usize) {
        match self {
            Partials::Inline { len, .. } => *len = (*len).min(n as u8),
            Partials::Heap(v) => v.truncate(n),
        }
    }

    #[inline]
    fn push(&mut self, x: f64) {
        match self {
            Partials::Inline { len, buf } if (*len as usize) < INLINE_PARTIALS => {
                buf[*len as usize] = x;
                *len += 1;
            }
            Partials::Inline { len, buf } => {
                let mut v = Vec::with_capacity(2 * INLINE_PARTIALS);
                v.extend_from_slice(&buf[..*len as usize]);
                v.push(x);
                *self = Partials::Heap(v);
            }
            Partials::Heap(v) => v.push(x),
        }
    }
}

impl PartialEq for Partials {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl std::fmt::Debug for Partials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
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
        let p = self.partials.as_mut_slice();
        for j in 0..p.len() {
            let mut y = p[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                p[i] = lo;
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
        for p in other.partials.as_slice() {
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
        let p = self.partials.as_slice();
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

    /// Writes the state (see [`ExactSum::read`]).
    pub(crate) fn write(&self, w: &mut Writer) {
        w.f64(self.special);
        w.f64s(self.partials.as_slice());
    }

    /// Reads what [`ExactSum::write`] wrote, checking it is a valid state.
    pub(crate) fn read(r: &mut Reader<'_>) -> OpsResult<Self> {
        let special = r.f64()?;
        let n = r.len(8)?;
        let mut partials = Partials::default();
        for _ in 0..n {
            let p = r.f64()?;
            if !p.is_finite() || p == 0.0 {
                return Err(OpsError::malformed(
                    "exact sum state holds a zero or non-finite partial",
                ));
            }
            partials.push(p);
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
#[derive(Debug, Clone, PartialEq)]
pub struct IntentWeights {
    /// Keys are shared with the per-user accumulators (a state stores the `Arc`, not a copy).
    map: HashMap<Name, f64>,
    /// Keys whose number is not a usable weight (beyond f64, or magnitude above
    /// [`MAX_ABS_WEIGHT`]), with the error to raise when an event with that key is scored: a
    /// key no event uses does not matter.
    unusable: HashMap<String, String>,
    /// [`IntentWeights::fingerprint`], computed once.
    fingerprint: u64,
}

impl Default for IntentWeights {
    fn default() -> Self {
        IntentWeights::build(HashMap::new(), HashMap::new())
    }
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
                        map.insert(Name::from(k), w);
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
        Ok(IntentWeights::build(map, unusable))
    }

    fn build(map: HashMap<Name, f64>, unusable: HashMap<String, String>) -> IntentWeights {
        let mut w = IntentWeights {
            map,
            unusable,
            fingerprint: 0,
        };
        w.fingerprint = w.compute_fingerprint();
        w
    }

    /// A 64-bit fingerprint of the weights (FNV-1a over the entries in key order, the
    /// unusable keys included): the same in every process for equal weights, so partial
    /// states from parallel workers, which do not carry the weights, can still be compared.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    fn compute_fingerprint(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for b in bytes {
                h = (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        let mut map: Vec<_> = self.map.iter().collect();
        map.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in map {
            eat(k.as_bytes());
            eat(&[0xff]);
            eat(&v.to_bits().to_le_bytes());
        }
        let mut unusable: Vec<_> = self.unusable.keys().collect();
        unusable.sort();
        for k in unusable {
            eat(k.as_bytes());
            eat(&[0xfe]);
        }
        h
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

    /// The weight of `event` with the map's own key (shared by the accumulators).
    #[inline]
    fn entry(&self, event: &str) -> Option<(&Name, f64)> {
        self.map.get_key_value(event).map(|(k, w)| (k, *w))
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
            "unknown intent weights preset '{}', known presets: {}",
            crate::error::truncate(name, 60),
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

/// An event name, shared between a weights map and the accumulators that use it.
type Name = Arc<str>;

/// Per-event accumulators of one state, sorted by name (a `Vec` with inline sums: one
/// allocation per user at most, where a map cost a node of 11 slots and a `String` each).
type Accs = Vec<(Name, EventAcc)>;

/// Names decoded from partial states, shared so that a leader decoding 500 000 states does
/// not allocate a string per event per state. Bounded: short names only, and at most
/// [`INTERN_MAX`] of them per backend (beyond, a name gets an allocation of its own).
const INTERN_MAX: usize = 4096;
const INTERN_MAX_LEN: usize = 64;

thread_local! {
    static NAMES: std::cell::RefCell<std::collections::HashSet<Name>> =
        std::cell::RefCell::new(std::collections::HashSet::new());
}

/// `name` as a shared [`Name`] from `set` (see [`NAMES`]).
fn intern_in(set: &mut std::collections::HashSet<Name>, name: &str) -> Name {
    if name.len() > INTERN_MAX_LEN {
        return Name::from(name);
    }
    if let Some(n) = set.get(name) {
        return n.clone();
    }
    let n = Name::from(name);
    if set.len() < INTERN_MAX {
        set.insert(n.clone());
    }
    n
}

/// `name` as a shared [`Name`] (see [`NAMES`]).
fn intern(name: &str) -> Name {
    NAMES.with(|set| intern_in(&mut set.borrow_mut(), name))
}

/// The index of `name` in `accs`, or where to insert it. Few entries: compared by pointer
/// first (a name from the state's own weights), then by text.
#[inline]
fn find_acc(accs: &Accs, name: &str, shared: Option<&Name>) -> Result<usize, usize> {
    if let Some(n) = shared {
        if accs.len() <= 8 {
            if let Some(i) = accs.iter().position(|(k, _)| Arc::ptr_eq(k, n)) {
                return Ok(i);
            }
        }
    }
    accs.binary_search_by(|(k, _)| (**k).cmp(name))
}

impl EventAcc {
    fn add(&mut self, contribution: f64) {
        self.count += 1;
        self.sum.add(contribution);
    }
}

/// The accumulator of `event` in `events`, created on first use (with `shared` as its
/// name when given, else an interned copy).
fn acc_mut<'a>(events: &'a mut Accs, event: &str, shared: Option<&Name>) -> &'a mut EventAcc {
    let i = match find_acc(events, event, shared) {
        Ok(i) => i,
        Err(i) => {
            let name = shared.cloned().unwrap_or_else(|| intern(event));
            if events.capacity() == 0 {
                events.reserve_exact(4);
            }
            events.insert(i, (name, EventAcc::default()));
            i
        }
    };
    &mut events[i].1
}

/// "A purchase ends the decision period": events at or before the latest reset event (e.g.
/// `pay`) in the window count only `factor` times their (decayed) weight.
///
/// With `T` the latest timestamp of any event named in `events` inside the window (whether
/// or not that event has a weight), every weighted in-window event with `ts <= T` (the reset
/// event itself and events tied with it included) contributes `weight * decay * factor`;
/// events after `T` contribute fully. Without a reset event in the window the score is
/// unchanged. `factor = 0`: the decision period before the purchase counts not at all;
/// `factor = 0.5`: half.
#[derive(Debug, Clone, PartialEq)]
pub struct ResetRule {
    /// Sorted, without duplicates.
    events: Vec<String>,
    factor: f64,
}

impl ResetRule {
    /// `events` must be non-empty and each name non-empty (duplicates and order do not
    /// matter); `factor` a finite number in `[0, 1]`.
    pub fn new(mut events: Vec<String>, factor: f64) -> OpsResult<ResetRule> {
        if events.is_empty() {
            return Err(OpsError::invalid(
                "intent reset events must not be empty (e.g. ARRAY['pay'])",
            ));
        }
        if events.iter().any(|e| e.is_empty()) {
            return Err(OpsError::invalid(
                "intent reset event names must not be empty, got ''",
            ));
        }
        let factor = ResetRule::check_factor(factor)?;
        events.sort_unstable();
        events.dedup();
        Ok(ResetRule {
            events,
            factor: factor + 0.0,
        })
    }

    /// `factor` when it is a finite number in `[0, 1]` (checked also when a definition has
    /// no reset events, so that a bad value never waits for them).
    pub fn check_factor(factor: f64) -> OpsResult<f64> {
        if !(factor.is_finite() && (0.0..=1.0).contains(&factor)) {
            return Err(OpsError::invalid(format!(
                "intent reset factor must be in [0, 1], got {}",
                crate::error::fmt_f64(factor)
            )));
        }
        Ok(factor)
    }

    /// The reset event names, sorted, without duplicates.
    pub fn events(&self) -> &[String] {
        &self.events
    }

    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// True when `event` is a reset event.
    pub fn is_reset(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event)
    }
}

/// Weighted events after the latest reset event: `(ts, contribution bits)` in a min-heap by
/// `ts`, so moving the events a later reset event overtakes costs `O(log n)` each.
type AfterHeap = BinaryHeap<Reverse<(i64, u64)>>;

/// The part of an [`IntentState`] that only exists with a [`ResetRule`].
///
/// `IntentState::events` then holds the events at or before `latest` with their contributions
/// already multiplied by the factor (`fl(fl(weight * decay) * factor)`, one rounding each, so
/// the result does not depend on when an event was moved), and `after` the events after
/// `latest` (all of them while no reset event was seen) with their full contributions.
#[derive(Debug, Clone)]
struct ResetPart {
    rule: Arc<ResetRule>,
    /// The latest reset event in the window, `T`.
    latest: Option<i64>,
    after: BTreeMap<String, AfterHeap>,
}

impl PartialEq for ResetPart {
    fn eq(&self, other: &Self) -> bool {
        let items = |p: &ResetPart| -> Vec<(String, Vec<(i64, u64)>)> {
            p.after
                .iter()
                .map(|(n, h)| {
                    let mut v: Vec<(i64, u64)> = h.iter().map(|r| r.0).collect();
                    v.sort_unstable();
                    (n.clone(), v)
                })
                .collect()
        };
        self.rule == other.rule && self.latest == other.latest && items(self) == items(other)
    }
}

impl ResetPart {
    /// Moves every event at or before `latest` into `before`, multiplied by the factor.
    fn settle(&mut self, before: &mut Accs) {
        let Some(t) = self.latest else { return };
        let factor = self.rule.factor;
        self.after.retain(|name, heap| {
            if heap.peek().is_some_and(|r| r.0 .0 <= t) {
                let acc = acc_mut(before, name, None);
                while let Some(Reverse((ts, bits))) = heap.peek().copied() {
                    if ts > t {
                        break;
                    }
                    heap.pop();
                    acc.add(f64::from_bits(bits) * factor);
                }
            }
            !heap.is_empty()
        });
    }
}

/// Aggregate state of `intent_score` (and its detail breakdown).
#[derive(Debug, Clone, PartialEq)]
pub struct IntentState {
    pub config: IntentConfig,
    pub weights: Arc<IntentWeights>,
    /// [`IntentWeights::fingerprint`] of the weights the rows were scored with (kept when a
    /// partial state crosses workers without its weights).
    weights_fingerprint: u64,
    events: Accs,
    /// Only with a reset rule (see [`IntentState::with_reset`]).
    reset: Option<Box<ResetPart>>,
}

const TAG: u8 = b'I';
/// Version 2: partial states no longer carry the weights (see [`IntentState`]'s [`PartialState::encode`]).
const VERSION: u8 = 4;
/// Version 3: version 2 followed by the reset rule and its state; written only by states
/// with a reset rule, so a state without one has exactly the version-2 bytes.
const VERSION_RESET: u8 = 5;

/// The empty weight set shared by every decoded partial state.
fn no_weights() -> Arc<IntentWeights> {
    static EMPTY: std::sync::OnceLock<Arc<IntentWeights>> = std::sync::OnceLock::new();
    EMPTY
        .get_or_init(|| Arc::new(IntentWeights::default()))
        .clone()
}

/// The error for a group whose rows disagree on the configuration.
fn config_mismatch(mine: &IntentConfig, theirs: &IntentConfig) -> OpsError {
    let mut msg = String::from(
        "as_of, weights, lookback, half_life and the reset rule must be the same for every row of a group",
    );
    if mine.as_of != theirs.as_of {
        msg.push_str(&format!(
            ", got as_of {} and {}",
            time::fmt_ts(mine.as_of),
            time::fmt_ts(theirs.as_of)
        ));
    }
    OpsError::invalid(msg)
}

impl IntentState {
    /// `weights` may be a shared `Arc` (parsed once per call site) or a plain value. No
    /// reset rule.
    pub fn new(config: IntentConfig, weights: impl Into<Arc<IntentWeights>>) -> Self {
        let weights = weights.into();
        IntentState {
            config,
            weights_fingerprint: weights.fingerprint(),
            weights,
            events: Vec::new(),
            reset: None,
        }
    }

    /// As [`IntentState::new`], with an optional [`ResetRule`] (`None` is exactly `new`).
    /// With a rule the state keeps each weighted in-window event after the latest reset event
    /// individually (memory proportional to those rows); without one nothing changes.
    pub fn with_reset(
        config: IntentConfig,
        weights: impl Into<Arc<IntentWeights>>,
        reset: Option<Arc<ResetRule>>,
    ) -> Self {
        let mut s = IntentState::new(config, weights);
        s.reset = reset.map(|rule| {
            Box::new(ResetPart {
                rule,
                latest: None,
                after: BTreeMap::new(),
            })
        });
        s
    }

    /// The reset rule, if any.
    pub fn reset_rule(&self) -> Option<&ResetRule> {
        self.reset.as_deref().map(|p| &*p.rule)
    }

    /// Errors unless `config`, `weights` and `reset` are this state's: they must be the same
    /// for every row of a group, or the result would depend on row order and on the parallel
    /// plan. The message names both `as_of` values when they differ. The weights of a decoded
    /// partial state are unknown (not carried, see `encode`) and not compared.
    pub fn check_same(
        &self,
        config: &IntentConfig,
        weights: &IntentWeights,
        reset: Option<&ResetRule>,
    ) -> OpsResult<()> {
        let same_weights = std::ptr::eq(&*self.weights, weights)
            || Arc::ptr_eq(&self.weights, &no_weights())
            || *self.weights == *weights;
        if self.config != *config || !same_weights || self.reset_rule() != reset {
            return Err(config_mismatch(&self.config, config));
        }
        Ok(())
    }

    /// The contribution of one event of weight `w` at `ts` before any reset factor.
    #[inline]
    fn contribution(&self, w: f64, ts: i64) -> f64 {
        if self.config.half_life.is_some() {
            w * self.config.decay(ts)
        } else {
            w
        }
    }

    /// Adds one event. Events outside the window or without a weight add nothing; an event
    /// whose key has an unusable weight (see [`IntentWeights::from_entries`]) is an error.
    /// With a reset rule, a reset event in the window moves the reset point even when it has
    /// no weight.
    pub fn push(&mut self, event: &str, ts: i64) -> OpsResult<()> {
        if !self.config.in_window(ts) {
            return Ok(());
        }
        if !self.weights.unusable.is_empty() {
            self.weights.check(event)?;
        }
        if self.reset.is_some() {
            self.push_reset(event, ts);
            return Ok(());
        }
        let Some((name, w)) = self.weights.entry(event) else {
            return Ok(());
        };
        let contribution = self.contribution(w, ts);
        acc_mut(&mut self.events, event, Some(name)).add(contribution);
        Ok(())
    }

    /// [`IntentState::push`] for an in-window event of a state with a reset rule.
    fn push_reset(&mut self, event: &str, ts: i64) {
        let entry = self.weights.entry(event);
        let c = entry.map(|(_, w)| self.contribution(w, ts));
        let part = self.reset.as_mut().expect("a reset rule");
        if part.rule.is_reset(event) && part.latest.is_none_or(|t| ts > t) {
            part.latest = Some(ts);
            part.settle(&mut self.events);
        }
        let Some(c) = c else { return };
        if part.latest.is_some_and(|t| ts <= t) {
            let name = entry.map(|(n, _)| n);
            acc_mut(&mut self.events, event, name).add(c * part.rule.factor);
        } else {
            let heap = match part.after.get_mut(event) {
                Some(h) => h,
                None => part.after.entry(event.to_string()).or_default(),
            };
            heap.push(Reverse((ts, c.to_bits())));
        }
    }

    /// The score: the exact sum of every in-window contribution, rounded once.
    /// `0.0` when no weighted event fell in the window.
    pub fn score(&self) -> f64 {
        let mut total = ExactSum::new();
        for (_, acc) in &self.events {
            total.merge(&acc.sum);
        }
        if let Some(part) = &self.reset {
            for heap in part.after.values() {
                for Reverse((_, bits)) in heap.iter() {
                    total.add(f64::from_bits(*bits));
                }
            }
        }
        total.value()
    }

    /// `(event, count, contribution)` per weighted event seen in the window, by
    /// contribution descending, then name. With a reset rule the contribution of events at
    /// or before the latest reset event is multiplied by the factor (the count is not).
    pub fn detail(&self) -> Vec<(String, i64, f64)> {
        let mut out: Vec<(String, i64, f64)> = match &self.reset {
            None => self
                .events
                .iter()
                .map(|(n, a)| (n.to_string(), a.count, a.sum.value()))
                .collect(),
            Some(part) => {
                let mut all = self.events.clone();
                for (name, heap) in &part.after {
                    let acc = acc_mut(&mut all, name, None);
                    for Reverse((_, bits)) in heap.iter() {
                        acc.add(f64::from_bits(*bits));
                    }
                }
                all.into_iter()
                    .map(|(n, a)| (n.to_string(), a.count, a.sum.value()))
                    .collect()
            }
        };
        out.sort_by(|a, b| pg_float_cmp(&b.2, &a.2).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

/// The per-event accumulators of an encoded state (names interned in `names`: one
/// thread-local access per state).
fn read_accs(r: &mut Reader<'_>, names: &mut std::collections::HashSet<Name>) -> OpsResult<Accs> {
    let n = r.len(32)?;
    let mut events: Accs = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.str_ref()?;
        let count = r.i64()?;
        let sum = ExactSum::read(r)?;
        if count < 0 {
            return Err(OpsError::malformed(format!(
                "intent state has negative count for \"{}\"",
                quote(name)
            )));
        }
        if events.last().is_some_and(|(last, _)| **last >= *name) {
            return Err(OpsError::malformed(
                "intent state's events are not in order",
            ));
        }
        events.push((intern_in(names, name), EventAcc { count, sum }));
    }
    Ok(events)
}

impl PartialState for IntentState {
    /// Combines a partial state (parallel workers). Errors unless both have the same
    /// configuration and reset rule (and the same weights, when both carry them).
    fn merge(&mut self, other: IntentState) -> OpsResult<()> {
        if self.weights_fingerprint != other.weights_fingerprint {
            return Err(config_mismatch(&self.config, &other.config));
        }
        if !Arc::ptr_eq(&other.weights, &no_weights()) {
            self.check_same(&other.config, &other.weights, other.reset_rule())?;
        } else if self.config != other.config || self.reset_rule() != other.reset_rule() {
            return Err(config_mismatch(&self.config, &other.config));
        }
        if self.events.is_empty() {
            self.events = other.events;
        } else {
            for (name, acc) in other.events {
                match find_acc(&self.events, &name, Some(&name)) {
                    Ok(i) => {
                        let mine = &mut self.events[i].1;
                        mine.count = mine.count.saturating_add(acc.count);
                        mine.sum.merge(&acc.sum);
                    }
                    Err(i) => self.events.insert(i, (name, acc)),
                }
            }
        }
        if let (Some(mine), Some(theirs)) = (self.reset.as_mut(), other.reset) {
            mine.latest = mine.latest.max(theirs.latest);
            for (name, mut heap) in theirs.after {
                match mine.after.get_mut(&name) {
                    Some(h) => h.append(&mut heap),
                    None => {
                        mine.after.insert(name, heap);
                    }
                }
            }
            mine.settle(&mut self.events);
        }
        Ok(())
    }

    /// The partial state for a parallel worker: the configuration and the per-event
    /// accumulators. The weights are left out: they were applied when the rows were pushed,
    /// and a combined state is only merged and finished, never pushed to again; writing and
    /// re-parsing them for each of 500 000 per-user groups made the parallel plan slower than
    /// the serial one. A decoded state has no weights ([`no_weights`]).
    ///
    /// Without a reset rule: format version 2, unchanged. With one: version 3, the version-2
    /// fields followed by the rule (events, factor), the latest reset timestamp and the
    /// events after it.
    fn encode(&self) -> Vec<u8> {
        let version = if self.reset.is_some() {
            VERSION_RESET
        } else {
            VERSION
        };
        let mut w = Writer::new(TAG, version);
        let c = &self.config;
        w.i64(c.as_of).i64(c.lookback);
        w.u64(self.weights_fingerprint);
        match c.half_life {
            Some(h) => w.u8(1).i64(h),
            None => w.u8(0),
        };
        w.len(self.events.len());
        for (name, acc) in &self.events {
            w.str(name).i64(acc.count);
            acc.sum.write(&mut w);
        }
        if let Some(part) = &self.reset {
            w.len(part.rule.events.len());
            for e in &part.rule.events {
                w.str(e);
            }
            w.f64(part.rule.factor);
            match part.latest {
                Some(t) => w.u8(1).i64(t),
                None => w.u8(0),
            };
            w.len(part.after.len());
            for (name, heap) in &part.after {
                w.str(name).len(heap.len());
                for Reverse((ts, bits)) in heap.iter() {
                    w.i64(*ts).u64(*bits);
                }
            }
        }
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let bad = |e: OpsError| OpsError::malformed(format!("intent state: {}", e.message));
        let version = match bytes.get(1) {
            Some(&VERSION_RESET) => VERSION_RESET,
            _ => VERSION,
        };
        let mut r = Reader::new(bytes, TAG, version)?;
        let as_of = r.i64()?;
        let lookback = r.i64()?;
        let weights_fingerprint = r.u64()?;
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
        let events = NAMES.with(|set| read_accs(&mut r, &mut set.borrow_mut()))?;
        let reset = if version == VERSION_RESET {
            let n = r.len(8)?;
            let names = (0..n).map(|_| r.str()).collect::<OpsResult<Vec<_>>>()?;
            let factor = r.f64()?;
            let rule = ResetRule::new(names, factor).map_err(bad)?;
            let latest = match r.u8()? {
                0 => None,
                1 => Some(r.i64()?),
                t => {
                    return Err(OpsError::malformed(format!(
                        "intent state has bad reset flag {t}"
                    )))
                }
            };
            let n = r.len(16)?;
            let mut after = BTreeMap::new();
            for _ in 0..n {
                let name = r.str()?;
                let k = r.len(16)?;
                let mut heap = AfterHeap::with_capacity(k);
                for _ in 0..k {
                    let (ts, bits) = (r.i64()?, r.u64()?);
                    let late = latest.is_none_or(|t| ts > t);
                    if !late || !config.in_window(ts) || !f64::from_bits(bits).is_finite() {
                        return Err(OpsError::malformed(format!(
                            "intent state has an impossible event \"{name}\" after the reset"
                        )));
                    }
                    heap.push(Reverse((ts, bits)));
                }
                if !heap.is_empty() {
                    after.insert(name, heap);
                }
            }
            Some(Box::new(ResetPart {
                rule: Arc::new(rule),
                latest,
                after,
            }))
        } else {
            None
        };
        r.finish()?;
        Ok(IntentState {
            config,
            weights: no_weights(),
            weights_fingerprint,
            events,
            reset,
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

// ---------------------------------------------------------------------------------------
// Share-based tiers (`intent_breaks`)
// ---------------------------------------------------------------------------------------

const BREAKS_TAG: u8 = b'N';
const BREAKS_VERSION: u8 = 1;

/// PostgreSQL's `percentile_disc(p)` over `sorted` (ascending, non-empty):
/// `rownum = ceil(p * n)` in float8, row `rownum` (1-based), the first row when
/// `rownum <= 1` (`orderedsetaggs.c`, `percentile_disc_final`).
/// `p` rounded to 12 decimal places: `1 - 0.25 - 0.35` is the `0.4` an analyst means (and
/// passes to `percentile_disc(0.4)`), not the float `0.39999999999999997`.
fn decimal_fraction(p: f64) -> f64 {
    (p * 1e12).round() / 1e12
}

fn percentile_disc(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rownum = (p * n as f64).ceil();
    let i = if rownum > 1.0 {
        (rownum as usize).min(n) - 1
    } else {
        0
    };
    Some(sorted[i])
}

fn check_share(name: &str, v: f64) -> OpsResult<()> {
    if !(v.is_finite() && v > 0.0 && v <= 1.0) {
        return Err(OpsError::invalid(format!(
            "intent_breaks: {name} must be in (0, 1], got {v}"
        )));
    }
    Ok(())
}

/// The result of `intent_breaks`: thresholds for [`tier_active`] and what each tier holds.
#[derive(Debug, Clone, PartialEq)]
pub struct IntentBreaks {
    pub strong_share: f64,
    pub medium_share: f64,
    /// `percentile_disc(1 - strong_share)` of the active scores; `None` without active users.
    pub strong_above: Option<f64>,
    /// `percentile_disc(1 - strong_share - medium_share)` of the active scores.
    pub medium_above: Option<f64>,
    /// Users with a non-NULL score.
    pub users: i64,
    /// Users with a score above 0.
    pub active: i64,
    /// Users in each tier of [`tier_active`]: `strong + medium + weak = active`,
    /// `none = users - active` (score `<= 0`).
    pub strong: i64,
    pub medium: i64,
    pub weak: i64,
    pub none: i64,
}

/// Aggregate state of `intent_breaks(score, strong_share, medium_share)` over one row per
/// user: honest share-based tiers on tied distributions.
///
/// On real data most users score 0, so quantiles over all users collapse. Here users with
/// score `<= 0` are tier `none`, and the thresholds are taken among the *active* users
/// (score `> 0`) only, with PostgreSQL's `percentile_disc`:
/// `strong_above = percentile_disc(1 - strong_share)`,
/// `medium_above = percentile_disc(1 - strong_share - medium_share)` (1-based row
/// `ceil(p * n)` of the ascending active scores, the first row when that is `<= 1`).
/// A user is `strong` when `score > strong_above`, `medium` when `score > medium_above`,
/// else `weak`. A threshold is always one of the scores and "above" is strict, so a block of
/// tied scores always lands wholly in one tier, and the strong tier never holds more than
/// `strong_share` of the active users (strong + medium never more than
/// `strong_share + medium_share`), up to the float8 rounding of `p * n` that
/// `percentile_disc` itself does. Ties may leave a tier smaller than its share, even empty;
/// [`IntentBreaks`] reports what each tier really holds.
///
/// Memory: the active scores (one `f64` per active user).
#[derive(Debug, Clone, PartialEq)]
pub struct IntentBreaksState {
    strong_share: f64,
    medium_share: f64,
    users: i64,
    active: Vec<f64>,
}

impl IntentBreaksState {
    /// Each share in `(0, 1]`, `strong_share + medium_share <= 1` (SQL defaults 0.2 and 0.4).
    pub fn new(strong_share: f64, medium_share: f64) -> OpsResult<Self> {
        check_share("strong_share", strong_share)?;
        check_share("medium_share", medium_share)?;
        if strong_share + medium_share > 1.0 {
            return Err(OpsError::invalid(format!(
                "intent_breaks: strong_share + medium_share must be at most 1, got {strong_share} + {medium_share}"
            )));
        }
        Ok(IntentBreaksState {
            strong_share,
            medium_share,
            users: 0,
            active: Vec::new(),
        })
    }

    pub fn strong_share(&self) -> f64 {
        self.strong_share
    }

    pub fn medium_share(&self) -> f64 {
        self.medium_share
    }

    /// Errors unless the shares are this state's (they must be the same for every row of a
    /// group).
    pub fn check_shares_same(&self, strong_share: f64, medium_share: f64) -> OpsResult<()> {
        if strong_share == self.strong_share && medium_share == self.medium_share {
            Ok(())
        } else {
            Err(OpsError::invalid(format!(
                "intent_breaks: strong_share and medium_share must be the same for every row of a group, got ({}, {}) and ({strong_share}, {medium_share})",
                self.strong_share, self.medium_share
            )))
        }
    }

    /// Adds one user's score: NULL is skipped (not counted), NaN or infinite is an error.
    pub fn push(&mut self, score: Option<f64>) -> OpsResult<()> {
        let Some(s) = score else { return Ok(()) };
        if !s.is_finite() {
            return Err(OpsError::invalid(format!(
                "intent_breaks: score must be finite, got {s}"
            )));
        }
        self.users = self.users.saturating_add(1);
        if s > 0.0 {
            self.active.push(s);
        }
        Ok(())
    }

    /// The thresholds and tier counts (see [`IntentBreaksState`]).
    pub fn finish(&mut self) -> IntentBreaks {
        self.active.sort_unstable_by(f64::total_cmp);
        let a = &self.active;
        let strong_above = percentile_disc(a, decimal_fraction(1.0 - self.strong_share));
        let medium_above = percentile_disc(
            a,
            decimal_fraction(1.0 - self.strong_share - self.medium_share),
        );
        let above = |t: Option<f64>| t.map_or(0, |t| a.len() - a.partition_point(|x| *x <= t));
        let strong = above(strong_above) as i64;
        let medium = above(medium_above) as i64 - strong;
        let active = a.len() as i64;
        IntentBreaks {
            strong_share: self.strong_share,
            medium_share: self.medium_share,
            strong_above,
            medium_above,
            users: self.users,
            active,
            strong,
            medium,
            weak: active - strong - medium,
            none: self.users - active,
        }
    }
}

impl PartialState for IntentBreaksState {
    /// A parallel leader's own part is handed over as it is (a state of every row).
    fn hand_over_in_process(&self) -> bool {
        true
    }
    /// Combines two partial states; errors when their shares differ.
    fn merge(&mut self, mut other: IntentBreaksState) -> OpsResult<()> {
        self.check_shares_same(other.strong_share, other.medium_share)?;
        self.users = self.users.saturating_add(other.users);
        self.active.append(&mut other.active);
        Ok(())
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(BREAKS_TAG, BREAKS_VERSION);
        w.f64(self.strong_share)
            .f64(self.medium_share)
            .i64(self.users)
            .f64s(&self.active);
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, BREAKS_TAG, BREAKS_VERSION)?;
        let (strong, medium, users) = (r.f64()?, r.f64()?, r.i64()?);
        let active = r.f64s()?;
        r.finish()?;
        let mut s = IntentBreaksState::new(strong, medium)
            .map_err(|e| OpsError::malformed(format!("intent_breaks state: {}", e.message)))?;
        if users < active.len() as i64 || active.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
            return Err(OpsError::malformed("intent_breaks state is inconsistent"));
        }
        s.users = users;
        s.active = active;
        Ok(s)
    }
}

/// The tier of `score` against [`IntentBreaks`]: `'none'` when `score <= 0`, `'strong'`
/// when `score > strong_above`, `'medium'` when `score > medium_above`, else `'weak'`.
///
/// When the breaks come from a population without any active user (`strong_above` is
/// `None`), a positive score is `'weak'`: there is no evidence to call it strong.
/// Errors: NaN score; breaks with only one threshold, a NaN threshold, or
/// `medium_above > strong_above`.
pub fn tier_active(score: f64, b: &IntentBreaks) -> OpsResult<&'static str> {
    check_score(score)?;
    let (strong, medium) = match (b.strong_above, b.medium_above) {
        (Some(s), Some(m)) => {
            if s.is_nan() || m.is_nan() || m > s {
                return Err(OpsError::invalid(format!(
                    "intent_tier breaks must satisfy medium_above <= strong_above, got medium_above {m}, strong_above {s}"
                )));
            }
            (Some(s), m)
        }
        (None, None) => (None, 0.0),
        _ => {
            return Err(OpsError::invalid(
                "intent_tier breaks must have both strong_above and medium_above, or neither",
            ))
        }
    };
    if score <= 0.0 {
        return Ok("none");
    }
    match strong {
        None => Ok("weak"),
        Some(s) => Ok(tier(score, s, medium)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `v` in a pseudo-random order fixed by `seed` (xorshift Fisher-Yates).
    fn shuffled<T: Clone>(v: &[T], seed: u64) -> Vec<T> {
        let mut perm = v.to_vec();
        let mut x = seed | 1;
        for i in (1..perm.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            perm.swap(i, (x % (i as u64 + 1)) as usize);
        }
        perm
    }
    use crate::time::USECS_PER_DAY;
    use proptest::prelude::*;
    use serde_json::json;
    use std::collections::HashMap;

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

        // Five partials: beyond the inline three, onto the heap; the encoding round-trips
        // both forms, and cancelling brings the exact value back.
        let spread = [1e100, 1.0, 1e-100, 1e-200, 1e-300];
        let mut s = ExactSum::new();
        spread.iter().for_each(|x| s.add(*x));
        assert_eq!(s.partials.as_slice(), [1e-300, 1e-200, 1e-100, 1.0, 1e100]);
        assert_eq!(s.value(), 1e100);
        let round_trip = |s: &ExactSum| {
            let mut w = Writer::new(b'T', 1);
            s.write(&mut w);
            let bytes = w.finish();
            let mut r = Reader::new(&bytes, b'T', 1).unwrap();
            ExactSum::read(&mut r).unwrap()
        };
        assert_eq!(round_trip(&s), s);
        let mut small = ExactSum::new();
        small.add(0.5);
        assert_eq!(round_trip(&small), small);
        for x in [1e100, 1e-100, 1e-200, 1e-300] {
            s.add(-x);
        }
        assert_eq!(s.value(), 1.0);
        assert_eq!(s.partials.as_slice(), [1.0]);
        let mut m = ExactSum::new();
        m.add(-1.0);
        m.merge(&s);
        assert_eq!(m.value().to_bits(), 0.0f64.to_bits());
    }

    /// Many weighted names, some longer than the interner takes, split over partial states
    /// that are encoded, decoded and merged: the same score and detail as one state, and
    /// the interner stays bounded.
    #[test]
    fn many_and_long_names_through_partial_states() {
        let names: Vec<String> = (0..5000)
            .map(|i| {
                if i % 7 == 0 {
                    format!("{}-{i}", "long".repeat(20))
                } else {
                    format!("event-{i}")
                }
            })
            .collect();
        let w = IntentWeights::from_entries(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), WeightValue::Number(format!("{}.5", i % 11)))),
        )
        .unwrap();
        let w = Arc::new(w);
        let cfg = IntentConfig::new(AS_OF, 30 * DAY, Some(7 * DAY)).unwrap();
        let mut whole = IntentState::new(cfg, w.clone());
        let mut parts: Vec<IntentState> =
            (0..3).map(|_| IntentState::new(cfg, w.clone())).collect();
        for i in 0..20_000usize {
            let name = &names[(i * 7919) % names.len()];
            let ts = AS_OF - (i as i64 % 29) * DAY - i as i64;
            whole.push(name, ts).unwrap();
            parts[i % 3].push(name, ts).unwrap();
        }
        let mut merged = IntentState::decode(&parts[0].encode()).unwrap();
        for p in &parts[1..] {
            merged
                .merge(IntentState::decode(&p.encode()).unwrap())
                .unwrap();
        }
        assert_eq!(merged.score().to_bits(), whole.score().to_bits());
        assert_eq!(merged.detail(), whole.detail());
        assert!(
            whole.detail().len() > 4096,
            "more names than the interner holds"
        );
        assert!(super::NAMES.with(|n| n.borrow().len()) <= INTERN_MAX);
        assert!(super::NAMES.with(|n| n.borrow().iter().all(|k| k.len() <= INTERN_MAX_LEN)));
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

    // ---- share-based tiers -------------------------------------------------------------

    fn breaks_of(scores: &[Option<f64>], strong: f64, medium: f64) -> IntentBreaks {
        let mut s = IntentBreaksState::new(strong, medium).unwrap();
        for x in scores {
            s.push(*x).unwrap();
        }
        s.finish()
    }

    #[test]
    fn breaks_hand_worked_with_many_zeros_and_ties() {
        // 70 zeros, 20 ones, 6 threes, 4 nines (+ NULLs, not counted).
        let mut scores = vec![Some(0.0); 70];
        scores.extend([Some(1.0); 20]);
        scores.extend([Some(3.0); 6]);
        scores.extend([Some(9.0); 4]);
        scores.extend([None; 5]);
        scores.reverse();
        let b = breaks_of(&scores, 0.2, 0.4);
        // 30 active scores x_1..x_30 = 1 (×20), 3 (×6), 9 (×4).
        // strong_above = percentile_disc(0.8): ceil(0.8 · 30) = 24 → x_24 = 3
        // medium_above = percentile_disc(0.4): ceil(0.4 · 30) = 12 → x_12 = 1
        assert_eq!(
            b,
            IntentBreaks {
                strong_share: 0.2,
                medium_share: 0.4,
                strong_above: Some(3.0),
                medium_above: Some(1.0),
                users: 100,
                active: 30,
                strong: 4, // the nines: 4 ≤ 0.2 · 30 = 6
                medium: 6, // the threes
                weak: 20,  // the ones: a tied block stays together
                none: 70,
            }
        );
        let t = |x: f64| tier_active(x, &b).unwrap();
        assert_eq!(
            [
                t(0.0),
                t(-2.0),
                t(0.5),
                t(1.0),
                t(2.0),
                t(3.0),
                t(3.5),
                t(9.0)
            ],
            ["none", "none", "weak", "weak", "medium", "medium", "strong", "strong"]
        );
        // every score tied: one block, all weak (no tier may exceed its share)
        let b = breaks_of(&[Some(5.0); 10], 0.2, 0.4);
        assert_eq!(
            (
                b.strong_above,
                b.medium_above,
                b.strong,
                b.medium,
                b.weak,
                b.none
            ),
            (Some(5.0), Some(5.0), 0, 0, 10, 0)
        );
        // 1..=10 without ties: strong_above x_8 = 8, medium_above x_4 = 4 → 2 / 4 / 4
        let b = breaks_of(
            &(1..=10).map(|i| Some(f64::from(i))).collect::<Vec<_>>(),
            0.2,
            0.4,
        );
        assert_eq!(
            (b.strong_above, b.medium_above, b.strong, b.medium, b.weak),
            (Some(8.0), Some(4.0), 2, 4, 4)
        );
        // shares summing to 1: medium_above is the smallest active score
        let b = breaks_of(&[Some(2.0), Some(1.0), Some(4.0), Some(3.0)], 0.5, 0.5);
        assert_eq!((b.strong_above, b.medium_above), (Some(2.0), Some(1.0)));
        assert_eq!((b.strong, b.medium, b.weak), (2, 1, 1));
        // one active user: p · 1 rounds up to row 1, the user is weak
        let b = breaks_of(&[Some(0.0), Some(7.0)], 0.2, 0.4);
        assert_eq!(
            (b.strong_above, b.strong, b.weak, b.none),
            (Some(7.0), 0, 1, 1)
        );
    }

    #[test]
    fn breaks_without_active_users() {
        let b = breaks_of(&[Some(0.0), Some(-1.0), None], 0.2, 0.4);
        assert_eq!(
            (b.strong_above, b.medium_above, b.users, b.active, b.none),
            (None, None, 2, 0, 2)
        );
        assert_eq!((b.strong, b.medium, b.weak), (0, 0, 0));
        assert_eq!(tier_active(0.0, &b).unwrap(), "none");
        assert_eq!(tier_active(5.0, &b).unwrap(), "weak");
        let b = breaks_of(&[], 0.2, 0.4);
        assert_eq!((b.users, b.strong_above), (0, None));
    }

    #[test]
    fn breaks_errors() {
        let e = IntentBreaksState::new(0.0, 0.4).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidParameter);
        assert_eq!(
            e.message,
            "intent_breaks: strong_share must be in (0, 1], got 0"
        );
        for (s, m, word) in [
            (1.5, 0.1, "1.5"),
            (f64::NAN, 0.1, "NaN"),
            (0.2, -0.4, "medium_share"),
            (0.2, f64::INFINITY, "inf"),
            (0.7, 0.4, "0.7 + 0.4"),
        ] {
            let m = IntentBreaksState::new(s, m).unwrap_err().message;
            assert!(m.contains(word), "{m}");
        }
        assert!(IntentBreaksState::new(1.0, 0.0).is_err());
        assert!(IntentBreaksState::new(0.5, 0.5).is_ok());
        let mut s = IntentBreaksState::new(0.2, 0.4).unwrap();
        assert!(s
            .push(Some(f64::NAN))
            .unwrap_err()
            .message
            .contains("got NaN"));
        assert!(s
            .push(Some(f64::NEG_INFINITY))
            .unwrap_err()
            .message
            .contains("got -inf"));
        let e = s
            .merge(IntentBreaksState::new(0.1, 0.4).unwrap())
            .unwrap_err();
        assert!(e.message.contains("must be the same"), "{}", e.message);
        let b = breaks_of(&[Some(1.0)], 0.2, 0.4);
        assert!(tier_active(f64::NAN, &b).is_err());
        let bad = IntentBreaks {
            medium_above: None,
            ..b.clone()
        };
        assert!(tier_active(1.0, &bad).is_err());
        let bad = IntentBreaks {
            medium_above: Some(2.0),
            ..b
        };
        assert!(tier_active(1.0, &bad)
            .unwrap_err()
            .message
            .contains("medium_above 2"));
        // codec: round trip, prefixes, wrong tag, inconsistent contents
        s.push(Some(2.0)).unwrap();
        s.push(Some(0.0)).unwrap();
        let bytes = s.encode();
        assert_eq!(IntentBreaksState::decode(&bytes).unwrap(), s);
        for n in 0..bytes.len() {
            assert!(IntentBreaksState::decode(&bytes[..n]).is_err());
        }
        let mut w = Writer::new(BREAKS_TAG, BREAKS_VERSION);
        w.f64(0.2).f64(0.4).i64(0).f64s(&[1.0]);
        assert!(IntentBreaksState::decode(&w.finish()).is_err());
        let mut w = Writer::new(BREAKS_TAG, BREAKS_VERSION);
        w.f64(0.9).f64(0.4).i64(0).f64s(&[]);
        assert!(IntentBreaksState::decode(&w.finish()).is_err());
    }

    // ---- reset rule ------------------------------------------------------------------

    fn invest() -> Arc<IntentWeights> {
        Arc::new(IntentWeights::from_json(&json!({"view": 1, "detail": 2, "pay": 8})).unwrap())
    }

    fn rule(events: &[&str], factor: f64) -> Arc<ResetRule> {
        Arc::new(ResetRule::new(events.iter().map(|e| e.to_string()).collect(), factor).unwrap())
    }

    fn reset_state(factor: f64, half_life_days: Option<i64>) -> IntentState {
        let cfg = IntentConfig::new(AS_OF, 30 * DAY, half_life_days.map(|h| h * DAY)).unwrap();
        IntentState::with_reset(cfg, invest(), Some(rule(&["pay", "refund"], factor)))
    }

    #[test]
    fn reset_hand_worked() {
        let events = [
            ("view", AS_OF - 5 * DAY),
            ("detail", AS_OF - 4 * DAY),
            ("pay", AS_OF - 3 * DAY),
            ("view", AS_OF - DAY),
        ];
        let run = |factor: f64, order: &[usize]| {
            let mut s = reset_state(factor, None);
            for &i in order {
                s.push(events[i].0, events[i].1).unwrap();
            }
            s
        };
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1], [3, 0, 1, 2]] {
            // factor 0: only the view after the pay counts
            assert_eq!(run(0.0, &order).score(), 1.0);
            // factor 0.5: 0.5 · (1 + 2 + 8) + 1
            let s = run(0.5, &order);
            assert_eq!(s.score(), 6.5);
            assert_eq!(
                s.detail(),
                vec![
                    ("pay".to_string(), 1, 4.0),
                    ("view".to_string(), 2, 1.5),
                    ("detail".to_string(), 1, 1.0),
                ]
            );
            // factor 1 is the plain score
            assert_eq!(run(1.0, &order).score(), 12.0);
        }
        let d = run(0.0, &[0, 1, 2, 3]).detail();
        assert_eq!(d[0], ("view".to_string(), 2, 1.0));
        assert_eq!(d[1].2.to_bits(), 0.0f64.to_bits());
        // without a reset event in the window: unchanged
        let mut s = reset_state(0.0, None);
        s.push("pay", AS_OF - 30 * DAY).unwrap(); // outside the window (start is exclusive)
        s.push("pay", AS_OF + 1).unwrap(); // after as_of
        s.push("view", AS_OF - 2 * DAY).unwrap();
        s.push("detail", AS_OF - DAY).unwrap();
        assert_eq!(s.score(), 3.0);
        // no rule at all: with_reset(None) is new
        let cfg = IntentConfig::new(AS_OF, 30 * DAY, None).unwrap();
        let mut plain = IntentState::with_reset(cfg, invest(), None);
        for (e, ts) in events {
            plain.push(e, ts).unwrap();
        }
        assert_eq!(plain.score(), 12.0);
        assert_eq!(plain.encode()[..2], [b'I', 4]);
    }

    #[test]
    fn reset_ties_unweighted_reset_events_and_decay() {
        // an event at exactly T counts as before the reset
        let mut s = reset_state(0.0, None);
        s.push("view", AS_OF - DAY).unwrap();
        s.push("detail", AS_OF - 2 * DAY).unwrap();
        s.push("pay", AS_OF - DAY).unwrap();
        s.push("view", AS_OF - DAY + 1).unwrap();
        assert_eq!(s.score(), 1.0);
        // "refund" has no weight but is a reset event: it moves T all the same
        let mut s = reset_state(0.25, None);
        s.push("pay", AS_OF - 10 * DAY).unwrap();
        s.push("view", AS_OF - 3 * DAY).unwrap();
        s.push("refund", AS_OF - 2 * DAY).unwrap();
        s.push("detail", AS_OF).unwrap();
        assert_eq!(s.score(), 0.25 * (8.0 + 1.0) + 2.0);
        assert_eq!(
            s.detail(),
            vec![
                ("detail".to_string(), 1, 2.0),
                ("pay".to_string(), 1, 2.0),
                ("view".to_string(), 1, 0.25),
            ]
        );
        // decay then factor: pay one half-life old 8 · 0.5 · 0.5, view at as_of in full
        let mut s = reset_state(0.5, Some(7));
        s.push("view", AS_OF).unwrap();
        s.push("pay", AS_OF - 7 * DAY).unwrap();
        s.push("view", AS_OF - 14 * DAY).unwrap();
        assert_eq!(s.score(), 2.0 + 1.0 + 0.125);
        // a reset event outside the window does not reset
        let mut s = reset_state(0.0, None);
        s.push("refund", AS_OF - 40 * DAY).unwrap();
        s.push("view", AS_OF - 2 * DAY).unwrap();
        assert_eq!(s.score(), 1.0);
    }

    #[test]
    fn reset_rule_errors() {
        let new = |e: &[&str], f: f64| {
            ResetRule::new(e.iter().map(|s| s.to_string()).collect(), f).map(|_| ())
        };
        assert!(new(&[], 0.0)
            .unwrap_err()
            .message
            .contains("must not be empty"));
        assert!(new(&["pay", ""], 0.0)
            .unwrap_err()
            .message
            .contains("names"));
        for f in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
            let e = new(&["pay"], f).unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::InvalidParameter);
            assert!(e.message.contains(&format!("got {f}")), "{}", e.message);
        }
        assert!(new(&["pay"], 0.0).is_ok() && new(&["pay"], 1.0).is_ok());
        // order and duplicates do not matter
        let a = ResetRule::new(vec!["pay".into(), "refund".into(), "pay".into()], 0.5).unwrap();
        let b = ResetRule::new(vec!["refund".into(), "pay".into()], 0.5).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.events(), ["pay".to_string(), "refund".to_string()]);
        assert_eq!(
            (a.factor(), a.is_reset("pay"), a.is_reset("view")),
            (0.5, true, false)
        );
    }

    #[test]
    fn config_must_be_the_same_for_every_row() {
        let cfg = IntentConfig::new(AS_OF, 30 * DAY, None).unwrap();
        let w = invest();
        let r = rule(&["pay"], 0.0);
        let s = IntentState::with_reset(cfg, w.clone(), Some(r.clone()));
        s.check_same(&cfg, &w, Some(&r)).unwrap();
        s.check_same(&cfg, &invest(), Some(&rule(&["pay"], 0.0)))
            .unwrap();
        let other = IntentConfig::new(AS_OF + DAY, 30 * DAY, None).unwrap();
        let e = s.check_same(&other, &w, Some(&r)).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidParameter);
        assert_eq!(
            e.message,
            "as_of, weights, lookback, half_life and the reset rule must be the same for every \
             row of a group, got as_of 2002-09-27 00:00:00+00 and 2002-09-28 00:00:00+00"
        );
        let msg = "as_of, weights, lookback, half_life and the reset rule must be the same for every row of a group";
        let longer = IntentConfig::new(AS_OF, 31 * DAY, None).unwrap();
        let decayed = IntentConfig::new(AS_OF, 30 * DAY, Some(DAY)).unwrap();
        for c in [longer, decayed] {
            assert_eq!(s.check_same(&c, &w, Some(&r)).unwrap_err().message, msg);
        }
        let w2 = IntentWeights::from_json(&json!({"view": 1, "pay": 8})).unwrap();
        assert_eq!(s.check_same(&cfg, &w2, Some(&r)).unwrap_err().message, msg);
        assert!(s.check_same(&cfg, &w, None).is_err());
        assert!(s.check_same(&cfg, &w, Some(&rule(&["pay"], 0.5))).is_err());
        assert!(s
            .check_same(&cfg, &w, Some(&rule(&["refund"], 0.0)))
            .is_err());
        let plain = IntentState::new(cfg, w.clone());
        assert!(plain.check_same(&cfg, &w, None).is_ok());
        assert!(plain.check_same(&cfg, &w, Some(&r)).is_err());

        // merge uses the same check; decoded states carry no weights, so those are not compared
        let merge = |mut a: IntentState, b: IntentState| a.merge(b).map(|_| a.score());
        let mk = |c: IntentConfig, w: &Arc<IntentWeights>, r: Option<Arc<ResetRule>>| {
            let mut s = IntentState::with_reset(c, w.clone(), r);
            s.push("view", AS_OF).unwrap();
            s
        };
        assert_eq!(
            merge(mk(cfg, &w, Some(r.clone())), mk(cfg, &w, Some(r.clone()))),
            Ok(2.0)
        );
        let e = merge(mk(cfg, &w, None), mk(other, &w, None)).unwrap_err();
        assert!(e.message.contains("got as_of"), "{}", e.message);
        let dec = |s: IntentState| IntentState::decode(&s.encode()).unwrap();
        assert!(merge(mk(cfg, &w, None), dec(mk(other, &w, None))).is_err());
        assert!(merge(dec(mk(cfg, &w, None)), dec(mk(other, &w, None))).is_err());
        assert!(merge(mk(cfg, &w, None), mk(cfg, &w, Some(r.clone()))).is_err());
        assert!(merge(mk(cfg, &w, Some(r.clone())), dec(mk(cfg, &w, None))).is_err());
        assert!(merge(
            mk(cfg, &w, Some(r.clone())),
            dec(mk(cfg, &w, Some(rule(&["pay"], 1.0))))
        )
        .is_err());
        let w2 = Arc::new(w2);
        assert!(merge(mk(cfg, &w, None), mk(cfg, &w2, None)).is_err());
        // partial states cross workers without their weights, but with their fingerprint
        assert!(merge(mk(cfg, &w, None), dec(mk(cfg, &w2, None))).is_err());
        assert!(merge(dec(mk(cfg, &w, None)), mk(cfg, &w2, None)).is_err());
        assert!(merge(dec(mk(cfg, &w, None)), dec(mk(cfg, &w2, None))).is_err());
        assert_eq!(
            merge(dec(mk(cfg, &w, None)), dec(mk(cfg, &w, None))),
            Ok(2.0)
        );
    }

    #[test]
    fn weights_fingerprint_is_stable_and_tells_weights_apart() {
        let a = IntentWeights::from_json(&json!({"view": 1, "pay": 8})).unwrap();
        let b = IntentWeights::from_json(&json!({"pay": 8.0, "view": 1.0})).unwrap();
        let c = IntentWeights::from_json(&json!({"pay": 8, "view": 2})).unwrap();
        let d = IntentWeights::from_json(&json!({"pay": 8, "view": 1, "x": "bad"})).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert_ne!(a.fingerprint(), d.fingerprint());
        // fixed across processes (no random hasher): FNV-1a of the empty input
        assert_eq!(
            IntentWeights::default().fingerprint(),
            0xcbf2_9ce4_8422_2325
        );
    }

    #[test]
    fn encoding_layout() {
        // as_of, lookback, weights fingerprint, half_life flag, one event: "view", count 2,
        // sum {special 0, [2.0]}
        let cfg = IntentConfig::new(AS_OF, 30 * DAY, None).unwrap();
        let mut s = IntentState::new(cfg, invest());
        s.push("view", AS_OF).unwrap();
        s.push("view", AS_OF - DAY).unwrap();
        let mut want = vec![b'I', 4];
        want.extend(AS_OF.to_le_bytes());
        want.extend((30 * DAY).to_le_bytes());
        want.extend(s.weights.fingerprint().to_le_bytes());
        want.push(0);
        want.extend(1u64.to_le_bytes());
        want.extend(4u64.to_le_bytes());
        want.extend(b"view");
        want.extend(2i64.to_le_bytes());
        want.extend(0f64.to_le_bytes());
        want.extend(1u64.to_le_bytes());
        want.extend(2f64.to_le_bytes());
        assert_eq!(s.encode(), want);
        let back = IntentState::decode(&want).unwrap();
        assert_eq!((back.score(), back.reset_rule()), (2.0, None));
        // with a reset rule: version 5; every strict prefix is malformed
        let mut s = reset_state(0.5, Some(3));
        for (e, d) in [("view", 5), ("pay", 3), ("detail", 1), ("view", 0)] {
            s.push(e, AS_OF - d * DAY).unwrap();
        }
        let bytes = s.encode();
        assert_eq!(bytes[..2], [b'I', 5]);
        let back = IntentState::decode(&bytes).unwrap();
        assert_eq!(
            (back.score().to_bits(), back.detail(), back.reset_rule()),
            (s.score().to_bits(), s.detail(), s.reset_rule())
        );
        for n in 0..bytes.len() {
            assert_eq!(
                IntentState::decode(&bytes[..n]).unwrap_err().kind,
                crate::error::ErrorKind::Malformed
            );
        }
        let mut other = bytes.clone();
        other[1] = 4;
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
            let perm = shuffled(&events, seed);
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
        fn breaks_match_naive_percentile_disc_and_respect_shares(
            scores in prop::collection::vec(prop::option::of(prop_oneof![
                Just(0.0), -3.0f64..0.0, (1u8..8).prop_map(f64::from), 0.001f64..100.0,
            ]), 0..120),
            strong in 1u32..=20,
            medium in 0u32..=20,
            split in any::<prop::sample::Index>(),
            seed in any::<u64>(),
        ) {
            let strong_share = f64::from(strong) / 20.0;
            let medium_share = (f64::from(medium.min(20 - strong)) / 20.0).max(0.05);
            prop_assume!(strong_share + medium_share <= 1.0);
            let mut one = IntentBreaksState::new(strong_share, medium_share).unwrap();
            scores.iter().for_each(|s| one.push(*s).unwrap());
            let b = one.finish();
            // naive percentile_disc: the first row i (1-based) with i >= p · n
            let mut active: Vec<f64> = scores.iter().flatten().copied().filter(|s| *s > 0.0).collect();
            active.sort_by(f64::total_cmp);
            let n = active.len();
            let naive = |p: f64| (1..=n).find(|&i| i as f64 >= p * n as f64).map(|i| active[i - 1]).or(active.first().copied());
            // the fractions as decimals (12 places), as an analyst writes them
            let dec = |p: f64| (p * 1e12).round() / 1e12;
            prop_assert_eq!(b.strong_above, naive(dec(1.0 - strong_share)));
            prop_assert_eq!(b.medium_above, naive(dec(1.0 - strong_share - medium_share)));
            prop_assert_eq!(b.users, scores.iter().flatten().count() as i64);
            prop_assert_eq!(b.active, n as i64);
            // tiers never exceed their share (up to the rounding percentile_disc does)
            let cap = |share: f64| (share * n as f64 + 1e-9).floor() as i64;
            prop_assert!(b.strong <= cap(strong_share), "{:?}", b);
            prop_assert!(b.strong + b.medium <= cap(strong_share + medium_share), "{:?}", b);
            // the counts are what tier_active gives each user
            let mut count: HashMap<&str, i64> = HashMap::new();
            for s in scores.iter().flatten() {
                *count.entry(tier_active(*s, &b).unwrap()).or_default() += 1;
            }
            let got = |t: &str| count.get(t).copied().unwrap_or(0);
            prop_assert_eq!((got("strong"), got("medium"), got("weak"), got("none")), (b.strong, b.medium, b.weak, b.none));
            // permuted, split, encoded and merged: the same
            let mut perm = scores.clone();
            let mut x = seed | 1;
            for i in (1..perm.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                perm.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let (p, q) = perm.split_at(split.index(perm.len() + 1));
            let mut a = IntentBreaksState::new(strong_share, medium_share).unwrap();
            let mut c = IntentBreaksState::new(strong_share, medium_share).unwrap();
            p.iter().for_each(|s| a.push(*s).unwrap());
            q.iter().for_each(|s| c.push(*s).unwrap());
            let mut a = IntentBreaksState::decode(&a.encode()).unwrap();
            a.merge(IntentBreaksState::decode(&c.encode()).unwrap()).unwrap();
            prop_assert_eq!(a.finish(), b);
        }

        #[test]
        fn reset_matches_oracle_and_is_order_and_split_independent(
            events in prop::collection::vec((0usize..5, -35 * DAY..2 * DAY), 0..80),
            factor_pick in 0usize..4,
            half_life in prop::option::of(DAY..10 * DAY),
            split in 0usize..80,
            seed in any::<u64>(),
        ) {
            const RNAMES: [&str; 5] = ["view", "detail", "pay", "refund", "other"];
            let factor = [0.0, 0.5, 0.3, 1.0][factor_pick];
            let cfg = IntentConfig::new(AS_OF, 30 * DAY, half_life).unwrap();
            let w = invest();
            let r = rule(&["pay", "refund"], factor);
            let fresh = || IntentState::with_reset(cfg, w.clone(), Some(r.clone()));
            let mut whole = fresh();
            for (e, d) in &events { whole.push(RNAMES[*e], AS_OF + d).unwrap(); }
            // oracle
            let in_win: Vec<(&str, i64)> = events.iter().map(|(e, d)| (RNAMES[*e], AS_OF + d)).filter(|(_, ts)| cfg.in_window(*ts)).collect();
            let t = in_win.iter().filter(|(e, _)| *e == "pay" || *e == "refund").map(|(_, ts)| *ts).max();
            let mut want = ExactSum::new();
            for (e, ts) in &in_win {
                if let Some(wt) = w.get(e) {
                    let c = if half_life.is_some() { wt * cfg.decay(*ts) } else { wt };
                    want.add(if t.is_some_and(|t| *ts <= t) { c * factor } else { c });
                }
            }
            prop_assert_eq!(whole.score().to_bits(), want.value().to_bits());
            if t.is_none() || factor == 1.0 {
                let mut plain = IntentState::new(cfg, w.clone());
                for (e, d) in &events { plain.push(RNAMES[*e], AS_OF + d).unwrap(); }
                prop_assert_eq!(plain.score().to_bits(), whole.score().to_bits());
            }
            // permuted, split, encoded, merged
            let perm = shuffled(&events, seed);
            let split = split.min(perm.len());
            let mut a = fresh();
            let mut b = fresh();
            for (e, d) in &perm[..split] { a.push(RNAMES[*e], AS_OF + d).unwrap(); }
            for (e, d) in &perm[split..] { b.push(RNAMES[*e], AS_OF + d).unwrap(); }
            let b = IntentState::decode(&b.encode()).unwrap();
            let mut a2 = IntentState::decode(&a.encode()).unwrap();
            a2.merge(b.clone()).unwrap();
            a.merge(b).unwrap();
            let bits = |d: Vec<(String, i64, f64)>| d.into_iter().map(|(n, c, v)| (n, c, v.to_bits())).collect::<Vec<_>>();
            for m in [&a, &a2] {
                prop_assert_eq!(m.score().to_bits(), whole.score().to_bits());
                prop_assert_eq!(bits(m.detail()), bits(whole.detail()));
            }
            prop_assert_eq!(a.reset_rule(), Some(&*r));
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
