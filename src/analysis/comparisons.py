"""Local authorities compared with a group: core cities, the LA's region, its statistical neighbours or a list.

LAIT gives every LA's disadvantaged and non-disadvantaged Progress 8 (two decimals) but no pupil counts, so a
DfE-style (pupil-weighted) group average needs estimated weights. We estimate each LA's number of
disadvantaged KS4 pupils as

    KS4 pupils in the LA's state-funded schools (school-level KS4 file, joined to LA on URN via the spine)
    x the LA's share of secondary pupils who are disadvantaged (LAIT ``Ever6_FSM_Sec``, January census)

Ever-6 FSM is the main part of DfE's "disadvantaged" definition (the rest, looked-after and adopted
children, is about 1-2% of pupils), and the secondary-school share stands in for the Year 11 share. Only the
weights are estimated; the LA values are DfE's own. Where DfE publishes the group itself (a region), its
official row is used and the estimate is shown beside it as a check of the method.

Ranking tie rule (:func:`rank_las`): LAs are ranked on the published two-decimal value, best first; equal
values share a rank "competition style" (1, 2, 2, 4) and are shown as "2="; within a tie they are listed by
LA name (case-insensitive A-Z), then LA code. The rule never looks at the order of any published table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns

# plots sets the deterministic matplotlib backend; import it before anything touches pyplot
from . import plots, progress8, reference

COMPARATORS = ("core_cities", "region", "statistical_neighbours")
#: LAIT indicator of the share (%) of secondary pupils known to be eligible for FSM in the last six years.
SHARE_INDICATOR = "Ever6_FSM_Sec"
#: School types that are not state-funded: DfE's LA Progress 8 covers state-funded schools only.
NOT_STATE_FUNDED = r"independent|non-maintained"


# --------------------------------------------------------------------------------------------- runner contract
def available_years() -> list[int]:
    """Years LAIT has KS4 Progress 8 rows for (delegates to :func:`analysis.progress8.lait_years`)."""
    return progress8.lait_years()


def available_las() -> pd.DataFrame:
    """Every LA in LAIT (delegates to :func:`analysis.progress8.lait_las`)."""
    return progress8.lait_las()


# ------------------------------------------------------------------------------------------------ the group
def parse_comparator(comparator: object) -> str | list[str]:
    """A named comparator, or a list of LA codes (from a list or a comma-separated string, as the CLI sends).

    >>> parse_comparator("core_cities"), parse_comparator(" 330, 331 ,332"), parse_comparator([330, "331"])
    ('core_cities', ['330', '331', '332'], ['330', '331'])
    >>> parse_comparator("cities")
    Traceback (most recent call last):
    ...
    analysis.errors.ParameterError: comparator: 'cities' is not one of core_cities, region, statistical_neighbours, or a list of LA codes such as "330,331,332"
    """
    if isinstance(comparator, str):
        text = comparator.strip()
        if text in COMPARATORS:
            return text
        items = [part.strip() for part in text.strip("[]").replace("'", "").replace('"', "").split(",")]
    elif isinstance(comparator, (list, tuple, pd.Series, np.ndarray)):
        items = [str(c).strip() for c in comparator]
    else:
        items = []
    codes = [c.zfill(3) for c in items if c]
    if not codes or not all(c.isdigit() for c in codes):
        raise reference.ParameterError(
            f"comparator: {comparator!r} is not one of {', '.join(COMPARATORS)}, or a list of LA codes such as "
            '"330,331,332"'
        )
    return list(dict.fromkeys(codes))  # keep the order given, drop repeats


def comparison_group(comparator: object, la: str, las: pd.DataFrame, neighbours: pd.DataFrame | None = None,
                     core_cities: pd.DataFrame | None = None) -> pd.DataFrame:
    """The LAs in the group: la_code, la_name, region, is_chosen, plus the group's ``group_key``/``group_label``.

    ``las`` is :func:`analysis.reference.local_authorities` (LAIT's LAs). The chosen LA is always a member
    (added to an explicit list that lacks it). Codes the data does not know raise a ParameterError.
    ``group_key`` is the key the published figures use: "core_cities", "region:West Midlands",
    "statistical_neighbours:330" or "list:330,331".

    >>> las = pd.DataFrame({"la_code": ["330", "331", "380"], "la_name": ["Birmingham", "Coventry", "Bradford"],
    ...     "region": ["West Midlands", "West Midlands", "Yorkshire"],
    ...     "region_group": ["West Midlands", "West Midlands", "Yorkshire"]})
    >>> comparison_group("region", "330", las)[["la_code", "group_key"]].values.tolist()
    [['330', 'region:West Midlands'], ['331', 'region:West Midlands']]
    >>> comparison_group("380", "330", las)["la_code"].tolist()
    ['330', '380']
    """
    choice = parse_comparator(comparator)
    la = reference.validate_la(la, las)
    by_code = las.set_index("la_code")
    region = by_code.loc[la, "region_group"]
    if choice == "core_cities":
        codes = list((core_cities if core_cities is not None else reference.core_cities())["la_code"])
        key, label = "core_cities", "Core cities"
    elif choice == "region":
        codes = list(las.loc[las["region_group"] == region, "la_code"])
        key, label = f"region:{region}", str(region)
    elif choice == "statistical_neighbours":
        if neighbours is None:
            raise reference.ParameterError("comparator: 'statistical_neighbours' needs the neighbours table")
        mine = neighbours[neighbours["la_code"] == la].sort_values("neighbour_rank")
        if mine.empty:
            raise reference.ParameterError(
                f"comparator: LA {la} ({by_code.loc[la, 'la_name']}) has no statistical neighbours in DfE's list; "
                "choose core_cities, region or a list of LA codes"
            )
        # Blank neighbour cells read as "-00"; codes LAIT does not hold cannot be compared, so they drop out.
        codes = [la] + [c for c in mine["neighbour_code"] if c in by_code.index]
        key, label = f"statistical_neighbours:{la}", f"Statistical neighbours of {by_code.loc[la, 'la_name']}"
    else:
        unknown = [c for c in choice if c not in by_code.index]
        if unknown:
            raise reference.ParameterError(
                f"comparator: LA codes {unknown} are not in the data; expected 3-digit DfE LA codes "
                "(`compendium choices` lists them)"
            )
        codes = choice if la in choice else [la] + choice
        key, label = "list:" + ",".join(sorted(codes)), "Chosen LAs"
    codes = list(dict.fromkeys(codes))
    out = by_code.loc[codes, ["la_name", "region_group"]].rename(columns={"region_group": "region"}).reset_index()
    out["is_chosen"] = out["la_code"] == la
    out["group_key"] = key
    out["group_label"] = label
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------------------------- weights
def schools_with_la(ks4: pd.DataFrame, spine: pd.DataFrame) -> pd.DataFrame:
    """KS4 schools (trimmed file) with their LA and whether they are state-funded, joined on URN.

    ``la_code`` is missing for URNs the spine does not hold (schools closed before its c. 2019 snapshot);
    ``state_funded`` is False for independent and non-maintained special schools.

    >>> ks4 = pd.DataFrame({"year": 2017, "urn": ["1", "2", "3"], "ks4_pupils": [100.0, 50.0, 7.0]})
    >>> spine = pd.DataFrame({"urn": ["1", "2"], "la_code": ["330", "330"],
    ...     "school_type": ["Academy - Converter mainstream", "Other independent school"]})
    >>> schools_with_la(ks4, spine)[["urn", "la_code", "state_funded"]].values.tolist()
    [['1', '330', True], ['2', '330', False], ['3', nan, True]]
    """
    spine = spine.drop_duplicates("urn")[["urn", "la_code", "school_type"]]
    out = ks4[["year", "urn", "ks4_pupils"]].merge(spine, on="urn", how="left", validate="many_to_one")
    out["state_funded"] = ~out["school_type"].fillna("").str.contains(NOT_STATE_FUNDED, case=False, regex=True)
    out["la_code"] = out["la_code"].astype(object).where(out["la_code"].notna(), np.nan)
    return out


def school_rows_all_years(spine: pd.DataFrame) -> pd.DataFrame:
    """:func:`schools_with_la` for every year we hold a school-level KS4 file for (registry role
    ``ks4_school_trimmed``), stacked."""
    from . import load, sources

    years = sources.years_for("ks4_school_trimmed")
    return pd.concat([schools_with_la(load.read_ks4_trimmed(year=y), spine) for y in years], ignore_index=True)


def coverage(schools: pd.DataFrame) -> pd.DataFrame:
    """Per year: schools and KS4 pupils used for the weights, and those left out (not state-funded, no LA).

    >>> schools = pd.DataFrame({"year": 2017, "urn": ["1", "2", "3"], "la_code": ["330", "330", np.nan],
    ...     "ks4_pupils": [100.0, 50.0, 9.0], "state_funded": [True, False, True]})
    >>> coverage(schools)[["used", "schools", "ks4_pupils"]].values.tolist()
    [['left out: no LA in the spine', 1, 9.0], ['left out: not state-funded', 1, 50.0], ['used', 1, 100.0]]
    """
    why = np.where(~schools["state_funded"], "left out: not state-funded",
                   np.where(schools["la_code"].isna(), "left out: no LA in the spine", "used"))
    return (schools.assign(used=why).groupby(["year", "used"], as_index=False)
            .agg(schools=("urn", "size"), ks4_pupils=("ks4_pupils", "sum")))


def ks4_pupils_by_la(schools: pd.DataFrame) -> pd.DataFrame:
    """KS4 pupils in state-funded schools per (year, LA); schools without an LA are left out (and counted).

    >>> schools = pd.DataFrame({"year": 2017, "urn": ["1", "2", "3", "4"], "la_code": ["330", "330", "331", None],
    ...     "ks4_pupils": [100.0, 50.0, 7.0, 9.0], "state_funded": [True, False, True, True]})
    >>> ks4_pupils_by_la(schools).values.tolist()
    [[2017, '330', 100.0, 1], [2017, '331', 7.0, 1]]
    """
    kept = schools[schools["state_funded"] & schools["la_code"].notna()]
    return (
        kept.groupby(["year", "la_code"], as_index=False)
        .agg(ks4_pupils=("ks4_pupils", "sum"), schools=("urn", "size"))
        .sort_values(["year", "la_code"])
        .reset_index(drop=True)
    )


def nearest_year(year: int, years: list[int]) -> int:
    """The year in ``years`` closest to ``year``; on a tie, the earlier one (deterministic).

    >>> nearest_year(2017, [2016, 2017]), nearest_year(2024, [2016, 2017]), nearest_year(2015, [2014, 2016])
    (2017, 2017, 2014)
    """
    if not years:
        raise ValueError("nearest_year: no years to choose from")
    return min(sorted(int(y) for y in years), key=lambda y: abs(y - int(year)))


def disadvantaged_weights(pupils: pd.DataFrame, shares: pd.DataFrame, year: int) -> pd.DataFrame:
    """Estimated disadvantaged KS4 pupils per LA for ``year``: KS4 pupils x disadvantaged share / 100.

    ``pupils``: year, la_code, ks4_pupils (from :func:`ks4_pupils_by_la`); the nearest year's counts are used
    when ``year`` has no school file (``pupils_year`` says which). ``shares``: LAIT rows of
    ``Ever6_FSM_Sec`` (la_code, year, value in %). LAs missing either part get weight NaN.

    >>> pupils = pd.DataFrame({"year": [2017, 2017], "la_code": ["A", "B"], "ks4_pupils": [1000.0, 200.0]})
    >>> shares = pd.DataFrame({"la_code": ["A", "B"], "year": [2019, 2019], "value": [40.0, 25.0]})
    >>> w = disadvantaged_weights(pupils, shares, 2019)
    >>> w[["la_code", "pupils_year", "weight"]].values.tolist()  # 1000 x 0.40 = 400; 200 x 0.25 = 50
    [['A', 2017, 400.0], ['B', 2017, 50.0]]
    """
    pupils_year = nearest_year(year, list(pupils["year"].unique()))
    counts = pupils[pupils["year"] == pupils_year][["la_code", "ks4_pupils"]]
    share = shares[shares["year"] == year][["la_code", "value"]].rename(columns={"value": "disadvantaged_share"})
    out = counts.merge(share, on="la_code", how="outer", validate="one_to_one")
    out.insert(0, "year", int(year))
    out["pupils_year"] = pupils_year
    out["weight"] = out["ks4_pupils"] * out["disadvantaged_share"] / 100
    return out.sort_values("la_code").reset_index(drop=True)


def weighted_average(table: pd.DataFrame, value: str = "value", weight: str = "weight") -> pd.DataFrame:
    """The pupil-weighted and unweighted means of ``value`` over LAs with a value, and how far apart they are.

    LAs with a value but no weight are left out of the weighted mean and listed in ``missing_weights``.

    >>> t = pd.DataFrame({"la_name": ["A", "B", "C"], "value": [-0.2, -0.6, np.nan], "weight": [300, 100, 50]})
    >>> weighted_average(t).round(3).iloc[0].to_dict()  # (-0.2*300 - 0.6*100) / 400 = -0.3; mean -0.4
    {'weighted': -0.3, 'unweighted': -0.4, 'difference': -0.1, 'las': 2, 'las_weighted': 2, 'missing_weights': ''}
    """
    has_value = table[table[value].notna()]
    weighted = has_value[has_value[weight].notna() & (has_value[weight] > 0)]
    w_mean = float(np.average(weighted[value], weights=weighted[weight])) if len(weighted) else np.nan
    u_mean = float(has_value[value].mean()) if len(has_value) else np.nan
    missing = has_value.loc[~has_value.index.isin(weighted.index), "la_name"].astype(str)
    return pd.DataFrame(
        {
            "weighted": [w_mean],
            "unweighted": [u_mean],
            "difference": [u_mean - w_mean],
            "las": [len(has_value)],
            "las_weighted": [len(weighted)],
            "missing_weights": ["; ".join(missing)],
        }
    )


# --------------------------------------------------------------------------------------------- the ranking
def rank_las(table: pd.DataFrame, value: str = "value", *, higher_is_better: bool = True,
             decimals: int = 2) -> pd.DataFrame:
    """Rows ordered best first, with a competition-style ``rank`` (ties share it) and ``rank_label`` ("2=").

    Values are compared at ``decimals`` places (DfE's published precision), so -0.62 and -0.62 tie. Within a
    tie rows are ordered by ``la_name`` (case-insensitive), then ``la_code``. Rows without a value come last,
    unranked.

    >>> t = pd.DataFrame({"la_code": ["391", "341", "330", "999"],
    ...     "la_name": ["Newcastle upon Tyne", "Liverpool", "Birmingham", "Nowhere"],
    ...     "value": [-0.62, -0.62, -0.18, np.nan]})
    >>> rank_las(t)[["la_name", "rank_label"]].values.tolist()
    [['Birmingham', '1'], ['Liverpool', '2='], ['Newcastle upon Tyne', '2='], ['Nowhere', '']]
    """
    out = table.copy()
    rounded = out[value].astype("float64").round(decimals)
    out["_key"] = -rounded if higher_is_better else rounded
    out["_name"] = out["la_name"].astype(str).str.casefold()
    out = out.sort_values(["_key", "_name", "la_code"], na_position="last", kind="mergesort")
    ranks = out["_key"].rank(method="min")
    out["rank"] = ranks.astype("Int64")
    tied = out["_key"].notna() & out["_key"].duplicated(keep=False)
    out["tied"] = tied
    out["rank_label"] = [
        "" if pd.isna(r) else f"{int(r)}{'=' if t else ''}" for r, t in zip(out["rank"], tied, strict=True)
    ]
    return out.drop(columns=["_key", "_name"]).reset_index(drop=True)


def rank_text(ranked: pd.DataFrame, la: str) -> str:
    """The LA's place as "1 of 8" ("7= of 8" when tied), counting only LAs with a value.

    >>> r = pd.DataFrame({"la_code": ["330", "391"], "rank": [1, 2], "rank_label": ["1", "2="]})
    >>> rank_text(r, "330"), rank_text(r, "391")
    ('1 of 2', '2= of 2')
    """
    row = ranked[ranked["la_code"] == str(la)]
    n = int(ranked["rank"].notna().sum())
    if row.empty or pd.isna(row["rank"].iloc[0]):
        return "not ranked: no value" if n else "not ranked: no LA has a value"
    return f"{row['rank_label'].iloc[0]} of {n}"


def tie_note(ranked: pd.DataFrame, value: str = "value") -> str:
    """Plain-English list of tied LAs and how the rule ordered them ('' when there is no tie).

    >>> r = pd.DataFrame({"la_name": ["Liverpool", "Newcastle upon Tyne"], "value": [-0.62, -0.62],
    ...     "rank_label": ["7=", "7="], "tied": [True, True]})
    >>> tie_note(r)
    'Tied at -0.62 (rank 7=): Liverpool, Newcastle upon Tyne, listed A-Z by the tie rule.'
    """
    parts = []
    for label, part in ranked[ranked["tied"]].groupby("rank_label", sort=False):
        parts.append(f"Tied at {part[value].iloc[0]:.2f} (rank {label}): {', '.join(part['la_name'])}, "
                     "listed A-Z by the tie rule.")
    return " ".join(parts)


def order_note(ranked: pd.DataFrame, published: list[str] | None, value: str = "value") -> str:
    """How our ranked names differ from a published ranking: spelling, order within ties, or real differences.

    Published names are matched to the data's exactly (case-insensitive), else to the closest name (difflib),
    so a typo such as "olihull" is reported as a spelling difference, never silently corrected.

    >>> r = pd.DataFrame({"la_name": ["Birmingham", "Liverpool", "Newcastle upon Tyne"],
    ...     "value": [-0.18, -0.62, -0.62], "rank": [1, 2, 2]})
    >>> order_note(r, ["Birmingham", "Newcastle upon Tyne", "Liverpool"])
    'Same LAs; the order differs from the published one only within ties (published: Newcastle upon Tyne before Liverpool, equal at -0.62 in the data).'
    >>> order_note(r, ["Birmingham", "Liverpol", "Newcastle upon Tyne"])
    'Same order as published. Spelling: published "Liverpol" = data "Liverpool".'
    """
    import difflib

    if not published:
        return ""
    rows = ranked[ranked["rank"].notna()]
    ours = list(rows["la_name"].astype(str))
    by_fold = {n.casefold(): n for n in ours}
    mapped, spelling, unmatched = [], [], []
    for name in published:
        hit = by_fold.get(name.casefold()) or next(iter(difflib.get_close_matches(name, ours, n=1, cutoff=0.6)), None)
        if hit is None:
            unmatched.append(name)
        elif hit != name:
            spelling.append(f'published "{name}" = data "{hit}"')
        mapped.append(hit)
    parts = []
    values = dict(zip(ours, rows[value].round(2), strict=True))
    if unmatched or sorted(map(str, mapped)) != sorted(ours):
        parts.append(f"The LAs differ: published {published}, data {ours}.")
    elif mapped == ours:
        parts.append("Same order as published.")
    else:
        swaps = [(p, o) for p, o in zip(mapped, ours, strict=True) if p != o]
        if all(values[p] == values[o] for p, o in swaps):
            pairs = "; ".join(f"{a} before {b}, equal at {values[a]:.2f} in the data"
                              for (a, _), (b, _) in zip(swaps[::2], swaps[1::2], strict=False))
            parts.append(f"Same LAs; the order differs from the published one only within ties (published: {pairs}).")
        else:
            diff = ", ".join(f"{p} ({values[p]:.2f}) where the data ranks {o} ({values[o]:.2f})" for p, o in swaps)
            parts.append(f"The published order differs beyond ties: published puts {diff}.")
    if spelling:
        parts.append("Spelling: " + "; ".join(spelling) + ".")
    return " ".join(parts)


# ------------------------------------------------------------------------------------------ group tables
def group_values(measure_rows: pd.DataFrame, group: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per group LA for ``year``: disadvantaged and non-disadvantaged P8, their statuses and the gap.

    ``measure_rows`` is :func:`analysis.progress8.select_measure` output. The gap is non-disadvantaged minus
    disadvantaged (smaller = disadvantaged pupils closer to their peers).
    """
    rows = measure_rows[(measure_rows["year"] == year) & measure_rows["la_code"].isin(group["la_code"])]
    wide = rows.pivot_table(index="la_code", columns="pupil_group", values="value", aggfunc="first", dropna=False)
    status = rows.pivot_table(index="la_code", columns="pupil_group", values="status", aggfunc="first")
    out = group[["la_code", "la_name", "is_chosen"]].copy()
    for g in ("disadvantaged", "non_disadvantaged"):
        out[g] = out["la_code"].map(wide[g] if g in wide else pd.Series(dtype=float)).astype("float64")
        out[f"{g}_status"] = out["la_code"].map(status[g] if g in status else pd.Series(dtype=str)).fillna("missing")
    out["gap"] = (out["non_disadvantaged"] - out["disadvantaged"]).round(2)
    return out.reset_index(drop=True)


def official_area_value(measure_rows: pd.DataFrame, area: str, year: int, pupil_group: str = "disadvantaged"
                        ) -> float | None:
    """DfE's own row for a named area (England code 970, or a region by name, case-insensitive), or None.

    >>> rows = pd.DataFrame({"la_code": ["984"], "la_name": ["West Midlands"], "area_type": ["region"],
    ...     "year": [2017], "pupil_group": ["disadvantaged"], "value": [-0.39]})
    >>> official_area_value(rows, "west midlands", 2017), official_area_value(rows, "Core cities", 2017)
    (-0.39, None)
    """
    rows = measure_rows[(measure_rows["year"] == year) & (measure_rows["pupil_group"] == pupil_group)
                        & measure_rows["area_type"].isin(["region", "england"])]
    hit = rows[rows["la_name"].astype(str).str.casefold() == str(area).casefold()]
    if hit.empty or pd.isna(hit["value"].iloc[0]):
        return None
    return float(hit["value"].iloc[0])


def group_average_table(values: pd.DataFrame, weights: pd.DataFrame, *, group_label: str,
                        official: float | None, england: float | None) -> pd.DataFrame:
    """Reference rows for the disadvantaged P8: England, DfE's own group row (if any), the pupil-weighted
    estimate and the unweighted mean, each with how it was obtained.

    >>> v = pd.DataFrame({"la_code": ["A", "B"], "la_name": ["A", "B"], "disadvantaged": [-0.2, -0.6]})
    >>> w = pd.DataFrame({"la_code": ["A", "B"], "weight": [300.0, 100.0]})
    >>> group_average_table(v, w, group_label="G", official=None, england=-0.4)["value"].round(2).tolist()
    [-0.4, -0.3, -0.4]
    """
    table = values.merge(weights[["la_code", "weight"]], on="la_code", how="left")
    avg = weighted_average(table, value="disadvantaged").iloc[0]
    missing = f"; no weight for {avg['missing_weights']}" if avg["missing_weights"] else ""
    rows = [("England", england, "official (DfE, all state-funded pupils)")]
    if official is not None:
        rows.append((f"{group_label} (official)", official, "official (DfE's own pupil-weighted region row)"))
    rows.append((f"{group_label} average, pupil-weighted (estimate)", avg["weighted"],
                 f"estimate: weights = KS4 pupils x disadvantaged share, {int(avg['las_weighted'])} of "
                 f"{int(avg['las'])} LAs{missing}"))
    rows.append((f"{group_label} average, unweighted mean", avg["unweighted"],
                 f"simple mean of {int(avg['las'])} LA figures: off the estimate by {avg['difference']:+.3f}"
                 if pd.notna(avg["difference"]) else "no LA figures"))
    out = pd.DataFrame(rows, columns=["area", "value", "how"])
    out["value"] = out["value"].astype("float64")
    return out


def group_average(averages: pd.DataFrame) -> tuple[float | None, float | None]:
    """(value used as the group average, the pupil-weighted estimate): DfE's official row where it exists.

    >>> a = pd.DataFrame({"area": ["England", "G (official)", "G average, pupil-weighted (estimate)"],
    ...     "value": [-0.4, -0.39, -0.392]})
    >>> group_average(a)
    (-0.39, -0.392)
    """
    official = averages.loc[averages["area"].str.endswith("(official)"), "value"]
    estimate = averages.loc[averages["area"].str.endswith("(estimate)"), "value"]
    est = None if estimate.empty or pd.isna(estimate.iloc[0]) else float(estimate.iloc[0])
    return (float(official.iloc[0]) if not official.empty else est), est


# ---------------------------------------------------------------------------------------------------- trend
def trend(measure_rows: pd.DataFrame, group: pd.DataFrame, pupils: pd.DataFrame, shares: pd.DataFrame,
          la: str) -> pd.DataFrame:
    """Disadvantaged P8 of the LA, the group average and England for every year (NaN where there is no data).

    The group average is DfE's official row where it exists (regions), otherwise the pupil-weighted estimate;
    ``source`` says which and ``pupils_year`` which school file gave the pupil counts.
    """
    label = group["group_label"].iloc[0]
    is_region = group["group_key"].iloc[0].startswith("region:")
    la_name = group.loc[group["la_code"] == la, "la_name"].iloc[0]
    rows = []
    for year in progress8.available_years(measure_rows):
        dis = measure_rows[(measure_rows["year"] == year) & (measure_rows["pupil_group"] == "disadvantaged")]
        by_code = dis.set_index("la_code")
        la_value = by_code["value"].get(la, np.nan)
        eng_value = by_code["value"].get(reference.ENGLAND_CODE, np.nan)
        weights = disadvantaged_weights(pupils, shares, year)
        members = group[["la_code", "la_name"]].assign(value=group["la_code"].map(by_code["value"]))
        est = weighted_average(members.merge(weights[["la_code", "weight"]], on="la_code", how="left")).iloc[0]
        official = official_area_value(measure_rows, label, year) if is_region else None
        group_value, source = (official, "official") if official is not None else (est["weighted"], "estimate")
        pupils_year = int(weights["pupils_year"].iloc[0])
        for area, value, src in [(la_name, la_value, "official"), ("England", eng_value, "official"),
                                 (f"{label} average", group_value, source)]:
            rows.append({"year": int(year), "area": area, "pupil_group": "disadvantaged", "value": value,
                         "source": src, "pupils_year": pupils_year})
    out = pd.DataFrame(rows)
    out["value"] = out["value"].astype("float64")
    out["status"] = np.where(out["value"].isna(), "no_data", "reported")
    return out


# ---------------------------------------------------------------------------------------------------- plots
def ranked_chart(ranked: pd.DataFrame, value: str, highlight: str | None, title: str,
                 reference_lines: dict[str, float | None] | None = None, value_label: str = "Progress 8"
                 ) -> plots.plt.Figure:
    """Horizontal seaborn bars in rank order ("2=" for ties), the chosen LA highlighted, each value printed
    beside its bar, reference lines (England, group averages) listed in a legend below the chart."""
    plt = plots.plt
    plots.use_style()
    table = ranked.assign(
        label=[f"{r}. {plots._plain(n)}" if r else f"{plots._plain(n)} (no data)"
               for r, n in zip(ranked["rank_label"], ranked["la_name"], strict=True)],
        kind=np.where(ranked["la_name"] == highlight, "chosen", "other"),
    )
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(table) + 2.2))
    sns.barplot(data=table, y="label", x=value, hue="kind", palette={"chosen": plots.HIGHLIGHT, "other": plots.BASE},
                order=list(table["label"]), hue_order=["chosen", "other"], dodge=False, legend=False, ax=ax)
    finite = table[value].dropna()
    span = float(finite.abs().max()) if len(finite) else 1.0
    for i, v in enumerate(table[value]):
        if pd.notna(v):  # the number sits just beyond the bar's end, on the side the bar points to
            ax.text(v + (0.01 if v >= 0 else -0.01) * span * 3, i, f"{v:.2f}", va="center",
                    ha="left" if v >= 0 else "right", fontsize=8, color="black")
    styles = ["--", ":", "-.", (0, (5, 1))]
    lines = {k: float(x) for k, x in (reference_lines or {}).items() if x is not None and pd.notna(x)}
    for (name, x), ls in zip(lines.items(), styles, strict=False):
        ax.axvline(x, color=plots.ENGLAND, linestyle=ls, linewidth=1.2, label=f"{plots._plain(name)} ({x:.2f})")
    ax.axvline(0, color="grey", linewidth=0.8)
    lo = min([0.0, *finite, *lines.values()]) - 0.25 * span
    hi = max([0.0, *finite, *lines.values()]) + 0.25 * span
    ax.set_xlim(lo, hi)
    ax.set(xlabel=value_label, ylabel="", title=plots._plain(title))
    if lines:
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / max(len(table), 1)),
                  ncol=1, frameon=False)
    fig.tight_layout()
    return fig
