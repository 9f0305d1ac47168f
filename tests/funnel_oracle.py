"""Reference implementations of funnel levels, for differential tests (no database needed).

- ``any_chain_level``: the pg_operations contract, implemented literally ("the deepest step
  reachable by any chain", see core/src/funnel.rs).
- ``clickhouse_level``: a literal port of ClickHouse 26.9 ``windowFunnel``'s greedy algorithm
  (src/AggregateFunctions/AggregateFunctionWindowFunnel.cpp, all modes including strict_once
  and allow_reentry; the same algorithm as core/src/funnel/clickhouse.rs), to compare with
  chdb and to document where the two differ. Checked against the chdb answers in
  core/src/funnel/clickhouse_cases.json (scripts/gen-clickhouse-funnel-cases).

Rows are ``(ts, conds)`` with ``ts`` an integer (seconds) and ``conds`` a list of booleans,
one per step (``None`` counts as false). ``mode`` is ``'default'``, one of
``'strict_order'``, ``'strict_deduplication'``, ``'strict_increase'``, a comma-separated
combination, or an iterable of those names (``clickhouse_level`` also takes
``'strict_once'`` and ``'allow_reentry'``).

Run ``python3 tests/funnel_oracle.py`` for a self-check.
"""

import json
import os

KNOWN_MODES = ("default", "strict_order", "strict_deduplication", "strict_increase")
# ClickHouse 26.9 windowFunnel also knows these (``clickhouse_level`` only).
CLICKHOUSE_MODES = KNOWN_MODES + ("strict_once", "allow_reentry")


def parse_mode(mode, known=KNOWN_MODES):
    """The set of strict flags named by ``mode``; raises ValueError on a name not in ``known``."""
    names = mode.split(",") if isinstance(mode, str) else list(mode)
    flags = set()
    for name in (n.strip().lower() for n in names):
        if name not in known:
            raise ValueError(
                "unknown funnel mode %r; known modes are %s" % (name, ", ".join(known))
            )
        if name != "default":
            flags.add(name)
    return flags


def _expand(rows, nsteps, strict_order):
    """Events ``(ts, step)`` sorted by ``(ts, step)``; step 0 = a row matching no step
    (kept only in strict_order)."""
    events = []
    for ts, conds in rows:
        steps = [i + 1 for i, c in enumerate(list(conds)[:nsteps]) if c]
        if not steps and strict_order:
            events.append((ts, 0))
        events.extend((ts, s) for s in steps)
    events.sort()
    return events


def _walk(later, anchor, nsteps, window, flags):
    """The chain anchored at ``anchor`` over the events after it: the matched timestamps."""
    path = [anchor]
    for ts, step in later:
        level = len(path)
        if ts > anchor + window or level == nsteps:
            break
        if step == level + 1:
            if "strict_increase" in flags and ts <= path[-1]:
                continue  # a tie with the last matched step is skipped, not an interruption
            path.append(ts)
        elif "strict_order" in flags:
            break  # any other event interrupts the chain
        elif "strict_deduplication" in flags and 2 <= step <= level:
            break  # a step the chain already matched repeats
    return path


def any_chain_chain(rows, nsteps, window, mode="default"):
    """``(level, timestamps)``: the deepest level over all chains and, among chains reaching
    it, the one with the latest anchor (each step at its earliest qualifying event)."""
    flags = parse_mode(mode)
    events = _expand(rows, nsteps, "strict_order" in flags)
    best = []
    for i, (ts, step) in enumerate(events):
        if step == 1:
            path = _walk(events[i + 1:], ts, nsteps, window, flags)
            if len(path) >= len(best):
                best = path
    return len(best), best


