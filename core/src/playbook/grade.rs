//! The inactivity grade ladder for converted ("old") users.
//!
//! A ladder is a list of day thresholds `d1 < d2 < ... < dn` (at least 1, at most 25, each
//! `>= 0`; the default is `7, 21, 90, 180, 360`). A user's *idle time* is
//! `as_of - last_active_at`, measured exactly in microseconds (no rounding to whole days).
//! The grade is:
//!
//! * `A` when idle `<= d1` days (exactly `d1 * 86400` seconds is still `A`);
//! * `B` when `d1` days `<` idle `<= d2` days, and so on: the `(k+1)`-th letter when
//!   `dk` days `<` idle `<= d(k+1)` days;
//! * the letter after the last threshold when idle `> dn` days (`F` with the default
//!   ladder).
//!
//! So `n` thresholds give `n + 1` grades, `A` up to at most `Z`. A `last_active_at` after
//! `as_of` has no grade (the activity has not happened yet); an infinite `as_of` or
//! `last_active_at` is an error (22023).
//!
//! Labels are generated from the thresholds. With the default ladder:
//!
//! | grade | days idle    | English                | Chinese         |
//! |-------|--------------|------------------------|-----------------|
//! | A     | `<= 7`       | active within 7 days   | 7天内活跃       |
//! | B     | `(7, 21]`    | inactive 7-21 days     | 7-21天未活跃    |
//! | C     | `(21, 90]`   | inactive 21-90 days    | 21-90天未活跃   |
//! | D     | `(90, 180]`  | inactive 90-180 days   | 90-180天未活跃  |
//! | E     | `(180, 360]` | inactive 180-360 days  | 180-360天未活跃 |
//! | F     | `> 360`      | inactive over 360 days | 超过360天未活跃 |
//!
//! (A threshold of exactly 1 reads "1 day" in the English `A` and last labels.)

use super::quote;
use crate::error::{OpsError, OpsResult};
use crate::time::{fmt_ts, is_infinite, USECS_PER_DAY};

/// The most thresholds a ladder may have: 25 thresholds make 26 grades, `A` to `Z`.
pub const MAX_THRESHOLDS: usize = 25;

/// Languages accepted by [`GradeLadder::label`].
pub const LANGS: &[&str] = &["en", "zh"];

/// Day thresholds mapping idle time onto grades `A`, `B`, ... (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GradeLadder {
    days: Vec<i32>,
}

/// One grade of a ladder, as listed by [`GradeLadder::rows`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeRow {
    pub grade: char,
    /// Exclusive lower bound on idle days; `None` for `A`.
    pub min_days: Option<i32>,
    /// Inclusive upper bound on idle days; `None` for the last grade.
    pub max_days: Option<i32>,
    pub label_en: String,
    pub label_zh: String,
}

impl Default for GradeLadder {
    fn default() -> Self {
        GradeLadder {
            days: Self::DEFAULT_DAYS.to_vec(),
        }
    }
}

/// The letter of grade index `i` (0 = `A`); `i` is at most [`MAX_THRESHOLDS`].
fn letter(i: usize) -> char {
    debug_assert!(i <= MAX_THRESHOLDS);
    char::from(b'A' + i as u8)
}

/// `"1 day"` / `"n days"`.
fn days_en(n: i32) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

impl GradeLadder {
    pub const DEFAULT_DAYS: [i32; 5] = [7, 21, 90, 180, 360];

    /// A ladder from day thresholds: 1 to 25 of them, each `>= 0`, strictly increasing;
    /// anything else is 22023 naming the offending value and its (1-based) position.
    pub fn new(days: &[i32]) -> OpsResult<GradeLadder> {
        if days.is_empty() {
            return Err(OpsError::invalid(
                "grade thresholds must not be empty, give at least one day count",
            ));
        }
        if days.len() > MAX_THRESHOLDS {
            return Err(OpsError::invalid(format!(
                "at most {MAX_THRESHOLDS} grade thresholds are allowed (grades A to Z), got {}",
                days.len()
            )));
        }
        for (i, &d) in days.iter().enumerate() {
            if d < 0 {
                return Err(OpsError::invalid(format!(
                    "grade thresholds must not be negative, got {d} at position {}",
                    i + 1
                )));
            }
            if i > 0 && d <= days[i - 1] {
                return Err(OpsError::invalid(format!(
                    "grade thresholds must be strictly increasing, got {d} after {} at \
                     position {}",
                    days[i - 1],
                    i + 1
                )));
            }
        }
        Ok(GradeLadder {
            days: days.to_vec(),
        })
    }

