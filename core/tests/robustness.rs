//! Robustness properties over every aggregate state of the core, plus the monotonicity
//! the SQL contract promises.
//!
//! A partial state arrives from a parallel worker as `bytea`; whatever those bytes are
//! (random, truncated, a state of another aggregate, a corrupted length or count), decoding
//! must return an error or a state that can be merged, finished and re-encoded without a
//! panic. The extension turns a panic into an internal error (`XX000`), so this is what
//! keeps corrupt input on the documented `22P02` path.

use pg_operations_core::channel::{quadrant, PriorState};
use pg_operations_core::error::ErrorKind;
use pg_operations_core::funnel::{
    engine::deepest, FunnelConfig, FunnelMode, FunnelSpec, LevelCounts, PopulationFunnel, Row,
    UserFunnel,
};
use pg_operations_core::intent::{IntentConfig, IntentState, IntentWeights};
use pg_operations_core::lifecycle::{stage, LifecycleState, Stage, Thresholds};
use pg_operations_core::quantile::QuantileState;
use pg_operations_core::rfm::{RfmAcc, RfmBreaksState};
use pg_operations_core::stats::{wilson, z_for_confidence};
use pg_operations_core::PartialState;
use proptest::prelude::*;
use std::sync::Arc;

const DAY: i64 = 86_400_000_000;
const HOUR: i64 = 3_600_000_000;

fn mode(text: &str) -> FunnelMode {
    FunnelMode::parse(text).unwrap()
}

/// One valid, non-trivial serialized state of every kind (the raw material for mutations).
fn samples() -> Vec<Vec<u8>> {
    let cfg = FunnelConfig::new(3, HOUR, mode("strict_increase")).unwrap();
    let spec = std::sync::Arc::new(pg_operations_core::funnel::FunnelSpec::plain(cfg));
    let mut user = UserFunnel::new(spec.clone());
    user.push(0, 1, 0);
    user.push(10, 2, 0);
    user.push(i64::MAX, 4, 0);
    let mut keyed = pg_operations_core::funnel::FunnelSpec::plain(cfg);
    keyed.keyed = true;
    let mut user_keyed = UserFunnel::with_property(std::sync::Arc::new(keyed));
    user_keyed.push_full(0, 1, 0, Some(7), Some("ios"));
    user_keyed.push_full(5, 2, 0, Some(7), None);
    let mut pop_id =
        PopulationFunnel::<i64>::new(spec, Some(vec!["a".into(), "b".into(), "c".into()])).unwrap();
    pop_id.push(1, 0, 1, 0, None);
    pop_id.push(1, 5, 2, 0, None);
    pop_id.push(2, 7, 0, 0, None);
    let text_cfg = FunnelConfig::new(2, DAY, mode("strict_order")).unwrap();
    let mut pop_text = PopulationFunnel::<String>::for_events(
        std::sync::Arc::new(pg_operations_core::funnel::FunnelSpec::plain(text_cfg)),
        vec!["x".into(), "y".into()],
        Vec::new(),
    )
    .unwrap();
    pop_text.push_event_str("u1", 0, Some("x"), None);
    pop_text.push_event_str("u2", 3, Some("y"), None);
    pop_text.push_event_str("", 3, None, None);
    let mut levels = LevelCounts::new(vec!["a".into(), "b".into()]).unwrap();
    levels.push(0).unwrap();
    levels.push(2).unwrap();
    let mut q = QuantileState::new(vec![Some(0.25), None, Some(1.0)]).unwrap();
    q.push(3.0);
    q.push(f64::NAN);
    let weights = IntentWeights::from_json(&serde_json::json!({"a": 1.5, "b": -2, "": 0})).unwrap();
    let mut intent = IntentState::new(
        IntentConfig::new(100 * DAY, 14 * DAY, Some(DAY)).unwrap(),
        weights,
    );
    intent.push("a", 99 * DAY).unwrap();
    intent.push("b", 95 * DAY).unwrap();
    intent.push("zzz", 98 * DAY).unwrap();
    let mut acc = RfmAcc::new(100 * DAY).unwrap();
    acc.push(3 * DAY);
    acc.push(i64::MIN);
    let mut breaks = RfmBreaksState::new(4).unwrap();
    breaks.push(Some(1.0), None, Some(f64::INFINITY));
    let mut life = LifecycleState::new(400 * DAY, Thresholds::DEFAULT).unwrap();
    life.push(DAY, false);
    life.push(200 * DAY, true);
    life.push(390 * DAY, false);
    let mut prior = PriorState::new();
    prior.push(100, 10).unwrap();
    prior.push(50, 0).unwrap();
    vec![
        user.encode(),
        user_keyed.encode(),
        pop_id.encode(),
        pop_text.encode(),
        levels.encode(),
        q.encode(),
        intent.encode(),
        acc.encode(),
        breaks.encode(),
        life.encode(),
        prior.encode(),
    ]
}