def any_chain_level(rows, nsteps, window, mode="default"):
    """The pg_operations ``window_funnel`` result: the deepest step reachable by any chain.

    Each row yields an event ``(ts, step)`` per true condition (plus ``(ts, 0)`` for a row
    matching nothing in strict_order), sorted by ``(ts, step)``. A chain starts at a step-1
    event and walks the later events while ``ts <= anchor + window``: a step ``L + 1`` event
    extends it (strict_increase: only if its ts is greater than the last matched ts, else it
    is skipped); strict_order: any other event ends it; strict_deduplication: a step in
    ``2..=L`` ends it; anything else is skipped.
    """
    return any_chain_chain(rows, nsteps, window, mode)[0]


def clickhouse_level(rows, nsteps, window, mode="default", dedup_returns_level=True):
    """ClickHouse 26.9 ``windowFunnel(window, mode...)(ts, cond1, ..., condN)``, ported literally
    (src/AggregateFunctions/AggregateFunctionWindowFunnel.cpp; the same algorithm as
    core/src/funnel/clickhouse.rs, checked against chdb by ``_check_chdb_cases``).

    ``mode`` may also name ``strict_once`` and ``allow_reentry`` (the latter only together
    with ``strict_order``, as in ClickHouse). ``rows`` are taken in the given order as the
    insertion order: with ``strict_once`` each row's unique id is its position, and
    ClickHouse's answer can depend on the order of rows with equal timestamps.

    ``dedup_returns_level=False`` mimics releases before ClickHouse #37177, where a repeated
    step under strict_deduplication returned the previous event's condition index instead of
    the level reached so far (26.9 returns the level: the default).
    """
    flags = parse_mode(mode, CLICKHOUSE_MODES)
    strict_order = "strict_order" in flags
    strict_dedup = "strict_deduplication" in flags
    strict_increase = "strict_increase" in flags
    strict_once = "strict_once" in flags
    allow_reentry = "allow_reentry" in flags
    if allow_reentry and not strict_order:
        raise ValueError("allow_reentry requires strict_order (as in ClickHouse)")

    # add(): conditions in reverse order, a 0 event for an unmatched row in strict_order;
    # the unique id (strict_once) advances once per row.
    events = []
    for uid, (ts, conds) in enumerate(rows, start=1):
        conds = list(conds)
        has_event = False
        for i in range(nsteps, 0, -1):
            if i - 1 < len(conds) and conds[i - 1]:
                events.append((ts, i, uid))
                has_event = True
        if strict_order and not has_event:
            events.append((ts, 0, uid))

    # getEventLevel()
    if not events:
        return 0
    if not strict_order and nsteps == 1:
        return 1
    if strict_once:
        events.sort()  # by (timestamp, event, unique_id): unique per event
        return _ch_strict_once(events, nsteps, window, strict_order, strict_dedup,
                               strict_increase, allow_reentry)
    # std::stable_sort on (timestamp, event) pairs (the ids are ascending within equal pairs).
    events.sort(key=lambda e: (e[0], e[1]))

    def highest_set():
        for level in range(nsteps, 0, -1):
            if events_timestamp[level - 1] is not None:
                return level
        return 0

    events_timestamp = [None] * nsteps  # (first, last) timestamp per level
    first_event = False
    for i, (timestamp, event, _) in enumerate(events):
        event_idx = event - 1
        if strict_order and event_idx == -1:
            if first_event:
                break
            continue
        elif event_idx == 0:
            events_timestamp[0] = (timestamp, timestamp)
            first_event = True
        elif strict_dedup and events_timestamp[event_idx] is not None:
            return highest_set() if dedup_returns_level else events[i - 1][1]
        elif strict_order and first_event and events_timestamp[event_idx - 1] is None:
            if allow_reentry:
                continue
            for level in range(nsteps):
                if events_timestamp[level] is None:
                    return level
        elif events_timestamp[event_idx - 1] is not None:
            first, last = events_timestamp[event_idx - 1]
            time_matched = timestamp <= first + window
            if strict_increase:
                time_matched = time_matched and last < timestamp
            if time_matched:
                events_timestamp[event_idx] = (first, timestamp)
                if event_idx + 1 == nsteps:
                    return nsteps
    return highest_set()


