//! Time helpers shared by every capability. Timestamps are PostgreSQL `timestamptz`
//! values: microseconds since 2000-01-01 UTC, with `i64::MIN` / `i64::MAX` standing for
//! `-infinity` / `infinity`.

pub const USECS_PER_SEC: i64 = 1_000_000;
pub const USECS_PER_DAY: i64 = 86_400 * USECS_PER_SEC;

/// PostgreSQL's `-infinity` timestamp.
pub const NEG_INFINITY: i64 = i64::MIN;
/// PostgreSQL's `infinity` timestamp.
pub const POS_INFINITY: i64 = i64::MAX;

/// True for `infinity` and `-infinity`.
pub fn is_infinite(ts: i64) -> bool {
    ts == NEG_INFINITY || ts == POS_INFINITY
}

/// `ts + span`, saturating at the infinities instead of overflowing.
pub fn add_saturating(ts: i64, span: i64) -> i64 {
    if is_infinite(ts) {
        ts
    } else {
        ts.saturating_add(span)
    }
}

/// Seconds between two finite timestamps as `f64`.
pub fn seconds_between(from: i64, to: i64) -> f64 {
    (to as i128 - from as i128) as f64 / USECS_PER_SEC as f64
}

/// Whole days from `from` to `to` (floor), as PostgreSQL's `date_part('day', to - from)`
/// would give for a justified interval: `floor((to - from) / 1 day)`.
pub fn whole_days_between(from: i64, to: i64) -> i64 {
    ((to as i128 - from as i128).div_euclid(USECS_PER_DAY as i128)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturating_and_days() {
        assert_eq!(add_saturating(POS_INFINITY, 5), POS_INFINITY);
        assert_eq!(add_saturating(NEG_INFINITY, 5), NEG_INFINITY);
        assert_eq!(add_saturating(i64::MAX - 1, 10), i64::MAX);
        assert_eq!(whole_days_between(0, USECS_PER_DAY - 1), 0);
        assert_eq!(whole_days_between(0, USECS_PER_DAY), 1);
        assert_eq!(whole_days_between(USECS_PER_DAY, 0), -1);
        assert_eq!(seconds_between(0, 1_500_000), 1.5);
    }
}
