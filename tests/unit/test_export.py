"""HTML export of an executed notebook: the policy briefing and the review version (hand-made notebook)."""

from __future__ import annotations

import base64
import io
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis.pipeline import export  # noqa: E402
from analysis.present import style, tables  # noqa: E402

FINDINGS = [{"id": "p8_all_la", "key": "330", "year": 2017, "label": "Birmingham: Progress 8, all pupils",
             "value": -0.01, "published": -0.01, "source": "BEP", "tolerance": 0.005, "status": "match",
             "unit": "", "note": "", "notebook": "01_x", "section": ""}]


def _png() -> str:
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    ax.bar([0, 1], [1, 2])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('year: int = 2017  # year\nla: str = "330"  # LA')
    params.metadata["tags"] = ["parameters"]
    table = tables.show(pd.DataFrame({"urn": [str(i) for i in range(30)], "p8": [0.1] * 30}))
    table_cell = nbformat.v4.new_code_cell("tables.show(x)", outputs=[nbformat.v4.new_output(
        "execute_result", data=table._repr_mimebundle_(), execution_count=1)])
    chart = nbformat.v4.new_code_cell("charts.bars(x);", outputs=[
        nbformat.v4.new_output("display_data", data={style.FIGURE_MIME: json.dumps(
            {"caption": "What the bars show, and the tallest one to notice.", "alt": "Chart: bars"}), "text/plain": ""}),
        nbformat.v4.new_output("display_data", data={"image/png": _png(), "text/plain": "<Figure>"}),
        nbformat.v4.new_output("stream", name="stderr", text="UserWarning: something\n")])
    chart.metadata["tags"] = ["headline-chart"]
    repr_cell = nbformat.v4.new_code_cell("conversion", outputs=[nbformat.v4.new_output(
        "execute_result", data={"text/plain": "MonthsPerSD(name='x')"}, execution_count=3)])
    nb.cells = [nbformat.v4.new_markdown_cell("# A title\n\n**Finding:** the source says so."), params,
                nbformat.v4.new_markdown_cell("## Schools\n\nWhat the table shows.\n\nMore detail."), table_cell,
                nbformat.v4.new_markdown_cell("## A formula\n\nThe rule:\n\n$$ sd = \\frac{a}{2} $$"), chart, repr_cell,
                nbformat.v4.new_markdown_cell("## Record the findings"),
                nbformat.v4.new_code_cell("log.record_all(x)")]
    set_dir = tmp_path / "2017"
    (set_dir / "notebooks").mkdir(parents=True)
    (set_dir / "findings").mkdir()
    (set_dir / "findings" / "01_x.json").write_text(json.dumps(FINDINGS))
    path = set_dir / "notebooks" / "01_x.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture()
def exported(tmp_path):
    path = _notebook(tmp_path)
    written = export.export_notebook_html(path, "A title")
    set_dir = path.parent.parent
    return set_dir, written, (set_dir / "policy" / "01_x.html").read_text(), (set_dir / "review" / "01_x.html").read_text()


class TestExport:
    def test_policy_is_a_briefing(self, exported):
        _, _, policy, _ = exported
        body = policy.split("<main>")[1]
        assert "<h1>A title</h1>" in body and "Main points" in body and "Summary of findings" in body
        assert body.index("Main points") < body.index('id="figure-1"') < body.index("Summary of findings")
        assert "log.record" not in body and "tables.show" not in body and "MonthsPerSD" not in body
        assert "UserWarning" not in body and "Record the findings" not in body
        assert "What the bars show" in body and 'alt="Chart: bars"' in body

    def test_no_element_is_left_open(self, exported):
        """HTML has no self-closing tags outside the void elements: ``<a .../>`` opens a link that swallows what
        follows (a hidden heading anchor once hid every paragraph after each heading)."""
        import re

        void = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
        for page in exported[2:]:
            body = page.split("<main>")[1]
            self_closed = {tag.lower() for tag in re.findall(r"<([A-Za-z][A-Za-z0-9]*)\b[^<>]*/>", body)} - void
            self_closed -= {"math", "mi", "mo", "mn", "mspace", "path", "svg"}  # MathML/SVG are XML: allowed
            assert self_closed == set(), self_closed
        assert 'id="Schools"' in exported[2]  # headings keep their anchors

    def test_long_tables_link_their_csv_and_review_version(self, exported):
        set_dir, written, policy, review = exported
        csv = next(f for f in written if f.startswith("tables/"))
        assert (set_dir / csv).read_text().startswith("URN,Progress 8")
        assert f'href="../{csv}"' in policy and 'href="../review/01_x.html#table-1"' in policy
        assert "Showing the first 10 of 30 rows" in policy and review.count("<tr>") > policy.count("<tr>")

    def test_formulas_are_mathml_and_no_raw_latex(self, exported):
        _, _, policy, review = exported
        assert "<math" in review and "$$" not in review and "\\frac" not in review
        assert "$$" not in policy

    def test_review_has_code_and_lean_css(self, exported):
        _, _, policy, review = exported
        assert "input_area" in review and "highlight" in review and "jp-Notebook" not in review
        assert len(policy.encode()) < 60_000 and "<script" not in policy

    def test_figures_thumbnail_and_determinism(self, exported, tmp_path):
        set_dir, written, policy, review = exported
        assert "figures/01_x-1.png" in written and "figures/01_x-thumb.png" in written
        again = export.export_notebook_html(set_dir / "notebooks" / "01_x.ipynb", "A title")
        assert again == written and (set_dir / "policy" / "01_x.html").read_text() == policy
        assert str(tmp_path) not in policy and str(tmp_path) not in review
        assert 'id="cell-0"' in review or 'cell-id=cell-0' in review
        assert all(oct((set_dir / f).stat().st_mode)[-3:] == "644" for f in written)
