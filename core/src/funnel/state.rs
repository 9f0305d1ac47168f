//! The funnel aggregate states: `window_funnel`'s [`UserFunnel`], the one-shot
//! `funnel_step_rates`' [`PopulationFunnel`] and the two-stage form's [`LevelCounts`], with
//! their [`PartialState`] impls.

use super::chain::{deepest_chain, deepest_level};
use super::config::{check_nsteps, FunnelConfig, FunnelMode};
use super::matcher::{keeps, StepMatcher};
use super::report::{step_rows, step_seconds, StepRow};
use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::state::PartialState;
use hashbrown::HashMap;
use std::hash::Hash;

fn write_rows(w: &mut Writer, rows: &[(i64, u64)]) {
    w.len(rows.len());
    for (ts, mask) in rows {
        w.i64(*ts).u64(*mask);
    }
}

fn read_rows(r: &mut Reader) -> OpsResult<Vec<(i64, u64)>> {
    let n = r.len(16)?;
    (0..n).map(|_| Ok((r.i64()?, r.u64()?))).collect()
}

fn write_names(w: &mut Writer, names: &[String]) {
    w.len(names.len());
    for name in names {
        w.str(name);
    }
}

fn read_names(r: &mut Reader) -> OpsResult<Vec<String>> {
    let n = r.len(8)?;
    (0..n).map(|_| r.str()).collect()
}

const VERSION: u8 = 1;

/// State of `window_funnel`: one user's kept rows (16 bytes each). The result does not
/// depend on the row order nor on how rows are split across merges.
#[derive(Debug, Clone, PartialEq)]
pub struct UserFunnel {
    pub cfg: FunnelConfig,
    pub rows: Vec<(i64, u64)>,
}

const USER_TAG: u8 = b'F';

impl UserFunnel {
    pub fn new(cfg: FunnelConfig) -> UserFunnel {
        UserFunnel {
            cfg,
            rows: Vec::new(),
        }
    }

    /// Adds a row; rows matching no step are dropped unless the mode is `strict_order`.
    pub fn push(&mut self, ts: i64, mask: u64) {
        let mask = mask & self.cfg.step_bits();
        if keeps(self.cfg.mode, mask) {
            self.rows.push((ts, mask));
        }
    }

    /// The deepest step reached (0 = never reached step 1).
    pub fn finish(&mut self) -> u8 {
        deepest_level(&mut self.rows, &self.cfg)
    }
}

impl PartialState for UserFunnel {
    fn merge(&mut self, mut other: UserFunnel) -> OpsResult<()> {
        self.rows.append(&mut other.rows);
        Ok(())
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(USER_TAG, VERSION);
        self.cfg.write(&mut w);
        write_rows(&mut w, &self.rows);
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<UserFunnel> {
        let mut r = Reader::new(bytes, USER_TAG, VERSION)?;
        let cfg = FunnelConfig::read(&mut r)?;
        let rows = read_rows(&mut r)?;
        r.finish()?;
        Ok(UserFunnel { cfg, rows })
    }
}

/// A user identifier of the one-shot form (`bigint` or `text`).
pub trait UserKey: Hash + Eq + Clone {
    /// Distinguishes key types in serialized states.
    const KIND: u8;
    fn write(&self, w: &mut Writer);
    fn read(r: &mut Reader) -> OpsResult<Self>;

