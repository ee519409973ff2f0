"""pandera failures told in the file's own terms: the file, the DfE column, the line and key, the value.

pandera names the tidy column (``p8_all failed in_range``); a reader of the error needs the raw file's column
(``P8MEA``), its line and the school. The column map gives dfe_column <-> name; tidy rows of a column-mapped
table are raw rows in file order, one block per data year (:func:`analysis.data.dfe.apply_column_map`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ..errors import DataFormatError


def validate(schema: pa.DataFrameSchema, tidy: pd.DataFrame, *, file: Path | str, map_name: str | None = None,
             year: int | None = None, what: str | None = None) -> pd.DataFrame:
    """``schema.validate(tidy)``; a failure becomes one :class:`DataFormatError` line (see the module docstring).

    >>> schema = pa.DataFrameSchema({"p8_all": pa.Column(float, pa.Check.in_range(-10, 10))})
    >>> tidy = pd.DataFrame({"year": [2017], "urn": ["103440"], "p8_all": [99.0]})
    >>> validate(schema, tidy, file="f.csv", what="KS4")
    Traceback (most recent call last):
    ...
    analysis.errors.DataFormatError: f.csv: KS4 table column p8_all, row 1 (URN 103440): value 99.0 is outside -10 to 10
    """
    try:
        return schema.validate(tidy)
    except pa.errors.SchemaError as exc:
        raise DataFormatError(explain(exc, tidy, file=file, map_name=map_name, year=year, what=what)) from exc


def explain(exc: pa.errors.SchemaError, tidy: pd.DataFrame, *, file, map_name=None, year=None, what=None) -> str:
    """The one-line message for a pandera ``SchemaError`` raised on ``tidy``."""
    column = getattr(exc.schema, "name", None) if isinstance(exc.schema, pa.Column) else None
    check = exc.check
    rule = getattr(check, "error", None) or str(check)
    cases = exc.failure_cases if isinstance(exc.failure_cases, pd.DataFrame) else None
    if column is None or cases is None or "index" not in cases or cases["index"].isna().all():
        subject = f"column {column}" if column else "table"
        return f"{file}: the tidy {what + ' ' if what else ''}{subject} fails the check {rule!r}; expected it to hold"
    label, value = cases["index"].iloc[0], cases["failure_case"].iloc[0]
    position = tidy.index.get_loc(label) if label in tidy.index else None
    dfe, line = _source_of(tidy, position, column, file=file, map_name=map_name, year=year)
    name = f"column {dfe} (tidy {column})" if dfe else f"{what + ' table ' if what else 'tidy '}column {column}"
    at = line or (f"row {position + 1}" if position is not None else f"index {label}")
    value = value.item() if hasattr(value, "item") else value  # numpy scalars print as np.float64(99.0)
    return f"{file}: {name}, {at}{_key(tidy, position)}: value {value!r} {_broken(check)}"


def _source_of(tidy, position, column, *, file, map_name, year) -> tuple[str | None, str | None]:
    """(DfE column, "line N") of a tidy cell of a column-mapped CSV; Nones where they cannot be told."""
    if map_name is None or year is None or position is None:
        return None, None
    from .dfe import read_column_map
    from .screening import screen_text

    cmap = read_column_map(map_name, year, file=str(file))
    measures = cmap[cmap["kind"] == "number"]
    blocks = max(measures["year_offset"].nunique(), 1)
    offset = int(tidy["year"].iloc[position]) - year if "year" in tidy else 0
    hit = cmap[(cmap["name"] == column) & ((cmap["kind"] != "number") | (cmap["year_offset"] == offset))]
    dfe = hit["dfe_column"].iloc[0] if len(hit) else None
    try:
        lines = screen_text(file, checksum=False).lines
    except Exception:  # the message is still useful without a line number
        return dfe, None
    if len(tidy) != blocks * len(lines):
        return dfe, None
    return dfe, f"line {int(lines[position % len(lines)])}"


def _key(tidy: pd.DataFrame, position) -> str:
    if position is None:
        return ""
    for column, label in (("urn", "URN"), ("la_code", "LA"), ("rectype", "RECTYPE"), ("level", "level")):
        if column in tidy and pd.notna(tidy[column].iloc[position]):
            return f" ({label} {tidy[column].iloc[position]})"
    return ""


def _broken(check) -> str:
    """What the failing value breaks, from the pandera check's name and statistics."""
    name = getattr(check, "name", None) or str(check)
    stats = getattr(check, "statistics", None) or {}
    if name == "in_range":
        return f"is outside {stats.get('min_value')} to {stats.get('max_value')}"
    if name == "str_matches":
        return f"does not match the pattern {stats.get('pattern')}"
    if name == "isin":
        return f"is not one of {sorted(stats.get('allowed_values', []))}"
    if name in ("greater_than_or_equal_to", "ge"):
        return f"is below {stats.get('min_value')}"
    if name == "field_uniqueness" or "unique" in str(name):
        return "repeats; expected every value once"
    if "nullable" in str(name) or "not_nullable" in str(name):
        return "is blank; expected a value"
    return f"fails {name}; expected it to pass"
