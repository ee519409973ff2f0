"""The report site: policy and review HTML per notebook, and the findings dashboard ``reports/index.html``.

* ``policy/<notebook>.html``: no code, no prompts, no stderr or warnings; a findings summary at the top;
  figures with captions and alt text; offline (no CDN scripts).
* ``review/<notebook>.html``: the same with every code cell, for reviewers.
* ``index.html`` (per year and across years): every finding with its status badge, links to the reports and
  to the section that computes each finding, chart thumbnails, and a provenance footer.

Everything that comes from the data is HTML-escaped (Jinja2 autoescape; ``html.escape`` elsewhere).
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from . import paths, sources

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATUS_TEXT = {
    "match": "match",
    "differs": "differs",
    "not-published": "not published",
    "not-reproducible": "not reproducible",
}


def anchor(heading: str) -> str:
    """The id nbconvert gives a markdown heading (spaces become hyphens).

    >>> anchor("Compare the LA with England for each pupil group")
    'Compare-the-LA-with-England-for-each-pupil-group'
    """
    return re.sub(r"\s+", "-", heading.strip())


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


def badge(status: str) -> str:
    return f'<span class="badge badge-{html.escape(status)}">{html.escape(STATUS_TEXT.get(status, status))}</span>'


def summary_html(findings: list[dict[str, Any]], title: str, parameters: dict[str, Any]) -> str:
    """The findings summary placed at the top of each report (escaped)."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f["status"]] = counts.get(f["status"], 0) + 1
    parts = [
        '<div class="compendium-summary">',
        f"<p><strong>Summary of findings</strong> ({html.escape(title)}; parameters: "
        + html.escape(", ".join(f"{k} = {v}" for k, v in parameters.items()))
        + "). "
        + html.escape(", ".join(f"{n} {STATUS_TEXT.get(s, s)}" for s, n in sorted(counts.items())))
        + ".</p>",
        "<table><thead><tr><th scope='col'>Finding</th><th scope='col'>Reproduced</th>"
        "<th scope='col'>Published</th><th scope='col'>Status</th><th scope='col'>Source</th></tr></thead><tbody>",
    ]
    for f in findings:
        parts.append(
            "<tr>"
            f"<td>{html.escape(f['label'])}</td>"
            f"<td>{html.escape(format_value(f['value']))}</td>"
            f"<td>{html.escape(format_value(f['published']))}</td>"
            f"<td>{badge(f['status'])}</td>"
            f"<td>{html.escape(f.get('source') or '')}</td>"
            "</tr>"
        )
    parts.append("</tbody></table></div>")
    return "".join(parts)


def _heading_text(source: str) -> str | None:
    for line in source.splitlines():
        m = re.match(r"^#{1,6}\s+(.*)$", line.strip())
        if m:
            return m.group(1).strip()
    return None


def prepare(nb: nbformat.NotebookNode, findings: list[dict[str, Any]], title: str, *, policy: bool):
    """Copy of the executed notebook ready for export: summary on top, figures captioned, noise removed."""
    import nbformat  # here, not at the top: the dashboard alone must not pay for nbformat's imports

    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    params = {}
    heading = title
    figure_no = 0
    cells = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags or "parameters" in tags:
            for line in cell.source.splitlines():
                m = re.match(r"^(\w+)\s*(?::[^=]*)?=\s*(.+?)(\s+#.*)?$", line)
                if m:
                    params[m.group(1)] = m.group(2).strip()
            if policy:
                continue
        if cell.cell_type == "markdown":
            heading = _heading_text(cell.source) or heading
        if cell.cell_type == "code":
            kept = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    continue  # warnings and logging belong in the review copy only
                if out.get("output_type") == "error" and policy:
                    continue
                data = out.get("data", {})
                if "image/png" in data:
                    figure_no += 1
                    caption = f"Figure {figure_no}. {heading}"
                    img = data["image/png"].replace("\n", "")
                    out = nbformat.v4.new_output(
                        "display_data",
                        data={
                            "text/html": (
                                f'<figure class="compendium-figure"><img src="data:image/png;base64,{img}" '
                                f'alt="{html.escape("Chart: " + heading)}"/><figcaption>'
                                f"{html.escape(caption)}</figcaption></figure>"
                            )
                        },
                    )
                kept.append(out)
            if policy:
                kept = [o for o in kept if not (o.get("output_type") == "stream" and o.get("name") == "stdout"
                                                and not o.get("text", "").strip())]
            cell["outputs"] = kept
        cells.append(cell)
    summary = nbformat.v4.new_code_cell(source="# findings summary (inserted by the runner)")
    summary.outputs = [nbformat.v4.new_output("display_data", data={"text/html": summary_html(findings, title, params)})]
    summary.metadata["tags"] = ["compendium-summary"]
    insert_at = 1 if cells and cells[0].cell_type == "markdown" else 0
    cells.insert(insert_at, summary)
    nb.cells = cells
    nb.metadata["title"] = title
    return nb


