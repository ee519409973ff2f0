"""Headline figures: each reproduced value recorded next to its published value, with a status.

A notebook records every headline figure through a :class:`FindingsLog`; the runner gathers the logs into
``findings.json`` / ``findings.csv``. Published values come from ``data/reference/published/*.csv``
(transcribed from the source documents), so a notebook never types a published number itself.

Statuses:

* ``match``: reproduced within the published figure's tolerance (numbers) or equal (names, lists);
* ``differs``: reproduced, but outside the tolerance: the note says why if we know;
* ``not-published``: the sources give no figure to compare with;
* ``needs-public-file``: the claim needs a public file the registry does not hold (the note names it);
* ``not-reproducible``: the claim needs data that are not public (pupil-level NPD, Ofsted's inspection history,
  survey responses: the note names them).

Which of the last two applies, and why, is the published table's (columns ``needs``, ``needs_note``), never the
notebook's. A *derived* finding (a gap computed from two printed numbers, a complement of a printed share) is
flagged ``derived`` and counted apart from the independent findings (:func:`status_counts`).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths
from .common import atomic_write, atomic_write_json
from .data import dependencies
from .data import published as published_table
from .data.published import NEEDS_STATUS, parse_value
from .data.published import published as published_row

STATUSES = ("match", "differs", "not-published", "needs-public-file", "not-reproducible")


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


def compare(value: Any, expected: Any, value_type: str, tolerance: float | None, *,
            bounds: tuple[float, float] | None = None, needs: str = "") -> str:
    """Status of a reproduced value against the published one.

    Numbers match within ``bounds`` (from :func:`analysis.data.published.bounds`) or, without them, within
    ± ``tolerance``. A claim with ``needs`` ("public-file", "non-public", "survey") and nothing to compare (no
    reproduced value, or no printed figure) gets the status of what it needs.

    >>> compare(-0.18, -0.18, "number", 0.005), compare(-0.20, -0.18, "number", 0.005)
    ('match', 'differs')
    >>> compare(["a", "b"], ["a", "b"], "list", None), compare(None, 20.1, "number", 0.05, needs="non-public")
    ('match', 'not-reproducible')
    >>> compare(57.0, 60.0, "number_below", 5, bounds=(55.0, 60.0)), compare(None, None, "number", None, needs="public-file")
    ('match', 'needs-public-file')
    """
    if needs and (value is None or expected is None):
        return NEEDS_STATUS[needs]
    if expected is None:
        return "not-published"
    if value is None:
        return "not-reproducible"
    if value_type in published_table.NUMERIC:
        low, high = bounds or (float(expected) - (tolerance or 0), float(expected) + (tolerance or 0))
        return "match" if low - 1e-9 <= float(value) <= high + 1e-9 else "differs"
    if value_type == "list":
        norm = [str(v).strip().casefold() for v in value]
        return "match" if norm == [str(v).strip().casefold() for v in expected] else "differs"
    return "match" if str(value).strip().casefold() == str(expected).strip().casefold() else "differs"


def _sentences(parts: list[str]) -> str:
    """Notes joined as sentences (each ends with a full stop unless it already ends a sentence).

    >>> _sentences(["Reproduced from X", "", "Needs: Y."])
    'Reproduced from X. Needs: Y.'
    """
    parts = [p.strip() for p in parts if p and p.strip()]
    return " ".join(p if p[-1] in ".!?)" else p + "." for p in parts)


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
    derived: bool = False


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
    ) -> Finding:
        """Record a reproduced value; the published value, source, tolerance (half a unit of the last printed
        digit unless the table states one, with its reason), what an unreproducible claim needs and whether
        the figure is derived all come from the published table."""
        year = int(year if year is not None else self.year)
        key = str(key)
        row = published_row(finding_id, year, key)
        value = _clean(value)
        if row is None:
            expected, source, value_type, tol, bounds, needs, derived = None, "", "number", None, None, "", False
            notes = [note]
        else:
            value_type, source, needs, derived = row["value_type"], row["source"], row["needs"], bool(row["derived"])
            expected = _clean(parse_value(row["value"], value_type))
            tol, bounds = published_table.tolerance(row), published_table.bounds(row)
            notes = [note, row["note"]]
            if row["tolerance_reason"]:
                low, high = bounds
                notes.append(f"Match range {low:g} to {high:g}: {row['tolerance_reason']}.")
        status = compare(value, expected, value_type, tol, bounds=bounds, needs=needs)
        if status in NEEDS_STATUS.values() and row is not None and row["needs_note"]:
            notes.append(f"Needs: {row['needs_note']}.")
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
            note=_sentences(notes),
            notebook=self.notebook,
            section=section,
            derived=derived,
        )
        self.findings = [f for f in self.findings if (f.id, f.key, f.year) != (finding_id, key, year)]
        self.findings.append(finding)
        return finding

    def table(self) -> pd.DataFrame:
        """The findings as a table: reproduced next to published, for the reviewer."""
        rows = [asdict(f) for f in self.findings]
        cols = ["id", "key", "year", "label", "value", "published", "tolerance", "status", "derived", "source", "note"]
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


MARKS = {"match": "ok  ", "differs": "DIFF", "not-published": "n/p ", "needs-public-file": "n/f ",
         "not-reproducible": "n/r "}


def _finding_files(directory: Path) -> list[Path]:
    """The merged findings.json of a run directory (one per report set), or of one report set."""
    return sorted(directory.glob("findings.json")) or sorted(directory.glob("*/findings.json"))


def status_counts(records: list[dict[str, Any]] | pd.DataFrame) -> dict[str, int]:
    """Findings per status, derived findings apart: independent findings count under their status, every
    derived one (whatever its status) under ``derived``, so a derived match never reads as an independent one.

    >>> status_counts([{"status": "match"}, {"status": "match", "derived": True}, {"status": "differs"}])
    {'match': 1, 'differs': 1, 'derived': 1}
    """
    rows = records.to_dict("records") if isinstance(records, pd.DataFrame) else records
    counts = {s: 0 for s in (*STATUSES, "derived")}
    for r in rows:
        counts["derived" if r.get("derived") is True else r["status"]] += 1
    return {s: n for s, n in counts.items() if n}


def unrecorded_claims(directory: Path | str) -> pd.DataFrame:
    """Published claims (kind ``claim``) that no notebook of the run recorded, over all its report sets.

    Every claim of the five sources should be recorded by exactly one notebook run of the default reproduce;
    this lists those that were not (finding_id, year, key, document_id, source_table).
    """
    recorded: set[tuple[str, int, str]] = set()
    for f in _finding_files(Path(directory)):
        recorded |= {(r["id"], int(r["year"]), str(r["key"])) for r in json.loads(f.read_text(encoding="utf-8"))}
    claims = published_table.claims()
    keys = list(zip(claims["finding_id"], claims["year"].astype(int), claims["key"], strict=True))
    missing = claims[[k not in recorded for k in keys]]
    return missing[["finding_id", "year", "key", "document_id", "source_table"]].reset_index(drop=True)


def value(table: pd.DataFrame, finding_id: str, key: str | None = None, field: str = "value") -> Any:
    """One recorded finding's ``field`` (value, published, status ...) from a findings table (``log.table()``
    or a findings.json read with :func:`read_findings`); ``key`` may be left out when the id has one row.

    >>> t = pd.DataFrame({"id": ["a", "b"], "key": ["x", "y"], "value": [1.5, 2.0], "status": ["match", "differs"]})
    >>> value(t, "a"), value(t, "b", "y", "status")
    (1.5, 'differs')
    """
    hit = table[(table["id"] == finding_id) & ((table["key"] == str(key)) if key is not None else True)]
    if len(hit) != 1:
        raise KeyError(f"findings: {len(hit)} rows for {finding_id!r}" + (f" [{key}]" if key is not None else "")
                       + "; expected exactly one")
    return _clean(hit[field].iloc[0])


def check(directory: Path | str, fmt: Callable[[dict[str, Any], Any], str] | None = None) -> tuple[str, bool]:
    """Published vs reproduced for every findings.json under ``directory`` (one per report set), each differing
    finding with its tolerance and note, then the published claims no notebook recorded; (text, any differs).

    ``fmt(finding, value)`` writes a value (the command line passes the reports' formatter, which rounds each
    finding to its unit's precision); by default values are printed as stored."""
    fmt = fmt or (lambda finding, value: _fmt(value))
    directory = Path(directory)
    files = _finding_files(directory)
    if not files:
        raise FileNotFoundError(f"no findings.json in {directory} or its year folders: run `compendium run` first")
    lines, differs = [], False
    for f in files:
        table = read_findings(f)
        counts = ", ".join(f"{n} {s}" for s, n in status_counts(table).items())
        lines.append(f"== {f.parent.name}: {len(table)} findings ({counts})")
        for row in table.to_dict("records"):
            derived = " (derived)" if row.get("derived") is True else ""
            lines.append(f"{MARKS[row['status']]} {row['id']}[{row['key']}] {row['year']}{derived}: reproduced "
                         f"{fmt(row, row['value'])} | published {fmt(row, row['published'])}")
            if row["status"] == "differs":
                differs = True
                tolerance = row.get("tolerance")
                within = "" if tolerance is None or tolerance != tolerance else f"tolerance ±{tolerance:g}; "
                note = row.get("note") or "no note recorded"
                lines.append(f"     {within}why: {note}")
    if not (directory / "findings.json").exists():  # a whole run, not one report set: every claim should be there
        missing = unrecorded_claims(directory)
        lines.append(f"== published claims no notebook recorded: {len(missing)}")
        lines += [f"miss {r.finding_id}[{r.key}] {r.year} ({r.document_id}, {r.source_table})"
                  for r in missing.itertuples()]
    return "\n".join(lines), differs


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return " > ".join(map(str, value))
    return "-" if value is None or (isinstance(value, float) and value != value) else str(value)
