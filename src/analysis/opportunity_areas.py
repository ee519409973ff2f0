"""The public-data analogue of the ASL/EPI opportunity-area gaps: Progress 8 gaps in P8 grades and in months.

ASL/EPI ranked every pupil in the National Pupil Database (not public). From public files we can only
compare *published averages*: an area's disadvantaged (or non-disadvantaged) Progress 8 against England's
non-disadvantaged Progress 8. The conversion to months is

    gap_sd     = gap_p8 / sd_p8          (sd_p8: pupil-level SD of P8, backed out of DfE confidence intervals)
    gap_months = gap_sd * months_per_sd  (an explicit preset of :mod:`analysis.months`)

A mean difference in SD equals the rank-based gap of :mod:`analysis.months` when scores are normal, so the
two are on the same scale; but P8 is a *progress* measure (its SD is smaller than attainment's), so months
from P8 are months of progress made in secondary school, not the attainment gap at 16.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import months as months_lib
from . import paths, reference
from .reference import ParameterError

AREA_ORDER = ["norwich", "blackpool", "derby", "oldham", "scarborough", "west_somerset"]
BASE_YEAR = 2016


def areas() -> pd.DataFrame:
    """The six opportunity areas (``data/reference/opportunity_areas.csv``) in the report's order."""
    table = reference.opportunity_areas().copy()
    table["order"] = table["area_id"].map({a: i for i, a in enumerate(AREA_ORDER)})
    return table.sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)


def ward_map() -> pd.DataFrame:
    """2022 wards of former districts (West Somerset), from ``data/reference/opportunity_area_wards.csv``."""
    return pd.read_csv(paths.REFERENCE / "opportunity_area_wards.csv", dtype=str, keep_default_na=False)


# ---------------------------------------------------------------------------------------------------------
# the pupil-level SD of Progress 8, from confidence intervals
# ---------------------------------------------------------------------------------------------------------

def p8_sd_from_ci(ks4: pd.DataFrame, groups: tuple[str, ...] = ("all", "disadvantaged", "non_disadvantaged")) -> pd.DataFrame:
    """Pupil-level SD of P8 implied by each school's 95% confidence interval, summarised per (year, group).

    DfE: CI = P8 +/- 1.96 * sd / sqrt(n) with one national pupil-level ``sd`` per year, so
    ``sd = (ci_high - ci_low) / 2 * sqrt(n) / 1.96``. CIs are rounded to 2 dp, so schools scatter around the
    true value; the median is reported. Only school rows with a reported CI and pupil count are used.

    Hand example: CI -0.10 to 0.10 with 96.04 pupils -> half-width 0.10 * 9.8 / 1.96 = 0.5.

    >>> ks4 = pd.DataFrame({"year": [2017], "level": ["school"], "p8_ci_low_all": [-0.1], "p8_ci_high_all": [0.1],
    ...     "p8_pupils_all": [96.04]})
    >>> p8_sd_from_ci(ks4, groups=("all",))["sd_p8"].round(3).tolist()
    [0.5]
    """
    schools = ks4[ks4["level"] == "school"]
    rows = []
    for group in groups:
        low, high, n = (schools[f"p8_ci_low_{group}"], schools[f"p8_ci_high_{group}"], schools[f"p8_pupils_{group}"])
        ok = low.notna() & high.notna() & n.gt(0)
        implied = ((high - low) / 2 * np.sqrt(n) / 1.96)[ok]
        for year, values in implied.groupby(schools.loc[ok, "year"], sort=True):
            rows.append({"year": int(year), "pupil_group": group, "n_schools": int(values.size),
                         "sd_p8": float(values.median()), "sd_min": float(values.min()), "sd_max": float(values.max())})
    return pd.DataFrame(rows, columns=["year", "pupil_group", "n_schools", "sd_p8", "sd_min", "sd_max"])


