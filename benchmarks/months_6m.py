"""Benchmark: the rank-based gap in months on 6 million synthetic pupils (ten national cohorts of 600,000).

Run: .venv/bin/python benchmarks/months_6m.py [--runs 5] [--pupils-per-year 600000]
Prints the median and range of wall-clock times of analysis.months.rank_gaps (ranking + aggregation; the
synthetic table is built once, outside the timing), the peak memory traced by tracemalloc during one run,
the process's peak RSS, and the recovered gaps next to the gaps built into the cohort.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
import tracemalloc

from analysis import months


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pupils-per-year", type=int, default=600_000)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()

    years = tuple(range(2010, 2010 + args.years))
    pupils = months.synthetic_pupils(args.pupils_per_year, years=years, seed=1, areas=("oa_1", "oa_2"))
    print(f"pupils: {len(pupils):,} rows ({args.years} cohorts x {args.pupils_per_year:,}); "
          f"table {pupils.memory_usage(deep=True).sum() / 2**20:.0f} MiB; cores available: {os.cpu_count()}")

    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        out = months.rank_gaps(pupils, months_per_sd="epi_gcse_2016")
        times.append(time.perf_counter() - start)
    print(f"rank_gaps, {args.runs} runs: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f})")

    tracemalloc.start()
    months.rank_gaps(pupils, months_per_sd="epi_gcse_2016")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak memory allocated during one run (tracemalloc): {peak / 2**20:.0f} MiB; process peak RSS {rss:.0f} MiB")

    truth = months.synthetic_true_gaps().query("comparison == 'national_non_disadvantaged'")
    got = out[out["area"] == "oa_1"].groupby("group")["gap_sd"].mean()
    for row in truth.itertuples():
        print(f"  {row.group:28s} true {row.true_gap_sd:.3f} SD, recovered {got[row.group]:.3f} SD "
              f"({got[row.group] * months.PRESETS['epi_gcse_2016'].months_per_sd:.1f} months at epi_gcse_2016)")


if __name__ == "__main__":
    main()
