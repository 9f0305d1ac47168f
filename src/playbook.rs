//! The operations playbook (issue #20): the old-user matrix (`lifecycle_grade`,
//! `value_score`, `old_user_matrix`), onboarding reminders (`onboarding_reminder`), the
//! investment state (`holding_agg`) and product preference (`category_share`). The rules
//! live in `core/src/playbook/` and `core/src/lifecycle/onboarding.rs`.

use crate::numeric::{num_datum, NumericSum};
use crate::pg::errors::{invalid, null_argument, OrRaise};
use crate::pg::zone::LocalTime;
use crate::pg::NumericArg;
use pg_operations_core::codec::{Reader, Writer};
use pg_operations_core::decimal::{sub_cmp, Num};
use pg_operations_core::error::{self, fmt_f64};
use pg_operations_core::lifecycle::ReminderDays;
use pg_operations_core::playbook::grade::GradeLadder;
use pg_operations_core::playbook::matrix::MatrixState;
use pg_operations_core::playbook::preference::{Attention, PreferenceState};
use pg_operations_core::quantile::pg_float_cmp;
use pg_operations_core::time::{fmt_ts, is_infinite, USECS_PER_DAY};
use pg_operations_core::{OpsError, OpsResult, PartialState};
use pgrx::datum::{Array, Interval};
use pgrx::{pg_sys, AnyNumeric, IntoDatum};
use std::cmp::Ordering;
use std::rc::Rc;

/// The elements of an `int[]` argument; a NULL element is 22023.
fn ints(arr: &Array<'_, i32>, caller: &str, what: &str) -> Vec<i32> {
    arr.iter()
        .map(|v| v.unwrap_or_else(|| invalid(format!("{caller}: {what} must not contain NULL"))))
        .collect()
}

/// What a call site keeps: the last thresholds array and its ladder.
#[derive(Default)]
struct LadderCache {
    key: Vec<i32>,
    ladder: Option<GradeLadder>,
}

/// The grade ladder of a `thresholds int[]` argument, validated once per call site while the
/// values stay the same.
fn ladder<R>(
    call: &crate::pg::Call<'_>,
    arr: &Array<'_, i32>,
    f: impl FnOnce(&GradeLadder) -> R,
) -> R {
    let days = ints(arr, "lifecycle_grade", "thresholds");
    call.with_cache(|c: &mut LadderCache| {
        if c.ladder.is_none() || c.key != days {
            c.ladder = Some(GradeLadder::new(&days).or_raise());
            c.key = days;
        }
        f(c.ladder.as_ref().expect("ladder was just built"))
    })
}

// ---------------------------------------------------------------------------------------
// holding_agg
// ---------------------------------------------------------------------------------------

/// What every row of a `holding_agg` group must agree on, shared by the groups of a call
/// (one allocation per call, not per group).
#[derive(Debug, PartialEq)]
struct HoldingConfig {
    as_of: i64,
    invest_event: String,
    redeem_event: String,
}

thread_local! {
    /// The configuration made last (by a transition or a decoded partial state): the next
    /// group with the same one shares it.
    static LAST_HOLDING_CONFIG: std::cell::RefCell<Option<Rc<HoldingConfig>>> =
        const { std::cell::RefCell::new(None) };
}

impl HoldingConfig {
    /// The shared configuration for these values (validated when new).
    fn shared(as_of: i64, invest_event: &str, redeem_event: &str) -> Rc<HoldingConfig> {
        let same = |c: &HoldingConfig| {
            c.as_of == as_of && c.invest_event == invest_event && c.redeem_event == redeem_event
        };
        if let Some(c) =
            LAST_HOLDING_CONFIG.with_borrow(|l| l.as_ref().filter(|c| same(c)).cloned())
        {
            return c;
        }
        if is_infinite(as_of) {
            invalid(format!(
                "holding_agg: as_of must be finite, got {}",
                fmt_ts(as_of)
            ));
        }
        if invest_event == redeem_event {
            invalid(format!(
                "holding_agg: invest_event and redeem_event must differ, got '{}' for both",
                invest_event.chars().take(60).collect::<String>()
            ));
        }
        let c = Rc::new(HoldingConfig {
            as_of,
            invest_event: invest_event.to_string(),
            redeem_event: redeem_event.to_string(),
        });
        LAST_HOLDING_CONFIG.with_borrow_mut(|l| *l = Some(c.clone()));
        c
    }

