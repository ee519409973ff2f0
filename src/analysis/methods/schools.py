"""Schools whose disadvantaged pupils out-progress the national non-disadvantaged average, year after year.

From the harmonised school-level KS4 results (``data.read_results``): each school's Progress 8 (P8) and
Attainment 8 (A8) for all, disadvantaged and non-disadvantaged pupils in a year and the year before, with pupil
counts and 95% confidence intervals; the schools beating a national benchmark in both years; schools above
the national figure on A8 and P8; and the LA's P8 rebuilt from its school rows.

What the data allows decides what is shown, never the LA code: without a full-schema file the same functions
run with all-pupil P8/A8 and the disadvantaged figures are marked ``not_in_data``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import reference
from ..data.dfe import REPORTED
from ..data.ks4_results import ADMISSION_POLICIES, GENDERS, GROUPS, NOT_IN_DATA, SECTORS
from ..errors import ParameterError
from . import stats

GROUP_LABELS = {"all": "All pupils", "disadvantaged": "Disadvantaged", "non_disadvantaged": "Non-disadvantaged"}


def national_benchmarks(results: pd.DataFrame, year: int, *, full_schema: pd.DataFrame | None = None,
                        lait: pd.DataFrame | None = None) -> pd.DataFrame:
    """National state-funded P8 and A8 per (year, pupil group) for ``year`` and the year before, with where each
    comes from (``p8_source``, ``a8_source``), first found of:

    1. the national state-funded row (RECTYPE 7) of the file the LA's schools come from;
    2. the same row in any full-schema file held for the year (``full_schema``: every LA's download carries the
       same national row), so an LA without its own file still gets the performance tables' national figure;
    3. LAIT's England row (``lait``: ``data.read_lait`` rows), DfE's national figure in the LA tables.

    Rows stay (value NaN, status ``not_in_data``) when none holds the figure.

    >>> res = pd.DataFrame({"year": [2017], "is_state_funded_national": [False], "p8_all": [np.nan],
    ...     "p8_all_status": ["missing"]})
    >>> lait = pd.DataFrame({"la_code": ["970"], "year": [2017], "indicator": ["NonDAP_KS4_Prog8"], "value": [0.11],
    ...     "status": ["reported"]})
    >>> nat = national_benchmarks(res, 2017, lait=lait).query("year == 2017 and pupil_group == 'non_disadvantaged'")
    >>> nat[["p8", "p8_source"]].values.tolist()
    [[0.11, 'LAIT England row']]
    """
    codes = reference.lait_indicators().set_index(["measure", "pupil_group"])["indicator"]
    england = lait[lait["la_code"] == reference.ENGLAND_CODE] if lait is not None else None
    candidates = [("the LA's file, national state-funded row", results)]
    if full_schema is not None and len(full_schema):
        candidates.append(("DfE performance tables, national state-funded row (a full-schema file held)", full_schema))
    rows = []
    for y in (year, year - 1):
        nats = [(label, frame[(frame["year"] == y) & frame["is_state_funded_national"].astype(bool)])
                for label, frame in candidates]
        for g in GROUPS:
            row = {"year": y, "pupil_group": g}
            for m in ("p8", "a8"):
                col = f"{m}_{g}"
                found = [(label, nat) for label, nat in nats if len(nat) and col in nat and pd.notna(nat[col].iloc[0])]
                if found:
                    label, nat = found[0]
                    row.update({m: float(nat[col].iloc[0]), f"{m}_status": str(nat[f"{col}_status"].iloc[0]),
                                f"{m}_source": label})
                    continue
                hit = england[(england["year"] == y) & (england["indicator"] == codes.get((m, g)))] \
                    if england is not None else pd.DataFrame()
                if len(hit) and pd.notna(hit["value"].iloc[0]):
                    row.update({m: float(hit["value"].iloc[0]), f"{m}_status": str(hit["status"].iloc[0]),
                                f"{m}_source": "LAIT England row"})
                else:
                    row.update({m: np.nan, f"{m}_status": NOT_IN_DATA, f"{m}_source": "none held"})
            rows.append(row)
    cols = ["year", "pupil_group", "p8", "p8_status", "p8_source", "a8", "a8_status", "a8_source"]
    return pd.DataFrame(rows)[cols]


def threshold(national: pd.DataFrame, year: int, group: str, measure: str) -> float:
    """The national benchmark (:func:`national_benchmarks`) of ``measure`` for ``group`` in ``year``, or NaN."""
    hit = national[(national["year"] == year) & (national["pupil_group"] == group)]
    return float(hit[measure].iloc[0]) if len(hit) else np.nan


def add_confidence_intervals(results: pd.DataFrame, sd: pd.DataFrame) -> pd.DataFrame:
    """Keep the file's 95% CIs; where absent but P8 and its pupil count are reported, compute P8 ± 1.96σ/√n.

    ``p8_ci_source_<group>`` says which: ``file``, ``computed``, ``approximate`` (all pupils in a file that gives
    no P8 pupil count: n is the school's KS4 pupils, a few more than its P8 pupils, so the interval is a little
    narrow), or why none (no P8 / no pupil count / no σ).

    >>> res = pd.DataFrame({"year": [2017], "p8_all": [0.5], "p8_pupils_all": [49.0], "p8_ci_low_all": [np.nan],
    ...     "p8_ci_low_all_status": ["NA"], "p8_ci_high_all": [np.nan], "p8_ci_high_all_status": ["NA"]})
    >>> out = add_confidence_intervals(res, pd.DataFrame({"year": [2017], "sd": [1.25]}))
    >>> out[["p8_ci_low_all", "p8_ci_high_all", "p8_ci_source_all"]].values.tolist()  # 1.96*1.25/7 = 0.35
    [[0.15, 0.85, 'computed']]
    """
    out = results.copy()
    sigma = out["year"].map(sd.set_index("year")["sd"]) if len(sd) else pd.Series(np.nan, index=out.index)
    for g in GROUPS:
        if f"p8_{g}" not in out:
            continue
        from_file = out[f"p8_ci_low_{g}"].notna() & out[f"p8_ci_high_{g}"].notna()
        pupils = out[f"p8_pupils_{g}"]
        approximate = pd.Series(False, index=out.index)
        if g == "all" and "ks4_pupils" in out:
            approximate = ~(pupils > 0) & (out["ks4_pupils"] > 0)
            pupils = pupils.where(~approximate, out["ks4_pupils"])
        can = ~from_file & out[f"p8_{g}"].notna() & (pupils > 0) & sigma.notna()
        half = stats.ci_half_width(sigma, pupils)
        out.loc[can, f"p8_ci_low_{g}"] = (out[f"p8_{g}"] - half)[can].round(2)
        out.loc[can, f"p8_ci_high_{g}"] = (out[f"p8_{g}"] + half)[can].round(2)
        source = pd.Series("none: no P8", index=out.index, dtype="string")
        source[out[f"p8_{g}"].notna()] = "none: no pupil count"
        source[out[f"p8_{g}"].notna() & (pupils > 0) & sigma.isna()] = "none: no sigma"
        source[can] = "computed"
        source[can & approximate] = "approximate"
        source[from_file] = "file"
        out[f"p8_ci_source_{g}"] = source
    return out


def select_schools(
    results: pd.DataFrame,
    *,
    la: str,
    year: int,
    sector: str | None = "state-funded mainstream",
    admissions: str | None = "non-selective",
    gender: str | None = "mixed",
) -> pd.DataFrame:
    """The LA's school rows of ``year`` that pass the filters (None = no filter), sorted by name then URN."""
    rows = results[(results["level"] == "school") & (results["year"] == year) & (results["la_code"] == str(la))]
    choices = {"sector": (sector, SECTORS), "admissions": (admissions, ADMISSION_POLICIES), "gender": (gender, GENDERS)}
    for col, (want, valid) in choices.items():
        if want is None:
            continue
        if str(want).lower() not in valid:
            raise ParameterError(f"{col}: {want!r} is not a valid filter; expected one of {valid} or None")
        rows = rows[rows[col].str.lower() == str(want).lower()]
    return rows.sort_values(["school_name", "urn"], kind="stable").reset_index(drop=True)


