//! SQL glue for the channel capability: `channel_quadrant` (traffic × conversion-rate
//! quadrant with a Wilson interval), the `channel_prior` aggregate (empirical-Bayes
//! beta-binomial prior fitted over channels) and `channel_shrunk_rate`.

use crate::agg;
use crate::composite;
use crate::errors::{invalid, OrRaise};
use pg_operations_core::channel::{self, BetaPrior, PriorState};
use pgrx::prelude::*;
use pgrx::{pg_sys, Internal};

/// Traffic (volume) × conversion rate (quality) quadrant of one channel.
#[pg_extern(immutable, parallel_safe, strict, requires = ["channel_types"])]
fn channel_quadrant(
    traffic: i64,
    conversions: i64,
    traffic_cut: f64,
    rate_cut: f64,
    min_traffic: default!(i64, 30),
    confidence: default!(f64, 0.95),
    fcinfo: pg_sys::FunctionCallInfo,
) -> pgrx::composite_type!('static, "channel_quadrant") {
    let q = channel::quadrant(
        traffic,
        conversions,
        traffic_cut,
        rate_cut,
        min_traffic,
        confidence,
    )
    .or_raise();
    composite::row(
        fcinfo,
        "channel_quadrant",
        vec![
            q.quadrant.into_datum(),
            q.label.into_datum(),
            q.rate.into_datum(),
            q.ci_low.into_datum(),
            q.ci_high.into_datum(),
            q.significant.into_datum(),
            q.strategy.into_datum(),
        ],
    )
}

crate::core_agg_state!(PriorState);

const CP: &str = "channel_prior";

/// Transition: one row per channel; rows with a NULL count are skipped.
#[pg_extern(immutable, parallel_safe)]
fn channel_prior_sfunc(
    mut state: Internal,
    traffic: Option<i64>,
    conversions: Option<i64>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let (Some(traffic), Some(conversions)) = (traffic, conversions) else {
        return state;
    };
    // SAFETY: this aggregate's functions all use PriorState (sql/channel.sql).
    let s = unsafe { agg::state_mut(&mut state, fcinfo, CP, PriorState::new) };
    s.push(traffic, conversions).or_raise();
    state
}

#[pg_extern(immutable, parallel_safe, requires = ["channel_types"])]
fn channel_prior_final(
    mut state: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<pgrx::composite_type!('static, "channel_prior")> {
    // SAFETY: see channel_prior_sfunc.
    let s = unsafe { agg::existing::<PriorState>(&mut state) }?;
    let p = s.finish().or_raise()?;
    Some(composite::row(
        fcinfo,
        "channel_prior",
        vec![p.alpha.into_datum(), p.beta.into_datum()],
    ))
}

#[pg_extern(immutable, parallel_safe)]
fn channel_prior_combine(a: Internal, b: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    // SAFETY: see channel_prior_sfunc.
    unsafe { agg::combine::<PriorState>(a, b, fcinfo, CP) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn channel_prior_serial(state: Internal) -> Vec<u8> {
    // SAFETY: see channel_prior_sfunc.
    unsafe { agg::serialize::<PriorState>(state) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn channel_prior_deserial(
    bytes: &[u8],
    _unused: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    agg::deserialize::<PriorState>(bytes, fcinfo, CP)
}

/// Posterior-mean conversion rate `(conversions + alpha) / (traffic + alpha + beta)`.
#[pg_extern(immutable, parallel_safe, strict, requires = ["channel_types"])]
fn channel_shrunk_rate(
    traffic: i64,
    conversions: i64,
    prior: pgrx::composite_type!('_, "channel_prior"),
) -> f64 {
    if traffic < 0 || conversions < 0 {
        invalid(format!(
            "counts must not be negative, got traffic = {traffic}, conversions = {conversions}"
        ));
    }
    if conversions > traffic {
        invalid(format!(
            "conversions ({conversions}) must not exceed traffic ({traffic})"
        ));
    }
    let field = |name: &str| -> f64 {
        match prior.get_by_name::<f64>(name) {
            Ok(Some(v)) if v.is_finite() && v >= 0.0 => v,
            Ok(Some(v)) => invalid(format!("prior {name} must be finite and >= 0, got {v}")),
            Ok(None) => invalid(format!("prior {name} must not be NULL")),
            Err(e) => invalid(format!("prior {name}: {e}")),
        }
    };
    let p = BetaPrior {
        alpha: field("alpha"),
        beta: field("beta"),
    };
    if traffic == 0 && p.concentration() <= 0.0 {
        invalid("the prior has alpha + beta = 0 and the channel no traffic: the rate is undefined");
    }
    channel::shrunk_rate(traffic, conversions, &p)
}

extension_sql!(
    r#"
CREATE TYPE channel_quadrant AS (
    quadrant int, label text, rate float8, ci_low float8, ci_high float8,
    significant bool, strategy text
);
COMMENT ON TYPE channel_quadrant IS
  'A channel''s quadrant (1 star, 2 potential, 3 weak, 4 leaky; NULL when traffic < min_traffic), its label, conversion rate with Wilson interval, whether the interval excludes the rate cut, and the recommended strategy.';
CREATE TYPE channel_prior AS (alpha float8, beta float8);
COMMENT ON TYPE channel_prior IS
  'A Beta(alpha, beta) prior on channel conversion rates: mean alpha/(alpha+beta) is the pooled rate, alpha+beta its weight in visits.';
"#,
    name = "channel_types"
);

extension_sql_file!(
    "../sql/channel.sql",
    name = "channel_sql",
    requires = [
        channel_quadrant,
        channel_prior_sfunc,
        channel_prior_final,
        channel_prior_combine,
        channel_prior_serial,
        channel_prior_deserial,
        channel_shrunk_rate,
        "channel_types",
    ]
);

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use pgrx::prelude::*;

    #[pg_test]
    fn channel_quadrant_star_and_leaky() {
        let label = Spi::get_one::<String>("SELECT (channel_quadrant(200, 30, 100, 0.1)).label");
        assert_eq!(label, Ok(Some("star".to_string())));
        let q = Spi::get_one::<i32>("SELECT (channel_quadrant(200, 19, 100, 0.1)).quadrant");
        assert_eq!(q, Ok(Some(4)));
        let low = Spi::get_one::<f64>("SELECT (channel_quadrant(200, 30, 0, 0.5)).ci_low")
            .unwrap()
            .unwrap();
        assert!((low - 0.10713593562241996).abs() < 1e-12);
    }

    #[pg_test]
    fn channel_prior_hand_worked() {
        // (100, 10), (100, 30): alpha = 35/23, beta = 140/23 (see core/src/channel.rs).
        let alpha = Spi::get_one::<f64>(
            "SELECT (channel_prior(n, x)).alpha FROM (VALUES (100, 10), (100, 30)) v(n, x)",
        )
        .unwrap()
        .unwrap();
        assert!((alpha - 35.0 / 23.0).abs() < 1e-12);
        let r = Spi::get_one::<f64>(
            "SELECT channel_shrunk_rate(100, 10, p) FROM
               (SELECT channel_prior(n, x) p FROM (VALUES (100, 10), (100, 30)) v(n, x)) s",
        )
        .unwrap()
        .unwrap();
        assert!((r - 265.0 / 2475.0).abs() < 1e-12);
    }

    #[pg_test(error = "conversions (5) must not exceed traffic (3)")]
    fn channel_quadrant_rejects_more_conversions_than_traffic() {
        Spi::run("SELECT channel_quadrant(3, 5, 1, 0.1)").unwrap();
    }
}
