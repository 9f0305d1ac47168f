"""retention_matrix against an independent pandas implementation, in every option
combination (period day / week / month / rolling 3 days, entry first / recurring, counting
on / on_or_after), in UTC and in America/New_York across both 2026 DST changes, with users
who never return, users whose cohort event comes after their first return, and an as_of
that cuts a period. Also: retention(conds) against ClickHouse's retention (chdb) when chdb
is installed, and parallel == serial for the matrix.

Runs against the cluster of tests/regress.sh (PGHOST/PGPORT/PGUSER)."""
import io
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from harness import check, psql  # noqa: E402

try:
    import pandas as pd
except ImportError:  # pragma: no cover
    pd = None

DB = "test_retention"
AS_OF = "2026-11-04 13:30:00+00"  # mid-week, mid-day: cuts the current day/week/month
PERIODS = 6


def setup():
    psql("DROP DATABASE IF EXISTS %s" % DB)
    psql("CREATE DATABASE %s" % DB)
    psql("""
CREATE EXTENSION pg_operations;
-- 400 users over March..November 2026; cohort = 'borrow', return = 'borrow' or 'repay'.
CREATE TABLE ev AS
SELECT u AS user_id,
       timestamptz '2026-03-01 00:00+00' + (((u * 7919 + k * 104729) % 250000) * interval '1 minute') * 1.5 AS ts,
       CASE WHEN (u + k) % 5 = 0 THEN 'borrow' WHEN (u * k) % 7 = 0 THEN 'repay' ELSE 'view' END AS event
FROM generate_series(1, 400) u, generate_series(1, 1 + (u % 9)) k
WHERE u % 13 <> 0 OR k = 1;
-- users whose only borrow comes after a repay, users who never return
INSERT INTO ev VALUES (9001, '2026-04-01 10:00+00', 'repay'), (9001, '2026-04-20 10:00+00', 'borrow'),
                      (9001, '2026-05-02 10:00+00', 'repay'), (9002, '2026-06-01 03:59+00', 'borrow'),
                      (9003, '2026-03-08 06:30+00', 'borrow'), (9003, '2026-03-08 07:30+00', 'repay'),
                      (9004, '2026-10-31 23:30+00', 'borrow'), (9004, '2026-11-01 05:30+00', 'borrow'),
                      (9004, '2026-11-01 06:30+00', 'repay'), (9005, '2026-11-04 13:00+00', 'borrow'),
                      (9005, '2026-11-04 14:00+00', 'repay');
ANALYZE ev;
""", db=DB)


def fetch_events():
    out = psql("SET TimeZone = 'UTC'; SELECT user_id, to_char(ts, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), event "
               "FROM ev ORDER BY 1, 2, 3", db=DB)
    df = pd.read_csv(io.StringIO(out), header=None, names=["user_id", "ts", "event"])
    df["ts"] = pd.to_datetime(df["ts"]).dt.tz_localize("UTC")
    df["cohort"] = df["event"] == "borrow"
    df["ret"] = df["event"].isin(["borrow", "repay"])
    return df


def period_start(local, period):
    day = local.normalize()
    if period == "day" or period == "rolling":
        return day
    if period == "week":
        return day - pd.to_timedelta(day.weekday(), unit="D")
    return day.replace(day=1)


def next_start(start, period, k=1):
    if period == "day":
        return start + pd.Timedelta(days=k)
    if period == "week":
        return start + pd.Timedelta(days=7 * k)
    return start + pd.DateOffset(months=k)


def index_between(a, b, period):
    if period == "day":
        return (b - a).days
    if period == "week":
        return (b - a).days // 7
    return (b.year - a.year) * 12 + b.month - a.month


