//! New-user onboarding reminders (`onboarding_reminder`): which reminder is due today.
//!
//! A registered user who has taken no action gets reminders on fixed days after
//! registration (default days 2, 5, 7 and 15); a user still without any action more than
//! `dead_days` (default 30) after registration is dead and gets none. Day `n` is the `n`-th
//! calendar day after the registration day (the caller counts calendar days in its time
//! zone), so a daily job run at any hour selects the same users.

use crate::error::{OpsError, OpsResult};

/// Validated reminder days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderDays {
    days: Vec<i32>,
    dead_days: i32,
}

impl ReminderDays {
    /// The documented default cadence.
    pub const DEFAULT_DAYS: [i32; 4] = [2, 5, 7, 15];
    /// The default `dead_days`.
    pub const DEFAULT_DEAD_DAYS: i32 = 30;

    /// Errors (`invalid`): no day, more than 366 days, a day below 1, days not strictly
    /// increasing, `dead_days` below 1, or a day at or after `dead_days` (that reminder
    /// would go to a dead user).
    pub fn new(days: &[i32], dead_days: i32) -> OpsResult<ReminderDays> {
        if dead_days < 1 {
            return Err(OpsError::invalid(format!(
                "dead_days must be at least 1, got {dead_days}"
            )));
        }
        if days.is_empty() || days.len() > 366 {
            return Err(OpsError::invalid(format!(
                "reminder days must list 1 to 366 days, got {}",
                days.len()
            )));
        }
        for (i, &d) in days.iter().enumerate() {
            if d < 1 {
                return Err(OpsError::invalid(format!(
                    "reminder days must be at least 1, got {d}"
                )));
            }
            if i > 0 && d <= days[i - 1] {
                return Err(OpsError::invalid(format!(
                    "reminder days must be strictly increasing, got {d} after {}",
                    days[i - 1]
                )));
            }
            if d >= dead_days {
                return Err(OpsError::invalid(format!(
                    "reminder day {d} is not before dead_days ({dead_days}): the user is dead by then"
                )));
            }
        }
        Ok(ReminderDays {
            days: days.to_vec(),
            dead_days,
        })
    }

    pub fn dead_days(&self) -> i32 {
        self.dead_days
    }

    /// The reminder due on calendar day `day` after the registration day (0 = the
    /// registration day) for a user who has `acted` or not: `Some(day)` when `day` is one of
    /// the reminder days and the user has not acted, else `None`.
    pub fn due(&self, day: i64, acted: bool) -> Option<i32> {
        if acted {
            return None;
        }
        let d = i32::try_from(day).ok()?;
        self.days.binary_search(&d).ok().map(|_| d)
    }
}

impl Default for ReminderDays {
    fn default() -> Self {
        ReminderDays::new(&Self::DEFAULT_DAYS, Self::DEFAULT_DEAD_DAYS).expect("valid defaults")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn default_cadence() {
        let r = ReminderDays::default();
        let due: Vec<(i64, i32)> = (-3..40)
            .filter_map(|d| r.due(d, false).map(|x| (d, x)))
            .collect();
        assert_eq!(due, vec![(2, 2), (5, 5), (7, 7), (15, 15)]);
        assert!((-3..40).all(|d| r.due(d, true).is_none()));
        assert_eq!(r.due(i64::MAX, false), None);
    }

    #[test]
    fn validation() {
        for (days, dead, needle) in [
            (vec![], 30, "1 to 366 days, got 0"),
            (vec![0, 2], 30, "at least 1, got 0"),
            (vec![2, 2], 30, "strictly increasing, got 2 after 2"),
            (vec![5, 3], 30, "got 3 after 5"),
            (
                vec![2, 30],
                30,
                "reminder day 30 is not before dead_days (30)",
            ),
            (vec![2], 0, "dead_days must be at least 1, got 0"),
        ] {
            let e = ReminderDays::new(&days, dead).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter);
            assert!(e.message.contains(needle), "{} vs {needle}", e.message);
        }
        assert!(ReminderDays::new(&[1, 29], 30).is_ok());
    }
}
