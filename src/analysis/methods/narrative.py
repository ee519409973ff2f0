"""Sentences built from the recorded findings, so that no data-dependent number is ever typed in a notebook.

A template is Markdown with fields ``{expression:format}``. An expression names recorded findings by id
(``half_gap_extra_disadvantaged``; ``la_rank["core_cities:330"]`` when the id has several keys), optionally a
field (``.value`` by default, ``.published``, ``.status``), and may combine numbers with ``+ - * /``
(``half_gap_extra_low_attainers.published / half_gap_extra_low_attainers_pct.published * 100``). The format
is Python's (``.1f``, ``,.0f``) or ``r<n>``: rounded to ``n`` decimals, thousands separated (``r-3`` ->
"15,000"). Text values are HTML-escaped; a missing value reads "–". The result displays as Markdown in a
notebook (a cell output, so the policy report shows it without code).
"""

from __future__ import annotations

import ast
import html
import math
import operator
import re
from typing import Any

import pandas as pd

FIELDS = ("value", "published", "status", "tolerance", "note")
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


class Text(str):
    """A string that a notebook shows as Markdown."""

    def _repr_markdown_(self) -> str:
        return str(self)


def lookup(table: pd.DataFrame, finding_id: str, key: str | None = None, field: str = "value") -> Any:
    """One recorded finding's field (the finding's only row when ``key`` is None).

    >>> t = pd.DataFrame({"id": ["a", "a"], "key": ["x", "y"], "value": [1.0, 2.0]})
    >>> lookup(t, "a", "y")
    2.0
    """
    if field not in FIELDS:
        raise ValueError(f"narrative: unknown field {field!r}; expected one of {FIELDS}")
    hit = table[(table["id"] == finding_id) & ((table["key"] == str(key)) if key is not None else True)]
    if len(hit) != 1:
        where = f"{finding_id}[{key}]" if key is not None else finding_id
        raise KeyError(f"narrative: {len(hit)} recorded findings for {where}; expected exactly one "
                       "(give the key when the id has several)")
    value = hit[field].iloc[0]
    value = value.item() if hasattr(value, "item") else value  # numpy scalar -> Python
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _evaluate(node: ast.AST, table: pd.DataFrame) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand, table)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _evaluate(node.left, table), _evaluate(node.right, table)
        return None if left is None or right is None else _OPS[type(node.op)](float(left), float(right))
    field = "value"
    if isinstance(node, ast.Attribute):
        field, node = node.attr, node.value
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and isinstance(node.slice, ast.Constant):
        return lookup(table, node.value.id, str(node.slice.value), field)
    if isinstance(node, ast.Name):
        return lookup(table, node.id, None, field)
    raise ValueError(f"narrative: cannot read {ast.unparse(node)!r}; expected a finding id, a number or + - * /")


def _format(value: Any, spec: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return html.escape(value)
    if re.fullmatch(r"r-?\d+", spec or ""):
        digits = int(spec[1:])
        return f"{round(float(value), digits):,.{max(digits, 0)}f}"
    return format(value, spec) if spec else str(value)


def _split(field: str) -> tuple[str, str]:
    """Expression and format of a field: the format follows the last ':' outside quotes and brackets."""
    depth, quote, cut = 0, "", -1
    for i, ch in enumerate(field):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == ":" and depth == 0:
            cut = i
    return (field, "") if cut < 0 else (field[:cut], field[cut + 1:])


def render(table: pd.DataFrame, template: str) -> Text:
    """The template with every field filled from the findings table (``log.table()``).

    >>> t = pd.DataFrame({"id": ["extra", "pct"], "key": ["england", "england"], "value": [15477.7, 28.3],
    ...     "published": [14000.0, 25.0], "status": ["differs", "differs"]})
    >>> render(t, "About {extra:r-3} more ({pct:.0f}%; published {extra.published:,.0f}, {extra.status}).")
    'About 15,000 more (28%; published 14,000, differs).'
    >>> render(t, "{extra.published / pct.published * 100:r-3}")
    '56,000'
    """
    def fill(match: re.Match) -> str:
        expression, spec = _split(match.group(1))
        return _format(_evaluate(ast.parse(expression.strip(), mode="eval").body, table), spec.strip())

    return Text(re.sub(r"\{([^{}]+)\}", fill, template))
