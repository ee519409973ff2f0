"""Families of Schools for every primary school in England (median of several runs), and the naive baseline.

Run: .venv/bin/python benchmarks/families_national.py [--year 2016] [--runs 3] [--k 10]

Times ``families.england_families`` on the already-assembled national school table (loading the raw files
is timed separately): England as one group (national standardisation, 22 bands and the 10 nearest
neighbours of every school among all of them) and each LA's own families. The naive baseline runs the same
pipeline with a brute-force neighbour search (every pair of schools in a group, in numpy blocks) and must
find the same neighbours.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_rows, row, timed  # noqa: E402

from analysis import data  # noqa: E402
from analysis.methods import families  # noqa: E402

GOAL = "Families for every primary school in England"


def naive_nearest_neighbours(schools: pd.DataFrame, scores: pd.DataFrame, weights: pd.DataFrame, k: int, *,
                             by: str | None = None, block: int = 256) -> pd.DataFrame:
    """Brute force: every school's weighted distance to every school of its group (a block of schools at a
    time, as numpy arrays); the k nearest with the documented tie rule (distance to 12 places, then URN)."""
    w = weights.set_index("factor")["weight_used"]
    cols = [c for c in scores.columns if c.startswith("z_") and w.get(c[2:], 0) > 0]
    wv = np.array([w[c[2:]] for c in cols], dtype=float)
    groups = schools.groupby(by, sort=True).groups if by else {None: schools.index}
    frames = []
    for _, index in groups.items():
        part = schools.loc[index].sort_values("urn", kind="stable")
        if len(part) < 2:
            continue
        z = scores.loc[part.index, cols].to_numpy(dtype=float)
        urns = part["urn"].to_numpy()
        n, kk = len(z), min(k, len(z) - 1)
        position = np.broadcast_to(np.arange(n), (min(block, n), n))
        for start in range(0, n, block):
            rows = np.arange(start, min(start + block, n))
            squared = (z[rows, None, :] - z[None, :, :]) ** 2
            shared_weight = (~np.isnan(squared) * wv).sum(axis=2)
            with np.errstate(invalid="ignore", divide="ignore"):
                d = np.round(np.sqrt(np.nansum(squared * wv, axis=2) / shared_weight), 12)
            d[(shared_weight == 0) | (position[: len(rows)] == rows[:, None])] = np.inf
            # The k-th smallest distance, then a stable sort of the candidates at or below it (flatnonzero keeps
            # URN order, so tied schools stay in URN order).
            kth = np.partition(d, kk - 1, axis=1)[:, kk - 1]
            order = np.empty((len(rows), kk), dtype=int)
            for r in range(len(rows)):
                candidates = np.flatnonzero(d[r] <= kth[r])
                order[r] = candidates[np.argsort(d[r, candidates], kind="stable")][:kk]
            dist = np.take_along_axis(d, order, axis=1)
            found = np.isfinite(dist.ravel())
            frames.append(pd.DataFrame({"urn": np.repeat(urns[rows], kk)[found],
                                        "rank": np.tile(np.arange(1, kk + 1), len(rows))[found],
                                        "neighbour_urn": urns[order.ravel()][found], "distance": dist.ravel()[found]}))
    return pd.concat(frames, ignore_index=True)


def same_neighbours(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    a = a.sort_values(["urn", "rank"]).reset_index(drop=True)
    b = b.sort_values(["urn", "rank"]).reset_index(drop=True)
    return (len(a) == len(b) and (a["neighbour_urn"].to_numpy() == b["neighbour_urn"].to_numpy()).all()
            and np.allclose(a["distance"], b["distance"], atol=1e-9))


def measure(runs: int = 3, year: int = 2016, k: int = 10) -> list[dict[str, Any]]:
    load, schools = timed(lambda: families.intake_measures(data.read_primary_schools(year)), 1)
    n = len(schools)
    rows = []
    for by, label in [(None, "England as one group"), ("la_code", "each LA's own families")]:
        def optimised(by=by):
            return families.england_families(schools, k=k, by=by)

        def baseline(by=by):
            with mock.patch.object(families, "nearest_neighbours", naive_nearest_neighbours):
                return families.england_families(schools, k=k, by=by)

        fast, (table, nn_fast, _) = timed(optimised, max(runs, 5))
        slow, (_, nn_slow, _) = timed(baseline, runs)
        if not same_neighbours(nn_fast, nn_slow):
            raise AssertionError(f"{label}: brute force and the k-d tree search found different neighbours")
        grouped = int(table["family"].notna().sum())
        what = f"`families.england_families`, {label}: {grouped:,} of {n:,} primary schools, {k} neighbours each"
        rows.append(row(GOAL, "optimised" if by is None else "optimised (per LA)", what + "; k-d trees", fast,
                        note=f"loading the raw files first took {load['median_s']:.1f} s (parquet caches as found)"))
        rows.append(row(GOAL, "baseline" if by is None else "baseline (per LA)",
                        what + "; brute-force neighbours (all pairs, numpy blocks)", slow))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2016)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    print_rows(measure(args.runs, args.year, args.k))


if __name__ == "__main__":
    main()
