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

Everything is vectorised numpy (one ``lexsort`` plus ``bincount``): six million pupils take seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np
import pandas as pd

from ..data import ks4_national, published
from ..data.pupils import validate_pupils
from ..errors import ParameterError, SourceError

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


def percentile_ranks(scores: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Percentile rank ``(mid-rank - 0.5) / n`` of each score within its year; NaN scores get NaN.

    Ties share the mean of their ranks. Hand example: scores 10, 20, 20, 40 -> ranks 1, 2.5, 2.5, 4 ->
    (0.5, 2, 2, 3.5) / 4.

    >>> percentile_ranks(np.array([10., 20, 20, 40]), np.array([1, 1, 1, 1])).tolist()
    [0.125, 0.5, 0.5, 0.875]
    """
    scores = np.asarray(scores, dtype=float)
    codes, _ = pd.factorize(np.asarray(years), sort=True)
    out = np.full(len(scores), np.nan)
    valid = ~np.isnan(scores) & (codes >= 0)
    idx = np.flatnonzero(valid)
    if idx.size == 0:
        return out
    s, y = scores[idx], codes[idx]
    # by year, then score: a float quicksort (ties are averaged below, so their order does not matter), then a
    # stable radix sort on the small year codes; several times faster than np.lexsort on 6M rows
    order = np.argsort(s)
    order = order[np.argsort(y[order].astype(np.int16), kind="stable")]
    s, y = s[order], y[order]
    n = s.size
    new_block = np.empty(n, dtype=bool)
    new_block[0] = True
    new_block[1:] = (s[1:] != s[:-1]) | (y[1:] != y[:-1])
    starts = np.flatnonzero(new_block)
    ends = np.append(starts[1:], n)
    block = np.cumsum(new_block) - 1
    n_year = np.bincount(y)
    year_start = np.concatenate(([0], np.cumsum(n_year)[:-1]))
    mid = (starts + ends - 1) / 2.0  # 0-based mean position of each tie block
    pct = (mid[block] - year_start[y] + 0.5) / n_year[y]
    out[idx[order]] = pct
    return out


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
    "almost five months"). Pupils are ranked nationally within year; pupils without a score are not ranked.
    Persistently disadvantaged = ``fsm_share >= persistent_threshold``. With ``include_national`` the area
    ``England`` (every pupil) is added. ``gap_rank`` is in percentile points (0-100); positive = behind.

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
    year_codes, years = pd.factorize(pupils["year"], sort=True)
    area_codes, areas = pd.factorize(pupils["area"], sort=True)  # no astype(str): 6M string copies
    areas = pd.Index(areas).astype(str)
    ranks = percentile_ranks(scores, year_codes)
    ranked = ~np.isnan(ranks)
    dis = pupils["disadvantaged"].fillna(False).to_numpy(dtype=bool)
    persistent = pd.to_numeric(pupils["fsm_share"], errors="coerce").fillna(0).to_numpy() >= persistent_threshold
    masks = {"disadvantaged": dis, "persistently_disadvantaged": persistent, "non_disadvantaged": ~dis}

    n_years, n_areas = len(years), len(areas)
    cell = year_codes * n_areas + area_codes
    r = np.where(ranked, ranks, 0.0)

    def sums(mask: np.ndarray, key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
        # weights instead of boolean indexing: no copies of the 6M-row arrays
        m = (mask & ranked).astype(float)
        return np.bincount(key, weights=r * m, minlength=size), np.bincount(key, weights=m, minlength=size)

    nd_year_sum, nd_year_n = sums(masks["non_disadvantaged"], year_codes, n_years)
    nd_cell_sum, nd_cell_n = sums(masks["non_disadvantaged"], cell, n_years * n_areas)
    frames = []
    for group, mask in masks.items():
        g_sum, g_n = sums(mask, cell, n_years * n_areas)
        y_sum, y_n = sums(mask, year_codes, n_years)
        year_idx = np.repeat(np.arange(n_years), n_areas)
        if comparison == "national_non_disadvantaged":
            c_sum, c_n = nd_year_sum[year_idx], nd_year_n[year_idx]
        else:
            c_sum, c_n = nd_year_sum[year_idx] - nd_cell_sum, nd_year_n[year_idx] - nd_cell_n
        part = pd.DataFrame({"year": np.asarray(years)[year_idx], "area": np.tile(np.asarray(areas), n_years),
                             "group": group, "n_pupils": g_n, "_sum": g_sum, "comparison_n": c_n, "_csum": c_sum})
        if include_national:
            part = pd.concat([part, pd.DataFrame({
                "year": np.asarray(years), "area": NATIONAL, "group": group, "n_pupils": y_n, "_sum": y_sum,
                "comparison_n": nd_year_n, "_csum": nd_year_sum})], ignore_index=True)
        frames.append(part)
    out = pd.concat(frames, ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_rank"] = np.where(out["n_pupils"] > 0, out["_sum"] / out["n_pupils"], np.nan)
        out["comparison_mean_rank"] = np.where(out["comparison_n"] > 0, out["_csum"] / out["comparison_n"], np.nan)
    out["comparison"] = comparison
    out["gap_rank"] = 100 * (out["comparison_mean_rank"] - out["mean_rank"])
    out["gap_sd"] = rank_gap_to_sd(out["mean_rank"].to_numpy(), out["comparison_mean_rank"].to_numpy())
    out["months_per_sd"] = conversion.months_per_sd
    out["gap_months"] = out["gap_sd"] * conversion.months_per_sd
    out["n_pupils"] = out["n_pupils"].astype("int64")
    out["comparison_n"] = out["comparison_n"].astype("int64")
    cols = ["year", "area", "group", "n_pupils", "mean_rank", "comparison", "comparison_n", "comparison_mean_rank",
            "gap_rank", "gap_sd", "months_per_sd", "gap_months"]
    return out[cols].sort_values(["year", "area", "group"], kind="stable").reset_index(drop=True)


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
