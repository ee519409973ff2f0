"""The rank-based attainment gap in months (the Education Policy Institute approach), from pupil-level data.

Method (EPI, "Closing the gap?", 2017; DfE's disadvantage gap index, SFR 40/2014, ranks the same way):

1. **Rank** every pupil of a year nationally on the score (attainment or a progress score). Ties get the
   mean of the ranks they span; the percentile rank is ``r = (rank - 0.5) / n`` (so it lies in (0, 1) and
   averages exactly 0.5 over a year).
2. **Mean rank** of a group (e.g. persistently disadvantaged pupils in an area) and of the comparison group
   (non-disadvantaged pupils nationally, or non-disadvantaged pupils outside the area).
3. **Standard deviations.** If scores are normal with a common spread, a pupil ``d`` SD above the mean
   out-ranks a random pupil with probability ``Phi(d / sqrt(2))`` (the difference of two independent unit
   normals has SD ``sqrt(2)``). Averaging over a group whose mean is ``d`` gives mean rank ``Phi(d/sqrt(2))``,
   so ``d = sqrt(2) * Phi^-1(mean rank)`` and the gap is

   ``gap_sd = sqrt(2) * (Phi^-1(r_comparison) - Phi^-1(r_group))``   (positive = the group is behind).

   The formula is exact when the population and the groups are normal with the same SD; with a mixture of
   groups the population SD is a little larger than the within-group SD and the gap is understated by
   roughly ``1 - sqrt(2 / (1 + sd_pop**2))`` (about 2% for the national disadvantage gap).
4. **Months**: ``gap_months = gap_sd * months_per_sd``. ``months_per_sd`` is always an explicit argument:
   a number or a preset name from :data:`PRESETS` (see :func:`calibration_table` for how the calibrated one
   is derived).

Everything is vectorised numpy (per year one ``np.sort`` of packed 64-bit keys; two ``bincount``): six million
pupils take about half a second (``benchmarks/months_6m.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from ..data import ks4_national, published
from ..data.pupils import validate_pupils
from ..errors import ParameterError, SourceError
from .percentile_ranks import percentile_ranks, sorted_ranks  # noqa: F401 (percentile_ranks: the public name)

#: FSM in at least this share of a pupil's years = "persistently disadvantaged" (ASL/EPI: 80% of secondary years).
PERSISTENT_THRESHOLD = 0.8
GROUPS = ("disadvantaged", "persistently_disadvantaged", "non_disadvantaged")
GROUP_LABELS = {
    "disadvantaged": "Disadvantaged pupils",
    "persistently_disadvantaged": "Persistently disadvantaged pupils (FSM in 80%+ of years)",
    "non_disadvantaged": "Non-disadvantaged pupils",
}
COMPARISONS = ("national_non_disadvantaged", "non_disadvantaged_elsewhere")
NATIONAL = "England"
_NORMAL = NormalDist()


def probit(p: float | np.ndarray) -> np.ndarray:
    """Inverse standard normal CDF, elementwise; NaN stays NaN.

    >>> probit(np.array([0.5, 0.975])).round(2).tolist()
    [0.0, 1.96]
    """
    arr = np.asarray(p, dtype=float)
    out = np.full(arr.shape, np.nan)
    ok = (arr > 0) & (arr < 1)
    out[ok] = [_NORMAL.inv_cdf(float(v)) for v in arr[ok]]
    return out


def rank_gap_to_sd(group_rank: float | np.ndarray, comparison_rank: float | np.ndarray) -> np.ndarray:
    """``sqrt(2) * (Phi^-1(r_comparison) - Phi^-1(r_group))``: a mean-rank gap in standard deviations.

    >>> float(rank_gap_to_sd(0.5, 0.5))
    0.0
    >>> round(float(rank_gap_to_sd(0.3638, 0.5528)), 2)  # DfE 2016 KS4 gap index 3.78 (see calibration_table)
    0.68
    """
    return math.sqrt(2) * (probit(comparison_rank) - probit(group_rank))


#: The year the calibrated preset is calibrated on (EPI's and DfE's figures are for GCSE 2015/16).
CALIBRATION_YEAR = 2016


def calibration_inputs() -> dict:
    """Inputs of the calibrated preset, each from its source: EPI's published gap in months and DfE's gap index
    (published inputs, ``data/reference/published/``, with their citations), and England's 2016 P8 pupils, all
    and disadvantaged, read from DfE's national state-funded row of the full-schema KS4 files."""
    row = ks4_national.national_row(CALIBRATION_YEAR)
    if row is None:
        raise SourceError(f"months: no full-schema KS4 file covers {CALIBRATION_YEAR}, so the national P8 pupil "
                          "counts of the calibrated preset are not held; register one (role ks4_school_full)")
    return {
        "published_months": published.input_value("epi_gcse_gap_months"),
        "gap_index": published.input_value("dfe_ks4_gap_index"),
        "disadvantaged_pupils": float(row["p8_pupils_disadvantaged"]),
        "all_pupils": float(row["p8_pupils_all"]),
        "pupils_source": f"{row['source_id']}, national state-funded row, {CALIBRATION_YEAR} P8 pupils",
    }


