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
use crate::pg::{Record, Varlena};
use pg_operations_core::intent::{
    self, IntentBreaks, IntentBreaksState, IntentConfig, IntentState, IntentWeights, ResetRule,
};
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

/// A decoded `intent_definition` value's time fields (its weights and reset rule are kept
/// in the call site's `weights` and `reset`).
#[derive(Clone, Copy)]
struct Definition {
    as_of: i64,
    lookback: Interval,
    half_life: Option<Interval>,
}

/// What one transition call site has decoded: the last weights (keyed by their `jsonb`
/// bytes) and the last time configuration (keyed by the raw argument values).
#[derive(Default)]
struct CallSite {
    weights_key: Vec<u8>,
    weights: Option<Arc<IntentWeights>>,
    config: Option<(ConfigKey, IntentConfig)>,
    definition_key: Vec<u8>,
    definition: Option<Definition>,
    /// The reset rule of the current definition (the definition form only).
    reset: Option<Arc<ResetRule>>,
    /// The first configuration seen at this call site (key, weights and reset rule
    /// addresses) and whether any later row had another one. While none did, every group's
    /// state holds that configuration, so rows need not read their state to check it.
    first: Option<(ConfigKey, usize, usize)>,
    varied: bool,
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

/// Makes `site.weights` the parsed `w`: parsed once per call site for as long as its bytes do
/// not change (one comparison of the bytes per row).
fn set_weights(w: Option<Varlena<'_>>, site: &mut CallSite) {
    let Some(w) = w else {
        null_argument("intent_score", "weights")
    };
    let bytes = w.bytes();
    if site.weights.is_some() {
        // Compare the bytes even at the same address: a value computed per row (say
        // jsonb_build_object(...)) is rebuilt at the same address with other contents.
        if site.weights_key == bytes {
            return;
        }
    }
    let entries = w
        .jsonb_object()
        .unwrap_or_else(|kind| raise(IntentWeights::not_an_object(kind)));
    site.weights = Some(Arc::new(IntentWeights::from_entries(entries).or_raise()));
    site.weights_key = bytes.to_vec();
}

/// Shared transition. A group's state is created by its first row, with that row's
/// configuration (as_of, weights, intervals, reset rule, decoded through the call site's
/// cache); every later row's configuration must equal it (22023 otherwise), rows outside the
/// window included, so the answer never depends on row order or plan. A constant
/// configuration costs a few comparisons per row. Rows with a NULL event or ts, or outside
/// the window, add nothing.
fn intent_step<'fc>(
    slot: &mut Slot<'fc, Boxed<IntentState>>,
    event: impl FnOnce() -> Option<&'fc str>,
    ts: Option<i64>,
    resolve: impl FnOnce(&mut CallSite) -> ConfigArgs,
) {
    let call = slot.call();
    call.with_cache(|site: &mut CallSite| {
        let args = resolve(site);
        let key = args.key();
        let config = match site.config {
            Some((k, c)) if k == key => c,
            _ => {
                let c = args.decode(key);
                site.config = Some((key, c));
                c
            }
        };
        let w = site.weights.as_ref().expect("resolve sets the weights");
        let this = (
            key,
            Arc::as_ptr(w) as usize,
            site.reset.as_ref().map_or(0, |r| Arc::as_ptr(r) as usize),
        );
        match site.first {
            None => site.first = Some(this),
            Some(first) if !site.varied && first != this => site.varied = true,
            _ => {}
        }
        let s = match slot.get() {
            // Every state was made from the one configuration this site has seen.
            Some(s) if !site.varied => s,
            Some(s) => {
                let same_reset = match (s.reset_rule(), &site.reset) {
                    (None, None) => true,
                    (Some(a), Some(b)) => std::ptr::eq(a, &**b),
                    _ => false,
                };
                if s.config != config || !Arc::ptr_eq(&s.weights, w) || !same_reset {
                    s.check_same(&config, w, site.reset.as_deref()).or_raise();
                }
                s
            }
            None => {
                slot.get_or_init(|| IntentState::with_reset(config, w.clone(), site.reset.clone()))
            }
        };
        let Some(ts) = ts else { return };
        if !config.in_window(ts) {
            return;
        }
        let Some(event) = event() else { return };
        s.push(event, ts).or_raise();
    })
}

