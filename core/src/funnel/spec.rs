//! The full funnel definition ([`FunnelSpec`]): the base configuration (steps, window, mode)
//! plus per-step windows, exclusions and whether a key is held constant; and the row form
//! the engines read ([`Row`]). See the module documentation for the semantics.

use super::config::FunnelConfig;
use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};

/// Most steps ClickHouse `windowFunnel` accepts (the `clickhouse` flag keeps that limit).
pub const CLICKHOUSE_MAX_STEPS: usize = 32;

/// Most exclusions a funnel may have (one bit per exclusion in [`Row::excl`]).
pub const MAX_EXCLUSIONS: usize = 32;

/// An exclusion: a chain whose step-`from` event is followed, strictly before its step-`to`
/// event (by timestamp), by an event of this exclusion cannot reach step `to`. Steps are
/// 1-based, `1 <= from < to <= nsteps`. Which rows are exclusion events is the caller's
/// business (bit `e` of [`Row::excl`] for exclusion `e`, in definition order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exclusion {
    pub from: usize,
    pub to: usize,
}

/// One input row of a user (or of a (user, key) partition when a key is held): its
/// timestamp, the steps it matches (bit `k - 1` for step `k`; bits at or above `nsteps` are
/// ignored) and the exclusions it is an event of (bit `e` for exclusion `e`). A row's
/// identity is its index in the slice handed to an engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Row {
    pub ts: i64,
    pub mask: u64,
    pub excl: u32,
}

impl Row {
    pub fn new(ts: i64, mask: u64) -> Row {
        Row { ts, mask, excl: 0 }
    }
}

/// Everything that decides a user's level and reported chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelSpec {
    /// Step count, window from the anchor (microseconds, inclusive) and mode.
    pub cfg: FunnelConfig,
    /// Empty, or `nsteps - 1` entries: entry `k - 1` is the largest gap allowed between the
    /// events of step `k` and step `k + 1` (microseconds, inclusive), `None` = no limit.
    pub step_windows: Vec<Option<i64>>,
    /// At most [`MAX_EXCLUSIONS`].
    pub exclusions: Vec<Exclusion>,
    /// Whether every event of a chain must carry one non-NULL key (the caller partitions the
    /// rows by key and runs the engine once per key; the user's level is the maximum).
    pub keyed: bool,
}

impl FunnelSpec {
    /// A spec with no per-step windows, exclusions or key.
    pub fn plain(cfg: FunnelConfig) -> FunnelSpec {
        FunnelSpec {
            cfg,
            step_windows: Vec::new(),
            exclusions: Vec::new(),
            keyed: false,
        }
    }

    /// Checks the options against each other and against the step count.
    pub fn new(
        cfg: FunnelConfig,
        step_windows: Vec<Option<i64>>,
        exclusions: Vec<Exclusion>,
        keyed: bool,
    ) -> OpsResult<FunnelSpec> {
        let n = cfg.nsteps;
        if !step_windows.is_empty() && step_windows.len() != n - 1 {
            return Err(OpsError::invalid(format!(
                "step_windows needs one entry per pair of consecutive steps ({}), got {}",
                n - 1,
                step_windows.len()
            )));
        }
        if let Some((k, gap)) = step_windows
            .iter()
            .enumerate()
            .find_map(|(k, g)| g.filter(|g| *g <= 0).map(|g| (k, g)))
        {
            return Err(OpsError::invalid(format!(
                "step_windows[{}] must be a positive interval, got {gap} microseconds",
                k + 1
            )));
        }
        if exclusions.len() > MAX_EXCLUSIONS {
            return Err(OpsError::limit(format!(
                "funnel has {} exclusions; at most {MAX_EXCLUSIONS} are supported",
                exclusions.len()
            )));
        }
        for (e, x) in exclusions.iter().enumerate() {
            if !(1 <= x.from && x.from < x.to && x.to <= n) {
                return Err(OpsError::invalid(format!(
                    "exclusion {} must satisfy 1 <= from_step < to_step <= {n}, got from_step {} \
                     and to_step {}",
                    e + 1,
                    x.from,
                    x.to
                )));
            }
        }
        let m = cfg.mode;
        if m.allow_reentry && !m.strict_order {
            return Err(OpsError::invalid(
                "funnel mode allow_reentry only applies together with strict_order",
            ));
        }
        if m.clickhouse {
            let extra = if !step_windows.iter().all(Option::is_none) {
                Some("step_windows")
            } else if !exclusions.is_empty() {
                Some("exclusions")
            } else {
                None
            };
            if let Some(what) = extra {
                return Err(OpsError::invalid(format!(
                    "funnel mode clickhouse reproduces ClickHouse windowFunnel, which has no {what}; \
                     drop the clickhouse flag or the {what}"
                )));
            }
            if cfg.nsteps > CLICKHOUSE_MAX_STEPS {
                return Err(OpsError::limit(format!(
                    "funnel mode clickhouse supports at most {} steps (as ClickHouse), got {}",
                    CLICKHOUSE_MAX_STEPS, cfg.nsteps
                )));
            }
        }
        Ok(FunnelSpec {
            cfg,
            step_windows,
            exclusions,
            keyed,
        })
    }

    /// The gap allowed from step `k` to step `k + 1` (`k` 1-based), `i64::MAX` = none.
    #[inline]
    pub fn gap(&self, k: usize) -> i64 {
        self.step_windows
            .get(k - 1)
            .copied()
            .flatten()
            .unwrap_or(i64::MAX)
    }

    /// True when only the base configuration matters (the fast paths apply).
    pub fn is_plain(&self) -> bool {
        self.exclusions.is_empty() && self.step_windows.iter().all(Option::is_none)
    }

    pub fn write(&self, w: &mut Writer) {
        self.cfg.write(w);
        w.len(self.step_windows.len());
        for g in &self.step_windows {
            w.i64(g.unwrap_or(0));
        }
        w.len(self.exclusions.len());
        for x in &self.exclusions {
            w.u8(x.from as u8).u8(x.to as u8);
        }
        w.u8(self.keyed as u8);
    }

    pub fn read(r: &mut Reader) -> OpsResult<FunnelSpec> {
        let cfg = FunnelConfig::read(r)?;
        let n = r.len(8)?;
        let step_windows = (0..n)
            .map(|_| r.i64().map(|g| (g != 0).then_some(g)))
            .collect::<OpsResult<Vec<_>>>()?;
        let n = r.len(2)?;
        let exclusions = (0..n)
            .map(|_| {
                Ok(Exclusion {
                    from: r.u8()? as usize,
                    to: r.u8()? as usize,
                })
            })
            .collect::<OpsResult<Vec<_>>>()?;
        let keyed = r.u8()? == 1;
        FunnelSpec::new(cfg, step_windows, exclusions, keyed).map_err(|e| {
            OpsError::malformed(format!("aggregate state holds a bad funnel: {}", e.message))
        })
    }
}

/// What an engine found for one user (or one key): the deepest level (0 = step 1 never
/// occurred) and, when asked for, the reported chain as row indices (one per step reached,
/// `path[k - 1]` is the row of step `k`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub level: usize,
    pub path: Vec<u32>,
}
