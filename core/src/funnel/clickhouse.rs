//! An exact port of ClickHouse 26.9 `windowFunnel(window, mode...)(timestamp, cond1, ...)`
//! (`src/AggregateFunctions/AggregateFunctionWindowFunnel.cpp`), selected by the `clickhouse`
//! mode flag. Checked against chdb 26.9.2.1 on the cases in `clickhouse_cases.json`
//! (`scripts/gen-clickhouse-funnel-cases`).
//!
//! # What ClickHouse does
//!
//! **`add()`** turns each row into events `(timestamp, event)`: one per satisfied condition
//! `k` (event `k`, conditions visited from the last to the first), and, with `strict_order`,
//! one event `0` for a row that satisfies none. With `strict_once` every event also carries the
//! row's *unique id*: a counter that starts at 1 and advances once per row, so it is the row's
//! position in the order `add()` saw the rows (all events of one row share it).
//!
//! **`getEventLevel()`** returns 0 without events and 1 when `strict_order` is off and there is
//! a single condition (whatever the timestamps); otherwise it stable-sorts the events by
//! `(timestamp, event)` (with `strict_once` by `(timestamp, event, unique_id)`) and makes one
//! greedy pass (`getEventLevelNonStrictOnce`, `getEventLevelStrictOnce`), where "level `k` is
//! reached" means "step `k` has a recorded match":
//! - an event `0` (strict_order only) is skipped before the first step-1 event and ends the
//!   pass after it;
//! - a step-1 event (re)starts level 1 at its timestamp (without `strict_once` it overwrites
//!   the single record of level 1; with `strict_once` it adds one more candidate sequence);
//! - with `strict_deduplication`, a step-`k` event (`k >= 2`) whose level `k` is already
//!   reached returns the deepest level reached so far (26.9 has the #37177 fix; older releases
//!   returned the previous event's condition number instead);
//! - with `strict_order`, a step-`k` event (`k >= 2`) after the first step-1 event whose level
//!   `k - 1` is not reached returns the first level not reached, or with `allow_reentry` is
//!   simply ignored;
//! - otherwise a step-`k` event extends level `k - 1` (each of its candidate sequences with
//!   `strict_once`) when `timestamp <= first + window` (`first` = the level-1 timestamp the
//!   record descends from), with `strict_increase` also `last < timestamp` (`last` = the
//!   timestamp of the step-`k - 1` match), and with `strict_once` only when the event's row is
//!   not already on that sequence; reaching the last step returns it at once;
//! - at the end the deepest level reached is returned.
//!
//! `strict_once` keeps, per level, the list of all sequences found so far (a sequence that
//! has fallen out of the window is dropped when the next event of the following step is
//! examined, but the last one is always kept, so a level never becomes "unreached" again).
//! That list can grow polynomially in the number of rows (as in ClickHouse).
//!
//! # Timestamps and the window
//!
//! ClickHouse takes unsigned timestamps (`UInt*`, `Date`, `DateTime`) and a `UInt64` window in
//! the timestamp's unit, and compares `timestamp <= first + window` in `UInt64`, which wraps
//! when `first + window >= 2^64`. Here timestamps are `i64` (the SQL layer passes
//! microseconds) and the comparison is made without overflow: the window end `first + window`
//! saturates at `i64::MAX`. So:
//! - for timestamps in `0..=i64::MAX` and a positive window the result is exactly
//!   ClickHouse's with `UInt64` timestamps (`first + window < 2^64` there, nothing wraps);
//! - negative timestamps (which ClickHouse cannot take) compare as signed numbers, i.e. as
//!   ClickHouse would on `ts + 2^63`, except that where `first + window` passes `i64::MAX`
//!   ClickHouse would wrap around (and match nothing later) while here every later timestamp
//!   is inside the window;
//! - a negative window (which [`FunnelConfig::new`] rejects) counts as 0.
//!
//! Nothing overflows or panics for any `i64` timestamp or window.
//!
//! # Input order
//!
//! An aggregate receives the rows in an arbitrary order. Without `strict_once` ClickHouse's
//! answer does not depend on it: the events are sorted by the full `(timestamp, event)` pair.
//! With `strict_once` the unique ids follow the insertion order and order the events of a
//! `(timestamp, event)` group, so **ClickHouse's answer can depend on the order in which rows
//! with equal timestamps were inserted**. Each event of a group extends every sequence of the
//! previous level that does not hold its row yet, so after the whole group the same sequences
//! exist in any order; but `strict_deduplication` checks before *each* event whether its
//! level already has a sequence, which an earlier event of the same group may just have
//! created (or not, when its row was already on the sequence). So only `strict_once` +
//! `strict_deduplication` without `strict_increase` depends on the order (with
//! `strict_increase` a sequence never holds a row of the group's timestamp, so every event of
//! the group extends the same sequences). chdb confirms it: window 10,
//! `strict_once, strict_deduplication`, rows `{A,B}@0, {B}@0, {C}@1` give 3 in that order and
//! 2 with the first two swapped; of the 36 000 generated case/mode pairs, 7 differ between
//! two insertion orders (3 under `strict_deduplication,strict_once`, 1 with `strict_order`
//! added, 3 with `strict_order,allow_reentry` added), all predicted by [`level_in_order`].
//!
//! [`level`] makes the answer independent of the input order by first sorting the rows by
//! `(ts, mask & step bits)` and assigning the ids in that order: it is exactly ClickHouse's
//! answer when ClickHouse receives the rows in that order (rows with the same key are
//! interchangeable). This is the one place where matching ClickHouse depends on an
//! assumption about its insertion order. [`level_in_order`] takes the insertion order as
//! given. (ClickHouse's parallel aggregation merges states by offsetting the ids of the
//! merged state past its own, which amounts to concatenating the insertion orders.)

