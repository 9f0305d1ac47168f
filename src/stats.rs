//! Shared statistics: `quantile_breaks` (exactly `percentile_cont`, parallel safe) and
//! `wilson_interval`.

use crate::pg::errors::{null_argument, OrRaise};
use pg_operations_core::quantile::QuantileState;
use pg_operations_core::stats;
use pgrx::IntoDatum;

pg_operations_macros::declare! {
    type wilson_ci (rate float8, ci_low float8, ci_high float8)
        "A binomial proportion with its Wilson score interval.";

    fn wilson_interval(successes bigint, trials bigint, confidence float8 = 0.95) -> wilson_ci strict
        "Wilson score interval (rate, ci_low, ci_high) of successes/trials at the given two-sided confidence (default 0.95). NULL when trials = 0; 22023 for negative counts, successes > trials or confidence outside (0,1)."
        = |a| {
            let z = stats::z_for_confidence(a.confidence()).or_raise();
            stats::wilson(a.successes(), a.trials(), z).or_raise().map(|p| {
                a.call().row(&[p.rate.into_datum(), p.low.into_datum(), p.high.into_datum()])
            })
        };

    aggregate quantile_breaks -> float8[]
        "Breaks at the given probabilities, exactly equal to percentile_cont(probs) WITHIN GROUP (ORDER BY value); parallel safe. NULL values are skipped; no rows gives NULL."
    {
        state Values: QuantileState = |s, _| s.and_then(|s| s.finish());
        // probs is decoded once, on the group's first non-NULL value.
        (value float8, probs float8[]) Values = |slot, a| {
            let Some(value) = a.value() else { return };
            slot.get_or_init(|| {
                let Some(probs) = a.probs() else {
                    null_argument("quantile_breaks", "probs")
                };
                QuantileState::new(probs.iter().collect()).or_raise()
            })
            .push(value);
        };
    }
}
