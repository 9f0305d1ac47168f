//! The aggregate `lifecycle_stage(ts, converted, as_of, ...)`: [`LifecycleState`] and its
//! fixed-size [`PartialState`] form.

use super::rules::{check_as_of, classify, Stage, Thresholds};
use crate::codec::{Reader, Writer};
use crate::error::{OpsError, OpsResult};
use crate::state::PartialState;
use crate::time::{fmt_ts, is_infinite};

const LIFECYCLE_TAG: u8 = b'L';

/// Aggregate state of `lifecycle_stage(ts, converted, as_of, ...)` over one user's events.
///
/// Events after `as_of` are ignored. Keeps the first event (the registration), the first
/// converted event, and the two latest *distinct* event timestamps, all of which merge
/// exactly and order-independently. NULL timestamps are the caller's to skip; a NULL
/// `converted` should be passed as `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleState {
    as_of: i64,
    thresholds: Thresholds,
    // The four timestamps, [`ABSENT`] when not seen: 64 bytes in all, so a GROUP BY over
    // millions of users keeps its states small (the aggregate allocates one per group).
    first: i64,
    first_conversion: i64,
    last: i64,
    previous: i64,
    /// The explicit registration time ([`LifecycleState::with_registration`]); [`ABSENT`]
    /// when the first event is the registration.
    registered: i64,
}

/// "Not seen": every kept timestamp is at or before the finite `as_of`, so never `i64::MAX`
/// (`+infinity`). It is also the identity of `min`.
const ABSENT: i64 = i64::MAX;

fn present(v: i64) -> Option<i64> {
    (v != ABSENT).then_some(v)
}

impl LifecycleState {
    /// An empty state; errors on infinite `as_of` or invalid thresholds.
    pub fn new(as_of: i64, thresholds: Thresholds) -> OpsResult<Self> {
        check_as_of(as_of)?;
        thresholds.validate()?;
        Ok(LifecycleState {
            as_of,
            thresholds,
            first: ABSENT,
            first_conversion: ABSENT,
            last: ABSENT,
            previous: ABSENT,
            registered: ABSENT,
        })
    }

    /// An empty state whose registration is `registered_at` (the same on every row of the
    /// group) instead of the first event. Infinite `registered_at` is reported by
    /// [`LifecycleState::finish`] (as inconsistent data).
    pub fn with_registration(
        as_of: i64,
        thresholds: Thresholds,
        registered_at: i64,
    ) -> OpsResult<Self> {
        let mut s = LifecycleState::new(as_of, thresholds)?;
        // i64::MAX (+infinity) is ABSENT: keep it distinguishable as "explicit, infinite".
        s.registered = registered_at.min(i64::MAX - 1);
        Ok(s)
    }

    /// The explicit registration time, if the state has one.
    pub fn registered_at(&self) -> Option<i64> {
        present(self.registered).map(|r| if r == i64::MAX - 1 { i64::MAX } else { r })
    }

    pub fn as_of(&self) -> i64 {
        self.as_of
    }

    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Adds one event; events after `as_of` are ignored.
    #[inline]
    pub fn push(&mut self, ts: i64, converted: bool) {
        if ts > self.as_of {
            return;
        }
        self.first = self.first.min(ts);
        if converted {
            self.first_conversion = self.first_conversion.min(ts);
        }
        self.note_latest(ts);
    }

    /// Keeps `last` and `previous` the two largest distinct timestamps seen (`ts` is not
    /// [`ABSENT`]).
    #[inline]
    fn note_latest(&mut self, ts: i64) {
        if self.last == ABSENT {
            self.last = ts;
        } else if ts > self.last {
            self.previous = self.last;
            self.last = ts;
        } else if ts < self.last && (self.previous == ABSENT || ts > self.previous) {
            self.previous = ts;
        }
    }

