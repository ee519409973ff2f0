"""Shared machinery for DfE files: encoding detection, suppression codes as status, column maps.

DfE files mix numbers and markers (SUPP, NE, NP, LOWCOV, "-", x, c ...) in one column. They are split
here, once, into a float value and a ``<name>_status`` column, so a suppressed cell stays visibly
suppressed instead of silently becoming NaN or 0.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from ..errors import DataFormatError
from . import screening

REPORTED = "reported"  # status of a cell that holds a number
MISSING = "missing"  # status of a blank cell: the file says nothing


def status_codes() -> dict[str, str]:
    """DfE marker → status, from ``data/reference/dfe_status_codes.csv``.

    >>> status_codes()["SUPP"], status_codes()["-"]
    ('SUPP', 'no_data')
    """
    path = paths.REFERENCE / "dfe_status_codes.csv"
    stat = path.stat()
    return _status_codes(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _status_codes(path: str, mtime_ns: int, size: int) -> dict[str, str]:
    # Keyed by the file's mtime and size (as the column maps are): the parquet cache keys a table on this file's
    # current bytes, so the codes a table is built with must be read from those bytes, not an earlier copy.
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return dict(zip(table["code"], table["status"], strict=True))


def detect_encoding(path: Path | str) -> str:
    """utf-8-sig for a BOM, utf-8 if it decodes, else cp1252 (DfE files come in all three); others are refused.

    See :func:`analysis.data.screening.detect_encoding` (UTF-16, NUL bytes, mixed bytes: a named error).
    """
    return screening.detect_encoding(Path(path).read_bytes(), path)


def read_text_table(path: Path | str, *, columns: Iterable[str] | None = None, **kwargs) -> pd.DataFrame:
    """Read a CSV with every cell a string ('' for blanks), column names stripped, encoding detected.

    The file is screened first (:func:`analysis.data.screening.screen_text`: checksum if registered, encoding,
    empty, whole records). ``columns``: read only these columns (matched on stripped names; names the file
    lacks are skipped, so the caller, e.g. :func:`apply_column_map`, says which are missing). A national KS4
    file has 416 columns and a loader maps about 50: parsing only those is most of the speed of a
    national-scale read.
    """
    return _parse(screening.screen_text(path), columns, **kwargs)


def _parse(text: screening.TextFile, columns: Iterable[str] | None, **kwargs) -> pd.DataFrame:
    """The screened bytes (the very bytes hashed) as an all-string table."""
    if columns is not None:
        wanted = {str(c).strip() for c in columns}
        kwargs = {**kwargs, "usecols": lambda name: str(name).strip() in wanted}
    try:
        frame = pd.read_csv(io.BytesIO(text.data), dtype=str, keep_default_na=False, encoding=text.encoding,
                            engine="c", **kwargs)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{text.path}: cannot be read as a CSV table ({str(exc).strip()})") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if "nrows" not in kwargs and len(frame) != len(text.lines):  # the screening and pandas must see one table
        raise DataFormatError(f"{text.path}: pandas reads {len(frame)} rows where the screening found "
                              f"{len(text.lines)} records; expected the same (unusual line ends or quoting?)")
    return frame


def split_value_status(raw: pd.Series, *, file: str, column: str) -> tuple[pd.Series, pd.Series]:
    """Split a column of numbers and DfE markers into (float value, status).

    Percent signs and thousands separators are removed. A marker not in the status table is an error
    naming the file and column, never a silent NaN.

    >>> v, s = split_value_status(pd.Series(["0.15", "SUPP", "", "12%"]), file="f.csv", column="P8MEA")
    >>> v.tolist()[0], v.tolist()[3], s.tolist()
    (0.15, 12.0, ['reported', 'SUPP', 'missing', 'reported'])
    """
    values, statuses = split_value_status_columns(raw.to_frame(name="cell"), ["cell"], file=file, columns=[column])
    return pd.Series(values[0], index=raw.index, name=raw.name), pd.Series(statuses[0], index=raw.index)


def split_value_status_columns(
    raw: pd.DataFrame, names: list, *, file: str, columns: list[str] | None = None,
    where: Callable[[int], str] | None = None,
) -> tuple[list[np.ndarray], list[pd.api.extensions.ExtensionArray]]:
    """:func:`split_value_status` for several columns of ``raw`` at once: (float arrays, status arrays).

    Each distinct cell text is parsed once (a national file has about 200,000 measure cells but only tens of
    thousands of distinct texts), with exactly the rules of :func:`split_value_status`. ``columns`` are the
    names errors give for ``names`` (default: the same). An unknown marker is an error naming the first column,
    in the order given, that holds one (and, given ``where``, the first such row: ``where(i)`` -> "line 17").

    >>> raw = pd.DataFrame({"A": ["1", "SUPP"], "B": ["NE", "2.5%"]})
    >>> values, statuses = split_value_status_columns(raw, ["A", "B"], file="f.csv")
    >>> [v.tolist() for v in values], [list(s) for s in statuses]
    ([[1.0, nan], [nan, 2.5]], [['reported', 'SUPP'], ['NE', 'reported']])
    """
    columns = list(names) if columns is None else list(columns)
    n = len(raw)
    if not names:
        return [], []
    # Cells as in split_value_status (element-wise astype("string")), then one parse per distinct text.
    stacked = pd.concat([raw[name].astype("string") for name in names], ignore_index=True)
    which, uniques = pd.factorize(stacked, use_na_sentinel=False)
    text = pd.Series(uniques, dtype="string").str.strip().fillna("")
    cleaned = text.str.replace("%", "", regex=False).str.replace(",", "", regex=False)
    value = pd.to_numeric(cleaned, errors="coerce").astype("float64").to_numpy()
    status = np.full(len(uniques), REPORTED, dtype=object)
    codes = status_codes()
    text_of = text.to_numpy(dtype=object)
    known = True
    for i in np.flatnonzero(np.isnan(value)):  # only the few distinct non-numbers: "", SUPP, NE, ...
        status[i] = MISSING if text_of[i] == "" else codes.get(text_of[i])
        known = known and status[i] is not None
    if not known:
        unknown = pd.isna(status[which])
        first = int(np.flatnonzero(unknown)[0]) // n
        in_column = slice(first * n, (first + 1) * n)
        examples = pd.unique(text_of[which[in_column][unknown[in_column]]])[:5]
        at = f" First at {where(int(np.flatnonzero(unknown[in_column])[0]))}." if where else ""
        raise DataFormatError(
            f"{file}: column {columns[first]} holds values that are neither numbers nor known DfE codes: "
            f"{', '.join(repr(x) for x in examples)}.{at} Expected a number or one of the codes in "
            "data/reference/dfe_status_codes.csv (add it there if it is a genuine DfE marker)."
        )
    cell_value = value[which]
    # take() on the few distinct statuses builds the string column in arrow, with no Python object per cell.
    cell_status = pd.array(status, dtype="string").take(which)
    return (
        [cell_value[i * n : (i + 1) * n] for i in range(len(names))],
        [cell_status[i * n : (i + 1) * n] for i in range(len(names))],
    )


def read_column_map(name: str, file_year: int, *, file: str) -> pd.DataFrame:
    """Rows of ``data/reference/column_maps/<name>.csv`` for one file year (a clear error if none)."""
    path = paths.REFERENCE / "column_maps" / f"{name}.csv"
    stat = path.stat()
    rows, held = _column_map_rows(str(path), stat.st_mtime_ns, stat.st_size, name, file_year)
    if rows is None:
        raise DataFormatError(
            f"{file}: no column map for year {file_year} in data/reference/column_maps/{name}.csv "
            f"(it has {held}). Add that year's rows (see the README there)."
        )
    return rows.copy()


@lru_cache(maxsize=64)
def _column_map_rows(path: str, mtime_ns: int, size: int, name: str, file_year: int
                     ) -> tuple[pd.DataFrame | None, list[int]]:
    # Read and checked once per map and year (every file read asks, and tests read thousands): keyed by the
    # map's mtime and size (as the raw files' checksums are memoised), so an edited map, or a test's own
    # reference folder, is read again. Callers get a copy: the cached rows are never changed.
    table = pd.read_csv(
        path,
        dtype={"file_year": int, "dfe_column": str, "name": str, "year_offset": int, "kind": str, "position": str,
               "required": str},
        keep_default_na=False,
    )
    # Optional columns: position (the column's number in the year's file) and required (a headline measure).
    table["position"] = table["position"] if "position" in table else ""
    table["required"] = table.get("required", pd.Series("", index=table.index)).str.strip().str.lower() == "true"
    rows = table[table["file_year"] == file_year]
    if rows.empty:
        return None, sorted(table["file_year"].unique().tolist())
    from .column_maps import check_back_columns

    check_back_columns(rows, file_year, map_name=name)  # a 2018 map reading _16 as "the year before" is wrong
    return rows, []


def apply_column_map(raw: pd.DataFrame, column_map: pd.DataFrame, *, file: str, year: int,
                     where: Callable[[int], str] | None = None) -> pd.DataFrame:
    """Turn a raw DfE table into one row per (record, data year) with stable names.

    Back-columns (``year_offset`` -1) become rows for the previous year, so a 2017 file with ``*_16``
    columns yields tidy 2017 and 2016 rows side by side: the tidy table holds the file's own year's rows in
    file order, then the year before's (tidy row ``p`` is raw row ``p % len(raw)``). ``where``: see
    :func:`split_value_status_columns`.
    """
    missing = sorted(set(column_map["dfe_column"]) - set(raw.columns))
    if missing:
        raise DataFormatError(
            f"{file}: columns {', '.join(missing)} expected for year {year} (column map) are not in the file. "
            "Check the year's metadata file and update data/reference/column_maps/."
        )
    fixed = column_map[column_map["kind"] != "number"]
    base = {}
    for row in fixed.itertuples():
        col = raw[row.dfe_column].astype("string").str.strip()
        base[row.name] = col.mask(col == "", pd.NA)
    frames = []
    measures = column_map[column_map["kind"] == "number"]
    for offset, rows in measures.groupby("year_offset", sort=True):
        values, statuses = split_value_status_columns(raw, rows["dfe_column"].tolist(), file=file, where=where)
        # Built as one dict, one DataFrame: setting ~70 columns one by one on a frame costs more than parsing.
        block = {"year": np.full(len(raw), year + int(offset), dtype=np.int64), **base}
        for name, value, status in zip(rows["name"], values, statuses, strict=True):
            block[name] = value
            block[f"{name}_status"] = status
        frames.append(pd.DataFrame(block, index=raw.index))
    base = pd.DataFrame(base, index=raw.index)
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

    The one way every column-mapped loader finds, reads, screens and renames its file, with ``source_file``
    set. Screening (:mod:`analysis.data.screening`): the file's bytes, then its mapped columns, then its
    record types and keys (format ``map_name`` in ``data/reference/record_types.csv``), then each cell.
    """
    from . import record_types, sources

    if path is None:
        path = sources.path(sources.one(role, year, la).id)
    path = Path(path)
    column_map = read_column_map(map_name, year, file=str(path))
    text = screening.screen_text(path)
    kinds = record_types.table(map_name)
    keys = ({c for k in kinds["key"] for c in k.split("+")} | set(kinds["column"])) - {""}
    screening.screen_columns(text, column_map, year=year, map_name=map_name)  # before parsing: names, places
    raw = _parse(text, [*column_map["dfe_column"], *keys])  # only the mapped columns are parsed
    where = record_types.locator(text, raw, map_name)
    record_types.screen_records(raw, map_name, file=str(path), where=lambda i: f"line {int(text.lines[i])}",
                                same=lambda i, j: text.record(i) == text.record(j))
    screening.screen_required(text, raw, column_map, year=year, map_name=map_name)
    tidy = apply_column_map(raw, column_map, file=str(path), year=year, where=where)
    tidy["source_file"] = path.name
    return tidy, path


