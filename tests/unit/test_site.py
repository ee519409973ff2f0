"""The dashboard: report sets grouped by year (no empty years), variants under their default, one findings
table with filters (hand-made report sets)."""

from __future__ import annotations

import json

from analysis.pipeline import site


def _set(root, name, notebook, statuses, report_set=None):
    d = root / name
    (d / "figures").mkdir(parents=True)
    manifest = {"year": int(name[:4]), "git": {"commit": "abc", "dirty": False}, "packages": {"pandas": "3"},
                "notebooks": {notebook: {"title": f"Title {notebook}", "parameters": {"la": "330"},
                                         "outputs": [f"figures/{notebook}-thumb.png"]}}}
    if report_set:
        manifest["report_set"] = report_set
    (d / "manifest.json").write_text(json.dumps(manifest))
    (d / "findings.json").write_text(json.dumps([
        {"id": f"f{i}", "key": "", "year": int(name[:4]), "label": f"Finding <{i}>", "value": 0.5, "published": None,
         "source": "", "tolerance": None, "status": s, "note": "", "notebook": notebook, "section": "A b"}
        for i, s in enumerate(statuses)]))


class TestReportSet:
    def test_folder_name_when_the_manifest_has_no_report_set(self, tmp_path):
        assert site.report_set(tmp_path / "2017", {})["default"] is True
        variant = site.report_set(tmp_path / "2017--la-320", {})
        assert (variant["year"], variant["default"], variant["label"]) == (2017, False, "la 320")


class TestWriteSiteIndex:
    def test_years_variants_and_findings(self, tmp_path):
        _set(tmp_path, "2017", "01_a", ["match", "differs"])
        _set(tmp_path, "2017--comparator-region", "02_b", ["match"],
             {"name": "2017--comparator-region", "year": 2017, "default": False, "parameters": {"comparator": "region"},
              "label": "comparator = region", "declared": True})
        _set(tmp_path, "2014", "04_c", ["not-published"])
        (tmp_path / "2020").mkdir()  # a year folder with no runs
        page = site.write_site_index(tmp_path).read_text()
        assert "2020" not in page.split("<footer>")[0]
        assert page.index('id="year-2017"') < page.index('id="year-2014"')
        year_2017 = page.split('id="year-2017"')[1].split('id="year-2014"')[0]
        assert year_2017.index("2017/policy/01_a.html") < year_2017.index("comparator = region")
        assert "2017--comparator-region/policy/02_b.html" in year_2017
        rows = page.count('<tr class="finding"')
        assert rows == 4 and 'data-year="2014"' in page and 'id="filter-notebook"' in page
        assert "Finding &lt;0&gt;" in page and "Generated" not in page
        assert (tmp_path / "2017--comparator-region" / "index.html").exists()

    def test_the_same_runs_give_the_same_page(self, tmp_path):
        _set(tmp_path, "2017", "01_a", ["match"])
        first = site.write_site_index(tmp_path).read_bytes()
        assert site.write_site_index(tmp_path).read_bytes() == first
