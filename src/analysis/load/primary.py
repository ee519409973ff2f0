"""Primary-school tables: KS2 results (trimmed national file), the January school census, pupil absence.

Each reader returns one row per record with stable column names (column maps in
``data/reference/column_maps/{ks2_school_trimmed,census,absence}.csv``) and, for every measure, a float
column plus ``<name>_status`` (reported / SUPP / NP / LOWCOV / missing). The census and absence files end
with national total rows (``NAT``): they are kept, marked ``level == "national"``, never mixed with schools.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ._dfe import DataFormatError, read_mapped_table

_URN = pa.Column("string", pa.Check.str_matches(r"^\d{5,7}$"), nullable=True)
_PCT = dict(checks=pa.Check.in_range(0, 100), nullable=True)

KS2_SCHOOL = pa.DataFrameSchema(
    {
        "year": pa.Column(int, pa.Check.in_range(2000, 2100)),
        "urn": pa.Column("string", pa.Check.str_matches(r"^\d{5,7}$"), unique=True),
        "ks2_pupils": pa.Column(float, pa.Check.ge(0), nullable=True),
        "read_progress": pa.Column(float, pa.Check.in_range(-30, 30), nullable=True),
        "read_score": pa.Column(float, pa.Check.in_range(80, 120), nullable=True),
        "mat_score": pa.Column(float, pa.Check.in_range(80, 120), nullable=True),
        **{f"{s}_meet_pct": pa.Column(float, **_PCT) for s in ("read", "writ", "mat", "rwm")},
    },
    strict=False,
)

CENSUS = pa.DataFrameSchema(
    {
        "year": pa.Column(int),
        "level": pa.Column("string", pa.Check.isin(["school", "national"])),
        "urn": _URN,
        "la_code": pa.Column("string", pa.Check.str_matches(r"^\d{3}$"), nullable=True),
        **{c: pa.Column(float, **_PCT) for c in ("girls_pct", "eal_pct", "fsm_ever6_pct", "sen_support_pct")},
    },
    checks=pa.Check(lambda f: bool(f.loc[f["level"] == "school", "urn"].notna().all()), error="school rows have URNs"),
    strict=False,
)

ABSENCE = pa.DataFrameSchema(
    {
        "year": pa.Column(int),
        "level": pa.Column("string", pa.Check.isin(["school", "national"])),
        "urn": _URN,
        "absence_pct": pa.Column(float, **_PCT),
        "persistent_absence_pct": pa.Column(float, **_PCT),
    },
    strict=False,
)


def _mark_national(tidy: pd.DataFrame, marker_column: str, path: Path) -> pd.DataFrame:
    """Rows whose ``marker_column`` says NAT are England totals: level 'national', phase from ESTAB."""
    is_nat = tidy[marker_column].fillna("").str.upper().eq("NAT")
    out = tidy.copy()
    out.insert(1, "level", pd.Series("school", index=out.index, dtype="string").mask(is_nat, "national"))
    out["phase"] = out["estab"].where(is_nat).astype("string")  # PRI / SEC / SPE on the national rows
    for col in ("urn", "la_code", "estab"):
        out[col] = out[col].mask(is_nat, pd.NA)
    out["la_code"] = out["la_code"].str.zfill(3)
    if out.loc[out["level"] == "school", "urn"].isna().any():
        raise DataFormatError(f"{path}: a school row (not NAT) has no URN")
    return out


def read_ks2_trimmed(path: Path | str | None = None, *, year: int) -> pd.DataFrame:
    """Trimmed national KS2 file: one row per school (URN; no LA column: join the school spine).

    Percentages ('93%') become floats; LOWCOV (too few pupils with KS1 results) and blanks stay statuses.
    ``writ_score_as_published`` is the file's 'Writing Score': writing was teacher-assessed in 2016 and has
    no scaled score, so this column (probably the grammar, punctuation and spelling test) is not used.
    """
    tidy, path = read_mapped_table("ks2_school_trimmed", "ks2_school_trimmed", year, path)
    try:
        return KS2_SCHOOL.validate(tidy)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as exc:
        raise DataFormatError(f"{path}: KS2 table fails its schema: {exc}") from exc


def read_census(path: Path | str | None = None, *, year: int) -> pd.DataFrame:
    """January school census (performance-tables release): pupils, girls, SEN, EAL, FSM and FSM ever-6.

    NP ('not published', e.g. FSM ever-6 for independent schools) stays a status. The two last rows
    (URN 'NAT', ESTAB PRI/SEC) are England's primary and secondary totals: ``level == 'national'``.
    """
    tidy, path = read_mapped_table("census", "census", year, path)
    try:
        return CENSUS.validate(_mark_national(tidy, "urn", path))
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as exc:
        raise DataFormatError(f"{path}: census table fails its schema: {exc}") from exc


def read_absence(path: Path | str | None = None, *, year: int) -> pd.DataFrame:
    """Pupil absence per school: overall absence % and persistent absentees % (SUPP kept as a status).

    The last rows (LA 'NAT', ESTAB PRI/SEC/SPE) are England's totals by phase: ``level == 'national'``.
    """
    tidy, path = read_mapped_table("absence", "absence", year, path)
    try:
        return ABSENCE.validate(_mark_national(tidy, "la_code", path))
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as exc:
        raise DataFormatError(f"{path}: absence table fails its schema: {exc}") from exc
