//! Lifecycle: the `lifecycle_stage` scalar (over a user summary row), the `lifecycle_stage`
//! aggregates (over a user's raw events; they also detect `'reactivated'`),
//! `lifecycle_code` and the `lifecycle_stages()` lookup table.
//!
//! `LifecycleState` is plain data (a few timestamps), so the aggregate keeps it as a `plain`
//! state: one palloc per group, nothing to drop. Over 10 M events and 500 000 users the
//! aggregate's cost is per-row calls and per-group bookkeeping, not the min/max work.

use crate::pg::agg::{Plain, Slot};
use crate::pg::errors::{invalid, null_argument, OrRaise};
use crate::pg::Record;
use pg_operations_core::lifecycle::{self, LifecycleState, Stage, Thresholds};
use pgrx::IntoDatum;

/// `lifecycle_rules(...)`'s arguments as rules (validated, 22023).
fn rules(days: [i32; 5], new_wins: bool, on_inconsistent: &str) -> Thresholds {
    let lenient = match on_inconsistent.trim().to_ascii_lowercase().as_str() {
        "error" => false,
        "null" => true,
        _ => invalid(format!(
            "unknown on_inconsistent '{}'; valid values are error, null",
            on_inconsistent.chars().take(60).collect::<String>()
        )),
    };
    let t = Thresholds {
        new_days: days[0],
        dead_days: days[1],
        dormant_days: days[2],
        churn_days: days[3],
        lost_days: days[4],
        new_wins,
        lenient,
    };
    t.validate().or_raise();
    t
}

/// Reads a `lifecycle_rules` value (as the scalar made it).
fn rules_of(rec: &Record<'_>) -> Thresholds {
    let t = rec.tuple();
    let int = |name: &str| -> i32 {
        match t.get_by_name::<i32>(name) {
            Ok(Some(v)) => v,
            _ => null_argument("lifecycle_rules", name),
        }
    };
    let new_wins = match t.get_by_name::<bool>("new_wins") {
        Ok(Some(v)) => v,
        _ => null_argument("lifecycle_rules", "new_wins"),
    };
    let on_inconsistent = match t.get_by_name::<String>("on_inconsistent") {
        Ok(Some(v)) => v,
        _ => null_argument("lifecycle_rules", "on_inconsistent"),
    };
    rules(
        [
            int("new_days"),
            int("dead_days"),
            int("dormant_days"),
            int("churn_days"),
            int("lost_days"),
        ],
        new_wins,
        &on_inconsistent,
    )
}

/// What one call site keeps: the last `lifecycle_rules` value (by its bytes), decoded.
#[derive(Default)]
struct RulesCache {
    key: Vec<u8>,
    rules: Option<Thresholds>,
}

/// The rules of a `lifecycle_rules` argument, decoded once per call site while its bytes stay
/// the same; 22023 for NULL.
fn cached_rules(call: &crate::pg::Call<'_>, rec: Option<Record<'_>>) -> Thresholds {
    let Some(rec) = rec else {
        null_argument("lifecycle_stage", "rules")
    };
    call.with_cache(|c: &mut RulesCache| match c.rules {
        Some(r) if c.key == rec.bytes() => r,
        _ => {
            let r = rules_of(&rec);
            c.key.clear();
            c.key.extend_from_slice(rec.bytes());
            c.rules = Some(r);
            r
        }
    })
}

/// Shared transition step: rows with a NULL `ts` are skipped before anything else is read;
/// `thresholds` then reads the days. `as_of` and the thresholds are validated when a group's
/// first non-NULL row creates its state; later rows only have to carry the same values.
fn lifecycle_step(
    slot: &mut Slot<'_, Plain<LifecycleState>>,
    ts: Option<i64>,
    converted: Option<bool>,
    as_of: Option<i64>,
    thresholds: impl FnOnce() -> Thresholds,
) {
    let Some(ts) = ts else { return };
    registered_step(slot, Some(ts), converted, as_of, None, thresholds)
}

