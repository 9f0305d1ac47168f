#!/usr/bin/env bash
# Side-by-side A/B of two builds of the extension library on the same table and server:
#   bench/ab.sh OLD.so NEW.so [--events N] [--runs K]
# The table is in time order (the layout of real event tables). Every query consumes the
# aggregate's result (count(r)): PostgreSQL drops unused subquery columns, aggregates included. Each query runs K times per
# build, alternating A and B; the medians and B/A are printed. Used for the 0.2.0
# architecture change (no speed change expected): OLD.so is the 0.1.1 library with
# sql/released/pg_operations--0.1.1.sql, NEW.so the current one.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"
old=$1 new=$2; shift 2
events=2000000 runs=3
while (($#)); do
    case $1 in --events) events=$2; shift ;; --runs) runs=$2; shift ;; esac
    shift
done
users=$(( (events + 19) / 20 ))
libdir=$("$PG_CONFIG" --pkglibdir)
installed=$(mktemp); cp "$libdir/pg_operations.so" "$installed"
pg_start ab 55435
trap 'pg_stop ab quiet; cp "$installed" "$libdir/pg_operations.so"; rm -f "$installed"' EXIT
use() { cp "$1" "$libdir/pg_operations.so"; }
use "$old"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE a" -c "CREATE DATABASE b"
psql -X -q -v ON_ERROR_STOP=1 -d a -c "CREATE EXTENSION pg_operations VERSION '0.1.1'" \
    -c "CREATE UNLOGGED TABLE events AS SELECT * FROM generate_demo_events($users, 60, 42) ORDER BY ts" \
    -c "VACUUM ANALYZE events"
use "$new"
psql -X -q -v ON_ERROR_STOP=1 -d b -c "CREATE EXTENSION pg_operations" \
    -c "CREATE UNLOGGED TABLE events AS SELECT * FROM generate_demo_events($users, 60, 42) ORDER BY ts" \
    -c "VACUUM ANALYZE events"
queries=(
  "count(*) GROUP BY user_id|SELECT count(r) FROM (SELECT user_id, count(*) AS r FROM events GROUP BY user_id) s"
  "window_funnel|SELECT count(r) FROM (SELECT user_id, window_funnel(ts, ARRAY[event='view_list', event='view_detail', event='click_invest', event='pay'], '7 days') AS r FROM events GROUP BY user_id) s"
  "funnel_step_rates one-shot|SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list','view_detail','click_invest','pay'], '7 days') IS NULL FROM events"
  "intent_score|SELECT count(r) FROM (SELECT user_id, intent_score(event, ts, intent_weights(), '2026-02-20') AS r FROM events GROUP BY user_id) s"
  "rfm_agg|SELECT count(r) FROM (SELECT user_id, rfm_agg(ts, amount, '2026-03-01') AS r FROM events WHERE event = 'pay' GROUP BY user_id) s"
  "lifecycle_stage|SELECT count(r) FROM (SELECT user_id, lifecycle_stage(ts, event = 'pay', '2026-03-01') AS r FROM events GROUP BY user_id) s"
  "quantile_breaks|SELECT quantile_breaks(amount::float8, ARRAY[0.2, 0.5, 0.8]) IS NULL FROM events"
)
time_ms() { # db sql -> ms (an error is printed and ends the run)
    local out
    out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c '\timing on' \
              -c "SET max_parallel_workers_per_gather = ${WORKERS:-0}" -c "$2" 2>&1) \
        || { echo "$1: $2: $out" >&2; return 1; }
    sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out" | tail -1
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-28s %10s %10s %7s\n' "query (${events} events, workers ${WORKERS:-0})" "0.1.1 ms" "0.2.0 ms" "B/A"
for q in "${queries[@]}"; do
    name=${q%%|*} sql=${q#*|}
    : >/tmp/ab_a; : >/tmp/ab_b
    for ((i = 0; i < runs; i++)); do
        use "$old"; time_ms a "$sql" >>/tmp/ab_a
        use "$new"; time_ms b "$sql" >>/tmp/ab_b
    done
    a=$(median </tmp/ab_a) b=$(median </tmp/ab_b)
    printf '%-28s %10.0f %10.0f %7.2f\n' "$name" "$a" "$b" "$(echo "$b / $a" | bc -l)"
done