def calibrate_months_per_sd(published_months: float, gap_index: float, disadvantaged_share: float) -> float:
    """Months per SD that make a national mean-rank gap equal a published gap in months.

    DfE's gap index is ``20 * (r_other - r_disadvantaged)`` (0 to 10). The pupil-weighted mean rank is 0.5, so
    ``r_dis = 0.5 - (1 - p) * index / 20`` and ``r_other = 0.5 + p * index / 20`` (p = disadvantaged share);
    the gap in SD follows from :func:`rank_gap_to_sd` and ``months_per_sd = published_months / gap_sd``.

    >>> round(calibrate_months_per_sd(19.3, 3.78, 143088 / 512053), 1)
    28.4
    """
    if not 0 < disadvantaged_share < 1:
        raise ParameterError(f"disadvantaged_share: expected a share strictly between 0 and 1, got {disadvantaged_share}")
    diff = gap_index / 20
    r_dis = 0.5 - (1 - disadvantaged_share) * diff
    r_other = 0.5 + disadvantaged_share * diff
    return float(published_months / rank_gap_to_sd(r_dis, r_other))


def calibration_table(inputs: dict | None = None) -> pd.DataFrame:
    """Every step of the calibrated preset, with its value and where each input comes from."""
    c = dict(inputs or calibration_inputs())
    p = c["disadvantaged_pupils"] / c["all_pupils"]
    diff = c["gap_index"] / 20
    r_dis, r_other = 0.5 - (1 - p) * diff, 0.5 + p * diff
    gap_sd = float(rank_gap_to_sd(r_dis, r_other))
    cite = {"published_months": published.input_citation("epi_gcse_gap_months"),
            "gap_index": published.input_citation("dfe_ks4_gap_index"), "p": c.get("pupils_source", "given")}
    steps = [
        ("published gap (months)", f"EPI, GCSE English and maths, 2016 ({cite['published_months']})",
         c["published_months"]),
        ("DfE KS4 disadvantage gap index", f"index = 20 * (r_other - r_dis) ({cite['gap_index']})", c["gap_index"]),
        ("disadvantaged share p", f"P8 pupils disadvantaged / all, England 2016 ({cite['p']})", p),
        ("mean rank, disadvantaged", "r_dis = 0.5 - (1 - p) * index / 20", r_dis),
        ("mean rank, other pupils", "r_other = 0.5 + p * index / 20", r_other),
        ("gap in SD", "sqrt(2) * (Phi^-1(r_other) - Phi^-1(r_dis))", gap_sd),
        ("months per SD", "published months / gap in SD", c["published_months"] / gap_sd),
    ]
    return pd.DataFrame(steps, columns=["step", "formula", "value"])


@dataclass(frozen=True)
class MonthsPerSD:
    name: str
    months_per_sd: float
    basis: str


GENERIC = MonthsPerSD(
    "generic_one_year_per_sd",
    12.0,
    "Rule of thumb: one standard deviation = one school year (12 months), the convention behind the EEF "
    "Toolkit's months-of-progress scale. Not estimated for 16-year-olds: annual growth at secondary age is "
    "well under 1 SD (about 0.2-0.3 SD a year in US norming studies), so this preset UNDERSTATES months at KS4.",
)


@lru_cache(maxsize=1)
def presets() -> dict[str, MonthsPerSD]:
    """The named presets; the calibrated one is computed from its sources on first use (:func:`calibration_inputs`)."""
    c = calibration_inputs()
    return {
        GENERIC.name: GENERIC,
        "epi_gcse_2016": MonthsPerSD(
            "epi_gcse_2016",
            calibrate_months_per_sd(c["published_months"], c["gap_index"], c["disadvantaged_pupils"] / c["all_pupils"]),
            f"Calibrated so that England's 2016 disadvantage gap at GCSE (DfE gap index {c['gap_index']}, converted "
            f"to SD by the rank formula) equals EPI's published {c['published_months']} months: months_per_sd = "
            f"{c['published_months']} / gap_sd (calibration_table()). Calibrated on English and maths attainment; "
            "applied to other scores it assumes a month is the same share of an SD.",
        ),
    }


