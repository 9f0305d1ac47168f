//! `pg_operations`: user-operations analytics inside PostgreSQL.
//!
//! This crate is the thin pgrx layer: each module turns SQL arguments into calls of the
//! pure-Rust core (`pg_operations_core`) and maps its errors onto SQLSTATEs. Aggregates
//! keep Rust structs behind `internal` (see [`agg`]) and are declared by hand-written
//! `CREATE AGGREGATE` statements in `sql/`.

use pgrx::prelude::*;

::pgrx::pg_module_magic!(name, version);

pub mod agg;
pub mod channel;
pub mod composite;
pub mod demo;
pub mod errors;
pub mod fmgr;
pub mod funnel;
pub mod intent;
pub mod lifecycle;
pub mod rfm;
pub mod stats;

#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}

/// The extension's version, as built (`SELECT pg_operations_version()`).
#[pg_extern(immutable, parallel_safe)]
fn pg_operations_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

extension_sql!(
    r#"COMMENT ON FUNCTION pg_operations_version() IS 'Version of the pg_operations library that is loaded.';"#,
    name = "comment_version",
    requires = [pg_operations_version]
);
