//! Exact sums of PostgreSQL `numeric` values in fixed point.
//!
//! `sum(amount)` over `numeric` must stay exact. Adding through PostgreSQL's numeric
//! arithmetic costs a call, an allocation and a copy per row; a per-user state that does it
//! pays that on every amount. Most amounts are money: a few digits at a scale of 0 to 4. So a
//! value is read from PostgreSQL's storage format ([`read_numeric`]) as an integer times
//! 10^-scale, summed in an `i128` at the largest scale seen ([`DecimalSum`]), and written
//! back in the storage format ([`write_numeric`]) with the scale PostgreSQL's own addition
//! would give (the largest of the inputs'). A value or a sum that does not fit is reported,
//! and the caller goes on with PostgreSQL's arithmetic: exact either way.
//!
//! The storage format (PostgreSQL's `numeric.c`): after the varlena header, a 16-bit word
//! that says which of three layouts follows. Special values (NaN, +/-Infinity) are the word
//! alone. The short layout packs the sign, the display scale (0-63) and the weight (-64-63)
//! into it; the long one has the sign and scale in it and the weight in the next 16 bits.
//! Then base-10000 digits (16 bits each), the first of weight `weight`, with no leading or
//! trailing zero digits; a zero has none.

use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};

const SIGN_MASK: u16 = 0xC000;
const NEG: u16 = 0x4000;
const SHORT: u16 = 0x8000;
const SPECIAL: u16 = 0xC000;
const EXT_SIGN_MASK: u16 = 0xF000;
const NAN: u16 = 0xC000;
const PINF: u16 = 0xD000;
const NINF: u16 = 0xF000;
const SHORT_SIGN_MASK: u16 = 0x2000;
const SHORT_DSCALE_MASK: u16 = 0x1F80;
const SHORT_DSCALE_SHIFT: u16 = 7;
const SHORT_DSCALE_MAX: u16 = SHORT_DSCALE_MASK >> SHORT_DSCALE_SHIFT;
const SHORT_WEIGHT_SIGN_MASK: u16 = 0x0040;
const SHORT_WEIGHT_MASK: u16 = 0x003F;
const SHORT_WEIGHT_MAX: i32 = SHORT_WEIGHT_MASK as i32;
const SHORT_WEIGHT_MIN: i32 = -(SHORT_WEIGHT_MASK as i32) - 1;
const DSCALE_MASK: u16 = 0x3FFF;
/// Decimal digits per base-10000 digit.
const DEC_DIGITS: i32 = 4;

/// A `numeric` value as read from its storage format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Num {
    /// `unscaled * 10^-scale`, `scale` the value's display scale.
    Finite {
        unscaled: i128,
        scale: u16,
    },
    NaN,
    PosInf,
    NegInf,
    /// A finite value that does not fit in an `i128` at its display scale (its sign).
    Wide {
        negative: bool,
    },
}

impl Num {
    /// Whether the value is below zero (NaN is not: PostgreSQL orders it above every value).
    pub fn is_negative(self) -> bool {
        match self {
            Num::Finite { unscaled, .. } => unscaled < 0,
            Num::NegInf => true,
            Num::Wide { negative } => negative,
            Num::NaN | Num::PosInf => false,
        }
    }
}

/// 10^e as an `i128`, for e in 0..=38.
fn pow10(e: u32) -> Option<i128> {
    10i128.checked_pow(e)
}

