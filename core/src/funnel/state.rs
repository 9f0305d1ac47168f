//! The population funnel aggregate states: the one-shot
//! `funnel_step_rates`' [`PopulationFunnel`] and the two-stage form's [`LevelCounts`], with
//! their [`PartialState`] impls.

use super::config::{check_nsteps, low_bits, FunnelConfig};
use super::matcher::StepMatcher;
use super::report::{step_rows, step_rows_on, StepDurations, StepRow};
use super::spec::{FunnelSpec, Outcome, Row};
use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::state::{PartialState, Work, INTERRUPT_WORK};
use crate::threads::{self, Threads};
use hashbrown::HashMap;
use std::hash::Hash;
use std::iter::Peekable;
use std::marker::PhantomData;
use std::sync::Arc;

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

/// Format version of `window_funnel`'s and the two-stage form's states.
pub(super) const VERSION: u8 = 1;
/// Format version of [`PopulationFunnel`]'s state (2: flat rows of packed keys).
const POPULATION_VERSION: u8 = 4;

// ---------------------------------------------------------------------------------------
// The engines, per (user, key) partition
// ---------------------------------------------------------------------------------------

/// The deepest level of one partition's rows (sorted by timestamp) and, when asked, the
/// reported chain's rows.
fn deepest(rows: &[Row], spec: &FunnelSpec, want_path: bool) -> Outcome {
    super::engine::deepest(rows, spec, want_path)
}

/// ClickHouse `windowFunnel`'s level of one partition's rows (sorted by timestamp).
fn clickhouse_level(rows: &[Row], cfg: &FunnelConfig) -> usize {
    super::clickhouse::level(rows, cfg)
}

// ---------------------------------------------------------------------------------------
// User keys
// ---------------------------------------------------------------------------------------

/// A user identifier of the one-shot form (`bigint` or `text`).
pub trait UserKey: Hash + Eq + Clone {
    /// Distinguishes key types in serialized states.
    const KIND: u8;
    /// How many words of [`UserKey::pack`] identify a user (1 or 2).
    const WORDS: usize = 2;
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

    /// The fixed-width key [`PopulationFunnel`] stores and sorts by, the same in every
    /// process (partial states of parallel workers are combined): its first
    /// [`UserKey::WORDS`] words identify the user, and the first word is uniformly spread
    /// (the sort's radix digits are its top bits). By default a 128-bit hash of the key's
    /// encoding ([`key_hash128`]).
    fn pack(&self) -> [u64; 2] {
        let mut w = Writer::new(0, 0);
        self.write(&mut w);
        key_hash128(&w.finish())
    }
}

impl UserKey for i64 {
    const KIND: u8 = 1;
    const WORDS: usize = 1;
    fn write(&self, w: &mut Writer) {
        w.i64(*self);
    }
    fn read(r: &mut Reader) -> OpsResult<i64> {
        r.i64()
    }
    /// A bijection of the id: distinct ids never collide.
    #[inline]
    fn pack(&self) -> [u64; 2] {
        [mix64(*self as u64), 0]
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
    /// [`key_hash128`] of the text's bytes (what `push_str` computes from a borrowed key).
    #[inline]
    fn pack(&self) -> [u64; 2] {
        key_hash128(self.as_bytes())
    }
}

/// MurmurHash3's 64-bit finalizer: a bijection of `u64` spreading every input bit over the
/// output (so sequential ids fill the radix digits evenly).
#[inline]
fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

const SECRETS: [u64; 8] = [
    0xa076_1d64_78bd_642f,
    0xe703_7ed1_a0b4_28db,
    0x8ebc_6af0_9c88_c6e3,
    0x5899_65cc_7537_4cc3,
    0x1d8e_4e27_c47d_124f,
    0x9e37_79b9_7f4a_7c15,
    0xbf58_476d_1ce4_e5b9,
    0x94d0_49bb_1331_11eb,
];

/// The 128-bit product of `a` and `b`, folded to 64 bits (wyhash's mixing step).
#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// Up to 8 bytes as a little-endian word, zero-padded.
#[inline]
fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

/// A deterministic 128-bit hash of `bytes`: two 64-bit lanes in the style of wyhash (fixed
/// secrets, the length folded in first), each 16-byte block mixed into both lanes by
/// different multiplications. The same value in every process, on every platform and in
/// every build (fixed by a test). Not collision resistant against inputs crafted for it;
/// on ordinary keys two distinct texts share a hash with probability about `2^-128` per
/// pair (a collision would merge two users).
pub fn key_hash128(bytes: &[u8]) -> [u64; 2] {
    let s = SECRETS;
    let len = bytes.len() as u64;
    let (mut a, mut b) = (s[0] ^ len, s[1] ^ len.rotate_left(32));
    let mut block = |x: u64, y: u64| {
        a = fold(x ^ a ^ s[2], y ^ s[3]);
        b = fold(x ^ s[4], y ^ b ^ s[5]);
    };
    let mut chunks = bytes.chunks_exact(16);
    for c in &mut chunks {
        block(word(&c[..8]), word(&c[8..]));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() || len == 0 {
        let cut = rest.len().min(8);
        block(word(&rest[..cut]), word(&rest[cut..]));
    }
    [fold(a ^ s[6], s[7] ^ len), fold(b ^ s[7], s[6] ^ len)]
}

/// The 64-bit key a held-key value is stored as (it only needs to be distinct among one
/// user's values).
#[inline]
fn held_hash(key: &str) -> u64 {
    key_hash128(key.as_bytes())[0]
}

// ---------------------------------------------------------------------------------------
// Row bits: steps and exclusions in one word
// ---------------------------------------------------------------------------------------

/// How a row's step mask and exclusion mask are stored in one `u64`.
///
/// When `nsteps + exclusions <= 64` (narrow): `mask | excl << nsteps`, the same in every
/// state of the funnel. Otherwise (wide): the index of the `(mask, excl)` pair in a table of
/// the distinct pairs seen, in the order this state saw them (a merge renumbers the other
/// state's rows; the encoding carries the table).
#[derive(Debug, Clone)]
struct Packing {
    nsteps: usize,
    nexcl: usize,
    wide: Option<Classes>,
}

#[derive(Debug, Clone, Default)]
struct Classes {
    list: Vec<(u64, u32)>,
    index: HashMap<(u64, u32), u64>,
}

impl Classes {
    fn id(&mut self, mask: u64, excl: u32) -> u64 {
        let list = &mut self.list;
        *self.index.entry((mask, excl)).or_insert_with(|| {
            list.push((mask, excl));
            (list.len() - 1) as u64
        })
    }
}

impl Packing {
    fn new(spec: &FunnelSpec) -> Packing {
        let (nsteps, nexcl) = (spec.cfg.nsteps, spec.exclusions.len());
        Packing {
            nsteps,
            nexcl,
            wide: (nsteps + nexcl > 64).then(Classes::default),
        }
    }

    #[inline]
    fn pack(&mut self, mask: u64, excl: u32) -> u64 {
        match &mut self.wide {
            None if self.nsteps >= 64 => mask,
            None => mask | u64::from(excl) << self.nsteps,
            Some(classes) => classes.id(mask, excl),
        }
    }

    /// The engine's row for a stored row.
    #[inline]
    fn row(&self, ts: i64, bits: u64) -> Row {
        match &self.wide {
            None if self.nsteps >= 64 => Row {
                ts,
                mask: bits,
                excl: 0,
            },
            None => Row {
                ts,
                mask: bits & low_bits(self.nsteps),
                excl: (bits >> self.nsteps) as u32,
            },
            Some(classes) => {
                let (mask, excl) = classes.list[bits as usize];
                Row { ts, mask, excl }
            }
        }
    }

    /// Bytes that hold every bits value a state of this funnel stores (packed rows).
    fn bits_width(&self) -> usize {
        match &self.wide {
            None if self.nsteps < 64 => (self.nsteps + self.nexcl).div_ceil(8).clamp(1, 8),
            _ => 8,
        }
    }

    /// Whether `bits` could have been stored (by a state of this funnel with this table).
    fn valid(&self, bits: u64) -> bool {
        match &self.wide {
            None => bits & !low_bits(self.nsteps + self.nexcl) == 0,
            Some(classes) => bits < classes.list.len() as u64,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Flat buffers and their sort
// ---------------------------------------------------------------------------------------

const USER_WORK: usize = 64;

/// Most bits per pass of the radix sort. A sort sees one segment (at most a few hundred
/// thousand rows even for tens of millions of rows), so 16K write streams still fall in the
/// second-level cache, and one pass instead of two over a worker's segment (up to 16K rows)
/// cut the time in this sort by about 30% (perf of the one-shot funnel with 2 workers).
const RADIX_BITS: u32 = 14;
/// Fewer rows than this are sorted by one comparison sort.
const RADIX_MIN_ROWS: usize = 1 << 10;
/// Once a state holds this many kept rows, they are spread over `2^SPREAD_BITS` segments by
/// the top bits of the user's first key word (a push appends to its user's segment), so that
/// `finish` sorts and evaluates one cache-sized segment at a time.
const SPREAD_ROWS: usize = 1 << 16;
const SPREAD_BITS: u32 = 8;
/// A segment of the silent-user buffer is compacted once it holds twice the users it held
/// after its last compaction, and at least this many (before and after spreading).
const SILENT_MIN_COMPACT: usize = 1 << 10;
const SILENT_MIN_COMPACT_SPREAD: usize = 1 << 6;

/// A kept row: the packed key (`W` words: the user's [`UserKey::pack`] words, then the held
/// key's hash when the funnel holds a key), the timestamp and the packed step/exclusion bits
/// ([`Packing`]). `8 * W + 16` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Flat<const W: usize> {
    key: [u64; W],
    ts: i64,
    bits: u64,
}

/// An element of a flat buffer as [`sort_flat`] sees it.
trait Radix: Copy {
    type Key: Ord;
    /// The sort key.
    fn key(&self) -> Self::Key;
    /// Its first word (uniformly spread: the radix digits are its top bits).
    fn top(&self) -> u64;
}

impl<const W: usize> Radix for Flat<W> {
    type Key = ([u64; W], i64);
    #[inline]
    fn key(&self) -> ([u64; W], i64) {
        (self.key, self.ts)
    }
    #[inline]
    fn top(&self) -> u64 {
        self.key[0]
    }
}

impl<const U: usize> Radix for [u64; U] {
    type Key = [u64; U];
    #[inline]
    fn key(&self) -> [u64; U] {
        *self
    }
    #[inline]
    fn top(&self) -> u64 {
        self[0]
    }
}

/// Sorts `v` by [`Radix::key`], when the top `skip` bits of every element's first word are
/// equal: a stable LSD radix sort on the next `log2(len)` bits of the first word (at most 48,
/// in passes of at most [`RADIX_BITS`] bits; all passes counted in one scan; a pass where
/// every element has the same digit is skipped), then a comparison sort of each run of equal
/// digits that is not in order. The first word is a hash, so a run is about one user's rows,
/// and rows pushed in time order (each user's rows spread over the table) come out of the
/// radix passes already in order. Below [`RADIX_MIN_ROWS`] elements, one comparison sort
/// (skipped when already in order).
///
/// Checks for interrupts at least every 64K elements counted, moved or scanned; the
/// comparison sort of one run (one digit value: mostly a single user's rows) is not
/// interruptible. Memory: `scratch` grows as large as `v`.
fn sort_flat<T: Radix>(v: &mut Vec<T>, skip: u32, scratch: &mut Vec<T>, work: &mut Work) {
    let n = v.len();
    let bits = if n < RADIX_MIN_ROWS {
        0
    } else {
        (usize::BITS - n.leading_zeros()).min(48)
    };
    let digit = |r: &T| {
        if bits == 0 {
            0
        } else {
            (r.top() << skip) >> (64 - bits)
        }
    };
    if bits > 0 {
        let passes = bits.div_ceil(RADIX_BITS) as usize;
        let width = bits.div_ceil(passes as u32);
        let buckets = 1usize << width;
        let mask = (buckets - 1) as u64;
        let mut counts = vec![0usize; buckets * passes];
        for chunk in v.chunks(INTERRUPT_WORK) {
            for r in chunk {
                let d = digit(r);
                for p in 0..passes {
                    counts[p * buckets + ((d >> (p as u32 * width)) & mask) as usize] += 1;
                }
            }
            work.add(chunk.len());
        }
        for p in 0..passes {
            let counts = &mut counts[p * buckets..(p + 1) * buckets];
            if counts.contains(&n) {
                continue;
            }
            let mut next = 0;
            for c in counts.iter_mut() {
                (*c, next) = (next, next + *c);
            }
            scratch.clear();
            scratch.resize(n, v[0]);
            let shift = p as u32 * width;
            for chunk in v.chunks(INTERRUPT_WORK) {
                for r in chunk {
                    let b = ((digit(r) >> shift) & mask) as usize;
                    scratch[counts[b]] = *r;
                    counts[b] += 1;
                }
                work.add(chunk.len());
            }
            std::mem::swap(v, scratch);
        }
    }
    let mut i = 0;
    while i < n {
        let d = digit(&v[i]);
        let mut j = i + 1;
        let mut ordered = true;
        while j < n && digit(&v[j]) == d {
            ordered &= v[j - 1].key() <= v[j].key();
            j += 1;
        }
        work.add(j - i);
        if !ordered {
            v[i..j].sort_unstable_by_key(T::key);
            work.add(j - i);
        }
        i = j;
    }
}

/// A flat buffer, spread over segments once large: one segment while it holds fewer than
/// [`SPREAD_ROWS`] elements, then `2^SPREAD_BITS` segments, segment `s` holding the
/// elements whose first word has `s` as its top bits (a push appends to its segment). Sorting
/// each segment and concatenating them sorts the whole.
#[derive(Debug, Clone)]
struct Segments<T> {
    segs: Vec<Vec<T>>,
}

impl<T> Default for Segments<T> {
    fn default() -> Self {
        Segments {
            segs: vec![Vec::new()],
        }
    }
}

impl<T: Radix> Segments<T> {
    fn is_spread(&self) -> bool {
        self.segs.len() > 1
    }

    /// The top bits shared by the elements of a segment.
    fn skip(&self) -> u32 {
        if self.is_spread() {
            SPREAD_BITS
        } else {
            0
        }
    }

    /// The segment of `x`.
    #[inline]
    fn index(&self, x: &T) -> usize {
        if self.is_spread() {
            (x.top() >> (64 - SPREAD_BITS)) as usize
        } else {
            0
        }
    }

    /// Appends `x`; returns its segment.
    #[inline]
    fn push(&mut self, x: T) -> usize {
        let i = self.index(&x);
        self.segs[i].push(x);
        if i == 0 && !self.is_spread() && self.segs[0].len() >= SPREAD_ROWS {
            self.spread_out();
        }
        i
    }

    fn spread_out(&mut self) {
        if !self.is_spread() {
            let flat = std::mem::take(&mut self.segs[0]);
            self.segs = vec![Vec::new(); 1 << SPREAD_BITS];
            for x in flat {
                let i = self.index(&x);
                self.segs[i].push(x);
            }
        }
    }

    fn len(&self) -> usize {
        self.segs.iter().map(Vec::len).sum()
    }

    /// Every element, segment after segment.
    fn iter(&self) -> impl Iterator<Item = &T> {
        self.segs.iter().flatten()
    }

    /// Appends `other`'s elements (through `map`), segment by segment once large.
    fn append(
        &mut self,
        other: Segments<T>,
        map: impl Fn(&T) -> T,
        identity: bool,
        work: &mut Work,
    ) {
        if self.len() == 0 && identity {
            *self = other;
        } else if !self.is_spread() && !other.is_spread() && self.len() + other.len() < SPREAD_ROWS
        {
            self.segs[0].extend(other.segs[0].iter().map(map));
        } else {
            let mut other = other;
            self.spread_out();
            other.spread_out();
            for (mine, theirs) in self.segs.iter_mut().zip(other.segs) {
                if mine.is_empty() && identity {
                    *mine = theirs;
                    work.add(1);
                    continue;
                }
                for chunk in theirs.chunks(INTERRUPT_WORK) {
                    mine.extend(chunk.iter().map(&map));
                    work.add(chunk.len());
                }
            }
        }
    }
}

/// The rows of one funnel: `W` key words per row, of which the first `U` identify the user
/// (`W > U`: the last word is the held key's hash).
#[derive(Debug, Clone, Default)]
struct Buf<const W: usize, const U: usize> {
    /// Kept rows, each segment in push order until sorted by (key, ts).
    rows: Segments<Flat<W>>,
    /// Rows of merged states that came sorted (a parallel worker sorts its rows before
    /// sending them): each segment sorted by (key, ts); merged with `rows` segment by
    /// segment when evaluated instead of being sorted again.
    runs: Vec<Segments<Flat<W>>>,
    /// Sorted rows of received states kept as their bytes, each spread over every segment:
    /// parsed and checked one segment at a time by the thread that evaluates the segment
    /// (no copy of every row at once in the process that receives them).
    raw: Vec<RawRun>,
    /// Users of rows that were not kept, possibly repeated; the first `clean[s]` users of
    /// segment `s` are sorted and free of repeats.
    silent: Segments<[u64; U]>,
    clean: Vec<usize>,
    /// Every segment of `rows` sorted by (key, ts) and no `runs` (nothing pushed or merged
    /// since; `raw` runs may remain: every evaluation reads them).
    sorted: bool,
}

/// The error for a received state that does not read back.
fn corrupt(what: impl std::fmt::Display) -> OpsError {
    OpsError::malformed(format!("funnel state is corrupt: {what}"))
}

/// The rows of a received sorted state as they came (packed, [`pack_rows`]), spread over
/// `2^SPREAD_BITS` segments: segment `i` is bytes `ends[i - 1].0..ends[i].0`, holding
/// `ends[i].1` rows.
#[derive(Debug, Clone, Default)]
struct RawRun {
    bytes: Vec<u8>,
    ends: Vec<(usize, usize)>,
}

impl RawRun {
    fn rows(&self) -> usize {
        self.ends.iter().map(|e| e.1).sum()
    }

    /// The packed bytes of segment `i` and its row count.
    fn segment(&self, i: usize) -> (&[u8], usize) {
        let start = if i == 0 { 0 } else { self.ends[i - 1].0 };
        (&self.bytes[start..self.ends[i].0], self.ends[i].1)
    }

    /// Every row that reads back (rows of a segment that does not are left out: such a
    /// state fails when evaluated).
    fn rows_lenient<const W: usize>(&self, packing: &Packing, keep_all: bool) -> Vec<Flat<W>> {
        let mut out = Vec::with_capacity(self.rows());
        for i in 0..self.ends.len() {
            let (block, n) = self.segment(i);
            let before = out.len();
            if read_packed(block, n, packing, keep_all, Some(i), &mut out).is_err() {
                out.truncate(before);
            }
        }
        out
    }
}

/// Appends `v` as LEB128 (7 bits a byte, low first).
#[inline]
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Writes sorted rows packed: per run of rows with the same key, the key words, the run's
/// length (LEB128) and its rows: the first one's timestamp in 8 bytes, each next one's as
/// its distance from the previous (LEB128: rows of a key are in time order), each row's
/// bits in [`Packing::bits_width`] bytes. A row costs about 7 bytes instead of `8 * W + 16`.
fn pack_rows<const W: usize>(rows: &[Flat<W>], width: usize, out: &mut Vec<u8>) {
    for run in rows.chunk_by(|a, b| a.key == b.key) {
        for k in run[0].key {
            out.extend_from_slice(&k.to_le_bytes());
        }
        put_varint(out, run.len() as u64);
        let mut previous = run[0].ts;
        out.extend_from_slice(&previous.to_le_bytes());
        for (j, r) in run.iter().enumerate() {
            if j > 0 {
                put_varint(out, r.ts.wrapping_sub(previous) as u64);
                previous = r.ts;
            }
            out.extend_from_slice(&r.bits.to_le_bytes()[..width]);
        }
    }
}

/// Reads `n` rows packed by [`pack_rows`] (exactly filling `block`) into `out`, checked as
/// [`RawCursor`] checks them (`segment`: the segment of a spread state they belong to).
/// Returns the steps and exclusions they match.
fn read_packed<const W: usize>(
    block: &[u8],
    n: usize,
    packing: &Packing,
    keep_all: bool,
    segment: Option<usize>,
    out: &mut Vec<Flat<W>>,
) -> OpsResult<(u64, u32)> {
    out.reserve(n);
    let mut c = RawCursor::new(block, n, segment);
    let mut matched = (0u64, 0u32);
    while c.key()?.is_some() {
        let m = c.take(packing, keep_all, out)?;
        matched = (matched.0 | m.0, matched.1 | m.1);
    }
    Ok(matched)
}

/// Packed rows ([`pack_rows`]) read a key's run at a time: each run's key above the previous
/// one's (and in `segment`, when given), its length within the rows left, its timestamps in
/// range, each row's bits as [`check_bits`] checks them, and nothing after the last run.
struct RawCursor<'a, const W: usize> {
    c: Packed<'a>,
    /// Rows not taken yet.
    left: usize,
    segment: Option<usize>,
    /// The next run's key, row count and first timestamp, once read.
    head: Option<([u64; W], usize, i64)>,
    previous: Option<[u64; W]>,
}

impl<'a, const W: usize> RawCursor<'a, W> {
    fn new(block: &'a [u8], rows: usize, segment: Option<usize>) -> Self {
        RawCursor {
            c: Packed { block, pos: 0 },
            left: rows,
            segment,
            head: None,
            previous: None,
        }
    }

    /// The next run's key, or `None` after the last run (when the block ends there).
    fn key(&mut self) -> OpsResult<Option<&[u64; W]>> {
        if self.head.is_none() {
            if self.left == 0 {
                if self.c.pos != self.c.block.len() {
                    return Err(corrupt("bytes after the packed rows"));
                }
                return Ok(None);
            }
            let mut key = [0u64; W];
            for k in key.iter_mut() {
                *k = self.c.word()?;
            }
            let count = self.c.varint()?;
            if count == 0 || count > self.left as u64 {
                return Err(corrupt(format_args!("a run of {count} rows")));
            }
            let outside = self
                .segment
                .is_some_and(|i| (key[0] >> (64 - SPREAD_BITS)) as usize != i);
            if outside || self.previous.is_some_and(|p| p >= key) {
                return Err(corrupt("sorted rows out of order"));
            }
            let ts = self.c.word()? as i64;
            self.head = Some((key, count as usize, ts));
        }
        Ok(self.head.as_ref().map(|h| &h.0))
    }

    /// Appends the run whose key [`RawCursor::key`] returned; returns the steps and
    /// exclusions its rows match.
    fn take(
        &mut self,
        packing: &Packing,
        keep_all: bool,
        out: &mut Vec<Flat<W>>,
    ) -> OpsResult<(u64, u32)> {
        let (key, count, mut ts) = self.head.take().expect("a run read by key()");
        self.left -= count;
        self.previous = Some(key);
        let width = packing.bits_width();
        let mut matched = (0u64, 0u32);
        for j in 0..count {
            if j > 0 {
                let delta = self.c.varint()?;
                ts = i64::try_from(i128::from(ts) + i128::from(delta))
                    .map_err(|_| corrupt("a timestamp beyond the range"))?;
            }
            let bits = self.c.bits(width)?;
            let r = check_bits(bits, packing, keep_all)?;
            matched = (matched.0 | r.mask, matched.1 | r.excl);
            out.push(Flat { key, ts, bits });
        }
        Ok(matched)
    }
}

/// A read position in packed rows ([`read_packed`]).
struct Packed<'a> {
    block: &'a [u8],
    pos: usize,
}

impl<'a> Packed<'a> {
    #[inline]
    fn take(&mut self, len: usize) -> OpsResult<&'a [u8]> {
        let end = (self.pos.checked_add(len))
            .filter(|&e| e <= self.block.len())
            .ok_or_else(|| corrupt("packed rows truncated"))?;
        let b = &self.block[self.pos..end];
        self.pos = end;
        Ok(b)
    }

    #[inline]
    fn word(&mut self) -> OpsResult<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }

    /// `width` bytes (1 to 8) as a little-endian number.
    #[inline]
    fn bits(&mut self, width: usize) -> OpsResult<u64> {
        if let Some(b) = self.block.get(self.pos..self.pos + 8) {
            self.pos += width;
            let v = u64::from_le_bytes(b.try_into().unwrap());
            return Ok(if width == 8 {
                v
            } else {
                v & ((1 << (8 * width)) - 1)
            });
        }
        let mut bits = [0u8; 8];
        bits[..width].copy_from_slice(self.take(width)?);
        Ok(u64::from_le_bytes(bits))
    }

    /// A LEB128 value of at most 10 bytes.
    #[inline]
    fn varint(&mut self) -> OpsResult<u64> {
        if let Some(&b) = self.block.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                return Ok(u64::from(b));
            }
        }
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.take(1)?[0];
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(corrupt("a number longer than 10 bytes"))
    }
}

/// Checks a received row's bits: bits that a state of this funnel stores, and a step or an
/// exclusion unless `keep_all`. Returns the row's steps and exclusions (at time 0).
#[inline]
fn check_bits(bits: u64, packing: &Packing, keep_all: bool) -> OpsResult<Row> {
    if !packing.valid(bits) {
        return Err(corrupt(format_args!("row bits {bits}")));
    }
    let r = packing.row(0, bits);
    if r.mask == 0 && r.excl == 0 && !keep_all {
        return Err(corrupt("a row matching nothing"));
    }
    Ok(r)
}

/// A row of [`Buf::write`]'s layout (`chunk`: exactly its `8 * W + 16` bytes), unchecked.
#[inline]
fn row_from<const W: usize>(chunk: &[u8]) -> Flat<W> {
    let word = |j: usize| u64::from_le_bytes(chunk[8 * j..8 * j + 8].try_into().unwrap());
    let mut key = [0u64; W];
    for (j, k) in key.iter_mut().enumerate() {
        *k = word(j);
    }
    Flat {
        key,
        ts: word(W) as i64,
        bits: word(W + 1),
    }
}

/// The rows of `block` (an unsorted received state's, [`Buf::write`]'s layout), their bits
/// checked ([`check_bits`]), and the steps and exclusions they match.
fn read_rows<const W: usize>(
    block: &[u8],
    packing: &Packing,
    keep_all: bool,
) -> OpsResult<(Vec<Flat<W>>, (u64, u32))> {
    let row_bytes = std::mem::size_of::<Flat<W>>();
    if !block.len().is_multiple_of(row_bytes) {
        return Err(corrupt("a partial row"));
    }
    let mut out = Vec::with_capacity(block.len() / row_bytes);
    let mut matched = (0u64, 0u32);
    for chunk in block.chunks_exact(row_bytes) {
        let row = row_from::<W>(chunk);
        let r = check_bits(row.bits, packing, keep_all)?;
        matched = (matched.0 | r.mask, matched.1 | r.excl);
        out.push(row);
    }
    Ok((out, matched))
}

impl<const W: usize, const U: usize> Buf<W, U> {
    #[inline]
    fn push(&mut self, user: [u64; 2], held: u64, ts: i64, bits: u64) {
        let mut key = [0u64; W];
        key[..U].copy_from_slice(&user[..U]);
        if W > U {
            key[U] = held;
        }
        self.rows.push(Flat { key, ts, bits });
        self.sorted = false;
    }

    #[inline]
    fn push_silent(&mut self, user: [u64; 2]) {
        let mut key = [0u64; U];
        key.copy_from_slice(&user[..U]);
        let i = self.silent.index(&key);
        let seg = &self.silent.segs[i];
        let clean = self.clean.get(i).copied().unwrap_or(0);
        // The rows of a user often come together: skip an immediate repeat.
        if seg.len() > clean && seg.last() == Some(&key) {
            return;
        }
        let spread = self.silent.is_spread();
        self.silent.push(key);
        if spread != self.silent.is_spread() {
            self.clean.clear();
        }
        self.compact_if_doubled(
            i,
            &mut Work {
                done: 0,
                check: &mut || {},
            },
        );
    }

    /// Compacts silent segment `i` if it doubled since its last compaction.
    fn compact_if_doubled(&mut self, i: usize, work: &mut Work) {
        let min = if self.silent.is_spread() {
            SILENT_MIN_COMPACT_SPREAD
        } else {
            SILENT_MIN_COMPACT
        };
        self.clean.resize(self.silent.segs.len(), 0);
        if self.silent.segs[i].len() >= 2 * self.clean[i].max(min) {
            self.compact(i, work);
        }
    }

    /// Sorts silent segment `i` and drops repeats.
    fn compact(&mut self, i: usize, work: &mut Work) {
        self.clean.resize(self.silent.segs.len(), 0);
        let skip = self.silent.skip();
        let seg = &mut self.silent.segs[i];
        if self.clean[i] < seg.len() {
            sort_flat(seg, skip, &mut Vec::new(), work);
            seg.dedup();
            self.clean[i] = seg.len();
        }
    }

    /// Appends `other`'s rows (bits renumbered by `remap` when given) and silent users.
    fn append(&mut self, other: Buf<W, U>, remap: Option<&[u64]>, work: &mut Work) {
        let renumber = |r: &Flat<W>| match remap {
            Some(remap) => Flat {
                bits: remap[r.bits as usize],
                ..*r
            },
            None => *r,
        };
        let mut runs = other.runs;
        // Only a narrow funnel keeps raw rows (no renumbering).
        debug_assert!(other.raw.is_empty() || remap.is_none());
        self.raw.extend(other.raw);
        if other.sorted && other.rows.len() >= RADIX_MIN_ROWS {
            runs.push(other.rows);
        } else {
            self.rows
                .append(other.rows, renumber, remap.is_none(), work);
        }
        for mut run in runs {
            if let Some(remap) = remap {
                // Bits do not take part in the order: a renumbered run stays sorted.
                for r in run.segs.iter_mut().flatten() {
                    r.bits = remap[r.bits as usize];
                }
                work.add(run.len());
            }
            self.runs.push(run);
        }
        let before = self.silent.is_spread();
        if self.silent.len() == 0 {
            self.clean = other.clean;
        }
        self.silent.append(other.silent, |s| *s, true, work);
        if before != self.silent.is_spread() {
            self.clean.clear();
        }
        for i in 0..self.silent.segs.len() {
            self.compact_if_doubled(i, work);
        }
        self.sorted = false;
    }

