//! User lifecycle stages (`lifecycle_stage`, `lifecycle_code`): a scalar over a user summary
//! row and an aggregate over a user's raw events, which can also detect `'reactivated'`.
//!
//! See `../shared/API.md`, "5. Lifecycle". Every comparison is exact, in microseconds:
//! `N` days is `N * USECS_PER_DAY` (computed in `i128`, so no threshold can overflow).

use crate::error::{OpsError, OpsResult};
use crate::time::{is_infinite, NEG_INFINITY, POS_INFINITY, USECS_PER_DAY, USECS_PER_SEC};

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
        )
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
                    "unknown lifecycle stage \"{name}\", expected one of {}",
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
                "unknown lifecycle code \"{code}\", expected one of {}",
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

/// A timestamp for messages: `2024-01-31 12:00:00+00` (fractional seconds when present).
pub(crate) fn fmt_ts(ts: i64) -> String {
    if ts == POS_INFINITY {
        return "infinity".into();
    }
    if ts == NEG_INFINITY {
        return "-infinity".into();
    }
    let days = ts.div_euclid(USECS_PER_DAY);
    let rem = ts.rem_euclid(USECS_PER_DAY);
    // Civil date from days (H. Hinnant's algorithm), shifted from 2000-01-01 to 0000-03-01.
    let z = days as i128 + 10_957 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i128::from(m <= 2);
    let secs = rem / USECS_PER_SEC;
    let frac = rem % USECS_PER_SEC;
    let mut s = format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac != 0 {
        s.push_str(&format!(".{frac:06}"));
    }
    s.push_str("+00");
    s
}

