//! Product preference: the share of one user's attention that goes to each product
//! category, aggregated over that user's rows `(ts, category)`.
//!
//! Attention is measured in one of two ways ([`Attention`]):
//!
//! * **Count**: each row with a non-NULL category counts 1 for its category; rows with a
//!   NULL category are ignored.
//! * **Dwell** with a session timeout `t > 0`: every row, NULL category included, is put in
//!   order by timestamp, then category (NULL first, then names in byte order, i.e. the `C`
//!   collation). Each row dwells until the next row, capped at the timeout:
//!   `dwell = min(next_ts - ts, t)`, and the last row dwells `0`. A NULL-category row
//!   contributes no dwell of its own but still ends the previous row's dwell. Rows with the
//!   same timestamp are consecutive, so all but the last of them dwell `0`. Dwell is
//!   summed exactly in microseconds and reported in seconds (`microseconds / 1e6`).
//!   Timestamps, including `-infinity`/`infinity`, are compared as they are; a gap to or from
//!   an infinity is simply capped at the timeout.
//!
//! The result ([`Preference`]) lists every category that has a row, with its amount (rows
//! or seconds) and its share `amount / total`, where `total` is the sum of the amounts of
//! all categories (NULL rows never count in the total). The list is sorted by amount
//! descending, then name ascending (byte order); the top category is the first of it, so
//! ties go to the smallest name. When the total is `0` (e.g. a single row in dwell mode)
//! there is no share to give: the list is empty and the top category and share are NULL.
//! A user with no row with a non-NULL category has no preference at all (`None`, NULL in
//! SQL) in either mode.
//!
//! Amounts are integers (rows, microseconds), so the result does not depend on row order
//! or on how rows were split across parallel workers.

use super::quote;
use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::state::PartialState;
use hashbrown::{DefaultHashBuilder, HashTable};
use std::cell::RefCell;
use std::cmp::Reverse;
use std::fmt;
use std::hash::BuildHasher;
use std::rc::{Rc, Weak};

const PREFERENCE_TAG: u8 = b'W';
const PREFERENCE_VERSION: u8 = 1;

/// The category id of a row whose category is NULL.
const NULL_ID: u32 = u32::MAX;

/// How a row's attention is measured (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attention {
    /// Rows per category.
    Count,
    /// Seconds until the next row, capped at `timeout_us` microseconds (`> 0`).
    Dwell { timeout_us: i64 },
}

impl Attention {
    /// Dwell mode with a session timeout in microseconds; 22023 unless positive.
    pub fn dwell(timeout_us: i64) -> OpsResult<Attention> {
        if timeout_us <= 0 {
            return Err(OpsError::invalid(format!(
                "the session timeout must be positive, got {} seconds",
                seconds(timeout_us)
            )));
        }
        Ok(Attention::Dwell { timeout_us })
    }
}

impl fmt::Display for Attention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attention::Count => f.write_str("row counts"),
            Attention::Dwell { timeout_us } => {
                write!(f, "a session timeout of {} seconds", seconds(*timeout_us))
            }
        }
    }
}

/// Microseconds as seconds, for results and messages.
fn seconds(us: i64) -> f64 {
    us as f64 / 1e6
}

/// One user's preference (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Preference {
    /// The category with the largest amount (ties: the smallest name); `None` when the
    /// total is 0.
    pub top_category: Option<String>,
    /// The top category's share; `None` when the total is 0.
    pub top_share: Option<f64>,
    /// Rows counted, or seconds of dwell, over all categories.
    pub total: f64,
    /// `(category, share, amount)` sorted by amount descending then name ascending; empty
    /// when the total is 0.
    pub shares: Vec<(String, f64, f64)>,
}

/// Distinct category names, each stored once, with a hash table of ids.
#[derive(Clone, Default)]
struct Interner {
    names: Vec<String>,
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl fmt::Debug for Interner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.names).finish()
    }
}

impl Interner {
    /// The id of `name`, adding it when new.
    fn intern(&mut self, name: &str) -> u32 {
        let Interner {
            names,
            table,
            hasher,
        } = self;
        let hash = hasher.hash_one(name);
        let entry = table.entry(
            hash,
            |&id| names[id as usize] == name,
            |&id| hasher.hash_one(names[id as usize].as_str()),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => *e.get(),
            hashbrown::hash_table::Entry::Vacant(e) => {
                let id = u32::try_from(names.len())
                    .ok()
                    .filter(|&id| id != NULL_ID)
                    .expect("fewer than 2^32 - 1 distinct categories");
                e.insert(id);
                names.push(name.to_string());
                id
            }
        }
    }
}

