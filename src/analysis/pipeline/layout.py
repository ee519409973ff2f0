"""The two layouts of an executed notebook, before nbconvert turns them into HTML (:mod:`.export`).

* **policy**: a briefing. The title; the main points in plain sentences built from the findings
  (:mod:`analysis.present.briefing`); the headline chart (the cell tagged ``headline-chart``); the
  published-vs-reproduced table; what the source says; then each section with its heading, its first
  paragraph and its tables and charts. No code, no Python reprs, no warnings; the findings-recording step and
  sections that show nothing for a reader are left out; long tables show their top rows and link to the CSV
  and the review version.
* **review**: every cell in order with its code, the findings table after the title, tables in full.

In both, formulas are MathML, figures are numbered with their caption and alt text, cell ids are stable.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..present.mime import FIGURE_MIME, TABLE_MIME
from .export_text import heading_of, paragraphs, render_markdown

HEADLINE_TAG = "headline-chart"
_NOW = re.compile(r"(<th>(?:Date|Time):</th>\s*)<td>[^<]*</td>")
REVIEW_ONLY_TAG = "review-only"


@dataclass
class Context:
    """What the export of one notebook collects while it walks the cells (shared by both layouts)."""

    name: str
    figures: list[bytes] = field(default_factory=list)  # PNGs in notebook order (figures/<name>-<n>.png)
    tables: dict[int, tuple[str, str]] = field(default_factory=dict)  # table number -> (file name, csv)
    figure_html: list[str] = field(default_factory=list)  # each figure's HTML, in notebook order
    headline: int = 0  # number of the headline figure (the first figure of the cell tagged headline-chart)


def quantize_png(png: bytes) -> bytes:
    """The chart as an 8-bit palette PNG (:func:`analysis.present.png.quantize`; kernels already send them so)."""
    from ..present.png import quantize

    return quantize(png)


def _figure_html(number: int, png: bytes, caption: str, alt: str) -> str:
    data = base64.b64encode(png).decode()
    return (f'<figure class="compendium-figure" id="figure-{number}"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt)}"/><figcaption><strong>Figure {number}.</strong> {html.escape(caption)}'
            "</figcaption></figure>")


def renumber(figure: str, number: int) -> str:
    """A figure's HTML with another number (the policy report shows fewer figures than the review one)."""
    figure = re.sub(r'id="figure-\d+"', f'id="figure-{number}"', figure, count=1)
    return re.sub(r"<strong>Figure \d+\.</strong>", f"<strong>Figure {number}.</strong>", figure, count=1)


def _is_plain_repr(data: dict[str, Any]) -> bool:
    return set(data) <= {"text/plain"}


def outputs(cell, ctx: Context, *, heading: str, policy: bool, counters: dict[str, int], nbformat) -> list:
    """The outputs of one code cell for one layout (figures and tables replaced by their HTML)."""
    kept, pending = [], None
    headline_cell = HEADLINE_TAG in cell.get("metadata", {}).get("tags", [])
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            if out.get("name") == "stderr" or policy:
                continue  # warnings and logging: never in a report; printed text: review only
            kept.append(out)
            continue
        if kind == "error":
            if not policy:
                kept.append(out)
            continue
        data = out.get("data", {})
        if FIGURE_MIME in data:
            pending = json.loads(data[FIGURE_MIME])
            continue
        if "image/png" in data:
            counters["figure"] += 1
            number = counters["figure"]
            png = base64.b64decode(data["image/png"])
            if policy:  # the review layout runs first and made the figures; the policy one renumbers them
                if number == ctx.headline or REVIEW_ONLY_TAG in cell.get("metadata", {}).get("tags", []):
                    continue  # the headline is at the top (figure 1); review-only charts are not shown
                counters["shown"] = counters.get("shown", 1) + 1
                figure = renumber(ctx.figure_html[number - 1], counters["shown"])
            else:
                png = quantize_png(png)
                ctx.figures.append(png)
                caption = (pending or {}).get("caption") or heading
                alt = (pending or {}).get("alt") or f"Chart: {heading}"
                figure = _figure_html(number, png, caption, alt)
                ctx.figure_html.append(figure)
                if headline_cell and not ctx.headline:
                    ctx.headline = number
            pending = None
            kept.append(nbformat.v4.new_output("display_data", data={"text/html": figure}))
            continue
        if TABLE_MIME in data:
            counters["table"] += 1
            number = counters["table"]
            table = json.loads(data[TABLE_MIME])
            file = f"{re.sub(r'[^a-z0-9]+', '-', heading.lower())[:60].strip('-') or 'table'}-{number}.csv"
            ctx.tables[number] = (file, table["csv"])
            csv = f"../tables/{ctx.name}/{file}"
            if policy:
                body = (table["short_html"] + f'<p class="table-more">Full table ({table["rows"]:,} rows): '
                        f'<a href="{csv}">CSV</a> · <a href="../review/{ctx.name}.html#table-{number}">review version</a>.</p>')
            else:
                body = data["text/html"] + f'<p class="table-more"><a href="{csv}">This table as CSV</a>.</p>'
            kept.append(nbformat.v4.new_output("display_data", data={
                "text/html": f'<div class="compendium-table-block" id="table-{number}">{body}</div>'}))
            continue
        if "text/html" in data and "compendium-table" in data["text/html"]:
            counters["table"] += 1
            kept.append(nbformat.v4.new_output("display_data", data={
                "text/html": f'<div class="compendium-table-block" id="table-{counters["table"]}">'
                             f'{data["text/html"]}</div>'}))
            continue
        if policy and ("simpletable" in data.get("text/html", "") or _is_plain_repr(data)):
            continue  # model summaries and Python reprs are for reviewers
        if _is_plain_repr(data) and not "".join(data.get("text/plain", "")).strip():
            continue
        if "simpletable" in data.get("text/html", ""):  # a model summary prints the time it was made
            out = dict(out, data={"text/html": _NOW.sub(r"\1<td>(not recorded)</td>", data["text/html"])})
            kept.append(out)
            continue
        if "text/markdown" in data:
            data = dict(data, **{"text/markdown": render_markdown(data["text/markdown"])})
            out = dict(out, data=data)
        kept.append(out)
    return kept


