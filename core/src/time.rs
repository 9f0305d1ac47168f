//! Time helpers shared by every capability. Timestamps are PostgreSQL `timestamptz`
//! values: microseconds since 2000-01-01 UTC, with `i64::MIN` / `i64::MAX` standing for
//! `-infinity` / `infinity`.

pub const USECS_PER_SEC: i64 = 1_000_000;
/// PostgreSQL's timestamp range in microseconds since 2000-01-01: from 4714-11-24 BC
/// (`MIN_TIMESTAMP`) up to, not including, 294277-01-01 (`END_TIMESTAMP`).
pub const TIMESTAMP_RANGE: std::ops::Range<i64> =
    -211_813_488_000_000_000..9_223_371_331_200_000_000;

pub const USECS_PER_DAY: i64 = 86_400 * USECS_PER_SEC;

/// PostgreSQL's `-infinity` timestamp.
pub const NEG_INFINITY: i64 = i64::MIN;
/// PostgreSQL's `infinity` timestamp.
pub const POS_INFINITY: i64 = i64::MAX;

/// True for `infinity` and `-infinity`.
pub fn is_infinite(ts: i64) -> bool {
    ts == NEG_INFINITY || ts == POS_INFINITY
}

/// `Ok` for a finite `as_of`; `22023` naming the infinity otherwise.
pub fn check_finite_as_of(as_of: i64) -> crate::OpsResult<()> {
    if is_infinite(as_of) {
        let which = if as_of == NEG_INFINITY {
            "-infinity"
        } else {
            "infinity"
        };
        return Err(crate::OpsError::invalid(format!(
            "as_of must be a finite timestamp, got {which}"
        )));
    }
    Ok(())
}

/// `ts + span`, saturating at the infinities instead of overflowing. A span of `i64::MAX`
/// microseconds (what an interval too long for 64 bits is clamped to, e.g. 300 000 years)
/// is infinite: it reaches `infinity` from any finite timestamp, including the earliest
/// (4713 BC, whose distance to the latest timestamp exceeds `i64::MAX`).
pub fn add_saturating(ts: i64, span: i64) -> i64 {
    if is_infinite(ts) {
        ts
    } else if span == i64::MAX {
        POS_INFINITY
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

/// A timestamp for messages: `2024-01-31 12:00:00+00` (fractional seconds when present),
/// `infinity` / `-infinity` for the infinities.
pub fn fmt_ts(ts: i64) -> String {
    if ts == POS_INFINITY {
        return "infinity".into();
    }
    if ts == NEG_INFINITY {
        return "-infinity".into();
    }
    let days = ts.div_euclid(USECS_PER_DAY);
    let rem = ts.rem_euclid(USECS_PER_DAY);
    // Civil date from days (H. Hinnant's algorithm), shifted from 2000-01-01 to 0000-03-01.
    let z = days as i128 + 10_957 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i128::from(m <= 2);
    let secs = rem / USECS_PER_SEC;
    let frac = rem % USECS_PER_SEC;
    let mut s = format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac != 0 {
        s.push_str(&format!(".{frac:06}"));
    }
    s.push_str("+00");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturating_and_days() {
        assert_eq!(add_saturating(POS_INFINITY, 5), POS_INFINITY);
        assert_eq!(add_saturating(NEG_INFINITY, 5), NEG_INFINITY);
        assert_eq!(add_saturating(i64::MAX - 1, 10), i64::MAX);
        // 4713 BC plus an interval clamped to i64::MAX reaches 290000 AD.
        let bc4713 = -211_813_488_000_000_000;
        assert_eq!(add_saturating(bc4713, i64::MAX), POS_INFINITY);
        assert!(add_saturating(bc4713, i64::MAX - 1) < POS_INFINITY);
        assert_eq!(whole_days_between(0, USECS_PER_DAY - 1), 0);
        assert_eq!(whole_days_between(0, USECS_PER_DAY), 1);
        assert_eq!(whole_days_between(USECS_PER_DAY, 0), -1);
        assert_eq!(seconds_between(0, 1_500_000), 1.5);
    }

    #[test]
    fn timestamps_in_messages() {
        const D: i64 = USECS_PER_DAY;
        assert_eq!(fmt_ts(0), "2000-01-01 00:00:00+00");
        assert_eq!(fmt_ts(-1), "1999-12-31 23:59:59.999999+00");
        assert_eq!(fmt_ts(59 * D), "2000-02-29 00:00:00+00");
        assert_eq!(
            fmt_ts(366 * D + 3_723_000_001),
            "2001-01-01 01:02:03.000001+00"
        );
        assert_eq!(fmt_ts(-36_524 * D), "1900-01-01 00:00:00+00");
        assert_eq!(fmt_ts(POS_INFINITY), "infinity");
        assert_eq!(fmt_ts(NEG_INFINITY), "-infinity");
    }
}
