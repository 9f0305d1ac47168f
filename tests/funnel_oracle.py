"""Reference implementations of funnel levels, for differential tests (no database needed).

- ``any_chain_level``: the pg_operations contract, implemented literally ("the deepest step
  reachable by any chain", see core/src/funnel.rs).
- ``clickhouse_level``: a faithful port of ClickHouse ``windowFunnel``'s greedy algorithm
  (src/AggregateFunctions/AggregateFunctionWindowFunnel.h, before the strict_once /
  allow_reentry additions), to compare with chdb and to document where the two differ.

Rows are ``(ts, conds)`` with ``ts`` an integer (seconds) and ``conds`` a list of booleans,
one per step (``None`` counts as false). ``mode`` is ``'default'``, one of
``'strict_order'``, ``'strict_deduplication'``, ``'strict_increase'``, a comma-separated
combination, or an iterable of those names.

Run ``python3 tests/funnel_oracle.py`` for a self-check.
"""

KNOWN_MODES = ("default", "strict_order", "strict_deduplication", "strict_increase")


def parse_mode(mode):
    """The set of strict flags named by ``mode``; raises ValueError on an unknown name."""
    names = mode.split(",") if isinstance(mode, str) else list(mode)
    flags = set()
    for name in (n.strip().lower() for n in names):
        if name not in KNOWN_MODES:
            raise ValueError(
                "unknown funnel mode %r; known modes are %s" % (name, ", ".join(KNOWN_MODES))
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


def clickhouse_level(rows, nsteps, window, mode="default", dedup_returns_level=False):
    """ClickHouse ``windowFunnel(window, mode...)(ts, cond1, ..., condN)``, ported literally.

    ``dedup_returns_level=True`` mimics newer releases (ClickHouse #37177), where a repeated
    step under strict_deduplication returns the level reached so far instead of the previous
    event's condition index.
    """
    flags = parse_mode(mode)
    strict_order = "strict_order" in flags
    strict_dedup = "strict_deduplication" in flags
    strict_increase = "strict_increase" in flags

    # add(): conditions in reverse order, a 0 event for an unmatched row in strict_order.
    events = []
    for ts, conds in rows:
        conds = list(conds)
        has_event = False
        for i in range(nsteps, 0, -1):
            if i - 1 < len(conds) and conds[i - 1]:
                events.append((ts, i))
                has_event = True
        if strict_order and not has_event:
            events.append((ts, 0))

    # getEventLevel()
    if not events:
        return 0
    if not strict_order and nsteps == 1:
        return 1
    events.sort()  # std::stable_sort on (timestamp, event) pairs

    def highest_set():
        for level in range(nsteps, 0, -1):
            if events_timestamp[level - 1] is not None:
                return level
        return 0

    events_timestamp = [None] * nsteps  # (first, last) timestamp per level
    first_event = False
    for i, (timestamp, event) in enumerate(events):
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
        # strict_deduplication: ClickHouse stops at the repeated B@3 and returns A's index.
        (_rows((0, "A"), (1, "B"), (2, "A"), (3, "B"), (4, "C")), 3, 10,
         "strict_deduplication", 3, 1),
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
    assert clickhouse_level(*dedup[:4], dedup_returns_level=True) == 2
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
    print("funnel_oracle self-check passed")


if __name__ == "__main__":
    _self_check()