use super::config::FunnelConfig;
use super::spec::Row;

/// Most conditions ClickHouse `windowFunnel` accepts (`MAX_EVENTS`).
pub const MAX_STEPS: usize = 32;

/// ClickHouse `windowFunnel`'s level for one user's rows, in any order (see the module
/// documentation, "Input order": the rows are taken in `(ts, mask)` order). Bit `k - 1` of a
/// row's mask means "condition `k` holds"; bits at or above `cfg.nsteps` and `excl` are
/// ignored, as is the `clickhouse` flag.
pub fn level(rows: &[Row], cfg: &FunnelConfig) -> usize {
    let bits = cfg.step_bits();
    let mut sorted = rows.to_vec();
    sorted.sort_by_key(|r| (r.ts, r.mask & bits));
    level_in_order(&sorted, cfg)
}

/// ClickHouse `windowFunnel`'s level when its `add()` receives `rows` in exactly this order
/// (one aggregate state). Differs from [`level`] only with `strict_once` and only for rows
/// with equal timestamps.
pub fn level_in_order(rows: &[Row], cfg: &FunnelConfig) -> usize {
    let n = cfg.nsteps;
    let mode = cfg.mode;
    // add(): conditions from the last to the first, then an event 0 for an unmatched row in
    // strict_order; the unique id advances once per row.
    let mut events: Vec<Event> = Vec::new();
    for (id, row) in (1u64..).zip(rows) {
        let before = events.len();
        for step in (1..=n.min(64)).rev() {
            if row.mask >> (step - 1) & 1 != 0 {
                events.push(Event {
                    ts: row.ts,
                    step,
                    id,
                });
            }
        }
        if mode.strict_order && events.len() == before {
            events.push(Event {
                ts: row.ts,
                step: 0,
                id,
            });
        }
    }

    // getEventLevel()
    if events.is_empty() {
        return 0;
    }
    if !mode.strict_order && n == 1 {
        return 1;
    }
    if mode.strict_once {
        // (timestamp, event, unique_id) is unique per event: the stable sort is a plain sort.
        events.sort_unstable_by_key(|e| (e.ts, e.step, e.id));
        level_strict_once(&events, cfg)
    } else {
        // std::stable_sort on (timestamp, event) pairs; equal pairs are indistinguishable.
        events.sort_by_key(|e| (e.ts, e.step));
        level_non_strict_once(&events, cfg)
    }
}

/// One event of `add()`: a row's timestamp, a condition number (0 = none, strict_order) and
/// the row's unique id (used by strict_once only).
#[derive(Debug, Clone, Copy)]
struct Event {
    ts: i64,
    step: usize,
    id: u64,
}

/// `timestamp <= first + window`, the window end saturating at `i64::MAX`.
#[inline]
fn in_window(ts: i64, first: i64, window: i64) -> bool {
    ts <= first.saturating_add(window.max(0))
}

