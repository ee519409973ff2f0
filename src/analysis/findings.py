"""Headline figures: each reproduced value recorded next to its published value, with a status.

A notebook records every headline figure through a :class:`FindingsLog`; the runner gathers the logs into
``findings.json`` / ``findings.csv``. Published values come from ``data/reference/published/*.csv``
(transcribed from the source documents), so a notebook never types a published number itself.

Statuses:

* ``match``: reproduced within the published figure's tolerance (numbers) or equal (names, lists);
* ``differs``: reproduced, but outside the tolerance: the note says why if we know;
* ``not-published``: the sources give no figure to compare with;
* ``not-reproducible``: the sources give a figure that public data cannot reproduce (e.g. pupil-level NPD).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths
from .common import atomic_write, atomic_write_json
from .data import dependencies
from .data.published import parse_value
from .data.published import published as published_row

STATUSES = ("match", "differs", "not-published", "not-reproducible")


def _clean(value: Any) -> Any:
    """JSON-safe, deterministic form of a reproduced value."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):
        value = value.item()  # numpy scalar
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, (list, tuple, pd.Series)):
        return [_clean(v) for v in list(value)]
    return value


def compare(value: Any, expected: Any, value_type: str, tolerance: float | None) -> str:
    """Status of a reproduced value against the published one.

    >>> compare(-0.18, -0.18, "number", 0.005), compare(-0.20, -0.18, "number", 0.005)
    ('match', 'differs')
    >>> compare(["a", "b"], ["a", "b"], "list", None), compare(None, 20.1, "number", 0.05)
    ('match', 'not-reproducible')
    """
    if expected is None:
        return "not-published"
    if value is None:
        return "not-reproducible"
    if value_type == "number":
        return "match" if abs(float(value) - float(expected)) <= (tolerance or 0) + 1e-9 else "differs"
    if value_type == "list":
        norm = [str(v).strip().casefold() for v in value]
        return "match" if norm == [str(v).strip().casefold() for v in expected] else "differs"
    return "match" if str(value).strip().casefold() == str(expected).strip().casefold() else "differs"


@dataclass
class Finding:
    id: str
    key: str
    year: int
    label: str
    value: Any
    published: Any
    source: str
    tolerance: float | None
    status: str
    unit: str = ""
    note: str = ""
    notebook: str = ""
    section: str = ""