def _has_figures(rows: pd.DataFrame) -> pd.Series:
    return (rows["p8_all_status"] == REPORTED) | (rows["a8_all_status"] == REPORTED)


def link_previous_year(
    schools: pd.DataFrame, results: pd.DataFrame, links: pd.DataFrame, spine: pd.DataFrame, *, year: int
) -> pd.DataFrame:
    """For each school, the URN whose ``year - 1`` figures are its previous-year figures.

    The school's own URN if it has previous-year P8 or A8; else a predecessor (GIAS link type starting
    'Predecessor', then the spine's OTHERURN) that has them. Several predecessors with figures (a merger)
    are not combined: ``link`` says so and no figures are taken.
    """
    prev = results[(results["level"] == "school") & (results["year"] == year - 1)]
    with_figures = set(prev.loc[_has_figures(prev), "urn"])
    # Only the links of these schools: grouping all ~15,000 GIAS predecessor links took ~2 s, for a few dozen.
    pred = links[links["urn"].isin(set(schools["urn"]))
                 & links["link_type"].astype("string").str.startswith("Predecessor").fillna(False)]
    by_links = {urn: sorted(set(linked.dropna())) for urn, linked in pred.groupby("urn")["linked_urn"]}
    other = spine.dropna(subset=["other_urn"]).drop_duplicates("urn").set_index("urn")["other_urn"]
    out = []
    for urn in schools["urn"]:
        if urn in with_figures:
            out.append((urn, urn, "same URN"))
            continue
        for how, candidates in (("predecessor (GIAS links)", by_links.get(urn, [])),
                                ("linked URN (spine OTHERURN)", [other[urn]] if urn in other.index else [])):
            found = [c for c in candidates if c in with_figures]
            if len(found) == 1:
                out.append((urn, found[0], f"{how}: {found[0]}"))
                break
            if len(found) > 1:
                out.append((urn, pd.NA, f"{how}: several with figures ({', '.join(found)}), not combined"))
                break
        else:
            out.append((urn, pd.NA, "no previous-year figures under this or a linked URN"))
    return pd.DataFrame(out, columns=["urn", "previous_urn", "link"]).astype("string")