/// The deepest level whose slot is filled (0 for none).
fn deepest(reached: impl DoubleEndedIterator<Item = bool> + ExactSizeIterator) -> usize {
    let n = reached.len();
    reached.rev().position(|r| r).map_or(0, |i| n - i)
}

/// `getEventLevelNonStrictOnce`: one `(first, last)` timestamp pair per level.
fn level_non_strict_once(events: &[Event], cfg: &FunnelConfig) -> usize {
    let (n, m, window) = (cfg.nsteps, cfg.mode, cfg.window);
    let mut slots: Vec<Option<(i64, i64)>> = vec![None; n];
    let mut first_event = false;
    for e in events {
        if m.strict_order && e.step == 0 {
            if first_event {
                break;
            }
            continue;
        }
        let idx = e.step - 1;
        if idx == 0 {
            slots[0] = Some((e.ts, e.ts));
            first_event = true;
        } else if m.strict_deduplication && slots[idx].is_some() {
            // A repeated step: the deepest level reached so far (#37177).
            return deepest(slots.iter().map(Option::is_some));
        } else if m.strict_order && first_event && slots[idx - 1].is_none() {
            if m.allow_reentry {
                continue; // a step ahead of the funnel is ignored
            }
            // The first level not reached (ClickHouse goes on when there is none; there
            // always is one, since level `idx` is not reached).
            if let Some(level) = slots.iter().position(Option::is_none) {
                return level;
            }
        } else if let Some((first, last)) = slots[idx - 1] {
            let matched = in_window(e.ts, first, window) && (!m.strict_increase || last < e.ts);
            if matched {
                slots[idx] = Some((first, e.ts));
                if idx + 1 == n {
                    return n;
                }
            }
        }
    }
    deepest(slots.iter().map(Option::is_some))
}

/// A candidate sequence of `getEventLevelStrictOnce`: the timestamps of its step-1 and latest
/// step, and the unique ids of its rows (`path[k]` for step `k + 1`).
struct Sequence {
    first: i64,
    last: i64,
    path: Vec<u64>,
}

