//! Mapping of core errors onto PostgreSQL errors with SQLSTATEs.

use pg_operations_core::error::{ErrorKind, OpsError};
use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

/// Raises `err` as a PostgreSQL ERROR with the SQLSTATE the contract assigns to its kind.
pub fn raise(err: OpsError) -> ! {
    let code = match err.kind {
        ErrorKind::InvalidParameter => PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
        ErrorKind::Malformed => PgSqlErrorCode::ERRCODE_INVALID_TEXT_REPRESENTATION,
        ErrorKind::LimitExceeded => PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
    };
    ereport!(ERROR, code, err.message);
}

/// Unwraps a core result or raises its error.
pub trait OrRaise<T> {
    fn or_raise(self) -> T;
}

impl<T> OrRaise<T> for Result<T, OpsError> {
    fn or_raise(self) -> T {
        match self {
            Ok(v) => v,
            Err(e) => raise(e),
        }
    }
}

/// Raises `22023 invalid_parameter_value` with `message`.
pub fn invalid(message: impl Into<String>) -> ! {
    raise(OpsError::invalid(message))
}
