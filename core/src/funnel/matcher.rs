//! Which steps a row matches: the mask of an event name or of a `conds bool[]` row.

use super::config::{check_nsteps, FunnelMode, MAX_STEPS};
use super::spec::MAX_EXCLUSIONS;
use crate::error::{OpsError, OpsResult};
use hashbrown::HashMap;

/// Maps an event name to the mask of the steps it matches and the mask of the exclusions it
/// is an event of (the event-name form). A name may appear at several steps and exclusions.
/// Built once per group.
#[derive(Debug, Clone, PartialEq)]
pub struct StepMatcher {
    masks: Masks,
}

/// Each distinct name with its (step mask, exclusion mask).
#[derive(Debug, Clone, PartialEq)]
enum Masks {
    /// Up to [`SCAN_NAMES`] names, compared one by one (lengths first: most non-matching
    /// events stop there); cheaper than hashing each row's name.
    Few(Vec<(String, (u64, u32))>),
    Many(HashMap<String, (u64, u32)>),
}

const SCAN_NAMES: usize = 16;

impl StepMatcher {
    pub fn new(steps: &[String]) -> OpsResult<StepMatcher> {
        StepMatcher::with_exclusions(steps, &[])
    }

    /// `steps[k - 1]` is step `k`'s event name, `exclusions[e]` exclusion `e`'s.
    pub fn with_exclusions(steps: &[String], exclusions: &[String]) -> OpsResult<StepMatcher> {
        check_nsteps(steps.len())?;
        if exclusions.len() > MAX_EXCLUSIONS {
            return Err(OpsError::limit(format!(
                "funnel has {} exclusions; at most {MAX_EXCLUSIONS} are supported",
                exclusions.len()
            )));
        }
        let mut masks: HashMap<String, (u64, u32)> =
            HashMap::with_capacity(steps.len() + exclusions.len());
        for (i, name) in steps.iter().enumerate() {
            masks.entry(name.clone()).or_default().0 |= 1u64 << i;
        }
        for (e, name) in exclusions.iter().enumerate() {
            masks.entry(name.clone()).or_default().1 |= 1u32 << e;
        }
        let masks = if masks.len() <= SCAN_NAMES {
            let mut few: Vec<_> = masks.into_iter().collect();
            few.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            Masks::Few(few)
        } else {
            Masks::Many(masks)
        };
        Ok(StepMatcher { masks })
    }

    /// The steps `event` matches (0 when none).
    pub fn mask(&self, event: &str) -> u64 {
        self.lookup(event).0
    }

    /// The steps `event` matches and the exclusions it is an event of, in one lookup.
    #[inline]
    pub fn lookup(&self, event: &str) -> (u64, u32) {
        match &self.masks {
            Masks::Few(few) => few
                .iter()
                .find(|(name, _)| crate::same_name(name, event))
                .map_or((0, 0), |(_, m)| *m),
            Masks::Many(map) => map.get(event).copied().unwrap_or((0, 0)),
        }
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
        let m = StepMatcher::new(&many[..64]).unwrap();
        assert_eq!((m.mask("0"), m.mask("63"), m.mask("64")), (1, 1 << 63, 0));
        let m = StepMatcher::new(&many[..16]).unwrap();
        assert_eq!((m.mask("0"), m.mask("15"), m.mask("16")), (1, 1 << 15, 0));
        let e = StepMatcher::with_exclusions(&many[..2], &many[..33]).unwrap_err();
        assert_eq!(e.kind, LimitExceeded);
    }

    #[test]
    fn masks() {
        let steps: Vec<String> = ["view", "cart", "view", "buy"].map(String::from).to_vec();
        let m = StepMatcher::new(&steps).unwrap();
        assert_eq!(m.mask("view"), 0b0101);
        assert_eq!(m.mask("buy"), 0b1000);
        assert_eq!(m.mask("other"), 0);
        let excl: Vec<String> = ["refund", "view", "refund"].map(String::from).to_vec();
        let m = StepMatcher::with_exclusions(&steps, &excl).unwrap();
        assert_eq!(m.lookup("view"), (0b0101, 0b010));
        assert_eq!(m.lookup("refund"), (0, 0b101));
        assert_eq!(m.lookup("cart"), (0b0010, 0));
        assert_eq!(m.lookup("other"), (0, 0));
        assert_eq!(
            mask_from_conds(&[Some(true), None, Some(false), Some(true)]),
            0b1001
        );
        assert_eq!(mask_from_conds(&[Some(true); 64]), u64::MAX);
        assert!(keeps(FunnelMode::default(), 1) && !keeps(FunnelMode::default(), 0));
        assert!(keeps(FunnelMode::parse("strict_order").unwrap(), 0));
    }
}