    fn check_same(&self, other_as_of: i64, invest: &str, redeem: &str) -> OpsResult<()> {
        let quote = |e: &str| error::truncate(e, 60);
        let got = if self.as_of != other_as_of {
            format!("as_of {} and {}", fmt_ts(self.as_of), fmt_ts(other_as_of))
        } else if self.invest_event != invest {
            let (a, b) = (quote(&self.invest_event), quote(invest));
            format!("invest_event '{a}' and '{b}'")
        } else if self.redeem_event != redeem {
            let (a, b) = (quote(&self.redeem_event), quote(redeem));
            format!("redeem_event '{a}' and '{b}'")
        } else {
            return Ok(());
        };
        Err(OpsError::invalid(format!(
            "holding_agg: as_of, invest_event and redeem_event must be the same for every row \
             of a group, got {got}"
        )))
    }
}

/// `holding_agg` state: amounts as exact `numeric` sums (fixed point while they fit, see
/// src/numeric.rs), counts and times of the investment and redemption events at or before
/// `as_of`. Fixed size: the configuration is shared, no allocation per row.
pub struct HoldingState {
    cfg: Rc<HoldingConfig>,
    invested: Option<NumericSum>,
    redeemed: Option<NumericSum>,
    invests: i64,
    redeems: i64,
    first_invest: Option<i64>,
    last_invest: Option<i64>,
    last_redeem: Option<i64>,
}

/// Codec tag of `holding_agg` partial states.
const HOLDING_TAG: u8 = 204;

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    a.max(b)
}

impl HoldingState {
    fn new(cfg: Rc<HoldingConfig>) -> HoldingState {
        HoldingState {
            cfg,
            invested: None,
            redeemed: None,
            invests: 0,
            redeems: 0,
            first_invest: None,
            last_invest: None,
            last_redeem: None,
        }
    }

    fn push(&mut self, ts: i64, invest: bool, amount: Option<NumericArg<'_>>) {
        if ts > self.cfg.as_of {
            return;
        }
        if let Some(a) = amount {
            if a.value().is_negative() {
                invalid(format!(
                    "holding_agg: amount must not be negative, got {}",
                    error::truncate(&a.any().to_string(), 60)
                ));
            }
        }
        if invest {
            self.invests += 1;
            self.first_invest = min_opt(self.first_invest, Some(ts));
            self.last_invest = max_opt(self.last_invest, Some(ts));
            if let Some(a) = amount {
                NumericSum::add_to(&mut self.invested, a);
            }
        } else {
            self.redeems += 1;
            self.last_redeem = max_opt(self.last_redeem, Some(ts));
            if let Some(a) = amount {
                NumericSum::add_to(&mut self.redeemed, a);
            }
        }
    }

    /// (invested, redeemed, holding) as numeric datums, and fully_redeemed (at least one
    /// investment and redeemed >= invested): in fixed point when both sums are (and the
    /// difference fits), else with PostgreSQL's numeric.
    fn amounts(&self) -> ([pg_sys::Datum; 3], bool) {
        let zero = Num::Finite {
            unscaled: 0,
            scale: 0,
        };
        let fixed = |s: &Option<NumericSum>| s.as_ref().map_or(Some(zero), NumericSum::fixed);
        if let (Some(inv), Some(red)) = (fixed(&self.invested), fixed(&self.redeemed)) {
            if let Some((diff, ord)) = sub_cmp(inv, red) {
                let holding = if ord == Ordering::Greater { diff } else { zero };
                let fully = self.invests > 0 && ord != Ordering::Greater;
                return ([num_datum(inv), num_datum(red), num_datum(holding)], fully);
            }
        }
        let any = |s: &Option<NumericSum>| {
            s.as_ref()
                .map_or_else(|| AnyNumeric::from(0), NumericSum::any)
        };
        let (inv, red) = (any(&self.invested), any(&self.redeemed));
        let fully = self.invests > 0 && red >= inv;
        let holding = if red >= inv {
            AnyNumeric::from(0)
        } else {
            inv.clone() - red.clone()
        };
        let d = |v: AnyNumeric| v.into_datum().expect("a numeric datum");
        ([d(inv), d(red), d(holding)], fully)
    }
}

