"""The published-vs-reproduced table of a report and of the dashboard: each finding's reproduced and published
value at the source's precision, its status, the tolerance and the note, in words. Everything is escaped.
"""

from __future__ import annotations

import html
import math
from typing import Any

from ..common import short_of_bound
from .numbers import DASH, decimals_of, format_value
from .tables import COUNT_TEXT, STATUS_TEXT

#: what a row says when the ledger recorded no note for it
DEFAULT_NOTES = {
    "match": "Reproduced within the tolerance of the published figure.",
    "differs": "Reproduced, but outside the tolerance; the cause is not known.",
    "not-published": "The sources publish no figure for this year, area or choice: shown for information.",
    "not-reproducible": "The published figure needs data that are not public.",
    "needs-public-file": "Needs a public file the compendium does not hold yet.",
}
#: decimal places of a finding by its stated unit (``Finding.unit``)
UNIT_DECIMALS = {"schools": 0, "pupils": 0, "LAs": 0, "count": 0, "%": 1, "months": 1, "P8": 2}
LONG = 90  # characters: a longer value is collapsed behind an expander


def _printed_decimals(value: Any) -> int | None:
    """Decimal places a published number was printed with (as transcribed: 40.0 -> 0, -0.36 -> 2)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    text = repr(float(value))
    return 0 if text.endswith(".0") or "e" in text else len(text.split(".")[1])


def decimals(finding: dict[str, Any]) -> int | None:
    """The decimal places a finding is shown with: what its unit or label implies (Progress 8: 2, percentages
    and months: 1), else the more of those its published figure was printed with (at most 2) and its tolerance
    implies.

    >>> decimals({"label": "P8", "published": -0.4, "tolerance": 0.005}), decimals({"published": 14000.0})
    (2, 0)
    >>> decimals({"label": "Code-breakers as % of schools", "published": 11.111111, "tolerance": 0.6536})
    1
    >>> decimals({"label": "Schools above the funnel on Progress 8", "unit": "schools"})
    0
    """
    label, unit = str(finding.get("label", "")), str(finding.get("unit", "") or "")
    if unit in UNIT_DECIMALS:  # a unit the finding states wins over any word in its label
        return UNIT_DECIMALS[unit]
    implied = None
    if "%" in label or "months" in label:
        implied = 1
    if "Progress 8" in label or "P8" in label or "ratio" in label or "rate /" in label:
        implied = 2
    if implied is not None:  # the house precision of the measure (P8 2 dp, percentages and months 1 dp)
        return implied
    printed = _printed_decimals(finding.get("published"))
    found = [d for d in (None if printed is None else min(printed, 2), decimals_of(finding.get("tolerance")))
             if d is not None]
    return max(found) if found else None


def value_text(value: Any, finding: dict[str, Any]) -> str:
    """A reproduced or published value as text at the finding's precision.

    >>> value_text(15477.687041, {"tolerance": 500.0}), value_text(-0.365948, {"published": -0.36})
    ('15,478', '−0.37')
    >>> value_text(28.298455, {"label": "... as % of disadvantaged pupils"}), value_text(None, {})
    ('28.3', '–')

    A value whose unit is ``%`` says so (its label need not), and is never rounded to a certainty it is not:

    >>> [value_text(v, {"unit": "%"}) for v in (76.89, 99.99, 100.0, 0.01, -5.0, float("nan"))]
    ['76.9%', 'more than 99.9%', '100.0%', 'less than 0.1%', '\u22125.0%', '–']
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        d = decimals(finding)
        if str(finding.get("unit") or "") == "%" and d is not None:
            return _percent_text(float(value), d)
        return format_value(value, min(d, 2) if d is not None and abs(value) >= 1000 else d)
    return format_value(value)


def _percent_text(value: float, d: int) -> str:
    """A percentage at ``d`` decimals with its per cent sign; one that would round to 100 or 0 without being it
    is "more than" the largest (or "less than" the smallest) printed value short of it; no number, a dash."""
    if not math.isfinite(value):
        return format_value(value)
    bound = short_of_bound(value, d)
    return f"{bound or format_value(value, d)}%"


def value_html(value: Any, finding: dict[str, Any], *, collapse: bool = False) -> str:
    """:func:`value_text`, escaped; with ``collapse``, a long list behind an expander that says how many items
    (the dashboard; reports print, so they show lists in full)."""
    text = value_text(value, finding)
    if collapse and isinstance(value, list) and len(text) > LONG:
        return (f"<details><summary>{len(value)} names</summary>{html.escape(text)}</details>")
    return html.escape(text)