/// The `intent_definition` argument, decoded once per call site while its bytes stay the
/// same (one comparison of the bytes per row).
fn definition_of(rec: Option<Record<'_>>, site: &mut CallSite) -> ConfigArgs {
    let Some(rec) = rec else {
        null_argument("intent_score", "definition")
    };
    let bytes = rec.bytes();
    let known = site.definition.is_some() && site.definition_key == bytes;
    if !known {
        site.definition = Some(decode_definition(&rec, site));
        site.definition_key = bytes.to_vec();
    }
    let d = site.definition.expect("the definition was just decoded");
    ConfigArgs {
        as_of: Some(d.as_of),
        lookback: Some(Some(d.lookback)),
        half_life: Some(d.half_life),
    }
}

/// Decodes an `intent_definition` value, making its weights and reset rule the site's.
fn decode_definition(rec: &Record<'_>, site: &mut CallSite) -> Definition {
    const F: &str = "intent_definition";
    let t = rec.tuple();
    let weights = match t.get_by_name::<crate::pg::JsonbField>("weights") {
        Ok(Some(w)) => {
            let entries = w
                .varlena()
                .jsonb_object()
                .unwrap_or_else(|kind| raise(IntentWeights::not_an_object(kind)));
            Arc::new(IntentWeights::from_entries(entries).or_raise())
        }
        Ok(None) => null_argument(F, "weights"),
        Err(e) => invalid(format!("{F}.weights: {e}")),
    };
    let as_of = match t.get_by_name::<pgrx::datum::TimestampWithTimeZone>("as_of") {
        Ok(Some(v)) => pgrx::pg_sys::TimestampTz::from(v),
        Ok(None) => null_argument(F, "as_of"),
        Err(e) => invalid(format!("{F}.as_of: {e}")),
    };
    let interval = |name: &str| -> Option<Interval> {
        t.get_by_name::<Interval>(name)
            .unwrap_or_else(|e| invalid(format!("{F}.{name}: {e}")))
    };
    let events: Option<Vec<Option<String>>> = t
        .get_by_name::<pgrx::datum::Array<'_, &str>>("reset_events")
        .unwrap_or_else(|e| invalid(format!("{F}.reset_events: {e}")))
        .map(|arr| arr.iter().map(|e| e.map(str::to_string)).collect());
    let factor = t
        .get_by_name::<f64>("reset_factor")
        .unwrap_or_else(|e| invalid(format!("{F}.reset_factor: {e}")));
    let d = Definition {
        as_of,
        lookback: interval("lookback").unwrap_or_else(|| null_argument(F, "lookback")),
        half_life: interval("half_life"),
    };
    site.weights = Some(weights);
    site.reset = reset_rule(events, factor);
    d
}

/// The reset rule of `intent_definition` (validated, 22023): none without reset events.
fn reset_rule(events: Option<Vec<Option<String>>>, factor: Option<f64>) -> Option<Arc<ResetRule>> {
    let factor = factor.unwrap_or_else(|| null_argument("intent_definition", "reset_factor"));
    let Some(events) = events else {
        // No rule, but the value is checked all the same (ResetRule::new checks it below).
        ResetRule::check_factor(factor).or_raise();
        return None;
    };
    let events = events
        .into_iter()
        .map(|e| {
            e.unwrap_or_else(|| invalid("intent_definition: reset_events must not contain NULL"))
        })
        .collect();
    Some(Arc::new(ResetRule::new(events, factor).or_raise()))
}

/// What a population `intent_breaks` result holds, as the SQL composite.
fn breaks_row(b: &IntentBreaks, cx: &crate::pg::Call<'_>) -> crate::pg::Row {
    cx.row(&[
        b.strong_share.into_datum(),
        b.medium_share.into_datum(),
        b.strong_above.into_datum(),
        b.medium_above.into_datum(),
        b.users.into_datum(),
        b.active.into_datum(),
        b.strong.into_datum(),
        b.medium.into_datum(),
        b.weak.into_datum(),
        b.none.into_datum(),
    ])
}

