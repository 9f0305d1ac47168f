//! Funnels: `window_funnel` (per-user deepest step) and `funnel_step_rates` (population
//! funnel, one-shot over raw events with bigint or text user ids, or two-stage over per-user
//! levels). Each aggregate's configuration (steps, window, mode, names) is decoded once, on
//! the group's first non-skipped row.

use crate::keys::SqlKey;
use crate::pg::agg::{Boxed, Lane, PoolMember, Pooled, Slot};
use crate::pg::errors::{invalid, notice, null_argument, raise, OrRaise};
use crate::pg::BoolArray;
use crate::pg::{Call, Record, RowArray};
use pg_operations_core::codec::{Reader, Writer};
use pg_operations_core::error::truncate;
use pg_operations_core::funnel::{
    Exclusion, FunnelConfig, FunnelMode, FunnelSpec, LevelCounts, PopulationFunnel, PropertyStep,
    StepMatcher, StepRow, UserFunnel, UserKey, UserPool, MAX_STEPS,
};
use pg_operations_core::{OpsError, OpsResult, PartialState};
use pgrx::datum::{Array, Interval, TimestampWithTimeZone};
use pgrx::{pg_sys, IntoDatum};
use std::rc::Rc;
use std::sync::Arc;

const WF: &str = "window_funnel";
const FSR: &str = "funnel_step_rates";

/// The window in microseconds (a month counts 30 days); NULL or not positive is 22023.
fn window_micros(window: Option<Interval>, caller: &str) -> i64 {
    let Some(window) = window else {
        null_argument(caller, "window")
    };
    let micros = window.as_micros();
    if micros <= 0 {
        invalid(format!(
            "{caller}: window must be a positive interval, got '{window}'"
        ));
    }
    i64::try_from(micros).unwrap_or(i64::MAX)
}

/// The mode argument: `None` = the form without a mode (default), `Some(None)` = SQL NULL.
fn funnel_mode(mode: Option<Option<&str>>, caller: &str) -> FunnelMode {
    match mode {
        None => FunnelMode::default(),
        Some(None) => null_argument(caller, "mode"),
        Some(Some(text)) => or_raise_in(FunnelMode::parse(text), caller),
    }
}

/// The elements of a `text[]` configuration argument; NULL array or element is 22023.
fn text_list(list: Option<Array<&str>>, what: &str, caller: &str) -> Vec<String> {
    let Some(list) = list else {
        null_argument(caller, what)
    };
    list.iter()
        .enumerate()
        .map(|(i, name)| match name {
            Some(name) => name.to_string(),
            None => invalid(format!("{caller}: {what}[{}] is NULL", i + 1)),
        })
        .collect()
}

/// `'step 1'`, `'step 2'`, ...: the names used when the conds form has no `step_names`.
fn default_names(nsteps: usize) -> Vec<String> {
    (1..=nsteps).map(|i| format!("step {i}")).collect()
}

/// Rejects a row whose `conds` length differs from the group's first row.
fn check_conds_len(expected: usize, got: usize, caller: &str) {
    if expected != got {
        invalid(format!(
            "{caller}: conds has {got} elements on this row but {expected} on the group's first row; \
             every row must have one condition per step"
        ));
    }
}

/// Unwraps a core result or raises its error, prefixed with the SQL function's name.
fn or_raise_in<T>(result: OpsResult<T>, caller: &str) -> T {
    result
        .map_err(|mut e| {
            e.message = format!("{caller}: {}", e.message);
            e
        })
        .or_raise()
}

// ---------------------------------------------------------------------------------------
// window_funnel
// ---------------------------------------------------------------------------------------

/// What a funnel call site keeps for the whole query: the last `funnel_definition` it
/// decoded (keyed by its bytes), the plain spec its groups share (`window_funnel`) and, when
/// conditions run by name, the matcher of its steps. One type for every funnel transition
/// (a call site caches one value).
#[derive(Default)]
struct FunnelSite {
    key: Vec<u8>,
    def: Option<Rc<Definition>>,
    spec: Option<Arc<FunnelSpec>>,
    steps: Option<SiteSteps>,
}

/// The steps of a call site whose conditions run by name; `stable` when the steps argument
/// is the same for every row (a constant), so that later rows need not read it.
struct SiteSteps {
    names: Vec<String>,
    matcher: StepMatcher,
    stable: bool,
}

/// The plain spec of `cfg`, shared by every group of a call site while `cfg` stays the same
/// (one allocation per query, not per user).
fn plain_spec(call: &Call<'_>, cfg: FunnelConfig) -> Arc<FunnelSpec> {
    call.with_cache(|site: &mut FunnelSite| match &site.spec {
        Some(s) if s.cfg == cfg => s.clone(),
        _ => {
            let s = Arc::new(or_raise_in(
                FunnelSpec::new(cfg, Vec::new(), Vec::new(), false),
                WF,
            ));
            site.spec = Some(s.clone());
            s
        }
    })
}

/// The (number of steps, step mask) of a row whose conditions run by name (argument
/// `steps_arg` holds the steps): step `k` matches an event equal to `steps[k]`. A NULL
/// event matches no step but is still a row, as a row whose conditions are all NULL is in
/// the conds form this computes (`window_funnel(ts, ARRAY[event = 'a', ...], ...)` run by
/// name, crate::pg::rewrite); NULL steps skip the row.
fn event_row<'fc, S: crate::pg::agg::Storage>(
    slot: &Slot<'fc, S>,
    steps_arg: usize,
    event: Option<&str>,
    steps: impl FnOnce() -> Option<Array<'fc, &'fc str>>,
) -> Option<(usize, u64)> {
    slot.call().with_cache(|site: &mut FunnelSite| {
        if let Some(s) = site.steps.as_ref().filter(|s| s.stable) {
            return Some((s.names.len(), event.map_or(0, |e| s.matcher.mask(e))));
        }
        let names = text_list(Some(steps()?), "steps", WF);
        let reuse = site.steps.as_ref().is_some_and(|s| s.names == names);
        if !reuse {
            let matcher = or_raise_in(StepMatcher::new(&names), WF);
            site.steps = Some(SiteSteps {
                names,
                matcher,
                stable: slot.arg_is_stable(steps_arg),
            });
        }
        let s = site.steps.as_ref().expect("just set");
        Some((s.names.len(), event.map_or(0, |e| s.matcher.mask(e))))
    })
}

/// The (number of steps, step mask) of a row of the conds form.
fn conds_row(conds: BoolArray) -> (usize, u64) {
    (conds.len(), conds.mask())
}

/// A row of a definition aggregate whose conds run by name (see [`event_row`]).
fn by_name<'fc, S: crate::pg::agg::Storage>(
    slot: &Slot<'fc, S>,
    steps_arg: usize,
    event: Option<&str>,
    steps: impl FnOnce() -> Option<Array<'fc, &'fc str>>,
) -> Option<Input<'fc>> {
    event_row(slot, steps_arg, event, steps).map(|(len, mask)| Input::Mask(len, mask))
}

