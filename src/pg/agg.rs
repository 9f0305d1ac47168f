//! Aggregate states behind `internal`, in the aggregate's memory context, and the generic
//! support functions `declare!` instantiates for each state type.
//!
//! Two storages:
//! - [`Boxed<T>`]: any Rust state (heap buffers allowed); dropped by a reset callback when the
//!   aggregate context is reset or deleted, so a `GROUP BY` frees each group's state with it.
//! - [`Plain<T>`]: `Copy` data with no heap: one palloc per group and nothing to drop
//!   (measured faster for the lifecycle aggregate over 500 000 groups).
//!
//! Partial states cross parallel workers as `bytea` through the core's one codec
//! ([`PartialState`]).

// `Storage::alloc` takes the memory context pointer that `aggregate_context` returned; it is
// never a pointer a caller could forge from SQL.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use super::errors::{self, OrRaise};
use super::{Call, Frame};
use pg_operations_core::funnel::{PlainParts, UserFunnel, UserPool};
use pg_operations_core::PartialState;
use pgrx::{pg_sys, PgSqlErrorCode};
use std::marker::PhantomData;
use std::sync::Arc;

/// The memory context of the running aggregate; raises an error outside an aggregate.
fn aggregate_context(frame: Frame<'_>, caller: &str) -> pg_sys::MemoryContext {
    // SAFETY: `frame` is live; for a plain aggregate, `context` is its AggState, and
    // AggCheckCallContext returns the per-tuple memory of its current aggregate ExprContext
    // (reset with the group, or with the hash table). Read here directly: this runs once per
    // group, and a call into PostgreSQL costs a guarded FFI transition.
    // tests/py/test_memory.py checks that states are freed with their groups.
    unsafe {
        if let Some(agg) = frame.agg_state() {
            let econtext = (*agg).curaggcontext;
            if !econtext.is_null() && !(*econtext).ecxt_per_tuple_memory.is_null() {
                return (*econtext).ecxt_per_tuple_memory;
            }
        }
        let mut ctx: pg_sys::MemoryContext = std::ptr::null_mut();
        let is_agg = pg_sys::AggCheckCallContext(frame.fcinfo, &mut ctx);
        if is_agg == 0 || ctx.is_null() {
            errors::raise_code(
                PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
                &format!("{caller} can only be called as part of an aggregate"),
            );
        }
        ctx
    }
}

/// How a state of type `Self::State` is kept behind an `internal` datum.
pub trait Storage {
    type State: PartialState + 'static;
    /// Moves `v` into memory context `ctx`.
    fn alloc(ctx: pg_sys::MemoryContext, v: Self::State) -> pg_sys::Datum;
    /// The state behind `d`, if it holds one.
    ///
    /// # Safety
    /// `d` was made by `alloc` of this storage and its context is alive.
    unsafe fn get<'a>(d: pg_sys::Datum) -> Option<&'a mut Self::State>;
    /// Moves the state out of `d` (which PostgreSQL will not read again).
    ///
    /// # Safety
    /// As for `get`.
    unsafe fn take(d: pg_sys::Datum) -> Option<Self::State>;
    /// Gives back the memory of `d` after [`Storage::take`] moved its state out, when it is
    /// combine's second state (a state just deserialized, which PostgreSQL does not read
    /// again). By default nothing is given back before the context is reset.
    ///
    /// # Safety
    /// As for `take`, and `d` is not used again.
    #[inline]
    unsafe fn release(_d: pg_sys::Datum) {}
    /// Whether combine may adopt a partial state as the group's state without moving it
    /// (true when states are only ever made in the aggregate context).
    const ADOPT: bool;
    /// Whether a state that asks for it ([`PartialState::hand_over_in_process`]) may be
    /// handed over within the process instead of serialized ([`hand_over`]).
    const HAND_OVER: bool = false;
    /// When `d` is a handle of a pooled group ([`Pooled`]): the group's state, settled (its
    /// result already computed, for the final function) or with its rows. `None` for a
    /// state of its own (every other storage).
    ///
    /// # Safety
    /// As for `get`.
    #[inline]
    unsafe fn resolve(_d: pg_sys::Datum, _settle: bool) -> Option<Self::State> {
        None
    }
    /// `deserialize`'s datum for the encoded state `bytes`.
    fn deserialize_bytes(frame: Frame<'_>, caller: &'static str, bytes: &[u8]) -> pg_sys::Datum {
        let state = Self::State::decode(bytes).or_raise();
        Self::alloc(aggregate_context(frame, caller), state)
    }
    /// `serialize`'s bytes for a pooled group, written straight from its rows (`None`: not
    /// a pooled group).
    ///
    /// # Safety
    /// As for `get`.
    #[inline]
    unsafe fn encode_pooled(_d: pg_sys::Datum) -> Option<Vec<u8>> {
        None
    }
    /// `serialize`'s token for a pooled group whose lane stays in this process for its own
    /// Finalize Aggregate ([`Pooled::hand_over_group`]); `None` to encode the group.
    ///
    /// # Safety
    /// As for `get`; `frame` is the serial function's.
    #[inline]
    unsafe fn hand_over_group(_frame: Frame<'_>, _d: pg_sys::Datum) -> Option<pg_sys::Datum> {
        None
    }
    /// `deserialize`'s datum for a token of [`Storage::hand_over_group`]; `None` for any
    /// other bytes.
    #[inline]
    fn take_handed_group(
        _frame: Frame<'_>,
        _caller: &'static str,
        _bytes: &[u8],
    ) -> Option<pg_sys::Datum> {
        None
    }
    /// `combine` of two pooled groups of one lane (or of a pooled group into no state):
    /// the combined datum, or `None` to combine states of their own.
    ///
    /// # Safety
    /// As for `get`.
    #[inline]
    unsafe fn combine_pooled(
        _mine: Option<pg_sys::Datum>,
        _theirs: Option<pg_sys::Datum>,
    ) -> Option<pg_sys::Datum> {
        None
    }
}

/// Any Rust state, kept as `Option<T>` (so combine can move it out) with a drop callback.
pub struct Boxed<T>(PhantomData<T>);

/// A [`Boxed`] state and the memory-context reset callback that drops it, allocated together.
#[repr(C)]
struct BoxedCell<T> {
    callback: pg_sys::MemoryContextCallback,
    /// The context the cell lives in (for reusing it, see [`SPARE`]).
    ctx: pg_sys::MemoryContext,
    value: Option<T>,
}

/// The last cell whose state `combine` moved out and released: the next state of the same type made in
/// the same context reuses it instead of allocating and registering a new cell. In a
/// parallel plan the leader deserializes a partial state, combines it into its group's
/// state and then deserializes the next one, so with this one spare it keeps about one cell
/// per group instead of one per received partial state (500 000 users from 3 processes:
/// 1.2 million cells before).
struct Spare {
    cell: *mut std::ffi::c_void,
    ctx: pg_sys::MemoryContext,
    kind: std::any::TypeId,
}

