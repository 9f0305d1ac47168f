//! The lifecycle rules: day [`Thresholds`], the [`Stage`]s, and the scalar
//! `lifecycle_stage` ([`stage`]); [`classify`] is shared with the aggregate.

use crate::error::{OpsError, OpsResult};
use crate::time::{fmt_ts, is_infinite, USECS_PER_DAY};

/// The day thresholds of the lifecycle rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A converted user registered at most this many days ago is `'new'`.
    pub new_days: i32,
    /// A never-converted user inactive for more than this many days is `'dead'`.
    pub dead_days: i32,
    /// Inactive at most this many days: `'active'`.
    pub dormant_days: i32,
    /// Inactive at most this many days: `'dormant'`; also the reactivation gap.
    pub churn_days: i32,
    /// Inactive at most this many days: `'churned'`; longer: `'lost'`.
    pub lost_days: i32,
    /// `true` (the default): a converted user within `new_days` of registration is `'new'`
    /// however long they have been idle. `false`: `'new'` only while active (idle at most
    /// `dormant_days`); an idle new user falls through to the inactivity rules.
    pub new_wins: bool,
    /// `true`: inconsistent data (activity or conversion before registration, an infinite
    /// timestamp) gives NULL instead of error 22023, so one bad row does not abort a
    /// materialized-view refresh.
    pub lenient: bool,
}

impl Thresholds {
    /// The SQL defaults: `new_days 90, dead_days 30, dormant_days 30, churn_days 90,
    /// lost_days 360`.
    pub const DEFAULT: Thresholds = Thresholds {
        new_days: 90,
        dead_days: 30,
        dormant_days: 30,
        churn_days: 90,
        lost_days: 360,
        new_wins: true,
        lenient: false,
    };

    /// Validated thresholds: every value `>= 0` and `dormant_days < churn_days < lost_days`.
    pub fn new(
        new_days: i32,
        dead_days: i32,
        dormant_days: i32,
        churn_days: i32,
        lost_days: i32,
    ) -> OpsResult<Self> {
        let t = Thresholds {
            new_days,
            dead_days,
            dormant_days,
            churn_days,
            lost_days,
            ..Thresholds::DEFAULT
        };
        t.validate()?;
        Ok(t)
    }

    /// The checks of [`Thresholds::new`], for values built field by field.
    pub fn validate(&self) -> OpsResult<()> {
        for (name, v) in [
            ("new_days", self.new_days),
            ("dead_days", self.dead_days),
            ("dormant_days", self.dormant_days),
            ("churn_days", self.churn_days),
            ("lost_days", self.lost_days),
        ] {
            if v < 0 {
                return Err(OpsError::invalid(format!(
                    "{name} must not be negative, got {v}"
                )));
            }
        }
        if !(self.dormant_days < self.churn_days && self.churn_days < self.lost_days) {
            return Err(OpsError::invalid(format!(
                "days must increase strictly: dormant_days ({}) < churn_days ({}) < lost_days ({})",
                self.dormant_days, self.churn_days, self.lost_days
            )));
        }
        Ok(())
    }
}

impl std::fmt::Display for Thresholds {
    /// `new_days 90, dead_days 30, dormant_days 30, churn_days 90, lost_days 360`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "new_days {}, dead_days {}, dormant_days {}, churn_days {}, lost_days {}",
            self.new_days, self.dead_days, self.dormant_days, self.churn_days, self.lost_days
        )?;
        if !self.new_wins {
            write!(f, ", new_wins false")?;
        }
        if self.lenient {
            write!(f, ", lenient")?;
        }
        Ok(())
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds::DEFAULT
    }
}

/// A lifecycle stage. Codes (`lifecycle_code`): `R` registered, `D` dead, `N` new,
/// `A` active, `S` dormant (sleeping), `C` churned, `L` lost, `B` reactivated (back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    Registered,
    Dead,
    New,
    Active,
    Dormant,
    Churned,
    Lost,
    Reactivated,
}

