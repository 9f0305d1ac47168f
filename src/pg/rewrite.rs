//! Conditions run by name: `window_funnel(ts, ARRAY[e = 'a', e = 'b', ...], window [, mode])`
//! executed as the internal event-name aggregate `_pg_operations_internal.window_funnel(ts, e,
//! '{a,b,...}', window [, mode])`, and `funnel_step_rates(user_id, ts, ARRAY[...], window [,
//! step_names [, mode]])` as `_pg_operations_internal.funnel_step_rates(user_id, ts, e,
//! '{a,b,...}', window, step_names, mode)`.
//!
//! In the conds form PostgreSQL evaluates every comparison and builds the array for every
//! row before the aggregate sees it, which costs more than the aggregate itself. When every
//! condition is `expr = 'constant'` (or a parameter of the statement, whose value is fixed
//! for the run) on one and the same non-volatile text expression under
//! a deterministic collation (byte equality), the event-name aggregate computes the same
//! step mask from `expr` alone, so the answer is the same (a NULL `expr` matches no step, as
//! all-NULL conditions do; the twins keep the conds form's step names and notices).
//!
//! The rewrite is made on the finished plan, in an `ExecutorStart` hook, on a copy that the
//! executor owns (freed with the query's memory at `ExecutorEnd`): a cached plan is never
//! modified, so each run checks its own user's privileges and settings, and a plan cached
//! before a twin changed names no stale function. Every `Agg` node of the plan and its
//! subplans is visited. Which aggregates have a twin is read from the catalog once and kept
//! until `pg_proc` changes. So that the hook is installed before the first such query of a
//! session starts, the conds transition functions carry a planner support function
//! (`load_support`): the planner asks it for their cost while it plans the query, which
//! loads this library. `SET pg_operations.conds_by_name = off` keeps the conds form.

use pgrx::guc::{GucContext, GucFlags, GucRegistry, GucSetting};
use pgrx::{pg_guard, pg_sys, PgMemoryContexts};
use std::ffi::{c_int, c_void};

/// `pg_operations.conds_by_name`: whether the rewrite is made.
static CONDS_BY_NAME: GucSetting<bool> = GucSetting::<bool>::new(true);

static mut PREV_EXECUTOR_START: pg_sys::ExecutorStart_hook_type = None;

/// The most steps a funnel has (`window_funnel` rejects longer arrays itself).
const MAX_CONDS: usize = 64;

/// The planner support function (`_pg_operations_internal.load_support`, declared in
/// src/funnel.rs): declines every request (the planner then uses the
/// declared cost). Being called is its purpose: it loads the library.
#[pg_guard]
#[no_mangle]
pub unsafe extern "C-unwind" fn pgops_load_support(
    _fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    pg_sys::Datum::from(0usize)
}

#[doc(hidden)]
#[no_mangle]
pub extern "C" fn pg_finfo_pgops_load_support() -> &'static pg_sys::Pg_finfo_record {
    &super::V1_API
}

/// Defines the setting and installs the hook (from `_PG_init`).
pub fn init() {
    define_setting();
    // SAFETY: _PG_init runs once per process, before any query of this library.
    unsafe {
        PREV_EXECUTOR_START = pg_sys::ExecutorStart_hook;
        pg_sys::ExecutorStart_hook = Some(executor_start);
        pg_sys::CacheRegisterSyscacheCallback(
            pg_sys::SysCacheIdentifier::PROCOID as c_int,
            Some(forget_twins),
            pg_sys::Datum::from(0usize),
        );
    }
}

