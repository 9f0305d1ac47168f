//! Pure-Rust algorithms behind the `pg_operations` PostgreSQL extension.
//!
//! Nothing in this crate knows about PostgreSQL or pgrx: every capability is a plain
//! function or state struct, unit- and property-tested with `cargo test -p pg_operations_core`.
//! The extension crate (`src/`) is a thin layer that turns SQL arguments into these calls
//! and maps [`error::OpsError`] onto SQLSTATEs.
//!
//! Every aggregate state implements [`PartialState`] (merge, and the bytes in which it
//! crosses parallel workers, all written with [`codec`]).

pub mod activity;
pub mod channel;
pub mod codec;
pub mod demo;
pub mod error;
pub mod funnel;
pub mod intent;
pub mod lifecycle;
pub mod playbook;
pub mod quantile;
pub mod retention;
pub mod rfm;
pub mod state;
pub mod stats;
pub mod time;

pub use error::{OpsError, OpsResult};
pub use state::PartialState;