    /// Reads the key-kind byte a state wrote and checks it is this key type's.
    fn check_kind(r: &mut Reader) -> OpsResult<()> {
        let kind = r.u8()?;
        if kind != Self::KIND {
            return Err(OpsError::malformed(format!(
                "aggregate state holds user keys of kind {kind}, expected {}",
                Self::KIND
            )));
        }
        Ok(())
    }
}

impl UserKey for i64 {
    const KIND: u8 = 1;
    fn write(&self, w: &mut Writer) {
        w.i64(*self);
    }
    fn read(r: &mut Reader) -> OpsResult<i64> {
        r.i64()
    }
}

impl UserKey for String {
    const KIND: u8 = 2;
    fn write(&self, w: &mut Writer) {
        w.str(self);
    }
    fn read(r: &mut Reader) -> OpsResult<String> {
        r.str()
    }
}

/// State of the one-shot `funnel_step_rates(user_id, ts, ...)`: every user's kept rows.
///
/// Memory: 16 bytes per kept row (rows matching no step are not kept, except in
/// `strict_order`), plus per user the key (8 bytes, or 24 plus the text for `text` ids), a
/// 24-byte `Vec` header and the hash table's slack (about 1 byte of control plus up to 1/8
/// empty buckets). A user whose rows never matched costs only that per-user overhead.
#[derive(Debug, Clone)]
pub struct PopulationFunnel<K: UserKey> {
    pub cfg: FunnelConfig,
    names: Option<Vec<String>>,
    matcher: Option<StepMatcher>,
    users: HashMap<K, Vec<(i64, u64)>>,
}

const POPULATION_TAG: u8 = b'G';

/// Work (in kept rows) [`PopulationFunnel::finish`] does between interrupt checks: each
/// user costs [`USER_WORK`] plus its kept rows (its sort and scan are linear-ish in them), so
/// a check comes at least every 1024 users or about 64K kept rows, and right before any
/// user whose rows alone exceed that. Only a single user with many millions of kept rows
/// can delay cancellation (by the time of one sort of that user's rows).
const INTERRUPT_WORK: usize = 1 << 16;
const USER_WORK: usize = 64;

impl<K: UserKey> PopulationFunnel<K> {
    /// The `conds bool[]` form; `names`, when given, must have one name per step.
    pub fn new(cfg: FunnelConfig, names: Option<Vec<String>>) -> OpsResult<Self> {
        if let Some(n) = &names {
            if n.len() != cfg.nsteps {
                return Err(OpsError::invalid(format!(
                    "funnel has {} conditions but {} step names",
                    cfg.nsteps,
                    n.len()
                )));
            }
        }
        Ok(PopulationFunnel {
            cfg,
            names,
            matcher: None,
            users: HashMap::new(),
        })
    }

    /// The event-name form: `steps` are matched against an event column and name the rows.
    pub fn for_events(steps: Vec<String>, window: i64, mode: FunnelMode) -> OpsResult<Self> {
        let matcher = StepMatcher::new(&steps)?;
        let cfg = FunnelConfig::new(steps.len(), window, mode)?;
        Ok(PopulationFunnel {
            cfg,
            names: Some(steps),
            matcher: Some(matcher),
            users: HashMap::new(),
        })
    }

    /// Adds a row of `key`; the user joins the population even if the row matches no step.
    pub fn push(&mut self, key: K, ts: i64, mask: u64) {
        let mask = mask & self.cfg.step_bits();
        let rows = self.users.entry(key).or_default();
        if keeps(self.cfg.mode, mask) {
            rows.push((ts, mask));
        }
    }

    /// Adds a row of the event-name form (a NULL event matches no step). Without step names
    /// (the `conds` form) the event matches nothing.
    pub fn push_event(&mut self, key: K, ts: i64, event: Option<&str>) {
        let mask = match (&self.matcher, event) {
            (Some(m), Some(e)) => m.mask(e),
            _ => 0,
        };
        self.push(key, ts, mask);
    }
}

impl PopulationFunnel<String> {
    /// [`PopulationFunnel::push`] for a borrowed text key: allocates the key only for a user
    /// not seen before.
    pub fn push_str(&mut self, key: &str, ts: i64, mask: u64) {
        let mask = mask & self.cfg.step_bits();
        let rows = self.users.entry_ref(key).or_default();
        if keeps(self.cfg.mode, mask) {
            rows.push((ts, mask));
        }
    }

    /// [`PopulationFunnel::push_event`] for a borrowed text key.
    pub fn push_event_str(&mut self, key: &str, ts: i64, event: Option<&str>) {
        let mask = match (&self.matcher, event) {
            (Some(m), Some(e)) => m.mask(e),
            _ => 0,
        };
        self.push_str(key, ts, mask);
    }
}

impl<K: UserKey> PopulationFunnel<K> {
    /// Number of users in the population so far.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// The funnel rows; calls `check_interrupts` first and then at least every 1024 users
    /// or 64K kept rows (see [`INTERRUPT_WORK`]).
    pub fn finish(&mut self, check_interrupts: &mut dyn FnMut()) -> Vec<StepRow> {
        let n = self.cfg.nsteps;
        let mut histogram = vec![0i64; n + 1];
        let mut durations: Vec<Vec<f64>> = vec![Vec::new(); n + 1];
        check_interrupts();
        let mut work = 0usize;
        for rows in self.users.values_mut() {
            let cost = USER_WORK + rows.len();
            work += cost;
            if work > INTERRUPT_WORK {
                check_interrupts();
                work = cost;
            }
            let (level, path) = deepest_chain(rows, &self.cfg);
            histogram[level as usize] += 1;
            for (k, pair) in path.windows(2).enumerate() {
                durations[k + 2].push(step_seconds(pair[0], pair[1]));
            }
        }
        step_rows(&histogram, self.names.as_deref(), Some(durations))
    }
}

impl<K: UserKey> PartialState for PopulationFunnel<K> {
    fn merge(&mut self, other: PopulationFunnel<K>) -> OpsResult<()> {
        self.merge_interruptible(other, &mut || {})
    }

