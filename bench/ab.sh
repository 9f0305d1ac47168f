#!/usr/bin/env bash
# bench/ab.sh OLD.so NEW.so [RUNS]: two builds of the library alternated query by query on
# one fresh cluster and one time-ordered table (10M events), median of RUNS each: an A/B
# where both builds see the same table and the same machine moments apart. Restores the
# installed library when done. OLD.so/NEW.so: copies of $(pg_config --pkglibdir)/pg_operations.so.
# WORKERS=N: max_parallel_workers_per_gather (default 0); ONLY=name,name: just those queries.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
old=$1 new=$2 runs=${3:-3}
libdir=$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir)
installed=$(mktemp); cp "$libdir/pg_operations.so" "$installed"; tmp=$(mktemp -d)
pg_start abf 55436 >/dev/null
export PGHOST=/tmp/pg_operations-abf PGPORT=55436 PGUSER=postgres
trap 'pg_stop abf quiet; cp "$installed" "$libdir/pg_operations.so"; rm -rf "$installed" "$tmp"' EXIT
cp "$new" "$libdir/pg_operations.so"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_operations" -c "ALTER SYSTEM SET work_mem='256MB'" -c "select pg_reload_conf()" \
  -c "CREATE UNLOGGED TABLE events AS SELECT * FROM generate_demo_events(500000, 180, 42) ORDER BY ts" -c "VACUUM ANALYZE events" >/dev/null
queries=(
 "floor|SELECT user_id, count(*) FROM events GROUP BY user_id"
 "funnel_level|SELECT user_id, funnel_level(ts, event, funnel_definition(interval '7 days', steps => ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'])) FROM events GROUP BY user_id"
 "window_funnel|SELECT user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'click_submit', event = 'pay'], interval '7 days') FROM events GROUP BY user_id"
 "conds_array_only|SELECT user_id, count(*) FILTER (WHERE (ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'click_submit', event = 'pay'])[5]) FROM events GROUP BY user_id"
 "one_shot|SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'], interval '7 days') FROM events"
 "report|$(grep -v '^--' bench/workloads/funnel_report.sql | tr '\n' ' ')"
 "retention|$(grep -v '^--' bench/workloads/retention_matrix_events.sql | tr '\n' ' ')"
)
t() { psql -X -q -o /dev/null -c '\timing on' -c "SET max_parallel_workers_per_gather = ${WORKERS:-0}" -c "$1" 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for q in "${queries[@]}"; do
  name=${q%%|*} sql=${q#*|}; : >"$tmp/a"; : >"$tmp/b"
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then continue; fi
  for ((i=0;i<runs;i++)); do
    cp "$old" "$libdir/pg_operations.so"; t "$sql" >>"$tmp/a"
    cp "$new" "$libdir/pg_operations.so"; t "$sql" >>"$tmp/b"
  done
  a=$(median <"$tmp/a") b=$(median <"$tmp/b")
  printf '%-18s A %8.0f  B %8.0f  B/A %5.3f   (A: %s | B: %s)\n' "$name" "$a" "$b" "$(echo "$b / $a" | bc -l)" "$(tr '\n' ' ' <"$tmp/a")" "$(tr '\n' ' ' <"$tmp/b")"
done
