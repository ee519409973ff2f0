"""The notebooks the runner knows (``notebooks/notebooks.yml``) and their parameters, as papermill reads them."""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any


from .. import paths
from ..common import atomic_write_json, load_yaml
from ..errors import ParameterError


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    title: str
    default_year: int
    default_la: str | None
    years: str
    las: str | None
    coverage: str | None = None  # library function (year, la) -> None, or why the notebook cannot run
    typical_seconds: float | None = None  # scheduling hint until the runner has timed the notebook
    path: Path | None = None  # tests point a spec at a notebook outside notebooks/
    #: parameter -> its allowed values (choices / minimum / maximum / ...): see analysis.pipeline.params
    rules: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)
    #: further parameter sets the default reproduce runs too, each into its own report set
    also_run: tuple[dict[str, Any], ...] = field(default=(), compare=False)
    #: heavy modules only this notebook needs, imported by the warm kernel server when a run includes it
    warm_imports: tuple[str, ...] = field(default=(), compare=False)

    @property
    def source(self) -> Path:
        return self.path or paths.NOTEBOOKS / f"{self.name}.py"


@dataclass
class Job:
    spec: NotebookSpec
    year: int
    parameters: dict[str, Any]
    report_set: str = ""  # the folder of reports/ it writes into: "<year>" or "<year>--<variant>"
    declared: bool = False  # a parameter set the default reproduce runs (notebooks.yml also_run)
    raw_sha256: dict[str, str] = field(default_factory=dict)  # source id -> sha256 of the file as read this run
    cell_seconds: list[float] = field(default_factory=list)  # each cell's execution time (a timing field)
    cache_key: str = ""
    reused: bool = False
    seconds: float = 0.0
    expected_seconds: float = float("inf")  # from the last run; unknown notebooks start first
    outputs: list[str] = field(default_factory=list)
    dependencies: dict[str, Any] = field(default_factory=dict)
    export_key: str = ""
    reexport: bool = False  # reused, but the HTML export changed since: export again from the executed notebook


def load_specs(path: Path = paths.NOTEBOOKS / "notebooks.yml") -> list[NotebookSpec]:
    with open(path, encoding="utf-8") as f:
        entries = load_yaml(f)["notebooks"]
    return [
        NotebookSpec(
            name=e["name"],
            title=e["title"],
            default_year=int(e["default_year"]),
            default_la=None if e.get("default_la") is None else str(e["default_la"]),
            years=e["years"],
            las=e.get("las"),
            coverage=e.get("coverage"),
            typical_seconds=e.get("typical_seconds"),
            rules=dict(e.get("parameters") or {}),
            also_run=tuple(e.get("also_run") or ()),
            warm_imports=tuple(e.get("warm_imports") or ()),
        )
        for e in entries
    ]


def _call(ref: str, *args: Any) -> Any:
    module, func = ref.split(":")
    return getattr(importlib.import_module(module), func)(*args)


@lru_cache(maxsize=32)
def valid_years(spec: NotebookSpec) -> tuple[int, ...]:
    return tuple(sorted(int(y) for y in _call(spec.years)))


@lru_cache(maxsize=32)
def _valid_las(spec: NotebookSpec) -> tuple[tuple[str, str], ...]:
    table = _call(spec.las)
    return tuple(zip(table["la_code"].astype(str), table["la_name"].astype(str), strict=True))


def valid_las(spec: NotebookSpec) -> dict[str, str]:
    return dict(_valid_las(spec)) if spec.las else {}


def _notebook_libraries() -> None:
    """Import-time settings for the notebook tooling, applied before nbformat is first imported."""
    # jsonschema (imported by nbformat) loads rfc3987_syntax when it is installed (jupyterlab pulls it in), and
    # that compiles a grammar for 1.6 s on import. Notebook JSON holds no IRIs to validate: run without it.
    sys.modules.setdefault("rfc3987_syntax", None)


def read_notebook(spec: NotebookSpec):
    """The jupytext percent file as an nbformat notebook (kernel pinned to the generic python3)."""
    _notebook_libraries()
    import jupytext

    nb = jupytext.read(spec.source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _parse_parameters(spec: NotebookSpec) -> dict[str, dict[str, str]]:
    _notebook_libraries()  # before papermill, which imports nbformat
    from papermill.translators import PythonTranslator

    nb = read_notebook(spec)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{spec.source}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    params = PythonTranslator.inspect(cells[0])
    declared = {p.name: {"type": p.inferred_type_name or "None", "default": p.default, "help": p.help or ""}
                for p in params}
    untyped = [name for name, p in declared.items() if p["type"] == "None"]
    if untyped:
        raise ParameterError(f"{spec.source}: parameters {untyped} have no type; write `name: type = value  # comment`")
    lines = [ln for ln in cells[0].source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    if len(lines) != len(declared):
        raise ParameterError(
            f"{spec.source}: the parameters cell has {len(lines)} lines but papermill reads {len(declared)} "
            "parameters; write one `name: type = value  # comment` per line, with no '=' in comments"
        )
    return declared


@lru_cache(maxsize=32)
def parameter_cell(spec: NotebookSpec) -> dict[str, dict[str, str]]:
    """name -> {type, default (source text), help (the comment)} of the notebook's parameters cell, as papermill
    reads it.

    Parsing needs papermill and jupytext (a second of imports), so the answer is kept in data/processed,
    keyed by the notebook's content and papermill's version.
    """
    key = hashlib.sha256(spec.source.read_bytes() + metadata.version("papermill").encode()).hexdigest()[:20]
    store = paths.processed_dir() / "cache" / f"parameters-v2-{key}.json"
    if store.exists():
        return json.loads(store.read_text(encoding="utf-8"))
    declared = _parse_parameters(spec)
    atomic_write_json(store, declared)
    return declared


def notebook_parameters(spec: NotebookSpec) -> dict[str, str]:
    """name -> declared type ('int', 'str', 'dict', ...) of each parameter of the notebook."""
    return {name: p["type"] for name, p in parameter_cell(spec).items()}


def parameter_defaults(spec: NotebookSpec) -> dict[str, Any]:
    """name -> default value of each parameter (the literal in the parameters cell)."""
    import ast

    return {name: ast.literal_eval(p["default"]) for name, p in parameter_cell(spec).items()}
