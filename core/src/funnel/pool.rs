//! [`UserPool`]: the kept rows of many per-user funnel groups in one flat buffer.
//!
//! Under `GROUP BY user_id` on an event table in time order, consecutive rows belong to
//! different users. A state per group holding its own row buffer costs two dependent cache
//! misses per row (the group's state, then the end of its buffer) on top of the hash
//! aggregate's own. A pool instead hands each group a dense id when it starts; a row is an
//! append of `(id, ts, mask, exclusions)` to one buffer, so the only random access left per
//! row is PostgreSQL's. The first time a group's level is asked for, every pending row is
//! placed by id (a counting pass and two radix passes), each group's rows are put in time
//! order (already so when pushed in time order) and every group without a level is
//! evaluated; later questions are a lookup.
//!
//! The answer for a group is the one [`UserFunnel`] gives for the same rows, whatever the
//! order the rows came in, and whichever groups the rows of the others came between.
//!
//! Memory: 16 bytes per kept row (a `Vec` growing by doubling); placing needs a second
//! buffer of the same size for a moment; plus 9 bytes per group (its offset and its
//! level).

use super::spec::{FunnelSpec, Row};
use super::user::{level_of, spec_bytes, write_plain, UserFunnel};
use crate::codec::Writer;
use crate::state::{Work, INTERRUPT_WORK};
use crate::threads::{self, Threads};
use std::sync::Arc;

/// A group's level before its rows are evaluated (levels are at most 64).
const UNKNOWN: u8 = u8::MAX;

/// Above this many groups, the first placing sorts by id in two radix passes.
const RADIX_GROUPS: usize = 1 << 12;

/// Groups a thread evaluates at a time ([`UserPool::level_on`]).
const EVAL_CHUNK: usize = 1 << 14;

/// A pooled row: 16 bytes, the step mask and the exclusion mask packed into `bits` (steps
/// in the low `nsteps` bits, exclusions above), which is why a pool takes only funnels
/// with at most 32 steps and exclusions together ([`UserPool::new`]).
#[derive(Debug, Clone, Copy)]
struct PoolRow {
    id: u32,
    bits: u32,
    ts: i64,
}

/// Steps and exclusions a pool's rows can hold together.
const POOL_BITS: usize = 32;

impl PoolRow {
    #[inline]
    fn new(id: u32, ts: i64, mask: u64, excl: u32, nsteps: u32) -> PoolRow {
        PoolRow {
            id,
            bits: (mask | u64::from(excl) << nsteps) as u32,
            ts,
        }
    }

    #[inline]
    fn row(&self, step_bits: u64, nsteps: u32) -> Row {
        let bits = u64::from(self.bits);
        Row {
            ts: self.ts,
            mask: bits & step_bits,
            excl: (bits >> nsteps) as u32,
        }
    }
}

/// The rows of many per-user funnel groups of one spec (see the module documentation).
#[derive(Debug)]
pub struct UserPool {
    spec: Arc<FunnelSpec>,
    step_bits: u64,
    nsteps: u32,
    keep_all: bool,
    /// Rows not placed yet, in arrival order.
    pending: Vec<PoolRow>,
    /// Placed rows: group `i`'s at `placed[offsets[i]..offsets[i + 1]]`, in arrival order.
    placed: Vec<PoolRow>,
    /// `placed` offsets of the first `offsets.len() - 1` groups (empty before placing).
    offsets: Vec<usize>,
    /// Level of each group placed so far, [`UNKNOWN`] until evaluated or after a late row.
    levels: Vec<u8>,
    groups: u32,
    /// After [`UserPool::union`]: each group's parent (a group is its own root); empty
    /// while no group was merged into another.
    parent: Vec<u32>,
    /// A union happened since the rows were last placed.
    merged: bool,
    /// The group started last and where its rows begin in `pending`, while every row
    /// pushed since is its own (see [`UserPool::absorb`]).
    last: Option<(u32, usize)>,
    /// The spec's encoding, for [`UserPool::write_group`].
    spec_bytes: Vec<u8>,
    /// The steps and exclusions some kept row matched (see [`UserPool::matched`]).
    matched: (u64, u32),
}

impl UserPool {
    /// A pool for the funnel `spec`; `None` when its steps and exclusions together are more
    /// than 32 (its groups then keep states of their own).
    pub fn new(spec: Arc<FunnelSpec>) -> Option<UserPool> {
        if spec.cfg.nsteps + spec.exclusions.len() > POOL_BITS {
            return None;
        }
        let bytes = spec_bytes(&spec);
        Some(UserPool {
            step_bits: spec.cfg.step_bits(),
            nsteps: spec.cfg.nsteps as u32,
            keep_all: spec.cfg.mode.strict_order,
            spec,
            pending: Vec::new(),
            placed: Vec::new(),
            offsets: Vec::new(),
            levels: Vec::new(),
            groups: 0,
            parent: Vec::new(),
            merged: false,
            last: None,
            spec_bytes: bytes,
            matched: (0, 0),
        })
    }

    /// The spec's encoding (as in an encoded state).
    pub fn spec_bytes(&self) -> &[u8] {
        &self.spec_bytes
    }

