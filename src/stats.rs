//! SQL glue for shared statistics: `quantile_breaks` (exact `percentile_cont`) and
//! `wilson_interval`.

use crate::agg;
use crate::composite;
use crate::errors::{invalid, OrRaise};
use pg_operations_core::quantile::QuantileState;
use pg_operations_core::stats;
use pgrx::prelude::*;
use pgrx::{pg_sys, Internal};

crate::core_agg_state!(QuantileState);

const QB: &str = "quantile_breaks";

/// Transition: keeps every non-NULL value; `probs` is decoded once, on the group's first row.
#[pg_extern(immutable, parallel_safe)]
fn quantile_breaks_sfunc(
    mut state: Internal,
    value: Option<f64>,
    probs: Option<Array<f64>>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    let Some(value) = value else { return state };
    // SAFETY: this aggregate's functions all use QuantileState (sql/stats.sql).
    let s = unsafe {
        agg::state_mut(&mut state, fcinfo, QB, || {
            let Some(probs) = probs else {
                invalid("quantile_breaks: probs must not be NULL")
            };
            QuantileState::new(probs.iter().collect()).or_raise()
        })
    };
    s.push(value);
    state
}

#[pg_extern(immutable, parallel_safe)]
fn quantile_breaks_final(mut state: Internal) -> Option<Vec<Option<f64>>> {
    // SAFETY: see quantile_breaks_sfunc.
    unsafe { agg::existing::<QuantileState>(&mut state) }?.finish()
}

#[pg_extern(immutable, parallel_safe)]
fn quantile_breaks_combine(a: Internal, b: Internal, fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    // SAFETY: see quantile_breaks_sfunc.
    unsafe { agg::combine::<QuantileState>(a, b, fcinfo, QB) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn quantile_breaks_serial(state: Internal) -> Vec<u8> {
    // SAFETY: see quantile_breaks_sfunc.
    unsafe { agg::serialize::<QuantileState>(state) }
}

#[pg_extern(immutable, parallel_safe, strict)]
fn quantile_breaks_deserial(
    bytes: &[u8],
    _unused: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Internal {
    agg::deserialize::<QuantileState>(bytes, fcinfo, QB)
}

/// Wilson score interval of `successes / trials` at `confidence`.
#[pg_extern(immutable, parallel_safe, strict)]
fn wilson_interval(
    successes: i64,
    trials: i64,
    confidence: default!(f64, 0.95),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<pgrx::composite_type!('static, "wilson_ci")> {
    let z = stats::z_for_confidence(confidence).or_raise();
    let p = stats::wilson(successes, trials, z).or_raise()?;
    Some(composite::row(
        fcinfo,
        "wilson_ci",
        vec![p.rate.into_datum(), p.low.into_datum(), p.high.into_datum()],
    ))
}

extension_sql_file!(
    "../sql/stats.sql",
    name = "stats_sql",
    requires = [
        quantile_breaks_sfunc,
        quantile_breaks_final,
        quantile_breaks_combine,
        quantile_breaks_serial,
        quantile_breaks_deserial,
        wilson_interval,
        "wilson_ci_type",
    ]
);

extension_sql!(
    r#"
CREATE TYPE wilson_ci AS (rate float8, ci_low float8, ci_high float8);
COMMENT ON TYPE wilson_ci IS 'A binomial proportion with its Wilson score interval.';
"#,
    name = "wilson_ci_type",
    bootstrap
);

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use pgrx::prelude::*;

    #[pg_test]
    fn quantile_breaks_equals_percentile_cont() {
        let same = Spi::get_one::<bool>(
            "WITH d AS (SELECT CASE WHEN g % 17 = 0 THEN NULL ELSE ((g * 7919) % 23)::float8 / 4 END AS v
                        FROM generate_series(1, 5000) g)
             SELECT quantile_breaks(v, ARRAY[0, 0.1, 0.4, 0.5, 0.8, 1])
                  = percentile_cont(ARRAY[0, 0.1, 0.4, 0.5, 0.8, 1]) WITHIN GROUP (ORDER BY v)
             FROM d",
        );
        assert_eq!(same, Ok(Some(true)));
    }

    #[pg_test]
    fn quantile_breaks_empty_group_is_null() {
        let v = Spi::get_one::<Vec<Option<f64>>>(
            "SELECT quantile_breaks(x, ARRAY[0.5]) FROM (SELECT 1.0::float8 x WHERE false) s",
        );
        assert_eq!(v, Ok(None));
    }

    #[pg_test(error = "probability 1.5 is not between 0 and 1")]
    fn quantile_breaks_rejects_bad_probability() {
        Spi::run("SELECT quantile_breaks(1.0, ARRAY[1.5])").unwrap();
    }

    #[pg_test]
    fn wilson_interval_row() {
        let low = Spi::get_one::<f64>("SELECT (wilson_interval(3, 12)).ci_low")
            .unwrap()
            .unwrap();
        assert!((low - 0.08894166839405476).abs() < 1e-12);
    }
}
