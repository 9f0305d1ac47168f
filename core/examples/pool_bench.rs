//! Times the per-user funnel pool (`UserPool`) without PostgreSQL: rows of many groups
//! arriving in time order, interleaved (the layout of a real event table under
//! `GROUP BY user_id`), pushed, then placed and evaluated by the first level asked.
//! `cargo run --release -p pg_operations_core --example pool_bench [ROWS] [GROUPS]`
//! (default 10M rows over 500k groups, 5 steps, 7 days).
use pg_operations_core::funnel::{FunnelConfig, FunnelMode, FunnelSpec, UserPool};
use std::sync::Arc;
use std::time::Instant;

const DAY: i64 = 86_400_000_000;

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().ok());
    let rows = args.next().flatten().unwrap_or(10_000_000);
    let groups = args.next().flatten().unwrap_or(500_000);
    let cfg = FunnelConfig::new(5, 7 * DAY, FunnelMode::parse("default").unwrap()).unwrap();
    let spec = Arc::new(FunnelSpec::plain(cfg));
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let input: Vec<(u32, i64, u64)> = (0..rows)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let g = (x % groups as u64) as u32;
            let step = (x >> 40) % 6; // 5 steps and rows matching none
            let mask = if step == 5 { 0 } else { 1 << step };
            (g, i as i64 * (180 * DAY / rows as i64), mask)
        })
        .collect();
    for run in 0..3 {
        let t = Instant::now();
        let mut pool = UserPool::new(spec.clone()).unwrap();
        let ids: Vec<u32> = (0..groups).map(|_| pool.group().unwrap()).collect();
        for &(g, ts, mask) in &input {
            pool.push(ids[g as usize], ts, mask, 0);
        }
        let pushed = t.elapsed();
        let t2 = Instant::now();
        let _ = pool.take(ids[0], &mut || {});
        let placed = t2.elapsed();
        let t3 = Instant::now();
        let first = pool.level(ids[0], &mut || {});
        let evaluated = t3.elapsed();
        let sum: usize = ids.iter().map(|&id| pool.level(id, &mut || {})).sum();
        println!(
            "run {run}: push {:.3} s, place {:.3} s, evaluate {:.3} s ({} rows kept, level sum {sum}, first {first})",
            pushed.as_secs_f64(),
            placed.as_secs_f64(),
            evaluated.as_secs_f64(),
            pool.rows()
        );
    }
}