    pub fn spec(&self) -> &Arc<FunnelSpec> {
        &self.spec
    }

    /// A new group's id (`None` once 2^32 - 1 groups have started: the caller keeps that
    /// group in a state of its own).
    pub fn group(&mut self) -> Option<u32> {
        let id = self.groups;
        self.groups = self.groups.checked_add(1).filter(|&g| g < u32::MAX)?;
        if !self.parent.is_empty() {
            self.parent.push(id);
        }
        self.last = Some((id, self.pending.len()));
        Some(id)
    }

    /// Adds a row of group `id` (bits beyond the funnel's steps are dropped; a row matching
    /// nothing is kept only under `strict_order`, as in [`UserFunnel::push`]).
    #[inline]
    pub fn push(&mut self, id: u32, ts: i64, mask: u64, excl: u32) {
        let mask = mask & self.step_bits;
        if mask != 0 || excl != 0 || self.keep_all {
            if let Some(level) = self.levels.get_mut(id as usize) {
                *level = UNKNOWN; // a row after the group was evaluated
            }
            if !self.parent.is_empty() && self.parent[id as usize] != id {
                self.merged = true; // a row of a merged group: it goes to the root
            }
            if self.last.is_some_and(|(l, _)| l != id) {
                self.last = None;
            }
            self.matched = (self.matched.0 | mask, self.matched.1 | excl);
            self.pending
                .push(PoolRow::new(id, ts, mask, excl, self.nsteps));
        }
    }

    /// The group that `id`'s rows now belong to.
    fn root(&mut self, id: u32) -> u32 {
        if self.parent.is_empty() {
            return id;
        }
        let mut r = id;
        while self.parent[r as usize] != r {
            r = self.parent[r as usize];
        }
        let mut i = id;
        while self.parent[i as usize] != r {
            let next = self.parent[i as usize];
            self.parent[i as usize] = r;
            i = next;
        }
        r
    }

    /// Merges group `from` into group `into` (a parallel plan's combine step): from then on
    /// `into`'s level counts the rows of both, and `from` is not asked about again.
    pub fn union(&mut self, into: u32, from: u32) {
        if self.parent.is_empty() {
            self.parent = (0..self.groups).collect();
        }
        let (a, b) = (self.root(into), self.root(from));
        if a != b {
            self.parent[b as usize] = a;
            self.merged = true;
            if let Some(level) = self.levels.get_mut(a as usize) {
                *level = UNKNOWN;
            }
        }
    }

    /// [`UserPool::union`] for the common case of a parallel leader: when `from` is the
    /// group started last and every row since is its own (a partial state just received),
    /// its rows are relabelled as `into`'s on the spot, with no union to resolve later.
    /// `false` (nothing done) otherwise. `from` is not asked about again.
    pub fn absorb(&mut self, into: u32, from: u32) -> bool {
        let Some((last, start)) = self.last else {
            return false;
        };
        if last != from || into == from || from >= self.groups || into >= self.groups {
            return false;
        }
        let root = self.root(into);
        for r in &mut self.pending[start..] {
            r.id = root;
        }
        if !self.parent.is_empty() {
            self.parent[from as usize] = root;
        }
        if let Some(level) = self.levels.get_mut(root as usize) {
            *level = UNKNOWN;
        }
        self.last = None;
        true
    }

    /// The steps (bit `k - 1`: step `k`) and exclusions (bit `e`) that some row of any group
    /// matched: what a typo guard reports on.
    pub fn matched(&self) -> (u64, u32) {
        self.matched
    }

    /// Groups started so far.
    pub fn groups(&self) -> u32 {
        self.groups
    }

    /// Copies every row of `other`, a pool of the same spec in which no group was merged into
    /// another, into this pool as new groups: `other`'s group `g` becomes group `base + g`,
    /// and `base` is returned (`None`, nothing copied, when the specs differ, `other` merged
    /// groups, or the ids would run out). One pass over `other`'s rows in their order: what
    /// a parallel leader does with the pool its own partial aggregate filled, instead of
    /// encoding each group and decoding it again (or copying each group on its own, from
    /// wherever its rows lie).
    pub fn copy_all(&mut self, other: &UserPool) -> Option<u32> {
        if other.spec_bytes != self.spec_bytes || !other.parent.is_empty() {
            return None;
        }
        let base = self.groups;
        let groups = base.checked_add(other.groups).filter(|&g| g < u32::MAX)?;
        if !self.parent.is_empty() {
            self.parent.extend(base..groups);
        }
        self.groups = groups;
        self.last = None;
        self.matched = (
            self.matched.0 | other.matched.0,
            self.matched.1 | other.matched.1,
        );
        // Placed rows first: within a group they came before the pending ones.
        self.pending
            .reserve(other.placed.len() + other.pending.len());
        self.pending.extend(
            other
                .placed
                .iter()
                .chain(other.pending.iter())
                .map(|r| PoolRow {
                    id: r.id + base,
                    ..*r
                }),
        );
        Some(base)
    }