/// Whether `pg_operations.conds_by_name` is defined in this process.
static SETTING_DEFINED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Defines `pg_operations.conds_by_name`, unless the process is in parallel mode: a
/// parallel worker (which never rewrites) or a leader loading the library inside a
/// parallel operation could not apply the session's value (PostgreSQL warns "cannot be set
/// during a parallel operation"); the leader defines it at its next query start instead.
fn define_setting() {
    use std::sync::atomic::Ordering::Relaxed;
    // SAFETY: plain reads of the backend's parallel state.
    if SETTING_DEFINED.load(Relaxed)
        || unsafe { pg_sys::ParallelWorkerNumber >= 0 || pg_sys::IsInParallelMode() }
    {
        return;
    }
    SETTING_DEFINED.store(true, Relaxed);
    GucRegistry::define_bool_guc(
        c"pg_operations.conds_by_name",
        c"Runs the funnels' conds of the form expr = 'constant' by event name.",
        c"When on (the default), window_funnel, funnel_step_rates, funnel_level, funnel_path and funnel_report called with ARRAY[e = 'a', e = 'b', ...] on one text expression e run as internal event-name aggregates, with the same result and without evaluating the conditions row by row. See docs/funnels.md.",
        &CONDS_BY_NAME,
        GucContext::Userset,
        GucFlags::default(),
    );
    // SAFETY: called from the backend's own thread, outside parallel mode.
    unsafe { pg_sys::MarkGUCPrefixReserved(c"pg_operations".as_ptr()) };
}

#[pg_guard]
unsafe extern "C-unwind" fn executor_start(qd: *mut pg_sys::QueryDesc, eflags: c_int) {
    define_setting();
    // A parallel worker runs the leader's plan, rewritten there already.
    let copy = if pg_sys::ParallelWorkerNumber < 0 && CONDS_BY_NAME.get() {
        // SAFETY: qd is the live query descriptor PostgreSQL passes to ExecutorStart.
        unsafe { rewrite(qd) }
    } else {
        None
    };
    // SAFETY: chaining to the previous hook (or the standard function) with our arguments;
    // once it returned, qd's executor state (and its query memory) exists until ExecutorEnd.
    unsafe {
        match PREV_EXECUTOR_START {
            Some(prev) => prev(qd, eflags),
            None => pg_sys::standard_ExecutorStart(qd, eflags),
        }
        // The copy lives exactly as long as the executor that runs it: freed with the
        // query's memory at ExecutorEnd (or on error), not with the query descriptor's
        // context, which a SQL function keeps for every call of the outer query.
        if let Some(cxt) = copy {
            if !(*qd).estate.is_null() {
                pg_sys::MemoryContextSetParent(cxt, (*(*qd).estate).es_query_cxt);
            }
        }
    }
}

/// Rewrites a copy of the plan when some aggregate of it qualifies (the plan itself, which
/// a prepared statement or a function may run again, is never modified: each run decides
/// for its own user and settings); the copy's memory context, a child of the query
/// descriptor's until the executor state exists.
unsafe fn rewrite(qd: *mut pg_sys::QueryDesc) -> Option<pg_sys::MemoryContext> {
    let (stmt, params) = ((*qd).plannedstmt, (*qd).params);
    if stmt.is_null()
        || !aggrefs(stmt)
            .into_iter()
            .any(|(_, a)| by_name(a, params).is_some())
    {
        return None;
    }
    let parent = if (qd as usize).is_multiple_of(std::mem::align_of::<u64>()) {
        pg_sys::GetMemoryChunkContext(qd as *mut c_void)
    } else {
        pg_sys::CurrentMemoryContext
    };
    let cxt = pg_sys::AllocSetContextCreateInternal(
        parent,
        c"pg_operations plan by name".as_ptr(),
        pg_sys::ALLOCSET_SMALL_MINSIZE as usize,
        pg_sys::ALLOCSET_DEFAULT_INITSIZE as usize,
        pg_sys::ALLOCSET_DEFAULT_MAXSIZE as usize,
    );
    PgMemoryContexts::For(cxt).switch_to(|_| {
        let copy = pg_sys::copyObjectImpl(stmt as *const c_void) as *mut pg_sys::PlannedStmt;
        let all = aggrefs(copy);
        // (partial Agg node, aggno, public aggregate, its rewritten Aggref); an Aggref met
        // twice is rewritten once (the second time it no longer qualifies).
        let mut rewritten = Vec::new();
        for &(plan, a) in &all {
            if let Some(r) = by_name(a, params) {
                let public = (*a).aggfnoid;
                apply(a, r);
                rewritten.push((plan, (*a).aggno, public, a));
            }
        }
        // A Finalize Aggregate above a rewritten partial one names the same twin (so that
        // what reads the partial call from the final one, the typo guard, finds it).
        for &(plan, a) in &all {
            if (*a).aggsplit & pg_sys::AGGSPLITOP_COMBINE == 0 {
                continue;
            }
            let Some(partial) = partial_below(plan) else {
                continue;
            };
            if let Some(&(_, _, _, twin)) = rewritten.iter().find(|&&(p, aggno, public, _)| {
                p == partial && aggno == (*a).aggno && public == (*a).aggfnoid
            }) {
                (*a).aggfnoid = (*twin).aggfnoid;
                (*a).aggargtypes = pg_sys::copyObjectImpl((*twin).aggargtypes as *const c_void)
                    as *mut pg_sys::List;
            }
        }
        (*qd).plannedstmt = copy;
    });
    Some(cxt)
}

