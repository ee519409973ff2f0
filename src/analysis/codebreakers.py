"""'Cracking the Code' (Social Mobility and Child Poverty Commission, 2014): code-breaker schools and the
close-half-the-gap simulations, from school-level KS4 5ACEM data (role ``ks4_5acem_school``).

5ACEM = % of pupils achieving 5+ A*-C GCSEs (or equivalents) including English and maths. Disadvantaged =
eligible for free school meals in the last six years, or looked after. Every rate in the file is a whole
percentage of a known cohort, so national rates are rebuilt pupil-weighted: sum(rate x cohort) / sum(cohort).

Each school row used for a pupil group needs a cohort count > 0 and a reported rate; the rest are counted by
:func:`exclusions` with the reason, never silently dropped.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# plots (seaborn, scipy.stats: ~1.3 s) is imported by the chart functions only: the runner imports this
# module just to check --year, and the notebook's calculations need no plotting library.
from . import sources
from .reference import ParameterError

ROLE = "ks4_5acem_school"
#: The report's data year (2012/13): published figures are stored under it.
REPORT_DATA_YEAR = 2013
LONDON = "London"

#: pupil group -> (cohort column, 5ACEM rate column)
GROUPS = {
    "all": ("pupils", "pct_5acem_all"),
    "disadvantaged": ("pupils_disadvantaged", "pct_5acem_disadvantaged"),
    "other": ("pupils_other", "pct_5acem_other"),
    "low_prior": ("pupils_low_prior", "pct_5acem_low_prior"),
}
GROUP_LABELS = {
    "all": "All pupils",
    "disadvantaged": "Disadvantaged pupils",
    "other": "Other pupils",
    "low_prior": "Low prior attainers (KS2)",
}
BANDINGS = ("quantile", "fixed")
BENCHMARKS = ("top20_weighted", "p80_school", "best")


def available_years() -> list[int]:
    """Years with a registered school-level 5ACEM file (the runner checks ``--year`` against these)."""
    return sources.years_for(ROLE)


def comparison_year(year: int) -> int:
    """The year to record findings under: the report's 2012/13 for its own year or the year after, else ``year``.

    We hold 2013/14, one year after the report's data; comparing it with the report is the point of the
    notebook, and the finding's note says so. Data two or more years away are recorded as unpublished.

    >>> comparison_year(2014), comparison_year(2013), comparison_year(2016)
    (2013, 2013, 2016)
    """
    return REPORT_DATA_YEAR if 0 <= int(year) - REPORT_DATA_YEAR <= 1 else int(year)


def year_note(year: int) -> str:
    """Plain-English note on how the data year relates to the report's.

    >>> year_note(2014)[:40]
    'Reproduced from KS4 2013/14 school data;'
    """
    label = f"{year - 1}/{str(year)[-2:]}"
    if year == REPORT_DATA_YEAR:
        return f"Reproduced from KS4 {label} school data, the year the report used."
    gap = year - REPORT_DATA_YEAR
    return (
        f"Reproduced from KS4 {label} school data; the report used 2012/13 ({abs(gap)} year"
        f"{'s' if abs(gap) > 1 else ''} {'earlier' if gap > 0 else 'later'}), and 2013/14 results fell for "
        "some schools under the early-entry and Wolf reforms, so a small difference is expected."
    )


# ---------------------------------------------------------------------------------------------------------
# Which rows are usable
# ---------------------------------------------------------------------------------------------------------


def school_rows(tidy: pd.DataFrame) -> pd.DataFrame:
    """School records, with rows that repeat an earlier row exactly (same URN, same values) removed.

    The 2013/14 file repeats 174 schools verbatim (a merge artefact of the third party); counting them twice
    would double their pupils. :func:`exclusions` counts them.
    """
    schools = tidy[tidy["level"] == "school"]
    return schools[~_repeated(schools)].reset_index(drop=True)


def _repeated(schools: pd.DataFrame) -> pd.Series:
    compare = [c for c in schools.columns if c not in ("row_in_file", "source_file")]
    return schools.duplicated(subset=compare, keep="first")


def usability(schools: pd.DataFrame, group: str) -> pd.Series:
    """Why each school row can or cannot give a 5ACEM rate for ``group`` ('used' when it can).

    >>> s = pd.DataFrame({"pupils_disadvantaged": [10, 0, np.nan, 3], "pct_5acem_disadvantaged": [40, np.nan, np.nan, np.nan]})
    >>> usability(s, "disadvantaged").tolist()
    ['used', 'zero cohort', 'cohort blank (no results)', 'rate blank (suppressed)']
    """
    cohort_col, rate_col = _group_columns(group)
    cohort, rate = schools[cohort_col], schools[rate_col]
    # First matching reason wins. np.select, not boolean-mask assignment on a Series: pandas' fallback path
    # for masks costs ~1 ms a call, and the half-gap sensitivity tables call this hundreds of times.
    reason = np.select([cohort.isna(), cohort.eq(0), rate.isna()],
                       ["cohort blank (no results)", "zero cohort", "rate blank (suppressed)"], "used")
    return pd.Series(reason, index=schools.index, dtype="object")


def usable(schools: pd.DataFrame, group: str) -> pd.DataFrame:
    """The school rows with a cohort > 0 and a reported rate for ``group``."""
    return schools[usability(schools, group) == "used"]


def exclusions(tidy: pd.DataFrame) -> pd.DataFrame:
    """Per pupil group, how many school rows are used or left out and why, with the pupils involved.

    Repeated rows are left out of every group; a blank cohort means the school has no KS4 results in the
    file; a zero cohort has no rate to give; a blank rate with a cohort > 0 was suppressed by DfE (groups of
    1-5 pupils, or whose complement is that small).
    """
    schools = tidy[tidy["level"] == "school"]
    repeated = _repeated(schools)
    rows = []
    for group in GROUPS:
        cohort_col, _ = GROUPS[group]
        reason = usability(schools, group).where(~repeated, "repeated row (duplicate of an earlier row)")
        for r, part in schools.groupby(reason, sort=True):
            rows.append(
                {"pupil_group": group, "reason": r, "schools": len(part), "pupils": float(part[cohort_col].sum())}
            )
    return pd.DataFrame(rows).sort_values(["pupil_group", "reason"], kind="stable").reset_index(drop=True)


def _group_columns(group: str) -> tuple[str, str]:
    if group not in GROUPS:
        raise ParameterError(f"group: {group!r} is not a pupil group; valid: {', '.join(GROUPS)}")
    return GROUPS[group]


# ---------------------------------------------------------------------------------------------------------
# National rates
# ---------------------------------------------------------------------------------------------------------


def weighted_rate(rows: pd.DataFrame, group: str) -> float:
    """Pupil-weighted 5ACEM % of ``group`` over usable rows: sum(rate x cohort) / sum(cohort).

    >>> weighted_rate(pd.DataFrame({"pupils": [10, 30], "pct_5acem_all": [50, 10]}), "all")
    20.0
    """
    cohort_col, rate_col = _group_columns(group)
    rows = usable(rows, group)
    pupils = rows[cohort_col].sum()
    return float((rows[rate_col] * rows[cohort_col]).sum() / pupils) if pupils else float("nan")


def national_rates(schools: pd.DataFrame) -> pd.DataFrame:
    """All / disadvantaged / other pupils: schools used, pupils, achievers, 5ACEM % and % not reaching it."""
    rows = []
    for group in ("all", "disadvantaged", "other"):
        cohort_col, rate_col = GROUPS[group]
        used = usable(schools, group)
        pupils = float(used[cohort_col].sum())
        achievers = float((used[rate_col] / 100 * used[cohort_col]).sum())
        rows.append(
            {
                "pupil_group": group,
                "label": GROUP_LABELS[group],
                "schools": len(used),
                "pupils": pupils,
                "achievers": achievers,
                "pct_5acem": 100 * achievers / pupils if pupils else float("nan"),
            }
        )
    out = pd.DataFrame(rows)
    out["pct_not_reaching"] = 100 - out["pct_5acem"]
    return out


# ---------------------------------------------------------------------------------------------------------
# Code-breakers
# ---------------------------------------------------------------------------------------------------------


def _check_min_cohort(min_cohort: int) -> int:
    if not isinstance(min_cohort, (int, np.integer)) or min_cohort < 1:
        raise ParameterError(f"min_cohort: expected a whole number of pupils >= 1, got {min_cohort!r}")
    return int(min_cohort)


def code_breakers(schools: pd.DataFrame, national_rate: float, *, min_cohort: int = 10) -> pd.DataFrame:
    """Schools with a usable disadvantaged rate and at least ``min_cohort`` disadvantaged pupils, flagged
    ``is_code_breaker`` when that rate is strictly above ``national_rate`` (the all-pupil national %).

    Sorted by disadvantaged rate (highest first), then URN, so ties list in a fixed order.
    """
    min_cohort = _check_min_cohort(min_cohort)
    eligible = usable(schools, "disadvantaged")
    eligible = eligible[eligible["pupils_disadvantaged"] >= min_cohort].copy()
    eligible["is_code_breaker"] = eligible["pct_5acem_disadvantaged"] > national_rate
    eligible["in_london"] = eligible["region"] == LONDON
    return eligible.sort_values(["pct_5acem_disadvantaged", "urn"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def code_breaker_summary(flagged: pd.DataFrame) -> pd.DataFrame:
    """One row: eligible schools, code-breakers, their share, '1 in N', and how many are outside London.

    >>> f = pd.DataFrame({"is_code_breaker": [True, True, False, False, False, False, False, False],
    ...                   "in_london": [True, False, True, False, False, False, False, False]})
    >>> code_breaker_summary(f)[["code_breakers", "share_pct", "one_in_n", "outside_london_share_pct"]].iloc[0].tolist()
    [2.0, 25.0, 4.0, 50.0]
    """
    breakers = flagged[flagged["is_code_breaker"]]
    n, eligible = len(breakers), len(flagged)
    outside = int((~breakers["in_london"]).sum())
    return pd.DataFrame(
        {
            "eligible_schools": [eligible],
            "code_breakers": [n],
            "share_pct": [100 * n / eligible if eligible else float("nan")],
            "one_in_n": [eligible / n if n else float("nan")],
            "outside_london": [outside],
            "outside_london_share_pct": [100 * outside / n if n else float("nan")],
        }
    )


def threshold_sensitivity(schools: pd.DataFrame, national_rate: float, thresholds: list[int]) -> pd.DataFrame:
    """:func:`code_breaker_summary` for each minimum disadvantaged cohort in ``thresholds``."""
    rows = [
        code_breaker_summary(code_breakers(schools, national_rate, min_cohort=t)).assign(min_cohort=t)
        for t in sorted(set(thresholds))
    ]
    out = pd.concat(rows, ignore_index=True)
    return out[["min_cohort"] + [c for c in out.columns if c != "min_cohort"]]


def by_region(flagged: pd.DataFrame) -> pd.DataFrame:
    """Per region: eligible schools, code-breakers and the share of the region's schools that are one."""
    out = (
        flagged.groupby("region", sort=True)
        .agg(eligible_schools=("is_code_breaker", "size"), code_breakers=("is_code_breaker", "sum"))
        .reset_index()
    )
    out["code_breakers"] = out["code_breakers"].astype(int)
    out["share_pct"] = 100 * out["code_breakers"] / out["eligible_schools"]
    return out.sort_values(["code_breakers", "region"], ascending=[False, True], kind="stable").reset_index(drop=True)