    /// Every kept row (`rows`, then each run, then each raw run's rows that read back).
    fn all_rows(&self, packing: &Packing, keep_all: bool) -> impl Iterator<Item = Flat<W>> + '_ {
        let raw: Vec<Flat<W>> = (self.raw.iter())
            .flat_map(|run| run.rows_lenient::<W>(packing, keep_all))
            .collect();
        (self
            .rows
            .iter()
            .chain(self.runs.iter().flat_map(Segments::iter)))
        .copied()
        .chain(raw)
    }

    /// Sorts every segment of `rows` and merges the runs into them (a no-op when sorted).
    fn sort(&mut self, work: &mut Work) {
        if !self.sorted {
            self.align_runs();
            let mut scratch = Vec::new();
            for i in 0..self.rows.segs.len() {
                sort_segment(&mut self.rows, &mut self.runs, i, &mut scratch, work);
            }
            self.end_sort();
        }
    }

    /// Spreads `rows` and every run when any of them is spread (same segments for all).
    fn align_runs(&mut self) {
        if self.rows.is_spread()
            || self.runs.iter().any(Segments::is_spread)
            || !self.raw.is_empty()
        {
            self.rows.spread_out();
            self.runs.iter_mut().for_each(Segments::spread_out);
        }
    }

    fn end_sort(&mut self) {
        self.runs.clear();
        self.raw.clear();
        self.sorted = true;
    }

    /// Compacts every segment of the silent users.
    fn compact_silent(&mut self, work: &mut Work) {
        for i in 0..self.silent.segs.len() {
            self.compact(i, work);
        }
    }

    /// Sorts the rows and compacts the silent users (before the state is sent to another
    /// process, which then merges instead of sorting).
    ///
    /// Raw rows (a state that received sorted states and is sent on, which does not happen
    /// in PostgreSQL's plans) are sent unsorted, as they are.
    fn prepare(&mut self, work: &mut Work) {
        self.compact_silent(work);
        if self.raw.is_empty() {
            self.sort(work);
        }
    }

    /// The rows, then the silent users (count, then their key words). The rows: when sorted,
    /// `1`, the number of segments, then per segment its row count, its byte count and its
    /// rows packed ([`pack_rows`]); otherwise `0`, the row count and the rows, each its key
    /// words, `ts` and bits.
    fn write(&self, w: &mut Writer, packing: &Packing, keep_all: bool) {
        if self.sorted && self.raw.is_empty() {
            let rows = self.rows.len();
            w.reserve(rows * 10 + 24 * self.rows.segs.len() + self.silent.len() * 8 * U);
            w.u8(1).len(self.rows.segs.len());
            let mut packed = Vec::new();
            for seg in &self.rows.segs {
                packed.clear();
                pack_rows(seg, packing.bits_width(), &mut packed);
                w.len(seg.len()).len(packed.len()).raw(&packed);
            }
        } else {
            let rows: Vec<Flat<W>> = self.all_rows(packing, keep_all).collect();
            w.reserve(rows.len() * std::mem::size_of::<Flat<W>>() + self.silent.len() * 8 * U);
            w.u8(0).len(rows.len());
            for r in &rows {
                let mut b = [0u8; 64];
                for (j, k) in r.key.iter().chain([&(r.ts as u64), &r.bits]).enumerate() {
                    b[8 * j..8 * j + 8].copy_from_slice(&k.to_le_bytes());
                }
                w.raw(&b[..8 * (W + 2)]);
            }
        }
        w.len(self.silent.len());
        for s in self.silent.iter() {
            for &k in s {
                w.u64(k);
            }
        }
    }

    /// Reads what [`Buf::write`] wrote; returns the steps and exclusions of the rows it
    /// checked. The rows of a sorted state spread over segments are kept as their bytes (a
    /// [`RawRun`], narrow funnels only), checked when evaluated.
    fn read(&mut self, r: &mut Reader, packing: &Packing, keep_all: bool) -> OpsResult<(u64, u32)> {
        let mut matched = (0u64, 0u32);
        let row_bytes = std::mem::size_of::<Flat<W>>();
        match r.u8()? {
            0 => {
                let n = r.len(row_bytes)?;
                let rows;
                (rows, matched) = read_rows(r.fixed(n * row_bytes)?, packing, keep_all)?;
                if n >= SPREAD_ROWS {
                    self.rows.spread_out();
                }
                if self.rows.is_spread() {
                    rows.into_iter().for_each(|row| {
                        self.rows.push(row);
                    });
                } else {
                    self.rows.segs[0] = rows;
                }
            }
            1 => {
                let nsegs = r.len(8)?;
                if nsegs != 1 && nsegs != 1 << SPREAD_BITS {
                    return Err(corrupt(format_args!("{nsegs} segments")));
                }
                let mut blocks = Vec::with_capacity(nsegs);
                for _ in 0..nsegs {
                    let n = r.len(1)?;
                    let bytes = r.len(1)?;
                    blocks.push((r.fixed(bytes)?, n));
                }
                if nsegs > 1 && packing.wide.is_none() {
                    let mut run = RawRun {
                        bytes: Vec::with_capacity(blocks.iter().map(|b| b.0.len()).sum()),
                        ends: Vec::with_capacity(nsegs),
                    };
                    for (block, n) in blocks {
                        run.bytes.extend_from_slice(block);
                        run.ends.push((run.bytes.len(), n));
                    }
                    self.raw.push(run);
                    self.sorted = false;
                } else {
                    let mut rows = Segments {
                        segs: vec![Vec::new(); nsegs],
                    };
                    for (i, (block, n)) in blocks.into_iter().enumerate() {
                        let segment = (nsegs > 1).then_some(i);
                        let m =
                            read_packed(block, n, packing, keep_all, segment, &mut rows.segs[i])?;
                        matched = (matched.0 | m.0, matched.1 | m.1);
                    }
                    self.rows = rows;
                    self.sorted = true;
                }
            }
            f => return Err(corrupt(format_args!("sorted flag {f}"))),
        }
        let n = r.len(8 * U)?;
        for _ in 0..n {
            let mut user = [0u64; 2];
            for k in user[..U].iter_mut() {
                *k = r.u64()?;
            }
            self.push_silent(user);
        }
        Ok(matched)
    }

    /// Distinct users (a sorted copy of every user key).
    fn user_count(&self, packing: &Packing, keep_all: bool) -> usize {
        let mut users: Vec<[u64; U]> = self
            .all_rows(packing, keep_all)
            .map(|r| {
                let mut u = [0; U];
                u.copy_from_slice(&r.key[..U]);
                u
            })
            .chain(self.silent.iter().copied())
            .collect();
        users.sort_unstable();
        users.dedup();
        users.len()
    }

    /// Sorts the rows by (key, ts) one segment at a time (unless already sorted) and
    /// evaluates the segment's users while it is in the cache, the segments spread over
    /// `threads` (each thread with its own tally, added up at the end); counts the users of
    /// `silent` that have no row.
    fn evaluate(
        &mut self,
        spec: &FunnelSpec,
        packing: &Packing,
        keep_all: bool,
        threads: Threads<'_>,
        check_interrupts: &mut dyn FnMut(),
    ) -> OpsResult<Tally> {
        self.compact_silent(&mut Work {
            done: 0,
            check: check_interrupts,
        });
        let sorted = self.sorted;
        if !sorted {
            self.align_runs();
        }
        let skip = self.rows.skip();
        let spread = self.rows.is_spread();
        let silent = &self.silent;
        // The silent users of segment `i` (all of them when the rows are not spread).
        let silent_of = |i: usize| -> Vec<&[[u64; U]]> {
            if !spread {
                silent.segs.iter().map(Vec::as_slice).collect()
            } else if silent.is_spread() {
                vec![&silent.segs[i]]
            } else {
                let all = &silent.segs[0];
                let top = |s: &[u64; U]| (s[0] >> (64 - SPREAD_BITS)) as usize;
                let (from, to) = (
                    all.partition_point(|s| top(s) < i),
                    all.partition_point(|s| top(s) <= i),
                );
                vec![&all[from..to]]
            }
        };
        let (runs, raw) = (&mut self.runs, &self.raw);
        let pieces: Vec<Piece<W, U>> = (self.rows.segs.iter_mut().enumerate())
            .map(|(i, rows)| Piece {
                index: i,
                rows: std::mem::take(rows),
                runs: runs
                    .iter_mut()
                    .map(|r| std::mem::take(&mut r.segs[i]))
                    .collect(),
                raw: raw.iter().map(|r| r.segment(i)).collect(),
                silent: silent_of(i),
            })
            .collect();
        let context = Context {
            spec,
            packing,
            keep_all,
            sorted,
            skip,
        };
        let shares = threads::for_each(
            threads,
            pieces,
            || Share::new(spec),
            |share, piece, work| share.evaluate(piece, &context, work),
            check_interrupts,
        );
        let mut tally = Tally::new(spec);
        let mut error = None;
        for share in shares {
            for (i, rows) in share.rows {
                self.rows.segs[i] = rows;
            }
            tally.add(share.tally);
            error = error.or(share.error);
        }
        if let Some(e) = error {
            return Err(e);
        }
        // The rows and runs are now one sorted buffer; raw runs stay as they came (each
        // evaluation reads them again).
        self.runs.clear();
        self.sorted = true;
        Ok(tally)
    }
}

/// One segment's rows (and its part of every run, and its silent users), for one thread of
/// [`Buf::evaluate`].
struct Piece<'s, const W: usize, const U: usize> {
    index: usize,
    rows: Vec<Flat<W>>,
    runs: Vec<Vec<Flat<W>>>,
    /// The segment's packed rows in each raw run, and their count.
    raw: Vec<(&'s [u8], usize)>,
    silent: Vec<&'s [[u64; U]]>,
}

/// What every piece of one [`Buf::evaluate`] shares.
struct Context<'a> {
    spec: &'a FunnelSpec,
    packing: &'a Packing,
    keep_all: bool,
    /// The rows are sorted (and there are no runs).
    sorted: bool,
    /// Top bits shared by a segment's rows.
    skip: u32,
}

/// What one thread of [`Buf::evaluate`] gathers, with its reusable buffers.
struct Share<const W: usize> {
    /// Users evaluated, and (level 0) silent users of no row.
    tally: Tally,
    /// Each segment done, sorted (put back in the state).
    rows: Vec<(usize, Vec<Flat<W>>)>,
    part: Partition,
    scratch: Vec<Flat<W>>,
    tail: Vec<Flat<W>>,
    /// The first corrupt raw row found (the share stops there).
    error: Option<OpsError>,
}

impl<const W: usize> Share<W> {
    fn new(spec: &FunnelSpec) -> Self {
        Share {
            tally: Tally::new(spec),
            rows: Vec::new(),
            part: Partition::default(),
            scratch: Vec::new(),
            tail: Vec::new(),
            error: None,
        }
    }

    /// Sorts a segment (unless `sorted`) and merges its runs into it, then evaluates its
    /// users, each user's rows in the segment's raw runs read and checked on the way (a
    /// user's rows from several sources gathered and sorted in a small buffer: no copy of
    /// the merged segment).
    fn evaluate<const U: usize>(&mut self, piece: Piece<W, U>, cx: &Context, work: &mut Work) {
        if self.error.is_some() {
            return;
        }
        let rows = if cx.sorted {
            piece.rows
        } else {
            sort_rows(piece.rows, piece.runs, cx.skip, &mut self.scratch, work)
        };
        let mut silent = piece.silent.iter().flat_map(|s| s.iter()).peekable();
        if piece.raw.is_empty() {
            for user in rows.chunk_by(|a, b| a.key[..U] == b.key[..U]) {
                work.add(USER_WORK + user.len());
                self.user(user, &mut silent, cx);
            }
        } else if let Err(e) = self.merge_raw(&rows, &piece.raw, piece.index, &mut silent, cx, work)
        {
            self.error = Some(e);
            return;
        }
        self.tally.histogram[0] += silent.count() as i64;
        self.rows.push((piece.index, rows));
    }

    /// Evaluates the users of `rows` (sorted) and of the piece's raw runs, in key order.
    fn merge_raw<'s, const U: usize>(
        &mut self,
        rows: &[Flat<W>],
        raw: &[(&[u8], usize)],
        index: usize,
        silent: &mut Peekable<impl Iterator<Item = &'s [u64; U]>>,
        cx: &Context,
        work: &mut Work,
    ) -> OpsResult<()> {
        let prefix = |k: &[u64; W]| -> [u64; U] { k[..U].try_into().unwrap() };
        let mut cursors: Vec<RawCursor<W>> = (raw.iter())
            .map(|&(block, n)| RawCursor::new(block, n, Some(index)))
            .collect();
        let mut user = std::mem::take(&mut self.scratch);
        let mut own = 0;
        loop {
            // The next user: the lowest key among the sources' next rows.
            let mut next = rows.get(own).map(|r| prefix(&r.key));
            for c in cursors.iter_mut() {
                if let Some(k) = c.key()? {
                    let k = prefix(k);
                    next = Some(next.map_or(k, |n| n.min(k)));
                }
            }
            let Some(key) = next else { break };
            user.clear();
            let start = own;
            while own < rows.len() && prefix(&rows[own].key) == key {
                own += 1;
            }
            user.extend_from_slice(&rows[start..own]);
            for c in cursors.iter_mut() {
                while c.key()?.is_some_and(|k| prefix(k) == key) {
                    let mid = user.len();
                    c.take(cx.packing, cx.keep_all, &mut user)?;
                    merge_tail(&mut user, mid, &mut self.tail);
                }
            }
            work.add(USER_WORK + user.len());
            self.user(&user, silent, cx);
        }
        self.scratch = user;
        Ok(())
    }

    /// Evaluates one user's rows (sorted by key and time), after counting the silent users
    /// before it that have no row.
    fn user<'s, const U: usize>(
        &mut self,
        user: &[Flat<W>],
        silent: &mut Peekable<impl Iterator<Item = &'s [u64; U]>>,
        cx: &Context,
    ) {
        let (spec, packing) = (cx.spec, cx.packing);
        let (tally, part) = (&mut self.tally, &mut self.part);
        let key = &user[0].key[..U];
        while silent.next_if(|s| s[..] < *key).is_some() {
            tally.histogram[0] += 1;
        }
        silent.next_if(|s| s[..] == *key);
        if W > U {
            tally.best.clear();
            for held in user.chunk_by(|a, b| a.key[U] == b.key[U]) {
                part.evaluate(held, spec, packing);
                tally.offer(part, spec);
            }
            tally.commit();
        } else {
            part.evaluate(user, spec, packing);
            tally.record(part.level, &part.times);
        }
    }
}