    /// The stage: the scalar rules on (first event, first converted event, last event),
    /// with `Reactivated` inserted after the `New` rule — a converted user whose last event
    /// came more than `churn_days` after the previous distinct event (`last − previous >
    /// churn_days`) and is within `dormant_days` of `as_of` (`as_of − last <= dormant_days`).
    /// `None` when no event is at or before `as_of`. Errors when the first event is
    /// `-infinity`.
    pub fn finish(&self) -> OpsResult<Option<Stage>> {
        if let Some(registered) = self.registered_at() {
            return self.finish_registered(registered);
        }
        let (Some(first), Some(last)) = (present(self.first), present(self.last)) else {
            return Ok(None);
        };
        if is_infinite(first) {
            if self.thresholds.lenient {
                return Ok(None);
            }
            return Err(OpsError::invalid(format!(
                "event timestamps must be finite, got {}",
                fmt_ts(first)
            )));
        }
        Ok(Some(classify(
            first,
            present(self.first_conversion),
            Some(last),
            present(self.previous),
            self.as_of,
            &self.thresholds,
        )))
    }

    /// [`LifecycleState::finish`] with an explicit registration: `None` when registered after
    /// `as_of`; an event before the registration (or an infinite registration) is
    /// inconsistent data: error, or `None` when lenient. Without any event at or before
    /// `as_of` the user is classified from the registration alone.
    fn finish_registered(&self, registered: i64) -> OpsResult<Option<Stage>> {
        let issue =
            super::rules::registration_issue(registered, &[("an event", present(self.first))]);
        if let Some(issue) = issue {
            return if self.thresholds.lenient {
                Ok(None)
            } else {
                Err(OpsError::invalid(issue))
            };
        }
        if registered > self.as_of {
            return Ok(None);
        }
        Ok(Some(classify(
            registered,
            present(self.first_conversion),
            present(self.last),
            present(self.previous),
            self.as_of,
            &self.thresholds,
        )))
    }
}

impl PartialState for LifecycleState {
    /// Combines two partial states; errors when they were built with different `as_of` or
    /// thresholds (those must be the same for every row of a group).
    fn merge(&mut self, other: LifecycleState) -> OpsResult<()> {
        if self.as_of != other.as_of || self.thresholds != other.thresholds {
            return Err(OpsError::invalid(format!(
                "as_of and the day thresholds must be the same for every row of a group, got \
                 as_of {} with {} and as_of {} with {}",
                fmt_ts(self.as_of),
                self.thresholds,
                fmt_ts(other.as_of),
                other.thresholds
            )));
        }
        if self.registered != other.registered {
            let show = |r: Option<i64>| r.map_or("none".to_string(), fmt_ts);
            return Err(OpsError::invalid(format!(
                "registered_at must be the same for every row of a group, got {} and {}",
                show(self.registered_at()),
                show(other.registered_at())
            )));
        }
        self.first = self.first.min(other.first);
        self.first_conversion = self.first_conversion.min(other.first_conversion);
        for ts in [other.last, other.previous].into_iter().filter_map(present) {
            self.note_latest(ts);
        }
        Ok(())
    }

    /// The compact binary form in which a partial state crosses parallel workers (one per
    /// group, so every byte counts), written with the crate's codec: `'L'`, format version,
    /// flags (which timestamps are present, whether the day thresholds are the defaults),
    /// rule flags (new_wins, lenient), the five day thresholds (`i32`, only when not the
    /// defaults), then `as_of` and the present timestamps among first event, latest event,
    /// first converted event, previous distinct event and the explicit registration (`i64`),
    /// all little-endian: 12 to 72 bytes ([`MAX_LEN`]), 36 or 44 for a typical user.
    fn encode(&self) -> Vec<u8> {
        let t = &self.thresholds;
        let mut flags = 0;
        for (v, flag) in [
            (self.first, HAS_EVENTS),
            (self.first_conversion, HAS_CONVERSION),
            (self.previous, HAS_PREVIOUS),
            (self.registered, HAS_REGISTRATION),
        ] {
            if v != ABSENT {
                flags |= flag;
            }
        }
        let days = [
            t.new_days,
            t.dead_days,
            t.dormant_days,
            t.churn_days,
            t.lost_days,
        ];
        let default_days = days
            == [
                Thresholds::DEFAULT.new_days,
                Thresholds::DEFAULT.dead_days,
                Thresholds::DEFAULT.dormant_days,
                Thresholds::DEFAULT.churn_days,
                Thresholds::DEFAULT.lost_days,
            ];
        if default_days {
            flags |= DEFAULT_DAYS;
        }
        let rules = (u8::from(t.new_wins) * NEW_WINS) | (u8::from(t.lenient) * LENIENT);
        let mut w = Writer::new(LIFECYCLE_TAG, CODEC_VERSION);
        w.u8(flags).u8(rules);
        if !default_days {
            for d in days {
                w.i32(d);
            }
        }
        w.i64(self.as_of);
        for v in [
            self.first,
            self.last,
            self.first_conversion,
            self.previous,
            self.registered,
        ] {
            if v != ABSENT {
                w.i64(v);
            }
        }
        let b = w.finish();
        debug_assert!(b.len() <= MAX_LEN);
        b
    }

