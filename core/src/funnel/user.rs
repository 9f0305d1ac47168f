//! The per-user funnel state ([`UserFunnel`]) of `window_funnel` and `funnel_path`.

use super::engine::deepest;
use super::spec::{FunnelSpec, Outcome, Row};
use super::state::VERSION;
use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::state::PartialState;
use std::sync::Arc;

/// Which row's property `funnel_path` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyStep {
    /// Step 1 of the reported chain (first touch).
    First,
    /// The deepest step reached (last touch).
    Last,
    /// Step `n` (NULL when the chain did not reach it).
    Step(usize),
}

impl PropertyStep {
    /// `'first'`, `'last'` or a step number `1..=nsteps`.
    pub fn parse(text: &str, nsteps: usize) -> OpsResult<PropertyStep> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("first") {
            return Ok(PropertyStep::First);
        }
        if t.eq_ignore_ascii_case("last") {
            return Ok(PropertyStep::Last);
        }
        match t.parse::<usize>() {
            Ok(n) if (1..=nsteps).contains(&n) => Ok(PropertyStep::Step(n)),
            _ => Err(OpsError::invalid(format!(
                "property_step must be 'first', 'last' or a step number 1..{nsteps}, got '{}'",
                crate::error::truncate(t, 40)
            ))),
        }
    }
}

/// A user's reported chain: level, anchor, the timestamp of each step reached, and the
/// chosen step's property.
#[derive(Debug, Clone, PartialEq)]
pub struct UserPath {
    pub level: usize,
    pub times: Vec<i64>,
    pub property: Option<String>,
}

/// State of the per-user funnel aggregates: the user's kept rows (24 bytes each, plus 8 for
/// the key hash when a key is held, plus the property when one is asked for). Rows matching
/// no step and no exclusion are kept only under `strict_order` (they break chains). The
/// result depends neither on the row order nor on how rows are split across merges.
#[derive(Debug, Clone, PartialEq)]
pub struct UserFunnel {
    pub spec: Arc<FunnelSpec>,
    rows: Vec<Row>,
    /// Only with a held key or a recorded property: keeping them out of line keeps the
    /// state of the plain per-user funnel small (40 bytes), which matters when a hash
    /// aggregate holds one per user and rows arrive in time order.
    extra: Option<Box<Extra>>,
    /// The level when already known ([`UserFunnel::settled`]), else [`NO_LEVEL`].
    known: u8,
}

const NO_LEVEL: u8 = u8::MAX;

#[derive(Debug, Clone, PartialEq, Default)]
struct Extra {
    /// Per row when the spec holds a key: a hash of the row's key.
    keys: Vec<u64>,
    /// Per row when a property is recorded.
    props: Vec<Option<String>>,
    with_property: bool,
    /// After [`UserFunnel::best`]: the original index of each sorted row.
    order: Vec<u32>,
}

/// Rows reserved on a state's first kept row: most users keep a handful, and one
/// allocation of that size avoids the 4 -> 8 -> 16 reallocations.
const FIRST_CAPACITY: usize = 8;

const USER_TAG: u8 = b'F';

impl UserFunnel {
    pub fn new(spec: Arc<FunnelSpec>) -> UserFunnel {
        let extra = spec.keyed.then(Box::default);
        UserFunnel {
            spec,
            rows: Vec::new(),
            extra,
            known: NO_LEVEL,
        }
    }

    /// A state whose level is already known (a group evaluated in a
    /// [`super::pool::UserPool`]): [`UserFunnel::finish`] returns `level`.
    pub fn settled(spec: Arc<FunnelSpec>, level: usize) -> UserFunnel {
        UserFunnel {
            known: level.min(NO_LEVEL as usize - 1) as u8,
            ..UserFunnel::new(spec)
        }
    }

    /// A state that records each row's property (`funnel_path` with a property argument).
    pub fn with_property(spec: Arc<FunnelSpec>) -> UserFunnel {
        UserFunnel {
            spec,
            rows: Vec::new(),
            extra: Some(Box::new(Extra {
                with_property: true,
                ..Extra::default()
            })),
            known: NO_LEVEL,
        }
    }

