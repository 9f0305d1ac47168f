#!/usr/bin/env python3
"""Scale-out test: every pg_operations aggregate on a Citus cluster.

Starts a coordinator and two workers (scripts/citus-cluster start, ports 55460-55462),
loads generate_demo_events(3000, 90, 7) twice on the coordinator: as a plain local table
``events`` and as a table ``events_dist`` distributed by user_id over the workers, and
checks that

- every aggregate gives the same result on both tables (per-user ones grouped by user_id,
  whole-table ones over all rows or over the per-user results);
- EXPLAIN shows where the aggregation runs: per-user aggregates (GROUP BY user_id, the
  distribution column) run entirely on the workers; whole-table aggregates cannot be split
  into worker partials because every pg_operations aggregate has an ``internal`` state
  (Citus combines custom-aggregate partials only for non-pseudo state types), so Citus
  gathers the aggregate's input rows on the coordinator; with
  citus.coordinator_aggregation_strategy = 'disabled' it refuses them instead;
- the two-stage funnel (window_funnel per user on the workers, funnel_step_rates(level,
  names) over one row per user on the coordinator) equals the one-shot funnel.

Reported as SKIPPED (exit 0) when Citus 13.2.2 is not installed (scripts/citus-cluster
build installs it from ../shared/vendor). The clusters are always stopped at the end.
Prints ``citus: N passed, N failed`` and exits non-zero on a failure.
"""
import os
import re
import signal
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER = os.path.join(ROOT, "scripts", "citus-cluster")
COORD = ("/tmp/pg_operations-citus-coord", "55460")
WORKERS = [("/tmp/pg_operations-citus-w1", "55461"), ("/tmp/pg_operations-citus-w2", "55462")]

STEPS = "ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay']"
CONDS = ("ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', "
         "event = 'click_submit', event = 'pay']")
AS_OF = "timestamptz '2026-03-15 00:00+00'"