    /// A state from [`LifecycleState::encode`]. Every field is checked (flags, thresholds,
    /// finite `as_of`, timestamps in order, no trailing bytes), so no byte string makes a
    /// state that misbehaves later; errors are `malformed`.
    fn decode(b: &[u8]) -> OpsResult<Self> {
        if b.len() > MAX_LEN {
            return Err(corrupt(&format!("{} bytes, at most {MAX_LEN}", b.len())));
        }
        let mut r = Reader::new(b, LIFECYCLE_TAG, CODEC_VERSION)?;
        let (flags, rules) = (r.u8()?, r.u8()?);
        let known = HAS_EVENTS | HAS_CONVERSION | HAS_PREVIOUS | HAS_REGISTRATION | DEFAULT_DAYS;
        if flags & !known != 0 || rules & !(NEW_WINS | LENIENT) != 0 {
            return Err(corrupt(&format!("flags {flags:#x} {rules:#x}")));
        }
        let thresholds = if flags & DEFAULT_DAYS != 0 {
            Thresholds {
                new_wins: rules & NEW_WINS != 0,
                lenient: rules & LENIENT != 0,
                ..Thresholds::DEFAULT
            }
        } else {
            Thresholds {
                new_days: r.i32()?,
                dead_days: r.i32()?,
                dormant_days: r.i32()?,
                churn_days: r.i32()?,
                lost_days: r.i32()?,
                new_wins: rules & NEW_WINS != 0,
                lenient: rules & LENIENT != 0,
            }
        };
        let mut time = |present: bool| -> OpsResult<Option<i64>> {
            if !present {
                return Ok(None);
            }
            match r.i64()? {
                ABSENT => Err(corrupt("a timestamp of +infinity")),
                v => Ok(Some(v)),
            }
        };
        let events = flags & HAS_EVENTS != 0;
        let as_of = time(true)?.unwrap_or_default();
        let first = time(events)?;
        let last = time(events)?;
        let first_conversion = time(flags & HAS_CONVERSION != 0)?;
        let previous = time(flags & HAS_PREVIOUS != 0)?;
        let registered = time(flags & HAS_REGISTRATION != 0)?;
        r.finish()?;
        let mut s = LifecycleState::new(as_of, thresholds).map_err(|e| corrupt(&e.message))?;
        let ok = match (first, last) {
            (None, None) => first_conversion.is_none() && previous.is_none(),
            (Some(f), Some(l)) => {
                f <= l
                    && l <= as_of
                    && previous.is_none_or(|p| f <= p && p < l)
                    && first_conversion.is_none_or(|c| f <= c && c <= l)
            }
            _ => false,
        };
        if !ok {
            return Err(corrupt("timestamps out of order"));
        }
        s.first = first.unwrap_or(ABSENT);
        s.first_conversion = first_conversion.unwrap_or(ABSENT);
        s.last = last.unwrap_or(ABSENT);
        s.previous = previous.unwrap_or(ABSENT);
        s.registered = registered.unwrap_or(ABSENT);
        Ok(s)
    }
}

/// Longest binary form of a [`LifecycleState`] ([`PartialState::encode`]): header, days and
/// six timestamps.
pub const MAX_LEN: usize = 4 + 5 * 4 + 6 * 8;
const CODEC_VERSION: u8 = 4;
const HAS_EVENTS: u8 = 1;
const HAS_CONVERSION: u8 = 2;
const HAS_PREVIOUS: u8 = 4;
const HAS_REGISTRATION: u8 = 8;
/// The five day thresholds are [`Thresholds::DEFAULT`]'s and not written.
const DEFAULT_DAYS: u8 = 16;
const NEW_WINS: u8 = 1;
const LENIENT: u8 = 2;

