"""The public-data analogue of the ASL/EPI opportunity-area gaps: Progress 8 gaps in P8 grades and in months.

ASL/EPI ranked every pupil in the National Pupil Database (not public). From public files we can only
compare *published averages*: an area's disadvantaged (or non-disadvantaged) Progress 8 against England's
non-disadvantaged Progress 8. The conversion to months is

    gap_sd     = gap_p8 / sd_p8          (sd_p8: pupil-level SD of P8, backed out of DfE confidence intervals)
    gap_months = gap_sd * months_per_sd  (an explicit preset of :mod:`.months`)

A mean difference in SD equals the rank-based gap of :mod:`.months` when scores are normal, so the
two are on the same scale; but P8 is a *progress* measure (its SD is smaller than attainment's), so months
from P8 are months of progress made in secondary school, not the attainment gap at 16.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import isin
from ..data import published, reference
from . import months as months_lib
from . import stats


def areas() -> pd.DataFrame:
    """The opportunity areas, in the order of ``data/reference/opportunity_areas.csv`` (the report's order)."""
    return reference.opportunity_areas().reset_index(drop=True)


def ward_map() -> pd.DataFrame:
    """2022 wards of former districts (West Somerset), from ``data/reference/opportunity_area_wards.csv``."""
    return reference.opportunity_area_wards()


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
    order = {a: i for i, a in enumerate([*oa["area_id"], "england"])}
    out = out.assign(_o=out["area_id"].map(order)).sort_values(["year", "_o"], kind="stable")
    return out[cols].reset_index(drop=True)


def trend_since(gaps: pd.DataFrame, *, base_year: int | None = None,
                value: str = "gap_disadvantaged_months") -> pd.DataFrame:
    """Each area's ``value`` minus its base-year value, and the same change for England beside it.

    The base year defaults to the first year with a value (the first Progress 8 year in the data).

    >>> g = pd.DataFrame({"year": [2016, 2017, 2016, 2017], "area_id": ["a", "a", "england", "england"],
    ...     "area_name": ["A", "A", "England", "England"], "gap_disadvantaged_months": [10.0, 13.0, 12.0, 12.5]})
    >>> trend_since(g).query("year == 2017")[["area_id", "change", "change_vs_england"]].values.tolist()
    [['a', 3.0, 2.5], ['england', 0.5, 0.0]]
    """
    if base_year is None:
        base_year = int(gaps.loc[gaps[value].notna(), "year"].min())
    base = gaps[gaps["year"] == base_year].set_index("area_id")[value]
    out = gaps[["year", "area_id", "area_name", value]].copy()
    out["base_year"] = base_year
    out["change"] = out[value] - out["area_id"].map(base)
    eng = out[out["area_id"] == "england"].set_index("year")["change"]
    out["change_vs_england"] = out["change"] - out["year"].map(eng)
    return out.reset_index(drop=True)


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
    in_gias = isin(table["urn"], g.index)  # every school in England: pyarrow's lookup, not pandas' (0.2 s a call)
    table["gias_urn"] = table["urn"].where(in_gias, table["current_urn"])
    table["how"] = np.where(in_gias, "own URN", np.where(isin(table["gias_urn"], g.index), "successor URN", "not in GIAS"))
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
    rows = schools.merge(mapping[["urn", "area_id"]].dropna(), on="urn", how="inner")
    out = stats.weighted_means(rows, f"p8_{group}", weight, ["year", "area_id"])
    out = out.rename(columns={"mean": "p8", "weight": "pupils", "n_used": "n_schools", "n_without": "n_without_p8"})
    out["p8"] = out["p8"].round(4)
    out["pupil_group"] = group
    return out[["year", "area_id", "pupil_group", "p8", "pupils", "n_schools", "n_without_p8"]]


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


ASL_DOCUMENT = "asl_oa_2016"
ASL_FINDINGS = {
    "asl_persistent_gap_months": "Persistently disadvantaged pupils in the areas behind national non-disadvantaged, months",
    "asl_non_disadvantaged_gap_months": "Non-disadvantaged pupils in the areas behind those elsewhere, months",
    "asl_gap_growth_non_disadvantaged": "Growth of the non-disadvantaged gap 2010-2015, months",
    "asl_gap_growth_persistent": "Growth of the persistently disadvantaged gap 2010-2015, months",
}


def findings(headline_table: pd.DataFrame, trend: pd.DataFrame, la_table: pd.DataFrame, *, year: int,
             months_per_sd: float, conversion_name: str, has_ks4: bool) -> pd.DataFrame:
    """The headline figures of notebook 05 as a findings-ready table (see ``FindingsLog.record_all``).

    The ASL/EPI figures are pupil-level NPD results: recorded with no value (not reproducible from public
    data), with what the public analogue shows beside them. Years without KS4 data record no value.
    """
    oa = areas().set_index("area_id")
    trends = trend[trend["year"] == year].set_index("area_id")
    england_change = trends["change"].get("england", np.nan)
    rows = []
    for row in headline_table.itertuples(index=False):
        whole_la = oa.loc[row.area_id, "geography"] == "la"
        rows.append({"finding_id": f"oa_gap_months_{row.area_id}", "key": row.area_id, "unit": "months",
                     "value": row.gap_months if has_ks4 else None,
                     "label": f"{row.area_name}: disadvantaged P8 gap behind England's non-disadvantaged pupils, months",
                     "section": "The gap in months for the chosen year",
                     "note": f"{row.basis}; sd_p8 {row.sd_p8:.3f}, {months_per_sd:.2f} months per SD ({conversion_name})."})
        rows.append({"finding_id": f"oa_gap_trend_{row.area_id}", "key": row.area_id, "unit": "months",
                     "value": trends["change"].get(row.area_id) if has_ks4 else None,
                     "label": f"{row.area_name}: change in that gap since {int(trend['base_year'].iloc[0])}, months",
                     "section": "Has the gap grown since 2016? Against England",
                     "note": f"LAIT ({'whole LA' if whole_la else 'county proxy'}); England's own change: "
                             f"{england_change:.1f} months."})
    year_rows = la_table[(la_table["year"] == year) & (la_table["area_id"] != "england")]
    nd = float(year_rows["gap_non_disadvantaged_months"].mean())
    rows.append({"finding_id": "oa_non_disadvantaged_gap_months", "key": "opportunity_areas", "unit": "months",
                 "value": nd if has_ks4 else None,
                 "label": "Non-disadvantaged pupils in the areas behind England's non-disadvantaged pupils, months",
                 "section": "Public analogue: each area's Progress 8 against England's non-disadvantaged pupils",
                 "note": "Unweighted mean of the areas (LAIT has no pupil counts; county proxies for the districts)."})
    public = (f"Public analogue for {year}: mean disadvantaged gap of the areas "
              f"{headline_table['gap_months'].mean():.1f} months, non-disadvantaged {nd:.1f} months (P8, not NPD "
              "ranks)." if has_ks4 else f"No KS4 data for {year}.")
    # Every ASL claim needs data that are not public (the published table says which): no value, the public
    # analogue beside the progress figures.
    for r in published.claims_needing([ASL_DOCUMENT], ("non-public",)).itertuples():
        months = r.finding_id in ASL_FINDINGS
        rows.append({"finding_id": r.finding_id, "key": r.key, "year": r.year, "unit": "months" if months else "",
                     "value": None, "label": ASL_FINDINGS.get(r.finding_id, r.label),
                     "section": "The pupil-level method (what ASL/EPI did), on a synthetic cohort" if months
                     else "Record the findings", "note": public if months else ""})
    return pd.DataFrame(rows)


def school_rows(full_schema: pd.DataFrame, year: int) -> pd.DataFrame:
    """The school rows of ``year`` from the full-schema files *of* that year (back-columns cover only schools
    still open under the same URN, so an area figure is never rebuilt from them).

    >>> rows = pd.DataFrame({"level": ["school", "la", "school"], "year": [2017, 2017, 2016],
    ...     "file_year": [2017, 2017, 2017], "urn": ["1", None, "1"]})
    >>> school_rows(rows, 2017)["urn"].tolist(), school_rows(rows, 2016)["urn"].tolist()
    (['1'], [])
    """
    rows = full_schema[(full_schema["level"] == "school") & (full_schema["year"] == year)
                       & (full_schema["file_year"] == year)]
    return rows.drop_duplicates("urn").reset_index(drop=True)


def trend_chart_table(trend: pd.DataFrame, value: str = "gap_disadvantaged_months") -> pd.DataFrame:
    """:func:`trend_since` in the long form the trend chart draws: year, area, pupil_group, value."""
    return pd.DataFrame({"year": trend["year"], "area": trend["area_name"],
                         "pupil_group": "disadvantaged vs England non-disadvantaged", "value": trend[value]})
