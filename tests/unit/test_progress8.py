import numpy as np
import pandas as pd

from analysis.methods import progress8


def _rows():
    # Hand-made: LA 330 and England (970), two years; 2020 has no data ('-').
    data = [
        ("330", "Birmingham", 2017, "all", -0.01), ("330", "Birmingham", 2017, "disadvantaged", -0.18),
        ("330", "Birmingham", 2017, "non_disadvantaged", 0.15), ("970", "England", 2017, "all", -0.03),
        ("970", "England", 2017, "disadvantaged", -0.40), ("970", "England", 2017, "non_disadvantaged", 0.11),
        ("330", "Birmingham", 2020, "all", np.nan), ("970", "England", 2020, "all", np.nan),
    ]
    frame = pd.DataFrame(data, columns=["la_code", "la_name", "year", "pupil_group", "value"])
    frame["status"] = np.where(frame["value"].isna(), "no_data", "reported")
    return frame


class TestLaVsEngland:
    def test_differences(self):
        table = progress8.la_vs_england(_rows(), "330", 2017).set_index("pupil_group")
        # -0.01 - -0.03 = 0.02; -0.18 - -0.40 = 0.22; 0.15 - 0.11 = 0.04
        assert table["difference"].tolist() == [0.02, 0.22, 0.04]


class TestDisadvantageGap:
    def test_gap(self):
        gaps = progress8.disadvantage_gap(progress8.la_vs_england(_rows(), "330", 2017)).set_index("area")
        # Birmingham 0.15 - (-0.18) = 0.33; England 0.11 - (-0.40) = 0.51
        assert gaps.loc["Birmingham", "gap"] == 0.33 and gaps.loc["England", "gap"] == 0.51


class TestTimeSeries:
    def test_no_data_years_stay_as_gaps(self):
        series = progress8.time_series(_rows(), "330")
        gap_rows = series[series["year"] == 2020]
        assert len(gap_rows) == 2 and gap_rows["value"].isna().all()
        assert set(gap_rows["status"]) == {"no_data"}
        assert progress8.years_with_data(_rows()) == [2017]
        assert progress8.available_years(_rows()) == [2017, 2020]


class TestAttainmentVsEngland:
    def test_england_from_the_performance_tables_row(self):
        lait = pd.DataFrame({"la_code": ["330", "970", "330", "970"], "la_name": ["B", "England", "B", "England"],
                             "year": 2017, "pupil_group": ["all", "all", "disadvantaged", "disadvantaged"],
                             "value": [46.1, 46.5, 40.1, 37.1], "status": "reported"})
        full = pd.DataFrame({"year": [2017, 2016], "is_state_funded_national": [True, True],
                             "a8_all": [46.3, 49.9], "a8_disadvantaged": [37.0, 41.1]})
        out = progress8.attainment_vs_england(lait, full, "330", 2017).set_index("pupil_group")
        # England 46.3 / 37.0 from the file's 2017 row (not LAIT's 46.5 / 37.1); 46.1 - 46.3 = -0.2
        assert out.loc["all", "england_value"] == 46.3 and out.loc["disadvantaged", "england_value"] == 37.0
        assert out.loc["all", "england_lait"] == 46.5 and out.loc["all", "difference"] == -0.2

    def test_lait_when_no_file_covers_the_year(self):
        lait = pd.DataFrame({"la_code": ["330", "970"], "la_name": ["B", "England"], "year": 2019,
                             "pupil_group": "all", "value": [45.0, 46.7], "status": "reported"})
        out = progress8.attainment_vs_england(lait, pd.DataFrame(), "330", 2019)
        assert out["england_value"].tolist() == [46.7] and out["england_source"].str.startswith("LAIT").all()


class TestAboveOrBelow:
    def test_two_decimals(self):
        # 2016 Birmingham 0.00 against England -0.03: above; equal at two decimals: equal
        assert progress8.above_or_below(0.0, -0.03) == "above"
        assert progress8.above_or_below(-0.031, -0.03) == "equal"
        assert progress8.above_or_below(-0.05, -0.03) == "below"


class TestFindings:
    def test_each_claim_once_with_its_year(self):
        comp = pd.DataFrame({"pupil_group": ["all", "disadvantaged", "non_disadvantaged"], "la_name": "B",
                             "la_value": [-0.01, -0.18, 0.15], "england_value": [-0.03, -0.40, 0.11]})
        prev = comp.assign(la_value=[0.0, -0.14, 0.13], england_value=[-0.03, -0.38, 0.10])
        gaps = progress8.disadvantage_gap(comp)
        a8 = pd.DataFrame({"pupil_group": ["all", "disadvantaged", "non_disadvantaged"], "la_value": [46.1, 40.1, 51.2],
                           "england_value": [46.3, 37.0, 49.8], "england_source": "file"})
        rows = progress8.findings(comp, gaps, prev, a8, la="330", year=2017)
        keys = list(zip(rows["finding_id"], rows["key"], rows["year"], strict=True))
        assert len(keys) == len(set(keys))
        got = rows.set_index(["finding_id", "year"])["value"]
        # the year before: table 4's disadvantaged figures and England's non-disadvantaged; "once again above"
        assert got[("p8_disadvantaged_la", 2016)] == -0.14 and got[("p8_non_disadvantaged_national", 2016)] == 0.10
        assert got[("p8_all_la_vs_national", 2016)] == "above"
        assert ("p8_non_disadvantaged_la", 2016) not in got.index  # not printed: not recorded
        assert got[("a8_all_national", 2017)] == 46.3 and ("a8_non_disadvantaged_la", 2017) not in got.index
        assert got[("gap_la", 2017)] == 0.33  # 0.15 - (-0.18)
