//! The funnel's configuration: strictness mode, step count and window.

use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};

/// Most steps a funnel may have (one bit per step in a `u64` mask).
pub const MAX_STEPS: usize = 64;

const KNOWN_MODES: &str = "default, strict_order, strict_deduplication, strict_increase, \
                           strict_once, allow_reentry, clickhouse";

/// The `mode` argument: which strictness rules apply (see the module documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FunnelMode {
    pub strict_order: bool,
    pub strict_deduplication: bool,
    pub strict_increase: bool,
    /// A row counts for at most one step of a chain (ClickHouse `strict_once`).
    pub strict_once: bool,
    /// With `strict_order`, a step event that skips ahead is ignored instead of ending the
    /// chain (ClickHouse `allow_reentry`).
    pub allow_reentry: bool,
    /// Reproduce ClickHouse `windowFunnel`'s greedy single pass exactly
    /// ([`super::clickhouse`]) instead of the deepest chain.
    pub clickhouse: bool,
}

impl FunnelMode {
    /// Parses `'default'`, a single mode, or a comma-separated combination such as
    /// `'strict_order, strict_increase'` (case and surrounding whitespace are ignored).
    pub fn parse(text: &str) -> OpsResult<FunnelMode> {
        let mut mode = FunnelMode::default();
        for part in text.split(',').map(str::trim) {
            match part.to_ascii_lowercase().as_str() {
                "default" => {}
                "strict_order" => mode.strict_order = true,
                "strict_deduplication" => mode.strict_deduplication = true,
                "strict_increase" => mode.strict_increase = true,
                "strict_once" => mode.strict_once = true,
                "allow_reentry" => mode.allow_reentry = true,
                "clickhouse" => mode.clickhouse = true,
                _ => {
                    return Err(OpsError::invalid(format!(
                        "unknown funnel mode '{}'; known modes are {KNOWN_MODES} \
                         (or a comma-separated combination)",
                        crate::error::truncate(part, 60)
                    )))
                }
            }
        }
        Ok(mode)
    }

    pub(super) fn to_bits(self) -> u8 {
        self.strict_order as u8
            | (self.strict_deduplication as u8) << 1
            | (self.strict_increase as u8) << 2
            | (self.strict_once as u8) << 3
            | (self.allow_reentry as u8) << 4
            | (self.clickhouse as u8) << 5
    }

    pub(super) fn from_bits(bits: u8) -> OpsResult<FunnelMode> {
        if bits > 0b11_1111 {
            return Err(OpsError::malformed(format!(
                "aggregate state holds funnel mode {bits}"
            )));
        }
        Ok(FunnelMode {
            strict_order: bits & 1 != 0,
            strict_deduplication: bits & 2 != 0,
            strict_increase: bits & 4 != 0,
            strict_once: bits & 8 != 0,
            allow_reentry: bits & 16 != 0,
            clickhouse: bits & 32 != 0,
        })
    }
}

/// Rejects a step count outside `1..=MAX_STEPS`.
pub(super) fn check_nsteps(nsteps: usize) -> OpsResult<()> {
    if nsteps == 0 {
        return Err(OpsError::invalid("a funnel needs at least one step, got 0"));
    }
    if nsteps > MAX_STEPS {
        return Err(OpsError::limit(format!(
            "funnel has {nsteps} steps; at most {MAX_STEPS} are supported"
        )));
    }
    Ok(())
}

/// The mask with the lowest `n` bits set (`n <= 64`).
pub(super) fn low_bits(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// Everything that decides a user's level: step count, window (microseconds) and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunnelConfig {
    pub nsteps: usize,
    pub window: i64,
    pub mode: FunnelMode,
}

impl FunnelConfig {
    pub fn new(nsteps: usize, window: i64, mode: FunnelMode) -> OpsResult<FunnelConfig> {
        check_nsteps(nsteps)?;
        if window <= 0 {
            return Err(OpsError::invalid(format!(
                "funnel window must be positive, got {window} microseconds"
            )));
        }
        Ok(FunnelConfig {
            nsteps,
            window,
            mode,
        })
    }

    /// The mask of the funnel's steps; bits above `nsteps` are ignored everywhere.
    pub fn step_bits(&self) -> u64 {
        low_bits(self.nsteps)
    }

    pub(super) fn write(&self, w: &mut Writer) {
        w.u8(self.nsteps as u8)
            .i64(self.window)
            .u8(self.mode.to_bits());
    }

    pub(super) fn read(r: &mut Reader) -> OpsResult<FunnelConfig> {
        let (nsteps, window, bits) = (r.u8()? as usize, r.i64()?, r.u8()?);
        FunnelConfig::new(nsteps, window, FunnelMode::from_bits(bits)?).map_err(|e| {
            OpsError::malformed(format!("aggregate state holds a bad funnel: {}", e.message))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funnel::testing::MODES;

    #[test]
    fn modes_parse() {
        assert_eq!(FunnelMode::parse("default").unwrap(), FunnelMode::default());
        let m = FunnelMode::parse(" strict_order , Strict_Increase").unwrap();
        assert!(m.strict_order && m.strict_increase && !m.strict_deduplication);
        for text in MODES {
            let m = FunnelMode::parse(text).unwrap();
            assert_eq!(FunnelMode::from_bits(m.to_bits()).unwrap(), m);
        }
        let e = FunnelMode::parse("strict").unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidParameter);
        assert!(e.message.contains("'strict'") && e.message.contains("strict_increase"));
        assert!(FunnelMode::parse("").is_err());
        assert!(FunnelMode::parse("strict_order,").is_err());
    }

    #[test]
    fn config_errors() {
        use crate::error::ErrorKind::*;
        let m = FunnelMode::default();
        assert_eq!(
            FunnelConfig::new(0, 1, m).unwrap_err().kind,
            InvalidParameter
        );
        let e = FunnelConfig::new(65, 1, m).unwrap_err();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (
                LimitExceeded,
                "funnel has 65 steps; at most 64 are supported"
            )
        );
        let e = FunnelConfig::new(3, 0, m).unwrap_err();
        assert!(e.kind == InvalidParameter && e.message.contains('0'));
        assert!(FunnelConfig::new(3, -5, m).is_err());
    }
}