/// The first `Agg` node below `plan` down a chain of single-child nodes (Gather, Gather
/// Merge, Sort, ...): the partial aggregate a Finalize Aggregate combines.
unsafe fn partial_below(plan: *mut pg_sys::Plan) -> Option<*mut pg_sys::Plan> {
    let mut p = (*plan).lefttree;
    while !p.is_null() && (*(p as *mut pg_sys::Node)).type_ != pg_sys::NodeTag::T_Agg {
        if !(*p).righttree.is_null() {
            return None;
        }
        p = (*p).lefttree;
    }
    (!p.is_null()).then_some(p)
}

/// Every `Aggref` of every `Agg` node of the plan and its subplans, with its node.
unsafe fn aggrefs(stmt: *mut pg_sys::PlannedStmt) -> Vec<(*mut pg_sys::Plan, *mut pg_sys::Aggref)> {
    let mut out = Vec::new();
    let mut plans = vec![(*stmt).planTree];
    plans.extend(list_ptrs::<pg_sys::Plan>((*stmt).subplans));
    while let Some(p) = plans.pop() {
        if p.is_null() {
            continue;
        }
        plans.push((*p).lefttree);
        plans.push((*p).righttree);
        let node = p as *mut pg_sys::Node;
        match (*node).type_ {
            pg_sys::NodeTag::T_Agg => {
                let mut found = Vec::new();
                collect_aggrefs((*p).targetlist as *mut pg_sys::Node, &mut found);
                collect_aggrefs((*p).qual as *mut pg_sys::Node, &mut found);
                out.extend(found.into_iter().map(|a| (p, a)));
            }
            pg_sys::NodeTag::T_Append => {
                plans.extend(list_ptrs((*(p as *mut pg_sys::Append)).appendplans));
            }
            pg_sys::NodeTag::T_MergeAppend => {
                plans.extend(list_ptrs((*(p as *mut pg_sys::MergeAppend)).mergeplans));
            }
            pg_sys::NodeTag::T_BitmapAnd => {
                plans.extend(list_ptrs((*(p as *mut pg_sys::BitmapAnd)).bitmapplans));
            }
            pg_sys::NodeTag::T_BitmapOr => {
                plans.extend(list_ptrs((*(p as *mut pg_sys::BitmapOr)).bitmapplans));
            }
            pg_sys::NodeTag::T_SubqueryScan => {
                plans.push((*(p as *mut pg_sys::SubqueryScan)).subplan);
            }
            pg_sys::NodeTag::T_CustomScan => {
                plans.extend(list_ptrs((*(p as *mut pg_sys::CustomScan)).custom_plans));
            }
            _ => {}
        }
    }
    out
}

/// The pointer elements of a `List` (none for NIL).
unsafe fn list_ptrs<T>(list: *mut pg_sys::List) -> Vec<*mut T> {
    if list.is_null() {
        return Vec::new();
    }
    (0..(*list).length as usize)
        .map(|i| (*(*list).elements.add(i)).ptr_value as *mut T)
        .collect()
}

