//! The old-user matrix: converted users by inactivity grade ([`super::grade`]) and value
//! score, aggregated over a user summary (one row per user).
//!
//! Rules:
//!
//! * Each row is one user with a grade (a single letter `A` to `Z`), a value score (an
//!   integer `1` to `100`, e.g. an RFM monetary score) and an optional value (e.g. the
//!   user's total spend). A bad grade or score, or a non-finite value or one whose
//!   magnitude exceeds [`MAX_ABS_VALUE`], is 22023. NULL rows are the caller's to skip.
//! * Each cell `(grade, score)` counts its users and sums their non-NULL values. The sum is
//!   exact ([`ExactSum`]) and rounded once at the end, so the result is bit-identical for
//!   any row order and any parallel plan.
//! * The result is the full grid, empty cells included: grades `A` to the highest of `F`
//!   and the highest grade seen, scores `1` to the highest of `5` and the highest score
//!   seen, so 30 cells by default. Cells are ordered by grade ascending, then by score
//!   *descending* (the high-value cells of a grade first): `A5, A4, ..., A1, B5, ...`.
//! * Each cell has its name (grade letter then score, `B4`, `A10`), its users, its share
//!   `users / all users` and its value sum (`0` when no user of the cell has a value).
//! * A state with no row ([`MatrixState::is_empty`]) is NULL at the SQL level; its
//!   [`MatrixState::cells`] is still the 30-cell default grid, every share `0`.

use super::grade::parse_grade;
use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::intent::ExactSum;
use crate::state::PartialState;
use std::collections::BTreeMap;

const MATRIX_TAG: u8 = b'M';
const MATRIX_VERSION: u8 = 1;

/// The largest accepted value magnitude: small enough that no sum of up to 2^63 values can
/// overflow, which keeps the exact sums exact.
pub const MAX_ABS_VALUE: f64 = 1e100;

/// The highest value score.
pub const MAX_SCORE: i32 = 100;

/// The default grid: grades `A..=F`, scores `1..=5`.
const MIN_GRADES: u8 = 6;
const MIN_SCORES: u8 = 5;

/// One non-empty cell's accumulator.
#[derive(Debug, Clone, Default)]
struct Acc {
    users: i64,
    values: ExactSum,
}

/// Aggregate state of the old-user matrix over a user summary (see the module docs).
/// Keeps one small accumulator per non-empty (grade, score) cell, at most 26 * 100.
#[derive(Debug, Clone, Default)]
pub struct MatrixState {
    cells: BTreeMap<(u8, u8), Acc>,
}

/// One cell of [`MatrixState::cells`].
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixCell {
    /// The grade letter then the score: `B4`.
    pub cell: String,
    pub grade: char,
    pub score: i32,
    pub users: i64,
    /// `users` over the users of every cell; `0` when there is none.
    pub share: f64,
    /// The exact sum of the cell's non-NULL values, rounded once; `0` when none.
    pub value_sum: f64,
}

fn overflow() -> OpsError {
    OpsError::limit("old-user matrix: more than 2^63 users in a cell")
}

/// The canonical expansion of an exact sum: `v1 = round(S)`, `v2 = round(S - v1)`, ...
/// until the rest is zero. It depends on the exact value only, so it serializes an
/// [`ExactSum`] through its public interface and compares two of them. Sums here stay far
/// from overflow ([`MAX_ABS_VALUE`]), so every subtraction is exact; the rest shrinks by at
/// least 2^-53 per term and the exact sum is a multiple of 2^-1074, so it ends in at most
/// about 40 terms.
fn expansion(sum: &ExactSum) -> Vec<f64> {
    let mut rest = sum.clone();
    let mut out = Vec::new();
    loop {
        let v = rest.value();
        if v == 0.0 || !v.is_finite() || out.len() > 64 {
            debug_assert!(v == 0.0, "exact sum expansion did not end: {v}");
            return out;
        }
        out.push(v);
        rest.add(-v);
    }
}

impl PartialEq for MatrixState {
    /// Same cells, same user counts and the same exact sums.
    fn eq(&self, other: &Self) -> bool {
        self.cells.len() == other.cells.len()
            && self.cells.iter().zip(&other.cells).all(|((k, a), (l, b))| {
                k == l && a.users == b.users && expansion(&a.values) == expansion(&b.values)
            })
    }
}

impl MatrixState {
    pub fn new() -> Self {
        Self::default()
    }

