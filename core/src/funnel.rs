//! Funnels (`window_funnel`, `funnel_step_rates`): how deep each user gets into an ordered
//! sequence of steps within a time window, and the step-by-step conversion of a population.
//!
//! See `../shared/API.md`, "1. Funnels".
//!
//! # Semantics: the deepest step reachable by any chain
//!
//! Each input row `(ts, mask)` is expanded into one event `(ts, step)` per step it matches
//! (steps are 1-based; a row matching steps 1 and 2 yields both events), plus `(ts, 0)` for a
//! row matching nothing when the mode is `strict_order`. Events are ordered by `(ts, step)`.
//!
//! A *chain* is anchored at a step-1 event. From the anchor it walks forward through the later
//! events while `ts <= anchor + window` (saturating at the infinities); with `L` its current
//! level (1 at the anchor):
//! - an event of step `L + 1` extends it (with `strict_increase` only if its timestamp is
//!   greater than the chain's last matched timestamp; otherwise the event is just skipped);
//! - with `strict_order` any other event (a row matching no step, a step `<= L` including
//!   another step-1 event, or a step `> L + 1`) ends the chain;
//! - with `strict_deduplication` an event of a step `2..=L` (already matched by the chain) ends
//!   it; another step-1 event does not;
//! - every other event is skipped.
//!
//! A user's level is the maximum level over all anchors (0 without a step-1 event).
//!
//! # Where ClickHouse `windowFunnel` differs
//!
//! ClickHouse keeps a single `(first, last)` timestamp pair per level and updates it greedily.
//! In default mode that greedy is exact (the latest anchor that reached a level dominates every
//! earlier one), and [`deepest_level`] uses it. In the strict modes it mixes chains:
//! - `strict_increase` with ties (window 10, `A@0 A@5 B@5`): the anchor `A@5` overwrites
//!   `A@0`, and `B@5` is not later than it, so ClickHouse answers 1; the chain `A@0 → B@5`
//!   reaches 2.
//! - `strict_deduplication` (`A@0 B@1 A@2 B@3 C@4`): ClickHouse stops at the repeated `B@3`
//!   and returns the previous event's step (1; newer releases return the level so far, 2);
//!   the chain anchored at `A@2` reaches 3.
//! - `strict_order` (`A@0 B@1 A@2 C@3`): ClickHouse restarts level 1 at `A@2` but keeps level 2
//!   from `A@0`, so `C@3` yields 3; no single chain has `A → B → C` without an interruption,
//!   so the answer is 2.
//!
//! `tests/funnel_oracle.py` holds a literal implementation of these rules and a port of the
//! ClickHouse algorithm, for differential tests.

use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::quantile::{percentile_cont_sorted, pg_float_cmp};
use crate::stats::{wilson, z_for_confidence};
use crate::time::{add_saturating, is_infinite, seconds_between};
use hashbrown::HashMap;
use std::hash::Hash;
use std::ops::ControlFlow;

/// Most steps a funnel may have (one bit per step in a `u64` mask).
pub const MAX_STEPS: usize = 64;

const KNOWN_MODES: &str = "default, strict_order, strict_deduplication, strict_increase";

/// The `mode` argument: which strictness rules apply (see the module documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FunnelMode {
    pub strict_order: bool,
    pub strict_deduplication: bool,
    pub strict_increase: bool,
}

impl FunnelMode {
    /// Parses `'default'`, a single mode, or a comma-separated combination such as
    /// `'strict_order, strict_increase'` (case and surrounding whitespace are ignored).
    pub fn parse(text: &str) -> OpsResult<FunnelMode> {
        let mut mode = FunnelMode::default();
        for part in text.split(',').map(str::trim) {
            match part.to_ascii_lowercase().as_str() {
                "default" => {}
                "strict_order" => mode.strict_order = true,
                "strict_deduplication" => mode.strict_deduplication = true,
                "strict_increase" => mode.strict_increase = true,
                _ => {
                    return Err(OpsError::invalid(format!(
                        "unknown funnel mode '{part}'; known modes are {KNOWN_MODES} \
                         (or a comma-separated combination)"
                    )))
                }
            }
        }
        Ok(mode)
    }

    fn to_bits(self) -> u8 {
        self.strict_order as u8
            | (self.strict_deduplication as u8) << 1
            | (self.strict_increase as u8) << 2
    }

    fn from_bits(bits: u8) -> OpsResult<FunnelMode> {
        if bits > 0b111 {
            return Err(OpsError::malformed(format!(
                "aggregate state holds funnel mode {bits}"
            )));
        }
        Ok(FunnelMode {
            strict_order: bits & 1 != 0,
            strict_deduplication: bits & 2 != 0,
            strict_increase: bits & 4 != 0,
        })
    }
}

/// Rejects a step count outside `1..=MAX_STEPS`.
fn check_nsteps(nsteps: usize) -> OpsResult<()> {
    if nsteps == 0 {
        return Err(OpsError::invalid("a funnel needs at least one step, got 0"));
    }
    if nsteps > MAX_STEPS {
        return Err(OpsError::limit(format!(
            "funnel has {nsteps} steps; at most {MAX_STEPS} are supported"
        )));
    }
    Ok(())
}

/// The mask with the lowest `n` bits set (`n <= 64`).
fn low_bits(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// Everything that decides a user's level: step count, window (microseconds) and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunnelConfig {
    pub nsteps: usize,
    pub window: i64,
    pub mode: FunnelMode,
}

impl FunnelConfig {
    pub fn new(nsteps: usize, window: i64, mode: FunnelMode) -> OpsResult<FunnelConfig> {
        check_nsteps(nsteps)?;
        if window <= 0 {
            return Err(OpsError::invalid(format!(
                "funnel window must be positive, got {window} microseconds"
            )));
        }
        Ok(FunnelConfig {
            nsteps,
            window,
            mode,
        })
    }

    /// The mask of the funnel's steps; bits above `nsteps` are ignored everywhere.
    pub fn step_bits(&self) -> u64 {
        low_bits(self.nsteps)
    }

    fn write(&self, w: &mut Writer) {
        w.u8(self.nsteps as u8)
            .i64(self.window)
            .u8(self.mode.to_bits());
    }

    fn read(r: &mut Reader) -> OpsResult<FunnelConfig> {
        let (nsteps, window, bits) = (r.u8()? as usize, r.i64()?, r.u8()?);
        FunnelConfig::new(nsteps, window, FunnelMode::from_bits(bits)?).map_err(|e| {
            OpsError::malformed(format!("aggregate state holds a bad funnel: {}", e.message))
        })
    }
}

/// Maps an event name to the mask of the steps it matches (the event-name form). A name may
/// appear at several steps. Built once per group.
#[derive(Debug, Clone, PartialEq)]
pub struct StepMatcher {
    masks: HashMap<String, u64>,
}

