"""Small ideas every layer shares, each written once: the academic-year label, the nearest year, atomic writes."""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path


def academic_year(year: int) -> str:
    """The academic year that ends in ``year``, as DfE writes it.

    >>> academic_year(2017), academic_year(2000)
    ('2016/17', '1999/00')
    """
    year = int(year)
    return f"{year - 1}/{year % 100:02d}"


def short_of_bound(value: float, decimals: int, low: float = 0.0, high: float = 100.0) -> str | None:
    """"more than ..." or "less than ..." for a value that would print as ``high`` or ``low`` at ``decimals``
    without being it (a share of 99.99% is not 100.0%), else None. One rule for tables, briefings and notes.

    >>> short_of_bound(99.99, 1), short_of_bound(0.01, 1), short_of_bound(99.94, 1), short_of_bound(100.0, 1)
    ('more than 99.9', 'less than 0.1', None, None)
    """
    step = 10.0 ** -decimals
    if high - step / 2 <= value < high:
        return f"more than {high - step:.{decimals}f}"
    if low < value < low + step / 2:
        return f"less than {low + step:.{decimals}f}"
    return None


def nearest_year(year: int, held: Iterable[int]) -> int:
    """The year in ``held`` closest to ``year``; a tie goes to the earlier year (data already published then).

    >>> nearest_year(2018, [2016, 2017]), nearest_year(2015, [2016, 2017]), nearest_year(2018, [2017, 2019])
    (2017, 2016, 2017)
    """
    years = sorted({int(y) for y in held})
    if not years:
        raise ValueError("nearest_year: no years to choose from")
    return min(years, key=lambda y: (abs(y - int(year)), y))


def atomic_write(path: Path | str, write: Callable[[Path], object]) -> Path:
    """Write ``path`` all at once: ``write(tmp)`` fills a uniquely named file beside it, which then replaces it.

    Readers see the old file or the new one, never half of one, and two writers never share a temporary file.
    The file is left readable by the group (0644), like any other output.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "x.txt"
    >>> atomic_write(target, lambda tmp: tmp.write_text("hello")).read_text()
    'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def atomic_write_text(path: Path | str, text: str) -> Path:
    """:func:`atomic_write` of a UTF-8 text with Unix line ends."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))