def __getattr__(name: str):
    if name == "PRESETS":  # the old constant: computed on first use, since the calibration reads its sources
        return presets()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def resolve_months_per_sd(months_per_sd: str | float) -> MonthsPerSD:
    """A preset name or a positive number -> :class:`MonthsPerSD` (a clear error otherwise).

    >>> resolve_months_per_sd("generic_one_year_per_sd").months_per_sd
    12.0
    >>> resolve_months_per_sd(20).basis
    'user-supplied: 20.0 months per SD'
    """
    if isinstance(months_per_sd, str):
        if months_per_sd == GENERIC.name:
            return GENERIC
        names = sorted([GENERIC.name, "epi_gcse_2016"])
        if months_per_sd not in names:
            raise ParameterError(f"months_per_sd: {months_per_sd!r} is not a preset; valid: {names} "
                                 "or a positive number")
        return presets()[months_per_sd]
    value = float(months_per_sd)
    if not value > 0 or math.isinf(value):
        raise ParameterError(f"months_per_sd: expected a positive number of months per SD, got {months_per_sd!r}")
    return MonthsPerSD("custom", value, f"user-supplied: {value} months per SD")


def presets_table() -> pd.DataFrame:
    """The named presets with their basis."""
    return pd.DataFrame([vars(p) for p in presets().values()])


def rank_gaps(
    pupils: pd.DataFrame,
    *,
    months_per_sd: str | float,
    score: str = "score",
    comparison: str = "national_non_disadvantaged",
    persistent_threshold: float = PERSISTENT_THRESHOLD,
    include_national: bool = True,
) -> pd.DataFrame:
    """Gap of each group in each (year, area) behind the comparison group: in rank, SD and months.

    ``comparison``: ``national_non_disadvantaged`` (non-disadvantaged pupils in all of England, as ASL/EPI's
    20.1 months) or ``non_disadvantaged_elsewhere`` (non-disadvantaged pupils outside the area, as ASL's
    "almost five months"). Pupils are ranked nationally within year (so each year can be run alone, with the
    same rows); pupils without a score or a year are not ranked. Persistently disadvantaged = ``fsm_share >=
    persistent_threshold``. With ``include_national`` the area ``England`` (every pupil, with or without an area)
    is added. ``gap_rank`` is in percentile points (0-100); positive = behind.

    Hand example (one year, four pupils, ranks 0.125, 0.375, 0.625, 0.875): the disadvantaged pupil in area A
    has rank 0.125; non-disadvantaged pupils nationally average (0.375+0.625+0.875)/3 = 0.625;
    gap_sd = sqrt(2) * (Phi^-1(0.625) - Phi^-1(0.125)) = 1.41421 * (0.31864 + 1.15035) = 2.07746;
    at 10 months per SD that is 20.775 months.

    >>> pupils = pd.DataFrame({"year": 2016, "area": ["A", "A", "B", "B"], "score": [1., 2, 3, 4],
    ...     "disadvantaged": [True, False, False, False], "fsm_share": [1.0, 0, 0, 0]})
    >>> out = rank_gaps(pupils, months_per_sd=10, include_national=False)
    >>> out.query("area == 'A' and group == 'disadvantaged'")[["gap_rank", "gap_sd", "gap_months"]].round(3).values.tolist()
    [[50.0, 2.077, 20.775]]
    """
    validate_pupils(pupils, score=score)
    if comparison not in COMPARISONS:
        raise ParameterError(f"comparison: {comparison!r}; valid: {list(COMPARISONS)}")
    if not 0 < persistent_threshold <= 1:
        raise ParameterError(f"persistent_threshold: expected a share in (0, 1], got {persistent_threshold}")
    conversion = resolve_months_per_sd(months_per_sd)
    scores = pd.to_numeric(pupils[score], errors="coerce").to_numpy(dtype=float)
    year_codes, years = pd.factorize(pupils["year"])  # unsorted: the rows are sorted at the end
    area_codes, areas = pd.factorize(pupils["area"])  # no astype(str): 6M string copies
    areas = pd.Index(areas).astype(str)
    n_years, n_areas = len(years), len(areas)
    rows, ranks = sorted_ranks(scores, year_codes, n_years)
    dis = pupils["disadvantaged"].fillna(False).to_numpy(dtype=bool)
    persistent = pd.to_numeric(pupils["fsm_share"], errors="coerce").fillna(0).to_numpy() >= persistent_threshold
    # rank sums and counts per (year, area slot (0: no area), disadvantaged, persistent): every mean is made of these
    shape = (n_years, n_areas + 1, 2, 2)
    cell = year_codes.astype(np.min_scalar_type(np.prod(shape) - 1))  # small codes: a cheaper gather below
    for factor, add in ((n_areas + 1, area_codes.astype(cell.dtype) + 1), (2, dis), (2, persistent)):
        cell *= factor  # exact for the ranked rows (the rest may wrap: never read)
        cell += add
    cell = cell[rows].astype(np.intp)
    g_sum, g_n = (np.stack([a[:, :, 1].sum(-1), a[..., 1].sum(-1), a[:, :, 0].sum(-1)])  # (GROUPS, year, slot)
                  for a in (np.bincount(cell, w, minlength=np.prod(shape)).reshape(shape) for w in (ranks, None)))
    for a in (g_sum, g_n):  # slot 0 becomes England: every ranked pupil of the year
        a[:, :, 0] = a.sum(-1)
    nd_sum, nd_n = g_sum[-1, :, :1], g_n[-1, :, :1]  # non-disadvantaged, England, by year
    if comparison == "non_disadvantaged_elsewhere":  # outside the area (for England: all of England)
        nd_sum, nd_n = (nd - a[-1] * (np.arange(n_areas + 1) > 0) for nd, a in ((nd_sum, g_sum), (nd_n, g_n)))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean, c_mean = (np.where(n > 0, total / n, np.nan) for total, n in ((g_sum, g_n), (nd_sum, nd_n)))
    keep = slice(0 if include_national else 1, None)  # slot 0 is England
    group, year, slot = (ix[:, :, keep].ravel() for ix in np.indices(g_n.shape))
    columns = {"n_pupils": g_n, "mean_rank": mean, "comparison_n": nd_n, "comparison_mean_rank": c_mean}
    out = pd.DataFrame({"year": np.asarray(years)[year], "area": np.array([NATIONAL, *areas], dtype=object)[slot],
                        "group": np.array(GROUPS, dtype=object)[group],
                        **{k: np.broadcast_to(v, g_n.shape)[:, :, keep].ravel() for k, v in columns.items()}})
    out["comparison"] = comparison
    out["gap_rank"] = 100 * (out["comparison_mean_rank"] - out["mean_rank"])
    out["gap_sd"] = rank_gap_to_sd(out["mean_rank"].to_numpy(), out["comparison_mean_rank"].to_numpy())
    out["months_per_sd"] = conversion.months_per_sd
    out["gap_months"] = out["gap_sd"] * conversion.months_per_sd
    cols = ["year", "area", "group", "n_pupils", "mean_rank", "comparison", "comparison_n", "comparison_mean_rank",
            "gap_rank", "gap_sd", "months_per_sd", "gap_months"]
    return out[cols].sort_values(["year", "area", "group"], kind="stable").reset_index(drop=True)