impl StepMatcher {
    pub fn new(steps: &[String]) -> OpsResult<StepMatcher> {
        check_nsteps(steps.len())?;
        let mut masks: HashMap<String, u64> = HashMap::with_capacity(steps.len());
        for (i, name) in steps.iter().enumerate() {
            *masks.entry(name.clone()).or_default() |= 1u64 << i;
        }
        Ok(StepMatcher { masks })
    }

    /// The steps `event` matches (0 when none).
    pub fn mask(&self, event: &str) -> u64 {
        self.masks.get(event).copied().unwrap_or(0)
    }
}

/// The mask of a `conds bool[]` row: bit `i` set iff `conds[i]` is true (NULL counts as
/// false). Conditions beyond the 64th are ignored (the caller rejects such arrays).
pub fn mask_from_conds(conds: &[Option<bool>]) -> u64 {
    conds
        .iter()
        .take(MAX_STEPS)
        .enumerate()
        .filter(|(_, c)| **c == Some(true))
        .fold(0, |mask, (i, _)| mask | 1u64 << i)
}

/// Whether a row with `mask` must be kept: rows matching no step matter only in
/// `strict_order`, where they break chains.
pub fn keeps(mode: FunnelMode, mask: u64) -> bool {
    mask != 0 || mode.strict_order
}

// ---------------------------------------------------------------------------------------
// The event stream
// ---------------------------------------------------------------------------------------

/// Calls `f(ts, step)` for every event of `rows` (which must be sorted by timestamp) in
/// `(ts, step)` order, until `f` breaks. Step 0 stands for a row matching no step of `steps`.
/// The order of rows sharing a timestamp does not matter, so neither does the input order.
fn for_each_event(
    rows: &[(i64, u64)],
    steps: u64,
    mut f: impl FnMut(i64, usize) -> ControlFlow<()>,
) {
    for group in rows.chunk_by(|a, b| a.0 == b.0) {
        if emit_group(group, steps, &mut f).is_break() {
            return;
        }
    }
}

/// The events of rows sharing one timestamp, by step.
fn emit_group(
    group: &[(i64, u64)],
    steps: u64,
    f: &mut impl FnMut(i64, usize) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let ts = group[0].0;
    for _ in group.iter().filter(|r| r.1 & steps == 0) {
        f(ts, 0)?;
    }
    let mut pending = group.iter().fold(0, |acc, r| acc | r.1) & steps;
    while pending != 0 {
        let bit = pending.trailing_zeros();
        pending &= pending - 1;
        for _ in group.iter().filter(|r| r.1 >> bit & 1 == 1) {
            f(ts, bit as usize + 1)?;
        }
    }
    ControlFlow::Continue(())
}

// ---------------------------------------------------------------------------------------
// Deepest level
// ---------------------------------------------------------------------------------------

/// The deepest level found so far and the latest anchor of a chain reaching it.
#[derive(Debug, Default, Clone, Copy)]
struct Best {
    level: usize,
    anchor: i64,
}

impl Best {
    fn reach(&mut self, level: usize, anchor: i64) {
        if level > self.level || (level == self.level && anchor >= self.anchor) {
            *self = Best { level, anchor };
        }
    }
}

/// One chain walking the events (the literal rules of the module documentation).
#[derive(Debug, Clone, Copy)]
struct Chain {
    anchor: i64,
    end: i64,
    level: usize,
    last: i64,
}

/// What an event does to a chain.
#[derive(Debug, PartialEq, Eq)]
enum Walk {
    Extended,
    Skipped,
    Ended,
}

impl Chain {
    fn start(anchor: i64, cfg: &FunnelConfig) -> Chain {
        Chain {
            anchor,
            end: add_saturating(anchor, cfg.window),
            level: 1,
            last: anchor,
        }
    }

    fn offer(&mut self, ts: i64, step: usize, mode: FunnelMode) -> Walk {
        if ts > self.end {
            return Walk::Ended;
        }
        if step == self.level + 1 {
            if mode.strict_increase && ts <= self.last {
                return Walk::Skipped;
            }
            self.level = step;
            self.last = ts;
            return Walk::Extended;
        }
        let repeated = (2..=self.level).contains(&step);
        if mode.strict_order || (mode.strict_deduplication && repeated) {
            Walk::Ended
        } else {
            Walk::Skipped
        }
    }
}

/// Latest anchor per level among a set of live chains (index = level - 1).
#[derive(Clone, Copy)]
struct Slots {
    anchor: [i64; MAX_STEPS],
    live: u64,
}

impl Slots {
    fn new() -> Slots {
        Slots {
            anchor: [0; MAX_STEPS],
            live: 0,
        }
    }

    fn get(&self, level: usize) -> Option<i64> {
        (self.live >> (level - 1) & 1 == 1).then(|| self.anchor[level - 1])
    }

    /// Adds a chain, keeping the latest anchor.
    fn put(&mut self, level: usize, anchor: i64) {
        let slot = &mut self.anchor[level - 1];
        *slot = if self.live >> (level - 1) & 1 == 1 {
            (*slot).max(anchor)
        } else {
            anchor
        };
        self.live |= 1 << (level - 1);
    }

    fn clear(&mut self, level: usize) {
        self.live &= !(1 << (level - 1));
    }

    /// Drops every chain at `level` or deeper.
    fn clear_from(&mut self, level: usize) {
        self.live &= low_bits(level - 1);
    }

    /// Moves all of `other`'s chains here.
    fn absorb(&mut self, other: &mut Slots) {
        let mut live = other.live;
        while live != 0 {
            let level = live.trailing_zeros() as usize + 1;
            live &= live - 1;
            self.put(level, other.anchor[level - 1]);
        }
        other.live = 0;
    }
}

/// Every mode but `strict_order`, in one pass: O(events) with bit tricks, O(events · steps)
/// at worst.
///
/// Two live chains at the same level whose last matched timestamps are both before the
/// current event behave identically from then on, except that the later anchor's window
/// lasts longer: it dominates, so one anchor per level suffices (`settled`). Under
/// `strict_increase`, chains extended at the current timestamp cannot be extended again at
/// that timestamp, so they wait in `fresh` until the timestamp changes. An extended chain
/// leaves its level; under `strict_deduplication` a step-`s` event kills every chain at level
/// `s` or deeper. Without the strict modes this is exactly ClickHouse's greedy algorithm.
struct Greedy<'a> {
    cfg: &'a FunnelConfig,
    settled: Slots,
    fresh: Slots,
    group_ts: Option<i64>,
    best: Best,
}

impl<'a> Greedy<'a> {
    fn new(cfg: &'a FunnelConfig) -> Self {
        Greedy {
            cfg,
            settled: Slots::new(),
            fresh: Slots::new(),
            group_ts: None,
            best: Best::default(),
        }
    }

    fn offer(&mut self, ts: i64, step: usize) {
        if self.group_ts != Some(ts) {
            self.settled.absorb(&mut self.fresh);
            self.group_ts = Some(ts);
        }
        match step {
            0 => {}
            1 => self.arrive(1, ts),
            _ => self.advance(ts, step),
        }
    }