    /// Appends group `id`'s rows (of its root) to group `to` of `into`, a pool of the same
    /// spec (placing this pool's pending rows first, once). What a parallel leader does with
    /// a group of the pool its own partial aggregate filled: its rows copied as they are,
    /// instead of encoded and decoded again.
    pub fn copy_group(
        &mut self,
        id: u32,
        into: &mut UserPool,
        to: u32,
        check_interrupts: &mut dyn FnMut(),
    ) {
        debug_assert_eq!(self.spec_bytes, into.spec_bytes);
        let range = self.group_range(id, check_interrupts);
        for r in self.rows_in(range) {
            into.push(to, r.ts, r.mask, r.excl);
        }
    }

    /// Rows of the pool (pending and placed).
    pub fn rows(&self) -> usize {
        self.pending.len() + self.placed.len()
    }

    /// Places every pending row after its group's placed rows (stable: each group's rows
    /// keep their arrival order).
    fn place(&mut self, work: &mut Work) {
        self.last = None;
        let groups = self.groups as usize;
        if self.merged {
            // Rows move to their groups' roots: place everything again.
            self.merged = false;
            let mut rows = std::mem::take(&mut self.placed);
            if rows.is_empty() {
                // Nothing placed yet (a parallel leader's first placing): the pending buffer
                // itself, not a copy of it into fresh memory (measured: a third of a second
                // of page faults for 10M rows).
                rows = std::mem::take(&mut self.pending);
            } else {
                rows.append(&mut self.pending);
            }
            for g in 0..self.groups {
                self.root(g);
            }
            for chunk in rows.chunks_mut(INTERRUPT_WORK) {
                for r in chunk.iter_mut() {
                    r.id = self.parent[r.id as usize];
                }
                work.add(chunk.len());
            }
            self.pending = rows;
            self.offsets.clear();
            self.levels.clear();
        }
        if self.pending.is_empty() && self.offsets.len() == groups + 1 {
            return;
        }
        let mut starts = vec![0usize; groups + 1];
        for (i, w) in self.offsets.windows(2).enumerate() {
            starts[i + 1] = w[1] - w[0];
        }
        for chunk in self.pending.chunks(INTERRUPT_WORK) {
            for r in chunk {
                starts[r.id as usize + 1] += 1;
            }
            work.add(chunk.len());
        }
        for i in 0..groups {
            starts[i + 1] += starts[i];
        }
        let total = starts[groups];
        let out = if self.offsets.is_empty() && groups > RADIX_GROUPS && !self.pending.is_empty() {
            // A first placing with many groups: two stable radix passes, by the low then the
            // high bits of the id, each writing to at most 2^11 places at a time (a scatter
            // straight to each group's place misses the cache on every row). The second pass
            // writes over the pending buffer.
            let bits = usize::BITS - (groups - 1).leading_zeros();
            let low = bits / 2;
            let low_mask = (1usize << low) - 1;
            // Low digit `b` holds the groups `g` with `g & low_mask == b`.
            let mut at = vec![0usize; 1 << low];
            for g in 0..groups {
                at[g & low_mask] += starts[g + 1] - starts[g];
            }
            let mut next = 0;
            for c in at.iter_mut() {
                (*c, next) = (next, next + *c);
            }
            let mut scratch = vec![self.pending[0]; self.pending.len()];
            for chunk in self.pending.chunks(INTERRUPT_WORK) {
                for r in chunk {
                    let b = &mut at[r.id as usize & low_mask];
                    scratch[*b] = *r;
                    *b += 1;
                }
                work.add(chunk.len());
            }
            let mut out = std::mem::take(&mut self.pending);
            // The high digit `h` covers groups h << low .. (h + 1) << low, whose rows start at
            // starts[h << low].
            let mut at: Vec<usize> = (0..=(groups - 1) >> low)
                .map(|h| starts[h << low])
                .collect();
            for chunk in scratch.chunks(INTERRUPT_WORK) {
                for r in chunk {
                    let b = &mut at[r.id as usize >> low];
                    out[*b] = *r;
                    *b += 1;
                }
                work.add(chunk.len());
            }
            out
        } else {
            let zero = PoolRow {
                id: 0,
                bits: 0,
                ts: 0,
            };
            let mut out = vec![zero; total];
            let mut next = starts.clone();
            for (i, w) in self.offsets.windows(2).enumerate() {
                let (from, len) = (w[0], w[1] - w[0]);
                out[next[i]..next[i] + len].copy_from_slice(&self.placed[from..from + len]);
                next[i] += len;
            }
            for chunk in self.pending.chunks(INTERRUPT_WORK) {
                for r in chunk {
                    let at = &mut next[r.id as usize];
                    out[*at] = *r;
                    *at += 1;
                }
                work.add(chunk.len());
            }
            self.pending = Vec::new();
            out
        };
        self.placed = out;
        self.offsets = starts;
        self.levels.resize(groups, UNKNOWN);
    }

    /// Group `id`'s level (0: step 1 never reached), evaluating every group without one
    /// first. Calls `check_interrupts` at least every 64K rows placed or evaluated.
    pub fn level(&mut self, id: u32, check_interrupts: &mut dyn FnMut()) -> usize {
        self.level_on(id, Threads::SERIAL, check_interrupts)
    }

