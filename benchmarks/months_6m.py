"""Pupil-level months of progress on 6 million synthetic pupils (ten national cohorts of 600,000).

Run: .venv/bin/python benchmarks/months_6m.py [--runs 3] [--pupils-per-year 600000]

Times ``analysis.methods.months.rank_gaps`` (national percentile ranks within year, then every group's gap in every
year and area, in SD and months) on a seeded synthetic table built once, outside the timing; and the naive
baseline: the textbook pandas version (``groupby().rank()``, boolean masks, ``groupby().mean()``), checked to
give the same gaps. Peak memory is measured in a fresh process per variant: the whole process (6M-row table
included) and the increase while the method runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import child_peak_mib, peak_since_reset_mib, print_rows, report_peak, reset_peak, row, timed  # noqa: E402

from analysis.data import pupils as pupil_tables  # noqa: E402
from analysis.methods import months  # noqa: E402

GOAL = "Pupil-level months of progress, 6M pupils"
YEARS = tuple(range(2010, 2020))


def pupils(per_year: int) -> pd.DataFrame:
    """Ten seeded national cohorts of ``per_year`` pupils, two opportunity areas among them."""
    return pupil_tables.synthetic_pupils(per_year, years=YEARS, seed=1, areas=("oa_1", "oa_2"))


def naive_rank_gaps(table: pd.DataFrame, months_per_sd: str = "epi_gcse_2016") -> pd.DataFrame:
    """What one would write first: pandas ranks within year, a boolean mask per group, groupby means."""
    conversion = months.resolve_months_per_sd(months_per_sd).months_per_sd
    df = table.copy()
    by_year = df.groupby("year")["score"]
    df["pct"] = (by_year.rank(method="average") - 0.5) / by_year.transform("count")
    df["persistent"] = df["fsm_share"] >= months.PERSISTENT_THRESHOLD
    comparison = df.loc[~df["disadvantaged"]].groupby("year")["pct"].mean()
    parts = []
    for group, mask in (("disadvantaged", df["disadvantaged"]), ("persistently_disadvantaged", df["persistent"]),
                        ("non_disadvantaged", ~df["disadvantaged"])):
        chosen = df.loc[mask]
        by_area = chosen.groupby(["year", "area"])["pct"].mean().reset_index()
        national = chosen.groupby("year")["pct"].mean().reset_index().assign(area=months.NATIONAL)
        parts.append(pd.concat([by_area, national]).assign(group=group))
    out = pd.concat(parts, ignore_index=True).rename(columns={"pct": "mean_rank"})
    out["comparison_mean_rank"] = out["year"].map(comparison)
    out["gap_sd"] = months.rank_gap_to_sd(out["mean_rank"].to_numpy(), out["comparison_mean_rank"].to_numpy())
    out["gap_months"] = out["gap_sd"] * conversion
    return out


def same_gaps(optimised: pd.DataFrame, naive: pd.DataFrame) -> bool:
    both = optimised.merge(naive, on=["year", "area", "group"], suffixes=("", "_naive"))
    return len(both) == len(naive) and np.allclose(both["gap_months"], both["gap_months_naive"], atol=1e-9)


def _child(variant: str, per_year: int) -> None:
    import gc

    table = pupils(per_year)
    gc.collect()
    # Building the table has its own transient peak: reset the high-water mark so the method's is seen.
    reset = reset_peak()
    resident = peak_since_reset_mib() if reset else None
    if variant == "optimised":
        months.rank_gaps(table, months_per_sd="epi_gcse_2016")
    else:
        naive_rank_gaps(table)
    report_peak(method_peak_mib=peak_since_reset_mib() if reset else None, resident_before_mib=resident,
                table_mib=table.memory_usage(deep=True).sum() / 2**20)


def measure(runs: int = 3, per_year: int = 600_000) -> list[dict[str, Any]]:
    table = pupils(per_year)
    n = f"{len(table):,} pupils"
    fast, out = timed(lambda: months.rank_gaps(table, months_per_sd="epi_gcse_2016"), max(runs, 5))
    slow, naive = timed(lambda: naive_rank_gaps(table), runs)
    if not same_gaps(out, naive):
        raise AssertionError("the naive baseline and rank_gaps disagree: the comparison would be meaningless")
    del table, out, naive
    rows = []
    for variant, timing, what in [
        ("optimised", fast, f"`months.rank_gaps` on {n}: numpy sort-based ranks, bincount sums"),
        ("baseline", slow, f"pandas groupby().rank() + boolean masks + groupby().mean() on {n} (same gaps)"),
    ]:
        peak, report = child_peak_mib([__file__, "--child", variant, "--pupils-per-year", str(per_year)])
        during = ""
        if report["method_peak_mib"] is not None:
            during = (f"; while the method ran, {report['method_peak_mib']:,.0f} MiB resident at most "
                      f"({report['method_peak_mib'] - report['resident_before_mib']:,.0f} MiB above the "
                      f"{report['resident_before_mib']:,.0f} MiB before it)")
        rows.append(row(GOAL, variant, what, timing, peak_mib=peak,
                        note=f"fresh process, peak resident memory {peak:,.0f} MiB including building the "
                             f"{report['table_mib']:,.0f} MiB pupil table{during}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pupils-per-year", type=int, default=600_000)
    parser.add_argument("--child", choices=["optimised", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.pupils_per_year)
        return
    print_rows(measure(args.runs, args.pupils_per_year))


if __name__ == "__main__":
    main()
