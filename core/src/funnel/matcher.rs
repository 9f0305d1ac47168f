//! Which steps a row matches: the mask of an event name or of a `conds bool[]` row.

use super::config::{check_nsteps, FunnelMode, MAX_STEPS};
use crate::error::OpsResult;
use hashbrown::HashMap;

/// Maps an event name to the mask of the steps it matches (the event-name form). A name may
/// appear at several steps. Built once per group.
#[derive(Debug, Clone, PartialEq)]
pub struct StepMatcher {
    masks: HashMap<String, u64>,
}

impl StepMatcher {
    pub fn new(steps: &[String]) -> OpsResult<StepMatcher> {
        check_nsteps(steps.len())?;
        let mut masks: HashMap<String, u64> = HashMap::with_capacity(steps.len());
        for (i, name) in steps.iter().enumerate() {
            *masks.entry(name.clone()).or_default() |= 1u64 << i;
        }
        Ok(StepMatcher { masks })
    }

    /// The steps `event` matches (0 when none).
    pub fn mask(&self, event: &str) -> u64 {
        self.masks.get(event).copied().unwrap_or(0)
    }
}

/// The mask of a `conds bool[]` row: bit `i` set iff `conds[i]` is true (NULL counts as
/// false). Conditions beyond the 64th are ignored (the caller rejects such arrays).
pub fn mask_from_conds(conds: &[Option<bool>]) -> u64 {
    conds
        .iter()
        .take(MAX_STEPS)
        .enumerate()
        .filter(|(_, c)| **c == Some(true))
        .fold(0, |mask, (i, _)| mask | 1u64 << i)
}

/// Whether a row with `mask` must be kept: rows matching no step matter only in
/// `strict_order`, where they break chains.
pub fn keeps(mode: FunnelMode, mask: u64) -> bool {
    mask != 0 || mode.strict_order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matcher_errors() {
        use crate::error::ErrorKind::*;
        assert_eq!(StepMatcher::new(&[]).unwrap_err().kind, InvalidParameter);
        let many: Vec<String> = (0..65).map(|i| i.to_string()).collect();
        assert_eq!(StepMatcher::new(&many).unwrap_err().kind, LimitExceeded);
        assert!(StepMatcher::new(&many[..64]).is_ok());
    }

    #[test]
    fn masks() {
        let steps: Vec<String> = ["view", "cart", "view", "buy"].map(String::from).to_vec();
        let m = StepMatcher::new(&steps).unwrap();
        assert_eq!(m.mask("view"), 0b0101);
        assert_eq!(m.mask("buy"), 0b1000);
        assert_eq!(m.mask("other"), 0);
        assert_eq!(
            mask_from_conds(&[Some(true), None, Some(false), Some(true)]),
            0b1001
        );
        assert_eq!(mask_from_conds(&[Some(true); 64]), u64::MAX);
        assert!(keeps(FunnelMode::default(), 1) && !keeps(FunnelMode::default(), 0));
        assert!(keeps(FunnelMode::parse("strict_order").unwrap(), 0));
    }
}
