//! Set-returning functions, materialized: the rows go into a tuplestore in one call (the
//! executor reads them from there, spilling to disk beyond `work_mem`).

use super::errors;
use super::Frame;
use pgrx::pg_sys;

/// Materializes `rows` (field values in the declared column order) as the result set of the
/// running function, which must be declared `RETURNS TABLE (...)`.
pub fn materialize<I>(frame: Frame<'_>, rows: I) -> pg_sys::Datum
where
    I: IntoIterator<Item = Vec<Option<pg_sys::Datum>>>,
{
    // SAFETY: the frame is live; `resultinfo` is checked to be a ReturnSetInfo that allows
    // materialize mode before it is written; the tuplestore and the descriptor are made in
    // the per-query memory context, as the executor requires; each row has as many values as
    // the descriptor has attributes (checked).
    unsafe {
        let fcinfo = frame.fcinfo;
        let rsinfo = (*fcinfo).resultinfo as *mut pg_sys::ReturnSetInfo;
        if rsinfo.is_null()
            || (*rsinfo).type_ != pg_sys::NodeTag::T_ReturnSetInfo
            || ((*rsinfo).allowedModes & pg_sys::SetFunctionReturnMode::SFRM_Materialize as i32)
                == 0
        {
            errors::raise_code(
                pgrx::PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
                "set-valued function called in context that cannot accept a set",
            );
        }
        let per_query = (*(*rsinfo).econtext).ecxt_per_query_memory;
        let old = pg_sys::MemoryContextSwitchTo(per_query);
        let mut tupdesc: pg_sys::TupleDesc = std::ptr::null_mut();
        if pg_sys::get_call_result_type(fcinfo, std::ptr::null_mut(), &mut tupdesc)
            != pg_sys::TypeFuncClass::TYPEFUNC_COMPOSITE
        {
            errors::internal("a set-returning function must return a row type");
        }
        let tupdesc = pg_sys::CreateTupleDescCopy(tupdesc);
        let random = ((*rsinfo).allowedModes
            & pg_sys::SetFunctionReturnMode::SFRM_Materialize_Random as i32)
            != 0;
        let store = pg_sys::tuplestore_begin_heap(random, false, pg_sys::work_mem);
        pg_sys::MemoryContextSwitchTo(old);
        let natts = (*tupdesc).natts as usize;
        for (n, row) in rows.into_iter().enumerate() {
            if row.len() != natts {
                errors::internal(&format!(
                    "row with {} values for {natts} columns",
                    row.len()
                ));
            }
            let mut values: Vec<pg_sys::Datum> = row
                .iter()
                .map(|v| v.unwrap_or(pg_sys::Datum::from(0)))
                .collect();
            let mut nulls: Vec<bool> = row.iter().map(Option::is_none).collect();
            pg_sys::tuplestore_putvalues(store, tupdesc, values.as_mut_ptr(), nulls.as_mut_ptr());
            if n % 4096 == 0 {
                super::check_interrupts();
            }
        }
        (*rsinfo).returnMode = pg_sys::SetFunctionReturnMode::SFRM_Materialize;
        (*rsinfo).setResult = store;
        (*rsinfo).setDesc = tupdesc;
        frame.null()
    }
}