def oracle(df, period, entry, counting, zone, rolling_days=3):
    """The matrix computed literally from the documented definitions."""
    as_of = pd.Timestamp(AS_OF).tz_convert(zone).tz_localize(None)
    d = df.copy()
    d["local"] = d["ts"].dt.tz_convert(zone).dt.tz_localize(None)
    d = d[d["local"] <= as_of]
    span = pd.Timedelta(days=rolling_days)
    cells = {}
    anchors_of = {}
    for uid, g in d.groupby("user_id"):
        coh = g[g["cohort"]].sort_values("local")
        if coh.empty:
            continue
        rets = sorted(g[g["ret"]]["local"])
        if entry == "first":
            groups = [coh["local"].iloc[0]]
        else:
            seen = {}
            for t in coh["local"]:
                key = period_start(t, period)
                seen.setdefault(key, t)
            groups = list(seen.values())
        for anchor in groups:
            cstart = period_start(anchor, period)
            key = cstart
            anchors_of.setdefault(key, []).append(anchor)
            ks = set()
            for r in rets:
                if r <= anchor:
                    continue
                if period == "rolling":
                    ks.add((r - anchor) // span)
                else:
                    ks.add(index_between(cstart, period_start(r, period), period))
            for k in range(PERIODS + 1):
                if counting == "on":
                    hit = k in ks
                else:
                    hit = any(x >= k for x in ks)
                c = cells.setdefault((key, k), [0, 0])
                c[0] += 1
                c[1] += int(hit)
    out = {}
    for (key, k), (size, kept) in cells.items():
        if period == "rolling":
            end = max(anchors_of[key]) + span * (k + 1)
        else:
            end = next_start(key, period, k + 1)
        complete = end <= as_of + pd.Timedelta(microseconds=1)
        out[(key.date().isoformat(), k)] = (size, kept, complete)
    return out


def extension(period, entry, counting, zone, parallel=False):
    setting = ("SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; "
               "SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2; "
               "SET force_parallel_mode = on;") if parallel else "SET max_parallel_workers_per_gather = 0;"
    sql = """%s
SELECT c.cohort_start, c.period, c.cohort_size, c.retained, c.complete
FROM (SELECT retention_matrix(user_id, ts, event = 'borrow', event IN ('borrow', 'repay'),
             retention_definition('%s', period => '%s', periods => %d, entry => '%s',
                                  counting => '%s', time_zone => '%s', rolling_days => 3)) m FROM ev) s,
     unnest(s.m) c ORDER BY 1, 2""" % (setting, AS_OF, period, PERIODS, entry, counting, zone)
    out = {}
    for line in psql(sql, db=DB).splitlines():
        cs, k, size, kept, complete = line.split(",")
        out[(cs, int(k))] = (int(size), int(kept), complete == "t")
    return out


def main():
    if pd is None:
        print("  SKIPPED: pandas is not installed")
        return
    setup()
    df = fetch_events()
    combos = 0
    for zone in ["UTC", "America/New_York"]:
        for period in ["day", "week", "month", "rolling"]:
            for entry in ["first", "recurring"]:
                for counting in ["on", "on_or_after"]:
                    want = oracle(df, period, entry, counting, zone)
                    got = extension(period, entry, counting, zone)
                    combos += 1
                    diff = [(k, want.get(k), got.get(k)) for k in sorted(set(want) | set(got))
                            if want.get(k) != got.get(k)]
                    check(not diff and len(got) > 0,
                          "%s %s %s %s: %d cells equal the pandas oracle%s"
                          % (zone, period, entry, counting, len(got),
                             "" if not diff else "; first differences %s" % diff[:3]))
    check(combos == 32, "all 32 option combinations compared")
    # the event-name form gives the same cells as the condition form
    for period, entry, counting, zone in [("week", "first", "on", "UTC"),
                                          ("rolling", "recurring", "on_or_after", "America/New_York"),
                                          ("month", "recurring", "on", "America/New_York")]:
        by_event = psql("""SELECT retention_matrix(user_id::text, ts, event, ARRAY['borrow'], ARRAY['borrow', 'repay'],
                               retention_definition('%s', period => '%s', periods => %d, entry => '%s',
                                                    counting => '%s', time_zone => '%s', rolling_days => 3))::text
                           FROM ev""" % (AS_OF, period, PERIODS, entry, counting, zone), db=DB)
        by_cond = psql("""SELECT retention_matrix(user_id, ts, event = 'borrow', event IN ('borrow', 'repay'),
                              retention_definition('%s', period => '%s', periods => %d, entry => '%s',
                                                   counting => '%s', time_zone => '%s', rolling_days => 3))::text
                          FROM ev""" % (AS_OF, period, PERIODS, entry, counting, zone), db=DB)
        check(by_event == by_cond and len(by_event) > 100,
              "%s %s %s %s: event-name form (text ids) == condition form (bigint ids)" % (zone, period, entry, counting))
    # the data exercises what it should
    inc = extension("week", "first", "on", "UTC")
    check(any(not v[2] for v in inc.values()) and any(v[2] for v in inc.values()),
          "as_of cuts periods: both complete and incomplete cells")
    # parallel == serial
    for period in ["week", "rolling"]:
        check(extension(period, "recurring", "on_or_after", "America/New_York", parallel=True)
              == extension(period, "recurring", "on_or_after", "America/New_York"),
              "%s matrix: forced parallel plan == serial" % period)
    # retention(conds) against ClickHouse
    try:
        import chdb
    except ImportError:
        print("  SKIPPED: chdb is not installed (retention vs ClickHouse)")
        return
    ours = psql("SELECT user_id, retention(ARRAY[event = 'borrow', event = 'repay', event = 'view']) "
                "FROM ev GROUP BY user_id ORDER BY 1", db=DB, sep="|")
    rows = psql("SELECT user_id, event FROM ev", db=DB, sep=",")
    values = ",".join("(%s,'%s')" % tuple(line.split(",")) for line in rows.splitlines())
    ch = chdb.query(
        "SELECT u, retention(e = 'borrow', e = 'repay', e = 'view') FROM values('u Int64, e String', %s) "
        "GROUP BY u ORDER BY u FORMAT CSV" % values, "CSV")
    ch_rows = {}
    for line in str(ch).strip().splitlines():
        u, arr = line.split(",", 1)
        ch_rows[int(u)] = arr.strip('"').replace("[", "{").replace("]", "}")
    our_rows = {int(u): arr for u, arr in (l.split("|") for l in ours.splitlines())}
    differ = [u for u in our_rows if our_rows[u] != ch_rows.get(u)]
    check(not differ and len(our_rows) == len(ch_rows) > 300,
          "retention(conds) equals ClickHouse retention for all %d users%s"
          % (len(our_rows), "" if not differ else " (differ: %s)" % differ[:5]))


if __name__ == "__main__":
    try:
        harness.run("retention_oracle", main)
    finally:
        try:
            psql("DROP DATABASE IF EXISTS %s" % DB)
        except Exception:  # noqa: BLE001
            pass