impl Stage {
    /// Every stage, in declaration order.
    pub const ALL: [Stage; 8] = [
        Stage::Registered,
        Stage::Dead,
        Stage::New,
        Stage::Active,
        Stage::Dormant,
        Stage::Churned,
        Stage::Lost,
        Stage::Reactivated,
    ];

    /// The SQL text of the stage, e.g. `'dormant'`.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Registered => "registered",
            Stage::Dead => "dead",
            Stage::New => "new",
            Stage::Active => "active",
            Stage::Dormant => "dormant",
            Stage::Churned => "churned",
            Stage::Lost => "lost",
            Stage::Reactivated => "reactivated",
        }
    }

    /// The one-letter code (upper case ASCII).
    pub fn code(self) -> char {
        match self {
            Stage::Registered => 'R',
            Stage::Dead => 'D',
            Stage::New => 'N',
            Stage::Active => 'A',
            Stage::Dormant => 'S',
            Stage::Churned => 'C',
            Stage::Lost => 'L',
            Stage::Reactivated => 'B',
        }
    }

    /// The rule that assigns the stage, in words (thresholds by their parameter names).
    pub fn rule(self) -> &'static str {
        match self {
            Stage::Registered => "never converted, active within dead_days",
            Stage::Dead => "never converted, no activity for more than dead_days",
            Stage::New => "converted, registered within new_days",
            Stage::Reactivated => {
                "converted, latest activity ended a gap longer than churn_days and is within \
                 dormant_days (aggregate form only)"
            }
            Stage::Active => "converted, last activity within dormant_days",
            Stage::Dormant => "converted, last activity within churn_days",
            Stage::Churned => "converted, last activity within lost_days",
            Stage::Lost => "converted, no activity for more than lost_days",
        }
    }

    /// Every stage in the order its rule is tried (first match wins).
    pub const RULE_ORDER: [Stage; 8] = [
        Stage::Registered,
        Stage::Dead,
        Stage::New,
        Stage::Reactivated,
        Stage::Active,
        Stage::Dormant,
        Stage::Churned,
        Stage::Lost,
    ];

    /// Parses a stage name exactly as [`Stage::name`] spells it.
    pub fn from_name(name: &str) -> OpsResult<Stage> {
        Stage::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Stage::ALL.iter().map(|s| s.name()).collect();
                OpsError::invalid(format!(
                    "unknown lifecycle stage \"{}\", expected one of {}",
                    crate::error::truncate(name, 60),
                    names.join(", ")
                ))
            })
    }

    /// Parses a one-letter code exactly as [`Stage::code`] spells it.
    pub fn from_code(code: &str) -> OpsResult<Stage> {
        let mut chars = code.chars();
        let found = match (chars.next(), chars.next()) {
            (Some(c), None) => Stage::ALL.into_iter().find(|s| s.code() == c),
            _ => None,
        };
        found.ok_or_else(|| {
            let codes: Vec<String> = Stage::ALL
                .iter()
                .map(|s| format!("{} ({})", s.code(), s.name()))
                .collect();
            OpsError::invalid(format!(
                "unknown lifecycle code \"{}\", expected one of {}",
                crate::error::truncate(code, 60),
                codes.join(", ")
            ))
        })
    }
}

/// `days` days in microseconds, as `i128`.
fn span(days: i32) -> i128 {
    days as i128 * USECS_PER_DAY as i128
}

/// `to - from` in microseconds, as `i128` (never overflows).
fn elapsed(from: i64, to: i64) -> i128 {
    to as i128 - from as i128
}

