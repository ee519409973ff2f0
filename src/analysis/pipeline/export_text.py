"""Small text helpers of the HTML export: heading anchors, markdown paragraphs, formulas."""

from __future__ import annotations

import re

from ..present.formulas import render_math


def anchor(heading: str) -> str:
    """The id nbconvert gives a markdown heading (spaces become hyphens).

    >>> anchor("Compare the LA with England for each pupil group")
    'Compare-the-LA-with-England-for-each-pupil-group'
    """
    return re.sub(r"\s+", "-", heading.strip())


def heading_of(source: str) -> str | None:
    """The text of the first markdown heading in ``source`` (None if it has none)."""
    for line in source.splitlines():
        m = re.match(r"^#{1,6}\s+(.*)$", line.strip())
        if m:
            return m.group(1).strip()
    return None


def paragraphs(source: str) -> list[str]:
    """Markdown blocks separated by blank lines (a heading is its own block).

    >>> paragraphs("## Title\\nFirst line\\nsecond.\\n\\nNext.")
    ['## Title', 'First line\\nsecond.', 'Next.']
    """
    blocks = []
    for block in re.split(r"\n\s*\n", source.strip()):
        lines = block.splitlines()
        if lines and re.match(r"^#{1,6}\s", lines[0]) and len(lines) > 1:
            blocks += [lines[0], "\n".join(lines[1:])]
        elif block.strip():
            blocks.append(block)
    return blocks


def render_markdown(source) -> str:
    """Markdown with its formulas pre-rendered (MathML): nothing is left for a script to typeset."""
    text = "".join(source) if isinstance(source, list) else str(source)
    return render_math(text) if "$" in text else text
