//! The operations playbook's per-user building blocks (issue #20): the inactivity grade
//! ladder, the old-user matrix and product preference shares.
//!
//! * [`grade`]: [`GradeLadder`], the inactivity grade (`A`, `B`, ...) of a converted user
//!   from the days since their last activity, with English and Chinese labels.
//! * [`matrix`]: [`MatrixState`], the aggregate over a user summary (one row per user)
//!   counting users and summing their value per (grade, value score) cell.
//! * [`preference`]: [`PreferenceState`], the aggregate over one user's rows giving each
//!   product category's share of the user's attention (rows, or dwell seconds).

pub mod grade;
pub mod matrix;
pub mod preference;

pub use grade::{parse_grade, GradeLadder, GradeRow};
pub use matrix::{MatrixCell, MatrixState};
pub use preference::{Attention, Preference, PreferenceState};

/// At most this many characters of a user-supplied text are quoted in an error message.
const QUOTE_MAX: usize = 60;

/// `s`, cut to [`QUOTE_MAX`] characters (with `...` when cut), for error messages.
fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_MAX) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quote_truncates_long_text_on_a_char_boundary() {
        assert_eq!(super::quote("abc"), "abc");
        let long = "é".repeat(100);
        let q = super::quote(&long);
        assert_eq!(q, format!("{}...", "é".repeat(60)));
    }
}
