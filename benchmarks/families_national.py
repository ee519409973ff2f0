"""Time Families of Schools for every primary school in England (median of several runs).

Usage: .venv/bin/python benchmarks/families_national.py [--year 2016] [--runs 5] [--k 10]

Times ``families.england_families`` on the already-assembled national school table (loading the raw
files is timed separately): each LA's own 22 families (factors standardised within the LA) and, second,
England as one group (national standardisation, bands and nearest neighbours over ~14,600 schools).
"""

from __future__ import annotations

import argparse
import statistics
import time

from analysis import families


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2016)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--n-families", type=int, default=22)
    args = parser.parse_args()

    start = time.perf_counter()
    schools = families.load_schools(args.year)
    load_s = time.perf_counter() - start
    print(f"load: {len(schools)} schools with KS2 results in {load_s:.2f} s")
    for by, what in [("la_code", "families within every LA"), (None, "England as one group")]:
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            table, neighbours, _ = families.england_families(args.year, n_families=args.n_families, k=args.k, by=by,
                                                             schools=schools)
            times.append(time.perf_counter() - start)
        grouped = int(table["family"].notna().sum())
        print(f"{what}: {grouped} schools, {len(neighbours)} neighbour rows; median {statistics.median(times):.2f} s "
              f"over {args.runs} runs (min {min(times):.2f}, max {max(times):.2f})")


if __name__ == "__main__":
    main()
