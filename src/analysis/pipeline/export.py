"""Each executed notebook as HTML: ``policy/<notebook>.html`` (a briefing: no code, no prompts, no warnings) and
``review/<notebook>.html`` (every code cell), laid out by :mod:`.layout`, with the findings table near the top,
figures with captions and alt text, formulas as MathML, and nothing fetched from the network. Text from the
data is HTML-escaped. Beside them: ``figures/<notebook>-<n>.png`` (and ``-thumb.png``, the dashboard's card),
and ``tables/<notebook>/*.csv`` for every table a policy report shortens.

Reports are byte-identical across runs of the same inputs: stable cell ids, no build-folder paths, no times.
"""

from __future__ import annotations

import html
import io
import json
import threading
import re
from pathlib import Path
from typing import Any

from .. import paths
from ..common import atomic_write, atomic_write_text
from ..present import briefing
from ..present.summary import summary_html
from .export_text import anchor  # noqa: F401  (re-exported: the dashboard links to sections by it)
from .layout import Context, layout, renumber

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
THUMB_WIDTH = 560


def parameters_of(nb) -> dict[str, str]:
    """The notebook's parameters as run (the injected cell overrides the defaults), as written in the cell."""
    params: dict[str, str] = {}
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags or "parameters" in tags:
            for line in cell.source.splitlines():
                m = re.match(r"^(\w+)\s*(?::[^=]*)?=\s*(.+?)(\s+#.*)?$", line)
                if m:
                    params[m.group(1)] = m.group(2).strip()
    return params


def _values(params: dict[str, str]) -> dict[str, Any]:
    """Parameter text as values (``"330"`` -> 330 is not wanted: only quotes are removed)."""
    return {k: v.strip("\"'") for k, v in params.items()}


def _words(value: str, name: str = "") -> str:
    """A parameter's value for a reader: a mapping or list written out, not as Python or JSON, and a code in the
    words the report tables use (``present/values.csv``: a parameter's own codes, e.g. the comparator's, and a
    mapping's keys, the families' weights, as family factors).

    >>> _words('{"prior_attainment": 0.66, "eal": 0.1}'), _words("[1, 6]"), _words("330")
    ('prior attainment 0.66, EAL 0.1', '1, 6', '330')
    >>> _words("core_cities", "comparator")
    'the core cities'
    """
    import yaml

    from ..present.tables import value_words

    own = value_words().get(name, {})
    if value in own:
        return own[value]
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    if isinstance(parsed, dict):
        words = value_words().get("factor", {})
        return ", ".join(f"{words.get(str(k), str(k).replace('_', ' '))} {v}" for k, v in parsed.items())
    if isinstance(parsed, list):
        return ", ".join(str(v) for v in parsed)
    return value


def nav_html(name: str, report_set: str, *, policy: bool) -> str:
    other = (f'<a href="../review/{name}.html">Review version (with code)</a>' if policy else
             f'<a href="../policy/{name}.html">Policy version (no code)</a>')
    return (f'<nav class="compendium-nav"><a href="../index.html">← All findings ({html.escape(report_set)})</a> · '
            f'<a href="../../index.html">All report sets</a> · {other}</nav>')


def header_html(title: str, name: str, findings: list[dict[str, Any]], params: dict[str, str], ctx: Context) -> str:
    """Top of a policy report: title, main points, headline chart, published-vs-reproduced table."""
    points = briefing.main_points(name, findings, _values(params))
    parts = [f"<h1>{html.escape(title)}</h1>", '<section class="main-points"><h2>Main points</h2><ul>']
    parts += [f"<li>{p}</li>" for p in points]  # already escaped by the briefing templates
    parts.append("</ul>")
    shown = "; ".join(f"{k.replace('_', ' ')}: {_words(v, k)}" for k, v in _values(params).items()
                      if v not in ("", "None"))
    parts.append(f'<p class="small">This run: {html.escape(shown)}.</p></section>' if shown else "</section>")
    if ctx.headline:
        parts.append(renumber(ctx.figure_html[ctx.headline - 1], 1))
    parts.append(summary_html(findings))
    return "".join(parts)


_exporters = threading.local()  # notebooks finish in parallel threads: each thread keeps its own exporters