/// Transition of `window_funnel`: `row` is a row's (number of steps, step mask), from its
/// conds or its event name.
fn window_funnel_step(
    slot: &mut Slot<'_, Pooled<UserFunnel>>,
    ts: Option<i64>,
    row: impl FnOnce(&Slot<'_, Pooled<UserFunnel>>) -> Option<(usize, u64)>,
    window: impl FnOnce() -> Option<Interval>,
    mode: impl FnOnce() -> Option<Option<&'static str>>,
) {
    let Some(ts) = ts else {
        return;
    };
    let Some((len, mask)) = row(slot) else {
        return;
    };
    if let Some((lane, id)) = slot.lane() {
        check_conds_len(lane.pool.spec().cfg.nsteps, len, WF);
        lane.pool.push(id, ts, mask, 0);
        return;
    }
    let call = slot.call();
    if slot.is_new() {
        let window = window_micros(window(), WF);
        let mode = funnel_mode(mode(), WF);
        let cfg = or_raise_in(FunnelConfig::new(len, window, mode), WF);
        let started = slot.start_pooled(
            &[],
            |lane| lane.pool.spec().cfg == cfg,
            || UserPool::new(plain_spec(&call, cfg)).map(|pool| Lane::new(pool, ())),
        );
        match started {
            Some((lane, id)) => lane.pool.push(id, ts, mask, 0),
            None => slot
                .get_or_init(|| UserFunnel::new(plain_spec(&call, cfg)))
                .push(ts, mask, 0),
        }
        return;
    }
    let s = slot
        .get()
        .expect("a group that is neither new nor pooled has a state");
    check_conds_len(s.spec.cfg.nsteps, len, WF);
    s.push(ts, mask, 0);
}

impl PoolMember for UserFunnel {
    type Meta = ();
    fn from_pool(_: &(), inner: UserFunnel, _: (u64, u32)) -> UserFunnel {
        inner
    }
    fn meta_fits(_: &(), _: &()) -> bool {
        true
    }
    fn sent_meta(_: &()) {}
    fn split_encoded(bytes: &[u8]) -> OpsResult<((), &[u8])> {
        Ok(((), bytes))
    }
    fn encode_pooled(_: &(), pool: &mut UserPool, id: u32) -> Vec<u8> {
        let mut w = Writer::default();
        pool.write_group(id, &mut w, false, &mut crate::pg::check_interrupts);
        w.finish()
    }
}

// ---------------------------------------------------------------------------------------
// funnel_step_rates
// ---------------------------------------------------------------------------------------

/// Transition of the conds form; `names` and `mode` are read only when a group starts
/// (`None` = the overload has no such argument).
fn conds_step<'fc, K: SqlKey>(
    slot: &mut Slot<'fc, Boxed<PopulationFunnel<K::Owned>>>,
    key: Option<K>,
    ts: Option<i64>,
    row: impl FnOnce(&Slot<'fc, Boxed<PopulationFunnel<K::Owned>>>) -> Option<(usize, u64)>,
    window: impl FnOnce() -> Option<Interval>,
    names: impl FnOnce() -> Option<Option<Array<'fc, &'fc str>>>,
    mode: impl FnOnce() -> Option<Option<&'fc str>>,
) {
    let (Some(key), Some(ts)) = (key, ts) else {
        return;
    };
    let Some((len, mask)) = row(slot) else {
        return;
    };
    let s = slot.get_or_init(|| {
        let window = window_micros(window(), FSR);
        let mode = funnel_mode(mode(), FSR);
        let cfg = or_raise_in(FunnelConfig::new(len, window, mode), FSR);
        let names = match names() {
            None | Some(None) => default_names(len),
            Some(names) => text_list(names, "step_names", FSR),
        };
        or_raise_in(
            PopulationFunnel::<K::Owned>::new(
                Arc::new(or_raise_in(
                    FunnelSpec::new(cfg, Vec::new(), Vec::new(), false),
                    FSR,
                )),
                Some(names),
            ),
            FSR,
        )
    });
    check_conds_len(s.spec().cfg.nsteps, len, FSR);
    key.funnel(s, ts, mask);
}

/// Transition of the event-name form. Only the per-row arguments (user, ts, event) are
/// decoded on every row; `steps`, `window` and `mode` are read once, when the group's state
/// is created: decoding a `text[]` and an interval on each of millions of rows cost more
/// than the funnel matching itself.
fn event_step<'fc, K: SqlKey>(
    slot: &mut Slot<'fc, Boxed<PopulationFunnel<K::Owned>>>,
    key: Option<K>,
    ts: Option<i64>,
    event: Option<&str>,
    steps: impl FnOnce() -> Option<Array<'fc, &'fc str>>,
    window: impl FnOnce() -> Option<Interval>,
    mode: impl FnOnce() -> Option<Option<&'fc str>>,
) {
    let (Some(key), Some(ts), Some(event)) = (key, ts, event) else {
        return;
    };
    let s = slot.get_or_init(|| {
        let steps = text_list(steps(), "steps", FSR);
        let window = window_micros(window(), FSR);
        let mode = funnel_mode(mode(), FSR);
        let cfg = or_raise_in(FunnelConfig::new(steps.len(), window, mode), FSR);
        or_raise_in(
            PopulationFunnel::<K::Owned>::for_events(
                Arc::new(or_raise_in(
                    FunnelSpec::new(cfg, Vec::new(), Vec::new(), false),
                    FSR,
                )),
                steps,
                Vec::new(),
            ),
            FSR,
        )
    });
    key.funnel_event(s, ts, event);
}

/// `funnel_step[]` from the report rows.
fn step_rows(cx: &Call<'_>, rows: Vec<StepRow>) -> RowArray {
    let rows: Vec<_> = rows
        .into_iter()
        .map(|r| {
            vec![
                r.step.into_datum(),
                r.name.into_datum(),
                r.users.into_datum(),
                r.rate_from_previous.into_datum(),
                r.rate_from_first.into_datum(),
                r.ci_low.into_datum(),
                r.ci_high.into_datum(),
                r.median_seconds_from_previous.into_datum(),
            ]
        })
        .collect();
    cx.row_array(&rows)
}

fn population_final<K: UserKey>(
    s: Option<&mut PopulationFunnel<K>>,
    cx: &Call<'_>,
) -> Option<RowArray> {
    let s = s?;
    let nsteps = s.spec().cfg.nsteps;
    notice_unmatched(
        cx,
        "funnel_step_rates",
        names_key(s.names().unwrap_or(&[]), &[]),
        || Described {
            names: Some(
                s.names()
                    .map_or_else(|| default_names(nsteps), <[String]>::to_vec),
            ),
            event_form: Some(s.event_form()),
            nsteps,
            excl_labels: None,
            nexcl: 0,
        },
        s.matched_steps(),
        0,
    );
    let rows = s
        .finish_on(crate::pg::threads(), &mut || cx.check_interrupts())
        .unwrap_or_else(|e| raise(e));
    Some(step_rows(cx, rows))
}

/// How [`notice_unmatched`] names a funnel's steps and exclusions.
struct Described {
    /// Step `k`'s name at `k - 1` (`None`: say only its number, as for a state received
    /// from a parallel worker, which carries no names).
    names: Option<Vec<String>>,
    /// Steps are event names (`Some(true)`), conditions (`Some(false)`), or not known.
    event_form: Option<bool>,
    nsteps: usize,
    /// Exclusion `e`'s label at `e` (`None`: only its number).
    excl_labels: Option<Vec<String>>,
    nexcl: usize,
}

/// Call-site keys of [`notice_unmatched`]: groups whose description is not known yet.
const UNNAMED: usize = 0;

/// The typo guard of the funnels: a NOTICE, when the query's executor ends, for every step
/// that no row of any group matched, and every exclusion no row was an event of (bit `k - 1`
/// of `steps`: step `k` matched in this group; bit `e` of `excl`: exclusion `e`). A step
/// missing from some groups of a breakdown (or from some users) is a legitimate answer, and
/// so is one nobody reached: not an error. `key` tells groups with the same description
/// apart from others cheaply (a hash of the step names and exclusion labels, cached;
/// [`UNNAMED`]: not known), and `describe` is called only when a key is first seen. Nothing as a window
/// function, when groups of one call site describe their steps differently, or when the
/// query fails.
fn notice_unmatched(
    cx: &Call<'_>,
    caller: &'static str,
    key: usize,
    describe: impl Fn() -> Described,
    steps: u64,
    excl: u32,
) {
    cx.until_executor_end(
        || Unmatched {
            caller,
            key,
            described: describe(),
            steps: 0,
            excl: 0,
            mixed: false,
        },
        Unmatched::notice,
        |u| {
            if key != u.key {
                if u.key == UNNAMED {
                    (u.key, u.described) = (key, describe());
                } else if key != UNNAMED {
                    u.mixed = true;
                }
            }
            u.steps |= steps;
            u.excl |= excl;
        },
    );
}

/// What [`notice_unmatched`] gathers over the groups of one query.
struct Unmatched {
    caller: &'static str,
    key: usize,
    described: Described,
    steps: u64,
    excl: u32,
    mixed: bool,
}

impl Unmatched {
    fn notice(self) {
        let d = &self.described;
        if self.mixed {
            return;
        }
        let caller = self.caller;
        let why = match d.event_form {
            Some(true) => "no row has that event",
            Some(false) => "its condition was never true",
            None => "no row matched it",
        };
        let label = |labels: &Option<Vec<String>>, k: usize, quote: fn(&str) -> String| {
            labels
                .as_ref()
                .and_then(|l| l.get(k))
                .map_or(String::new(), |l| quote(l))
        };
        for k in (0..d.nsteps.min(64)).filter(|k| self.steps >> k & 1 == 0) {
            let name = label(&d.names, k, |n| format!(" '{}'", truncate(n, 60)));
            notice(&format!("{caller}: step {}{name} ({why})", k + 1));
        }
        for e in (0..d.nexcl.min(32)).filter(|e| self.excl >> e & 1 == 0) {
            let what = label(&d.excl_labels, e, |l| format!(" ({})", truncate(l, 80)));
            notice(&format!(
                "{caller}: exclusion {}{what} matched no row",
                e + 1
            ));
        }
    }
}

/// A key for [`notice_unmatched`] from step names and exclusion labels (never [`UNNAMED`]).
fn names_key(names: &[String], excl_labels: &[String]) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (names, excl_labels).hash(&mut h);
    h.finish() as usize | 1
}

/// The typo guard of the per-user aggregates under a definition (`funnel_level`,
/// `funnel_path`), called by each group's final call. A state received from a parallel
/// worker carries no definition: the definition is then read from the Partial Aggregate's
/// constant argument when there is one (argument 2 of both), else the steps go by number.
fn guard_user(cx: &Call<'_>, caller: &'static str, s: &UserState) {
    let (steps, excl) = s.matched();
    let nsteps = s.inner.spec.cfg.nsteps;
    let nexcl = s.inner.spec.exclusions.len();
    let describe_def = |def: &Definition| Described {
        names: Some(def.report_names(nsteps)),
        event_form: Some(s.conds_len.is_none()),
        nsteps,
        excl_labels: Some(exclusion_labels(def)),
        nexcl,
    };
    let key = s.def.as_ref().map_or(UNNAMED, |d| {
        *d.guard_key
            .get_or_init(|| names_key(&d.report_names(nsteps), &exclusion_labels(d)))
    });
    notice_unmatched(
        cx,
        caller,
        key,
        || match &s.def {
            Some(def) => describe_def(def),
            None => match cx.partial_record_arg(2).map(|r| decode_definition(&r)) {
                Some(def)
                    if def.report_names(nsteps).len() == nsteps
                        && def.exclusions.len() == nexcl =>
                {
                    describe_def(&def)
                }
                _ => Described {
                    names: None,
                    event_form: None,
                    nsteps,
                    excl_labels: None,
                    nexcl,
                },
            },
        },
        steps,
        excl,
    );
}