    fn with_property_flag(&self) -> bool {
        self.extra.as_ref().is_some_and(|e| e.with_property)
    }

    #[inline]
    fn push_row(&mut self, row: Row) {
        if self.rows.capacity() == 0 {
            self.rows.reserve_exact(FIRST_CAPACITY);
        }
        self.rows.push(row);
    }

    /// Whether a row must be kept.
    #[inline]
    fn keeps(&self, mask: u64, excl: u32) -> bool {
        mask != 0 || excl != 0 || self.spec.cfg.mode.strict_order
    }

    /// Adds a row (bits beyond the funnel's steps and exclusions are dropped).
    #[inline]
    pub fn push(&mut self, ts: i64, mask: u64, excl: u32) {
        let mask = mask & self.spec.cfg.step_bits();
        if self.keeps(mask, excl) {
            self.push_row(Row { ts, mask, excl });
        }
    }

    /// Adds a row with its key hash (a held key) and property (when recorded).
    pub fn push_full(
        &mut self,
        ts: i64,
        mask: u64,
        excl: u32,
        key: Option<u64>,
        property: Option<&str>,
    ) {
        let mask = mask & self.spec.cfg.step_bits();
        if !self.keeps(mask, excl) {
            return;
        }
        let keyed = self.spec.keyed;
        if let Some(extra) = self.extra.as_mut() {
            if keyed {
                let Some(key) = key else { return };
                extra.keys.push(key);
            }
            if extra.with_property {
                extra.props.push(property.map(str::to_string));
            }
        }
        self.push_row(Row { ts, mask, excl });
    }

    /// The steps (bit `k - 1`: step `k`) and exclusions (bit `e`) that some kept row
    /// matched (none for a [`UserFunnel::settled`] state).
    pub fn matched(&self) -> (u64, u32) {
        self.rows
            .iter()
            .fold((0, 0), |(m, x), r| (m | r.mask, x | r.excl))
    }

    /// The deepest step reached (0 = never reached step 1).
    pub fn finish(&mut self) -> usize {
        if self.known != NO_LEVEL {
            return self.known as usize;
        }
        if self.extra.is_none() {
            self.rows.sort_unstable_by_key(|r| (r.ts, r.mask, r.excl));
            return level_of(&self.rows, &self.spec);
        }
        self.best(false).0
    }

    /// The reported chain (over all keys when a key is held) with the property of `step`.
    pub fn finish_path(&mut self, step: PropertyStep) -> UserPath {
        let (level, rows, path) = self.best(true);
        let times = path.iter().map(|&i| rows[i as usize].ts).collect();
        let pick = match step {
            PropertyStep::First => 1,
            PropertyStep::Last => level,
            PropertyStep::Step(n) => n,
        };
        // No chain, no property: the `clickhouse` flag's greedy pass tracks none.
        let at = pick
            .checked_sub(1)
            .filter(|_| pick <= level)
            .and_then(|p| path.get(p));
        let property = match (self.extra.as_ref(), at) {
            (Some(e), Some(&i)) if e.with_property => {
                let i = i as usize;
                e.props[e.order.get(i).map_or(i, |&o| o as usize)].clone()
            }
            _ => None,
        };
        UserPath {
            level,
            times,
            property,
        }
    }

