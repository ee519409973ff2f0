"""Tables formatted for people: the one formatting layer every report and the dashboard use.

Engine: pandas ``Styler`` (no new dependency; it is what a DataFrame's own HTML comes from), given a table of
strings this module has already formatted: no index column; column labels in words with units
(``columns.csv`` beside this module: column, label, kind); numbers at the precision the sources publish
(Progress 8 to 2 dp, Attainment 8 and percentages to 1 dp, counts as whole numbers with thousands
separators); a dash with a lettered footnote where a value is missing or suppressed, saying why (the meanings
of DfE's codes come from ``data/reference/dfe_status_codes.csv``); lists joined and wrapped. A table longer
than :data:`MAX_ROWS` rows also carries its first rows and its full data as CSV, so the policy report shows
the top of it with a link to the CSV and to the review version.

In a notebook, ``import analysis.present`` routes every DataFrame a cell displays through :func:`show`, so
even a table shown without it is formatted the same way.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from .. import paths
from ..data import dependencies
from ..findings import STATUSES
from ..data.dfe import REPORTED
from .mime import TABLE_MIME
from .numbers import DASH, KIND_OF_SUFFIX, format_number, format_value  # noqa: F401  (format_value: re-exported)

MAX_ROWS = 15  # longer tables: the policy report shows SHORT_ROWS and links to the rest
SHORT_ROWS = 10
#: a heading's or body cell's opening tag as Styler writes it (hidden index, no cell ids), with its column number
_COLUMN_TAG = re.compile(r'<(?:th class="col_heading level0|td class="data row\d+) col(\d+)" >')
COLUMNS_FILE = Path(__file__).with_name("columns.csv")
#: each finding status (``findings.STATUSES``) in words; a status added there reads as its name until added here
STATUS_TEXT = {s: s.replace("-", " ") for s in STATUSES} | {"needs-public-file": "needs a public file"}
#: how the counts name derived findings (a gap computed from two printed figures), counted apart
COUNT_TEXT = {**STATUS_TEXT, "derived": "derived"}
#: statuses the compendium's own readers give (beside DfE's codes): what a dash means there
OWN_STATUSES = {
    "missing": "Blank in the DfE file: the figure was suppressed, or the group had no pupils or no results.",
    "not_in_data": "Not in the files we hold (e.g. no disadvantaged split in the trimmed national files).",
    "no_data": "No data for this year (KS4 exams were cancelled in 2019/20 and 2020/21).",
    "": "No value: not calculated for this row.",
}
VALUES_FILE = Path(__file__).with_name("values.csv")


@lru_cache(maxsize=1)
def value_words() -> dict[str, dict[str, str]]:
    """column -> {code value: the words a reader sees} (``values.csv`` beside this module, a row's ``columns``
    separated by ``|``): pupil groups, comparison groups, family factors and KS2 measures are codes in the
    tables and words in the reports (the CSV a table offers keeps the codes). A code not listed shows as it is.
    """
    dependencies.record_file(VALUES_FILE)
    table = pd.read_csv(VALUES_FILE, dtype=str, keep_default_na=False)
    out: dict[str, dict[str, str]] = {}
    for r in table.itertuples():
        for column in r.columns.split("|"):
            out.setdefault(column, {})[r.value] = r.words
    return out


def _in_words(value: Any, words: dict[str, str], kind: str) -> Any:
    """A code cell in words; a list cell (comma-separated, as ``list`` columns hold) item by item."""
    if not words or not isinstance(value, str):
        return value
    if kind == "list" and "," in value:
        return ", ".join(words.get(item.strip(), item.strip()) for item in value.split(","))
    return words.get(value, value)


@lru_cache(maxsize=1)
def _columns() -> dict[str, tuple[str, str]]:
    dependencies.record_file(COLUMNS_FILE)
    table = pd.read_csv(COLUMNS_FILE, dtype=str, keep_default_na=False)
    return {r.column: (r.label, r.kind) for r in table.itertuples()}


@lru_cache(maxsize=1)
def status_meanings() -> dict[str, str]:
    """Status or DfE code -> what it means for a reader (DfE's table first, then the compendium's own)."""
    codes = pd.read_csv(paths.REFERENCE / "dfe_status_codes.csv", dtype=str, keep_default_na=False)
    out = {r.code: r.meaning for r in codes.itertuples()}
    out.update({r.status: r.meaning for r in codes.itertuples() if r.status not in out})
    out.update(OWN_STATUSES)
    return out


def _measure_kind(measure: Any, otherwise: str) -> str:
    """The kind a long table's value takes from its measure's name (``columns.csv`` or a known suffix such as
    ``_pct``), else ``otherwise`` (the value column's own kind).

    >>> _measure_kind("schools", "num2"), _measure_kind("read_meet_pct", "num2"), _measure_kind("x", "num2")
    ('count', 'pct', 'num2')
    """
    key = str(measure)
    if key in _columns() or any(key.endswith(suffix) for suffix in KIND_OF_SUFFIX):
        return column_spec(key)[1]
    return otherwise


def column_spec(name: Any, values: pd.Series | None = None) -> tuple[str, str]:
    """(label in words, kind) of a column: from ``columns.csv``, else from its name and values.

    >>> column_spec("la_p8_file"), column_spec("fsm_pct")
    (('LA P8 in the file', 'p8'), ('Fsm (%)', 'pct'))
    """
    if isinstance(name, tuple):  # a pivot's columns: each level in words
        groups = value_words().get("pupil_group", {})
        parts = [groups.get(str(p), column_spec(p)[0] if str(p) in _columns() else str(p)) for p in name if str(p)]
        return ": ".join(parts), "num2"
    key = str(name)
    if key in _columns():
        return _columns()[key]
    for suffix, (unit, kind) in KIND_OF_SUFFIX.items():
        if key.endswith(suffix):
            return (key[: -len(suffix)].replace("_", " ").strip().capitalize() + unit), kind
    words = key.replace("_", " ").strip()
    kind = "text"
    if values is not None and pd.api.types.is_bool_dtype(values):
        kind = "bool"
    elif values is not None and pd.api.types.is_integer_dtype(values):
        kind = "count"
    elif values is not None and pd.api.types.is_float_dtype(values):
        kind = "num2"
    return (words[:1].upper() + words[1:]) if words else "", kind


def _status_column(name: str, columns: list[str]) -> str | None:
    for candidate in (f"{name}_status", name[:-6] + "_status" if name.endswith("_value") else None,
                      "status" if name == "value" else None):
        if candidate and candidate in columns and candidate != name:
            return candidate
    return None


@dataclass
class Table:
    """A formatted table: HTML for the report, plain text for the notebook file, CSV of the full data."""

    frame: pd.DataFrame  # the data shown (index folded into columns), for the CSV
    cells: pd.DataFrame  # formatted HTML cells, column labels in words
    numeric: list[bool]
    footnotes: list[tuple[str, str]] = field(default_factory=list)
    caption: str = ""
    empty: str = "No rows."

    def _html(self, rows: int | None = None) -> str:
        cells = self.cells if rows is None else self.cells.head(rows)
        if cells.empty:
            return f'<p class="table-empty">{html.escape(self.empty)}</p>'
        styler = Styler(cells, uuid=self._uid, cell_ids=False).hide(axis="index")
        styler = styler.set_table_attributes('class="compendium-table"')
        if self.caption:
            styler = styler.set_caption(html.escape(self.caption))
        body = styler.to_html().replace('<style type="text/css">\n</style>\n', "")
        # Numeric columns' headings and cells carry the class "num" (right-aligned): added to the rendered tags,
        # as Styler.set_td_classes would the cells' (the same bytes), without its walk over a frame of classes.
        numbers = {str(i) for i, is_number in enumerate(self.numeric) if is_number}
        body = _COLUMN_TAG.sub(lambda m: m.group(0)[:-3] + ' num" >' if m.group(1) in numbers else m.group(0), body)
        notes = "".join(f"<li><sup>{k}</sup> {html.escape(text)}</li>" for k, text in self.footnotes)
        more = ""
        if rows is not None and len(self.cells) > rows:
            more = f'<p class="table-more">Showing the first {rows} of {len(self.cells):,} rows.</p>'
        return (f'<div class="table-wrap">{body}</div>{more}'
                + (f'<ul class="table-notes">{notes}</ul>' if notes else ""))

    @cached_property
    def _uid(self) -> str:
        """The table's id in the HTML: from its data, so the same table has the same id in every run."""
        return "t" + hashlib.sha1(self.frame.to_csv(index=False).encode()).hexdigest()[:10]

    def _repr_html_(self) -> str:
        return self._html()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"text/html": self._html(), "text/plain": self._text()}
        if len(self.cells) > MAX_ROWS:
            bundle[TABLE_MIME] = json.dumps({"rows": len(self.cells), "short_html": self._html(SHORT_ROWS),
                                             "csv": self.frame.to_csv(index=False, float_format="%.6g",
                                                                      lineterminator="\n")})
        return bundle

    def _text(self) -> str:
        """Plain text (a terminal's or a text-only viewer's fallback; notebooks and reports show the HTML): a
        long table's first rows and its size, as pandas' own text shows a long frame, not every row."""
        if self.cells.empty:
            return self.empty
        top = self.cells if len(self.cells) <= MAX_ROWS else self.cells.head(SHORT_ROWS)
        plain = pd.DataFrame({i: [html.unescape(str(v)).replace("<sup>", " ").replace("</sup>", "")
                                  for v in top.iloc[:, i]] for i in range(top.shape[1])}, index=top.index)
        plain.columns = top.columns  # set by position: two columns may carry the same words
        more = "" if top is self.cells else f"\n... the first {SHORT_ROWS} of {len(self.cells):,} rows"
        return plain.to_string(index=False) + more


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """The index as ordinary columns when it means something (named, or a pivot's), else dropped."""
    named = any(n is not None for n in frame.index.names)
    out = frame.reset_index() if named else frame.reset_index(drop=True)
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [tuple(str(p) for p in c if str(p)) if isinstance(c, tuple) else c for c in out.columns]
        out.columns = [c[0] if isinstance(c, tuple) and len(c) == 1 else c for c in out.columns]
    return out