def sd_by_year(sd_table: pd.DataFrame, years: list[int], *, override: float = 0.0) -> pd.DataFrame:
    """The P8 SD used for each year: ``override`` if > 0, else the all-pupil CI-based SD of that year or,
    failing that, of the nearest earlier (else later) year with CIs; ``basis`` says which.

    >>> t = pd.DataFrame({"year": [2016, 2017], "pupil_group": "all", "sd_p8": [1.06, 1.23]})
    >>> out = sd_by_year(t, [2016, 2018])
    >>> out["sd_p8"].tolist(), out["sd_year"].tolist()
    ([1.06, 1.23], [2016, 2017])
    """
    if override < 0:
        raise ParameterError(f"p8_sd: expected a positive SD of pupil P8 scores (or 0 = from CIs), got {override}")
    known = sd_table[sd_table["pupil_group"] == "all"].set_index("year")["sd_p8"]
    rows = []
    for year in years:
        if override > 0:
            rows.append((year, float(override), pd.NA, "p8_sd parameter"))
            continue
        if known.empty:
            raise ParameterError("p8_sd: no confidence intervals to back the SD out of; pass p8_sd > 0")
        earlier = [y for y in known.index if y <= year]
        use = max(earlier) if earlier else min(known.index)
        basis = "CIs of that year" if use == year else f"CIs of {use} (no CI data for {year})"
        rows.append((year, float(known[use]), use, basis))
    return pd.DataFrame(rows, columns=["year", "sd_p8", "sd_year", "basis"])


# ---------------------------------------------------------------------------------------------------------
# LA-level (whole LAs and county proxies) from LAIT
# ---------------------------------------------------------------------------------------------------------

def la_gaps(p8: pd.DataFrame, sd_years: pd.DataFrame, *, months_per_sd: str | float) -> pd.DataFrame:
    """Per opportunity area (whole LA, or its county as a labelled proxy) and England, per year:
    disadvantaged and non-disadvantaged P8, England's non-disadvantaged P8, the gaps in P8, SD and months.

    ``gap_disadvantaged_p8`` = England non-disadvantaged - area disadvantaged; ``gap_non_disadvantaged_p8`` =
    England non-disadvantaged - area non-disadvantaged (positive = the area's pupils are behind).
    Years without KS4 data keep their rows with NaN values.
    """
    conversion = months_lib.resolve_months_per_sd(months_per_sd)
    oa = areas()
    wide = p8.pivot_table(index=["la_code", "year"], columns="pupil_group", values="value", dropna=False).reset_index()
    eng = wide[wide["la_code"] == reference.ENGLAND_CODE][["year", "non_disadvantaged", "disadvantaged"]]
    eng = eng.rename(columns={"non_disadvantaged": "england_non_disadvantaged", "disadvantaged": "england_disadvantaged"})
    rows = oa[["area_id", "area_name", "geography", "la_code", "la_name"]].merge(wide, on="la_code", how="left")
    rows["figure"] = np.where(rows["geography"] == "la", "whole LA (LAIT)",
                              "county proxy: " + rows["la_name"] + " (LAIT), not the district")
    national = eng.assign(area_id="england", area_name="England", geography="england", la_code=reference.ENGLAND_CODE,
                          la_name="England", figure="England (LAIT; includes the areas)")
    national = national.rename(columns={"england_non_disadvantaged": "non_disadvantaged",
                                        "england_disadvantaged": "disadvantaged"})
    out = pd.concat([rows, national], ignore_index=True).merge(eng, on="year", how="left")
    out = out.merge(sd_years[["year", "sd_p8"]], on="year", how="left")
    out["gap_disadvantaged_p8"] = out["england_non_disadvantaged"] - out["disadvantaged"]
    out["gap_non_disadvantaged_p8"] = out["england_non_disadvantaged"] - out["non_disadvantaged"]
    for g in ("disadvantaged", "non_disadvantaged"):
        out[f"gap_{g}_sd"] = out[f"gap_{g}_p8"] / out["sd_p8"]
        out[f"gap_{g}_months"] = out[f"gap_{g}_sd"] * conversion.months_per_sd
    out["months_per_sd"] = conversion.months_per_sd
    cols = ["year", "area_id", "area_name", "figure", "la_code", "disadvantaged", "non_disadvantaged",
            "england_non_disadvantaged", "gap_disadvantaged_p8", "gap_non_disadvantaged_p8", "sd_p8",
            "gap_disadvantaged_sd", "gap_non_disadvantaged_sd", "months_per_sd", "gap_disadvantaged_months",
            "gap_non_disadvantaged_months"]
    order = {a: i for i, a in enumerate(AREA_ORDER + ["england"])}
    out = out.assign(_o=out["area_id"].map(order)).sort_values(["year", "_o"], kind="stable")
    return out[cols].reset_index(drop=True)


