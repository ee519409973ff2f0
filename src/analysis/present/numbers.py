"""Numbers as the sources print them: one precision per kind of value, a true minus sign, a dash for nothing.

Kinds: ``p8``, ``num2`` (2 dp: Progress 8, gaps, z-scores, ratios); ``a8``, ``pct``, ``months``, ``num1``
(1 dp); ``num3`` (3 dp: standard deviations, ranks); ``count`` (whole numbers with thousands separators);
``year``; ``code`` (as written); ``text``; ``list``; ``bool``.
"""

from __future__ import annotations

import html
import math
from typing import Any

DASH = "\u2013"
MINUS = "\u2212"
DECIMALS = {"p8": 2, "num2": 2, "a8": 1, "pct": 1, "months": 1, "num1": 1, "num3": 3}
#: a column named ``<x><suffix>`` that ``columns.csv`` does not list: its unit and kind
KIND_OF_SUFFIX = {"_pct": (" (%)", "pct"), "_p8": (" (P8)", "p8"), "_months": (" (months)", "months"),
                  "_pupils": (" (pupils)", "count"), "_share": (" (%)", "pct")}
#: text cells that are status codes, not values (shown as a dash with the code's meaning)
STATUS_CODES = {"SUPP", "NE", "NA", "NP", "LOWCOV", "SP", "NEW", "x", "c", "z", "u", "missing", "not_in_data",
                "no_data"}


def _missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN, pd.NA (raises), NaT
    except (TypeError, ValueError):
        return True


def number(v: float, decimals: int) -> str:
    """``v`` to ``decimals`` places, thousands separated, with a true minus sign (never "-0.00").

    >>> number(-0.3659, 2), number(15477.7, 0), number(-0.001, 2)
    ('−0.37', '15,478', '0.00')
    """
    text = f"{v:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text.replace("-", MINUS)


def format_number(v: Any, kind: str, status: str | None = None) -> tuple[str, str | None]:
    """(HTML text, reason for a dash or None) of one cell of a column of ``kind``.

    >>> format_number(11011.0, "count"), format_number(float("nan"), "p8", "SUPP"), format_number("SUPP", "p8")
    (('11,011', None), ('–', 'SUPP'), ('–', 'SUPP'))
    >>> format_number(["A", "B & C"], "list"), format_number(True, "bool"), format_number(2017.0, "year")
    (('A, B &amp; C', None), ('Yes', None), ('2017', None))
    """
    if status is not None:
        return DASH, status
    if isinstance(v, (list, tuple)):
        return ", ".join(html.escape(str(x)) for x in v), None
    if hasattr(v, "tolist") and not isinstance(v, str):
        v = v.tolist()
        if isinstance(v, list):
            return ", ".join(html.escape(str(x)) for x in v), None
    if _missing(v):
        return DASH, ""
    if isinstance(v, str):
        if v in STATUS_CODES and kind not in ("text", "code", "list"):
            return DASH, v
        if v == "" and kind not in ("text", "list"):
            return DASH, ""
        return html.escape(v), None
    if isinstance(v, bool):
        return ("Yes" if v else "No"), None
    if kind == "bool":
        return ("Yes" if v else "No"), None
    if isinstance(v, (int, float)):
        if kind in ("year", "code"):
            return (str(int(v)) if float(v).is_integer() else str(v)), None
        if kind == "count":
            return number(float(v), 0), None
        if kind == "share":  # a proportion 0-1, shown as a percentage
            return number(100 * float(v), 1) + "%", None
        if kind in DECIMALS:
            return number(float(v), DECIMALS[kind]), None
        return number(float(v), 0 if float(v).is_integer() else 2), None
    return html.escape(str(v)), None


def decimals_of(tolerance: float | None) -> int | None:
    """Decimal places a tolerance of half the last printed digit implies.

    >>> decimals_of(0.005), decimals_of(0.05), decimals_of(500), decimals_of(None)
    (2, 1, 0, None)
    """
    if not tolerance or tolerance != tolerance or tolerance <= 0:  # none, NaN (a table's empty cell) or zero
        return None
    return max(0, int(round(-math.log10(tolerance * 2))))


def format_value(value: Any, decimals: int | None = None) -> str:
    """A finding's value as plain text: lists joined, numbers at ``decimals`` (default: as few as shown), None
    as a dash.

    >>> format_value(["a", "b"]), format_value(-0.18), format_value(None), format_value(14000.0)
    ('a, b', '−0.18', '–', '14,000')
    >>> format_value(15477.687041), format_value(0.746123), format_value(28.298455, 1)
    ('15,478', '0.75', '28.3')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if decimals is None:
        magnitude = abs(float(value))
        decimals = 0 if float(value).is_integer() or magnitude >= 1000 else 1 if magnitude >= 10 else 2
    return number(float(value), decimals)