/// Reads an `intent_breaks` value back (for `intent_tier`).
fn breaks_of(rec: &Record<'_>) -> IntentBreaks {
    let t = rec.tuple();
    let f = |name: &str| -> Option<f64> {
        t.get_by_name::<f64>(name)
            .unwrap_or_else(|e| invalid(format!("intent_breaks.{name}: {e}")))
    };
    let n = |name: &str| -> i64 {
        t.get_by_name::<i64>(name)
            .unwrap_or_else(|e| invalid(format!("intent_breaks.{name}: {e}")))
            .unwrap_or(0)
    };
    IntentBreaks {
        strong_share: f("strong_share").unwrap_or(0.2),
        medium_share: f("medium_share").unwrap_or(0.4),
        strong_above: f("strong_above"),
        medium_above: f("medium_above"),
        users: n("users"),
        active: n("active"),
        strong: n("strong_users"),
        medium: n("medium_users"),
        weak: n("weak_users"),
        none: n("none_users"),
    }
}

pg_operations_macros::declare! {
    type intent_contribution (event text, events bigint, contribution float8)
        "One weighted event of intent_score_detail: the event name, how many such events fell in the window, and their (decayed) contribution to the score.";

    type intent_definition (weights jsonb, as_of timestamptz, lookback interval, half_life interval,
                            reset_events text[], reset_factor float8)
        "What intent_score(event, ts, definition) scores, built by intent_definition(...): the weights, as_of, look-back window, half-life, and the reset rule (events that end the decision period and what the events before them count).";
    type intent_breaks (strong_share float8, medium_share float8, strong_above float8,
                        medium_above float8, users bigint, active bigint, strong_users bigint,
                        medium_users bigint, weak_users bigint, none_users bigint)
        "Population intent tiers from intent_breaks: the shares asked for, the thresholds among active users (score > 0), and how many users each tier really holds (none = score <= 0).";

    fn intent_definition(weights jsonb, as_of timestamptz, lookback interval = "14 days",
                         half_life interval = NULL, reset_events text[] = NULL,
                         reset_factor float8 = 0) -> intent_definition
        "An intent score definition (validated) for intent_score(event, ts, definition): weights (as intent_weights), as_of, lookback (default 14 days, >= 0), half_life (NULL: no decay; else > 0), reset_events (e.g. ARRAY['pay']: the latest such event in the window ends the decision period) and reset_factor in [0, 1] (what the weighted events at or before it count: 0 not at all, 0.5 half). 22023 for NULL weights, as_of, lookback or reset_factor, and for any invalid value."
        = |a| {
            const F: &str = "intent_definition";
            let weights = a.weights().unwrap_or_else(|| null_argument(F, "weights"));
            let entries = weights
                .jsonb_object()
                .unwrap_or_else(|kind| raise(IntentWeights::not_an_object(kind)));
            IntentWeights::from_entries(entries).or_raise();
            let as_of = a.as_of().unwrap_or_else(|| null_argument(F, "as_of"));
            let lookback = a.lookback().unwrap_or_else(|| null_argument(F, "lookback"));
            let args = ConfigArgs {
                as_of: Some(as_of),
                lookback: Some(Some(lookback)),
                half_life: Some(a.half_life()),
            };
            args.decode(args.key());
            let events: Option<Vec<Option<String>>> = a
                .reset_events()
                .map(|arr| arr.iter().map(|e| e.map(str::to_string)).collect());
            let rule = reset_rule(events, a.reset_factor());
            a.call().row(&[
                Some(weights.datum()),
                Some(pgrx::pg_sys::Datum::from(as_of)),
                lookback.into_datum(),
                a.half_life().into_datum(),
                rule.as_ref().map(|r| r.events().to_vec()).into_datum(),
                rule.as_ref().map_or(a.reset_factor().unwrap_or(0.0), |r| r.factor()).into_datum(),
            ])
        };

    fn intent_share_tier(score float8, breaks intent_breaks) -> text strict
        "Tier of a score from intent_breaks(score): 'none' if score <= 0, 'strong' if score > breaks.strong_above, 'medium' if score > breaks.medium_above, else 'weak' (also 'weak' for a positive score when the population had no active user). 22023 for NaN."
        = |a| intent::tier_active(a.score(), &breaks_of(&a.breaks())).or_raise();

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
            intent_step(slot, || a.event(), a.ts(), |site| {
                set_weights(a.weights(), site);
                ConfigArgs { as_of: a.as_of(), lookback: None, half_life: None }
            })
        };
        (event text, ts timestamptz, weights jsonb, as_of timestamptz, lookback interval) Intent
            "Purchase-intent score with an explicit look-back window: sum of weights->>event over events with as_of - lookback < ts <= as_of (1 day = 24 h, 1 month = 30 days). Negative lookback is error 22023."
            = |slot, a| {
                intent_step(slot, || a.event(), a.ts(), |site| {
                    set_weights(a.weights(), site);
                    ConfigArgs { as_of: a.as_of(), lookback: Some(a.lookback()), half_life: None }
                })
            };
        (event text, ts timestamptz, weights jsonb, as_of timestamptz, lookback interval, half_life interval) Intent
            "Time-decayed purchase-intent score: each weight in the window (as_of - lookback, as_of] is multiplied by 0.5 ^ ((as_of - ts) / half_life). NULL half_life means no decay; a half_life <= 0 is error 22023."
            = |slot, a| {
                intent_step(slot, || a.event(), a.ts(), |site| {
                    set_weights(a.weights(), site);
                    ConfigArgs { as_of: a.as_of(), lookback: Some(a.lookback()), half_life: Some(a.half_life()) }
                })
            };
        (event text, ts timestamptz, definition intent_definition) Intent
            "Purchase-intent score under intent_definition(weights, as_of, ...): the window (as_of - lookback, as_of], optional decay by half_life, and the reset rule: with reset_events, every weighted event at or before the group's latest reset event in the window (a purchase ends the decision period) counts reset_factor times its weight (0: not at all). Same as the 6-argument aggregate otherwise; the definition must be the same on every row of a group."
            = |slot, a| {
                intent_step(slot, || a.event(), a.ts(), |site| definition_of(a.definition(), site))
            };
    }

    aggregate intent_breaks -> intent_breaks
        "Honest share-based intent tiers over one score per user: users with score <= 0 are tier none; among the active users (score > 0) strong_above = percentile_disc(0.8) and medium_above = percentile_disc(0.4) of their scores, so a tied block always lands in one tier and the strong tier holds at most 20 % of the active users (up to float rounding of percentile_disc). Reports how many users each tier really holds. Feed the result to intent_share_tier(score, breaks). NULL scores are skipped; NULL when no row. 22023 for a NaN or infinite score."
    {
        state Scores: IntentBreaksState = |s, cx| Some(breaks_row(&s?.finish(), cx));
        (score float8) Scores = |slot, a| {
            slot.get_or_init(|| IntentBreaksState::new(0.2, 0.4).or_raise()).push(a.score()).or_raise();
        };
        (score float8, strong_share float8, medium_share float8) Scores
            "intent_breaks with explicit shares: strong_above = percentile_disc(1 - strong_share), medium_above = percentile_disc(1 - strong_share - medium_share) of the active scores. Each share in (0, 1] and strong_share + medium_share <= 1, the same on every row (22023 otherwise)."
            = |slot, a| {
                let share = |v: Option<f64>, name: &str| v.unwrap_or_else(|| null_argument("intent_breaks", name));
                let (st, md) = (share(a.strong_share(), "strong_share"), share(a.medium_share(), "medium_share"));
                let s = slot.get_or_init(|| IntentBreaksState::new(st, md).or_raise());
                s.check_shares_same(st, md).or_raise();
                s.push(a.score()).or_raise();
            };
    }
}