fn corrupt(what: &str) -> OpsError {
    OpsError::malformed(format!("lifecycle state is corrupt: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::lifecycle::stage;
    use crate::lifecycle::testing::*;
    use crate::time::{NEG_INFINITY, POS_INFINITY};
    use proptest::prelude::*;

    fn agg(events: &[(i64, bool)], t: Thresholds) -> Option<Stage> {
        let mut s = LifecycleState::new(AS_OF, t).unwrap();
        for &(ts, c) in events {
            s.push(ts, c);
        }
        s.finish().unwrap()
    }

    #[test]
    fn aggregate_reactivation_hand_worked() {
        use Stage::*;
        let reg = AS_OF - 400 * D;
        // registered and converted 400 days ago, back 5 days ago after a 395-day gap
        assert_eq!(
            agg(&[(reg, true), (AS_OF - 5 * D, false)], T),
            Some(Reactivated)
        );
        // the conversion can be the returning event itself
        assert_eq!(
            agg(&[(reg, false), (AS_OF - 5 * D, true)], T),
            Some(Reactivated)
        );
        // never converted: the gap does not matter
        assert_eq!(
            agg(&[(reg, false), (AS_OF - 5 * D, false)], T),
            Some(Registered)
        );
        // gap exactly churn_days (and a µs / day either side), return 10 days ago
        let last = AS_OF - 10 * D;
        let gap = |g: i64| agg(&[(reg, true), (last - g, false), (last, false)], T).unwrap();
        assert_eq!(around(90 * D).map(gap), [Active, Active, Reactivated]);
        assert_eq!(gap(89 * D), Active);
        assert_eq!(gap(91 * D), Reactivated);
        // last event exactly dormant_days before as_of (and a µs / day either side)
        let back = |l: i64| agg(&[(reg, true), (l, false)], T).unwrap();
        let b = AS_OF - 30 * D;
        assert_eq!(around(b).map(back), [Dormant, Reactivated, Reactivated]);
        assert_eq!(back(b - D), Dormant);
        assert_eq!(back(b + D), Reactivated);
        // duplicates of the latest timestamp: the gap is to the previous distinct event
        let dup = [(reg, true), (AS_OF - D, false), (AS_OF - D, false)];
        assert_eq!(agg(&dup, T), Some(Reactivated));
        // a recent event before the latest closes the gap
        assert_eq!(
            agg(
                &[(reg, true), (AS_OF - 3 * D, false), (AS_OF - D, false)],
                T
            ),
            Some(Active)
        );
        // new wins over reactivated
        let t = Thresholds { new_days: 500, ..T };
        assert_eq!(agg(&[(reg, true), (AS_OF - D, false)], t), Some(New));
        // events after as_of did not happen yet
        assert_eq!(agg(&[(reg, true), (AS_OF + 1, false)], T), Some(Lost));
        assert_eq!(agg(&[(AS_OF + 1, true)], T), None);
        assert_eq!(agg(&[], T), None);
    }

    #[test]
    fn explicit_registration() {
        use Stage::*;
        let reg = AS_OF - 200 * D;
        let run = |t: Thresholds, r: i64, ev: &[(i64, bool)]| {
            let mut s = LifecycleState::with_registration(AS_OF, t, r).unwrap();
            for &(ts, c) in ev {
                s.push(ts, c);
            }
            s.finish()
        };
        // the registration alone
        assert_eq!(run(T, AS_OF - 10 * D, &[]).unwrap(), Some(Registered));
        assert_eq!(run(T, reg, &[]).unwrap(), Some(Dead));
        // first event 50 days ago: new when it is the registration, active when the user
        // registered 200 days ago
        let ev = [(AS_OF - 50 * D, true), (AS_OF - 5 * D, false)];
        assert_eq!(agg(&ev, T), Some(New));
        assert_eq!(run(T, reg, &ev).unwrap(), Some(Active));
        assert_eq!(run(T, AS_OF + 1, &[]).unwrap(), None);
        // an event before the registration: error, or None when lenient
        let e = run(T, reg, &[(reg - 1, false)]).unwrap_err();
        assert!(
            e.message.contains("an event (") && e.message.contains("before registered_at"),
            "{}",
            e.message
        );
        let lenient = Thresholds { lenient: true, ..T };
        assert_eq!(run(lenient, reg, &[(reg - 1, false)]).unwrap(), None);
        assert_eq!(run(lenient, reg, &ev).unwrap(), Some(Active));
        for inf in [POS_INFINITY, NEG_INFINITY] {
            assert!(run(T, inf, &[])
                .unwrap_err()
                .message
                .contains("registered_at"));
            assert_eq!(run(lenient, inf, &[]).unwrap(), None);
        }
        // codec round trip and merge checks
        let mut a = LifecycleState::with_registration(AS_OF, T, reg).unwrap();
        a.push(AS_OF - D, true);
        assert_eq!(LifecycleState::decode(&a.encode()).unwrap(), a);
        let inf = LifecycleState::with_registration(AS_OF, T, POS_INFINITY).unwrap();
        assert_eq!(LifecycleState::decode(&inf.encode()).unwrap(), inf);
        let e = a.merge(LifecycleState::new(AS_OF, T).unwrap()).unwrap_err();
        assert!(
            e.message.contains("registered_at must be the same"),
            "{}",
            e.message
        );
        let mut c = LifecycleState::new(
            AS_OF,
            Thresholds {
                new_wins: false,
                lenient: true,
                ..T
            },
        )
        .unwrap();
        assert_eq!(LifecycleState::decode(&c.encode()).unwrap(), c);
        assert!(c.merge(LifecycleState::new(AS_OF, T).unwrap()).is_err());
    }

    #[test]
    fn aggregate_errors_and_corrupt_states() {
        let mut s = LifecycleState::new(AS_OF, T).unwrap();
        s.push(NEG_INFINITY, false);
        assert!(s.finish().unwrap_err().message.contains("-infinity"));
        s.push(POS_INFINITY, true); // after as_of: ignored
        let other = LifecycleState::new(AS_OF - 1, T).unwrap();
        let m = s.merge(other).unwrap_err().message;
        assert!(
            m.contains("as_of") && m.contains("with new_days 90, dead_days 30, dormant_days 30"),
            "{m}"
        );
        let other = LifecycleState::new(
            AS_OF,
            Thresholds {
                lost_days: 400,
                ..T
            },
        )
        .unwrap();
        assert!(s.merge(other).is_err());

        assert!(LifecycleState::decode(&[b'P', 1]).is_err());
        let good = {
            let mut s = LifecycleState::new(AS_OF, T).unwrap();
            s.push(5, true);
            s.push(7, false);
            s.encode()
        };
        assert!(LifecycleState::decode(&good).is_ok());
        assert!(LifecycleState::decode(&good[..good.len() - 1]).is_err());
        let malformed = |b: &[u8]| LifecycleState::decode(b).unwrap_err().kind;
        // layout: header 0..4, as_of 4..12, first 12..20, last 20..28, conversion 28..36,
        // previous 36..44; previous after last (7)
        assert_eq!(good.len(), 44);
        let mut b = good.clone();
        b[36..44].copy_from_slice(&8i64.to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        // invalid thresholds in a state: dormant_days (bytes 12..16) = churn_days
        let custom = {
            let mut s = LifecycleState::new(
                AS_OF,
                Thresholds {
                    lost_days: 400,
                    ..T
                },
            )
            .unwrap();
            s.push(5, true);
            s.encode()
        };
        assert!(LifecycleState::decode(&custom).is_ok());
        let mut b = custom.clone();
        b[12..16].copy_from_slice(&90i32.to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        // trailing bytes, an unknown flag, +infinity, a flag without its value
        let mut b = good.clone();
        b.push(0);
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        let mut b = good.clone();
        b[2] |= 0x40;
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        let mut b = good.clone();
        b[12..20].copy_from_slice(&i64::MAX.to_le_bytes());
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        let mut b = good.clone();
        b[2] |= HAS_REGISTRATION;
        assert_eq!(malformed(&b), ErrorKind::Malformed);
        assert_eq!(malformed(&[b'L', 4]), ErrorKind::Malformed);
    }

    #[test]
    fn compact_form_layout() {
        // Hand-encoded: default days (not written), as_of, first event 5, latest 7,
        // conversion 5, previous 5.
        let mut s = LifecycleState::new(AS_OF, T).unwrap();
        s.push(7, false);
        s.push(5, true);
        let mut want = vec![b'L', 4, 0x17, 0x01];
        for t in [AS_OF, 5, 7, 5, 5] {
            want.extend_from_slice(&t.to_le_bytes());
        }
        assert_eq!(s.encode(), want);
        assert_eq!(LifecycleState::decode(&want).unwrap(), s);
        // No event yet: only the configuration.
        let empty = LifecycleState::new(AS_OF, T).unwrap();
        let b = empty.encode();
        assert_eq!((b.len(), b[2]), (12, 0x10));
        assert_eq!(LifecycleState::decode(&b).unwrap(), empty);
        // Everything present: the longest form.
        let t = Thresholds {
            lost_days: 400,
            new_wins: false,
            lenient: true,
            ..T
        };
        let mut full = LifecycleState::with_registration(AS_OF, t, 1).unwrap();
        full.push(5, true);
        full.push(7, false);
        let b = full.encode();
        assert_eq!((b.len(), b[3]), (MAX_LEN, LENIENT));
        assert_eq!(LifecycleState::decode(&b).unwrap(), full);
        assert_eq!(std::mem::size_of::<LifecycleState>(), 72);
    }

    fn thresholds() -> impl Strategy<Value = Thresholds> {
        (0i32..200, 0i32..100, 0i32..60, 1i32..100, 1i32..300)
            .prop_map(|(n, d, s, c, l)| Thresholds::new(n, d, s, s + c, s + c + l).unwrap())
    }

    fn events() -> impl Strategy<Value = Vec<(i64, bool, u32)>> {
        // days around as_of (some after it), with µs jitter, plus a shuffle key
        prop::collection::vec(
            (
                -900i64..40,
                prop_oneof![Just(0i64), -2i64..3, 0..D],
                any::<bool>(),
                any::<u32>(),
            ),
            0..25,
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(d, j, c, k)| (AS_OF + d * D + j, c, k))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn aggregate_agrees_with_scalar(evs in events(), t in thresholds()) {
            let plain: Vec<(i64, bool)> = evs.iter().map(|&(ts, c, _)| (ts, c)).collect();
            let got = agg(&plain, t);
            let seen: Vec<&(i64, bool)> = plain.iter().filter(|e| e.0 <= AS_OF).collect();
            let first = seen.iter().map(|e| e.0).min();
            let first_conv = seen.iter().filter(|e| e.1).map(|e| e.0).min();
            let last = seen.iter().map(|e| e.0).max();
            match first {
                None => prop_assert_eq!(got, None),
                Some(first) => {
                    let scalar = stage(first, first_conv, last, AS_OF, &t).unwrap();
                    if got == Some(Stage::Reactivated) {
                        prop_assert_eq!(scalar, Some(Stage::Active));
                    } else {
                        prop_assert_eq!(got, scalar);
                    }
                }
            }
        }

        #[test]
        fn permutation_split_merge_and_serialize_do_not_matter(
            evs in events(),
            t in thresholds(),
            split in 0usize..25,
        ) {
            let plain: Vec<(i64, bool)> = evs.iter().map(|&(ts, c, _)| (ts, c)).collect();
            let mut whole = LifecycleState::new(AS_OF, t).unwrap();
            plain.iter().for_each(|&(ts, c)| whole.push(ts, c));

            let mut shuffled = evs.clone();
            shuffled.sort_by_key(|e| e.2);
            let split = split.min(shuffled.len());
            let mut a = LifecycleState::new(AS_OF, t).unwrap();
            let mut b = LifecycleState::new(AS_OF, t).unwrap();
            shuffled[..split].iter().for_each(|&(ts, c, _)| a.push(ts, c));
            shuffled[split..].iter().for_each(|&(ts, c, _)| b.push(ts, c));
            let a = LifecycleState::decode(&a.encode()).unwrap();
            let mut b = LifecycleState::decode(&b.encode()).unwrap();
            b.merge(a).unwrap();
            prop_assert_eq!(&whole, &b);
            prop_assert_eq!(whole.finish().unwrap(), b.finish().unwrap());
            prop_assert_eq!(LifecycleState::decode(&whole.encode()).unwrap(), whole);
        }
    }
}