/// The value whose storage format (the bytes after the varlena header) is `data`; `None`
/// when `data` is not a valid numeric.
pub fn read_numeric(data: &[u8]) -> Option<Num> {
    let word = |i: usize| -> Option<u16> {
        Some(u16::from_ne_bytes(data.get(i..i + 2)?.try_into().ok()?))
    };
    let head = word(0)?;
    let (negative, scale, weight, digits_at) = match head & SIGN_MASK {
        SPECIAL => {
            return match head & EXT_SIGN_MASK {
                NAN => Some(Num::NaN),
                PINF => Some(Num::PosInf),
                NINF => Some(Num::NegInf),
                _ => None,
            }
        }
        SHORT => {
            let low = head & SHORT_WEIGHT_MASK;
            let weight = if head & SHORT_WEIGHT_SIGN_MASK != 0 {
                i32::from(low) + SHORT_WEIGHT_MIN
            } else {
                i32::from(low)
            };
            (
                head & SHORT_SIGN_MASK != 0,
                (head & SHORT_DSCALE_MASK) >> SHORT_DSCALE_SHIFT,
                weight,
                2,
            )
        }
        sign => (
            sign == NEG,
            head & DSCALE_MASK,
            i32::from(word(2)? as i16),
            4,
        ),
    };
    let digits = data.get(digits_at..)?;
    if digits.len() % 2 != 0 {
        return None;
    }
    let wide = Some(Num::Wide { negative });
    let mut unscaled: i128 = 0;
    for (i, d) in digits.chunks_exact(2).enumerate() {
        let d = u16::from_ne_bytes([d[0], d[1]]);
        if d >= 10000 {
            return None;
        }
        if d == 0 {
            continue;
        }
        // This digit's power of ten in the unscaled integer.
        let e = DEC_DIGITS * (weight - i as i32) + i32::from(scale);
        let term = if e >= 0 {
            let Some(p) = u32::try_from(e).ok().and_then(pow10) else {
                return wide;
            };
            match i128::from(d).checked_mul(p) {
                Some(t) => t,
                None => return wide,
            }
        } else {
            // Digits below the display scale are zero in a value PostgreSQL made; anything
            // else is left to PostgreSQL's own arithmetic.
            let p = match pow10(e.unsigned_abs()) {
                Some(p) if e > -DEC_DIGITS => p,
                _ => return wide,
            };
            if i128::from(d) % p != 0 {
                return wide;
            }
            i128::from(d) / p
        };
        unscaled = match unscaled.checked_add(term) {
            Some(u) => u,
            None => return wide,
        };
    }
    Some(Num::Finite {
        unscaled: if negative { -unscaled } else { unscaled },
        scale,
    })
}

/// The storage format (without the varlena header) of a finite value, or of a special one,
/// as PostgreSQL's `make_result` writes it (`None` for [`Num::Wide`], which has no digits
/// here).
pub fn write_numeric(n: Num) -> Option<Vec<u8>> {
    let (unscaled, scale) = match n {
        Num::Finite { unscaled, scale } => (unscaled, scale),
        Num::NaN => return Some(NAN.to_ne_bytes().to_vec()),
        Num::PosInf => return Some(PINF.to_ne_bytes().to_vec()),
        Num::NegInf => return Some(NINF.to_ne_bytes().to_vec()),
        Num::Wide { .. } => return None,
    };
    if scale > DSCALE_MASK {
        return None;
    }
    // The decimal digits, split at the decimal point and padded to whole base-10000 digits.
    let text = unscaled.unsigned_abs().to_string();
    let s = usize::from(scale);
    let text = if text.len() <= s {
        format!("{}{text}", "0".repeat(s + 1 - text.len()))
    } else {
        text
    };
    let (int, frac) = text.split_at(text.len() - s);
    let d = DEC_DIGITS as usize;
    let int_pad = (d - int.len() % d) % d;
    let frac_pad = (d - frac.len() % d) % d;
    let all = format!("{}{int}{frac}{}", "0".repeat(int_pad), "0".repeat(frac_pad));
    let mut digits: Vec<u16> = all
        .as_bytes()
        .chunks(d)
        .map(|c| c.iter().fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0')))
        .collect();
    let mut weight = ((int_pad + int.len()) / d) as i32 - 1;
    let lead = digits.iter().take_while(|&&x| x == 0).count();
    digits.drain(..lead);
    weight -= lead as i32;
    while digits.last() == Some(&0) {
        digits.pop();
    }
    let negative = unscaled < 0 && !digits.is_empty();
    if digits.is_empty() {
        weight = 0;
    }
    let mut out = Vec::with_capacity(4 + 2 * digits.len());
    if scale <= SHORT_DSCALE_MAX && (SHORT_WEIGHT_MIN..=SHORT_WEIGHT_MAX).contains(&weight) {
        let head = if negative {
            SHORT | SHORT_SIGN_MASK
        } else {
            SHORT
        } | (scale << SHORT_DSCALE_SHIFT)
            | if weight < 0 {
                SHORT_WEIGHT_SIGN_MASK
            } else {
                0
            }
            | (weight as u16 & SHORT_WEIGHT_MASK);
        out.extend_from_slice(&head.to_ne_bytes());
    } else {
        let head = if negative { NEG } else { 0 } | scale;
        out.extend_from_slice(&head.to_ne_bytes());
        out.extend_from_slice(&(weight as i16).to_ne_bytes());
    }
    for x in digits {
        out.extend_from_slice(&x.to_ne_bytes());
    }
    Some(out)
}

/// An exact sum of `numeric` values while it fits in an `i128` at the largest scale added:
/// what PostgreSQL's `sum(numeric)` gives, with the same display scale. Special values are
/// kept as flags (NaN absorbs everything; +Infinity and -Infinity together make NaN).
///
/// The `i128` is kept as two words, so that a state holding a sum needs no more than 8-byte
/// alignment (what PostgreSQL's allocations give).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecimalSum {
    lo: u64,
    hi: u64,
    scale: u16,
    nan: bool,
    pos_inf: bool,
    neg_inf: bool,
}

