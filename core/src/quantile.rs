//! Exact `percentile_cont`: the same interpolation and the same float ordering PostgreSQL
//! uses (`NaN` sorts above every other value), so `quantile_breaks(value, probs)` returns
//! bit-for-bit what `percentile_cont(probs) WITHIN GROUP (ORDER BY value)` returns.

use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::state::PartialState;
use std::cmp::Ordering;

/// PostgreSQL's float8 ordering: `NaN` equals `NaN` and is greater than everything else.
pub fn pg_float_cmp(a: &f64, b: &f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(b).unwrap(),
    }
}

/// Validates requested probabilities: each must lie in `[0, 1]`; `None` stays `None`.
pub fn check_probs(probs: &[Option<f64>]) -> OpsResult<()> {
    for p in probs.iter().flatten() {
        if !(0.0..=1.0).contains(p) {
            return Err(OpsError::invalid(format!(
                "probability {p} is not between 0 and 1"
            )));
        }
    }
    Ok(())
}

/// `percentile_cont(p)` over already sorted values (PostgreSQL's `float8_lerp`).
pub fn percentile_cont_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = p * (sorted.len() - 1) as f64;
    let first = pos.floor();
    let second = pos.ceil();
    let lo = sorted[first as usize];
    if first == second {
        return Some(lo);
    }
    let hi = sorted[second as usize];
    Some(lo + (pos - first) * (hi - lo))
}

/// Aggregate state of `quantile_breaks`: every non-NULL value (exactness needs them all)
/// and the probabilities, decoded once when the group starts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuantileState {
    pub values: Vec<f64>,
    pub probs: Vec<Option<f64>>,
    sorted: bool,
}

const TAG: u8 = b'Q';
const VERSION: u8 = 1;

impl QuantileState {
    pub fn new(probs: Vec<Option<f64>>) -> OpsResult<Self> {
        check_probs(&probs)?;
        Ok(QuantileState {
            values: Vec::new(),
            probs,
            sorted: true,
        })
    }

    pub fn push(&mut self, v: f64) {
        self.values.push(v);
        self.sorted = false;
    }

    /// The breaks, one per requested probability (NULL probability → NULL break);
    /// `None` when the group had no values.
    pub fn finish(&mut self) -> Option<Vec<Option<f64>>> {
        if self.values.is_empty() {
            return None;
        }
        if !self.sorted {
            self.values.sort_unstable_by(pg_float_cmp);
            self.sorted = true;
        }
        let values = &self.values;
        Some(
            self.probs
                .iter()
                .map(|p| p.and_then(|p| percentile_cont_sorted(values, p)))
                .collect(),
        )
    }
}

impl PartialState for QuantileState {
    /// A parallel leader's own part is handed over as it is (a state of every row).
    fn hand_over_in_process(&self) -> bool {
        true
    }
    /// Combines two partial states (parallel workers or partial aggregates).
    fn merge(&mut self, mut other: QuantileState) -> OpsResult<()> {
        if self.probs.is_empty() {
            self.probs = std::mem::take(&mut other.probs);
        }
        self.values.append(&mut other.values);
        self.sorted = false;
        Ok(())
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        w.len(self.probs.len());
        for p in &self.probs {
            match p {
                Some(v) => w.u8(1).f64(*v),
                None => w.u8(0),
            };
        }
        w.f64s(&self.values);
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, TAG, VERSION)?;
        let n = r.len(1)?;
        let mut probs = Vec::with_capacity(n);
        for _ in 0..n {
            probs.push(if r.u8()? == 1 { Some(r.f64()?) } else { None });
        }
        // A corrupt probability outside [0, 1] would index past the values in finish().
        check_probs(&probs).map_err(|e| OpsError::malformed(format!("quantile state: {e}")))?;
        let values = r.f64s()?;
        r.finish()?;
        Ok(QuantileState {
            values,
            probs,
            sorted: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn breaks(values: &[f64], probs: &[f64]) -> Option<Vec<Option<f64>>> {
        let mut s = QuantileState::new(probs.iter().map(|p| Some(*p)).collect()).unwrap();
        values.iter().for_each(|v| s.push(*v));
        s.finish()
    }

    #[test]
    fn hand_worked() {
        // 1..=5: position p*(n-1); 0.4 → 1.6 → 2 + 0.6*(3-2) = 2.6; 0.8 → 3.2 → 4.2
        assert_eq!(
            breaks(&[5.0, 1.0, 3.0, 2.0, 4.0], &[0.4, 0.8]),
            Some(vec![Some(2.6), Some(4.2)])
        );
        assert_eq!(breaks(&[7.0], &[0.0, 0.5, 1.0]), Some(vec![Some(7.0); 3]));
        assert_eq!(breaks(&[], &[0.5]), None);
        assert_eq!(
            breaks(&[1.0, f64::NAN], &[1.0]).unwrap()[0].map(f64::is_nan),
            Some(true)
        );
        assert_eq!(
            breaks(&[1.0, f64::INFINITY], &[0.5]),
            Some(vec![Some(f64::INFINITY)])
        );
        // A serialized state whose probability was corrupted is rejected, not used.
        let mut s = QuantileState::new(vec![Some(1.0)]).unwrap();
        s.push(1.0);
        let mut bytes = s.encode();
        // tag, version, 8-byte count, 1-byte flag, then the probability.
        bytes[11..19].copy_from_slice(&1.5f64.to_le_bytes());
        let e = QuantileState::decode(&bytes).unwrap_err();
        assert!(
            e.message.contains("is not between 0 and 1"),
            "{}",
            e.message
        );
    }

    #[test]
    fn rejects_bad_probs() {
        for p in [-0.1, 1.1, f64::NAN, f64::INFINITY] {
            assert!(QuantileState::new(vec![Some(p)]).is_err(), "{p}");
        }
        assert!(QuantileState::new(vec![None]).is_ok());
    }

    proptest! {
        #[test]
        fn merge_and_permutation_do_not_matter(
            values in prop::collection::vec(-5i32..5, 1..60),
            split in 0usize..60,
            probs in prop::collection::vec(0.0f64..=1.0, 1..5),
        ) {
            let vals: Vec<f64> = values.iter().map(|v| *v as f64 / 2.0).collect();
            let probs: Vec<Option<f64>> = probs.into_iter().map(Some).collect();
            let mut whole = QuantileState::new(probs.clone()).unwrap();
            vals.iter().for_each(|v| whole.push(*v));
            let split = split.min(vals.len());
            let mut a = QuantileState::new(probs.clone()).unwrap();
            let mut b = QuantileState::new(probs.clone()).unwrap();
            vals[..split].iter().rev().for_each(|v| a.push(*v));
            vals[split..].iter().for_each(|v| b.push(*v));
            let b = QuantileState::decode(&b.encode()).unwrap();
            a.merge(b).unwrap();
            prop_assert_eq!(whole.finish(), a.finish());
        }

        #[test]
        fn breaks_are_monotone_and_within_range(
            values in prop::collection::vec(-1e6f64..1e6, 1..80),
        ) {
            let probs: Vec<f64> = (0..=10).map(|k| k as f64 / 10.0).collect();
            let b = breaks(&values, &probs).unwrap();
            let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
            let max = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            prop_assert_eq!(b[0], Some(min));
            prop_assert_eq!(b[10], Some(max));
            for w in b.windows(2) {
                prop_assert!(w[0].unwrap() <= w[1].unwrap());
            }
        }
    }
}