    /// Sorts the rows by (key, ts, property) and runs the engine on each key's rows: the
    /// deepest level; ties by the later anchor, then the earlier last step. Returns the
    /// level, the sorted rows and the chain (indices into them; `order` maps them back).
    fn best(&mut self, want_path: bool) -> (usize, Vec<Row>, Vec<u32>) {
        let n = self.rows.len();
        let mut order: Vec<u32> = (0..n as u32).collect();
        let extra = self.extra.get_or_insert_with(Box::default);
        {
            let (rows, keys, props) = (&self.rows, &extra.keys, &extra.props);
            order.sort_unstable_by(|&a, &b| {
                let (a, b) = (a as usize, b as usize);
                let key = |i: usize| keys.get(i).copied().unwrap_or(0);
                (key(a), rows[a].ts, rows[a].mask, rows[a].excl)
                    .cmp(&(key(b), rows[b].ts, rows[b].mask, rows[b].excl))
                    .then_with(|| props.get(a).cmp(&props.get(b)))
            });
        }
        let sorted: Vec<Row> = order.iter().map(|&i| self.rows[i as usize]).collect();
        let mut best: Option<(Outcome, usize)> = None; // (outcome, offset of its key's rows)
        let mut start = 0;
        let keys = &extra.keys;
        while start < n {
            let key = keys.get(order[start] as usize).copied();
            let end = if self.spec.keyed {
                start + order[start..].partition_point(|&i| keys.get(i as usize).copied() == key)
            } else {
                n
            };
            let part = &sorted[start..end];
            let out = if self.spec.cfg.mode.clickhouse {
                Outcome {
                    level: super::clickhouse::level(part, &self.spec.cfg),
                    path: Vec::new(),
                }
            } else {
                deepest(part, &self.spec, want_path)
            };
            let better = match &best {
                None => true,
                Some((b, off)) => better_outcome(&out, part, b, &sorted[*off..]),
            };
            if better {
                best = Some((out, start));
            }
            start = end;
        }
        extra.order = order;
        match best {
            None => (0, sorted, Vec::new()),
            Some((out, off)) => {
                let path = out.path.iter().map(|&i| i + off as u32).collect();
                (out.level, sorted, path)
            }
        }
    }
}

/// The level of rows sorted by timestamp.
pub(super) fn level_of(rows: &[Row], spec: &FunnelSpec) -> usize {
    if spec.cfg.mode.clickhouse {
        super::clickhouse::level(rows, &spec.cfg)
    } else {
        deepest(rows, spec, false).level
    }
}

/// Whether `a` (over `ra`) beats `b` (over `rb`): deeper, then later anchor, then earlier
/// last step.
pub(super) fn better_outcome(a: &Outcome, ra: &[Row], b: &Outcome, rb: &[Row]) -> bool {
    if a.level != b.level {
        return a.level > b.level;
    }
    let (Some(&a0), Some(&b0)) = (a.path.first(), b.path.first()) else {
        return false;
    };
    let (aa, ba) = (ra[a0 as usize].ts, rb[b0 as usize].ts);
    if aa != ba {
        return aa > ba;
    }
    let (al, bl) = (
        ra[*a.path.last().unwrap() as usize].ts,
        rb[*b.path.last().unwrap() as usize].ts,
    );
    al < bl
}

/// An encoded state that holds only rows, read without building it
/// ([`UserFunnel::plain_parts`]).
pub struct PlainParts<'a> {
    pub spec: FunnelSpec,
    /// The spec's encoding (equal bytes: equal specs).
    pub spec_bytes: &'a [u8],
    pub rows: PlainRows<'a>,
}

/// The rows of [`PlainParts`].
pub struct PlainRows<'a> {
    rows: usize,
    reader: Reader<'a>,
}

impl PlainRows<'_> {
    /// Calls `push(ts, mask, exclusions)` for each row, in order.
    pub fn for_each_row(mut self, mut push: impl FnMut(i64, u64, u32)) -> OpsResult<()> {
        for _ in 0..self.rows {
            let b = self.reader.fixed(20)?;
            let ts = i64::from_le_bytes(b[0..8].try_into().expect("8 bytes"));
            let mask = u64::from_le_bytes(b[8..16].try_into().expect("8 bytes"));
            let excl = u32::from_le_bytes(b[16..20].try_into().expect("4 bytes"));
            push(ts, mask, excl);
        }
        self.reader.finish()
    }
}

/// Writes what [`PartialState::encode`] writes for a state of `rows` without a held key or
/// a property, its spec already encoded as `spec_bytes` (a [`UserPool`] group sends its rows
/// this way, without building a state). With `nested`, as `Writer::bytes` of that encoding.
pub(super) fn write_plain(
    w: &mut Writer,
    spec_bytes: &[u8],
    rows: impl ExactSizeIterator<Item = (i64, u64, u32)>,
    nested: bool,
) {
    let n = rows.len();
    if nested {
        w.len(2 + spec_bytes.len() + 1 + 8 + 20 * n);
    }
    w.reserve(2 + spec_bytes.len() + 9 + 20 * n);
    w.u8(USER_TAG).u8(VERSION).raw(spec_bytes);
    w.u8(0).len(n);
    for (ts, mask, excl) in rows {
        w.i64(ts).u64(mask).u32(excl);
    }
}

