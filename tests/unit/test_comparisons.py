"""Unit tests for analysis.comparisons on small hand-made frames (answers worked out by hand in comments)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.methods import comparisons as cmp
from analysis.methods import la_weights, ranking
from analysis.errors import ParameterError

LAS = pd.DataFrame(
    {
        "la_code": ["330", "331", "341", "391", "380", "201"],
        "la_name": ["Birmingham", "Coventry", "Liverpool", "Newcastle upon Tyne", "Bradford", "City of London"],
        "region": ["West Midlands", "West Midlands", "North West", "North East", "Yorkshire", "Inner London"],
        "region_group": ["West Midlands", "West Midlands", "North West", "North East", "Yorkshire", "London"],
    }
)
CORE = pd.DataFrame({"la_code": ["330", "341", "391"], "la_name": ["Birmingham", "Liverpool", "Newcastle"]})


class TestParseComparator:
    def test_named(self):
        assert cmp.parse_comparator(" region ") == "region"

    def test_comma_string_from_cli_pads_and_dedupes(self):
        # "330, 80,330" -> codes padded to 3 digits ("80" -> "080"), the repeat dropped, order kept
        assert cmp.parse_comparator("330, 80,330") == ["330", "080"]

    def test_list(self):
        assert cmp.parse_comparator(["331", 330]) == ["331", "330"]

    @pytest.mark.parametrize("bad", ["core cities", "", "330,abc", None, []])
    def test_bad_values_raise_with_choices(self, bad):
        with pytest.raises(ParameterError, match="core_cities, region, statistical_neighbours"):
            cmp.parse_comparator(bad)


class TestComparisonGroup:
    def test_core_cities(self):
        g = cmp.comparison_group("core_cities", "341", LAS, core_cities=CORE)
        assert g["la_code"].tolist() == ["330", "341", "391"]
        assert g["is_chosen"].tolist() == [False, True, False]
        assert set(g["group_key"]) == {"core_cities"}

    def test_region_uses_region_group(self):
        # City of London sits in "Inner London"; its comparison region is London
        g = cmp.comparison_group("region", "201", LAS)
        assert g["la_code"].tolist() == ["201"] and g["group_key"].iloc[0] == "region:London"

    def test_statistical_neighbours_keeps_rank_order_and_drops_blank_codes(self):
        sn = pd.DataFrame({"la_code": ["330"] * 3, "neighbour_rank": [2, 1, 3], "neighbour_code": ["380", "331", "-00"]})
        g = cmp.comparison_group("statistical_neighbours", "330", LAS, neighbours=sn)
        # LA first, then neighbours by rank (1: 331, 2: 380); "-00" is not an LA and drops out
        assert g["la_code"].tolist() == ["330", "331", "380"]
        assert g["group_key"].iloc[0] == "statistical_neighbours:330"

    def test_statistical_neighbours_missing_la(self):
        sn = pd.DataFrame({"la_code": ["330"], "neighbour_rank": [1], "neighbour_code": ["331"]})
        with pytest.raises(ParameterError, match="no statistical neighbours"):
            cmp.comparison_group("statistical_neighbours", "380", LAS, neighbours=sn)

    def test_explicit_list_adds_chosen_la(self):
        g = cmp.comparison_group("391,341", "330", LAS)
        assert g["la_code"].tolist() == ["330", "391", "341"]
        assert g["group_key"].iloc[0] == "list:330,341,391"

    def test_unknown_codes_raise(self):
        with pytest.raises(ParameterError, match=r"\['999'\]"):
            cmp.comparison_group(["330", "999"], "330", LAS)

    def test_unknown_la_raises(self):
        with pytest.raises(ParameterError, match="'999'"):
            cmp.comparison_group("region", "999", LAS)


class TestSchoolsWithLaAndPupils:
    KS4 = pd.DataFrame({"year": 2017, "urn": ["1", "2", "3", "4"], "ks4_pupils": [200.0, 100.0, 30.0, 50.0]})
    SPINE = pd.DataFrame(
        {
            "urn": ["1", "2", "3"],
            "la_code": ["330", "330", "331"],
            "school_type": ["Community school", "Other independent school", "Non-maintained special school"],
        }
    )

    def test_join_and_state_funded_flag(self):
        out = la_weights.schools_with_la(self.KS4, self.SPINE)
        assert out["state_funded"].tolist() == [True, False, False, True]  # URN 4 unknown type: kept as state
        assert out["la_code"].isna().tolist() == [False, False, False, True]

    def test_pupils_by_la(self):
        # only URN 1 is state-funded with an LA: 330 -> 200 pupils; 331's only school is non-maintained
        out = la_weights.ks4_pupils_by_la(la_weights.schools_with_la(self.KS4, self.SPINE))
        assert out[["la_code", "ks4_pupils", "schools"]].values.tolist() == [["330", 200.0, 1]]

    def test_coverage_adds_up(self):
        cov = la_weights.coverage(la_weights.schools_with_la(self.KS4, self.SPINE))
        # used 200; not state-funded 100 + 30 = 130; no LA 50; total 380 = 200 + 100 + 30 + 50
        assert dict(zip(cov["used"], cov["ks4_pupils"], strict=True)) == {
            "left out: no LA in the spine": 50.0, "left out: not state-funded": 130.0, "used": 200.0}


class TestDisadvantagedWeights:
    PUPILS = pd.DataFrame(
        {"year": [2016, 2016, 2017, 2017], "la_code": ["A", "B", "A", "B"], "ks4_pupils": [900.0, 100.0, 1000.0, 200.0]}
    )
    SHARES = pd.DataFrame({"la_code": ["A", "B", "A"], "year": [2017, 2017, 2016], "value": [40.0, 25.0, 50.0]})

    def test_same_year(self):
        # 2017: A 1000 x 40% = 400; B 200 x 25% = 50
        w = la_weights.disadvantaged_weights(self.PUPILS, self.SHARES, 2017)
        assert w["weight"].tolist() == [400.0, 50.0] and set(w["pupils_year"]) == {2017}

    def test_missing_share_gives_nan_weight(self):
        # 2016: A 900 x 50% = 450; B has no 2016 share -> NaN, never 0
        w = la_weights.disadvantaged_weights(self.PUPILS, self.SHARES, 2016)
        assert w["weight"].iloc[0] == 450.0 and np.isnan(w["weight"].iloc[1])

    def test_year_without_school_file_uses_nearest(self):
        # 2022 shares absent -> NaN weights, but pupil counts come from 2017 (nearest)
        w = la_weights.disadvantaged_weights(self.PUPILS, self.SHARES, 2022)
        assert set(w["pupils_year"]) == {2017} and w["ks4_pupils"].tolist() == [1000.0, 200.0]


class TestWeightedAverage:
    def test_weighting_by_hand(self):
        # values -0.18 (w 5000), -0.62 (w 1000), -0.62 (w 1000)
        # weighted = (-0.18*5000 - 0.62*1000 - 0.62*1000) / 7000 = (-900 - 620 - 620) / 7000 = -2140/7000 = -0.305714
        # unweighted = (-0.18 - 0.62 - 0.62) / 3 = -1.42 / 3 = -0.473333; difference = -0.473333 + 0.305714 = -0.167619
        t = pd.DataFrame({"la_name": ["A", "B", "C"], "value": [-0.18, -0.62, -0.62], "weight": [5000, 1000, 1000]})
        row = la_weights.weighted_average(t).iloc[0]
        assert row["weighted"] == pytest.approx(-2140 / 7000)
        assert row["unweighted"] == pytest.approx(-1.42 / 3)
        assert row["difference"] == pytest.approx(-1.42 / 3 + 2140 / 7000)

    def test_missing_weight_and_suppressed_value(self):
        # C has no value (suppressed): left out of both means. B has a value but no weight: only in the mean.
        # weighted = -0.2 (A alone); unweighted = (-0.2 - 0.6) / 2 = -0.4
        t = pd.DataFrame({"la_name": ["A", "B", "C"], "value": [-0.2, -0.6, np.nan], "weight": [10.0, np.nan, 5.0]})
        row = la_weights.weighted_average(t).iloc[0]
        assert row["weighted"] == pytest.approx(-0.2) and row["unweighted"] == pytest.approx(-0.4)
        assert (row["las"], row["las_weighted"], row["missing_weights"]) == (2, 1, "B")

    def test_zero_cohort_weight_is_not_used(self):
        # a zero weight would divide by zero if it were alone: it is treated as missing
        t = pd.DataFrame({"la_name": ["A"], "value": [-0.3], "weight": [0.0]})
        row = la_weights.weighted_average(t).iloc[0]
        assert np.isnan(row["weighted"]) and row["missing_weights"] == "A"

    def test_no_values(self):
        t = pd.DataFrame({"la_name": ["A"], "value": [np.nan], "weight": [1.0]})
        row = la_weights.weighted_average(t).iloc[0]
        assert np.isnan(row["weighted"]) and np.isnan(row["unweighted"]) and row["las"] == 0


class TestRankLas:
    TABLE = pd.DataFrame(
        {
            "la_code": ["391", "341", "330", "892", "201"],
            "la_name": ["Newcastle upon Tyne", "Liverpool", "Birmingham", "Nottingham", "City of London"],
            "value": [-0.62, -0.6200000001, -0.18, -0.61, np.nan],
        }
    )

    def test_tie_rule(self):
        # Birmingham -0.18 -> 1; Nottingham -0.61 -> 2; Liverpool and Newcastle both -0.62 at two decimals ->
        # share rank 3 ("3="), Liverpool first (L < N); City of London has no value -> last, unranked.
        r = ranking.rank_las(self.TABLE)
        assert r["la_name"].tolist() == ["Birmingham", "Nottingham", "Liverpool", "Newcastle upon Tyne", "City of London"]
        assert r["rank_label"].tolist() == ["1", "2", "3=", "3=", ""]
        assert r["rank"].tolist()[:4] == [1, 2, 3, 3] and pd.isna(r["rank"].iloc[4])

    def test_competition_ranking_skips_after_tie(self):
        # 0.5, 0.3, 0.3, 0.1 -> ranks 1, 2, 2, 4 (not 3)
        t = pd.DataFrame({"la_code": list("abcd"), "la_name": list("ABCD"), "value": [0.5, 0.3, 0.3, 0.1]})
        assert ranking.rank_las(t)["rank"].tolist() == [1, 2, 2, 4]

    def test_lower_is_better_for_gaps(self):
        # gaps 0.58, 0.33, 0.58: smallest first -> B (0.33) rank 1, then A and C tie at rank 2
        t = pd.DataFrame({"la_code": list("abc"), "la_name": ["C", "B", "A"], "gap": [0.58, 0.33, 0.58]})
        r = ranking.rank_las(t, "gap", higher_is_better=False)
        assert r["la_name"].tolist() == ["B", "A", "C"] and r["rank_label"].tolist() == ["1", "2=", "2="]

    def test_input_order_does_not_matter(self):
        a = ranking.rank_las(self.TABLE)
        b = ranking.rank_las(self.TABLE.iloc[::-1])
        assert a["la_code"].tolist() == b["la_code"].tolist()

    def test_same_name_falls_back_to_code(self):
        t = pd.DataFrame({"la_code": ["902", "901"], "la_name": ["X", "X"], "value": [0.1, 0.1]})
        assert ranking.rank_las(t)["la_code"].tolist() == ["901", "902"]

    def test_input_not_mutated(self):
        before = self.TABLE.copy()
        ranking.rank_las(self.TABLE)
        pd.testing.assert_frame_equal(self.TABLE, before)


class TestRankText:
    def test_labels(self):
        r = ranking.rank_las(TestRankLas.TABLE)
        # four LAs have values
        assert ranking.rank_text(r, "330") == "1 of 4"
        assert ranking.rank_text(r, "391") == "3= of 4"
        assert ranking.rank_text(r, "201") == "not ranked: no value"


class TestOrderNote:
    RANKED = ranking.rank_las(TestRankLas.TABLE)

    def test_tie_only_difference(self):
        note = ranking.order_note(self.RANKED, ["Birmingham", "Nottingham", "Newcastle upon Tyne", "Liverpool"])
        assert "only within ties" in note and "Newcastle upon Tyne before Liverpool" in note

    def test_spelling_reported_not_corrected(self):
        note = ranking.order_note(self.RANKED, ["Birmingham", "ottingham", "Liverpool", "Newcastle upon Tyne"])
        assert note == 'Same order as published. Spelling: published "ottingham" = data "Nottingham".'

    def test_real_difference(self):
        note = ranking.order_note(self.RANKED, ["Nottingham", "Birmingham", "Liverpool", "Newcastle upon Tyne"])
        assert "beyond ties" in note

    def test_no_published(self):
        assert ranking.order_note(self.RANKED, None) == ""


class TestGroupValuesAndAverages:
    P8 = pd.DataFrame(
        {
            "la_code": ["330", "330", "341", "341", "984", "970"],
            "la_name": ["Birmingham", "Birmingham", "Liverpool", "Liverpool", "West Midlands", "England"],
            "area_type": ["la", "la", "la", "la", "region", "england"],
            "year": 2017,
            "pupil_group": ["disadvantaged", "non_disadvantaged"] * 2 + ["disadvantaged"] * 2,
            "value": [-0.18, 0.15, np.nan, -0.04, -0.39, -0.40],
            "status": ["reported", "reported", "SUPP", "reported", "reported", "reported"],
        }
    )
    GROUP = pd.DataFrame({"la_code": ["330", "341"], "la_name": ["Birmingham", "Liverpool"], "is_chosen": [True, False]})

    def test_gap_and_suppressed_status(self):
        v = cmp.group_values(self.P8, self.GROUP, 2017)
        # Birmingham gap 0.15 - (-0.18) = 0.33; Liverpool disadvantaged suppressed -> gap NaN, status kept
        assert v["gap"].iloc[0] == pytest.approx(0.33) and np.isnan(v["gap"].iloc[1])
        assert v["disadvantaged_status"].tolist() == ["reported", "SUPP"]

    def test_a_group_keeps_its_own_types_and_gets_a_fresh_index(self):
        group = self.GROUP.astype({"la_code": object, "la_name": object}).set_axis([5, 9])
        v = cmp.group_values(self.P8, group, 2017)
        assert v["la_code"].dtype == object and v["la_name"].dtype == object and v["is_chosen"].dtype == bool
        assert list(v.index) == [0, 1] and v["la_code"].tolist() == ["330", "341"]
        assert v.columns.tolist()[:3] == ["la_code", "la_name", "is_chosen"]

    def test_a_missing_pupil_group_is_no_match(self):
        p8 = self.P8.astype({"pupil_group": "string"})
        p8.loc[4, "pupil_group"] = pd.NA  # a region row of no known group, then West Midlands' own row
        p8 = pd.concat([p8, p8.iloc[[4]].assign(pupil_group="disadvantaged", value=-0.5)], ignore_index=True)
        assert cmp.official_area_value(p8, "West Midlands", 2017) == -0.5

    def test_official_rows(self):
        assert cmp.official_area_value(self.P8, "WEST MIDLANDS", 2017) == -0.39
        assert cmp.official_area_value(self.P8, "England", 2017) == -0.40
        assert cmp.official_area_value(self.P8, "Birmingham", 2017) is None  # an LA is not an official group row
        assert cmp.official_area_value(self.P8, "England", 2020) is None

    def test_average_table_and_choice(self):
        v = cmp.group_values(self.P8, self.GROUP, 2017)
        w = pd.DataFrame({"la_code": ["330", "341"], "weight": [5000.0, 2000.0]})
        region = self.GROUP.assign(group_key="region:West Midlands", group_label="West Midlands")
        t = cmp.group_average_table(v, w, region, self.P8, 2017)
        # only Birmingham has a value: estimate = unweighted = -0.18; DfE's region row (-0.39) is the one used
        assert t["value"].tolist() == [-0.40, -0.39, -0.18, -0.18]
        assert t["kind"].tolist() == ["england", "official", "estimate", "unweighted"]
        assert cmp.group_average(t) == (-0.39, -0.18)
        listed = self.GROUP.assign(group_key="list:330,341", group_label="G")
        t2 = cmp.group_average_table(v, w, listed, self.P8, 2017)
        assert cmp.group_average(t2) == (-0.18, -0.18)


class TestTrend:
    def test_years_without_data_are_nan_not_zero(self):
        p8 = pd.DataFrame(
            {
                "la_code": ["330", "341", "970"] * 2,
                "la_name": ["Birmingham", "Liverpool", "England"] * 2,
                "area_type": ["la", "la", "england"] * 2,
                "year": [2019] * 3 + [2020] * 3,
                "pupil_group": "disadvantaged",
                "value": [-0.12, -0.5, -0.45, np.nan, np.nan, np.nan],
                "status": ["reported"] * 3 + ["no_data"] * 3,
            }
        )
        group = pd.DataFrame({"la_code": ["330", "341"], "la_name": ["Birmingham", "Liverpool"],
                              "group_key": "core_cities", "group_label": "Core cities"})
        pupils = pd.DataFrame({"year": 2017, "la_code": ["330", "341"], "ks4_pupils": [1000.0, 1000.0]})
        shares = pd.DataFrame({"la_code": ["330", "341", "330", "341"], "year": [2019, 2019, 2020, 2020],
                               "value": [30.0, 10.0, 30.0, 10.0]})
        t = cmp.trend(p8, group, pupils, shares, "330")
        # 2019 weights 300 and 100: (-0.12*300 - 0.5*100) / 400 = (-36 - 50) / 400 = -0.215
        avg = t[(t["area"] == "Core cities average")].set_index("year")["value"]
        assert avg[2019] == pytest.approx(-0.215) and np.isnan(avg[2020])
        assert t.loc[t["year"] == 2020, "status"].eq("no_data").all()
        assert set(t["pupils_year"]) == {2017}


class TestPupilsFromLaRows:
    def test_reported_counts_only(self):
        rows = pd.DataFrame({"year": 2017, "la_code": ["330", "201", "331"], "ks4_pupils": [12193.0, np.nan, 3000.0],
                             "ks4_pupils_status": ["reported", "missing", "reported"]})
        assert la_weights.pupils_from_la_rows(rows)[["la_code", "ks4_pupils"]].values.tolist() == [
            ["330", 12193.0], ["331", 3000.0]]

    def test_birmingham_weight_by_hand(self):
        # audit: TPUP 12,193 x Ever6_FSM_Sec 46.49% = 5,668.5 disadvantaged KS4 pupils
        pupils = pd.DataFrame({"year": [2017], "la_code": ["330"], "ks4_pupils": [12193.0]})
        shares = pd.DataFrame({"la_code": ["330"], "year": [2017], "value": [46.49]})
        w = la_weights.disadvantaged_weights(pupils, shares, 2017)
        assert w["weight"].item() == pytest.approx(5668.5257)


class TestCheckWeightsAndFindings:
    def _inputs(self):
        values = pd.DataFrame({"la_code": ["A", "B"], "la_name": ["A", "B"], "is_chosen": [True, False],
                               "disadvantaged": [-0.2, -0.6], "non_disadvantaged": [0.1, 0.0], "gap": [0.3, 0.6]})
        group = pd.DataFrame({"la_code": ["A", "B"], "la_name": ["A", "B"], "group_key": "list:A,B",
                              "group_label": "G"})
        p8 = pd.DataFrame({"la_name": ["England"], "area_type": ["england"], "year": [2017],
                           "pupil_group": ["disadvantaged"], "value": [-0.4]})
        return values, group, p8

    def test_check_row(self):
        values, group, p8 = self._inputs()
        w = pd.DataFrame({"la_code": ["A", "B"], "weight": [300.0, 100.0]})
        check = pd.DataFrame({"la_code": ["A", "B"], "weight": [100.0, 100.0]})
        out = cmp.group_average_table(values, w, group, p8, 2017, check_weights=check).set_index("kind")["value"]
        # estimate (-0.2*300 - 0.6*100)/400 = -0.3; check (-0.2 - 0.6)/2 = -0.4
        assert out["estimate"] == pytest.approx(-0.3) and out["check"] == pytest.approx(-0.4)

    def test_findings_leave_the_chosen_las_own_figures_to_notebook_01(self):
        values, group, p8 = self._inputs()
        w = pd.DataFrame({"la_code": ["A", "B"], "weight": [300.0, 100.0]})
        averages = cmp.group_average_table(values, w, group, p8, 2017)
        ranked = ranking.rank_las(values, "disadvantaged")
        gaps = ranking.rank_las(values, "gap", higher_is_better=False)
        rows = cmp.findings(ranked, gaps, values, averages, group, la="A", year=2017)
        assert "gap_la" not in set(rows["finding_id"]) and "p8_disadvantaged_national" not in set(rows["finding_id"])
        assert rows.loc[rows["finding_id"] == "disadvantaged_p8_la", "key"].tolist() == ["B"]
        assert rows.loc[rows["finding_id"] == "smallest_gap_la", "value"].item() == "A"


class TestCoreCitiesWithAnotherLa:
    def test_the_chosen_la_joins_the_group(self):
        las = pd.DataFrame({"la_code": ["330", "202"], "la_name": ["Birmingham", "Camden"],
                            "region": ["West Midlands", "Inner London"], "region_group": ["West Midlands", "London"]})
        cities = pd.DataFrame({"la_code": ["330"]})
        group = cmp.comparison_group("core_cities", "202", las, core_cities=cities)
        assert group["la_code"].tolist() == ["202", "330"] and group["is_chosen"].tolist() == [True, False]
        assert group["group_key"].iloc[0] == "core_cities"