/// How the typo guard names a definition's exclusions.
fn exclusion_labels(def: &Definition) -> Vec<String> {
    def.exclusions
        .iter()
        .map(|(t, _, _)| match t {
            Target::Event(e) => format!("event '{}'", truncate(e, 60)),
            Target::Cond(c) => format!("cond {c}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// funnel_definition and the aggregates that take it
// ---------------------------------------------------------------------------------------

const FD: &str = "funnel_definition";

/// What an exclusion's events are: rows whose event is this name (event form) or rows
/// whose `conds[i]` is true (conds form, 1-based).
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Event(String),
    Cond(usize),
}

/// A decoded `funnel_definition` value. The step count of the conds form may come from the
/// rows (the length of `conds`), so the core spec is made per step count.
#[derive(Debug)]
struct Definition {
    window: i64,
    mode: FunnelMode,
    steps: Option<Vec<String>>,
    step_count: Option<usize>,
    names: Option<Vec<String>>,
    step_windows: Vec<Option<i64>>,
    /// (target, from_step, to_step; None = the last step)
    exclusions: Vec<(Target, usize, Option<usize>)>,
    property_step: String,
    /// The spec for the last step count asked for.
    spec: std::cell::RefCell<Option<Arc<FunnelSpec>>>,
    matcher: std::cell::OnceCell<StepMatcher>,
    /// The typo guard's key of this definition's names ([`names_key`]), made on first use.
    guard_key: std::cell::OnceCell<usize>,
}

fn micros_of(i: Interval, what: &str) -> i64 {
    let micros = i.as_micros();
    if micros <= 0 {
        invalid(format!(
            "{FD}: {what} must be a positive interval, got '{i}'"
        ));
    }
    i64::try_from(micros).unwrap_or(i64::MAX)
}

/// Parses the `exclusions` jsonb: an array of objects with `event` (text) or `cond` (int),
/// and optional `from_step` (default 1) and `to_step` (default the last step).
fn parse_exclusions(v: &serde_json::Value) -> Vec<(Target, usize, Option<usize>)> {
    let Some(items) = v.as_array() else {
        invalid(format!(
            "{FD}: exclusions must be a jsonb array of objects such as \
             {{\"event\": \"cancel\", \"from_step\": 1, \"to_step\": 3}}, got {}",
            pg_operations_core::error::truncate(&v.to_string(), 60)
        ))
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let bad = |why: &str| -> ! {
                invalid(format!(
                    "{FD}: exclusions[{}] {why}, got {}",
                    i + 1,
                    pg_operations_core::error::truncate(&item.to_string(), 60)
                ))
            };
            let Some(obj) = item.as_object() else {
                bad("must be an object")
            };
            for k in obj.keys() {
                if !matches!(k.as_str(), "event" | "cond" | "from_step" | "to_step") {
                    bad("may only have the keys event, cond, from_step and to_step")
                }
            }
            let step = |key: &str| -> Option<usize> {
                match obj.get(key) {
                    None | Some(serde_json::Value::Null) => None,
                    Some(v) => match v.as_u64() {
                        Some(n) if (1..=MAX_STEPS as u64).contains(&n) => Some(n as usize),
                        _ => bad(&format!("{key} must be a step number 1..{MAX_STEPS}")),
                    },
                }
            };
            let target = match (obj.get("event"), obj.get("cond")) {
                (Some(serde_json::Value::String(e)), None) => Target::Event(e.clone()),
                (None, Some(c)) => match c.as_u64() {
                    Some(n) if (1..=MAX_STEPS as u64).contains(&n) => Target::Cond(n as usize),
                    _ => bad(&format!("cond must be a position in conds, 1..{MAX_STEPS}")),
                },
                _ => bad("needs exactly one of event (a text) or cond (a position in conds)"),
            };
            (target, step("from_step").unwrap_or(1), step("to_step"))
        })
        .collect()
}

impl Definition {
    #[allow(clippy::too_many_arguments)]
    fn from_parts(
        window: Option<Interval>,
        steps: Option<Vec<String>>,
        mode: Option<&str>,
        names: Option<Vec<String>>,
        step_windows: Option<Vec<Option<Interval>>>,
        exclusions: Option<serde_json::Value>,
        step_count: Option<i32>,
        property_step: Option<&str>,
    ) -> Definition {
        let window = micros_of(
            window.unwrap_or_else(|| null_argument(FD, "window")),
            "window",
        );
        let mode = or_raise_in(FunnelMode::parse(mode.unwrap_or("default")), FD);
        let step_count = step_count.map(|n| {
            usize::try_from(n)
                .ok()
                .filter(|n| (1..=MAX_STEPS).contains(n))
                .unwrap_or_else(|| {
                    invalid(format!("{FD}: step_count must be 1..{MAX_STEPS}, got {n}"))
                })
        });
        let step_windows = step_windows
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(k, g)| g.map(|g| micros_of(g, &format!("step_windows[{}]", k + 1))))
            .collect();
        let exclusions = exclusions.map_or_else(Vec::new, |v| parse_exclusions(&v));
        let d = Definition {
            window,
            mode,
            steps,
            step_count,
            names,
            step_windows,
            exclusions,
            property_step: property_step.unwrap_or("first").to_string(),
            spec: Default::default(),
            matcher: Default::default(),
            guard_key: Default::default(),
        };
        if d.mode.allow_reentry && !d.mode.strict_order {
            invalid(format!(
                "{FD}: mode allow_reentry only applies together with strict_order"
            ));
        }
        if d.mode.clickhouse
            && (!d.exclusions.is_empty() || d.step_windows.iter().any(Option::is_some))
        {
            invalid(format!(
                "{FD}: mode clickhouse reproduces ClickHouse windowFunnel, which has no per-step \
                 windows or exclusions; drop the clickhouse flag or those options"
            ));
        }
        // Everything that can be checked without the rows is checked now.
        let known = [
            d.step_count,
            d.steps.as_ref().map(Vec::len),
            d.names.as_ref().map(Vec::len),
        ];
        let mut counts = known.iter().flatten();
        if let Some(&n) = counts.next() {
            if let Some(&m) = counts.find(|&&m| m != n) {
                invalid(format!(
                    "{FD}: steps, step_names and step_count disagree on the number of steps ({n} and {m})"
                ));
            }
            d.spec_for(n);
            PropertyStep::parse(&d.property_step, n)
                .map_err(|mut e| {
                    e.message = format!("{FD}: {}", e.message);
                    e
                })
                .or_raise();
        }
        if d.steps.is_some() {
            if let Some((i, _)) = d
                .exclusions
                .iter()
                .enumerate()
                .find(|(_, x)| matches!(x.0, Target::Cond(_)))
            {
                invalid(format!(
                    "{FD}: exclusions[{}] names a cond, but this definition matches steps by event name; \
                     use {{\"event\": ...}}",
                    i + 1
                ));
            }
        }
        d
    }

    /// The number of steps, given the conds length of the rows (conds form).
    fn nsteps(&self, conds_len: Option<usize>) -> usize {
        self.step_count
            .or(self.steps.as_ref().map(Vec::len))
            .or(self.names.as_ref().map(Vec::len))
            .or(conds_len)
            .unwrap_or_else(|| {
                invalid(format!(
                    "{FD}: the event form needs steps (the event names of the steps)"
                ))
            })
    }

    /// The step count for rows of `conds_len` conds (None: the event form), checking that
    /// the rows have every step's and exclusion's condition.
    fn steps_for(&self, conds_len: Option<usize>, caller: &str) -> usize {
        let nsteps = self.nsteps(conds_len);
        if let Some(len) = conds_len {
            self.check_conds(len, caller);
            if len < nsteps {
                invalid(format!(
                    "{caller}: conds has {len} elements but the definition has {nsteps} steps"
                ));
            }
        }
        nsteps
    }

    /// The core spec for `nsteps` steps (validated; cached for the last step count).
    fn spec_for(&self, nsteps: usize) -> Arc<FunnelSpec> {
        if let Some(s) = self
            .spec
            .borrow()
            .as_ref()
            .filter(|s| s.cfg.nsteps == nsteps)
        {
            return s.clone();
        }
        let cfg = or_raise_in(FunnelConfig::new(nsteps, self.window, self.mode), FD);
        let exclusions = self
            .exclusions
            .iter()
            .map(|(_, from, to)| Exclusion {
                from: *from,
                to: to.unwrap_or(nsteps),
            })
            .collect();
        let spec = Arc::new(or_raise_in(
            FunnelSpec::new(cfg, self.step_windows.clone(), exclusions, false),
            FD,
        ));
        *self.spec.borrow_mut() = Some(spec.clone());
        spec
    }

    fn keyed_spec(&self, nsteps: usize, keyed: bool) -> Arc<FunnelSpec> {
        let spec = self.spec_for(nsteps);
        if !keyed {
            return spec;
        }
        Arc::new(FunnelSpec {
            keyed: true,
            ..(*spec).clone()
        })
    }

    /// The step names for the report: step_names, else steps, else 'step 1', ...
    fn report_names(&self, nsteps: usize) -> Vec<String> {
        self.names
            .clone()
            .or_else(|| self.steps.clone())
            .unwrap_or_else(|| default_names(nsteps))
    }

    /// The exclusions mask of a conds row (`full` = mask of its first 64 conds).
    #[inline]
    fn conds_excl(&self, full: u64) -> u32 {
        let mut excl = 0u32;
        for (e, (t, _, _)) in self.exclusions.iter().enumerate() {
            if let Target::Cond(c) = t {
                excl |= ((full >> (c - 1) & 1) as u32) << e;
            }
        }
        excl
    }

    /// Checks that the exclusion conds exist in rows of `len` conds.
    fn check_conds(&self, len: usize, caller: &str) {
        for (e, (t, _, _)) in self.exclusions.iter().enumerate() {
            if let Target::Event(name) = t {
                invalid(format!(
                    "{caller}: exclusions[{}] names the event '{}', but the rows give conds; \
                     name a position in conds instead ({{\"cond\": n}})",
                    e + 1,
                    truncate(name, 60)
                ));
            }
            if let Target::Cond(c) = t {
                if *c > len {
                    invalid(format!(
                        "{caller}: exclusions[{}] names cond {c}, but conds has {len} elements",
                        e + 1
                    ));
                }
            }
        }
    }

    /// Event name → (steps mask, exclusions mask), for the event form.
    fn matcher(&self, caller: &str) -> &StepMatcher {
        self.matcher.get_or_init(|| {
            let Some(steps) = &self.steps else {
                invalid(format!(
                    "{caller}: the event form needs a definition with steps (event names)"
                ))
            };
            let exclusions: Vec<String> = self
                .exclusions
                .iter()
                .map(|(t, _, _)| match t {
                    Target::Event(e) => e.clone(),
                    Target::Cond(_) => unreachable!("checked by from_parts"),
                })
                .collect();
            or_raise_in(StepMatcher::with_exclusions(steps, &exclusions), caller)
        })
    }

    /// The mode as its canonical text (flags in a fixed order, comma-separated).
    fn mode_text(&self) -> String {
        let m = self.mode;
        let flags = [
            (m.strict_order, "strict_order"),
            (m.strict_deduplication, "strict_deduplication"),
            (m.strict_increase, "strict_increase"),
            (m.strict_once, "strict_once"),
            (m.allow_reentry, "allow_reentry"),
            (m.clickhouse, "clickhouse"),
        ];
        let on: Vec<&str> = flags.iter().filter(|f| f.0).map(|f| f.1).collect();
        if on.is_empty() {
            "default".into()
        } else {
            on.join(", ")
        }
    }

    fn property_step(&self, nsteps: usize) -> PropertyStep {
        or_raise_in(PropertyStep::parse(&self.property_step, nsteps), FD)
    }
}

fn text_vec(a: Option<Array<'_, &str>>, what: &str) -> Option<Vec<String>> {
    a.map(|a| {
        a.iter()
            .enumerate()
            .map(|(i, s)| match s {
                Some(s) => s.to_string(),
                None => invalid(format!("{FD}: {what}[{}] is NULL", i + 1)),
            })
            .collect()
    })
}

/// Decodes a `funnel_definition` value as the scalar made it.
fn decode_definition(rec: &Record<'_>) -> Definition {
    let t = rec.tuple();
    fn field<T, E: std::fmt::Display>(r: Result<Option<T>, E>, name: &str) -> Option<T> {
        r.unwrap_or_else(|e| invalid(format!("{FD}.{name}: {e}")))
    }
    let steps = field(t.get_by_name::<Array<'_, &str>>("steps"), "steps");
    let names = field(t.get_by_name::<Array<'_, &str>>("step_names"), "step_names");
    let windows = field(
        t.get_by_name::<Array<'_, Interval>>("step_windows"),
        "step_windows",
    );
    let exclusions = field(
        t.get_by_name::<crate::pg::JsonbField>("exclusions"),
        "exclusions",
    )
    .map(|j| exclusions_json(&j.varlena()));
    Definition::from_parts(
        field(t.get_by_name::<Interval>("window"), "window"),
        text_vec(steps, "steps"),
        field(t.get_by_name::<String>("mode"), "mode").as_deref(),
        text_vec(names, "step_names"),
        windows.map(|w| w.iter().collect()),
        exclusions,
        field(t.get_by_name::<i32>("step_count"), "step_count"),
        field(t.get_by_name::<String>("property_step"), "property_step").as_deref(),
    )
}

/// The `funnel_definition` argument, decoded once per call site while its bytes stay the
/// same (one comparison of the bytes per row).
fn definition_at(call: &Call<'_>, rec: Option<Record<'_>>, caller: &str) -> Rc<Definition> {
    let Some(rec) = rec else {
        null_argument(caller, "definition")
    };
    call.with_cache(|site: &mut FunnelSite| {
        let bytes = rec.bytes();
        let known = site.def.is_some() && site.key == bytes;
        if !known {
            site.def = Some(Rc::new(decode_definition(&rec)));
            site.key = bytes.to_vec();
        }
        site.def.clone().expect("decoded above")
    })
}

/// A held key's hash (deterministic across processes, so parallel partial states agree).
fn key_hash(key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// The per-user aggregates' state: the user's rows and the definition they were made with.
pub struct UserState {
    /// The definition rows are mapped with (absent in a state received from a parallel
    /// worker: no row is added to those).
    def: Option<Rc<Definition>>,
    inner: UserFunnel,
    conds_len: Option<usize>,
    property: PropertyStep,
    /// For a group kept in a pool: what the rows of all the pool's groups matched (its own
    /// rows are not at hand once the pool has evaluated it); see [`UserState::matched`].
    lane_matched: (u64, u32),
}

impl UserState {
    /// Steps and exclusions that some row of this group (or of its pool) matched: enough for
    /// the typo guard, which ORs them over every group.
    fn matched(&self) -> (u64, u32) {
        let (m, x) = self.inner.matched();
        (m | self.lane_matched.0, x | self.lane_matched.1)
    }
}

const USER_STATE_TAG: u8 = b'U';
const REPORT_STATE_TAG: u8 = b'R';

fn write_opt_len(w: &mut Writer, n: Option<usize>) {
    w.u64(n.map_or(u64::MAX, |n| n as u64));
}

fn read_opt_len(r: &mut Reader) -> OpsResult<Option<usize>> {
    let n = r.u64()?;
    Ok((n != u64::MAX).then_some(n.min(MAX_STEPS as u64 * 1024) as usize))
}

impl PartialState for UserState {
    fn merge(&mut self, other: Self) -> OpsResult<()> {
        if let (Some(a), Some(b)) = (self.conds_len, other.conds_len) {
            if a != b {
                return Err(OpsError::invalid(
                    "conds must have the same number of elements on every row of a group",
                ));
            }
        }
        if self.inner.spec != other.inner.spec || self.property != other.property {
            return Err(OpsError::invalid(
                "the definition must be the same for every row of a group",
            ));
        }
        self.inner.merge(other.inner)
    }
    fn encode(&self) -> Vec<u8> {
        let mut w = user_state_head(self.conds_len, self.property);
        w.bytes(&self.inner.encode());
        w.finish()
    }
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let (conds_len, property, inner) = read_user_state_head(bytes)?;
        let inner = UserFunnel::decode(inner)?;
        Ok(UserState {
            def: None,
            inner,
            conds_len,
            property,
            lane_matched: (0, 0),
        })
    }
}

/// An encoded [`UserState`]'s conds length, property step and encoded [`UserFunnel`].
/// The bytes of a [`UserState`] before its [`UserFunnel`]'s (see `read_user_state_head`).
fn user_state_head(conds_len: Option<usize>, property: PropertyStep) -> Writer {
    let mut w = Writer::new(USER_STATE_TAG, 1);
    write_opt_len(&mut w, conds_len);
    let p = match property {
        PropertyStep::First => 0u64,
        PropertyStep::Last => u64::MAX,
        PropertyStep::Step(n) => n as u64,
    };
    w.u64(p);
    w
}

fn read_user_state_head(bytes: &[u8]) -> OpsResult<(Option<usize>, PropertyStep, &[u8])> {
    let mut r = Reader::new(bytes, USER_STATE_TAG, 1)?;
    let conds_len = read_opt_len(&mut r)?;
    let property = match r.u64()? {
        0 => PropertyStep::First,
        u64::MAX => PropertyStep::Last,
        n => PropertyStep::Step(n.min(MAX_STEPS as u64) as usize),
    };
    let inner = r.bytes()?;
    r.finish()?;
    Ok((conds_len, property, inner))
}

/// One row of a per-user funnel aggregate: `input` is the row's conds or event.
#[derive(Clone, Copy)]
enum Input<'fc> {
    Conds(BoolArray),
    Event(&'fc str),
    /// A conds row run by name: (number of conds, mask of the first 64).
    Mask(usize, u64),
}

impl Input<'_> {
    /// The length of a row's conds (`None` for the event-name form).
    fn conds_len(&self) -> Option<usize> {
        match self {
            Input::Conds(c) => Some(c.len()),
            Input::Mask(len, _) => Some(*len),
            Input::Event(_) => None,
        }
    }
}

/// The pool meta of `funnel_level`: the definition its groups share (absent in the lane of
/// partial states received from parallel workers).
#[derive(Clone)]
pub struct UserMeta {
    def: Option<Rc<Definition>>,
    conds_len: Option<usize>,
    property: PropertyStep,
}

impl PoolMember for UserState {
    type Meta = UserMeta;
    fn from_pool(meta: &UserMeta, inner: UserFunnel, matched: (u64, u32)) -> UserState {
        UserState {
            lane_matched: matched,
            def: meta.def.clone(),
            inner,
            conds_len: meta.conds_len,
            property: meta.property,
        }
    }
    fn sent_meta(meta: &UserMeta) -> UserMeta {
        UserMeta {
            def: None,
            ..meta.clone()
        }
    }
    fn meta_fits(a: &UserMeta, b: &UserMeta) -> bool {
        let same_def = match (&a.def, &b.def) {
            (None, None) => true,
            (Some(x), Some(y)) => Rc::ptr_eq(x, y),
            _ => false,
        };
        same_def && a.conds_len == b.conds_len && a.property == b.property
    }
    fn split_encoded(bytes: &[u8]) -> OpsResult<(UserMeta, &[u8])> {
        let (conds_len, property, inner) = read_user_state_head(bytes)?;
        let meta = UserMeta {
            def: None,
            conds_len,
            property,
        };
        Ok((meta, inner))
    }
    fn encode_pooled(meta: &UserMeta, pool: &mut UserPool, id: u32) -> Vec<u8> {
        let mut w = user_state_head(meta.conds_len, meta.property);
        pool.write_group(id, &mut w, true, &mut crate::pg::check_interrupts);
        w.finish()
    }
}

/// A row's (step mask, exclusion mask) under `def`.
fn map_input(
    def: &Definition,
    conds_len: Option<usize>,
    input: Input<'_>,
    caller: &str,
) -> (u64, u32) {
    match input {
        Input::Conds(c) => {
            let (len, full) = (c.len(), c.mask());
            check_conds_len(conds_len.unwrap_or(len), len, caller);
            (full, def.conds_excl(full))
        }
        Input::Mask(len, full) => {
            check_conds_len(conds_len.unwrap_or(len), len, caller);
            (full, def.conds_excl(full))
        }
        Input::Event(e) => def.matcher(caller).lookup(e),
    }
}

/// Transition of `funnel_level`: a group without a held key, whose definition is the same
/// for every row of the call (a constant or a parameter), keeps its rows in the call's
/// pool ([`Pooled`]); any other group keeps a state of its own ([`user_step`]).
fn level_step<'fc>(
    slot: &mut Slot<'fc, Pooled<UserState>>,
    ts: Option<i64>,
    input: Option<Input<'fc>>,
    definition: impl Fn() -> Option<Record<'fc>>,
    key: Option<Option<&str>>,
) {
    const FL: &str = "funnel_level";
    if key.is_none() {
        let (Some(ts), Some(input)) = (ts, input) else {
            return;
        };
        if let Some((lane, id)) = slot.lane() {
            let def = lane
                .meta
                .def
                .as_deref()
                .expect("a transition lane has its definition");
            let (mask, excl) = map_input(def, lane.meta.conds_len, input, FL);
            lane.pool.push(id, ts, mask, excl);
            return;
        }
        if slot.is_new() {
            let def = definition_at(&slot.call(), definition(), FL);
            let conds_len = input.conds_len();
            let started = slot.start_pooled(
                &[3],
                |lane| {
                    lane.meta.def.as_ref().is_some_and(|d| Rc::ptr_eq(d, &def))
                        && lane.meta.conds_len == conds_len
                },
                || {
                    let nsteps = def.steps_for(conds_len, FL);
                    Some(Lane::new(
                        UserPool::new(def.keyed_spec(nsteps, false))?,
                        UserMeta {
                            def: Some(def.clone()),
                            conds_len,
                            property: def.property_step(nsteps),
                        },
                    ))
                },
            );
            if let Some((lane, id)) = started {
                let (mask, excl) = map_input(&def, lane.meta.conds_len, input, FL);
                lane.pool.push(id, ts, mask, excl);
                return;
            }
        }
    }
    user_step(slot, FL, ts, input, definition, key, None)
}

#[allow(clippy::too_many_arguments)]
fn user_step<'fc, S: crate::pg::agg::Storage<State = UserState>>(
    slot: &mut Slot<'fc, S>,
    caller: &str,
    ts: Option<i64>,
    input: Option<Input<'fc>>,
    definition: impl FnOnce() -> Option<Record<'fc>>,
    key: Option<Option<&str>>,
    property: Option<Option<&str>>,
) {
    let (Some(ts), Some(input)) = (ts, input) else {
        return;
    };
    let keyed = key.is_some();
    let key = match key {
        Some(None) => return, // a row without a key belongs to no chain
        Some(Some(k)) => Some(key_hash(k)),
        None => None,
    };
    let def = definition_at(&slot.call(), definition(), caller);
    let conds_len = input.conds_len();
    let s = slot.get_or_init(|| {
        let nsteps = def.steps_for(conds_len, caller);
        let spec = def.keyed_spec(nsteps, keyed);
        let inner = if property.is_some() {
            UserFunnel::with_property(spec)
        } else {
            UserFunnel::new(spec)
        };
        UserState {
            def: Some(def.clone()),
            inner,
            conds_len,
            property: def.property_step(nsteps),
            lane_matched: (0, 0),
        }
    });
    let sdef = s
        .def
        .as_ref()
        .expect("a state that receives rows has its definition");
    if !Rc::ptr_eq(sdef, &def) && !same_definition(sdef, &def) {
        invalid(format!(
            "{caller}: the definition must be the same for every row of a group"
        ));
    }
    let (mask, excl) = map_input(&def, s.conds_len, input, caller);
    s.inner.push_full(ts, mask, excl, key, property.flatten());
}

