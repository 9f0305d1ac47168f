//! The exact funnel engine: one pass over a user's rows sorted by timestamp, computing the
//! deepest chain of the module documentation under every constraint (window, per-step
//! windows, strict modes, exclusions) and, when asked, the reported chain.
//!
//! # How
//!
//! A *prefix* is a chain `c_1..c_k` that may still grow. Rows are read one timestamp group
//! at a time; inside a group, events are taken by step (step 0 first), each `(ts, step)`
//! batch at once. For every level `k` the engine keeps a *front*: the prefixes of length `k`
//! that no other prefix of length `k` dominates. Prefix `P` dominates `Q` when, once both
//! were formed before the current timestamp, `P` can do everything `Q` can: its anchor is
//! no earlier (its window lasts longer), its last event is no earlier (per-step windows,
//! exclusion intervals and strict-mode interruptions all favour a later last event), and it
//! is dirty for no exclusion `Q` is clean for. Interruptions (`strict_order`,
//! `strict_deduplication`) end *every* prefix of the affected levels, since each of them
//! lies before the interrupting event. Comparisons between prefixes whose last events share
//! the current timestamp wait until the group ends (under `strict_increase` or
//! `strict_once` a prefix ending now cannot take another event now, so it does not stand for
//! an older one yet). In the usual case every front holds one prefix and a row costs
//! O(steps it matches).
//!
//! Exclusions: bit `e` of a prefix's `dirty` is set once an event of exclusion `e` has been
//! seen at a timestamp after the prefix's step-`from` event (marked when a group ends, so an
//! exclusion event never counts against a step at its own timestamp). A dirty prefix cannot
//! take step `to`.
//!
//! Paths are kept in an arena of nodes (row, timestamp, parent), shared by prefixes, so a
//! step costs O(1) whatever the chain's length.

use super::config::{FunnelMode, MAX_STEPS};
use super::spec::{FunnelSpec, Outcome, Row};
use crate::time::add_saturating;
use std::cell::RefCell;

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Node {
    row: u32,
    ts: i64,
    parent: u32,
}

#[derive(Debug, Clone, Copy)]
struct Prefix {
    anchor: i64,
    last: i64,
    dirty: u32,
    node: u32,
}

/// The scratch space of the engine, reused across users (no allocation per user once warm).
#[derive(Debug, Default)]
pub struct Engine {
    fronts: Vec<Vec<Prefix>>,
    nodes: Vec<Node>,
    /// Candidates made by the current batch, added to their front when the batch ends.
    pending: Vec<Prefix>,
    /// Rows of the current timestamp group matching the current step.
    batch: Vec<u32>,
}

/// The best prefix of maximal length so far (the reported chain's rule).
#[derive(Debug, Clone, Copy)]
struct Best {
    level: usize,
    anchor: i64,
    last: i64,
    node: u32,
}

thread_local! {
    static SCRATCH: RefCell<Engine> = RefCell::new(Engine::default());
}

/// The deepest level of `rows` (sorted by timestamp; rows sharing a timestamp in any order)
/// under `spec` (ignoring `keyed` and the `clickhouse` flag: see [`super::clickhouse`]),
/// with the reported chain's rows when `want_path`.
pub fn deepest(rows: &[Row], spec: &FunnelSpec, want_path: bool) -> Outcome {
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut engine) => engine.run(rows, spec, want_path),
        Err(_) => Engine::default().run(rows, spec, want_path),
    })
}

impl Engine {
    pub fn run(&mut self, rows: &[Row], spec: &FunnelSpec, want_path: bool) -> Outcome {
        debug_assert!(rows.windows(2).all(|w| w[0].ts <= w[1].ts));
        if spec.is_plain() && spec.cfg.mode == FunnelMode::default() {
            return plain(rows, spec.cfg.nsteps, spec.cfg.window, want_path);
        }
        self.run_general(rows, spec, want_path)
    }

