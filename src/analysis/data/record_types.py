"""Record types per raw format (``data/reference/record_types.csv``): codes, levels, keys, which must be present.

One row per (format, code). ``column`` is the DfE column holding the code (blank: every row is of the one
type ``*``); ``*`` stands for any value not listed (census school rows carry a URN where national rows say
NAT). ``level`` is school / la / national. ``key`` names the DfE column(s) (joined by ``+``) that identify a
record of that level; blank: at most one record of that code. ``required``: ``yes`` (the file must hold
one), ``any`` (it must hold one of the format's ``any`` types, e.g. a mainstream or a special school) or
blank. ``repeats``: ``verbatim`` where the format is known to repeat whole records exactly (a third-party
merge artefact); a repeated key whose records differ is refused everywhere.

>>> codes("ks4_school")["7"], levels("ks4_school")["4"]
('National (maintained schools)', 'la')
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd

from .. import paths
from ..errors import DataFormatError

TABLE = "record_types.csv"
_NOUN = {"school": "school", "la": "local authority", "national": "national"}


@lru_cache(maxsize=4)
def _table(path: str, mtime_ns: int) -> pd.DataFrame:
    # keyed by path and mtime: an edited table (or a test's own reference folder) is read again
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def table(format_name: str) -> pd.DataFrame:
    """The rows of one format (empty when the format has no record types)."""
    path = paths.REFERENCE / TABLE
    rows = _table(str(path), path.stat().st_mtime_ns)
    return rows[rows["format"] == format_name].reset_index(drop=True)


def codes(format_name: str) -> dict[str, str]:
    """code -> label of a format's record types."""
    rows = table(format_name)
    return dict(zip(rows["code"], rows["label"], strict=True))


def levels(format_name: str) -> dict[str, str]:
    """code -> level (school / la / national) of a format's record types."""
    rows = table(format_name)
    return dict(zip(rows["code"], rows["level"], strict=True))



def as_codes(values: pd.Series) -> pd.Series:
    """Codes as text: stripped, and '970.0' (a code written through a float column) read as '970'.

    >>> as_codes(pd.Series([970.0, " SCH ", None])).tolist()
    ['970', 'SCH', '']
    """
    which, uniques = pd.factorize(values, use_na_sentinel=True)  # a 640k-row column has ~170 distinct codes
    text = pd.Series(uniques, dtype=object).astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    distinct = pd.array([*text.fillna("").tolist(), ""], dtype="string")  # -1 (missing) takes the last, ""
    return pd.Series(distinct.take(np.where(which < 0, len(distinct) - 1, which)), index=values.index)

def locator(text, raw, format_name: str) -> Callable[[int], str]:
    """``where(i)``: "line 17 (URN 103440)" for row ``i`` of ``raw`` (a screened file ``text``), keyed as this table says."""
    rows = table(format_name)
    column = rows["column"].iloc[0] if len(rows) else ""
    key_of = dict(zip(rows["code"], rows["key"], strict=True))

    def where(i: int) -> str:
        line = f"line {int(text.lines[i])}"
        if rows.empty:
            return line
        code = as_codes(raw[column].iloc[[i]]).iloc[0] if column in raw else "*"
        key = key_of.get(code, key_of.get("*", ""))
        if not key:
            return f"{line} ({column} {code})" if column else line
        parts = [f"{c} {str(raw[c].iloc[i]).strip()}" for c in key.split("+") if c in raw]
        return f"{line} ({', '.join(parts)})" if parts else line

    return where

