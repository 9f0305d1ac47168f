//! `generate_demo_events`: deterministic demo and benchmark data (see `core/src/demo.rs`).

use pg_operations_core::demo;
use pgrx::prelude::*;

/// Raw generator; `generate_demo_events` (sql/demo.sql) wraps it to turn cents into numeric.
#[pg_extern(immutable, parallel_safe, strict)]
fn generate_demo_events_raw(
    users: i64,
    days: i32,
    seed: i64,
) -> TableIterator<
    'static,
    (
        name!(user_id, i64),
        name!(ts, TimestampWithTimeZone),
        name!(event, &'static str),
        name!(channel, &'static str),
        name!(amount_cents, Option<i64>),
    ),
> {
    if users < 0 {
        crate::errors::invalid(format!("users must not be negative, got {users}"));
    }
    if !(1..=3650).contains(&days) {
        crate::errors::invalid(format!("days must be between 1 and 3650, got {days}"));
    }
    TableIterator::new(demo::events(users, days, seed).map(|e| {
        let ts = TimestampWithTimeZone::try_from(e.ts).expect("generated timestamps are finite");
        (e.user_id, ts, e.event, e.channel, e.amount_cents)
    }))
}

extension_sql_file!(
    "../sql/demo.sql",
    name = "demo_sql",
    requires = [generate_demo_events_raw]
);