    fn run_general(&mut self, rows: &[Row], spec: &FunnelSpec, want_path: bool) -> Outcome {
        let n = spec.cfg.nsteps;
        self.fronts.resize_with(n + 1, Vec::new);
        self.fronts.iter_mut().for_each(Vec::clear);
        self.nodes.clear();
        let mode = spec.cfg.mode;
        // Nodes are needed for the path, for exclusion starts and for strict_once's rows.
        let track = want_path || !spec.exclusions.is_empty() || mode.strict_once;
        let steps = super::config::low_bits(n);
        // open[k]: exclusions open at level k (from <= k < to); closing[k]: to == k.
        let mut open = [0u32; MAX_STEPS + 1];
        let mut closing = [0u32; MAX_STEPS + 1];
        for (e, x) in spec.exclusions.iter().enumerate() {
            (x.from..x.to).for_each(|k| open[k] |= 1 << e);
            closing[x.to] |= 1 << e;
        }
        let mut best = Best {
            level: 0,
            anchor: 0,
            last: 0,
            node: NONE,
        };
        let mut start = 0;
        while start < rows.len() {
            let ts = rows[start].ts;
            let end = start + rows[start..].partition_point(|r| r.ts == ts);
            let group = &rows[start..end];
            let base = start as u32;
            start = end;
            let (mut any, mut excl) = (0u64, 0u32);
            for r in group {
                any |= r.mask & steps;
                excl |= r.excl;
            }
            // Step 0: a row matching no step ends every prefix under strict_order.
            if mode.strict_order && group.iter().any(|r| r.mask & steps == 0) {
                self.fronts.iter_mut().for_each(Vec::clear);
            }
            let mut pending_steps = any;
            while pending_steps != 0 {
                let s = pending_steps.trailing_zeros() as usize + 1;
                pending_steps &= pending_steps - 1;
                self.batch.clear();
                self.batch.extend(
                    group
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.mask >> (s - 1) & 1 == 1)
                        .map(|(i, _)| base + i as u32),
                );
                if mode.strict_order && !mode.allow_reentry && s >= 3 {
                    // Skipping ahead ends the prefixes of levels 1..s-2.
                    self.fronts[1..s - 1].iter_mut().for_each(Vec::clear);
                }
                if mode.strict_deduplication && s >= 2 {
                    // A repeat of a step already passed ends the prefixes of levels s..n.
                    self.fronts[s..].iter_mut().for_each(Vec::clear);
                }
                self.extend(rows, spec, s, ts, track, &closing);
                for p in self.pending.drain(..) {
                    insert_now(&mut self.fronts[s], p, mode.strict_once, &self.nodes);
                    if s > best.level || (s == best.level && prefers(&self.nodes, &p, &best)) {
                        best = Best {
                            level: s,
                            anchor: p.anchor,
                            last: p.last,
                            node: p.node,
                        };
                    }
                }
                if best.level == n && !want_path {
                    return Outcome {
                        level: n,
                        path: Vec::new(),
                    };
                }
            }
            if excl != 0 {
                self.mark_dirty(excl, ts, &open, spec);
            }
            for (front, open_k) in self.fronts.iter_mut().zip(&open).skip(1) {
                prune(front, open_k, &self.nodes);
            }
        }
        let mut path = Vec::new();
        if want_path && best.level > 0 {
            let mut node = best.node;
            while node != NONE {
                path.push(self.nodes[node as usize].row);
                node = self.nodes[node as usize].parent;
            }
            path.reverse();
        }
        Outcome {
            level: best.level,
            path,
        }
    }

    /// Makes the candidates of step `s` at `ts` (into `pending`) from the batch's rows.
    fn extend(
        &mut self,
        rows: &[Row],
        spec: &FunnelSpec,
        s: usize,
        ts: i64,
        track: bool,
        closing: &[u32],
    ) {
        let mode = spec.cfg.mode;
        if s == 1 {
            for &r in &self.batch {
                let node = if track {
                    self.nodes.push(Node {
                        row: r,
                        ts,
                        parent: NONE,
                    });
                    (self.nodes.len() - 1) as u32
                } else {
                    NONE
                };
                self.pending.push(Prefix {
                    anchor: ts,
                    last: ts,
                    dirty: 0,
                    node,
                });
                if !track {
                    break; // identical prefixes
                }
            }
            return;
        }
        let gap = spec.gap(s - 1);
        let window = spec.cfg.window;
        let blocked = closing[s];
        for i in 0..self.fronts[s - 1].len() {
            let p = self.fronts[s - 1][i];
            if ts > add_saturating(p.anchor, window)
                // i64::MAX is no limit, as for the window (add_saturating).
                || (gap != i64::MAX && (ts as i128 - p.last as i128) > gap as i128)
                || (mode.strict_increase && p.last >= ts)
                || p.dirty & blocked != 0
            {
                continue;
            }
            for bi in 0..self.batch.len() {
                let r = self.batch[bi];
                if mode.strict_once && uses_row(&self.nodes, p.node, r, ts) {
                    continue;
                }
                let node = if track {
                    self.nodes.push(Node {
                        row: r,
                        ts,
                        parent: p.node,
                    });
                    (self.nodes.len() - 1) as u32
                } else {
                    NONE
                };
                self.pending.push(Prefix {
                    anchor: p.anchor,
                    last: ts,
                    dirty: p.dirty,
                    node,
                });
                if !mode.strict_once {
                    break; // the other rows of the batch give the same prefix
                }
            }
        }
        let _ = rows;
    }

    /// Exclusion events at `ts` (bits `excl`) dirty every prefix whose step-`from` event is
    /// earlier than `ts`.
    fn mark_dirty(&mut self, excl: u32, ts: i64, open: &[u32], spec: &FunnelSpec) {
        for (k, (front, open_k)) in self.fronts.iter_mut().zip(open).enumerate().skip(1) {
            let bits = excl & open_k;
            if bits == 0 {
                continue;
            }
            for p in front.iter_mut() {
                let mut todo = bits & !p.dirty;
                while todo != 0 {
                    let e = todo.trailing_zeros() as usize;
                    todo &= todo - 1;
                    let from = spec.exclusions[e].from;
                    if p.last < ts || step_ts(&self.nodes, p.node, k, from) < ts {
                        p.dirty |= 1 << e;
                    }
                }
            }
        }
    }
}

