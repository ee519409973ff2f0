import json

import pandas as pd
import pytest

from analysis import findings, paths
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

    @pytest.mark.parametrize("needs, status", [("public-file", "needs-public-file"), ("non-public", "not-reproducible"),
                                               ("survey", "not-reproducible")])
    def test_what_a_claim_needs_decides_its_status(self, needs, status):
        assert findings.compare(None, 21.0, "number", 0.5, needs=needs) == status
        # a claim whose source prints no figure, but names what would test it
        assert findings.compare(22, None, "number", None, needs=needs) == status

    def test_needs_does_not_hide_a_reproduced_comparison(self):
        assert findings.compare(0.42, 0.43, "number", 0.005, needs="public-file") == "differs"

    def test_bounds_override_tolerance(self):
        # "nearly 60": 55 up to 60, so 61 differs although |61 - 60| < 5
        assert findings.compare(57.0, 60.0, "number_below", 5, bounds=(55.0, 60.0)) == "match"
        assert findings.compare(61.0, 60.0, "number_below", 5, bounds=(55.0, 60.0)) == "differs"


class TestTolerance:
    @pytest.mark.parametrize("value, half", [("-0.36", 0.005), ("0.10", 0.005), ("-0.4", 0.05), ("46.3", 0.05),
                                             ("18", 0.5), ("14000", 500), ("60000", 5000), ("1.38", 0.005)])
    def test_half_a_unit_of_the_last_printed_digit(self, value, half):
        assert published.half_unit(value) == pytest.approx(half)

    def test_stated_tolerance_wins(self):
        row = {"value_type": "number_above", "value": "66.7", "tolerance": "3.3"}
        assert published.tolerance(row) == 3.3
        assert published.bounds(row) == pytest.approx((66.7, 70.0))

    def test_fraction_is_half_a_unit_of_its_denominator(self):
        # "one in nine": 1/9.5 = 10.526% to 1/8.5 = 11.765%
        low, high = published.bounds({"value_type": "fraction", "value": "1/9", "tolerance": ""})
        assert (low, high) == pytest.approx((100 / 9.5, 100 / 8.5))
        # "a fifth": 1/5.5 = 18.18% to 1/4.5 = 22.22%; the analogue's 14.1% is outside
        low, high = published.bounds({"value_type": "fraction", "value": "1/5", "tolerance": ""})
        assert low == pytest.approx(18.1818, abs=1e-4) and high == pytest.approx(22.2222, abs=1e-4)

    def test_nearly_and_more_than(self):
        # "nearly 60": trailing zero, so half a unit is 5: 55 to 60
        assert published.bounds({"value_type": "number_below", "value": "60", "tolerance": ""}) == (55.0, 60.0)


class TestFindingsLog:
    def test_record_looks_up_published_value(self):
        log = findings.FindingsLog("nb", year=2017)
        f = log.record("p8_all_national", -0.03, key="england", label="England P8")
        assert (f.published, f.tolerance, f.status, f.derived) == (-0.03, 0.005, "match", False)
        assert "Table 1" in f.source

    def test_core_cities_average_at_half_a_unit(self):
        # -0.3605 rounds to -0.36 (|diff| 0.0005 <= 0.005); the old estimate -0.366 rounds to -0.37 and differs
        log = findings.FindingsLog("nb", year=2017)
        assert log.record("group_average_disadvantaged_p8", -0.3605, key="core_cities", label="x").status == "match"
        assert log.record("group_average_disadvantaged_p8", -0.366, key="core_cities", label="x").status == "differs"

    def test_derived_flag_comes_from_the_published_table(self):
        log = findings.FindingsLog("nb", year=2017)
        assert log.record("gap_la", 0.33, key="330", label="gap").derived is True

    def test_a_claim_needing_a_public_file_says_which(self):
        log = findings.FindingsLog("nb", year=2017)
        f = log.record("school_p8_disadvantaged", None, key="Holyhead School", label="x")
        assert f.status == "needs-public-file" and "england_ks4revised.csv" in f.note

    def test_a_widened_tolerance_shows_its_reason(self):
        log = findings.FindingsLog("nb", year=2013)
        f = log.record("national_5acem_other", 64.3, key="england", label="x")
        assert f.status == "differs" and "Match range 66.7 to 70" in f.note and "seven in ten" in f.note

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


class TestCountsAndLookups:
    def test_derived_counted_apart(self):
        rows = [{"status": "match"}, {"status": "match", "derived": True}, {"status": "differs", "derived": False},
                {"status": "needs-public-file"}]
        assert findings.status_counts(rows) == {"match": 1, "differs": 1, "needs-public-file": 1, "derived": 1}

    def test_value_by_id_and_key(self):
        t = pd.DataFrame({"id": ["a", "a"], "key": ["x", "y"], "value": [1.0, 2.0], "status": ["match", "differs"]})
        assert findings.value(t, "a", "y") == 2.0 and findings.value(t, "a", "x", "status") == "match"
        with pytest.raises(KeyError, match="expected exactly one"):
            findings.value(t, "a")


