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
use pg_operations_core::PartialState;
use pgrx::{pg_sys, PgSqlErrorCode};
use std::marker::PhantomData;

/// The memory context of the running aggregate; raises an error outside an aggregate.
fn aggregate_context(frame: Frame<'_>, caller: &str) -> pg_sys::MemoryContext {
    // SAFETY: `frame` is live; for a plain aggregate, `context` is its AggState, and
    // AggCheckCallContext returns the per-tuple memory of its current aggregate ExprContext
    // (reset with the group, or with the hash table). Read here directly: this runs once per
    // group, and a call into PostgreSQL costs a guarded FFI transition.
    // tests/py/test_memory.py checks that states are freed with their groups.
    unsafe {
        let node = (*frame.fcinfo).context;
        if !node.is_null() && (*node).type_ == pg_sys::NodeTag::T_AggState {
            let econtext = (*(node as *mut pg_sys::AggState)).curaggcontext;
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
    /// Whether combine may adopt a partial state as the group's state without moving it
    /// (true when states are only ever made in the aggregate context).
    const ADOPT: bool;
}

/// Any Rust state, kept as `Option<T>` (so combine can move it out) with a drop callback.
pub struct Boxed<T>(PhantomData<T>);

/// A [`Boxed`] state and the memory-context reset callback that drops it, allocated together.
#[repr(C)]
struct BoxedCell<T> {
    callback: pg_sys::MemoryContextCallback,
    value: Option<T>,
}

/// Drops a [`BoxedCell`]'s value in place (its memory belongs to the context being reset).
unsafe extern "C-unwind" fn drop_boxed_cell<T>(arg: *mut std::ffi::c_void) {
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
        // SAFETY: the allocation is large enough and aligned for BoxedCell<T> and fully
        // initialised before it is used; the callback only runs when `ctx` is reset or
        // deleted, after which PostgreSQL never reads the state again.
        unsafe {
            let cell = pg_sys::MemoryContextAlloc(ctx, std::mem::size_of::<BoxedCell<T>>())
                as *mut BoxedCell<T>;
            std::ptr::addr_of_mut!((*cell).value).write(Some(v));
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
    const ADOPT: bool = false;
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
    // SAFETY: guaranteed by the caller.
    let state = frame.raw(0).and_then(|d| unsafe { S::get(d) });
    body(state, &frame.call())
}

/// `combinefunc`: folds the state in argument 1 into the one in argument 0.
///
/// # Safety
/// Both arguments are NULL or states made by storage `S` of this aggregate.
pub unsafe fn combine<S: Storage>(frame: Frame<'_>, caller: &'static str) -> pg_sys::Datum {
    match (frame.raw(0), frame.raw(1)) {
        (None, None) => frame.null(),
        (Some(mine), None) => mine,
        (None, Some(theirs)) => {
            if S::ADOPT {
                theirs
            } else {
                // SAFETY: guaranteed by the caller; PostgreSQL does not read the second
                // state again, so it is moved into a state of the aggregate context.
                match unsafe { S::take(theirs) } {
                    Some(t) => S::alloc(aggregate_context(frame, caller), t),
                    None => frame.null(),
                }
            }
        }
        (Some(mine), Some(theirs)) => {
            // SAFETY: guaranteed by the caller.
            unsafe {
                if let Some(t) = S::take(theirs) {
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
    // SAFETY: guaranteed by the caller.
    let bytes = match frame.raw(0).and_then(|d| unsafe { S::get(d) }) {
        Some(s) => {
            s.prepare_to_send(&mut super::check_interrupts);
            s.encode()
        }
        None => Vec::new(),
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
    let state = S::State::decode(bytes).or_raise();
    S::alloc(aggregate_context(frame, caller), state)
}