def atomic_write_json(path: Path | str, payload: object) -> Path:
    """:func:`atomic_write` of a JSON document (two-space indent, UTF-8, key order as given, final newline)."""
    import json

    return atomic_write_text(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def column_lists(frame, *columns: str) -> list[list]:
    """The columns as plain Python lists, for zipping: iterating a pyarrow-backed string column element by
    element is slow (a per-element conversion), ``tolist()`` converts it at once.

    >>> import pandas as pd
    >>> column_lists(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}), "a", "b")
    [['x', 'y'], [1, 2]]
    """
    return [frame[c].tolist() for c in columns]


def records(frame) -> list:
    """``list(frame.itertuples(index=False))``: the same named tuples of the same values (Python scalars, where
    itertuples gives a numpy integer for a nullable integer column), ten times faster on a small frame: pandas 3's
    ``itertuples`` looks up each column through ``iloc``, 1 ms for a frame of a few rows.

    >>> import pandas as pd
    >>> [(r.la, r.v) for r in records(pd.DataFrame({"la": ["330", "331"], "v": [0.1, None]}))]
    [('330', 0.1), ('331', nan)]
    """
    if not len(frame):
        return []
    columns = [frame.iloc[:, i].tolist() for i in range(frame.shape[1])]  # by position: names may repeat
    return [_record_type(tuple(map(str, frame.columns)))._make(values) for values in zip(*columns, strict=True)]


@functools.lru_cache(maxsize=256)
def _record_type(columns: tuple[str, ...]):
    import collections

    return collections.namedtuple("Pandas", columns, rename=True)  # as itertuples names it


def same_types(out, like, columns: Iterable[str]):
    """``out`` with each of ``columns`` in its type in ``like``: a frame built from an object array of text infers
    the text type, where a caller's table keeps its own.

    >>> import pandas as pd
    >>> like = pd.DataFrame({"a": pd.Series(["x"], dtype=object)})
    >>> same_types(pd.DataFrame({"a": like["a"].array}), like, ["a"])["a"].dtype
    dtype('O')
    """
    got = dict(zip(out.columns, out.dtypes.tolist(), strict=True))
    for column in columns:
        want = like[column].dtype
        if got[column] != want:
            out[column] = out[column].astype(want)
    return out


def rows_of(frame, columns: Iterable[str], *, year: int | None = None, column: str | None = None,
            among: Iterable | None = None) -> list[list]:
    """The ``columns`` of the rows of ``frame`` in ``year`` (its "year" column) whose ``column`` is one of
    ``among``, as plain lists, in the frame's order: :func:`column_lists` of a filtered frame, without building
    the frame. A small method's filter through pandas (a comparison, an ``isin``, an ``&``, a ``.loc`` of a few
    columns) costs about 2 ms, most of a call when the sweep over every LA and year makes thousands.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"year": pd.array([2017, 2017, None, 2016], dtype="Int64"), "la": ["1", "2", "1", "1"],
    ...                   "v": [0.1, 0.2, 0.3, 0.4]})
    >>> rows_of(t, ["la", "v"], year=2017, column="la", among=["1"]), rows_of(t, ["v"], column="la", among={"1"})
    ([['1'], [0.1]], [[0.1, 0.3, 0.4]])
    """
    import numpy as np
    import pandas as pd

    keep = np.ones(len(frame), dtype=bool)
    if year is not None:
        years = frame["year"]
        # a numeric year column compared as numbers; any other as pandas compares it (text years match nothing)
        keep &= (years.to_numpy(dtype="float64", na_value=np.nan) == year if pd.api.types.is_numeric_dtype(years)
                 else (years == year).to_numpy(dtype=bool, na_value=False))
    if column is not None:
        if among is None or isinstance(among, str):
            raise TypeError(f"rows_of: among must be a collection of {column} values, not {among!r}")
        keep &= isin(frame[column], among)
    at = np.flatnonzero(keep)
    return [_values_at(frame[c], at) for c in columns]


def _values_at(series, at) -> list:
    """``series.iloc[at].tolist()`` without building a Series where a cheaper route gives the same list."""
    import numpy as np

    if not isinstance(series.dtype, np.dtype):  # an extension array (text, nullable numbers): its own take
        return series.array.take(at).tolist()
    if series.dtype.kind in "biuf":  # numbers: numpy's tolist gives Python scalars, as pandas' does
        return series.to_numpy()[at].tolist()
    return series.iloc[at].tolist()  # dates and the rest: as pandas gives them


def isin(series, allowed) -> "np.ndarray":
    """``series.isin(allowed)`` as a boolean array (missing: False unless ``allowed`` holds a missing value).

    For pyarrow-backed text the same answer through pyarrow's hash lookup: pandas 3 makes a pyarrow scalar of
    every allowed value in Python first, 0.1-0.2 s to test 16,000-25,000 URNs (every school in England) where
    this takes 2 ms. As pandas does, an allowed value that is not text never matches.

    >>> import pandas as pd
    >>> isin(pd.Series(["100", "200", None], dtype="str"), {"200", 300}).tolist()
    [False, True, False]
    """
    import numpy as np
    import pandas as pd

    array = getattr(series, "array", None)
    if not (isinstance(getattr(array, "dtype", None), pd.StringDtype) and hasattr(array, "__arrow_array__")):
        return np.asarray(pd.Series(series).isin(allowed), dtype=bool)
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(array)
    wanted = [v for v in (allowed.tolist() if hasattr(allowed, "tolist") else allowed)
              if isinstance(v, str) or v is None or v is pd.NA or (isinstance(v, float) and v != v)]
    found = pc.is_in(values, value_set=pa.array([None if not isinstance(v, str) else v for v in wanted],
                                                type=values.type))
    return np.asarray(found.fill_null(False), dtype=bool)


def load_yaml(stream):
    """``yaml.safe_load`` through libyaml's C parser where PyYAML was built with it (ten times faster: every
    process reads the 23 KB source registry), else the pure-Python one. Same documents, same errors.

    >>> load_yaml("a: [1, 2]")
    {'a': [1, 2]}
    """
    import yaml

    return yaml.load(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)