def read_mapped_cached(
    role: str, map_name: str, year: int, path: Path | str | None, name: str,
    finish: Callable[[pd.DataFrame, Path], pd.DataFrame], *, la: str | None = None,
) -> pd.DataFrame:
    """``finish(*read_mapped_table(...))`` (the reader's own labelling and schema validation), cached as parquet
    under ``<name>_<year>`` when the file is a registered one.

    Each notebook's kernel, and each test, used to parse and screen the same CSVs again (06 read the KS2 file
    four times; four notebooks each read both trimmed KS4 files): 0.1-0.3 s a read. The cache key
    (:func:`analysis.data.cache.cached`) covers the raw file, its column map, the status codes, the record types
    and the loader code, which holds ``finish``: each reader passes its own ``name`` and a ``finish`` defined in
    this package. The table is validated as it is built, so the cache only ever holds a table ``finish``
    accepted; the raw file's checksum is checked on every call, hit or not. A file of the user's own (or a test's)
    is read afresh each time: the cache holds only tables derived from registered files, and a missing file
    gets the reader's own error.
    """
    from . import record_types, sources
    from .cache import cached

    if path is None:
        path = sources.path(sources.one(role, year, la).id)
    path = Path(path)
    screening.verify(path)  # also when the table is served from the cache

    def build() -> pd.DataFrame:
        return finish(*read_mapped_table(role, map_name, year, path))

    if sources.source_at(path) is None or not path.exists():
        return build()
    # the year picks the column map's rows: part of what the table is built from
    return cached(path, f"{name}_{year}", build,
                  depends_on=[paths.REFERENCE / "column_maps" / f"{map_name}.csv",
                              paths.REFERENCE / "dfe_status_codes.csv", paths.REFERENCE / record_types.TABLE])
