//! The deepest step one user's rows reach: the chain rules of the module documentation,
//! in one pass over the rows sorted by timestamp.

use super::config::{low_bits, FunnelConfig, FunnelMode, MAX_STEPS};
use crate::time::add_saturating;
use std::ops::ControlFlow;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funnel::testing::*;
    use proptest::prelude::*;

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
    }
}