fn same_definition(a: &Definition, b: &Definition) -> bool {
    a.window == b.window
        && a.mode == b.mode
        && a.steps == b.steps
        && a.step_count == b.step_count
        && a.names == b.names
        && a.step_windows == b.step_windows
        && a.exclusions == b.exclusions
        && a.property_step == b.property_step
}

/// The `exclusions` jsonb of a funnel definition as JSON (22023 when it cannot be read).
fn exclusions_json(v: &crate::pg::Varlena<'_>) -> serde_json::Value {
    v.jsonb_value()
        .unwrap_or_else(|why| invalid(format!("{FD}: exclusions {why}")))
}

fn path_row(s: Option<&mut UserState>, cx: &Call<'_>) -> Option<crate::pg::Row> {
    let s = s?;
    guard_user(cx, "funnel_path", s);
    let path = s.inner.finish_path(s.property);
    let times: Option<Vec<TimestampWithTimeZone>> =
        (!s.inner.spec.cfg.mode.clickhouse).then(|| {
            path.times
                .iter()
                .map(|&t| TimestampWithTimeZone::try_from(t).unwrap_or_else(|_| internal_ts(t)))
                .collect()
        });
    let anchor = path.times.first().map(|&t| pg_sys::Datum::from(t));
    Some(cx.row(&[
        (path.level as i32).into_datum(),
        anchor,
        times.into_datum(),
        path.property.into_datum(),
    ]))
}