/// Codec tag of a [`DecimalSum`] (core states use 1 .. 20).
const DECIMAL_TAG: u8 = 19;

impl DecimalSum {
    /// The sum of no value (0 at scale 0; a caller that needs "no value" keeps that itself).
    pub fn new() -> DecimalSum {
        DecimalSum::default()
    }

    /// The sum of one value; `None` for a [`Num::Wide`].
    pub fn of(v: Num) -> Option<DecimalSum> {
        let mut s = DecimalSum::new();
        s.add(v).then_some(s)
    }

    /// Adds `v`; `false`, and the sum unchanged, when `v` or the sum would not fit (the
    /// caller then adds with PostgreSQL's arithmetic from [`DecimalSum::value`] on).
    #[must_use]
    pub fn add(&mut self, v: Num) -> bool {
        match v {
            Num::Finite { unscaled, scale } => self.add_fixed(unscaled, scale),
            Num::NaN => {
                self.nan = true;
                true
            }
            Num::PosInf => {
                self.pos_inf = true;
                true
            }
            Num::NegInf => {
                self.neg_inf = true;
                true
            }
            Num::Wide { .. } => false,
        }
    }

    fn unscaled(&self) -> i128 {
        (u128::from(self.hi) << 64 | u128::from(self.lo)) as i128
    }

    fn set(&mut self, unscaled: i128, scale: u16) {
        (self.lo, self.hi, self.scale) = (
            unscaled as u128 as u64,
            (unscaled as u128 >> 64) as u64,
            scale,
        );
    }

    fn add_fixed(&mut self, unscaled: i128, scale: u16) -> bool {
        let up = |v: i128, from: u16, to: u16| pow10(u32::from(to - from))?.checked_mul(v);
        let to = self.scale.max(scale);
        let (Some(a), Some(b)) = (up(self.unscaled(), self.scale, to), up(unscaled, scale, to))
        else {
            return false;
        };
        let Some(sum) = a.checked_add(b) else {
            return false;
        };
        self.set(sum, to);
        true
    }

    /// Adds another sum; `false`, and this one unchanged, when the result would not fit.
    #[must_use]
    pub fn merge(&mut self, other: &DecimalSum) -> bool {
        let mut next = *self;
        if !next.add_fixed(other.unscaled(), other.scale) {
            return false;
        }
        next.nan |= other.nan;
        next.pos_inf |= other.pos_inf;
        next.neg_inf |= other.neg_inf;
        *self = next;
        true
    }

    /// The sum's value.
    pub fn value(&self) -> Num {
        if self.nan || (self.pos_inf && self.neg_inf) {
            Num::NaN
        } else if self.pos_inf {
            Num::PosInf
        } else if self.neg_inf {
            Num::NegInf
        } else {
            Num::Finite {
                unscaled: self.unscaled(),
                scale: self.scale,
            }
        }
    }

    pub fn encode(&self, w: &mut Writer) {
        let mut inner = Writer::new(DECIMAL_TAG, 1);
        inner
            .u64(self.lo)
            .u64(self.hi)
            .u32(u32::from(self.scale))
            .u8(u8::from(self.nan) | u8::from(self.pos_inf) << 1 | u8::from(self.neg_inf) << 2);
        w.bytes(&inner.finish());
    }

    pub fn decode(r: &mut Reader<'_>) -> OpsResult<DecimalSum> {
        let bad = || OpsError::malformed("numeric sum is truncated or corrupt");
        let mut inner = Reader::new(r.bytes()?, DECIMAL_TAG, 1)?;
        let (lo, hi) = (inner.u64()?, inner.u64()?);
        let scale = u16::try_from(inner.u32()?)
            .ok()
            .filter(|&s| s <= DSCALE_MASK)
            .ok_or_else(bad)?;
        let flags = inner.u8()?;
        inner.finish()?;
        if flags > 7 {
            return Err(bad());
        }
        Ok(DecimalSum {
            lo,
            hi,
            scale,
            nan: flags & 1 != 0,
            pos_inf: flags & 2 != 0,
            neg_inf: flags & 4 != 0,
        })
    }
}