def _sections(cells) -> list[list]:
    """The cells cut at each markdown heading (the first section holds the title cell)."""
    sections: list[list] = [[]]
    for cell in cells:
        if cell.cell_type == "markdown" and heading_of(cell.source) and sections[-1]:
            sections.append([])
        sections[-1].append(cell)
    return sections


def _records_findings(section) -> bool:
    return any(c.cell_type == "code" and "record_all(" in c.source for c in section)


def layout(nb, ctx: Context, *, policy: bool, header_html: str, summary_html: str, nbformat) -> list:
    """The cells of one layout of the executed notebook ``nb``."""
    counters = {"figure": 0, "table": 0}
    cells_out = []
    sections = _sections([c for c in nb.cells if not ({"injected-parameters", "parameters"}
                                                      & set(c.get("metadata", {}).get("tags", [])) and policy)])
    for s_index, section in enumerate(sections):
        heading = next((heading_of(c.source) for c in section if c.cell_type == "markdown" and heading_of(c.source)),
                       nb.metadata.get("title", ""))
        rendered = []
        for cell in section:
            if cell.cell_type == "code":
                new = nbformat.from_dict(json.loads(json.dumps(cell)))
                new.outputs = outputs(cell, ctx, heading=heading, policy=policy, counters=counters, nbformat=nbformat)
                if policy and REVIEW_ONLY_TAG in cell.get("metadata", {}).get("tags", []):
                    new.outputs = []
                rendered.append(new)
            else:
                new = nbformat.from_dict(json.loads(json.dumps(cell)))
                new.source = render_markdown(cell.source)
                rendered.append(new)
        if policy and s_index == 0:
            cells_out.append(_raw(nbformat, header_html))
            intro = [p for c in rendered if c.cell_type == "markdown" for p in paragraphs(c.source)
                     if not p.lstrip().startswith("# ")]
            if intro:
                cells_out.append(nbformat.v4.new_markdown_cell("## About this report\n\n" + "\n\n".join(intro)))
            cells_out += [c for c in rendered if c.cell_type == "code" and c.outputs]
            continue
        if not policy:
            cells_out += rendered
            if s_index == 0:
                cells_out.append(_raw(nbformat, summary_html))
            continue
        if _records_findings(section):
            continue  # the findings are in the table at the top
        code = [c for c in rendered if c.cell_type == "code"]
        if code and not any(c.outputs for c in code):
            continue  # a step with nothing for a reader to see
        for i, cell in enumerate(rendered):
            if cell.cell_type == "markdown":
                parts = paragraphs(cell.source)
                following = next((c for c in rendered[i + 1:] if c.cell_type == "code"), None)
                if heading_of(cell.source):
                    keep = 2 + (len(parts) > 2 and parts[1].rstrip().endswith((":", " so", ",")))
                    cells_out.append(nbformat.v4.new_markdown_cell("\n\n".join(parts[:keep] if code else parts)))
                elif following is not None and following.outputs:
                    cells_out.append(nbformat.v4.new_markdown_cell(parts[0] if parts else ""))
            elif cell.outputs:
                cells_out.append(cell)
    for i, cell in enumerate(cells_out):
        cell["id"] = f"cell-{i}"  # stable ids: the same report from the same notebook, byte for byte
    return cells_out


def _raw(nbformat, text: str):
    cell = nbformat.v4.new_raw_cell(text)
    cell.metadata["raw_mimetype"] = "text/html"
    return cell