# name -> (query over {t}, where the aggregation runs on the distributed table, aggregates)
#   'workers':     every listed aggregate is computed on the workers, none on the coordinator
#   'coordinator': the listed aggregates run on the coordinator over gathered rows
#   'two-stage':   first aggregate on the workers, second on the coordinator
QUERIES = {
    "window_funnel per user": (
        f"SELECT user_id, window_funnel(ts, {CONDS}, interval '7 days') FROM {{t}} "
        "GROUP BY user_id ORDER BY user_id",
        "workers", ["window_funnel"]),
    "window_funnel per user, strict_order": (
        f"SELECT user_id, window_funnel(ts, {CONDS}, interval '1 day', 'strict_order') FROM {{t}} "
        "GROUP BY user_id ORDER BY user_id",
        "workers", ["window_funnel"]),
    "funnel_step_rates one-shot (event names)": (
        f"SELECT funnel_step_rates(user_id, ts, event, {STEPS}, interval '7 days') FROM {{t}}",
        "coordinator", ["funnel_step_rates"]),
    "funnel_step_rates one-shot (conditions, names, mode)": (
        f"SELECT funnel_step_rates(user_id, ts, {CONDS}, interval '7 days', {STEPS}, 'strict_increase') "
        "FROM {t}",
        "coordinator", ["funnel_step_rates"]),
    "funnel_step_rates per channel": (
        f"SELECT channel, funnel_step_rates(user_id, ts, event, {STEPS}, interval '7 days') FROM {{t}} "
        "GROUP BY channel ORDER BY channel",
        "coordinator", ["funnel_step_rates"]),
    "funnel two-stage": (
        f"SELECT funnel_step_rates(level, {STEPS}) FROM (SELECT user_id, "
        f"window_funnel(ts, {CONDS}, interval '7 days') AS level FROM {{t}} GROUP BY user_id) per_user",
        "two-stage", ["window_funnel", "funnel_step_rates"]),
    "funnel_level / funnel_path per user (definition, key, property)": (
        f"SELECT user_id, funnel_level(ts, event, funnel_definition(interval '7 days', steps => {STEPS}, "
        "mode => 'strict_order', step_windows => ARRAY['1 day', NULL, NULL, NULL]::interval[])), "
        f"funnel_path(ts, event, funnel_definition(interval '7 days', steps => {STEPS}, "
        "exclusions => '[{{\"event\": \"redeem\", \"from_step\": 2}}]', property_step => 'last'), "
        "channel, event) "
        "FROM {t} GROUP BY user_id ORDER BY user_id",
        "workers", ["funnel_level", "funnel_path"]),
    "funnel_report one-shot (definition)": (
        f"SELECT funnel_report(user_id, ts, event, funnel_definition(interval '7 days', steps => {STEPS})) "
        "FROM {t}",
        "coordinator", ["funnel_report"]),
    "intent_score per user": (
        f"SELECT user_id, intent_score(event, ts, intent_weights(), {AS_OF}), "
        f"intent_score(event, ts, intent_weights(), {AS_OF}, interval '30 days', interval '7 days') "
        "FROM {t} GROUP BY user_id ORDER BY user_id",
        "workers", ["intent_score"]),
    "intent_score_detail per user": (
        f"SELECT user_id, intent_score_detail(event, ts, intent_weights(), {AS_OF}) "
        "FROM {t} GROUP BY user_id ORDER BY user_id",
        "workers", ["intent_score_detail"]),
    "quantile_breaks of per-user intent scores (tiers)": (
        "SELECT quantile_breaks(score, ARRAY[0.5, 0.8, 0.95]) FROM (SELECT user_id, "
        f"intent_score(event, ts, intent_weights(), {AS_OF}) AS score FROM {{t}} GROUP BY user_id) s",
        "two-stage", ["intent_score", "quantile_breaks"]),
    "quantile_breaks over all rows": (
        "SELECT quantile_breaks(amount::float8, ARRAY[0.2, 0.4, 0.6, 0.8]) FROM {t} WHERE event = 'pay'",
        "coordinator", ["quantile_breaks"]),
    "quantile_breaks per user": (
        "SELECT user_id, quantile_breaks(amount::float8, ARRAY[0.5]) FROM {t} WHERE amount IS NOT NULL "
        "GROUP BY user_id ORDER BY user_id",
        "workers", ["quantile_breaks"]),
    "rfm_agg per user": (
        "SELECT user_id, rfm_agg(ts, amount, timestamptz '2026-04-01 00:00+00') FROM {t} "
        "WHERE event = 'pay' GROUP BY user_id ORDER BY user_id",
        "workers", ["rfm_agg"]),
    "rfm_breaks of per-user rfm_agg": (
        "SELECT rfm_breaks((r).recency_days, (r).frequency, (r).monetary::float8), "
        "rfm_breaks((r).recency_days, (r).frequency, (r).monetary::float8, 3) "
        "FROM (SELECT user_id, rfm_agg(ts, amount, timestamptz '2026-04-01 00:00+00') AS r FROM {t} "
        "WHERE event = 'pay' GROUP BY user_id) s",
        "two-stage", ["rfm_agg", "rfm_breaks"]),
    "lifecycle_stage aggregate per user": (
        "SELECT user_id, lifecycle_stage(ts, event = 'pay', timestamptz '2026-03-31 00:00+00'), "
        "lifecycle_stage(ts, event = 'pay', timestamptz '2026-03-31 00:00+00', 3, 14, 21, 45, 80) "
        "FROM {t} GROUP BY user_id ORDER BY user_id",
        "workers", ["lifecycle_stage"]),
    "retention per user": (
        "SELECT user_id, retention(ARRAY[event = 'register', event = 'view_detail', event = 'pay']) "
        "FROM {t} GROUP BY user_id ORDER BY user_id",
        "workers", ["retention"]),
    "retention_matrix over all rows": (
        "SELECT retention_matrix(user_id, ts, event = 'register', event = 'pay', "
        "retention_definition(timestamptz '2026-04-01 00:00+00', period => 'week', periods => 4)) FROM {t}",
        "coordinator", ["retention_matrix"]),
    "playbook per-user aggregates (holding_agg, category_share, lifecycle_stage_agg, intent_score definition)": (
        "SELECT user_id, holding_agg(ts, event, amount, timestamptz '2026-03-31 00:00+00', 'pay', 'redeem'), "
        "category_share(ts, CASE WHEN event IN ('view_detail', 'click_invest') THEN channel END, interval '30 minutes'), "
        "lifecycle_stage_agg(ts, event = 'pay', timestamptz '2026-03-31 00:00+00', NULL, "
        "lifecycle_rules(new_wins => false)), "
        "intent_score(event, ts, intent_definition(intent_weights(), timestamptz '2026-03-15 00:00+00', "
        "reset_events => ARRAY['pay'])) "
        "FROM {t} GROUP BY user_id ORDER BY user_id",
        "workers", ["holding_agg", "category_share", "lifecycle_stage_agg", "intent_score"]),
    "old_user_matrix over per-user grades and scores": (
        "SELECT old_user_matrix(lifecycle_grade(last_at, timestamptz '2026-03-31 00:00+00', '{{3,7,14,30,45}}'), "
        "(1 + (user_id % 5))::int, paid) FROM (SELECT user_id, max(ts) AS last_at, "
        "coalesce(sum(amount) FILTER (WHERE event = 'pay'), 0)::float8 AS paid FROM {t} "
        "WHERE ts <= timestamptz '2026-03-31 00:00+00' GROUP BY user_id) s",
        "two-stage", ["max", "old_user_matrix"]),
    "intent_breaks over per-user scores": (
        "SELECT intent_breaks(score) FROM (SELECT user_id, intent_score(event, ts, intent_weights(), "
        f"{AS_OF}, interval '3 days') AS score FROM {{t}} GROUP BY user_id) s",
        "two-stage", ["intent_score", "intent_breaks"]),
    "channel_prior over per-channel counts": (
        "SELECT channel_prior(traffic, conversions) FROM (SELECT channel, "
        "count(DISTINCT user_id) AS traffic, count(DISTINCT user_id) FILTER (WHERE event = 'pay') "
        "AS conversions FROM {t} GROUP BY channel) c",
        "two-stage", ["count", "channel_prior"]),
}

