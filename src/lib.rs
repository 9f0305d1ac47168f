//! `pg_operations`: user-operations analytics inside PostgreSQL.
//!
//! This crate is the thin pgrx layer over the pure-Rust core (`pg_operations_core`). Every
//! SQL object is declared once, with `pg_operations_macros::declare!`, in the module of its
//! capability; all raw fmgr and pointer code is in [`pg`], the one module allowed to use
//! `unsafe`. See CONTRIBUTING.md for how to add a function.

#![deny(unsafe_code)]

#[allow(unsafe_code)]
pub mod pg;

pub mod channel;
pub mod demo;
pub mod funnel;
pub mod intent;
mod keys;
pub mod lifecycle;
mod numeric;
pub mod playbook;
pub mod retention;
pub mod rfm;
pub mod stats;

#[cfg(any(test, feature = "pg_test"))]
#[allow(unsafe_code)] // pgrx's #[pg_test] expands to FFI code
mod tests;

#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}

pg_operations_macros::declare! {
    fn pg_operations_version() -> text strict
        "Version of the pg_operations library that is loaded."
        = |_a| env!("CARGO_PKG_VERSION");
}
