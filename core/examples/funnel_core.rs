//! Times the pure-Rust one-shot funnel on generated events, without PostgreSQL:
//! `cargo run --release -p pg_operations_core --example funnel_core [USERS]`.
//! It bounds what the SQL aggregate can achieve: the rest is PostgreSQL's per-row cost.
use pg_operations_core::demo;
use pg_operations_core::funnel::{FunnelConfig, FunnelMode, FunnelSpec, PopulationFunnel};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let users: i64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500_000);
    let events: Vec<_> = demo::events(users, 180, 42).collect();
    let steps: Vec<String> = demo::INVEST_FUNNEL.iter().map(|s| s.to_string()).collect();
    let t = Instant::now();
    let cfg = FunnelConfig::new(steps.len(), 7 * 86_400_000_000, FunnelMode::default()).unwrap();
    let mut f =
        PopulationFunnel::<i64>::for_events(Arc::new(FunnelSpec::plain(cfg)), steps, Vec::new())
            .unwrap();
    for e in &events {
        f.push_event(e.user_id, e.ts, Some(e.event), None);
    }
    let pushed = t.elapsed();
    let rows = f.finish(&mut || {}).unwrap();
    println!(
        "{} events, {} users: push {:.3} s, finish {:.3} s; pay users {}",
        events.len(),
        users,
        pushed.as_secs_f64(),
        (t.elapsed() - pushed).as_secs_f64(),
        rows.last().map(|r| r.users).unwrap_or(0)
    );
}