/// The rules shared by the scalar and the aggregate, on already validated and filtered
/// inputs. `previous` (aggregate only) is the latest distinct event before `last_active_at`;
/// `None` disables the `'reactivated'` rule.
fn classify(
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
    if elapsed(registered_at, as_of) <= span(t.new_days) {
        return Stage::New;
    }
    // A conversion is activity too.
    let last = last_active_at.map_or(converted_at, |l| l.max(converted_at));
    let idle = elapsed(last, as_of);
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

fn check_as_of(as_of: i64) -> OpsResult<()> {
    if is_infinite(as_of) {
        return Err(OpsError::invalid(format!(
            "as_of must be finite, got {}",
            fmt_ts(as_of)
        )));
    }
    Ok(())
}

/// `lifecycle_stage(registered_at, first_conversion_at, last_active_at, as_of, ...)`.
///
/// Rules, first match wins (`N` days = `N * USECS_PER_DAY` microseconds, exact):
/// 1. `registered_at > as_of`: `None` (not registered yet);
/// 2. `first_conversion_at` / `last_active_at` after `as_of` are treated as NULL (they have
///    not happened yet);
/// 3. never converted: `Dead` if `as_of − coalesce(last_active_at, registered_at) >
///    dead_days`, else `Registered`;
/// 4. converted and `as_of − registered_at <= new_days`: `New`;
/// 5. with `last` = the latest of `last_active_at` and `first_conversion_at`:
///    `as_of − last <= dormant_days` `Active`, `<= churn_days` `Dormant`,
///    `<= lost_days` `Churned`, else `Lost`.
///
/// Errors (`invalid`), checked before rule 1: infinite `as_of` or `registered_at`,
/// `first_conversion_at` or `last_active_at` before `registered_at` (inconsistent data is
/// an error whatever `as_of` is), invalid thresholds.
pub fn stage(
    registered_at: i64,
    first_conversion_at: Option<i64>,
    last_active_at: Option<i64>,
    as_of: i64,
    t: &Thresholds,
) -> OpsResult<Option<Stage>> {
    t.validate()?;
    check_as_of(as_of)?;
    if is_infinite(registered_at) {
        return Err(OpsError::invalid(format!(
            "registered_at must be finite, got {}",
            fmt_ts(registered_at)
        )));
    }
    for (name, v) in [
        ("first_conversion_at", first_conversion_at),
        ("last_active_at", last_active_at),
    ] {
        if let Some(v) = v.filter(|&v| v < registered_at) {
            return Err(OpsError::invalid(format!(
                "{name} ({}) is before registered_at ({})",
                fmt_ts(v),
                fmt_ts(registered_at)
            )));
        }
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

const LIFECYCLE_TAG: u8 = b'L';

/// Aggregate state of `lifecycle_stage(ts, converted, as_of, ...)` over one user's events.
///
/// Events after `as_of` are ignored. Keeps the first event (the registration), the first
/// converted event, and the two latest *distinct* event timestamps, all of which merge
/// exactly and order-independently. NULL timestamps are the caller's to skip; a NULL
/// `converted` should be passed as `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleState {
    as_of: i64,
    thresholds: Thresholds,
    // The four timestamps, [`ABSENT`] when not seen: 64 bytes in all, so a GROUP BY over
    // millions of users keeps its states small (the aggregate allocates one per group).
    first: i64,
    first_conversion: i64,
    last: i64,
    previous: i64,
}

/// "Not seen": every kept timestamp is at or before the finite `as_of`, so never `i64::MAX`
/// (`+infinity`). It is also the identity of `min`.
const ABSENT: i64 = i64::MAX;

fn present(v: i64) -> Option<i64> {
    (v != ABSENT).then_some(v)
}

impl LifecycleState {
    /// An empty state; errors on infinite `as_of` or invalid thresholds.
    pub fn new(as_of: i64, thresholds: Thresholds) -> OpsResult<Self> {
        check_as_of(as_of)?;
        thresholds.validate()?;
        Ok(LifecycleState {
            as_of,
            thresholds,
            first: ABSENT,
            first_conversion: ABSENT,
            last: ABSENT,
            previous: ABSENT,
        })
    }

    pub fn as_of(&self) -> i64 {
        self.as_of
    }

    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Adds one event; events after `as_of` are ignored.
    #[inline]
    pub fn push(&mut self, ts: i64, converted: bool) {
        if ts > self.as_of {
            return;
        }
        self.first = self.first.min(ts);
        if converted {
            self.first_conversion = self.first_conversion.min(ts);
        }
        self.note_latest(ts);
    }

    /// Keeps `last` and `previous` the two largest distinct timestamps seen (`ts` is not
    /// [`ABSENT`]).
    #[inline]
    fn note_latest(&mut self, ts: i64) {
        if self.last == ABSENT {
            self.last = ts;
        } else if ts > self.last {
            self.previous = self.last;
            self.last = ts;
        } else if ts < self.last && (self.previous == ABSENT || ts > self.previous) {
            self.previous = ts;
        }
    }

    /// Combines two partial states; errors when they were built with different `as_of` or
    /// thresholds (those must be the same for every row of a group).
    pub fn merge(&mut self, other: LifecycleState) -> OpsResult<()> {
        if self.as_of != other.as_of || self.thresholds != other.thresholds {
            return Err(OpsError::invalid(format!(
                "as_of and the day thresholds must be the same for every row of a group, got \
                 as_of {} with {} and as_of {} with {}",
                fmt_ts(self.as_of),
                self.thresholds,
                fmt_ts(other.as_of),
                other.thresholds
            )));
        }
        self.first = self.first.min(other.first);
        self.first_conversion = self.first_conversion.min(other.first_conversion);
        for ts in [other.last, other.previous].into_iter().filter_map(present) {
            self.note_latest(ts);
        }
        Ok(())
    }

    /// The stage: the scalar rules on (first event, first converted event, last event),
    /// with `Reactivated` inserted after the `New` rule — a converted user whose last event
    /// came more than `churn_days` after the previous distinct event (`last − previous >
    /// churn_days`) and is within `dormant_days` of `as_of` (`as_of − last <= dormant_days`).
    /// `None` when no event is at or before `as_of`. Errors when the first event is
    /// `-infinity`.
    pub fn finish(&self) -> OpsResult<Option<Stage>> {
        let (Some(first), Some(last)) = (present(self.first), present(self.last)) else {
            return Ok(None);
        };
        if is_infinite(first) {
            return Err(OpsError::invalid(format!(
                "event timestamps must be finite, got {}",
                fmt_ts(first)
            )));
        }
        Ok(Some(classify(
            first,
            present(self.first_conversion),
            Some(last),
            present(self.previous),
            self.as_of,
            &self.thresholds,
        )))
    }

    /// The state in its fixed binary form (see [`LifecycleState::encode`]), as a `Vec`.
    pub fn serialize(&self) -> Vec<u8> {
        self.encode().to_vec()
    }

    /// The fixed binary form in which a partial state crosses parallel workers:
    /// [`FIXED_LEN`] bytes, `'L'`, format version, flags (which timestamps are present), a
    /// zero byte, the five day thresholds (`i32`), then `as_of`, first event, first
    /// converted event, latest and previous distinct event (`i64`), all little-endian;
    /// absent timestamps are zero.
    pub fn encode(&self) -> [u8; FIXED_LEN] {
        let mut b = [0u8; FIXED_LEN];
        b[0] = LIFECYCLE_TAG;
        b[1] = FIXED_VERSION;
        let t = &self.thresholds;
        let days = [
            t.new_days,
            t.dead_days,
            t.dormant_days,
            t.churn_days,
            t.lost_days,
        ];
        for (i, d) in days.into_iter().enumerate() {
            b[4 + 4 * i..8 + 4 * i].copy_from_slice(&d.to_le_bytes());
        }
        let mut flags = 0;
        let times = [
            (self.as_of, 0),
            (self.first, HAS_EVENTS),
            (self.first_conversion, HAS_CONVERSION),
            (self.last, 0),
            (self.previous, HAS_PREVIOUS),
        ];
        for (i, (v, flag)) in times.into_iter().enumerate() {
            if v != ABSENT {
                flags |= flag;
                b[24 + 8 * i..32 + 8 * i].copy_from_slice(&v.to_le_bytes());
            }
        }
        b[2] = flags;
        b
    }

    /// A state from [`LifecycleState::encode`]. Every field is checked (thresholds, finite
    /// `as_of`, timestamps in order, absent values zero), so no byte string makes a state
    /// that misbehaves later; errors are `malformed`.
    pub fn deserialize(b: &[u8]) -> OpsResult<Self> {
        let Ok(b) = <&[u8; FIXED_LEN]>::try_from(b) else {
            return Err(corrupt(&format!("{} bytes, expected {FIXED_LEN}", b.len())));
        };
        if b[0] != LIFECYCLE_TAG || b[1] != FIXED_VERSION {
            return Err(OpsError::malformed(format!(
                "aggregate state has tag {} version {}, expected tag {LIFECYCLE_TAG} version \
                 {FIXED_VERSION}",
                b[0], b[1]
            )));
        }
        let flags = b[2];
        if flags & !(HAS_EVENTS | HAS_CONVERSION | HAS_PREVIOUS) != 0 || b[3] != 0 {
            return Err(corrupt(&format!("flags {flags:#x}")));
        }
        let day = |i: usize| i32::from_le_bytes(b[4 + 4 * i..8 + 4 * i].try_into().unwrap());
        let thresholds = Thresholds {
            new_days: day(0),
            dead_days: day(1),
            dormant_days: day(2),
            churn_days: day(3),
            lost_days: day(4),
        };
        let time = |i: usize, present: bool| -> OpsResult<Option<i64>> {
            let v = i64::from_le_bytes(b[24 + 8 * i..32 + 8 * i].try_into().unwrap());
            match (present, v) {
                (true, ABSENT) => Err(corrupt("a timestamp of +infinity")),
                (true, v) => Ok(Some(v)),
                (false, 0) => Ok(None),
                (false, _) => Err(corrupt("a value for an absent timestamp")),
            }
        };
        let events = flags & HAS_EVENTS != 0;
        let as_of = time(0, true)?.unwrap_or_default();
        let first = time(1, events)?;
        let first_conversion = time(2, flags & HAS_CONVERSION != 0)?;
        let last = time(3, events)?;
        let previous = time(4, flags & HAS_PREVIOUS != 0)?;
        let mut s = LifecycleState::new(as_of, thresholds).map_err(|e| corrupt(&e.message))?;
        let ok = match (first, last) {
            (None, None) => first_conversion.is_none() && previous.is_none(),
            (Some(f), Some(l)) => {
                f <= l
                    && l <= as_of
                    && previous.is_none_or(|p| f <= p && p < l)
                    && first_conversion.is_none_or(|c| f <= c && c <= l)
            }
            _ => false,
        };
        if !ok {
            return Err(corrupt("timestamps out of order"));
        }
        s.first = first.unwrap_or(ABSENT);
        s.first_conversion = first_conversion.unwrap_or(ABSENT);
        s.last = last.unwrap_or(ABSENT);
        s.previous = previous.unwrap_or(ABSENT);
        Ok(s)
    }
}

/// Length of [`LifecycleState::encode`]'s fixed binary form.
pub const FIXED_LEN: usize = 64;
const FIXED_VERSION: u8 = 2;
const HAS_EVENTS: u8 = 1;
const HAS_CONVERSION: u8 = 2;
const HAS_PREVIOUS: u8 = 4;

fn corrupt(what: &str) -> OpsError {
    OpsError::malformed(format!("lifecycle state is corrupt: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use proptest::prelude::*;

    const D: i64 = USECS_PER_DAY;
    const AS_OF: i64 = 9_000 * D + 12 * 3600 * USECS_PER_SEC;
    const T: Thresholds = Thresholds::DEFAULT;

    fn st(reg: i64, fc: Option<i64>, la: Option<i64>) -> Option<Stage> {
        stage(reg, fc, la, AS_OF, &T).unwrap()
    }

    /// The three probes around a boundary `b`: b − 1µs, b, b + 1µs.
    fn around(b: i64) -> [i64; 3] {
        [b - 1, b, b + 1]
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
    fn timestamps_in_messages() {
        assert_eq!(fmt_ts(0), "2000-01-01 00:00:00+00");
        assert_eq!(fmt_ts(-1), "1999-12-31 23:59:59.999999+00");
        assert_eq!(fmt_ts(59 * D), "2000-02-29 00:00:00+00");
        assert_eq!(
            fmt_ts(366 * D + 3_723_000_001),
            "2001-01-01 01:02:03.000001+00"
        );
        assert_eq!(fmt_ts(-36_524 * D), "1900-01-01 00:00:00+00");
    }

    fn agg(events: &[(i64, bool)], t: Thresholds) -> Option<Stage> {
        let mut s = LifecycleState::new(AS_OF, t).unwrap();
        for &(ts, c) in events {
            s.push(ts, c);
        }
        s.finish().unwrap()
    }

    #[test]
    fn aggregate_reactivation_hand_worked() {
        use Stage::*;
        let reg = AS_OF - 400 * D;
        // registered and converted 400 days ago, back 5 days ago after a 395-day gap
        assert_eq!(
            agg(&[(reg, true), (AS_OF - 5 * D, false)], T),
            Some(Reactivated)
        );
        // the conversion can be the returning event itself
        assert_eq!(
            agg(&[(reg, false), (AS_OF - 5 * D, true)], T),
            Some(Reactivated)
        );
        // never converted: the gap does not matter
        assert_eq!(
            agg(&[(reg, false), (AS_OF - 5 * D, false)], T),
            Some(Registered)
        );
        // gap exactly churn_days (and a µs / day either side), return 10 days ago
        let last = AS_OF - 10 * D;
        let gap = |g: i64| agg(&[(reg, true), (last - g, false), (last, false)], T).unwrap();
        assert_eq!(around(90 * D).map(gap), [Active, Active, Reactivated]);
        assert_eq!(gap(89 * D), Active);
        assert_eq!(gap(91 * D), Reactivated);
        // last event exactly dormant_days before as_of (and a µs / day either side)
        let back = |l: i64| agg(&[(reg, true), (l, false)], T).unwrap();
        let b = AS_OF - 30 * D;
        assert_eq!(around(b).map(back), [Dormant, Reactivated, Reactivated]);
        assert_eq!(back(b - D), Dormant);
        assert_eq!(back(b + D), Reactivated);
        // duplicates of the latest timestamp: the gap is to the previous distinct event
        let dup = [(reg, true), (AS_OF - D, false), (AS_OF - D, false)];
        assert_eq!(agg(&dup, T), Some(Reactivated));
        // a recent event before the latest closes the gap
        assert_eq!(
            agg(
                &[(reg, true), (AS_OF - 3 * D, false), (AS_OF - D, false)],
                T
            ),
            Some(Active)
        );
        // new wins over reactivated
        let t = Thresholds { new_days: 500, ..T };
        assert_eq!(agg(&[(reg, true), (AS_OF - D, false)], t), Some(New));
        // events after as_of did not happen yet
        assert_eq!(agg(&[(reg, true), (AS_OF + 1, false)], T), Some(Lost));
        assert_eq!(agg(&[(AS_OF + 1, true)], T), None);
        assert_eq!(agg(&[], T), None);
    }

    #[test]
    fn aggregate_errors_and_corrupt_states() {
        let mut s = LifecycleState::new(AS_OF, T).unwrap();
        s.push(NEG_INFINITY, false);
        assert!(s.finish().unwrap_err().message.contains("-infinity"));
        s.push(POS_INFINITY, true); // after as_of: ignored
        let other = LifecycleState::new(AS_OF - 1, T).unwrap();
        let m = s.merge(other).unwrap_err().message;
        assert!(
            m.contains("as_of") && m.contains("with new_days 90, dead_days 30, dormant_days 30"),
            "{m}"
        );
        let other = LifecycleState::new(
            AS_OF,
            Thresholds {
                lost_days: 400,
                ..T
            },
        )
        .unwrap();
        assert!(s.merge(other).is_err());

        assert!(LifecycleState::deserialize(&[b'P', 1]).is_err());
        let good = {
            let mut s = LifecycleState::new(AS_OF, T).unwrap();
            s.push(5, true);
            s.push(7, false);
            s.serialize()
        };
        assert!(LifecycleState::deserialize(&good).is_ok());
        assert!(LifecycleState::deserialize(&good[..good.len() - 1]).is_err());
        let malformed = |b: &[u8]| LifecycleState::deserialize(b).unwrap_err().kind;
        // previous (bytes 56..64) after last (7)
        let mut b = good.clone();
        b[2] |= HAS_PREVIOUS;
        b[56..64].copy_from_slice(&8i64.to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        // invalid thresholds in a state: dormant_days (bytes 12..16) = churn_days
        let mut b = good.clone();
        b[12..16].copy_from_slice(&90i32.to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        // a value behind a flag that says absent, an unknown flag, +infinity
        let mut b = good.clone();
        b[56] = 1;
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        let mut b = good.clone();
        b[2] |= 0x40;
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        let mut b = good.clone();
        b[48..56].copy_from_slice(&i64::MAX.to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
    }

    #[test]
    fn fixed_form_layout() {
        // Hand-encoded: default days, as_of, first event 5, conversion 5, latest 7,
        // previous 5.
        let mut s = LifecycleState::new(AS_OF, T).unwrap();
        s.push(7, false);
        s.push(5, true);
        let mut want = vec![b'L', 2, 0x07, 0];
        for d in [90i32, 30, 30, 90, 360] {
            want.extend_from_slice(&d.to_le_bytes());
        }
        for t in [AS_OF, 5, 5, 7, 5] {
            want.extend_from_slice(&t.to_le_bytes());
        }
        assert_eq!(s.serialize(), want);
        assert_eq!(LifecycleState::deserialize(&want).unwrap(), s);
        // No event yet: only the configuration.
        let empty = LifecycleState::new(AS_OF, T).unwrap();
        let b = empty.encode();
        assert_eq!((b[2], &b[32..]), (0, &[0u8; 32][..]));
        assert_eq!(LifecycleState::deserialize(&b).unwrap(), empty);
        assert_eq!(std::mem::size_of::<LifecycleState>(), 64);
    }

    fn thresholds() -> impl Strategy<Value = Thresholds> {
        (0i32..200, 0i32..100, 0i32..60, 1i32..100, 1i32..300)
            .prop_map(|(n, d, s, c, l)| Thresholds::new(n, d, s, s + c, s + c + l).unwrap())
    }

    fn events() -> impl Strategy<Value = Vec<(i64, bool, u32)>> {
        // days around as_of (some after it), with µs jitter, plus a shuffle key
        prop::collection::vec(
            (
                -900i64..40,
                prop_oneof![Just(0i64), -2i64..3, 0..D],
                any::<bool>(),
                any::<u32>(),
            ),
            0..25,
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(d, j, c, k)| (AS_OF + d * D + j, c, k))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn aggregate_agrees_with_scalar(evs in events(), t in thresholds()) {
            let plain: Vec<(i64, bool)> = evs.iter().map(|&(ts, c, _)| (ts, c)).collect();
            let got = agg(&plain, t);
            let seen: Vec<&(i64, bool)> = plain.iter().filter(|e| e.0 <= AS_OF).collect();
            let first = seen.iter().map(|e| e.0).min();
            let first_conv = seen.iter().filter(|e| e.1).map(|e| e.0).min();
            let last = seen.iter().map(|e| e.0).max();
            match first {
                None => prop_assert_eq!(got, None),
                Some(first) => {
                    let scalar = stage(first, first_conv, last, AS_OF, &t).unwrap();
                    if got == Some(Stage::Reactivated) {
                        prop_assert_eq!(scalar, Some(Stage::Active));
                    } else {
                        prop_assert_eq!(got, scalar);
                    }
                }
            }
        }

        #[test]
        fn permutation_split_merge_and_serialize_do_not_matter(
            evs in events(),
            t in thresholds(),
            split in 0usize..25,
        ) {
            let plain: Vec<(i64, bool)> = evs.iter().map(|&(ts, c, _)| (ts, c)).collect();
            let mut whole = LifecycleState::new(AS_OF, t).unwrap();
            plain.iter().for_each(|&(ts, c)| whole.push(ts, c));

            let mut shuffled = evs.clone();
            shuffled.sort_by_key(|e| e.2);
            let split = split.min(shuffled.len());
            let mut a = LifecycleState::new(AS_OF, t).unwrap();
            let mut b = LifecycleState::new(AS_OF, t).unwrap();
            shuffled[..split].iter().for_each(|&(ts, c, _)| a.push(ts, c));
            shuffled[split..].iter().for_each(|&(ts, c, _)| b.push(ts, c));
            let a = LifecycleState::deserialize(&a.serialize()).unwrap();
            let mut b = LifecycleState::deserialize(&b.serialize()).unwrap();
            b.merge(a).unwrap();
            prop_assert_eq!(&whole, &b);
            prop_assert_eq!(whole.finish().unwrap(), b.finish().unwrap());
            prop_assert_eq!(LifecycleState::deserialize(&whole.serialize()).unwrap(), whole);
        }
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
