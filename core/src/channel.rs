//! Channel quadrant (`channel_quadrant`): traffic volume × conversion quality, with a Wilson
//! interval on the rate, plus empirical-Bayes (beta-binomial) pooled shrinkage of channel
//! conversion rates toward the pooled rate.
//!
//! See `../shared/API.md`, "4. Channel quadrant".

use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::state::PartialState;
use crate::stats::{wilson, z_for_confidence};

/// One row of the SQL composite type `channel_quadrant`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quadrant {
    /// 1 star, 2 potential, 3 weak, 4 leaky; `None` when there is too little traffic.
    pub quadrant: Option<i32>,
    /// `'star'`, `'potential'`, `'weak'`, `'leaky'` or `'insufficient_data'` (English), or
    /// the Chinese labels of [`quadrant_lang`] with `lang = "zh"`.
    pub label: &'static str,
    /// `conversions / traffic`; `None` when `traffic = 0`.
    pub rate: Option<f64>,
    /// Lower bound of the Wilson interval at `confidence`; `None` when `traffic = 0`.
    pub ci_low: Option<f64>,
    /// Upper bound of the Wilson interval at `confidence`; `None` when `traffic = 0`.
    pub ci_high: Option<f64>,
    /// The interval excludes `rate_cut` (`ci_high < rate_cut` or `ci_low > rate_cut`);
    /// `None` when `traffic = 0`.
    pub significant: Option<bool>,
    /// The recommended action for the quadrant; a tentative "not enough evidence yet"
    /// text when the quadrant exists but `significant` is `Some(false)`.
    pub strategy: &'static str,
}

/// Label of quadrant 1 (high traffic, high rate).
pub const STAR: &str = "star";
/// Label of quadrant 2 (low traffic, high rate).
pub const POTENTIAL: &str = "potential";
/// Label of quadrant 3 (low traffic, low rate).
pub const WEAK: &str = "weak";
/// Label of quadrant 4 (high traffic, low rate).
pub const LEAKY: &str = "leaky";
/// Label when `traffic < min_traffic` (or `traffic = 0`).
pub const INSUFFICIENT: &str = "insufficient_data";

/// Strategy of quadrant 1.
pub const STAR_STRATEGY: &str = "keep and increase investment";
/// Strategy of quadrant 2.
pub const POTENTIAL_STRATEGY: &str = "scale up delivery while watching quality";
/// Strategy of quadrant 3.
pub const WEAK_STRATEGY: &str = "be careful: keep monitoring and adjust in small steps";
/// Strategy of quadrant 4.
pub const LEAKY_STRATEGY: &str = "target delivery more precisely";
/// Strategy when there is too little traffic to judge.
pub const INSUFFICIENT_STRATEGY: &str = "collect more traffic before judging";

/// Known `lang` values of [`quadrant_lang`].
pub const LANGS: &[&str] = &["en", "zh"];

