"""Months of progress out of core: ``months.rank_gaps`` one cohort (year) at a time from a Parquet dataset.

Run: .venv/bin/python benchmarks/months_out_of_core.py [--pupils-per-year 600000] [--years 10] [--runs 3]
     [--reader pyarrow|duckdb] [--check] [--keep]

Why this is exact: ``rank_gaps`` ranks every pupil within their year (nationally, across all areas) and
compares each group with non-disadvantaged pupils of the same year; no figure mixes two years. So the rows of
one call on a table of many cohorts are the rows of one call per cohort, concatenated (``--check`` asserts it
against the in-core call on the whole table, which must then fit in memory). The one difference: a whole-table
call also lists (year, area) cells of an area absent from that year, with no pupils and NaN gaps.

The synthetic cohorts (``analysis.data.pupils.synthetic_pupils``, seed 1 + year index) are written once, a year
at a time, to benchmarks/work/ as a hive-partitioned dataset (``year=2010/part-0.parquet``, ...). Each measured
run then reads one year's five columns (``area`` as a dictionary column, so it arrives as a categorical), calls
``rank_gaps`` and keeps only its small result: memory holds one cohort, whatever the number of years. Reader
``duckdb`` runs the same loop with DuckDB reading each year (``read_parquet(..., hive_partitioning = true)``
with ``WHERE year = ?``), as one would from a DuckDB database of NPD extracts.

Time: median of ``--runs`` runs of the whole loop in a fresh process (reading included); peak memory: that
process's peak resident memory from the first read on (interpreter, libraries, one cohort, its ranks: everything).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, child_peak_mib, peak_since_reset_mib, print_rows, reset_peak, row, stats  # noqa: E402

from analysis.data import pupils as pupil_tables  # noqa: E402
from analysis.methods import months  # noqa: E402

GOAL = "Pupil-level months of progress, out of core"
FIRST_YEAR = 2010
COLUMNS = ["year", "area", "score", "disadvantaged", "fsm_share"]
PARTITIONING = ds.partitioning(pa.schema([("year", pa.int64())]), flavor="hive")


def dataset_dir(per_year: int, n_years: int) -> Path:
    return WORK / f"pupils_{n_years}x{per_year}"


def write_dataset(per_year: int, n_years: int) -> tuple[Path, float]:
    """``n_years`` seeded synthetic cohorts as a hive-partitioned Parquet dataset, one year in memory at a time;
    (its folder, the seconds writing it took: this run's or, for a dataset kept by ``--keep``, the first's)."""
    root = dataset_dir(per_year, n_years)
    done = root / "_complete"
    if done.exists() and "written_s" in (kept := json.loads(done.read_text())):  # else an older, unfinished layout
        return root, kept["written_s"]
    shutil.rmtree(root, ignore_errors=True)
    start = time.perf_counter()
    for i in range(n_years):
        year = FIRST_YEAR + i
        cohort = pupil_tables.synthetic_pupils(per_year, years=(year,), seed=1 + i, areas=("oa_1", "oa_2"))
        (root / f"year={year}").mkdir(parents=True)
        pq.write_table(pa.Table.from_pandas(cohort.drop(columns="year"), preserve_index=False),
                       root / f"year={year}" / "part-0.parquet")
        del cohort
    written_s = time.perf_counter() - start
    done.write_text(json.dumps({"pupils_per_year": per_year, "years": n_years, "written_s": written_s}))
    return root, written_s


def years_of(root: Path) -> list[int]:
    """The dataset's years, from the partition directories (no data read)."""
    return sorted(int(p.name.split("=", 1)[1]) for p in root.glob("year=*") if p.is_dir())


def cohorts_pyarrow(root: Path):
    """Each year's pupils as a DataFrame, read from the Parquet dataset with a partition filter."""
    dataset = ds.dataset(root, format=ds.ParquetFileFormat(read_options={"dictionary_columns": ["area"]}),
                         partitioning=PARTITIONING)
    for year in years_of(root):
        # self_destruct: each Arrow column is freed once converted, so one copy of the cohort at a time
        yield dataset.to_table(columns=COLUMNS, filter=ds.field("year") == year).to_pandas(self_destruct=True)