/// Category names shared by the preference states of a process: a state keeps ids into it
/// (a few bytes per category and group, instead of each group's own copies of the names and
/// a hash table per group).
type Names = Rc<RefCell<Interner>>;

thread_local! {
    /// The names the live states of this process share (freed with the last of them).
    static SHARED_NAMES: RefCell<Weak<RefCell<Interner>>> = const { RefCell::new(Weak::new()) };
}

fn shared_names() -> Names {
    SHARED_NAMES.with_borrow_mut(|w| match w.upgrade() {
        Some(n) => n,
        None => {
            let n = Rc::new(RefCell::new(Interner::default()));
            *w = Rc::downgrade(&n);
            n
        }
    })
}

/// Categories counted inline before [`Counts`] takes a vector.
const INLINE: usize = 4;

/// Count mode: rows per category (shared id), in the order the categories were first seen;
/// the first [`INLINE`] in the state itself.
#[derive(Debug, Clone, Default)]
struct Counts {
    inline: [(u32, u64); INLINE],
    len: usize,
    more: Vec<(u32, u64)>,
}

impl Counts {
    fn iter(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        self.inline[..self.len.min(INLINE)]
            .iter()
            .chain(self.more.iter())
            .copied()
    }

    /// Adds `n` rows to category `id`; `false` when its count would pass 2^64 - 1.
    fn add(&mut self, id: u32, n: u64) -> bool {
        let (inline, more) = (&mut self.inline[..self.len.min(INLINE)], &mut self.more);
        if let Some(e) = inline.iter_mut().chain(more.iter_mut()).find(|e| e.0 == id) {
            return match e.1.checked_add(n) {
                Some(v) => {
                    e.1 = v;
                    true
                }
                None => false,
            };
        }
        if self.len < INLINE {
            self.inline[self.len] = (id, n);
        } else {
            self.more.push((id, n));
        }
        self.len += 1;
        true
    }
}

/// The local index (0, 1, ...) of each of a state's categories, by shared id: a scan while
/// they are few, a hash map beyond.
enum LocalOf {
    Few(Vec<u32>),
    Many(hashbrown::HashMap<u32, u32>),
}

impl LocalOf {
    fn new(ids: &[u32]) -> LocalOf {
        if ids.len() <= 16 {
            LocalOf::Few(ids.to_vec())
        } else {
            LocalOf::Many(
                ids.iter()
                    .enumerate()
                    .map(|(i, &id)| (id, i as u32))
                    .collect(),
            )
        }
    }

    fn get(&self, id: u32) -> u32 {
        match self {
            LocalOf::Few(ids) => ids
                .iter()
                .position(|&x| x == id)
                .expect("a category of the state") as u32,
            LocalOf::Many(map) => map[&id],
        }
    }
}

/// Aggregate state of product preference over one user's rows (see the module docs).
#[derive(Debug, Clone)]
pub struct PreferenceState {
    mode: Attention,
    names: Names,
    /// Count mode: rows per category.
    counts: Counts,
    /// Dwell mode: every row, `(ts, shared category id or NULL_ID)`.
    rows: Vec<(i64, u32)>,
}

impl PreferenceState {
    /// An empty state; build a dwell mode with [`Attention::dwell`].
    pub fn new(mode: Attention) -> Self {
        PreferenceState {
            mode,
            names: shared_names(),
            counts: Counts::default(),
            rows: Vec::new(),
        }
    }

    pub fn mode(&self) -> Attention {
        self.mode
    }

    /// A state with names of its own, as a state made in another process has.
    #[cfg(test)]
    fn isolated(mode: Attention) -> Self {
        PreferenceState {
            names: Rc::new(RefCell::new(Interner::default())),
            ..PreferenceState::new(mode)
        }
    }

    /// Adds one row (the timestamp matters in dwell mode only).
    pub fn push(&mut self, ts: i64, category: Option<&str>) {
        match self.mode {
            Attention::Count => {
                if let Some(c) = category {
                    let id = self.names.borrow_mut().intern(c);
                    // One row at a time cannot pass 2^64 - 1 rows.
                    let _ = self.counts.add(id, 1);
                }
            }
            Attention::Dwell { .. } => {
                let id = category.map_or(NULL_ID, |c| self.names.borrow_mut().intern(c));
                self.rows.push((ts, id));
            }
        }
    }

