#!/usr/bin/env bash
# Scale-out benchmark: the one-shot funnel (funnel_step_rates over raw events, 5 steps,
# 7 days) on N generated events, single node vs a Citus cluster (coordinator + 2 workers,
# scripts/citus-cluster) on this same machine, plus the two-stage funnel whose per-user
# window_funnel runs on the workers. Prints median seconds and ratios to the single-node
# one-shot funnel (< 1 is faster).
#   bench/citus.sh [--events N] [--runs K] [--no-install] [--so FILE]   (N defaults to 10 000 000)
# --no-install uses the pg_operations build already installed instead of installing a
# release build first. --so FILE (e.g. target/release/libpg_operations.so) times that
# library instead of the installed one, on every node, without installing it (the
# extension's C functions are pointed at a copy; every symbol they need must be in it). The single-node table is a plain table on the coordinator (same
# server settings as each worker: shared_buffers 1GB, work_mem 256MB, 2 parallel workers
# per gather); the distributed table has 8 shards, 4 per worker.
set -euo pipefail
source "$(dirname "$0")/../scripts/citus-cluster"
cd "$REPO_ROOT"

events=10000000 runs=5 install=1 so_file=
while (($#)); do
    case $1 in
        --events) events=$2; shift ;;
        --runs) runs=$2; shift ;;
        --no-install) install=0 ;;
        --so) so_file=$2; install=0; shift ;;
        *) echo "usage: $0 [--events N] [--runs K] [--no-install] [--so FILE]" >&2; exit 2 ;;
    esac
    shift
done
users=$(( (events + 19) / 20 ))   # the generator makes about 20 events per user

citus_build
((install == 0)) || { ensure_prerequisites; install_extension; }
so=$($PG_CONFIG --pkglibdir)/pg_operations.so
if [ -n "$so_file" ]; then
    so=/tmp/pg_operations-citus-lib/pg_operations.so
    mkdir -p "${so%/*}"
    cp "$so_file" "$so"
    chmod 755 "${so%/*}" "$so"
fi
# Every connection loads the library afresh: note which build is timed, and warn if it is
# replaced while the benchmark runs.
so_sum=$(md5sum <"$so")
if file -b "$so" | grep -q "with debug_info"; then log "$so is a debug build"; fi
export CITUS_SHARED_BUFFERS=1GB
citus_start
trap 'citus_stop' EXIT
if [ -n "$so_file" ]; then
    for node in "${CITUS_NODES[@]}"; do
        name=${node%%:*} port=${node##*:}
        missing=$(comm -23 \
            <(node_psql "$name" "$port" -A -t -c "SELECT DISTINCT prosrc FROM pg_proc WHERE probin = '\$libdir/pg_operations'" | LC_ALL=C sort) \
            <(nm -D --defined-only "$so" | awk '{print $3}' | LC_ALL=C sort -u))
        [ -z "$missing" ] || { log "$so_file lacks symbols the installed SQL uses: $(echo $missing | head -c 300)"; exit 1; }
        node_psql "$name" "$port" -c "UPDATE pg_proc SET probin = '$so' WHERE probin = '\$libdir/pg_operations'" >/dev/null
    done
    log "timing $so_file (copied to $so) instead of the installed pg_operations.so"
fi
export PGHOST=/tmp/pg_operations-citus-coord PGPORT=55460 PGUSER=postgres PGDATABASE=postgres
psql -X -q -v ON_ERROR_STOP=1 -o /dev/null <<SQL
\timing on
\echo 'single-node table events:'
CREATE UNLOGGED TABLE events AS SELECT * FROM generate_demo_events($users, 180, 42);
CREATE UNLOGGED TABLE events_dist (LIKE events);
SELECT create_distributed_table('events_dist', 'user_id');
\echo 'distributed table events_dist (INSERT ... SELECT from events):'
INSERT INTO events_dist SELECT * FROM events;
\timing off
VACUUM ANALYZE events;
VACUUM ANALYZE events_dist;
SQL
rows=$(psql -X -A -t -c "SELECT count(*) FROM events")
log "events: $rows rows, $users users, on one node and distributed over 2 workers (8 shards)"

python3 - "$runs" "$rows" <<'PY'
import statistics, subprocess, sys, time

runs, rows = int(sys.argv[1]), sys.argv[2]
STEPS = "ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay']"
CONDS = ("ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', "
         "event = 'click_submit', event = 'pay']")
ONE_SHOT = f"SELECT funnel_step_rates(user_id, ts, event, {STEPS}, interval '7 days') FROM {{t}};"
TWO_STAGE = (f"SELECT funnel_step_rates(level, {STEPS}) FROM (SELECT window_funnel(ts, {CONDS}, "
             "interval '7 days') AS level FROM {t} GROUP BY user_id) per_user;")
WORKLOADS = [
    ("single node, one-shot", ONE_SHOT.format(t="events")),
    ("single node, two-stage", TWO_STAGE.format(t="events")),
    ("citus, one-shot (rows gathered)", ONE_SHOT.format(t="events_dist")),
    ("citus, two-stage (pushed down)", TWO_STAGE.format(t="events_dist")),
]


def run(sql):
    t0 = time.perf_counter()
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"],
                   input=sql, text=True, check=True)
    return time.perf_counter() - t0


empty = run("SELECT 1")
results = []
for name, sql in WORKLOADS:
    run(sql)  # warm-up
    results.append((name, statistics.median(max(run(sql) - empty, 1e-6) for _ in range(runs))))
base = results[0][1]
print(f"\n{rows} events, {runs} runs each, median seconds (psql start-up subtracted)\n")
print(f"{'workload':34} {'median s':>9}  {'/ single one-shot':>17}")
for name, med in results:
    print(f"{name:34} {med:>9.3f}  {med / base:>17.2f}")
PY
[ "$(md5sum <"$so")" = "$so_sum" ] || log "WARNING: $so was replaced during the benchmark: timings mix builds"
