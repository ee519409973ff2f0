"""Close half the gap ('Cracking the Code'): if every school below its band's benchmark closed half the gap,
how many more pupils would reach 5+ A*-C including English and maths?

Schools are banded on an intake measure (% disadvantaged, or KS2 average points); each band's benchmark is set
by its best schools; every school below gains half its gap times its cohort. The report does not publish its
grouping, so :func:`sensitivity` varies the number and kind of bands and the benchmark.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import ParameterError
from . import stats
from .codebreakers import _check_min_cohort, _group_columns, usable

BANDINGS = ("quantile", "fixed")
BENCHMARKS = ("top20_weighted", "p80_school", "best")


def group_benchmark(rates: pd.Series, cohorts: pd.Series, *, benchmark: str, top_share: float = 0.2) -> float:
    """One group's benchmark 5ACEM %.

    * ``top20_weighted``: the pupil-weighted rate of the top ``top_share`` of schools by rate
      (ceil(share x schools) schools; ties on rate broken by row order);
    * ``p80_school``: the 80th percentile of the schools' rates (linear interpolation);
    * ``best``: the highest school rate.

    >>> r, c = pd.Series([90.0, 80, 50, 40, 30]), pd.Series([10, 30, 20, 20, 20])
    >>> group_benchmark(r, c, benchmark="top20_weighted", top_share=0.4)  # (90*10 + 80*30) / 40
    82.5
    >>> group_benchmark(r, c, benchmark="p80_school"), group_benchmark(r, c, benchmark="best")
    (82.0, 90.0)
    """
    if benchmark not in BENCHMARKS:
        raise ParameterError(f"benchmark: {benchmark!r} is not one of {', '.join(BENCHMARKS)}")
    if rates.empty:
        return float("nan")
    if benchmark == "best":
        return float(rates.max())
    if benchmark == "p80_school":
        return float(np.percentile(rates.to_numpy(dtype=float), 80))
    k = max(1, math.ceil(top_share * len(rates) - 1e-9))
    r, c = rates.to_numpy(dtype=float), cohorts.to_numpy(dtype=float)
    top = np.argsort(-r, kind="stable")[:k]  # highest rates first; equal rates keep row order
    return float((r[top] * c[top]).sum() / c[top].sum())


def half_gap(
    schools: pd.DataFrame,
    *,
    group: str,
    band_by: str,
    n_groups: int = 10,
    banding: str = "quantile",
    benchmark: str = "top20_weighted",
    benchmark_min_cohort: int = 1,
    top_share: float = 0.2,
) -> pd.DataFrame:
    """Close-half-the-gap simulation, one row per band of ``band_by``.

    Schools with a usable rate for ``group`` and a ``band_by`` value are banded; each band's benchmark comes
    from its schools with at least ``benchmark_min_cohort`` pupils in the group (so one tiny cohort cannot set
    it). Every school below the benchmark gains half the gap times its cohort:
    ``extra = sum(0.5 x (benchmark - rate) / 100 x cohort)``; ``current`` = its achievers now.
    """
    cohort_col, rate_col = _group_columns(group)
    if band_by not in schools.columns:
        raise ParameterError(f"band_by: {band_by!r} is not a column; expected e.g. 'pct_disadvantaged' or 'ks2_aps'")
    benchmark_min_cohort = _check_min_cohort(benchmark_min_cohort)
    # Only the columns the simulation reads: filtering the whole table (dozens of text columns) once per band,
    # for each of the sensitivity tables' rows, was most of their run time.
    used = usable(schools[list(dict.fromkeys(["urn", cohort_col, rate_col, band_by]))], group)
    used = used[used[band_by].notna()].sort_values("urn", kind="stable").copy()
    if banding not in BANDINGS:
        raise ParameterError(f"banding: {banding!r} is not one of {', '.join(BANDINGS)}")
    if not isinstance(n_groups, (int, np.integer)) or n_groups < 1:
        raise ParameterError(f"n_groups: expected a whole number >= 1, got {n_groups!r}")
    # Quantile bands keep tied values together (sizes may differ a little); fixed bands have equal widths.
    used["band"] = stats.bands(used[band_by], int(n_groups), method=banding)
    # Per band on numpy arrays rather than pandas sub-frames: the sensitivity tables run this for ~230 bands
    # and pandas' per-operation overhead was nearly all of the time. Same arithmetic in the same order.
    band = used["band"].to_numpy(dtype="float64", na_value=np.nan)
    cohort, rate, by = (used[col].to_numpy(dtype="float64") for col in (cohort_col, rate_col, band_by))
    rows = []
    for b in np.unique(band[~np.isnan(band)]):
        inside = band == b
        c, r = cohort[inside], rate[inside]
        setters = c >= benchmark_min_cohort
        bench = group_benchmark(pd.Series(r[setters]), pd.Series(c[setters]), benchmark=benchmark,
                                top_share=top_share)
        gap = np.maximum(bench - r, 0)  # NaN (no benchmark in the band) stays NaN: no gain
        pupils = c.sum()
        rows.append(
            {
                "band": int(b),
                "band_from": float(by[inside].min()),
                "band_to": float(by[inside].max()),
                "schools": int(inside.sum()),
                "pupils": float(pupils),
                "current": float((r / 100 * c).sum()),
                "current_pct": stats.weighted_mean(r, c),
                "benchmark_pct": bench,
                "schools_below": int((gap > 0).sum()),
                "extra": float(np.nansum(0.5 * gap / 100 * c)),
            }
        )
    out = pd.DataFrame(rows)
    out["extra_pct"] = 100 * out["extra"] / out["current"]
    return out


def half_gap_total(bands: pd.DataFrame) -> pd.DataFrame:
    """One row: extra achievers over all bands, current achievers, and extra as a % of current.

    >>> half_gap_total(pd.DataFrame({"schools": [3, 2], "pupils": [60, 40], "current": [20.0, 5.0],
    ...                              "extra": [3.0, 2.0]}))["extra_pct"].item()
    20.0
    """
    extra, current = float(bands["extra"].sum()), float(bands["current"].sum())
    return pd.DataFrame(
        {
            "schools": [int(bands["schools"].sum())],
            "pupils": [float(bands["pupils"].sum())],
            "current": [current],
            "extra": [extra],
            "extra_pct": [100 * extra / current if current else float("nan")],
        }
    )


def sensitivity(
    schools: pd.DataFrame,
    *,
    group: str,
    band_by: str,
    n_groups: list[int],
    bandings: list[str],
    benchmarks: list[str],
    benchmark_min_cohort: int = 1,
    headline: dict | None = None,
) -> pd.DataFrame:
    """:func:`half_gap_total` for every (n_groups, banding, benchmark); ``headline`` marks the chosen row."""
    rows = []
    for n in n_groups:
        for banding in bandings:
            for bench in benchmarks:
                total = half_gap_total(
                    half_gap(schools, group=group, band_by=band_by, n_groups=n, banding=banding, benchmark=bench,
                             benchmark_min_cohort=benchmark_min_cohort)
                ).iloc[0]
                rows.append({"n_groups": n, "banding": banding, "benchmark": bench, "extra": total["extra"],
                             "extra_pct": total["extra_pct"]})
    out = pd.DataFrame(rows)
    head = headline or {}
    out["headline"] = (
        (out["n_groups"] == head.get("n_groups"))
        & (out["banding"] == head.get("banding"))
        & (out["benchmark"] == head.get("benchmark"))
    )
    return out