passed = 0
failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("  ok   " + what)
    else:
        failed += 1
        print("  FAIL " + what + (("\n" + detail) if detail else ""))


def psql(sql, node=COORD, check_rc=True):
    r = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-F", "|", "-h", node[0], "-p", node[1], "-U", "postgres",
         "-d", "postgres", "-v", "ON_ERROR_STOP=1"],
        input=sql, text=True, capture_output=True, env=dict(os.environ, PGTZ="UTC"))
    if check_rc and r.returncode != 0:
        raise RuntimeError(f"psql failed: {r.stderr.strip()}\n{sql}")
    return r


NUM = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def same(a, b):
    """Equal text, or equal up to 1e-9 relative in each number (float sums in another order)."""
    if a == b:
        return True
    na, nb = NUM.findall(a), NUM.findall(b)
    if NUM.sub("#", a) != NUM.sub("#", b) or len(na) != len(nb):
        return False
    return all(x == y or abs(float(x) - float(y)) <= 1e-9 * max(1.0, abs(float(x)), abs(float(y)))
               for x, y in zip(na, nb))


def explain(sql):
    return psql("EXPLAIN (VERBOSE, COSTS OFF) " + sql).stdout


def indent(line):
    return len(line) - len(line.lstrip(" "))


def places(plan, fn):
    """Where the plan computes fn(...): a set of 'coordinator' and 'workers'.

    Every Aggregate node whose Output calls fn is located by the nearest preceding
    'Node: host=... port=N' line of a Citus task enclosing it (indented no deeper): port
    55460 or no enclosing task is the coordinator, another port a worker.
    """
    lines = plan.splitlines()
    found = set()
    for k, line in enumerate(lines):
        if not re.search(r"\b(Aggregate|GroupAggregate|HashAggregate|WindowAgg)\b", line):
            continue
        out = lines[k + 1] if k + 1 < len(lines) else ""
        if "Output:" not in out or not re.search(r"\b" + fn + r"\(", out):
            continue
        where = "coordinator"
        for j in range(k - 1, -1, -1):
            m = re.search(r"Node: host=\S+ port=(\d+)", lines[j])
            if m and indent(lines[j]) <= indent(line):
                where = "coordinator" if m.group(1) == COORD[1] else "workers"
                break
        found.add(where)
    return found