/// See [`Spare`]; touched only by the backend's single thread, inside function calls
/// PostgreSQL made on it (like [`REGISTRY`]).
struct SpareCell(std::cell::UnsafeCell<Option<Spare>>);
// SAFETY: single-threaded (see above).
unsafe impl Sync for SpareCell {}
static SPARE: SpareCell = SpareCell(std::cell::UnsafeCell::new(None));

fn spare() -> &'static mut Option<Spare> {
    // SAFETY: single-threaded; no caller keeps the reference across another access.
    unsafe { &mut *SPARE.0.get() }
}

/// Drops a [`BoxedCell`]'s value in place (its memory belongs to the context being reset).
unsafe extern "C-unwind" fn drop_boxed_cell<T>(arg: *mut std::ffi::c_void) {
    let sp = spare();
    if sp.as_ref().is_some_and(|s| s.cell == arg) {
        *sp = None;
    }
    // SAFETY: `arg` is the cell registered by `Boxed::alloc`; this runs once, when its
    // context is reset or deleted.
    unsafe { std::ptr::drop_in_place(std::ptr::addr_of_mut!((*(arg as *mut BoxedCell<T>)).value)) }
}

impl<T: PartialState + 'static> Storage for Boxed<T> {
    type State = T;
    fn alloc(ctx: pg_sys::MemoryContext, v: T) -> pg_sys::Datum {
        const {
            // palloc'd memory is MAXALIGNed (8 bytes).
            assert!(std::mem::align_of::<BoxedCell<T>>() <= 8);
        }
        // One palloc in `ctx` (a live memory context owned by the executor for the
        // aggregate's lifetime) holds the value and the reset callback that drops it in place
        // when the context is reset or deleted (the context then frees the memory): no
        // malloc and no free per group, which a GROUP BY over millions of users would pay.
        let sp = spare();
        if let Some(s) = sp.take_if(|s| s.ctx == ctx && s.kind == std::any::TypeId::of::<T>()) {
            // SAFETY: the spare is a registered cell of type T in `ctx` (the kind and context
            // were compared), still alive (its reset callback would have cleared the spare),
            // whose value `take` moved out (None: nothing to drop).
            unsafe {
                let cell = s.cell as *mut BoxedCell<T>;
                (*cell).value = Some(v);
                return pg_sys::Datum::from(std::ptr::addr_of_mut!((*cell).value));
            }
        }
        // SAFETY: the allocation is large enough and aligned for BoxedCell<T> and fully
        // initialised before it is used; the callback only runs when `ctx` is reset or
        // deleted, after which PostgreSQL never reads the state again.
        unsafe {
            let cell = pg_sys::MemoryContextAlloc(ctx, std::mem::size_of::<BoxedCell<T>>())
                as *mut BoxedCell<T>;
            std::ptr::addr_of_mut!((*cell).value).write(Some(v));
            std::ptr::addr_of_mut!((*cell).ctx).write(ctx);
            std::ptr::addr_of_mut!((*cell).callback).write(pg_sys::MemoryContextCallback {
                func: Some(drop_boxed_cell::<T>),
                arg: cell as *mut std::ffi::c_void,
                next: std::ptr::null_mut(),
            });
            pg_sys::MemoryContextRegisterResetCallback(
                ctx,
                std::ptr::addr_of_mut!((*cell).callback),
            );
            pg_sys::Datum::from(std::ptr::addr_of_mut!((*cell).value))
        }
    }
    unsafe fn get<'a>(d: pg_sys::Datum) -> Option<&'a mut T> {
        // SAFETY: guaranteed by the caller.
        unsafe { (*d.cast_mut_ptr::<Option<T>>()).as_mut() }
    }
    unsafe fn take(d: pg_sys::Datum) -> Option<T> {
        // SAFETY: guaranteed by the caller.
        unsafe { (*d.cast_mut_ptr::<Option<T>>()).take() }
    }
    /// The emptied cell becomes the [`SPARE`] (a cell has a reset callback registered, so
    /// it cannot be freed).
    unsafe fn release(d: pg_sys::Datum) {
        // SAFETY: guaranteed by the caller: `d` points at the value of a live cell that
        // PostgreSQL will not read again, so it may hold the next state made in its context.
        unsafe {
            let cell = d
                .cast_mut_ptr::<u8>()
                .sub(std::mem::offset_of!(BoxedCell<T>, value))
                as *mut BoxedCell<T>;
            *spare() = Some(Spare {
                cell: cell as *mut std::ffi::c_void,
                ctx: (*cell).ctx,
                kind: std::any::TypeId::of::<T>(),
            });
        }
    }
    const ADOPT: bool = false;
    const HAND_OVER: bool = true;
}

/// Plain `Copy` data (no heap, nothing to drop), allocated straight in the context.
pub struct Plain<T>(PhantomData<T>);

impl<T: PartialState + Copy + 'static> Storage for Plain<T> {
    type State = T;
    fn alloc(ctx: pg_sys::MemoryContext, v: T) -> pg_sys::Datum {
        const {
            // palloc'd memory is MAXALIGNed (8 bytes).
            assert!(std::mem::align_of::<T>() <= 8);
        }
        // SAFETY: `ctx` is a live memory context; MemoryContextAlloc returns size_of::<T>()
        // bytes aligned for T (or raises an error), initialised before use.
        unsafe {
            let p = pg_sys::MemoryContextAlloc(ctx, std::mem::size_of::<T>()) as *mut T;
            p.write(v);
            pg_sys::Datum::from(p)
        }
    }
    unsafe fn get<'a>(d: pg_sys::Datum) -> Option<&'a mut T> {
        // SAFETY: guaranteed by the caller.
        Some(unsafe { &mut *d.cast_mut_ptr::<T>() })
    }
    unsafe fn take(d: pg_sys::Datum) -> Option<T> {
        // SAFETY: guaranteed by the caller.
        Some(unsafe { *d.cast_mut_ptr::<T>() })
    }
    /// A parallel leader merges 700 000 of its 1.2 million received states into others:
    /// freeing each lets the next deserialized state take its chunk (lifecycle_stage's
    /// leader: one chunk per group instead of one per received state).
    unsafe fn release(d: pg_sys::Datum) {
        // SAFETY: guaranteed by the caller: `d` came from `alloc` (one palloc, nothing
        // else points into it) and is not used again.
        unsafe { pg_sys::pfree(d.cast_mut_ptr::<std::ffi::c_void>()) }
    }
    const ADOPT: bool = true;
}