    /// The state's categories (shared ids) in the order they were first seen.
    fn local_ids(&self) -> Vec<u32> {
        match self.mode {
            Attention::Count => self.counts.iter().map(|(id, _)| id).collect(),
            Attention::Dwell { .. } => {
                let mut ids: Vec<u32> = Vec::new();
                let mut seen: Option<hashbrown::HashSet<u32>> = None;
                for &(_, id) in &self.rows {
                    if id == NULL_ID {
                        continue;
                    }
                    let new = match &mut seen {
                        Some(set) => set.insert(id),
                        None => !ids.contains(&id),
                    };
                    if new {
                        ids.push(id);
                        if seen.is_none() && ids.len() > 16 {
                            seen = Some(ids.iter().copied().collect());
                        }
                    }
                }
                ids
            }
        }
    }

    /// The preference; `None` when no row had a non-NULL category.
    pub fn finish(&self) -> Option<Preference> {
        let ids = self.local_ids();
        if ids.is_empty() {
            return None;
        }
        let table = self.names.borrow();
        let names: Vec<&str> = ids
            .iter()
            .map(|&id| table.names[id as usize].as_str())
            .collect();
        // Local indexes in name order, and each one's rank in it.
        let mut by_name: Vec<u32> = (0..names.len() as u32).collect();
        by_name.sort_unstable_by(|&a, &b| names[a as usize].cmp(names[b as usize]));
        // amounts[rank]: rows, or microseconds of dwell.
        let mut amounts = vec![0u128; names.len()];
        match self.mode {
            Attention::Count => {
                let counts: Vec<u64> = self.counts.iter().map(|(_, n)| n).collect();
                for (rank, &local) in by_name.iter().enumerate() {
                    amounts[rank] = u128::from(counts[local as usize]);
                }
            }
            Attention::Dwell { timeout_us } => {
                let mut rank_of = vec![0u32; names.len()];
                for (rank, &local) in by_name.iter().enumerate() {
                    rank_of[local as usize] = rank as u32;
                }
                let local_of = LocalOf::new(&ids);
                // Sort key (ts, 0 for NULL else 1 + rank): NULL first, then names.
                let mut keys: Vec<(i64, u32)> = self
                    .rows
                    .iter()
                    .map(|&(ts, id)| {
                        let k = if id == NULL_ID {
                            0
                        } else {
                            1 + rank_of[local_of.get(id) as usize]
                        };
                        (ts, k)
                    })
                    .collect();
                // Equal keys are equal rows, so an unstable sort is deterministic.
                keys.sort_unstable();
                for w in keys.windows(2) {
                    let ((ts, k), (next, _)) = (w[0], w[1]);
                    if k != 0 {
                        let gap = i128::from(next) - i128::from(ts);
                        amounts[(k - 1) as usize] += gap.min(i128::from(timeout_us)) as u128;
                    }
                }
            }
        }
        let unit = |a: u128| match self.mode {
            Attention::Count => a as f64,
            Attention::Dwell { .. } => a as f64 / 1e6,
        };
        let total: u128 = amounts.iter().sum();
        if total == 0 {
            return Some(Preference {
                top_category: None,
                top_share: None,
                total: 0.0,
                shares: Vec::new(),
            });
        }
        // By amount descending, then name ascending (= rank ascending).
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by_key(|&rank| (Reverse(amounts[rank]), rank));
        let shares: Vec<(String, f64, f64)> = order
            .into_iter()
            .map(|rank| {
                let a = amounts[rank];
                let name = names[by_name[rank] as usize].to_string();
                (name, a as f64 / total as f64, unit(a))
            })
            .collect();
        Some(Preference {
            top_category: Some(shares[0].0.clone()),
            top_share: Some(shares[0].1),
            total: unit(total),
            shares,
        })
    }