/// The default mode with no per-step window or exclusion, where a prefix's last event never
/// matters: the same answer as [`Engine::run_general`] in one pass keeping, per level, the
/// latest anchor of a prefix of that level (a later anchor's window lasts longer), then, for
/// the path, the reported chain rebuilt from the latest anchor of the deepest level: the
/// earliest last step (steps taken as early as possible from the anchor), then the latest
/// event of each earlier step going backwards. At a timestamp a step's row is the first row
/// of that timestamp matching it, as in the general engine.
fn plain(rows: &[Row], n: usize, window: i64, want_path: bool) -> Outcome {
    let steps = super::config::low_bits(n);
    // anchor[k - 1]: the latest anchor of a prefix of level k, for k <= level (a prefix of
    // level k has one of level k - 1 with the same anchor, so anchor[k - 1] <= anchor[k - 2];
    // no sentinel value: -infinity is i64::MIN).
    let mut anchor = [0i64; MAX_STEPS];
    let mut level = 0;
    let mut i = 0;
    while i < rows.len() {
        let ts = rows[i].ts;
        let mut any = 0u64;
        while i < rows.len() && rows[i].ts == ts {
            any |= rows[i].mask;
            i += 1;
        }
        any &= steps;
        while any != 0 {
            let s = any.trailing_zeros() as usize + 1;
            any &= any - 1;
            if s == 1 {
                anchor[0] = ts;
            } else if s - 1 <= level && ts <= add_saturating(anchor[s - 2], window) {
                anchor[s - 1] = anchor[s - 2];
            } else {
                continue;
            }
            level = level.max(s);
        }
        if level == n && !want_path {
            break;
        }
    }
    let mut path = Vec::new();
    if want_path && level > 0 {
        path = reported_plain(rows, level, anchor[level - 1]);
    }
    Outcome { level, path }
}

/// The reported chain of level `level` anchored at `anchor` (see [`plain`]).
fn reported_plain(rows: &[Row], level: usize, anchor: i64) -> Vec<u32> {
    let first_at = |ts: i64| rows.partition_point(|r| r.ts < ts);
    // The first row at or after `ts` matching step `k` (one exists: the level is
    // reachable from the anchor, and each later step was found at the timestamp asked for).
    let row_at = |ts: i64, k: usize| {
        (first_at(ts)..rows.len())
            .find(|&j| rows[j].mask >> (k - 1) & 1 == 1)
            .expect("a step row at or after its timestamp") as u32
    };
    // Forward, earliest events: the earliest last step.
    let mut t = anchor;
    for k in 2..=level {
        t = rows[row_at(t, k) as usize].ts;
    }
    // Backward, latest events no later than the next step's.
    let mut path = vec![0u32; level];
    path[level - 1] = row_at(t, level);
    for k in (2..level).rev() {
        let end = rows.partition_point(|r| r.ts <= t);
        let j = (0..end)
            .rev()
            .find(|&j| rows[j].mask >> (k - 1) & 1 == 1)
            .expect("the forward chain's step row");
        t = rows[j].ts;
        path[k - 1] = row_at(t, k);
    }
    path[0] = row_at(anchor, 1);
    path
}

