"""The main points at the top of a policy report: two or three plain sentences built from the recorded
findings, never typed by hand.

The sentences are data: ``briefings.yml`` beside this module holds, per notebook, Jinja templates that name
findings by id (``f.p8_all_la``, ``f.key("disadvantaged_p8_la", "330")``, ``f.all("oa_gap_months_")``) and say
what to write with their values. A sentence whose findings are missing or have no value is left out, so a
run for another LA, year or comparison group gets the sentences its findings support. A last sentence
always says how the figures compare with the published ones. Everything from the data is HTML-escaped
(Jinja autoescape).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, UndefinedError

from ..common import academic_year, load_yaml
from .numbers import number
from .summary import counts_text, value_text

BRIEFINGS_FILE = Path(__file__).with_name("briefings.yml")


class Fact:
    """One finding as a template sees it: ``v`` / ``p`` its reproduced / published value as text."""

    def __init__(self, finding: dict[str, Any] | None):
        self._f = finding or {}

    def __bool__(self) -> bool:  # a finding that exists and has a reproduced value
        return bool(self._f) and self._f.get("value") is not None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if not self._f:
            raise UndefinedError(f"no such finding ({name})")
        f = self._f
        if name == "v":
            return value_text(f["value"], f) if f.get("value") is not None else _fail("no value")
        if name == "p":
            return value_text(f["published"], f) if f.get("published") is not None else _fail("not published")
        if name == "raw":
            return f["value"] if f.get("value") is not None else _fail("no value")
        if name == "area":
            return str(f["label"]).split(":")[0]
        if name == "n":
            items = f["value"] if isinstance(f.get("value"), list) else f.get("published")
            return len(items) if isinstance(items, list) else _fail("not a list")
        if name == "names":
            items = f["value"] if isinstance(f.get("value"), list) else _fail("not a list")
            return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1] if items else "none"
        return f.get(name)


def _fail(why: str):
    raise UndefinedError(why)


class Facts:
    """The findings of one report, by id: ``f.some_id``, ``f.key(id, key)``, ``f.all(prefix)``."""

    def __init__(self, findings: list[dict[str, Any]]):
        self._findings = findings

    def __getattr__(self, name: str) -> Fact:
        if name.startswith("_"):
            raise AttributeError(name)
        return Fact(next((f for f in self._findings if f["id"] == name), None))

    def key(self, finding_id: str, key: str) -> Fact:
        return Fact(next((f for f in self._findings if f["id"] == finding_id and str(f["key"]) == str(key)), None))

    def all(self, prefix: str) -> list[Fact]:
        return [Fact(f) for f in self._findings if f["id"].startswith(prefix) and f.get("value") is not None]


def _compare(a: Any, b: Any) -> str:
    a, b = float(a), float(b)
    return "above" if a > b else "below" if a < b else "level with"


@lru_cache(maxsize=1)
def _templates() -> dict[str, list[str]]:
    return load_yaml(BRIEFINGS_FILE.read_text(encoding="utf-8")) or {}


def _about(value: float) -> str:
    """A count for "about ...": three significant figures, as a reader would say it.

    >>> _about(15477.687041), _about(312), _about(0.0)
    ('15,500', '312', '0')
    """
    if not value:
        return "0"
    digits = 3 - 1 - int(math.floor(math.log10(abs(value))))
    return number(round(float(value), digits), max(digits, 0))


def _env() -> Environment:
    env = Environment(autoescape=True, undefined=StrictUndefined)
    env.filters["vs"] = _compare
    env.filters["about"] = _about
    env.globals["academic_year"] = academic_year
    return env


def main_points(notebook: str, findings: list[dict[str, Any]], parameters: dict[str, Any]) -> list[str]:
    """The report's main points as escaped HTML sentences (at most three from the templates, then the
    comparison with the published figures)."""
    facts = Facts(findings)
    env = _env()
    out = []
    year = parameters.get("year")
    context = {"f": facts, "params": parameters,
               "year_label": academic_year(int(year)) if str(year or "").isdigit() else str(year or "")}
    for source in _templates().get(notebook, []):
        try:
            text = " ".join(env.from_string(source).render(**context).split())
        except (UndefinedError, TypeError, ValueError, IndexError):
            continue  # this run's findings do not support the sentence
        if text:
            out.append(text)
        if len(out) == 3:
            break
    compared = [f for f in findings if f["status"] in ("match", "differs")]
    if findings:
        out.append(env.from_string(
            "Of the {{ n }} figures recorded here, {{ counts }}{% if compared %}; the table below gives each "
            "tolerance and, where a figure differs, why{% endif %}.").render(
            n=len(findings), counts=counts_text(findings), compared=bool(compared)))
    return out
