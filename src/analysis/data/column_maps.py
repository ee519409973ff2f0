"""Column maps (``data/reference/column_maps/<name>.csv``): checking a year's rows and proposing a new year's.

DfE names a back-column by the year it describes: in the 2016/17 file ``P8MEA_16`` is 2015/16's Progress 8. A
2017/18 file carries ``_17`` *and* ``_16`` columns, so a map copied from 2017 without shifting the suffix
would silently read 2015/16 values as 2016/17's. :func:`check_back_columns` makes that an error.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from .. import paths
from ..errors import DataFormatError

_SUFFIX = re.compile(r"^(?P<base>.+)_(?P<yy>\d{2})$")


def map_path(name: str):
    return paths.REFERENCE / "column_maps" / f"{name}.csv"


def read_map(name: str) -> pd.DataFrame:
    """Every row of one column map (all file years)."""
    return pd.read_csv(map_path(name), dtype={"file_year": int, "dfe_column": str, "name": str, "year_offset": int,
                                              "kind": str, "position": str, "required": str}, keep_default_na=False)


def role_maps() -> pd.DataFrame:
    """Which column map each registry role is read with (``column_maps/roles.csv``)."""
    return pd.read_csv(paths.REFERENCE / "column_maps" / "roles.csv", dtype=str, keep_default_na=False)


def back_column(column: str, file_year: int, offset: int) -> str:
    """The name a back-column has in the file of ``file_year``: its base with the suffix of the year it describes.

    >>> back_column("P8MEA_16", 2018, -1), back_column("P8MEA_16", 2017, -1)
    ('P8MEA_17', 'P8MEA_16')
    """
    match = _SUFFIX.match(column)
    base = match["base"] if match else column
    return f"{base}_{(int(file_year) + int(offset)) % 100:02d}"


def check_back_columns(rows: pd.DataFrame, file_year: int, *, map_name: str) -> None:
    """A back-column (``year_offset`` < 0) must carry the suffix of the year it describes; an error names the
    column and the expected name.

    >>> rows = pd.DataFrame({"dfe_column": ["P8MEA", "P8MEA_16"], "year_offset": [0, -1]})
    >>> check_back_columns(rows, 2017, map_name="ks4_school")
    >>> check_back_columns(rows, 2018, map_name="ks4_school")
    Traceback (most recent call last):
    ...
    analysis.errors.DataFormatError: data/reference/column_maps/ks4_school.csv: file year 2018 maps P8MEA_16 as the year before (year_offset -1), but _16 is 2015/16's suffix; expected P8MEA_17
    """
    for row in rows[rows["year_offset"] < 0].itertuples(index=False):
        expected = back_column(row.dfe_column, file_year, row.year_offset)
        if row.dfe_column != expected:
            match = _SUFFIX.match(row.dfe_column)
            said = (f"_{match['yy']} is {2000 + int(match['yy']) - 1}/{match['yy']}'s suffix" if match else
                    "it has no year suffix")
            raise DataFormatError(
                f"data/reference/column_maps/{map_name}.csv: file year {file_year} maps {row.dfe_column} as the year "
                f"before (year_offset {row.year_offset}), but {said}; expected {expected}"
            )


def propose_rows(map_name: str, file_year: int) -> pd.DataFrame:
    """A new file year's rows: the latest earlier year's, with ``file_year`` set and back-column suffixes shifted.

    >>> propose_rows("ks4_school", 2018).query("name == 'p8_all'")["dfe_column"].tolist()
    ['P8MEA', 'P8MEA_17']
    """
    table = read_map(map_name)
    earlier = sorted(y for y in table["file_year"].unique() if y < file_year)
    if not earlier:
        raise DataFormatError(f"data/reference/column_maps/{map_name}.csv has no year before {file_year} to copy")
    rows = table[table["file_year"] == earlier[-1]].copy()
    rows["file_year"] = int(file_year)
    back = rows["year_offset"] < 0
    rows.loc[back, "dfe_column"] = [back_column(c, file_year, o) for c, o in
                                    zip(rows.loc[back, "dfe_column"], rows.loc[back, "year_offset"], strict=True)]
    return rows.reset_index(drop=True)


def with_positions(rows: pd.DataFrame, header: list[str]) -> pd.DataFrame:
    """The rows with ``position`` set to each column's number (1 = first) in the new file's header (the
    previous year's positions would describe the previous year's layout); ``required`` is kept.

    >>> with_positions(pd.DataFrame({"dfe_column": ["B", "A"], "position": ["1", "2"]}), ["A", "B"])["position"].tolist()
    ['2', '1']
    """
    out = rows.copy()
    where = {name: str(i + 1) for i, name in enumerate(header)}
    if "position" in out:
        out["position"] = out["dfe_column"].map(where).fillna("")
    return out


def missing_columns(rows: pd.DataFrame, header: list[str]) -> list[str]:
    """One line per mapped column the file's header lacks, with the closest names it has.

    >>> missing_columns(pd.DataFrame({"dfe_column": ["P8MEA", "ATT8SCR"]}), ["P8MEA", "ATT8SCORE"])
    ['ATT8SCR is not in the file (closest: ATT8SCORE)']
    """
    have = set(header)
    out = []
    for column in rows["dfe_column"]:
        if column not in have:
            close = difflib.get_close_matches(column, header, n=3, cutoff=0.6)
            out.append(f"{column} is not in the file" + (f" (closest: {', '.join(close)})" if close else ""))
    return out
