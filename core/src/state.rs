//! The one trait every aggregate state implements so a partial state can cross parallel
//! workers (`combinefunc`, `serialfunc`, `deserialfunc`).

use crate::error::OpsResult;

/// A partial aggregate state that can cross parallel workers.
pub trait PartialState: Sized {
    /// Folds `other` (a partial state of the same aggregate, same configuration) into `self`.
    fn merge(&mut self, other: Self) -> OpsResult<()>;
    /// As [`PartialState::merge`], calling `check_interrupts` now and then so a long merge
    /// can be cancelled. The default checks once and merges in one step; a state whose merge
    /// takes time proportional to its size overrides it.
    fn merge_interruptible(
        &mut self,
        other: Self,
        check_interrupts: &mut dyn FnMut(),
    ) -> OpsResult<()> {
        check_interrupts();
        self.merge(other)
    }
    /// Called before `encode` when the state is sent to another process (a parallel
    /// worker's partial state): a state may reorganize itself so that combining it is
    /// cheaper. The default does nothing.
    fn prepare_to_send(&mut self, _check_interrupts: &mut dyn FnMut()) {}
    /// Whether the state may be handed over as it is, instead of encoded and decoded, when
    /// PostgreSQL serializes it only to deserialize it again in the same process (the part
    /// of a parallel plan that the leader aggregated itself). Worth it for large states (a
    /// one-shot funnel's rows); the default is false.
    fn hand_over_in_process(&self) -> bool {
        false
    }
    /// The state's bytes (codec::Writer), read back by `decode`.
    fn encode(&self) -> Vec<u8>;
    /// A state from `encode`'s bytes; truncated/corrupt input is an OpsError (Malformed), never a panic.
    fn decode(bytes: &[u8]) -> OpsResult<Self>;
}

/// Units of work (rows, or rows plus a per-user cost) between interrupt checks in the long
/// loops of the population states' `finish` and `merge`.
pub(crate) const INTERRUPT_WORK: usize = 1 << 16;

/// Work done since the last interrupt check; checks once it reaches [`INTERRUPT_WORK`].
pub(crate) struct Work<'a> {
    pub(crate) done: usize,
    pub(crate) check: &'a mut dyn FnMut(),
}