def trend_since(gaps: pd.DataFrame, *, base_year: int = BASE_YEAR,
                value: str = "gap_disadvantaged_months") -> pd.DataFrame:
    """Each area's ``value`` minus its base-year value, and the same change for England beside it.

    >>> g = pd.DataFrame({"year": [2016, 2017, 2016, 2017], "area_id": ["a", "a", "england", "england"],
    ...     "area_name": ["A", "A", "England", "England"], "gap_disadvantaged_months": [10.0, 13.0, 12.0, 12.5]})
    >>> trend_since(g).query("year == 2017")[["area_id", "change", "change_vs_england"]].values.tolist()
    [['a', 3.0, 2.5], ['england', 0.5, 0.0]]
    """
    base = gaps[gaps["year"] == base_year].set_index("area_id")[value]
    out = gaps[["year", "area_id", "area_name", value]].copy()
    out["base_year"] = base_year
    out["change"] = out[value] - out["area_id"].map(base)
    eng = out[out["area_id"] == "england"].set_index("year")["change"]
    out["change_vs_england"] = out["change"] - out["year"].map(eng)
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------
# district-level figures from school rows
# ---------------------------------------------------------------------------------------------------------

def successor_urns(links: pd.DataFrame, max_steps: int = 5) -> pd.DataFrame:
    """URN -> latest successor URN (following 'Successor*' links up to ``max_steps``; ties: lowest URN).

    >>> links = pd.DataFrame({"urn": ["1", "2"], "linked_urn": ["2", "3"], "link_type": ["Successor", "Successor"]})
    >>> successor_urns(links).values.tolist()
    [['1', '3'], ['2', '3']]
    """
    succ = links[links["link_type"].str.startswith("Successor", na=False)]
    first = succ.sort_values(["urn", "linked_urn"], kind="stable").drop_duplicates("urn").set_index("urn")["linked_urn"]
    current = first.copy()
    for _ in range(max_steps):
        nxt = current.map(first)
        if nxt.isna().all():
            break
        current = nxt.fillna(current)
    return current.rename("current_urn").rename_axis("urn").reset_index()


def school_districts(urns: pd.Series, gias: pd.DataFrame, links: pd.DataFrame,
                     wards: pd.DataFrame | None = None) -> pd.DataFrame:
    """Opportunity-area district of each URN: by GIAS district (Norwich, Scarborough) or 2022 ward
    (West Somerset); URNs absent from the 2022 extract go through their successor. ``how`` says which.
    """
    wards = ward_map() if wards is None else wards
    oa = areas()
    districts = oa[oa["geography"] == "district"]
    by_district = dict(zip(districts["district_name"], districts["area_id"], strict=True))
    by_ward = {(r.district_2022, r.ward_2022): r.area_id for r in wards.itertuples()}
    g = gias.drop_duplicates("urn").set_index("urn")
    table = pd.DataFrame({"urn": pd.Series(urns, dtype="string").dropna().unique()})
    table = table.merge(successor_urns(links), on="urn", how="left")
    in_gias = table["urn"].isin(g.index)
    table["gias_urn"] = table["urn"].where(in_gias, table["current_urn"])
    table["how"] = np.where(in_gias, "own URN", np.where(table["gias_urn"].isin(g.index), "successor URN", "not in GIAS"))
    table["district"] = table["gias_urn"].map(g["district"])
    table["ward"] = table["gias_urn"].map(g["ward"])
    area_by_ward = pd.Series([by_ward.get((d, w)) for d, w in zip(table["district"], table["ward"], strict=True)],
                             index=table.index, dtype="object")
    table["area_id"] = area_by_ward.fillna(table["district"].map(by_district))
    table["mapped_by"] = np.where(area_by_ward.notna(), "2022 ward", np.where(table["area_id"].notna(), "district", ""))
    return table[["urn", "gias_urn", "how", "district", "ward", "area_id", "mapped_by"]]