    /// The day thresholds.
    pub fn days(&self) -> &[i32] {
        &self.days
    }

    /// The number of grades (thresholds + 1).
    pub fn grade_count(&self) -> usize {
        self.days.len() + 1
    }

    /// The last grade (`F` for the default ladder).
    pub fn last_grade(&self) -> char {
        letter(self.days.len())
    }

    /// The grade of a user last active at `last_active_at`, as of `as_of` (module docs).
    /// `None` when `last_active_at` is after `as_of`; 22023 for an infinite timestamp.
    pub fn grade(&self, last_active_at: i64, as_of: i64) -> OpsResult<Option<char>> {
        for (name, ts) in [("as_of", as_of), ("last_active_at", last_active_at)] {
            if is_infinite(ts) {
                return Err(OpsError::invalid(format!(
                    "{name} must be a finite timestamp, got {}",
                    fmt_ts(ts)
                )));
            }
        }
        if last_active_at > as_of {
            return Ok(None);
        }
        let idle = i128::from(as_of) - i128::from(last_active_at);
        let i = self
            .days
            .iter()
            .position(|&d| idle <= i128::from(d) * i128::from(USECS_PER_DAY))
            .unwrap_or(self.days.len());
        Ok(Some(letter(i)))
    }

    /// The grades, `A` to the last grade.
    pub fn letters(&self) -> impl Iterator<Item = char> {
        (0..self.grade_count()).map(letter)
    }

    /// Every grade with its bounds and labels, `A` first.
    pub fn rows(&self) -> Vec<GradeRow> {
        (0..self.grade_count()).map(|i| self.row(i)).collect()
    }

    fn row(&self, i: usize) -> GradeRow {
        let min_days = i.checked_sub(1).map(|j| self.days[j]);
        let max_days = self.days.get(i).copied();
        let (label_en, label_zh) = match (min_days, max_days) {
            (None, Some(hi)) => (
                format!("active within {}", days_en(hi)),
                format!("{hi}天内活跃"),
            ),
            (Some(lo), Some(hi)) => (
                format!("inactive {lo}-{hi} days"),
                format!("{lo}-{hi}天未活跃"),
            ),
            (Some(lo), None) => (
                format!("inactive over {}", days_en(lo)),
                format!("超过{lo}天未活跃"),
            ),
            (None, None) => unreachable!("a ladder has at least one threshold"),
        };
        GradeRow {
            grade: letter(i),
            min_days,
            max_days,
            label_en,
            label_zh,
        }
    }

    /// The label of `grade` in `lang` (`en` or `zh`); 22023 for another language or a
    /// letter that is not on this ladder.
    pub fn label(&self, grade: char, lang: &str) -> OpsResult<String> {
        if !LANGS.contains(&lang) {
            return Err(OpsError::invalid(format!(
                "unknown grade label lang '{}', known: 'en', 'zh'",
                quote(lang)
            )));
        }
        let i = match u8::try_from(grade) {
            Ok(b @ b'A'..=b'Z') if usize::from(b - b'A') < self.grade_count() => {
                usize::from(b - b'A')
            }
            _ => {
                return Err(OpsError::invalid(format!(
                    "grade '{grade}' is not on the ladder, grades are A to {}",
                    self.last_grade()
                )))
            }
        };
        let row = self.row(i);
        Ok(if lang == "en" {
            row.label_en
        } else {
            row.label_zh
        })
    }
}

