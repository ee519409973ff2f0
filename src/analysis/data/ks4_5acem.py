"""KS4 school-level 5+ A*-C incl. English and maths (5ACEM) by disadvantage (role ``ks4_5acem_school``).

The 2013/14 file is a third-party merge of DfE's KS4 performance tables for state-funded mainstream schools
(cp1252; numbers written like ``57.0``; suppressed or not-applicable cells are blank). Its columns ending
``_weighted`` were added by the repository's author and are never read: only DfE's own columns are mapped
(``data/reference/column_maps/ks4_5acem.csv``, keyed by file year, so a 2012/13 file needs only new map rows
and a registry entry).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import DataFormatError
from . import record_types, schema_errors
from .dfe import read_mapped_cached
from .schemas import KS4_5ACEM

#: Format name: its column map and its rows of data/reference/record_types.csv, where RECTYPE is text
#: (SCH, LA), not DfE's numeric codes (1/2/4/5/7 in the metadata file).
FORMAT = "ks4_5acem"

def _strip_float_suffix(col: pd.Series) -> pd.Series:
    # Codes were written through a float column ("202.0", "100053.0"): restore the DfE code.
    return col.str.replace(r"\.0$", "", regex=True)


def read_ks4_5acem(path: Path | str | None = None, *, year: int) -> pd.DataFrame:
    """One year's KS4 5ACEM file as a tidy table: one row per record (school or LA), as in the file.

    Every measure has a float column and ``<name>_status`` (``reported``, or ``missing`` for a blank cell:
    in this file a blank means suppressed, no pupils, or no results). ``level`` is ``school`` or ``la``.
    Rows are kept exactly as in the file, including rows the file repeats verbatim (the record-type table allows
    them for this format; a repeated URN whose rows differ is refused): deciding what to drop is the analysis's
    job.
    """
    return read_mapped_cached("ks4_5acem_school", FORMAT, year, path, "ks4_5acem",
                              lambda tidy, path: _levelled(tidy, path, year))


def _levelled(tidy: pd.DataFrame, path: Path, year: int) -> pd.DataFrame:
    """The mapped table with its codes restored, ``level`` and ``row_in_file`` added, validated."""
    for col in ("urn", "la_code"):
        tidy[col] = _strip_float_suffix(tidy[col])
    levels = record_types.levels(FORMAT)
    unknown = sorted(set(tidy["rectype"].dropna()) - set(levels))
    if unknown or tidy["rectype"].isna().any():  # screened already; kept for a caller's own table
        raise DataFormatError(
            f"{path}: column RECTYPE holds {unknown or 'blank values'}; expected one of {sorted(levels)}"
        )
    tidy["level"] = tidy["rectype"].map(levels).astype("string")
    tidy["row_in_file"] = range(len(tidy))  # apply_column_map keeps file order for a one-year file
    return schema_errors.validate(KS4_5ACEM, tidy, file=path, map_name=FORMAT, year=year, what="KS4 5ACEM")