def rank_gaps_by_cohort(cohorts: Iterable[pd.DataFrame], **kwargs: Any) -> pd.DataFrame:
    """:func:`rank_gaps` one cohort (year) at a time, results concatenated: for pupil tables larger than memory.

    Every figure of ``rank_gaps`` stays within one year (pupils are ranked nationally within their year and
    compared with the same year's pupils), so a table of many years gives the same rows as one call per year,
    except the empty (year, area) cells of areas absent from a year. ``cohorts`` yields each year's pupils, e.g.
    from DuckDB (``con.sql("SELECT ... FROM npd WHERE year = $y", params={"y": y}).df()``) or a Parquet dataset
    (``benchmarks/months_out_of_core.py``), so only one cohort is in memory at a time.

    >>> from analysis.data.pupils import synthetic_pupils
    >>> two = [synthetic_pupils(2000, years=(y,), seed=y) for y in (2015, 2016)]
    >>> by_cohort = rank_gaps_by_cohort(two, months_per_sd=20.0)
    >>> whole = rank_gaps(pd.concat(two, ignore_index=True), months_per_sd=20.0)
    >>> bool(np.allclose(by_cohort["gap_months"], whole["gap_months"], equal_nan=True))
    True
    """
    parts = []
    for cohort in cohorts:
        parts.append(rank_gaps(cohort, **kwargs))
        del cohort  # else the last cohort is still held while the next one is read
    if not parts:
        raise ParameterError("cohorts: expected at least one year's pupils, got none")
    return pd.concat(parts, ignore_index=True).sort_values(["year", "area", "group"], kind="stable",
                                                           ignore_index=True)


def check_against_design(true_gaps: pd.DataFrame, *gap_tables: pd.DataFrame, area: str) -> pd.DataFrame:
    """The gaps built into a synthetic cohort next to the gaps :func:`rank_gaps` finds for one area.

    >>> truth = pd.DataFrame({"group": ["g"], "comparison": ["c"], "true_gap_sd": [1.0]})
    >>> found = pd.DataFrame({"area": ["a"], "group": ["g"], "comparison": ["c"], "gap_sd": [0.98], "gap_months": [9.8]})
    >>> check_against_design(truth, found, area="a").values.tolist()
    [['g', 'c', 1.0, 0.98, 9.8]]
    """
    found = pd.concat(gap_tables, ignore_index=True)
    found = found[found["area"] == area][["group", "comparison", "gap_sd", "gap_months"]]
    return true_gaps.merge(found, on=["group", "comparison"], how="left")
