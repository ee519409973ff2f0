"""The findings dashboard ``reports/index.html`` (across years) and ``reports/<year>/index.html``: every finding
with its status, links to the reports and to the section that computes each finding, chart thumbnails, and a
provenance footer. Everything from the data is HTML-escaped (Jinja2 autoescape).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from ..common import atomic_write_text
from ..data import sources
from ..present.tables import STATUS_TEXT, format_value
from .export import anchor


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
        atomic_write_text(out_dir / y["year"] / "index.html", page)
    page = template.render(title="School performance and social mobility: a reproducible compendium", years=years,
                           prefix="", registry=registry, packages=packages)
    return atomic_write_text(out_dir / "index.html", page)
