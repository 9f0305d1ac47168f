#!/usr/bin/env python3
"""Times each workload file with psql and prints medians and ratios to the baselines.

A workload file bench/workloads/NAME.sql holds one query; its first comment line is its
description, and a line `-- vs: OTHER` names its built-in (hand-written SQL) equivalent.
Files named baseline_*.sql are the baselines every other workload is compared with (the
ratio is workload time / baseline time, so < 1 is faster); a workload with a `vs` line also
gets its ratio to that equivalent, the two timed alternately (equivalent, workload,
equivalent, workload, ...) so that a drift of the machine between them does not land in the
ratio: the median of the per-pair ratios. Session settings in a workload
(SET ...) apply to that workload only; PGOPTIONS (e.g. -c max_parallel_workers_per_gather=2)
applies to all.
"""
import argparse
import glob
import os
import statistics
import subprocess
import time


def run(sql):
    t0 = time.perf_counter()
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"],
                   input=sql, text=True, check=True)
    return time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--rows", default="?")
    p.add_argument("only", nargs="*")
    a = p.parse_args()
    files = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "workloads", "*.sql")))
    # Baselines first so every ratio has its reference.
    files.sort(key=lambda f: (not os.path.basename(f).startswith("baseline_"), f))
    empty = run("SELECT 1")  # psql start-up cost, subtracted from every timing
    results = {}
    vs_of = {}
    for f in files:
        for line in open(f):
            if line.startswith("-- vs: "):
                vs_of[os.path.basename(f)[:-4]] = line[7:].strip()
    wanted = set(a.only) | {vs_of[n] for n in a.only if n in vs_of}
    sql_of = {}
    for f in files:
        name = os.path.basename(f)[:-4]
        if a.only and name not in wanted and not name.startswith("baseline_"):
            continue
        sql_of[name] = open(f).read()
    paired = {}
    for name, sql in sql_of.items():
        desc = next((l[2:].strip() for l in sql.splitlines() if l.startswith("--")), "")
        vs = vs_of.get(name)
        run(sql)  # warm-up
        if vs in sql_of:
            # Alternated with its equivalent: each pair is timed moments apart.
            pairs = [(max(run(sql_of[vs]) - empty, 1e-6), max(run(sql) - empty, 1e-6))
                     for _ in range(a.runs)]
            times = [w for _, w in pairs]
            paired[name] = statistics.median(w / v for v, w in pairs)
        else:
            times = [max(run(sql) - empty, 1e-6) for _ in range(a.runs)]
        results[name] = (statistics.median(times), desc, vs)
    base = {k: v[0] for k, v in results.items() if k.startswith("baseline_")}
    print(f"\n{a.rows} events, {a.runs} runs each, median seconds (psql start-up subtracted), "
          f"PGOPTIONS={os.environ.get('PGOPTIONS', '')!r}\n")
    print(f"{'workload':40} {'median s':>9}  " + "  ".join(f"{'/ ' + k[9:]:>14}" for k in base)
          + f"  {'/ built-in':>10}")
    for name, (med, desc, vs) in results.items():
        ratios = "  ".join(f"{med / b:>14.2f}" for b in base.values())
        own = f"{paired[name]:>10.2f}" if name in paired else f"{'':>10}"
        print(f"{name:40} {med:>9.3f}  {ratios}  {own}   {desc}")


if __name__ == "__main__":
    main()
