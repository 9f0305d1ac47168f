//! `generate_demo_events`: deterministic demo and benchmark data (see `core/src/demo.rs`).

use crate::pg::errors::OrRaise;
use pg_operations_core::demo;
use pgrx::IntoDatum;

pg_operations_macros::declare! {
    fn generate_demo_events_raw(users bigint, days int, seed bigint)
        -> table (user_id bigint, ts timestamptz, event text, channel text, amount_cents bigint)
        strict internal
        "Internal: generate_demo_events with amounts in integer cents."
        = |a| {
            let (users, days) = (a.users(), a.days());
            demo::check_args(users, days).or_raise();
            demo::events(users, days, a.seed()).map(|e| {
                vec![
                    e.user_id.into_datum(),
                    Some(pgrx::pg_sys::Datum::from(e.ts)),
                    e.event.into_datum(),
                    e.channel.into_datum(),
                    e.amount_cents.into_datum(),
                ]
            })
        };

    // The body names the raw function with its schema: a SQL function body is resolved with
    // the caller's search_path, which must not be able to redirect it.
    fn generate_demo_events(users bigint, days int = 180, seed bigint = 42)
        -> table (user_id bigint, ts timestamptz, event text, channel text, amount numeric)
        strict
        "Deterministic demo data: users 1..users over days days from 2026-01-01 UTC (same seed, same rows). Events: register, view_list, view_detail, click_invest, click_submit, pay (amount), redeem (amount); channels app_store, search_ads, referral, social, partner differ in traffic and quality. About 20 events per user."
        sql "SELECT g.user_id, g.ts, g.event, g.channel, g.amount_cents * 0.01
             FROM _pg_operations_internal.generate_demo_events_raw(users, days, seed) AS g";
}
