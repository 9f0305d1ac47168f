#!/usr/bin/env bash
# Benchmark runner: builds (release) and installs the extension, starts a throwaway
# cluster, creates a table of N generated events and runs each workload in
# bench/workloads/*.sql several times, printing median times and ratios against the
# baselines and against each workload's built-in equivalent (`-- vs:`, timed alternately with
# the workload: the median of the per-pair ratios), run in the same session, once per
# worker count.
#   bench/run.sh [--events N] [--runs K] [--layout time|user] [--workers "0 2"] [--chdb]
#                [WORKLOAD ...]
# N defaults to 10 000 000. --layout time (the default) stores the rows in time order, the
# layout of real event tables (each user's rows spread over the whole table); --layout user
# keeps the generator's order, user by user (each user's rows together: kinder to per-user
# states, hence only a second figure). --workers lists max_parallel_workers_per_gather values.
# --chdb also times ClickHouse windowFunnel (chdb, 1 and 2 threads) over the same table in the
# same run (bench/chdb_funnel.py; skipped with a message when chdb is not installed).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"

events=10000000 runs=5 only=() layout=time workers="0 2" chdb=0
while (($#)); do
    case $1 in
        --events) events=$2; shift ;;
        --runs) runs=$2; shift ;;
        --layout) layout=$2; shift ;;
        --workers) workers=$2; shift ;;
        --chdb) chdb=1 ;;
        *) only+=("$1") ;;
    esac
    shift
done
case $layout in
    time) order="ORDER BY ts" ;;
    user) order="" ;;
    *) log "--layout must be time or user, not '$layout'"; exit 2 ;;
esac
users=$(( (events + 19) / 20 ))   # the generator makes about 20 events per user

ensure_prerequisites
install_extension
pg_start bench 55434
trap 'pg_stop bench quiet' EXIT
psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION pg_operations;
\timing on
CREATE UNLOGGED TABLE events AS SELECT * FROM generate_demo_events($users, 180, 42) $order;
\timing off
VACUUM ANALYZE events;
SQL
rows=$(psql -X -A -t -c "SELECT count(*) FROM events")
log "events table: $rows rows, $users users, layout $layout"
for w in $workers; do
    PGOPTIONS="-c max_parallel_workers_per_gather=$w" \
        python3 bench/timing.py --runs "$runs" --rows "$rows ($layout order)" "${only[@]}"
done
if ((chdb)); then
    csv=$(mktemp /tmp/pg_operations-bench-XXXXXX.csv)
    chmod 644 "$csv"
    psql -X -q -c "\\copy (SELECT user_id, (extract(epoch FROM ts) * 1000000)::bigint, event FROM events) TO '$csv' WITH (FORMAT csv)"
    python3 bench/chdb_funnel.py "$csv" --runs 5 || true
    rm -f "$csv"
fi