def london_vs_rest(schools: pd.DataFrame) -> pd.DataFrame:
    """Disadvantaged 5ACEM % in London and in the rest of England (pupil-weighted), and London / rest.

    >>> s = pd.DataFrame({"region": ["London", "North East", "South West"], "pupils_disadvantaged": [10, 10, 30],
    ...                   "pct_5acem_disadvantaged": [60, 50, 30]})
    >>> london_vs_rest(s)[["area", "pct_5acem"]].values.tolist()
    [['London', 60.0], ['Rest of England', 35.0], ['London / rest', 1.7142857142857142]]
    """
    used = usable(schools, "disadvantaged")
    london = used[used["region"] == LONDON]
    rest = used[used["region"] != LONDON]
    rates = [weighted_rate(london, "disadvantaged"), weighted_rate(rest, "disadvantaged")]
    return pd.DataFrame(
        {
            "area": ["London", "Rest of England", "London / rest"],
            "schools": [len(london), len(rest), np.nan],
            "pupils": [london["pupils_disadvantaged"].sum(), rest["pupils_disadvantaged"].sum(), np.nan],
            "pct_5acem": rates + [rates[0] / rates[1]],
        }
    )


# ---------------------------------------------------------------------------------------------------------
# Beyond prediction
# ---------------------------------------------------------------------------------------------------------