    fn advance(&mut self, ts: i64, step: usize) {
        let source = self.settled.get(step - 1);
        if self.cfg.mode.strict_deduplication {
            self.settled.clear_from(step);
            self.fresh.clear_from(step);
        }
        if let Some(anchor) = source.filter(|&a| ts <= add_saturating(a, self.cfg.window)) {
            self.settled.clear(step - 1);
            self.arrive(step, anchor);
        }
    }

    fn arrive(&mut self, level: usize, anchor: i64) {
        if self.cfg.mode.strict_increase {
            self.fresh.put(level, anchor);
        } else {
            self.settled.put(level, anchor);
        }
        self.best.reach(level, anchor);
    }
}

fn greedy_scan(rows: &[(i64, u64)], cfg: &FunnelConfig, early_exit: bool) -> Best {
    let mut greedy = Greedy::new(cfg);
    for_each_event(rows, cfg.step_bits(), |ts, step| {
        greedy.offer(ts, step);
        done(&greedy.best, cfg, early_exit)
    });
    greedy.best
}

/// `strict_order`: every step-1 event ends the previous chain, so the per-anchor walks are
/// disjoint and one pass with one live chain does them all.
fn strict_order_scan(rows: &[(i64, u64)], cfg: &FunnelConfig, early_exit: bool) -> Best {
    let mut best = Best::default();
    let mut chain: Option<Chain> = None;
    for_each_event(rows, cfg.step_bits(), |ts, step| {
        if let Some(c) = chain.as_mut() {
            match c.offer(ts, step, cfg.mode) {
                Walk::Extended => best.reach(c.level, c.anchor),
                Walk::Skipped => {}
                Walk::Ended => chain = None,
            }
        }
        if step == 1 {
            chain = Some(Chain::start(ts, cfg));
            best.reach(1, ts);
        }
        done(&best, cfg, early_exit)
    });
    best
}

fn done(best: &Best, cfg: &FunnelConfig, early_exit: bool) -> ControlFlow<()> {
    if early_exit && best.level == cfg.nsteps {
        ControlFlow::Break(())
    } else {
        ControlFlow::Continue(())
    }
}

/// Sorts the rows by timestamp and finds the deepest level with its latest anchor.
fn scan(rows: &mut [(i64, u64)], cfg: &FunnelConfig, early_exit: bool) -> Best {
    rows.sort_unstable_by_key(|r| r.0);
    if cfg.mode.strict_order {
        strict_order_scan(rows, cfg, early_exit)
    } else {
        greedy_scan(rows, cfg, early_exit)
    }
}

/// The deepest step any chain of this user's rows `(ts, mask)` reaches (0 = never reached
/// step 1). Sorts `events` in place. O(n log n) for the sort, then one pass; stops as soon as
/// the last step is reached.
pub fn deepest_level(events: &mut [(i64, u64)], cfg: &FunnelConfig) -> u8 {
    scan(events, cfg, true).level as u8
}

/// The deepest level plus the timestamps of each step of the reported chain: among chains
/// reaching the deepest level the one with the latest anchor, each step taken at its
/// earliest qualifying event. Sorts `events` in place; one pass plus one walk of a window.
pub fn deepest_chain(events: &mut [(i64, u64)], cfg: &FunnelConfig) -> (u8, Vec<i64>) {
    let best = scan(events, cfg, false);
    if best.level == 0 {
        return (0, Vec::new());
    }
    let path = walk_from(events, cfg, best.anchor);
    debug_assert_eq!(path.len(), best.level);
    (best.level as u8, path)
}

