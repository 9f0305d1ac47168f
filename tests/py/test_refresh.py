#!/usr/bin/env python3
"""Scheduled refresh: a materialized view of per-user segments refreshed CONCURRENTLY while
events keep arriving (docs/recipes.md, "A scheduled segment table").

- creates a database with the extension, an events table, a settings table holding the
  explicit as_of and the intent weights, and the materialized view user_segments
  (intent_score + rfm_agg + lifecycle_stage per user) with a UNIQUE index;
- then, at the same time: one session inserts the remaining events in 20 batches, another
  runs REFRESH MATERIALIZED VIEW CONCURRENTLY user_segments over and over, and a reader
  checks that the view never holds a user twice and never loses users;
- after one last refresh the view must equal its query run directly (EXCEPT ALL both ways
  empty) and hold exactly one row per distinct user of the events;
- pg_cron (preloaded by tests/regress.sh, cron.database_name = 'postgres'): in the postgres
  database, CREATE EXTENSION pg_cron and schedule the refresh in the test database with
  cron.schedule_in_database; cron.job must hold the job (it is unscheduled again without
  waiting for it to run).

Talks to the cluster named by PGHOST/PGPORT/PGUSER through psql subprocesses.
"""
import threading
import time

import harness  # tests/py/harness.py: psql and check bookkeeping
from harness import check

DB = "test_refresh"
BATCHES = 20
MAX_REFRESHES = 400  # bound on the concurrent refresh loop
JOB = "refresh-user-segments"

QUERY = """
SELECT e.user_id,
       intent_score(e.event, e.ts, s.weights, s.as_of) AS intent,
       rfm_agg(e.ts, e.amount, s.as_of) FILTER (WHERE e.event = 'pay') AS rfm,
       lifecycle_stage(e.ts, e.event = 'pay', s.as_of, 30, 14, 14, 30, 60) AS stage
FROM events e CROSS JOIN segment_settings s
GROUP BY e.user_id
"""

def psql(sql, db=DB, timeout=300):
    return harness.psql(sql, db=db, timeout=timeout)


def setup():
    psql("DROP DATABASE IF EXISTS %s WITH (FORCE);" % DB, db="postgres")
    psql("CREATE DATABASE %s;" % DB, db="postgres")
    psql(f"""
CREATE EXTENSION pg_operations;
-- all events that will ever arrive; batch 0 is loaded before the view is created
CREATE TABLE incoming AS
SELECT g.*, CASE WHEN g.ts < '2026-02-01' THEN 0
                 ELSE ntile({BATCHES}) OVER (PARTITION BY g.ts >= '2026-02-01' ORDER BY g.ts, g.user_id, g.event) END AS batch
FROM generate_demo_events(1500, 60, 21) g;
CREATE TABLE events (user_id bigint NOT NULL, ts timestamptz NOT NULL, event text NOT NULL,
                     channel text, amount numeric);
INSERT INTO events SELECT user_id, ts, event, channel, amount FROM incoming WHERE batch = 0;
CREATE TABLE segment_settings (as_of timestamptz NOT NULL, weights jsonb NOT NULL);
INSERT INTO segment_settings VALUES ('2026-03-02 00:00+00', intent_weights('invest'));
CREATE MATERIALIZED VIEW user_segments AS {QUERY};
CREATE UNIQUE INDEX user_segments_user_id ON user_segments (user_id);
""")


def inserter(errors):
    try:
        for b in range(1, BATCHES + 1):
            psql(f"INSERT INTO events SELECT user_id, ts, event, channel, amount FROM incoming WHERE batch = {b};")
            time.sleep(0.05)
    except Exception as e:  # noqa: BLE001
        errors.append("insert: %s" % e)


def refresher(done, errors, counts):
    try:
        while not done.is_set() and counts["refreshes"] < MAX_REFRESHES:
            psql("REFRESH MATERIALIZED VIEW CONCURRENTLY user_segments;")
            counts["refreshes"] += 1
    except Exception as e:  # noqa: BLE001
        errors.append("refresh: %s" % e)


def reader(done, errors, counts):
    # The view is only ever replaced as a whole: a reader sees each user once, and (since
    # users are only added) never fewer users than before.
    last = 0
    try:
        while not done.is_set():
            rows, users = map(int, psql("SELECT count(*), count(DISTINCT user_id) FROM user_segments;").split(","))
            counts["reads"] += 1
            if rows != users:
                errors.append("reader saw %d rows for %d users" % (rows, users))
            if users < last:
                errors.append("reader saw %d users after %d" % (users, last))
            last = users
            time.sleep(0.02)
    except Exception as e:  # noqa: BLE001
        errors.append("read: %s" % e)