/// Label and strategy texts of one quadrant (index 0 = insufficient data, 1..=4 the
/// quadrants) in one language. `tentative` is the strategy of a channel whose Wilson
/// interval includes `rate_cut` (not significant): its quadrant is only provisional.
struct Texts {
    label: [&'static str; 5],
    strategy: [&'static str; 5],
    tentative: [&'static str; 5],
}

const EN: Texts = Texts {
    label: [INSUFFICIENT, STAR, POTENTIAL, WEAK, LEAKY],
    strategy: [
        INSUFFICIENT_STRATEGY,
        STAR_STRATEGY,
        POTENTIAL_STRATEGY,
        WEAK_STRATEGY,
        LEAKY_STRATEGY,
    ],
    tentative: [
        INSUFFICIENT_STRATEGY,
        "not enough evidence yet: the conversion-rate interval includes the rate cut; keep collecting traffic before acting (tentatively star)",
        "not enough evidence yet: the conversion-rate interval includes the rate cut; keep collecting traffic before acting (tentatively potential)",
        "not enough evidence yet: the conversion-rate interval includes the rate cut; keep collecting traffic before acting (tentatively weak)",
        "not enough evidence yet: the conversion-rate interval includes the rate cut; keep collecting traffic before acting (tentatively leaky)",
    ],
};

const ZH: Texts = Texts {
    label: ["数据不足", "明星渠道", "潜力渠道", "低效渠道", "漏斗渠道"],
    strategy: [
        "积累更多流量后再判断",
        "保持并加大投入",
        "扩大投放并关注质量",
        "谨慎对待：持续监控，小步调整",
        "精准定向投放",
    ],
    tentative: [
        "积累更多流量后再判断",
        "证据不足：转化率区间包含分界值，继续积累流量后再行动（暂定：明星渠道）",
        "证据不足：转化率区间包含分界值，继续积累流量后再行动（暂定：潜力渠道）",
        "证据不足：转化率区间包含分界值，继续积累流量后再行动（暂定：低效渠道）",
        "证据不足：转化率区间包含分界值，继续积累流量后再行动（暂定：漏斗渠道）",
    ],
};

fn texts(lang: &str) -> OpsResult<&'static Texts> {
    match lang {
        "en" => Ok(&EN),
        "zh" => Ok(&ZH),
        _ => Err(OpsError::invalid(format!(
            "unknown channel_quadrant lang '{}', known: 'en', 'zh'",
            crate::error::truncate(lang, 60)
        ))),
    }
}

/// `x > cut` compared exactly (no rounding of `x` to `f64`); `cut` must be finite.
fn int_above(x: i64, cut: f64) -> bool {
    // For an integer x, x > cut ⟺ x > floor(cut).
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    let f = cut.floor();
    if f >= TWO_63 {
        false
    } else if f < -TWO_63 {
        true
    } else {
        x > f as i64
    }
}

/// Classifies a channel by traffic (x, volume) and conversion rate (y, quality), with
/// English label and strategy: [`quadrant_lang`] with `lang = "en"`.
pub fn quadrant(
    traffic: i64,
    conversions: i64,
    traffic_cut: f64,
    rate_cut: f64,
    min_traffic: i64,
    confidence: f64,
) -> OpsResult<Quadrant> {
    quadrant_lang(
        traffic,
        conversions,
        traffic_cut,
        rate_cut,
        min_traffic,
        confidence,
        "en",
    )
}

/// Classifies a channel by traffic (x, volume) and conversion rate (y, quality).
///
/// "High" means strictly greater than the cut: traffic `> traffic_cut`, rate `> rate_cut`
/// (traffic is compared exactly, without rounding it to `f64`). The rate and its Wilson
/// score interval at `confidence` are always reported when `traffic > 0`, even below
/// `min_traffic`. When `traffic < min_traffic`, or `traffic = 0` (the rate is undefined, so
/// no quadrant can be assigned even with `min_traffic = 0`), the quadrant is `None` and the
/// label `'insufficient_data'`.
///
/// The strategy respects `significant`: a channel with a quadrant whose Wilson interval
/// includes `rate_cut` (`significant = Some(false)`) keeps its quadrant and label, but its
/// strategy is the tentative "not enough evidence yet: the conversion-rate interval includes
/// the rate cut; keep collecting traffic before acting (tentatively <label>)" instead of
/// the quadrant's advice.
///
/// `lang` picks the label and strategy texts: `"en"` (`star`, `potential`, `weak`, `leaky`,
/// `insufficient_data`) or `"zh"` (明星渠道, 潜力渠道, 低效渠道, 漏斗渠道, 数据不足).
///
/// Errors (`invalid`): negative counts, `conversions > traffic`, negative `min_traffic`,
/// `traffic_cut` NaN, infinite or negative, `rate_cut` NaN, infinite or outside `[0, 1]`
/// (it is a rate, not a percentage), `confidence` outside `(0, 1)`, unknown `lang`.
pub fn quadrant_lang(
    traffic: i64,
    conversions: i64,
    traffic_cut: f64,
    rate_cut: f64,
    min_traffic: i64,
    confidence: f64,
    lang: &str,
) -> OpsResult<Quadrant> {
    let texts = texts(lang)?;
    if traffic < 0 {
        return Err(OpsError::invalid(format!(
            "traffic must not be negative, got {traffic}"
        )));
    }
    if conversions < 0 {
        return Err(OpsError::invalid(format!(
            "conversions must not be negative, got {conversions}"
        )));
    }
    check_counts(traffic, conversions)?;
    if min_traffic < 0 {
        return Err(OpsError::invalid(format!(
            "min_traffic must not be negative, got {min_traffic}"
        )));
    }
    if !traffic_cut.is_finite() {
        return Err(OpsError::invalid(format!(
            "traffic_cut must be finite, got {traffic_cut}"
        )));
    }
    if traffic_cut < 0.0 {
        return Err(OpsError::invalid(format!(
            "traffic_cut must not be negative, got {}",
            crate::error::fmt_f64(traffic_cut)
        )));
    }
    if !rate_cut.is_finite() {
        return Err(OpsError::invalid(format!(
            "rate_cut must be finite, got {rate_cut}"
        )));
    }
    if !(0.0..=1.0).contains(&rate_cut) {
        return Err(OpsError::invalid(format!(
            "rate_cut must be a rate in [0, 1], got {}",
            crate::error::fmt_f64(rate_cut)
        )));
    }
    let z = z_for_confidence(confidence)?;
    let interval = wilson(conversions, traffic, z)?;
    let rate = interval.map(|p| p.rate);
    let ci_low = interval.map(|p| p.low);
    let ci_high = interval.map(|p| p.high);
    let significant = interval.map(|p| p.high < rate_cut || p.low > rate_cut);

    let quadrant = match rate {
        Some(r) if traffic >= min_traffic => {
            Some(match (int_above(traffic, traffic_cut), r > rate_cut) {
                (true, true) => 1,
                (false, true) => 2,
                (false, false) => 3,
                (true, false) => 4,
            })
        }
        _ => None,
    };
    let i = quadrant.unwrap_or(0) as usize;
    let strategy = if quadrant.is_some() && significant == Some(false) {
        texts.tentative[i]
    } else {
        texts.strategy[i]
    };
    Ok(Quadrant {
        quadrant,
        label: texts.label[i],
        rate,
        ci_low,
        ci_high,
        significant,
        strategy,
    })
}

/// A Beta(`alpha`, `beta`) prior on channel conversion rates.
///
/// Its mean `alpha / (alpha + beta)` is the pooled rate and `alpha + beta` its
/// concentration (how many visits of evidence the prior is worth).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BetaPrior {
    pub alpha: f64,
    pub beta: f64,
}

impl BetaPrior {
    /// `alpha / (alpha + beta)`.
    pub fn mean(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }
    /// `alpha + beta`.
    pub fn concentration(&self) -> f64 {
        self.alpha + self.beta
    }
}

/// Posterior-mean (shrunk) conversion rate of one channel under `prior`:
///
/// `(conversions + alpha) / (traffic + alpha + beta)`
///
/// It always lies between the raw rate `conversions / traffic` and the prior mean
/// `alpha / (alpha + beta)`; a channel with `traffic = 0` gets the prior mean. Counts are not
/// validated here (validate them with [`PriorState::push`] or [`quadrant`]).
pub fn shrunk_rate(traffic: i64, conversions: i64, prior: &BetaPrior) -> f64 {
    // Numerator and denominator scaled by m = max(alpha, beta, 1): identical for ordinary
    // priors (m = 1), and no overflow of alpha + beta for huge ones (1e308 + 1e308 = inf
    // gave 0 instead of the prior mean).
    let m = prior.alpha.max(prior.beta).max(1.0);
    let (a, b) = (prior.alpha / m, prior.beta / m);
    (conversions as f64 / m + a) / (traffic as f64 / m + a + b)
}

const PRIOR_TAG: u8 = b'P';
const PRIOR_VERSION: u8 = 1;

/// Aggregate state fitting an empirical-Bayes beta-binomial prior over channels.
///
/// Keeps the exact `(traffic, conversions)` pair of every channel with `traffic > 0`
/// (channels with no traffic carry no information and are skipped); the pairs are sorted
/// before fitting, so the floating-point result does not depend on row or merge order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriorState {
    pairs: Vec<(i64, i64)>,
}

