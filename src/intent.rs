//! Purchase intent: `intent_score` / `intent_score_detail` (aggregates over one state),
//! `intent_weights` and `intent_tier` (see `core/src/intent.rs`).
//!
//! The transitions read the per-group configuration (`weights`, `as_of`, `lookback`,
//! `half_life`) only when they need it: a row outside the window costs a timestamp
//! comparison. The parsed weights and the decoded time configuration are cached per call
//! site (keyed by the raw argument values), so a `GROUP BY user_id` over a million users
//! parses the weights once.

use crate::pg::agg::{Boxed, Slot};
use crate::pg::errors::{invalid, null_argument, raise, OrRaise};
use crate::pg::Varlena;
use pg_operations_core::intent::{self, IntentConfig, IntentState, IntentWeights};
use pg_operations_core::time::USECS_PER_DAY;
use pg_operations_core::OpsError;
use pgrx::datum::Interval;
use pgrx::IntoDatum;
use std::sync::Arc;

/// Default look-back window of `intent_score`.
const DEFAULT_LOOKBACK: i64 = 14 * USECS_PER_DAY;

/// The raw time arguments of one row: `as_of` and the two intervals as (time, day, month).
#[derive(Clone, Copy, PartialEq)]
struct ConfigKey {
    as_of: i64,
    lookback: Option<(i64, i32, i32)>,
    half_life: Option<(i64, i32, i32)>,
}

/// What one transition call site has decoded: the last weights (keyed by their `jsonb`
/// bytes) and the last time configuration (keyed by the raw argument values).
#[derive(Default)]
struct CallSite {
    weights_key: Vec<u8>,
    weights: Option<Arc<IntentWeights>>,
    config: Option<(ConfigKey, IntentConfig)>,
}

/// The arguments after `event` and `ts`, as the three overloads pass them (`None` = the
/// overload has no such argument). The weights are read only when they must be parsed.
struct ConfigArgs {
    as_of: Option<i64>,
    lookback: Option<Option<Interval>>,
    half_life: Option<Option<Interval>>,
}

fn interval_key(i: Interval) -> (i64, i32, i32) {
    (i.micros(), i.days(), i.months())
}

/// An interval as a fixed number of microseconds (1 day = 24 h, 1 month = 30 days, as
/// PostgreSQL compares intervals).
fn interval_micros(i: Interval, what: &str) -> i64 {
    i64::try_from(i.as_micros())
        .unwrap_or_else(|_| raise(OpsError::limit(format!("{what} {i} is out of range"))))
}

impl ConfigArgs {
    fn key(&self) -> ConfigKey {
        let Some(as_of) = self.as_of else {
            null_argument("intent_score", "as_of")
        };
        ConfigKey {
            as_of,
            lookback: self.lookback.map(|l| match l {
                Some(l) => interval_key(l),
                None => null_argument("intent_score", "lookback"),
            }),
            half_life: self.half_life.flatten().map(interval_key),
        }
    }

    /// The time configuration, validated.
    fn decode(&self, key: ConfigKey) -> IntentConfig {
        let lookback = match self.lookback.flatten() {
            Some(l) => {
                let us = interval_micros(l, "lookback");
                if us < 0 {
                    invalid(format!(
                        "intent_score: lookback must not be negative, got {l}"
                    ));
                }
                us
            }
            None => DEFAULT_LOOKBACK,
        };
        // A NULL half_life means no decay.
        let half_life = self.half_life.flatten().map(|h| {
            let us = interval_micros(h, "half_life");
            if us <= 0 {
                invalid(format!("intent_score: half_life must be positive, got {h}"));
            }
            us
        });
        IntentConfig::new(key.as_of, lookback, half_life).or_raise()
    }
}

/// The weights, parsed once per call site for as long as their bytes do not change.
fn parse_weights(w: Option<Varlena<'_>>, site: &mut CallSite) -> Arc<IntentWeights> {
    let Some(w) = w else {
        null_argument("intent_score", "weights")
    };
    let bytes = w.bytes();
    if let Some(weights) = &site.weights {
        if site.weights_key == bytes {
            return weights.clone();
        }
    }
    let entries = w
        .jsonb_object()
        .unwrap_or_else(|kind| raise(IntentWeights::not_an_object(kind)));
    let weights = Arc::new(IntentWeights::from_entries(entries).or_raise());
    site.weights_key = bytes.to_vec();
    site.weights = Some(weights.clone());
    weights
}