/// The timestamp of step `from` of the prefix of length `k` ending at `node`.
fn step_ts(nodes: &[Node], mut node: u32, k: usize, from: usize) -> i64 {
    for _ in from..k {
        node = nodes[node as usize].parent;
    }
    nodes[node as usize].ts
}

/// Whether the prefix ending at `node` already used row `r` (only rows at `ts` can be `r`).
fn uses_row(nodes: &[Node], mut node: u32, r: u32, ts: i64) -> bool {
    while node != NONE {
        let n = nodes[node as usize];
        if n.ts != ts {
            return false;
        }
        if n.row == r {
            return true;
        }
        node = n.parent;
    }
    false
}

/// Adds `p` to a front during a group: only prefixes ending at the same timestamp are
/// compared now (and not at all under strict_once, whose prefixes differ by their rows).
fn insert_now(front: &mut Vec<Prefix>, p: Prefix, strict_once: bool, nodes: &[Node]) {
    if !strict_once {
        for q in front.iter_mut().filter(|q| q.last == p.last) {
            let q_covers = q.anchor >= p.anchor && q.dirty & !p.dirty == 0;
            let p_covers = p.anchor >= q.anchor && p.dirty & !q.dirty == 0;
            if q_covers && p_covers {
                // Equivalent: keep the later path (the reported chain's rule).
                if later_path(nodes, p.node, q.node) {
                    *q = p;
                }
                return;
            }
            if q_covers {
                return;
            }
        }
    }
    front.push(p);
}

/// Whether `p` (of the best level) is a better reported chain than `best`: later anchor,
/// then earlier last step, then later steps going backwards.
fn prefers(nodes: &[Node], p: &Prefix, best: &Best) -> bool {
    if p.anchor != best.anchor {
        return p.anchor > best.anchor;
    }
    if p.last != best.last {
        return p.last < best.last;
    }
    later_path(nodes, p.node, best.node)
}

/// Drops dominated prefixes once a group has ended (all prefixes are now settled). Among
/// equivalent ones the one with the later earlier steps stays (the reported chain's rule).
fn prune(front: &mut Vec<Prefix>, open: &u32, nodes: &[Node]) {
    if front.len() < 2 {
        return;
    }
    let open = *open;
    let dominates = |p: &Prefix, q: &Prefix| {
        p.anchor >= q.anchor && p.last >= q.last && (p.dirty & open) & !(q.dirty & open) == 0
    };
    let mut i = 0;
    while i < front.len() {
        let q = front[i];
        let beaten = front.iter().enumerate().any(|(j, p)| {
            j != i
                && dominates(p, &q)
                && (!dominates(&q, p) || later_path(nodes, p.node, q.node) || {
                    // exact equals: keep the first of them
                    !later_path(nodes, q.node, p.node) && j < i
                })
        });
        if beaten {
            front.swap_remove(i);
        } else {
            i += 1;
        }
    }
}