pub fn check_counts(traffic: i64, conversions: i64) -> OpsResult<()> {
    if traffic < 0 || conversions < 0 {
        return Err(OpsError::invalid(format!(
            "counts must not be negative, got traffic = {traffic}, conversions = {conversions}"
        )));
    }
    if conversions > traffic {
        return Err(OpsError::invalid(format!(
            "conversions ({conversions}) must not exceed traffic ({traffic})"
        )));
    }
    Ok(())
}

impl PriorState {
    pub fn new() -> Self {
        PriorState::default()
    }

    /// Adds one channel. Errors on negative counts or `conversions > traffic`.
    pub fn push(&mut self, traffic: i64, conversions: i64) -> OpsResult<()> {
        check_counts(traffic, conversions)?;
        if traffic > 0 {
            self.pairs.push((traffic, conversions));
        }
        Ok(())
    }

    /// Number of channels with `traffic > 0` seen so far.
    pub fn channels(&self) -> usize {
        self.pairs.len()
    }

    /// Method-of-moments fit of the beta-binomial prior. `None` with fewer than 2 channels
    /// with `traffic > 0`.
    ///
    /// With `k` channels, `n_i` traffic, `x_i` conversions, `p_i = x_i / n_i`:
    ///
    /// * prior mean `m = Σx_i / Σn_i` (the pooled rate);
    /// * `s² = Σ(p_i − p̄)² / (k − 1)`, `p̄ = Σp_i / k`, `h = Σ(1/n_i) / k`;
    /// * under the beta-binomial model every `p_i` has mean `m` and variance
    ///   `m(1−m)·(1/n_i + ρ(1 − 1/n_i))` with `ρ = 1 / (alpha + beta + 1)`, and `s²` is
    ///   unbiased for the average of those variances, so
    ///   `ρ = (s² / (m(1−m)) − h) / (1 − h)`;
    /// * concentration `c = 1/ρ − 1` (at least [`MIN_CONCENTRATION`]),
    ///   `alpha = m·c`, `beta = (1−m)·c`.
    ///
    /// Fallback: when the observed variance is not larger than binomial noise (`ρ ≤ 0`), or
    /// cannot be measured (`m` is 0 or 1, or every `n_i = 1`), the channels are treated as
    /// one population and the prior gets the pooled mean with concentration `Σn_i` (total
    /// traffic: the prior weighs as much as all the data, so every channel is pulled strongly
    /// toward the pooled rate). With `m` exactly 0 or 1, `alpha` or `beta` is then 0.
    pub fn fit(&mut self) -> OpsResult<Option<BetaPrior>> {
        if self.pairs.len() < 2 {
            return Ok(None);
        }
        self.pairs.sort_unstable();
        let k = self.pairs.len() as f64;
        let total_n: i128 = self.pairs.iter().map(|&(n, _)| n as i128).sum();
        let total_x: i128 = self.pairs.iter().map(|&(_, x)| x as i128).sum();
        let (total_n, total_x) = (total_n as f64, total_x as f64);
        let m = total_x / total_n;
        let fallback = Some(BetaPrior {
            alpha: m * total_n,
            beta: (1.0 - m) * total_n,
        });

        let rate = |&(n, x): &(i64, i64)| x as f64 / n as f64;
        let p_bar = self.pairs.iter().map(rate).sum::<f64>() / k;
        let s2 = self
            .pairs
            .iter()
            .map(|p| (rate(p) - p_bar).powi(2))
            .sum::<f64>()
            / (k - 1.0);
        let h = self.pairs.iter().map(|&(n, _)| 1.0 / n as f64).sum::<f64>() / k;
        let noise = m * (1.0 - m);
        if noise <= 0.0 || h >= 1.0 {
            return Ok(fallback);
        }
        let rho = (s2 / noise - h) / (1.0 - h);
        if rho.is_nan() || rho <= 0.0 {
            return Ok(fallback);
        }
        let c = (1.0 / rho - 1.0).max(MIN_CONCENTRATION);
        Ok(Some(BetaPrior {
            alpha: m * c,
            beta: (1.0 - m) * c,
        }))
    }