/// A group's state as a transition function sees it: absent until the body creates it.
pub struct Slot<'fc, S: Storage> {
    datum: Option<pg_sys::Datum>,
    frame: Frame<'fc>,
    caller: &'static str,
    _s: PhantomData<S>,
}

impl<'fc, S: Storage> Slot<'fc, S> {
    /// The group's state, if a previous row created it.
    #[inline]
    pub fn get(&mut self) -> Option<&mut S::State> {
        // SAFETY: the datum came from this aggregate's own functions (the declaration pairs
        // them), so it was made by `S::alloc` in the aggregate context.
        self.datum.and_then(|d| unsafe { S::get(d) })
    }

    /// The group's state, created with `init` on its first row.
    #[inline]
    pub fn get_or_init(&mut self, init: impl FnOnce() -> S::State) -> &mut S::State {
        if self.datum.is_none() {
            let ctx = aggregate_context(self.frame, self.caller);
            self.datum = Some(S::alloc(ctx, init()));
        }
        self.get().expect("state was just created")
    }

    /// The aggregate's call frame (caches, interrupts).
    pub fn call(&self) -> Call<'fc> {
        self.frame.call()
    }

    /// Whether transition argument `i` (1 = the aggregate's first argument) is the same for
    /// every row of this call: a constant (what the planner folds `funnel_definition(...)`
    /// with constant arguments into) or an external parameter. Read from the `Aggref`
    /// (the transition function's own expression holds placeholders).
    pub fn arg_is_stable(&self, i: usize) -> bool {
        // SAFETY: the frame is live and called by an Agg node; AggGetAggref returns its
        // Aggref (or NULL), whose args are a List of TargetEntry nodes.
        unsafe {
            let aggref = pg_sys::AggGetAggref(self.frame.fcinfo);
            if aggref.is_null() || i == 0 {
                return false;
            }
            let args = (*aggref).args;
            if args.is_null() || (*args).length < i as i32 {
                return false;
            }
            let te = (*(*args).elements.add(i - 1)).ptr_value as *mut pg_sys::TargetEntry;
            let expr = (*te).expr as *mut pg_sys::Node;
            if expr.is_null() {
                return false;
            }
            match (*expr).type_ {
                pg_sys::NodeTag::T_Const => true,
                pg_sys::NodeTag::T_Param => {
                    (*(expr as *mut pg_sys::Param)).paramkind == pg_sys::ParamKind::PARAM_EXTERN
                }
                _ => false,
            }
        }
    }
}

/// Runs a transition body on the state in argument 0; returns the (possibly new) state.
///
/// # Safety
/// Argument 0 is NULL or an `internal` state made by storage `S` of this aggregate.
pub unsafe fn transition<'fc, S: Storage, A, F: FnOnce(&mut Slot<'fc, S>, &A)>(
    frame: Frame<'fc>,
    caller: &'static str,
    args: &A,
    body: F,
) -> pg_sys::Datum {
    let mut slot = Slot {
        datum: frame.raw(0),
        frame,
        caller,
        _s: PhantomData,
    };
    body(&mut slot, args);
    match slot.datum {
        Some(d) => d,
        None => frame.null(),
    }
}

/// Runs a final body on the state in argument 0 (`None` for a group without a state).
///
/// # Safety
/// As for [`transition`].
pub unsafe fn finalize<'fc, S: Storage, R>(
    frame: Frame<'fc>,
    body: impl FnOnce(Option<&mut S::State>, &Call<'fc>) -> R,
) -> R {
    let datum = frame.raw(0);
    // SAFETY: guaranteed by the caller.
    if let Some(mut settled) = datum.and_then(|d| unsafe { S::resolve(d, true) }) {
        return body(Some(&mut settled), &frame.call());
    }
    // SAFETY: guaranteed by the caller.
    let state = datum.and_then(|d| unsafe { S::get(d) });
    body(state, &frame.call())
}

/// `combinefunc`: folds the state in argument 1 into the one in argument 0.
///
/// # Safety
/// Both arguments are NULL or states made by storage `S` of this aggregate.
pub unsafe fn combine<S: Storage>(frame: Frame<'_>, caller: &'static str) -> pg_sys::Datum {
    // SAFETY: guaranteed by the caller.
    if let Some(d) = unsafe { S::combine_pooled(frame.raw(0), frame.raw(1)) } {
        return d;
    }
    // A pooled group (never seen by combine in PostgreSQL's plans, which combine
    // deserialized states) becomes a state of its own first.
    let own = |d: Option<pg_sys::Datum>| {
        // SAFETY: guaranteed by the caller.
        d.map(|d| match unsafe { S::resolve(d, false) } {
            Some(t) => S::alloc(aggregate_context(frame, caller), t),
            None => d,
        })
    };
    match (own(frame.raw(0)), own(frame.raw(1))) {
        (None, None) => frame.null(),
        (Some(mine), None) => mine,
        (None, Some(theirs)) => {
            if S::ADOPT {
                theirs
            } else {
                // SAFETY: guaranteed by the caller; PostgreSQL does not read the second
                // state again, so it is moved into a state of the aggregate context.
                let taken = unsafe { S::take(theirs) };
                // SAFETY: as above.
                unsafe { S::release(theirs) };
                match taken {
                    Some(t) => S::alloc(aggregate_context(frame, caller), t),
                    None => frame.null(),
                }
            }
        }
        (Some(mine), Some(theirs)) => {
            // SAFETY: guaranteed by the caller.
            unsafe {
                let taken = S::take(theirs);
                S::release(theirs);
                if let Some(t) = taken {
                    match S::get(mine) {
                        Some(m) => m
                            .merge_interruptible(t, &mut super::check_interrupts)
                            .or_raise(),
                        None => return S::alloc(aggregate_context(frame, caller), t),
                    }
                }
            }
            mine
        }
    }
}

/// The largest `bytea` PostgreSQL can hold (MaxAllocSize less the header).
const MAX_BYTEA: usize = 0x3fff_ffff - pg_sys::VARHDRSZ;