def screen_records(
    raw: pd.DataFrame,
    format_name: str,
    *,
    file: str,
    where: Callable[[int], str],
    same: Callable[[int, int], bool] | None = None,
) -> None:
    """Refuse unknown record types, missing required ones, blank or repeated keys (see the module docstring).

    ``raw``: the file's rows with DfE column names; ``where(i)`` describes row ``i`` ("line 17"); ``same(i, j)``
    says whether two rows are verbatim copies (default: equal in every column read).
    """
    rows = table(format_name)
    if rows.empty or raw.empty:
        return
    column = rows["column"].iloc[0]
    needed = ({column} | {c for k in rows["key"] for c in k.split("+")}) - {""}
    if missing := sorted(needed - set(raw.columns)):
        raise DataFormatError(f"{file}: columns {', '.join(missing)} are not in the file; expected them to tell "
                              f"its record types and keys (data/reference/{TABLE})")
    listed = [c for c in rows["code"] if c != "*"]
    if column:
        values = as_codes(raw[column])
        kind = values.where(values.isin(listed), "*")
        if "*" not in set(rows["code"]) and (kind == "*").any():
            i = int(np.flatnonzero((kind == "*").to_numpy())[0])
            raise DataFormatError(
                f"{file}: column {column}, {where(i)}: record type {values.iloc[i]!r} is not one this file's "
                f"format holds; expected one of {', '.join(listed)} (data/reference/{TABLE})")
    else:
        kind = pd.Series("*", index=raw.index)
    present = set(kind.unique())
    for r in rows.itertuples():
        if r.required == "yes" and r.code not in present:
            raise DataFormatError(f"{file}: holds no {r.label} rows{_what(column, r.code)}; expected at least one "
                                  f"(data/reference/{TABLE}: the file is cut short, or rows were removed)")
    anyof = rows[rows["required"] == "any"]
    if len(anyof) and not present & set(anyof["code"]):
        labels = " or ".join(f"{r.label}{_what(column, r.code)}" for r in anyof.itertuples())
        raise DataFormatError(f"{file}: holds no {labels} rows; expected at least one (data/reference/{TABLE})")
    for level, group in rows.groupby("level", sort=False):
        _screen_keys(raw, kind, group, column, level, file=file, where=where, same=same)


def _what(column: str, code: str) -> str:
    return f" ({column} {code})" if column and code != "*" else ""


def _screen_keys(raw, kind, group, column, level, *, file, where, same) -> None:
    mine = kind.isin(group["code"]).to_numpy()
    if not mine.any():
        return
    keys = {k for k in group["key"] if k}
    if not keys:  # unkeyed: at most one record of each code
        for r in group.itertuples():
            at = np.flatnonzero((kind == r.code).to_numpy())
            if len(at) > 1:
                raise DataFormatError(
                    f"{file}: {len(at)} {r.label} rows{_what(column, r.code)} ({_lines(at, where)}); expected one")
        return
    if len(keys) > 1:
        raise DataFormatError(f"data/reference/{TABLE}: {group['format'].iloc[0]} {level} rows have keys "
                              f"{sorted(keys)}; expected one key per level")
    key_columns = keys.pop().split("+")
    key = pd.DataFrame({c: as_codes(raw.loc[mine, c]) for c in key_columns})
    blank = (key == "").any(axis=1).to_numpy()
    if blank.any():
        i = int(np.flatnonzero(mine)[np.flatnonzero(blank)[0]])
        raise DataFormatError(f"{file}: {where(i)}: a {_NOUN[level]} row{_what(column, kind.iloc[i])} has no "
                              f"{' / '.join(key_columns)}; expected one on every {_NOUN[level]} row")
    repeated = key.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return
    verbatim = set(group.loc[group["repeats"] == "verbatim", "code"])
    same = same or (lambda i, j: raw.iloc[i].equals(raw.iloc[j]))
    for _, dup in key[repeated].groupby(key_columns, sort=False):
        at = [int(raw.index.get_loc(ix)) for ix in dup.index]
        allowed = all(kind.iloc[i] in verbatim for i in at) and all(same(at[0], j) for j in at[1:])
        if allowed:
            continue
        name = ", ".join(f"{c} {v}" for c, v in zip(key_columns, dup.iloc[0], strict=True))
        times = "twice" if len(at) == 2 else f"{len(at)} times"
        differ = " with different values" if verbatim else ""
        raise DataFormatError(f"{file}: {name} appears {times} among {_NOUN[level]} rows ({_lines(at, where)})"
                              f"{differ}; expected one row per {_NOUN[level] if level != 'national' else 'record'}")


def _lines(at, where: Callable[[int], str]) -> str:
    described = [where(int(i)) for i in at[:5]]
    if len(described) == 2 and all(d.startswith("line ") for d in described):
        return f"lines {described[0][5:]} and {described[1][5:]}"
    return ", ".join(described) + (" ..." if len(at) > 5 else "")