/// Shared transition. A group's state is created by its first row inside the window: rows
/// outside it cost a timestamp comparison and allocate nothing, and a group without any row
/// in the window has no state at all (the final functions then give 0 and an empty detail).
/// Rows with a NULL event or ts add nothing. A group keeps the configuration of the row that
/// created its state; the first decode at a call site also validates the weights, so bad
/// weights are reported even when no row falls in the window.
fn intent_step<'fc>(
    slot: &mut Slot<'fc, Boxed<IntentState>>,
    event: impl FnOnce() -> Option<&'fc str>,
    ts: Option<i64>,
    weights: impl Fn() -> Option<Varlena<'fc>>,
    cfg: impl FnOnce() -> ConfigArgs,
) {
    let call = slot.call();
    let config = match slot.get() {
        Some(s) => s.config,
        None => call.with_cache(|site: &mut CallSite| {
            let args = cfg();
            let key = args.key();
            match site.config {
                Some((k, c)) if k == key => c,
                _ => {
                    if site.config.is_none() {
                        parse_weights(weights(), site);
                    }
                    let c = args.decode(key);
                    site.config = Some((key, c));
                    c
                }
            }
        }),
    };
    let Some(ts) = ts else { return };
    if !config.in_window(ts) {
        return;
    }
    let Some(event) = event() else { return };
    slot.get_or_init(|| {
        IntentState::new(
            config,
            call.with_cache(|site: &mut CallSite| parse_weights(weights(), site)),
        )
    })
    .push(event, ts)
    .or_raise();
}

pg_operations_macros::declare! {
    type intent_contribution (event text, events bigint, contribution float8)
        "One weighted event of intent_score_detail: the event name, how many such events fell in the window, and their (decayed) contribution to the score.";

    fn intent_weights(preset text = "invest") -> jsonb strict
        "Documented default intent weights as jsonb: preset 'invest' (view_list 1, view_detail 2, click_invest 3, click_submit 5, pay 8) or 'loan' (exposure 0.5, click 1, register 2, apply 4, submit 6, first_review 7, second_review 8, reloan 10). Unknown preset is error 22023."
        = |a| pgrx::JsonB(intent::preset(a.preset()).or_raise());

    fn intent_tier(score float8, strong_above float8, medium_above float8) -> text strict
        "'strong' if score > strong_above, 'medium' if score > medium_above, else 'weak'. strong_above < medium_above or NaN is error 22023."
        = |a| intent::tier_fixed(a.score(), a.strong_above(), a.medium_above()).or_raise();

    fn intent_tier(score float8, breaks float8[]) -> text strict
        "Tier from breaks = quantile_breaks(score, ARRAY[0.4, 0.8]): 'strong' above breaks[2] (top 20 %), 'medium' above breaks[1] (next 40 %), else 'weak'."
        = |a| {
            let breaks: Vec<Option<f64>> = a.breaks().iter().collect();
            intent::tier_breaks(a.score(), &breaks).or_raise()
        };

    aggregate intent_score -> float8
        "Purchase-intent score of a group (usually one user): the sum of weights->>event over events with as_of - 14 days < ts <= as_of. Unweighted events and events outside the window add 0 (a user with rows but none in the window scores 0); NULL event/ts rows are skipped. A weight that is not a finite number is error 22023 naming the key."
    {
        state Intent: IntentState sspace 256 = |s, _| s.map_or(0.0, |s| s.score());
        alias intent_score_detail -> intent_contribution[]
            "Breakdown of intent_score (same arguments): one intent_contribution (event, events, contribution) per weighted event in the window, by contribution descending; an empty array when nothing in the window was weighted."
            = |s, cx| {
                let detail = s.map_or(Vec::new(), |s| s.detail());
                let rows: Vec<_> = detail
                    .into_iter()
                    .map(|(event, count, contribution)| {
                        vec![event.into_datum(), count.into_datum(), contribution.into_datum()]
                    })
                    .collect();
                cx.row_array(&rows)
            };
        (event text, ts timestamptz, weights jsonb, as_of timestamptz) Intent = |slot, a| {
            intent_step(slot, || a.event(), a.ts(), || a.weights(), || ConfigArgs {
                as_of: a.as_of(), lookback: None, half_life: None,
            })
        };
        (event text, ts timestamptz, weights jsonb, as_of timestamptz, lookback interval) Intent
            "Purchase-intent score with an explicit look-back window: sum of weights->>event over events with as_of - lookback < ts <= as_of (1 day = 24 h, 1 month = 30 days). Negative lookback is error 22023."
            = |slot, a| {
                intent_step(slot, || a.event(), a.ts(), || a.weights(), || ConfigArgs {
                    as_of: a.as_of(), lookback: Some(a.lookback()), half_life: None,
                })
            };
        (event text, ts timestamptz, weights jsonb, as_of timestamptz, lookback interval, half_life interval) Intent
            "Time-decayed purchase-intent score: each weight in the window (as_of - lookback, as_of] is multiplied by 0.5 ^ ((as_of - ts) / half_life). NULL half_life means no decay; a half_life <= 0 is error 22023."
            = |slot, a| {
                intent_step(slot, || a.event(), a.ts(), || a.weights(), || ConfigArgs {
                    as_of: a.as_of(), lookback: Some(a.lookback()), half_life: Some(a.half_life()),
                })
            };
    }
}
