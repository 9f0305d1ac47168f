"""Shared helpers for the Python integration tests (tests/py/test_*.py): running SQL
through psql against the cluster tests/regress.sh started (PGHOST/PGPORT/PGUSER), and
counting checks for the closing `NAME: N passed, N failed` line."""
import subprocess
import sys

passed = 0
failed = 0


def check(ok, what):
    """Records one check and prints it."""
    global passed, failed
    if ok:
        passed += 1
        print("  ok   " + what)
    else:
        failed += 1
        print("  FAIL " + what)


def psql(sql, db="postgres", timeout=300, sep=","):
    """Runs `sql` in `db` (unaligned, tuples only, fields separated by `sep`), stops at the
    first error and returns the output without surrounding white space."""
    r = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-F", sep, "-d", db, "-v", "ON_ERROR_STOP=1"],
        input=sql, capture_output=True, text=True, timeout=timeout,
    )
    if r.returncode != 0:
        raise RuntimeError("psql failed: %s\n%s" % (r.stderr.strip(), sql.strip()[:500]))
    return r.stdout.strip()


def run(name, main):
    """Runs `main`, counts an exception as a failed check, prints the closing line and exits
    non-zero when any check failed."""
    try:
        main()
    except Exception as e:  # noqa: BLE001 - a crash is a failure, with its reason
        check(False, "%s: %s" % (type(e).__name__, e))
    print("%s: %d passed, %d failed" % (name, passed, failed))
    sys.exit(1 if failed else 0)
