//! Deterministic demo and benchmark data: an internet-finance app's event stream.
//!
//! Every user gets an independent random stream seeded from `(seed, user_id)`, so the same
//! seed always yields the same rows, in any order of generation. Channels differ in
//! traffic and quality; users register, browse the investment funnel (view_list →
//! view_detail → click_invest → click_submit → pay), invest again, redeem, go dormant or churn.

use crate::error::{OpsError, OpsResult};
use crate::time::{USECS_PER_DAY, USECS_PER_SEC};

/// 2026-01-01 00:00:00 UTC in PostgreSQL microseconds (since 2000-01-01).
pub const DEMO_START: i64 = 9497 * USECS_PER_DAY;

/// The investment funnel's event names, in order.
pub const INVEST_FUNNEL: [&str; 5] = [
    "view_list",
    "view_detail",
    "click_invest",
    "click_submit",
    "pay",
];

/// Acquisition channels: (name, share of users, quality multiplier for conversion).
pub const CHANNELS: [(&str, f64, f64); 5] = [
    ("app_store", 0.30, 1.25),  // high traffic, high quality: a star
    ("search_ads", 0.35, 0.55), // high traffic, low quality: leaky
    ("referral", 0.10, 1.60),   // low traffic, high quality: potential
    ("social", 0.12, 0.50),     // low traffic, low quality: weak
    ("partner", 0.13, 0.95),    // middling
];

/// One generated row; `amount_cents` is set on `pay` and `redeem` events.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoEvent {
    pub user_id: i64,
    pub ts: i64,
    pub event: &'static str,
    pub channel: &'static str,
    pub amount_cents: Option<i64>,
}

/// SplitMix64: tiny, fast, and good enough for synthetic data.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Uniform integer in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
}

/// Events of one user over `days` days starting at [`DEMO_START`], sorted by time.
pub fn user_events(seed: i64, user_id: i64, days: i32) -> Vec<DemoEvent> {
    let mut rng = Rng::new((seed as u64).wrapping_mul(0x2545_F491_4F6C_DD1D) ^ user_id as u64);
    let days = days.max(1) as i64;
    let horizon = days * USECS_PER_DAY;
    let pick = rng.unit();
    let mut acc = 0.0;
    let (channel, quality) = CHANNELS
        .iter()
        .find(|(_, share, _)| {
            acc += share;
            pick < acc
        })
        .map(|(n, _, q)| (*n, *q))
        .unwrap_or((CHANNELS[4].0, CHANNELS[4].2));
    // Registration anywhere in the period; engagement profile decides how long the user stays.
    let registered = (rng.unit() * horizon as f64 * 0.9) as i64;
    let profile = rng.unit();
    let active_span = if profile < 0.45 {
        horizon // loyal: active to the end
    } else if profile < 0.75 {
        (rng.unit() * 60.0 * USECS_PER_DAY as f64) as i64 // churns within two months
    } else {
        (rng.unit() * 5.0 * USECS_PER_DAY as f64) as i64 // tries the app once or twice
    };
    let end = (registered + active_span).min(horizon);
    let mut out = Vec::with_capacity(24);
    let mut push = |ts: i64, event: &'static str, amount: Option<i64>| {
        out.push(DemoEvent {
            user_id,
            ts: DEMO_START + ts,
            event,
            channel,
            amount_cents: amount,
        });
    };
    push(registered, "register", None);
    // Sessions: exponential gaps averaging 4 days, some users come back after a long pause.
    let mut t = registered + (rng.unit() * 3600.0 * USECS_PER_SEC as f64) as i64;
    let mut invested = false;
    while t < end {
        let mut s = t;
        let step =
            |s: &mut i64, rng: &mut Rng| *s += (5.0 + rng.unit() * 600.0) as i64 * USECS_PER_SEC;
        push(s, "view_list", None);
        let base = if invested { 0.55 } else { 0.35 };
        if rng.chance((base * quality).min(0.95)) {
            step(&mut s, &mut rng);
            push(s, "view_detail", None);
            if rng.chance((0.45 * quality).min(0.95)) {
                step(&mut s, &mut rng);
                push(s, "click_invest", None);
                if rng.chance(0.7) {
                    step(&mut s, &mut rng);
                    push(s, "click_submit", None);
                    if rng.chance((0.6 * quality).min(0.97)) {
                        step(&mut s, &mut rng);
                        let amount = 10_000
                            * (1 + rng.below(50) as i64)
                            * if rng.chance(0.1) { 10 } else { 1 };
                        push(s, "pay", Some(amount));
                        invested = true;
                    }
                }
            }
        }
        if invested && rng.chance(0.08) {
            step(&mut s, &mut rng);
            push(s, "redeem", Some(10_000 * (1 + rng.below(20) as i64)));
        }
        let gap_days = -(1.0 - rng.unit()).ln() * 4.0;
        let pause = if rng.chance(0.03) { 120.0 } else { 0.0 };
        t += ((gap_days + pause) * USECS_PER_DAY as f64) as i64 + 1;
    }
    out
}