fn internal_ts(t: i64) -> TimestampWithTimeZone {
    crate::pg::errors::internal(&format!("funnel_path: bad timestamp {t}"))
}

/// The one-shot population state with its definition.
pub struct ReportState<K: UserKey> {
    def: Option<Rc<Definition>>,
    inner: PopulationFunnel<K>,
    conds_len: Option<usize>,
    /// How the NOTICE for an exclusion that matched no row names it.
    excl_labels: Vec<String>,
    event_form: bool,
    names: Vec<String>,
}

impl<K: UserKey> PartialState for ReportState<K> {
    fn merge(&mut self, other: Self) -> OpsResult<()> {
        self.merge_interruptible(other, &mut || {})
    }
    fn merge_interruptible(&mut self, other: Self, check: &mut dyn FnMut()) -> OpsResult<()> {
        if self.conds_len != other.conds_len
            && self.conds_len.is_some()
            && other.conds_len.is_some()
        {
            return Err(OpsError::invalid(
                "conds must have the same number of elements on every row",
            ));
        }
        self.inner.merge_interruptible(other.inner, check)
    }
    /// A parallel worker sends its rows sorted and packed, as `funnel_step_rates` does.
    fn prepare_to_send(&mut self, check_interrupts: &mut dyn FnMut()) {
        self.inner.prepare_to_send(check_interrupts);
    }
    fn hand_over_in_process(&self) -> bool {
        self.inner.hand_over_in_process()
    }
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(REPORT_STATE_TAG, 1);
        write_opt_len(&mut w, self.conds_len);
        w.u8(self.event_form as u8).len(self.excl_labels.len());
        for l in &self.excl_labels {
            w.str(l);
        }
        w.len(self.names.len());
        for l in &self.names {
            w.str(l);
        }
        w.bytes(&self.inner.encode());
        w.finish()
    }
    fn decode(bytes: &[u8]) -> OpsResult<Self> {
        let mut r = Reader::new(bytes, REPORT_STATE_TAG, 1)?;
        let conds_len = read_opt_len(&mut r)?;
        let event_form = r.u8()? == 1;
        let n = r.len(8)?;
        let excl_labels = (0..n).map(|_| r.str()).collect::<OpsResult<Vec<_>>>()?;
        let n = r.len(8)?;
        let names = (0..n).map(|_| r.str()).collect::<OpsResult<Vec<_>>>()?;
        let inner = PopulationFunnel::<K>::decode(r.bytes()?)?;
        r.finish()?;
        Ok(ReportState {
            def: None,
            inner,
            conds_len,
            excl_labels,
            event_form,
            names,
        })
    }
}