unsafe fn collect_aggrefs(node: *mut pg_sys::Node, out: &mut Vec<*mut pg_sys::Aggref>) {
    if !node.is_null() {
        walk(node, out as *mut Vec<*mut pg_sys::Aggref> as *mut c_void);
    }
}

#[pg_guard]
unsafe extern "C-unwind" fn walk(node: *mut pg_sys::Node, cx: *mut c_void) -> bool {
    if node.is_null() {
        return false;
    }
    if (*node).type_ == pg_sys::NodeTag::T_Aggref {
        (*(cx as *mut Vec<*mut pg_sys::Aggref>)).push(node as *mut pg_sys::Aggref);
        return false;
    }
    pg_sys::expression_tree_walker(node, Some(walk), cx)
}

/// The aggregates whose conds run by name. The twin of a call takes the same arguments,
/// but the conds replaced by the compared expression and the steps (the constants) inserted
/// at [`Family::steps_at`]; `funnel_step_rates`'s twin always takes step_names and mode
/// (absent: NULL names, which are the default ones, and mode 'default').
#[derive(Clone, Copy, PartialEq, Debug)]
enum Family {
    WindowFunnel,
    StepRates,
    Level,
    Path,
    Report,
}

impl Family {
    const ALL: [Family; 5] = [
        Family::WindowFunnel,
        Family::StepRates,
        Family::Level,
        Family::Path,
        Family::Report,
    ];

    fn name(self) -> &'static std::ffi::CStr {
        match self {
            Family::WindowFunnel => c"window_funnel",
            Family::StepRates => c"funnel_step_rates",
            Family::Level => c"funnel_level",
            Family::Path => c"funnel_path",
            Family::Report => c"funnel_report",
        }
    }

    /// Where the conds are in the public call (0-based).
    fn conds_at(self) -> usize {
        match self {
            Family::WindowFunnel | Family::Level | Family::Path => 1,
            Family::StepRates | Family::Report => 2,
        }
    }

    /// Where the steps go in the twin's arguments (0-based): after the expression, or after
    /// the definition that follows it.
    fn steps_at(self) -> usize {
        match self {
            Family::WindowFunnel | Family::StepRates => self.conds_at() + 1,
            Family::Level | Family::Path | Family::Report => self.conds_at() + 2,
        }
    }

    /// The family of our aggregate `name` called with these argument types (its conds form).
    fn of(name: &std::ffi::CStr, types: &[pg_sys::Oid]) -> Option<Family> {
        let f = Family::ALL.into_iter().find(|f| f.name() == name)?;
        (types.get(f.conds_at()) == Some(&pg_sys::BOOLARRAYOID) && types.len() > f.conds_at() + 1)
            .then_some(f)
    }

    /// The twin's arguments from the public call's (`conds` replaced by `event`, `steps`
    /// inserted, `funnel_step_rates` padded).
    fn twin_args<T: Copy>(
        self,
        old: &[T],
        event: T,
        steps: T,
        names: impl FnOnce() -> T,
        mode: impl FnOnce() -> T,
    ) -> Vec<T> {
        let mut v = old.to_vec();
        v[self.conds_at()] = event;
        v.insert(self.steps_at(), steps);
        if self == Family::StepRates {
            if v.len() < 6 {
                v.push(names());
            }
            if v.len() < 7 {
                v.push(mode());
            }
        }
        v
    }
}

/// How a qualifying `Aggref` is rewritten.
struct ByName {
    family: Family,
    target: pg_sys::Oid,
    types: Vec<pg_sys::Oid>,
    event: *mut pg_sys::Node,
    names: Vec<pg_sys::Datum>,
}

/// The argument `i` (0-based) of an aggregate call.
unsafe fn arg(a: *mut pg_sys::Aggref, i: usize) -> *mut pg_sys::TargetEntry {
    (*(*(*a).args).elements.add(i)).ptr_value as *mut pg_sys::TargetEntry
}

