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
import tempfile
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from . import dependencies, paths

STATUSES = ("match", "differs", "not-published", "not-reproducible")


@lru_cache(maxsize=1)
def published_figures() -> pd.DataFrame:
    """Every transcribed published figure, joined to its source document.

    >>> pub = published_figures()
    >>> pub.query("finding_id == 'p8_disadvantaged_la' and key == '330' and year == 2017")["value"].item()
    '-0.18'
    """
    docs = pd.read_csv(paths.PUBLISHED / "documents.csv", dtype=str, keep_default_na=False)
    frames = [
        pd.read_csv(p, dtype=str, keep_default_na=False)
        for p in sorted(paths.PUBLISHED.glob("*.csv"))
        if p.name != "documents.csv"
    ]
    table = pd.concat(frames, ignore_index=True)
    table["year"] = table["year"].astype(int)
    dup = table.duplicated(["finding_id", "year", "key"], keep=False)
    if dup.any():
        raise ValueError(f"Published figures repeat (finding_id, year, key): {table[dup].iloc[0].to_dict()}")
    table = table.merge(docs, on="document_id", how="left", validate="many_to_one")
    if table["title"].isna().any():
        bad = table.loc[table["title"].isna(), "document_id"].unique()
        raise ValueError(f"Published figures cite unknown documents {list(bad)}: add them to documents.csv")
    table["source"] = (
        table["publisher"] + ", " + table["title"] + " (" + table["published"] + "), " + table["source_table"]
    )
    return table


def published(finding_id: str, year: int, key: str) -> dict[str, Any] | None:
    """The published row for (finding, year, key), or None."""
    table = published_figures()
    hit = table[(table["finding_id"] == finding_id) & (table["year"] == int(year)) & (table["key"] == str(key))]
    return None if hit.empty else hit.iloc[0].to_dict()


def _parse(value: str, value_type: str) -> Any:
    if value_type == "number":
        return float(value)
    if value_type == "list":
        return value.split("|")
    return value


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
        row = published(finding_id, year, key)
        value = _clean(value)
        if row is None:
            expected, source, value_type, tol = None, "", "number", tolerance
            notes = [note]
        else:
            value_type = row["value_type"]
            expected = _parse(row["value"], value_type)
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

    def save(self, directory: Path | str | None = None) -> Path:
        """Write ``<run dir>/<year>/findings/<notebook>.json`` atomically (temp file, then move).

        Beside it, ``dependencies/<notebook>.json``: what the notebook read (see :mod:`analysis.dependencies`),
        which the runner turns into the notebook's cache key.
        """
        base = Path(directory) if directory else run_dir()
        out = base / str(self.year) / "findings" / f"{self.notebook}.json"
        write_json_atomic(out, [asdict(f) for f in self.findings])
        write_json_atomic(base / str(self.year) / "dependencies" / f"{self.notebook}.json", dependencies.snapshot())
        return out


def run_dir() -> Path:
    """The directory of the current run: set by the runner; interactive sessions use data/processed."""
    return Path(os.environ.get(paths.RUN_DIR_ENV) or (paths.processed_dir() / "interactive"))


def write_json_atomic(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=2, ensure_ascii=False, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)


def read_findings(path: Path | str) -> pd.DataFrame:
    """A findings.json as a table."""
    with open(path, encoding="utf-8") as f:
        return pd.DataFrame(json.load(f))