/// Sorts segment `i` of `rows` and merges segment `i` of each run into it (after
/// [`Buf::align_runs`]; the runs are empty once every segment is done).
fn sort_segment<const W: usize>(
    rows: &mut Segments<Flat<W>>,
    runs: &mut [Segments<Flat<W>>],
    i: usize,
    scratch: &mut Vec<Flat<W>>,
    work: &mut Work,
) {
    let skip = rows.skip();
    let parts = runs.iter_mut().map(|r| std::mem::take(&mut r.segs[i]));
    rows.segs[i] = sort_rows(
        std::mem::take(&mut rows.segs[i]),
        parts.collect(),
        skip,
        scratch,
        work,
    );
}

/// `rows` (elements sharing their top `skip` bits) sorted, with `runs` (each sorted) merged in.
fn sort_rows<const W: usize>(
    mut rows: Vec<Flat<W>>,
    mut runs: Vec<Vec<Flat<W>>>,
    skip: u32,
    scratch: &mut Vec<Flat<W>>,
    work: &mut Work,
) -> Vec<Flat<W>> {
    sort_flat(&mut rows, skip, scratch, work);
    if runs.is_empty() {
        rows
    } else {
        runs.push(rows);
        merge_sorted(runs, work)
    }
}

/// Merges `v[mid..]` into `v[..mid]`, both sorted by [`Radix::key`] (`tail`: scratch).
fn merge_tail<T: Radix>(v: &mut [T], mid: usize, tail: &mut Vec<T>) {
    if mid == 0 || mid == v.len() || v[mid - 1].key() <= v[mid].key() {
        return;
    }
    tail.clear();
    tail.extend_from_slice(&v[mid..]);
    let (mut i, mut j, mut k) = (mid, tail.len(), v.len());
    // From the back: the larger of the two last elements goes last.
    while j > 0 {
        k -= 1;
        if i > 0 && v[i - 1].key() > tail[j - 1].key() {
            i -= 1;
            v[k] = v[i];
        } else {
            j -= 1;
            v[k] = tail[j];
        }
    }
}

/// `parts`, each sorted by [`Radix::key`], merged into one sorted vector.
fn merge_sorted<T: Radix>(mut parts: Vec<Vec<T>>, work: &mut Work) -> Vec<T> {
    parts.retain(|p| !p.is_empty());
    if parts.len() <= 1 {
        return parts.pop().unwrap_or_default();
    }
    let total = parts.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total);
    let mut heads = vec![0usize; parts.len()];
    while out.len() < total {
        let mut best = usize::MAX;
        for (p, part) in parts.iter().enumerate() {
            if heads[p] < part.len()
                && (best == usize::MAX || part[heads[p]].key() < parts[best][heads[best]].key())
            {
                best = p;
            }
        }
        // Copy the run of the chosen part that stays below every other head.
        let part = &parts[best];
        let mut end = heads[best] + 1;
        let limit = parts
            .iter()
            .enumerate()
            .filter(|&(p, q)| p != best && heads[p] < q.len())
            .map(|(p, q)| q[heads[p]].key())
            .min();
        match limit {
            None => end = part.len(),
            Some(limit) => {
                while end < part.len() && part[end].key() <= limit {
                    end += 1;
                }
            }
        }
        out.extend_from_slice(&part[heads[best]..end]);
        work.add(end - heads[best]);
        heads[best] = end;
    }
    out
}

/// The outcome of one (user, key) partition, with reusable buffers.
#[derive(Debug, Default)]
struct Partition {
    rows: Vec<Row>,
    level: usize,
    /// The reported chain's step timestamps (empty under `clickhouse`).
    times: Vec<i64>,
}

impl Partition {
    fn evaluate<const W: usize>(&mut self, part: &[Flat<W>], spec: &FunnelSpec, packing: &Packing) {
        self.rows.clear();
        self.rows
            .extend(part.iter().map(|r| packing.row(r.ts, r.bits)));
        self.times.clear();
        if spec.cfg.mode.clickhouse {
            self.level = clickhouse_level(&self.rows, &spec.cfg);
        } else {
            let out = deepest(&self.rows, spec, true);
            self.level = out.level;
            self.times
                .extend(out.path.iter().map(|&i| self.rows[i as usize].ts));
        }
    }
}

/// The histogram of levels and the step durations being built by `finish`.
struct Tally {
    histogram: Vec<i64>,
    durations: Option<StepDurations>,
    /// The best partition of the current user so far (held keys).
    best: Best,
}

#[derive(Debug, Default)]
struct Best {
    level: usize,
    times: Vec<i64>,
}

impl Best {
    fn clear(&mut self) {
        self.level = 0;
        self.times.clear();
    }
}

impl Tally {
    fn new(spec: &FunnelSpec) -> Tally {
        let n = spec.cfg.nsteps;
        Tally {
            histogram: vec![0; n + 1],
            durations: (!spec.cfg.mode.clickhouse).then(|| StepDurations::new(n)),
            best: Best::default(),
        }
    }

    fn record(&mut self, level: usize, times: &[i64]) {
        self.histogram[level] += 1;
        if let Some(d) = &mut self.durations {
            d.push_chain(times);
        }
    }

    /// Offers a partition of the current user: the deepest wins, then the latest anchor,
    /// then the earliest last step, then (as the reported chain within a partition) the
    /// latest step `L - 1`, `L - 2`, ..., 2; among partitions with the same step times, the
    /// first offered (whose held key hashes lowest), which gives the same durations.
    fn offer(&mut self, part: &Partition, spec: &FunnelSpec) {
        let best = &mut self.best;
        let better = part.level > best.level
            || (part.level == best.level
                && part.level > 0
                && !spec.cfg.mode.clickhouse
                && later_chain(&part.times, &best.times));
        if better {
            best.level = part.level;
            best.times.clear();
            best.times.extend_from_slice(&part.times);
        }
    }

    /// Adds another thread's tally (users are in exactly one).
    fn add(&mut self, other: Tally) {
        for (mine, theirs) in self.histogram.iter_mut().zip(other.histogram) {
            *mine += theirs;
        }
        if let (Some(mine), Some(theirs)) = (&mut self.durations, other.durations) {
            mine.append(theirs);
        }
    }

    fn commit(&mut self) {
        let best = std::mem::take(&mut self.best);
        self.record(best.level, &best.times);
        self.best = best;
    }
}

/// Whether the chain with step times `a` is reported rather than `b` (same length `L >= 1`):
/// the later anchor, then the earlier last step, then the later step `L - 1`, ..., 2.
fn later_chain(a: &[i64], b: &[i64]) -> bool {
    let l = a.len();
    if a[0] != b[0] {
        return a[0] > b[0];
    }
    if a[l - 1] != b[l - 1] {
        return a[l - 1] < b[l - 1];
    }
    l > 2 && a[1..l - 1].iter().rev().gt(b[1..l - 1].iter().rev())
}

/// The buffers of each key layout: (user words, held key) = (1, no), (1, yes), (2, no),
/// (2, yes).
#[derive(Debug, Clone)]
enum Store {
    Id(Buf<1, 1>),
    IdHeld(Buf<2, 1>),
    Text(Buf<2, 2>),
    TextHeld(Buf<3, 2>),
}

macro_rules! with_buf {
    ($store:expr, $b:ident => $body:expr) => {
        match $store {
            Store::Id($b) => $body,
            Store::IdHeld($b) => $body,
            Store::Text($b) => $body,
            Store::TextHeld($b) => $body,
        }
    };
}

impl Store {
    fn new(words: usize, keyed: bool) -> Store {
        match (words, keyed) {
            (1, false) => Store::Id(Buf::default()),
            (1, true) => Store::IdHeld(Buf::default()),
            (_, false) => Store::Text(Buf::default()),
            (_, true) => Store::TextHeld(Buf::default()),
        }
    }

    fn is_empty(&self) -> bool {
        with_buf!(self, b => b.rows.len() == 0
            && b.runs.is_empty()
            && b.raw.is_empty()
            && b.silent.len() == 0)
    }
}

// ---------------------------------------------------------------------------------------
// The one-shot population funnel
// ---------------------------------------------------------------------------------------

/// State of the one-shot `funnel_step_rates(user_id, ts, ...)`: every kept row appended to a
/// flat buffer, sorted once by (user, held key, ts) in [`PopulationFunnel::finish`] (radix
/// sort on the user key's hash), then each (user, key) partition evaluated by the funnel
/// engine ([`super::engine::deepest`], or [`super::clickhouse::level`] under the
/// `clickhouse` flag). With a held key the user's result is its deepest partition's (ties:
/// the latest anchor, then the earliest last step, then the latest intermediate steps).
///
/// A row is *kept* when it matches a step or an exclusion, or under `strict_order` (where
/// any row can break a chain), and, with a held key, when its key is not NULL. A push is an
/// append (no lookup; the event-name form looks the event name up once). Users are stored
/// as [`UserKey::pack`]: a `bigint` id as a bijective 64-bit mix, a `text` id as a 128-bit
/// hash ([`key_hash128`]); a held key as a 64-bit hash of its text. Both are deterministic,
/// so states of parallel workers combine by concatenating their buffers. Past
/// [`SPREAD_ROWS`] kept rows the buffer is split into 256 segments by the top 8 bits of the
/// user hash (a push appends to its user's segment), so that `finish` sorts and evaluates
/// one cache-sized segment at a time.
///
/// Memory, exactly:
/// - per kept row `8 * W + 16` bytes, `W` = user words + 1 with a held key: **24 bytes**
///   (`bigint` ids), 32 (`bigint` ids with a held key, or `text` ids), 40 (`text` ids with a
///   held key); buffers grow by doubling (up to as much again of spare capacity);
/// - per user with rows that were not kept (matching nothing, or a NULL held key): **8
///   bytes** (`bigint`) or 16 bytes (`text`) per entry of the silent-user buffer, whose
///   segments are sorted and deduplicated whenever they double, so it holds at most twice
///   its distinct users plus 1024 entries per segment before spreading (64 after), plus
///   spare capacity; an immediate repeat of a segment's last entry is not stored. Users
///   with kept rows cost nothing beyond their rows; nothing else is kept per user;
/// - with more than 64 steps and exclusions together, a table of the distinct
///   (step mask, exclusion mask) pairs (12 bytes each plus a hash-table entry).
///
/// [`PopulationFunnel::finish`] needs one more buffer as large as the largest segment (about
/// 1/256 of the rows) while sorting, 16 bytes per step beyond step 1 reached by a user (its
/// durations), and the engine's scratch for one partition.
#[derive(Debug, Clone)]
pub struct PopulationFunnel<K: UserKey> {
    spec: Arc<FunnelSpec>,
    names: Option<Vec<String>>,
    matcher: Option<StepMatcher>,
    /// The event-name form's exclusion event names (`exclusion_events[e]`: exclusion `e`).
    exclusion_events: Vec<String>,
    packing: Packing,
    store: Store,
    step_bits: u64,
    excl_bits: u32,
    keep_all: bool,
    keyed: bool,
    matched_steps: u64,
    matched_exclusions: u32,
    /// See [`PopulationFunnel::sources`].
    sources: usize,
    _key: PhantomData<fn() -> K>,
}

const POPULATION_TAG: u8 = b'G';

impl<K: UserKey> PopulationFunnel<K> {
    fn empty(spec: Arc<FunnelSpec>, names: Option<Vec<String>>) -> Self {
        debug_assert!(K::WORDS == 1 || K::WORDS == 2);
        PopulationFunnel {
            packing: Packing::new(&spec),
            store: Store::new(K::WORDS, spec.keyed),
            step_bits: spec.cfg.step_bits(),
            excl_bits: low_bits(spec.exclusions.len()) as u32,
            keep_all: spec.cfg.mode.strict_order,
            keyed: spec.keyed,
            names,
            matcher: None,
            exclusion_events: Vec::new(),
            matched_steps: 0,
            matched_exclusions: 0,
            sources: 1,
            spec,
            _key: PhantomData,
        }
    }

    /// The `conds bool[]` form: bit `k - 1` of a row's mask is step `k`, bit `e` of its
    /// exclusion mask exclusion `e`; `names`, when given, must have one name per step.
    pub fn new(spec: Arc<FunnelSpec>, names: Option<Vec<String>>) -> OpsResult<Self> {
        if let Some(n) = &names {
            if n.len() != spec.cfg.nsteps {
                return Err(OpsError::invalid(format!(
                    "funnel has {} conditions but {} step names",
                    spec.cfg.nsteps,
                    n.len()
                )));
            }
        }
        Ok(Self::empty(spec, names))
    }

    /// The event-name form: `steps[k - 1]` is step `k`'s event name (the steps are named
    /// after them) and `exclusion_events[e]` exclusion `e`'s.
    pub fn for_events(
        spec: Arc<FunnelSpec>,
        steps: Vec<String>,
        exclusion_events: Vec<String>,
    ) -> OpsResult<Self> {
        if steps.len() != spec.cfg.nsteps {
            return Err(OpsError::invalid(format!(
                "funnel has {} steps but {} step events",
                spec.cfg.nsteps,
                steps.len()
            )));
        }
        if exclusion_events.len() != spec.exclusions.len() {
            return Err(OpsError::invalid(format!(
                "funnel has {} exclusions but {} exclusion events",
                spec.exclusions.len(),
                exclusion_events.len()
            )));
        }
        let matcher = StepMatcher::with_exclusions(&steps, &exclusion_events)?;
        let mut state = Self::empty(spec, Some(steps));
        state.matcher = Some(matcher);
        state.exclusion_events = exclusion_events;
        Ok(state)
    }

    pub fn spec(&self) -> &Arc<FunnelSpec> {
        &self.spec
    }

    /// The step names (`names[k - 1]`: step `k`), when the funnel has them.
    pub fn names(&self) -> Option<&[String]> {
        self.names.as_deref()
    }

    /// Whether the steps are event names ([`PopulationFunnel::for_events`]) rather than
    /// conditions.
    pub fn event_form(&self) -> bool {
        self.matcher.is_some()
    }

    /// Bit `k - 1` is set iff some row matched step `k`.
    pub fn matched_steps(&self) -> u64 {
        self.matched_steps
    }

    /// Bit `e` is set iff some row was an event of exclusion `e`.
    pub fn matched_exclusions(&self) -> u32 {
        self.matched_exclusions
    }

    #[inline]
    fn push_packed(&mut self, user: [u64; 2], ts: i64, mask: u64, excl: u32, held: Option<&str>) {
        let (mask, excl) = (mask & self.step_bits, excl & self.excl_bits);
        self.matched_steps |= mask;
        self.matched_exclusions |= excl;
        let held = match (self.keyed, held) {
            (false, _) => Some(0),
            (true, held) => held.map(held_hash),
        };
        match held {
            Some(held) if mask != 0 || excl != 0 || self.keep_all => {
                let bits = self.packing.pack(mask, excl);
                with_buf!(&mut self.store, b => b.push(user, held, ts, bits));
            }
            _ => with_buf!(&mut self.store, b => b.push_silent(user)),
        }
    }