/// The most users one call generates (about 20 events each, so about 200 million rows):
/// a set-returning function's rows are materialized before any `LIMIT` applies, so an
/// unbounded call would fill the disk with temporary files.
pub const MAX_USERS: i64 = 10_000_000;

/// Checks the arguments of `generate_demo_events`: `users` in 0 ..= [`MAX_USERS`] (more is
/// 54000), `days` in 1 ..= 3650.
pub fn check_args(users: i64, days: i32) -> OpsResult<()> {
    if users < 0 {
        return Err(OpsError::invalid(format!(
            "users must not be negative, got {users}"
        )));
    }
    if users > MAX_USERS {
        return Err(OpsError::limit(format!(
            "users must be at most {MAX_USERS} (about 20 events each) per call, got {users}; \
             generate larger data in several calls"
        )));
    }
    if !(1..=3650).contains(&days) {
        return Err(OpsError::invalid(format!(
            "days must be between 1 and 3650, got {days}"
        )));
    }
    Ok(())
}

/// All events for users `1..=users`, user by user.
pub fn events(users: i64, days: i32, seed: i64) -> impl Iterator<Item = DemoEvent> {
    (1..=users.max(0)).flat_map(move |u| user_events(seed, u, days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_limits() {
        assert!(check_args(0, 1).is_ok());
        assert!(check_args(MAX_USERS, 3650).is_ok());
        assert!(check_args(-1, 10).is_err());
        assert!(check_args(1, 0).is_err());
        assert!(check_args(1, 3651).is_err());
        let e = check_args(i64::MAX, 10).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::LimitExceeded);
    }

    #[test]
    fn deterministic_and_plausible() {
        let a: Vec<_> = events(2000, 180, 42).collect();
        let b: Vec<_> = events(2000, 180, 42).collect();
        assert_eq!(a, b);
        let c: Vec<_> = events(2000, 180, 43).collect();
        assert_ne!(a, c);
        let per_user = a.len() as f64 / 2000.0;
        assert!(
            (8.0..40.0).contains(&per_user),
            "{per_user} events per user"
        );
        for e in &a {
            assert!(e.ts >= DEMO_START && e.ts < DEMO_START + 181 * USECS_PER_DAY);
            assert_eq!(
                e.amount_cents.is_some(),
                e.event == "pay" || e.event == "redeem"
            );
        }
        for name in INVEST_FUNNEL.iter().chain(["register", "redeem"].iter()) {
            assert!(a.iter().any(|e| e.event == *name), "{name} missing");
        }
        // Channels differ in quality: app_store converts better than search_ads.
        let rate = |ch: &str| {
            let users: std::collections::HashSet<_> = a
                .iter()
                .filter(|e| e.channel == ch)
                .map(|e| e.user_id)
                .collect();
            let payers: std::collections::HashSet<_> = a
                .iter()
                .filter(|e| e.channel == ch && e.event == "pay")
                .map(|e| e.user_id)
                .collect();
            payers.len() as f64 / users.len() as f64
        };
        assert!(rate("app_store") > rate("search_ads"));
    }
}