def cohorts_duckdb(root: Path):
    """The same cohorts read by DuckDB (a researcher's DuckDB table works the same with ``FROM npd_ks4``)."""
    import duckdb

    con = duckdb.connect()
    try:
        source = f"read_parquet('{root.as_posix()}/*/*.parquet', hive_partitioning = true)"
        query = f"SELECT {', '.join(COLUMNS)} FROM {source} WHERE year = $year"
        for year in years_of(root):  # through Arrow: several times faster than .df() on the string column
            yield con.sql(query, params={"year": year}).to_arrow_table().to_pandas()
    finally:
        con.close()


READERS = {"pyarrow": cohorts_pyarrow, "duckdb": cohorts_duckdb}


def _child(root: Path, reader: str, runs: int) -> None:
    months.resolve_months_per_sd("epi_gcse_2016")  # the preset's one-off calibration, outside the timing
    # ru_maxrss survives execve: a child of a big process (run_all.py after the in-core 6M benchmark) would
    # report its parent's peak. Reset the high-water mark and read it back (Linux); ru_maxrss elsewhere.
    reset = reset_peak()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = months.rank_gaps_by_cohort(READERS[reader](root), months_per_sd="epi_gcse_2016")
        times.append(time.perf_counter() - start)
    peak = (peak_since_reset_mib() if reset else None) or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_mib": peak, "times_s": times, "rows": len(out)}))


def check(root: Path) -> float:
    """The largest difference between the cohort-by-cohort gaps and one in-core call on the whole dataset."""
    whole = ds.dataset(root, format="parquet", partitioning=PARTITIONING).to_table(columns=COLUMNS).to_pandas()
    in_core = months.rank_gaps(whole, months_per_sd="epi_gcse_2016")
    del whole
    by_cohort = months.rank_gaps_by_cohort(cohorts_pyarrow(root), months_per_sd="epi_gcse_2016")
    in_core["area"] = in_core["area"].astype(str)
    by_cohort["area"] = by_cohort["area"].astype(str)
    pd.testing.assert_frame_equal(in_core, by_cohort, check_exact=False, rtol=0, atol=1e-12)
    return float((in_core["gap_months"] - by_cohort["gap_months"]).abs().max())


def measure(runs: int = 3, per_year: int = 600_000, n_years: int = 10, reader: str = "pyarrow",
            verify: bool = False) -> list[dict[str, Any]]:
    root, written_s = write_dataset(per_year, n_years)
    size_mb = sum(p.stat().st_size for p in root.rglob("*.parquet")) / 1e6
    _, report = child_peak_mib([__file__, "--child", str(root), "--reader", reader, "--runs", str(runs)])
    checked = ""
    if verify:
        checked = f"; equal to one in-core call on the whole table (largest gap difference {check(root):.1e} months)"
    n = per_year * n_years
    what = (f"`months.rank_gaps` one year at a time over {n_years} cohorts of {per_year:,} pupils ({n:,} rows) "
            f"read by {reader} from a {size_mb:,.0f} MB Parquet dataset")
    note = (f"fresh process; peak resident memory {report['peak_mib']:,.0f} MiB for the whole process (interpreter, "
            f"libraries, one cohort at a time); dataset written once in {written_s:.1f} s (not timed){checked}")
    return [row(GOAL, f"{reader}, {n:,} rows", what, stats(report["times_s"]), peak_mib=report["peak_mib"], note=note)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pupils-per-year", type=int, default=600_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--reader", choices=sorted(READERS), default="pyarrow")
    parser.add_argument("--check", action="store_true", help="assert equality with one in-core call (needs the memory)")
    parser.add_argument("--keep", action="store_true", help="keep the dataset in benchmarks/work/ for the next run")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.reader, args.runs)
        return
    rows = measure(args.runs, args.pupils_per_year, args.years, args.reader, args.check)
    print_rows(rows)
    print("   ", rows[0]["note"])
    if not args.keep:
        shutil.rmtree(dataset_dir(args.pupils_per_year, args.years), ignore_errors=True)


if __name__ == "__main__":
    main()
