//! Glue for aggregates whose transition state is a Rust struct behind `internal`.
//!
//! The state is allocated in the aggregate's memory context (found with
//! `AggCheckCallContext`) and dropped when that context is reset or deleted, so a
//! `GROUP BY` with many groups frees each group's state with the group. Partial states
//! cross parallel workers as `bytea` through each state's own binary codec.
//!
//! Every `fcinfo` parameter here is the live call frame pgrx passes to a `#[pg_extern]`.

#![allow(clippy::not_unsafe_ptr_arg_deref)]

use crate::errors::OrRaise;
use pg_operations_core::OpsResult;
use pgrx::prelude::*;
use pgrx::{pg_sys, Internal, PgMemoryContexts};

/// What every `internal` aggregate state provides so the shared glue below can combine,
/// serialize and deserialize it.
pub trait AggState: Sized + 'static {
    /// Folds `other` (a partial state of the same aggregate) into `self`.
    fn merge(&mut self, other: Self);
    fn serialize(&self) -> Vec<u8>;
    fn deserialize(bytes: &[u8]) -> OpsResult<Self>;
}

/// What a core state's `merge` returns: nothing, or an error to raise (e.g. partial states
/// with different `as_of`).
pub trait MergeOutcome {
    fn finish(self);
}

impl MergeOutcome for () {
    fn finish(self) {}
}

impl MergeOutcome for OpsResult<()> {
    fn finish(self) {
        self.or_raise()
    }
}

/// Implements [`AggState`] for a core state whose inherent `merge`, `serialize` and
/// `deserialize` already have the right shape: `core_agg_state!(QuantileState);`, or with
/// generics `core_agg_state!(impl[K: UserKey + 'static] PopulationFunnel<K>);`.
#[macro_export]
macro_rules! core_agg_state {
    ($ty:ty) => {
        $crate::core_agg_state!(impl[] $ty);
    };
    (impl[$($gen:tt)*] $ty:ty) => {
        impl<$($gen)*> $crate::agg::AggState for $ty {
            fn merge(&mut self, other: Self) {
                $crate::agg::MergeOutcome::finish(<$ty>::merge(self, other))
            }
            fn serialize(&self) -> Vec<u8> {
                <$ty>::serialize(self)
            }
            fn deserialize(bytes: &[u8]) -> pg_operations_core::OpsResult<Self> {
                <$ty>::deserialize(bytes)
            }
        }
    };
}

/// The memory context of the running aggregate; raises an error outside an aggregate.
pub fn aggregate_context(fcinfo: pg_sys::FunctionCallInfo, caller: &str) -> pg_sys::MemoryContext {
    // SAFETY: `fcinfo` is the live call frame; for a plain aggregate, `context` is its
    // AggState, and AggCheckCallContext returns the per-tuple memory of its current
    // aggregate ExprContext (reset with the group, or with the hash table). Read here
    // directly: this runs once per group, and a call into PostgreSQL costs a guarded FFI
    // transition. tests/py/test_memory.py checks that states are freed with their groups.
    unsafe {
        let node = (*fcinfo).context;
        if !node.is_null() && (*node).type_ == pg_sys::NodeTag::T_AggState {
            let econtext = (*(node as *mut pg_sys::AggState)).curaggcontext;
            if !econtext.is_null() && !(*econtext).ecxt_per_tuple_memory.is_null() {
                return (*econtext).ecxt_per_tuple_memory;
            }
        }
    }
    let mut ctx: pg_sys::MemoryContext = std::ptr::null_mut();
    // SAFETY: `fcinfo` is the call frame PostgreSQL passed to the calling function; the
    // out-pointer is a valid local.
    let is_agg = unsafe { pg_sys::AggCheckCallContext(fcinfo, &mut ctx) };
    if is_agg == 0 || ctx.is_null() {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            format!("{caller} can only be called as part of an aggregate")
        );
    }
    ctx
}

/// Moves `value` into the aggregate memory context and returns it as an `internal` datum.
pub fn into_internal<T: 'static>(
    fcinfo: pg_sys::FunctionCallInfo,
    caller: &str,
    value: T,
) -> Internal {
    let ctx = aggregate_context(fcinfo, caller);
    // `ctx` is a live memory context owned by the executor for the aggregate's lifetime;
    // leak_and_drop_on_delete registers a callback that drops `value` when the context is
    // reset or deleted, so the pointer stays valid exactly as long as PostgreSQL may pass
    // the state back to us.
    let ptr = PgMemoryContexts::For(ctx).leak_and_drop_on_delete(value);
    Internal::from(Some(pg_sys::Datum::from(ptr)))
}