/// `serialfunc`: the state in argument 0 as `bytea` (STRICT).
///
/// # Safety
/// As for [`transition`].
pub unsafe fn serialize<S: Storage>(frame: Frame<'_>, caller: &'static str) -> pg_sys::Datum {
    let datum = frame.raw(0);
    if let Some(d) = datum.filter(|_| S::HAND_OVER) {
        // SAFETY: guaranteed by the caller.
        if let Some(token) = unsafe { hand_over::<S>(frame, d) } {
            return token;
        }
    }
    // SAFETY: guaranteed by the caller.
    if let Some(token) = datum.and_then(|d| unsafe { S::hand_over_group(frame, d) }) {
        return token;
    }
    // SAFETY: guaranteed by the caller.
    let bytes = match datum.and_then(|d| unsafe { S::encode_pooled(d) }) {
        Some(bytes) => bytes,
        // SAFETY: guaranteed by the caller.
        None => match datum.and_then(|d| unsafe { S::get(d) }) {
            Some(s) => {
                s.prepare_to_send(&mut super::check_interrupts);
                s.encode()
            }
            None => Vec::new(),
        },
    };
    if bytes.len() > MAX_BYTEA {
        errors::raise_code(
            PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
            &format!(
                "{caller}: a partial state of {} MB is too large to pass between parallel workers \
                 (the limit is 1 GB); run this query without parallelism \
                 (SET max_parallel_workers_per_gather = 0)",
                bytes.len() >> 20
            ),
        );
    }
    bytea_datum(&bytes)
}

/// `bytes` as a `bytea` in the current memory context.
fn bytea_datum(bytes: &[u8]) -> pg_sys::Datum {
    let len = bytes.len() + pg_sys::VARHDRSZ;
    // SAFETY: palloc returns `len` writable bytes (or raises an error); the header is set for
    // exactly that length and the payload copied after it.
    unsafe {
        let p = pg_sys::palloc(len) as *mut pg_sys::varlena;
        pgrx::varlena::set_varsize_4b(p, len as i32);
        std::ptr::copy_nonoverlapping(
            bytes.as_ptr(),
            pgrx::varlena::vardata_4b(p) as *mut u8,
            bytes.len(),
        );
        pg_sys::Datum::from(p)
    }
}

/// `deserialfunc`: a state from the `bytea` in argument 0 (STRICT), allocated in the
/// aggregate context.
///
/// # Safety
/// Argument 0 is a `bytea`.
pub unsafe fn deserialize<S: Storage>(frame: Frame<'_>, caller: &'static str) -> pg_sys::Datum {
    // SAFETY: guaranteed by the caller.
    let Some(bytes) = (unsafe { frame.call().bytea(0) }) else {
        return frame.null();
    };
    if bytes.is_empty() {
        return frame.null();
    }
    if let Some(d) = S::take_handed_group(frame, caller, bytes) {
        return d;
    }
    if S::HAND_OVER {
        if let Some(state) = handed_over::<S::State>(bytes, caller) {
            return S::alloc(aggregate_context(frame, caller), state);
        }
    }
    S::deserialize_bytes(frame, caller, bytes)
}

// ---------------------------------------------------------------------------------------
// Partial states handed over within the process
// ---------------------------------------------------------------------------------------

/// The part of a parallel plan that the leader aggregates itself is serialized by its own
/// Partial Aggregate and deserialized by its own Finalize Aggregate, in the same process:
/// for a large state (a one-shot funnel's rows: a third of the table) encoding, copying
/// and decoding it is pure cost. [`serialize`] then keeps the state here and returns a
/// token ([`HAND_OVER_MAGIC`], the process id, an id), and [`deserialize`] takes it back.
///
/// Only where nothing else can happen to the token: a plain (ungrouped) Partial Aggregate
/// in a process that is not a parallel worker (so its output goes to its own Finalize
/// Aggregate, which reads each row once: a rescan runs the partial aggregate again), with
/// no transition state shared by two aggregates (each is serialized once). What was kept
/// and not taken back (an error, a LIMIT above) is dropped when the transaction ends.
struct HandOvers {
    states: Vec<(u64, Box<dyn std::any::Any>)>,
    /// Lanes of pooled groups handed over ([`Pooled::hand_over_group`]).
    lanes: Vec<HandedLane>,
    next: u64,
    hooked: bool,
}

/// The lane of a leader's own grouped Partial Aggregate, taken out of the lane registry at
/// its first group's serialization (so that no reset of the partial aggregate's memory,
/// e.g. for its next batch after a spill, drops it) and kept until the query's executor
/// state goes (a reset callback on its memory), or the transaction ends. The first token
/// taken copies every row of the lane into the finalize's lane in one pass
/// ([`UserPool::copy_all`]) and each token becomes a handle into it. The finalize's memory
/// may be reset between its groups (a sorted aggregate) or batches (a spilled hash
/// aggregate, which also deserializes a token again when it reads the token back from
/// disk, so a token may be taken more than once, and only the last copy is combined): once
/// the lane joined is gone, each token's group is copied on its own into the finalize's
/// lane of the moment ([`UserPool::copy_group`]).
struct HandedLane {
    id: u64,
    /// The `Lane<T::Meta>` (the token's aggregate takes it back only as its own type).
    lane: Box<dyn std::any::Any>,
    joined: Joined,
}

/// Where a [`HandedLane`]'s groups go.
#[derive(Clone, Copy)]
enum Joined {
    /// No token taken yet.
    NotYet,
    /// Its rows were copied into the finalize's lane in registry slot `slot` (while that
    /// slot holds the lane of serial `serial`), group `g` becoming `base + g`.
    Into { slot: usize, serial: u64, base: u32 },
    /// That lane is gone (or there was none): each group is copied on its own.
    PerGroup,
}

/// Registers `func(arg)` to run when the live memory context `ctx` is reset or deleted.
fn on_reset(
    ctx: pg_sys::MemoryContext,
    func: unsafe extern "C-unwind" fn(*mut std::ffi::c_void),
    arg: usize,
) {
    // SAFETY: `ctx` is live (the caller's); the callback is allocated in it, so it lives
    // until the reset or deletion that runs it.
    unsafe {
        let cb =
            pg_sys::MemoryContextAlloc(ctx, std::mem::size_of::<pg_sys::MemoryContextCallback>())
                as *mut pg_sys::MemoryContextCallback;
        cb.write(pg_sys::MemoryContextCallback {
            func: Some(func),
            arg: arg as *mut std::ffi::c_void,
            next: std::ptr::null_mut(),
        });
        pg_sys::MemoryContextRegisterResetCallback(ctx, cb);
    }
}

/// Reset callback of a query's executor memory: drops the lane handed over as `arg`.
unsafe extern "C-unwind" fn drop_handed_lane(arg: *mut std::ffi::c_void) {
    let lanes = &mut hand_overs().lanes;
    if let Some(at) = lanes.iter().position(|l| l.id == arg as u64) {
        drop(lanes.swap_remove(at));
    }
}

/// See [`HandOvers`]; touched only by the backend's single thread, inside function calls
/// PostgreSQL made on it (like [`REGISTRY`]).
struct HandOverCell(std::cell::UnsafeCell<HandOvers>);
// SAFETY: single-threaded (see above).
unsafe impl Sync for HandOverCell {}
static HAND_OVERS: HandOverCell = HandOverCell(std::cell::UnsafeCell::new(HandOvers {
    states: Vec::new(),
    lanes: Vec::new(),
    next: 0,
    hooked: false,
}));

