"""Shared machinery for DfE files: encoding detection, suppression codes as status, column maps.

DfE files mix numbers and markers (SUPP, NE, NP, LOWCOV, "-", x, c ...) in one column. They are split
here, once, into a float value and a ``<name>_status`` column, so a suppressed cell stays visibly
suppressed instead of silently becoming NaN or 0.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths

REPORTED = "reported"  # status of a cell that holds a number
MISSING = "missing"  # status of a blank cell: the file says nothing


class DataFormatError(ValueError):
    """A raw file does not look as the loader expects; the message names the file and the column."""


@lru_cache(maxsize=1)
def status_codes() -> dict[str, str]:
    """DfE marker → status, from ``data/reference/dfe_status_codes.csv``.

    >>> status_codes()["SUPP"], status_codes()["-"]
    ('SUPP', 'no_data')
    """
    table = pd.read_csv(paths.REFERENCE / "dfe_status_codes.csv", dtype=str, keep_default_na=False)
    return dict(zip(table["code"], table["status"], strict=True))


def detect_encoding(path: Path | str) -> str:
    """utf-8-sig for a BOM, utf-8 if it decodes, else cp1252 (DfE files come in all three)."""
    raw = Path(path).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def read_text_table(path: Path | str, **kwargs) -> pd.DataFrame:
    """Read a CSV with every cell as a stripped string ('' for blanks), encoding detected."""
    path = Path(path)
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding=detect_encoding(path), engine="c", **kwargs
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{path}: cannot be read as a CSV table ({exc})") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def split_value_status(raw: pd.Series, *, file: str, column: str) -> tuple[pd.Series, pd.Series]:
    """Split a column of numbers and DfE markers into (float value, status).

    Percent signs and thousands separators are removed. A marker not in the status table is an error
    naming the file and column, never a silent NaN.

    >>> v, s = split_value_status(pd.Series(["0.15", "SUPP", "", "12%"]), file="f.csv", column="P8MEA")
    >>> v.tolist()[0], v.tolist()[3], s.tolist()
    (0.15, 12.0, ['reported', 'SUPP', 'missing', 'reported'])
    """
    text = raw.astype("string").str.strip().fillna("")
    cleaned = text.str.replace("%", "", regex=False).str.replace(",", "", regex=False)
    value = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    status = pd.Series(REPORTED, index=raw.index, dtype="string")
    not_number = value.isna()
    if not_number.any():
        markers = text[not_number]
        codes = status_codes()
        mapped = markers.map(codes)
        mapped[markers == ""] = MISSING
        unknown = mapped.isna()
        if unknown.any():
            examples = ", ".join(repr(x) for x in markers[unknown].unique()[:5])
            raise DataFormatError(
                f"{file}: column {column} holds values that are neither numbers nor known DfE codes: {examples}. "
                "Expected a number or one of the codes in data/reference/dfe_status_codes.csv (add it there if "
                "it is a genuine DfE marker)."
            )
        status[not_number] = mapped.astype("string")
    return value, status


def read_column_map(name: str, file_year: int, *, file: str) -> pd.DataFrame:
    """Rows of ``data/reference/column_maps/<name>.csv`` for one file year (a clear error if none)."""
    table = pd.read_csv(
        paths.REFERENCE / "column_maps" / f"{name}.csv",
        dtype={"file_year": int, "dfe_column": str, "name": str, "year_offset": int, "kind": str},
        keep_default_na=False,
    )
    rows = table[table["file_year"] == file_year]
    if rows.empty:
        held = sorted(table["file_year"].unique().tolist())
        raise DataFormatError(
            f"{file}: no column map for year {file_year} in data/reference/column_maps/{name}.csv "
            f"(it has {held}). Add that year's rows (see the README there)."
        )
    return rows


def apply_column_map(raw: pd.DataFrame, column_map: pd.DataFrame, *, file: str, year: int) -> pd.DataFrame:
    """Turn a raw DfE table into one row per (record, data year) with stable names.

    Back-columns (``year_offset`` -1) become rows for the previous year, so a 2017 file with ``*_16``
    columns yields tidy 2017 and 2016 rows side by side.
    """
    missing = sorted(set(column_map["dfe_column"]) - set(raw.columns))
    if missing:
        raise DataFormatError(
            f"{file}: columns {', '.join(missing)} expected for year {year} (column map) are not in the file. "
            "Check the year's metadata file and update data/reference/column_maps/."
        )
    fixed = column_map[column_map["kind"] != "number"]
    base = pd.DataFrame(index=raw.index)
    for row in fixed.itertuples():
        col = raw[row.dfe_column].astype("string").str.strip()
        base[row.name] = col.mask(col == "", pd.NA)
    frames = []
    measures = column_map[column_map["kind"] == "number"]
    for offset, rows in measures.groupby("year_offset", sort=True):
        block = base.copy()
        block.insert(0, "year", year + int(offset))
        for row in rows.itertuples():
            value, status = split_value_status(raw[row.dfe_column], file=file, column=row.dfe_column)
            block[row.name] = value
            block[f"{row.name}_status"] = status
        frames.append(block)
    tidy = pd.concat(frames, ignore_index=True) if frames else base.assign(year=year)
    # Give every year the same columns: a measure with no back-column is 'missing' for the earlier year.
    for name in measures["name"].unique():
        if name not in tidy:
            tidy[name] = np.nan
        tidy[f"{name}_status"] = tidy.get(f"{name}_status", pd.Series(MISSING, index=tidy.index)).fillna(MISSING)
    return tidy.sort_values(["year"], ascending=False, kind="stable").reset_index(drop=True)


def read_mapped_table(
    role: str, map_name: str, year: int, path: Path | str | None = None, *, la: str | None = None
) -> tuple[pd.DataFrame, Path]:
    """Read a registered DfE CSV (or ``path``) and apply its year's column map; returns (tidy, path).

    The one way every column-mapped loader finds, reads and renames its file, with ``source_file`` set.
    """
    from .. import sources

    if path is None:
        path = sources.path(sources.one(role, year, la).id)
    path = Path(path)
    raw = read_text_table(path)
    tidy = apply_column_map(raw, read_column_map(map_name, year, file=str(path)), file=str(path), year=year)
    tidy["source_file"] = path.name
    return tidy, path
