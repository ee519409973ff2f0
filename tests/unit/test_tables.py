"""The formatting layer: tables for people, numbers at the source's precision, the findings summary."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.present import briefing, summary, tables
from analysis.present.numbers import format_number, format_value, number


class TestNumber:
    def test_precision_minus_sign_and_separators(self):
        # -0.3659 to 2 dp is -0.37 with a true minus; 15,477.7 pupils is 15,478; -0.001 to 2 dp is 0.00, not -0.00
        assert (number(-0.3659, 2), number(15477.7, 0), number(-0.001, 2)) == ("\u22120.37", "15,478", "0.00")

    def test_kinds(self):
        assert format_number(0.7461, "p8") == ("0.75", None)
        assert format_number(64.26636, "pct") == ("64.3", None)
        assert format_number(11011.0, "count") == ("11,011", None)
        assert format_number(2017.0, "year") == ("2017", None)
        assert format_number("330", "code") == ("330", None)

    def test_missing_and_suppressed_give_a_dash_and_a_reason(self):
        assert format_number(np.nan, "p8") == ("\u2013", "")
        assert format_number(0.5, "p8", "SUPP") == ("\u2013", "SUPP")
        assert format_number("NE", "count") == ("\u2013", "NE")
        assert format_number(None, "text") == ("\u2013", "")

    def test_text_is_escaped_and_lists_joined(self):
        assert format_number("<b>A & B</b>", "text") == ("&lt;b&gt;A &amp; B&lt;/b&gt;", None)
        assert format_number(["St Alban's", "B"], "list") == ("St Alban&#x27;s, B", None)


class TestShow:
    def test_no_index_labels_in_words_and_status_folded(self):
        frame = pd.DataFrame({"la_name": ["Birmingham", "Leeds"], "p8": [-0.18, np.nan],
                              "p8_status": ["reported", "SUPP"], "ks4_pupils": [11011.0, 7063.0]}, index=[176, 328])
        t = tables.show(frame)
        assert list(t.cells.columns) == ["Local authority", "Progress 8", "KS4 pupils"]
        assert list(t.cells["Progress 8"]) == ["\u22120.18", "\u2013<sup>a</sup>"]
        assert list(t.cells["KS4 pupils"]) == ["11,011", "7,063"]
        # the footnote says what SUPP means, from data/reference/dfe_status_codes.csv
        assert t.footnotes[0][0] == "a" and t.footnotes[0][1].startswith("Suppressed")
        page = t._repr_html_()
        assert "176" not in page and "NaN" not in page and 'class="compendium-table"' in page

    def test_a_named_index_becomes_a_column_and_pivot_columns_are_words(self):
        frame = pd.DataFrame({"year": [2016, 2017], "area": ["A", "A"], "pupil_group": ["all", "all"],
                              "value": [0.1, np.nan]})
        pivot = frame.pivot_table(index="year", columns=["area", "pupil_group"], values="value", dropna=False)
        t = tables.show(pivot, kind="p8")
        assert list(t.cells.columns) == ["Year", "A: all pupils"]
        assert list(t.cells["Year"]) == ["2016", "2017"]
        assert list(t.cells["A: all pupils"]) == ["0.10", "\u2013<sup>a</sup>"]

    def test_long_tables_carry_their_top_rows_and_csv(self):
        frame = pd.DataFrame({"urn": [str(i) for i in range(40)], "p8": np.linspace(-1, 1, 40)})
        bundle = tables.show(frame)._repr_mimebundle_()
        short = json.loads(bundle[tables.TABLE_MIME])
        assert short["rows"] == 40 and short["short_html"].count("<tr>") == tables.SHORT_ROWS + 1
        assert short["csv"].splitlines()[0] == "URN,Progress 8" and len(short["csv"].splitlines()) == 41
        assert bundle["text/html"].count("<tr>") == 41  # the review version shows every row

    def test_a_long_tables_plain_text_is_its_top_rows_and_its_size(self):
        rows = tables.MAX_ROWS + 5
        text = tables.show(pd.DataFrame({"la_name": [f"LA {i}" for i in range(rows)]}))._repr_mimebundle_()["text/plain"]
        assert f"LA {tables.SHORT_ROWS - 1}" in text and f"LA {tables.SHORT_ROWS}" not in text
        assert text.endswith(f"the first {tables.SHORT_ROWS} of {rows} rows")
        short = tables.show(pd.DataFrame({"la_name": ["A", "B"]}))._repr_mimebundle_()["text/plain"]
        assert short.split() == ["Local", "authority", "A", "B"]

    def test_plain_text_keeps_two_columns_of_the_same_words(self):
        table = tables.Table(frame=pd.DataFrame({"a": [1], "b": [2]}),
                             cells=pd.DataFrame([["1", "&lt;2"]], columns=["Pupils", "Pupils"]), numeric=[True, True])
        assert table._text().split() == ["Pupils", "Pupils", "1", "<2"]

    def test_short_tables_have_no_csv_and_empty_ones_say_so(self):
        assert tables.TABLE_MIME not in tables.show(pd.DataFrame({"p8": [0.1]}))._repr_mimebundle_()
        assert "No school" in tables.show(pd.DataFrame({"p8": []}), empty="No school.")._repr_html_()

    def test_numeric_columns_headings_and_cells_are_marked_num_and_text_ones_are_not(self):
        # 12 rows: row numbers of two digits, so "row1" must not match inside "row10"
        frame = pd.DataFrame({"la_name": [f"LA {i}" for i in range(12)], "p8": np.linspace(-1, 1, 12),
                              "region": ["North"] * 12, "pupils": np.arange(12.0)})
        page = tables.show(frame)._html()
        for col, is_number in enumerate([False, True, False, True]):
            mark = " num" if is_number else ""
            assert f'<th class="col_heading level0 col{col}{mark}" >' in page
            for row in range(12):
                assert f'<td class="data row{row} col{col}{mark}" >' in page
        assert page.count(" num\"") == 2 + 2 * 12

    def test_a_long_tables_values_each_take_their_measures_kind(self):
        # one row per measure: a count is whole, a share a percentage, a KS2 % to 1 dp, an unknown one as before
        # (read_meet_pct is in no table of columns: its kind comes from the _pct suffix)
        frame = pd.DataFrame({"measure": ["schools", "share_in_family_by_chance", "rwm_meet_pct", "read_meet_pct",
                                          "not_a_column", None],
                              "value": [257.0, 0.0424, 61.04, 66.66, 0.3, 1.0]})
        cells = tables.show(frame).cells
        assert cells.iloc[:, 1].tolist() == ["257", "4.2%", "61.0", "66.7", "0.30", "1.00"]
        assert cells.iloc[0, 0] == "schools" and "Reading, writing and maths" in cells.iloc[2, 0]

    def test_unknown_columns_get_words_and_a_kind(self):
        assert tables.column_spec("fsm_pct") == ("Fsm (%)", "pct")
        assert tables.column_spec("n_things", pd.Series([1, 2])) == ("N things", "count")


class TestSummary:
    FINDING = {"id": "x", "key": "330", "year": 2017, "label": "Birmingham: Progress 8, all pupils", "value": -0.365948,
               "published": -0.36, "source": "BEP table 1", "tolerance": 0.01, "status": "match", "note": "",
               "notebook": "01", "section": ""}

    def test_values_at_the_published_precision(self):
        # published -0.36 (2 dp) and a P8 label: -0.365948 shows as -0.37
        assert summary.value_text(self.FINDING["value"], self.FINDING) == "\u22120.37"

    def test_every_row_has_a_note_in_words_and_sources_are_numbered(self):
        html = summary.summary_html([self.FINDING, {**self.FINDING, "status": "differs", "note": "Final <data>"}])
        assert html.count('<td class="note">') == 2
        assert summary.DEFAULT_NOTES["match"] in html and "Final &lt;data&gt;" in html
        assert "within ±0.01 of the published figure" in html and html.count('id="source-1"') == 1

    def test_long_lists_collapse_only_when_asked(self):
        names = [f"School number {i}" for i in range(12)]
        assert "<details>" in summary.value_html(names, {}, collapse=True)
        assert "<details>" not in summary.value_html(names, {})

    def test_counts_in_words(self):
        assert summary.counts_text([{"status": "differs"}] * 2 + [{"status": "match"}]) == "1 match, 2 differ"


class TestBriefing:
    def test_sentences_from_findings_escaped_and_skipped_when_missing(self):
        found = [{"id": "p8_disadvantaged_la", "key": "330", "label": "St Alban's <LA>: Progress 8", "value": -0.18,
                  "published": -0.18, "tolerance": 0.005, "status": "match"},
                 {"id": "p8_disadvantaged_national", "key": "england", "label": "England: P8", "value": -0.4,
                  "published": -0.4, "tolerance": 0.005, "status": "match"}]
        points = briefing.main_points("01_la_vs_national_p8", found, {"year": "2017"})
        # the first template needs both findings: -0.18 is above -0.40; the second needs findings not given
        assert points[0].startswith("In 2016/17, disadvantaged pupils in St Alban&#39;s &lt;LA&gt;")
        assert "\u22120.18, above the \u22120.40" in points[0]
        assert len(points) == 2 and points[1].startswith("Of the 2 figures recorded here, 2 match")

    @pytest.mark.parametrize(("share", "words", "cell"), [
        (100.0, "first in every draw", "100.0%"), (99.99, "first in more than 99.9% of draws", "more than 99.9%"),
        (99.94, "first in 99.9% of draws", "99.9%"), (76.89, "first in 76.9% of draws", "76.9%")])
    def test_a_share_of_draws_is_never_rounded_to_every_draw(self, share, words, cell):
        def finding(finding_id, value, **extra):
            return {"id": finding_id, "key": "core_cities:330", "label": "Birmingham: x", "value": value,
                    "published": None, "status": "not-published", **extra}

        found = [finding("plausible_ranks_disadvantaged_p8", "1 to 2 of 8"),
                 finding("first_place_holds_disadvantaged_p8", "holds" if share >= 97.5 else "not certain"),
                 finding("share_first_disadvantaged_p8", share, unit="%"),
                 finding("la_vs_other_las_disadvantaged_p8", "above")]
        points = briefing.main_points("02_la_comparisons", found, {"year": "2017"})
        sentence = next(p for p in points if p.startswith("Allowing for chance"))
        assert f"({words})" in sentence and "%%" not in sentence
        table = summary.summary_html(found)  # the findings table: the share with its per cent sign, at 1 dp
        assert f'<td class="num">{cell}</td>' in table
        if share < 100:  # the notes' words (share_text) follow the same rule as the cell
            from analysis.methods.uncertainty_findings import share_text

            assert share_text(share / 100) == f"{cell} of draws"

    @pytest.mark.parametrize("notebook", ["02_la_comparisons", "03_school_progress", "unknown"])
    def test_no_findings_no_sentences(self, notebook):
        assert briefing.main_points(notebook, [], {}) == []


class TestCodesInWords:
    def test_code_cells_read_as_words_and_the_csv_keeps_the_codes(self):
        frame = pd.DataFrame({"group": ["persistently_disadvantaged", "a new group"],
                              "comparison": ["national_non_disadvantaged", "non_disadvantaged_elsewhere"],
                              "factors_missing": ["prior_attainment, eal", ""]})
        t = tables.show(frame)
        assert t.cells.iloc[:, 0].tolist() == ["persistently disadvantaged pupils", "a new group"]  # unknown: as is
        assert t.cells.iloc[:, 1].tolist() == ["non-disadvantaged pupils nationally",
                                               "non-disadvantaged pupils outside the area"]
        assert t.cells.iloc[0, 2] == "prior attainment, EAL"  # a list column, item by item
        assert t.frame.iloc[0].tolist() == frame.iloc[0].tolist()  # what a reader downloads keeps the codes

    def test_every_code_the_methods_put_in_those_columns_has_words(self):
        """A code added to a method (a comparison, a factor, a KS2 measure, a pupil group) without words would
        reach the policy reports as it is."""
        from analysis.methods import comparisons, families, months

        words = tables.value_words()
        ks2 = pd.DataFrame({c: [1.0, 2.0] for c in ["ks2_pupils", "read_meet_pct", "gps_meet_pct", "mat_meet_pct",
                                                    "rwm_meet_pct"]})
        fam = pd.DataFrame({"family": [1, 1, 2], "urn": ["1", "2", "3"], "share_neighbours_in_family": [0.5, 0.5, 1.0]})
        emitted = {"comparison": set(months.COMPARISONS), "group": set(months.GROUPS) | {"all"},
                   "factor": set(families.FACTOR_COLUMNS), "factors_missing": set(families.FACTOR_COLUMNS),
                   "columns_used": set(sum(families.FACTOR_COLUMNS.values(), [])),
                   "measure": set(families.national_means(ks2)["measure"]) | set(families.agreement_summary(fam)["measure"]),
                   "comparator": set(comparisons.COMPARATORS),  # a report's "This run" line (pipeline.export)
                   "role": {"ks4_school_full", "ks4_school_trimmed"}}  # the roles ks4_results.data_availability lists
        assert {c: sorted(codes - set(words.get(c, {}))) for c, codes in emitted.items()} == \
            {c: [] for c in emitted}

    def test_a_findings_tables_value_is_shown_beside_its_ledger_status(self):
        """A DfE status folds into the value (a dash and its footnote); a finding's status (match, differs, ...)
        says how the value compares with the published one, so both are shown."""
        findings = pd.DataFrame({"id": ["a", "b"], "value": [-0.18, 13.6], "published": [-0.18, None],
                                 "status": ["match", "not-published"]})
        t = tables.show(findings)
        assert t.cells["Value"].tolist() == ["\u22120.18", "13.60"]  # not folded into a dash
        assert t.cells["Status"].tolist() == ["match", "not published"]
        dfe = tables.show(pd.DataFrame({"value": [0.5, 0.7], "status": ["SUPP", "reported"]}))
        assert dfe.cells["Value"].tolist()[1] == "0.70" and dfe.cells["Value"].tolist()[0].startswith("\u2013")
        assert list(dfe.cells.columns) == ["Value"]
