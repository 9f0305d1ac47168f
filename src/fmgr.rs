//! Functions written against PostgreSQL's raw V1 calling convention, for the few entry
//! points called once per row or once per group where pgrx's generic `#[pg_extern]` wrapper
//! (argument iterator, memory-context switch, result boxing) costs more than the work
//! itself: the lifecycle scalar and aggregate, and the `intent_score` transitions.
//!
//! Such a function is declared by a hand-written `CREATE FUNCTION ... LANGUAGE c AS
//! 'MODULE_PATHNAME', 'symbol'` in `sql/`. Its symbol names are those the first release's
//! script (`sql/released/`) refers to, so databases created by that script keep working with
//! the current library.

use pgrx::pg_sys;

/// Defines `extern "C-unwind" fn $name(fcinfo) -> Datum` in the V1 calling convention
/// (guarded, so a Rust panic or an `ereport` becomes a PostgreSQL error) and its
/// `PG_FUNCTION_INFO_V1` record `$finfo`.
#[macro_export]
macro_rules! raw_v1_function {
    ($(#[$doc:meta])* fn $name:ident / $finfo:ident ($fcinfo:ident) $body:block) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// Called by PostgreSQL through the fmgr with a valid `fcinfo` for the SQL signature
        /// that `sql/` declares for this symbol.
        #[::pgrx::pg_guard]
        #[no_mangle]
        pub unsafe extern "C-unwind" fn $name(
            fcinfo: ::pgrx::pg_sys::FunctionCallInfo,
        ) -> ::pgrx::pg_sys::Datum {
            #[allow(unused_unsafe)]
            #[inline(always)]
            unsafe fn body($fcinfo: ::pgrx::pg_sys::FunctionCallInfo) -> ::pgrx::pg_sys::Datum
                $body
            // SAFETY: as documented above.
            unsafe { body(fcinfo) }
        }

        /// The V1 calling-convention record (`PG_FUNCTION_INFO_V1`).
        #[no_mangle]
        #[doc(hidden)]
        pub extern "C" fn $finfo() -> &'static ::pgrx::pg_sys::Pg_finfo_record {
            const V1_API: ::pgrx::pg_sys::Pg_finfo_record =
                ::pgrx::pg_sys::Pg_finfo_record { api_version: 1 };
            &V1_API
        }
    };
}

/// Argument `i`, or `None` when it is NULL or was not passed (`i >= nargs`).
///
/// # Safety
/// `fcinfo` must be the live call frame of a V1 function.
#[inline]
pub unsafe fn arg(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<pg_sys::Datum> {
    // SAFETY: guaranteed by the caller; `i < nargs` is checked before the argument is read.
    unsafe {
        if i >= (*fcinfo).nargs as usize {
            return None;
        }
        let a = pgrx::fcinfo::pg_get_nullable_datum(fcinfo, i);
        (!a.isnull).then_some(a.value)
    }
}

/// A timestamp(tz) argument in microseconds, or `None` (see [`arg`]).
///
/// # Safety
/// As for [`arg`]; argument `i` must be a `timestamp` or `timestamptz`.
#[inline]
pub unsafe fn timestamp_arg(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<i64> {
    // SAFETY: guaranteed by the caller; timestamps are 8-byte pass-by-value datums.
    unsafe { arg(fcinfo, i) }.map(|d| d.value() as i64)
}

/// An `int4` argument, or `None` (see [`arg`]).
///
/// # Safety
/// As for [`arg`]; argument `i` must be an `int4`.
#[inline]
pub unsafe fn int4_arg(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<i32> {
    // SAFETY: guaranteed by the caller; int4 is pass-by-value.
    unsafe { arg(fcinfo, i) }.map(|d| d.value() as i32)
}

/// A `bool` argument, or `None` (see [`arg`]).
///
/// # Safety
/// As for [`arg`]; argument `i` must be a `bool`.
#[inline]
pub unsafe fn bool_arg(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<bool> {
    // SAFETY: guaranteed by the caller; bool is pass-by-value.
    unsafe { arg(fcinfo, i) }.map(|d| d.value() & 0xff != 0)
}

/// Returns SQL NULL from a V1 function.
///
/// # Safety
/// `fcinfo` must be the live call frame of a V1 function.
#[inline]
pub unsafe fn null(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    // SAFETY: guaranteed by the caller.
    unsafe { pgrx::fcinfo::pg_return_null(fcinfo) }
}

/// `s` as a `text` datum, palloc'd in the current (the caller's) memory context as any
/// function result.
#[inline]
pub fn text(s: &str) -> pg_sys::Datum {
    // SAFETY: `s` is valid for `s.len()` bytes, which PostgreSQL copies.
    let t = unsafe { pg_sys::cstring_to_text_with_len(s.as_ptr().cast(), s.len() as i32) };
    pg_sys::Datum::from(t)
}

/// `bytes` as a `bytea` datum, palloc'd in the current memory context.
pub fn bytea(bytes: &[u8]) -> pg_sys::Datum {
    let len = bytes.len() + pg_sys::VARHDRSZ;
    // SAFETY: palloc returns `len` writable bytes (or raises an error); the header is set
    // for exactly that length and the payload copied after it.
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

/// The bytes of a `bytea` argument (detoasted if needed), or `None` (see [`arg`]).
///
/// # Safety
/// As for [`arg`]; argument `i` must be a `bytea`. The slice lives as long as the argument
/// (or its detoasted copy in the current memory context).
pub unsafe fn bytea_arg<'a>(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<&'a [u8]> {
    use pgrx::varlena::{varatt_is_1b_e, varatt_is_4b_c, varlena_to_byte_slice};
    // SAFETY: guaranteed by the caller; compressed or external values are detoasted (into
    // the current memory context), the others (1- or 4-byte header) read where they are.
    unsafe {
        let mut v = arg(fcinfo, i)?.cast_mut_ptr::<pg_sys::varlena>();
        if varatt_is_1b_e(v) || varatt_is_4b_c(v) {
            v = pg_sys::pg_detoast_datum_packed(v);
        }
        Some(varlena_to_byte_slice(v))
    }
}