/// Decodes `bytes` as every kind of state; whatever decodes is merged with a copy of
/// itself, finished and re-encoded (none of which may panic).
fn decode_and_use_all(bytes: &[u8]) {
    if let Ok(mut s) = UserFunnel::decode(bytes) {
        let copy = UserFunnel::decode(&s.encode()).expect("re-encoded state decodes");
        s.merge(copy).expect("merge cannot fail");
        let level = s.finish();
        assert!(level <= s.spec.cfg.nsteps);
    }
    if let Ok(mut s) = PopulationFunnel::<i64>::decode(bytes) {
        let copy = PopulationFunnel::<i64>::decode(&s.encode()).expect("re-encoded state decodes");
        s.merge(copy).expect("merge cannot fail");
        // Rows of a sorted state are checked when evaluated: a corrupt one fails there.
        match s.finish(&mut || {}) {
            Ok(rows) => assert_eq!(rows.len(), s.spec().cfg.nsteps),
            Err(e) => assert_eq!(e.kind, ErrorKind::Malformed, "{}", e.message),
        }
    }
    if let Ok(mut s) = PopulationFunnel::<String>::decode(bytes) {
        let copy =
            PopulationFunnel::<String>::decode(&s.encode()).expect("re-encoded state decodes");
        s.merge(copy).expect("merge cannot fail");
        // Rows of a sorted state are checked when evaluated: a corrupt one fails there.
        match s.finish(&mut || {}) {
            Ok(rows) => assert_eq!(rows.len(), s.spec().cfg.nsteps),
            Err(e) => assert_eq!(e.kind, ErrorKind::Malformed, "{}", e.message),
        }
    }
    if let Ok(mut s) = LevelCounts::decode(bytes) {
        let copy = LevelCounts::decode(&s.encode()).expect("re-encoded state decodes");
        s.merge(copy).expect("merge cannot fail");
        let _ = s.finish();
    }
    if let Ok(mut s) = QuantileState::decode(bytes) {
        let copy = QuantileState::decode(&s.encode()).expect("re-encoded state decodes");
        s.merge(copy).expect("merge cannot fail");
        let _ = s.finish();
    }
    if let Ok(mut s) = IntentState::decode(bytes) {
        let copy = IntentState::decode(&s.encode()).expect("re-encoded state decodes");
        s.merge(copy).expect("merge cannot fail");
        let _ = (s.score(), s.detail());
    }
    if let Ok(mut s) = RfmAcc::decode(bytes) {
        let copy = RfmAcc::decode(&s.encode()).expect("re-encoded state decodes");
        s.merge(copy).expect("same as_of");
        let _ = s.recency_days();
    }
    if let Ok(mut s) = RfmBreaksState::decode(bytes) {
        let copy = RfmBreaksState::decode(&s.encode()).expect("re-encoded state decodes");
        s.merge(copy).expect("same bins");
        let _ = s.finish();
    }
    if let Ok(mut s) = LifecycleState::decode(bytes) {
        let copy = LifecycleState::decode(&s.encode()).expect("re-encoded state decodes");
        let _ = s.merge(copy);
        let _ = s.finish();
    }
    if let Ok(mut s) = PriorState::decode(bytes) {
        let copy = PriorState::decode(&s.encode()).expect("re-encoded state decodes");
        s.merge(copy).expect("merge cannot fail");
        let _ = s.finish();
    }
}

#[test]
fn samples_decode_and_round_trip() {
    for bytes in samples() {
        decode_and_use_all(&bytes);
    }
    // Every prefix of every sample is an error or a usable state.
    for bytes in samples() {
        for n in 0..bytes.len() {
            decode_and_use_all(&bytes[..n]);
        }
    }
}

