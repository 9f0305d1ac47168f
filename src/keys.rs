//! Per-row helpers shared by the population aggregates: a user id as a transition receives
//! it (`bigint`, or `text` borrowed from the row, allocated only for a user not seen before).

use pg_operations_core::activity::{ActivitySeries, PeriodLifecycle};
use pg_operations_core::funnel::{PopulationFunnel, UserKey};
use pg_operations_core::retention::CohortRetention;

/// A user id argument, pushed into the states keyed by user.
pub(crate) trait SqlKey: Copy {
    type Owned: UserKey + 'static;
    fn funnel(self, s: &mut PopulationFunnel<Self::Owned>, ts: i64, mask: u64);
    fn funnel_event(self, s: &mut PopulationFunnel<Self::Owned>, ts: i64, event: &str);
    fn report(
        self,
        s: &mut PopulationFunnel<Self::Owned>,
        ts: i64,
        mask: u64,
        excl: u32,
        held: Option<&str>,
    );
    fn matrix(self, m: &mut CohortRetention<Self::Owned>, ts: i64, cohort: bool, ret: bool);
    fn activity(self, s: &mut ActivitySeries<Self::Owned>, ts: i64);
    fn lifecycle(self, s: &mut PeriodLifecycle<Self::Owned>, ts: i64);
}

impl SqlKey for i64 {
    type Owned = i64;
    fn funnel(self, s: &mut PopulationFunnel<i64>, ts: i64, mask: u64) {
        s.push(self, ts, mask, 0, None);
    }
    fn funnel_event(self, s: &mut PopulationFunnel<i64>, ts: i64, event: &str) {
        s.push_event(self, ts, Some(event), None);
    }
    fn report(
        self,
        s: &mut PopulationFunnel<i64>,
        ts: i64,
        mask: u64,
        excl: u32,
        held: Option<&str>,
    ) {
        s.push(self, ts, mask, excl, held);
    }
    fn matrix(self, m: &mut CohortRetention<i64>, ts: i64, cohort: bool, ret: bool) {
        m.push(self, ts, cohort, ret);
    }
    fn activity(self, s: &mut ActivitySeries<i64>, ts: i64) {
        s.push(self, ts);
    }
    fn lifecycle(self, s: &mut PeriodLifecycle<i64>, ts: i64) {
        s.push(self, ts);
    }
}

impl SqlKey for &str {
    type Owned = String;
    fn funnel(self, s: &mut PopulationFunnel<String>, ts: i64, mask: u64) {
        s.push_str(self, ts, mask, 0, None);
    }
    fn funnel_event(self, s: &mut PopulationFunnel<String>, ts: i64, event: &str) {
        s.push_event_str(self, ts, Some(event), None);
    }
    fn report(
        self,
        s: &mut PopulationFunnel<String>,
        ts: i64,
        mask: u64,
        excl: u32,
        held: Option<&str>,
    ) {
        s.push_str(self, ts, mask, excl, held);
    }
    fn matrix(self, m: &mut CohortRetention<String>, ts: i64, cohort: bool, ret: bool) {
        m.push_str(self, ts, cohort, ret);
    }
    fn activity(self, s: &mut ActivitySeries<String>, ts: i64) {
        s.push_str(self, ts);
    }
    fn lifecycle(self, s: &mut PeriodLifecycle<String>, ts: i64) {
        s.push_str(self, ts);
    }
}