def _ch_strict_once(events, nsteps, window, strict_order, strict_dedup, strict_increase,
                    allow_reentry):
    """getEventLevelStrictOnce: per level, the list of sequences ``(first, last, path)`` found
    so far (``path`` = the unique ids of the sequence's rows)."""
    seqs = [[] for _ in range(nsteps)]

    def highest_set():
        for level in range(nsteps, 0, -1):
            if seqs[level - 1]:
                return level
        return 0

    has_first_event = False
    for timestamp, event, uid in events:
        event_idx = event - 1
        if strict_order and event_idx == -1:
            if has_first_event:
                break
            continue
        elif event_idx == 0:
            seqs[0].append((timestamp, timestamp, (uid,)))
            has_first_event = True
        elif strict_dedup and seqs[event_idx]:
            return highest_set()
        elif strict_order and has_first_event and not seqs[event_idx - 1]:
            if allow_reentry:
                continue
            for level in range(nsteps):
                if not seqs[level]:
                    return level
        elif seqs[event_idx - 1]:
            prev = seqs[event_idx - 1]
            j = 0
            while j < len(prev):
                first, last, path = prev[j]
                time_matched = timestamp <= first + window
                if not time_matched and len(prev) > 1:
                    del prev[j]  # out of the window; the last one is always kept
                    continue
                time_matched = time_matched and uid not in path
                if time_matched and strict_increase:
                    time_matched = last < timestamp
                if time_matched:
                    seqs[event_idx].append((first, timestamp, path + (uid,)))
                    if event_idx + 1 == nsteps:
                        return nsteps
                j += 1
    return highest_set()


# The deepest chain that satisfies every constraint (core/src/funnel/mod.rs, "Semantics"),
# by literal enumeration: the twin of core/src/funnel/oracle.rs, for SQL-level tests.

CHAIN_MODES = KNOWN_MODES + ("strict_once", "allow_reentry", "clickhouse")


def _parse_chain_mode(mode):
    """``parse_mode`` plus ``strict_once``, ``allow_reentry`` (only with ``strict_order``) and
    ``clickhouse`` (accepted and ignored)."""
    flags = _parse_names(mode)
    flags.discard("clickhouse")
    if "allow_reentry" in flags and "strict_order" not in flags:
        raise ValueError("funnel mode allow_reentry only applies together with strict_order")
    return flags


def _parse_names(mode):
    """The flags named by ``mode`` among ``CHAIN_MODES``; ValueError on another name."""
    names = mode.split(",") if isinstance(mode, str) else list(mode)
    flags = set()
    for name in (n.strip().lower() for n in names):
        if name not in CHAIN_MODES:
            raise ValueError(
                "unknown funnel mode %r; known modes are %s" % (name, ", ".join(CHAIN_MODES))
            )
        if name != "default":
            flags.add(name)
    return flags