/// [`lifecycle_step`] for every form: `registered` is `Some` for the explicit-registration
/// form (whose rows with a NULL `ts` still create the state: the user is classified from
/// the registration alone).
fn registered_step(
    slot: &mut Slot<'_, Plain<LifecycleState>>,
    ts: Option<i64>,
    converted: Option<bool>,
    as_of: Option<i64>,
    registered: Option<i64>,
    thresholds: impl FnOnce() -> Thresholds,
) {
    let t = thresholds();
    let Some(as_of) = as_of else {
        null_argument("lifecycle_stage", "as_of")
    };
    let new = || match registered {
        Some(r) => LifecycleState::with_registration(as_of, t, r),
        None => LifecycleState::new(as_of, t),
    };
    let s = match slot.get() {
        Some(s) => {
            if s.as_of() != as_of || *s.thresholds() != t || s.registered_at() != registered {
                // Same check (and message) as when partial states are combined.
                use pg_operations_core::PartialState;
                s.merge(new().or_raise()).or_raise();
            }
            s
        }
        None => slot.get_or_init(|| new().or_raise()),
    };
    if let Some(ts) = ts {
        s.push(ts, converted.unwrap_or(false));
    }
}

/// A day argument of the 8-argument aggregate; 22023 for NULL.
fn day(v: Option<i32>, name: &str) -> i32 {
    v.unwrap_or_else(|| null_argument("lifecycle_stage", name))
}

