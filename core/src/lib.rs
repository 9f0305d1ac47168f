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
pub mod decimal;
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
pub mod threads;
pub mod time;

pub use error::{OpsError, OpsResult};
pub use state::PartialState;

/// Whether two event names are the same bytes, without a call to `bcmp` for names of 4 to 16
/// bytes (compared as two overlapping words): the per-row comparison of the event-name forms.
#[inline]
pub fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        8..=16 => {
            let w = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().unwrap());
            w(a, 0) == w(b, 0) && w(a, n - 8) == w(b, n - 8)
        }
        4..=7 => {
            let w = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().unwrap());
            w(a, 0) == w(b, 0) && w(a, n - 4) == w(b, n - 4)
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod same_name_tests {
    use super::same_name;

    #[test]
    fn same_name_is_byte_equality() {
        let names = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abce",
            "abcdefg",
            "abcdefh",
            "bbcdefg",
            "abcdefgh",
            "abcdefgi",
            "view_list",
            "view_lisT",
            "View_list",
            "click_invest",
            "click_submit",
            "0123456789abcdef",
            "0123456789abcdeF",
            "1123456789abcdef",
            "0123456789abcdefg",
            "0123456789abcdefG",
            "0123456789abcdefgh",
            "évé",
            "évè",
        ];
        for a in names {
            for b in names {
                assert_eq!(same_name(a, b), a == b, "{a:?} {b:?}");
            }
        }
        // Every single-byte difference at every position, lengths 1 to 20.
        for n in 1..=20 {
            let a: String = (0..n).map(|i| (b'a' + i as u8) as char).collect();
            for i in 0..n {
                let mut b = a.clone().into_bytes();
                b[i] = b'Z';
                let b = String::from_utf8(b).unwrap();
                assert!(!same_name(&a, &b) && same_name(&a, &a), "{a} {b}");
            }
        }
    }
}