    fn merge_with(
        &mut self,
        other: PreferenceState,
        check_interrupts: &mut dyn FnMut(),
    ) -> OpsResult<()> {
        if self.mode != other.mode {
            return Err(OpsError::invalid(format!(
                "the session timeout must be the same for every row of a group, got {} and {}",
                self.mode, other.mode
            )));
        }
        // Other's ids as this state's (the same when both share the process's names).
        let remap: Option<hashbrown::HashMap<u32, u32>> = (!Rc::ptr_eq(&self.names, &other.names))
            .then(|| {
                let theirs = other.names.borrow();
                let mut mine = self.names.borrow_mut();
                other
                    .local_ids()
                    .into_iter()
                    .map(|id| (id, mine.intern(&theirs.names[id as usize])))
                    .collect()
            });
        let map = |id: u32| match &remap {
            Some(m) if id != NULL_ID => m[&id],
            _ => id,
        };
        match self.mode {
            Attention::Count => {
                for (id, n) in other.counts.iter() {
                    if !self.counts.add(map(id), n) {
                        return Err(OpsError::limit("more than 2^64 rows in a category"));
                    }
                }
            }
            Attention::Dwell { .. } => {
                self.rows.reserve(other.rows.len());
                for chunk in other.rows.chunks(1 << 16) {
                    check_interrupts();
                    self.rows
                        .extend(chunk.iter().map(|&(ts, id)| (ts, map(id))));
                }
            }
        }
        Ok(())
    }
}

impl PartialState for PreferenceState {
    /// Adds counts, or concatenates rows with their category ids remapped; errors when the
    /// modes differ (the timeout must be the same for every row of a group).
    fn merge(&mut self, other: PreferenceState) -> OpsResult<()> {
        self.merge_with(other, &mut || {})
    }

    fn merge_interruptible(
        &mut self,
        other: PreferenceState,
        check_interrupts: &mut dyn FnMut(),
    ) -> OpsResult<()> {
        self.merge_with(other, check_interrupts)
    }

    /// `'W'`, version 1, the mode (`u8`: 0 count, 1 dwell), the timeout in microseconds
    /// (`i64`, 0 in count mode), the state's category names (a count, then each as a
    /// length-prefixed UTF-8 string, in the order they were first seen; a category's id is
    /// its place in this list); then in count mode one `u64` count per category, in dwell
    /// mode the number of rows and each row's timestamp (`i64`) and category id (`u32`,
    /// `u32::MAX` for NULL).
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(PREFERENCE_TAG, PREFERENCE_VERSION);
        match self.mode {
            Attention::Count => w.u8(0).i64(0),
            Attention::Dwell { timeout_us } => w.u8(1).i64(timeout_us),
        };
        let ids = self.local_ids();
        w.len(ids.len());
        {
            let table = self.names.borrow();
            for &id in &ids {
                w.str(&table.names[id as usize]);
            }
        }
        match self.mode {
            Attention::Count => {
                for (_, c) in self.counts.iter() {
                    w.u64(c);
                }
            }
            Attention::Dwell { .. } => {
                let local_of = LocalOf::new(&ids);
                w.len(self.rows.len());
                for &(ts, id) in &self.rows {
                    w.i64(ts)
                        .u32(if id == NULL_ID { id } else { local_of.get(id) });
                }
            }
        }
        w.finish()
    }

    /// A state from [`PreferenceState::encode`]; a bad mode or timeout, duplicate or unused
    /// category names, zero counts and unknown ids are `malformed`.
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, PREFERENCE_TAG, PREFERENCE_VERSION)?;
        let mode = match (r.u8()?, r.i64()?) {
            (0, 0) => Attention::Count,
            (1, t) if t > 0 => Attention::Dwell { timeout_us: t },
            (m, t) => return Err(corrupt(&format!("mode {m} with timeout {t}"))),
        };
        let mut s = PreferenceState::new(mode);
        let n = r.len(8)?;
        let mut ids = Vec::with_capacity(n);
        {
            let mut seen = hashbrown::HashSet::with_capacity(n);
            let mut table = s.names.borrow_mut();
            for _ in 0..n {
                let name = r.str_ref()?;
                let id = table.intern(name);
                if !seen.insert(id) {
                    return Err(corrupt(&format!("category '{}' twice", quote(name))));
                }
                ids.push(id);
            }
        }
        match mode {
            Attention::Count => {
                for &id in &ids {
                    let c = r.u64()?;
                    if c == 0 {
                        return Err(corrupt("a category with no row"));
                    }
                    let _ = s.counts.add(id, c);
                }
            }
            Attention::Dwell { .. } => {
                let rows = r.len(12)?;
                let mut used = vec![false; n];
                s.rows.reserve(rows);
                for _ in 0..rows {
                    let (ts, local) = (r.i64()?, r.u32()?);
                    let id = if local == NULL_ID {
                        NULL_ID
                    } else {
                        *used
                            .get_mut(local as usize)
                            .ok_or_else(|| corrupt(&format!("category id {local}")))? = true;
                        ids[local as usize]
                    };
                    s.rows.push((ts, id));
                }
                if used.contains(&false) {
                    return Err(corrupt("a category with no row"));
                }
            }
        }
        r.finish()?;
        Ok(s)
    }
}

