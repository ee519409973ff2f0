"""Local authorities compared with a group: core cities, the LA's region, its statistical neighbours or a list.

The LAs' values are DfE's own (LAIT, two decimals). A group average is DfE's official row where DfE publishes
the group (a region); otherwise it is pupil-weighted with estimated weights (:mod:`.la_weights`), shown
beside the unweighted mean. Rankings follow the tie rule of :mod:`.ranking`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import column_lists as _lists
from ..common import rows_of, same_types
from ..data import reference
from ..errors import ParameterError
from . import progress8, ranking
from .la_weights import disadvantaged_weights, weighted_average, weighted_average_row

COMPARATORS = ("core_cities", "region", "statistical_neighbours")


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
        raise ParameterError(
            f"comparator: {comparator!r} is not one of {', '.join(COMPARATORS)}, or a list of LA codes such as "
            '"330,331,332"'
        )
    return list(dict.fromkeys(codes))  # keep the order given, drop repeats


def comparison_group(comparator: object, la: str, las: pd.DataFrame, neighbours: pd.DataFrame | None = None,
                     core_cities: pd.DataFrame | None = None) -> pd.DataFrame:
    """The LAs in the group: la_code, la_name, region, is_chosen, plus the group's ``group_key``/``group_label``.

    ``las`` is :func:`analysis.data.reference.local_authorities` (LAIT's LAs). The chosen LA is always a member
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
    # Plain lookups, not an indexed frame: the sweep over every LA and year calls this thousands of times.
    all_codes, all_names, all_regions = _lists(las, "la_code", "la_name", "region_group")
    names = dict(zip(all_codes, all_names, strict=True))
    regions = dict(zip(all_codes, all_regions, strict=True))
    region = regions[la]
    if choice == "core_cities":
        codes = list((core_cities if core_cities is not None else reference.core_cities())["la_code"])
        key, label = "core_cities", "Core cities"
        if la not in codes:  # an LA compared with the core cities is shown among them, marked as chosen
            codes, label = [la, *codes], f"Core cities and {names[la]}"
    elif choice == "region":
        codes = [c for c in all_codes if regions[c] == region]
        key, label = f"region:{region}", str(region)
    elif choice == "statistical_neighbours":
        if neighbours is None:
            raise ParameterError("comparator: 'statistical_neighbours' needs the neighbours table")
        mine = neighbours[neighbours["la_code"] == la].sort_values("neighbour_rank")
        if mine.empty:
            raise ParameterError(
                f"comparator: LA {la} ({names[la]}) has no statistical neighbours in DfE's list; "
                "choose core_cities, region or a list of LA codes"
            )
        # Blank neighbour cells read as "-00"; codes LAIT does not hold cannot be compared, so they drop out.
        codes = [la] + [c for c in mine["neighbour_code"] if c in names]
        key, label = f"statistical_neighbours:{la}", f"Statistical neighbours of {names[la]}"
    else:
        unknown = [c for c in choice if c not in names]
        if unknown:
            raise ParameterError(
                f"comparator: LA codes {unknown} are not in the data; expected 3-digit DfE LA codes "
                "(`compendium choices` lists them)"
            )
        codes = choice if la in choice else [la] + choice
        key, label = "list:" + ",".join(sorted(codes)), "Chosen LAs"
    codes = list(dict.fromkeys(codes))
    return pd.DataFrame({"la_code": codes, "la_name": [names[c] for c in codes],
                         "region": [regions[c] for c in codes], "is_chosen": [c == la for c in codes],
                         "group_key": key, "group_label": label})


def group_values(measure_rows: pd.DataFrame, group: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per group LA for ``year``: disadvantaged, non-disadvantaged and all pupils' P8, their statuses
    and the gap.

    ``measure_rows`` is :func:`analysis.methods.progress8.select_measure` output. The gap is non-disadvantaged minus
    disadvantaged (smaller = disadvantaged pupils closer to their peers).
    """
    codes = group["la_code"].tolist()
    rows = rows_of(measure_rows, ["la_code", "pupil_group", "value", "status"], year=year, column="la_code",
                   among=codes)
    found = {(c, g): (v, st) for c, g, v, st in zip(*rows, strict=True)}
    # one frame built from arrays (the group's own for its columns, their types kept), not filtered and joined
    base = ["la_code", "la_name", "is_chosen"]
    table: dict[str, object] = {c: group[c].array for c in base}
    for g in ("disadvantaged", "non_disadvantaged", "all"):
        cells = [found.get((c, g), (float("nan"), "missing")) for c in codes]
        table[g] = np.array([v for v, _ in cells], dtype="float64")
        table[f"{g}_status"] = [st for _, st in cells]
    table["gap"] = (table["non_disadvantaged"] - table["disadvantaged"]).round(2)
    return same_types(pd.DataFrame(table), group, base)


def official_area_value(measure_rows: pd.DataFrame, area: str, year: int, pupil_group: str = "disadvantaged"
                        ) -> float | None:
    """DfE's own row for a named area (England code 970, or a region by name, case-insensitive), or None.

    >>> rows = pd.DataFrame({"la_code": ["984"], "la_name": ["West Midlands"], "area_type": ["region"],
    ...     "year": [2017], "pupil_group": ["disadvantaged"], "value": [-0.39]})
    >>> official_area_value(rows, "west midlands", 2017), official_area_value(rows, "Core cities", 2017)
    (-0.39, None)
    """
    groups, names, values = rows_of(measure_rows, ["pupil_group", "la_name", "value"], year=year,
                                    column="area_type", among=["region", "england"])
    rows = [(n, v) for g, n, v in zip(groups, names, values, strict=True) if isinstance(g, str) and g == pupil_group]
    wanted = str(area).casefold()
    hits = [v for name, v in rows if str(name).casefold() == wanted]
    return None if not hits or pd.isna(hits[0]) else float(hits[0])


def group_average_table(values: pd.DataFrame, weights: pd.DataFrame, group: pd.DataFrame,
                        measure_rows: pd.DataFrame, year: int, check_weights: pd.DataFrame | None = None
                        ) -> pd.DataFrame:
    """Reference rows for the disadvantaged P8: England, DfE's own group row (a region's), the pupil-weighted
    estimate, the same with ``check_weights`` (another estimate of the weights, shown as a check) and the
    unweighted mean, each with how it was obtained (``kind``: england, official, estimate, check, unweighted).

    >>> v = pd.DataFrame({"la_code": ["A", "B"], "la_name": ["A", "B"], "disadvantaged": [-0.2, -0.6]})
    >>> w = pd.DataFrame({"la_code": ["A", "B"], "weight": [300.0, 100.0]})
    >>> g = pd.DataFrame({"group_key": ["list:A,B"], "group_label": ["G"]})
    >>> p8 = pd.DataFrame({"la_name": ["England"], "area_type": ["england"], "year": [2017],
    ...     "pupil_group": ["disadvantaged"], "value": [-0.4]})
    >>> group_average_table(v, w, g, p8, 2017)["value"].round(2).tolist()  # (-0.2*300 - 0.6*100) / 400; mean -0.4
    [-0.4, -0.3, -0.4]
    """
    key, group_label = group_names(group)
    official = official_area_value(measure_rows, group_label, year) if key.startswith("region:") else None
    england = official_area_value(measure_rows, "England", year)
    weight_of = dict(zip(*_lists(weights, "la_code", "weight"), strict=True))
    codes, names = _lists(values, "la_code", "la_name")
    avg = weighted_average_row(values["disadvantaged"].to_numpy(dtype="float64"),
                               np.array([weight_of.get(c, np.nan) for c in codes], dtype="float64"), names)
    missing = f"; no weight for {avg['missing_weights']}" if avg["missing_weights"] else ""
    rows = [("england", "England", england, "official (DfE, all state-funded pupils)")]
    if official is not None:
        rows.append(("official", f"{group_label} (official)", official, "official (DfE's own pupil-weighted region row)"))
    rows.append(("estimate", f"{group_label} average, pupil-weighted (estimate)", avg["weighted"],
                 f"estimate: weights = KS4 pupils x disadvantaged share, {int(avg['las_weighted'])} of "
                 f"{int(avg['las'])} LAs{missing}"))
    if check_weights is not None:
        chk = weighted_average(values.merge(check_weights[["la_code", "weight"]], on="la_code", how="left"),
                               value="disadvantaged").iloc[0]
        rows.append(("check", f"{group_label} average, pupil-weighted (check: school-file pupil counts)",
                     chk["weighted"], f"check: the same with KS4 pupils summed from school files, "
                     f"{int(chk['las_weighted'])} of {int(chk['las'])} LAs"))
    rows.append(("unweighted", f"{group_label} average, unweighted mean", avg["unweighted"],
                 f"simple mean of {int(avg['las'])} LA figures: off the estimate by {avg['difference']:+.3f}"
                 if pd.notna(avg["difference"]) else "no LA figures"))
    out = pd.DataFrame(rows, columns=["kind", "area", "value", "how"])
    out["value"] = out["value"].astype("float64")
    return out


def group_average(averages: pd.DataFrame) -> tuple[float | None, float | None]:
    """(value used as the group average, the pupil-weighted estimate): DfE's official row where it exists.

    >>> a = pd.DataFrame({"kind": ["england", "official", "estimate"], "value": [-0.4, -0.39, -0.392]})
    >>> group_average(a)
    (-0.39, -0.392)
    """
    official = averages.loc[averages["kind"] == "official", "value"]
    estimate = averages.loc[averages["kind"] == "estimate", "value"]
    est = None if estimate.empty or pd.isna(estimate.iloc[0]) else float(estimate.iloc[0])
    return (float(official.iloc[0]) if not official.empty else est), est


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


def group_names(group: pd.DataFrame) -> tuple[str, str]:
    """(key the published figures use, label for readers) of a comparison group from :func:`comparison_group`.

    >>> group_names(pd.DataFrame({"group_key": ["core_cities"], "group_label": ["Core cities"]}))
    ('core_cities', 'Core cities')
    """
    return str(group["group_key"].iloc[0]), str(group["group_label"].iloc[0])


def reference_lines(averages: pd.DataFrame) -> dict[str, float]:
    """The lines a ranking chart draws: England, DfE's own group row (if any) and the pupil-weighted estimate.

    >>> reference_lines(pd.DataFrame({"kind": ["england", "estimate", "unweighted"], "area": ["England", "G", "U"],
    ...     "value": [-0.4, -0.3, -0.2]}))
    {'England': -0.4, 'G': -0.3}
    """
    lines = averages[averages["kind"].isin(["england", "official", "estimate"]) & averages["value"].notna()]
    return dict(zip(lines["area"], lines["value"].astype(float), strict=True))


def findings(ranked: pd.DataFrame, gaps: pd.DataFrame, values: pd.DataFrame, averages: pd.DataFrame,
             group: pd.DataFrame, *, la: str, year: int, weights_note: str = "") -> pd.DataFrame:
    """The headline figures of notebook 02 as a findings-ready table (see ``FindingsLog.record_all``): the
    ranking and the LA's place, the group average, each other LA's value and the smallest gap. Each group's run
    records its own group's claims (keys carry the group), so a core-cities run and a region run never record
    the same one; the chosen LA's own figures are notebook 01's."""
    from ..data.published import published_value

    key, label = group_names(group)
    name = reference.la_name(la, group)
    rank_section = "Rank the group by disadvantaged Progress 8"
    gap_section = "The disadvantage gap in every LA of the group"
    published_order = published_value("rank_disadvantaged_p8", year, key)
    order_note = " ".join([
        "Ranked by the stated tie rule (equal two-decimal values share a rank; A-Z within a tie).",
        ranking.tie_note(ranked, "disadvantaged"),
        ranking.order_note(ranked, published_order, "disadvantaged"),
    ]).strip()
    group_avg, estimate = group_average(averages)
    others = {k: averages.loc[averages["kind"] == k, "value"] for k in ("unweighted", "check")}
    if estimate is None:
        average_note = "No values this year."
    else:
        check = f"; with school-file pupil counts {float(others['check'].iloc[0]):.4f}" if len(others["check"]) else ""
        average_note = (("DfE's own region row. " if (averages["kind"] == "official").any() else
                         "Pupil-weighted with DfE's LA pupil counts (TPUP) x Ever-6 FSM share (assumption A1). ")
                        + f"Pupil-weighted estimate {estimate:.4f}{check}; unweighted mean "
                        + f"{float(others['unweighted'].iloc[0]):.4f}. " + weights_note).strip()
    rows = [
        {"finding_id": "rank_disadvantaged_p8", "key": key, "section": rank_section, "note": order_note,
         "value": list(ranked.loc[ranked["rank"].notna(), "la_name"]),
         "label": f"{label}: LAs ranked by disadvantaged Progress 8, highest first"},
        {"finding_id": "la_rank", "key": f"{key}:{la}", "section": rank_section,
         "value": ranking.rank_text(ranked, la), "label": f"{name}'s place in {label} by disadvantaged Progress 8"},
        {"finding_id": "group_average_disadvantaged_p8", "key": key, "value": group_avg, "note": average_note,
         "label": f"{label}: average disadvantaged Progress 8 (pupil-weighted)",
         "section": "The group average, the way DfE computes it"},
    ]
    # The chosen LA's own value, England's and the LA's gap are notebook 01's findings: recorded once, there.
    rows += [{"finding_id": "disadvantaged_p8_la", "key": code, "value": value, "section": rank_section,
              "label": f"{la_name}: Progress 8, disadvantaged pupils"}
             for code, la_name, value in ranked[["la_code", "la_name", "disadvantaged"]].itertuples(index=False)
             if code != str(la)]
    has_gap = gaps["rank"].notna().any()
    rows.append({"finding_id": "smallest_gap_la", "key": key, "section": gap_section,
                 "value": gaps.loc[gaps["rank"] == 1, "la_name"].iloc[0] if has_gap else None,
                 "label": f"{label}: LA with the smallest disadvantage gap",
                 "note": ranking.tie_note(gaps[gaps["rank"] == 1], "gap")})
    return pd.DataFrame(rows)
