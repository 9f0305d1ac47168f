#!/usr/bin/env bash
# Benchmark runner: builds (release) and installs the extension, starts a throwaway
# cluster, creates a table of N generated events and runs each workload in
# bench/workloads/*.sql several times, printing median times and ratios against the
# baselines run in the same session.
#   bench/run.sh [--events N] [--runs K] [WORKLOAD ...]    (N defaults to 10 000 000)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"

events=10000000 runs=5 only=()
while (($#)); do
    case $1 in
        --events) events=$2; shift ;;
        --runs) runs=$2; shift ;;
        *) only+=("$1") ;;
    esac
    shift
done
users=$(( (events + 19) / 20 ))   # the generator makes about 20 events per user

ensure_prerequisites
install_extension
pg_start bench 55434
trap 'pg_stop bench quiet' EXIT
psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION pg_operations;
\timing on
CREATE UNLOGGED TABLE events AS SELECT * FROM generate_demo_events($users, 180, 42);
\timing off
VACUUM ANALYZE events;
SQL
rows=$(psql -X -A -t -c "SELECT count(*) FROM events")
log "events table: $rows rows, $users users"
python3 bench/timing.py --runs "$runs" --rows "$rows" "${only[@]}"
