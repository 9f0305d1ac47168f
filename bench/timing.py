#!/usr/bin/env python3
"""Times each workload file with psql and prints medians and ratios to the baselines.

A workload file bench/workloads/NAME.sql holds one query; its first comment line is its
description. Files named baseline_*.sql are the baselines every other workload is
compared with (the ratio is workload time / baseline time, so < 1 is faster).
Session settings in a workload (SET ...) apply to that workload only.
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
    for f in files:
        name = os.path.basename(f)[:-4]
        if a.only and name not in a.only and not name.startswith("baseline_"):
            continue
        sql = open(f).read()
        desc = next((l[2:].strip() for l in sql.splitlines() if l.startswith("--")), "")
        run(sql)  # warm-up
        times = [max(run(sql) - empty, 1e-6) for _ in range(a.runs)]
        results[name] = (statistics.median(times), desc)
    base = {k: v[0] for k, v in results.items() if k.startswith("baseline_")}
    print(f"\n{a.rows} events, {a.runs} runs each, median seconds (psql start-up subtracted)\n")
    print(f"{'workload':40} {'median s':>9}  " + "  ".join(f"{'/ ' + k[9:]:>14}" for k in base))
    for name, (med, desc) in results.items():
        ratios = "  ".join(f"{med / b:>14.2f}" for b in base.values())
        print(f"{name:40} {med:>9.3f}  {ratios}   {desc}")


if __name__ == "__main__":
    main()
