"""The library's layers stay true: imports point one way (data -> methods -> presentation -> pipeline).

Read from the source text with ``ast`` (nothing is imported), so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "analysis"
CORE = {"analysis.paths", "analysis.errors", "analysis.common"}
#: layer -> the layers its modules may import (a layer may always import itself and the core modules)
ALLOWED = {
    "core": {"core"},
    "data": {"core", "data"},
    "findings": {"core", "data", "findings"},
    "methods": {"core", "data", "methods"},
    "present": {"core", "data", "methods", "findings", "present"},
    "pipeline": {"core", "data", "methods", "findings", "present", "pipeline"},
}
MAX_LINES = 350


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    if module in CORE or module == "analysis":
        return "core"
    return module.split(".")[1]


def imported(path: Path) -> set[str]:
    """Every ``analysis`` module the file imports, relative imports resolved."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("analysis")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            if not base.startswith("analysis"):
                continue
            for alias in node.names:  # "from . import stats" imports the module analysis.methods.stats
                candidate = f"{base}.{alias.name}"
                is_module = (PACKAGE.parent / Path(*candidate.split("."))).with_suffix(".py").exists() or (
                    PACKAGE.parent / Path(*candidate.split(".")) / "__init__.py").exists()
                found.add(candidate if is_module else base)
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_the_four_layers_exist():
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == {
        "data", "methods", "present", "pipeline"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_point_down_the_layers(path):
    me = module_name(path)
    if me == "analysis":  # the package root only switches on dependency recording in a runner's kernel
        assert imported(path) <= {"analysis.paths", "analysis.data.dependencies"}
        return
    mine = layer(me)
    wrong = sorted(m for m in imported(path) if layer(m) not in ALLOWED[mine] and m != "analysis")
    assert wrong == [], f"{me} ({mine}) imports {wrong}, above its layer"


def test_the_checker_sees_a_wrong_import(tmp_path, monkeypatch):
    # A methods module importing the pipeline must be caught (the test above would otherwise pass vacuously).
    fake = PACKAGE / "methods" / "_probe.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: "from ..pipeline import runner\n"
                        if self == fake else Path.read_bytes(self).decode())
    assert imported(fake) == {"analysis.pipeline.runner"} and layer("analysis.pipeline.runner") not in ALLOWED["methods"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_module_is_too_long_to_read(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module_name(path)} has {lines} lines; split it by what it does"
