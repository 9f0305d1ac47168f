//! Channels: `channel_quadrant` (traffic × conversion-rate quadrant with a Wilson interval),
//! the `channel_prior` aggregate (empirical-Bayes beta-binomial prior fitted over channels)
//! and `channel_shrunk_rate`.

use crate::pg::errors::{invalid, OrRaise};
use pg_operations_core::channel::{self, BetaPrior, PriorState};
use pgrx::IntoDatum;

/// The `channel_quadrant` row in a language.
#[allow(clippy::too_many_arguments)]
fn quadrant_row(
    call: &crate::pg::Call<'_>,
    traffic: i64,
    conversions: i64,
    traffic_cut: f64,
    rate_cut: f64,
    min_traffic: i64,
    confidence: f64,
    lang: &str,
) -> crate::pg::Row {
    let q = channel::quadrant_lang(
        traffic,
        conversions,
        traffic_cut,
        rate_cut,
        min_traffic,
        confidence,
        lang,
    )
    .or_raise();
    call.row(&[
        q.quadrant.into_datum(),
        q.label.into_datum(),
        q.rate.into_datum(),
        q.ci_low.into_datum(),
        q.ci_high.into_datum(),
        q.significant.into_datum(),
        q.strategy.into_datum(),
    ])
}

pg_operations_macros::declare! {
    type channel_quadrant (quadrant int, label text, rate float8, ci_low float8, ci_high float8,
                           significant bool, strategy text)
        "A channel's quadrant (1 star, 2 potential, 3 weak, 4 leaky; NULL when traffic < min_traffic), its label, conversion rate with Wilson interval, whether the interval excludes the rate cut, and the recommended strategy.";
    type channel_prior (alpha float8, beta float8)
        "A Beta(alpha, beta) prior on channel conversion rates: mean alpha/(alpha+beta) is the pooled rate, alpha+beta its weight in visits.";

    fn channel_quadrant(traffic bigint, conversions bigint, traffic_cut float8, rate_cut float8,
                        min_traffic bigint = 30, confidence float8 = 0.95) -> channel_quadrant strict
        "Channel quadrant: traffic > traffic_cut is high volume, conversions/traffic > rate_cut is high quality; 1 star (keep and increase investment), 2 potential (scale up delivery while watching quality), 3 weak (be careful: keep monitoring and adjust in small steps), 4 leaky (target delivery more precisely). Below min_traffic (default 30) the quadrant is NULL and the label insufficient_data. rate, ci_low, ci_high: Wilson interval at confidence (default 0.95); significant: the interval excludes rate_cut; when it does not, the strategy says there is not enough evidence yet (tentatively the quadrant's label). 22023 for negative counts, conversions > traffic, a negative or non-finite traffic_cut, a rate_cut outside [0, 1] or confidence outside (0, 1)."
        = |a| quadrant_row(a.call(), a.traffic(), a.conversions(), a.traffic_cut(), a.rate_cut(),
                           a.min_traffic(), a.confidence(), "en");

    fn channel_quadrant(traffic bigint, conversions bigint, traffic_cut float8, rate_cut float8,
                        lang text, min_traffic bigint = 30, confidence float8 = 0.95) -> channel_quadrant strict
        "channel_quadrant with labels and strategies in lang 'en' or 'zh' (star 明星渠道, potential 潜力渠道, weak 低效渠道, leaky 漏斗渠道, insufficient_data 数据不足). Same rules otherwise; 22023 for an unknown lang."
        = |a| quadrant_row(a.call(), a.traffic(), a.conversions(), a.traffic_cut(), a.rate_cut(),
                           a.min_traffic(), a.confidence(), a.lang());

    fn channel_shrunk_rate(traffic bigint, conversions bigint, prior channel_prior) -> float8 strict
        "Shrunk (posterior-mean) conversion rate (conversions + alpha) / (traffic + alpha + beta) of a channel under a channel_prior; small channels are pulled toward the pooled rate. 22023 for negative counts, conversions > traffic, or a prior with a NULL, negative or non-finite field."
        = |a| {
            let (traffic, conversions) = (a.traffic(), a.conversions());
            channel::check_counts(traffic, conversions).or_raise();
            let prior = a.prior().tuple();
            let field = |name: &str| -> f64 {
                match prior.get_by_name::<f64>(name) {
                    Ok(Some(v)) if v.is_finite() && v >= 0.0 => v,
                    Ok(Some(v)) => invalid(format!("prior {name} must be finite and >= 0, got {v}")),
                    Ok(None) => invalid(format!("prior {name} must not be NULL")),
                    Err(e) => invalid(format!("prior {name}: {e}")),
                }
            };
            let p = BetaPrior { alpha: field("alpha"), beta: field("beta") };
            if traffic == 0 && p.concentration() <= 0.0 {
                invalid("the prior has alpha + beta = 0 and the channel no traffic: the rate is undefined");
            }
            channel::shrunk_rate(traffic, conversions, &p)
        };

    aggregate channel_prior -> channel_prior
        "Fits a Beta(alpha, beta) prior on conversion rates over channels (one row per channel: traffic, conversions) by the method of moments of the beta-binomial model: mean = pooled rate sum(conversions)/sum(traffic). Falls back to the pooled mean with weight sum(traffic) when channels vary no more than binomial noise. Rows with NULL counts and channels with traffic 0 are skipped; fewer than 2 channels gives NULL. 22023 for negative counts or conversions > traffic."
    {
        state Channels: PriorState = |s, cx| {
            let p = s?.finish().or_raise()?;
            Some(cx.row(&[p.alpha.into_datum(), p.beta.into_datum()]))
        };
        (traffic bigint, conversions bigint) Channels = |slot, a| {
            let (Some(traffic), Some(conversions)) = (a.traffic(), a.conversions()) else { return };
            slot.get_or_init(PriorState::new).push(traffic, conversions).or_raise();
        };
    }
}
