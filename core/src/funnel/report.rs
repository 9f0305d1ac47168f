//! The `funnel_step` rows of a population: users, rates, Wilson intervals and median step
//! durations per step.

use crate::quantile::{percentile_cont_sorted, pg_float_cmp};
use crate::stats::{wilson, z_for_confidence};
use crate::time::{is_infinite, seconds_between};

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
pub(super) fn step_seconds(from: i64, to: i64) -> f64 {
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
    fn infinite_steps_are_infinitely_far() {
        assert_eq!(step_seconds(0, 1_500_000), 1.5);
        assert_eq!(step_seconds(i64::MAX, i64::MAX), 0.0);
        assert_eq!(step_seconds(i64::MIN, i64::MIN), 0.0);
        assert_eq!(step_seconds(0, i64::MAX), f64::INFINITY);
        assert_eq!(step_seconds(i64::MIN, 0), f64::INFINITY);
    }
}