def concurrent_refresh():
    initial_users = int(psql("SELECT count(*) FROM user_segments;"))
    errors, counts = [], {"refreshes": 0, "reads": 0}
    done = threading.Event()
    ins = threading.Thread(target=inserter, args=(errors,))
    ref = threading.Thread(target=refresher, args=(done, errors, counts))
    rd = threading.Thread(target=reader, args=(done, errors, counts))
    for t in (ins, ref, rd):
        t.start()
    ins.join()
    done.set()
    ref.join()
    rd.join()
    print("  info %d users before, %d batches inserted, %d concurrent refreshes, %d reads"
          % (initial_users, BATCHES, counts["refreshes"], counts["reads"]))
    check(not errors, "no errors and consistent reads during the concurrent refreshes %s" % errors[:3])
    check(counts["refreshes"] >= 2, "the view was refreshed while events were inserted")

    psql("REFRESH MATERIALIZED VIEW CONCURRENTLY user_segments;")
    loaded, expected = psql("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM incoming);").split(",")
    check(loaded == expected, "all %s events were inserted (%s)" % (expected, loaded))
    only_view, only_query = psql(f"""
SELECT (SELECT count(*) FROM (TABLE user_segments EXCEPT ALL ({QUERY})) x),
       (SELECT count(*) FROM (({QUERY}) EXCEPT ALL TABLE user_segments) x);""").split(",")
    check(only_view == "0" and only_query == "0",
          "view equals its query run directly (only in view %s, only in query %s)" % (only_view, only_query))
    rows, users, event_users = psql("""
SELECT count(*), count(DISTINCT user_id), (SELECT count(DISTINCT user_id) FROM events) FROM user_segments;""").split(",")
    check(rows == users == event_users and int(rows) > initial_users,
          "one row per distinct user: %s rows, %s distinct, %s users in events (%d before)"
          % (rows, users, event_users, initial_users))
    stages, scored, payers = psql("""
SELECT count(DISTINCT stage), count(*) FILTER (WHERE intent > 0), count(rfm) FROM user_segments;""").split(",")
    check(int(stages) >= 5 and int(scored) > 0 and int(payers) > 0,
          "the segments are not degenerate (%s stages, %s users with intent, %s payers)" % (stages, scored, payers))


def cron():
    preload = psql("SHOW shared_preload_libraries;", db="postgres")
    if "pg_cron" not in preload:
        print("  SKIP pg_cron: not in shared_preload_libraries (%r)" % preload)
        return
    psql("CREATE EXTENSION IF NOT EXISTS pg_cron;", db="postgres")
    has_in_db = psql("SELECT count(*) FROM pg_proc WHERE proname = 'schedule_in_database' "
                     "AND pronamespace = 'cron'::regnamespace;", db="postgres") != "0"
    check(has_in_db, "pg_cron has cron.schedule_in_database")
    if not has_in_db:
        return
    psql(f"SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = '{JOB}';", db="postgres")
    jobid = psql(f"""SELECT cron.schedule_in_database('{JOB}', '*/15 * * * *',
        'REFRESH MATERIALIZED VIEW CONCURRENTLY user_segments', '{DB}');""", db="postgres")
    row = psql(f"SELECT jobid, schedule, command, database, active FROM cron.job WHERE jobname = '{JOB}';",
               db="postgres")
    check(row == "%s,*/15 * * * *,REFRESH MATERIALIZED VIEW CONCURRENTLY user_segments,%s,t" % (jobid, DB),
          "cron.job holds the refresh job for database %s: %s" % (DB, row))
    psql(f"SELECT cron.unschedule('{JOB}');", db="postgres")
    left = psql(f"SELECT count(*) FROM cron.job WHERE jobname = '{JOB}';", db="postgres")
    check(left == "0", "the job is unscheduled again")


def main():
    try:
        setup()
        concurrent_refresh()
        cron()
        psql("DROP DATABASE IF EXISTS %s WITH (FORCE);" % DB, db="postgres")
    except Exception as e:  # noqa: BLE001
        check(False, "%s: %s" % (type(e).__name__, e))


if __name__ == "__main__":
    harness.run("refresh", main)
