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

/// A float for an error message: plain for ordinary magnitudes, scientific otherwise, so a
/// value such as `-1e308` is written in 7 characters, not 310.
pub fn fmt_f64(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || !v.is_finite() || (1e-6..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// `text` cut to at most `max` characters (with `...` when cut), for error messages that
/// must name a bad value without echoing megabytes.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod fmt_tests {
    #[test]
    fn floats_in_messages_stay_short() {
        use super::fmt_f64;
        assert_eq!(fmt_f64(-1e308), "-1e308");
        assert_eq!(fmt_f64(2.5), "2.5");
        assert_eq!(fmt_f64(1e-300), "1e-300");
        assert_eq!(fmt_f64(f64::NAN), "NaN");
        assert_eq!(fmt_f64(0.0), "0");
    }
}