def _run(tmp_path, sets: dict[str, list[dict]]):
    for name, rows in sets.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "findings.json").write_text(json.dumps(rows))
    return tmp_path


class TestUnrecordedClaims:
    def test_every_claim_recorded_somewhere_in_the_run(self, tmp_path):
        claims = published.claims()
        rows = [{"id": r.finding_id, "key": r.key, "year": int(r.year)} for r in claims.itertuples()]
        half = len(rows) // 2
        run = _run(tmp_path, {"2017": rows[:half], "2017--comparator-region": rows[half:]})
        assert findings.unrecorded_claims(run).empty

    def test_a_missing_claim_is_listed_and_inputs_never_are(self, tmp_path):
        claims = published.claims()
        rows = [{"id": r.finding_id, "key": r.key, "year": int(r.year)} for r in claims.itertuples()
                if (r.finding_id, r.key) != ("gap_la", "330")]
        missing = findings.unrecorded_claims(_run(tmp_path, {"2017": rows}))
        assert missing[["finding_id", "key", "year"]].values.tolist() == [["gap_la", "330", 2017]]

    def test_check_prints_the_missing_claims(self, tmp_path):
        run = _run(tmp_path, {"2017": [{"id": "gap_la", "key": "330", "year": 2017, "value": 0.33, "published": 0.33,
                                        "status": "match", "derived": True, "notebook": "01"}]})
        text, differs = findings.check(run)
        assert "(derived)" in text and "== published claims no notebook recorded:" in text and not differs
        assert f"recorded: {len(published.claims()) - 1}" in text


class TestPublishedFigures:
    def test_every_row_cites_a_document_and_parses(self):
        table = published.published_figures()
        assert table["title"].notna().all()
        numeric = table[table["value_type"].isin(published.NUMERIC) & (table["value"] != "")]
        assert all(isinstance(published.parse_value(v, t), float) for v, t in zip(numeric["value"],
                                                                                 numeric["value_type"], strict=True))

    def test_a_widened_tolerance_has_a_reason(self):
        table = published.published_figures()
        stated = table[table["tolerance"] != ""]
        assert (stated["tolerance_reason"] != "").all(), stated.loc[stated["tolerance_reason"] == "", "finding_id"]

    def test_what_a_claim_needs_is_named(self):
        table = published.claims()
        needs = table[table["needs"] != ""]
        assert (needs["needs_note"].str.len() > 20).all()
        blank = table[table["value"] == ""]
        assert (blank["needs"] != "").all()  # a claim with no printed figure must say what would test it

    def test_no_claim_is_true_by_construction(self):
        # the families' number and weights are parameters: inputs, never claims
        inputs = published.published_figures().query("kind == 'input'")
        assert {"n_families", "family_weight", "epi_gcse_gap_months", "dfe_ks4_gap_index"} <= set(inputs["finding_id"])
        assert published.published("n_families", 2016, "330") is None

    def test_every_claim_is_found_by_its_id_and_nothing_else(self):
        # the transcriptions read by another route (the csv module): each claim row is the one published()
        # gives for its (finding, year, key), with its own value and type; an input row, a wrong year or a wrong
        # key gives None; the row returned is a copy
        import csv

        seen = 0
        for path in sorted(paths.PUBLISHED.glob("*.csv")):
            if path.name == "documents.csv":
                continue
            with open(path, encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    found = published.published(row["finding_id"], int(row["year"]), row["key"])
                    if (row.get("kind") or "claim") == "input":
                        assert found is None, row
                        continue
                    seen += 1
                    assert found is not None, row
                    assert (found["value"], found["value_type"], found["document_id"]) == (
                        row["value"], row["value_type"], row["document_id"])
                    assert set(found) == set(published.published_figures().columns) and found["source"], found
                    assert published.published(row["finding_id"], int(row["year"]) + 100, row["key"]) is None
                    assert published.published(row["finding_id"], int(row["year"]), row["key"] + "?") is None
        assert seen == len(published.claims())
        first = published.claims().iloc[0]
        mine = published.published(first["finding_id"], first["year"], first["key"])
        mine["value"] = "changed"
        try:
            assert published.published(first["finding_id"], first["year"], first["key"])["value"] == first["value"]
        finally:  # a broken copy must not leave "changed" in the cache for later tests
            published._claims_by_id.cache_clear()

    def test_inputs_and_document_years(self):
        assert published.input_value("epi_gcse_gap_months") == 19.3
        assert published.input_value("dfe_ks4_gap_index") == 3.78
        assert published.document_data_year("smcpc_ctc_2014_release") == 2013
