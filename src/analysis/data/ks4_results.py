"""School-level KS4 results for a year and the year before, harmonised across the files that hold them.

A full-schema DfE file (per-LA, or DfE's national ``england_ks4revised.csv``: registry role
``ks4_school_full``) gives every pupil group with pupil counts and confidence intervals; the trimmed national
files (role ``ks4_school_trimmed``) give all-pupil P8 and A8 only. :func:`read_results` stacks what the
registry holds; measures a file does not carry get status ``not_in_data``, never a silent NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import academic_year
from . import sources

GROUPS = ("all", "disadvantaged", "non_disadvantaged")

#: Per group: the measures a school row carries (value + ``_status``).
MEASURES = ("p8", "p8_pupils", "p8_ci_low", "p8_ci_high", "a8")

#: Status of a measure that none of the loaded files carries (e.g. disadvantaged P8 from a trimmed file).
NOT_IN_DATA = "not_in_data"

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
ADMISSION_POLICIES = tuple(sorted(set(ADMISSIONS.values())))
GENDERS = ("mixed", "boys", "girls")


def _full_sources(year: int, la: str) -> list[sources.Source]:
    """Full-schema files for the year that cover the LA: its own per-LA file, else a national file (no la)."""
    hits = sources.find("ks4_school_full", year)
    own = [s for s in hits if s.la == str(la)]
    return own or [s for s in hits if s.la is None]


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
        f"national england_ks4revised.csv for {academic_year(year)} to data/sources.yml (role "
        "ks4_school_full, no la) with its metadata, then rerun: the same code runs the full analysis."
    )
    return table


def read_results(year: int, la: str) -> pd.DataFrame:
    """Every KS4 record the registry holds for ``year`` and ``year - 1``, harmonised (see :func:`combine_results`).

    Full-schema files covering the LA are read whole (a national file keeps every LA, so predecessors in
    other LAs are found); trimmed national files fill (URN, year) pairs the full files lack.
    """
    from .gias import read_school_spine
    from .ks4 import read_ks4_performance, read_ks4_trimmed

    full = [read_ks4_performance(sources.path(s.id), year=year).assign(source_id=s.id)
            for s in _full_sources(year, la)]
    trimmed = [read_ks4_trimmed(year=y).assign(source_id=s.id)
               for y in (year, year - 1) for s in sources.find("ks4_school_trimmed", y)]
    return combine_results(
        pd.concat(full, ignore_index=True) if full else None,
        pd.concat(trimmed, ignore_index=True) if trimmed else None,
        read_school_spine(),
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
    from the spine. ``ks4_pupils`` is the school's pupils at the end of KS4 (both layouts give it; a P8
    cohort is a little smaller: pupils without a KS2 result have no P8). Measures a source does not carry get status ``not_in_data`` (never a silent NaN).
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
            "is_state_funded_national", "has_split", "source_id", "ks4_pupils"]
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
    table["ks4_pupils"] = pd.to_numeric(table["ks4_pupils"], errors="coerce").astype("float64")
    table["is_state_funded_national"] = table["is_state_funded_national"].astype(bool)
    for col in ("level", "urn", "la_code", "school_name", "sector", "admissions", "gender", "source_id"):
        table[col] = table[col].astype("string")
    return table.sort_values(["year", "level", "urn"], ascending=[False, True, True], kind="stable").reset_index(
        drop=True)


def read_full_schema_files(year: int | None = None) -> pd.DataFrame:
    """Every full-schema KS4 file registered for ``year`` (any LA, or national; every year if None), stacked
    with ``source_id`` and ``file_year``. Each file gives rows for its own year and, from its back-columns, the
    year before (``year == file_year - 1``: only schools still open under the same URN, so never rebuild an
    area's figure for the earlier year from them).

    The pupil-level SD of P8 is one national figure per year, so it is estimated from every interval held
    (:func:`analysis.methods.stats.p8_sd`); an empty table (no such file) gives no estimate.
    """
    from .ks4 import read_ks4_performance

    frames = [read_ks4_performance(sources.path(s.id), year=s.year).assign(source_id=s.id, file_year=s.year)
              for s in sources.find("ks4_school_full", year)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["year", "level", "urn", "source_id", "file_year"])


def published_la_intervals(year: int) -> pd.DataFrame:
    """DfE's own 95% intervals for LAs' Progress 8 in ``year``, where a file we hold publishes one: one row per
    (LA, pupil group) with DfE's value, pupils, low and high, and the source.

    The LA rows (RECTYPE 4) of a full-schema file give every pupil group for the file's own year (not its
    back-columns: those cover only schools still open under the same URN); the provisional file's LA rows give
    all pupils, provisional figures, used only where no full-schema file covers the LA.
    """
    from .ks4_provisional import read_ks4_provisional_la

    cols = ["la_code", "pupil_group", "dfe_value", "dfe_pupils", "dfe_low", "dfe_high", "dfe_source"]
    rows = []
    full = read_full_schema_files(year)
    full = full[(full["level"] == "la") & (full["year"] == full["file_year"])] if len(full) else full
    for group in ("all", "disadvantaged", "non_disadvantaged"):
        need = [f"p8_{group}", f"p8_pupils_{group}", f"p8_ci_low_{group}", f"p8_ci_high_{group}"]
        if len(full) and set(need) <= set(full.columns):
            part = full.dropna(subset=need)
            rows.append(pd.DataFrame({"la_code": part["la_code"].astype(str), "pupil_group": group,
                                      "dfe_value": part[need[0]], "dfe_pupils": part[need[1]],
                                      "dfe_low": part[need[2]], "dfe_high": part[need[3]],
                                      "dfe_source": part["source_id"] + " (LA row)"}))
    provisional = read_ks4_provisional_la(year).dropna(subset=["p8_all", "p8_ci_low_all", "p8_ci_high_all"])
    rows.append(pd.DataFrame({"la_code": provisional["la_code"], "pupil_group": "all",
                              "dfe_value": provisional["p8_all"], "dfe_pupils": provisional["ks4_pupils"],
                              "dfe_low": provisional["p8_ci_low_all"], "dfe_high": provisional["p8_ci_high_all"],
                              "dfe_source": provisional["source_id"] + " (LA row, provisional)"}))
    out = pd.concat([r for r in rows if len(r)], ignore_index=True) if any(len(r) for r in rows) else None
    if out is None:
        return pd.DataFrame(columns=cols)
    # The revised (full-schema) figure wins over the provisional one for the same LA and group.
    return out.drop_duplicates(["la_code", "pupil_group"], keep="first")[cols].reset_index(drop=True)
