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
//!
//! # Layout
//!
//! - `config.rs`: the mode, the funnel configuration and [`MAX_STEPS`];
//! - `matcher.rs`: which steps a row matches (event names or `conds bool[]`);
//! - `chain.rs`: the deepest chain of one user's rows ([`deepest_level`], [`deepest_chain`]);
//! - `state.rs`: the aggregate states and their [`PartialState`](crate::PartialState) impls;
//! - `report.rs`: the `funnel_step` rows ([`StepRow`], [`step_rows`]).

mod chain;
mod config;
mod matcher;
mod report;
mod state;

pub use chain::{deepest_chain, deepest_level};
pub use config::{FunnelConfig, FunnelMode, MAX_STEPS};
pub use matcher::{keeps, mask_from_conds, StepMatcher};
pub use report::{step_rows, StepRow};
pub use state::{LevelCounts, PopulationFunnel, UserFunnel, UserKey};

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

    /// A user's level through the `window_funnel` state.
    pub fn level(rows: &[(i64, u64)], cfg: &FunnelConfig) -> u8 {
        let mut state = UserFunnel::new(*cfg);
        rows.iter().for_each(|(ts, m)| state.push(*ts, *m));
        state.finish()
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

    pub fn arb_case(
        max_ts: i64,
        max_rows: usize,
    ) -> impl Strategy<Value = (Vec<(i64, u64)>, FunnelConfig)> {
        arb_cfg(max_ts / 2 + 1)
            .prop_flat_map(move |cfg| (arb_rows(&cfg, max_ts, 0..max_rows), Just(cfg)))
    }

    /// The rows a state keeps.
    pub fn kept(rows: &[(i64, u64)], cfg: &FunnelConfig) -> Vec<(i64, u64)> {
        rows.iter()
            .copied()
            .filter(|r| keeps(cfg.mode, r.1))
            .collect()
    }
}