impl Work<'_> {
    #[inline]
    pub(crate) fn add(&mut self, n: usize) {
        self.done += n;
        if self.done >= INTERRUPT_WORK {
            (self.check)();
            self.done = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::PriorState;
    use crate::error::ErrorKind;
    use crate::funnel::{FunnelConfig, FunnelMode, LevelCounts, PopulationFunnel, UserFunnel};
    use crate::intent::{IntentConfig, IntentState, IntentWeights};
    use crate::lifecycle::{LifecycleState, Thresholds};
    use crate::quantile::QuantileState;
    use crate::rfm::{RfmAcc, RfmBreaksState};
    use crate::time::USECS_PER_DAY as DAY;
    use proptest::prelude::*;
    use std::fmt::Debug;
    use std::sync::Arc;

    /// `decode(encode(s))` behaves like `s`: `observe` (which may finish the state) sees the
    /// same, and merging it into `base` gives what merging `s` itself gives. Every strict
    /// prefix of the encoding is a `Malformed` error (not a panic, not a state).
    fn check<S, O>(s: &S, base: &S, observe: impl Fn(S) -> O) -> Result<(), TestCaseError>
    where
        S: PartialState + Clone,
        O: PartialEq + Debug,
    {
        let fail = |e: crate::OpsError| TestCaseError::fail(e.message);
        let bytes = s.encode();
        let back = S::decode(&bytes).map_err(fail)?;
        prop_assert_eq!(observe(back.clone()), observe(s.clone()));
        let (mut via_bytes, mut direct) = (base.clone(), base.clone());
        via_bytes.merge(back).map_err(fail)?;
        direct.merge(s.clone()).map_err(fail)?;
        prop_assert_eq!(observe(via_bytes), observe(direct));
        for n in 0..bytes.len() {
            match S::decode(&bytes[..n]) {
                Ok(_) => prop_assert!(false, "a {n}-byte prefix of {} bytes decoded", bytes.len()),
                Err(e) => prop_assert_eq!(e.kind, ErrorKind::Malformed),
            }
        }
        Ok(())
    }

    /// Rows `(user, t, bits)`, each state reading them its own way.
    type Rows = [(u8, i64, u8)];

    const STEPS: [&str; 3] = ["a", "b", "c"];
    const MODES: [&str; 4] = [
        "default",
        "strict_order",
        "strict_deduplication",
        "strict_increase",
    ];

    fn funnel_cfg(mode: usize) -> std::sync::Arc<crate::funnel::FunnelSpec> {
        let cfg = FunnelConfig::new(3, 10, FunnelMode::parse(MODES[mode]).unwrap()).unwrap();
        std::sync::Arc::new(crate::funnel::FunnelSpec::plain(cfg))
    }

    fn user_funnel(rows: &Rows, mode: usize) -> UserFunnel {
        let mut s = UserFunnel::new(funnel_cfg(mode));
        rows.iter().for_each(|&(_, t, m)| s.push(t, m.into(), 0));
        s
    }

    fn population_by_id(rows: &Rows, mode: usize) -> PopulationFunnel<i64> {
        let names = STEPS.map(String::from).to_vec();
        let mut s = PopulationFunnel::new(funnel_cfg(mode), Some(names)).unwrap();
        rows.iter()
            .for_each(|&(u, t, m)| s.push(u.into(), t, m.into(), 0, None));
        s
    }

    fn population_by_text(rows: &Rows, mode: usize) -> PopulationFunnel<String> {
        let steps = STEPS.map(String::from).to_vec();
        let mut s = PopulationFunnel::for_events(funnel_cfg(mode), steps, Vec::new()).unwrap();
        for &(u, t, b) in rows {
            let event = ["a", "b", "c", "zz"].get(usize::from(b) % 5).copied();
            s.push_event_str(&format!("ü{u}"), t, event, None);
        }
        s
    }

    fn level_counts(rows: &Rows) -> LevelCounts {
        let mut s = LevelCounts::new(STEPS.map(String::from).to_vec()).unwrap();
        rows.iter()
            .for_each(|&(_, _, b)| s.push(i32::from(b % 4)).unwrap());
        s
    }

    fn quantiles(rows: &Rows) -> QuantileState {
        let mut s = QuantileState::new(vec![Some(0.5), None, Some(0.9)]).unwrap();
        rows.iter()
            .for_each(|&(_, t, b)| s.push(t as f64 / f64::from(b + 1)));
        s
    }

    const AS_OF: i64 = 1_000 * DAY;

    fn intent(rows: &Rows, weights: &Arc<IntentWeights>) -> IntentState {
        let cfg = IntentConfig::new(AS_OF, 30 * DAY, Some(7 * DAY)).unwrap();
        let mut s = IntentState::new(cfg, weights.clone());
        for &(_, t, b) in rows {
            s.push(["a", "b", "c"][usize::from(b) % 3], AS_OF + t * DAY)
                .unwrap();
        }
        s
    }

    fn lifecycle(rows: &Rows) -> LifecycleState {
        let mut s = LifecycleState::new(AS_OF, Thresholds::DEFAULT).unwrap();
        rows.iter()
            .for_each(|&(_, t, b)| s.push(AS_OF + t * DAY, b % 2 == 1));
        s
    }

    fn prior(rows: &Rows) -> PriorState {
        let mut s = PriorState::new();
        for &(_, t, b) in rows {
            let traffic = t.abs();
            s.push(traffic, traffic.min(b.into())).unwrap();
        }
        s
    }

    fn rfm_acc(rows: &Rows) -> RfmAcc {
        let mut s = RfmAcc::new(AS_OF).unwrap();
        rows.iter().for_each(|&(_, t, _)| {
            s.push(AS_OF + t * DAY);
        });
        s
    }

    fn rfm_breaks(rows: &Rows) -> RfmBreaksState {
        let mut s = RfmBreaksState::new(4).unwrap();
        for &(u, t, b) in rows {
            let f = (b % 2 == 0).then_some(f64::from(b));
            s.push(Some(t as f64), f, Some(f64::from(u) * 1.5));
        }
        s
    }

    proptest! {
        /// Every state type: `decode(encode(s))` finishes and merges like `s`, and no strict
        /// prefix of an encoding decodes.
        #[test]
        fn every_state_round_trips_and_rejects_prefixes(
            rows in prop::collection::vec((0u8..6, -50i64..15, 0u8..8), 0..30),
            split in any::<prop::sample::Index>(),
            mode in 0usize..MODES.len(),
        ) {
            let (part, rest) = rows.split_at(split.index(rows.len() + 1));

            check(&user_funnel(part, mode), &user_funnel(rest, mode), |mut s| {
                (s.clone(), s.finish())
            })?;
            check(&population_by_id(part, mode), &population_by_id(rest, mode), |mut s| {
                s.finish(&mut || {}).unwrap()
            })?;
            check(&population_by_text(part, mode), &population_by_text(rest, mode), |mut s| {
                s.finish(&mut || {}).unwrap()
            })?;
            check(&level_counts(part), &level_counts(rest), |s| (s.finish(), s))?;
            check(&quantiles(part), &quantiles(rest), |mut s| s.finish())?;
            let weights = Arc::new(
                IntentWeights::from_json(&serde_json::json!({"a": 1.5, "b": -2, "c": 0.1}))
                    .unwrap(),
            );
            check(&intent(part, &weights), &intent(rest, &weights), |s| {
                let detail: Vec<_> =
                    s.detail().into_iter().map(|(n, c, v)| (n, c, v.to_bits())).collect();
                (s.score().to_bits(), detail)
            })?;
            check(&lifecycle(part), &lifecycle(rest), |s| (s, s.finish()))?;
            check(&prior(part), &prior(rest), |mut s| (s.channels(), s.finish()))?;
            check(&rfm_acc(part), &rfm_acc(rest), |s| (s, s.recency_days()))?;
            check(&rfm_breaks(part), &rfm_breaks(rest), |mut s| s.finish())?;
        }
    }
}