    /// True when no user was pushed (the SQL result is then NULL).
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The number of users pushed (saturating at `i64::MAX`).
    pub fn users(&self) -> i64 {
        let n: i128 = self.cells.values().map(|a| i128::from(a.users)).sum();
        i64::try_from(n).unwrap_or(i64::MAX)
    }

    /// Adds one user: `grade` a letter `A` to `Z`, `score` in `1..=100`, `value` finite with
    /// magnitude at most [`MAX_ABS_VALUE`] or NULL; 22023 otherwise.
    pub fn push(&mut self, grade: &str, score: i32, value: Option<f64>) -> OpsResult<()> {
        let g = parse_grade(grade)?;
        if !(1..=MAX_SCORE).contains(&score) {
            return Err(OpsError::invalid(format!(
                "value score must be between 1 and {MAX_SCORE}, got {score}"
            )));
        }
        if let Some(v) = value {
            if !v.is_finite() || v.abs() > MAX_ABS_VALUE {
                return Err(OpsError::invalid(format!(
                    "user value must be a finite number of magnitude at most 1e100, got {v:e}"
                )));
            }
        }
        let acc = self.cells.entry((g, score as u8)).or_default();
        acc.users = acc.users.checked_add(1).ok_or_else(overflow)?;
        if let Some(v) = value {
            acc.values.add(v);
        }
        Ok(())
    }

    /// The full grid (see the module docs for its extent, order and fields).
    pub fn cells(&self) -> Vec<MatrixCell> {
        let grades = self
            .cells
            .keys()
            .map(|k| k.0 + 1)
            .max()
            .unwrap_or(0)
            .max(MIN_GRADES);
        let scores = self
            .cells
            .keys()
            .map(|k| k.1)
            .max()
            .unwrap_or(0)
            .max(MIN_SCORES);
        // Counted exactly, rounded once.
        let total = self
            .cells
            .values()
            .map(|a| i128::from(a.users))
            .sum::<i128>() as f64;
        let mut out = Vec::with_capacity(usize::from(grades) * usize::from(scores));
        for g in 0..grades {
            let grade = char::from(b'A' + g);
            for s in (1..=scores).rev() {
                let (users, value_sum) = self
                    .cells
                    .get(&(g, s))
                    .map_or((0, 0.0), |a| (a.users, a.values.value()));
                out.push(MatrixCell {
                    cell: format!("{grade}{s}"),
                    grade,
                    score: i32::from(s),
                    users,
                    share: if total > 0.0 {
                        users as f64 / total
                    } else {
                        0.0
                    },
                    value_sum,
                });
            }
        }
        out
    }
}

impl PartialState for MatrixState {
    /// Adds the other state's user counts and exact sums cell by cell.
    fn merge(&mut self, other: MatrixState) -> OpsResult<()> {
        for (k, b) in other.cells {
            let a = self.cells.entry(k).or_default();
            a.users = a.users.checked_add(b.users).ok_or_else(overflow)?;
            a.values.merge(&b.values);
        }
        Ok(())
    }

    /// `'M'`, version 1, the number of non-empty cells, then per cell in (grade, score)
    /// order: grade index (`u8`, 0 = `A`), score (`u8`), users (`i64`) and the canonical
    /// expansion of the value sum (a length and `f64`s, largest first).
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(MATRIX_TAG, MATRIX_VERSION);
        w.len(self.cells.len());
        for (&(g, s), a) in &self.cells {
            w.u8(g).u8(s).i64(a.users).f64s(&expansion(&a.values));
        }
        w.finish()
    }

    /// A state from [`MatrixState::encode`]; cells out of range or order, non-positive
    /// counts and non-canonical sums are `malformed`.
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, MATRIX_TAG, MATRIX_VERSION)?;
        let n = r.len(2 + 8 + 8)?;
        let mut cells = BTreeMap::new();
        let mut prev = None;
        for _ in 0..n {
            let key = (r.u8()?, r.u8()?);
            let users = r.i64()?;
            let parts = r.f64s()?;
            if key.0 > 25 || !(1..=MAX_SCORE as u8).contains(&key.1) {
                return Err(corrupt(&format!("cell ({}, {})", key.0, key.1)));
            }
            if prev.is_some_and(|p| p >= key) {
                return Err(corrupt("cells out of order"));
            }
            prev = Some(key);
            if users < 1 {
                return Err(corrupt(&format!("{users} users in a cell")));
            }
            if parts.iter().any(|p| !p.is_finite() || p.abs() > 1e120) {
                return Err(corrupt("a value sum out of range"));
            }
            let mut values = ExactSum::new();
            parts.iter().for_each(|&p| values.add(p));
            if expansion(&values) != parts {
                return Err(corrupt("a value sum is not canonical"));
            }
            cells.insert(key, Acc { users, values });
        }
        r.finish()?;
        Ok(MatrixState { cells })
    }
}