def _exporter(policy: bool):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="compendium", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = policy
    exporter.exclude_input_prompt = policy
    exporter.exclude_output_prompt = policy
    exporter.embed_images = True
    return exporter


def export_notebook_html(executed: Path | str, title: str) -> list[str]:
    """Write policy/ and review/ HTML and figure PNGs for one executed notebook; return paths relative to its year dir."""
    import nbformat

    executed = Path(executed)
    year_dir = executed.parent.parent
    name = executed.stem
    nb = nbformat.read(executed, as_version=4)
    findings_file = year_dir / "findings" / f"{name}.json"
    found = json.loads(findings_file.read_text(encoding="utf-8")) if findings_file.exists() else []
    written = []
    for kind, policy in (("policy", True), ("review", False)):
        body, _ = _exporter(policy).from_notebook_node(prepare(nb, found, title, policy=policy))
        nav = (
            f'<nav class="compendium-nav"><a href="../index.html">← All findings ({year_dir.name})</a> · '
            f'<a href="../../index.html">All years</a> · '
            + (f'<a href="../review/{name}.html">Review version (with code)</a>' if policy else
               f'<a href="../policy/{name}.html">Policy version (no code)</a>')
            + "</nav>"
        )
        body = body.replace("<main>", "<main>" + nav, 1)
        target = year_dir / kind / f"{name}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        written.append(f"{kind}/{name}.html")
    figures = [
        out["data"]["image/png"]
        for cell in nb.cells if cell.cell_type == "code"
        for out in cell.get("outputs", []) if "image/png" in out.get("data", {})
    ]
    for i, png in enumerate(figures, start=1):
        target = year_dir / "figures" / f"{name}-{i}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(png))
        written.append(f"figures/{name}-{i}.png")
    return written


# --------------------------------------------------------------------------------------------------
# The dashboard


def _env() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["value"] = format_value
    env.filters["anchor"] = anchor
    env.globals["status_text"] = STATUS_TEXT
    return env


def _year_data(year_dir: Path) -> dict[str, Any] | None:
    manifest_file = year_dir / "manifest.json"
    if not manifest_file.exists():
        return None
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    found = json.loads((year_dir / "findings.json").read_text(encoding="utf-8"))
    notebooks = []
    for name, entry in manifest["notebooks"].items():
        thumbs = sorted(
            (f for f in entry.get("outputs", []) if f.startswith("figures/")),
            key=lambda f: int(re.search(r"-(\d+)\.png$", f).group(1)),
        )
        notebooks.append({"name": name, "title": entry["title"], "parameters": entry["parameters"],
                          "thumbnail": thumbs[0] if thumbs else None, "seconds": entry.get("seconds")})
    counts: dict[str, int] = {}
    for f in found:
        counts[f["status"]] = counts.get(f["status"], 0) + 1
    return {"year": year_dir.name, "manifest": manifest, "findings": found, "notebooks": notebooks,
            "counts": counts}


INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
 body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1200px; margin: 0 auto; padding: 1rem 2rem; color: #222; }
 h1 { margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
 table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: 14px; }
 th, td { border: 1px solid #d0d0d0; padding: 4px 8px; text-align: left; vertical-align: top; }
 th { background: #f3f3f3; } td.num { text-align: right; white-space: nowrap; }
 .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; white-space: nowrap; }
 .badge-match { background: #d4edda; color: #155724; } .badge-differs { background: #f8d7da; color: #721c24; }
 .badge-not-published { background: #e2e3e5; color: #383d41; } .badge-not-reproducible { background: #fff3cd; color: #856404; }
 .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 1rem; }
 .card { border: 1px solid #ddd; border-radius: 6px; padding: .6rem; } .card img { width: 100%; height: auto; border: 1px solid #eee; }
 .card h3 { font-size: 15px; margin: .2rem 0 .4rem; } footer { margin-top: 2rem; font-size: 12px; color: #555; border-top: 1px solid #ddd; }
 .counts span { margin-right: .6rem; } .small { font-size: 12px; color: #555; }
</style></head><body>
<h1>{{ title }}</h1>
<p>Reproduces the headline figures of five published sources on England's school performance and social mobility
from public Department for Education data. Each finding shows the value reproduced here next to the published one.
Policy reports have no code; review reports show every calculation.</p>
{% if prefix %}<p><a href="../index.html">← All years</a></p>{% endif %}
{% for y in years %}
<h2 id="year-{{ y.year }}">{{ y.year }} runs ({{ y.year|int - 1 }}/{{ y.year[2:] }} academic year)</h2>
<p class="counts">{% for s, n in y.counts|dictsort %}<span><span class="badge badge-{{ s }}">{{ status_text.get(s, s) }}</span> {{ n }}</span>{% endfor %}
 <span class="small">Generated {{ y.manifest.generated_utc }} from commit {{ y.manifest.git.commit[:10] }}{% if y.manifest.git.dirty %} (with uncommitted changes){% endif %}.</span></p>
<div class="cards">
{% for nb in y.notebooks %}<div class="card">
 <h3>{{ nb.title }}</h3>
 {% if nb.thumbnail %}<a href="{{ prefix }}{{ y.year }}/policy/{{ nb.name }}.html"><img src="{{ prefix }}{{ y.year }}/{{ nb.thumbnail }}" alt="Key chart of {{ nb.title }}" loading="lazy"></a>{% endif %}
 <p><a href="{{ prefix }}{{ y.year }}/policy/{{ nb.name }}.html">Policy report</a> · <a href="{{ prefix }}{{ y.year }}/review/{{ nb.name }}.html">Review (with code)</a>
 · <a href="{{ prefix }}{{ y.year }}/notebooks/{{ nb.name }}.ipynb">Notebook</a></p>
 <p class="small">{{ nb.name }}; parameters: {% for k, v in nb.parameters|dictsort %}{{ k }} = {{ v }}{% if not loop.last %}, {% endif %}{% endfor %}</p>
</div>{% endfor %}
</div>
<table class="findings" data-year="{{ y.year }}">
<caption class="small">Findings for the {{ y.year }} runs: <a href="{{ prefix }}{{ y.year }}/findings.json">findings.json</a> · <a href="{{ prefix }}{{ y.year }}/findings.csv">findings.csv</a> · <a href="{{ prefix }}{{ y.year }}/manifest.json">manifest.json</a></caption>
<thead><tr><th scope="col">Finding</th><th scope="col">Reproduced</th><th scope="col">Published</th><th scope="col">Tolerance</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col">Computed in</th></tr></thead>
<tbody>
{% for f in y.findings %}<tr class="finding" data-status="{{ f.status }}">
 <td>{{ f.label }}<br><span class="small">{{ f.id }}{% if f.key %} [{{ f.key }}]{% endif %}, {{ f.year }}</span>{% if f.note %}<br><span class="small">{{ f.note }}</span>{% endif %}</td>
 <td class="num">{{ f.value|value }}</td><td class="num">{{ f.published|value }}</td><td class="num">{{ f.tolerance|value }}</td>
 <td><span class="badge badge-{{ f.status }}">{{ status_text.get(f.status, f.status) }}</span></td>
 <td class="small">{{ f.source }}</td>
 <td><a href="{{ prefix }}{{ y.year }}/review/{{ f.notebook }}.html{% if f.section %}#{{ f.section|anchor }}{% endif %}">{{ f.notebook }}</a></td>
</tr>{% endfor %}
</tbody></table>
{% endfor %}
<footer>
<h2>Provenance</h2>
<p>Data: {{ registry|length }} files, each verified by sha256 before use. Contains public sector information licensed under the
<a href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/">Open Government Licence v3.0</a>.</p>
<table><thead><tr><th scope="col">Source</th><th scope="col">Year</th><th scope="col">Publisher</th><th scope="col">Licence</th><th scope="col">sha256</th></tr></thead><tbody>
{% for s in registry %}<tr><td><a href="{{ s.url }}">{{ s.id }}</a><br><span class="small">{{ s.description[:160] }}</span></td><td>{{ s.year or "multi-year" }}</td><td>{{ s.publisher }}</td><td>{{ s.licence }}</td><td class="small"><code>{{ s.sha256 }}</code></td></tr>{% endfor %}
</tbody></table>
{% if packages %}<p class="small">Package versions: {% for k, v in packages|dictsort %}{{ k }} {{ v }}{% if not loop.last %}, {% endif %}{% endfor %}.</p>{% endif %}
</footer>
</body></html>
"""


def write_site_index(out_dir: Path | str) -> Path:
    """Write ``<out>/index.html`` across every year present and ``<out>/<year>/index.html`` per year."""
    out_dir = Path(out_dir)
    years = []
    for year_dir in sorted((p for p in out_dir.iterdir() if p.is_dir() and p.name.isdigit()), reverse=True):
        data = _year_data(year_dir)
        if data:
            years.append(data)
    registry = sorted(sources.registry().values(), key=lambda s: s.id)
    packages = years[0]["manifest"]["packages"] if years else {}
    template = _env().from_string(INDEX_TEMPLATE)
    for y in years:
        page = template.render(title=f"Findings {y['year']}: school performance and social mobility", years=[y],
                               prefix="../", registry=registry, packages=y["manifest"]["packages"])
        _write(out_dir / y["year"] / "index.html", page)
    page = template.render(title="School performance and social mobility: a reproducible compendium", years=years,
                           prefix="", registry=registry, packages=packages)
    return _write(out_dir / "index.html", page)


def _write(path: Path, text: str) -> Path:
    tmp = path.with_suffix(".html.part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


__all__ = ["anchor", "export_notebook_html", "format_value", "paths", "summary_html", "write_site_index"]
