//! One error type for every capability; the pgrx layer maps each kind onto a SQLSTATE.

use std::fmt;

/// What went wrong, in the terms of the SQL contract (`../shared/API.md`, "Ground rules").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// `22023 invalid_parameter_value`: a bad option, weight, mode, threshold or count.
    InvalidParameter,
    /// `22P02 invalid_text_representation`: malformed text or binary input.
    Malformed,
    /// `54000 program_limit_exceeded`: more steps, bins or elements than supported.
    LimitExceeded,
}

/// An error with the message shown to the analyst; the message names the offending value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpsError {
    pub kind: ErrorKind,
    pub message: String,
}

pub type OpsResult<T> = Result<T, OpsError>;

impl OpsError {
    pub fn invalid(message: impl Into<String>) -> Self {
        OpsError {
            kind: ErrorKind::InvalidParameter,
            message: message.into(),
        }
    }
    pub fn malformed(message: impl Into<String>) -> Self {
        OpsError {
            kind: ErrorKind::Malformed,
            message: message.into(),
        }
    }
    pub fn limit(message: impl Into<String>) -> Self {
        OpsError {
            kind: ErrorKind::LimitExceeded,
            message: message.into(),
        }
    }
}

impl fmt::Display for OpsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OpsError {}