/// The report rows, after a NOTICE for every step and exclusion that matched no row.
fn report_final<K: UserKey>(s: Option<&mut ReportState<K>>, cx: &Call<'_>) -> Option<RowArray> {
    let s = s?;
    notice_unmatched(
        cx,
        "funnel_report",
        names_key(&s.names, &s.excl_labels),
        || Described {
            names: Some(s.names.clone()),
            event_form: Some(s.event_form),
            nsteps: s.names.len(),
            excl_labels: Some(s.excl_labels.clone()),
            nexcl: s.excl_labels.len(),
        },
        s.inner.matched_steps(),
        s.inner.matched_exclusions(),
    );
    let rows = (s.inner)
        .finish_on(crate::pg::threads(), &mut || cx.check_interrupts())
        .unwrap_or_else(|e| raise(e));
    let rows: Vec<_> = rows
        .into_iter()
        .map(|r| {
            let p = |a: Option<[f64; 4]>, i: usize| a.map(|a| a[i]).into_datum();
            vec![
                r.step.into_datum(),
                r.name.into_datum(),
                r.users.into_datum(),
                r.rate_from_previous.into_datum(),
                r.rate_from_first.into_datum(),
                r.ci_low.into_datum(),
                r.ci_high.into_datum(),
                p(r.from_previous, 0),
                p(r.from_previous, 1),
                p(r.from_previous, 2),
                p(r.from_previous, 3),
                p(r.from_first, 0),
                p(r.from_first, 1),
                p(r.from_first, 2),
                p(r.from_first, 3),
            ]
        })
        .collect();
    Some(cx.row_array(&rows))
}

fn report_step<'fc, K: SqlKey>(
    slot: &mut Slot<'fc, Boxed<ReportState<K::Owned>>>,
    user: Option<K>,
    ts: Option<i64>,
    input: Option<Input<'fc>>,
    definition: impl FnOnce() -> Option<Record<'fc>>,
    key: Option<Option<&str>>,
) {
    const F: &str = "funnel_report";
    let (Some(user), Some(ts), Some(input)) = (user, ts, input) else {
        return;
    };
    let conds_len = input.conds_len();
    if slot.get().is_none() {
        let def = definition_at(&slot.call(), definition(), F);
        slot.get_or_init(|| new_report::<K::Owned>(def, conds_len, key.is_some()));
    }
    let s = slot.get().expect("made above");
    let def = s
        .def
        .as_ref()
        .expect("a state that receives rows has its definition");
    let (mask, excl) = map_input(def, s.conds_len, input, F);
    user.report(&mut s.inner, ts, mask, excl, key.flatten());
}

fn new_report<K: UserKey>(
    def: Rc<Definition>,
    conds_len: Option<usize>,
    keyed: bool,
) -> ReportState<K> {
    const F: &str = "funnel_report";
    let nsteps = def.steps_for(conds_len, F);
    let spec = def.keyed_spec(nsteps, keyed);
    let names = def.report_names(nsteps);
    if names.len() != nsteps {
        invalid(format!(
            "{F}: the definition names {} steps but the rows have {nsteps}",
            names.len()
        ));
    }
    let inner = or_raise_in(PopulationFunnel::<K>::new(spec, Some(names.clone())), F);
    let excl_labels = exclusion_labels(&def);
    ReportState {
        event_form: conds_len.is_none(),
        def: Some(def),
        inner,
        conds_len,
        excl_labels,
        names,
    }
}