/// A mutation of a serialized state.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    /// Overwrites 8 bytes (typically a length, count or timestamp) with an extreme value.
    Word(usize, u64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Mutation::Flip(i, x)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (
            any::<usize>(),
            prop_oneof![
                Just(0u64),
                Just(1),
                Just(64),
                Just(65),
                Just(u64::MAX),
                Just(i64::MAX as u64),
                Just(i64::MIN as u64),
                Just(u32::MAX as u64),
                any::<u64>()
            ]
        )
            .prop_map(|(i, w)| Mutation::Word(i, w)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len();
    match m {
        Mutation::Flip(i, x) if n > 0 => bytes[i % n] ^= x,
        Mutation::Truncate(i) => bytes.truncate(i % (n + 1)),
        Mutation::Insert(i, v) => {
            let at = i % (n + 1);
            bytes.splice(at..at, v.iter().copied());
        }
        Mutation::Word(i, w) if n >= 8 => {
            let at = i % (n - 7);
            bytes[at..at + 8].copy_from_slice(&w.to_le_bytes());
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        decode_and_use_all(&bytes);
    }

    /// Random bodies behind a valid tag and version byte get past the header check.
    #[test]
    fn random_bodies_behind_valid_headers_never_panic(
        which in 0usize..10,
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut bytes = samples()[which][..2].to_vec();
        bytes.extend(body);
        decode_and_use_all(&bytes);
    }

    #[test]
    fn corrupted_states_never_panic(
        which in 0usize..10,
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut bytes = samples()[which].clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        decode_and_use_all(&bytes);
    }
}

// ---------------------------------------------------------------------------------------
// Monotonicity
// ---------------------------------------------------------------------------------------

fn intent_score(
    weights: &[(String, f64)],
    events: &[(String, i64)],
    half_life: Option<i64>,
) -> f64 {
    let map: serde_json::Map<String, serde_json::Value> = weights
        .iter()
        .map(|(k, w)| (k.clone(), serde_json::json!(w)))
        .collect();
    let w = IntentWeights::from_json(&serde_json::Value::Object(map)).unwrap();
    let mut s = IntentState::new(
        IntentConfig::new(30 * DAY, 14 * DAY, half_life).unwrap(),
        Arc::new(w),
    );
    for (e, ts) in events {
        s.push(e, *ts).unwrap();
    }
    s.score()
}

fn event_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "c", "d"]).prop_map(str::to_string)
}

/// Lifecycle stages in the order time moves a user through them.
fn progress_rank(s: Option<Stage>) -> (u8, u8) {
    match s {
        None => (0, 0),
        Some(Stage::Registered) => (1, 0),
        Some(Stage::Dead) => (1, 1),
        Some(Stage::New) => (2, 0),
        Some(Stage::Active) => (2, 1),
        Some(Stage::Dormant) => (2, 2),
        Some(Stage::Churned) => (2, 3),
        Some(Stage::Lost) => (2, 4),
        Some(other) => panic!("the scalar never gives {other:?}"),
    }
}

