//! Times the pure-Rust cohort retention matrix on generated time-ordered events, without
//! PostgreSQL: `cargo run --release -p pg_operations_core --example retention_core [ROWS]
//! [USERS]` (default 5M kept rows over 500k users, each user's rows spread over the table).
use pg_operations_core::retention::{
    CohortRetention, Counting, Entry, Period, RetentionDefinition,
};
use std::time::Instant;

const DAY: i64 = 86_400_000_000;

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<i64>().ok());
    let rows = args.next().flatten().unwrap_or(5_000_000);
    let users = args.next().flatten().unwrap_or(500_000);
    // Time order: row i at i × 180 days / rows; a pseudo-random user per row; every row kept
    // (about 1 in 5 a cohort event, the others returns, some both).
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let events: Vec<(i64, i64, bool, bool)> = (0..rows)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let user = (x % users as u64) as i64;
            let kind = (x >> 32) % 10;
            (
                user,
                8_000 * DAY + i * (180 * DAY / rows),
                kind < 2,
                kind >= 1,
            )
        })
        .collect();
    let names: Vec<String> = (0..users).map(|u| format!("user-{u}")).collect();
    let as_of = 8_000 * DAY + 200 * DAY;
    for (period, entry, counting) in [
        (Period::Week, Entry::First, Counting::On),
        (Period::Day, Entry::Recurring, Counting::OnOrAfter),
    ] {
        let def = RetentionDefinition::new(period, 12, entry, counting, as_of).unwrap();
        let t = Instant::now();
        let mut s = CohortRetention::<i64>::new(def).unwrap();
        for &(u, ts, c, r) in &events {
            s.push(u, ts, c, r);
        }
        let pushed = t.elapsed();
        let cells = s.finish(&mut || {}).unwrap();
        let total = t.elapsed();
        let t = Instant::now();
        let mut st = CohortRetention::<String>::new(def).unwrap();
        for &(u, ts, c, r) in &events {
            st.push_str(&names[u as usize], ts, c, r);
        }
        let spushed = t.elapsed();
        let scells = st.finish(&mut || {}).unwrap();
        let stotal = t.elapsed();
        assert_eq!(cells, scells);
        let retained: i64 = cells.iter().map(|c| c.retained).sum();
        println!(
            "{period} {entry} {counting}: {rows} rows, {users} users: bigint push {:.3} s, \
             finish {:.3} s; text push {:.3} s, finish {:.3} s; {} cells, retained sum {retained}",
            pushed.as_secs_f64(),
            (total - pushed).as_secs_f64(),
            spushed.as_secs_f64(),
            (stotal - spushed).as_secs_f64(),
            cells.len(),
        );
    }
}