/// The walk of the chain anchored at the last step-1 event at `anchor` (rows sorted).
fn walk_from(rows: &[(i64, u64)], cfg: &FunnelConfig, anchor: i64) -> Vec<i64> {
    let start = rows.partition_point(|r| r.0 < anchor);
    let mut chain = Chain::start(anchor, cfg);
    let mut path = vec![anchor];
    for_each_event(&rows[start..], cfg.step_bits(), |ts, step| {
        if ts == anchor && step <= 1 {
            return ControlFlow::Continue(());
        }
        match chain.offer(ts, step, cfg.mode) {
            Walk::Extended => path.push(ts),
            Walk::Skipped => {}
            Walk::Ended => return ControlFlow::Break(()),
        }
        if chain.level == cfg.nsteps {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    path
}

// ---------------------------------------------------------------------------------------
// Aggregate states
// ---------------------------------------------------------------------------------------

fn write_rows(w: &mut Writer, rows: &[(i64, u64)]) {
    w.len(rows.len());
    for (ts, mask) in rows {
        w.i64(*ts).u64(*mask);
    }
}

fn read_rows(r: &mut Reader) -> OpsResult<Vec<(i64, u64)>> {
    let n = r.len(16)?;
    (0..n).map(|_| Ok((r.i64()?, r.u64()?))).collect()
}

fn write_names(w: &mut Writer, names: &[String]) {
    w.len(names.len());
    for name in names {
        w.str(name);
    }
}

fn read_names(r: &mut Reader) -> OpsResult<Vec<String>> {
    let n = r.len(8)?;
    (0..n).map(|_| r.str()).collect()
}

const VERSION: u8 = 1;

/// State of `window_funnel`: one user's kept rows (16 bytes each). The result does not
/// depend on the row order nor on how rows are split across merges.
#[derive(Debug, Clone, PartialEq)]
pub struct UserFunnel {
    pub cfg: FunnelConfig,
    pub rows: Vec<(i64, u64)>,
}

const USER_TAG: u8 = b'F';

impl UserFunnel {
    pub fn new(cfg: FunnelConfig) -> UserFunnel {
        UserFunnel {
            cfg,
            rows: Vec::new(),
        }
    }

    /// Adds a row; rows matching no step are dropped unless the mode is `strict_order`.
    pub fn push(&mut self, ts: i64, mask: u64) {
        let mask = mask & self.cfg.step_bits();
        if keeps(self.cfg.mode, mask) {
            self.rows.push((ts, mask));
        }
    }

    pub fn merge(&mut self, mut other: UserFunnel) {
        self.rows.append(&mut other.rows);
    }

    /// The deepest step reached (0 = never reached step 1).
    pub fn finish(&mut self) -> u8 {
        deepest_level(&mut self.rows, &self.cfg)
    }

    pub fn serialize(&self) -> Vec<u8> {
        let mut w = Writer::new(USER_TAG, VERSION);
        self.cfg.write(&mut w);
        write_rows(&mut w, &self.rows);
        w.finish()
    }

    pub fn deserialize(bytes: &[u8]) -> OpsResult<UserFunnel> {
        let mut r = Reader::new(bytes, USER_TAG, VERSION)?;
        let cfg = FunnelConfig::read(&mut r)?;
        let rows = read_rows(&mut r)?;
        r.finish()?;
        Ok(UserFunnel { cfg, rows })
    }
}

/// A user identifier of the one-shot form (`bigint` or `text`).
pub trait UserKey: Hash + Eq + Clone {
    /// Distinguishes key types in serialized states.
    const KIND: u8;
    fn write(&self, w: &mut Writer);
    fn read(r: &mut Reader) -> OpsResult<Self>;
}

impl UserKey for i64 {
    const KIND: u8 = 1;
    fn write(&self, w: &mut Writer) {
        w.i64(*self);
    }
    fn read(r: &mut Reader) -> OpsResult<i64> {
        r.i64()
    }
}

impl UserKey for String {
    const KIND: u8 = 2;
    fn write(&self, w: &mut Writer) {
        w.str(self);
    }
    fn read(r: &mut Reader) -> OpsResult<String> {
        r.str()
    }
}

/// State of the one-shot `funnel_step_rates(user_id, ts, ...)`: every user's kept rows.
///
/// Memory: 16 bytes per kept row (rows matching no step are not kept, except in
/// `strict_order`), plus per user the key (8 bytes, or 24 plus the text for `text` ids), a
/// 24-byte `Vec` header and the hash table's slack (about 1 byte of control plus up to 1/8
/// empty buckets). A user whose rows never matched costs only that per-user overhead.
#[derive(Debug, Clone)]
pub struct PopulationFunnel<K: UserKey> {
    pub cfg: FunnelConfig,
    names: Option<Vec<String>>,
    matcher: Option<StepMatcher>,
    users: HashMap<K, Vec<(i64, u64)>>,
}

const POPULATION_TAG: u8 = b'G';

/// Work (in kept rows) [`PopulationFunnel::finish`] does between interrupt checks: each
/// user costs [`USER_WORK`] plus its kept rows (its sort and scan are linear-ish in them), so
/// a check comes at least every 1024 users or about 64K kept rows, and right before any
/// user whose rows alone exceed that. Only a single user with many millions of kept rows
/// can delay cancellation (by the time of one sort of that user's rows).
const INTERRUPT_WORK: usize = 1 << 16;
const USER_WORK: usize = 64;

impl<K: UserKey> PopulationFunnel<K> {
    /// The `conds bool[]` form; `names`, when given, must have one name per step.
    pub fn new(cfg: FunnelConfig, names: Option<Vec<String>>) -> OpsResult<Self> {
        if let Some(n) = &names {
            if n.len() != cfg.nsteps {
                return Err(OpsError::invalid(format!(
                    "funnel has {} conditions but {} step names",
                    cfg.nsteps,
                    n.len()
                )));
            }
        }
        Ok(PopulationFunnel {
            cfg,
            names,
            matcher: None,
            users: HashMap::new(),
        })
    }

    /// The event-name form: `steps` are matched against an event column and name the rows.
    pub fn for_events(steps: Vec<String>, window: i64, mode: FunnelMode) -> OpsResult<Self> {
        let matcher = StepMatcher::new(&steps)?;
        let cfg = FunnelConfig::new(steps.len(), window, mode)?;
        Ok(PopulationFunnel {
            cfg,
            names: Some(steps),
            matcher: Some(matcher),
            users: HashMap::new(),
        })
    }

    /// Adds a row of `key`; the user joins the population even if the row matches no step.
    pub fn push(&mut self, key: K, ts: i64, mask: u64) {
        let mask = mask & self.cfg.step_bits();
        let rows = self.users.entry(key).or_default();
        if keeps(self.cfg.mode, mask) {
            rows.push((ts, mask));
        }
    }

    /// Adds a row of the event-name form (a NULL event matches no step). Without step names
    /// (the `conds` form) the event matches nothing.
    pub fn push_event(&mut self, key: K, ts: i64, event: Option<&str>) {
        let mask = match (&self.matcher, event) {
            (Some(m), Some(e)) => m.mask(e),
            _ => 0,
        };
        self.push(key, ts, mask);
    }
}

impl PopulationFunnel<String> {
    /// [`PopulationFunnel::push`] for a borrowed text key: allocates the key only for a user
    /// not seen before.
    pub fn push_str(&mut self, key: &str, ts: i64, mask: u64) {
        let mask = mask & self.cfg.step_bits();
        let rows = self.users.entry_ref(key).or_default();
        if keeps(self.cfg.mode, mask) {
            rows.push((ts, mask));
        }
    }

    /// [`PopulationFunnel::push_event`] for a borrowed text key.
    pub fn push_event_str(&mut self, key: &str, ts: i64, event: Option<&str>) {
        let mask = match (&self.matcher, event) {
            (Some(m), Some(e)) => m.mask(e),
            _ => 0,
        };
        self.push_str(key, ts, mask);
    }
}

impl<K: UserKey> PopulationFunnel<K> {
    pub fn merge(&mut self, other: PopulationFunnel<K>) {
        if self.users.is_empty() {
            self.users = other.users;
            return;
        }
        for (key, mut rows) in other.users {
            self.users.entry(key).or_default().append(&mut rows);
        }
    }

    /// Number of users in the population so far.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// The funnel rows; calls `check_interrupts` first and then at least every 1024 users
    /// or 64K kept rows (see [`INTERRUPT_WORK`]).
    pub fn finish(&mut self, check_interrupts: &mut dyn FnMut()) -> Vec<StepRow> {
        let n = self.cfg.nsteps;
        let mut histogram = vec![0i64; n + 1];
        let mut durations: Vec<Vec<f64>> = vec![Vec::new(); n + 1];
        check_interrupts();
        let mut work = 0usize;
        for rows in self.users.values_mut() {
            let cost = USER_WORK + rows.len();
            work += cost;
            if work > INTERRUPT_WORK {
                check_interrupts();
                work = cost;
            }
            let (level, path) = deepest_chain(rows, &self.cfg);
            histogram[level as usize] += 1;
            for (k, pair) in path.windows(2).enumerate() {
                durations[k + 2].push(step_seconds(pair[0], pair[1]));
            }
        }
        step_rows(&histogram, self.names.as_deref(), Some(durations))
    }

    pub fn serialize(&self) -> Vec<u8> {
        let mut w = Writer::new(POPULATION_TAG, VERSION);
        self.cfg.write(&mut w);
        w.u8(K::KIND).u8(self.matcher.is_some() as u8);
        match &self.names {
            Some(names) => write_names(w.u8(1), names),
            None => {
                w.u8(0);
            }
        }
        w.len(self.users.len());
        for (key, rows) in &self.users {
            key.write(&mut w);
            write_rows(&mut w, rows);
        }
        w.finish()
    }

    pub fn deserialize(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, POPULATION_TAG, VERSION)?;
        let cfg = FunnelConfig::read(&mut r)?;
        let (kind, event_form) = (r.u8()?, r.u8()? == 1);
        if kind != K::KIND {
            return Err(OpsError::malformed(format!(
                "aggregate state holds user keys of kind {kind}, expected {}",
                K::KIND
            )));
        }
        let names = if r.u8()? == 1 {
            Some(read_names(&mut r)?)
        } else {
            None
        };
        let mut state = match (event_form, names) {
            (true, Some(steps)) => Self::for_events(steps, cfg.window, cfg.mode),
            (_, names) => Self::new(cfg, names),
        }
        .map_err(|e| {
            OpsError::malformed(format!("aggregate state is inconsistent: {}", e.message))
        })?;
        let n = r.len(16)?;
        state.users.reserve(n);
        for _ in 0..n {
            let key = K::read(&mut r)?;
            state.users.insert(key, read_rows(&mut r)?);
        }
        r.finish()?;
        Ok(state)
    }
}

/// State of the two-stage `funnel_step_rates(level, step_names)`: users per level.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelCounts {
    pub names: Vec<String>,
    /// `counts[l]` = users whose deepest step is `l`, for `l` in `0..=names.len()`.
    pub counts: Vec<i64>,
}

const LEVELS_TAG: u8 = b'H';

impl LevelCounts {
    pub fn new(names: Vec<String>) -> OpsResult<LevelCounts> {
        check_nsteps(names.len())?;
        let counts = vec![0; names.len() + 1];
        Ok(LevelCounts { names, counts })
    }

    /// Counts one user at `level` (the output of `window_funnel`).
    pub fn push(&mut self, level: i32) -> OpsResult<()> {
        let nsteps = self.names.len();
        match usize::try_from(level).ok().filter(|&l| l <= nsteps) {
            Some(l) => {
                self.counts[l] += 1;
                Ok(())
            }
            None => Err(OpsError::invalid(format!(
                "funnel level {level} is outside 0..={nsteps} for a funnel of {nsteps} steps"
            ))),
        }
    }

    pub fn merge(&mut self, other: LevelCounts) {
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
            self.names = other.names;
        }
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            *mine = mine.saturating_add(theirs);
        }
    }

    pub fn finish(&self) -> Vec<StepRow> {
        step_rows(&self.counts, Some(&self.names), None)
    }

    pub fn serialize(&self) -> Vec<u8> {
        let mut w = Writer::new(LEVELS_TAG, VERSION);
        write_names(&mut w, &self.names);
        for c in &self.counts {
            w.i64(*c);
        }
        w.finish()
    }

    pub fn deserialize(bytes: &[u8]) -> OpsResult<LevelCounts> {
        let mut r = Reader::new(bytes, LEVELS_TAG, VERSION)?;
        let names = read_names(&mut r)?;
        let mut state = LevelCounts::new(names)
            .map_err(|e| OpsError::malformed(format!("aggregate state: {}", e.message)))?;
        let mut total = 0i64;
        for c in state.counts.iter_mut() {
            *c = r.i64()?;
            // Counts are of users: never negative, and their sum fits (step rows add them up).
            total = total.checked_add(*c).filter(|_| *c >= 0).ok_or_else(|| {
                OpsError::malformed(format!("funnel level state has a bad count {c}"))
            })?;
        }
        r.finish()?;
        Ok(state)
    }
}

