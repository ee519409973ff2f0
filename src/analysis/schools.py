"""Schools whose disadvantaged pupils out-progress the national non-disadvantaged average, year after year.

From DfE school-level KS4 performance tables: each school's Progress 8 (P8) and Attainment 8 (A8) for all,
disadvantaged and non-disadvantaged pupils in a year and the year before, with pupil counts and 95%
confidence intervals; the schools beating a national benchmark in both years; schools above the national
figure on A8 and P8; and the LA's P8 rebuilt from its school rows.

What the data allows decides what is shown, never the LA code: a full-schema file (per-LA or DfE's national
``england_ks4revised.csv``, registry role ``ks4_school_full``) gives every pupil group; where only the
trimmed national files exist (role ``ks4_school_trimmed``), the same functions run with all-pupil P8/A8 and
mark the disadvantaged figures ``not_in_data``.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from . import findings, reference, sources
from .load._dfe import REPORTED

GROUPS = ("all", "disadvantaged", "non_disadvantaged")
GROUP_LABELS = {"all": "All pupils", "disadvantaged": "Disadvantaged", "non_disadvantaged": "Non-disadvantaged"}
#: Per group: the measures a school row carries (value + ``_status``).
MEASURES = ("p8", "p8_pupils", "p8_ci_low", "p8_ci_high", "a8")
#: Status of a measure that none of the loaded files carries (e.g. disadvantaged P8 from a trimmed file).
NOT_IN_DATA = "not_in_data"
Z95 = 1.96  # two-sided 95% normal quantile, as in DfE's P8 confidence intervals

# DfE NFTYPE codes of independent schools (full-schema files); special schools are told apart by RECTYPE.
INDEPENDENT_CODES = {"IND", "INDSPEC"}
# Admissions policy as written in the full-schema files (ADMPOL codes) and in the spine (words).
# Secondary modern (MOD) schools admit without selection by ability (they take the pupils grammar schools do
# not select), so they count as non-selective, as in the spine's two-way Non-selective / Selective split.
ADMISSIONS = {
    "comp": "non-selective",
    "non-selective": "non-selective",
    "mod": "non-selective",
    "sel": "selective",
    "selective": "selective",
    "na": "not applicable",
    "not applicable": "not applicable",
    "uk": "not recorded",
    "not recorded": "not recorded",
}
SECTORS = ("state-funded mainstream", "state-funded special", "independent", "college", "unknown")


# --------------------------------------------------------------------------------------------- the data held
def _full_sources(year: int, la: str) -> list[sources.Source]:
    """Full-schema files for the year that cover the LA: its own per-LA file, else a national file (no la)."""
    hits = sources.find("ks4_school_full", year)
    own = [s for s in hits if s.la == str(la)]
    return own or [s for s in hits if s.la is None]


def available_years() -> list[int]:
    """Years with school-level KS4 files in the registry (full-schema or trimmed)."""
    return sorted(set(sources.years_for("ks4_school_full")) | set(sources.years_for("ks4_school_trimmed")))


def available_las(year: int | None = None) -> pd.DataFrame:
    """Every LA the school data covers (code, name): LAs with secondary schools in the spine and the LA list."""
    from . import load

    spine = load.read_school_spine()
    codes = set(spine.loc[spine["is_secondary"], "la_code"].dropna())
    names = load.read_la_code_list()[["la_code", "la_name"]]
    return names[names["la_code"].isin(codes)].sort_values("la_code").reset_index(drop=True)


def data_availability(year: int, la: str) -> pd.DataFrame:
    """Which registered files serve the year and the year before, and which pupil groups they carry.

    ``full_analysis`` is True when a full-schema file covers the LA; otherwise ``advice`` names the file to
    add to the registry (DfE's national ``england_ks4revised.csv`` for the year: role ``ks4_school_full``,
    no ``la``).
    """
    rows = []
    full = _full_sources(year, la)
    for s in full:
        rows.append({"source_id": s.id, "role": s.role, "covers": f"LA {s.la}" if s.la else "England",
                     "data_years": f"{year - 1}, {year}", "pupil_groups": "all, disadvantaged, non-disadvantaged"})
    for y in (year, year - 1):
        for s in sources.find("ks4_school_trimmed", y):
            rows.append({"source_id": s.id, "role": s.role, "covers": "England", "data_years": str(y),
                         "pupil_groups": "all"})
    table = pd.DataFrame(rows, columns=["source_id", "role", "covers", "data_years", "pupil_groups"])
    table["full_analysis"] = bool(full)
    table["advice"] = "" if full else (
        f"No full-schema KS4 file for {year} covers LA {la}: disadvantaged figures cannot be computed. Add DfE's "
        f"national england_ks4revised.csv for {year - 1}/{str(year)[-2:]} to data/sources.yml (role "
        "ks4_school_full, no la) with its metadata, then rerun: the same code runs the full analysis."
    )
    return table


def read_results(year: int, la: str) -> pd.DataFrame:
    """Every KS4 record the registry holds for ``year`` and ``year - 1``, harmonised (see :func:`combine_results`).

    Full-schema files covering the LA are read whole (a national file keeps every LA, so predecessors in
    other LAs are found); trimmed national files fill (URN, year) pairs the full files lack.
    """
    from . import load

    full = [load.read_ks4_performance(sources.path(s.id), year=year).assign(source_id=s.id)
            for s in _full_sources(year, la)]
    trimmed = [load.read_ks4_trimmed(year=y).assign(source_id=s.id)
               for y in (year, year - 1) for s in sources.find("ks4_school_trimmed", y)]
    return combine_results(
        pd.concat(full, ignore_index=True) if full else None,
        pd.concat(trimmed, ignore_index=True) if trimmed else None,
        load.read_school_spine(),
    )


def _norm_admissions(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip().str.lower()
    return text.map(ADMISSIONS).fillna("not recorded").astype("string")


def _sector_from_file(record_type: pd.Series, code: pd.Series) -> pd.Series:
    code = code.astype("string").str.upper()
    special = record_type.astype("string").str.contains("special", case=False).fillna(False)
    out = pd.Series("state-funded mainstream", index=code.index, dtype="string")
    out[special] = "state-funded special"
    out[code.isin(INDEPENDENT_CODES).fillna(False)] = "independent"
    return out


def _sector_from_spine(minor_group: pd.Series, school_type: pd.Series) -> pd.Series:
    group = minor_group.astype("string").str.lower().fillna("")
    kind = school_type.astype("string").str.lower().fillna("")
    out = pd.Series("state-funded mainstream", index=group.index, dtype="string")
    out[group.str.contains("college")] = "college"
    out[kind.str.contains("special")] = "state-funded special"
    out[group.str.contains("independent")] = "independent"
    out[group == ""] = "unknown"
    return out


def combine_results(full: pd.DataFrame | None, trimmed: pd.DataFrame | None, spine: pd.DataFrame) -> pd.DataFrame:
    """One row per (record, year) from full-schema rows, then trimmed rows for (URN, year) pairs not yet held.

    School attributes (LA, name, sector, admissions, gender) come from the file where it has them, else
    from the spine. Measures a source does not carry get status ``not_in_data`` (never a silent NaN).
    """
    measure_cols = [f"{m}_{g}" for g in GROUPS for m in MEASURES]
    frames = []
    if full is not None and len(full):
        f = full.copy()
        f["sector"] = _sector_from_file(f["record_type"], f["school_type"]).where(f["level"] == "school")
        f["admissions"] = _norm_admissions(f["admissions_policy"])
        f["gender"] = f["gender"].astype("string").str.lower()
        f["has_split"] = True
        frames.append(f)
    held = set()
    if frames:
        school_rows = frames[0][frames[0]["level"] == "school"]
        held = set(zip(school_rows["urn"], school_rows["year"], strict=True))
    if trimmed is not None and len(trimmed):
        t = trimmed[~pd.Series(list(zip(trimmed["urn"], trimmed["year"], strict=True)), index=trimmed.index)
                    .isin(held)].copy()
        attrs = spine.drop_duplicates("urn").set_index("urn")
        t["level"] = "school"
        t["record_type"] = "school (trimmed file)"
        t["la_code"] = t["urn"].map(attrs["la_code"]).astype("string")
        t["school_name"] = t["urn"].map(attrs["school_name"]).astype("string")
        t["sector"] = _sector_from_spine(t["urn"].map(attrs["minor_group"]), t["urn"].map(attrs["school_type"]))
        t["admissions"] = _norm_admissions(t["urn"].map(attrs["admissions_policy"]))
        t["gender"] = t["urn"].map(attrs["gender"]).astype("string").str.lower()
        t["is_state_funded_national"] = False
        t["has_split"] = False
        frames.append(t)
    cols = ["year", "level", "urn", "la_code", "school_name", "sector", "admissions", "gender",
            "is_state_funded_national", "has_split", "source_id"]
    out = []
    for frame in frames:
        frame = frame.copy()
        for col in cols:
            if col not in frame:
                frame[col] = pd.NA
        for col in measure_cols:
            if col not in frame:
                frame[col] = np.nan
                frame[f"{col}_status"] = NOT_IN_DATA
        out.append(frame[cols + [c for m in measure_cols for c in (m, f"{m}_status")]])
    if not out:
        raise ValueError("combine_results: no full-schema and no trimmed KS4 rows were given")
    table = pd.concat(out, ignore_index=True)
    table["year"] = table["year"].astype(int)
    table["is_state_funded_national"] = table["is_state_funded_national"].astype(bool)
    for col in ("level", "urn", "la_code", "school_name", "sector", "admissions", "gender", "source_id"):
        table[col] = table[col].astype("string")
    return table.sort_values(["year", "level", "urn"], ascending=[False, True, True], kind="stable").reset_index(
        drop=True)


# ------------------------------------------------------------------------------------------ national figures
def national_benchmarks(results: pd.DataFrame, year: int) -> pd.DataFrame:
    """National state-funded P8 and A8 per (year, pupil group), from the file's own national row (RECTYPE 7).

    Rows stay (value NaN, status ``not_in_data``) when the data hold no national row.

    >>> res = pd.DataFrame({"year": [2017], "is_state_funded_national": [True], "p8_all": [-0.03],
    ...     "p8_all_status": ["reported"], "a8_all": [46.3], "a8_all_status": ["reported"]})
    >>> national_benchmarks(res, 2017).query("year == 2017 and pupil_group == 'all'")["p8"].item()
    -0.03
    """
    rows = []
    for y in (year, year - 1):
        nat = results[(results["year"] == y) & results["is_state_funded_national"]]
        for g in GROUPS:
            row = {"year": y, "pupil_group": g}
            for m in ("p8", "a8"):
                col = f"{m}_{g}"
                have = len(nat) and col in nat
                row[m] = float(nat[col].iloc[0]) if have else np.nan
                row[f"{m}_status"] = str(nat[f"{col}_status"].iloc[0]) if have else NOT_IN_DATA
            rows.append(row)
    return pd.DataFrame(rows)


def _threshold(national: pd.DataFrame, year: int, group: str, measure: str) -> float:
    hit = national[(national["year"] == year) & (national["pupil_group"] == group)]
    return float(hit[measure].iloc[0]) if len(hit) else np.nan


# ---------------------------------------------------------------------------------- confidence intervals
def estimate_p8_sd(results: pd.DataFrame) -> pd.DataFrame:
    """Back out DfE's national pupil-level P8 standard deviation from the file's own 95% CIs, per year.

    DfE: CI = P8 ± 1.96 σ / √n. Each interval gives half-width h = 1.96 σ / √n; least squares of h on 1/√n
    (all school and LA rows, all pupil groups) gives σ. ``max_abs_error`` is the largest difference between
    a file bound and the bound recomputed with that σ (both rounded to 2 dp): ≤ 0.01 means the method and σ
    reproduce the file.

    >>> res = pd.DataFrame({"year": [2017, 2017], "level": ["school", "school"], "p8_all": [0.1, 0.0],
    ...     "p8_pupils_all": [100.0, 25.0], "p8_ci_low_all": [-0.15, -0.5], "p8_ci_high_all": [0.35, 0.5]})
    >>> round(estimate_p8_sd(res)["sd"].item(), 3)  # h=0.25 at n=100 and 0.5 at n=25: σ=0.25*10/1.96
    1.276
    """
    rows = []
    for y, part in results.groupby("year", sort=True):
        h, inv, used = [], [], []  # used: (rows with an interval, pupil group) for the check
        for g in GROUPS:
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
            half = Z95 * sd / np.sqrt(sub[f"p8_pupils_{g}"])
            worst = max(worst, float((sub[f"p8_{g}"] - half).round(2).sub(sub[f"p8_ci_low_{g}"]).abs().max()
                                     if len(sub) else 0),
                        float((sub[f"p8_{g}"] + half).round(2).sub(sub[f"p8_ci_high_{g}"]).abs().max()
                              if len(sub) else 0))
        rows.append({"year": y, "sd": round(sd, 3), "n_intervals": len(h_all), "max_abs_error": round(worst, 4),
                     "method": "backed out of the file's P8 CIs (least squares of half-width on 1/sqrt(n))"})
    return pd.DataFrame(rows)


def add_confidence_intervals(results: pd.DataFrame, sd: pd.DataFrame) -> pd.DataFrame:
    """Keep the file's 95% CIs; where absent but P8 and its pupil count are reported, compute P8 ± 1.96σ/√n.

    ``p8_ci_source_<group>`` says which: ``file``, ``computed``, or why none (no P8 / no pupil count / no σ).

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
        can = ~from_file & out[f"p8_{g}"].notna() & (out[f"p8_pupils_{g}"] > 0) & sigma.notna()
        half = Z95 * sigma / np.sqrt(out[f"p8_pupils_{g}"])
        out.loc[can, f"p8_ci_low_{g}"] = (out[f"p8_{g}"] - half)[can].round(2)
        out.loc[can, f"p8_ci_high_{g}"] = (out[f"p8_{g}"] + half)[can].round(2)
        source = pd.Series("none: no P8", index=out.index, dtype="string")
        source[out[f"p8_{g}"].notna()] = "none: no pupil count"
        source[out[f"p8_{g}"].notna() & (out[f"p8_pupils_{g}"] > 0) & sigma.isna()] = "none: no sigma"
        source[can] = "computed"
        source[from_file] = "file"
        out[f"p8_ci_source_{g}"] = source
    return out


