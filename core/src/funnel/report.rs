//! The `funnel_step` rows of a population: users, rates, Wilson intervals and step-duration
//! percentiles per step.

use crate::quantile::pg_float_cmp;
use crate::stats::{wilson, z_for_confidence};
use crate::threads::{self, Threads};
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
    /// reported chain (= `from_previous[1]`); NULL for step 1, without users, and in the
    /// two-stage form.
    pub median_seconds_from_previous: Option<f64>,
    /// The [`PERCENTILES`] (25th, 50th, 75th, 90th; PostgreSQL `percentile_cont`) over users
    /// reaching the step of the seconds from the previous step of their reported chain;
    /// `None` as `median_seconds_from_previous`.
    pub from_previous: Option<[f64; 4]>,
    /// The same percentiles of the seconds from step 1 to this step (end to end up to it).
    pub from_first: Option<[f64; 4]>,
}

/// The percentiles of [`StepRow::from_previous`] and [`StepRow::from_first`].
pub const PERCENTILES: [f64; 4] = [0.25, 0.5, 0.75, 0.9];

/// Step durations of the one-shot form, in seconds: for each user reaching step `k >= 2`,
/// `from_previous[k]` holds the time from step `k - 1` to step `k` of its reported chain and
/// `from_first[k]` the time from step 1 to step `k` (entries 0 and 1 stay empty).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepDurations {
    pub from_previous: Vec<Vec<f64>>,
    pub from_first: Vec<Vec<f64>>,
}

impl StepDurations {
    /// Empty lists for a funnel of `nsteps` steps.
    pub fn new(nsteps: usize) -> StepDurations {
        StepDurations {
            from_previous: vec![Vec::new(); nsteps + 1],
            from_first: vec![Vec::new(); nsteps + 1],
        }
    }

    /// Records a user's reported chain from its step timestamps (`times[k - 1]` = step `k`).
    pub fn push_chain(&mut self, times: &[i64]) {
        for k in 2..=times.len() {
            let previous = step_seconds(times[k - 2], times[k - 1]);
            self.from_previous[k].push(previous);
            self.from_first[k].push(step_seconds(times[0], times[k - 1]));
        }
    }

    /// Adds `other`'s durations (the percentiles do not depend on the order).
    pub fn append(&mut self, other: StepDurations) {
        for (mine, theirs) in (self.from_previous.iter_mut().zip(other.from_previous))
            .chain(self.from_first.iter_mut().zip(other.from_first))
        {
            if mine.is_empty() {
                *mine = theirs;
            } else {
                mine.extend(theirs);
            }
        }
    }
}

/// Builds the rows from `histogram[l]` = users whose deepest step is `l` (`l` in
/// `0..=nsteps`) and, for the one-shot form, the step durations of the users' reported
/// chains (reordered in place). Shared by both forms so they agree exactly.
pub fn step_rows(
    histogram: &[i64],
    names: Option<&[String]>,
    durations: Option<StepDurations>,
) -> Vec<StepRow> {
    step_rows_interruptible(histogram, names, durations, &mut || {})
}

/// [`step_rows`], calling `check_interrupts` before each percentile selection (one list
/// of durations, linear in its users).
pub fn step_rows_interruptible(
    histogram: &[i64],
    names: Option<&[String]>,
    durations: Option<StepDurations>,
    check_interrupts: &mut dyn FnMut(),
) -> Vec<StepRow> {
    step_rows_on(
        histogram,
        names,
        durations,
        Threads::SERIAL,
        check_interrupts,
    )
}