// ---------------------------------------------------------------------------------------
// Output rows
// ---------------------------------------------------------------------------------------

/// One row of the SQL composite type `funnel_step`.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRow {
    /// 1-based step number.
    pub step: i32,
    pub name: Option<String>,
    /// Users whose deepest step is at least `step`.
    pub users: i64,
    /// `users / users(step - 1)`; for step 1, `users / population`. NULL on a 0 denominator.
    pub rate_from_previous: Option<f64>,
    /// `users / users(1)` (1.0 for step 1). NULL when no user reached step 1.
    pub rate_from_first: Option<f64>,
    /// 95 % Wilson interval of `rate_from_previous`.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Median over users reaching the step of the seconds from the previous step of their
    /// reported chain; NULL for step 1, without users, and in the two-stage form.
    pub median_seconds_from_previous: Option<f64>,
}

/// Builds the rows from `histogram[l]` = users whose deepest step is `l` (`l` in
/// `0..=nsteps`) and, for the one-shot form, `durations[k]` = seconds from step `k - 1` to
/// step `k` of each user reaching step `k`. Shared by both forms so they agree exactly.
pub fn step_rows(
    histogram: &[i64],
    names: Option<&[String]>,
    durations: Option<Vec<Vec<f64>>>,
) -> Vec<StepRow> {
    let z = z_for_confidence(0.95).expect("0.95 is a valid confidence");
    let mut at_least: Vec<i64> = histogram.to_vec();
    for l in (0..at_least.len().saturating_sub(1)).rev() {
        at_least[l] = at_least[l].saturating_add(at_least[l + 1]);
    }
    let first = at_least.get(1).copied().unwrap_or(0);
    let mut durations = durations;
    (1..histogram.len())
        .map(|k| {
            let (users, previous) = (at_least[k], at_least[k - 1]);
            let ci = wilson(users, previous, z).ok().flatten();
            let rate_from_first = (first > 0).then(|| users as f64 / first as f64);
            let median = durations.as_mut().and_then(|d| median(&mut d[k]));
            StepRow {
                step: k as i32,
                name: names.and_then(|n| n.get(k - 1).cloned()),
                users,
                rate_from_previous: ci.map(|p| p.rate),
                rate_from_first,
                ci_low: ci.map(|p| p.low),
                ci_high: ci.map(|p| p.high),
                median_seconds_from_previous: if k == 1 { None } else { median },
            }
        })
        .collect()
}

/// Seconds from one step to the next; a step at `±infinity` is infinitely far from a
/// finite one (not the 292,000 years the saturated microsecond values would give), and 0
/// from a step at the same infinity.
fn step_seconds(from: i64, to: i64) -> f64 {
    if from == to {
        0.0
    } else if is_infinite(from) || is_infinite(to) {
        f64::INFINITY
    } else {
        seconds_between(from, to)
    }
}

fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_unstable_by(pg_float_cmp);
    percentile_cont_sorted(values, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: u64 = 1;
    const B: u64 = 2;
    const C: u64 = 4;

    fn cfg(nsteps: usize, window: i64, mode: &str) -> FunnelConfig {
        FunnelConfig::new(nsteps, window, FunnelMode::parse(mode).unwrap()).unwrap()
    }

    fn level(rows: &[(i64, u64)], cfg: &FunnelConfig) -> u8 {
        let mut state = UserFunnel::new(*cfg);
        rows.iter().for_each(|(ts, m)| state.push(*ts, *m));
        state.finish()
    }

    /// The rules of the module documentation, literally: expand, sort, walk every anchor.
    /// Returns the deepest level and the steps of the latest anchor's chain reaching it.
    fn oracle(rows: &[(i64, u64)], cfg: &FunnelConfig) -> (usize, Vec<i64>) {
        let mut events = Vec::new();
        for &(ts, mask) in rows {
            let mask = mask & cfg.step_bits();
            if mask == 0 && cfg.mode.strict_order {
                events.push((ts, 0usize));
            }
            for s in 0..cfg.nsteps {
                if mask >> s & 1 == 1 {
                    events.push((ts, s + 1));
                }
            }
        }
        events.sort();
        let mut best = (0, Vec::new());
        for (i, &(anchor, step)) in events.iter().enumerate() {
            if step != 1 {
                continue;
            }
            let path = oracle_walk(&events[i + 1..], anchor, cfg);
            if path.len() >= best.0 {
                best = (path.len(), path);
            }
        }
        best
    }

    fn oracle_walk(later: &[(i64, usize)], anchor: i64, cfg: &FunnelConfig) -> Vec<i64> {
        let end = add_saturating(anchor, cfg.window);
        let mut path = vec![anchor];
        for &(ts, step) in later {
            let level = path.len();
            if ts > end || level == cfg.nsteps {
                break;
            }
            if step == level + 1 {
                if !(cfg.mode.strict_increase && ts <= *path.last().unwrap()) {
                    path.push(ts);
                }
            } else if cfg.mode.strict_order
                || (cfg.mode.strict_deduplication && step >= 2 && step <= level)
            {
                break;
            }
        }
        path
    }

    const MODES: [&str; 8] = [
        "default",
        "strict_order",
        "strict_deduplication",
        "strict_increase",
        "strict_order,strict_deduplication",
        "strict_order, strict_increase",
        "strict_deduplication,strict_increase",
        "strict_order,strict_deduplication,strict_increase",
    ];

    #[test]
    fn clickhouse_pitfalls() {
        // strict_increase with ties: ClickHouse says 1 (A@5 overwrites A@0).
        assert_eq!(
            level(&[(0, A), (5, A), (5, B)], &cfg(2, 10, "strict_increase")),
            2
        );
        // strict_deduplication: ClickHouse returns 1 at the repeated B@3.
        let rows = [(0, A), (1, B), (2, A), (3, B), (4, C)];
        assert_eq!(level(&rows, &cfg(3, 10, "strict_deduplication")), 3);
        // strict_order: ClickHouse mixes the chains A@0→B@1 and A@2→C@3 into 3.
        let rows = [(0, A), (1, B), (2, A), (3, C)];
        assert_eq!(level(&rows, &cfg(3, 10, "strict_order")), 2);
        // default: an early short chain, then a later longer one.
        let rows = [(0, A), (1, B), (100, A), (101, B), (102, C)];
        assert_eq!(level(&rows, &cfg(3, 10, "default")), 3);
        assert_eq!(level(&rows[..2], &cfg(3, 10, "default")), 2);
    }

    #[test]
    fn hand_worked_levels() {
        let d = cfg(3, 10, "default");
        assert_eq!(level(&[], &d), 0);
        assert_eq!(level(&[(0, B), (1, C)], &d), 0);
        assert_eq!(level(&[(5, B), (0, A)], &d), 2); // input order is irrelevant
        assert_eq!(level(&[(0, A), (10, B), (11, C)], &d), 2); // window is inclusive
        assert_eq!(level(&[(0, A), (10, B), (10, C)], &d), 3);
        assert_eq!(level(&[(3, A | B)], &d), 2); // one row counts for both steps
        assert_eq!(level(&[(3, A | B)], &cfg(3, 10, "strict_increase")), 1);
        assert_eq!(level(&[(0, B), (0, A)], &d), 2); // (ts, step) order within a timestamp
                                                     // strict_order: a row matching nothing breaks the chain; out of order steps too.
        let so = cfg(3, 10, "strict_order");
        assert_eq!(level(&[(0, A), (1, 0), (2, B)], &so), 1);
        assert_eq!(level(&[(0, A), (1, 0), (2, B)], &d), 2);
        assert_eq!(level(&[(0, A), (1, C), (2, B)], &so), 1);
        assert_eq!(level(&[(0, A), (1, B), (1, B), (2, C)], &so), 2);
        assert_eq!(level(&[(0, 0), (1, A), (2, B), (3, C)], &so), 3);
        // strict_deduplication: a repeated step ends the chain, a repeated step 1 does not.
        let sd = cfg(3, 10, "strict_deduplication");
        assert_eq!(level(&[(0, A), (1, B), (2, B), (3, C)], &sd), 2);
        assert_eq!(level(&[(0, A), (1, A), (2, B), (3, C)], &sd), 3);
        assert_eq!(level(&[(0, A), (1, B), (2, B), (3, C)], &d), 3);
        // infinities saturate instead of overflowing.
        assert_eq!(level(&[(i64::MAX, A), (i64::MAX, B)], &d), 2);
        assert_eq!(level(&[(i64::MAX - 5, A), (i64::MAX, B)], &d), 2);
        assert_eq!(level(&[(i64::MIN, A), (0, B)], &d), 1);
        // a mask bit beyond nsteps is ignored.
        assert_eq!(
            level(&[(0, A), (1, 1 << 10)], &cfg(2, 10, "strict_order")),
            1
        );
    }

    #[test]
    fn single_step_and_sixty_four_steps() {
        assert_eq!(level(&[(0, A)], &cfg(1, 10, "default")), 1);
        let all = cfg(64, 1000, "strict_order, strict_increase");
        let rows: Vec<(i64, u64)> = (0..64).map(|i| (i as i64, 1u64 << i)).collect();
        assert_eq!(level(&rows, &all), 64);
        let mut rows = rows;
        rows.push((30, 0));
        assert_eq!(level(&rows, &all), 30);
    }

    #[test]
    fn chain_reports_latest_anchor_and_earliest_steps() {
        let d = cfg(3, 10, "default");
        let mut rows = vec![(0, A), (2, A), (3, B), (4, B), (5, C), (50, A)];
        assert_eq!(deepest_chain(&mut rows, &d), (3, vec![2, 3, 5]));
        let mut rows = vec![(50, A), (51, B)];
        assert_eq!(deepest_chain(&mut rows, &d), (2, vec![50, 51]));
        assert_eq!(deepest_chain(&mut [], &d), (0, vec![]));
        let mut rows = vec![(0, A), (5, A), (5, B)];
        assert_eq!(
            deepest_chain(&mut rows, &cfg(2, 10, "strict_increase")),
            (2, vec![0, 5])
        );
    }

    #[test]
    fn modes_parse() {
        assert_eq!(FunnelMode::parse("default").unwrap(), FunnelMode::default());
        let m = FunnelMode::parse(" strict_order , Strict_Increase").unwrap();
        assert!(m.strict_order && m.strict_increase && !m.strict_deduplication);
        for text in MODES {
            let m = FunnelMode::parse(text).unwrap();
            assert_eq!(FunnelMode::from_bits(m.to_bits()).unwrap(), m);
        }
        let e = FunnelMode::parse("strict").unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidParameter);
        assert!(e.message.contains("'strict'") && e.message.contains("strict_increase"));
        assert!(FunnelMode::parse("").is_err());
        assert!(FunnelMode::parse("strict_order,").is_err());
    }

    #[test]
    fn config_and_matcher_errors() {
        use crate::error::ErrorKind::*;
        let m = FunnelMode::default();
        assert_eq!(
            FunnelConfig::new(0, 1, m).unwrap_err().kind,
            InvalidParameter
        );
        let e = FunnelConfig::new(65, 1, m).unwrap_err();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (
                LimitExceeded,
                "funnel has 65 steps; at most 64 are supported"
            )
        );
        let e = FunnelConfig::new(3, 0, m).unwrap_err();
        assert!(e.kind == InvalidParameter && e.message.contains('0'));
        assert!(FunnelConfig::new(3, -5, m).is_err());
        assert_eq!(StepMatcher::new(&[]).unwrap_err().kind, InvalidParameter);
        let many: Vec<String> = (0..65).map(|i| i.to_string()).collect();
        assert_eq!(StepMatcher::new(&many).unwrap_err().kind, LimitExceeded);
        assert!(StepMatcher::new(&many[..64]).is_ok());
    }

    #[test]
    fn masks() {
        let steps: Vec<String> = ["view", "cart", "view", "buy"].map(String::from).to_vec();
        let m = StepMatcher::new(&steps).unwrap();
        assert_eq!(m.mask("view"), 0b0101);
        assert_eq!(m.mask("buy"), 0b1000);
        assert_eq!(m.mask("other"), 0);
        assert_eq!(
            mask_from_conds(&[Some(true), None, Some(false), Some(true)]),
            0b1001
        );
        assert_eq!(mask_from_conds(&[Some(true); 64]), u64::MAX);
        assert!(keeps(FunnelMode::default(), 1) && !keeps(FunnelMode::default(), 0));
        assert!(keeps(FunnelMode::parse("strict_order").unwrap(), 0));
    }

    #[test]
    fn step_rows_hand_worked() {
        // 10 users: 4 at level 0, 3 at 1, 2 at 2, 1 at 3.
        let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let rows = step_rows(&[4, 3, 2, 1], Some(&names), None);
        assert_eq!(
            rows.iter().map(|r| r.users).collect::<Vec<_>>(),
            vec![6, 3, 1]
        );
        assert_eq!(rows[0].rate_from_previous, Some(0.6));
        assert_eq!(rows[0].rate_from_first, Some(1.0));
        assert_eq!(rows[1].rate_from_previous, Some(0.5));
        assert_eq!(rows[2].rate_from_previous, Some(1.0 / 3.0));
        assert_eq!(rows[2].rate_from_first, Some(1.0 / 6.0));
        assert_eq!(rows[2].name.as_deref(), Some("c"));
        let ci = wilson(3, 6, z_for_confidence(0.95).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(
            (rows[1].ci_low, rows[1].ci_high),
            (Some(ci.low), Some(ci.high))
        );
        assert!(rows
            .iter()
            .all(|r| r.median_seconds_from_previous.is_none()));
        // nobody reached step 1: rates after the population rate are NULL.
        let rows = step_rows(&[5, 0, 0], None, None);
        assert_eq!(rows[0].rate_from_previous, Some(0.0));
        assert_eq!(
            (rows[0].rate_from_first, rows[1].rate_from_previous),
            (None, None)
        );
        assert_eq!((rows[1].ci_low, rows[1].name.clone()), (None, None));
        // empty population: every rate is NULL.
        assert!(step_rows(&[0, 0], None, None)[0]
            .rate_from_previous
            .is_none());
    }

    #[test]
    fn population_medians_and_silent_users() {
        let mut p = PopulationFunnel::<i64>::new(cfg(3, 100_000_000, "default"), None).unwrap();
        let s = 1_000_000;
        // user 1: A@0 B@10s C@40s; user 2: A@0 B@20s; user 3: only non-matching rows.
        for (u, ts, m) in [
            (1, 0, A),
            (1, 10 * s, B),
            (1, 40 * s, C),
            (2, 0, A),
            (2, 20 * s, B),
        ] {
            p.push(u, ts, m);
        }
        p.push(3, 0, 0);
        let mut calls = 0;
        let rows = p.finish(&mut || calls += 1);
        assert_eq!(calls, 1);
        assert_eq!(
            rows.iter().map(|r| r.users).collect::<Vec<_>>(),
            vec![2, 2, 1]
        );
        assert_eq!(rows[0].rate_from_previous, Some(2.0 / 3.0));
        assert_eq!(rows[0].median_seconds_from_previous, None);
        assert_eq!(rows[1].median_seconds_from_previous, Some(15.0));
        assert_eq!(rows[2].median_seconds_from_previous, Some(30.0));
    }

    #[test]
    fn infinite_steps_are_infinitely_far() {
        assert_eq!(step_seconds(0, 1_500_000), 1.5);
        assert_eq!(step_seconds(i64::MAX, i64::MAX), 0.0);
        assert_eq!(step_seconds(i64::MIN, i64::MIN), 0.0);
        assert_eq!(step_seconds(0, i64::MAX), f64::INFINITY);
        assert_eq!(step_seconds(i64::MIN, 0), f64::INFINITY);
        // A finite anchor whose saturated window reaches a step at infinity.
        let mut p = PopulationFunnel::<i64>::new(cfg(2, i64::MAX, "default"), None).unwrap();
        p.push(1, 0, A);
        p.push(1, i64::MAX, B);
        let rows = p.finish(&mut || {});
        assert_eq!(rows[1].users, 1);
        assert_eq!(rows[1].median_seconds_from_previous, Some(f64::INFINITY));
    }

    #[test]
    fn finish_checks_interrupts_by_users_and_rows() {
        let count_checks = |p: &mut PopulationFunnel<i64>| {
            let mut calls = 0;
            p.finish(&mut || calls += 1);
            calls
        };
        // 5000 users without kept rows: at the start, then every 1024 users.
        let mut p = PopulationFunnel::<i64>::new(cfg(2, 1_000, "default"), None).unwrap();
        (0..5000).for_each(|u| p.push(u, 0, 0));
        assert_eq!(count_checks(&mut p), 5);
        // 3 users with 70000 kept rows each: at the start and before every user.
        let mut p = PopulationFunnel::<i64>::new(cfg(2, 1_000, "default"), None).unwrap();
        for u in 0..3 {
            (0..70_000).for_each(|t| p.push(u, t, A));
        }
        assert_eq!(count_checks(&mut p), 4);
    }

    #[test]
    fn event_form_and_round_trips() {
        let steps: Vec<String> = ["view", "buy"].map(String::from).to_vec();
        let mut p =
            PopulationFunnel::<String>::for_events(steps, 10, FunnelMode::default()).unwrap();
        p.push_event("u1".into(), 0, Some("view"));
        p.push_event("u1".into(), 5, Some("buy"));
        p.push_event("u2".into(), 0, None);
        let mut q = PopulationFunnel::<String>::deserialize(&p.serialize()).unwrap();
        q.push_event("u3".into(), 0, Some("view"));
        let rows = q.finish(&mut || {});
        assert_eq!(rows[0].name.as_deref(), Some("view"));
        assert_eq!(rows.iter().map(|r| r.users).collect::<Vec<_>>(), vec![2, 1]);
        assert!(PopulationFunnel::<i64>::deserialize(&p.serialize()).is_err());
        let mut by_ref = PopulationFunnel::<String>::for_events(
            ["view", "buy"].map(String::from).to_vec(),
            10,
            FunnelMode::default(),
        )
        .unwrap();
        by_ref.push_event_str("u1", 0, Some("view"));
        by_ref.push_event_str("u1", 5, Some("buy"));
        by_ref.push_str("u2", 0, 0);
        by_ref.push_event_str("u3", 0, Some("view"));
        let by_ref = by_ref.finish(&mut || {});
        assert_eq!(
            by_ref.iter().map(|r| r.users).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert_eq!(by_ref[0].rate_from_previous, Some(2.0 / 3.0));
        assert!(UserFunnel::deserialize(&p.serialize()).is_err());

        let mut u = UserFunnel::new(cfg(2, 10, "strict_order"));
        u.push(1, 0);
        u.push(2, A);
        assert_eq!(UserFunnel::deserialize(&u.serialize()).unwrap(), u);
        let bytes = u.serialize();
        assert!(UserFunnel::deserialize(&bytes[..bytes.len() - 1]).is_err());

        let mut l = LevelCounts::new(vec!["a".into(), "b".into()]).unwrap();
        l.push(2).unwrap();
        l.push(0).unwrap();
        assert_eq!(LevelCounts::deserialize(&l.serialize()).unwrap(), l);
        // Corrupt counts (negative, or summing past i64::MAX) are rejected.
        let mut bad = l.serialize();
        let n = bad.len();
        bad[n - 8..].copy_from_slice(&(-1i64).to_le_bytes());
        assert!(LevelCounts::deserialize(&bad)
            .unwrap_err()
            .message
            .contains("bad count -1"));
        bad[n - 8..].copy_from_slice(&i64::MAX.to_le_bytes());
        assert!(LevelCounts::deserialize(&bad).is_err());
        let mut big = LevelCounts::new(vec!["a".into()]).unwrap();
        big.counts = vec![0, i64::MAX];
        big.merge(big.clone());
        assert_eq!(big.finish()[0].users, i64::MAX);
        let e = l.push(3).unwrap_err();
        assert!(e.message.contains('3') && e.message.contains("2 steps"));
        assert!(l.push(-1).unwrap_err().message.contains("-1"));
        assert!(LevelCounts::new(vec![]).is_err());
        assert!(
            PopulationFunnel::<i64>::new(cfg(3, 1, "default"), Some(vec!["a".into()])).is_err()
        );
    }

    fn arb_cfg(max_window: i64) -> impl Strategy<Value = FunnelConfig> {
        (1usize..=4, 1i64..=max_window, 0usize..8).prop_map(|(n, w, m)| cfg(n, w, MODES[m]))
    }

    /// Rows over a tiny timestamp range (many ties), masks over the funnel's steps.
    fn arb_rows(
        cfg: &FunnelConfig,
        max_ts: i64,
        rows: std::ops::Range<usize>,
    ) -> impl Strategy<Value = Vec<(i64, u64)>> {
        prop::collection::vec((0..max_ts, 0u64..(1 << cfg.nsteps)), rows)
    }

    fn arb_case(
        max_ts: i64,
        max_rows: usize,
    ) -> impl Strategy<Value = (Vec<(i64, u64)>, FunnelConfig)> {
        arb_cfg(max_ts / 2 + 1)
            .prop_flat_map(move |cfg| (arb_rows(&cfg, max_ts, 0..max_rows), Just(cfg)))
    }

    fn kept(rows: &[(i64, u64)], cfg: &FunnelConfig) -> Vec<(i64, u64)> {
        rows.iter()
            .copied()
            .filter(|r| keeps(cfg.mode, r.1))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn matches_oracle_with_many_ties((rows, cfg) in arb_case(6, 12)) {
            let rows = kept(&rows, &cfg);
            let (want, path) = oracle(&rows, &cfg);
            prop_assert_eq!(deepest_level(&mut rows.clone(), &cfg) as usize, want);
            prop_assert_eq!(deepest_chain(&mut rows.clone(), &cfg), (want as u8, path));
        }

        #[test]
        fn matches_oracle_on_longer_histories((rows, cfg) in arb_case(40, 40)) {
            let rows = kept(&rows, &cfg);
            let (want, path) = oracle(&rows, &cfg);
            prop_assert_eq!(deepest_level(&mut rows.clone(), &cfg) as usize, want);
            prop_assert_eq!(deepest_chain(&mut rows.clone(), &cfg), (want as u8, path));
        }

        #[test]
        fn row_order_and_merges_do_not_matter(
            ((rows, cfg), shuffled, split) in arb_case(6, 14)
                .prop_flat_map(|(rows, cfg)| {
                    let n = rows.len();
                    ((Just((rows.clone(), cfg))), Just(rows).prop_shuffle(), 0..=n)
                }),
        ) {
            let whole = level(&rows, &cfg);
            let mut a = UserFunnel::new(cfg);
            let mut b = UserFunnel::new(cfg);
            shuffled[..split].iter().for_each(|(t, m)| a.push(*t, *m));
            shuffled[split..].iter().for_each(|(t, m)| b.push(*t, *m));
            let b = UserFunnel::deserialize(&b.serialize()).unwrap();
            a.merge(b);
            prop_assert_eq!(a.finish(), whole);
            let mut x = kept(&rows, &cfg);
            let mut y = kept(&shuffled, &cfg);
            prop_assert_eq!(deepest_chain(&mut x, &cfg), deepest_chain(&mut y, &cfg));
        }

        #[test]
        fn two_stage_equals_one_shot(
            (users, cfg) in arb_cfg(4).prop_flat_map(|cfg| {
                (prop::collection::vec(arb_rows(&cfg, 8, 1..10), 0..20), Just(cfg))
            }),
            split in 0usize..20,
        ) {
            let names: Vec<String> = (1..=cfg.nsteps).map(|i| format!("s{i}")).collect();
            let mut levels = LevelCounts::new(names.clone()).unwrap();
            let mut a = PopulationFunnel::<i64>::new(cfg, Some(names.clone())).unwrap();
            let mut b = PopulationFunnel::<i64>::new(cfg, Some(names)).unwrap();
            for (u, rows) in users.iter().enumerate() {
                levels.push(level(rows, &cfg) as i32).unwrap();
                let target = if u < split { &mut a } else { &mut b };
                rows.iter().for_each(|(t, m)| target.push(u as i64, *t, *m));
            }
            let b = PopulationFunnel::<i64>::deserialize(&b.serialize()).unwrap();
            a.merge(b);
            let levels = LevelCounts::deserialize(&levels.serialize()).unwrap();
            let one_shot = a.finish(&mut || {});
            let two_stage = levels.finish();
            prop_assert_eq!(one_shot.len(), two_stage.len());
            for (o, t) in one_shot.iter().zip(&two_stage) {
                prop_assert_eq!(o.users, t.users);
                prop_assert_eq!((o.rate_from_previous, o.rate_from_first), (t.rate_from_previous, t.rate_from_first));
                prop_assert_eq!((o.ci_low, o.ci_high), (t.ci_low, t.ci_high));
                prop_assert_eq!(&o.name, &t.name);
            }
            // every user joins the population, even one whose rows match no step
            prop_assert_eq!(one_shot[0].users + levels.counts[0], users.len() as i64);
        }
    }
}