    /// Same as [`PriorState::fit`] (the aggregate's final function).
    pub fn finish(&mut self) -> OpsResult<Option<BetaPrior>> {
        self.fit()
    }
}

impl PartialState for PriorState {
    /// Combines two partial states.
    fn merge(&mut self, mut other: PriorState) -> OpsResult<()> {
        self.pairs.append(&mut other.pairs);
        Ok(())
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(PRIOR_TAG, PRIOR_VERSION);
        w.len(self.pairs.len());
        for &(n, x) in &self.pairs {
            w.i64(n).i64(x);
        }
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, PRIOR_TAG, PRIOR_VERSION)?;
        let len = r.len(16)?;
        let mut pairs = Vec::with_capacity(len);
        for _ in 0..len {
            let (n, x) = (r.i64()?, r.i64()?);
            if n <= 0 || x < 0 || x > n {
                return Err(OpsError::malformed(format!(
                    "prior state holds an impossible channel: traffic = {n}, conversions = {x}"
                )));
            }
            pairs.push((n, x));
        }
        r.finish()?;
        Ok(PriorState { pairs })
    }
}

/// Smallest concentration a fitted prior gets: when the channels look as dispersed as
/// possible (`ρ ≥ 1`) the prior is all but flat and shrunk rates equal the raw rates.
pub const MIN_CONCENTRATION: f64 = 1e-6;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn wilson_matches_independent_values() {
        // Computed in Python 3 from the closed form
        // (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), clamped to [0, 1],
        // with z = statistics.NormalDist().inv_cdf(1 - (1 - confidence) / 2).
        let cases = [
            (30, 200, 0.95, 0.10713593562241996, 0.20605579284166659),
            (5, 40, 0.90, 0.06219135869811129, 0.2353237277859823),
            (0, 50, 0.99, 0.0, 0.11715209171762792),
            (12, 12, 0.95, 0.7575059933447593, 1.0),
            (7, 29, 0.95, 0.12218422442520088, 0.42107601617811335),
            (450, 1000, 0.8, 0.42993681395996375, 0.4702271541844658),
        ];
        for (x, n, conf, lo, hi) in cases {
            let q = quadrant(n, x, 0.0, 0.5, 0, conf).unwrap();
            assert!(close(q.rate.unwrap(), x as f64 / n as f64));
            assert!(
                close(q.ci_low.unwrap(), lo),
                "{x}/{n}: low {:?} vs {lo}",
                q.ci_low
            );
            assert!(
                close(q.ci_high.unwrap(), hi),
                "{x}/{n}: high {:?} vs {hi}",
                q.ci_high
            );
        }
    }

    fn label(traffic: i64, conversions: i64, tcut: f64, rcut: f64) -> (Option<i32>, &'static str) {
        let q = quadrant(traffic, conversions, tcut, rcut, 30, 0.95).unwrap();
        (q.quadrant, q.label)
    }

    #[test]
    fn quadrants_on_above_and_below_each_cut() {
        // traffic cut 100, rate cut 0.1; "high" is strictly above.
        assert_eq!(label(101, 20, 100.0, 0.1), (Some(1), "star"));
        assert_eq!(label(100, 20, 100.0, 0.1), (Some(2), "potential"));
        assert_eq!(label(99, 20, 100.0, 0.1), (Some(2), "potential"));
        assert_eq!(label(100, 10, 100.0, 0.1), (Some(3), "weak")); // rate exactly on the cut
        assert_eq!(label(99, 5, 100.0, 0.1), (Some(3), "weak"));
        assert_eq!(label(200, 20, 100.0, 0.1), (Some(4), "leaky")); // rate on the cut
        assert_eq!(label(200, 21, 100.0, 0.1), (Some(1), "star"));
        assert_eq!(label(200, 19, 100.0, 0.1), (Some(4), "leaky"));
        // fractional traffic cut
        assert_eq!(label(100, 50, 99.5, 0.1), (Some(1), "star"));
        assert_eq!(label(100, 50, 100.5, 0.1), (Some(2), "potential"));
        // huge cuts are compared exactly
        assert_eq!(label(i64::MAX, 0, 9.3e18, 0.5), (Some(3), "weak"));
        assert_eq!(label(i64::MAX, 0, 9.2e18, 0.5), (Some(4), "leaky"));
        assert_eq!(label(40, 0, 0.0, 0.0), (Some(4), "leaky"));
        assert_eq!(label(40, 40, 0.0, 1.0), (Some(4), "leaky"));
        // 5/200 at 0.95: [0.0107, 0.0572], clearly below 0.1: significant, confident advice
        let q = quadrant(200, 5, 100.0, 0.1, 30, 0.95).unwrap();
        assert_eq!((q.label, q.significant), ("leaky", Some(true)));
        assert_eq!(q.strategy, "target delivery more precisely");
        assert_eq!(
            quadrant(101, 20, 100.0, 0.1, 30, 0.95).unwrap().strategy,
            STAR_STRATEGY
        );
    }

    #[test]
    fn min_traffic_boundary() {
        let q = quadrant(29, 10, 10.0, 0.1, 30, 0.95).unwrap();
        assert_eq!(
            (q.quadrant, q.label, q.strategy),
            (None, INSUFFICIENT, INSUFFICIENT_STRATEGY)
        );
        assert!(close(q.rate.unwrap(), 10.0 / 29.0));
        assert!(q.ci_low.is_some() && q.ci_high.is_some());
        assert_eq!(q.significant, Some(true));
        assert_eq!(label(30, 10, 10.0, 0.1), (Some(1), "star"));
        assert_eq!(label(31, 10, 10.0, 0.1), (Some(1), "star"));
        // no traffic: rate undefined, never a quadrant, even with min_traffic 0
        let q = quadrant(0, 0, 10.0, 0.1, 0, 0.95).unwrap();
        assert_eq!((q.quadrant, q.label), (None, INSUFFICIENT));
        assert_eq!(
            (q.rate, q.ci_low, q.ci_high, q.significant),
            (None, None, None, None)
        );
        assert_eq!(quadrant(1, 1, 0.0, 0.1, 0, 0.95).unwrap().label, STAR);
    }

    #[test]
    fn significance_means_interval_excludes_rate_cut() {
        // 30/200 at 0.95: [0.10713593562241996, 0.20605579284166659]
        let sig = |cut| {
            quadrant(200, 30, 0.0, cut, 0, 0.95)
                .unwrap()
                .significant
                .unwrap()
        };
        assert!(sig(0.10));
        assert!(!sig(0.11));
        assert!(!sig(0.20));
        assert!(sig(0.21));
    }

    #[test]
    fn not_significant_gives_a_tentative_strategy() {
        // 30/200 at 0.95: rate 0.15, Wilson [0.10714, 0.20606]. With rate_cut 0.12 the rate
        // is above the cut (star with traffic 200 > 100) but the interval includes 0.12.
        let q = quadrant(200, 30, 100.0, 0.12, 30, 0.95).unwrap();
        assert_eq!(
            (q.quadrant, q.label, q.significant),
            (Some(1), STAR, Some(false))
        );
        assert_eq!(
            q.strategy,
            "not enough evidence yet: the conversion-rate interval includes the rate cut; \
             keep collecting traffic before acting (tentatively star)"
        );
        // the same channel against a cut the interval excludes: confident advice
        let q = quadrant(200, 30, 100.0, 0.10, 30, 0.95).unwrap();
        assert_eq!(
            (q.label, q.significant, q.strategy),
            (STAR, Some(true), STAR_STRATEGY)
        );
        // 0.15 is not above 0.15: leaky, interval includes the cut
        let q = quadrant(200, 30, 100.0, 0.15, 30, 0.95).unwrap();
        assert_eq!(
            (q.quadrant, q.label, q.significant),
            (Some(4), LEAKY, Some(false))
        );
        assert!(
            q.strategy.ends_with("(tentatively leaky)"),
            "{}",
            q.strategy
        );
        // low traffic, not significant: potential / weak stay as labels, strategy tentative
        let q = quadrant(50, 8, 100.0, 0.12, 30, 0.95).unwrap();
        assert_eq!((q.label, q.significant), (POTENTIAL, Some(false)));
        assert!(q.strategy.ends_with("(tentatively potential)"));
        let q = quadrant(50, 5, 100.0, 0.12, 30, 0.95).unwrap();
        assert_eq!((q.label, q.significant), (WEAK, Some(false)));
        assert!(q.strategy.ends_with("(tentatively weak)"));
        // below min_traffic: insufficient data, whatever the interval says
        let q = quadrant(20, 3, 100.0, 0.12, 30, 0.95).unwrap();
        assert_eq!(
            (q.quadrant, q.label, q.significant, q.strategy),
            (None, INSUFFICIENT, Some(false), INSUFFICIENT_STRATEGY)
        );
    }

    #[test]
    fn chinese_texts() {
        let zh = |t, x, cut| quadrant_lang(t, x, 100.0, cut, 30, 0.95, "zh").unwrap();
        // significant channels: 20/101 ≈ 0.198 (low ≈ 0.13 > 0.1), 30/50 = 0.6 (low ≈ 0.46),
        // 1/50 (high ≈ 0.105 < 0.2), 5/200 (high ≈ 0.057 < 0.1)
        let q = zh(101, 20, 0.1);
        assert_eq!(
            (q.quadrant, q.label, q.strategy),
            (Some(1), "明星渠道", "保持并加大投入")
        );
        let q = zh(50, 30, 0.1);
        assert_eq!((q.label, q.strategy), ("潜力渠道", "扩大投放并关注质量"));
        let q = zh(50, 1, 0.2);
        assert_eq!(
            (q.label, q.strategy),
            ("低效渠道", "谨慎对待：持续监控，小步调整")
        );
        let q = zh(200, 5, 0.1);
        assert_eq!((q.label, q.strategy), ("漏斗渠道", "精准定向投放"));
        let q = zh(10, 5, 0.1);
        assert_eq!(
            (q.quadrant, q.label, q.strategy),
            (None, "数据不足", "积累更多流量后再判断")
        );
        let q = zh(200, 30, 0.12);
        assert_eq!(q.label, "明星渠道");
        assert_eq!(
            q.strategy,
            "证据不足：转化率区间包含分界值，继续积累流量后再行动（暂定：明星渠道）"
        );
        // everything but the texts equals the English result
        for (t, x, cut) in [(101, 20, 0.1), (200, 30, 0.12), (10, 5, 0.1), (0, 0, 0.5)] {
            let en = quadrant_lang(t, x, 100.0, cut, 30, 0.95, "en").unwrap();
            assert_eq!(en, quadrant(t, x, 100.0, cut, 30, 0.95).unwrap());
            let zh = zh(t, x, cut);
            assert_eq!(
                (zh.quadrant, zh.rate, zh.ci_low, zh.ci_high, zh.significant),
                (en.quadrant, en.rate, en.ci_low, en.ci_high, en.significant)
            );
        }
        let e = quadrant_lang(10, 5, 1.0, 0.1, 0, 0.95, "fr").unwrap_err();
        assert!(e.message.contains("'fr'"), "{}", e.message);
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidParameter);
    }

    #[test]
    fn cut_ranges() {
        let err = |tc: f64, rc: f64| quadrant(10, 5, tc, rc, 0, 0.95).unwrap_err();
        let e = err(1.0, 10.0);
        assert_eq!(e.message, "rate_cut must be a rate in [0, 1], got 10");
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidParameter);
        assert!(err(1.0, -0.01).message.contains("got -0.01"));
        assert!(err(1.0, 1.5).message.contains("[0, 1]"));
        assert_eq!(
            err(-1.0, 0.1).message,
            "traffic_cut must not be negative, got -1"
        );
        assert!(err(-1e300, 0.1).message.contains("traffic_cut"));
        // the bounds themselves are fine
        assert!(quadrant(10, 5, 0.0, 0.0, 0, 0.95).is_ok());
        assert!(quadrant(10, 5, 0.0, 1.0, 0, 0.95).is_ok());
        assert!(quadrant(10, 5, -0.0, -0.0, 0, 0.95).is_ok());
        assert!(quadrant(10, 5, 1e300, 1.0, 0, 0.95).is_ok());
        for c in [0.0, 1.0, -0.5, 1.5] {
            let e = quadrant(10, 5, 1.0, 0.1, 0, c).unwrap_err();
            assert!(e.message.contains("confidence"), "{}", e.message);
        }
    }

    #[test]
    fn errors_name_the_value() {
        let err = |r: OpsResult<Quadrant>| r.unwrap_err().message;
        assert!(err(quadrant(-5, 0, 1.0, 0.1, 30, 0.95)).contains("-5"));
        assert!(err(quadrant(5, -2, 1.0, 0.1, 30, 0.95)).contains("-2"));
        let m = err(quadrant(5, 6, 1.0, 0.1, 30, 0.95));
        assert!(m.contains('6') && m.contains('5'), "{m}");
        assert!(err(quadrant(5, 1, 1.0, 0.1, -3, 0.95)).contains("-3"));
        assert!(err(quadrant(5, 1, f64::NAN, 0.1, 30, 0.95)).contains("NaN"));
        assert!(err(quadrant(5, 1, f64::INFINITY, 0.1, 30, 0.95)).contains("inf"));
        assert!(err(quadrant(5, 1, 1.0, f64::NEG_INFINITY, 30, 0.95)).contains("-inf"));
        assert!(err(quadrant(5, 1, 1.0, 0.1, 30, 1.0)).contains('1'));
        assert!(err(quadrant(5, 1, 1.0, 0.1, 30, 0.0)).contains('0'));
        assert!(err(quadrant(5, 1, 1.0, 0.1, 30, f64::NAN)).contains("NaN"));
        let e = quadrant(5, 6, 1.0, 0.1, 30, 0.95).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidParameter);
    }

    fn fit(pairs: &[(i64, i64)]) -> Option<BetaPrior> {
        let mut s = PriorState::new();
        for &(n, x) in pairs {
            s.push(n, x).unwrap();
        }
        s.fit().unwrap()
    }

    #[test]
    fn prior_fit_hand_worked() {
        // (100, 10), (100, 30): m = 40/200 = 0.2, p̄ = 0.2, s² = (0.01 + 0.01)/1 = 0.02,
        // m(1−m) = 0.16, s²/m(1−m) = 0.125, h = 0.01,
        // ρ = (0.125 − 0.01)/0.99 = 0.115/0.99, c = 0.99/0.115 − 1 = 0.875/0.115 = 175/23,
        // alpha = 0.2·175/23 = 35/23, beta = 140/23.
        let p = fit(&[(100, 10), (100, 30), (0, 0)]).unwrap();
        assert!(close(p.alpha, 35.0 / 23.0), "{p:?}");
        assert!(close(p.beta, 140.0 / 23.0), "{p:?}");
        assert!(close(p.mean(), 0.2));
        // shrunk: (10 + 35/23) / (100 + 175/23) = 265/2475
        assert!(close(shrunk_rate(100, 10, &p), 265.0 / 2475.0));
        assert!(close(shrunk_rate(0, 0, &p), 0.2));
        // alpha + beta overflows f64: still between the raw rate (0.5) and the prior mean.
        let huge = BetaPrior {
            alpha: 1e308,
            beta: 1e308,
        };
        assert!(close(shrunk_rate(10, 5, &huge), 0.5));
        let skewed = BetaPrior {
            alpha: 1e308,
            beta: 3e307,
        };
        let r = shrunk_rate(10, 0, &skewed);
        assert!(r > 0.0 && close(r, 1.0 / 1.3), "{r}");
    }

    #[test]
    fn prior_fallbacks() {
        assert_eq!(fit(&[]), None);
        assert_eq!(fit(&[(100, 10)]), None);
        assert_eq!(fit(&[(100, 10), (0, 0), (0, 0)]), None);
        // identical rates: no variance beyond binomial noise → pooled mean, concentration Σn
        assert_eq!(
            fit(&[(100, 20), (100, 20)]),
            Some(BetaPrior {
                alpha: 40.0,
                beta: 160.0
            })
        );
        // variance smaller than binomial noise
        let p = fit(&[(100, 20), (100, 21), (100, 19)]).unwrap();
        assert!(close(p.concentration(), 300.0) && close(p.mean(), 0.2));
        // all zero conversions: alpha 0
        assert_eq!(
            fit(&[(10, 0), (30, 0)]),
            Some(BetaPrior {
                alpha: 0.0,
                beta: 40.0
            })
        );
        // every n = 1: dispersion cannot be measured
        assert_eq!(
            fit(&[(1, 0), (1, 1)]),
            Some(BetaPrior {
                alpha: 1.0,
                beta: 1.0
            })
        );
        // maximal dispersion: concentration floored
        let p = fit(&[(1000, 0), (1000, 1000)]).unwrap();
        assert!(close(p.concentration(), MIN_CONCENTRATION) && close(p.mean(), 0.5));
    }

    #[test]
    fn prior_push_and_decode_errors() {
        let mut s = PriorState::new();
        assert!(s.push(-1, 0).unwrap_err().message.contains("-1"));
        assert!(s.push(3, 4).unwrap_err().message.contains('4'));
        assert!(PriorState::decode(&[b'Q', 1]).is_err());
        let mut w = Writer::new(PRIOR_TAG, PRIOR_VERSION);
        w.len(1).i64(3).i64(4);
        assert!(PriorState::decode(&w.finish()).is_err());
        let mut bytes = PriorState::new().encode();
        bytes.push(0);
        assert!(PriorState::decode(&bytes).is_err());
    }

    proptest! {
        #[test]
        fn shrunk_rate_lies_between_raw_and_pooled(
            pairs in prop::collection::vec((1i64..500, 0.0f64..=1.0), 2..20),
            pick in 0usize..20,
        ) {
            let pairs: Vec<(i64, i64)> =
                pairs.iter().map(|&(n, f)| (n, (n as f64 * f).round() as i64)).collect();
            let prior = fit(&pairs).unwrap();
            let (n, x) = pairs[pick % pairs.len()];
            let raw = x as f64 / n as f64;
            let s = shrunk_rate(n, x, &prior);
            let (lo, hi) = (raw.min(prior.mean()), raw.max(prior.mean()));
            prop_assert!(s >= lo - 1e-12 && s <= hi + 1e-12, "{s} not in [{lo}, {hi}]");
            prop_assert!(prior.alpha >= 0.0 && prior.beta >= 0.0 && prior.concentration() > 0.0);
        }

        #[test]
        fn prior_merge_order_does_not_matter(
            pairs in prop::collection::vec((0i64..300, 0.0f64..=1.0), 0..30),
            split in 0usize..30,
        ) {
            let pairs: Vec<(i64, i64)> =
                pairs.iter().map(|&(n, f)| (n, (n as f64 * f).round() as i64)).collect();
            let whole = fit(&pairs);
            let split = split.min(pairs.len());
            let mut a = PriorState::new();
            let mut b = PriorState::new();
            for &(n, x) in pairs[..split].iter().rev() {
                a.push(n, x).unwrap();
            }
            for &(n, x) in &pairs[split..] {
                b.push(n, x).unwrap();
            }
            let mut b = PriorState::decode(&b.encode()).unwrap();
            b.merge(a).unwrap();
            prop_assert_eq!(whole, b.fit().unwrap());
        }
    }
}