fn hand_overs() -> &'static mut HandOvers {
    // SAFETY: single-threaded; no caller keeps the reference across another access (the
    // transaction callback runs from PostgreSQL's transaction code, never inside these
    // functions).
    unsafe { &mut *HAND_OVERS.0.get() }
}

/// The first bytes of a token (a first byte no encoded state starts with).
const HAND_OVER_MAGIC: [u8; 8] = *b"\xffpgopsHO";
const HAND_OVER_LEN: usize = 24;
/// The first bytes of a pooled group's token ([`Pooled::hand_over_group`]).
const LANE_HAND_OVER_MAGIC: [u8; 8] = *b"\xffpgopsHL";

/// Drops the states still kept when the transaction ends.
unsafe extern "C-unwind" fn drop_hand_overs(
    event: pg_sys::XactEvent::Type,
    _arg: *mut std::ffi::c_void,
) {
    use pg_sys::XactEvent::*;
    if matches!(
        event,
        XACT_EVENT_COMMIT
            | XACT_EVENT_ABORT
            | XACT_EVENT_PREPARE
            | XACT_EVENT_PARALLEL_COMMIT
            | XACT_EVENT_PARALLEL_ABORT
    ) {
        let h = hand_overs();
        let kept = (std::mem::take(&mut h.states), std::mem::take(&mut h.lanes));
        drop(kept);
    }
}

/// `serialize` of a state that may stay in this process: keeps it and returns its token.
///
/// # Safety
/// As for [`serialize`].
unsafe fn hand_over<S: Storage>(frame: Frame<'_>, d: pg_sys::Datum) -> Option<pg_sys::Datum> {
    // SAFETY: guaranteed by the caller.
    if !serializing_for_itself(frame, pg_sys::AggStrategy::AGG_PLAIN)
        || !unsafe { S::get(d) }.is_some_and(|s| s.hand_over_in_process())
    {
        return None;
    }
    // SAFETY: guaranteed by the caller; a plain Partial Aggregate does not read a state it
    // has serialized again (one aggregate per transition state, checked above).
    let state = unsafe { S::take(d) }?;
    let h = hand_overs_hooked();
    h.next += 1;
    let id = h.next;
    h.states.push((id, Box::new(state)));
    Some(token(HAND_OVER_MAGIC, 0, id))
}

/// Whether the running serial function serializes for the Finalize Aggregate of this same
/// process: a Partial Aggregate of `strategy` in a process that is not a parallel worker,
/// with no transition state shared by two aggregates (each is serialized once).
fn serializing_for_itself(frame: Frame<'_>, strategy: pg_sys::AggStrategy::Type) -> bool {
    // SAFETY: `agg_state` gives the calling AggState, alive during the call.
    frame.agg_state().is_some_and(|agg| unsafe {
        let agg = &*agg;
        agg.aggsplit & pg_sys::AGGSPLITOP_SERIALIZE != 0
            && agg.aggstrategy == strategy
            && agg.numaggs == agg.numtrans
            && pg_sys::ParallelWorkerNumber < 0
    })
}

/// The hand-over registry, with its end-of-transaction callback registered.
fn hand_overs_hooked() -> &'static mut HandOvers {
    let h = hand_overs();
    if !h.hooked {
        // SAFETY: registers a plain function, once per backend.
        unsafe { pg_sys::RegisterXactCallback(Some(drop_hand_overs), std::ptr::null_mut()) };
        h.hooked = true;
    }
    h
}

/// A token: `magic`, this process's id, `group` and `id`, as a `bytea`.
fn token(magic: [u8; 8], group: u32, id: u64) -> pg_sys::Datum {
    let mut token = [0u8; HAND_OVER_LEN];
    token[..8].copy_from_slice(&magic);
    // SAFETY: reads the backend's process id.
    token[8..12].copy_from_slice(&unsafe { pg_sys::MyProcPid }.to_le_bytes());
    token[12..16].copy_from_slice(&group.to_le_bytes());
    token[16..].copy_from_slice(&id.to_le_bytes());
    bytea_datum(&token)
}

/// A token's (group, id) when `bytes` is a token of `magic` made by this process; `None`
/// when it is no token of `magic`. A token of another process (never made by PostgreSQL's
/// plans, which hand over only within a process) is an error.
fn read_token(bytes: &[u8], magic: [u8; 8], caller: &str) -> Option<(u32, u64)> {
    if bytes.len() != HAND_OVER_LEN || bytes[..8] != magic {
        return None;
    }
    let pid = i32::from_le_bytes(bytes[8..12].try_into().unwrap());
    // SAFETY: reads the backend's process id.
    if pid != unsafe { pg_sys::MyProcPid } {
        not_available(caller, pid);
    }
    Some((
        u32::from_le_bytes(bytes[12..16].try_into().unwrap()),
        u64::from_le_bytes(bytes[16..].try_into().unwrap()),
    ))
}

fn not_available(caller: &str, pid: i32) -> ! {
    errors::raise_code(
        PgSqlErrorCode::ERRCODE_DATA_CORRUPTED,
        &format!(
            "{caller}: a partial state handed over within process {pid} is not available here"
        ),
    )
}

/// The state behind a token of [`hand_over`], taken back; `None` for the bytes of an
/// encoded state. A token this process does not hold (never made by PostgreSQL's plans)
/// is an error.
pub(crate) fn handed_over<T: 'static>(bytes: &[u8], caller: &str) -> Option<T> {
    let (_, id) = read_token(bytes, HAND_OVER_MAGIC, caller)?;
    let h = hand_overs();
    let at = h.states.iter().position(|(i, _)| *i == id);
    match at.map(|at| h.states.swap_remove(at).1.downcast::<T>()) {
        Some(Ok(state)) => Some(*state),
        // SAFETY: reads the backend's process id.
        _ => not_available(caller, unsafe { pg_sys::MyProcPid }),
    }
}

// ---------------------------------------------------------------------------------------
// Pooled per-user funnel states
// ---------------------------------------------------------------------------------------

/// A per-user funnel state that a group may keep in a [`UserPool`] instead of a state of its
/// own (see [`Pooled`]).
pub trait PoolMember: PartialState + 'static {
    /// What the pool's groups share besides the spec (the definition, the conds length).
    type Meta: Clone + 'static;
    /// The group's state from its rows (or its settled level), the lane's meta and what the
    /// rows of the lane's groups matched ([`UserPool::matched`]).
    fn from_pool(meta: &Self::Meta, inner: UserFunnel, matched: (u64, u32)) -> Self;
    /// Whether a state of meta `b` may join a lane of meta `a` (the specs being equal).
    fn meta_fits(a: &Self::Meta, b: &Self::Meta) -> bool;
    /// The meta the groups of a lane of `meta` have once sent (as [`PoolMember::split_encoded`]
    /// reads it from their bytes).
    fn sent_meta(meta: &Self::Meta) -> Self::Meta;
    /// An encoded state's meta and the encoding of its [`UserFunnel`].
    fn split_encoded(bytes: &[u8]) -> pg_operations_core::OpsResult<(Self::Meta, &[u8])>;
    /// What `encode` gives for the state `from_pool(meta, rows of group id)`, written
    /// straight from the pool (`UserPool::write_group`).
    fn encode_pooled(meta: &Self::Meta, pool: &mut UserPool, id: u32) -> Vec<u8>;
}