def deepest_chain_oracle(rows, nsteps, window, mode="default", step_windows=None,
                         exclusions=None):
    """``(level, [ts of each step of the reported chain])`` by enumerating every chain.

    ``rows``: ``(ts, conds, excl)`` (or ``(ts, conds)``): ``conds`` one bool per step (None =
    false; entries beyond ``nsteps`` ignored), ``excl`` one bool per exclusion or None.
    ``step_windows``: ``nsteps - 1`` gaps (None entries = no limit) or None. ``exclusions``:
    ``(from_step, to_step)`` pairs, 1-based. ``mode``: as ``parse_mode``, plus
    ``strict_once``, ``allow_reentry`` and ``clickhouse`` (ignored). Timestamps and windows
    are numbers (``float('inf')`` works as an infinity: the window saturates).

    Each row yields an event ``(ts, step, r)`` per step it matches, plus ``(ts, 0, r)`` for a
    row matching no step under strict_order; "between" is strict in ``(ts, step)`` order. A
    chain ``c_1..c_L`` (``step(c_k) = k``, non-decreasing ts) must satisfy: ``ts(c_L) <=
    ts(c_1) + window``; ``ts(c_{k+1}) - ts(c_k) <= step_windows[k-1]``; strict_increase:
    strictly increasing ts; strict_once: distinct rows; each exclusion ``(f, t)`` with ``t <=
    L``: no row of it with ``ts(c_f) < ts < ts(c_t)``; strict_order: no event between ``c_k``
    and ``c_{k+1}`` of step 0 or (without allow_reentry) of a step ``> k + 1``;
    strict_deduplication: none of a step in ``2..=k``. Reported: the longest; then the
    latest anchor; then the earliest last step; then for ``k = L-1 .. 2`` the latest
    ``ts(c_k)``.
    """
    flags = _parse_chain_mode(mode)
    strict_order = "strict_order" in flags
    reentry = "allow_reentry" in flags
    exclusions = list(exclusions or [])
    gaps = list(step_windows) if step_windows is not None else [None] * (nsteps - 1)
    if len(gaps) != nsteps - 1:
        raise ValueError("step_windows needs %d entries, got %d" % (nsteps - 1, len(gaps)))
    for f, t in exclusions:
        if not 1 <= f < t <= nsteps:
            raise ValueError("exclusion (%r, %r) must satisfy 1 <= from < to <= %d"
                             % (f, t, nsteps))

    ts_of, excl_of, events = [], [], []
    for r, row in enumerate(rows):
        ts, conds = row[0], row[1]
        excl = row[2] if len(row) > 2 else None
        conds = list(conds or [])[:nsteps]
        steps = [i + 1 for i, c in enumerate(conds) if c]
        if not steps and strict_order:
            events.append((ts, 0, r))
        events.extend((ts, s, r) for s in steps)
        ts_of.append(ts)
        excl = list(excl or [])
        excl_of.append([e < len(excl) and bool(excl[e]) for e in range(len(exclusions))])

    def between(x, a, b):
        return (a[0], a[1]) < (x[0], x[1]) < (b[0], b[1])

    def satisfies(chain):
        L = len(chain)
        c = lambda k: chain[k - 1]  # noqa: E731 (1-based, as in the documentation)
        if any(c(k)[1] != k for k in range(1, L + 1)):
            return False
        if any(c(k)[0] > c(k + 1)[0] for k in range(1, L)):
            return False
        if c(L)[0] > c(1)[0] + window:
            return False
        for k in range(1, L):
            if gaps[k - 1] is not None and c(k + 1)[0] - c(k)[0] > gaps[k - 1]:
                return False
        if "strict_increase" in flags and any(c(k + 1)[0] <= c(k)[0] for k in range(1, L)):
            return False
        if "strict_once" in flags and len({e[2] for e in chain}) != L:
            return False
        for e, (f, t) in enumerate(exclusions):
            if t <= L:
                lo, hi = c(f)[0], c(t)[0]
                if any(excl_of[r][e] and lo < ts_of[r] < hi for r in range(len(rows))):
                    return False
        for k in range(1, L):
            for x in events:
                if not between(x, c(k), c(k + 1)):
                    continue
                if strict_order and (x[1] == 0 or (x[1] > k + 1 and not reentry)):
                    return False
                if "strict_deduplication" in flags and 2 <= x[1] <= k:
                    return False
        return True

    def rank(ts):
        # Longest; latest anchor; earliest last step; then latest c_{L-1}, ..., c_2.
        L = len(ts)
        if L == 0:
            return (0,)
        return (L, ts[0], -ts[-1]) + tuple(ts[k - 1] for k in range(L - 1, 1, -1))

    best = []

    def extend(chain):
        nonlocal best
        ts = [e[0] for e in chain]
        if rank(ts) > rank(best):
            best = ts
        L = len(chain)
        if L == nsteps:
            return
        for x in events:
            # Every rule is prefix-closed: pruning at an invalid prefix is exact.
            if x[1] == L + 1 and x[0] >= chain[-1][0] and satisfies(chain + [x]):
                extend(chain + [x])

    for x in events:
        if x[1] == 1 and satisfies([x]):
            extend([x])
    return len(best), best