unsafe fn oids(list: *mut pg_sys::List) -> Vec<pg_sys::Oid> {
    if list.is_null() {
        return Vec::new();
    }
    (0..(*list).length as usize)
        .map(|i| (*(*list).elements.add(i)).oid_value)
        .collect()
}

/// `node` without binary-compatible relabelling (`varchar_column::text`).
unsafe fn strip(mut node: *mut pg_sys::Node) -> *mut pg_sys::Node {
    while !node.is_null() && (*node).type_ == pg_sys::NodeTag::T_RelabelType {
        node = (*(node as *mut pg_sys::RelabelType)).arg as *mut pg_sys::Node;
    }
    node
}

/// The non-NULL text value `node` holds for this run, if it is a constant or a parameter of
/// the statement (`$1` of a prepared statement's generic plan, a PL/pgSQL variable): a
/// parameter's value is fixed for the whole run, and read here without side effects (a
/// value the parameter's hook cannot give cheaply disqualifies the call).
unsafe fn text_const(
    node: *mut pg_sys::Node,
    params: pg_sys::ParamListInfo,
) -> Option<pg_sys::Datum> {
    let node = strip(node);
    if node.is_null() {
        return None;
    }
    let text_like = |t: pg_sys::Oid| t == pg_sys::TEXTOID || t == pg_sys::VARCHAROID;
    match (*node).type_ {
        pg_sys::NodeTag::T_Const => {
            let c = node as *mut pg_sys::Const;
            (text_like((*c).consttype) && !(*c).constisnull).then_some((*c).constvalue)
        }
        pg_sys::NodeTag::T_Param => {
            let p = &*(node as *mut pg_sys::Param);
            if p.paramkind != pg_sys::ParamKind::PARAM_EXTERN
                || !text_like(p.paramtype)
                || params.is_null()
                || p.paramid < 1
                || p.paramid > (*params).numParams
            {
                return None;
            }
            let mut workspace = pg_sys::ParamExternData::default();
            let prm = match (*params).paramFetch {
                Some(fetch) => fetch(params, p.paramid, true, &mut workspace),
                None => (*params).params.as_mut_ptr().add(p.paramid as usize - 1),
            };
            // A value of another type is the executor's error to raise, as without us.
            (!prm.is_null() && !(*prm).isnull && (*prm).ptype == p.paramtype)
                .then_some((*prm).value)
        }
        _ => None,
    }
}

