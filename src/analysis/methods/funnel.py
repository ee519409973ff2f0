"""Schools against a benchmark, with their uncertainty: funnel limits, DfE's five progress bands, the proposed
quintiles, and whether a school beats a benchmark by more than chance.

Funnel plot: a school of ``n`` pupils whose pupils progressed like pupils nationally would have a P8 within
``national ± z sd / sqrt(n)`` (z = 1.96 for 95%, 3.09 for 99.8%); points outside the limits are further from the
national value than chance alone would put them, and the limits narrow as cohorts grow.

DfE's progress bands (performance tables since 2016, from the school's P8 and its 95% confidence interval):
well above average (interval above 0 and P8 >= 0.5), above average (interval above 0), average (interval
includes 0), below average (interval below 0), well below average (interval below 0 and P8 <= -0.5). DfE's
February 2026 consultation proposes quintiles of P8 instead: five equal-sized groups of schools nationally.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import stats

DFE_BANDS = ("well above average", "above average", "average", "below average", "well below average")
QUINTILES = ("top 20%", "second 20%", "middle 20%", "fourth 20%", "bottom 20%")


def funnel_limits(national: float, sd: float, n_max: float, *, n_min: float = 5, points: int = 200) -> pd.DataFrame:
    """The funnel's control limits for cohorts from ``n_min`` to ``n_max`` (log-spaced), 95% and 99.8%.

    >>> limits = funnel_limits(0.0, 1.2, 144, n_min=144, points=1)
    >>> limits[["pupils", "low_95", "high_95"]].round(4).values.tolist()  # ± 1.96 x 1.2 / 12
    [[144.0, -0.196, 0.196]]
    """
    n = np.geomspace(n_min, max(n_max, n_min), points)
    out = pd.DataFrame({"pupils": n})
    for level, name in ((1.96, "95"), (3.09, "998")):
        half = stats.ci_half_width(sd, n, z=level)
        out[f"low_{name}"] = national - half
        out[f"high_{name}"] = national + half
    return out


def funnel_position(p8: pd.Series, pupils: pd.Series, national: float, sd: float) -> pd.Series:
    """Where each school lies against the funnel: 'above 99.8%', 'above 95%', 'within', 'below 95%', 'below 99.8%'.

    >>> funnel_position(pd.Series([0.5, 0.25, 0.0, -0.9]), pd.Series([144.0] * 4), 0.0, 1.2).tolist()
    ['above 99.8%', 'above 95%', 'within', 'below 99.8%']
    """
    z = (p8 - national) / (sd / np.sqrt(pupils))
    out = np.select([z > 3.09, z > 1.96, z < -3.09, z < -1.96], ["above 99.8%", "above 95%", "below 99.8%",
                                                                 "below 95%"], "within")
    return pd.Series(np.where(p8.isna() | ~(pupils > 0), "no value", out), index=p8.index)


def dfe_band(p8: pd.Series, low: pd.Series, high: pd.Series) -> pd.Series:
    """DfE's progress band from P8 and its 95% interval (see the module's docstring).

    >>> dfe_band(pd.Series([0.6, 0.2, 0.0, -0.2, -0.6]), pd.Series([0.3, 0.05, -0.1, -0.4, -0.9]),
    ...          pd.Series([0.9, 0.35, 0.1, -0.01, -0.3])).tolist()
    ['well above average', 'above average', 'average', 'below average', 'well below average']
    """
    above, below = low > 0, high < 0
    out = np.select([above & (p8 >= 0.5), above, below & (p8 <= -0.5), below],
                    ["well above average", "above average", "well below average", "below average"], "average")
    return pd.Series(np.where(p8.isna() | low.isna() | high.isna(), "no value", out), index=p8.index)


def quintile(p8: pd.Series, reference: pd.Series | None = None) -> pd.Series:
    """Quintile of each school's P8 among ``reference`` (default: the same schools): cut at the reference's 20th,
    40th, 60th and 80th percentiles; the top fifth first.

    >>> quintile(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0])).tolist()
    ['bottom 20%', 'fourth 20%', 'middle 20%', 'second 20%', 'top 20%']
    """
    reference = p8 if reference is None else reference
    cuts = np.nanpercentile(reference.to_numpy(dtype=float), [20, 40, 60, 80])
    index = np.searchsorted(cuts, p8.to_numpy(dtype=float), side="left")
    labels = np.array(QUINTILES[::-1])[np.clip(index, 0, 4)]
    return pd.Series(np.where(p8.isna(), "no value", labels), index=p8.index)


def band_comparison(dfe: pd.Series, quintiles: pd.Series) -> pd.DataFrame:
    """How many schools each method puts in each band, side by side: rows DfE's bands, columns the quintiles.

    >>> band_comparison(pd.Series(["average", "average", "above average"]),
    ...                 pd.Series(["middle 20%", "top 20%", "top 20%"])).loc["average", "top 20%"]
    np.int64(1)
    """
    table = pd.crosstab(pd.Categorical(dfe, categories=[*DFE_BANDS, "no value"]),
                        pd.Categorical(quintiles, categories=[*QUINTILES, "no value"]), dropna=False)
    table.index.name, table.columns.name = "DfE progress band", "quintile of P8"
    table = table.loc[(table.sum(axis=1) > 0) | table.index.isin(DFE_BANDS), (table.sum() > 0) | table.columns.isin(QUINTILES)]
    table["all schools"] = table.sum(axis=1)
    return table


def band_counts(points: pd.DataFrame) -> pd.DataFrame:
    """:func:`band_comparison` for the chosen LA's schools of :func:`school_points` (``highlight``)."""
    mine = points[points["highlight"]]
    return band_comparison(mine["dfe_band"], mine["quintile"])