def _chain_rows(*events, nsteps=3):
    """``_chain_rows((0, 'A'), (2, 'X'))``: one condition per letter A..; 'X' marks a row of
    exclusion 0 (alone: an exclusion-only row)."""
    return [(ts, [chr(ord("A") + i) in letters for i in range(nsteps)], ["X" in letters])
            for ts, letters in events]


def _self_check_deepest_chain():
    """Hand-worked cases for ``deepest_chain_oracle`` (the same as in oracle.rs)."""
    o = deepest_chain_oracle
    r = _chain_rows((0, "A"), (1, "B"), (9, "B"), (10, "C"))
    # B→C at most 2: A0-B1-C10 is out (gap 9), A0-B9-C10 counts.
    assert o(r, 3, 100, step_windows=[None, 2]) == (3, [0, 9, 10])
    assert o(r, 3, 100, step_windows=[1, 2]) == (2, [0, 1])
    # The latest B before the next step: A2-B4-C5 (not B3).
    r = _chain_rows((0, "A"), (2, "A"), (3, "B"), (4, "B"), (5, "C"), (50, "A"))
    assert o(r, 3, 10) == (3, [2, 4, 5])
    # Earliest last step first: A0-B1-C2 (not A0-B3-C4).
    assert o(_chain_rows((0, "A"), (1, "B"), (2, "C"), (3, "B"), (4, "C")), 3, 10) == (3, [0, 1, 2])
    assert o(_chain_rows((1, "B")), 3, 10) == (0, [])
    # Exclusion (1, 2): X@2 dirties A0-B3 and A0-B7; A5-B7 is clean.
    ex = [(1, 2)]
    r = _chain_rows((0, "A"), (2, "X"), (3, "B"), (5, "A"), (7, "B"), nsteps=2)
    assert o(r, 2, 10, exclusions=ex) == (2, [5, 7])
    assert o([w for w in r if w[0] != 5], 2, 10, exclusions=ex) == (1, [0])
    # Ties never exclude; X@3 strictly inside does.
    r = _chain_rows((0, "A"), (0, "X"), (5, "B"), (5, "X"), nsteps=2)
    assert o(r, 2, 10, exclusions=ex) == (2, [0, 5])
    assert o(r + _chain_rows((3, "X"), nsteps=2), 2, 10, exclusions=ex) == (1, [0])
    # strict_order: a repeat does not break, a skip ahead does (unless allow_reentry), a row
    # matching nothing does even with allow_reentry.
    assert o(_chain_rows((0, "A"), (1, "B"), (2, "B"), (3, "C")), 3, 10,
             "strict_order") == (3, [0, 2, 3])
    r = _chain_rows((0, "A"), (1, "C"), (2, "B"), (3, "C"))
    assert o(r, 3, 10, "strict_order") == (1, [0])
    assert o(r, 3, 10, "strict_order, allow_reentry") == (3, [0, 2, 3])
    assert o(_chain_rows((0, "A"), (1, ""), (2, "B")), 3, 10,
             "strict_order,allow_reentry") == (1, [0])
    assert o(_chain_rows((0, "A"), (1, "B"), (2, "A"), (3, "C")), 3, 10,
             "strict_order") == (3, [0, 1, 3])
    # strict_deduplication.
    r = _chain_rows((0, "A"), (1, "B"), (2, "A"), (3, "B"), (4, "C"))
    assert o(r, 3, 10, "strict_deduplication") == (3, [2, 3, 4])
    r = _chain_rows((0, "A"), (1, "B"), (2, "C"), (3, "B"), (4, "D"), nsteps=4)
    assert o(r, 4, 10, "strict_deduplication") == (3, [0, 1, 2])
    assert o(r, 4, 10) == (4, [0, 1, 2, 4])
    # strict_once: a row matching A and B serves one step.
    assert o(_chain_rows((3, "AB")), 3, 10) == (2, [3, 3])
    assert o(_chain_rows((3, "AB")), 3, 10, "strict_once") == (1, [3])
    assert o(_chain_rows((3, "AB"), (5, "B")), 3, 10, "strict_once") == (2, [3, 5])
    # strict_increase with ties.
    r = _chain_rows((0, "A"), (5, "A"), (5, "B"), nsteps=2)
    assert o(r, 2, 10, "strict_increase") == (2, [0, 5])
    assert o(r, 2, 10) == (2, [5, 5])
    assert o(_chain_rows((3, "AB")), 3, 10, "strict_increase") == (1, [3])
    # clickhouse is ignored; allow_reentry needs strict_order; unknown names are rejected.
    assert o(r, 2, 10, "strict_increase,clickhouse") == (2, [0, 5])
    for bad in ("allow_reentry", "strict"):
        try:
            o(r, 2, 10, bad)
            raise AssertionError("%r should be rejected" % bad)
        except ValueError:
            pass
    # Default and strict_increase: the level equals any_chain_level on random histories.
    import random
    rng = random.Random(7)
    for _ in range(3000):
        nsteps = rng.randint(1, 4)
        rows = [(rng.randrange(6), [rng.random() < 0.4 for _ in range(nsteps)])
                for _ in range(rng.randrange(9))]
        window = rng.randint(1, 4)
        for mode in ("default", "strict_increase"):
            got = deepest_chain_oracle(rows, nsteps, window, mode)[0]
            assert got == any_chain_level(rows, nsteps, window, mode), (rows, mode)