    /// Adds a row of `key` matching the steps of `mask` and the exclusions of `excl` (bits
    /// beyond the funnel's are ignored), with the held key `held` (ignored unless the funnel
    /// holds a key; NULL then adds the user but no event). The user joins the population
    /// whatever the row matches.
    #[inline]
    pub fn push(&mut self, key: K, ts: i64, mask: u64, excl: u32, held: Option<&str>) {
        self.push_packed(key.pack(), ts, mask, excl, held);
    }

    /// (mask, exclusions) of an event name; a NULL event, or any event in the `conds` form,
    /// matches nothing.
    #[inline]
    fn lookup(&self, event: Option<&str>) -> (u64, u32) {
        match (&self.matcher, event) {
            (Some(m), Some(e)) => m.lookup(e),
            _ => (0, 0),
        }
    }

    /// Adds a row of the event-name form.
    #[inline]
    pub fn push_event(&mut self, key: K, ts: i64, event: Option<&str>, held: Option<&str>) {
        let (mask, excl) = self.lookup(event);
        self.push(key, ts, mask, excl, held);
    }

    /// Number of users in the population so far (sorts a copy of every stored user key).
    pub fn user_count(&self) -> usize {
        let (packing, keep_all) = (&self.packing, self.keep_all);
        with_buf!(&self.store, b => b.user_count(packing, keep_all))
    }

    /// The funnel rows. Calls `check_interrupts` first, then at least every 64K rows counted,
    /// moved or scanned while sorting and every 64K units of evaluation work (a partition's
    /// rows plus 64 per user); not interruptible: the comparison sort of one user's rows when
    /// they were not pushed in time order (of all rows below 1024 kept rows) and one
    /// partition's evaluation. The state stays usable (sorted: a second `finish` does not
    /// sort again).
    ///
    /// Time: per segment (1/256 of the rows once spread), a counting scan and one radix pass
    /// per 14 bits of `log2(segment rows)`, in passes of equal width (one up to 16K rows a
    /// segment, i.e. 4M rows, two beyond), small sorts where users share a digit or rows
    /// came out of order, then one engine run per
    /// (user, key) partition of the segment while it is in the cache; a linear-time selection
    /// per step for the percentiles (an interrupt check before each; one selection is not
    /// interruptible).
    pub fn finish(&mut self, check_interrupts: &mut dyn FnMut()) -> OpsResult<Vec<StepRow>> {
        self.finish_on(Threads::SERIAL, check_interrupts)
    }

    /// [`PopulationFunnel::finish`] on up to `threads.max` threads, but no more than the
    /// partial states that were merged into this one ([`PopulationFunnel::sources`]): the
    /// final phase of a parallel plan uses the cores its workers scanned on, and a state
    /// that saw every row itself stays on one thread. Each thread sorts and evaluates whole
    /// segments (1/256 of the users each) and selects whole lists of percentiles, so the
    /// result does not depend on the number of threads.
    ///
    /// Fails (`malformed`) on a corrupt row of a received state, which is checked here,
    /// segment by segment, rather than when decoded.
    pub fn finish_on(
        &mut self,
        threads: Threads<'_>,
        check_interrupts: &mut dyn FnMut(),
    ) -> OpsResult<Vec<StepRow>> {
        let threads = Threads {
            max: threads.max.min(self.sources),
            ..threads
        };
        let tally = self.tally(threads, check_interrupts)?;
        let names = self.names.as_deref();
        Ok(step_rows_on(
            &tally.histogram,
            names,
            tally.durations,
            threads,
            check_interrupts,
        ))
    }

    /// Partial states merged into this one, itself included (1 for a state that was never
    /// merged into; not part of the encoding).
    pub fn sources(&self) -> usize {
        self.sources
    }

    /// Sorts and evaluates every user (see [`PopulationFunnel::finish`]).
    fn tally(
        &mut self,
        threads: Threads<'_>,
        check_interrupts: &mut dyn FnMut(),
    ) -> OpsResult<Tally> {
        check_interrupts();
        let (spec, packing, keep_all) = (&*self.spec, &self.packing, self.keep_all);
        with_buf!(&mut self.store, b => b.evaluate(spec, packing, keep_all, threads, check_interrupts))
    }
}

impl PopulationFunnel<String> {
    /// [`PopulationFunnel::push`] for a borrowed text key (no allocation).
    #[inline]
    pub fn push_str(&mut self, key: &str, ts: i64, mask: u64, excl: u32, held: Option<&str>) {
        self.push_packed(key_hash128(key.as_bytes()), ts, mask, excl, held);
    }

    /// [`PopulationFunnel::push_event`] for a borrowed text key.
    #[inline]
    pub fn push_event_str(&mut self, key: &str, ts: i64, event: Option<&str>, held: Option<&str>) {
        let (mask, excl) = self.lookup(event);
        self.push_str(key, ts, mask, excl, held);
    }
}

impl<K: UserKey> PartialState for PopulationFunnel<K> {
    fn merge(&mut self, other: PopulationFunnel<K>) -> OpsResult<()> {
        self.merge_interruptible(other, &mut || {})
    }

    /// Appends the other state's rows and silent users; invalid when the funnels differ.
    /// Checks for interrupts at least every 64K moved rows.
    fn merge_interruptible(
        &mut self,
        other: PopulationFunnel<K>,
        check_interrupts: &mut dyn FnMut(),
    ) -> OpsResult<()> {
        check_interrupts();
        if *self.spec != *other.spec
            || self.names != other.names
            || self.matcher.is_some() != other.matcher.is_some()
            || self.exclusion_events != other.exclusion_events
        {
            return Err(OpsError::invalid(
                "the funnel (steps, window, mode, step windows, exclusions, held key) must be \
                 the same for every row of a group",
            ));
        }
        self.matched_steps |= other.matched_steps;
        self.matched_exclusions |= other.matched_exclusions;
        self.sources = self.sources.saturating_add(other.sources);
        if other.store.is_empty() {
            return Ok(());
        }
        let remap: Option<Vec<u64>> = match (&mut self.packing.wide, &other.packing.wide) {
            (Some(mine), Some(theirs)) => {
                Some(theirs.list.iter().map(|&(m, e)| mine.id(m, e)).collect())
            }
            _ => None,
        };
        let mut work = Work {
            done: 0,
            check: check_interrupts,
        };
        match (&mut self.store, other.store) {
            (Store::Id(a), Store::Id(b)) => a.append(b, remap.as_deref(), &mut work),
            (Store::IdHeld(a), Store::IdHeld(b)) => a.append(b, remap.as_deref(), &mut work),
            (Store::Text(a), Store::Text(b)) => a.append(b, remap.as_deref(), &mut work),
            (Store::TextHeld(a), Store::TextHeld(b)) => a.append(b, remap.as_deref(), &mut work),
            _ => unreachable!("the same funnel and key type have the same layout"),
        }
        Ok(())
    }

    /// A parallel leader's own rows stay as they are (sorted in its final step's threads).
    fn hand_over_in_process(&self) -> bool {
        true
    }

    /// Sorts the rows: the leader merges the sorted rows of parallel workers instead of
    /// sorting them all again.
    fn prepare_to_send(&mut self, check_interrupts: &mut dyn FnMut()) {
        let mut work = Work {
            done: 0,
            check: check_interrupts,
        };
        with_buf!(&mut self.store, b => b.prepare(&mut work));
    }