/// The state behind `state`, creating it with `init` on the group's first row.
///
/// Every state is stored as `Option<T>` so that [`combine`] can move a partial state out.
///
/// # Safety
/// `state` must be NULL or an `internal` created by these helpers with the same `T`;
/// each aggregate's SQL definition pairs its functions so that this holds.
pub unsafe fn state_mut<'a, T: 'static>(
    state: &'a mut Internal,
    fcinfo: pg_sys::FunctionCallInfo,
    caller: &str,
    init: impl FnOnce() -> T,
) -> &'a mut T {
    if !state.initialized() {
        *state = into_internal::<Option<T>>(fcinfo, caller, None);
    }
    // SAFETY: guaranteed by the caller (see above); initialized just now otherwise.
    let slot = unsafe { state.get_mut::<Option<T>>() }.expect("aggregate state is initialized");
    slot.get_or_insert_with(init)
}

/// The state behind `state`, if the group had any row.
///
/// # Safety
/// As for [`state_mut`].
pub unsafe fn existing<T: 'static>(state: &mut Internal) -> Option<&mut T> {
    // SAFETY: guaranteed by the caller.
    unsafe { state.get_mut::<Option<T>>() }.and_then(Option::as_mut)
}

/// `combinefunc`: merges `other` into `state` (either may be NULL).
///
/// # Safety
/// Both must be NULL or states of type `T` (see [`state_mut`]).
pub unsafe fn combine<T: AggState>(
    mut state: Internal,
    mut other: Internal,
    fcinfo: pg_sys::FunctionCallInfo,
    caller: &str,
) -> Internal {
    // PostgreSQL does not read the second state again after the combine function returns,
    // so its contents are moved instead of copied.
    // SAFETY: guaranteed by the caller.
    let Some(theirs) = (unsafe { other.get_mut::<Option<T>>() }).and_then(Option::take) else {
        return state;
    };
    // SAFETY: guaranteed by the caller.
    match unsafe { state.get_mut::<Option<T>>() } {
        Some(Some(mine)) => mine.merge(theirs),
        _ => state = into_internal(fcinfo, caller, Some(theirs)),
    }
    state
}

/// `serialfunc`: the state as `bytea`.
///
/// # Safety
/// As for [`combine`].
pub unsafe fn serialize<T: AggState>(mut state: Internal) -> Vec<u8> {
    // SAFETY: guaranteed by the caller.
    match unsafe { state.get_mut::<Option<T>>() } {
        Some(Some(s)) => s.serialize(),
        _ => Vec::new(),
    }
}

/// `deserialfunc`: a state from `bytea` produced by [`serialize`].
pub fn deserialize<T: AggState>(
    bytes: &[u8],
    fcinfo: pg_sys::FunctionCallInfo,
    caller: &str,
) -> Internal {
    let value = if bytes.is_empty() {
        None
    } else {
        Some(T::deserialize(bytes).or_raise())
    };
    into_internal::<Option<T>>(fcinfo, caller, value)
}

/// Moves a plain-data state (`Copy`: no heap, nothing to drop) into memory context `ctx`
/// and returns it as an `internal` datum. Unlike [`into_internal`] this registers no reset
/// callback, so a `GROUP BY` over millions of groups pays one palloc per group and nothing
/// when the groups are freed.
pub fn plain_into<T: Copy + 'static>(ctx: pg_sys::MemoryContext, value: T) -> pg_sys::Datum {
    const {
        // palloc'd memory is MAXALIGNed (8 bytes).
        assert!(std::mem::align_of::<T>() <= 8);
    }
    // SAFETY: `ctx` is a live memory context; MemoryContextAlloc returns size_of::<T>()
    // bytes aligned for T (or raises an error), which are initialised before use.
    unsafe {
        let p = pg_sys::MemoryContextAlloc(ctx, std::mem::size_of::<T>()) as *mut T;
        p.write(value);
        pg_sys::Datum::from(p)
    }
}

/// The plain-data state behind an `internal` datum made by [`plain_into`].
///
/// # Safety
/// `d` must come from [`plain_into`] with the same `T` (each aggregate's SQL definition
/// pairs its functions so that this holds) and its memory context must still be alive.
pub unsafe fn plain_mut<'a, T: Copy + 'static>(d: pg_sys::Datum) -> &'a mut T {
    // SAFETY: guaranteed by the caller.
    unsafe { &mut *d.cast_mut_ptr::<T>() }
}