def main():
    skip = None
    r = subprocess.run(["bash", "-c", f"source {CLUSTER} && citus_installed"], capture_output=True)
    if r.returncode != 0:
        tarball = os.path.join(ROOT, "..", "shared", "vendor", "citus-13.2.2.tar.gz")
        skip = ("Citus 13.2.2 is not installed; " + (
            "scripts/citus-cluster build installs it" if os.path.exists(tarball)
            else "../shared/vendor/citus-13.2.2.tar.gz, which scripts/citus-cluster build needs, is missing"))
    if skip:
        print(f"citus: SKIPPED ({skip})")
        return 0

    print("starting the Citus cluster (coordinator 55460, workers 55461, 55462)")
    subprocess.run([CLUSTER, "start"], check=True)

    n_workers = psql("SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND nodeport <> 55460").stdout
    check(n_workers.strip() == "2", "two workers registered")
    for w in WORKERS:
        v = psql("SELECT extversion FROM pg_extension WHERE extname = 'pg_operations'", node=w).stdout
        check(v.strip() != "", f"pg_operations installed on worker {w[1]}")

    psql("""
        SET TimeZone = 'UTC';
        CREATE TABLE events AS SELECT * FROM generate_demo_events(3000, 90, 7);
        CREATE TABLE events_dist (LIKE events);
        SELECT create_distributed_table('events_dist', 'user_id');
        INSERT INTO events_dist SELECT * FROM events;
        ANALYZE events; ANALYZE events_dist;
    """)
    counts = psql("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM events_dist), "
                  "(SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'events_dist'::regclass)").stdout
    local_n, dist_n, nodes = counts.strip().split("|")
    check(local_n == dist_n and int(local_n) > 0,
          f"events ({local_n} rows) and events_dist ({dist_n} rows) hold the same rows")
    check(nodes == "2", f"events_dist shards on {nodes} workers")

    for name, (q, where, fns) in QUERIES.items():
        print(f"{name}:")
        local = psql(q.format(t="events")).stdout
        dist = psql(q.format(t="events_dist")).stdout
        rows = len(local.splitlines())
        exact = local == dist
        check(rows > 0 and len(dist.splitlines()) == rows and all(
            same(a, b) for a, b in zip(local.splitlines(), dist.splitlines())),
            f"distributed result equals local result ({rows} rows, "
            + ("identical text)" if exact else "numbers equal up to 1e-9 relative)"),
            f"local:\n{local[:600]}\ndistributed:\n{dist[:600]}")
        plan = explain(q.format(t="events_dist"))
        if where == "workers":
            ok = all(places(plan, f) == {"workers"} for f in fns)
            what = f"EXPLAIN: {', '.join(fns)} pushed down to the workers"
        elif where == "coordinator":
            ok = all(places(plan, f) == {"coordinator"} for f in fns)
            what = f"EXPLAIN: {', '.join(fns)} runs on the coordinator over rows gathered from the workers"
        else:
            ok = places(plan, fns[0]) == {"workers"} and places(plan, fns[1]) == {"coordinator"}
            what = f"EXPLAIN: {fns[0]} on the workers, {fns[1]} on the coordinator (two-stage)"
        check(ok, what, plan)
        if where == "coordinator":
            # internal state: Citus cannot split the aggregate into worker partials, so with
            # row gathering disabled it must refuse the query (proof it is not pushed down).
            r = psql("SET citus.coordinator_aggregation_strategy = 'disabled';\n"
                     + q.format(t="events_dist"), check_rc=False)
            check(r.returncode != 0 and "unsupported aggregate function" in r.stderr,
                  "with coordinator_aggregation_strategy = 'disabled' Citus refuses it",
                  r.stderr.strip())

    # The two-stage funnel (pushed down) and the one-shot funnel count the same users per step.
    print("two-stage vs one-shot funnel:")
    one = psql(f"SELECT (s).step, (s).name, (s).users, (s).rate_from_previous, (s).rate_from_first "
               f"FROM (SELECT unnest(funnel_step_rates(user_id, ts, event, {STEPS}, interval '7 days')) AS s "
               "FROM events) q").stdout
    # unnest(aggregate) in the target list of a query over a distributed table fails in
    # Citus ("set-valued function called in context that cannot accept a set"): unnest a
    # scalar subquery instead.
    two = psql(f"SELECT step, name, users, rate_from_previous, rate_from_first "
               f"FROM unnest((SELECT funnel_step_rates(level, {STEPS}) FROM (SELECT user_id, "
               f"window_funnel(ts, {CONDS}, interval '7 days') AS level FROM events_dist "
               "GROUP BY user_id) per_user))").stdout
    check(one == two and one.strip() != "", "distributed two-stage funnel equals the local one-shot funnel",
          f"one-shot:\n{one}\ntwo-stage:\n{two}")
    return 0


def stop(*_):
    subprocess.run([CLUSTER, "stop"])


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    code = 1
    try:
        code = main()
    except Exception as e:  # noqa: BLE001  any error is a failure, reported, clusters stopped
        failed += 1
        print(f"  FAIL {type(e).__name__}: {e}")
    finally:
        if os.path.exists(os.path.join(COORD[0], "data", "postmaster.pid")) or any(
                os.path.exists(os.path.join(w[0], "data", "postmaster.pid")) for w in WORKERS):
            stop()
    if passed or failed:
        print(f"citus: {passed} passed, {failed} failed")
    sys.exit(1 if failed else code)