/// `a - b` at the larger scale (PostgreSQL's `numeric_sub` scale) and how `a` compares with
/// `b`, when both are finite and the difference fits; `None` otherwise (the caller then asks
/// PostgreSQL).
pub fn sub_cmp(a: Num, b: Num) -> Option<(Num, std::cmp::Ordering)> {
    let (
        Num::Finite {
            unscaled: x,
            scale: sx,
        },
        Num::Finite {
            unscaled: y,
            scale: sy,
        },
    ) = (a, b)
    else {
        return None;
    };
    let to = sx.max(sy);
    let x = pow10(u32::from(to - sx))?.checked_mul(x)?;
    let y = pow10(u32::from(to - sy))?.checked_mul(y)?;
    Some((
        Num::Finite {
            unscaled: x.checked_sub(y)?,
            scale: to,
        },
        x.cmp(&y),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Storage bytes of PostgreSQL values, as `SELECT numeric_send`-independent literals:
    /// taken from `make_result`'s rules by hand.
    fn short(neg: bool, scale: u16, weight: i32, digits: &[u16]) -> Vec<u8> {
        let head = if neg { SHORT | SHORT_SIGN_MASK } else { SHORT }
            | (scale << SHORT_DSCALE_SHIFT)
            | if weight < 0 {
                SHORT_WEIGHT_SIGN_MASK
            } else {
                0
            }
            | (weight as u16 & SHORT_WEIGHT_MASK);
        let mut v = head.to_ne_bytes().to_vec();
        for d in digits {
            v.extend_from_slice(&d.to_ne_bytes());
        }
        v
    }

    fn fin(unscaled: i128, scale: u16) -> Num {
        Num::Finite { unscaled, scale }
    }

    #[test]
    fn hand_worked_values() {
        // 900.00: one digit 900 of weight 0, scale 2.
        let v = short(false, 2, 0, &[900]);
        assert_eq!(read_numeric(&v), Some(fin(90000, 2)));
        assert_eq!(write_numeric(fin(90000, 2)).unwrap(), v);
        // 1.5 (scale 1): digits 1, 5000.
        let v = short(false, 1, 0, &[1, 5000]);
        assert_eq!(read_numeric(&v), Some(fin(15, 1)));
        assert_eq!(write_numeric(fin(15, 1)).unwrap(), v);
        // -0.0012 (scale 4): one digit 12 of weight -1.
        let v = short(true, 4, -1, &[12]);
        assert_eq!(read_numeric(&v), Some(fin(-12, 4)));
        assert_eq!(write_numeric(fin(-12, 4)).unwrap(), v);
        // 12345678 (scale 0): digits 1234, 5678 of weights 1, 0.
        let v = short(false, 0, 1, &[1234, 5678]);
        assert_eq!(read_numeric(&v), Some(fin(12345678, 0)));
        assert_eq!(write_numeric(fin(12345678, 0)).unwrap(), v);
        // 10000 (scale 0): digit 1 of weight 1 (trailing zero digits are not stored).
        let v = short(false, 0, 1, &[1]);
        assert_eq!(read_numeric(&v), Some(fin(10000, 0)));
        assert_eq!(write_numeric(fin(10000, 0)).unwrap(), v);
        // 0.00 (scale 2): no digits, weight 0, positive.
        let v = short(false, 2, 0, &[]);
        assert_eq!(read_numeric(&v), Some(fin(0, 2)));
        assert_eq!(write_numeric(fin(0, 2)).unwrap(), v);
        // Specials.
        assert_eq!(read_numeric(&NAN.to_ne_bytes()), Some(Num::NaN));
        assert_eq!(read_numeric(&PINF.to_ne_bytes()), Some(Num::PosInf));
        assert_eq!(read_numeric(&NINF.to_ne_bytes()), Some(Num::NegInf));
        assert_eq!(write_numeric(Num::NegInf).unwrap(), NINF.to_ne_bytes());
        // The long layout: scale 70 (beyond the short one's 63), value 1.
        let mut v = 70u16.to_ne_bytes().to_vec();
        v.extend_from_slice(&0i16.to_ne_bytes());
        v.extend_from_slice(&1u16.to_ne_bytes());
        assert_eq!(read_numeric(&v), Some(Num::Wide { negative: false }));
        let mut v = (NEG | 3).to_ne_bytes().to_vec();
        v.extend_from_slice(&0i16.to_ne_bytes());
        v.extend_from_slice(&[7u16.to_ne_bytes(), 1000u16.to_ne_bytes()].concat());
        assert_eq!(read_numeric(&v), Some(fin(-7100, 3)));
        // A scale above 63 needs the long layout: 5e-70 is the digit 500 of weight -18.
        let w = write_numeric(fin(5, 70)).unwrap();
        let mut v = 70u16.to_ne_bytes().to_vec();
        v.extend_from_slice(&(-18i16).to_ne_bytes());
        v.extend_from_slice(&500u16.to_ne_bytes());
        assert_eq!(w, v);
        assert_eq!(read_numeric(&w), Some(fin(5, 70)));
        let w = write_numeric(fin(10i128.pow(30), 0)).unwrap();
        assert_eq!(w, short(false, 0, 7, &[100]));
        // 1e300 does not fit: reported, not wrapped.
        assert_eq!(
            read_numeric(&short(false, 0, 63, &[1])),
            Some(Num::Wide { negative: false })
        );
        // Malformed: a digit of 10000, an odd length, an unknown special.
        assert_eq!(read_numeric(&short(false, 0, 0, &[10000])), None);
        assert_eq!(read_numeric(&[0x00, 0x80, 0x01]), None);
        assert_eq!(read_numeric(&0xE000u16.to_ne_bytes()), None);
        assert_eq!(read_numeric(&[0x00]), None);
    }

    #[test]
    fn sums_follow_postgresql() {
        let mut s = DecimalSum::new();
        assert!(s.add(fin(90000, 2))); // 900.00
        assert!(s.add(fin(15, 1))); // 1.5
        assert!(s.add(fin(-12, 4))); // -0.0012
        assert_eq!(s.value(), fin(9014988, 4)); // 901.4988
        assert!(s.add(Num::PosInf));
        assert_eq!(s.value(), Num::PosInf);
        assert!(s.add(Num::NegInf));
        assert_eq!(s.value(), Num::NaN);
        let mut big = DecimalSum::of(fin(i128::MAX, 0)).unwrap();
        let before = big;
        assert!(!big.add(fin(1, 0)));
        assert!(!big.add(fin(1, 1))); // rescaling i128::MAX overflows
        assert!(!big.add(Num::Wide { negative: true }));
        assert_eq!(big, before);
        assert_eq!(
            sub_cmp(fin(15, 1), fin(200, 2)),
            Some((fin(-50, 2), std::cmp::Ordering::Less))
        );
        assert_eq!(sub_cmp(Num::NaN, fin(1, 0)), None);
    }

    proptest! {
        #[test]
        fn storage_round_trips(unscaled in any::<i64>(), wide in any::<bool>(), scale in 0u16..80) {
            let unscaled = if wide { i128::from(unscaled) * 1_000_000_007 } else { i128::from(unscaled) };
            let n = fin(unscaled, scale);
            let bytes = write_numeric(n).unwrap();
            prop_assert_eq!(read_numeric(&bytes), Some(n));
        }

        #[test]
        fn sums_are_exact(values in proptest::collection::vec((-10_000_000i64..10_000_000, 0u16..7), 0..40),
                          split in 0usize..40) {
            // The exact sum at the largest scale, by hand in i128.
            let to = values.iter().map(|v| v.1).max().unwrap_or(0);
            let exact: i128 = values.iter().map(|&(u, s)| i128::from(u) * 10i128.pow(u32::from(to - s))).sum();
            let mut one = DecimalSum::new();
            for &(u, s) in &values {
                prop_assert!(one.add(fin(i128::from(u), s)));
            }
            prop_assert_eq!(one.value(), fin(exact, to));
            // Two partial sums merged: the same.
            let split = split.min(values.len());
            let (mut a, mut b) = (DecimalSum::new(), DecimalSum::new());
            for &(u, s) in &values[..split] { prop_assert!(a.add(fin(i128::from(u), s))); }
            for &(u, s) in &values[split..] { prop_assert!(b.add(fin(i128::from(u), s))); }
            prop_assert!(a.merge(&b));
            prop_assert_eq!(a.value(), one.value());
            // Through the codec.
            let mut w = Writer::new(1, 1);
            a.encode(&mut w);
            let bytes = w.finish();
            let mut r = Reader::new(&bytes, 1, 1).unwrap();
            prop_assert_eq!(DecimalSum::decode(&mut r).unwrap(), a);
        }
    }
}