def show(frame: pd.DataFrame, *, columns: list[str] | None = None, labels: dict[str, str] | None = None,
         kinds: dict[str, str] | None = None, kind: str | None = None, caption: str = "",
         empty: str = "No rows.") -> Table:
    """A table for people from ``frame`` (see the module docstring); displays as HTML in a notebook.

    ``columns``: the columns to show, in order (default: all); ``labels`` / ``kinds``: override a column's
    label or kind; ``kind``: the kind of columns not in ``columns.csv`` (e.g. "months" for a pivot of
    months); ``empty``: what to say when there are no rows.

    >>> t = show(pd.DataFrame({"la_name": ["A & B"], "p8": [-0.1834], "p8_status": ["reported"],
    ...                        "pupils": [15477.7]}))
    >>> list(t.cells.columns), list(t.cells.iloc[0])
    (['Local authority', 'Progress 8', 'Pupils'], ['A &amp; B', '−0.18', '15,478'])
    """
    data = _flat(frame if columns is None else frame[columns])
    names = list(data.columns)
    status_of = {c: _status_column(str(c), [str(n) for n in names]) for c in names if not isinstance(c, tuple)}
    # A findings table's status (match, differs, ...) says how the figure compares with the published one: it is
    # shown as a column of its own, and the value beside it, never folded into a dash as a DfE status would be.
    ledger = {s for s in status_of.values()
              if s and (found := set(data[s].dropna().astype(str))) and found <= set(COUNT_TEXT)}
    status_of = {c: s for c, s in status_of.items() if s not in ledger}
    hidden = {s for s in status_of.values() if s}
    notes: dict[str, str] = {}
    cells, numeric, shown = {}, [], []
    for col in names:
        if col in hidden:
            continue
        label, col_kind = column_spec(col, data[col])
        if isinstance(col, tuple) and kind:
            col_kind = kind
        elif not isinstance(col, tuple) and str(col) not in _columns() and kind and col_kind == "num2":
            col_kind = kind
        col_kind = (kinds or {}).get(str(col), col_kind)
        label = (labels or {}).get(str(col), label)
        status = data[status_of[col]] if status_of.get(col) else None
        words = COUNT_TEXT if col in ledger else {} if isinstance(col, tuple) else value_words().get(str(col), {})
        # A long table (a row per measure: "measure", "value") holds figures of different kinds: each value is
        # shown as its measure's own column would be (a count whole, a share as a percentage).
        row_kinds = ([_measure_kind(m, col_kind) for m in data["measure"]]
                     if col == "value" and "measure" in names and "value" not in (kinds or {}) else None)
        out = []
        for i, v in enumerate(data[col]):
            cell_kind = row_kinds[i] if row_kinds else col_kind
            v = _in_words(v, words, cell_kind)
            code = None if status is None else str(status.iloc[i])
            text, why = format_number(v, cell_kind, code if code not in (None, REPORTED) else None)
            if why is not None:
                letter = notes.setdefault(why, "abcdefghijklmnopqrstuvwxyz"[len(notes) % 26])
                text = f"{DASH}<sup>{letter}</sup>"
            out.append(text)
        cells[label] = out
        shown.append(col)
        numeric.append(col_kind not in ("text", "code", "list", "bool", "year"))
    meanings = status_meanings()
    footnotes = [(letter, meanings.get(why, f"{why}: no value.")) for why, letter in notes.items()]
    table = pd.DataFrame(cells)
    if table.columns.duplicated().any():  # two columns with the same words: keep both, numbered
        table.columns = [f"{c} ({i + 1})" if list(table.columns).count(c) > 1 else c for i, c in enumerate(table.columns)]
    csv = data[shown].copy()
    csv.columns = list(table.columns)
    return Table(frame=csv, cells=table, numeric=numeric, footnotes=footnotes, caption=caption, empty=empty)