/// `getEventLevelStrictOnce`: every sequence found so far, per level.
fn level_strict_once(events: &[Event], cfg: &FunnelConfig) -> usize {
    let (n, m, window) = (cfg.nsteps, cfg.mode, cfg.window);
    let mut levels: Vec<Vec<Sequence>> = (0..n).map(|_| Vec::new()).collect();
    let mut has_first_event = false;
    for e in events {
        if m.strict_order && e.step == 0 {
            if has_first_event {
                break;
            }
            continue;
        }
        let idx = e.step - 1;
        if idx == 0 {
            levels[0].push(Sequence {
                first: e.ts,
                last: e.ts,
                path: vec![e.id],
            });
            has_first_event = true;
        } else if m.strict_deduplication && !levels[idx].is_empty() {
            return deepest(levels.iter().map(|l| !l.is_empty()));
        } else if m.strict_order && has_first_event && levels[idx - 1].is_empty() {
            if m.allow_reentry {
                continue;
            }
            if let Some(level) = levels.iter().position(Vec::is_empty) {
                return level;
            }
        } else if !levels[idx - 1].is_empty() {
            let (lower, upper) = levels.split_at_mut(idx);
            let (prev, next) = (&mut lower[idx - 1], &mut upper[0]);
            // Walk the previous level's list, erasing (in place, keeping the order) the
            // sequences out of the window while more than one is left.
            let len = prev.len();
            let mut kept = 0;
            for r in 0..len {
                let live = len - (r - kept);
                let mut matched = in_window(e.ts, prev[r].first, window);
                if !matched && live > 1 {
                    continue; // erased
                }
                prev.swap(kept, r);
                let seq = &prev[kept];
                kept += 1;
                // The row must not already be on the sequence.
                matched = matched && !seq.path.contains(&e.id);
                if matched && m.strict_increase {
                    matched = seq.last < e.ts;
                }
                if matched {
                    let mut path = Vec::with_capacity(idx + 1);
                    path.extend_from_slice(&seq.path);
                    path.push(e.id);
                    next.push(Sequence {
                        first: seq.first,
                        last: e.ts,
                        path,
                    });
                    if idx + 1 == n {
                        return n;
                    }
                }
            }
            prev.truncate(kept);
        }
    }
    deepest(levels.iter().map(|l| !l.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funnel::config::FunnelMode;
    use proptest::prelude::*;

    const A: u64 = 1;
    const B: u64 = 2;
    const C: u64 = 4;
    const D: u64 = 8;
    const NONE: u64 = 0;

    fn cfg(nsteps: usize, window: i64, mode: &str) -> FunnelConfig {
        FunnelConfig::new(nsteps, window, FunnelMode::parse(mode).unwrap()).unwrap()
    }

    fn rows(events: &[(i64, u64)]) -> Vec<Row> {
        events
            .iter()
            .map(|&(ts, mask)| Row::new(ts, mask))
            .collect()
    }

    fn lv(events: &[(i64, u64)], nsteps: usize, window: i64, mode: &str) -> usize {
        level(&rows(events), &cfg(nsteps, window, mode))
    }

    #[test]
    fn default_mode() {
        // A@0 B@1 C@2 all within 0 + 10.
        assert_eq!(lv(&[(0, A), (1, B), (2, C)], 3, 10, "default"), 3);
        // C@11 is past the window of the anchor A@0 (0 + 10); B@10 is not (inclusive).
        assert_eq!(lv(&[(0, A), (10, B), (11, C)], 3, 10, "default"), 2);
        // A@100 restarts level 1, B@101 and C@102 follow it.
        let r = [(0, A), (1, B), (100, A), (101, B), (102, C)];
        assert_eq!(lv(&r, 3, 10, "default"), 3);
        // Input order does not matter.
        assert_eq!(lv(&[(2, C), (0, A), (1, B)], 3, 10, "default"), 3);
        // One row matching A and B counts for both (events (3,1), (3,2)).
        assert_eq!(lv(&[(3, A | B)], 3, 10, "default"), 2);
        // No step 1: nothing is reached.
        assert_eq!(lv(&[(0, B), (1, C)], 3, 10, "default"), 0);
        // Mask bits beyond the steps are ignored.
        assert_eq!(lv(&[(0, A | D), (1, D)], 2, 10, "default"), 1);
    }

    #[test]
    fn single_step_early_return() {
        // One condition without strict_order: any event gives 1 (no sort, no pass).
        assert_eq!(lv(&[(5, A)], 1, 1, "default"), 1);
        assert_eq!(lv(&[(5, A)], 1, 1, "strict_once,strict_increase"), 1);
        // No events at all: 0 (a row matching nothing yields no event without strict_order).
        assert_eq!(lv(&[(5, NONE)], 1, 1, "default"), 0);
        assert_eq!(lv(&[], 3, 1, "strict_order"), 0);
        // strict_order, one condition: the event 0 of X@0 is skipped (before any step 1),
        // A@1 reaches 1.
        assert_eq!(lv(&[(0, NONE), (1, A)], 1, 1, "strict_order"), 1);
        // Only an event 0: 0.
        assert_eq!(lv(&[(0, NONE)], 1, 1, "strict_order"), 0);
    }

    #[test]
    fn strict_increase() {
        // Pitfall, window 10: A@0 A@5 B@5. A@5 overwrites level 1 with (5, 5); B@5 is not
        // later than 5, so 1 (the chain A@0 → B@5 would reach 2).
        assert_eq!(lv(&[(0, A), (5, A), (5, B)], 2, 10, "strict_increase"), 1);
        assert_eq!(lv(&[(0, A), (5, A), (5, B)], 2, 10, "default"), 2);
        // A row matching A and B: B at the same timestamp does not extend.
        assert_eq!(lv(&[(3, A | B)], 3, 10, "strict_increase"), 1);
        assert_eq!(lv(&[(3, A | B), (4, B)], 3, 10, "strict_increase"), 2);
    }

    #[test]
    fn strict_deduplication() {
        // Pitfall: A@0 B@1 A@2 B@3 C@4. A@0: level 1 = (0,0); B@1: level 2 = (0,1); A@2:
        // level 1 = (2,2); B@3 repeats the reached step 2: return the deepest level, 2 (26.9;
        // releases before #37177 returned the previous event's condition, 1).
        let r = [(0, A), (1, B), (2, A), (3, B), (4, C)];
        assert_eq!(lv(&r, 3, 10, "strict_deduplication"), 2);
        assert_eq!(lv(&r, 3, 10, "default"), 3);
        // A repeated step 1 does not stop it.
        assert_eq!(
            lv(
                &[(0, A), (1, A), (2, B), (3, C)],
                3,
                10,
                "strict_deduplication"
            ),
            3
        );
        // Two B at the same timestamp: the second one repeats step 2.
        let r = [(0, A), (1, B), (1, B), (2, C)];
        assert_eq!(lv(&r, 3, 10, "strict_deduplication"), 2);
        // A step whose level was never reached is no repeat: window 1, B@5 is out of A@0's
        // window (5 > 0 + 1) and reaches nothing, so B@6 (after A@6) is just another try.
        let r = [(0, A), (5, B), (6, A), (6, B), (7, C)];
        assert_eq!(lv(&r, 3, 1, "strict_deduplication"), 3);
    }

    #[test]
    fn strict_order() {
        // Pitfall: A@0 B@1 A@2 C@3. A@2 restarts level 1 but level 2 keeps (0, 1) from A@0,
        // so C@3 (3 <= 0 + 10) reaches 3.
        let r = [(0, A), (1, B), (2, A), (3, C)];
        assert_eq!(lv(&r, 3, 10, "strict_order"), 3);
        // A row matching nothing after the first step 1 ends the pass: 1.
        assert_eq!(lv(&[(0, A), (1, NONE), (2, B)], 3, 10, "strict_order"), 1);
        // ... but before it, it is skipped.
        assert_eq!(lv(&[(0, NONE), (1, A), (2, B)], 3, 10, "strict_order"), 2);
        // C@1 skips ahead (level 2 not reached): return the first level not reached, 1.
        assert_eq!(lv(&[(0, A), (1, C), (2, B)], 3, 10, "strict_order"), 1);
        // A step ahead before any step 1 is just skipped.
        assert_eq!(lv(&[(0, C), (1, A), (2, B)], 3, 10, "strict_order"), 2);
        // Ties are ordered by step: C@1 B@1 is B then C.
        assert_eq!(lv(&[(0, A), (1, C), (1, B)], 3, 10, "strict_order"), 3);
    }

    #[test]
    fn allow_reentry() {
        // strict_order, allow_reentry: C@1 (ahead of the funnel) is ignored, B@2 C@3 follow.
        let r = [(0, A), (1, C), (2, B), (3, C)];
        assert_eq!(lv(&r, 3, 10, "strict_order,allow_reentry"), 3);
        assert_eq!(lv(&r, 3, 10, "strict_order"), 1);
        // A row matching nothing still ends the pass.
        let r = [(0, A), (1, NONE), (2, B)];
        assert_eq!(lv(&r, 3, 10, "strict_order,allow_reentry"), 1);
        // Repeats are unaffected: with strict_deduplication B@3 still returns 2.
        let r = [(0, A), (1, B), (2, D), (3, B), (4, C)];
        assert_eq!(
            lv(&r, 4, 10, "strict_order,allow_reentry,strict_deduplication"),
            2
        );
        assert_eq!(lv(&r, 4, 10, "strict_order,allow_reentry"), 3);
    }

    #[test]
    fn strict_once() {
        // One row matching A and B serves one step only: events (3,1,id 1), (3,2,id 1); the
        // sequence [1] already holds row 1, so level 2 is not reached.
        assert_eq!(lv(&[(3, A | B)], 2, 10, "strict_once"), 1);
        assert_eq!(lv(&[(3, A | B)], 2, 10, "default"), 2);
        // A@3 and {A,B}@3: ids by (ts, mask): A → 1, AB → 2. Level 1 = [1], [2]; B (id 2)
        // extends [1] → 2.
        assert_eq!(lv(&[(3, A | B), (3, A)], 2, 10, "strict_once"), 2);
        // 'start a b a end'-like: {A,B}@0 {B,C}@1 {C}@2. Sequences: [r1]; B of r1 is on it,
        // B of r2 extends it → [r1, r2]; C of r2 is on it; C@2 (r3) extends → 3.
        let r = [(0, A | B), (1, B | C), (2, C)];
        assert_eq!(lv(&r, 3, 10, "strict_once"), 3);
        assert_eq!(lv(&r[..2], 3, 10, "strict_once"), 2);
        assert_eq!(lv(&r[..2], 3, 10, "default"), 3);
        // Out-of-window sequences are dropped but the last one is kept: A@0, B@20 (window
        // 5) cannot extend it, level 2 stays empty; strict_order then returns 1 at C@21.
        let r = [(0, A), (20, B), (21, C)];
        assert_eq!(lv(&r, 3, 5, "strict_once,strict_order"), 1);
        // Several sequences: A@0 A@4 B@6 (window 5): [A@0] is erased, [A@4] extends.
        let r = [(0, A), (4, A), (6, B), (7, C)];
        assert_eq!(lv(&r, 3, 5, "strict_once"), 3);
        // strict_increase per sequence: A@0 A@5 B@5 → [A@0] is extended by B@5 (0 < 5),
        // unlike the single record without strict_once.
        let r = [(0, A), (5, A), (5, B)];
        assert_eq!(lv(&r, 2, 10, "strict_once,strict_increase"), 2);
        assert_eq!(lv(&r, 2, 10, "strict_increase"), 1);
    }

    #[test]
    fn strict_once_insertion_order() {
        // Confirmed with chdb 26.9: window 10, strict_once + strict_deduplication, rows
        // {A,B}@0, {B}@0, {C}@1. Inserted in this order (ids 1, 2, 3): B of row 1 is on the
        // sequence [1], B of row 2 extends it, C reaches 3. With the first two swapped
        // ({B} id 1, {A,B} id 2): B (id 1) extends [2], then B (id 2) repeats step 2 → 2.
        let c = cfg(3, 10, "strict_once,strict_deduplication");
        let first = rows(&[(0, A | B), (0, B), (1, C)]);
        let swapped = rows(&[(0, B), (0, A | B), (1, C)]);
        assert_eq!(level_in_order(&first, &c), 3);
        assert_eq!(level_in_order(&swapped, &c), 2);
        // level() takes (ts, mask) order, {B} (mask 2) before {A,B} (mask 3): 2 either way.
        assert_eq!(level(&first, &c), 2);
        assert_eq!(level(&swapped, &c), 2);
    }

    #[test]
    fn extreme_timestamps() {
        let modes = all_modes();
        let values = [i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX];
        for window in [1, 10, i64::MAX] {
            for m in &modes {
                let c = FunnelConfig {
                    nsteps: 3,
                    window,
                    mode: *m,
                };
                for &x in &values {
                    for &y in &values {
                        let r = rows(&[(x, A), (y, B | C), (y, NONE), (x, A | B), (y, C)]);
                        assert!(level(&r, &c) <= 3);
                    }
                }
            }
        }
        // The window end saturates: A@MAX-1 → B@MAX is within 10.
        let r = [(i64::MAX - 1, A), (i64::MAX, B)];
        assert_eq!(lv(&r, 2, 10, "default"), 2);
        assert_eq!(lv(&r, 2, i64::MAX, "strict_once"), 2);
        // MIN + MAX = -1: B@MAX is outside the window of A@MIN.
        let r = [(i64::MIN, A), (i64::MAX, B)];
        assert_eq!(lv(&r, 2, i64::MAX, "default"), 1);
        assert_eq!(lv(&[(i64::MIN, A), (-1, B)], 2, i64::MAX, "default"), 2);
        // Negative timestamps compare as signed numbers.
        assert_eq!(lv(&[(-5, A), (0, B)], 2, 5, "default"), 2);
        assert_eq!(lv(&[(-6, A), (0, B)], 2, 5, "default"), 1);
        // A negative window (rejected by FunnelConfig::new) counts as 0.
        let c = FunnelConfig {
            nsteps: 2,
            window: -3,
            mode: FunnelMode::default(),
        };
        assert_eq!(level(&rows(&[(0, A), (0, B)]), &c), 2);
        assert_eq!(level(&rows(&[(0, A), (1, B)]), &c), 1);
    }

    /// Every mode combination ClickHouse accepts (allow_reentry needs strict_order).
    fn all_modes() -> Vec<FunnelMode> {
        (0u8..32)
            .map(|b| FunnelMode {
                strict_order: b & 1 != 0,
                strict_deduplication: b & 2 != 0,
                strict_increase: b & 4 != 0,
                strict_once: b & 8 != 0,
                allow_reentry: b & 16 != 0,
                clickhouse: true,
            })
            .filter(|m| !m.allow_reentry || m.strict_order)
            .collect()
    }

    /// The cases of `scripts/gen-clickhouse-funnel-cases`: chdb 26.9's level for every case
    /// under every accepted mode combination, with the rows inserted in `(ts, mask)` order
    /// ("A", the order [`level`] uses) and with tied rows reversed, `(ts, -mask)` ("B").
    ///
    /// No case is excluded: [`level`] must equal ClickHouse's order-A answer everywhere and
    /// [`level_in_order`] on the order-B rows ClickHouse's order-B answer. The two answers
    /// differ for a few strict_once cases only (ClickHouse's insertion-order dependence; see
    /// the module documentation), which are counted here.
    #[test]
    fn matches_chdb_cases() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("clickhouse_cases.json")).unwrap();
        assert_eq!(doc["clickhouse"], "26.9.2.1");
        let modes: Vec<(String, FunnelMode)> = doc["modes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let s = m.as_str().unwrap().to_string();
                let mode = FunnelMode::parse(&s).unwrap();
                (s, mode)
            })
            .collect();
        assert_eq!(
            modes.len(),
            all_modes().len(),
            "one entry per accepted combination"
        );
        for r in doc["rejected"].as_array().unwrap() {
            let m = FunnelMode::parse(r.as_str().unwrap()).unwrap();
            assert!(m.allow_reentry && !m.strict_order, "chdb rejected {r}");
        }
        let cases = doc["cases"].as_array().unwrap();
        assert!(cases.len() >= 300);
        let num = |v: &serde_json::Value| v.as_i64().unwrap();
        let mut agree = vec![0usize; modes.len()];
        let mut order_dependent = vec![0usize; modes.len()];
        let mut failures = Vec::new();
        for case in cases {
            let (n, w) = (num(&case[0]) as usize, num(&case[1]));
            let flat: Vec<i64> = case[2].as_array().unwrap().iter().map(num).collect();
            let rows_a: Vec<Row> = flat
                .chunks(2)
                .map(|p| Row::new(p[0], p[1] as u64))
                .collect();
            let mut rows_b = rows_a.clone();
            rows_b.sort_by_key(|r| (r.ts, std::cmp::Reverse(r.mask)));
            let mut rev = rows_a.clone();
            rev.reverse();
            for (m, (name, mode)) in modes.iter().enumerate() {
                let c = FunnelConfig::new(n, w, *mode).unwrap();
                let (want_a, want_b) = (num(&case[3][m]) as usize, num(&case[4][m]) as usize);
                let got = (
                    level(&rows_a, &c),
                    level_in_order(&rows_b, &c),
                    level(&rev, &c),
                );
                if got == (want_a, want_b, want_a) {
                    agree[m] += 1;
                } else {
                    failures.push(format!(
                        "{name}: n {n} window {w} rows {flat:?}: got {got:?}, chdb \
                         ({want_a}, {want_b})"
                    ));
                }
                if want_a != want_b {
                    assert!(mode.strict_once, "{name}: {flat:?} depends on the order");
                    order_dependent[m] += 1;
                }
            }
        }
        for (m, (name, _)) in modes.iter().enumerate() {
            println!(
                "{name}: {} of {} cases agree ({} depend on the insertion order)",
                agree[m],
                cases.len(),
                order_dependent[m]
            );
        }
        assert!(
            failures.is_empty(),
            "{} disagreements:\n{}",
            failures.len(),
            failures[..failures.len().min(20)].join("\n")
        );
    }

    proptest! {
        /// level() does not depend on the order of its input.
        #[test]
        fn input_order_independent(
            raw in prop::collection::vec((0i64..6, 0u64..16), 0..12),
            n in 1usize..=4,
            w in 1i64..4,
            m in 0usize..24,
            rot in 0usize..12,
        ) {
            let mode = all_modes()[m];
            let c = FunnelConfig { nsteps: n, window: w, mode };
            let r = rows(&raw);
            let mut shuffled = r.clone();
            shuffled.reverse();
            if !shuffled.is_empty() {
                let k = rot % shuffled.len();
                shuffled.rotate_left(k);
            }
            prop_assert_eq!(level(&r, &c), level(&shuffled, &c));
        }
    }
}
