"""Notebooks narrate, the library calculates: no function, class, loop or row-position lookup in any notebook's
code, and exactly one cell tagged ``parameters`` (docs/CONVENTIONS.md). Checked on the jupytext sources."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from analysis import paths

NOTEBOOKS = sorted((paths.PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
CELL = re.compile(r"^# %%(.*)$", re.M)


def code_cells(path: Path) -> list[tuple[str, str]]:
    """(cell header, code) of each code cell of a percent-format notebook."""
    text = path.read_text(encoding="utf-8")
    marks = list(CELL.finditer(text))
    cells = []
    for mark, following in zip(marks, [*marks[1:], None]):
        header = mark.group(1)
        if "[markdown]" in header:
            continue
        cells.append((header, text[mark.end(): following.start() if following else len(text)]))
    return cells


LOOPS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.For, ast.While, ast.ListComp,
         ast.SetComp, ast.DictComp, ast.GeneratorExp)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 6


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_logic_in_a_notebook(path):
    problems = []
    for header, code in code_cells(path):
        tree = ast.parse(code)
        for node in ast.walk(tree):
            if isinstance(node, LOOPS):
                problems.append(f"line {node.lineno} of cell '{header.strip()}': {type(node).__name__}")
            if isinstance(node, ast.Attribute) and node.attr in {"iloc", "iterrows", "itertuples"}:
                problems.append(f"line {node.lineno} of cell '{header.strip()}': .{node.attr}")
    assert not problems, f"{path.name}: move this logic into the library: {problems}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell(path):
    tagged = [h for h, _ in code_cells(path) if re.search(r"tags=\[[^\]]*\"parameters\"", h)]
    assert len(tagged) == 1, f"{path.name}: expected one cell tagged parameters, found {len(tagged)}"


def test_the_check_sees_a_loop(tmp_path):
    bad = tmp_path / "99_bad.py"
    bad.write_text('# %% tags=["parameters"]\nyear: int = 2017\n\n# %%\nfor x in range(3):\n    print(x)\n')
    with pytest.raises(AssertionError, match="For"):
        test_no_logic_in_a_notebook(bad)
