//! Local wall-clock time in a named time zone, for calendar periods (days, weeks, months)
//! that follow the zone's daylight-saving rules.

use pgrx::pg_sys;
use std::collections::HashMap;

/// Converts UTC timestamps (microseconds since 2000-01-01) to local wall-clock microseconds
/// in one IANA time zone. The zone's offset is looked up once per quarter hour of UTC time
/// and cached: zones change their offset at whole quarter hours of UTC, so every timestamp
/// of a quarter hour has the offset of its start.
pub struct LocalTime {
    name: String,
    /// NULL for UTC (offset always 0).
    tz: *mut pg_sys::pg_tz,
    offsets: HashMap<i64, i64>,
    /// The last (bucket, offset) used: rows in time order hit it without a hash lookup.
    last: (i64, i64),
}

const QUARTER_HOUR: i64 = 15 * 60 * 1_000_000;

/// At most this many cached offsets (about 28 years of quarter hours, a few MB).
const MAX_CACHED: usize = 1 << 20;

impl LocalTime {
    /// The zone `name` (an IANA name such as 'Asia/Shanghai' or 'UTC', or a POSIX zone
    /// string); `Err` with a message for an unknown zone.
    pub fn new(name: &str) -> Result<LocalTime, String> {
        if name.eq_ignore_ascii_case("UTC") {
            return Ok(LocalTime {
                name: "UTC".into(),
                tz: std::ptr::null_mut(),
                offsets: HashMap::new(),
                last: (i64::MIN, 0),
            });
        }
        let c = std::ffi::CString::new(name)
            .map_err(|_| "time zone name must not contain a NUL byte".to_string())?;
        // SAFETY: pg_tzset reads a NUL-terminated name and returns a zone cached by
        // PostgreSQL for the life of the backend (or NULL when it is unknown).
        let tz = unsafe { pg_sys::pg_tzset(c.as_ptr()) };
        if tz.is_null() {
            let shown: String = name.chars().take(60).collect();
            return Err(format!("unknown time zone \"{shown}\""));
        }
        Ok(LocalTime {
            name: name.to_string(),
            tz,
            offsets: HashMap::new(),
            last: (i64::MIN, 0),
        })
    }

    /// The zone's name as given (UTC for any spelling of it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `utc` as local wall-clock microseconds. Infinite timestamps stay infinite; a
    /// timestamp PostgreSQL cannot break down (beyond its range) is kept as is.
    #[inline]
    pub fn to_local(&mut self, utc: i64) -> i64 {
        if self.tz.is_null() || utc == i64::MIN || utc == i64::MAX {
            return utc;
        }
        let bucket = utc.div_euclid(QUARTER_HOUR);
        if bucket == self.last.0 {
            return utc.saturating_add(self.last.1);
        }
        let tz = self.tz;
        if self.offsets.len() >= MAX_CACHED {
            // Timestamps scattered over millennia: keep memory bounded, recompute as needed.
            self.offsets.clear();
        }
        let offset = *self.offsets.entry(bucket).or_insert_with(|| {
            let mut tzp: std::ffi::c_int = 0;
            let mut fsec: pg_sys::fsec_t = 0;
            let mut tzn: *const std::ffi::c_char = std::ptr::null();
            // SAFETY: every out-pointer is a valid local; `tz` is a zone from pg_tzset.
            let rc = unsafe {
                let mut tm: pg_sys::pg_tm = std::mem::zeroed();
                pg_sys::timestamp2tm(
                    bucket * QUARTER_HOUR,
                    &mut tzp,
                    &mut tm,
                    &mut fsec,
                    &mut tzn,
                    tz,
                )
            };
            if rc == 0 {
                // tzp is seconds west of UTC.
                -(tzp as i64) * 1_000_000
            } else {
                0
            }
        });
        self.last = (bucket, offset);
        utc.saturating_add(offset)
    }
}