pg_operations_macros::declare! {
    type lifecycle_rules (new_days int, dead_days int, dormant_days int, churn_days int,
                          lost_days int, new_wins bool, on_inconsistent text)
        "The rules of lifecycle_stage, built by lifecycle_rules(...): the five day thresholds, whether new wins over inactivity, and what inconsistent data gives (error or null).";

    fn lifecycle_rules(new_days int = 90, dead_days int = 30, dormant_days int = 30,
                       churn_days int = 90, lost_days int = 360, new_wins bool = true,
                       on_inconsistent text = "error") -> lifecycle_rules strict
        "Lifecycle rules (validated) for lifecycle_stage_with (summary rows) and lifecycle_stage_agg (events): the day thresholds as in lifecycle_stage; new_wins true (default): a converted user registered at most new_days ago is new however long idle, false: new only while idle at most dormant_days (else the inactivity rules apply); on_inconsistent 'error' (default: 22023 for activity or conversion before registration or an infinite registration) or 'null' (such a user gets NULL, so one bad row does not abort a refresh; list them with lifecycle_issue). 22023 for negative or not strictly increasing days or another on_inconsistent."
        = |a| {
            let t = rules(
                [a.new_days(), a.dead_days(), a.dormant_days(), a.churn_days(), a.lost_days()],
                a.new_wins(),
                a.on_inconsistent(),
            );
            a.call().row(&[
                t.new_days.into_datum(),
                t.dead_days.into_datum(),
                t.dormant_days.into_datum(),
                t.churn_days.into_datum(),
                t.lost_days.into_datum(),
                t.new_wins.into_datum(),
                (if t.lenient { "null" } else { "error" }).into_datum(),
            ])
        };

    fn lifecycle_stage_with(registered_at timestamptz, first_conversion_at timestamptz,
                            last_active_at timestamptz, as_of timestamptz, rules lifecycle_rules) -> text
        "Lifecycle stage of a user summary row under lifecycle_rules(...): the rules of the 9-argument lifecycle_stage with the rules' days, new_wins and on_inconsistent ('null': inconsistent data gives NULL instead of 22023). NULL registered_at, as_of or rules -> NULL."
        = |a| {
            let rec = a.rules()?;
            let t = cached_rules(a.call(), Some(rec));
            lifecycle::stage(a.registered_at()?, a.first_conversion_at(), a.last_active_at(), a.as_of()?, &t)
                .or_raise()
                .map(Stage::name)
        };

    fn lifecycle_issue(registered_at timestamptz, first_conversion_at timestamptz,
                       last_active_at timestamptz) -> text
        "Why lifecycle_stage would reject a user summary row: the message of its 22023 error (an infinite registered_at, first_conversion_at or last_active_at before registered_at), or NULL for a consistent row (and for a NULL registered_at). SELECT ... WHERE lifecycle_issue(...) IS NOT NULL lists the offending rows."
        = |a| lifecycle::data_issue(a.registered_at()?, a.first_conversion_at(), a.last_active_at());

    // Not STRICT: NULL conversion / activity times mean "never". Called once per user over
    // summary tables of millions of rows: the only allocation is the returned text.
    fn lifecycle_stage(registered_at timestamptz, first_conversion_at timestamptz,
                       last_active_at timestamptz, as_of timestamptz,
                       new_days int = 90, dead_days int = 30, dormant_days int = 30,
                       churn_days int = 90, lost_days int = 360) -> text
        "Lifecycle stage of a user summary row, first match wins: registered after as_of -> NULL; never converted (first_conversion_at NULL) -> dead if as_of - coalesce(last_active_at, registered_at) > dead_days, else registered; converted and as_of - registered_at <= new_days -> new; else by as_of - greatest(last_active_at, first_conversion_at): <= dormant_days active, <= churn_days dormant, <= lost_days churned, else lost. Timestamps after as_of count as NULL. NULL registered_at, as_of or days -> NULL. 22023 for activity or conversion before registration, infinite timestamps, negative or not strictly increasing days."
        = |a| {
            let t = Thresholds {
                new_days: a.new_days()?,
                dead_days: a.dead_days()?,
                dormant_days: a.dormant_days()?,
                churn_days: a.churn_days()?,
                lost_days: a.lost_days()?,
                ..Thresholds::DEFAULT
            };
            lifecycle::stage(a.registered_at()?, a.first_conversion_at(), a.last_active_at(), a.as_of()?, &t)
                .or_raise()
                .map(Stage::name)
        };

    fn lifecycle_code(stage text) -> text strict
        "One-letter code of a lifecycle stage: R registered, D dead, N new, A active, S dormant (sleeping), C churned, L lost, B reactivated (back). 22023 for an unknown stage name."
        = |a| Stage::from_name(a.stage()).or_raise().code().to_string();

    fn lifecycle_stages() -> table (stage text, code text, rule text) strict
        "Every lifecycle stage with its one-letter code and the rule that assigns it, in the order the rules are tried (first match wins). A lookup table for BI legends."
        = |_a| Stage::RULE_ORDER.into_iter().map(|s| {
            vec![s.name().into_datum(), s.code().to_string().into_datum(), s.rule().into_datum()]
        });

    aggregate lifecycle_stage -> text
        "Lifecycle stage of one user from the user's events (GROUP BY user): the first event is the registration, the first converted event the first conversion, the latest event the last activity; events after as_of are ignored. Same rules as the scalar lifecycle_stage with default days (new 90, dead 30, dormant 30, churn 90, lost 360), plus reactivated: a converted, not new user whose latest event came more than churn_days after the previous distinct event and is within dormant_days of as_of. NULL ts rows are skipped, NULL converted counts as false; NULL when no event is at or before as_of. 22023 for a NULL as_of or as_of varying within a group."
    {
        state Events: LifecycleState plain sspace 128 =
            |s, _| s.and_then(|s| s.finish().or_raise()).map(Stage::name);
        (ts timestamptz, converted bool, as_of timestamptz) Events = |slot, a| {
            lifecycle_step(slot, a.ts(), a.converted(), a.as_of(), || Thresholds::DEFAULT)
        };
        (ts timestamptz, converted bool, as_of timestamptz, new_days int, dead_days int,
         dormant_days int, churn_days int, lost_days int) Events
            "Lifecycle stage of one user from the user's events with explicit new_days, dead_days, dormant_days, churn_days, lost_days (same as the 3-argument aggregate otherwise). 22023 for NULL, negative or not strictly increasing (dormant < churn < lost) days, or days varying within a group."
            = |slot, a| {
                lifecycle_step(slot, a.ts(), a.converted(), a.as_of(), || Thresholds {
                    new_days: day(a.new_days(), "new_days"),
                    dead_days: day(a.dead_days(), "dead_days"),
                    dormant_days: day(a.dormant_days(), "dormant_days"),
                    churn_days: day(a.churn_days(), "churn_days"),
                    lost_days: day(a.lost_days(), "lost_days"),
                    ..Thresholds::DEFAULT
                })
            };
    }

    aggregate lifecycle_stage_agg -> text
        "Lifecycle stage of one user from the user's events (GROUP BY user) under lifecycle_rules(...) (days, new_wins, on_inconsistent) with an explicit registration time, the same on every row of a group: registered after as_of -> NULL; an event before registered_at is inconsistent data (22023, or NULL with on_inconsistent 'null'); rows with a NULL ts count for the registration only, so users LEFT JOIN events classifies users without events too. A NULL registered_at means the first event is the registration (as in the lifecycle_stage aggregate). Pass only the events that count as activity, e.g. FILTER (WHERE event <> 'redeem'). Otherwise the rules of the lifecycle_stage aggregate, reactivated included."
    {
        state Events: LifecycleState plain sspace 128 =
            |s, _| s.and_then(|s| s.finish().or_raise()).map(Stage::name);
        (ts timestamptz, converted bool, as_of timestamptz, registered_at timestamptz, rules lifecycle_rules) Events
            = |slot, a| {
                let registered = a.registered_at();
                if registered.is_none() && a.ts().is_none() {
                    return;
                }
                let call = slot.call();
                registered_step(slot, a.ts(), a.converted(), a.as_of(), registered, || cached_rules(&call, a.rules()))
            };
    }
}
