"""Statistical building blocks every finding shares, each written once: weighted means, bands, and the
pupil-level standard deviation of Progress 8 that DfE's confidence intervals imply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import nearest_year
from ..errors import ParameterError

#: Two-sided 95% normal quantile, as in DfE's Progress 8 confidence intervals.
Z95 = 1.96
PUPIL_GROUPS = ("all", "disadvantaged", "non_disadvantaged")
BAND_METHODS = ("equal_count", "quantile", "fixed")


def weighted_mean(values, weights) -> float:
    """Weighted mean over the rows that have a value and a positive weight; NaN when there are none.

    >>> weighted_mean([0.2, -0.4, 5.0], [100, 50, 0])  # (0.2*100 - 0.4*50) / 150; weight 0 ignored
    0.0
    >>> weighted_mean([np.nan], [10])
    nan
    """
    v = np.asarray(values, dtype="float64")
    w = np.asarray(weights, dtype="float64")
    ok = ~np.isnan(v) & ~np.isnan(w) & (w > 0)
    total = w[ok].sum()
    return float((v[ok] * w[ok]).sum() / total) if total > 0 else float("nan")


def weighted_means(frame: pd.DataFrame, value: str, weight: str, by: list[str]) -> pd.DataFrame:
    """:func:`weighted_mean` of ``value`` per group of ``by``, with the weight used and the rows counted.

    ``n_used``: rows with a value and a positive weight; ``n_without``: the group's other rows.

    >>> f = pd.DataFrame({"g": ["x", "x", "x"], "p8": [0.2, -0.4, np.nan], "n": [100, 50, 20]})
    >>> weighted_means(f, "p8", "n", ["g"]).values.tolist()
    [['x', 0.0, 150.0, 2, 1]]
    """
    ok = frame[value].notna() & frame[weight].gt(0)
    parts = frame.assign(_w=frame[weight].where(ok, 0.0).astype("float64"),
                         _wx=(frame[value] * frame[weight]).where(ok, 0.0).astype("float64"), _ok=ok)
    out = parts.groupby(by, sort=True).agg(_wx=("_wx", "sum"), weight=("_w", "sum"), n_used=("_ok", "sum"),
                                           n_rows=("_ok", "size"))
    out["mean"] = (out["_wx"] / out["weight"]).where(out["weight"] > 0)
    out["n_used"] = out["n_used"].astype(int)
    out["n_without"] = (out["n_rows"] - out["n_used"]).astype(int)
    return out.reset_index()[[*by, "mean", "weight", "n_used", "n_without"]]


def bands(values: pd.Series, n_bands: int, *, method: str = "equal_count",
          tie_break: pd.Series | None = None) -> pd.Series:
    """Band number 1..n (1 = lowest) of each value; missing values get no band.

    * ``equal_count``: sizes differ by at most one. Rank r (0-based; ties ordered by ``tie_break``, then by
      position) goes to band floor(r * n / N) + 1. Used where every school needs exactly one family.
    * ``quantile``: cut at the values' quantiles; tied values stay in one band, so sizes may differ a little.
    * ``fixed``: the observed range split into ``n`` equal widths.

    >>> bands(pd.Series([5.0, 1.0, 3.0, 2.0, 4.0]), 2).tolist()
    [2, 1, 1, 1, 2]
    >>> bands(pd.Series([1, 2, 3, 4, 5, 6]), 3, method="quantile").tolist()
    [1, 1, 2, 2, 3, 3]
    >>> bands(pd.Series([0, 1, 2, 9, 10]), 2, method="fixed").tolist()
    [1, 1, 1, 2, 2]
    """
    if method not in BAND_METHODS:
        raise ParameterError(f"banding: {method!r} is not one of {', '.join(BAND_METHODS)}")
    if not isinstance(n_bands, (int, np.integer)) or n_bands < 1:
        raise ParameterError(f"number of bands: expected a whole number >= 1, got {n_bands!r}")
    ok = values.dropna()
    if method == "quantile":
        cut = pd.qcut(ok, int(n_bands), labels=False, duplicates="drop")
    elif method == "fixed":
        edges = np.linspace(float(ok.min()), float(ok.max()), int(n_bands) + 1)
        cut = pd.cut(ok, edges, labels=False, include_lowest=True)
    else:
        if int(n_bands) > len(ok):
            raise ParameterError(f"number of bands: {n_bands} bands but only {len(ok)} values to band")
        ties = tie_break.loc[ok.index].to_numpy() if tie_break is not None else np.arange(len(ok))
        order = np.lexsort((np.arange(len(ok)), ties, ok.to_numpy()))  # value, then tie_break, then position
        rank = np.empty(len(ok), dtype=int)
        rank[order] = np.arange(len(ok))
        cut = pd.Series(rank * int(n_bands) // len(ok), index=ok.index)
    return (cut + 1).reindex(values.index).astype("Int64")


# ------------------------------------------------------------------ the pupil-level SD of Progress 8


def p8_sd(results: pd.DataFrame) -> pd.DataFrame:
    """DfE's national pupil-level P8 standard deviation, backed out of the 95% CIs in the data, per year.

    DfE: CI = P8 ± 1.96 σ / √n. Each interval gives half-width h = 1.96 σ / √n; least squares of h on 1/√n
    through the origin (every row with an interval: schools and LAs, every pupil group) gives σ. It is the one
    estimator the compendium uses (school CIs in notebook 03, months in notebook 05, LA intervals).
    ``max_abs_error`` is the largest difference between a bound in the file and the bound recomputed with σ
    (rounded to 2 dp as DfE rounds): ≤ 0.01 means the method and σ reproduce the file.

    >>> res = pd.DataFrame({"year": [2017, 2017], "level": ["school", "school"], "p8_all": [0.1, 0.0],
    ...     "p8_pupils_all": [100.0, 25.0], "p8_ci_low_all": [-0.15, -0.5], "p8_ci_high_all": [0.35, 0.5]})
    >>> round(p8_sd(res)["sd"].item(), 3)  # h=0.25 at n=100 and 0.5 at n=25: σ=0.25*10/1.96
    1.276
    """
    rows = []
    for y, part in results.groupby("year", sort=True):
        h, inv, used = [], [], []  # used: (rows with an interval, pupil group) for the check
        for g in PUPIL_GROUPS:
            cols = [f"p8_{g}", f"p8_pupils_{g}", f"p8_ci_low_{g}", f"p8_ci_high_{g}"]
            if not set(cols) <= set(part.columns):
                continue
            ok = part[cols].notna().all(axis=1) & (part[f"p8_pupils_{g}"] > 0)
            sub = part[ok]
            h.append((sub[f"p8_ci_high_{g}"] - sub[f"p8_ci_low_{g}"]) / 2)
            inv.append(1 / np.sqrt(sub[f"p8_pupils_{g}"]))
            used.append((sub, g))
        h_all = pd.concat(h) if h else pd.Series(dtype=float)
        inv_all = pd.concat(inv) if inv else pd.Series(dtype=float)
        if len(h_all) == 0:
            rows.append({"year": y, "sd": np.nan, "n_intervals": 0, "max_abs_error": np.nan,
                         "method": "no confidence intervals in the data"})
            continue
        k = float((h_all * inv_all).sum() / (inv_all**2).sum())
        sd = k / Z95
        worst = 0.0
        for sub, g in used:
            if not len(sub):
                continue
            half = Z95 * sd / np.sqrt(sub[f"p8_pupils_{g}"])
            worst = max(worst, float((sub[f"p8_{g}"] - half).round(2).sub(sub[f"p8_ci_low_{g}"]).abs().max()),
                        float((sub[f"p8_{g}"] + half).round(2).sub(sub[f"p8_ci_high_{g}"]).abs().max()))
        rows.append({"year": y, "sd": round(sd, 3), "n_intervals": len(h_all), "max_abs_error": round(worst, 4),
                     "method": "backed out of the data's P8 CIs (least squares of half-width on 1/sqrt(n))"})
    return pd.DataFrame(rows, columns=["year", "sd", "n_intervals", "max_abs_error", "method"])


def sd_by_year(sd_table: pd.DataFrame, years: list[int], *, override: float = 0.0) -> pd.DataFrame:
    """The P8 SD used for each year: ``override`` if > 0, else the SD backed out of that year's CIs
    (:func:`p8_sd`) or, for a year without CI data, of the nearest year with them (``basis`` says which).

    >>> t = pd.DataFrame({"year": [2016, 2017], "sd": [1.06, 1.23]})
    >>> out = sd_by_year(t, [2016, 2018])
    >>> out["sd_p8"].tolist(), out["sd_year"].tolist()
    ([1.06, 1.23], [2016, 2017])
    """
    if override < 0:
        raise ParameterError(f"p8_sd: expected a positive SD of pupil P8 scores (or 0 = from CIs), got {override}")
    known = sd_table.dropna(subset=["sd"]).set_index("year")["sd"]
    rows = []
    for year in years:
        if override > 0:
            rows.append((year, float(override), pd.NA, "p8_sd parameter"))
            continue
        if known.empty:
            raise ParameterError("p8_sd: no confidence intervals to back the SD out of; pass p8_sd > 0")
        use = nearest_year(year, known.index)
        basis = "CIs of that year" if use == year else f"CIs of {use} (no CI data for {year})"
        rows.append((year, float(known[use]), use, basis))
    return pd.DataFrame(rows, columns=["year", "sd_p8", "sd_year", "basis"])


def ci_half_width(sd, n, z: float = Z95):
    """Half-width of a normal interval for a mean of ``n`` pupils with pupil-level SD ``sd``: z σ / √n.

    >>> round(float(ci_half_width(1.25, 49.0)), 4)  # 1.96 * 1.25 / 7
    0.35
    """
    return z * np.asarray(sd, dtype="float64") / np.sqrt(np.asarray(n, dtype="float64"))