def _exporter(policy: bool):
    """The HTML exporter of one layout, made once per thread: its Jinja templates compile once, not per report."""
    cached = getattr(_exporters, "by_layout", None)
    if cached is None:
        cached = _exporters.by_layout = {}
    if policy not in cached:
        cached[policy] = _new_exporter(policy)
    return cached[policy]


def _new_exporter(policy: bool):
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class CompendiumExporter(HTMLExporter):
        """nbconvert's HTML exporter without its final BeautifulSoup pass (a third of an export's time), which
        adds alt text where an image has none and tab stops to JupyterLab's cell classes: every figure here has
        its own alt text, and the compendium's template has no JupyterLab cells."""

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(
                pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

        def _validate_preprocessor(self, nbc, preprocessor):
            """No check of the whole page after each of nbconvert's 12 preprocessors (0.07 s an export, half
            a second a run): each page is validated once as it is made (``nbformat.v4.new_notebook``), and
            nbconvert's own preprocessors keep it valid."""

    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    exporter = CompendiumExporter(template_name="compendium", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = policy
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    # The heading's anchor link keeps a character (hidden by the stylesheet): with none, nbconvert writes
    # <a class="anchor-link" .../>, which HTML reads as an open link, and the hidden link then swallowed every
    # paragraph, table and figure after the heading.
    exporter.anchor_link_text = "¶"
    return exporter


def _scrub(text: str, build_dir: Path) -> str:
    """No machine paths in a report: the build folder and the project's location are replaced."""
    for path, name in ((str(build_dir), "reports"), (str(paths.PROJECT_ROOT), ".")):
        text = text.replace(path, name)
    return text


def thumbnail(png: bytes) -> bytes:
    """The dashboard card of a chart: its top (title and first rows: at most 3:4 of its width), resized."""
    from PIL import Image

    from .layout import quantize_png

    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    image = image.crop((0, 0, width, min(height, int(width * 0.75))))
    scale = THUMB_WIDTH / width
    image = image.resize((THUMB_WIDTH, max(1, round(image.size[1] * scale))), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return quantize_png(out.getvalue())


def _write_bytes(target: Path, data: bytes) -> None:
    atomic_write(target, lambda tmp: tmp.write_bytes(data))


def export_notebook_html(executed: Path | str, title: str) -> list[str]:
    """Write policy/ and review/ HTML, figure PNGs and shortened tables' CSVs for one executed notebook; return
    the paths written, relative to its report set's folder."""
    import nbformat

    executed = Path(executed)
    set_dir = executed.parent.parent
    name = executed.stem
    nb = nbformat.read(executed, as_version=4)
    nb.metadata["title"] = title
    findings_file = set_dir / "findings" / f"{name}.json"
    found = json.loads(findings_file.read_text(encoding="utf-8")) if findings_file.exists() else []
    params = parameters_of(nb)
    ctx = Context(name=name)
    review_cells = layout(nb, ctx, policy=False, header_html="", nbformat=nbformat,
                          summary_html=summary_html(found))
    if not ctx.headline and ctx.figures:
        ctx.headline = 1
    policy_cells = layout(nb, ctx, policy=True, header_html=header_html(title, name, found, params, ctx),
                          summary_html="", nbformat=nbformat)
    written = []
    for kind, cells in (("policy", policy_cells), ("review", review_cells)):
        metadata = {"title": title, **{k: nb.metadata[k] for k in ("kernelspec", "language_info") if k in nb.metadata}}
        page = nbformat.v4.new_notebook(cells=cells, metadata=metadata)
        body, _ = _exporter(kind == "policy").from_notebook_node(page, resources={"compendium_kind": kind})
        body = body.replace("<main>", "<main>" + nav_html(name, set_dir.name, policy=kind == "policy"), 1)
        atomic_write_text(set_dir / kind / f"{name}.html", _scrub(body, set_dir.parent))
        written.append(f"{kind}/{name}.html")
    for i, png in enumerate(ctx.figures, start=1):
        _write_bytes(set_dir / "figures" / f"{name}-{i}.png", png)
        written.append(f"figures/{name}-{i}.png")
    if ctx.figures:
        _write_bytes(set_dir / "figures" / f"{name}-thumb.png", thumbnail(ctx.figures[ctx.headline - 1]))
        written.append(f"figures/{name}-thumb.png")
    for file, csv in sorted(ctx.tables.values()):
        atomic_write_text(set_dir / "tables" / name / file, csv)
        written.append(f"tables/{name}/{file}")
    return written