/// [`step_rows_interruptible`] with each list's percentiles selected on one of `threads`.
pub fn step_rows_on(
    histogram: &[i64],
    names: Option<&[String]>,
    durations: Option<StepDurations>,
    threads: Threads<'_>,
    check_interrupts: &mut dyn FnMut(),
) -> Vec<StepRow> {
    let z = z_for_confidence(0.95).expect("0.95 is a valid confidence");
    let mut at_least: Vec<i64> = histogram.to_vec();
    for l in (0..at_least.len().saturating_sub(1)).rev() {
        at_least[l] = at_least[l].saturating_add(at_least[l + 1]);
    }
    let first = at_least.get(1).copied().unwrap_or(0);
    // (from the previous step, from step 1) per step; none for steps 0 and 1.
    let mut pcts: Vec<[Option<[f64; 4]>; 2]> = vec![[None; 2]; histogram.len()];
    if let Some(mut d) = durations {
        let lists: Vec<(usize, usize, &mut Vec<f64>)> = (d.from_previous.iter_mut().enumerate())
            .map(|(k, v)| (k, 0, v))
            .chain(d.from_first.iter_mut().enumerate().map(|(k, v)| (k, 1, v)))
            .filter(|&(k, _, ref v)| k >= 2 && k < histogram.len() && !v.is_empty())
            .collect();
        let found = threads::for_each(
            threads,
            lists,
            Vec::new,
            |out: &mut Vec<(usize, usize, Option<[f64; 4]>)>, (k, which, v), _| {
                out.push((k, which, percentiles(v)));
            },
            check_interrupts,
        );
        for (k, which, p) in found.into_iter().flatten() {
            pcts[k][which] = p;
        }
    }
    (1..histogram.len())
        .map(|k| {
            let (users, previous) = (at_least[k], at_least[k - 1]);
            let ci = wilson(users, previous, z).ok().flatten();
            let rate_from_first = (first > 0).then(|| users as f64 / first as f64);
            let [from_previous, from_first] = pcts[k];
            StepRow {
                step: k as i32,
                name: names.and_then(|n| n.get(k - 1).cloned()),
                users,
                rate_from_previous: ci.map(|p| p.rate),
                rate_from_first,
                ci_low: ci.map(|p| p.low),
                ci_high: ci.map(|p| p.high),
                median_seconds_from_previous: from_previous.map(|p| p[1]),
                from_previous,
                from_first,
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

/// The [`PERCENTILES`] of `values` with `percentile_cont` semantics, bit for bit what
/// [`percentile_cont_sorted`](crate::quantile::percentile_cont_sorted) gives on the sorted values, by selection (linear time) instead
/// of a sort. Reorders `values`; `None` when empty.
pub fn percentiles(values: &mut [f64]) -> Option<[f64; 4]> {
    if values.is_empty() {
        return None;
    }
    // Durations are never negative: their bits then order them as the values do (a
    // cheaper comparison than `pg_float_cmp`, which orders every float).
    let by_bits = values.iter().all(|v| v.is_sign_positive() && !v.is_nan());
    let cmp = |a: &f64, b: &f64| {
        if by_bits {
            a.to_bits().cmp(&b.to_bits())
        } else {
            pg_float_cmp(a, b)
        }
    };
    let last = (values.len() - 1) as f64;
    let mut out = [0.0; 4];
    // values[..done] hold the smallest `done` values (in any order) and values[done] is the
    // value of rank `done` once selected.
    let mut done = 0;
    for (slot, p) in out.iter_mut().zip(PERCENTILES) {
        let pos = p * last;
        let (first, second) = (pos.floor(), pos.ceil());
        let rank = first as usize;
        let (_, lo, above) = values[done..].select_nth_unstable_by(rank - done, cmp);
        let lo = *lo;
        done = rank;
        *slot = if first == second {
            lo
        } else {
            let hi = *above
                .iter()
                .min_by(|a, b| cmp(a, b))
                .expect("a value above a rank below the last");
            lo + (pos - first) * (hi - lo)
        };
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantile::percentile_cont_sorted;

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
        assert!(rows.iter().all(|r| r.median_seconds_from_previous.is_none()
            && r.from_previous.is_none()
            && r.from_first.is_none()));
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
    fn percentiles_match_percentile_cont() {
        let by_sort = |v: &[f64]| {
            let mut v = v.to_vec();
            v.sort_unstable_by(pg_float_cmp);
            PERCENTILES.map(|p| percentile_cont_sorted(&v, p).unwrap())
        };
        let cases: Vec<Vec<f64>> = vec![
            vec![3.0],
            vec![2.0, 1.0],
            vec![5.0, 1.0, 4.0, 2.0, 3.0],
            vec![0.0, f64::INFINITY, 7.5, 7.5, 1.0, 2.0],
            (0..1000)
                .map(|i| ((i * 7919) % 1009) as f64 / 3.0)
                .collect(),
            vec![1.0; 17],
            // Negative values (never durations) take the general comparison.
            vec![-1.5, 2.0, -0.0, 0.0, 3.0, -7.0, f64::INFINITY, 0.5],
        ];
        for v in cases {
            let got = percentiles(&mut v.clone()).unwrap();
            let want = by_sort(&v);
            for (g, w) in got.iter().zip(want) {
                assert!(g.to_bits() == w.to_bits(), "{v:?}: {got:?} vs {want:?}");
            }
        }
        assert_eq!(percentiles(&mut []), None);
        assert_eq!(
            percentiles(&mut [10.0, 20.0, 30.0, 40.0, 50.0]),
            Some([20.0, 30.0, 40.0, 46.0])
        );
        let mut d = StepDurations::new(3);
        d.push_chain(&[0, 10_000_000, 40_000_000]);
        d.push_chain(&[0, 20_000_000]);
        d.push_chain(&[5]);
        let rows = step_rows(&[0, 1, 1, 1], None, Some(d));
        assert_eq!(rows[0].from_previous, None);
        assert_eq!(rows[1].from_previous, Some([12.5, 15.0, 17.5, 19.0]));
        assert_eq!(rows[1].median_seconds_from_previous, Some(15.0));
        assert_eq!(rows[1].from_first, Some([12.5, 15.0, 17.5, 19.0]));
        assert_eq!(rows[2].from_previous, Some([30.0; 4]));
        assert_eq!(rows[2].from_first, Some([40.0; 4]));
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