def _rows(*events, nsteps=3):
    """``_rows((0, 'A'), (1, 'B'))`` → rows with one true condition per letter."""
    out = []
    for ts, letters in events:
        out.append((ts, [chr(ord("A") + i) in letters for i in range(nsteps)]))
    return out


def _self_check():
    cases = [
        # (rows, nsteps, window, mode, ours, clickhouse)
        # strict_increase with ties: A@5 overwrites A@0 in ClickHouse.
        (_rows((0, "A"), (5, "A"), (5, "B"), nsteps=2), 2, 10, "strict_increase", 2, 1),
        # strict_deduplication: ClickHouse stops at the repeated B@3 and returns the level
        # reached, 2 (releases before #37177 returned A's index, 1).
        (_rows((0, "A"), (1, "B"), (2, "A"), (3, "B"), (4, "C")), 3, 10,
         "strict_deduplication", 3, 2),
        # strict_order: ClickHouse mixes A@0→B@1 with A@2→C@3.
        (_rows((0, "A"), (1, "B"), (2, "A"), (3, "C")), 3, 10, "strict_order", 2, 3),
        # default: an early short chain, then a later longer one (both agree).
        (_rows((0, "A"), (1, "B"), (100, "A"), (101, "B"), (102, "C")), 3, 10, "default", 3, 3),
        # one row matching steps 1 and 2 counts for both.
        (_rows((3, "AB")), 3, 10, "default", 2, 2),
        (_rows((3, "AB")), 3, 10, "strict_increase", 1, 1),
        # strict_order: a row matching nothing interrupts the chain.
        (_rows((0, "A"), (1, ""), (2, "B")), 3, 10, "strict_order", 1, 1),
        (_rows((0, "A"), (1, "B"), (1, "B"), (2, "C")), 3, 10, "strict_deduplication", 2, 2),
        (_rows((0, "A"), (10, "B"), (11, "C")), 3, 10, "default", 2, 2),
    ]
    for rows, nsteps, window, mode, ours, ch in cases:
        got = (any_chain_level(rows, nsteps, window, mode), clickhouse_level(rows, nsteps, window, mode))
        assert got == (ours, ch), (rows, mode, got, (ours, ch))
    dedup = cases[1]
    assert clickhouse_level(*dedup[:4], dedup_returns_level=False) == 1
    # strict_once: a row matching A and B serves one step only.
    assert clickhouse_level(_rows((3, "AB")), 2, 10, "strict_once") == 1
    assert clickhouse_level(_rows((3, "A"), (3, "AB")), 2, 10, "strict_once") == 2
    # allow_reentry: C@1 (ahead of the funnel) is ignored instead of ending it.
    ahead = _rows((0, "A"), (1, "C"), (2, "B"), (3, "C"))
    assert clickhouse_level(ahead, 3, 10, "strict_order") == 1
    assert clickhouse_level(ahead, 3, 10, "strict_order,allow_reentry") == 3
    # strict_once depends on the insertion order of tied rows (confirmed with chdb).
    tied = _rows((0, "AB"), (0, "B"), (1, "C"))
    assert clickhouse_level(tied, 3, 10, "strict_once,strict_deduplication") == 3
    tied[0], tied[1] = tied[1], tied[0]
    assert clickhouse_level(tied, 3, 10, "strict_once,strict_deduplication") == 2
    for bad in ("allow_reentry", "strict_increase,allow_reentry"):
        try:
            clickhouse_level(ahead, 3, 10, bad)
            raise AssertionError("%r should be rejected" % bad)
        except ValueError:
            pass
    assert any_chain_chain(_rows((0, "A"), (2, "A"), (3, "B"), (4, "B"), (5, "C"), (50, "A")),
                           3, 10) == (3, [2, 3, 5])
    try:
        parse_mode("strict")
        raise AssertionError("'strict' should be rejected")
    except ValueError:
        pass
    assert parse_mode(" strict_order , strict_increase") == {"strict_order", "strict_increase"}

    # In default mode the greedy is exact: both must agree on random histories with ties.
    import random
    rng = random.Random(42)
    for _ in range(20000):
        nsteps = rng.randint(1, 4)
        rows = [(rng.randrange(6), [rng.random() < 0.4 for _ in range(nsteps)])
                for _ in range(rng.randrange(12))]
        rows = [r for r in rows if any(r[1])]
        window = rng.randint(1, 4)
        assert any_chain_level(rows, nsteps, window) == clickhouse_level(rows, nsteps, window), rows
    _self_check_deepest_chain()
    print("funnel_oracle self-check passed")


