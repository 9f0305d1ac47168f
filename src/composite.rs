//! Fast construction of rows of the extension's composite types (`funnel_step`,
//! `rfm_cell`, ...).
//!
//! The type's OID is resolved once per call site (cached in `FmgrInfo.fn_extra`), in the
//! schema the calling function lives in, so functions that return a row per input row
//! (e.g. `rfm_cell` over 500k users) pay only a type-cache lookup and `heap_form_tuple`.

use pgrx::heap_tuple::PgHeapTuple;
use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::{AllocatedByRust, PgTupleDesc};

/// The OID of type `name` in the schema of the function behind `fcinfo` (looked up on every
/// call; see [`type_oid`] for the cached form).
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn type_in_own_schema(fcinfo: pg_sys::FunctionCallInfo, name: &str) -> pg_sys::Oid {
    // SAFETY: `fcinfo` and its `flinfo` are valid for the duration of the call; the namespace
    // name is a palloc'd C string or NULL.
    unsafe {
        let nsp =
            pg_sys::get_namespace_name(pg_sys::get_func_namespace((*(*fcinfo).flinfo).fn_oid));
        let nsp = if nsp.is_null() {
            "public".to_string()
        } else {
            std::ffi::CStr::from_ptr(nsp).to_string_lossy().into_owned()
        };
        pgrx::regtypein(&format!("\"{}\".{}", nsp.replace('"', "\"\""), name))
    }
}

/// The OID of composite type `name` in the schema of the function behind `fcinfo`, cached
/// in `FmgrInfo.fn_extra` (only for functions that use `fn_extra` for nothing else).
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn type_oid(fcinfo: pg_sys::FunctionCallInfo, name: &str) -> pg_sys::Oid {
    // SAFETY: `fcinfo` and its `flinfo` are valid for the duration of the call; `fn_extra`
    // is ours for non-set-returning functions and is allocated in `fn_mcxt`, which lives as
    // long as the FmgrInfo that caches it.
    unsafe {
        let flinfo = (*fcinfo).flinfo;
        if !(*flinfo).fn_extra.is_null() {
            return *((*flinfo).fn_extra as *const pg_sys::Oid);
        }
        let oid = type_in_own_schema(fcinfo, name);
        let slot = pg_sys::MemoryContextAlloc((*flinfo).fn_mcxt, std::mem::size_of::<pg_sys::Oid>())
            as *mut pg_sys::Oid;
        *slot = oid;
        (*flinfo).fn_extra = slot as *mut std::ffi::c_void;
        oid
    }
}

/// A row of composite type `name` from its attribute values, in declaration order.
///
/// `fcinfo` must be the live call frame pgrx passed to the calling `#[pg_extern]`.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn row(
    fcinfo: pg_sys::FunctionCallInfo,
    name: &str,
    values: Vec<Option<pg_sys::Datum>>,
) -> PgHeapTuple<'static, AllocatedByRust> {
    let oid = type_oid(fcinfo, name);
    // SAFETY: lookup_rowtype_tupdesc returns a reference-counted descriptor that
    // PgTupleDesc::from_pg releases on drop; the datums were produced by IntoDatum for the
    // attribute types declared in sql/ for `name`.
    unsafe {
        let tupdesc = PgTupleDesc::from_pg(pg_sys::lookup_rowtype_tupdesc(oid, -1));
        match PgHeapTuple::from_datums(tupdesc, values) {
            Ok(t) => t,
            Err(e) => error!("cannot form a {name} row: {e}"),
        }
    }
}