/// The encoding of `spec` (as in a state's bytes).
pub(super) fn spec_bytes(spec: &FunnelSpec) -> Vec<u8> {
    let mut w = Writer::default();
    spec.write(&mut w);
    w.finish()
}

impl UserFunnel {
    /// The rows of an encoded state ([`PartialState::encode`]) whose spec is encoded as
    /// `spec_bytes` and that holds only rows (no held key, no property); `None` when its spec
    /// is another or it holds more (nothing is decoded but the rows).
    pub fn plain_rows_of<'a>(
        bytes: &'a [u8],
        spec_bytes: &[u8],
    ) -> OpsResult<Option<PlainRows<'a>>> {
        let mut r = Reader::new(bytes, USER_TAG, VERSION)?;
        if spec_bytes.is_empty() || r.fixed(spec_bytes.len()).ok() != Some(spec_bytes) {
            return Ok(None);
        }
        if r.u8()? == 1 {
            return Ok(None);
        }
        let rows = r.len(20)?;
        Ok(Some(PlainRows { rows, reader: r }))
    }

    /// The spec and rows of an encoded state ([`PartialState::encode`]) when it holds only
    /// rows (no held key, no property); `None` otherwise.
    pub fn plain_parts(bytes: &[u8]) -> OpsResult<Option<PlainParts<'_>>> {
        let mut r = Reader::new(bytes, USER_TAG, VERSION)?;
        let from = r.position();
        let spec = FunnelSpec::read(&mut r)?;
        let spec_bytes = r.since(from);
        if spec.keyed || r.u8()? == 1 {
            return Ok(None);
        }
        let rows = r.len(20)?;
        Ok(Some(PlainParts {
            spec,
            spec_bytes,
            rows: PlainRows { rows, reader: r },
        }))
    }
}

impl PartialState for UserFunnel {
    fn merge(&mut self, mut other: UserFunnel) -> OpsResult<()> {
        self.rows.append(&mut other.rows);
        if let (Some(mine), Some(theirs)) = (self.extra.as_mut(), other.extra.as_mut()) {
            mine.keys.append(&mut theirs.keys);
            mine.props.append(&mut theirs.props);
        }
        Ok(())
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(USER_TAG, VERSION);
        self.spec.write(&mut w);
        let with_property = self.with_property_flag();
        w.u8(with_property as u8).len(self.rows.len());
        let extra = self.extra.as_deref();
        for (i, r) in self.rows.iter().enumerate() {
            w.i64(r.ts).u64(r.mask).u32(r.excl);
            if self.spec.keyed {
                w.u64(extra.map_or(0, |e| e.keys[i]));
            }
            if let Some(e) = extra.filter(|e| e.with_property) {
                match &e.props[i] {
                    Some(p) => {
                        w.u8(1).str(p);
                    }
                    None => {
                        w.u8(0);
                    }
                }
            }
        }
        w.finish()
    }

    fn decode(bytes: &[u8]) -> OpsResult<UserFunnel> {
        let mut r = Reader::new(bytes, USER_TAG, VERSION)?;
        let spec = Arc::new(FunnelSpec::read(&mut r)?);
        let with_property = r.u8()? == 1;
        let mut s = if with_property {
            UserFunnel::with_property(spec)
        } else {
            UserFunnel::new(spec)
        };
        let keyed = s.spec.keyed;
        let n = r.len(20)?;
        for _ in 0..n {
            s.rows.push(Row {
                ts: r.i64()?,
                mask: r.u64()?,
                excl: r.u32()?,
            });
            if let Some(e) = s.extra.as_mut() {
                if keyed {
                    e.keys.push(r.u64()?);
                }
                if with_property {
                    e.props
                        .push(if r.u8()? == 1 { Some(r.str()?) } else { None });
                }
            }
        }
        r.finish()?;
        Ok(s)
    }
}