fn opt_time(w: &mut Writer, v: Option<i64>) {
    match v {
        Some(t) => {
            w.u8(1).i64(t);
        }
        None => {
            w.u8(0);
        }
    }
}

impl PartialState for HoldingState {
    fn merge(&mut self, other: Self) -> OpsResult<()> {
        if !Rc::ptr_eq(&self.cfg, &other.cfg) {
            let o = &other.cfg;
            self.cfg
                .check_same(o.as_of, &o.invest_event, &o.redeem_event)?;
        }
        NumericSum::merge_into(&mut self.invested, other.invested);
        NumericSum::merge_into(&mut self.redeemed, other.redeemed);
        self.invests += other.invests;
        self.redeems += other.redeems;
        self.first_invest = min_opt(self.first_invest, other.first_invest);
        self.last_invest = max_opt(self.last_invest, other.last_invest);
        self.last_redeem = max_opt(self.last_redeem, other.last_redeem);
        Ok(())
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(HOLDING_TAG, 2);
        w.i64(self.cfg.as_of)
            .str(&self.cfg.invest_event)
            .str(&self.cfg.redeem_event)
            .i64(self.invests)
            .i64(self.redeems);
        NumericSum::encode(&self.invested, &mut w);
        NumericSum::encode(&self.redeemed, &mut w);
        for t in [self.first_invest, self.last_invest, self.last_redeem] {
            opt_time(&mut w, t);
        }
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let bad = || OpsError::malformed("holding_agg state is truncated or corrupt");
        let mut r = Reader::new(bytes, HOLDING_TAG, 2)?;
        let as_of = r.i64()?;
        let (invest_event, redeem_event) = (r.str_ref()?, r.str_ref()?);
        let (invests, redeems) = (r.i64()?, r.i64()?);
        let invested = NumericSum::decode(&mut r, bad)?;
        let redeemed = NumericSum::decode(&mut r, bad)?;
        let time = |r: &mut Reader<'_>| -> OpsResult<Option<i64>> {
            match r.u8()? {
                0 => Ok(None),
                1 => Ok(Some(r.i64()?)),
                _ => Err(bad()),
            }
        };
        let (first_invest, last_invest, last_redeem) =
            (time(&mut r)?, time(&mut r)?, time(&mut r)?);
        r.finish()?;
        if invests < 0 || redeems < 0 || invest_event == redeem_event || is_infinite(as_of) {
            return Err(bad());
        }
        Ok(HoldingState {
            cfg: HoldingConfig::shared(as_of, invest_event, redeem_event),
            invested,
            redeemed,
            invests,
            redeems,
            first_invest,
            last_invest,
            last_redeem,
        })
    }
}

/// Transition of `holding_agg`: the group's first row with a non-NULL `ts` sets up the
/// state; every later row must carry the same `as_of` and event names.
fn holding_step<'fc>(
    slot: &mut crate::pg::agg::Slot<'fc, crate::pg::agg::Boxed<HoldingState>>,
    ts: Option<i64>,
    event: impl FnOnce() -> Option<&'fc str>,
    amount: impl FnOnce() -> Option<NumericArg<'fc>>,
    as_of: Option<i64>,
    names: (Option<&str>, Option<&str>),
) {
    const F: &str = "holding_agg";
    let Some(ts) = ts else { return };
    let Some(as_of) = as_of else {
        null_argument(F, "as_of")
    };
    let Some(invest) = names.0 else {
        null_argument(F, "invest_event")
    };
    let Some(redeem) = names.1 else {
        null_argument(F, "redeem_event")
    };
    let s = slot.get_or_init(|| HoldingState::new(HoldingConfig::shared(as_of, invest, redeem)));
    let cfg = &s.cfg;
    if cfg.as_of != as_of
        || !pg_operations_core::same_name(&cfg.invest_event, invest)
        || !pg_operations_core::same_name(&cfg.redeem_event, redeem)
    {
        cfg.check_same(as_of, invest, redeem).or_raise();
    }
    let Some(event) = event() else { return };
    let invest = if pg_operations_core::same_name(event, &cfg.invest_event) {
        true
    } else if pg_operations_core::same_name(event, &cfg.redeem_event) {
        false
    } else {
        return;
    };
    s.push(ts, invest, amount());
}