fn corrupt(what: &str) -> OpsError {
    OpsError::malformed(format!("old-user matrix state is corrupt: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use proptest::prelude::*;

    fn state(rows: &[(&str, i32, Option<f64>)]) -> MatrixState {
        let mut s = MatrixState::new();
        for &(g, sc, v) in rows {
            s.push(g, sc, v).unwrap();
        }
        s
    }

    fn names(cells: &[MatrixCell]) -> Vec<String> {
        cells.iter().map(|c| c.cell.clone()).collect()
    }

    #[test]
    fn hand_worked_matrix() {
        let s = state(&[
            ("A", 5, Some(100.0)),
            ("B", 4, None),
            ("A", 5, Some(50.5)),
            ("F", 1, Some(-3.0)),
            ("A", 5, None),
            ("C", 3, None),
            ("B", 4, Some(0.25)),
        ]);
        assert!(!s.is_empty());
        assert_eq!(s.users(), 7);
        let cells = s.cells();
        assert_eq!(cells.len(), 30);
        let expect = |cell: &str, users: i64, value_sum: f64| {
            let grade = cell.chars().next().unwrap();
            let score: i32 = cell[1..].parse().unwrap();
            MatrixCell {
                cell: cell.to_string(),
                grade,
                score,
                users,
                share: users as f64 / 7.0,
                value_sum,
            }
        };
        let mut want = Vec::new();
        for g in ["A", "B", "C", "D", "E", "F"] {
            for sc in (1..=5).rev() {
                let name = format!("{g}{sc}");
                want.push(match name.as_str() {
                    "A5" => expect("A5", 3, 150.5),
                    "B4" => expect("B4", 2, 0.25),
                    "C3" => expect("C3", 1, 0.0),
                    "F1" => expect("F1", 1, -3.0),
                    _ => expect(&name, 0, 0.0),
                });
            }
        }
        assert_eq!(cells, want);
        assert_eq!(cells[0].cell, "A5");
        assert_eq!(cells[0].share, 3.0 / 7.0);
        assert_eq!(cells[6].cell, "B4");
        assert_eq!(cells[6].share, 2.0 / 7.0);
        assert_eq!(cells[29].cell, "F1");
        let total: f64 = cells.iter().map(|c| c.share).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn empty_state_is_the_default_grid_with_zero_shares() {
        let s = MatrixState::new();
        assert!(s.is_empty());
        assert_eq!(s.users(), 0);
        let cells = s.cells();
        assert_eq!(cells.len(), 30);
        assert!(cells
            .iter()
            .all(|c| c.users == 0 && c.share == 0.0 && c.value_sum == 0.0));
        let want: Vec<String> = "ABCDEF"
            .chars()
            .flat_map(|g| (1..=5).rev().map(move |s| format!("{g}{s}")))
            .collect();
        assert_eq!(names(&cells), want);
    }

    #[test]
    fn grid_grows_with_the_highest_grade_and_score() {
        assert_eq!(state(&[("A", 1, None)]).cells().len(), 30);
        let h = state(&[("H", 2, None)]).cells();
        assert_eq!(h.len(), 8 * 5);
        assert_eq!(h.last().unwrap().cell, "H1");
        assert_eq!(h[35].cell, "H5");
        assert_eq!((h[38].cell.as_str(), h[38].users), ("H2", 1));
        let seven = state(&[("B", 7, Some(1.0))]).cells();
        assert_eq!(seven.len(), 6 * 7);
        assert_eq!(
            &names(&seven)[..8],
            ["A7", "A6", "A5", "A4", "A3", "A2", "A1", "B7"]
        );
        assert_eq!(
            (seven[7].users, seven[7].share, seven[7].value_sum),
            (1, 1.0, 1.0)
        );
        let both = state(&[("H", 2, None), ("A", 7, None)]).cells();
        assert_eq!(both.len(), 8 * 7);
        let z = state(&[("Z", 100, None)]).cells();
        assert_eq!(z.len(), 26 * 100);
        assert_eq!((z[0].cell.as_str(), z[2599].cell.as_str()), ("A100", "Z1"));
        assert_eq!(z[2500].cell, "Z100");
        assert_eq!(z[2500].share, 1.0);
    }

    #[test]
    fn value_sums_are_exact() {
        let mut s = MatrixState::new();
        for _ in 0..10 {
            s.push("A", 1, Some(0.1)).unwrap();
        }
        s.push("B", 1, Some(1e100)).unwrap();
        s.push("B", 1, Some(1.0)).unwrap();
        s.push("B", 1, Some(-1e100)).unwrap();
        s.push("C", 1, Some(-0.0)).unwrap();
        let cells = s.cells();
        let get = |n: &str| cells.iter().find(|c| c.cell == n).unwrap().value_sum;
        assert_eq!(get("A1"), 1.0); // naive summation gives 0.9999999999999999
        assert_eq!(get("B1"), 1.0);
        assert_eq!(get("C1").to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn bad_rows_are_errors() {
        let mut s = MatrixState::new();
        for g in ["a", "AB", "", "€", "G1"] {
            let e = s.push(g, 3, None).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter);
            assert!(e.message.contains(&format!("got '{g}'")), "{}", e.message);
        }
        for sc in [0, 101, -1, i32::MAX] {
            let e = s.push("A", sc, None).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter);
            assert_eq!(
                e.message,
                format!("value score must be between 1 and 100, got {sc}")
            );
        }
        for (v, shown) in [
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (1e101, "1e101"),
        ] {
            let e = s.push("A", 1, Some(v)).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidParameter);
            assert!(
                e.message.ends_with(&format!("got {shown}")),
                "{}",
                e.message
            );
        }
        assert!(s.is_empty(), "failed pushes leave no trace");
        s.push("A", 1, Some(-1e100)).unwrap();
        s.push("A", 100, Some(1e100)).unwrap();
        s.push("Z", 1, None).unwrap();
        assert_eq!(s.users(), 3);
    }

    #[test]
    fn decode_rejects_corrupt_states() {
        let s = state(&[("A", 5, Some(1.5)), ("C", 2, None)]);
        let good = s.encode();
        assert_eq!(MatrixState::decode(&good).unwrap(), s);
        let empty = MatrixState::new().encode();
        assert_eq!(empty.len(), 10);
        assert!(MatrixState::decode(&empty).unwrap().is_empty());
        let bad = |b: &[u8]| {
            let e = MatrixState::decode(b).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Malformed, "{}", e.message);
            e.message
        };
        for n in 0..good.len() {
            bad(&good[..n]);
        }
        let mut b = good.clone();
        b.push(0);
        assert!(bad(&b).contains("trailing"));
        let mut b = good.clone();
        b[0] = b'W';
        bad(&b);
        // Layout: tag, version, count (8), then A5: grade at 10, score at 11, users 12..20,
        // sum length 20..28, 1.5 at 28..36; C2 starts at 36.
        let mut b = good.clone();
        b[10] = 26;
        assert!(bad(&b).contains("cell (26, 5)"));
        let mut b = good.clone();
        b[11] = 0;
        bad(&b);
        let mut b = good.clone();
        b[11] = 101;
        bad(&b);
        let mut b = good.clone();
        b[12..20].copy_from_slice(&0i64.to_le_bytes());
        assert!(bad(&b).contains("0 users"));
        let mut b = good.clone();
        b[36] = 0; // C2 -> A2, after A5 in (grade, score) order
        assert!(bad(&b).contains("out of order"));
        let mut b = good.clone();
        b[28..36].copy_from_slice(&f64::NAN.to_le_bytes());
        bad(&b);
        let mut b = good.clone();
        b[28..36].copy_from_slice(&0.0f64.to_le_bytes());
        assert!(bad(&b).contains("not canonical"));
        // Two terms that are not the canonical expansion of their sum.
        let mut w = Writer::new(MATRIX_TAG, MATRIX_VERSION);
        w.len(1).u8(0).u8(1).i64(2).f64s(&[1.0, 1.0]);
        assert!(bad(&w.finish()).contains("not canonical"));
        let mut w = Writer::new(MATRIX_TAG, MATRIX_VERSION);
        w.len(1).u8(0).u8(1).i64(2).f64s(&[1.0, 2f64.powi(-60)]);
        let s = MatrixState::decode(&w.finish()).unwrap();
        assert_eq!(s.cells()[4].value_sum, 1.0);
    }

    /// A value strategy mixing exact binary fractions, awkward decimals and huge values
    /// that cancel, so a naive float sum would depend on the order.
    fn value() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            Just(None),
            (-1000i64..1000).prop_map(|m| Some(m as f64 / 1024.0)),
            (0usize..6).prop_map(|i| Some([0.1, -0.3, 1e100, -1e100, 1e-300, 7e15][i])),
        ]
    }

    fn rows() -> impl Strategy<Value = Vec<(u8, i32, Option<f64>, u32)>> {
        prop::collection::vec((0u8..8, 1i32..8, value(), any::<u32>()), 0..40)
    }

    fn push_all(s: &mut MatrixState, rows: &[(u8, i32, Option<f64>, u32)]) {
        for &(g, sc, v, _) in rows {
            s.push(&char::from(b'A' + g).to_string(), sc, v).unwrap();
        }
    }

    /// The cells with `value_sum` and `share` as bits, so `-0.0`/`0.0` differ.
    fn bits(cells: &[MatrixCell]) -> Vec<(String, i64, u64, u64)> {
        cells
            .iter()
            .map(|c| {
                (
                    c.cell.clone(),
                    c.users,
                    c.share.to_bits(),
                    c.value_sum.to_bits(),
                )
            })
            .collect()
    }

    proptest! {
        /// Any split of any permutation, merged in any order and through bytes, gives
        /// bit-identical cells; every encoding prefix is malformed.
        #[test]
        fn merge_of_any_split_equals_one_shot(
            rows in rows(),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        ) {
            let mut whole = MatrixState::new();
            push_all(&mut whole, &rows);

            let mut shuffled = rows.clone();
            shuffled.sort_by_key(|r| r.3);
            let mut cuts: Vec<usize> =
                cuts.iter().map(|c| c.index(shuffled.len() + 1)).collect();
            cuts.push(0);
            cuts.push(shuffled.len());
            cuts.sort();
            let mut parts: Vec<MatrixState> = cuts
                .windows(2)
                .map(|w| {
                    let mut s = MatrixState::new();
                    push_all(&mut s, &shuffled[w[0]..w[1]]);
                    MatrixState::decode(&s.encode()).unwrap()
                })
                .collect();
            parts.reverse();
            let mut merged = MatrixState::new();
            for p in parts {
                merged.merge(p).unwrap();
            }
            prop_assert_eq!(&merged, &whole);
            prop_assert_eq!(bits(&merged.cells()), bits(&whole.cells()));
            prop_assert_eq!(merged.encode(), whole.encode());

            let bytes = whole.encode();
            prop_assert_eq!(MatrixState::decode(&bytes).unwrap(), whole.clone());
            for n in 0..bytes.len() {
                prop_assert_eq!(
                    MatrixState::decode(&bytes[..n]).unwrap_err().kind,
                    ErrorKind::Malformed
                );
            }
        }

        /// Against a naive oracle: counts per cell, and for values that are multiples of
        /// 2^-10 the exact sum computed with integers and rounded once.
        #[test]
        fn cells_match_a_naive_oracle(
            rows in prop::collection::vec(
                (0u8..8, 1i32..8, prop::option::of(-(1i64 << 60)..(1i64 << 60))),
                0..40,
            ),
        ) {
            let mut s = MatrixState::new();
            for &(g, sc, m) in &rows {
                let v = m.map(|m| m as f64 / 1024.0);
                s.push(&char::from(b'A' + g).to_string(), sc, v).unwrap();
            }
            let cells = s.cells();
            let max_g = rows.iter().map(|r| r.0 + 1).max().unwrap_or(0).max(6);
            let max_s = rows.iter().map(|r| r.1).max().unwrap_or(0).max(5);
            prop_assert_eq!(cells.len(), usize::from(max_g) * max_s as usize);
            for (i, c) in cells.iter().enumerate() {
                let g = (i / max_s as usize) as u8;
                let sc = max_s - (i % max_s as usize) as i32;
                prop_assert_eq!(c.grade, char::from(b'A' + g));
                prop_assert_eq!(c.score, sc);
                let mine: Vec<_> = rows.iter().filter(|r| r.0 == g && r.1 == sc).collect();
                prop_assert_eq!(c.users, mine.len() as i64);
                let exact: i128 = mine
                    .iter()
                    .filter_map(|r| r.2)
                    .map(|m| {
                        // the f64 actually pushed, back to units of 2^-10
                        ((m as f64 / 1024.0) * 1024.0) as i128
                    })
                    .sum();
                prop_assert_eq!(c.value_sum.to_bits(), ((exact as f64) / 1024.0).to_bits());
                let share = if rows.is_empty() { 0.0 } else { mine.len() as f64 / rows.len() as f64 };
                prop_assert_eq!(c.share, share);
            }
        }
    }
}