pg_operations_macros::declare! {
    type funnel_definition (window interval, steps text[], mode text, step_names text[],
                            step_windows interval[], exclusions jsonb, step_count int,
                            property_step text)
        "What a funnel measures, built by funnel_definition(...): the window from step 1, the steps (event names, for the event form), mode, step names, per-step windows, exclusions, the step count (conds form) and which step's property funnel_path reports.";
    type funnel_path (level int, anchor timestamptz, step_times timestamptz[], property text)
        "A user's reported funnel chain from funnel_path: the deepest step reached, the chain's first event (anchor), the time of each step reached, and the property of the chosen step's row.";
    type funnel_report_step (step int, name text, users bigint, rate_from_previous float8,
                             rate_from_first float8, ci_low float8, ci_high float8,
                             p25_seconds_from_previous float8, p50_seconds_from_previous float8,
                             p75_seconds_from_previous float8, p90_seconds_from_previous float8,
                             p25_seconds_from_first float8, p50_seconds_from_first float8,
                             p75_seconds_from_first float8, p90_seconds_from_first float8)
        "One step of funnel_report: users whose deepest step is at least step, rates with the 95 % Wilson interval, and the 25th/50th/75th/90th percentiles (percentile_cont) of the seconds from the previous step and from step 1 over the reported chains reaching the step.";

    fn funnel_definition(window interval, steps text[] = NULL, mode text = "default",
                         step_names text[] = NULL, step_windows interval[] = NULL,
                         exclusions jsonb = NULL, step_count int = NULL,
                         property_step text = "first") -> funnel_definition
        "A funnel definition (validated) for funnel_level, funnel_path and funnel_report: window (from step 1, inclusive, > 0), steps (event names of the steps; the event form), mode (default, strict_order, strict_deduplication, strict_increase, strict_once, allow_reentry, clickhouse, comma-separated), step_names (report names), step_windows (largest gap from step k to step k+1; NULL elements: none), exclusions (jsonb array of {\"event\" or \"cond\", \"from_step\", \"to_step\"}: a chain with such an event strictly between its from_step and to_step events cannot reach to_step), step_count (conds form: the number of conds elements that are steps) and property_step ('first', 'last' or a step number). 22023 for anything invalid. See docs/funnels.md."
        = |a| {
            let windows: Option<Vec<Option<Interval>>> = a.step_windows().map(|w| w.iter().collect());
            let exclusions = a.exclusions().map(|v| exclusions_json(&v));
            let d = Definition::from_parts(
                a.window(),
                text_vec(a.steps(), "steps"),
                Some(a.mode().unwrap_or_else(|| null_argument(FD, "mode"))),
                text_vec(a.step_names(), "step_names"),
                windows.clone(),
                exclusions,
                a.step_count(),
                Some(a.property_step().unwrap_or_else(|| null_argument(FD, "property_step"))),
            );
            let normalized = serde_json::Value::Array(
                d.exclusions
                    .iter()
                    .map(|(t, from, to)| {
                        let mut o = serde_json::Map::new();
                        match t {
                            Target::Event(e) => o.insert("event".into(), e.clone().into()),
                            Target::Cond(c) => o.insert("cond".into(), (*c as u64).into()),
                        };
                        o.insert("from_step".into(), (*from as u64).into());
                        if let Some(to) = to {
                            o.insert("to_step".into(), (*to as u64).into());
                        }
                        serde_json::Value::Object(o)
                    })
                    .collect(),
            );
            a.call().row(&[
                a.window().into_datum(),
                d.steps.clone().into_datum(),
                d.mode_text().into_datum(),
                d.names.clone().into_datum(),
                windows.into_datum(),
                (!d.exclusions.is_empty()).then_some(pgrx::JsonB(normalized)).into_datum(),
                d.step_count.map(|n| n as i32).into_datum(),
                d.property_step.trim().to_lowercase().into_datum(),
            ])
        };

    aggregate funnel_level -> int
        "Per-user funnel under a funnel_definition: the deepest step (1..n) of any chain that satisfies every constraint of the definition (window, per-step windows, mode, exclusions), 0 when step 1 never occurred. conds (bool[]: the steps' conditions, then any exclusion conditions) or event (matched against the definition's steps and exclusion events). Rows with NULL ts or conds/event are skipped (NULL when none is left). See docs/funnels.md."
    {
        state User: UserState pooled sspace 256 = |s, cx| s.map(|s| {
            guard_user(cx, "funnel_level", s);
            s.inner.finish() as i32
        });
        (ts timestamptz, conds bool[], definition funnel_definition) User = |slot, a| {
            level_step(slot, a.ts(), a.conds().map(Input::Conds), || a.definition(), None)
        };
        (ts timestamptz, event text, definition funnel_definition) User = |slot, a| {
            level_step(slot, a.ts(), a.event().map(Input::Event), || a.definition(), None)
        };
        (ts timestamptz, conds bool[], definition funnel_definition, key text) User
            "Per-user funnel with a key held constant: every event of a chain carries the same non-NULL key (e.g. an application id); rows with a NULL key are skipped; the level is the deepest over keys. Otherwise as funnel_level(ts, conds, definition). See docs/funnels.md."
            = |slot, a| {
                level_step(slot, a.ts(), a.conds().map(Input::Conds), || a.definition(), Some(a.key()))
            };
        (ts timestamptz, event text, definition funnel_definition, key text) User
            "Per-user funnel by event name with a key held constant (see funnel_level(ts, conds, definition, key)). See docs/funnels.md."
            = |slot, a| {
                level_step(slot, a.ts(), a.event().map(Input::Event), || a.definition(), Some(a.key()))
            };
        (ts timestamptz, event text, definition funnel_definition, steps text[]) User internal
            "Internal: funnel_level(ts, ARRAY[event = steps[1], ...], definition) by event name (see docs/funnels.md, \"Conditions run by name\"). A NULL event matches no step."
            = |slot, a| {
                let input = by_name(slot, 4, a.event(), || a.steps());
                level_step(slot, a.ts(), input, || a.definition(), None)
            };
        (ts timestamptz, event text, definition funnel_definition, steps text[], key text) User internal
            "Internal: funnel_level(ts, ARRAY[event = steps[1], ...], definition, key) by event name (see docs/funnels.md, \"Conditions run by name\"). A NULL event matches no step."
            = |slot, a| {
                let input = by_name(slot, 4, a.event(), || a.steps());
                level_step(slot, a.ts(), input, || a.definition(), Some(a.key()))
            };
    }

    aggregate funnel_path -> funnel_path
        "Per-user funnel with its reported chain: the deepest level, the anchor (step 1) and the time of each step reached of the reported chain (among deepest chains: latest anchor, then earliest last step, then the latest events before it), under a funnel_definition. NULL step times with the clickhouse flag. See docs/funnels.md."
    {
        state Path: UserState sspace 512 = |s, cx| path_row(s, cx);
        (ts timestamptz, conds bool[], definition funnel_definition) Path = |slot, a| {
            user_step(slot, "funnel_path", a.ts(), a.conds().map(Input::Conds), || a.definition(), None, None)
        };
        (ts timestamptz, event text, definition funnel_definition) Path = |slot, a| {
            user_step(slot, "funnel_path", a.ts(), a.event().map(Input::Event), || a.definition(), None, None)
        };
        (ts timestamptz, conds bool[], definition funnel_definition, key text) Path
            "funnel_path with a key held constant (NULL key: no key held; see funnel_level(..., key)). See docs/funnels.md."
            = |slot, a| {
                let key = a.key();
                user_step(slot, "funnel_path", a.ts(), a.conds().map(Input::Conds), || a.definition(), Some(key), None)
            };
        (ts timestamptz, event text, definition funnel_definition, key text) Path
            "funnel_path by event name with a key held constant (see funnel_level(..., key)). See docs/funnels.md."
            = |slot, a| {
                let key = a.key();
                user_step(slot, "funnel_path", a.ts(), a.event().map(Input::Event), || a.definition(), Some(key), None)
            };
        (ts timestamptz, conds bool[], definition funnel_definition, key text, property text) Path
            "funnel_path that also reports property (e.g. platform, channel) of the row of the definition's property_step ('first' = step 1, first touch; 'last' = the deepest step, last touch; or a step number; NULL when not reached). key NULL on every row: no key held. See docs/funnels.md."
            = |slot, a| {
                let key = a.key();
                user_step(slot, "funnel_path", a.ts(), a.conds().map(Input::Conds), || a.definition(), Some(key), Some(a.property()))
            };
        (ts timestamptz, event text, definition funnel_definition, key text, property text) Path
            "funnel_path by event name reporting a property of the chosen step's row (see funnel_path(ts, conds, definition, key, property)). See docs/funnels.md."
            = |slot, a| {
                let key = a.key();
                user_step(slot, "funnel_path", a.ts(), a.event().map(Input::Event), || a.definition(), Some(key), Some(a.property()))
            };
        (ts timestamptz, event text, definition funnel_definition, steps text[]) Path internal
            "Internal: funnel_path(ts, ARRAY[event = steps[1], ...], definition) by event name (see docs/funnels.md, \"Conditions run by name\"). A NULL event matches no step."
            = |slot, a| {
                let input = by_name(slot, 4, a.event(), || a.steps());
                user_step(slot, "funnel_path", a.ts(), input, || a.definition(), None, None)
            };
        (ts timestamptz, event text, definition funnel_definition, steps text[], key text) Path internal
            "Internal: funnel_path(ts, ARRAY[event = steps[1], ...], definition, key) by event name (see docs/funnels.md, \"Conditions run by name\"). A NULL event matches no step."
            = |slot, a| {
                let key = a.key();
                let input = by_name(slot, 4, a.event(), || a.steps());
                user_step(slot, "funnel_path", a.ts(), input, || a.definition(), Some(key), None)
            };
        (ts timestamptz, event text, definition funnel_definition, steps text[], key text, property text) Path internal
            "Internal: funnel_path(ts, ARRAY[event = steps[1], ...], definition, key, property) by event name (see docs/funnels.md, \"Conditions run by name\"). A NULL event matches no step."
            = |slot, a| {
                let key = a.key();
                let input = by_name(slot, 4, a.event(), || a.steps());
                user_step(slot, "funnel_path", a.ts(), input, || a.definition(), Some(key), Some(a.property()))
            };
    }

    aggregate funnel_report -> funnel_report_step[]
        "One-shot population funnel over raw events under a funnel_definition: one funnel_report_step per step with users, rates, the 95 % Wilson interval and time percentiles from the previous step and from step 1. Rows with NULL user_id, ts or conds/event are skipped. A NOTICE names every step and exclusion that matched no row. See docs/funnels.md."
    {
        state ById: ReportState<i64> = |s, cx| report_final(s, cx);
        state ByText: ReportState<String> = |s, cx| report_final(s, cx);
        note by_name_report "Internal: funnel_report(user_id, ts, ARRAY[event = steps[1], ...], definition) by event name (see docs/funnels.md, \"Conditions run by name\"). A NULL event matches no step.";
        note by_name_report_key "Internal: funnel_report(user_id, ts, ARRAY[event = steps[1], ...], definition, key) by event name (see docs/funnels.md, \"Conditions run by name\"). A NULL event matches no step.";
        (user_id bigint, ts timestamptz, conds bool[], definition funnel_definition) ById
            = |slot, a| report_step(slot, a.user_id(), a.ts(), a.conds().map(Input::Conds), || a.definition(), None);
        (user_id text, ts timestamptz, conds bool[], definition funnel_definition) ByText
            = |slot, a| report_step(slot, a.user_id(), a.ts(), a.conds().map(Input::Conds), || a.definition(), None);
        (user_id bigint, ts timestamptz, event text, definition funnel_definition) ById
            = |slot, a| report_step(slot, a.user_id(), a.ts(), a.event().map(Input::Event), || a.definition(), None);
        (user_id text, ts timestamptz, event text, definition funnel_definition) ByText
            = |slot, a| report_step(slot, a.user_id(), a.ts(), a.event().map(Input::Event), || a.definition(), None);
        (user_id bigint, ts timestamptz, conds bool[], definition funnel_definition, key text) ById
            "funnel_report with a key held constant (every event of a chain carries the same non-NULL key). See docs/funnels.md."
            = |slot, a| report_step(slot, a.user_id(), a.ts(), a.conds().map(Input::Conds), || a.definition(), Some(a.key()));
        (user_id text, ts timestamptz, conds bool[], definition funnel_definition, key text) ByText
            = |slot, a| report_step(slot, a.user_id(), a.ts(), a.conds().map(Input::Conds), || a.definition(), Some(a.key()));
        (user_id bigint, ts timestamptz, event text, definition funnel_definition, key text) ById
            = |slot, a| report_step(slot, a.user_id(), a.ts(), a.event().map(Input::Event), || a.definition(), Some(a.key()));
        (user_id text, ts timestamptz, event text, definition funnel_definition, key text) ByText
            = |slot, a| report_step(slot, a.user_id(), a.ts(), a.event().map(Input::Event), || a.definition(), Some(a.key()));
        (user_id bigint, ts timestamptz, event text, definition funnel_definition, steps text[]) ById internal
            by_name_report
            = |slot, a| {
                let input = by_name(slot, 5, a.event(), || a.steps());
                report_step(slot, a.user_id(), a.ts(), input, || a.definition(), None)
            };
        (user_id bigint, ts timestamptz, event text, definition funnel_definition, steps text[], key text) ById internal
            by_name_report_key
            = |slot, a| {
                let input = by_name(slot, 5, a.event(), || a.steps());
                report_step(slot, a.user_id(), a.ts(), input, || a.definition(), Some(a.key()))
            };
        (user_id text, ts timestamptz, event text, definition funnel_definition, steps text[]) ByText internal
            by_name_report
            = |slot, a| {
                let input = by_name(slot, 5, a.event(), || a.steps());
                report_step(slot, a.user_id(), a.ts(), input, || a.definition(), None)
            };
        (user_id text, ts timestamptz, event text, definition funnel_definition, steps text[], key text) ByText internal
            by_name_report_key
            = |slot, a| {
                let input = by_name(slot, 5, a.event(), || a.steps());
                report_step(slot, a.user_id(), a.ts(), input, || a.definition(), Some(a.key()))
            };
    }

    type funnel_step (step int, name text, users bigint, rate_from_previous float8,
                      rate_from_first float8, ci_low float8, ci_high float8,
                      median_seconds_from_previous float8)
        "One step of a population funnel: users whose deepest step is at least step, rate from the previous step (step 1: from the whole population) with its 95 % Wilson interval, rate from step 1, and the median seconds from the previous step (one-shot form only).";

    aggregate window_funnel -> int
        "Per-user funnel: the deepest step (1..n) reached by any chain of events that starts at a row matching conds[1] and matches conds[2], conds[3], ... in order within window of its start (inclusive); 0 when step 1 never matched. Rows with NULL ts or conds are skipped (NULL when none is left); NULL elements of conds count as false. Up to 64 steps. See docs/funnels.md."
    {
        state User: UserFunnel pooled sspace 256 = |s, _| s.map(|s| s.finish() as i32);
        (ts timestamptz, conds bool[], window interval) User = |slot, a| {
            window_funnel_step(slot, a.ts(), |_| a.conds().map(conds_row), || a.window(), || None)
        };
        (ts timestamptz, conds bool[], window interval, mode text) User
            "Per-user funnel under mode (default, strict_order, strict_deduplication, strict_increase or a comma-separated combination; ClickHouse windowFunnel meanings): otherwise as window_funnel(ts, conds, window). See docs/funnels.md."
            = |slot, a| {
                window_funnel_step(slot, a.ts(), |_| a.conds().map(conds_row), || a.window(), || Some(a.mode()))
            };
        (ts timestamptz, event text, steps text[], window interval) User internal
            "Internal: window_funnel(ts, ARRAY[event = steps[1], event = steps[2], ...], window) by event name, the form PostgreSQL runs such a call in (see docs/funnels.md, \"Conditions run by name\"). A NULL event matches no step."
            = |slot, a| {
                window_funnel_step(slot, a.ts(), |s| event_row(s, 3, a.event(), || a.steps()), || a.window(), || None)
            };
        (ts timestamptz, event text, steps text[], window interval, mode text) User internal
            "Internal: window_funnel(ts, ARRAY[event = steps[1], ...], window, mode) by event name (see docs/funnels.md, \"Conditions run by name\"). A NULL event matches no step."
            = |slot, a| {
                window_funnel_step(slot, a.ts(), |s| event_row(s, 3, a.event(), || a.steps()), || a.window(), || Some(a.mode()))
            };
    }

    aggregate funnel_step_rates -> funnel_step[]
        "One-shot population funnel over raw events: one funnel_step row per step with the users whose deepest step (as window_funnel) is at least that step, rates, 95 % Wilson interval and median seconds from the previous step. Steps are the conds array (names: step_names, default 'step 1', 'step 2', ...; mode as in window_funnel). Rows with NULL user_id, ts or conds are skipped. See docs/funnels.md."
    {
        state ById: PopulationFunnel<i64> = |s, cx| population_final(s, cx);
        state ByText: PopulationFunnel<String> = |s, cx| population_final(s, cx);
        state Levels: LevelCounts = |s, cx| s.map(|s| step_rows(cx, s.finish()));
        note events "One-shot population funnel over raw events by event name: step k matches rows whose event equals steps[k], and the step names are the steps (mode as in window_funnel). Otherwise as the conds form: one funnel_step row per step with users, rates, 95 % Wilson interval and median seconds from the previous step. Rows with NULL user_id, ts or event are skipped. See docs/funnels.md.";

        (user_id bigint, ts timestamptz, conds bool[], window interval) ById = |slot, a| {
            conds_step(slot, a.user_id(), a.ts(), |_| a.conds().map(conds_row), || a.window(), || None, || None)
        };
        (user_id bigint, ts timestamptz, conds bool[], window interval, step_names text[]) ById = |slot, a| {
            conds_step(slot, a.user_id(), a.ts(), |_| a.conds().map(conds_row), || a.window(), || Some(a.step_names()), || None)
        };
        (user_id bigint, ts timestamptz, conds bool[], window interval, step_names text[], mode text) ById = |slot, a| {
            conds_step(slot, a.user_id(), a.ts(), |_| a.conds().map(conds_row), || a.window(), || Some(a.step_names()), || Some(a.mode()))
        };
        (user_id text, ts timestamptz, conds bool[], window interval) ByText = |slot, a| {
            conds_step(slot, a.user_id(), a.ts(), |_| a.conds().map(conds_row), || a.window(), || None, || None)
        };
        (user_id text, ts timestamptz, conds bool[], window interval, step_names text[]) ByText = |slot, a| {
            conds_step(slot, a.user_id(), a.ts(), |_| a.conds().map(conds_row), || a.window(), || Some(a.step_names()), || None)
        };
        (user_id text, ts timestamptz, conds bool[], window interval, step_names text[], mode text) ByText = |slot, a| {
            conds_step(slot, a.user_id(), a.ts(), |_| a.conds().map(conds_row), || a.window(), || Some(a.step_names()), || Some(a.mode()))
        };

        (user_id bigint, ts timestamptz, event text, steps text[], window interval, step_names text[], mode text) ById internal
            "Internal: funnel_step_rates(user_id, ts, ARRAY[event = steps[1], event = steps[2], ...], window, step_names, mode) by event name, the form PostgreSQL runs such a call in (see docs/funnels.md, \"Conditions run by name\"). A NULL event matches no step; NULL step_names are 'step 1', 'step 2', ..."
            = |slot, a| {
                conds_step(slot, a.user_id(), a.ts(), |s| event_row(s, 4, a.event(), || a.steps()), || a.window(), || Some(a.step_names()), || Some(a.mode()))
            };
        (user_id text, ts timestamptz, event text, steps text[], window interval, step_names text[], mode text) ByText internal
            "Internal: funnel_step_rates(user_id, ts, ARRAY[event = steps[1], ...], window, step_names, mode) with text user ids by event name (see docs/funnels.md, \"Conditions run by name\"). A NULL event matches no step."
            = |slot, a| {
                conds_step(slot, a.user_id(), a.ts(), |s| event_row(s, 4, a.event(), || a.steps()), || a.window(), || Some(a.step_names()), || Some(a.mode()))
            };

        (user_id bigint, ts timestamptz, event text, steps text[], window interval) ById
            events
            = |slot, a| event_step(slot, a.user_id(), a.ts(), a.event(), || a.steps(), || a.window(), || None);
        (user_id bigint, ts timestamptz, event text, steps text[], window interval, mode text) ById
            events
            = |slot, a| event_step(slot, a.user_id(), a.ts(), a.event(), || a.steps(), || a.window(), || Some(a.mode()));
        (user_id text, ts timestamptz, event text, steps text[], window interval) ByText events
            = |slot, a| event_step(slot, a.user_id(), a.ts(), a.event(), || a.steps(), || a.window(), || None);
        (user_id text, ts timestamptz, event text, steps text[], window interval, mode text) ByText events
            = |slot, a| event_step(slot, a.user_id(), a.ts(), a.event(), || a.steps(), || a.window(), || Some(a.mode()));

        (level int, step_names text[]) Levels
            "Two-stage population funnel over per-user levels from window_funnel (one row per user): the same funnel_step rows as the one-shot form, median_seconds_from_previous NULL. NULL levels are skipped; a level outside 0..n is error 22023."
            = |slot, a| {
                let Some(level) = a.level() else { return };
                let s = slot.get_or_init(|| or_raise_in(LevelCounts::new(text_list(a.step_names(), "step_names", FSR)), FSR));
                or_raise_in(s.push(level), FSR);
            };
    }
}