// ---------------------------------------------------------------------------------------
// category_share
// ---------------------------------------------------------------------------------------

fn preference_step(
    slot: &mut crate::pg::agg::Slot<'_, crate::pg::agg::Boxed<PreferenceState>>,
    ts: Option<i64>,
    category: Option<&str>,
    timeout: Option<Option<Interval>>,
) {
    let Some(ts) = ts else { return };
    let mode = |timeout: Option<Option<Interval>>| match timeout {
        None => Attention::Count,
        Some(None) => null_argument("category_share", "session_timeout"),
        Some(Some(t)) => {
            let us = i64::try_from(t.as_micros()).unwrap_or(i64::MAX);
            Attention::dwell(us).unwrap_or_else(|_| {
                invalid(format!(
                    "category_share: session_timeout must be positive, got {t}"
                ))
            })
        }
    };
    let s = slot.get_or_init(|| PreferenceState::new(mode(timeout)));
    if timeout.is_some() {
        // The timeout must be the same on every row (same check as when combining).
        let m = mode(timeout);
        if s.mode() != m {
            s.merge(PreferenceState::new(m)).or_raise();
        }
    }
    s.push(ts, category);
}

pg_operations_macros::declare! {
    type old_user_cell (cell text, grade text, score int, users bigint, share float8, value_sum float8)
        "One cell of the old-user matrix: code like 'B4' (inactivity grade, value score), the grade and score, its users, their share of all users in the matrix, and the exact sum of their values (0 when none).";
    type holding (invested numeric, redeemed numeric, holding numeric, invests bigint,
                  redeems bigint, first_invest_at timestamptz, last_invest_at timestamptz,
                  last_redeem_at timestamptz, fully_redeemed bool)
        "A user's investment state from holding_agg: total invested and redeemed (exact sums), current holding greatest(invested - redeemed, 0), the number of investment and redemption events, the first and last investment and the last redemption time, and whether everything invested has been redeemed.";
    type category_preference (top_category text, top_share float8, total float8, shares jsonb)
        "A user's attention per product category from category_share: the top category and its share, the total (rows, or seconds of dwell time) and every category's share as a jsonb object.";

    fn lifecycle_grade(last_active_at timestamptz, as_of timestamptz,
                       thresholds int[] = "{7,21,90,180,360}") -> text strict
        "Inactivity grade of a converted (old) user: 'A' if as_of - last_active_at <= thresholds[1] days, 'B' if <= thresholds[2] days, ..., and the letter after the last threshold otherwise (default ladder 7, 21, 90, 180, 360 days: A..F). NULL when last_active_at is after as_of. 22023 for infinite timestamps or thresholds that are empty, longer than 25, negative or not strictly increasing."
        = |a| ladder(a.call(), &a.thresholds(), |l| {
            l.grade(a.last_active_at(), a.as_of()).or_raise().map(|g| g.to_string())
        });

    fn lifecycle_grades(thresholds int[] = "{7,21,90,180,360}")
        -> table (grade text, min_days int, max_days int, label_en text, label_zh text) strict
        "The grades of an inactivity ladder (lifecycle_grade) with the days each covers and English and Chinese labels: a lookup table for BI legends."
        = |a| {
            let rows = GradeLadder::new(&ints(&a.thresholds(), "lifecycle_grades", "thresholds"))
                .or_raise()
                .rows();
            rows.into_iter().map(|r| {
                vec![
                    r.grade.to_string().into_datum(),
                    r.min_days.into_datum(),
                    r.max_days.into_datum(),
                    r.label_en.into_datum(),
                    r.label_zh.into_datum(),
                ]
            })
        };

    fn value_score(value float8, breaks float8[]) -> int strict
        "Tie-aware value score 1 + #{breaks < value}, the rule of rfm_cell: with breaks = quantile_breaks(v, ARRAY[0.2, 0.4, 0.6, 0.8]) a score 1..5 where equal values always get the same score (unlike ntile, which splits ties by row order). Works on any value column (monetary, loan count, an RFM sum). 22023 for NULL, NaN or unsorted breaks."
        = |a| {
            let mut prev: Option<f64> = None;
            let mut n = 1;
            let v = a.value();
            for b in a.breaks().iter() {
                let b = b.unwrap_or_else(|| invalid("value_score: breaks must not contain NULL"));
                if b.is_nan() {
                    invalid("value_score: breaks must not contain NaN");
                }
                if prev.is_some_and(|p| p > b) {
                    invalid(format!("value_score: breaks must be sorted non-decreasing, got {} after {}", fmt_f64(b), fmt_f64(prev.unwrap_or_default())));
                }
                prev = Some(b);
                if pg_float_cmp(&v, &b) == Ordering::Greater {
                    n += 1;
                }
            }
            n
        };

    fn onboarding_reminder(registered_at timestamptz, first_action_at timestamptz, as_of timestamptz,
                           days int[] = "{2,5,7,15}", dead_days int = 30, time_zone text = "UTC") -> int
        "The onboarding reminder due at as_of: n if as_of falls on calendar day n after the registration day (in time_zone) with n one of days, and the user has taken no action yet (first_action_at NULL or after as_of); else NULL (acted, not a reminder day, registered after as_of, or dead: no action after dead_days). For a daily job: WHERE onboarding_reminder(...) IS NOT NULL. NULL registered_at, as_of, days, dead_days or time_zone -> NULL. 22023 for days that are empty, below 1, not strictly increasing or not before dead_days, and for an unknown time zone."
        = |a| {
            let (registered, as_of) = (a.registered_at()?, a.as_of()?);
            let days = ints(&a.days()?, "onboarding_reminder", "days");
            let dead_days = a.dead_days()?;
            let zone = a.time_zone()?;
            a.call().with_cache(|c: &mut ReminderCache| {
                if c.days.as_ref().is_none_or(|d| c.key != days || d.dead_days() != dead_days) {
                    c.days = Some(ReminderDays::new(&days, dead_days).or_raise());
                    c.key = days;
                }
                if c.zone.as_ref().is_none_or(|z| z.name() != zone) {
                    c.zone = Some(LocalTime::new(zone).unwrap_or_else(|m| invalid(format!("onboarding_reminder: {m}"))));
                }
                if is_infinite(registered) || is_infinite(as_of) {
                    invalid("onboarding_reminder: registered_at and as_of must be finite");
                }
                if registered > as_of {
                    return None;
                }
                let zone = c.zone.as_mut().expect("zone was just set");
                let day = |t: i64, z: &mut LocalTime| z.to_local(t).div_euclid(USECS_PER_DAY);
                let n = day(as_of, zone) - day(registered, zone);
                let acted = a.first_action_at().is_some_and(|t| t <= as_of);
                c.days.as_ref().expect("days were just set").due(n, acted)
            })
        };

    aggregate old_user_matrix -> old_user_cell[]
        "The old-user matrix over a user summary (one row per converted user): per inactivity grade (lifecycle_grade) x value score (value_score) cell, its users, share of all users and the exact sum of value. Every cell of grades A..F x scores 1..5 is returned (30 cells, empty ones with 0 users), ordered by grade, then score from 5 down; higher grades or scores seen extend the grid. Rows with a NULL grade or score are skipped; a NULL value counts the user but adds nothing. NULL when no row is counted. 22023 for a grade that is not one letter A-Z, a score outside 1..100 or a non-finite value."
    {
        state Cells: MatrixState sspace 1024 = |s, cx| {
            let s = s?;
            if s.is_empty() {
                return None;
            }
            let rows: Vec<_> = s.cells().into_iter().map(|c| {
                vec![
                    c.cell.into_datum(),
                    c.grade.to_string().into_datum(),
                    c.score.into_datum(),
                    c.users.into_datum(),
                    c.share.into_datum(),
                    c.value_sum.into_datum(),
                ]
            }).collect();
            Some(cx.row_array(&rows))
        };
        (grade text, score int, value float8) Cells = |slot, a| {
            let (Some(grade), Some(score)) = (a.grade(), a.score()) else { return };
            slot.get_or_init(MatrixState::new).push(grade, score, a.value()).or_raise();
        };
    }

    aggregate holding_agg -> holding
        "A user's investment state over invest and redeem events with amounts (GROUP BY user): rows whose event is invest_event add to invested, redeem_event to redeemed (exact numeric sums; other events are ignored, so pass the whole event stream); events after as_of are ignored. holding = greatest(invested - redeemed, 0) (redemptions may include returns); fully_redeemed = at least one investment and redeemed >= invested. A NULL amount counts the event but adds nothing; NULL ts rows are skipped. 22023 for a negative amount, a NULL or infinite as_of, equal event names, or as_of / names varying within a group."
    {
        state Holdings: HoldingState sspace 256 = |s, cx| {
            let s = s?;
            let ([invested, redeemed, holding], fully) = s.amounts();
            let ts = |v: Option<i64>| v.map(pg_sys::Datum::from);
            Some(cx.row(&[
                Some(invested),
                Some(redeemed),
                Some(holding),
                s.invests.into_datum(),
                s.redeems.into_datum(),
                ts(s.first_invest),
                ts(s.last_invest),
                ts(s.last_redeem),
                fully.into_datum(),
            ]))
        };
        (ts timestamptz, event text, amount numeric, as_of timestamptz, invest_event text, redeem_event text) Holdings
            = |slot, a| {
                holding_step(slot, a.ts(), || a.event(), || a.amount(), a.as_of(), (a.invest_event(), a.redeem_event()))
            };
    }

    aggregate category_share -> category_preference
        "A user's attention per product category by event count: each row with a non-NULL category counts 1 for it; shares = count / all counted rows, top category = the largest (ties: the smallest name). NULL ts rows are skipped; NULL when no row has a category."
    {
        state Attention: PreferenceState sspace 512 = |s, cx| {
            let p = s?.finish()?;
            let shares: serde_json::Map<String, serde_json::Value> = p
                .shares
                .iter()
                .map(|(name, share, _)| (name.clone(), serde_json::json!(share)))
                .collect();
            Some(cx.row(&[
                p.top_category.into_datum(),
                p.top_share.into_datum(),
                p.total.into_datum(),
                pgrx::JsonB(serde_json::Value::Object(shares)).into_datum(),
            ]))
        };
        (ts timestamptz, category text) Attention = |slot, a| {
            preference_step(slot, a.ts(), a.category(), None)
        };
        (ts timestamptz, category text, session_timeout interval) Attention
            "A user's attention per product category by dwell time: each row's dwell is the time to the user's next row (any row, categorized or not), capped at session_timeout, the last row 0; rows are ordered by (ts, category) so ties are deterministic. Shares are among the categorized rows' dwell. NULL when no row has a category; top_category NULL when the total dwell is 0. 22023 for a session_timeout <= 0 or one varying within a group."
            = |slot, a| {
                preference_step(slot, a.ts(), a.category(), Some(a.session_timeout()))
            };
    }
}

/// What one `onboarding_reminder` call site keeps: the validated days and the time zone.
#[derive(Default)]
struct ReminderCache {
    key: Vec<i32>,
    days: Option<ReminderDays>,
    zone: Option<LocalTime>,
}
