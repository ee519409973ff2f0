"""Tables and values formatted for people: the one formatting layer every report and the dashboard use."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..data.dfe import REPORTED

STATUS_TEXT = {
    "match": "match",
    "differs": "differs",
    "not-published": "not published",
    "not-reproducible": "not reproducible",
}


def format_value(value: Any) -> str:
    """A finding's value as text: lists joined, floats without noise, None as a dash.

    >>> format_value([1, "b"]), format_value(-0.18), format_value(None), format_value(14000.0)
    ('1 > b', '-0.18', '–', '14,000')
    """
    if value is None:
        return "–"
    if isinstance(value, list):
        return " > ".join(format_value(v) for v in value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.1f}"
    return str(value)


def show_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """A school panel (``methods.schools.school_panel``) for reading: suppressed or missing values shown as their
    DfE code (e.g. 'SUPP'), P8 to 2 dp, pupils as whole numbers, A8 to 1 dp, CIs as 'low to high'."""
    out = panel[["urn", "school_name", "year", "pupil_group", "data_urn"]].copy()
    for m, fmt in (("p8", "{:.2f}"), ("p8_pupils", "{:.0f}"), ("a8", "{:.1f}")):
        out[m] = [fmt.format(v) if s == REPORTED else str(s) for v, s in zip(panel[m], panel[f"{m}_status"],
                                                                               strict=True)]
    out["p8_95ci"] = [f"{lo:.2f} to {hi:.2f}" if pd.notna(lo) and pd.notna(hi) else "" for lo, hi in
                      zip(panel["p8_ci_low"], panel["p8_ci_high"], strict=True)]
    out["ci_source"] = panel["ci_source"]
    return out