MODEL_FORMULA = "pct_5acem_disadvantaged ~ ks2_aps + pct_disadvantaged"


def fit_prediction_model(schools: pd.DataFrame, *, min_cohort: int = 10):
    """Weighted least squares of disadvantaged 5ACEM % on KS2 APS and % disadvantaged, weights = disadvantaged
    cohort (a school's rate is a proportion, whose variance falls as 1 / cohort).

    Uses schools with a usable disadvantaged rate, at least ``min_cohort`` disadvantaged pupils and a KS2 APS.
    Returns the statsmodels results (``.summary()`` for reviewers; ``.model.data.frame`` is the data used).
    """
    import statsmodels.formula.api as smf

    min_cohort = _check_min_cohort(min_cohort)
    data = usable(schools, "disadvantaged")
    data = data[(data["pupils_disadvantaged"] >= min_cohort) & data["ks2_aps"].notna() & data["pct_disadvantaged"].notna()]
    data = data.sort_values("urn", kind="stable").reset_index(drop=True)
    if len(data) < 10:
        raise ParameterError(f"min_cohort: {min_cohort} leaves {len(data)} schools, too few to fit the model")
    return smf.wls(MODEL_FORMULA, data=data, weights=data["pupils_disadvantaged"]).fit()


def beyond_prediction(results, *, far_above: float = 2.0) -> pd.DataFrame:
    """Each modelled school's predicted and actual disadvantaged 5ACEM %, residual and Pearson residual.

    The Pearson residual is residual x sqrt(cohort / scale): how many standard errors a school of that cohort
    size sits above its prediction. ``far_above_prediction`` when it exceeds ``far_above``. Sorted by Pearson
    residual, highest first (URN breaks ties).
    """
    data = results.model.data.frame
    out = data[["urn", "school_name", "la_name", "region", "pupils_disadvantaged", "ks2_aps", "pct_disadvantaged",
                "pct_5acem_disadvantaged"]].copy()
    out["predicted"] = np.asarray(results.fittedvalues)
    out["residual"] = out["pct_5acem_disadvantaged"] - out["predicted"]
    out["pearson_residual"] = out["residual"] * np.sqrt(out["pupils_disadvantaged"] / results.scale)
    out["far_above_prediction"] = out["pearson_residual"] > far_above
    return out.sort_values(["pearson_residual", "urn"], ascending=[False, True], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------
# Close half the gap
# ---------------------------------------------------------------------------------------------------------


def assign_bands(values: pd.Series, *, n_groups: int, banding: str = "quantile") -> pd.Series:
    """Band number (1 = lowest) for each value: equal-count (``quantile``) or equal-width (``fixed``) bands.

    Quantile bands cut at the values' quantiles (tied values stay in one band, so bands may differ slightly in
    size); fixed bands split the observed range into equal widths.

    >>> assign_bands(pd.Series([1, 2, 3, 4, 5, 6]), n_groups=3).tolist()
    [1, 1, 2, 2, 3, 3]
    >>> assign_bands(pd.Series([0, 1, 2, 9, 10]), n_groups=2, banding="fixed").tolist()
    [1, 1, 1, 2, 2]
    """
    if banding not in BANDINGS:
        raise ParameterError(f"banding: {banding!r} is not one of {', '.join(BANDINGS)}")
    if not isinstance(n_groups, (int, np.integer)) or n_groups < 1:
        raise ParameterError(f"n_groups: expected a whole number >= 1, got {n_groups!r}")
    if banding == "quantile":
        bands = pd.qcut(values, int(n_groups), labels=False, duplicates="drop")
    else:
        lo, hi = float(values.min()), float(values.max())
        edges = np.linspace(lo, hi, int(n_groups) + 1)
        bands = pd.cut(values, edges, labels=False, include_lowest=True)
    return (bands + 1).astype("Int64")


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
    used["band"] = assign_bands(used[band_by], n_groups=n_groups, banding=banding)
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
                "current_pct": float((r * c).sum() / pupils) if pupils else float("nan"),  # = weighted_rate
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


# ---------------------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------------------


def plot_rate_distribution(flagged: pd.DataFrame, national_rate: float, title: str):
    """Histogram of schools' disadvantaged 5ACEM %, with the national all-pupil rate as a line."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from . import plots

    plots.use_style()
    fig, ax = plt.subplots()
    sns.histplot(data=flagged, x="pct_5acem_disadvantaged", binwidth=5, binrange=(0, 100), color=plots.BASE, ax=ax)
    ax.axvline(national_rate, color=plots.HIGHLIGHT, linestyle="--", linewidth=1.5,
               label=f"National rate, all pupils ({national_rate:.1f}%)")
    ax.set(xlabel="% of the school's disadvantaged pupils achieving 5+ A*-C incl. English and maths",
           ylabel="Schools", title=plots._plain(title))
    ax.legend(loc="upper right", fontsize=9)
    fig.tight_layout()
    return fig


def plot_by_region(regions: pd.DataFrame, title: str):
    """Bars: code-breaker schools per region (London highlighted), labelled with the region's share."""
    import matplotlib.pyplot as plt

    from . import plots

    plots.use_style()
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(regions) + 1.5))
    colours = [plots.HIGHLIGHT if r == LONDON else plots.BASE for r in regions["region"]]
    y = np.arange(len(regions))
    ax.barh(y, regions["code_breakers"].to_numpy(dtype=float), color=colours)
    ax.set_yticks(y, [plots._plain(r) for r in regions["region"]])
    ax.invert_yaxis()
    for i, (n, s) in enumerate(zip(regions["code_breakers"], regions["share_pct"], strict=True)):
        ax.text(n, i, f" {n} ({s:.0f}% of schools)", va="center", fontsize=8)
    ax.set(xlabel="Code-breaker schools", ylabel="", title=plots._plain(title))
    ax.set_xlim(0, regions["code_breakers"].max() * 1.35 + 1)
    fig.tight_layout()
    return fig


