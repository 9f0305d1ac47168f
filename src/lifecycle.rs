//! Lifecycle: the `lifecycle_stage` scalar (over a user summary row), the `lifecycle_stage`
//! aggregates (over a user's raw events; they also detect `'reactivated'`),
//! `lifecycle_code` and the `lifecycle_stages()` lookup table.
//!
//! `LifecycleState` is plain data (a few timestamps), so the aggregate keeps it as a `plain`
//! state: one palloc per group, nothing to drop. Over 10 M events and 500 000 users the
//! aggregate's cost is per-row calls and per-group bookkeeping, not the min/max work.

use crate::pg::agg::{Plain, Slot};
use crate::pg::errors::{null_argument, OrRaise};
use pg_operations_core::lifecycle::{self, LifecycleState, Stage, Thresholds};
use pgrx::IntoDatum;

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
    let t = thresholds();
    let Some(as_of) = as_of else {
        null_argument("lifecycle_stage", "as_of")
    };
    let converted = converted.unwrap_or(false);
    match slot.get() {
        Some(s) => {
            if s.as_of() != as_of || *s.thresholds() != t {
                // Same check (and message) as when partial states are combined.
                use pg_operations_core::PartialState;
                s.merge(LifecycleState::new(as_of, t).or_raise()).or_raise();
            }
            s.push(ts, converted);
        }
        None => slot
            .get_or_init(|| LifecycleState::new(as_of, t).or_raise())
            .push(ts, converted),
    }
}

/// A day argument of the 8-argument aggregate; 22023 for NULL.
fn day(v: Option<i32>, name: &str) -> i32 {
    v.unwrap_or_else(|| null_argument("lifecycle_stage", name))
}

pg_operations_macros::declare! {
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
                })
            };
    }
}
