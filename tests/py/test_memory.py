#!/usr/bin/env python3
"""Memory bounds of the aggregates (docs/funnels.md, "Memory and performance").

Each measured query runs in a fresh backend; the test reads the backend's peak resident
set (VmHWM in /proc/<pg_backend_pid()>/status) before and after the query. The input
comes from generate_series (no table, so no shared buffers are touched) with work_mem =
1MB, so the executor's own sorts and tuplestores spill and the growth is the aggregate's.

Checks:
- one-shot funnel_step_rates keeps 16 bytes per kept row; with the vector and hash-table
  slack the documented bound is 32 bytes per kept row + 160 bytes per user (+ the text of
  text keys) + 8 MB, and at least the 16 bytes per kept row must show up (so the
  measurement itself works);
- rows matching no step cost nothing beyond their user;
- window_funnel under a HashAggregate (pooled rows, 16 bytes each) costs between 24 and 48
  bytes per kept row more than count(*) over the same groups;
- window_funnel GROUP BY user (group aggregate) frees each group's state: peak memory over
  1M rows (100k groups) is within 4 MB of the peak over 100k rows (10k groups); the same
  for lifecycle_stage (both arities), intent_score and rfm_agg over 200k vs 20k groups.

Talks to the cluster named by PGHOST/PGPORT/PGUSER through psql; prints
"memory: N passed, N failed" and exits 0 on success. Skips (exit 0) when the backend's
/proc entry cannot be read (a server on another machine).
"""
import subprocess
import time

import harness  # tests/py/harness.py: psql and check bookkeeping
from harness import check

DB = "test_memory"
MB = 1024 * 1024
ROW_BOUND = 32  # bytes per kept row (16-byte rows, vectors grow by doubling)
USER_BOUND = 160  # bytes per user: key, vector header, minimum capacity, hash-table slack
CONST_BOUND = 8 * MB

def psql(sql, db="postgres", timeout=300):
    return harness.psql(sql, db=db, timeout=timeout, sep="|")


