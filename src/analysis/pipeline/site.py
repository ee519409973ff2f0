"""The findings dashboard ``reports/index.html`` (every report set) and ``reports/<set>/index.html`` (one set).

Report sets: ``<year>`` is the default set of a year (every notebook at its default parameters) and
``<year>--<slug>`` a variant (another LA, comparison group or parameters); a manifest's ``report_set`` says
which (a folder without it is the default set of the year in its name). The dashboard lists each year that
has runs, newest first, its default set's reports as cards (a thumbnail cropped to a readable card, links to
the policy and review versions) and its variants beneath; then one findings table, filterable by status,
notebook and year, that fits a 1280 px window (long values behind an expander); then the provenance.
Everything from the data is HTML-escaped (Jinja2 autoescape). No times: the same runs give the same page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..common import atomic_write_text
from ..findings import status_counts
from ..data import sources
from ..present.summary import badge, note_text, tolerance_text, value_html
from ..present.tables import COUNT_TEXT, STATUS_TEXT
from .export_text import anchor

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "site"


def report_set(set_dir: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest's ``report_set``, or what the folder name says (``2017`` default, ``2017--x`` a variant)."""
    given = manifest.get("report_set")
    if given:
        return dict(given)
    year, _, slug = set_dir.name.partition("--")
    return {"name": set_dir.name, "year": int(year), "default": not slug, "parameters": {},
            "label": slug.replace("-", " ") if slug else "default parameters", "declared": not slug}


def _set_data(set_dir: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((set_dir / "manifest.json").read_text(encoding="utf-8"))
        found = json.loads((set_dir / "findings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    info = report_set(set_dir, manifest)
    notebooks = []
    for name, entry in manifest.get("notebooks", {}).items():
        outputs = entry.get("outputs", [])
        thumb = f"figures/{name}-thumb.png"
        notebooks.append({"name": name, "title": entry.get("title", name), "parameters": entry.get("parameters", {}),
                          "thumbnail": thumb if thumb in outputs else None})
    if not notebooks:
        return None
    rows = []
    for f in found:
        rows.append({**f, "set": info["name"], "set_year": info["year"],
                     "value_html": value_html(f.get("value"), f, collapse=True),
                     "published_html": value_html(f.get("published"), f, collapse=True),
                     "badge": badge(f["status"]), "tolerance_text": tolerance_text(f), "note_text": note_text(f)})
    return {"name": info["name"], "info": info, "manifest": manifest, "findings": rows, "notebooks": notebooks,
            "counts": status_counts(found)}


def report_sets(out_dir: Path) -> list[dict[str, Any]]:
    """Every report set with runs under ``out_dir``: newest year first, each default before its variants."""
    sets = [d for d in (_set_data(p) for p in out_dir.iterdir()
                        if p.is_dir() and p.name.split("--")[0].isdigit()) if d]
    return sorted(sets, key=lambda s: (-s["info"]["year"], not s["info"]["default"], s["name"]))


def _years(sets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sets grouped by year (only years with runs), each year's default set first and its variants after."""
    years: dict[int, dict[str, Any]] = {}
    for s in sets:
        y = years.setdefault(s["info"]["year"], {"year": s["info"]["year"], "default": None, "variants": []})
        if s["info"]["default"] and y["default"] is None:
            y["default"] = s
        else:
            y["variants"].append(s)
    return list(years.values())


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["anchor"] = anchor
    env.globals["status_text"] = COUNT_TEXT
    env.globals["badge_html"] = lambda status: Markup(badge(status))
    return env


def _page(template, *, title: str, sets: list[dict[str, Any]], prefix: str, registry, up: bool) -> str:
    findings = [f for s in sets for f in s["findings"]]
    notebooks = sorted({f["notebook"] for f in findings})
    years = sorted({f["set_year"] for f in findings}, reverse=True)
    packages = sets[0]["manifest"].get("packages", {}) if sets else {}
    commits = sorted({s["manifest"].get("git", {}).get("commit", "")[:10] for s in sets} - {""})
    dirty = any(s["manifest"].get("git", {}).get("dirty") for s in sets)
    return template.render(title=title, years=_years(sets), findings=findings, notebooks=notebooks,
                           finding_years=years, statuses=[s for s in STATUS_TEXT if any(f["status"] == s for f in findings)],
                           prefix=prefix, registry=registry, packages=packages, commits=commits, dirty=dirty, up=up)


def write_site_index(out_dir: Path | str) -> Path:
    """Write ``<out>/index.html`` across every report set present and ``<out>/<set>/index.html`` per set."""
    out_dir = Path(out_dir)
    sets = report_sets(out_dir)
    registry = sorted(sources.registry().values(), key=lambda s: s.id)
    template = _env().get_template("index.html.j2")
    for s in sets:
        label = "" if s["info"]["default"] else f" ({s['info']['label']})"
        page = _page(template, title=f"Findings {s['info']['year']}{label}: school performance and social mobility",
                     sets=[s], prefix="../", registry=registry, up=True)
        atomic_write_text(out_dir / s["name"] / "index.html", page)
    page = _page(template, title="School performance and social mobility: a reproducible compendium", sets=sets,
                 prefix="", registry=registry, up=False)
    return atomic_write_text(out_dir / "index.html", page)