/// How `a` runs by name, when it is our `window_funnel` or `funnel_step_rates` in its conds
/// form called with an array of `expr = 'constant'` on one qualifying `expr`.
unsafe fn by_name(a: *mut pg_sys::Aggref, params: pg_sys::ParamListInfo) -> Option<ByName> {
    let r = &*a;
    let types = oids(r.aggargtypes);
    if !types.contains(&pg_sys::BOOLARRAYOID)
        || !r.aggorder.is_null()
        || !r.aggdistinct.is_null()
        || r.aggvariadic
        || r.agglevelsup != 0
        || r.aggsplit & pg_sys::AGGSPLITOP_COMBINE != 0
        || r.args.is_null()
        || (*r.args).length as usize != types.len()
    {
        return None;
    }
    // Where the conds would be (the family, read from the catalog below, confirms it).
    let conds_at = types.iter().position(|&t| t == pg_sys::BOOLARRAYOID)?;
    let array = (*arg(a, conds_at)).expr as *mut pg_sys::Node;
    if (*array).type_ != pg_sys::NodeTag::T_ArrayExpr {
        return None;
    }
    let array = array as *mut pg_sys::ArrayExpr;
    if (*array).multidims || (*array).element_typeid != pg_sys::BOOLOID {
        return None;
    }
    let conds = list_ptrs::<pg_sys::Node>((*array).elements);
    if conds.is_empty() || conds.len() > MAX_CONDS {
        return None;
    }
    let mut event: *mut pg_sys::Node = std::ptr::null_mut();
    let mut names = Vec::with_capacity(conds.len());
    for c in conds {
        if c.is_null() || (*c).type_ != pg_sys::NodeTag::T_OpExpr {
            return None;
        }
        let op = c as *mut pg_sys::OpExpr;
        if (*op).opno != pg_sys::Oid::from(pg_sys::TextEqualOperator) {
            return None;
        }
        let collation = (*op).inputcollid;
        if collation == pg_sys::InvalidOid || !pg_sys::get_collation_isdeterministic(collation) {
            return None;
        }
        let sides = list_ptrs::<pg_sys::Node>((*op).args);
        let [l, r] = sides[..] else {
            return None;
        };
        let (expr, name) = match (text_const(l, params), text_const(r, params)) {
            (None, Some(name)) => (l, name),
            (Some(name), None) => (r, name),
            _ => return None,
        };
        if event.is_null() {
            event = expr;
        } else if !pg_sys::equal(event as *const c_void, expr as *const c_void) {
            return None;
        }
        names.push(name);
    }
    if pg_sys::exprType(event) != pg_sys::TEXTOID
        || pg_sys::contain_volatile_functions(event)
        || pg_sys::contain_subplans(event)
    {
        return None;
    }
    let (family, target) = twin_of(r.aggfnoid, &types)?;
    if family.conds_at() != conds_at {
        return None;
    }
    let twin_types = family.twin_args(
        &types,
        pg_sys::TEXTOID,
        pg_sys::TEXTARRAYOID,
        || pg_sys::TEXTARRAYOID,
        || pg_sys::TEXTOID,
    );
    // The executor checks EXECUTE on the aggregate it runs: a user who may not call
    // window_funnel gets that error from the conds form, not an answer from the twin.
    let user = pg_sys::GetUserId();
    let may = |f| {
        pg_sys::pg_proc_aclcheck(f, user, pg_sys::ACL_EXECUTE as pg_sys::AclMode)
            == pg_sys::AclResult::ACLCHECK_OK
    };
    if !may(r.aggfnoid) || !may(target) {
        return None;
    }
    Some(ByName {
        family,
        target,
        types: twin_types,
        event,
        names,
    })
}

thread_local! {
    /// [`twin_of`]'s answers by aggregate OID, until `pg_proc` changes.
    static TWINS: std::cell::RefCell<std::collections::HashMap<pg_sys::Oid, Option<(Family, pg_sys::Oid)>>> =
        Default::default();
}

/// Forgets [`twin_of`]'s answers (a function was created, dropped or altered).
#[pg_guard]
unsafe extern "C-unwind" fn forget_twins(_arg: pg_sys::Datum, _cache: c_int, _hash: u32) {
    TWINS.with(|t| t.borrow_mut().clear());
}

/// The family and internal twin of our aggregate `aggfnoid` called with these (conds-form)
/// argument types; `None` for any other aggregate, or when the installed version of the
/// extension has no twin. Read from the catalog once per aggregate (in a memory context of
/// its own, freed at once) and kept until `pg_proc` changes.
unsafe fn twin_of(aggfnoid: pg_sys::Oid, types: &[pg_sys::Oid]) -> Option<(Family, pg_sys::Oid)> {
    if let Some(known) = TWINS.with(|t| t.borrow().get(&aggfnoid).copied()) {
        return known;
    }
    let scratch = pg_sys::AllocSetContextCreateInternal(
        pg_sys::CurrentMemoryContext,
        c"pg_operations twin lookup".as_ptr(),
        pg_sys::ALLOCSET_SMALL_MINSIZE as usize,
        pg_sys::ALLOCSET_SMALL_INITSIZE as usize,
        pg_sys::ALLOCSET_SMALL_MAXSIZE as usize,
    );
    let found = PgMemoryContexts::For(scratch).switch_to(|_| {
        let name = pg_sys::get_func_name(aggfnoid);
        if name.is_null() {
            return None;
        }
        let family = Family::of(std::ffi::CStr::from_ptr(name), types)?;
        let twin_types = family.twin_args(
            types,
            pg_sys::TEXTOID,
            pg_sys::TEXTARRAYOID,
            || pg_sys::TEXTARRAYOID,
            || pg_sys::TEXTOID,
        );
        let target = internal_twin(family, &twin_types);
        if target == pg_sys::InvalidOid {
            return None;
        }
        let ours = pg_sys::getExtensionOfObject(pg_sys::ProcedureRelationId, aggfnoid);
        (ours != pg_sys::InvalidOid
            && ours == pg_sys::getExtensionOfObject(pg_sys::ProcedureRelationId, target))
        .then_some((family, target))
    });
    pg_sys::MemoryContextDelete(scratch);
    TWINS.with(|t| t.borrow_mut().insert(aggfnoid, found));
    found
}

