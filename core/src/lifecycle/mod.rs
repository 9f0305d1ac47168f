//! User lifecycle stages (`lifecycle_stage`, `lifecycle_code`): a scalar over a user summary
//! row and an aggregate over a user's raw events, which can also detect `'reactivated'`.
//!
//! See `../shared/API.md`, "5. Lifecycle". Every comparison is exact, in microseconds:
//! `N` days is `N * USECS_PER_DAY` (computed in `i128`, so no threshold can overflow).
//!
//! `rules.rs` holds the day [`Thresholds`], the [`Stage`]s and the scalar rules ([`stage`]);
//! `state.rs` the aggregate's [`LifecycleState`] and its [`PartialState`](crate::PartialState)
//! impl.

pub mod onboarding;
mod rules;
mod state;

pub use onboarding::ReminderDays;
pub use rules::{data_issue, stage, Stage, Thresholds};
pub use state::{LifecycleState, MAX_LEN};

/// Constants shared by the unit tests of the submodules.
#[cfg(test)]
pub(crate) mod testing {
    use super::Thresholds;
    use crate::time::{USECS_PER_DAY, USECS_PER_SEC};

    pub const D: i64 = USECS_PER_DAY;
    pub const AS_OF: i64 = 9_000 * D + 12 * 3600 * USECS_PER_SEC;
    pub const T: Thresholds = Thresholds::DEFAULT;

    /// The three probes around a boundary `b`: b − 1µs, b, b + 1µs.
    pub fn around(b: i64) -> [i64; 3] {
        [b - 1, b, b + 1]
    }
}