class Backend:
    """One psql session (one backend) fed statement by statement."""

    def __init__(self):
        self.p = subprocess.Popen(
            ["psql", "-X", "-q", "-A", "-t", "-d", DB, "-v", "ON_ERROR_STOP=1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, bufsize=1)
        self.pid = int(self.run("SELECT pg_backend_pid();"))

    def run(self, sql):
        self.p.stdin.write(sql + "\n\\echo __done__\n")
        self.p.stdin.flush()
        out = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError("backend session ended: " + "".join(out))
            if line.strip() == "__done__":
                return "".join(out).strip()
            out.append(line)

    def status(self, key):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                k, v = line.split(":", 1)
                if k == key:
                    return int(v.split()[0]) * 1024
        raise KeyError(key)

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def peak_growth(query, settings="SET work_mem = '1MB'; SET enable_hashagg = off;"):
    """Peak RSS growth (bytes) of a fresh backend running `query`, and its output."""
    b = Backend()
    try:
        b.run("SET max_parallel_workers_per_gather = 0; SET jit = off; " + settings)
        # Load the library and warm the caches before the baseline.
        b.run("SELECT funnel_step_rates(1, now(), ARRAY[true], '1 hour'), "
              "funnel_step_rates('x', now(), ARRAY[true], '1 hour'), "
              "window_funnel(now(), ARRAY[true], '1 hour');")
        base = b.status("VmRSS")
        t = time.time()
        out = b.run(query)
        growth = b.status("VmHWM") - base
        print("  info %.1f s, peak +%.1f MB: %s" % (time.time() - t, growth / MB, query[:110]))
        return growth, out
    finally:
        b.close()


def funnel_query(users, per_user, keep, key="u"):
    """One-shot funnel over users x per_user rows; `keep` of each user's rows match a step."""
    return ("SELECT (funnel_step_rates(%s, timestamptz '2026-01-01' + k * interval '1 minute', "
            "ARRAY[k <= %d AND k %% 2 = 1, k <= %d AND k %% 2 = 0], interval '1 hour'))[1].users "
            "FROM generate_series(1, %d) u, generate_series(1, %d) k;"
            % (key, keep, keep, users, per_user))


def one_shot_bound(users, per_user, keep, key="u", key_bytes=0):
    growth, out = peak_growth(funnel_query(users, per_user, keep, key))
    rows = users * keep
    bound = ROW_BOUND * rows + (USER_BOUND + key_bytes) * users + CONST_BOUND
    check(out == str(users), "funnel over %d users counts them all (got %s)" % (users, out))
    check(growth <= bound, "%d users x %d kept rows (%s keys): peak +%.1f MB <= bound %.1f MB"
          % (users, keep, "text" if key_bytes else "bigint", growth / MB, bound / MB))
    check(growth >= 16 * rows, "the %d kept rows do show up (+%.1f MB >= %.1f MB)"
          % (rows, growth / MB, 16 * rows / MB))
    return growth


def main():
    psql("DROP DATABASE IF EXISTS %s;" % DB)
    psql("CREATE DATABASE %s;" % DB)
    try:
        psql("CREATE EXTENSION pg_operations;", db=DB)
        probe = Backend()
        try:
            probe.status("VmHWM")
        except OSError as e:
            print("SKIP memory: cannot read the backend's /proc status (%s)" % e)
            return 0
        finally:
            probe.close()
        # The input alone costs (almost) nothing.
        growth, _ = peak_growth("SELECT count(*) FROM generate_series(1, 100000) u, generate_series(1, 10) k;")
        check(growth <= 4 * MB, "input rows alone: peak +%.1f MB <= 4 MB" % (growth / MB))
        # Row-heavy and user-heavy one-shot funnels, bigint and text keys.
        one_shot_bound(50000, 20, 20)
        one_shot_bound(200000, 2, 2)
        # 'user-000001' etc.: 11 bytes of text per key.
        one_shot_bound(100000, 4, 4, key="'user-' || lpad(u::text, 6, '0')", key_bytes=11 + 24)
        # Rows matching no step are dropped: 10 rows with 1 kept cost what 1 row costs.
        many, _ = peak_growth(funnel_query(50000, 10, 1))
        few, _ = peak_growth(funnel_query(50000, 1, 1))
        check(many <= few * 1.25 + 2 * MB, "9 non-matching rows per user cost nothing: +%.1f MB vs +%.1f MB"
              % (many / MB, few / MB))
        # GROUP BY user: each group's state is freed with the group.
        wf = ("SELECT count(*) FROM (SELECT window_funnel(timestamptz '2026-01-01' + k * interval '1 minute', "
              "ARRAY[k %% 2 = 1, k %% 2 = 0], interval '1 hour') AS l "
              "FROM generate_series(1, %d) u, generate_series(1, 10) k GROUP BY u) s;")
        small, out_small = peak_growth(wf % 10000)
        large, out_large = peak_growth(wf % 100000)
        check((out_small, out_large) == ("10000", "100000"), "window_funnel gives one level per group")
        check(large <= small + 4 * MB, "window_funnel GROUP BY: 1M rows +%.1f MB vs 100k rows +%.1f MB (flat)"
              % (large / MB, small / MB))
        # HashAggregate: window_funnel's groups keep their rows in one pooled buffer, 16 bytes
        # per kept row (documented: plus as much again while the rows are placed by group,
        # plus the buffer's spare capacity: 48 at most; 32 at least at the placing). Measured against count(*) over the same groups,
        # which pays PostgreSQL's own hash table.
        hashed = "SET work_mem = '2GB'; SET enable_sort = off;"
        hq = ("SELECT count(*) FROM (SELECT %s AS v FROM generate_series(1, 100000) u, "
              "generate_series(1, 20) k GROUP BY u) s WHERE v IS NOT NULL;")
        base, out_base = peak_growth(hq % "count(*)", hashed)
        pooled, out_pooled = peak_growth(
            hq % ("window_funnel(timestamptz '2026-01-01' + k * interval '1 minute', "
                  "ARRAY[k % 2 = 1, k % 2 = 0], interval '1 hour')"), hashed)
        rows = 100000 * 20
        check((out_base, out_pooled) == ("100000", "100000"), "hashed window_funnel gives one level per group")
        check(pooled - base <= 48 * rows + 4 * MB,
              "hashed window_funnel: %d kept rows +%.1f MB over count(*) <= 48 bytes a row"
              % (rows, (pooled - base) / MB))
        check(pooled - base >= 24 * rows,
              "hashed window_funnel: the %d kept rows do show up (+%.1f MB >= 24 bytes a row)"
              % (rows, (pooled - base) / MB))
        # The same for every per-user aggregate: a state allocated in a longer-lived context
        # than its group's (e.g. the query's) would grow by ~15 MB from 20k to 200k groups.
        ts = "timestamptz '2026-01-01' + k * interval '1 day'"
        per_user = {
            "lifecycle_stage": "lifecycle_stage(%s, k = 2, '2026-03-01')" % ts,
            "lifecycle_stage (days)": "lifecycle_stage(%s, k = 2, '2026-03-01', 90, 30, 30, 90, 360)" % ts,
            "intent_score": "intent_score('pay', %s, intent_weights('invest'), '2026-01-05')" % ts,
            "rfm_agg": "(rfm_agg(%s, k, '2026-03-01')).frequency" % ts,
        }
        for name, agg in per_user.items():
            q = ("SELECT count(*) FROM (SELECT %s AS v FROM generate_series(1, %%d) u, "
                 "generate_series(1, 5) k GROUP BY u) s WHERE v IS NOT NULL;" % agg)
            small, out_small = peak_growth(q % 20000)
            large, out_large = peak_growth(q % 200000)
            check((out_small, out_large) == ("20000", "200000"), "%s gives a value per group" % name)
            check(large <= small + 4 * MB, "%s GROUP BY: 200k groups +%.1f MB vs 20k groups +%.1f MB (flat)"
                  % (name, large / MB, small / MB))
    finally:
        psql("DROP DATABASE IF EXISTS %s WITH (FORCE);" % DB)
    return 0


if __name__ == "__main__":
    harness.run("memory", main)