# ------------------------------------------------------------------------------------- schools and links
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
    choices = {"sector": (sector, SECTORS), "admissions": (admissions, sorted(set(ADMISSIONS.values()))),
               "gender": (gender, ["mixed", "boys", "girls"])}
    for col, (want, valid) in choices.items():
        if want is None:
            continue
        if str(want).lower() not in valid:
            raise reference.ParameterError(f"{col}: {want!r} is not a valid filter; expected one of {valid} or None")
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


def show_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """Readable panel: suppressed or missing values shown as their code (e.g. 'SUPP'), CIs as 'low to high'."""
    out = panel[["urn", "school_name", "year", "pupil_group", "data_urn"]].copy()
    for m, fmt in (("p8", "{:.2f}"), ("p8_pupils", "{:.0f}"), ("a8", "{:.1f}")):
        out[m] = [fmt.format(v) if s == REPORTED else str(s) for v, s in zip(panel[m], panel[f"{m}_status"],
                                                                               strict=True)]
    out["p8_95ci"] = [f"{lo:.2f} to {hi:.2f}" if pd.notna(lo) and pd.notna(hi) else "" for lo, hi in
                      zip(panel["p8_ci_low"], panel["p8_ci_high"], strict=True)]
    out["ci_source"] = panel["ci_source"]
    return out