@dataclass
class FindingsLog:
    """Collects one notebook's findings and writes them where the runner expects them.

    >>> log = FindingsLog("01_la_vs_national_p8", year=2017)
    >>> log.record("p8_disadvantaged_la", -0.18, key="330", label="Birmingham disadvantaged P8").status
    'match'
    >>> log.record("p8_something_new", 1.0, key="330", label="unpublished").status
    'not-published'
    """

    notebook: str
    year: int
    findings: list[Finding] = field(default_factory=list)

    def record(
        self,
        finding_id: str,
        value: Any,
        *,
        label: str,
        key: str = "",
        year: int | None = None,
        unit: str = "",
        note: str = "",
        section: str = "",
        tolerance: float | None = None,
    ) -> Finding:
        """Record a reproduced value; the published value, source and tolerance come from the reference table."""
        year = int(year if year is not None else self.year)
        key = str(key)
        row = published_row(finding_id, year, key)
        value = _clean(value)
        if row is None:
            expected, source, value_type, tol = None, "", "number", tolerance
            notes = [note]
        else:
            value_type = row["value_type"]
            expected = parse_value(row["value"], value_type)
            source = row["source"]
            tol = tolerance if tolerance is not None else (float(row["tolerance"]) if row["tolerance"] else None)
            notes = [note, row["note"]]
        status = compare(value, expected, value_type, tol)
        finding = Finding(
            id=finding_id,
            key=key,
            year=year,
            label=label,
            value=value,
            published=expected,
            source=source,
            tolerance=tol,
            status=status,
            unit=unit,
            note=" ".join(n for n in notes if n).strip(),
            notebook=self.notebook,
            section=section,
        )
        self.findings = [f for f in self.findings if (f.id, f.key, f.year) != (finding_id, key, year)]
        self.findings.append(finding)
        return finding

    def table(self) -> pd.DataFrame:
        """The findings as a table: reproduced next to published, for the reviewer."""
        rows = [asdict(f) for f in self.findings]
        cols = ["id", "key", "year", "label", "value", "published", "tolerance", "status", "source", "note"]
        frame = pd.DataFrame(rows, columns=list(Finding.__dataclass_fields__))[cols]
        for col in ("value", "published"):
            frame[col] = frame[col].map(lambda v: " > ".join(map(str, v)) if isinstance(v, list) else v)
        return frame

    def record_all(self, rows: pd.DataFrame, directory: Path | str | None = None) -> pd.DataFrame:
        """Record every row of a findings-ready table, save the log, and return reproduced against published.

        ``rows`` has one row per headline figure: ``finding_id``, ``value``, ``label`` and optionally ``key``,
        ``year``, ``unit``, ``note``, ``section`` (the library's ``findings(...)`` functions return such tables).
        """
        missing = sorted({"finding_id", "value", "label"} - set(rows.columns))
        if missing:
            raise ValueError(f"record_all: the findings table lacks columns {missing}")
        def text(row: dict, name: str) -> str:  # a column some rows leave empty reads NaN
            value = row.get(name)
            return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)

        for row in rows.to_dict("records"):
            year = row.get("year")
            self.record(
                row["finding_id"], row["value"], label=row["label"], key=text(row, "key"),
                year=None if year is None or pd.isna(year) else int(year), unit=text(row, "unit"),
                note=text(row, "note"), section=text(row, "section"),
            )
        self.save(directory)
        return self.table()

    def save_table(self, frame: pd.DataFrame, name: str, directory: Path | str | None = None) -> Path:
        """Write a table the report names (e.g. every school and its family) as CSV into the run's report set,
        ``<run dir>/<report set>/tables/<notebook>/<name>.csv``: it is swapped in with the reports, never left
        changed by a failed run. Returns the path."""
        base = Path(directory) if directory else run_dir()
        target = base / report_set(self.year) / "tables" / self.notebook / f"{name}.csv"
        return atomic_write(target, lambda tmp: frame.to_csv(tmp, index=False, float_format="%.6g",
                                                             lineterminator="\n"))

    def save(self, directory: Path | str | None = None) -> Path:
        """Write ``<run dir>/<report set>/findings/<notebook>.json`` atomically (temp file, then move).

        Beside it, ``dependencies/<notebook>.json``: what the notebook read (see :mod:`analysis.data.dependencies`),
        which the runner turns into the notebook's cache key.
        """
        base = Path(directory) if directory else run_dir()
        out = base / report_set(self.year) / "findings" / f"{self.notebook}.json"
        atomic_write_json(out, [asdict(f) for f in self.findings])
        atomic_write_json(base / report_set(self.year) / "dependencies" / f"{self.notebook}.json",
                          dependencies.snapshot())
        return out


def report_set(year: int) -> str:
    """The report set this notebook writes into: the runner names it (``<year>--<variant>`` for a run with
    non-default parameters); by hand it is the year."""
    return os.environ.get(paths.REPORT_SET_ENV) or str(year)


def run_dir() -> Path:
    """The directory of the current run: set by the runner; interactive sessions use data/processed."""
    return Path(os.environ.get(paths.RUN_DIR_ENV) or (paths.processed_dir() / "interactive"))


def read_findings(path: Path | str) -> pd.DataFrame:
    """A findings.json as a table."""
    with open(path, encoding="utf-8") as f:
        return pd.DataFrame(json.load(f))


def check(directory: Path | str) -> tuple[str, bool]:
    """Published vs reproduced for every findings.json under ``directory``; (text, any differs)."""
    directory = Path(directory)
    files = sorted(directory.glob("findings.json")) or sorted(directory.glob("*/findings.json"))
    if not files:
        raise FileNotFoundError(f"no findings.json in {directory} or its year folders: run `compendium run` first")
    lines, differs = [], False
    for f in files:
        table = read_findings(f)
        lines.append(f"== {f.parent.name}: {len(table)} findings")
        for row in table.itertuples():
            mark = {"match": "ok  ", "differs": "DIFF", "not-published": "n/p ", "not-reproducible": "n/r "}[row.status]
            lines.append(
                f"{mark} {row.id}[{row.key}] {row.year}: reproduced {_fmt(row.value)} | published {_fmt(row.published)}"
            )
            differs |= row.status == "differs"
    return "\n".join(lines), differs


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return " > ".join(map(str, value))
    return "-" if value is None or (isinstance(value, float) and value != value) else str(value)
