//! Raising core errors as PostgreSQL errors with the SQLSTATE the contract assigns.

use pg_operations_core::error::{ErrorKind, OpsError};
use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

/// Longest message text sent to the client and the server log: a message that quotes a bad
/// value (a mode string, a weight key, a stage name) never echoes megabytes of it.
const MAX_MESSAGE: usize = 1000;

/// `message`, cut at a character boundary after [`MAX_MESSAGE`] bytes.
fn bounded(message: &str) -> String {
    if message.len() <= MAX_MESSAGE {
        return message.to_string();
    }
    let mut end = MAX_MESSAGE;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes in all)", &message[..end], message.len())
}

/// Raises an ERROR with `code` and `message` (at most about 1 kB of it).
pub fn raise_code(code: PgSqlErrorCode, message: &str) -> ! {
    ereport!(ERROR, code, bounded(message));
}

/// Raises `err` with the SQLSTATE of its kind.
pub fn raise(err: OpsError) -> ! {
    let code = match err.kind {
        ErrorKind::InvalidParameter => PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
        ErrorKind::Malformed => PgSqlErrorCode::ERRCODE_INVALID_TEXT_REPRESENTATION,
        ErrorKind::LimitExceeded => PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
    };
    raise_code(code, &err.message)
}

/// Raises `XX000` for a broken internal invariant (a bug, never bad input).
pub fn internal(message: &str) -> ! {
    raise_code(PgSqlErrorCode::ERRCODE_INTERNAL_ERROR, message)
}

/// Unwraps a core result or raises its error.
pub trait OrRaise<T> {
    fn or_raise(self) -> T;
}

impl<T> OrRaise<T> for Result<T, OpsError> {
    #[inline]
    fn or_raise(self) -> T {
        match self {
            Ok(v) => v,
            Err(e) => raise(e),
        }
    }
}

/// Raises `22023`: argument `what` of `caller` must not be NULL.
pub fn null_argument(caller: &str, what: &str) -> ! {
    invalid(format!("{caller}: {what} must not be NULL"))
}

/// Raises `22023 invalid_parameter_value` with `message`.
pub fn invalid(message: impl Into<String>) -> ! {
    raise(OpsError::invalid(message))
}

/// Sends a NOTICE to the client (at most about 1 kB of `message`).
pub fn notice(message: &str) {
    pgrx::notice!("{}", bounded(message));
}
