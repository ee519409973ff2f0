"""Each executed notebook as HTML: ``policy/<notebook>.html`` (no code, no prompts, no stderr or warnings) and
``review/<notebook>.html`` (every code cell), both with the findings summary at the top, figures with captions
and alt text, and nothing fetched from the network. Text from the data is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from typing import Any

from ..present.tables import STATUS_TEXT, format_value

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def anchor(heading: str) -> str:
    """The id nbconvert gives a markdown heading (spaces become hyphens).

    >>> anchor("Compare the LA with England for each pupil group")
    'Compare-the-LA-with-England-for-each-pupil-group'
    """
    return re.sub(r"\s+", "-", heading.strip())


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
