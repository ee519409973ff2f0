"""Formulas for offline reports: the LaTeX between ``$$ ... $$`` (display) and ``$ ... $`` (inline) in a
notebook's markdown, turned into MathML (``latex2mathml``, pure Python), which browsers render natively. No
script and no network: the report shows the formula even when opened from a file or printed.
"""

from __future__ import annotations

import re

from latex2mathml.converter import convert

_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")


def _mathml(latex: str, display: str) -> str:
    # Underscores and asterisks inside the MathML would otherwise be read as Markdown emphasis.
    out = convert(latex.strip(), display=display)
    return out.replace("_", "&#95;").replace("*", "&#42;")


def render_math(markdown: str) -> str:
    """``markdown`` with each LaTeX formula replaced by MathML (display formulas on a line of their own).

    >>> out = render_math(r"so $$ a = \frac{b}{2} $$ and $x_1$ here")
    >>> out.count("<math"), "$" in out, "frac" in out
    (2, False, False)
    >>> "$" in render_math("costs $5 and $6"), render_math("no maths")
    (True, 'no maths')
    """
    text = _DISPLAY.sub(lambda m: "\n\n" + _mathml(m.group(1), "block") + "\n\n", markdown)
    return _INLINE.sub(lambda m: _mathml(m.group(1), "inline"), text)