    /// `'G'`, version 3, the funnel ([`FunnelSpec::write`]), the key kind, the step names
    /// (flag, list), the event-name form flag (then the exclusion event names), the matched
    /// step and exclusion masks, the (mask, exclusions) table of the wide packing (count,
    /// then `u64` and `u32` each; empty when narrow), the kept rows and the silent users
    /// ([`Buf::write`]).
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(POPULATION_TAG, POPULATION_VERSION);
        self.spec.write(&mut w);
        w.u8(K::KIND);
        match &self.names {
            Some(names) => write_names(w.u8(1), names),
            None => {
                w.u8(0);
            }
        }
        match &self.matcher {
            Some(_) => write_names(w.u8(1), &self.exclusion_events),
            None => {
                w.u8(0);
            }
        }
        w.u64(self.matched_steps).u32(self.matched_exclusions);
        let classes = self.packing.wide.as_ref().map_or(&[][..], |c| &c.list[..]);
        w.len(classes.len());
        for &(mask, excl) in classes {
            w.u64(mask).u32(excl);
        }
        let (packing, keep_all) = (&self.packing, self.keep_all);
        with_buf!(&self.store, b => b.write(&mut w, packing, keep_all));
        w.finish()
    }

    /// Rejects (as `malformed`) a bad funnel, another key kind, names or exclusion events
    /// that do not fit the funnel, masks beyond its steps and exclusions, a repeated or bad
    /// (mask, exclusions) pair, and rows whose bits were never stored (unknown bits, or no
    /// step and no exclusion outside `strict_order`).
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, POPULATION_TAG, POPULATION_VERSION)?;
        let spec = Arc::new(FunnelSpec::read(&mut r)?);
        K::check_kind(&mut r)?;
        let names = match r.u8()? {
            0 => None,
            1 => Some(read_names(&mut r)?),
            f => return Err(corrupt(format!("names flag {f}"))),
        };
        let mut s = match (r.u8()?, names) {
            (0, names) => Self::new(spec, names),
            (1, Some(steps)) => {
                let exclusion_events = read_names(&mut r)?;
                Self::for_events(spec, steps, exclusion_events)
            }
            (f, _) => return Err(corrupt(format!("event form flag {f}"))),
        }
        .map_err(|e| corrupt(e.message))?;
        (s.matched_steps, s.matched_exclusions) = (r.u64()?, r.u32()?);
        if s.matched_steps & !s.step_bits != 0 || s.matched_exclusions & !s.excl_bits != 0 {
            return Err(corrupt("matched steps beyond the funnel's"));
        }
        let nclasses = r.len(12)?;
        match &mut s.packing.wide {
            None if nclasses > 0 => return Err(corrupt("a class table for a narrow funnel")),
            None => {}
            Some(classes) => {
                for _ in 0..nclasses {
                    let (mask, excl) = (r.u64()?, r.u32()?);
                    if mask & !s.step_bits != 0 || excl & !s.excl_bits != 0 {
                        return Err(corrupt(format!("class ({mask}, {excl})")));
                    }
                    if classes.id(mask, excl) as usize != classes.list.len() - 1 {
                        return Err(corrupt(format!("class ({mask}, {excl}) twice")));
                    }
                }
            }
        }
        let (packing, keep_all) = (&s.packing, s.keep_all);
        let matched = with_buf!(&mut s.store, b => b.read(&mut r, packing, keep_all))?;
        s.matched_steps |= matched.0;
        s.matched_exclusions |= matched.1;
        r.finish()?;
        Ok(s)
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
    use crate::funnel::report::PERCENTILES;
    use crate::funnel::testing::*;
    use crate::funnel::{Exclusion, FunnelMode, UserFunnel};
    use crate::quantile::{percentile_cont_sorted, pg_float_cmp};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn plain(cfg: FunnelConfig) -> Arc<FunnelSpec> {
        Arc::new(FunnelSpec::plain(cfg))
    }

    impl<K: UserKey> PopulationFunnel<K> {
        /// Users per deepest level, population included (level 0).
        fn histogram(&mut self) -> Vec<i64> {
            self.tally(Threads::SERIAL, &mut || {}).unwrap().histogram
        }
    }

    #[test]
    fn population_percentiles_and_silent_users() {
        let mut p =
            PopulationFunnel::<i64>::new(plain(cfg(3, 100_000_000, "default")), None).unwrap();
        let s = 1_000_000;
        // user 1: A@0 B@10s C@40s; user 2: A@0 B@20s; user 3: only non-matching rows.
        for (u, ts, m) in [
            (1, 0, A),
            (1, 10 * s, B),
            (1, 40 * s, C),
            (2, 0, A),
            (2, 20 * s, B),
        ] {
            p.push(u, ts, m, 0, None);
        }
        p.push(3, 0, 0, 0, None);
        p.push(3, 5, 0, 0, None);
        let mut calls = 0;
        let rows = p.finish(&mut || calls += 1).unwrap();
        // At the start, after the one segment, then after each percentile selection (2 per
        // step after the first).
        assert_eq!(calls, 6);
        assert_eq!(
            rows.iter().map(|r| r.users).collect::<Vec<_>>(),
            vec![2, 2, 1]
        );
        assert_eq!(rows[0].rate_from_previous, Some(2.0 / 3.0));
        assert_eq!(rows[0].median_seconds_from_previous, None);
        assert_eq!((rows[0].from_previous, rows[0].from_first), (None, None));
        assert_eq!(rows[1].median_seconds_from_previous, Some(15.0));
        assert_eq!(rows[1].from_previous, Some([12.5, 15.0, 17.5, 19.0]));
        assert_eq!(rows[1].from_first, Some([12.5, 15.0, 17.5, 19.0]));
        assert_eq!(rows[2].median_seconds_from_previous, Some(30.0));
        assert_eq!(rows[2].from_first, Some([40.0; 4]));
        assert_eq!(p.user_count(), 3);
        assert_eq!((p.matched_steps(), p.matched_exclusions()), (0b111, 0));
        // A second finish gives the same rows.
        assert_eq!(p.finish(&mut || {}).unwrap(), rows);
    }

    #[test]
    fn a_step_at_infinity_is_infinitely_far() {
        // A finite anchor whose saturated window reaches a step at infinity.
        let mut p = PopulationFunnel::<i64>::new(plain(cfg(2, i64::MAX, "default")), None).unwrap();
        p.push(1, 0, A, 0, None);
        p.push(1, i64::MAX, B, 0, None);
        let rows = p.finish(&mut || {}).unwrap();
        assert_eq!(rows[1].users, 1);
        assert_eq!(rows[1].median_seconds_from_previous, Some(f64::INFINITY));
        assert_eq!(rows[1].from_first, Some([f64::INFINITY; 4]));
    }

    #[test]
    fn finish_checks_interrupts_by_work() {
        let count_checks = |p: &mut PopulationFunnel<i64>| {
            let mut calls = 0;
            p.finish(&mut || calls += 1).unwrap();
            calls
        };
        // 3 users with 70000 kept rows each: 210K rows counted, scanned and evaluated (a radix
        // pass where all rows share their digit moves nothing).
        let mut p = PopulationFunnel::<i64>::new(plain(cfg(2, 1_000, "default")), None).unwrap();
        for t in 0..70_000 {
            (0..3).for_each(|u| p.push(u, t, A, 0, None));
        }
        assert!(count_checks(&mut p) > 3 * 210_000 / INTERRUPT_WORK);
        // Already sorted: evaluation only.
        assert!(count_checks(&mut p) > 210_000 / INTERRUPT_WORK);
        // 300K users without kept rows: the silent buffer's last compaction.
        let mut p = PopulationFunnel::<i64>::new(plain(cfg(2, 1_000, "default")), None).unwrap();
        (0..300_000).for_each(|u| p.push(u, 0, 0, 0, None));
        assert!(count_checks(&mut p) >= 2);
        assert_eq!(p.histogram(), vec![300_000, 0, 0]);
    }

    #[test]
    fn event_form_and_round_trips() {
        let steps: Vec<String> = ["view", "buy"].map(String::from).to_vec();
        let spec = plain(cfg(2, 10, "default"));
        let mut p = PopulationFunnel::<String>::for_events(spec.clone(), steps, vec![]).unwrap();
        p.push_event("u1".into(), 0, Some("view"), None);
        p.push_event("u1".into(), 5, Some("buy"), None);
        p.push_event("u2".into(), 0, None, None);
        let mut q = PopulationFunnel::<String>::decode(&p.encode()).unwrap();
        q.push_event("u3".into(), 0, Some("view"), None);
        let rows = q.finish(&mut || {}).unwrap();
        assert_eq!(rows[0].name.as_deref(), Some("view"));
        assert_eq!(rows.iter().map(|r| r.users).collect::<Vec<_>>(), vec![2, 1]);
        assert!(PopulationFunnel::<i64>::decode(&p.encode()).is_err());
        let mut by_ref = PopulationFunnel::<String>::for_events(
            spec.clone(),
            ["view", "buy"].map(String::from).to_vec(),
            vec![],
        )
        .unwrap();
        by_ref.push_event_str("u1", 0, Some("view"), None);
        by_ref.push_event_str("u1", 5, Some("buy"), None);
        by_ref.push_str("u2", 0, 0, 0, None);
        by_ref.push_event_str("u3", 0, Some("view"), None);
        let by_ref = by_ref.finish(&mut || {}).unwrap();
        assert_eq!(by_ref, rows);
        assert_eq!(by_ref[0].rate_from_previous, Some(2.0 / 3.0));
        assert!(UserFunnel::decode(&p.encode()).is_err());
        // Another funnel cannot be merged in.
        let other = PopulationFunnel::<String>::for_events(
            plain(cfg(2, 11, "default")),
            ["view", "buy"].map(String::from).to_vec(),
            vec![],
        )
        .unwrap();
        assert!(q.merge(other).is_err());
        let conds = PopulationFunnel::<String>::new(spec.clone(), None).unwrap();
        assert!(q.merge(conds).is_err());

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
            PopulationFunnel::<i64>::new(plain(cfg(3, 1, "default")), Some(vec!["a".into()]))
                .is_err()
        );
        let two = plain(cfg(2, 10, "default"));
        let steps = ["a", "b"].map(String::from).to_vec();
        assert!(
            PopulationFunnel::<i64>::for_events(two.clone(), steps[..1].to_vec(), vec![]).is_err()
        );
        assert!(PopulationFunnel::<i64>::for_events(two, steps, vec!["x".into()]).is_err());
    }

    #[test]
    fn exclusions_held_keys_and_matched_masks() {
        // 3 steps, exclusion 0 between steps 1 and 2 ("refund"), a held key.
        let spec = FunnelSpec::new(
            cfg(3, 100, "default"),
            vec![],
            vec![Exclusion { from: 1, to: 2 }],
            true,
        )
        .unwrap();
        let steps = ["view", "cart", "buy"].map(String::from).to_vec();
        let mut p =
            PopulationFunnel::<i64>::for_events(Arc::new(spec), steps, vec!["refund".into()])
                .unwrap();
        // user 1, key x: view@0 refund@1 cart@2 (excluded); key y: view@5 cart@6 buy@9.
        p.push_event(1, 0, Some("view"), Some("x"));
        p.push_event(1, 1, Some("refund"), Some("x"));
        p.push_event(1, 2, Some("cart"), Some("x"));
        p.push_event(1, 5, Some("view"), Some("y"));
        p.push_event(1, 6, Some("cart"), Some("y"));
        p.push_event(1, 9, Some("buy"), Some("y"));
        // user 2: view and cart under different keys: level 1; user 3: NULL keys only.
        p.push_event(2, 0, Some("view"), Some("x"));
        p.push_event(2, 1, Some("cart"), Some("y"));
        p.push_event(3, 0, Some("view"), None);
        p.push_event(3, 0, Some("cart"), None);
        assert_eq!(p.matched_steps(), 0b111);
        assert_eq!(p.matched_exclusions(), 1);
        let rows = p.finish(&mut || {}).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.users).collect::<Vec<_>>(),
            vec![2, 1, 1]
        );
        assert_eq!(rows[2].from_first, Some([4e-6; 4]));
        let q = PopulationFunnel::<i64>::decode(&p.encode()).unwrap();
        assert_eq!((q.matched_steps(), q.matched_exclusions()), (0b111, 1));
        assert_eq!(q.user_count(), 3);
        // Ties between keys: same level, anchor and last step: the later step 2 is reported,
        // whatever the keys and their order.
        for (kx, ky) in [("x", "y"), ("y", "x"), ("b", "a")] {
            let spec = FunnelSpec::new(cfg(3, 100, "default"), vec![], vec![], true).unwrap();
            let mut p = PopulationFunnel::<i64>::new(Arc::new(spec), None).unwrap();
            for (ts, m, k) in [
                (0, A, kx),
                (1, B, kx),
                (5, C, kx),
                (0, A, ky),
                (3, B, ky),
                (5, C, ky),
            ] {
                p.push(1, ts, m, 0, Some(k));
            }
            let rows = p.finish(&mut || {}).unwrap();
            assert_eq!(rows[1].from_previous, Some([3e-6; 4]));
            assert_eq!(rows[2].from_previous, Some([2e-6; 4]));
        }
    }

    #[test]
    fn hashes_are_fixed() {
        // These values are part of the state format: parallel workers must agree.
        assert_eq!(mix64(0), 0);
        assert_eq!(mix64(1), 0xb456_bcfc_34c2_cb2c);
        let h = |s: &str| key_hash128(s.as_bytes());
        assert_eq!(h(""), [0x033a_c3b6_3b96_95f8, 0xa8be_fd04_bd8a_4b84]);
        assert_eq!(h("user-42"), [0xead0_2eb2_5345_9d75, 0xc2a6_1dd7_6cda_e85d]);
        assert_eq!(
            h("a somewhat longer user identifier"),
            [0xea90_af52_ac8f_7a7d, 0x2e68_ccf3_5533_b37e]
        );
        assert_eq!(String::from("user-42").pack(), h("user-42"));
        // Zero padding does not make texts collide.
        assert_ne!(h("a"), h("a\0"));
        assert_ne!(h("0123456789abcdef"), h("0123456789abcdef\0"));
    }

    // -----------------------------------------------------------------------------------
    // Property tests against a naive per-user evaluation
    // -----------------------------------------------------------------------------------

    /// A row of a test: (user, ts, step mask, exclusion mask, held key).
    type TestRow = (u8, i64, u64, u32, Option<u8>);

    fn held_text(h: Option<u8>) -> Option<String> {
        h.map(|h| format!("k{h}"))
    }

    /// A random funnel: 1-4 steps, any mode, per-step windows, exclusions, held key.
    fn arb_spec() -> impl Strategy<Value = FunnelSpec> {
        (
            (1usize..=4, 1i64..=8, 0usize..8, any::<bool>(), 0u8..4),
            prop::collection::vec(prop::option::of(1i64..=4), 3),
            any::<bool>(),
            prop::collection::vec((1usize..=4, 1usize..=4), 0..3),
            any::<bool>(),
        )
            .prop_filter_map(
                "invalid funnel",
                |((n, window, m, once, extra), gaps, use_gaps, excl, keyed)| {
                    let mut mode = FunnelMode::parse(MODES[m]).unwrap();
                    mode.strict_once = once;
                    mode.allow_reentry = extra == 1 && mode.strict_order;
                    mode.clickhouse = extra == 2;
                    let cfg = FunnelConfig::new(n, window, mode).ok()?;
                    let gaps = if use_gaps && !mode.clickhouse {
                        gaps[..n - 1].to_vec()
                    } else {
                        vec![]
                    };
                    let exclusions = if mode.clickhouse {
                        vec![]
                    } else {
                        excl.iter()
                            .filter(|(a, b)| a != b && *a.max(b) <= n)
                            .map(|&(a, b)| Exclusion {
                                from: a.min(b),
                                to: a.max(b),
                            })
                            .collect()
                    };
                    FunnelSpec::new(cfg, gaps, exclusions, keyed).ok()
                },
            )
    }

    fn arb_test_rows(spec: &FunnelSpec, max_rows: usize) -> impl Strategy<Value = Vec<TestRow>> {
        let (n, e) = (spec.cfg.nsteps, spec.exclusions.len());
        prop::collection::vec(
            (
                0u8..6,
                0i64..12,
                0u64..(1 << n),
                0u32..(1 << e),
                prop::option::of(0u8..3),
            ),
            0..max_rows,
        )
    }

    fn arb_case(max_rows: usize) -> impl Strategy<Value = (FunnelSpec, Vec<TestRow>)> {
        arb_spec().prop_flat_map(move |spec| {
            let rows = arb_test_rows(&spec, max_rows);
            (Just(spec), rows)
        })
    }

    fn build<K: UserKey>(
        spec: &FunnelSpec,
        rows: &[TestRow],
        key: impl Fn(u8) -> K,
    ) -> PopulationFunnel<K> {
        let mut p = PopulationFunnel::<K>::new(Arc::new(spec.clone()), None).unwrap();
        for &(u, ts, mask, excl, h) in rows {
            p.push(key(u), ts, mask, excl, held_text(h).as_deref());
        }
        p
    }

    /// The naive form: rows grouped per user (and key) in maps, each partition sorted by
    /// ts and handed to the engine; the user's best partition; durations per step.
    fn naive(spec: &FunnelSpec, rows: &[TestRow]) -> (Vec<i64>, StepDurations) {
        let mut users: BTreeMap<u8, BTreeMap<Option<u8>, Vec<Row>>> = BTreeMap::new();
        for &(u, ts, mask, excl, h) in rows {
            let parts = users.entry(u).or_default();
            let h = if spec.keyed { h } else { Some(0) };
            if h.is_some() {
                parts.entry(h).or_default().push(Row { ts, mask, excl });
            }
        }
        let n = spec.cfg.nsteps;
        let mut histogram = vec![0; n + 1];
        let mut durations = StepDurations::new(n);
        for parts in users.values_mut() {
            let mut best: (usize, Vec<i64>) = (0, vec![]);
            for part in parts.values_mut() {
                part.sort_by_key(|r| r.ts);
                let (level, times) = if spec.cfg.mode.clickhouse {
                    (clickhouse_level(part, &spec.cfg), vec![])
                } else {
                    let out = deepest(part, spec, true);
                    let times = out.path.iter().map(|&i| part[i as usize].ts).collect();
                    (out.level, times)
                };
                // The documented order, spelled as a sort key: anchor, -last, middle steps
                // from the last but one down to step 2.
                let order = |t: &[i64]| {
                    let l = t.len();
                    let middle: Vec<i64> = t[1..l.max(2) - 1].iter().rev().copied().collect();
                    (t[0], std::cmp::Reverse(t[l - 1]), middle)
                };
                let better = level > best.0
                    || (level == best.0
                        && level > 0
                        && !times.is_empty()
                        && order(&times) > order(&best.1));
                if better {
                    best = (level, times);
                }
            }
            histogram[best.0] += 1;
            if !spec.cfg.mode.clickhouse {
                durations.push_chain(&best.1);
            }
        }
        (histogram, durations)
    }

    /// `percentile_cont` by hand: sort, then interpolate.
    fn by_hand(values: &[f64]) -> Option<[f64; 4]> {
        let mut v = values.to_vec();
        v.sort_by(pg_float_cmp);
        (!v.is_empty()).then(|| PERCENTILES.map(|p| percentile_cont_sorted(&v, p).unwrap()))
    }

    /// Checks a finished funnel against the naive evaluation of the same rows.
    fn check_naive(
        spec: &FunnelSpec,
        rows: &[TestRow],
        histogram: &[i64],
        got: &[StepRow],
    ) -> Result<(), TestCaseError> {
        let (want, durations) = naive(spec, rows);
        prop_assert_eq!(histogram, &want[..]);
        let n = spec.cfg.nsteps;
        prop_assert_eq!(got.len(), n);
        for (k, row) in (1..=n).zip(got) {
            prop_assert_eq!(row.users, want[k..].iter().sum::<i64>());
            let (prev, first) = if k == 1 || spec.cfg.mode.clickhouse {
                (None, None)
            } else {
                (
                    by_hand(&durations.from_previous[k]),
                    by_hand(&durations.from_first[k]),
                )
            };
            prop_assert_eq!(row.from_previous, prev);
            prop_assert_eq!(row.from_first, first);
            prop_assert_eq!(row.median_seconds_from_previous, prev.map(|p| p[1]));
        }
        prop_assert_eq!(
            got,
            &step_rows(
                &want,
                None,
                (!spec.cfg.mode.clickhouse).then_some(durations)
            )[..]
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn one_shot_equals_naive_evaluation((spec, rows) in arb_case(24)) {
            let mut p = build(&spec, &rows, i64::from);
            let histogram = p.histogram();
            let got = p.finish(&mut || {}).unwrap();
            check_naive(&spec, &rows, &histogram, &got)?;
            let users: std::collections::BTreeSet<u8> = rows.iter().map(|r| r.0).collect();
            prop_assert_eq!(p.user_count(), users.len());
            prop_assert_eq!(histogram.iter().sum::<i64>(), users.len() as i64);
            let masks = rows.iter().fold((0, 0), |(m, e), r| (m | r.2, e | r.3));
            prop_assert_eq!((p.matched_steps(), p.matched_exclusions()), masks);
        }

        #[test]
        fn row_order_splits_and_codec_do_not_matter(
            ((spec, rows), shuffled, cuts) in arb_case(24).prop_flat_map(|(spec, rows)| {
                let n = rows.len();
                (
                    Just((spec, rows.clone())),
                    Just(rows).prop_shuffle(),
                    (0..=n, 0..=n, 0u8..4),
                )
            }),
        ) {
            let whole = build(&spec, &rows, i64::from).finish(&mut || {}).unwrap();
            let (a, b) = (cuts.0.min(cuts.1), cuts.0.max(cuts.1));
            let mut s1 = build(&spec, &shuffled[..a], i64::from);
            let s2 = build(&spec, &shuffled[a..b], i64::from);
            let s3 = build(&spec, &shuffled[b..], i64::from);
            let s2 = PopulationFunnel::<i64>::decode(&s2.encode()).unwrap();
            // An already finished state merges like any other.
            let mut s3 = s3;
            if cuts.2 & 1 == 1 {
                s3.finish(&mut || {}).unwrap();
            }
            let s3 = PopulationFunnel::<i64>::decode(&s3.encode()).unwrap();
            if cuts.2 & 2 == 2 {
                s1.merge(s3).unwrap();
                s1.merge(s2).unwrap();
            } else {
                s1.merge(s2).unwrap();
                s1.merge(s3).unwrap();
            }
            let s1 = PopulationFunnel::<i64>::decode(&s1.encode()).unwrap();
            prop_assert_eq!(s1.clone().finish(&mut || {}).unwrap(), whole);
            // Every strict prefix of an encoding is rejected.
            let bytes = s1.encode();
            for n in 0..bytes.len() {
                prop_assert!(PopulationFunnel::<i64>::decode(&bytes[..n]).is_err());
            }
        }

        #[test]
        fn text_keys_equal_bigint_keys((spec, rows) in arb_case(24)) {
            let ids = build(&spec, &rows, i64::from).finish(&mut || {}).unwrap();
            let texts = build(&spec, &rows, |u| format!("user {u}")).finish(&mut || {}).unwrap();
            prop_assert_eq!(&texts, &ids);
            let mut by_ref = PopulationFunnel::<String>::new(Arc::new(spec.clone()), None).unwrap();
            for &(u, ts, mask, excl, h) in &rows {
                by_ref.push_str(&format!("user {u}"), ts, mask, excl, held_text(h).as_deref());
            }
            let by_ref = PopulationFunnel::<String>::decode(&by_ref.encode()).unwrap();
            prop_assert_eq!(by_ref.clone().finish(&mut || {}).unwrap(), ids);
        }

        #[test]
        fn event_form_equals_conds_form(
            (spec, events) in arb_spec().prop_flat_map(|spec| {
                let names = spec.cfg.nsteps + spec.exclusions.len() + 1;
                (Just(spec), prop::collection::vec((0u8..5, 0i64..12, 0..names, prop::option::of(0u8..3)), 0..24))
            }),
        ) {
            // Event names: steps "e0".."e{n-1}" (step 2 named as step 1 when n > 2),
            // exclusions partly sharing the step names, and one unknown name.
            let n = spec.cfg.nsteps;
            let mut steps: Vec<String> = (0..n).map(|k| format!("e{k}")).collect();
            if n > 2 {
                steps[1] = steps[0].clone();
            }
            let excl: Vec<String> = (0..spec.exclusions.len()).map(|e| format!("e{}", n - 1 + e)).collect();
            let names: Vec<String> = (0..n + excl.len() + 1).map(|i| format!("e{i}")).collect();
            let matcher = StepMatcher::with_exclusions(&steps, &excl).unwrap();
            let spec = Arc::new(spec);
            let mut by_event = PopulationFunnel::<i64>::for_events(spec.clone(), steps.clone(), excl).unwrap();
            let mut by_conds = PopulationFunnel::<i64>::new(spec, Some(steps)).unwrap();
            for &(u, ts, e, h) in &events {
                let held = held_text(h);
                let name = (e < names.len() - 1).then(|| names[e].as_str());
                by_event.push_event(u.into(), ts, name, held.as_deref());
                let (mask, x) = name.map_or((0, 0), |e| matcher.lookup(e));
                by_conds.push(u.into(), ts, mask, x, held.as_deref());
            }
            let by_event = PopulationFunnel::<i64>::decode(&by_event.encode()).unwrap();
            prop_assert_eq!(by_event.clone().finish(&mut || {}).unwrap(), by_conds.finish(&mut || {}).unwrap());
        }

        #[test]
        fn two_stage_equals_one_shot(
            (users, cfg) in arb_cfg(4).prop_flat_map(|cfg| {
                (prop::collection::vec(arb_rows(&cfg, 8, 1..10), 0..20), Just(cfg))
            }),
            split in 0usize..20,
        ) {
            let names: Vec<String> = (1..=cfg.nsteps).map(|i| format!("s{i}")).collect();
            let spec = plain(cfg);
            let mut levels = LevelCounts::new(names.clone()).unwrap();
            let mut a = PopulationFunnel::<i64>::new(spec.clone(), Some(names.clone())).unwrap();
            let mut b = PopulationFunnel::<i64>::new(spec.clone(), Some(names)).unwrap();
            for (u, rows) in users.iter().enumerate() {
                let mut sorted: Vec<Row> = rows.iter().map(|&(t, m)| Row::new(t, m)).collect();
                sorted.sort_by_key(|r| r.ts);
                levels.push(deepest(&sorted, &spec, false).level as i32).unwrap();
                let target = if u < split { &mut a } else { &mut b };
                rows.iter().for_each(|(t, m)| target.push(u as i64, *t, *m, 0, None));
            }
            let b = PopulationFunnel::<i64>::decode(&b.encode()).unwrap();
            a.merge(b).unwrap();
            let levels = LevelCounts::decode(&levels.encode()).unwrap();
            let one_shot = a.finish(&mut || {}).unwrap();
            let two_stage = levels.finish();
            prop_assert_eq!(one_shot.len(), two_stage.len());
            for (o, t) in one_shot.iter().zip(&two_stage) {
                prop_assert_eq!(o.users, t.users);
                prop_assert_eq!((o.rate_from_previous, o.rate_from_first), (t.rate_from_previous, t.rate_from_first));
                prop_assert_eq!((o.ci_low, o.ci_high), (t.ci_low, t.ci_high));
                prop_assert_eq!(&o.name, &t.name);
                prop_assert_eq!((t.from_previous, t.from_first), (None, None));
            }
            // every user joins the population, even one whose rows match no step
            prop_assert_eq!(one_shot[0].users + levels.counts[0], users.len() as i64);
        }
    }

    // -----------------------------------------------------------------------------------
    // Large inputs: the radix sort, the silent buffer's compactions, wide packing, decoding
    // -----------------------------------------------------------------------------------

    /// xorshift64*: deterministic test data.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// `rows` rows of `users` users (u8 keys wrap: users are `u % 251` in the naive form, so
    /// this uses explicit ids) in time order or shuffled.
    fn big_case(
        seed: u64,
        rows: usize,
        users: u64,
        spec: &FunnelSpec,
        time_ordered: bool,
    ) -> Vec<(u64, i64, u64, u32, Option<u8>)> {
        let mut rng = Rng(seed);
        let (n, e) = (spec.cfg.nsteps, spec.exclusions.len());
        let mut out: Vec<_> = (0..rows)
            .map(|i| {
                let ts = if time_ordered {
                    i as i64 / 3
                } else {
                    rng.below(rows as u64 / 3) as i64
                };
                let kind = rng.below(n as u64 + 2);
                let mask = if kind < n as u64 { 1 << kind } else { 0 };
                let excl = if e > 0 && kind == n as u64 {
                    rng.below(1 << e) as u32
                } else {
                    0
                };
                let held = rng.below(4);
                let held = (held < 3).then_some(held as u8);
                (rng.below(users), ts, mask, excl, held)
            })
            .collect();
        if !time_ordered {
            // rows arrive in no particular order
            for i in (1..out.len()).rev() {
                out.swap(i, rng.below(i as u64 + 1) as usize);
            }
        }
        out
    }

    fn naive_big(spec: &FunnelSpec, rows: &[(u64, i64, u64, u32, Option<u8>)]) -> Vec<i64> {
        // Users in groups of 200 so that each fits the u8 user of `naive`.
        let mut groups: BTreeMap<u64, Vec<TestRow>> = BTreeMap::new();
        for &(u, ts, m, e, h) in rows {
            groups
                .entry(u / 200)
                .or_default()
                .push(((u % 200) as u8, ts, m, e, h));
        }
        let n = spec.cfg.nsteps;
        let mut total = vec![0; n + 1];
        for rows in groups.values() {
            let (h, _) = naive(spec, rows);
            total.iter_mut().zip(h).for_each(|(t, h)| *t += h);
        }
        total
    }

    /// A plain funnel; strict_order with a step window, an exclusion and a held key;
    /// strict_increase with a held key.
    fn big_specs() -> [FunnelSpec; 3] {
        [
            FunnelSpec::plain(cfg(4, 40, "default")),
            FunnelSpec::new(
                cfg(3, 60, "strict_order"),
                vec![Some(20), None],
                vec![Exclusion { from: 1, to: 3 }],
                true,
            )
            .unwrap(),
            FunnelSpec::new(cfg(3, 30, "strict_increase"), vec![], vec![], true).unwrap(),
        ]
    }

    #[test]
    fn large_inputs_equal_naive_evaluation() {
        let specs = big_specs();
        for (i, spec) in specs.iter().enumerate() {
            for time_ordered in [true, false] {
                // More rows than SPREAD_ROWS: the rows are spread over segments.
                let rows = big_case(i as u64 + 7, 150_000, 5_000, spec, time_ordered);
                let want = naive_big(spec, &rows);
                let arc = Arc::new(spec.clone());
                let new_ids = || PopulationFunnel::<i64>::new(arc.clone(), None).unwrap();
                let mut ids = new_ids();
                let mut texts = PopulationFunnel::<String>::new(arc.clone(), None).unwrap();
                // A tenth (flat) and the rest (spread), merged both ways, through the codec.
                let (mut small, mut big) = (new_ids(), new_ids());
                for (j, &(u, ts, m, e, h)) in rows.iter().enumerate() {
                    let h = held_text(h);
                    ids.push(u as i64, ts, m, e, h.as_deref());
                    texts.push_str(&format!("{u:x}"), ts, m, e, h.as_deref());
                    let part = if j % 10 == 0 { &mut small } else { &mut big };
                    part.push(u as i64, ts, m, e, h.as_deref());
                }
                assert!(with_buf!(&ids.store, b => b.rows.is_spread()));
                assert!(with_buf!(&small.store, b => !b.rows.is_spread()));
                assert_eq!(ids.histogram(), want, "spec {i} ordered {time_ordered}");
                assert_eq!(texts.histogram(), want, "spec {i} ordered {time_ordered}");
                let whole = ids.finish(&mut || {}).unwrap();
                assert_eq!(texts.finish(&mut || {}).unwrap(), whole);
                let decode =
                    |p: &PopulationFunnel<i64>| PopulationFunnel::<i64>::decode(&p.encode());
                let mut small_big = decode(&small).unwrap();
                small_big.merge(decode(&big).unwrap()).unwrap();
                assert_eq!(small_big.finish(&mut || {}).unwrap(), whole);
                big.merge(small).unwrap();
                assert_eq!(big.finish(&mut || {}).unwrap(), whole);
            }
        }
    }

    #[test]
    fn users_without_kept_rows_count_once() {
        let spec = plain(cfg(2, 10, "default"));
        let mut a = PopulationFunnel::<i64>::new(spec.clone(), None).unwrap();
        let mut b = PopulationFunnel::<String>::new(spec.clone(), None).unwrap();
        let mut rng = Rng(3);
        // 5000 silent users with 6 rows each, 500 of them also with a step-1 row, spread.
        let mut rows: Vec<(i64, u64)> = (0..5000)
            .flat_map(|u| std::iter::repeat_n((u, 0), 6))
            .chain((0..500).map(|u| (u * 10, A)))
            .collect();
        for i in (1..rows.len()).rev() {
            rows.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let mut parts: Vec<PopulationFunnel<i64>> = (0..3)
            .map(|_| PopulationFunnel::new(spec.clone(), None).unwrap())
            .collect();
        for (i, &(u, m)) in rows.iter().enumerate() {
            a.push(u, i as i64, m, 0, None);
            b.push_str(&u.to_string(), i as i64, m, 0, None);
            parts[i % 3].push(u, i as i64, m, 0, None);
        }
        // The silent buffer was compacted: at most twice its distinct users.
        with_buf!(&a.store, s => assert!(s.silent.len() <= 2 * 5000));
        with_buf!(&a.store, s => assert!(!s.silent.is_spread()));
        assert_eq!(a.user_count(), 5000);
        assert_eq!(b.user_count(), 5000);
        assert_eq!(a.histogram(), vec![4500, 500, 0]);
        assert_eq!(b.histogram(), vec![4500, 500, 0]);
        let mut merged = parts.remove(0);
        for p in parts {
            merged
                .merge(PopulationFunnel::decode(&p.encode()).unwrap())
                .unwrap();
        }
        assert_eq!(merged.user_count(), 5000);
        assert_eq!(merged.histogram(), vec![4500, 500, 0]);
        // A user pushing only non-matching rows, many times, counts once.
        let mut one = PopulationFunnel::<i64>::new(spec, None).unwrap();
        (0..100_000).for_each(|t| one.push(7, t, 0, 0, None));
        (0..100_000).for_each(|t| one.push(t % 2, t, 0, 0, None));
        with_buf!(&one.store, s => assert!(s.silent.len() < 2 * SILENT_MIN_COMPACT));
        // 200K silent users: spread, each segment compacted when it doubles.
        let mut many = PopulationFunnel::<i64>::new(plain(cfg(2, 10, "default")), None).unwrap();
        for t in 0..600_000 {
            many.push(t % 200_000, t, 0, 0, None);
        }
        many.push(5, 0, A, 0, None);
        with_buf!(&many.store, s => {
            assert!(s.silent.is_spread());
            assert!(s.silent.len() <= 2 * 200_000 + 256 * 2 * SILENT_MIN_COMPACT_SPREAD);
        });
        assert_eq!(many.user_count(), 200_000);
        let mut copy = PopulationFunnel::<i64>::decode(&many.encode()).unwrap();
        copy.merge(many.clone()).unwrap();
        assert_eq!(copy.histogram(), vec![199_999, 1, 0]);
        assert_eq!(many.histogram(), vec![199_999, 1, 0]);
        assert_eq!(one.histogram(), vec![3, 0, 0]);
    }

    #[test]
    fn finish_on_threads_equals_one_thread() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let started = AtomicUsize::new(0);
        let spawn_with = |spawn: &mut dyn FnMut()| {
            started.fetch_add(1, Ordering::Relaxed);
            spawn();
        };
        let threads = |max| Threads {
            max,
            spawn_with: &spawn_with,
        };
        let specs = big_specs();
        for (i, spec) in specs.iter().enumerate() {
            // Spread (256 segments) and flat (one segment, so one thread).
            for n in [400_000, 3_000] {
                let rows = big_case(i as u64 + 11, n, n as u64 / 30, spec, true);
                let arc = Arc::new(spec.clone());
                let ids = || PopulationFunnel::<i64>::new(arc.clone(), None).unwrap();
                let texts = || PopulationFunnel::<String>::new(arc.clone(), None).unwrap();
                let (mut whole, mut whole_text) = (ids(), texts());
                // As in a parallel plan: three processes scan thirds of the table.
                let mut parts: Vec<_> = (0..3).map(|_| ids()).collect();
                let mut text_parts: Vec<_> = (0..3).map(|_| texts()).collect();
                for (j, &(u, ts, m, e, h)) in rows.iter().enumerate() {
                    let h = held_text(h);
                    whole.push(u as i64, ts, m, e, h.as_deref());
                    whole_text.push_str(&format!("{u:x}"), ts, m, e, h.as_deref());
                    parts[j * 3 / n].push(u as i64, ts, m, e, h.as_deref());
                    text_parts[j * 3 / n].push_str(&format!("{u:x}"), ts, m, e, h.as_deref());
                }
                let want = whole.clone().finish(&mut || {}).unwrap();
                assert_eq!(whole_text.clone().finish(&mut || {}).unwrap(), want);
                // A state that saw every row stays on one thread.
                assert_eq!(whole.sources(), 1);
                assert_eq!(whole.finish_on(threads(4), &mut || {}).unwrap(), want);
                assert_eq!(whole_text.finish_on(threads(4), &mut || {}).unwrap(), want);
                assert_eq!(started.swap(0, Ordering::Relaxed), 0);
                for max in [2, 3, 8] {
                    // Workers send sorted states; the leader merges them into its own.
                    let mut leader = parts[0].clone();
                    let mut text_leader = text_parts[0].clone();
                    for k in 1..3 {
                        let mut p = parts[k].clone();
                        p.prepare_to_send(&mut || {});
                        leader
                            .merge(PopulationFunnel::decode(&p.encode()).unwrap())
                            .unwrap();
                        text_leader.merge(text_parts[k].clone()).unwrap();
                    }
                    assert_eq!(leader.sources(), 3);
                    let spread = with_buf!(&leader.store, b => b.rows.is_spread()
                        || b.runs.iter().any(Segments::is_spread)
                        || !b.raw.is_empty());
                    if i == 0 {
                        assert_eq!(spread, n > 3_000);
                    }
                    assert_eq!(leader.finish_on(threads(max), &mut || {}).unwrap(), want);
                    let helpers = started.swap(0, Ordering::Relaxed);
                    if spread {
                        // min(max, 3 sources) threads for the segments (and as many for
                        // the percentiles when there are that many lists).
                        let segments = max.min(3) - 1;
                        assert!(
                            (segments..=2 * segments).contains(&helpers),
                            "max {max}: {helpers}"
                        );
                    }
                    // Sorted by the first finish: the same again, from the sorted rows.
                    assert_eq!(leader.finish_on(threads(max), &mut || {}).unwrap(), want);
                    assert_eq!(
                        text_leader.finish_on(threads(max), &mut || {}).unwrap(),
                        want
                    );
                    started.store(0, Ordering::Relaxed);
                }
            }
        }
    }

    #[test]
    fn merge_tail_merges_two_sorted_halves() {
        let mut seed = 7u64;
        let mut next = move |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        let mut tail = Vec::new();
        for _ in 0..500 {
            let n = next(12) as usize;
            let mut v: Vec<Flat<1>> = (0..n)
                .map(|_| Flat {
                    key: [next(3)],
                    ts: next(5) as i64,
                    bits: next(4),
                })
                .collect();
            let mid = next(n as u64 + 1) as usize;
            v[..mid].sort_by_key(Flat::key);
            v[mid..].sort_by_key(Flat::key);
            let mut want = v.clone();
            want.sort_by_key(Flat::key);
            merge_tail(&mut v, mid, &mut tail);
            let keys = |v: &[Flat<1>]| v.iter().map(Flat::key).collect::<Vec<_>>();
            assert_eq!(keys(&v), keys(&want));
            let bits = |v: &[Flat<1>]| {
                let mut b: Vec<_> = v.iter().map(|r| (r.key(), r.bits)).collect();
                b.sort();
                b
            };
            assert_eq!(bits(&v), bits(&want));
        }
    }

    #[test]
    fn packed_rows_round_trip() {
        // Bits of 1 to 8 bytes, timestamps at both infinities, equal and far apart; every
        // state spread (sent as packed segments, kept raw) and one not (read at once).
        let mut rng = Rng(21);
        for nsteps in [1, 3, 8, 9, 20, 40, 64] {
            let spec = plain(cfg(nsteps, 1 << 40, "strict_order"));
            for n in [70_000usize, 500] {
                let mut p = PopulationFunnel::<i64>::new(spec.clone(), None).unwrap();
                for _ in 0..n {
                    let ts = match rng.below(6) {
                        0 => i64::MIN,
                        1 => i64::MAX,
                        2 => 0,
                        _ => rng.below(1 << 62) as i64 - (1 << 61),
                    };
                    let mask = (rng.below(u64::MAX) | 1) & low_bits(nsteps);
                    p.push(rng.below(n as u64 / 4) as i64, ts, mask, 0, None);
                }
                let want = p.clone().finish(&mut || {}).unwrap();
                let mut sent = p.clone();
                sent.prepare_to_send(&mut || {});
                let bytes = sent.encode();
                let mut back = PopulationFunnel::<i64>::decode(&bytes).unwrap();
                assert_eq!(back.user_count(), p.user_count());
                // A state holding raw rows re-encodes them (unsorted) and reads them back.
                let again = PopulationFunnel::<i64>::decode(&back.encode()).unwrap();
                assert_eq!(back.finish(&mut || {}).unwrap(), want, "{nsteps} steps");
                assert_eq!(again.clone().finish(&mut || {}).unwrap(), want);
                if n > SPREAD_ROWS {
                    // 24 bytes a row unpacked (these far-apart timestamps pack worst).
                    assert!(bytes.len() < n * 24, "{} bytes", bytes.len());
                }
            }
        }
    }

    #[test]
    fn corrupt_rows_of_a_received_state_fail_when_evaluated() {
        let spec = plain(cfg(3, 50, "default"));
        let mut rng = Rng(9);
        let mut sent = PopulationFunnel::<i64>::new(spec.clone(), None).unwrap();
        for i in 0..100_000 {
            sent.push(rng.below(20_000) as i64, i, 1 << rng.below(3), 0, None);
        }
        sent.prepare_to_send(&mut || {});
        let Store::Id(b) = &sent.store else {
            panic!("bigint ids")
        };
        assert!(b.rows.is_spread());
        let row = b.rows.segs[5][0];
        let run = b.rows.segs[5]
            .iter()
            .take_while(|r| r.key == row.key)
            .count();
        assert!(run < 128);
        let bytes = sent.encode();
        // Packed: the key, the run's length (one byte here), the first timestamp, the bits
        // (one byte for 3 steps).
        let key = row.key[0].to_le_bytes();
        let pos = bytes.windows(8).position(|w| w == key).unwrap();
        assert_eq!(bytes[pos + 8] as usize, run);
        assert_eq!(bytes[pos + 9..pos + 17], row.ts.to_le_bytes());
        assert_eq!(u64::from(bytes[pos + 17]), row.bits);
        let mut good = PopulationFunnel::<i64>::decode(&bytes).unwrap();
        let want = good.finish(&mut || {}).unwrap();
        let corrupt = |offset: usize, value: &[u8]| {
            let mut bad = bytes.clone();
            bad[pos + offset..pos + offset + value.len()].copy_from_slice(value);
            // Decoded as bytes; checked by the thread that evaluates segment 5.
            let mut leader = PopulationFunnel::<i64>::new(spec.clone(), None).unwrap();
            leader
                .merge(PopulationFunnel::decode(&bad).unwrap())
                .unwrap();
            leader
                .merge(PopulationFunnel::decode(&bytes).unwrap())
                .unwrap();
            let two = Threads {
                max: 2,
                ..Threads::SERIAL
            };
            let e = leader.finish_on(two, &mut || {}).unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::Malformed);
            e.message
        };
        // Bits no state of a 3-step funnel stores; no step at all.
        assert!(
            corrupt(17, &[8]).contains("row bits"),
            "{}",
            corrupt(17, &[8])
        );
        assert!(corrupt(17, &[0]).contains("matching nothing"));
        // A user of another segment; a row before the one it follows.
        assert!(corrupt(0, &(row.key[0] ^ 1 << 63).to_le_bytes()).contains("out of order"));
        let last_of_segment = (5u64 << 56) | ((1 << 56) - 1);
        assert!(corrupt(0, &last_of_segment.to_le_bytes()).contains("out of order"));
        // A run of no rows, of more rows than the segment has; a timestamp past the range.
        assert!(corrupt(8, &[0]).contains("a run of 0 rows"));
        assert!(corrupt(8, &[0xff, 0xff, 0x7f]).contains("rows"));
        if run > 1 {
            assert!(corrupt(9, &i64::MAX.to_le_bytes()).contains("beyond the range"));
        }
        // The good bytes still give the rows.
        assert_eq!(want.len(), 3);
    }

    #[test]
    fn sorted_partial_states_merge_like_unsorted() {
        // As in a parallel plan: three processes scan blocks of a time-ordered table; the
        // workers sort their rows before sending them, the leader merges.
        let spec = plain(cfg(3, 50, "default"));
        let mut rng = Rng(5);
        for (n, users) in [(6000usize, 300u64), (200_000, 20_000)] {
            let rows: Vec<(i64, i64, u64)> = (0..n)
                .map(|i| {
                    (
                        rng.below(users) as i64,
                        i as i64 / 7,
                        (1u64 << rng.below(4)) & 7,
                    )
                })
                .collect();
            let mut whole = PopulationFunnel::<i64>::new(spec.clone(), None).unwrap();
            let mut parts: Vec<PopulationFunnel<i64>> = (0..3)
                .map(|_| PopulationFunnel::new(spec.clone(), None).unwrap())
                .collect();
            for (i, &(u, ts, m)) in rows.iter().enumerate() {
                whole.push(u, ts, m, 0, None);
                parts[i * 3 / n].push(u, ts, m, 0, None);
            }
            let expect = whole.finish(&mut || {}).unwrap();
            let sent = |p: &PopulationFunnel<i64>| {
                let mut p = p.clone();
                p.prepare_to_send(&mut || {});
                with_buf!(&p.store, b => assert!(b.sorted));
                PopulationFunnel::<i64>::decode(&p.encode()).unwrap()
            };
            let runs = |p: &PopulationFunnel<i64>| with_buf!(&p.store, b => b.runs.len());
            // An unsorted leader and two sorted workers.
            let mut leader = parts[0].clone();
            leader.merge(sent(&parts[1])).unwrap();
            leader.merge(sent(&parts[2])).unwrap();
            assert_eq!(runs(&leader), 2);
            // A state holding runs encodes and decodes like any other.
            let mut copy = PopulationFunnel::<i64>::decode(&leader.encode()).unwrap();
            assert_eq!(copy.finish(&mut || {}).unwrap(), expect);
            assert_eq!(leader.finish(&mut || {}).unwrap(), expect);
            assert_eq!(runs(&leader), 0);
            assert_eq!(leader.finish(&mut || {}).unwrap(), expect);
            // An empty leader; a sorted leader taking an unsorted state and a sorted one.
            let mut empty = PopulationFunnel::<i64>::new(spec.clone(), None).unwrap();
            parts.iter().for_each(|p| empty.merge(sent(p)).unwrap());
            assert_eq!(runs(&empty), 3);
            assert_eq!(empty.finish(&mut || {}).unwrap(), expect);
            let mut sorted = sent(&parts[2]);
            sorted.merge(parts[0].clone()).unwrap();
            sorted.merge(sent(&parts[1])).unwrap();
            assert_eq!(sorted.user_count(), whole.user_count());
            assert_eq!(sorted.finish(&mut || {}).unwrap(), expect);
        }
    }

    #[test]
    fn wide_packing_renumbers_on_merge() {
        // 60 steps and 8 exclusions do not fit one word: (mask, excl) pairs get ids.
        let exclusions = (0..8)
            .map(|e| Exclusion {
                from: e + 1,
                to: e + 3,
            })
            .collect();
        let spec =
            Arc::new(FunnelSpec::new(cfg(60, 50, "default"), vec![], exclusions, false).unwrap());
        let mut rng = Rng(11);
        let rows: Vec<(i64, i64, u64, u32)> = (0..3000)
            .map(|i| {
                let step = rng.below(6);
                let mask = if step < 5 {
                    1u64 << (step * 12 % 60)
                } else {
                    0
                };
                let mask = mask | (rng.below(2) << 1);
                (rng.below(100) as i64, i / 10, mask, rng.below(4) as u32 * 3)
            })
            .collect();
        let mut whole = PopulationFunnel::<i64>::new(spec.clone(), None).unwrap();
        let mut fwd = PopulationFunnel::<i64>::new(spec.clone(), None).unwrap();
        let mut back = PopulationFunnel::<i64>::new(spec.clone(), None).unwrap();
        for (i, &(u, ts, m, e)) in rows.iter().enumerate() {
            whole.push(u, ts, m, e, None);
            if i < 1500 {
                fwd.push(u, ts, m, e, None);
            }
        }
        for &(u, ts, m, e) in rows[1500..].iter().rev() {
            back.push(u, ts, m, e, None);
        }
        assert!(whole.packing.wide.is_some());
        // Sorted before it is sent: kept as a run, renumbered in place.
        back.prepare_to_send(&mut || {});
        let back = PopulationFunnel::<i64>::decode(&back.encode()).unwrap();
        fwd.merge(back).unwrap();
        with_buf!(&fwd.store, b => assert_eq!(b.runs.len(), 1));
        let mut fwd = PopulationFunnel::<i64>::decode(&fwd.encode()).unwrap();
        assert_eq!(
            fwd.finish(&mut || {}).unwrap(),
            whole.finish(&mut || {}).unwrap()
        );
        assert_eq!(fwd.matched_exclusions(), whole.matched_exclusions());
        // A class id beyond the table is rejected.
        let bytes = whole.encode();
        let mut bad = bytes.clone();
        let silent = with_buf!(&whole.store, s => s.silent.len());
        let last_bits = bytes.len() - 8 - 8 - 8 * silent;
        bad[last_bits..last_bits + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(PopulationFunnel::<i64>::decode(&bad)
            .unwrap_err()
            .message
            .contains("row bits"));
    }

    #[test]
    fn corrupt_states_are_rejected_without_panics() {
        let spec = Arc::new(
            FunnelSpec::new(
                cfg(3, 10, "strict_deduplication"),
                vec![None, Some(4)],
                vec![Exclusion { from: 1, to: 2 }],
                true,
            )
            .unwrap(),
        );
        let steps = ["a", "b", "c"].map(String::from).to_vec();
        let mut p = PopulationFunnel::<String>::for_events(spec, steps, vec!["x".into()]).unwrap();
        for i in 0..40 {
            let event = ["a", "b", "c", "x", "y"][i % 5];
            let held = (i % 4 != 0).then(|| format!("k{}", i % 3));
            p.push_event_str(
                &format!("u{}", i % 7),
                i as i64,
                Some(event),
                held.as_deref(),
            );
        }
        let bytes = p.encode();
        assert!(PopulationFunnel::<String>::decode(&bytes).is_ok());
        for n in 0..bytes.len() {
            let e = PopulationFunnel::<String>::decode(&bytes[..n]).unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::Malformed);
        }
        for i in 0..bytes.len() {
            for v in [0u8, 1, 2, 0x7f, 0xff] {
                let mut bad = bytes.clone();
                bad[i] = v;
                if let Err(e) = PopulationFunnel::<String>::decode(&bad) {
                    assert_eq!(e.kind, crate::error::ErrorKind::Malformed, "byte {i} = {v}");
                }
            }
        }
        // A row matching nothing outside strict_order was never stored.
        let mut q = PopulationFunnel::<i64>::new(plain(cfg(2, 10, "default")), None).unwrap();
        q.push(1, 0, A, 0, None);
        let mut bad = q.encode();
        let at = bad.len() - 8 - 8; // the row's bits, then the silent count
        bad[at..at + 8].copy_from_slice(&0u64.to_le_bytes());
        assert!(PopulationFunnel::<i64>::decode(&bad)
            .unwrap_err()
            .message
            .contains("matching nothing"));
        bad[at..at + 8].copy_from_slice(&4u64.to_le_bytes());
        assert!(PopulationFunnel::<i64>::decode(&bad)
            .unwrap_err()
            .message
            .contains("row bits 4"));
    }
}