fn corrupt(what: &str) -> OpsError {
    OpsError::malformed(format!("preference state is corrupt: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::time::{NEG_INFINITY, POS_INFINITY, USECS_PER_SEC};
    use proptest::prelude::*;

    const S: i64 = USECS_PER_SEC;

    fn run(mode: Attention, rows: &[(i64, Option<&str>)]) -> Option<Preference> {
        let mut s = PreferenceState::new(mode);
        for &(ts, c) in rows {
            s.push(ts, c);
        }
        s.finish()
    }

    fn dwell(secs: i64) -> Attention {
        Attention::dwell(secs * S).unwrap()
    }

    fn share(name: &str, share: f64, amount: f64) -> (String, f64, f64) {
        (name.to_string(), share, amount)
    }

    #[test]
    fn count_hand_worked() {
        let p = run(
            Attention::Count,
            &[
                (5, Some("bond")),
                (1, Some("fund")),
                (9, Some("bond")),
                (2, None),
                (0, Some("bond")),
            ],
        )
        .unwrap();
        assert_eq!(
            p,
            Preference {
                top_category: Some("bond".into()),
                top_share: Some(0.75),
                total: 4.0,
                shares: vec![share("bond", 0.75, 3.0), share("fund", 0.25, 1.0)],
            }
        );
        // Ties go to the smallest name (byte order: "Z" < "a" < "债券" < "基金").
        let p = run(
            Attention::Count,
            &[
                (0, Some("基金")),
                (0, Some("债券")),
                (0, Some("a")),
                (0, Some("Z")),
            ],
        )
        .unwrap();
        let names: Vec<&str> = p.shares.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(names, ["Z", "a", "债券", "基金"]);
        assert_eq!(
            (p.top_category.as_deref(), p.top_share),
            (Some("Z"), Some(0.25))
        );
        assert_eq!(run(Attention::Count, &[]), None);
        assert_eq!(run(Attention::Count, &[(0, None), (1, None)]), None);
    }

    #[test]
    fn dwell_hand_worked() {
        let rows = [
            (0, Some("bond")),
            (60 * S, Some("fund")),
            (90 * S, Some("bond")),
            (100 * S, None),
        ];
        let p = run(dwell(3600), &rows).unwrap();
        assert_eq!(
            p,
            Preference {
                top_category: Some("bond".into()),
                top_share: Some(0.7),
                total: 100.0,
                shares: vec![share("bond", 0.7, 70.0), share("fund", 0.3, 30.0)],
            }
        );
        // A gap above the timeout is capped; the last row dwells 0 but is still listed.
        let p = run(dwell(3600), &[(0, Some("a")), (10_000 * S, Some("b"))]).unwrap();
        assert_eq!(
            p.shares,
            vec![share("a", 1.0, 3600.0), share("b", 0.0, 0.0)]
        );
        assert_eq!(p.total, 3600.0);
        // Exactly the timeout, and sub-second dwell.
        let p = run(
            dwell(10),
            &[(0, Some("a")), (10 * S, Some("b")), (10 * S + 1, None)],
        )
        .unwrap();
        assert_eq!(
            p.shares,
            vec![
                share("a", 10.0 / 10.000001, 10.0),
                share("b", 1.0 / 10_000_001.0, 0.000001)
            ]
        );
        // NULL rows only end dwell: a NULL row between two others.
        let p = run(
            dwell(3600),
            &[
                (0, Some("a")),
                (5 * S, None),
                (20 * S, Some("a")),
                (25 * S, Some("b")),
            ],
        )
        .unwrap();
        assert_eq!(p.shares, vec![share("a", 1.0, 10.0), share("b", 0.0, 0.0)]);
    }

    #[test]
    fn dwell_zero_total_and_no_category() {
        let zero = Preference {
            top_category: None,
            top_share: None,
            total: 0.0,
            shares: vec![],
        };
        assert_eq!(run(dwell(60), &[(0, Some("a"))]), Some(zero.clone()));
        // Same timestamp: the first dwells 0, the second is last.
        assert_eq!(
            run(dwell(60), &[(7, Some("b")), (7, Some("a"))]),
            Some(zero.clone())
        );
        // The categorized row is last; the NULL rows dwell but never count.
        assert_eq!(
            run(dwell(60), &[(0, None), (S, None), (2 * S, Some("a"))]),
            Some(zero)
        );
        assert_eq!(run(dwell(60), &[]), None);
        assert_eq!(run(dwell(60), &[(0, None), (S, None)]), None);
    }

    #[test]
    fn equal_timestamps_are_ordered_null_first_then_by_name() {
        let rows = [
            (0, Some("b")),
            (0, Some("a")),
            (0, None),
            (50 * S, Some("c")),
            (50 * S, Some("c")),
        ];
        let want = run(dwell(3600), &rows).unwrap();
        // Sorted: NULL@0 a@0 b@0 c@50 c@50: only b dwells (50 s).
        assert_eq!(
            want.shares,
            vec![
                share("b", 1.0, 50.0),
                share("a", 0.0, 0.0),
                share("c", 0.0, 0.0)
            ]
        );
        // Every permutation gives the same.
        let mut idx: Vec<usize> = (0..rows.len()).collect();
        let mut perms = 0;
        permute(&mut idx, 0, &mut |p| {
            let permuted: Vec<_> = p.iter().map(|&i| rows[i]).collect();
            assert_eq!(run(dwell(3600), &permuted).unwrap(), want);
            perms += 1;
        });
        assert_eq!(perms, 120);
    }

    fn permute(v: &mut Vec<usize>, k: usize, f: &mut dyn FnMut(&[usize])) {
        if k == v.len() {
            return f(v);
        }
        for i in k..v.len() {
            v.swap(k, i);
            permute(v, k + 1, f);
            v.swap(k, i);
        }
    }

    #[test]
    fn infinite_and_extreme_timestamps_do_not_overflow() {
        let p = run(
            dwell(60),
            &[
                (NEG_INFINITY, Some("a")),
                (0, Some("b")),
                (POS_INFINITY, Some("c")),
            ],
        )
        .unwrap();
        assert_eq!(
            p.shares,
            vec![
                share("a", 0.5, 60.0),
                share("b", 0.5, 60.0),
                share("c", 0.0, 0.0)
            ]
        );
        let p = run(
            Attention::dwell(i64::MAX).unwrap(),
            &[(NEG_INFINITY, Some("a")), (POS_INFINITY, Some("b"))],
        )
        .unwrap();
        assert_eq!(p.shares[0], share("a", 1.0, i64::MAX as f64 / 1e6));
    }

    #[test]
    fn timeouts_must_be_positive_and_equal() {
        for t in [0, -1, i64::MIN] {
            let e = Attention::dwell(t).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter);
            assert!(e
                .message
                .starts_with("the session timeout must be positive"));
        }
        assert_eq!(
            Attention::dwell(-1_500_000).unwrap_err().message,
            "the session timeout must be positive, got -1.5 seconds"
        );
        let mut a = PreferenceState::new(dwell(60));
        let e = a.merge(PreferenceState::new(dwell(61))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert_eq!(
            e.message,
            "the session timeout must be the same for every row of a group, got a session \
             timeout of 60 seconds and a session timeout of 61 seconds"
        );
        let e = a.merge(PreferenceState::new(Attention::Count)).unwrap_err();
        assert!(e.message.ends_with("and row counts"), "{}", e.message);
        let mut c = PreferenceState::new(Attention::Count);
        c.merge(PreferenceState::new(Attention::Count)).unwrap();
        assert_eq!(c.mode(), Attention::Count);
    }

    #[test]
    fn decode_rejects_corrupt_states() {
        let bad = |b: &[u8]| {
            let e = PreferenceState::decode(b).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Malformed, "{}", e.message);
            e.message
        };
        let mut s = PreferenceState::new(dwell(60));
        s.push(0, Some("a"));
        s.push(5, None);
        let good = s.encode();
        // tag, version, mode (2), timeout 3..11, 1 name 11..19, "a" 19..28, 2 rows 28..36,
        // (0, 0) 36..48, (5, NULL) 48..60.
        assert_eq!(good.len(), 60);
        let back = PreferenceState::decode(&good).unwrap();
        assert_eq!(back.finish(), s.finish());
        assert_eq!(back.encode(), good);
        for n in 0..good.len() {
            bad(&good[..n]);
        }
        let mut b = good.clone();
        b.push(1);
        assert!(bad(&b).contains("trailing"));
        let mut b = good.clone();
        b[2] = 2;
        assert!(bad(&b).contains("mode 2"));
        let mut b = good.clone();
        b[3..11].copy_from_slice(&0i64.to_le_bytes());
        bad(&b);
        let mut b = good.clone();
        b[44..48].copy_from_slice(&1u32.to_le_bytes());
        assert!(bad(&b).contains("category id 1"));
        let mut b = good.clone();
        b[44..48].copy_from_slice(&NULL_ID.to_le_bytes());
        assert!(bad(&b).contains("no row"));
        let mut b = good.clone();
        b[27] = 0xff; // invalid UTF-8
        assert!(bad(&b).contains("UTF-8"));

        let mut c = PreferenceState::new(Attention::Count);
        c.push(0, Some("x"));
        c.push(0, Some("y"));
        let good = c.encode();
        assert_eq!(PreferenceState::decode(&good).unwrap().finish(), c.finish());
        let mut b = good.clone();
        b[36] = b'x'; // "y" -> "x": a duplicate name
        assert!(bad(&b).contains("'x' twice"));
        let n = good.len();
        let mut b = good.clone();
        b[n - 8..].copy_from_slice(&0u64.to_le_bytes());
        assert!(bad(&b).contains("no row"));
        let mut b = good.clone();
        b[3] = 1; // a timeout in count mode
        bad(&b);
        assert!(bad(&[b'M', 1]).contains("tag"));
    }

    // -------------------------------------------------------------------------------
    // Properties
    // -------------------------------------------------------------------------------

    const CATS: [&str; 5] = ["a", "b", "ab", "é", "Z"];

    type Row = (i64, Option<&'static str>);

    /// Rows on a coarse grid (many equal timestamps), with a shuffle key.
    fn rows() -> impl Strategy<Value = Vec<(i64, Option<&'static str>, u32)>> {
        prop::collection::vec(
            (
                0i64..30,
                prop::option::weighted(0.8, prop::sample::select(CATS.to_vec())),
                any::<u32>(),
            ),
            0..25,
        )
        .prop_map(|v| v.into_iter().map(|(t, c, k)| (t * S, c, k)).collect())
    }

    fn mode() -> impl Strategy<Value = Attention> {
        prop_oneof![
            Just(Attention::Count),
            (1i64..12).prop_map(|t| Attention::dwell(t * S).unwrap()),
            Just(Attention::dwell(1).unwrap()),
        ]
    }

    /// The rules, naively: sort, walk, sum per name in a map, sort the list.
    fn oracle(mode: Attention, rows: &[Row]) -> Option<Preference> {
        use std::collections::BTreeMap;
        let mut amount: BTreeMap<&str, i64> = BTreeMap::new();
        let mut sorted = rows.to_vec();
        sorted.sort(); // (ts, None < Some(name), names by bytes)
        for (i, &(ts, c)) in sorted.iter().enumerate() {
            let Some(c) = c else { continue };
            let add = match mode {
                Attention::Count => 1,
                Attention::Dwell { timeout_us } => sorted
                    .get(i + 1)
                    .map_or(0, |next| (next.0 - ts).min(timeout_us)),
            };
            *amount.entry(c).or_default() += add;
        }
        if amount.is_empty() {
            return None;
        }
        let total: i64 = amount.values().sum();
        let unit = |a: i64| match mode {
            Attention::Count => a as f64,
            Attention::Dwell { .. } => a as f64 / 1e6,
        };
        if total == 0 {
            return Some(Preference {
                top_category: None,
                top_share: None,
                total: 0.0,
                shares: vec![],
            });
        }
        let mut shares: Vec<(String, f64, f64)> = amount
            .iter()
            .map(|(n, &a)| (n.to_string(), a as f64 / total as f64, unit(a)))
            .collect();
        // stable: names already ascending
        shares.sort_by(|x, y| y.2.partial_cmp(&x.2).unwrap());
        Some(Preference {
            top_category: Some(shares[0].0.clone()),
            top_share: Some(shares[0].1),
            total: unit(total),
            shares,
        })
    }

    fn build(mode: Attention, rows: &[(i64, Option<&'static str>, u32)]) -> PreferenceState {
        let mut s = PreferenceState::new(mode);
        rows.iter().for_each(|&(ts, c, _)| s.push(ts, c));
        s
    }

    proptest! {
        #[test]
        fn matches_a_naive_oracle(mode in mode(), rows in rows()) {
            let plain: Vec<Row> = rows.iter().map(|&(t, c, _)| (t, c)).collect();
            let got = build(mode, &rows).finish();
            prop_assert_eq!(&got, &oracle(mode, &plain));
            if let Some(p) = got {
                let sum: f64 = p.shares.iter().map(|s| s.1).sum();
                prop_assert!(p.shares.is_empty() || (sum - 1.0).abs() < 1e-9);
                prop_assert_eq!(p.top_share.is_some(), p.total > 0.0);
            }
        }

        /// Any permutation, split into any pieces, encoded, decoded and merged in any
        /// order, gives exactly the one-shot result; every encoding prefix is malformed.
        #[test]
        fn permutation_split_merge_and_bytes_do_not_matter(
            mode in mode(),
            rows in rows(),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
            reverse in any::<bool>(),
        ) {
            let whole = build(mode, &rows);
            let mut sorted = rows.clone();
            sorted.sort_by_key(|r| (r.0, r.1));
            prop_assert_eq!(build(mode, &sorted).finish(), whole.finish());

            let mut shuffled = rows.clone();
            shuffled.sort_by_key(|r| r.2);
            let mut cuts: Vec<usize> =
                cuts.iter().map(|c| c.index(shuffled.len() + 1)).collect();
            cuts.extend([0, shuffled.len()]);
            cuts.sort();
            let mut parts: Vec<PreferenceState> = cuts
                .windows(2)
                .map(|w| {
                    let s = build(mode, &shuffled[w[0]..w[1]]);
                    PreferenceState::decode(&s.encode()).unwrap()
                })
                .collect();
            if reverse {
                parts.reverse();
            }
            let mut merged = PreferenceState::new(mode);
            let mut checks = 0;
            for p in parts {
                merged.merge_interruptible(p, &mut || checks += 1).unwrap();
            }
            prop_assert_eq!(merged.finish(), whole.finish());

            // Parts made with names of their own (other processes), many categories (past
            // the inline counts and the scanned local ids), merged in either direction.
            let many: Vec<(i64, Option<String>)> = rows
                .iter()
                .map(|&(ts, c, k)| (ts, c.map(|c| format!("{c}{}", k % 23))))
                .collect();
            let one = {
                let mut s = PreferenceState::new(mode);
                many.iter().for_each(|(ts, c)| s.push(*ts, c.as_deref()));
                s
            };
            let mut acc = PreferenceState::isolated(mode);
            for (i, w) in cuts.windows(2).enumerate() {
                let mut part = PreferenceState::isolated(mode);
                // Names interned in another order first.
                for (_, c) in many[w[0]..w[1]].iter().rev() {
                    if let Some(c) = c {
                        part.names.borrow_mut().intern(c);
                    }
                }
                many[w[0]..w[1]].iter().for_each(|(ts, c)| part.push(*ts, c.as_deref()));
                if i % 2 == 1 {
                    part.merge(acc).unwrap();
                    acc = part;
                } else {
                    acc.merge(part).unwrap();
                }
            }
            prop_assert_eq!(acc.finish(), one.finish());
            prop_assert_eq!(PreferenceState::decode(&acc.encode()).unwrap().finish(), one.finish());

            let bytes = whole.encode();
            let back = PreferenceState::decode(&bytes).unwrap();
            prop_assert_eq!(back.finish(), whole.finish());
            prop_assert_eq!(back.encode(), bytes.clone());
            for n in 0..bytes.len() {
                prop_assert_eq!(
                    PreferenceState::decode(&bytes[..n]).unwrap_err().kind,
                    ErrorKind::Malformed
                );
            }
        }
    }
}