    /// Checks for interrupts at least every 1024 users or 64K moved rows (as `finish`).
    fn merge_interruptible(
        &mut self,
        other: PopulationFunnel<K>,
        check_interrupts: &mut dyn FnMut(),
    ) -> OpsResult<()> {
        check_interrupts();
        if self.users.is_empty() {
            self.users = other.users;
            return Ok(());
        }
        let mut work = 0usize;
        for (key, mut rows) in other.users {
            let cost = USER_WORK + rows.len();
            work += cost;
            if work > INTERRUPT_WORK {
                check_interrupts();
                work = cost;
            }
            self.users.entry(key).or_default().append(&mut rows);
        }
        Ok(())
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(POPULATION_TAG, VERSION);
        self.cfg.write(&mut w);
        w.u8(K::KIND).u8(self.matcher.is_some() as u8);
        match &self.names {
            Some(names) => write_names(w.u8(1), names),
            None => {
                w.u8(0);
            }
        }
        w.len(self.users.len());
        for (key, rows) in &self.users {
            key.write(&mut w);
            write_rows(&mut w, rows);
        }
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, POPULATION_TAG, VERSION)?;
        let cfg = FunnelConfig::read(&mut r)?;
        K::check_kind(&mut r)?;
        let event_form = r.u8()? == 1;
        let names = if r.u8()? == 1 {
            Some(read_names(&mut r)?)
        } else {
            None
        };
        let mut state = match (event_form, names) {
            (true, Some(steps)) => Self::for_events(steps, cfg.window, cfg.mode),
            (_, names) => Self::new(cfg, names),
        }
        .map_err(|e| {
            OpsError::malformed(format!("aggregate state is inconsistent: {}", e.message))
        })?;
        let n = r.len(16)?;
        state.users.reserve(n);
        for _ in 0..n {
            let key = K::read(&mut r)?;
            state.users.insert(key, read_rows(&mut r)?);
        }
        r.finish()?;
        Ok(state)
    }
}

/// State of the two-stage `funnel_step_rates(level, step_names)`: users per level.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelCounts {
    pub names: Vec<String>,
    /// `counts[l]` = users whose deepest step is `l`, for `l` in `0..=names.len()`.
    pub counts: Vec<i64>,
}

const LEVELS_TAG: u8 = b'H';

impl LevelCounts {
    pub fn new(names: Vec<String>) -> OpsResult<LevelCounts> {
        check_nsteps(names.len())?;
        let counts = vec![0; names.len() + 1];
        Ok(LevelCounts { names, counts })
    }

    /// Counts one user at `level` (the output of `window_funnel`).
    pub fn push(&mut self, level: i32) -> OpsResult<()> {
        let nsteps = self.names.len();
        match usize::try_from(level).ok().filter(|&l| l <= nsteps) {
            Some(l) => {
                self.counts[l] += 1;
                Ok(())
            }
            None => Err(OpsError::invalid(format!(
                "funnel level {level} is outside 0..={nsteps} for a funnel of {nsteps} steps"
            ))),
        }
    }

    pub fn finish(&self) -> Vec<StepRow> {
        step_rows(&self.counts, Some(&self.names), None)
    }
}