def tolerance_text(finding: dict[str, Any]) -> str:
    """The tolerance in words.

    >>> tolerance_text({"status": "match", "published": -0.18, "tolerance": 0.005})
    'within ±0.005 of the published figure'
    >>> tolerance_text({"status": "differs", "published": ["a", "b"], "tolerance": None})
    'the same names in the same order'
    """
    published = finding.get("published")
    if published is None:
        return "nothing to compare with"
    if isinstance(published, list):
        return "the same names in the same order"
    if isinstance(published, str):
        return "the same text"
    tol = finding.get("tolerance")
    if not tol:
        return "exactly the published figure"
    return f"within ±{tol:g} of the published figure"


def note_text(finding: dict[str, Any]) -> str:
    return str(finding.get("note") or "").strip() or DEFAULT_NOTES.get(finding.get("status", ""), "")


def badge(status: str) -> str:
    return (f'<span class="badge badge-{html.escape(status)}">{html.escape(COUNT_TEXT.get(status, status))}'
            "</span>")


def _plural(words: str) -> str:
    """'differs' -> 'differ', 'needs a public file' -> 'need a public file' (a count of several)."""
    first, _, rest = words.partition(" ")
    return (first[:-1] if first in ("differs", "needs") else first) + (" " + rest if rest else "")


def counts_text(findings: list[dict[str, Any]]) -> str:
    """'3 match, 1 differs' over the statuses in their fixed order, derived findings counted apart.

    >>> counts_text([{"status": "match"}, {"status": "differs"}, {"status": "match"}, {"status": "match", "derived": True}])
    '2 match, 1 differs, 1 derived'
    """
    from ..findings import status_counts

    counts = status_counts(findings)
    return ", ".join(f"{n} {_plural(COUNT_TEXT[s]) if n > 1 and s != 'derived' else COUNT_TEXT[s]}"
                     for s, n in counts.items())


def sources_of(findings: list[dict[str, Any]]) -> list[str]:
    """The distinct sources of the findings, in first-seen order (rows refer to them by number)."""
    return list(dict.fromkeys(f["source"] for f in findings if f.get("source")))


def summary_html(findings: list[dict[str, Any]], *, heading: str = "Summary of findings: published and reproduced",
                 level: int = 2) -> str:
    """The findings table placed near the top of each report."""
    sources = sources_of(findings)
    parts = [f'<section class="compendium-summary" id="summary"><h{level}>{html.escape(heading)}</h{level}>',
             f'<p class="counts">{len(findings)} figures: {html.escape(counts_text(findings))}.</p>'
             if findings else '<p class="counts">No findings recorded.</p>']
    if findings:
        parts.append('<div class="table-wrap"><table class="compendium-table findings-table"><thead><tr>'
                     '<th scope="col">Finding</th><th scope="col">Reproduced</th><th scope="col">Published</th>'
                     '<th scope="col">Status and tolerance</th><th scope="col">Note</th></tr></thead><tbody>')
        for f in findings:
            ref = (f' <sup><a href="#source-{sources.index(f["source"]) + 1}">[{sources.index(f["source"]) + 1}]</a></sup>'
                   if f.get("source") else "")
            parts.append(
                f'<tr class="finding" data-status="{html.escape(f["status"])}">'
                f"<td>{html.escape(f['label'])}{ref}</td>"
                f'<td class="num">{value_html(f["value"], f)}</td>'
                f'<td class="num">{value_html(f["published"], f)}</td>'
                f'<td>{badge(f["status"])}<br><span class="small">{html.escape(tolerance_text(f))}</span></td>'
                f'<td class="note">{html.escape(note_text(f))}</td></tr>')
        parts.append("</tbody></table></div>")
    if sources:
        parts.append('<ol class="sources">' + "".join(
            f'<li id="source-{i}">{html.escape(s)}</li>' for i, s in enumerate(sources, start=1)) + "</ol>")
    parts.append("</section>")
    return "".join(parts)


def check_value(finding: dict[str, Any], value: Any) -> str:
    """A value as ``compendium check`` prints it: at the precision the reports show the finding with, ranked
    lists in order with ``>``.

    >>> check_value({"label": "Extra pupils as % of low attainers", "unit": "%"}, 388.965943)
    '389.0'
    >>> check_value({"label": "Order"}, ["Leeds", "Hull"]), check_value({"label": "P8"}, None)
    ('Leeds > Hull', '–')
    """
    if isinstance(value, list):
        return " > ".join(map(str, value))
    finding = {k: None if isinstance(v, float) and v != v else v for k, v in finding.items()}  # a table's NaN
    return format_value(value, decimals(finding) if isinstance(value, (int, float)) and not isinstance(value, bool)
                        else None)


__all__ = ["DASH", "badge", "check_value", "counts_text", "note_text", "summary_html", "tolerance_text",
           "value_html", "value_text"]