/// A grade letter's index: `A` is 0, ..., `Z` is 25. Anything but a single ASCII
/// uppercase letter is 22023 quoting the text (cut to 60 characters).
pub fn parse_grade(text: &str) -> OpsResult<u8> {
    match text.as_bytes() {
        [b @ b'A'..=b'Z'] => Ok(b - b'A'),
        _ => Err(OpsError::invalid(format!(
            "grade must be a single letter A to Z, got '{}'",
            quote(text)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::time::{NEG_INFINITY, POS_INFINITY};
    use proptest::prelude::*;

    const D: i64 = USECS_PER_DAY;
    const AS_OF: i64 = 9_000 * D + 12_345;

    fn err(r: OpsResult<GradeLadder>) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        e.message
    }

    #[test]
    fn default_ladder_boundaries() {
        let l = GradeLadder::default();
        assert_eq!(l.days(), &GradeLadder::DEFAULT_DAYS);
        let g = |idle: i64| l.grade(AS_OF - idle, AS_OF).unwrap().unwrap();
        assert_eq!(g(0), 'A');
        assert_eq!(g(7 * D), 'A');
        assert_eq!(g(7 * D + 1), 'B');
        assert_eq!(g(21 * D), 'B');
        assert_eq!(g(21 * D + 1), 'C');
        assert_eq!(g(90 * D), 'C');
        assert_eq!(g(90 * D + 1), 'D');
        assert_eq!(g(180 * D), 'D');
        assert_eq!(g(180 * D + 1), 'E');
        assert_eq!(g(360 * D), 'E');
        assert_eq!(g(360 * D + 1), 'F');
        assert_eq!(g(100_000 * D), 'F');
        // After as_of: not yet.
        assert_eq!(l.grade(AS_OF + 1, AS_OF).unwrap(), None);
        // Extreme finite timestamps do not overflow.
        assert_eq!(l.grade(i64::MIN + 1, i64::MAX - 1).unwrap(), Some('F'));
        assert_eq!(l.last_grade(), 'F');
        assert_eq!(l.grade_count(), 6);
        assert_eq!(l.letters().collect::<String>(), "ABCDEF");
    }

    #[test]
    fn infinite_timestamps_are_errors() {
        let l = GradeLadder::default();
        for (last, as_of, what) in [
            (
                0,
                POS_INFINITY,
                "as_of must be a finite timestamp, got infinity",
            ),
            (
                0,
                NEG_INFINITY,
                "as_of must be a finite timestamp, got -infinity",
            ),
            (
                NEG_INFINITY,
                0,
                "last_active_at must be a finite timestamp, got -infinity",
            ),
            (
                POS_INFINITY,
                0,
                "last_active_at must be a finite timestamp, got infinity",
            ),
        ] {
            let e = l.grade(last, as_of).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter);
            assert_eq!(e.message, what);
        }
    }

    #[test]
    fn ladder_validation() {
        assert!(err(GradeLadder::new(&[])).contains("must not be empty"));
        let m = err(GradeLadder::new(&[7, 90, 21]));
        assert_eq!(
            m,
            "grade thresholds must be strictly increasing, got 21 after 90 at position 3"
        );
        let m = err(GradeLadder::new(&[7, 7]));
        assert!(m.contains("got 7 after 7 at position 2"), "{m}");
        let m = err(GradeLadder::new(&[-1, 5]));
        assert_eq!(
            m,
            "grade thresholds must not be negative, got -1 at position 1"
        );
        let many: Vec<i32> = (1..=26).collect();
        let m = err(GradeLadder::new(&many));
        assert!(m.contains("at most 25") && m.contains("got 26"), "{m}");
        let most: Vec<i32> = (1..=25).collect();
        let l = GradeLadder::new(&most).unwrap();
        assert_eq!(l.last_grade(), 'Z');
        assert_eq!(l.grade(0, 26 * D).unwrap(), Some('Z'));
        assert_eq!(l.grade(0, 25 * D).unwrap(), Some('Y'));
        // A zero threshold: A only for no idle time at all.
        let l = GradeLadder::new(&[0]).unwrap();
        assert_eq!(l.grade(AS_OF, AS_OF).unwrap(), Some('A'));
        assert_eq!(l.grade(AS_OF - 1, AS_OF).unwrap(), Some('B'));
        assert_eq!(GradeLadder::new(&[0, i32::MAX]).unwrap().grade_count(), 3);
    }

    #[test]
    fn default_rows_and_labels() {
        let rows = GradeLadder::default().rows();
        let want = [
            ('A', None, Some(7), "active within 7 days", "7天内活跃"),
            ('B', Some(7), Some(21), "inactive 7-21 days", "7-21天未活跃"),
            (
                'C',
                Some(21),
                Some(90),
                "inactive 21-90 days",
                "21-90天未活跃",
            ),
            (
                'D',
                Some(90),
                Some(180),
                "inactive 90-180 days",
                "90-180天未活跃",
            ),
            (
                'E',
                Some(180),
                Some(360),
                "inactive 180-360 days",
                "180-360天未活跃",
            ),
            (
                'F',
                Some(360),
                None,
                "inactive over 360 days",
                "超过360天未活跃",
            ),
        ];
        assert_eq!(rows.len(), want.len());
        for (row, (g, lo, hi, en, zh)) in rows.iter().zip(want) {
            assert_eq!(
                row,
                &GradeRow {
                    grade: g,
                    min_days: lo,
                    max_days: hi,
                    label_en: en.into(),
                    label_zh: zh.into(),
                }
            );
            let l = GradeLadder::default();
            assert_eq!(l.label(g, "en").unwrap(), en);
            assert_eq!(l.label(g, "zh").unwrap(), zh);
        }
    }

    #[test]
    fn custom_ladder_labels_and_label_errors() {
        let l = GradeLadder::new(&[1, 30]).unwrap();
        let en: Vec<String> = l.rows().into_iter().map(|r| r.label_en).collect();
        assert_eq!(
            en,
            [
                "active within 1 day",
                "inactive 1-30 days",
                "inactive over 30 days"
            ]
        );
        let l = GradeLadder::new(&[3]).unwrap();
        assert_eq!(l.label('B', "en").unwrap(), "inactive over 3 days");
        assert_eq!(l.label('B', "zh").unwrap(), "超过3天未活跃");
        assert_eq!(
            GradeLadder::new(&[5, 10])
                .unwrap()
                .label('C', "en")
                .unwrap(),
            "inactive over 10 days"
        );
        let l = GradeLadder::default();
        for (g, lang, want) in [
            (
                'G',
                "en",
                "grade 'G' is not on the ladder, grades are A to F",
            ),
            (
                'a',
                "en",
                "grade 'a' is not on the ladder, grades are A to F",
            ),
            (
                '€',
                "zh",
                "grade '€' is not on the ladder, grades are A to F",
            ),
            (
                'A',
                "fr",
                "unknown grade label lang 'fr', known: 'en', 'zh'",
            ),
        ] {
            let e = l.label(g, lang).unwrap_err();
            assert_eq!(
                (e.kind, e.message.as_str()),
                (ErrorKind::InvalidParameter, want)
            );
        }
        let long = "x".repeat(1000);
        let m = l.label('A', &long).unwrap_err().message;
        assert!(m.len() < 120, "{m}");
    }

    #[test]
    fn parse_grade_accepts_only_one_uppercase_letter() {
        assert_eq!(parse_grade("A").unwrap(), 0);
        assert_eq!(parse_grade("F").unwrap(), 5);
        assert_eq!(parse_grade("Z").unwrap(), 25);
        for bad in ["", "a", "AB", "€", " A", "A ", "1", "@", "[", "Ａ"] {
            let e = parse_grade(bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter);
            assert_eq!(
                e.message,
                format!("grade must be a single letter A to Z, got '{bad}'")
            );
        }
        let m = parse_grade(&"B".repeat(500)).unwrap_err().message;
        assert!(m.ends_with("...'") && m.len() < 110, "{m}");
    }

    proptest! {
        /// The grade agrees with a naive day-by-day reading of the ladder, and moves one
        /// step at a time as idle time grows.
        #[test]
        fn grade_matches_naive_rule(
            steps in prop::collection::vec(1i32..60, 1..8),
            first in 0i32..10,
            idle in 0i64..(500 * D),
        ) {
            let mut days = vec![first];
            for s in steps {
                days.push(days.last().unwrap() + s);
            }
            let l = GradeLadder::new(&days).unwrap();
            let got = l.grade(AS_OF - idle, AS_OF).unwrap().unwrap();
            let mut want = 'A';
            for &d in &days {
                // idle strictly beyond d whole days moves up one grade
                if idle > i64::from(d) * D {
                    want = char::from(want as u8 + 1);
                }
            }
            prop_assert_eq!(got, want);
            let row = &l.rows()[usize::from(got as u8 - b'A')];
            prop_assert!(row.min_days.is_none_or(|lo| idle > i64::from(lo) * D));
            prop_assert!(row.max_days.is_none_or(|hi| idle <= i64::from(hi) * D));
            prop_assert_eq!(parse_grade(&got.to_string()).unwrap(), got as u8 - b'A');
        }
    }
}