def plot_threshold(table: pd.DataFrame, title: str):
    """Line: code-breaker count (and share) against the minimum disadvantaged cohort."""
    import matplotlib.pyplot as plt

    from . import plots

    plots.use_style()
    fig, ax = plt.subplots()
    ax.plot(table["min_cohort"], table["code_breakers"], marker="o", color=plots.BASE)
    for x, n, s in zip(table["min_cohort"], table["code_breakers"], table["share_pct"], strict=True):
        ax.annotate(f"{n}\n({s:.1f}%)", (x, n), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    ax.set(xlabel="Minimum number of disadvantaged pupils for a school to count", ylabel="Code-breaker schools",
           title=plots._plain(title))
    ax.set_ylim(0, table["code_breakers"].max() * 1.25)
    fig.tight_layout()
    return fig


def plot_half_gap(bands: dict[str, pd.DataFrame], title: str):
    """Side-by-side bars: extra achievers per band for each simulation (dict: panel title -> bands table)."""
    import matplotlib.pyplot as plt

    from . import plots

    plots.use_style()
    fig, axes = plt.subplots(1, len(bands), figsize=(5 * len(bands), 4.5), squeeze=False)
    for ax, (name, table) in zip(axes[0], bands.items(), strict=True):
        labels = [f"{a:.0f}-{b:.0f}" if b - a >= 1 else f"{a:.1f}-{b:.1f}" for a, b in
                  zip(table["band_from"], table["band_to"], strict=True)]
        ax.bar(np.arange(len(table)), table["extra"].to_numpy(dtype=float), color=plots.BASE)
        ax.set_xticks(np.arange(len(table)), labels, rotation=45, ha="right", fontsize=8)
        # y=1.0: where automatic placement puts a title over bottom-only tick labels, without re-measuring
        # the axes on every draw.
        ax.set_title(plots._plain(name), y=1.0)
        ax.set(ylabel="Extra pupils reaching 5ACEM", xlabel="Band (range of the grouping)")
    fig.suptitle(plots._plain(title), fontweight="bold")
    fig.tight_layout()
    for ax in axes[0]:
        plots.freeze_ticks(ax)  # after the layout, which sets the panel sizes the tick count depends on
    return fig