/// Whether path `a` is later than path `b`, comparing from the last step backwards.
fn later_path(nodes: &[Node], mut a: u32, mut b: u32) -> bool {
    while a != NONE && b != NONE {
        let (na, nb) = (nodes[a as usize], nodes[b as usize]);
        if na.ts != nb.ts {
            return na.ts > nb.ts;
        }
        a = na.parent;
        b = nb.parent;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funnel::{Exclusion, FunnelConfig, FunnelMode};

    const A: u64 = 1;
    const B: u64 = 2;
    const C: u64 = 4;

    fn spec(n: usize, window: i64, mode: &str) -> FunnelSpec {
        FunnelSpec::plain(FunnelConfig::new(n, window, FunnelMode::parse(mode).unwrap()).unwrap())
    }

    fn run(rows: &[(i64, u64)], spec: &FunnelSpec) -> (usize, Vec<i64>) {
        let rows: Vec<Row> = rows.iter().map(|&(t, m)| Row::new(t, m)).collect();
        let out = deepest(&rows, spec, true);
        let times = out.path.iter().map(|&i| rows[i as usize].ts).collect();
        assert_eq!(deepest(&rows, spec, false).level, out.level);
        (out.level, times)
    }

    #[test]
    fn per_step_window_takes_the_later_step() {
        let mut s = spec(3, 100, "default");
        s.step_windows = vec![None, Some(2)];
        assert_eq!(
            run(&[(0, A), (1, B), (9, B), (10, C)], &s),
            (3, vec![0, 9, 10])
        );
        s.step_windows = vec![Some(0x7fff), Some(0)];
        assert_eq!(run(&[(0, A), (1, B), (9, B), (10, C)], &s).0, 2);
    }

    #[test]
    fn exclusions_drop_the_dirty_chain_only() {
        let mut s = spec(3, 100, "default");
        s.exclusions = vec![Exclusion { from: 1, to: 3 }];
        let x = |t| Row {
            ts: t,
            mask: 0,
            excl: 1,
        };
        let rows = vec![
            Row::new(0, A),
            Row::new(1, B),
            x(2),
            Row::new(3, C),
            Row::new(10, A),
            Row::new(11, B),
            Row::new(12, C),
        ];
        let out = deepest(&rows, &s, true);
        assert_eq!((out.level, out.path), (3, vec![4, 5, 6]));
        assert_eq!(deepest(&rows[..4], &s, true).level, 2);
        // an exclusion at the step's own timestamp does not count
        let rows = vec![Row::new(0, A), Row::new(1, B), x(3), Row::new(3, C)];
        assert_eq!(deepest(&rows, &s, false).level, 3);
        let rows = vec![Row::new(0, A), x(0), Row::new(1, B), Row::new(3, C)];
        assert_eq!(deepest(&rows, &s, false).level, 3);
    }

    #[test]
    fn strict_order_repeats_do_not_break() {
        let so = spec(3, 100, "strict_order");
        assert_eq!(run(&[(0, A), (1, B), (2, B), (3, C)], &so).0, 3);
        assert_eq!(run(&[(0, A), (1, C), (2, B), (3, C)], &so).0, 1);
        assert_eq!(run(&[(0, A), (1, 0), (2, B)], &so).0, 1);
        let re = spec(3, 100, "strict_order, allow_reentry");
        assert_eq!(run(&[(0, A), (1, C), (2, B), (3, C)], &re).0, 3);
    }

    #[test]
    fn strict_once_uses_a_row_once() {
        let once = spec(2, 100, "strict_once");
        assert_eq!(run(&[(0, A | B)], &once).0, 1);
        assert_eq!(run(&[(0, A | B), (1, B)], &once), (2, vec![0, 1]));
        assert_eq!(run(&[(0, A | B), (0, B)], &once).0, 2);
        assert_eq!(run(&[(0, A | B)], &spec(2, 100, "default")).0, 2);
    }

    #[test]
    fn reported_chain() {
        let d = spec(3, 10, "default");
        assert_eq!(
            run(
                &[(0, A), (2, A), (3, B), (4, B), (5, C), (6, C), (50, A)],
                &d
            ),
            (3, vec![2, 4, 5])
        );
        assert_eq!(run(&[(50, A), (51, B)], &d), (2, vec![50, 51]));
        // docs/funnels.md: a repeated intermediate step counts from its last occurrence.
        assert_eq!(
            run(&[(0, A), (1, B), (3, B), (5, C)], &d),
            (3, vec![0, 3, 5])
        );
        assert_eq!(run(&[], &d), (0, vec![]));
    }

    mod plain_vs_general {
        use super::*;
        use proptest::prelude::*;

        /// Default-mode rows full of ties, several steps per row now and then, bits above the
        /// steps (ignored).
        fn arb_case() -> impl Strategy<Value = (Vec<Row>, usize, i64)> {
            (1usize..=5, 1i64..=12).prop_flat_map(|(n, window)| {
                let mask = prop_oneof![
                    6 => (0..n).prop_map(|k| 1u64 << k),
                    2 => 0u64..(1 << n),
                    1 => (0u64..(1 << n)).prop_map(move |m| m | 1 << n),
                ];
                // -infinity and infinity are i64::MIN and i64::MAX.
                let ts = prop_oneof![8 => 0i64..16, 1 => Just(i64::MIN), 1 => Just(i64::MAX)];
                let row = (ts, mask).prop_map(|(ts, mask)| Row::new(ts, mask));
                prop::collection::vec(row, 0..=16).prop_map(move |mut rows| {
                    rows.sort_by_key(|r| r.ts);
                    (rows, n, window)
                })
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(5000))]

            /// Same level and the same rows on the reported chain as the general engine.
            #[test]
            fn plain_matches_general((rows, n, window) in arb_case()) {
                let s = spec(n, window, "default");
                for want_path in [false, true] {
                    let general = Engine::default().run_general(&rows, &s, want_path);
                    prop_assert_eq!(plain(&rows, n, window, want_path), general);
                }
            }
        }
    }
}
