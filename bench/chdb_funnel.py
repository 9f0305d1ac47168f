#!/usr/bin/env python3
"""ClickHouse (chdb) windowFunnel on the benchmark's own events table, for the ratio in
BENCHMARKS.md: bench/run.sh --chdb exports the events table (in its stored order) to CSV and
calls this script, which loads it into a chdb Memory table (load time not counted) and times

    SELECT level, count() FROM (SELECT user_id, windowFunnel(7 days)(ts, e1, ..., e5) AS level
                                FROM events GROUP BY user_id) GROUP BY level

at max_threads 1 and 2, --runs times each: the median (the statistic bench/timing.py reports
for PostgreSQL), the best run and every run. The same query shape as funnel_report/funnel_level:
every user's deepest step of the 5-step investment funnel within 7 days.
"""
import argparse
import statistics
import time

STEPS = ["view_list", "view_detail", "click_invest", "click_submit", "pay"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("csv")
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    try:
        from chdb import session
    except ImportError as e:
        print("chdb: not installed (%s); pip install chdb for the ClickHouse comparison" % e)
        return
    s = session.Session()
    s.query("CREATE DATABASE IF NOT EXISTS b; "
            "CREATE TABLE b.events (user_id Int64, ts UInt64, event String) ENGINE = Memory")
    t0 = time.perf_counter()
    s.query("INSERT INTO b.events SELECT * FROM file('%s', 'CSV', "
            "'user_id Int64, ts UInt64, event String') SETTINGS max_threads = 2" % a.csv)
    rows = str(s.query("SELECT count() FROM b.events", "CSV")).strip()
    print("chdb %s: loaded %s rows in %.1f s" % (str(s.query("SELECT version()", "CSV")).strip(),
                                                 rows, time.perf_counter() - t0))
    conds = ", ".join("event = '%s'" % e for e in STEPS)
    q = ("SELECT level, count() FROM (SELECT user_id, windowFunnel(604800000000)(ts, %s) AS level "
         "FROM b.events GROUP BY user_id) GROUP BY level ORDER BY level SETTINGS max_threads = %%d"
         % conds)
    for threads in (1, 2):
        # No warm-up run: on 2 threads the first query of the process measured about half
        # the time of every later one (0.9 s, then 1.6-1.8 s), so every run is printed.
        times = []
        for _ in range(a.runs):
            t0 = time.perf_counter()
            out = s.query(q % threads, "CSV")
            times.append(time.perf_counter() - t0)
        levels = " ".join(str(out).split())
        print("chdb windowFunnel, %d thread%s: %.3f s (median of %d, as for PostgreSQL; best %.3f s; "
              "runs %s); users per level %s"
              % (threads, "" if threads == 1 else "s", statistics.median(times), a.runs,
                 min(times), " ".join("%.3f" % t for t in times), levels))


if __name__ == "__main__":
    main()