def district_p8(schools: pd.DataFrame, mapping: pd.DataFrame, *, group: str = "all",
                weight: str | None = None) -> pd.DataFrame:
    """Pupil-weighted mean P8 of the schools mapped to each district area, per year.

    ``weight`` defaults to ``p8_pupils_<group>``; schools without a reported P8 or weight are left out and
    counted. Hand example: P8 0.2 (100 pupils) and -0.4 (50) -> (20 - 20) / 150 = 0.0.

    >>> s = pd.DataFrame({"year": 2017, "urn": ["1", "2"], "p8_all": [0.2, -0.4], "p8_pupils_all": [100, 50]})
    >>> m = pd.DataFrame({"urn": ["1", "2"], "area_id": ["x", "x"]})
    >>> district_p8(s, m)[["area_id", "p8", "pupils", "n_schools"]].values.tolist()
    [['x', 0.0, 150.0, 2]]
    """
    weight = weight or f"p8_pupils_{group}"
    value = f"p8_{group}"
    rows = schools.merge(mapping[["urn", "area_id"]].dropna(), on="urn", how="inner")
    ok = rows[value].notna() & rows[weight].gt(0)
    rows = rows.assign(_w=rows[weight].where(ok, 0.0), _wx=(rows[value] * rows[weight]).where(ok, 0.0), _ok=ok)
    out = rows.groupby(["year", "area_id"], sort=True).agg(
        _wx=("_wx", "sum"), pupils=("_w", "sum"), n_schools=("_ok", "sum"), n_without_p8=("_ok", lambda s: int((~s).sum())))
    out["pupils"] = out["pupils"].astype(float)
    out["p8"] = (out["_wx"] / out["pupils"]).where(out["pupils"] > 0).round(4)
    out["pupil_group"] = group
    return out.drop(columns="_wx").reset_index()[["year", "area_id", "pupil_group", "p8", "pupils", "n_schools",
                                                    "n_without_p8"]]


def headline(la_table: pd.DataFrame, district_dis: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per area for ``year``: the disadvantaged gap in months used as the finding, and its basis.

    Whole LAs: LAIT. Districts: the district's own school-level disadvantaged P8 where we have it (Scarborough,
    file year of North Yorkshire's full-schema file), otherwise the county proxy.
    """
    la_rows = la_table[(la_table["year"] == year) & (la_table["area_id"] != "england")].set_index("area_id")
    eng = la_table[(la_table["year"] == year) & (la_table["area_id"] == "england")]
    rows = []
    dist = district_dis[district_dis["year"] == year].set_index("area_id")
    for area_id, r in la_rows.iterrows():
        if area_id in dist.index and pd.notna(dist.loc[area_id, "p8"]):
            p8_dis = float(dist.loc[area_id, "p8"])
            gap_p8 = r["england_non_disadvantaged"] - p8_dis
            basis = "district: pupil-weighted school disadvantaged P8 (full-schema file)"
        else:
            p8_dis, gap_p8 = r["disadvantaged"], r["gap_disadvantaged_p8"]
            basis = r["figure"]
        rows.append({"year": year, "area_id": area_id, "area_name": r["area_name"], "basis": basis,
                     "disadvantaged_p8": p8_dis, "england_non_disadvantaged": r["england_non_disadvantaged"],
                     "gap_p8": gap_p8, "sd_p8": r["sd_p8"], "gap_sd": gap_p8 / r["sd_p8"],
                     "gap_months": gap_p8 / r["sd_p8"] * r["months_per_sd"]})
    out = pd.DataFrame(rows)
    if not eng.empty:
        out.attrs["england_gap_months"] = float(eng["gap_disadvantaged_months"].iloc[0])
    return out


def years_with_ks4(p8: pd.DataFrame) -> list[int]:
    """Years with at least one reported England P8 value (2020 and 2021 have none)."""
    eng = p8[(p8["la_code"] == reference.ENGLAND_CODE) & (p8["status"] == "reported")]
    return sorted(int(y) for y in eng["year"].dropna().unique())


def available_years() -> list[int]:
    """Same years as :func:`analysis.months.available_years` (LAIT KS4 years from 2016)."""
    return months_lib.available_years()