CASES_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "src",
                          "funnel", "clickhouse_cases.json")


def _check_chdb_cases(path=CASES_JSON):
    """``clickhouse_level`` == chdb 26.9 on every generated case and mode combination, with
    the rows inserted in (ts, mask) order ("A", as stored) and with tied rows reversed
    ("B"); no case is excluded. Prints the agreeing cases per mode."""
    with open(path) as f:
        doc = json.load(f)
    modes = doc["modes"]
    agree = [0] * len(modes)
    dependent = [0] * len(modes)
    bad = []
    for nsteps, window, flat, levels_a, levels_b in doc["cases"]:
        pairs = sorted(zip(flat[::2], flat[1::2]))
        rows_a = [(ts, [mask >> k & 1 == 1 for k in range(nsteps)]) for ts, mask in pairs]
        rows_b = [(ts, [mask >> k & 1 == 1 for k in range(nsteps)])
                  for ts, mask in sorted(pairs, key=lambda p: (p[0], -p[1]))]
        for m, mode in enumerate(modes):
            got = (clickhouse_level(rows_a, nsteps, window, mode),
                   clickhouse_level(rows_b, nsteps, window, mode))
            if got == (levels_a[m], levels_b[m]):
                agree[m] += 1
            else:
                bad.append((mode, nsteps, window, flat, got, (levels_a[m], levels_b[m])))
            dependent[m] += levels_a[m] != levels_b[m]
    for m, mode in enumerate(modes):
        print("  %-72s %d/%d agree, %d depend on the insertion order"
              % (mode, agree[m], len(doc["cases"]), dependent[m]))
    assert not bad, "%d disagreements with chdb, first: %r" % (len(bad), bad[:5])
    print("funnel_oracle: clickhouse_level == chdb %s on %d cases x %d modes"
          % (doc["clickhouse"], len(doc["cases"]), len(modes)))


if __name__ == "__main__":
    _self_check()
    _check_chdb_cases()