# ------------------------------------------------------------------------------------------------ criteria
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
        table[f"benchmark_{y}"] = _threshold(national, y, "non_disadvantaged", "p8")
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
            table[f"national_{m}_{g}"] = _threshold(national, year, g, m)
            keep &= table[f"{m}_{g}"] > table[f"national_{m}_{g}"]
    out = table[keep].reset_index()
    return out.sort_values(["p8_all", "school_name", "urn"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------- reconciliation
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
        total = float((sch[f"p8_{g}"] * sch[f"p8_pupils_{g}"]).sum())
        la_p8 = float(la_row[f"p8_{g}"].iloc[0]) if len(la_row) else np.nan
        la_n = float(la_row[f"p8_pupils_{g}"].iloc[0]) if len(la_row) else np.nan
        gap = la_n - n_s
        implied = (la_p8 * la_n - total) / gap if gap and not np.isnan(gap) else np.nan
        spread = 0.005 * la_n / gap if gap and not np.isnan(gap) else np.nan
        out.append({
            "pupil_group": g, "la_p8_file": la_p8, "la_pupils_file": la_n, "schools_counted": len(sch),
            "school_pupils": n_s, "recomputed_p8": round(total / n_s, 4) if n_s else np.nan,
            "difference": round(total / n_s - la_p8, 4) if n_s else np.nan, "pupil_gap": gap,
            "implied_missing_p8": round(implied, 3) if pd.notna(implied) else np.nan,
            "implied_range": (f"{implied - spread:.2f} to {implied + spread:.2f}" if pd.notna(implied) else ""),
        })
    return pd.DataFrame(out)


# ------------------------------------------------------------------------------ published school figures
def normalise_name(name: object) -> str:
    """School name for matching: accents, case, '&', apostrophes and punctuation folded.

    >>> normalise_name("ARK St. Alban’s Academy"), normalise_name("Heathcote School & Science College")
    ('ark st albans academy', 'heathcote school and science college')
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"['\u2019`]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def match_names(printed: list[str], candidates: pd.DataFrame) -> pd.DataFrame:
    """Printed school names → URN among ``candidates`` (urn, school_name): exact normalised name, else the
    one candidate whose normalised name contains the printed one (or the reverse); ambiguous = no match.

    >>> cands = pd.DataFrame({"urn": ["1", "2"], "school_name": ["Holyhead School", "Saltley Academy"]})
    >>> match_names(["Holyhead School", "Nowhere High"], cands)["urn"].tolist()
    ['1', <NA>]
    """
    cands = candidates.drop_duplicates("urn").assign(norm=lambda f: f["school_name"].map(normalise_name))
    out = []
    for name in printed:
        key = normalise_name(name)
        hit = cands[cands["norm"] == key]
        how = "exact (normalised)"
        if hit["urn"].nunique() != 1:
            hit = cands[cands["norm"].map(lambda c, k=key: k in c or c in k)]
            how = "contains"
        if hit["urn"].nunique() == 1:
            out.append((name, hit["urn"].iloc[0], hit["school_name"].iloc[0], how))
        else:
            out.append((name, pd.NA, pd.NA, "no unique match" if len(hit) else "not found"))
    return pd.DataFrame(out, columns=["printed_name", "urn", "data_name", "match"]).astype("string")


SCHOOL_FINDINGS = {  # published finding id → (measure, pupil group)
    "school_p8_all": ("p8", "all"),
    "school_a8_all": ("a8", "all"),
    "school_p8_disadvantaged": ("p8", "disadvantaged"),
    "school_a8_disadvantaged": ("a8", "disadvantaged"),
}


def published_school_figures(panel: pd.DataFrame, results: pd.DataFrame, *, la: str, year: int) -> pd.DataFrame:
    """Each published school figure (``school_*`` findings for ``year`` and ``year - 1``) next to ours.

    Printed names are matched within the LA's school rows (any type, either year); names not found in the LA
    are left out (they belong to another LA). ``basis`` is ``reproduced`` where our data carry the figure and
    ``published only`` where they do not (e.g. disadvantaged P8 without a full-schema file).
    """
    pub = findings.published_figures()
    pub = pub[pub["finding_id"].isin(SCHOOL_FINDINGS) & pub["year"].isin([year, year - 1])]
    cols = ["printed_name", "urn", "data_name", "match", "finding_id", "year", "pupil_group", "published",
            "reproduced", "status", "basis", "source_id"]
    if pub.empty:
        return pd.DataFrame(columns=cols)
    la_rows = results[(results["level"] == "school") & (results["la_code"] == str(la))]
    names = match_names(sorted(pub["key"].unique()), la_rows[["urn", "school_name"]])
    names = names[names["urn"].notna()]
    table = pub.merge(names, left_on="key", right_on="printed_name")[["printed_name", "urn", "data_name", "match",
                                                                       "finding_id", "year", "value"]]
    table["measure"] = table["finding_id"].map(lambda f: SCHOOL_FINDINGS[f][0])
    table["pupil_group"] = table["finding_id"].map(lambda f: SCHOOL_FINDINGS[f][1])
    table["published"] = table["value"].astype(float)
    long = panel.set_index(["urn", "year", "pupil_group"])
    reproduced, status, source = [], [], []
    for row in table.itertuples():
        key = (row.urn, row.year, row.pupil_group)
        hit = long.loc[[key]] if key in long.index else None
        st = str(hit[f"{row.measure}_status"].iloc[0]) if hit is not None else "not in the filtered schools"
        status.append(st)
        reproduced.append(float(hit[row.measure].iloc[0]) if st == REPORTED else np.nan)
        source.append(str(hit["source_id"].iloc[0]) if hit is not None else "")
    table["reproduced"] = reproduced
    table["status"] = status
    table["source_id"] = source
    table["basis"] = np.where(table["status"] == REPORTED, "reproduced", "published only")
    return table[cols].sort_values(["printed_name", "finding_id", "year"], kind="stable").reset_index(drop=True)


def ranked(panel: pd.DataFrame, national: pd.DataFrame, *, year: int) -> tuple[pd.DataFrame, dict[str, float], str]:
    """Schools' P8 in ``year`` for charting, highest first: disadvantaged pupils where the data have them,
    else all pupils; with the national reference lines the data hold (none are invented)."""
    group = "disadvantaged" if (panel.loc[panel["pupil_group"] == "disadvantaged", "p8_status"] == REPORTED).any() \
        else "all"
    rows = panel[(panel["year"] == year) & (panel["pupil_group"] == group) & (panel["p8_status"] == REPORTED)]
    rows = rows.sort_values(["p8", "school_name"], ascending=[False, True], kind="stable").reset_index(drop=True)
    lines = {f"England {GROUP_LABELS[g].lower()}": _threshold(national, year, g, "p8")
             for g in ("non_disadvantaged", group)}
    return rows, {k: v for k, v in lines.items() if pd.notna(v)}, GROUP_LABELS[group]