def beats_benchmark(p8: float, low: float, benchmark: float) -> str:
    """Whether a school's P8 beats a benchmark by more than chance: 'beats it (interval above)', 'above, within
    its interval', 'not above'.

    >>> beats_benchmark(0.35, 0.12, 0.11), beats_benchmark(0.16, -0.05, 0.11), beats_benchmark(0.05, -0.2, 0.11)
    ('beats it (interval above)', 'above, within its interval', 'not above')
    """
    if pd.isna(p8) or pd.isna(benchmark):
        return "no value"
    if p8 <= benchmark:
        return "not above"
    return "beats it (interval above)" if pd.notna(low) and low > benchmark else "above, within its interval"


def school_points(results: pd.DataFrame, *, year: int, group: str, national: pd.DataFrame, sd,
                  highlight: pd.Series, sector: str | None = None) -> pd.DataFrame:
    """Every school with a P8 for ``group`` in ``year`` (of ``sector``, if given), for the funnel and the bands:
    P8, pupils (the P8 cohort; all pupils in a file without one: KS4 pupils, ``pupils_source``), the 95%
    interval (``schools.add_confidence_intervals``), the funnel position, DfE's band, the quintile among these
    schools nationally, and ``highlight`` for the schools whose URNs are in ``highlight`` (the LA's selection).

    ``national`` is ``schools.national_benchmarks`` (the funnel centres on the group's national P8); ``sd`` the
    pupil-level SD (a number or a one-year ``stats.sd_by_year`` table). Both are kept in ``attrs`` for the chart.
    A school's rows from the year before (back-columns) are left out: the funnel is one year's schools.
    """
    from .uncertainty import sd_value

    sd = sd_value(sd)
    hit = national[(national["year"] == year) & (national["pupil_group"] == group)]
    centre = float(hit["p8"].iloc[0]) if len(hit) and pd.notna(hit["p8"].iloc[0]) else float("nan")
    cols = ["urn", "school_name", "la_code", "p8", "pupils", "pupils_source", "low", "high", "outside", "dfe_band",
            "quintile", "highlight"]
    if f"p8_{group}" not in results or pd.isna(centre):
        empty = pd.DataFrame(columns=cols)
        empty.attrs.update(national=centre, sd=sd, group=group, year=year)
        return empty
    rows = results[(results["level"] == "school") & (results["year"] == year) & results[f"p8_{group}"].notna()]
    if sector is not None and "sector" in rows:
        rows = rows[rows["sector"] == sector]
    rows = rows.drop_duplicates("urn")
    pupils = rows[f"p8_pupils_{group}"].astype("float64")
    source = pd.Series("P8 pupils", index=rows.index, dtype="string")
    if group == "all" and "ks4_pupils" in rows:
        fill = ~(pupils > 0) & (rows["ks4_pupils"] > 0)
        pupils, source[fill] = pupils.where(~fill, rows["ks4_pupils"]), "KS4 pupils (no P8 count in the file)"
    out = pd.DataFrame({"urn": rows["urn"], "school_name": rows["school_name"], "la_code": rows["la_code"],
                        "p8": rows[f"p8_{group}"].astype("float64"), "pupils": pupils, "pupils_source": source,
                        "low": rows.get(f"p8_ci_low_{group}"), "high": rows.get(f"p8_ci_high_{group}")})
    out = out[out["pupils"] > 0].reset_index(drop=True)
    out["outside"] = funnel_position(out["p8"], out["pupils"], centre, sd)
    out["dfe_band"] = dfe_band(out["p8"], out["low"].astype("float64"), out["high"].astype("float64"))
    out["quintile"] = quintile(out["p8"])
    out["highlight"] = out["urn"].astype(str).isin(set(pd.Series(highlight).astype(str)))
    out = out[cols].sort_values(["p8", "school_name"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.attrs.update(national=centre, sd=sd, group=group, year=year)
    return out


def school_intervals(chart_rows: pd.DataFrame, *, z: float = 1.96) -> pd.DataFrame:
    """Schools of a ranking (``schools.ranked``: p8 and its interval) as rank-simulation input: the standard
    error from the interval's half-width, with the two-decimal rounding of the value allowed for."""
    from .uncertainty import ROUNDING_SD

    rows = chart_rows.dropna(subset=["p8", "p8_ci_low", "p8_ci_high"])
    half = (rows["p8_ci_high"] - rows["p8_ci_low"]) / 2
    return pd.DataFrame({"urn": rows["urn"], "school_name": rows["school_name"], "pupil_group": "school",
                         "value": rows["p8"], "se": np.hypot(half / z, ROUNDING_SD)}).reset_index(drop=True)


def benchmark_flags(beating: pd.DataFrame, panel: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """Each school that meets notebook 03's criterion, in each of the two years: its disadvantaged P8 and 95%
    interval against the benchmark, the margin, and whether it beats the benchmark by more than chance. A margin
    of 0.01 (one unit of the last printed digit) is called a near-tie: the unrounded values may be level."""
    cols = ["school_name", "year", "p8", "low", "high", "benchmark", "margin", "verdict"]
    if beating.empty:
        return pd.DataFrame(columns=cols)
    ci = panel[panel["pupil_group"] == "disadvantaged"].set_index(["urn", "year"])[["p8_ci_low", "p8_ci_high"]]
    rows = []
    for school in beating.itertuples(index=False):
        for y in (year, year - 1):
            p8, benchmark = getattr(school, f"p8_disadvantaged_{y}"), getattr(school, f"benchmark_{y}")
            low, high = ci.loc[(school.urn, y)] if (school.urn, y) in ci.index else (np.nan, np.nan)
            margin = round(p8 - benchmark, 2)
            verdict = beats_benchmark(p8, low, benchmark)
            if margin <= 0.01 and verdict != "not above":
                verdict = "near-tie: " + verdict
            rows.append((school.school_name, y, p8, low, high, benchmark, margin, verdict))
    return pd.DataFrame(rows, columns=cols)


def findings(points: pd.DataFrame, flags: pd.DataFrame, availability: pd.DataFrame, *, la: str, la_name: str,
             year: int) -> pd.DataFrame:
    """How sure notebook 03's school comparisons are, as findings: the LA's schools outside the all-pupil funnel,
    and (with the disadvantaged split) the schools that beat the benchmark by more than chance in both years."""
    has_split = bool(availability["full_analysis"].any())
    mine = points[points["highlight"]]
    section = "Funnel plot: schools against England, allowing for cohort size"
    rows = [{"finding_id": f"schools_{side}_funnel_95", "key": la, "section": section, "unit": "schools",
             "value": int(mine["outside"].str.startswith(side).sum()) if len(mine) else None,
             "label": f"{la_name}: schools {side} the 95% funnel limits on all pupils' Progress 8, {year}",
             "note": f"Of the {len(mine)} schools above with a Progress 8; "
                     f"{int((mine['outside'] == f'{side} 99.8%').sum())} also {side} the 99.8% limits."}
            for side in ("above", "below")]
    if has_split:  # without the split there is nothing to test: notebook 03's own findings say what is needed
        beyond = flags[flags["verdict"] == "beats it (interval above)"].groupby("school_name")["year"].nunique()
        rows.append({"finding_id": "schools_beating_benchmark_beyond_chance", "key": la,
                     "section": "Does each school beat the benchmark by more than chance?",
                     "value": sorted(beyond[beyond == 2].index),
                     "label": f"{la_name}: schools whose disadvantaged pupils' interval lies above the national "
                              f"non-disadvantaged P8 in {year - 1} and {year}"})
    return pd.DataFrame(rows)
