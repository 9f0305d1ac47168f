//! Funnels (`window_funnel`, `funnel_step_rates`): how deep each user gets into an ordered
//! sequence of steps within a time window, and the step-by-step conversion of a population.
//!
//! See `../shared/API.md`, "1. Funnels".
//!
//! # Semantics: the deepest chain that satisfies every constraint
//!
//! The input is one user's rows (with a held key: one (user, key) partition's rows; rows
//! with a NULL key are ignored and the user's level is the maximum over keys). Row `r` has a
//! timestamp `ts(r)`, a step mask (the steps it matches; a row may match several) and an
//! exclusion mask ([`Row`]). Each row yields one *event* `(ts, step, r)` per step it matches,
//! and, when the mode has `strict_order` and the row matches no step, one event
//! `(ts, 0, r)`. Events are ordered by `(ts, step)`; "between" below is strict in that order.
//!
//! A **chain** of length `L >= 1` is a sequence of events `c_1, ..., c_L` with
//! `step(c_k) = k` and `ts(c_1) <= ts(c_2) <= ... <= ts(c_L)` that satisfies:
//! - **window**: `ts(c_L) <= ts(c_1) + window` (saturating at the infinities); `c_1` is the
//!   *anchor*;
//! - **per-step windows**: `ts(c_{k+1}) - ts(c_k) <= step_windows[k]` where given;
//! - **strict_increase**: `ts(c_{k+1}) > ts(c_k)`;
//! - **strict_once**: the rows of `c_1, ..., c_L` are pairwise distinct (a row matching two
//!   steps serves one of them);
//! - **exclusions**: for each exclusion `(from, to)` with `to <= L`, no row that is an event
//!   of that exclusion has `ts(c_from) < ts < ts(c_to)` (ties never exclude);
//! - **strict_order**: for each `k < L`, no event `x` between `c_k` and `c_{k+1}` with
//!   `step(x) = 0` (a row matching no step) or `step(x) > k + 1` (skipping ahead; with
//!   `allow_reentry` such events are ignored); repeated or earlier steps (`step(x) <= k + 1`)
//!   do not break it;
//! - **strict_deduplication**: for each `k < L`, no event `x` between `c_k` and `c_{k+1}`
//!   with `2 <= step(x) <= k` (a repeat of a step already passed; a repeated step 1 does not
//!   break it).
//!
//! A user's **level** is the largest `L` of any chain, 0 when there is none. The **reported
//! chain** (per-user output, step times) is, among chains of the maximal length: the one
//! with the latest anchor; among those, the one whose last step is earliest; then, going
//! backwards from step `L - 1` to 2, each step at the latest event that still allows the
//! steps chosen after it. (So the end-to-end time is the shortest of the latest attempt, and
//! a repeated intermediate step counts from its last occurrence before the next step.)
//!
//! Without the `clickhouse` flag these rules are exact and order independent. With it,
//! [`clickhouse`] reproduces ClickHouse 26.x `windowFunnel`'s greedy single pass instead
//! (there is no reported chain then).
//!
//! # Where ClickHouse `windowFunnel` differs
//!
//! ClickHouse keeps a single `(first, last)` timestamp pair per level and updates it greedily.
//! In default mode that greedy is exact (the latest anchor that reached a level dominates every
//! earlier one). In the strict modes it mixes chains or stops early:
//! - `strict_increase` with ties (window 10, `A@0 A@5 B@5`): the anchor `A@5` overwrites
//!   `A@0`, and `B@5` is not later than it, so ClickHouse answers 1; the chain `A@0 → B@5`
//!   reaches 2.
//! - `strict_deduplication` (`A@0 B@1 A@2 B@3 C@4`): ClickHouse stops the whole user at the
//!   repeated `B@3` (level 2); the chain anchored at `A@2` reaches 3.
//! - `strict_order` (`A@0 C@1 A@2 B@3 C@4`): ClickHouse stops the whole user at the first
//!   skip ahead (`C@1`, level 1); the later chain `A@2 → B@3 → C@4` is uninterrupted (3).
//!   (`A@0 B@1 A@2 C@3` gives 3 both ways: a repeated step 1 breaks no chain.)
//!
//! `tests/funnel_oracle.py` holds a literal implementation of these rules and a port of the
//! ClickHouse algorithm, for differential tests.
//!
//! # Layout
//!
//! - `config.rs`: the mode, the funnel configuration and [`MAX_STEPS`];
//! - `matcher.rs`: which steps a row matches (event names or `conds bool[]`);
//! - `spec.rs`: the full definition ([`FunnelSpec`]) and the engines' row form ([`Row`]);
//! - `engine.rs`: the exact deepest chain of one user's rows ([`engine::deepest`]);
//! - `clickhouse.rs`: ClickHouse 26.x `windowFunnel`, exactly ([`clickhouse::level`]);
//! - `user.rs`: the per-user state ([`UserFunnel`]);
//! - `state.rs`: the aggregate states and their [`PartialState`](crate::PartialState) impls;
//! - `report.rs`: the `funnel_step` rows ([`StepRow`], [`step_rows`]).

pub mod clickhouse;
mod config;
pub mod engine;
mod matcher;
#[cfg(test)]
mod oracle;
mod pool;
mod report;
mod spec;
mod state;
mod user;

pub use config::{FunnelConfig, FunnelMode, MAX_STEPS};
pub use matcher::{keeps, mask_from_conds, StepMatcher};
pub use pool::UserPool;
pub use report::{percentiles, step_rows, StepDurations, StepRow, PERCENTILES};
pub use spec::{Exclusion, FunnelSpec, Outcome, Row, MAX_EXCLUSIONS};
pub use state::{LevelCounts, PopulationFunnel, UserKey};
pub use user::{PlainParts, PropertyStep, UserFunnel, UserPath};

/// Helpers shared by the unit tests of the submodules.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use proptest::prelude::*;

    pub const A: u64 = 1;
    pub const B: u64 = 2;
    pub const C: u64 = 4;

    pub const MODES: [&str; 8] = [
        "default",
        "strict_order",
        "strict_deduplication",
        "strict_increase",
        "strict_order,strict_deduplication",
        "strict_order, strict_increase",
        "strict_deduplication,strict_increase",
        "strict_order,strict_deduplication,strict_increase",
    ];

    pub fn cfg(nsteps: usize, window: i64, mode: &str) -> FunnelConfig {
        FunnelConfig::new(nsteps, window, FunnelMode::parse(mode).unwrap()).unwrap()
    }

    pub fn arb_cfg(max_window: i64) -> impl Strategy<Value = FunnelConfig> {
        (1usize..=4, 1i64..=max_window, 0usize..8).prop_map(|(n, w, m)| cfg(n, w, MODES[m]))
    }

    /// Rows over a tiny timestamp range (many ties), masks over the funnel's steps.
    pub fn arb_rows(
        cfg: &FunnelConfig,
        max_ts: i64,
        rows: std::ops::Range<usize>,
    ) -> impl Strategy<Value = Vec<(i64, u64)>> {
        prop::collection::vec((0..max_ts, 0u64..(1 << cfg.nsteps)), rows)
    }
}
