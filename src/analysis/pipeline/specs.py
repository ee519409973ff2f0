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

import yaml

from .. import paths
from ..common import atomic_write_json
from ..errors import ParameterError


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    title: str
    default_year: int
    default_la: str | None
    years: str
    las: str | None
    typical_seconds: float | None = None  # scheduling hint until the runner has timed the notebook
    path: Path | None = None  # tests point a spec at a notebook outside notebooks/

    @property
    def source(self) -> Path:
        return self.path or paths.NOTEBOOKS / f"{self.name}.py"


@dataclass
class Job:
    spec: NotebookSpec
    year: int
    parameters: dict[str, Any]
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
        entries = yaml.safe_load(f)["notebooks"]
    return [
        NotebookSpec(
            name=e["name"],
            title=e["title"],
            default_year=int(e["default_year"]),
            default_la=None if e.get("default_la") is None else str(e["default_la"]),
            years=e["years"],
            las=e.get("las"),
            typical_seconds=e.get("typical_seconds"),
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


def _parse_parameters(spec: NotebookSpec) -> dict[str, str]:
    from papermill.translators import PythonTranslator

    nb = read_notebook(spec)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{spec.source}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    params = PythonTranslator.inspect(cells[0])
    declared = {p.name: (p.inferred_type_name or "None") for p in params}
    lines = [ln for ln in cells[0].source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    if len(lines) != len(declared):
        raise ParameterError(
            f"{spec.source}: the parameters cell has {len(lines)} lines but papermill reads {len(declared)} "
            "parameters; write one `name: type = value  # comment` per line, with no '=' in comments"
        )
    return declared


@lru_cache(maxsize=32)
def notebook_parameters(spec: NotebookSpec) -> dict[str, str]:
    """name → declared type ('int', 'str', 'dict', ...) from the notebook's parameters cell, as papermill reads it.

    Parsing needs papermill and jupytext (a second of imports), so the answer is kept in data/processed,
    keyed by the notebook's content and papermill's version.
    """
    key = hashlib.sha256(spec.source.read_bytes() + metadata.version("papermill").encode()).hexdigest()[:20]
    store = paths.processed_dir() / "cache" / f"parameters-{key}.json"
    if store.exists():
        return json.loads(store.read_text(encoding="utf-8"))
    declared = _parse_parameters(spec)
    atomic_write_json(store, declared)
    return declared


def coerce_parameter(spec: NotebookSpec, name: str, value: Any) -> Any:
    """Convert a command-line string to the parameter's declared type; codes declared ``str`` stay strings."""
    declared = notebook_parameters(spec)
    if name not in declared:
        raise ParameterError(
            f"parameter {name!r} is not a parameter of {spec.name}; its parameters are: {', '.join(declared)}"
        )
    kind = declared[name].split("[")[0].strip().lower()
    if not isinstance(value, str):
        return value
    try:
        if kind == "str":
            return value
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            if value.lower() in ("true", "1", "yes"):
                return True
            if value.lower() in ("false", "0", "no"):
                return False
            raise ValueError(value)
        parsed = yaml.safe_load(value)
        if isinstance(parsed, (int, float)) and kind in ("list", "dict"):
            return [str(parsed)] if kind == "list" else parsed
        return parsed
    except ValueError:
        raise ParameterError(f"parameter {name!r} of {spec.name} expects {declared[name]}, got {value!r}") from None