/// The rules shared by the scalar and the aggregate, on already validated and filtered
/// inputs. `previous` (aggregate only) is the latest distinct event before `last_active_at`;
/// `None` disables the `'reactivated'` rule.
pub(super) fn classify(
    registered_at: i64,
    first_conversion_at: Option<i64>,
    last_active_at: Option<i64>,
    previous: Option<i64>,
    as_of: i64,
    t: &Thresholds,
) -> Stage {
    let Some(converted_at) = first_conversion_at else {
        let since = last_active_at.map_or(registered_at, |l| l.max(registered_at));
        return if elapsed(since, as_of) > span(t.dead_days) {
            Stage::Dead
        } else {
            Stage::Registered
        };
    };
    // A conversion is activity too.
    let last = last_active_at.map_or(converted_at, |l| l.max(converted_at));
    let idle = elapsed(last, as_of);
    if elapsed(registered_at, as_of) <= span(t.new_days)
        && (t.new_wins || idle <= span(t.dormant_days))
    {
        return Stage::New;
    }
    if let Some(prev) = previous {
        if elapsed(prev, last) > span(t.churn_days) && idle <= span(t.dormant_days) {
            return Stage::Reactivated;
        }
    }
    if idle <= span(t.dormant_days) {
        Stage::Active
    } else if idle <= span(t.churn_days) {
        Stage::Dormant
    } else if idle <= span(t.lost_days) {
        Stage::Churned
    } else {
        Stage::Lost
    }
}

pub(super) fn check_as_of(as_of: i64) -> OpsResult<()> {
    if is_infinite(as_of) {
        return Err(OpsError::invalid(format!(
            "as_of must be finite, got {}",
            fmt_ts(as_of)
        )));
    }
    Ok(())
}

/// What is inconsistent in a user summary row, as the error message `lifecycle_stage` would
/// raise: an infinite `registered_at`, or `first_conversion_at` / `last_active_at` before
/// `registered_at`. `None` for a consistent row (`lifecycle_issue` in SQL).
pub fn data_issue(
    registered_at: i64,
    first_conversion_at: Option<i64>,
    last_active_at: Option<i64>,
) -> Option<String> {
    registration_issue(
        registered_at,
        &[
            ("first_conversion_at", first_conversion_at),
            ("last_active_at", last_active_at),
        ],
    )
}

/// The check behind [`data_issue`], shared with the aggregate's explicit registration: an
/// infinite `registered_at`, or the first of the named times that comes before it.
pub(super) fn registration_issue(
    registered_at: i64,
    times: &[(&str, Option<i64>)],
) -> Option<String> {
    if is_infinite(registered_at) {
        return Some(format!(
            "registered_at must be finite, got {}",
            fmt_ts(registered_at)
        ));
    }
    times.iter().find_map(|&(name, v)| {
        v.filter(|&v| v < registered_at).map(|v| {
            format!(
                "{name} ({}) is before registered_at ({})",
                fmt_ts(v),
                fmt_ts(registered_at)
            )
        })
    })
}

