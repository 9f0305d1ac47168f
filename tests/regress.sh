#!/usr/bin/env bash
# SQL regression tests: runs every tests/sql/NAME.sql with psql in a fresh database of a
# throwaway cluster and diffs the output with tests/expected/NAME.out.
#   tests/regress.sh [--accept] [NAME ...]    --accept copies results over expected files
set -uo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"

accept=0
if [ "${1:-}" = --accept ]; then accept=1; shift; fi
names=("$@")
if ((${#names[@]} == 0)); then
    for f in tests/sql/*.sql; do names+=("$(basename "$f" .sql)"); done
fi

cluster=${REGRESS_NAME:-regress}
PG_PRELOAD=pg_cron pg_start "$cluster" "${REGRESS_PORT:-55433}" || exit 1
trap 'pg_stop "$cluster" quiet' EXIT
mkdir -p tests/results
passed=0 failed=0
for name in "${names[@]}"; do
    db="regress_$name"
    psql -X -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    # VERBOSITY verbose prints each error's SQLSTATE; LOCATION lines (source file and line
    # numbers) are dropped so the expected output does not depend on the build.
    psql -X -a -d "$db" -v ON_ERROR_STOP=0 -v VERBOSITY=verbose \
        -c '\set VERBOSITY verbose' -f "tests/sql/$name.sql" 2>&1 \
        | grep -v '^LOCATION:' | sed -e '/^\\set VERBOSITY verbose$/d' >"tests/results/$name.out"
    if ((accept)); then cp "tests/results/$name.out" "tests/expected/$name.out"; fi
    if diff -u "tests/expected/$name.out" "tests/results/$name.out" >"tests/results/$name.diff" 2>&1; then
        echo "ok     $name"; passed=$((passed + 1)); rm -f "tests/results/$name.diff"
    else
        echo "FAILED $name (see tests/results/$name.diff)"; head -40 "tests/results/$name.diff"; failed=$((failed + 1))
    fi
done

# Every ```sql example in docs/ followed by an ```output block is executed and compared.
if python3 tests/doctest_sql.py --dsn-from-env docs/*.md; then
    passed=$((passed + 1)); echo "ok     docs examples"
else
    failed=$((failed + 1)); echo "FAILED docs examples"
fi
# Python integration tests (tests/py/test_*.py) talk to the same cluster through PGHOST/PGPORT.
# Each exits 0 on success (or when it reports itself skipped) and non-zero on failure.
for t in tests/py/test_*.py; do
    [ -e "$t" ] || continue
    if [ -n "${ONLY_PY:-}" ] && [[ "$t" != *"$ONLY_PY"* ]]; then continue; fi
    if python3 "$t"; then
        passed=$((passed + 1)); echo "ok     $t"
    else
        failed=$((failed + 1)); echo "FAILED $t"
    fi
done
echo "regress: $passed passed, $failed failed"
((failed == 0))
