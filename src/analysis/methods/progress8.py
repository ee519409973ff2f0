"""Progress 8 of a local authority against England, by disadvantage, from the LAIT table.

Progress 8 compares each pupil's Attainment 8 with the average of pupils nationally who had the same KS2
results; an LA's score is the mean over its pupils (0 = national average progress). DfE publishes it to
two decimal places.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import records, rows_of
from ..data import reference

PUPIL_GROUP_LABELS = {
    "all": "All pupils",
    "disadvantaged": "Disadvantaged pupils",
    "non_disadvantaged": "Non-disadvantaged pupils",
}


def select_measure(lait: pd.DataFrame, measure: str = "p8") -> pd.DataFrame:
    """LAIT rows of one measure with a ``pupil_group`` column (all / disadvantaged / non_disadvantaged).

    Only the plain academic-year rows are kept (no revised/final duplicates for KS4 P8 in LAIT).
    """
    codes = reference.indicator_codes(measure)
    by_indicator = {v: k for k, v in codes.items()}
    rows = lait[lait["indicator"].isin(codes.values())].copy()
    rows["pupil_group"] = rows["indicator"].map(by_indicator)
    rows["measure"] = measure
    return rows.reset_index(drop=True)


def la_vs_england(measure_rows: pd.DataFrame, la: str, year: int) -> pd.DataFrame:
    """One row per pupil group: the LA's value, England's, and LA minus England.

    >>> rows = pd.DataFrame({"la_code": ["330", "970"], "la_name": ["Birmingham", "England"],
    ...     "year": [2017, 2017], "pupil_group": ["all", "all"], "value": [-0.01, -0.03],
    ...     "status": ["reported", "reported"]})
    >>> la_vs_england(rows, "330", 2017)[["la_value", "england_value", "difference"]].round(2).values.tolist()
    [[-0.01, -0.03, 0.02]]
    """
    codes, names, pupil_groups, values, statuses = rows_of(
        measure_rows, ["la_code", "la_name", "pupil_group", "value", "status"], year=year, column="la_code",
        among=[str(la), reference.ENGLAND_CODE])
    found = {(c, g): (v, st) for c, g, v, st in zip(codes, pupil_groups, values, statuses, strict=True)}
    la_names = [n for c, n in zip(codes, names, strict=True) if c == str(la)]
    groups = [g for g in PUPIL_GROUP_LABELS if (str(la), g) in found or (reference.ENGLAND_CODE, g) in found]
    none = (float("nan"), "missing")
    table = pd.DataFrame(
        {
            "pupil_group": groups,
            "label": [PUPIL_GROUP_LABELS[g] for g in groups],
            "la_name": la_names[0] if la_names else str(la),
            "la_value": pd.array([found.get((str(la), g), none)[0] for g in groups], dtype="float64"),
            "la_status": [found.get((str(la), g), none)[1] for g in groups],
            "england_value": pd.array([found.get((reference.ENGLAND_CODE, g), none)[0] for g in groups], dtype="float64"),
            "england_status": [found.get((reference.ENGLAND_CODE, g), none)[1] for g in groups],
        }
    )
    table["difference"] = (table["la_value"] - table["england_value"]).round(2)
    return table


def disadvantage_gap(comparison: pd.DataFrame) -> pd.DataFrame:
    """Non-disadvantaged minus disadvantaged P8, for the LA and England (a smaller gap is better).

    >>> comp = pd.DataFrame({"pupil_group": ["disadvantaged", "non_disadvantaged"], "la_name": "B",
    ...     "la_value": [-0.18, 0.15], "england_value": [-0.40, 0.11]})
    >>> disadvantage_gap(comp)["gap"].round(2).tolist()
    [0.33, 0.51]
    """
    la = dict(zip(comparison["pupil_group"], comparison["la_value"], strict=True))
    england = dict(zip(comparison["pupil_group"], comparison["england_value"], strict=True))
    nan = float("nan")
    out = pd.DataFrame(
        {
            "area": [comparison["la_name"].iloc[0], "England"],
            "disadvantaged": [la.get("disadvantaged", nan), england.get("disadvantaged", nan)],
            "non_disadvantaged": [la.get("non_disadvantaged", nan), england.get("non_disadvantaged", nan)],
        }
    )
    out["gap"] = (out["non_disadvantaged"] - out["disadvantaged"]).round(2)
    return out


def time_series(measure_rows: pd.DataFrame, la: str) -> pd.DataFrame:
    """Every year in the data for the LA and England, one row per (year, area, pupil group).

    Years without data (2020 and 2021: exams cancelled) stay in the table with value NaN and their status
    (``no_data``), so a chart shows a gap, never a zero.
    """
    rows = measure_rows[measure_rows["la_code"].isin([str(la), reference.ENGLAND_CODE])]
    out = rows[["year", "la_code", "la_name", "pupil_group", "value", "status"]].rename(columns={"la_name": "area"})
    out["area"] = out["area"].astype(str)
    return out.sort_values(["pupil_group", "la_code", "year"]).reset_index(drop=True)


def available_years(measure_rows: pd.DataFrame) -> list[int]:
    """Years the measure has rows for (including years whose values are all '-')."""
    return sorted(int(y) for y in measure_rows["year"].dropna().unique())


def years_with_data(measure_rows: pd.DataFrame) -> list[int]:
    """Years where at least one value is reported."""
    reported = measure_rows[measure_rows["status"] == "reported"]
    return sorted(int(y) for y in reported["year"].dropna().unique())


def england_gap(measure_rows: pd.DataFrame, year: int) -> float:
    """England's disadvantage gap in ``year``: non-disadvantaged minus disadvantaged P8 (NaN without data).

    >>> rows = pd.DataFrame({"la_code": ["970", "970"], "year": [2017, 2017],
    ...     "pupil_group": ["disadvantaged", "non_disadvantaged"], "value": [-0.40, 0.11]})
    >>> england_gap(rows, 2017)
    0.51
    """
    eng = measure_rows[(measure_rows["year"] == year) & (measure_rows["la_code"] == reference.ENGLAND_CODE)]
    values = eng.set_index("pupil_group")["value"]
    return round(float(values.get("non_disadvantaged", float("nan")) - values.get("disadvantaged", float("nan"))), 2)


def attainment_vs_england(a8_rows: pd.DataFrame, full_schema: pd.DataFrame, la: str, year: int) -> pd.DataFrame:
    """Attainment 8 of the LA (LAIT) and England per pupil group, England from DfE's performance tables.

    England's figure is the national state-funded row (RECTYPE 7) of the full-schema school files of the year
    (the same row in every LA's download), the figure the performance tables print; LAIT's England row, which
    differs slightly for A8 (2017: 46.5 against 46.3), is shown beside it and used only when no such file is held.

    >>> lait = pd.DataFrame({"la_code": ["330", "970"], "la_name": ["B", "England"], "year": 2017,
    ...     "pupil_group": "all", "value": [46.1, 46.5], "status": "reported"})
    >>> full = pd.DataFrame({"year": [2017], "is_state_funded_national": [True], "a8_all": [46.3]})
    >>> attainment_vs_england(lait, full, "330", 2017)[["la_value", "england_value", "england_lait"]].values.tolist()
    [[46.1, 46.3, 46.5]]
    """
    table = la_vs_england(a8_rows, la, year).rename(columns={"england_value": "england_lait"})
    nat = full_schema[(full_schema["year"] == year) & full_schema["is_state_funded_national"].astype(bool)] \
        if len(full_schema) else full_schema
    from_file = [float(nat[f"a8_{g}"].iloc[0]) if len(nat) and f"a8_{g}" in nat else np.nan
                 for g in table["pupil_group"]]
    table["england_value"] = pd.Series(from_file, index=table.index).fillna(table["england_lait"])
    table["england_source"] = np.where(pd.notna(from_file), "DfE performance tables, national state-funded row",
                                       "LAIT England row (no performance-tables file for the year)")
    table["difference"] = (table["la_value"] - table["england_value"]).round(1)
    return table[["pupil_group", "label", "la_name", "la_value", "england_value", "england_source", "england_lait",
                  "difference"]]


def above_or_below(la_value: float, england_value: float) -> str | None:
    """'above', 'below' or 'equal' (at DfE's two decimals): the LA against England; None without both values.

    >>> above_or_below(0.0, -0.03), above_or_below(-0.05, -0.03), above_or_below(np.nan, 0.1)
    ('above', 'below', None)
    """
    if pd.isna(la_value) or pd.isna(england_value):
        return None
    diff = round(float(la_value) - float(england_value), 2)
    return "above" if diff > 0 else "below" if diff < 0 else "equal"


def findings(comparison: pd.DataFrame, gaps: pd.DataFrame, previous: pd.DataFrame, attainment: pd.DataFrame, *,
             la: str, year: int) -> pd.DataFrame:
    """The headline figures of notebook 01 as a findings-ready table (see ``FindingsLog.record_all``): Progress 8
    of the LA and England by group in ``year``; the disadvantaged figures (and England's non-disadvantaged one)
    the year before, and whether the LA was above England then too; Attainment 8; the gap (a derived figure).

    >>> comp = pd.DataFrame({"pupil_group": ["all"], "la_name": ["B"], "la_value": [-0.01], "england_value": [-0.03]})
    >>> prev = comp.assign(la_value=0.0)
    >>> gaps = pd.DataFrame({"area": ["B", "England"], "gap": [0.33, 0.51]})
    >>> a8 = pd.DataFrame({"pupil_group": ["all"], "la_value": [46.1], "england_value": [46.3], "england_source": ["f"]})
    >>> findings(comp, gaps, prev, a8, la="330", year=2017)[["finding_id", "year", "value"]].values.tolist()[2:]
    [['p8_all_la_vs_national', 2016, 'above'], ['a8_all_la', 2017, 46.1], ['a8_all_national', 2017, 46.3], ['gap_la', 2017, 0.33]]
    """
    section = "Compare the LA with England for each pupil group"
    rows = []
    name = comparison["la_name"].iloc[0] if len(comparison) else str(la)
    for r in records(comparison):
        label = PUPIL_GROUP_LABELS[r.pupil_group].lower()
        rows.append({"finding_id": f"p8_{r.pupil_group}_la", "key": la, "value": r.la_value, "year": year,
                     "label": f"{name}: Progress 8, {label}", "section": section})
        rows.append({"finding_id": f"p8_{r.pupil_group}_national", "key": "england", "value": r.england_value,
                     "year": year, "label": f"England: Progress 8, {label}", "section": section})
    before = "The year before"
    for r in records(previous):
        label = PUPIL_GROUP_LABELS[r.pupil_group].lower()
        if r.pupil_group == "disadvantaged":
            rows.append({"finding_id": "p8_disadvantaged_la", "key": la, "value": r.la_value, "year": year - 1,
                         "label": f"{name}: Progress 8, {label}", "section": before})
        if r.pupil_group in ("disadvantaged", "non_disadvantaged"):
            rows.append({"finding_id": f"p8_{r.pupil_group}_national", "key": "england", "value": r.england_value,
                         "year": year - 1, "label": f"England: Progress 8, {label}", "section": before})
        if r.pupil_group == "all":
            rows.append({"finding_id": "p8_all_la_vs_national", "key": la, "year": year - 1, "section": before,
                         "value": above_or_below(r.la_value, r.england_value),
                         "label": f"{name}: Progress 8 of all pupils above or below England's",
                         "note": f"LAIT: {name} {r.la_value:.2f}, England {r.england_value:.2f}."
                         if pd.notna(r.la_value) and pd.notna(r.england_value) else "No LAIT values that year."})
    for r in records(attainment):
        if r.pupil_group not in ("all", "disadvantaged"):
            continue
        label = PUPIL_GROUP_LABELS[r.pupil_group].lower()
        rows.append({"finding_id": f"a8_{r.pupil_group}_la", "key": la, "value": r.la_value, "year": year,
                     "label": f"{name}: Attainment 8, {label}", "section": "Attainment 8", "note": "LAIT."})
        rows.append({"finding_id": f"a8_{r.pupil_group}_national", "key": "england", "value": r.england_value,
                     "year": year, "label": f"England: Attainment 8, {label}", "section": "Attainment 8",
                     "note": f"{r.england_source}."})
    gap = gaps.loc[gaps["area"] == name, "gap"]
    rows.append({"finding_id": "gap_la", "key": la, "value": float(gap.iloc[0]) if len(gap) else None, "year": year,
                 "label": f"{name}: disadvantage gap in Progress 8 (non-disadvantaged minus disadvantaged)",
                 "section": "The disadvantage gap"})
    return pd.DataFrame(rows)