/// The rows of every pooled group of one call site, one memory context and one spec.
pub struct Lane<M> {
    pub pool: UserPool,
    pub meta: M,
    /// The encoded spec of a lane of received partial states (empty otherwise).
    spec_key: Vec<u8>,
}

impl<M> Lane<M> {
    pub fn new(pool: UserPool, meta: M) -> Lane<M> {
        Lane {
            pool,
            meta,
            spec_key: Vec::new(),
        }
    }
}

/// A state of type `T` either in a [`Boxed`] cell of its own or, for groups of a plain
/// aggregate (not a window), as a handle into a [`Lane`]: the `internal` datum is then
/// `1 | slot << 1 | id << 17` (a pointer is 8-aligned, so bit 0 tells them apart), where
/// `slot` indexes this backend's lane registry and `id` is the group in the lane's pool.
/// A row of a pooled group is an append to the lane's flat buffer: no per-group state is
/// touched, so under `GROUP BY user_id` on a table in time order the only random memory
/// access per row is the hash table's own. The lane is dropped with the memory context that
/// would have held the groups' states (a reset callback), like a [`Boxed`] state.
pub struct Pooled<T>(PhantomData<T>);

/// Registry slots (lanes alive at once in a backend); a group that finds none free keeps a
/// state of its own.
const LANE_SLOTS: usize = 4096;

struct LaneEntry {
    /// The `Lane`; null once handed over ([`Pooled::hand_over_group`]: the slot then stays
    /// taken, so that the reset callback of its context finds nothing to drop, until that
    /// reset).
    lane: *mut std::ffi::c_void,
    drop: unsafe fn(*mut std::ffi::c_void),
    ctx: pg_sys::MemoryContext,
    site: *const pg_sys::FmgrInfo,
    kind: std::any::TypeId,
    /// Unique in the backend's life: tells a lane from a later one in the same slot.
    serial: u64,
    /// The hand-over of the lane (0: not handed over).
    handed: u64,
}

struct Registry {
    slots: Vec<Option<LaneEntry>>,
    live: Vec<u16>,
    serials: u64,
}

/// The backend's lanes. PostgreSQL runs one thread per backend, and every access happens
/// inside a function call PostgreSQL made on that thread.
struct RegistryCell(std::cell::UnsafeCell<Registry>);
// SAFETY: only ever touched by the backend's single thread (see above).
unsafe impl Sync for RegistryCell {}

static REGISTRY: RegistryCell = RegistryCell(std::cell::UnsafeCell::new(Registry {
    slots: Vec::new(),
    live: Vec::new(),
    serials: 0,
}));

fn registry() -> &'static mut Registry {
    // SAFETY: single-threaded (see RegistryCell); no caller keeps this reference across a
    // call that could reach the registry again (the reset callback runs from PostgreSQL's
    // memory-context code, never from inside these functions' use of the reference).
    unsafe { &mut *REGISTRY.0.get() }
}

unsafe fn drop_lane<M: 'static>(p: *mut std::ffi::c_void) {
    // SAFETY: `p` came from Box::into_raw of a Lane<M> (see `Pooled::start`).
    drop(unsafe { Box::from_raw(p as *mut Lane<M>) });
}

/// Reset callback of a lane's memory context: drops the lane and frees its slot.
unsafe extern "C-unwind" fn release_lane(arg: *mut std::ffi::c_void) {
    let slot = arg as usize;
    let reg = registry();
    if let Some(entry) = reg.slots.get_mut(slot).and_then(Option::take) {
        reg.live.retain(|&s| s as usize != slot);
        if !entry.lane.is_null() {
            // SAFETY: the entry's lane pointer and drop function were registered together.
            unsafe { (entry.drop)(entry.lane) };
        }
    }
}

#[inline]
fn handle_parts(d: pg_sys::Datum) -> Option<(usize, u32)> {
    let v = d.value();
    (v & 1 == 1).then_some((((v >> 1) & 0xffff), (v >> 17) as u32))
}

impl<T: PoolMember> Pooled<T> {
    /// The lane behind a handle's slot.
    ///
    /// # Safety
    /// The slot came from a handle of this aggregate (so it holds a `Lane<T::Meta>`) whose
    /// memory context is alive.
    #[inline]
    unsafe fn lane_at<'a>(slot: usize) -> Option<&'a mut Lane<T::Meta>> {
        let entry = registry().slots.get(slot)?.as_ref()?;
        if entry.lane.is_null() {
            return None;
        }
        // SAFETY: guaranteed by the caller.
        Some(unsafe { &mut *(entry.lane as *mut Lane<T::Meta>) })
    }
}

impl<T: PoolMember> Pooled<T> {
    /// The registry slot of the lane of this call site (the running function's FmgrInfo)
    /// and memory context for which `fits` holds, made by `make` when there is none and
    /// `allowed` says so. `None` outside a plain aggregate (a window function), or when every
    /// slot is taken.
    fn find_lane(
        frame: Frame<'_>,
        caller: &'static str,
        fits: impl Fn(&Lane<T::Meta>) -> bool,
        allowed: impl FnOnce() -> bool,
        make: impl FnOnce() -> Option<Lane<T::Meta>>,
    ) -> Option<usize> {
        frame.agg_state()?;
        // SAFETY: the frame is live.
        let site = unsafe { (*frame.fcinfo).flinfo as *const pg_sys::FmgrInfo };
        let ctx = aggregate_context(frame, caller);
        let kind = std::any::TypeId::of::<T>();
        let reg = registry();
        for &s in &reg.live {
            let Some(e) = reg.slots[s as usize].as_ref() else {
                continue;
            };
            // SAFETY: an entry of this kind holds a Lane<T::Meta> (or none: null).
            if e.ctx == ctx
                && e.site == site
                && e.kind == kind
                && !e.lane.is_null()
                && fits(unsafe { &*(e.lane as *const Lane<T::Meta>) })
            {
                return Some(s as usize);
            }
        }
        if !allowed() {
            return None;
        }
        let made = make()?;
        let s = match reg.slots.iter().position(Option::is_none) {
            Some(s) => s,
            None if reg.slots.len() < LANE_SLOTS => {
                reg.slots.push(None);
                reg.slots.len() - 1
            }
            None => return None,
        };
        let lane = Box::into_raw(Box::new(made)) as *mut std::ffi::c_void;
        reg.serials += 1;
        reg.slots[s] = Some(LaneEntry {
            serial: reg.serials,
            lane,
            drop: drop_lane::<T::Meta>,
            ctx,
            site,
            kind,
            handed: 0,
        });
        reg.live.push(s as u16);
        on_reset(ctx, release_lane, s);
        Some(s)
    }