/// The internal aggregate of `family` with these argument types (`InvalidOid` when the
/// installed version of the extension has none). Read from the catalog cache directly: a
/// lookup by name would check the current user's USAGE on the schema, and the answer is
/// cached for every user (executing a function needs no USAGE on its schema).
unsafe fn internal_twin(family: Family, types: &[pg_sys::Oid]) -> pg_sys::Oid {
    let schema = pg_sys::get_namespace_oid(c"_pg_operations_internal".as_ptr(), true);
    if schema == pg_sys::InvalidOid {
        return pg_sys::InvalidOid;
    }
    let args = pg_sys::buildoidvector(types.as_ptr(), types.len() as c_int);
    pg_sys::GetSysCacheOid(
        pg_sys::SysCacheIdentifier::PROCNAMEARGSNSP as c_int,
        pg_sys::Anum_pg_proc_oid as pg_sys::AttrNumber,
        pg_sys::Datum::from(family.name().as_ptr()),
        pg_sys::Datum::from(args),
        pg_sys::Datum::from(schema),
        pg_sys::Datum::from(0usize),
    )
}

/// Makes `a` the internal event-name aggregate over `event` and the constants' names (in
/// the current memory context, the plan copy's).
unsafe fn apply(a: *mut pg_sys::Aggref, by: ByName) {
    let n = by.names.len();
    let mut names = by.names;
    let array = pg_sys::construct_array(
        names.as_mut_ptr(),
        n as c_int,
        pg_sys::TEXTOID,
        -1,
        false,
        pg_sys::TYPALIGN_INT as std::ffi::c_char,
    );
    let steps = pg_sys::makeConst(
        pg_sys::TEXTARRAYOID,
        -1,
        pg_sys::DEFAULT_COLLATION_OID,
        -1,
        pg_sys::Datum::from(array),
        false,
        false,
    );
    let old: Vec<*mut pg_sys::Expr> = list_ptrs::<pg_sys::TargetEntry>((*a).args)
        .into_iter()
        .map(|te| (*te).expr)
        .collect();
    let exprs = by.family.twin_args(
        &old,
        by.event as *mut pg_sys::Expr,
        steps as *mut pg_sys::Expr,
        || pg_sys::makeNullConst(pg_sys::TEXTARRAYOID, -1, pg_sys::InvalidOid) as *mut pg_sys::Expr,
        || {
            pg_sys::makeConst(
                pg_sys::TEXTOID,
                -1,
                pg_sys::DEFAULT_COLLATION_OID,
                -1,
                pg_sys::Datum::from(pg_sys::cstring_to_text(c"default".as_ptr())),
                false,
                false,
            ) as *mut pg_sys::Expr
        },
    );
    let mut args = std::ptr::null_mut::<pg_sys::List>();
    let mut types = std::ptr::null_mut::<pg_sys::List>();
    for (i, expr) in exprs.into_iter().enumerate() {
        let te = pg_sys::makeTargetEntry(
            expr,
            (i + 1) as pg_sys::AttrNumber,
            std::ptr::null_mut(),
            false,
        );
        args = pg_sys::lappend(args, te as *mut c_void);
        types = pg_sys::lappend_oid(types, by.types[i]);
    }
    (*a).aggfnoid = by.target;
    (*a).args = args;
    (*a).aggargtypes = types;
}
