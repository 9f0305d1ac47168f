//! Shared statistics: the Wilson score interval used by funnels and channels.

use crate::error::{OpsError, OpsResult};
use statrs::distribution::{ContinuousCDF, Normal};

/// A binomial proportion with its two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proportion {
    pub rate: f64,
    pub low: f64,
    pub high: f64,
}

/// The two-sided standard-normal quantile for `confidence` (0.95 → 1.959963984540054).
pub fn z_for_confidence(confidence: f64) -> OpsResult<f64> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(OpsError::invalid(format!(
            "confidence must be strictly between 0 and 1, got {confidence}"
        )));
    }
    let normal = Normal::new(0.0, 1.0).expect("standard normal is valid");
    Ok(normal.inverse_cdf(1.0 - (1.0 - confidence) / 2.0))
}

/// Wilson score interval for `successes` out of `trials` at normal quantile `z`.
///
/// `None` when `trials == 0` (the rate is undefined). Errors when a count is negative or
/// `successes > trials`.
pub fn wilson(successes: i64, trials: i64, z: f64) -> OpsResult<Option<Proportion>> {
    if successes < 0 || trials < 0 {
        return Err(OpsError::invalid(format!(
            "counts must not be negative, got successes = {successes}, trials = {trials}"
        )));
    }
    if successes > trials {
        return Err(OpsError::invalid(format!(
            "successes ({successes}) must not exceed trials ({trials})"
        )));
    }
    if trials == 0 {
        return Ok(None);
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // The closed form is exactly 0 at x = 0 and exactly 1 at x = n, and always contains p;
    // in floating point it can miss by an ulp (0 / 10 gave a lower bound of 2.8e-17 > 0),
    // which would make a rate equal to a cut look significant. Pin the exact values.
    let low = if successes == 0 {
        0.0
    } else {
        (center - half).max(0.0).min(p)
    };
    let high = if successes == trials {
        1.0
    } else {
        (center + half).min(1.0).max(p)
    };
    Ok(Some(Proportion { rate: p, low, high }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn z_matches_published_quantiles() {
        assert!(close(z_for_confidence(0.95).unwrap(), 1.959963984540054));
        assert!(close(z_for_confidence(0.99).unwrap(), 2.5758293035489004));
        assert!(close(z_for_confidence(0.90).unwrap(), 1.6448536269514722));
        for bad in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
            assert!(z_for_confidence(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wilson_matches_independent_values() {
        // Expected values computed independently in Python from the closed form
        // (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.959963984540054.
        let z = z_for_confidence(0.95).unwrap();
        let cases = [
            (3, 12, 0.08894166839405476, 0.5323053349335656),
            (0, 10, 0.0, 0.2775327998628892),
            (10, 10, 0.7224672001371107, 1.0),
            (45, 100, 0.3561453797951198, 0.5475539700255787),
        ];
        for (s, n, lo, hi) in cases {
            let p = wilson(s, n, z).unwrap().unwrap();
            assert!(close(p.rate, s as f64 / n as f64));
            assert!(close(p.low, lo), "{s}/{n}: low {} vs {lo}", p.low);
            assert!(close(p.high, hi), "{s}/{n}: high {} vs {hi}", p.high);
        }
    }

    #[test]
    fn wilson_edge_cases() {
        let z = 1.96;
        assert_eq!(wilson(0, 0, z).unwrap(), None);
        assert!(wilson(-1, 5, z).is_err());
        assert!(wilson(1, -5, z).is_err());
        assert!(wilson(6, 5, z).is_err());
        let big = wilson(i64::MAX / 2, i64::MAX, z).unwrap().unwrap();
        assert!(big.low <= big.rate && big.rate <= big.high);
    }

    #[test]
    fn wilson_is_exact_at_the_edges_and_contains_the_rate() {
        for z in [0.5, 1.0, 1.959963984540054, 2.5758293035489004, 10.0] {
            for n in 1..=200i64 {
                for x in 0..=n {
                    let p = wilson(x, n, z).unwrap().unwrap();
                    assert!(p.low <= p.rate && p.rate <= p.high, "{x}/{n} z={z}: {p:?}");
                    assert!((0.0..=1.0).contains(&p.low) && (0.0..=1.0).contains(&p.high));
                    if x == 0 {
                        assert_eq!(p.low, 0.0, "{x}/{n}");
                    }
                    if x == n {
                        assert_eq!(p.high, 1.0, "{x}/{n}");
                    }
                }
            }
        }
    }
}