impl PartialState for LevelCounts {
    fn merge(&mut self, other: LevelCounts) -> OpsResult<()> {
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
            self.names = other.names;
        }
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            *mine = mine.saturating_add(theirs);
        }
        Ok(())
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(LEVELS_TAG, VERSION);
        write_names(&mut w, &self.names);
        for c in &self.counts {
            w.i64(*c);
        }
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<LevelCounts> {
        let mut r = Reader::new(bytes, LEVELS_TAG, VERSION)?;
        let names = read_names(&mut r)?;
        let mut state = LevelCounts::new(names)
            .map_err(|e| OpsError::malformed(format!("aggregate state: {}", e.message)))?;
        let mut total = 0i64;
        for c in state.counts.iter_mut() {
            *c = r.i64()?;
            // Counts are of users: never negative, and their sum fits (step rows add them up).
            total = total.checked_add(*c).filter(|_| *c >= 0).ok_or_else(|| {
                OpsError::malformed(format!("funnel level state has a bad count {c}"))
            })?;
        }
        r.finish()?;
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funnel::testing::*;
    use proptest::prelude::*;

    #[test]
    fn population_medians_and_silent_users() {
        let mut p = PopulationFunnel::<i64>::new(cfg(3, 100_000_000, "default"), None).unwrap();
        let s = 1_000_000;
        // user 1: A@0 B@10s C@40s; user 2: A@0 B@20s; user 3: only non-matching rows.
        for (u, ts, m) in [
            (1, 0, A),
            (1, 10 * s, B),
            (1, 40 * s, C),
            (2, 0, A),
            (2, 20 * s, B),
        ] {
            p.push(u, ts, m);
        }
        p.push(3, 0, 0);
        let mut calls = 0;
        let rows = p.finish(&mut || calls += 1);
        assert_eq!(calls, 1);
        assert_eq!(
            rows.iter().map(|r| r.users).collect::<Vec<_>>(),
            vec![2, 2, 1]
        );
        assert_eq!(rows[0].rate_from_previous, Some(2.0 / 3.0));
        assert_eq!(rows[0].median_seconds_from_previous, None);
        assert_eq!(rows[1].median_seconds_from_previous, Some(15.0));
        assert_eq!(rows[2].median_seconds_from_previous, Some(30.0));
    }

    #[test]
    fn a_step_at_infinity_is_infinitely_far() {
        // A finite anchor whose saturated window reaches a step at infinity.
        let mut p = PopulationFunnel::<i64>::new(cfg(2, i64::MAX, "default"), None).unwrap();
        p.push(1, 0, A);
        p.push(1, i64::MAX, B);
        let rows = p.finish(&mut || {});
        assert_eq!(rows[1].users, 1);
        assert_eq!(rows[1].median_seconds_from_previous, Some(f64::INFINITY));
    }

    #[test]
    fn finish_checks_interrupts_by_users_and_rows() {
        let count_checks = |p: &mut PopulationFunnel<i64>| {
            let mut calls = 0;
            p.finish(&mut || calls += 1);
            calls
        };
        // 5000 users without kept rows: at the start, then every 1024 users.
        let mut p = PopulationFunnel::<i64>::new(cfg(2, 1_000, "default"), None).unwrap();
        (0..5000).for_each(|u| p.push(u, 0, 0));
        assert_eq!(count_checks(&mut p), 5);
        // 3 users with 70000 kept rows each: at the start and before every user.
        let mut p = PopulationFunnel::<i64>::new(cfg(2, 1_000, "default"), None).unwrap();
        for u in 0..3 {
            (0..70_000).for_each(|t| p.push(u, t, A));
        }
        assert_eq!(count_checks(&mut p), 4);
    }

    #[test]
    fn event_form_and_round_trips() {
        let steps: Vec<String> = ["view", "buy"].map(String::from).to_vec();
        let mut p =
            PopulationFunnel::<String>::for_events(steps, 10, FunnelMode::default()).unwrap();
        p.push_event("u1".into(), 0, Some("view"));
        p.push_event("u1".into(), 5, Some("buy"));
        p.push_event("u2".into(), 0, None);
        let mut q = PopulationFunnel::<String>::decode(&p.encode()).unwrap();
        q.push_event("u3".into(), 0, Some("view"));
        let rows = q.finish(&mut || {});
        assert_eq!(rows[0].name.as_deref(), Some("view"));
        assert_eq!(rows.iter().map(|r| r.users).collect::<Vec<_>>(), vec![2, 1]);
        assert!(PopulationFunnel::<i64>::decode(&p.encode()).is_err());
        let mut by_ref = PopulationFunnel::<String>::for_events(
            ["view", "buy"].map(String::from).to_vec(),
            10,
            FunnelMode::default(),
        )
        .unwrap();
        by_ref.push_event_str("u1", 0, Some("view"));
        by_ref.push_event_str("u1", 5, Some("buy"));
        by_ref.push_str("u2", 0, 0);
        by_ref.push_event_str("u3", 0, Some("view"));
        let by_ref = by_ref.finish(&mut || {});
        assert_eq!(
            by_ref.iter().map(|r| r.users).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert_eq!(by_ref[0].rate_from_previous, Some(2.0 / 3.0));
        assert!(UserFunnel::decode(&p.encode()).is_err());

        let mut u = UserFunnel::new(cfg(2, 10, "strict_order"));
        u.push(1, 0);
        u.push(2, A);
        assert_eq!(UserFunnel::decode(&u.encode()).unwrap(), u);
        let bytes = u.encode();
        assert!(UserFunnel::decode(&bytes[..bytes.len() - 1]).is_err());

        let mut l = LevelCounts::new(vec!["a".into(), "b".into()]).unwrap();
        l.push(2).unwrap();
        l.push(0).unwrap();
        assert_eq!(LevelCounts::decode(&l.encode()).unwrap(), l);
        // Corrupt counts (negative, or summing past i64::MAX) are rejected.
        let mut bad = l.encode();
        let n = bad.len();
        bad[n - 8..].copy_from_slice(&(-1i64).to_le_bytes());
        assert!(LevelCounts::decode(&bad)
            .unwrap_err()
            .message
            .contains("bad count -1"));
        bad[n - 8..].copy_from_slice(&i64::MAX.to_le_bytes());
        assert!(LevelCounts::decode(&bad).is_err());
        let mut big = LevelCounts::new(vec!["a".into()]).unwrap();
        big.counts = vec![0, i64::MAX];
        big.merge(big.clone()).unwrap();
        assert_eq!(big.finish()[0].users, i64::MAX);
        let e = l.push(3).unwrap_err();
        assert!(e.message.contains('3') && e.message.contains("2 steps"));
        assert!(l.push(-1).unwrap_err().message.contains("-1"));
        assert!(LevelCounts::new(vec![]).is_err());
        assert!(
            PopulationFunnel::<i64>::new(cfg(3, 1, "default"), Some(vec!["a".into()])).is_err()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn row_order_and_merges_do_not_matter(
            ((rows, cfg), shuffled, split) in arb_case(6, 14)
                .prop_flat_map(|(rows, cfg)| {
                    let n = rows.len();
                    ((Just((rows.clone(), cfg))), Just(rows).prop_shuffle(), 0..=n)
                }),
        ) {
            let whole = level(&rows, &cfg);
            let mut a = UserFunnel::new(cfg);
            let mut b = UserFunnel::new(cfg);
            shuffled[..split].iter().for_each(|(t, m)| a.push(*t, *m));
            shuffled[split..].iter().for_each(|(t, m)| b.push(*t, *m));
            let b = UserFunnel::decode(&b.encode()).unwrap();
            a.merge(b).unwrap();
            prop_assert_eq!(a.finish(), whole);
            let mut x = kept(&rows, &cfg);
            let mut y = kept(&shuffled, &cfg);
            prop_assert_eq!(deepest_chain(&mut x, &cfg), deepest_chain(&mut y, &cfg));
        }

        #[test]
        fn two_stage_equals_one_shot(
            (users, cfg) in arb_cfg(4).prop_flat_map(|cfg| {
                (prop::collection::vec(arb_rows(&cfg, 8, 1..10), 0..20), Just(cfg))
            }),
            split in 0usize..20,
        ) {
            let names: Vec<String> = (1..=cfg.nsteps).map(|i| format!("s{i}")).collect();
            let mut levels = LevelCounts::new(names.clone()).unwrap();
            let mut a = PopulationFunnel::<i64>::new(cfg, Some(names.clone())).unwrap();
            let mut b = PopulationFunnel::<i64>::new(cfg, Some(names)).unwrap();
            for (u, rows) in users.iter().enumerate() {
                levels.push(level(rows, &cfg) as i32).unwrap();
                let target = if u < split { &mut a } else { &mut b };
                rows.iter().for_each(|(t, m)| target.push(u as i64, *t, *m));
            }
            let b = PopulationFunnel::<i64>::decode(&b.encode()).unwrap();
            a.merge(b).unwrap();
            let levels = LevelCounts::decode(&levels.encode()).unwrap();
            let one_shot = a.finish(&mut || {});
            let two_stage = levels.finish();
            prop_assert_eq!(one_shot.len(), two_stage.len());
            for (o, t) in one_shot.iter().zip(&two_stage) {
                prop_assert_eq!(o.users, t.users);
                prop_assert_eq!((o.rate_from_previous, o.rate_from_first), (t.rate_from_previous, t.rate_from_first));
                prop_assert_eq!((o.ci_low, o.ci_high), (t.ci_low, t.ci_high));
                prop_assert_eq!(&o.name, &t.name);
            }
            // every user joins the population, even one whose rows match no step
            prop_assert_eq!(one_shot[0].users + levels.counts[0], users.len() as i64);
        }
    }
}