    /// [`UserPool::level`], evaluating the groups on up to `threads.max` threads (in ranges
    /// of [`EVAL_CHUNK`] groups; the answer does not depend on the threads).
    pub fn level_on(
        &mut self,
        id: u32,
        threads: Threads<'_>,
        check_interrupts: &mut dyn FnMut(),
    ) -> usize {
        let id = self.root(id) as usize;
        if let Some(&l) = self.levels.get(id) {
            if l != UNKNOWN && !self.merged {
                return l as usize;
            }
        }
        self.place(&mut Work {
            done: 0,
            check: check_interrupts,
        });
        let n = self.levels.len();
        let ranges: Vec<std::ops::Range<usize>> = (0..n)
            .step_by(EVAL_CHUNK)
            .map(|s| s..(s + EVAL_CHUNK).min(n))
            .collect();
        let threads = Threads {
            max: if n > EVAL_CHUNK { threads.max } else { 1 },
            ..threads
        };
        let (levels, placed, offsets) = (&self.levels, &self.placed, &self.offsets);
        let (spec, step_bits, nsteps) = (&*self.spec, self.step_bits, self.nsteps);
        let parts = threads::for_each(
            threads,
            ranges,
            Vec::new,
            |acc: &mut Vec<(usize, Vec<u8>)>, range, work| {
                let mut rows: Vec<Row> = Vec::new();
                let mut out = Vec::with_capacity(range.len());
                for i in range.clone() {
                    if levels[i] != UNKNOWN {
                        out.push(levels[i]);
                        continue;
                    }
                    rows.clear();
                    rows.extend(
                        placed[offsets[i]..offsets[i + 1]]
                            .iter()
                            .map(|r| r.row(step_bits, nsteps)),
                    );
                    if !rows.is_sorted_by_key(|r| (r.ts, r.mask, r.excl)) {
                        rows.sort_unstable_by_key(|r| (r.ts, r.mask, r.excl));
                    }
                    out.push(level_of(&rows, spec) as u8);
                    work.add(rows.len() + 16);
                }
                acc.push((range.start, out));
            },
            check_interrupts,
        );
        for (start, out) in parts.into_iter().flatten() {
            self.levels[start..start + out.len()].copy_from_slice(&out);
        }
        self.levels.get(id).map_or(0, |&l| l as usize)
    }

    /// Writes group `id`'s rows as [`UserFunnel::encode`] of a state with those rows would
    /// (nested: as `Writer::bytes` of it), without building the state: what a parallel
    /// worker sends for each group.
    pub fn write_group(
        &mut self,
        id: u32,
        w: &mut Writer,
        nested: bool,
        check_interrupts: &mut dyn FnMut(),
    ) {
        let range = self.group_range(id, check_interrupts);
        write_plain(
            w,
            &self.spec_bytes,
            self.rows_in(range).map(|r| (r.ts, r.mask, r.excl)),
            nested,
        );
    }

    /// Group `id`'s rows as a state of its own (to send it to another process, or to
    /// combine it with one).
    pub fn take(&mut self, id: u32, check_interrupts: &mut dyn FnMut()) -> UserFunnel {
        let range = self.group_range(id, check_interrupts);
        let mut state = UserFunnel::new(self.spec.clone());
        for r in self.rows_in(range) {
            state.push(r.ts, r.mask, r.excl);
        }
        state
    }

    /// Where group `id`'s rows (of its root) lie in `placed`, after placing every pending
    /// row.
    fn group_range(
        &mut self,
        id: u32,
        check_interrupts: &mut dyn FnMut(),
    ) -> std::ops::Range<usize> {
        let mut work = Work {
            done: 0,
            check: check_interrupts,
        };
        self.place(&mut work);
        let id = self.root(id) as usize;
        if id + 1 < self.offsets.len() {
            self.offsets[id]..self.offsets[id + 1]
        } else {
            0..0
        }
    }