proptest! {
    /// With non-negative weights and no decay, raising one weight or adding an event never
    /// lowers the score; with decay, adding an event never lowers it either.
    #[test]
    fn intent_score_monotone_in_weights_and_events(
        weights in prop::collection::vec((event_name(), 0u32..100), 1..4),
        events in prop::collection::vec((event_name(), 10 * DAY..31 * DAY), 0..20),
        bump in (event_name(), 1u32..50),
        extra in (event_name(), 10 * DAY..31 * DAY),
        decay in prop::option::of(HOUR..30 * DAY),
    ) {
        let w: Vec<(String, f64)> = weights.iter().map(|(k, v)| (k.clone(), f64::from(*v) / 4.0)).collect();
        let base = intent_score(&w, &events, None);
        prop_assert!(base >= 0.0);
        let mut raised = w.clone();
        match raised.iter_mut().rev().find(|(k, _)| *k == bump.0) {
            Some((_, v)) => *v += f64::from(bump.1),
            None => raised.push((bump.0.clone(), f64::from(bump.1))),
        }
        prop_assert!(intent_score(&raised, &events, None) >= base);
        let mut more = events.clone();
        more.push(extra);
        prop_assert!(intent_score(&w, &more, None) >= base);
        prop_assert!(intent_score(&w, &more, decay) >= intent_score(&w, &events, decay));
        // Decay only ever shrinks a non-negative score.
        prop_assert!(intent_score(&w, &events, decay) <= base);
    }

    /// Channel quadrant: more conversions at the same traffic never move a channel from high
    /// to low quality; doubling traffic and conversions never moves it from high to low
    /// volume. The reported interval always contains the rate and lies in [0, 1].
    #[test]
    fn channel_quadrant_monotone(
        traffic in 0i64..5_000,
        conv_share in 0.0f64..=1.0,
        traffic_cut in 0.0f64..6_000.0,
        rate_cut in 0.0f64..1.0,
        min_traffic in 0i64..100,
        confidence in 0.5f64..0.999,
    ) {
        let conversions = ((traffic as f64) * conv_share).floor() as i64;
        let q = |t: i64, c: i64| quadrant(t, c, traffic_cut, rate_cut, min_traffic, confidence).unwrap();
        let high_quality = |x: Option<i32>| x.map(|k| k == 1 || k == 2);
        let high_volume = |x: Option<i32>| x.map(|k| k == 1 || k == 4);
        let a = q(traffic, conversions);
        if let (Some(rate), Some(lo), Some(hi)) = (a.rate, a.ci_low, a.ci_high) {
            prop_assert!((0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi));
            prop_assert!(lo <= rate + 1e-12 && rate <= hi + 1e-12);
        }
        if conversions < traffic {
            let b = q(traffic, conversions + 1);
            if let (Some(x), Some(y)) = (high_quality(a.quadrant), high_quality(b.quadrant)) {
                prop_assert!(y >= x, "{a:?} -> {b:?}");
            }
        }
        let d = q(traffic * 2, conversions * 2);
        if let (Some(x), Some(y)) = (high_volume(a.quadrant), high_volume(d.quadrant)) {
            prop_assert!(y >= x, "{a:?} -> {d:?}");
        }
        if a.quadrant.is_some() {
            prop_assert!(d.quadrant.is_some());
        }
    }

    /// Wilson interval: nested as the confidence grows, and the bounds never decrease when
    /// a trial turns into a success.
    #[test]
    fn wilson_nested_and_monotone(
        trials in 1i64..100_000,
        share in 0.0f64..=1.0,
        c1 in 0.01f64..0.99,
        c2 in 0.01f64..0.99,
    ) {
        let successes = ((trials as f64) * share).floor() as i64;
        let (lo_c, hi_c) = if c1 <= c2 { (c1, c2) } else { (c2, c1) };
        let narrow = wilson(successes, trials, z_for_confidence(lo_c).unwrap()).unwrap().unwrap();
        let wide = wilson(successes, trials, z_for_confidence(hi_c).unwrap()).unwrap().unwrap();
        prop_assert!(wide.low <= narrow.low + 1e-12 && narrow.high <= wide.high + 1e-12);
        prop_assert!(0.0 <= wide.low && wide.high <= 1.0);
        if successes < trials {
            let z = z_for_confidence(lo_c).unwrap();
            let up = wilson(successes + 1, trials, z).unwrap().unwrap();
            prop_assert!(up.low >= narrow.low - 1e-12 && up.high >= narrow.high - 1e-12);
        }
    }

    /// window_funnel in default mode: a longer window or an extra event never lowers the
    /// level, and the level never exceeds the number of steps.
    #[test]
    fn funnel_level_monotone_in_window_and_events(
        nsteps in 1usize..6,
        rows in prop::collection::vec((0i64..100, 0u64..64), 0..30),
        extra in (0i64..100, 0u64..64),
        w1 in 1i64..50,
        w2 in 1i64..50,
    ) {
        let (short, long) = if w1 <= w2 { (w1, w2) } else { (w2, w1) };
        let level = |rows: &[(i64, u64)], w: i64| {
            let cfg = FunnelConfig::new(nsteps, w, mode("default")).unwrap();
            let mut r: Vec<Row> = rows.iter().map(|&(t, m)| Row::new(t, m & cfg.step_bits())).collect();
            r.sort_by_key(|x| x.ts);
            deepest(&r, &FunnelSpec::plain(cfg), false).level as u8
        };
        let a = level(&rows, short);
        prop_assert!(a as usize <= nsteps);
        prop_assert!(level(&rows, long) >= a);
        let mut more = rows.clone();
        more.push(extra);
        prop_assert!(level(&more, short) >= a);
    }

    /// Lifecycle: as `as_of` moves forward over the same history, a user only moves forward
    /// (registered -> dead; new -> active -> dormant -> churned -> lost), never back.
    #[test]
    fn lifecycle_stage_moves_forward_with_time(
        reg in 0i64..1_000,
        conv in prop::option::of(0i64..500),
        active in prop::option::of(0i64..500),
        as_of in 0i64..2_000,
        later in 0i64..2_000,
        days in (0i32..200, 0i32..100, 0i32..100, 1i32..100, 1i32..400),
    ) {
        let t = Thresholds::new(days.0, days.1, days.2, days.2 + days.3, days.2 + days.3 + days.4).unwrap();
        let conv = conv.map(|c| (reg + c) * HOUR);
        let active = active.map(|a| (reg + a) * HOUR);
        let at = |x: i64| stage(reg * HOUR, conv, active, x * HOUR, &t).unwrap();
        let (x, y) = (as_of.min(later), as_of.max(later));
        // Only compare once everything of the history has happened.
        let known = [Some(reg * HOUR), conv, active].into_iter().flatten().max().unwrap();
        if x * HOUR >= known {
            let (a, b) = (progress_rank(at(x)), progress_rank(at(y)));
            prop_assert_eq!(a.0, b.0, "converted-or-not cannot change");
            prop_assert!(b.1 >= a.1, "{:?} at {} then {:?} at {}", at(x), x, at(y), y);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Text-keyed one-shot funnel: permutation, split/merge and serialization do not matter
// ---------------------------------------------------------------------------------------

proptest! {
    /// The event-name form with text user ids gives the same step rows whatever the row
    /// order, however the rows are split into partial states (serialized and merged as in a
    /// parallel plan), and the same as the bigint-keyed form over the same users.
    #[test]
    fn text_keyed_population_permutation_merge_serialize(
        rows in prop::collection::vec((0u8..20, 0i64..50, 0usize..4), 0..120),
        perm_seed in any::<u64>(),
        split in any::<usize>(),
        mode_text in prop::sample::select(vec!["default", "strict_order", "strict_deduplication", "strict_increase"]),
    ) {
        let events = ["x", "y", "z", "w"];
        let steps: Vec<String> = ["x", "y", "z"].iter().map(|s| s.to_string()).collect();
        let spec = std::sync::Arc::new(pg_operations_core::funnel::FunnelSpec::plain(
            FunnelConfig::new(3, 10 * HOUR, mode(mode_text)).unwrap(),
        ));
        let new_text = || PopulationFunnel::<String>::for_events(spec.clone(), steps.clone(), Vec::new()).unwrap();
        let new_id = || PopulationFunnel::<i64>::for_events(spec.clone(), steps.clone(), Vec::new()).unwrap();
        let key = |u: u8| if u == 0 { String::new() } else { format!("ü{u}") };
        let mut whole = new_text();
        let mut by_id = new_id();
        for &(u, t, e) in &rows {
            whole.push_event_str(&key(u), t * HOUR, Some(events[e]), None);
            by_id.push_event(i64::from(u), t * HOUR, Some(events[e]), None);
        }
        // A deterministic permutation from the seed, then a split into two partial states.
        let mut shuffled = rows.clone();
        let mut x = perm_seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let cut = if shuffled.is_empty() { 0 } else { split % (shuffled.len() + 1) };
        let (mut a, mut b) = (new_text(), new_text());
        for (i, &(u, t, e)) in shuffled.iter().enumerate() {
            let part = if i < cut { &mut a } else { &mut b };
            part.push_event_str(&key(u), t * HOUR, Some(events[e]), None);
        }
        let mut a = PopulationFunnel::<String>::decode(&a.encode()).unwrap();
        a.merge(PopulationFunnel::<String>::decode(&b.encode()).unwrap()).unwrap();
        let want = whole.finish(&mut || {});
        prop_assert_eq!(a.finish(&mut || {}), want.clone());
        prop_assert_eq!(by_id.finish(&mut || {}), want);
    }
}