def install() -> None:
    """Route every DataFrame a notebook displays through :func:`show`, and every figure through the report PNG
    (:func:`.png.install`); a no-op outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is None:
        return
    shell.display_formatter.mimebundle_formatter.for_type(pd.DataFrame, lambda df, include=None, exclude=None:
                                                          show(df)._repr_mimebundle_())
    if getattr(shell, "kernel", None) is not None:  # a terminal IPython shows figures in windows, not PNGs
        from . import png

        png.install(shell)


def show_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """A school panel (``methods.schools.school_panel``) for reading: suppressed or missing values shown as their
    DfE code (e.g. 'SUPP'), P8 to 2 dp, pupils as whole numbers, A8 to 1 dp, CIs as 'low to high'."""
    out = panel[["urn", "school_name", "year", "pupil_group", "data_urn"]].copy()
    for m, fmt in (("p8", "{:.2f}"), ("p8_pupils", "{:.0f}"), ("a8", "{:.1f}")):
        out[m] = [fmt.format(v) if s == REPORTED else str(s) for v, s in zip(panel[m], panel[f"{m}_status"],
                                                                               strict=True)]
    out["p8_95ci"] = [f"{lo:.2f} to {hi:.2f}" if pd.notna(lo) and pd.notna(hi) else "" for lo, hi in
                      zip(panel["p8_ci_low"], panel["p8_ci_high"], strict=True)]
    out["ci_source"] = panel["ci_source"]
    return out


def is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT
