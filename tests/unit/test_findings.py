import json

import pytest

from analysis import findings
from analysis.data import published


class TestCompare:
    @pytest.mark.parametrize(
        "value, expected, kind, tol, status",
        [(-0.18, -0.18, "number", 0.005, "match"), (-0.185, -0.18, "number", 0.005, "match"),
         (-0.19, -0.18, "number", 0.005, "differs"), (["A", "B"], ["a", "b"], "list", None, "match"),
         (["B", "A"], ["A", "B"], "list", None, "differs"), ("1 of 8", "1 of 8", "text", None, "match"),
         (1.0, None, "number", None, "not-published"), (None, 20.1, "number", 0.05, "not-reproducible")],
    )
    def test_statuses(self, value, expected, kind, tol, status):
        assert findings.compare(value, expected, kind, tol) == status


class TestFindingsLog:
    def test_record_looks_up_published_value(self):
        log = findings.FindingsLog("nb", year=2017)
        f = log.record("p8_all_national", -0.03, key="england", label="England P8")
        assert (f.published, f.tolerance, f.status) == (-0.03, 0.005, "match")
        assert "Table 1" in f.source

    def test_record_replaces_same_id_and_key(self):
        log = findings.FindingsLog("nb", year=2017)
        log.record("x", 1.0, key="a", label="x")
        log.record("x", 2.0, key="a", label="x")
        assert [f.value for f in log.findings] == [2.0]

    def test_save_is_deterministic_json(self, tmp_path):
        log = findings.FindingsLog("nb", year=2017)
        log.record("rank_disadvantaged_p8", ["Birmingham"], key="other", label="r")
        out = log.save(tmp_path)
        assert out == tmp_path / "2017" / "findings" / "nb.json"
        assert json.loads(out.read_text())[0]["value"] == ["Birmingham"]
        assert not list(out.parent.glob("*.part"))


class TestPublishedFigures:
    def test_every_row_cites_a_document_and_parses(self):
        table = published.published_figures()
        assert table["title"].notna().all()
        numeric = table[table["value_type"] == "number"]
        assert numeric["value"].astype(float).notna().all()
        assert (numeric["tolerance"] != "").all()