    /// The placed rows of `range`, unpacked.
    fn rows_in(&self, range: std::ops::Range<usize>) -> impl ExactSizeIterator<Item = Row> + '_ {
        let (step_bits, nsteps) = (self.step_bits, self.nsteps);
        self.placed[range]
            .iter()
            .map(move |r| r.row(step_bits, nsteps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funnel::{FunnelConfig, FunnelMode};
    use proptest::prelude::*;

    fn spec(nsteps: usize, window: i64, mode: &str) -> Arc<FunnelSpec> {
        let cfg = FunnelConfig::new(nsteps, window, FunnelMode::parse(mode).unwrap()).unwrap();
        Arc::new(FunnelSpec::new(cfg, Vec::new(), Vec::new(), false).unwrap())
    }

    /// Rows of several groups interleaved: each group's level equals a state of its own
    /// fed the same rows, in every mode; levels asked in any order, rows added after some
    /// groups were evaluated, and `take` all agree.
    fn check(rows: &[(usize, i64, u64)], groups: usize, mode: &str, split: usize) {
        let spec = spec(3, 10, mode);
        let mut pool = UserPool::new(spec.clone()).unwrap();
        let ids: Vec<u32> = (0..groups).map(|_| pool.group().unwrap()).collect();
        let mut alone: Vec<UserFunnel> =
            (0..groups).map(|_| UserFunnel::new(spec.clone())).collect();
        let split = split.min(rows.len());
        for &(g, ts, mask) in &rows[..split] {
            pool.push(ids[g], ts, mask, 0);
            alone[g].push(ts, mask, 0);
        }
        // Evaluate one group midway: later rows of any group must still count.
        if groups > 0 {
            let mut probe = UserFunnel::new(spec.clone());
            for &(g, ts, mask) in &rows[..split] {
                if g == 0 {
                    probe.push(ts, mask, 0);
                }
            }
            assert_eq!(pool.level(ids[0], &mut || {}), probe.finish());
        }
        for &(g, ts, mask) in &rows[split..] {
            pool.push(ids[g], ts, mask, 0);
            alone[g].push(ts, mask, 0);
        }
        for g in (0..groups).rev() {
            let want = alone[g].finish();
            assert_eq!(
                pool.level(ids[g], &mut || {}),
                want,
                "group {g} mode {mode}"
            );
            assert_eq!(pool.take(ids[g], &mut || {}).finish(), want);
        }
    }

    /// Evaluating on two threads gives every group the level one thread gives, also with
    /// rows added after a first evaluation (more groups than one thread's range).
    #[test]
    fn threads_evaluate_as_one() {
        let two = Threads {
            max: 2,
            spawn_with: &|spawn| spawn(),
        };
        for mode in ["default", "strict_order", "strict_increase"] {
            let spec = spec(3, 10, mode);
            let mut one = UserPool::new(spec.clone()).unwrap();
            let mut many = UserPool::new(spec).unwrap();
            let groups = 3 * EVAL_CHUNK + 17;
            for _ in 0..groups {
                one.group().unwrap();
                many.group().unwrap();
            }
            let mut x: u64 = 7;
            let mut next = || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            let mut rows = Vec::new();
            for _ in 0..groups * 4 {
                let r = next();
                rows.push((
                    (r % groups as u64) as u32,
                    (r >> 20) as i64 % 40,
                    (r >> 40) % 8,
                ));
            }
            let (first, second) = rows.split_at(rows.len() / 2);
            for &(g, ts, mask) in first {
                one.push(g, ts, mask, 0);
                many.push(g, ts, mask, 0);
            }
            one.level(0, &mut || {});
            many.level_on(0, two, &mut || {});
            for &(g, ts, mask) in second {
                one.push(g, ts, mask, 0);
                many.push(g, ts, mask, 0);
            }
            let mut reached = 0;
            for g in (0..groups as u32).rev() {
                let want = one.level(g, &mut || {});
                assert_eq!(
                    many.level_on(g, two, &mut || {}),
                    want,
                    "group {g} mode {mode}"
                );
                reached += usize::from(want == 3);
            }
            assert!(reached > 0, "some group reaches the last step ({mode})");
        }
    }

    #[test]
    fn hand_worked_groups() {
        // Group 0: A@0 B@5 C@9 (level 3); group 1: A@0 C@3 B@20 (B outside the window: 1);
        // group 2: only B and C (0); group 3 has no row kept (0).
        let spec = spec(3, 10, "default");
        let mut pool = UserPool::new(spec).unwrap();
        let g: Vec<u32> = (0..4).map(|_| pool.group().unwrap()).collect();
        for (id, ts, mask) in [
            (1, 0, 1),
            (0, 0, 1),
            (2, 1, 2),
            (1, 3, 4),
            (0, 5, 2),
            (3, 6, 0),
            (2, 7, 4),
            (0, 9, 4),
            (1, 20, 2),
        ] {
            pool.push(g[id], ts, mask, 0);
        }
        assert_eq!(pool.rows(), 8);
        assert_eq!(pool.matched(), (0b111, 0));
        let levels: Vec<usize> = g.iter().map(|&i| pool.level(i, &mut || {})).collect();
        assert_eq!(levels, [3, 1, 0, 0]);
        // A copy carries what its rows matched; a step no row matched stays unset.
        let mut other = UserPool::new(pool.spec().clone()).unwrap();
        let id = other.group().unwrap();
        other.push(id, 0, 0b001, 0);
        assert_eq!(other.matched(), (0b001, 0));
        other.copy_all(&pool).unwrap();
        assert_eq!(other.matched(), (0b111, 0));
    }

    /// Enough groups for the radix placing (odd bit counts included), rows in random order.
    #[test]
    fn many_groups_radix_placing() {
        for groups in [RADIX_GROUPS + 1, 9000, 70_000] {
            let spec = spec(3, 10, "default");
            let mut pool = UserPool::new(spec.clone()).unwrap();
            let ids: Vec<u32> = (0..groups).map(|_| pool.group().unwrap()).collect();
            let mut alone: Vec<UserFunnel> =
                (0..groups).map(|_| UserFunnel::new(spec.clone())).collect();
            let mut x = 0x9e37_79b9_7f4a_7c15u64;
            for _ in 0..groups * 4 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let g = (x % groups as u64) as usize;
                let (ts, mask) = ((x >> 20) as i64 % 25, (x >> 40) % 8);
                pool.push(ids[g], ts, mask, 0);
                alone[g].push(ts, mask, 0);
            }
            for g in 0..groups {
                assert_eq!(
                    pool.level(ids[g], &mut || {}),
                    alone[g].finish(),
                    "group {g}"
                );
            }
        }
    }

    /// Groups merged by `union` (before or after rows, before or after an evaluation): a
    /// root's level is that of one state fed the rows of every group merged into it.
    fn check_unions(rows: &[(usize, i64, u64)], unions: &[(usize, usize, usize)], mode: &str) {
        const G: usize = 6;
        let spec = spec(3, 10, mode);
        let mut pool = UserPool::new(spec.clone()).unwrap();
        let ids: Vec<u32> = (0..G).map(|_| pool.group().unwrap()).collect();
        let mut owner: Vec<usize> = (0..G).collect(); // naive oracle: the set of each group
        let find = |owner: &Vec<usize>, mut g: usize| {
            while owner[g] != g {
                g = owner[g];
            }
            g
        };
        for (i, &(g, ts, mask)) in rows.iter().enumerate() {
            for &(at, into, from) in unions {
                if at == i {
                    let (a, b) = (find(&owner, into % G), find(&owner, from % G));
                    if a != b {
                        owner[b] = a;
                    }
                    pool.union(ids[into % G], ids[from % G]);
                }
            }
            if i == rows.len() / 2 {
                let _ = pool.level(ids[0], &mut || {});
            }
            pool.push(ids[g], ts, mask, 0);
        }
        for (g, &id) in ids.iter().enumerate().take(G) {
            let root = find(&owner, g);
            let mut alone = UserFunnel::new(spec.clone());
            for &(h, ts, mask) in rows {
                if find(&owner, h) == root {
                    alone.push(ts, mask, 0);
                }
            }
            let want = alone.finish();
            assert_eq!(pool.level(id, &mut || {}), want, "group {g} mode {mode}");
            assert_eq!(pool.take(id, &mut || {}).finish(), want);
        }
    }

    /// A parallel leader: partial states of users arrive one after another, each a new
    /// group whose rows follow at once, and each is combined into its user's first group
    /// (`absorb`; `union` when rows of another group came in between, or a level was asked
    /// midway and the rows were placed).
    /// A partial state: its user, its rows (ts, mask), whether a row of another group
    /// comes between its rows.
    type Part = (usize, Vec<(i64, u64)>, bool);

    fn check_leader(parts: &[Part], ask_at: usize, mode: &str) {
        let spec = spec(3, 10, mode);
        let mut pool = UserPool::new(spec.clone()).unwrap();
        let mut first: Vec<Option<u32>> = vec![None; 4];
        for (i, (user, rows, interleave)) in parts.iter().enumerate() {
            if i == ask_at {
                if let Some(g) = first.iter().flatten().next() {
                    let _ = pool.level(*g, &mut || {});
                }
            }
            let id = pool.group().unwrap();
            for (k, &(ts, mask)) in rows.iter().enumerate() {
                pool.push(id, ts, mask, 0);
                if *interleave && k == 0 {
                    // a row of another user's first group between this part's rows
                    if let Some(other) = first.iter().flatten().next().copied() {
                        pool.push(other, ts, mask, 0);
                    }
                }
            }
            match first[*user] {
                None => first[*user] = Some(id),
                Some(into) => {
                    if !pool.absorb(into, id) {
                        pool.union(into, id);
                    }
                }
            }
        }
        // The oracle: one state per user with the same rows (the interleaved rows go to the
        // first user that had a group at the time, as above).
        let mut want: Vec<UserFunnel> = (0..4).map(|_| UserFunnel::new(spec.clone())).collect();
        let mut owner: Vec<Option<usize>> = vec![None; 4];
        for (user, rows, interleave) in parts {
            for (k, &(ts, mask)) in rows.iter().enumerate() {
                want[*user].push(ts, mask, 0);
                if *interleave && k == 0 {
                    if let Some(o) = owner.iter().flatten().next().copied() {
                        want[o].push(ts, mask, 0);
                    }
                }
            }
            if owner[*user].is_none() {
                owner[*user] = Some(*user);
            }
        }
        for u in 0..4 {
            if let Some(g) = first[u] {
                let level = want[u].clone().finish();
                assert_eq!(pool.level(g, &mut || {}), level, "user {u} mode {mode}");
                assert_eq!(pool.take(g, &mut || {}).finish(), level);
            }
        }
    }

    #[test]
    fn absorb_only_the_group_started_last() {
        let spec = spec(3, 10, "default");
        let mut pool = UserPool::new(spec).unwrap();
        let a = pool.group().unwrap();
        pool.push(a, 1, 0b001, 0);
        let b = pool.group().unwrap();
        pool.push(b, 2, 0b010, 0);
        assert!(!pool.absorb(b, a), "a is not the group started last");
        assert!(pool.absorb(a, b));
        assert!(!pool.absorb(a, b), "absorbed once");
        let c = pool.group().unwrap();
        pool.push(c, 3, 0b100, 0);
        pool.push(a, 4, 0b001, 0); // a row of another group: c's rows are no longer last
        assert!(!pool.absorb(a, c));
        pool.union(a, c);
        assert_eq!(pool.level(a, &mut || {}), 3);
        let d = pool.group().unwrap();
        pool.push(d, 9, 0b001, 0);
        assert_eq!(pool.level(d, &mut || {}), 1); // placed: d's rows left `pending`
        assert!(!pool.absorb(a, d));
        pool.union(a, d);
        assert_eq!(pool.level(a, &mut || {}), 3);
    }

    #[test]
    fn written_groups_equal_encoded_states() {
        use crate::state::PartialState;
        let spec = spec(3, 10, "strict_order");
        let mut pool = UserPool::new(spec.clone()).unwrap();
        let ids: Vec<u32> = (0..5).map(|_| pool.group().unwrap()).collect();
        for i in 0..40i64 {
            pool.push(ids[(i * 7 % 5) as usize], 100 - i, (i % 8) as u64, 0);
        }
        for &id in &ids {
            let want = pool.take(id, &mut || {}).encode();
            let mut w = Writer::new(b'X', 1);
            pool.write_group(id, &mut w, false, &mut || {});
            assert_eq!(&w.finish()[2..], &want[..]);
            let mut nested = Writer::new(b'X', 1);
            pool.write_group(id, &mut nested, true, &mut || {});
            let mut by_bytes = Writer::new(b'X', 1);
            by_bytes.bytes(&want);
            assert_eq!(nested.finish(), by_bytes.finish());
            // and they read back, rows only, against the pool's spec bytes
            let mut rows = Vec::new();
            UserFunnel::plain_rows_of(&want, pool.spec_bytes())
                .unwrap()
                .expect("same spec, plain rows")
                .for_each_row(|ts, mask, excl| rows.push((ts, mask, excl)))
                .unwrap();
            let back = UserFunnel::decode(&want).unwrap();
            assert_eq!(back.encode(), want);
            let mut again = UserFunnel::new(spec.clone());
            rows.iter().for_each(|&(ts, m, e)| again.push(ts, m, e));
            assert_eq!(again.encode(), want);
        }
        let other = UserPool::new(super::tests::spec(4, 10, "strict_order")).unwrap();
        let bytes = pool.take(ids[0], &mut || {}).encode();
        assert!(UserFunnel::plain_rows_of(&bytes, other.spec_bytes())
            .unwrap()
            .is_none());
    }

    /// Steps and exclusions share a row's 32 bits: a funnel using all of them (with
    /// exclusions whose bits sit above the steps') gives the answer of a state of its own,
    /// and one needing more keeps states of its own (no pool).
    #[test]
    fn packed_steps_and_exclusions() {
        use crate::funnel::Exclusion;
        use crate::state::PartialState;
        let with = |nsteps: usize, nexcl: usize| {
            let cfg =
                FunnelConfig::new(nsteps, 100, FunnelMode::parse("default").unwrap()).unwrap();
            let excl = (0..nexcl)
                .map(|e| Exclusion {
                    from: 1 + e % (nsteps - 1),
                    to: nsteps,
                })
                .collect();
            Arc::new(FunnelSpec::new(cfg, Vec::new(), excl, false).unwrap())
        };
        assert!(UserPool::new(with(30, 3)).is_none());
        assert!(UserPool::new(with(3, 30)).is_none());
        for (nsteps, nexcl) in [(32, 0), (3, 29), (4, 2), (31, 1)] {
            let spec = with(nsteps, nexcl);
            let mut pool = UserPool::new(spec.clone()).unwrap();
            let ids: Vec<u32> = (0..3).map(|_| pool.group().unwrap()).collect();
            let mut alone: Vec<UserFunnel> =
                (0..3).map(|_| UserFunnel::new(spec.clone())).collect();
            let mut x = 0x2545_F491_4F6C_DD1Du64;
            for i in 0..300i64 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let g = (x % 3) as usize;
                // one step (or none), sometimes an exclusion event, sometimes both
                let step = (x >> 8) % (nsteps as u64 + 1);
                let mask = if step == 0 { 0 } else { 1u64 << (step - 1) };
                let excl = if nexcl > 0 && (x >> 20).is_multiple_of(4) {
                    1u32 << ((x >> 24) % nexcl as u64)
                } else {
                    0
                };
                pool.push(ids[g], i, mask, excl);
                alone[g].push(i, mask, excl);
            }
            for g in 0..3 {
                let want = alone[g].clone().finish();
                assert_eq!(
                    pool.level(ids[g], &mut || {}),
                    want,
                    "{nsteps} steps, {nexcl} exclusions"
                );
                let mut taken = pool.take(ids[g], &mut || {});
                assert_eq!(taken.encode(), alone[g].encode());
                assert_eq!(taken.finish(), want);
            }
        }
    }

