"""Primary-school tables: KS2 results (trimmed national file), the January school census, pupil absence.

Each reader returns one row per record with stable column names (column maps in
``data/reference/column_maps/{ks2_school_trimmed,census,absence}.csv``) and, for every measure, a float
column plus ``<name>_status`` (reported / SUPP / NP / LOWCOV / missing). The census and absence files end
with national total rows (``NAT``): they are kept, marked ``level == "national"``, never mixed with schools.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..common import nearest_year
from ..errors import DataFormatError, SourceError
from . import dependencies, schema_errors, sources
from .dfe import read_mapped_cached, read_text_table, split_value_status
from .schemas import ABSENCE, CENSUS, KS2_SCHOOL

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
    The file's "Writing" score and % columns are the grammar, punctuation and spelling test (``gps_*``: see
    the column map's README); ``writ_progress`` is real writing progress. Writing teacher assessment is not in it.
    """
    return read_mapped_cached("ks2_school_trimmed", "ks2_school_trimmed", year, path, "ks2_trimmed",
                              lambda tidy, path: schema_errors.validate(
                                  KS2_SCHOOL, tidy, file=path, map_name="ks2_school_trimmed", year=year, what="KS2"))


def read_census(path: Path | str | None = None, *, year: int) -> pd.DataFrame:
    """January school census (performance-tables release): pupils, girls, SEN, EAL, FSM and FSM ever-6.

    NP ('not published', e.g. FSM ever-6 for independent schools) stays a status. The two last rows
    (URN 'NAT', ESTAB PRI/SEC) are England's primary and secondary totals: ``level == 'national'``.
    """
    return read_mapped_cached("census", "census", year, path, "census", lambda tidy, path: schema_errors.validate(
        CENSUS, _mark_national(tidy, "urn", path), file=path, map_name="census", year=year, what="census"))


def read_absence(path: Path | str | None = None, *, year: int) -> pd.DataFrame:
    """Pupil absence per school: overall absence % and persistent absentees % (SUPP kept as a status).

    The last rows (LA 'NAT', ESTAB PRI/SEC/SPE) are England's totals by phase: ``level == 'national'``.
    """
    return read_mapped_cached("absence", "absence", year, path, "absence", lambda tidy, path: schema_errors.validate(
        ABSENCE, _mark_national(tidy, "la_code", path), file=path, map_name="absence", year=year, what="absence"))


# ------------------------------------------------------------------ one table of primary schools
def context_years(year: int) -> dict[str, int]:
    """Which census and absence files go with KS2 ``year``: the registry's nearest (see ``common.nearest_year``).

    >>> context_years(2016)
    {'ks2': 2016, 'census': 2017, 'absence': 2016}
    """
    held = {role: sources.years_for(role) for role in ("census", "absence")}
    for role, years in held.items():
        if not years:
            raise SourceError(f"No source of role {role!r} in data/sources.yml: add one (see the README)")
    return {"ks2": int(year), **{role: nearest_year(year, years) for role, years in held.items()}}


def join_primary_schools(
    ks2: pd.DataFrame,
    census: pd.DataFrame,
    absence: pd.DataFrame,
    spine: pd.DataFrame,
    la_names: pd.DataFrame,
    *,
    links: pd.DataFrame | None = None,
    user_factors: pd.DataFrame | None = None,
    census_year: int | None = None,
) -> pd.DataFrame:
    """One row per school with KS2 results: LA (the census's, else the spine's: ``la_source`` says which), name,
    type, KS2 results, census, absence, user factors (see :mod:`analysis.data.primary_las`).

    "KS2 results" = at least one reported % meeting the expected standard (reading, GPS, maths or RWM).
    ``user_factors``: a table with ``urn`` and any extra factor columns (``idaci``, ``mobility``), joined on URN.
    """
    from .primary_las import school_las

    las = school_las(ks2, census, spine, links, census_year=census_year)
    table = ks2.merge(las, on="urn", how="left", validate="one_to_one")
    table = table[table["has_ks2_results"]].drop(columns=["has_ks2_results"])
    table = table.merge(la_names[["la_code", "la_name"]].drop_duplicates("la_code"), on="la_code", how="left")
    census_cols = ["urn", "pupils", "girls_pct", "sen_ehcp_pct", "sen_support_pct", "eal_pct", "fsm_pct",
                   "fsm_ever6_pct", "fsm_ever6_pct_status"]
    schools_census = census.loc[census["level"] == "school", census_cols]
    table = table.merge(schools_census, on="urn", how="left", validate="one_to_one")
    abs_cols = ["urn", "absence_pct", "persistent_absence_pct"]
    table = table.merge(absence.loc[absence["level"] == "school", abs_cols], on="urn", how="left",
                        validate="one_to_one")
    if user_factors is not None:
        extra = [c for c in user_factors.columns if c != "urn" and c not in table.columns]
        table = table.merge(user_factors[["urn", *extra]], on="urn", how="left", validate="one_to_one")
    return table.sort_values("urn", kind="stable").reset_index(drop=True)


def read_primary_schools(year: int, *, la: str | None = None,
                         user_factors_file: str | Path | None = None) -> pd.DataFrame:
    """:func:`join_primary_schools` from the registry's files for KS2 ``year`` (census, absence: nearest years)."""
    from .gias import read_gias_links, read_school_spine
    from .lait import read_la_code_list

    years = context_years(year)
    table = join_primary_schools(
        read_ks2_trimmed(year=years["ks2"]),
        read_census(year=years["census"]),
        read_absence(year=years["absence"]),
        read_school_spine(),
        read_la_code_list(),
        links=read_gias_links(),
        user_factors=read_user_factors(user_factors_file) if user_factors_file else None,
        census_year=years["census"],
    )
    if la is not None:
        table = table[table["la_code"] == str(la)].reset_index(drop=True)
    return table


def read_user_factors(path: str | Path) -> pd.DataFrame:
    """A user's CSV of extra factors: a ``urn`` column and numeric columns such as ``idaci``, ``mobility``."""
    dependencies.record_file(path)  # the runner reruns the notebook when the user edits this file
    raw = read_text_table(path)
    raw.columns = [c.lower() for c in raw.columns]
    if "urn" not in raw.columns:
        raise DataFormatError(f"{path}: a user factors file needs a 'urn' column (has {list(raw.columns)})")
    out = pd.DataFrame({"urn": raw["urn"].str.strip().astype("string")})
    for col in raw.columns.drop("urn"):
        out[col], _ = split_value_status(raw[col], file=str(path), column=col)
    if out["urn"].duplicated().any():
        raise DataFormatError(f"{path}: column urn repeats a URN; expected one row per school")
    return out