def school_panel(schools: pd.DataFrame, results: pd.DataFrame, previous: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """One row per (school, year, pupil group): P8 with status, pupils, 95% CI and its source, A8 with status.

    ``year - 1`` figures come from the URN chosen by :func:`link_previous_year` (``data_urn``).
    """
    school_rows = results[results["level"] == "school"]
    frames = []
    keys = schools[["urn", "school_name"]].merge(previous, on="urn", how="left")
    for y, data_col in ((year, "urn"), (year - 1, "previous_urn")):
        data = school_rows[school_rows["year"] == y].drop_duplicates("urn").set_index("urn")
        for g in GROUPS:
            block = keys[["urn", "school_name", "link"]].copy()
            block["year"] = y
            block["pupil_group"] = g
            block["data_urn"] = keys[data_col]
            idx = block["data_urn"]
            for m in ("p8", "p8_pupils", "p8_ci_low", "p8_ci_high", "a8"):
                col = f"{m}_{g}"
                block[m] = idx.map(data[col]).astype("float64") if col in data else np.nan
                status = idx.map(data[f"{col}_status"]) if f"{col}_status" in data else pd.Series(pd.NA, index=idx.index)
                block[f"{m}_status"] = status.astype("string").fillna("no row")
            block["ci_source"] = (idx.map(data[f"p8_ci_source_{g}"]) if f"p8_ci_source_{g}" in data
                                  else pd.Series(pd.NA, index=idx.index)).astype("string").fillna("none")
            block["source_id"] = idx.map(data["source_id"]).astype("string")
            frames.append(block)
    panel = pd.concat(frames, ignore_index=True)
    panel["pupil_group"] = pd.Categorical(panel["pupil_group"], categories=list(GROUPS), ordered=True)
    return panel.sort_values(["school_name", "urn", "pupil_group", "year"], ascending=[True, True, True, False],
                             kind="stable").reset_index(drop=True)


def _wide(panel: pd.DataFrame, group: str, year: int, measure: str, min_pupils: int) -> pd.Series:
    """Per URN, the group's value in ``year``; NaN unless reported and its P8 pupils ≥ min_pupils."""
    rows = panel[(panel["pupil_group"] == group) & (panel["year"] == year)].set_index("urn")
    value = rows[measure].where(rows[f"{measure}_status"] == REPORTED)
    if min_pupils > 0:
        value = value.where(rows["p8_pupils"] >= min_pupils)
    return value


def beating_benchmark(panel: pd.DataFrame, national: pd.DataFrame, *, year: int, min_pupils: int = 0) -> pd.DataFrame:
    """Schools whose disadvantaged P8 is above the national non-disadvantaged P8 in ``year`` AND ``year - 1``.

    Strictly above (a tie does not beat). Sorted by disadvantaged P8 in ``year`` (highest first), then the
    previous year, then name. Empty when the data lack the disadvantaged split or the national row.
    """
    names = panel.drop_duplicates("urn").set_index("urn")
    table = pd.DataFrame({"school_name": names["school_name"], "link": names["link"]})
    for y, tag in ((year, "year"), (year - 1, "prev")):
        table[f"p8_disadvantaged_{y}"] = _wide(panel, "disadvantaged", y, "p8", min_pupils)
        pupils = panel[(panel["pupil_group"] == "disadvantaged") & (panel["year"] == y)].set_index("urn")
        table[f"pupils_disadvantaged_{y}"] = pupils["p8_pupils"]
        table[f"benchmark_{y}"] = threshold(national, y, "non_disadvantaged", "p8")
    keep = (table[f"p8_disadvantaged_{year}"] > table[f"benchmark_{year}"]) & (
        table[f"p8_disadvantaged_{year - 1}"] > table[f"benchmark_{year - 1}"])
    out = table[keep].reset_index()
    return out.sort_values([f"p8_disadvantaged_{year}", f"p8_disadvantaged_{year - 1}", "school_name", "urn"],
                           ascending=[False, False, True, True], kind="stable").reset_index(drop=True)


def attainment_and_progress(panel: pd.DataFrame, national: pd.DataFrame, *, year: int,
                            min_pupils: int = 0) -> pd.DataFrame:
    """Schools above the national figure on A8 and P8, for all pupils AND for disadvantaged pupils, in ``year``.

    Sorted by all-pupil P8 (highest first), then name. Empty when a figure or the national row is missing.
    """
    names = panel.drop_duplicates("urn").set_index("urn")
    table = pd.DataFrame({"school_name": names["school_name"]})
    keep = pd.Series(True, index=table.index)
    for g in ("all", "disadvantaged"):
        for m in ("a8", "p8"):
            table[f"{m}_{g}"] = _wide(panel, g, year, m, min_pupils)
            table[f"national_{m}_{g}"] = threshold(national, year, g, m)
            keep &= table[f"{m}_{g}"] > table[f"national_{m}_{g}"]
    out = table[keep].reset_index()
    return out.sort_values(["p8_all", "school_name", "urn"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)


def reconcile_la(results: pd.DataFrame, *, la: str, year: int) -> pd.DataFrame:
    """The LA's P8 rebuilt from its school rows (weighted by P8 pupils) against the file's LA row, per group.

    Every school row of the LA with a reported P8 and pupil count counts (mainstream and special). The LA row
    also counts pupils whose schools have no row or no published figure (e.g. alternative provision), so:
    ``pupil_gap`` = LA pupils − school pupils, and ``implied_missing_p8`` = (LA P8 × LA pupils − Σ school
    P8 × pupils) / gap is the average P8 those pupils must have had for the two to agree. The LA P8 is
    rounded to 2 dp, so the implied value is only known within ± 0.005 × LA pupils / gap (``implied_range``).

    >>> res = pd.DataFrame({"year": [2017] * 3, "la_code": ["999"] * 3, "level": ["school", "school", "la"],
    ...     "p8_all": [0.5, -0.1, 0.2], "p8_all_status": ["reported"] * 3, "p8_pupils_all": [100.0, 100.0, 250.0]})
    >>> reconcile_la(res, la="999", year=2017)[["recomputed_p8", "pupil_gap", "implied_missing_p8"]].values.tolist()
    [[0.2, 50.0, 0.2]]
    """
    rows = results[(results["year"] == year) & (results["la_code"] == str(la))]
    out = []
    for g in GROUPS:
        if f"p8_{g}" not in rows or f"p8_pupils_{g}" not in rows:
            continue
        la_row = rows[rows["level"] == "la"]
        sch = rows[(rows["level"] == "school") & rows[f"p8_{g}"].notna() & (rows[f"p8_pupils_{g}"] > 0)]
        n_s = float(sch[f"p8_pupils_{g}"].sum())
        recomputed = stats.weighted_mean(sch[f"p8_{g}"], sch[f"p8_pupils_{g}"])
        total = recomputed * n_s if n_s else 0.0
        la_p8 = float(la_row[f"p8_{g}"].iloc[0]) if len(la_row) else np.nan
        la_n = float(la_row[f"p8_pupils_{g}"].iloc[0]) if len(la_row) else np.nan
        gap = la_n - n_s
        implied = (la_p8 * la_n - total) / gap if gap and not np.isnan(gap) else np.nan
        spread = 0.005 * la_n / gap if gap and not np.isnan(gap) else np.nan
        out.append({
            "pupil_group": g, "la_p8_file": la_p8, "la_pupils_file": la_n, "schools_counted": len(sch),
            "school_pupils": n_s, "recomputed_p8": round(recomputed, 4),
            "difference": round(recomputed - la_p8, 4), "pupil_gap": gap,
            "implied_missing_p8": round(implied, 3) if pd.notna(implied) else np.nan,
            "implied_range": (f"{implied - spread:.2f} to {implied + spread:.2f}" if pd.notna(implied) else ""),
        })
    return pd.DataFrame(out)


def ranked(panel: pd.DataFrame, national: pd.DataFrame, *, year: int) -> tuple[pd.DataFrame, dict[str, float], str]:
    """Schools' P8 in ``year`` for charting, highest first: disadvantaged pupils where the data have them,
    else all pupils; with the national reference lines the data hold (none are invented)."""
    group = "disadvantaged" if (panel.loc[panel["pupil_group"] == "disadvantaged", "p8_status"] == REPORTED).any() \
        else "all"
    rows = panel[(panel["year"] == year) & (panel["pupil_group"] == group) & (panel["p8_status"] == REPORTED)]
    rows = rows.sort_values(["p8", "school_name"], ascending=[False, True], kind="stable").reset_index(drop=True)
    lines = {f"England {GROUP_LABELS[g].lower()}": threshold(national, year, g, "p8")
             for g in ("non_disadvantaged", group)}
    return rows, {k: v for k, v in lines.items() if pd.notna(v)}, GROUP_LABELS[group]


def findings(beating: pd.DataFrame, strong: pd.DataFrame, reconciliation: pd.DataFrame, published: pd.DataFrame,
             availability: pd.DataFrame, *, la: str, la_name: str, year: int) -> pd.DataFrame:
    """The headline figures of notebook 03 as a findings-ready table (see ``FindingsLog.record_all``).

    Lists of schools are recorded alphabetically (as the source prints them). Without a full-schema file
    (``availability``) the disadvantaged findings have no value; what would give them is the published
    table's to say (``needs_note``). The national benchmarks are thresholds here: notebook 01 records them.
    """
    full = bool(availability["full_analysis"].any())
    rows = [
        {"finding_id": "schools_beating_benchmark", "key": la,
         "value": sorted(beating["school_name"]) if full else None,
         "label": f"{la_name}: schools whose disadvantaged P8 beat the national non-disadvantaged P8 in "
                  f"{year - 1} and {year}",
         "section": "Schools whose disadvantaged pupils beat the national non-disadvantaged P8 in both years"},
        {"finding_id": "schools_strong_attainment_progress", "key": la,
         "value": sorted(strong["school_name"]) if full else None,
         "label": f"{la_name}: schools above national A8 and P8 for all and disadvantaged pupils",
         "section": "Schools strong on attainment and progress, for all and for disadvantaged pupils"},
    ]
    recon = reconciliation.set_index("pupil_group")
    recon_all = recon.loc["all"] if "all" in recon.index else pd.Series(dtype=float)
    section = "Reconciliation: the LA's P8 rebuilt from its school rows"
    rows.append({"finding_id": "la_p8_recomputed", "key": la, "value": recon_all.get("recomputed_p8"),
                 "label": f"{la_name}: P8 rebuilt from school rows", "section": section,
                 "note": "" if full else "No LA row or P8 pupil counts in the trimmed files."})
    rows.append({"finding_id": "la_p8_published", "key": la, "value": recon_all.get("la_p8_file"),
                 "label": f"{la_name}: P8 in the file's LA row", "section": section,
                 "note": "" if full else "No LA row in the trimmed files."})
    for row in published.itertuples():
        measure = row.finding_id.replace("school_", "").replace("_", " ")
        rows.append({"finding_id": row.finding_id, "key": row.printed_name, "year": row.year,
                     "value": row.reproduced, "label": f"{row.printed_name} (URN {row.urn}): {measure}",
                     "section": "Published school figures next to ours",
                     "note": f"Reproduced from {row.source_id}." if row.basis == "reproduced" else ""})
    return pd.DataFrame(rows)