// The planner support function of the conds transitions (crate::pg::rewrite: the query
// runs its conditions by name).
::pgrx::extension_sql!(
    r#"
CREATE FUNCTION _pg_operations_internal.load_support(internal) RETURNS internal
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'pgops_load_support';
COMMENT ON FUNCTION _pg_operations_internal.load_support(internal) IS
  'Internal: planner support function of the conds transitions of the funnels; answers nothing, but loads the library while the query is planned, so that the query runs its conditions by name (docs/funnels.md).';
ALTER FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, bool[], interval)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.window_funnel_transition(internal, timestamptz, bool[], interval, text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, bool[], interval)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, bool[], interval, text[])
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, bigint, timestamptz, bool[], interval, text[], text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, bool[], interval)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, bool[], interval, text[])
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_step_rates_transition(internal, text, timestamptz, bool[], interval, text[], text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_level_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_path_transition(internal, timestamptz, bool[], _pg_operations_internal.funnel_definition, text, text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_report_transition(internal, bigint, timestamptz, bool[], _pg_operations_internal.funnel_definition, text)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, bool[], _pg_operations_internal.funnel_definition)
  SUPPORT _pg_operations_internal.load_support;
ALTER FUNCTION _pg_operations_internal.funnel_report_transition(internal, text, timestamptz, bool[], _pg_operations_internal.funnel_definition, text)
  SUPPORT _pg_operations_internal.load_support;
"#,
    name = "pg_operations_load_support",
    requires = ["declare_funnel_definition"]
);
