//! Exact `numeric` sums for per-user states (`rfm_agg`'s monetary, `holding_agg`'s invested
//! and redeemed): fixed point in the state while the sum fits ([`DecimalSum`]: no allocation
//! and no call into PostgreSQL per row), PostgreSQL's own numeric arithmetic from the first
//! value or sum that does not fit. Either way the answer is `sum(numeric)`'s, display scale
//! included.

use crate::pg::{any_numeric, numeric_datum, NumericArg};
use pg_operations_core::codec::{Reader, Writer};
use pg_operations_core::decimal::{write_numeric, DecimalSum, Num};
use pg_operations_core::{OpsError, OpsResult};
use pgrx::{pg_sys, AnyNumeric, IntoDatum};

/// A non-empty exact sum of `numeric` values.
#[derive(Debug, Clone)]
pub enum NumericSum {
    Fixed(DecimalSum),
    Any(AnyNumeric),
}

fn to_any(v: Num) -> AnyNumeric {
    any_numeric(&write_numeric(v).expect("a sum's value has a storage format"))
}

impl NumericSum {
    /// The sum of one value.
    pub fn of(v: NumericArg<'_>) -> NumericSum {
        match DecimalSum::of(v.value()) {
            Some(s) => NumericSum::Fixed(s),
            None => NumericSum::Any(v.any()),
        }
    }

    /// `sum + v`, `v` added to `sum` (`None`: the sum of `v` alone).
    pub fn add_to(sum: &mut Option<NumericSum>, v: NumericArg<'_>) {
        match sum {
            None => *sum = Some(NumericSum::of(v)),
            Some(NumericSum::Fixed(s)) => {
                if !s.add(v.value()) {
                    *sum = Some(NumericSum::Any(to_any(s.value()) + v.any()));
                }
            }
            Some(NumericSum::Any(a)) => *a = a.clone() + v.any(),
        }
    }

    /// Folds `other` into `sum`.
    pub fn merge_into(sum: &mut Option<NumericSum>, other: Option<NumericSum>) {
        let Some(other) = other else { return };
        *sum = Some(match (sum.take(), other) {
            (None, o) => o,
            (Some(NumericSum::Fixed(mut a)), NumericSum::Fixed(b)) => {
                if a.merge(&b) {
                    NumericSum::Fixed(a)
                } else {
                    NumericSum::Any(to_any(a.value()) + to_any(b.value()))
                }
            }
            (Some(a), b) => NumericSum::Any(a.any() + b.any()),
        });
    }

    /// The value, when the sum is in fixed point.
    pub fn fixed(&self) -> Option<Num> {
        match self {
            NumericSum::Fixed(s) => Some(s.value()),
            NumericSum::Any(_) => None,
        }
    }

    /// The sum as an `AnyNumeric` (a copy).
    pub fn any(&self) -> AnyNumeric {
        match self {
            NumericSum::Fixed(s) => to_any(s.value()),
            NumericSum::Any(a) => a.clone(),
        }
    }

    /// The sum as a `numeric` datum (in the current memory context).
    pub fn datum(&self) -> pg_sys::Datum {
        match self {
            NumericSum::Fixed(s) => numeric_datum(&write_numeric(s.value()).expect("a value")),
            NumericSum::Any(a) => a.clone().into_datum().expect("a numeric datum"),
        }
    }

    pub fn encode(sum: &Option<NumericSum>, w: &mut Writer) {
        match sum {
            None => {
                w.u8(0);
            }
            Some(NumericSum::Fixed(s)) => {
                w.u8(2);
                s.encode(w);
            }
            Some(NumericSum::Any(a)) => {
                w.u8(1).str(&a.to_string());
            }
        }
    }

    pub fn decode(r: &mut Reader<'_>, bad: impl Fn() -> OpsError) -> OpsResult<Option<NumericSum>> {
        Ok(match r.u8()? {
            0 => None,
            1 => Some(NumericSum::Any(
                AnyNumeric::try_from(r.str()?.as_str()).map_err(|_| bad())?,
            )),
            2 => Some(NumericSum::Fixed(DecimalSum::decode(r)?)),
            _ => return Err(bad()),
        })
    }
}

/// A numeric datum for a value of the core's (the storage format written directly).
pub fn num_datum(v: Num) -> pg_sys::Datum {
    numeric_datum(&write_numeric(v).expect("a finite or special value"))
}