/// `lifecycle_stage(registered_at, first_conversion_at, last_active_at, as_of, ...)`.
///
/// Rules, first match wins (`N` days = `N * USECS_PER_DAY` microseconds, exact):
/// 1. `registered_at > as_of`: `None` (not registered yet);
/// 2. `first_conversion_at` / `last_active_at` after `as_of` are treated as NULL (they have
///    not happened yet);
/// 3. never converted: `Dead` if `as_of − coalesce(last_active_at, registered_at) >
///    dead_days`, else `Registered`;
/// 4. converted and `as_of − registered_at <= new_days`: `New` (with `new_wins` false,
///    only while `as_of − last <= dormant_days`, `last` as in rule 5);
/// 5. with `last` = the latest of `last_active_at` and `first_conversion_at`:
///    `as_of − last <= dormant_days` `Active`, `<= churn_days` `Dormant`,
///    `<= lost_days` `Churned`, else `Lost`.
///
/// Errors (`invalid`), checked before rule 1: infinite `as_of`, invalid thresholds, and the
/// row's [`data_issue`] (inconsistent data is an error whatever `as_of` is; with
/// `t.lenient` it gives `None` instead).
pub fn stage(
    registered_at: i64,
    first_conversion_at: Option<i64>,
    last_active_at: Option<i64>,
    as_of: i64,
    t: &Thresholds,
) -> OpsResult<Option<Stage>> {
    t.validate()?;
    check_as_of(as_of)?;
    if let Some(issue) = data_issue(registered_at, first_conversion_at, last_active_at) {
        return if t.lenient {
            Ok(None)
        } else {
            Err(OpsError::invalid(issue))
        };
    }
    if registered_at > as_of {
        return Ok(None);
    }
    let first_conversion_at = first_conversion_at.filter(|&v| v <= as_of);
    let last_active_at = last_active_at.filter(|&v| v <= as_of);
    Ok(Some(classify(
        registered_at,
        first_conversion_at,
        last_active_at,
        None,
        as_of,
        t,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::lifecycle::testing::*;
    use crate::lifecycle::LifecycleState;
    use crate::time::{NEG_INFINITY, POS_INFINITY};

    fn st(reg: i64, fc: Option<i64>, la: Option<i64>) -> Option<Stage> {
        stage(reg, fc, la, AS_OF, &T).unwrap()
    }

    #[test]
    fn thresholds_validation() {
        assert_eq!(
            Thresholds::new(90, 30, 30, 90, 360).unwrap(),
            Thresholds::default()
        );
        assert!(Thresholds::new(0, 0, 0, 1, 2).is_ok());
        for (args, needle) in [
            (
                (-1, 30, 30, 90, 360),
                "new_days must not be negative, got -1",
            ),
            (
                (90, -2, 30, 90, 360),
                "dead_days must not be negative, got -2",
            ),
            (
                (90, 30, -3, 90, 360),
                "dormant_days must not be negative, got -3",
            ),
            ((90, 30, 90, 90, 360), "dormant_days (90) < churn_days (90)"),
            ((90, 30, 30, 360, 360), "churn_days (360) < lost_days (360)"),
            ((90, 30, 30, 400, 360), "churn_days (400) < lost_days (360)"),
            ((90, 30, 100, 90, 360), "dormant_days (100)"),
        ] {
            let e = Thresholds::new(args.0, args.1, args.2, args.3, args.4).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter);
            assert!(e.message.contains(needle), "{} lacks {needle}", e.message);
        }
        let bad = Thresholds {
            churn_days: 10,
            ..T
        };
        assert!(stage(0, None, None, AS_OF, &bad).is_err());
        assert!(LifecycleState::new(AS_OF, bad).is_err());
    }

    #[test]
    fn names_and_codes() {
        let codes: String = Stage::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, "RDNASCLB");
        for s in Stage::ALL {
            assert_eq!(Stage::from_name(s.name()).unwrap(), s);
            assert_eq!(Stage::from_code(&s.code().to_string()).unwrap(), s);
        }
        assert_eq!(Stage::Dormant.name(), "dormant");
        assert_eq!(Stage::Reactivated.name(), "reactivated");
        let e = Stage::from_name("sleeping").unwrap_err();
        assert!(e.message.contains("sleeping") && e.message.contains("reactivated"));
        assert!(Stage::from_name("Active").is_err());
        assert!(Stage::from_code("AB")
            .unwrap_err()
            .message
            .contains("\"AB\""));
        assert!(Stage::from_code("").is_err());
        assert!(Stage::from_code("a").is_err());
    }

    #[test]
    fn not_registered_yet() {
        assert_eq!(st(AS_OF + 1, None, None), None);
        assert_eq!(st(AS_OF + 1, Some(AS_OF + 2), Some(AS_OF + 3)), None);
        assert_eq!(st(AS_OF, None, None), Some(Stage::Registered));
        assert_eq!(st(AS_OF - 1, None, None), Some(Stage::Registered));
    }

    #[test]
    fn dead_boundary() {
        use Stage::*;
        let b = AS_OF - 30 * D; // exactly dead_days of inactivity
                                // no activity: measured from registration
        let got: Vec<_> = around(b).map(|r| st(r, None, None).unwrap()).to_vec();
        assert_eq!(got, [Dead, Registered, Registered]);
        // with activity: measured from last_active_at
        let got: Vec<_> = around(b)
            .map(|l| st(b - 500 * D, None, Some(l)).unwrap())
            .to_vec();
        assert_eq!(got, [Dead, Registered, Registered]);
        // a day either side
        assert_eq!(st(b - D, None, None), Some(Dead));
        assert_eq!(st(b + D, None, None), Some(Registered));
        // activity after as_of did not happen yet
        assert_eq!(st(b - D, None, Some(AS_OF + 1)), Some(Dead));
        assert_eq!(st(b - D, None, Some(AS_OF)), Some(Registered));
        // a conversion after as_of did not happen yet either
        assert_eq!(st(b - D, Some(AS_OF + 1), None), Some(Dead));
        // dead_days = 0: any idle time at all is dead
        let t0 = Thresholds { dead_days: 0, ..T };
        assert_eq!(
            stage(AS_OF, None, None, AS_OF, &t0).unwrap(),
            Some(Registered)
        );
        assert_eq!(
            stage(AS_OF - 1, None, None, AS_OF, &t0).unwrap(),
            Some(Dead)
        );
    }

    #[test]
    fn new_boundary() {
        use Stage::*;
        let b = AS_OF - 90 * D; // registered exactly new_days ago
        let got: Vec<_> = around(b).map(|r| st(r, Some(r), None).unwrap()).to_vec();
        // just past new_days, with the conversion at registration 90 days ago: dormant
        assert_eq!(got, [Churned, New, New]);
        assert_eq!(st(b - D, Some(AS_OF), None), Some(Active));
        assert_eq!(st(b + D, Some(b + D), None), Some(New));
        // new wins over idle time, converted at registration and never seen again
        assert_eq!(st(b, Some(b), Some(b)), Some(New));
        // a conversion after as_of does not make a user new
        assert_eq!(st(b + D, Some(AS_OF + 1), Some(AS_OF)), Some(Registered));
    }

    #[test]
    fn activity_boundaries() {
        use Stage::*;
        let reg = AS_OF - 2_000 * D;
        let by_activity = |l: i64| st(reg, Some(reg), Some(l)).unwrap();
        let by_conversion = |c: i64| st(reg, Some(c), None).unwrap();
        let by_conv_newer = |c: i64| st(reg, Some(c), Some(reg + D)).unwrap();
        for (days, before, after) in [
            (30, Active, Dormant),
            (90, Dormant, Churned),
            (360, Churned, Lost),
        ] {
            let b = AS_OF - days * D;
            for f in [
                &by_activity as &dyn Fn(i64) -> Stage,
                &by_conversion,
                &by_conv_newer,
            ] {
                assert_eq!(around(b).map(f), [after, before, before], "{days} days");
                assert_eq!(f(b - D), after, "{days} days + 1 day");
                assert_eq!(f(b + D), before, "{days} days - 1 day");
            }
        }
        assert_eq!(by_activity(AS_OF), Active);
        assert_eq!(by_activity(reg), Lost);
        // activity after as_of is ignored: falls back to the conversion date
        assert_eq!(st(reg, Some(reg), Some(AS_OF + 1)), Some(Lost));
        assert_eq!(
            st(reg, Some(AS_OF - 100 * D), Some(AS_OF + 1)),
            Some(Churned)
        );
    }

    #[test]
    fn huge_thresholds_do_not_overflow() {
        let t = Thresholds::new(i32::MAX, i32::MAX, i32::MAX - 2, i32::MAX - 1, i32::MAX).unwrap();
        let min = i64::MIN + 1;
        assert_eq!(
            stage(min, None, None, i64::MAX - 1, &t).unwrap(),
            Some(Stage::Registered)
        );
        assert_eq!(
            stage(min, Some(min), None, i64::MAX - 1, &t).unwrap(),
            Some(Stage::New)
        );
    }

    #[test]
    fn errors() {
        let e = stage(AS_OF - D, Some(AS_OF - 2 * D), None, AS_OF, &T).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert!(
            e.message
                .contains("first_conversion_at (2024-08-20 12:00:00+00)"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("registered_at (2024-08-21 12:00:00+00)"),
            "{}",
            e.message
        );
        let e = stage(AS_OF - D, None, Some(AS_OF - D - 1), AS_OF, &T).unwrap_err();
        assert!(
            e.message
                .contains("last_active_at (2024-08-21 11:59:59.999999+00)"),
            "{}",
            e.message
        );
        // inconsistent data is an error even before registration
        assert!(stage(AS_OF + D, None, Some(AS_OF), AS_OF, &T).is_err());
        assert!(stage(0, None, Some(NEG_INFINITY), AS_OF, &T).is_err());
        for as_of in [POS_INFINITY, NEG_INFINITY] {
            let e = stage(0, None, None, as_of, &T).unwrap_err();
            assert!(e.message.contains("as_of") && e.message.contains("infinity"));
            assert!(LifecycleState::new(as_of, T).is_err());
        }
        for reg in [POS_INFINITY, NEG_INFINITY] {
            let e = stage(reg, None, None, AS_OF, &T).unwrap_err();
            assert!(e.message.contains("registered_at") && e.message.contains("infinity"));
        }
        // +infinity activity is after any finite as_of: ignored
        assert_eq!(st(AS_OF, None, Some(POS_INFINITY)), Some(Stage::Registered));
    }

    #[test]
    fn new_wins_and_lenient() {
        use Stage::*;
        let reg = AS_OF - 60 * D; // registered 60 days ago: within new_days
        let nw = Thresholds {
            new_wins: false,
            ..T
        };
        let idle = |t: &Thresholds, last: i64| stage(reg, Some(reg), Some(last), AS_OF, t).unwrap();
        assert_eq!(idle(&T, AS_OF - 45 * D), Some(New));
        assert_eq!(idle(&nw, AS_OF - 45 * D), Some(Dormant));
        // idle exactly dormant_days is still active, hence new
        assert_eq!(
            around(AS_OF - 30 * D).map(|l| idle(&nw, l)),
            [Some(Dormant), Some(New), Some(New)]
        );
        // beyond new_days new_wins changes nothing
        let old = AS_OF - 100 * D;
        assert_eq!(
            stage(old, Some(old), Some(AS_OF - 45 * D), AS_OF, &nw).unwrap(),
            stage(old, Some(old), Some(AS_OF - 45 * D), AS_OF, &T).unwrap()
        );
        let lenient = Thresholds { lenient: true, ..T };
        assert_eq!(
            stage(AS_OF, Some(AS_OF - D), None, AS_OF, &lenient).unwrap(),
            None
        );
        assert_eq!(
            stage(AS_OF, None, Some(AS_OF - D), AS_OF, &lenient).unwrap(),
            None
        );
        assert_eq!(
            stage(POS_INFINITY, None, None, AS_OF, &lenient).unwrap(),
            None
        );
        assert_eq!(
            stage(reg, Some(reg), Some(AS_OF - 45 * D), AS_OF, &lenient).unwrap(),
            Some(New)
        );
        // as_of is a query-level error even when lenient
        assert!(stage(reg, None, None, POS_INFINITY, &lenient).is_err());
        // lifecycle_issue gives the message the strict form raises
        assert_eq!(
            data_issue(AS_OF, Some(AS_OF - D), None).unwrap(),
            stage(AS_OF, Some(AS_OF - D), None, AS_OF, &T)
                .unwrap_err()
                .message
        );
        assert_eq!(data_issue(reg, Some(reg), Some(AS_OF)), None);
        assert!(data_issue(NEG_INFINITY, None, None)
            .unwrap()
            .contains("registered_at"));
        assert_eq!(
            format!("{lenient}"),
            "new_days 90, dead_days 30, dormant_days 30, churn_days 90, lost_days 360, lenient"
        );
    }

    #[test]
    fn rule_order_lists_every_stage_once_with_a_rule() {
        let mut seen: Vec<Stage> = Stage::RULE_ORDER.to_vec();
        seen.sort_by_key(|s| s.name());
        let mut all = Stage::ALL.to_vec();
        all.sort_by_key(|s| s.name());
        assert_eq!(seen, all);
        assert!(Stage::ALL.iter().all(|s| !s.rule().is_empty()));
    }
}
