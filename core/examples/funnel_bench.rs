//! The one-shot population funnel, old engine (a hash map of per-user row vectors) against
//! the flat sort-based [`PopulationFunnel`], single-threaded, without PostgreSQL:
//!
//! ```text
//! cargo run --release -p pg_operations_core --example funnel_bench [ROWS] [USERS] [RUNS]
//! cargo run --release -p pg_operations_core --example funnel_bench -- --rowbinary FILE
//! ```
//!
//! Generates ROWS events (default 10M) of USERS users (500K) over 60 days in time order
//! (each row's user drawn at random, so a user's rows are spread over the table, as in a real
//! event table), 5 event types of which 4 are the funnel's steps, window 7 days, and times
//! push + finish of each engine (best of RUNS, default 3). Both engines evaluate each user
//! with the same `engine::deepest` and report the same rows (checked).
//!
//! `--rowbinary FILE` reads the events instead from ClickHouse `RowBinary` rows
//! `(uid UInt64, ts UInt64 microseconds, ev UInt8)` (`ev` 0..3 = steps 1..4), e.g. written by
//! chdb, and prints the level histogram to compare with `windowFunnel`'s.
use hashbrown::HashMap;
use pg_operations_core::funnel::engine::deepest;
use pg_operations_core::funnel::{
    step_rows, FunnelConfig, FunnelMode, FunnelSpec, PopulationFunnel, Row, StepDurations, StepRow,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DAY: i64 = 86_400_000_000;

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// (user, ts, step mask) in time order.
fn generate(rows: usize, users: u64) -> Vec<(i64, i64, u64)> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let step = 60 * DAY / rows as i64;
    (0..rows)
        .map(|i| {
            let user = (rng.next() % users) as i64;
            let kind = rng.next() % 5;
            let mask = if kind < 4 { 1 << kind } else { 0 };
            (user, i as i64 * step, mask)
        })
        .collect()
}

fn read_rowbinary(path: &str) -> Vec<(i64, i64, u64)> {
    let bytes = std::fs::read(path).expect("a readable RowBinary file");
    bytes
        .chunks_exact(17)
        .map(|r| {
            let uid = u64::from_le_bytes(r[..8].try_into().unwrap()) as i64;
            let ts = u64::from_le_bytes(r[8..16].try_into().unwrap()) as i64;
            let mask = if r[16] < 4 { 1 << r[16] } else { 0 };
            (uid, ts, mask)
        })
        .collect()
}

/// The old engine: every user's kept rows in a hash map of vectors, each user's rows sorted
/// and evaluated at the end.
struct Old {
    spec: FunnelSpec,
    users: HashMap<i64, Vec<Row>>,
}

impl Old {
    fn push(&mut self, key: i64, ts: i64, mask: u64) {
        let rows = self.users.entry(key).or_default();
        if mask != 0 {
            rows.push(Row::new(ts, mask));
        }
    }

    fn finish(&mut self) -> Vec<StepRow> {
        let n = self.spec.cfg.nsteps;
        let mut histogram = vec![0i64; n + 1];
        let mut durations = StepDurations::new(n);
        let mut times = Vec::new();
        for rows in self.users.values_mut() {
            rows.sort_by_key(|r| r.ts);
            let out = deepest(rows, &self.spec, true);
            histogram[out.level] += 1;
            times.clear();
            times.extend(out.path.iter().map(|&i| rows[i as usize].ts));
            durations.push_chain(&times);
        }
        step_rows(&histogram, None, Some(durations))
    }
}

fn best_of<T>(
    runs: usize,
    mut f: impl FnMut() -> (Duration, Duration, T),
) -> (Duration, Duration, T) {
    let mut best: Option<(Duration, Duration, T)> = None;
    for _ in 0..runs {
        let r = f();
        if best.as_ref().is_none_or(|b| r.0 + r.1 < b.0 + b.1) {
            best = Some(r);
        }
    }
    best.unwrap()
}

fn show(name: &str, (push, finish, rows): &(Duration, Duration, Vec<StepRow>)) {
    println!(
        "{name:<28} push {:>7.3} s  finish {:>7.3} s  total {:>7.3} s   users per step {:?}",
        push.as_secs_f64(),
        finish.as_secs_f64(),
        (*push + *finish).as_secs_f64(),
        rows.iter().map(|r| r.users).collect::<Vec<_>>()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (events, runs) = if args.first().map(String::as_str) == Some("--rowbinary") {
        (read_rowbinary(&args[1]), 1)
    } else {
        let rows = args
            .first()
            .and_then(|a| a.parse().ok())
            .unwrap_or(10_000_000);
        let users = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(500_000);
        (
            generate(rows, users),
            args.get(2).and_then(|a| a.parse().ok()).unwrap_or(3),
        )
    };
    let cfg = FunnelConfig::new(4, 7 * DAY, FunnelMode::default()).unwrap();
    let spec = Arc::new(FunnelSpec::plain(cfg));
    let texts: Vec<String> = events.iter().map(|e| format!("user-{}", e.0)).collect();
    println!(
        "{} events, {} kept, time-ordered input, 4 steps, window 7 days, best of {runs}",
        events.len(),
        events.iter().filter(|e| e.2 != 0).count()
    );

    let old = best_of(runs, || {
        let t = Instant::now();
        let mut s = Old {
            spec: (*spec).clone(),
            users: HashMap::new(),
        };
        for &(u, ts, m) in &events {
            s.push(u, ts, m);
        }
        let pushed = t.elapsed();
        let rows = s.finish();
        (pushed, t.elapsed() - pushed, rows)
    });
    show("old (hash map of vectors)", &old);

    let new = best_of(runs, || {
        let t = Instant::now();
        let mut s = PopulationFunnel::<i64>::new(spec.clone(), None).unwrap();
        for &(u, ts, m) in &events {
            s.push(u, ts, m, 0, None);
        }
        let pushed = t.elapsed();
        let rows = s.finish(&mut || {}).unwrap();
        (pushed, t.elapsed() - pushed, rows)
    });
    show("new (flat + radix), bigint", &new);

    let text = best_of(runs, || {
        let t = Instant::now();
        let mut s = PopulationFunnel::<String>::new(spec.clone(), None).unwrap();
        for (&(_, ts, m), u) in events.iter().zip(&texts) {
            s.push_str(u, ts, m, 0, None);
        }
        let pushed = t.elapsed();
        let rows = s.finish(&mut || {}).unwrap();
        (pushed, t.elapsed() - pushed, rows)
    });
    show("new (flat + radix), text", &text);

    assert_eq!(old.2, new.2, "the engines disagree");
    assert_eq!(text.2, new.2, "text and bigint keys disagree");
    let users: Vec<i64> = new.2.iter().map(|r| r.users).collect();
    let population = (new.2[0].users as f64 / new.2[0].rate_from_previous.unwrap()).round() as i64;
    let mut levels = vec![population - users[0]];
    levels.extend(users.windows(2).map(|w| w[0] - w[1]));
    levels.push(*users.last().unwrap());
    println!(
        "level histogram (level: users): {:?}",
        levels.iter().enumerate().collect::<Vec<_>>()
    );
    for r in &new.2 {
        println!(
            "step {}: from previous p25/p50/p75/p90 {:?}, from first {:?}",
            r.step, r.from_previous, r.from_first
        );
    }
}