    /// The registry slot of the lane of received states of this call site (a Finalize
    /// Aggregate's) for the spec encoded as `spec_key` and `meta`, made (with `spec()`) when
    /// there is none; `None` when every slot is taken.
    fn receiving_lane(
        frame: Frame<'_>,
        caller: &'static str,
        spec_key: &[u8],
        meta: &T::Meta,
        spec: impl FnOnce() -> Arc<pg_operations_core::funnel::FunnelSpec>,
    ) -> Option<usize> {
        Self::find_lane(
            frame,
            caller,
            |lane| lane.spec_key == spec_key && T::meta_fits(&lane.meta, meta),
            || true,
            || {
                Some(Lane {
                    pool: UserPool::new(spec())?,
                    meta: meta.clone(),
                    spec_key: spec_key.to_vec(),
                })
            },
        )
    }

    /// The handle of group `id` of the lane in `slot`.
    fn handle(slot: usize, id: u32) -> pg_sys::Datum {
        pg_sys::Datum::from(1usize | (slot << 1) | ((id as usize) << 17))
    }
}

impl<T: PoolMember> Storage for Pooled<T> {
    type State = T;
    fn alloc(ctx: pg_sys::MemoryContext, v: T) -> pg_sys::Datum {
        Boxed::<T>::alloc(ctx, v)
    }
    unsafe fn get<'a>(d: pg_sys::Datum) -> Option<&'a mut T> {
        if handle_parts(d).is_some() {
            return None;
        }
        // SAFETY: guaranteed by the caller.
        unsafe { Boxed::<T>::get(d) }
    }
    unsafe fn take(d: pg_sys::Datum) -> Option<T> {
        if handle_parts(d).is_some() {
            return None;
        }
        // SAFETY: guaranteed by the caller.
        unsafe { Boxed::<T>::take(d) }
    }
    unsafe fn release(d: pg_sys::Datum) {
        if handle_parts(d).is_none() {
            // SAFETY: guaranteed by the caller (a cell of its own, as in `take`).
            unsafe { Boxed::<T>::release(d) }
        }
    }
    unsafe fn resolve(d: pg_sys::Datum, settle: bool) -> Option<T> {
        let (slot, id) = handle_parts(d)?;
        // SAFETY: guaranteed by the caller (a handle of this aggregate, context alive).
        let lane = unsafe { Self::lane_at(slot) }?;
        let inner = if settle {
            // A lane of received partial states is a parallel leader's final step: the
            // cores its workers scanned on are free, so the groups are evaluated on them.
            let threads = if lane.spec_key.is_empty() {
                pg_operations_core::threads::Threads::SERIAL
            } else {
                super::threads()
            };
            let level = lane
                .pool
                .level_on(id, threads, &mut super::check_interrupts);
            UserFunnel::settled(lane.pool.spec().clone(), level)
        } else {
            lane.pool.take(id, &mut super::check_interrupts)
        };
        Some(T::from_pool(&lane.meta, inner, lane.pool.matched()))
    }
    unsafe fn encode_pooled(d: pg_sys::Datum) -> Option<Vec<u8>> {
        let (slot, id) = handle_parts(d)?;
        // SAFETY: guaranteed by the caller (a handle of this aggregate, context alive).
        let lane = unsafe { Self::lane_at(slot) }?;
        Some(T::encode_pooled(&lane.meta, &mut lane.pool, id))
    }
    /// A partial state received from a parallel worker joins the lane of this call site
    /// (the leader's final aggregate) straight from its bytes (no state is built), so
    /// combining is a union in the pool and the final calls evaluate every group in one
    /// pass. A state with a held key or a property is decoded into a state of its own.
    fn deserialize_bytes(frame: Frame<'_>, caller: &'static str, bytes: &[u8]) -> pg_sys::Datum {
        let own = || {
            Boxed::<T>::alloc(
                aggregate_context(frame, caller),
                T::decode(bytes).or_raise(),
            )
        };
        let (meta, inner) = T::split_encoded(bytes).or_raise();
        // Most states join a lane made for an earlier one: the spec compared as bytes, only
        // the rows read.
        let known_rows = std::cell::Cell::new(None);
        let known = Self::find_lane(
            frame,
            caller,
            |lane| match UserFunnel::plain_rows_of(inner, &lane.spec_key) {
                Ok(Some(rows)) if T::meta_fits(&lane.meta, &meta) => {
                    known_rows.set(Some(rows));
                    true
                }
                _ => false,
            },
            || false,
            || None,
        );
        let (slot, rows) = match (known, known_rows.take()) {
            (Some(slot), Some(rows)) => (Some(slot), rows),
            _ => {
                let Some(parts) = UserFunnel::plain_parts(inner).or_raise() else {
                    return own();
                };
                let PlainParts {
                    spec,
                    spec_bytes,
                    rows,
                } = parts;
                let slot =
                    Self::receiving_lane(frame, caller, spec_bytes, &meta, || Arc::new(spec));
                (slot, rows)
            }
        };
        // SAFETY: the slot holds a lane of this kind.
        let Some((slot, lane)) = slot.and_then(|s| unsafe { Self::lane_at(s) }.map(|l| (s, l)))
        else {
            return own();
        };
        let Some(id) = lane.pool.group() else {
            return own();
        };
        rows.for_each_row(|ts, mask, excl| lane.pool.push(id, ts, mask, excl))
            .or_raise();
        Self::handle(slot, id)
    }
    /// A parallel leader's own grouped Partial Aggregate (a hash aggregate: every row has
    /// reached its group before the first group is serialized, and a later batch of a
    /// spilled one starts new groups in a new lane) sends its groups to the Finalize
    /// Aggregate of the same process. Instead of each group's rows encoded, copied and
    /// decoded again, the first group's serialization takes the lane out of the registry
    /// and keeps it with the hand-over states; each group is sent as a token (lane, group);
    /// the finalize's first token copies the lane's rows into the finalize's lane in one
    /// pass ([`Pooled::take_handed_group`]).
    unsafe fn hand_over_group(frame: Frame<'_>, d: pg_sys::Datum) -> Option<pg_sys::Datum> {
        let (slot, id) = handle_parts(d)?;
        if !serializing_for_itself(frame, pg_sys::AggStrategy::AGG_HASHED) {
            return None;
        }
        let entry = registry().slots.get_mut(slot)?.as_mut()?;
        if entry.kind != std::any::TypeId::of::<T>() {
            return None;
        }
        if entry.handed == 0 {
            if entry.lane.is_null() {
                return None;
            }
            let agg = frame.agg_state()?;
            // SAFETY: the calling AggState's executor state's query memory lives until the
            // executor ends (also on error).
            let query_cxt = unsafe {
                let estate = (*agg).ss.ps.state;
                if estate.is_null() {
                    return None;
                }
                (*estate).es_query_cxt
            };
            // SAFETY: a non-null lane of this kind is a Box<Lane<T::Meta>> (see `find_lane`);
            // the entry keeps no pointer to it from here on.
            let lane = unsafe { Box::from_raw(entry.lane as *mut Lane<T::Meta>) };
            entry.lane = std::ptr::null_mut();
            let h = hand_overs_hooked();
            h.next += 1;
            entry.handed = h.next;
            h.lanes.push(HandedLane {
                id: h.next,
                lane,
                joined: Joined::NotYet,
            });
            on_reset(query_cxt, drop_handed_lane, h.next as usize);
        }
        Some(token(LANE_HAND_OVER_MAGIC, id, entry.handed))
    }
    fn take_handed_group(
        frame: Frame<'_>,
        caller: &'static str,
        bytes: &[u8],
    ) -> Option<pg_sys::Datum> {
        let (id, handed) = read_token(bytes, LANE_HAND_OVER_MAGIC, caller)?;
        let found = hand_overs().lanes.iter_mut().find(|l| l.id == handed);
        let Some(hl) = found.filter(|hl| {
            hl.lane
                .downcast_ref::<Lane<T::Meta>>()
                .is_some_and(|own| id < own.pool.groups())
        }) else {
            // SAFETY: reads the backend's process id.
            not_available(caller, unsafe { pg_sys::MyProcPid })
        };
        if let Joined::Into { slot, serial, base } = hl.joined {
            let live = registry()
                .slots
                .get(slot)
                .and_then(Option::as_ref)
                .is_some_and(|e| e.serial == serial && !e.lane.is_null());
            if live {
                return Some(Self::handle(slot, base + id));
            }
            hl.joined = Joined::PerGroup;
        }
        let own = hl.lane.downcast_mut::<Lane<T::Meta>>()?;
        // The finalize's lane for this spec (the one received states join, or a new one).
        let meta = T::sent_meta(&own.meta);
        let slot = Self::receiving_lane(frame, caller, own.pool.spec_bytes(), &meta, || {
            own.pool.spec().clone()
        });
        if let Joined::NotYet = hl.joined {
            // SAFETY: the slot holds a lane of this kind (found or just made).
            let all = slot.and_then(|slot| {
                let lane = unsafe { Self::lane_at(slot) }?;
                let base = lane.pool.copy_all(&own.pool)?;
                let serial = registry().slots[slot].as_ref()?.serial;
                Some(Joined::Into { slot, serial, base })
            });
            hl.joined = all.unwrap_or(Joined::PerGroup);
            if let Joined::Into { slot, base, .. } = hl.joined {
                return Some(Self::handle(slot, base + id));
            }
        }
        // SAFETY: the slot holds a lane of this kind (found or just made).
        let target = slot.and_then(|s| {
            let lane = unsafe { Self::lane_at(s) }?;
            let g = lane.pool.group()?;
            Some((s, lane, g))
        });
        let datum = match target {
            Some((slot, lane, g)) => {
                own.pool
                    .copy_group(id, &mut lane.pool, g, &mut super::check_interrupts);
                Self::handle(slot, g)
            }
            // No lane (every registry slot taken): a state of its own.
            None => {
                let matched = own.pool.matched();
                let state = T::from_pool(
                    &own.meta,
                    own.pool.take(id, &mut super::check_interrupts),
                    matched,
                );
                Boxed::<T>::alloc(aggregate_context(frame, caller), state)
            }
        };
        Some(datum)
    }
    unsafe fn combine_pooled(
        mine: Option<pg_sys::Datum>,
        theirs: Option<pg_sys::Datum>,
    ) -> Option<pg_sys::Datum> {
        match (mine.and_then(handle_parts), theirs.and_then(handle_parts)) {
            (None, Some(_)) if mine.is_none() => theirs,
            (Some(_), None) if theirs.is_none() => mine,
            (Some((a, ia)), Some((b, ib))) if a == b => {
                // SAFETY: guaranteed by the caller.
                let lane = unsafe { Self::lane_at(a) }?;
                if !lane.pool.absorb(ia, ib) {
                    lane.pool.union(ia, ib);
                }
                mine
            }
            _ => None,
        }
    }
    const ADOPT: bool = false;
}