    /// A parallel leader that takes the groups of the pool of its own partial aggregate
    /// (`leader`: rows of users, a group per user at its first row; placed first or not)
    /// one by one, from `copy_at` of the workers' parts on, between those parts: each copied
    /// into a new group and combined into its user's group like a received part (`bulk`:
    /// all at once at `copy_at`, then combined). Every
    /// user's level is that of one state with all of the user's rows.
    fn check_copy(
        leader: &[(usize, i64, u64)],
        parts: &[Part],
        copy_at: usize,
        place_first: (bool, bool),
        bulk: bool,
        mode: &str,
    ) {
        let spec = spec(3, 10, mode);
        let mut own = UserPool::new(spec.clone()).unwrap();
        let mut own_ids: Vec<u32> = Vec::new();
        let mut own_user: Vec<Option<u32>> = vec![None; 4];
        let mut want: Vec<UserFunnel> = (0..4).map(|_| UserFunnel::new(spec.clone())).collect();
        for &(user, ts, mask) in leader {
            let id = *own_user[user].get_or_insert_with(|| {
                let g = own.group().unwrap();
                own_ids.push(user as u32);
                g
            });
            own.push(id, ts, mask, 0);
            want[user].push(ts, mask, 0);
        }
        if place_first.0 && own.groups() > 0 {
            let _ = own.level(0, &mut || {});
        }
        let mut pool = UserPool::new(spec.clone()).unwrap();
        let mut first: Vec<Option<u32>> = vec![None; 4];
        let combine =
            |pool: &mut UserPool, first: &mut Vec<Option<u32>>, user: usize, id: u32| match first
                [user]
            {
                None => first[user] = Some(id),
                Some(into) => {
                    if !pool.absorb(into, id) {
                        pool.union(into, id);
                    }
                }
            };
        let mut next_own = 0usize;
        for i in 0..parts.len().max(copy_at) + own_ids.len() + 1 {
            if bulk && i == copy_at {
                let base = pool.copy_all(&own).unwrap();
                for (g, &user) in own_ids.iter().enumerate() {
                    combine(&mut pool, &mut first, user as usize, base + g as u32);
                }
                next_own = own_ids.len();
            }
            if i >= copy_at && next_own < own_ids.len() {
                if place_first.1 && next_own == 0 {
                    if let Some(g) = first.iter().flatten().next() {
                        let _ = pool.level(*g, &mut || {});
                    }
                }
                let g = pool.group().unwrap();
                own.copy_group(next_own as u32, &mut pool, g, &mut || {});
                combine(&mut pool, &mut first, own_ids[next_own] as usize, g);
                next_own += 1;
            }
            if let Some((user, rows, _)) = parts.get(i) {
                let id = pool.group().unwrap();
                for &(ts, mask) in rows {
                    pool.push(id, ts, mask, 0);
                    want[*user].push(ts, mask, 0);
                }
                combine(&mut pool, &mut first, *user, id);
            }
        }
        assert_eq!(
            next_own,
            own_ids.len(),
            "every group of the leader's pool copied"
        );
        for u in 0..4 {
            if let Some(g) = first[u] {
                let level = want[u].clone().finish();
                assert_eq!(pool.level(g, &mut || {}), level, "user {u} mode {mode}");
                assert_eq!(pool.take(g, &mut || {}).finish(), level);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn copied_groups_match_one_state_per_user(
            leader in proptest::collection::vec((0usize..4, 0i64..30, 0u64..8), 0..20),
            parts in proptest::collection::vec(
                (0usize..4, proptest::collection::vec((0i64..30, 0u64..8), 0..6), Just(false)),
                0..10),
            copy_at in 0usize..12,
            place_first in (proptest::bool::ANY, proptest::bool::ANY),
            bulk in proptest::bool::ANY,
            mode in prop_oneof![Just("default"), Just("strict_order"), Just("strict_once")],
        ) {
            check_copy(&leader, &parts, copy_at, place_first, bulk, mode);
        }

        #[test]
        fn leader_absorbs_match_one_state_per_user(
            parts in proptest::collection::vec(
                (0usize..4, proptest::collection::vec((0i64..30, 0u64..8), 0..6), proptest::bool::weighted(0.2)),
                1..14),
            ask_at in 0usize..20,
            mode in prop_oneof![Just("default"), Just("strict_order"), Just("strict_once")],
        ) {
            check_leader(&parts, ask_at, mode);
        }

        #[test]
        fn unions_match_one_state_per_merged_set(
            rows in proptest::collection::vec((0usize..6, 0i64..30, 0u64..8), 1..50),
            unions in proptest::collection::vec((0usize..50, 0usize..6, 0usize..6), 0..6),
            mode in prop_oneof![Just("default"), Just("strict_order"), Just("strict_once")],
        ) {
            check_unions(&rows, &unions, mode);
        }

        #[test]
        fn pool_matches_one_state_per_group(
            rows in proptest::collection::vec((0usize..5, 0i64..30, 0u64..8), 0..60),
            split in 0usize..60,
            mode in prop_oneof![
                Just("default"), Just("strict_order"), Just("strict_deduplication"),
                Just("strict_increase"), Just("strict_order, clickhouse")
            ],
        ) {
            check(&rows, 5, mode, split);
        }
    }
}