impl<'fc, T: PoolMember> Slot<'fc, Pooled<T>> {
    /// The group's lane and id when the group is pooled.
    #[inline]
    pub fn lane(&mut self) -> Option<(&mut Lane<T::Meta>, u32)> {
        let (slot, id) = handle_parts(self.datum?)?;
        // SAFETY: the datum came from this aggregate's own functions (see `get`).
        unsafe { Pooled::<T>::lane_at(slot) }.map(|l| (l, id))
    }

    /// Whether the group has no state yet (its first row).
    #[inline]
    pub fn is_new(&self) -> bool {
        self.datum.is_none()
    }

    /// Starts a new group in the lane of this call site and memory context for which
    /// `fits` holds (made by `make` when there is none; `make` may decline, and no lane is
    /// made unless every argument of `stable_args` is the same for every row of the call:
    /// the lane's groups then share what those arguments decide). `None` when the aggregate runs as
    /// a window function (a window's state is finalized while rows still come) or every
    /// registry slot is taken: the caller then keeps a state of its own.
    pub fn start_pooled(
        &mut self,
        stable_args: &[usize],
        fits: impl Fn(&Lane<T::Meta>) -> bool,
        make: impl FnOnce() -> Option<Lane<T::Meta>>,
    ) -> Option<(&mut Lane<T::Meta>, u32)> {
        debug_assert!(self.datum.is_none());
        let frame = self.frame;
        let slot = Pooled::<T>::find_lane(
            frame,
            self.caller,
            fits,
            || stable_args.iter().all(|&i| self.arg_is_stable(i)),
            make,
        )?;
        // SAFETY: the slot holds a lane of this kind (found or just made).
        let lane = unsafe { Pooled::<T>::lane_at(slot) }?;
        let id = lane.pool.group()?;
        self.datum = Some(Pooled::<T>::handle(slot, id));
        Some((lane, id))
    }
}
