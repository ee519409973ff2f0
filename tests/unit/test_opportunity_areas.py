"""Unit tests for analysis.opportunity_areas on hand-made tables."""

import math

import pandas as pd
import pytest

from analysis.methods import opportunity_areas as oa
from analysis.methods import stats
from analysis.errors import ParameterError


class TestSdByYear:
    def test_override_and_bad(self):
        t = pd.DataFrame({"year": [2017], "sd": [1.2]})
        assert stats.sd_by_year(t, [2019], override=1.5)["sd_p8"].item() == 1.5
        with pytest.raises(ParameterError, match="p8_sd"):
            stats.sd_by_year(t, [2019], override=-1)


class TestLaGaps:
    def test_hand_gap(self):
        # Blackpool dis -0.83, England non-dis 0.11 -> gap 0.94; / sd 1.25 = 0.752 SD; * 10 = 7.52 months
        p8 = pd.DataFrame({"la_code": ["890", "890", "970", "970"], "year": 2017,
                           "pupil_group": ["disadvantaged", "non_disadvantaged"] * 2,
                           "value": [-0.83, -0.36, -0.40, 0.11]})
        sd = pd.DataFrame({"year": [2017], "sd_p8": [1.25]})
        out = oa.la_gaps(p8, sd, months_per_sd=10).set_index("area_id")
        assert out.loc["blackpool", "gap_disadvantaged_p8"] == pytest.approx(0.94)
        assert out.loc["blackpool", "gap_disadvantaged_months"] == pytest.approx(7.52)
        # non-dis: 0.11 - (-0.36) = 0.47 -> 3.76 months
        assert out.loc["blackpool", "gap_non_disadvantaged_months"] == pytest.approx(3.76)
        assert "county proxy" in out.loc["norwich", "figure"]
        assert math.isnan(out.loc["norwich", "gap_disadvantaged_p8"])  # Norfolk not in this table


class TestSuccessorUrns:
    def test_chain_and_non_successor_links_ignored(self):
        links = pd.DataFrame({"urn": ["1", "2", "3"], "linked_urn": ["2", "4", "9"],
                              "link_type": ["Successor", "Successor - merged", "Predecessor"]})
        assert oa.successor_urns(links).set_index("urn")["current_urn"].to_dict() == {"1": "4", "2": "4"}


class TestSchoolDistricts:
    def test_district_ward_and_successor(self):
        gias = pd.DataFrame({"urn": ["10", "11", "12"], "district": ["Norwich", "Somerset West and Taunton",
                             "Somerset West and Taunton"], "ward": ["x", "Alcombe", "Vivary"]})
        links = pd.DataFrame({"urn": ["5"], "linked_urn": ["10"], "link_type": ["Successor"]})
        wards = pd.DataFrame({"area_id": ["west_somerset"], "district_2022": ["Somerset West and Taunton"],
                              "ward_2022": ["Alcombe"]})
        out = oa.school_districts(pd.Series(["5", "11", "12", "99"]), gias, links, wards).set_index("urn")
        assert out.loc["5", "area_id"] == "norwich" and out.loc["5", "how"] == "successor URN"
        assert out.loc["11", "area_id"] == "west_somerset" and out.loc["11", "mapped_by"] == "2022 ward"
        assert pd.isna(out.loc["12", "area_id"])  # Taunton ward: not West Somerset
        assert out.loc["99", "how"] == "not in GIAS"


class TestDistrictP8:
    def test_weighting_and_suppressed(self):
        # (0.2*100 + -0.4*50) / 150 = 0; third school suppressed -> counted, not used
        s = pd.DataFrame({"year": 2017, "urn": ["1", "2", "3"], "p8_all": [0.2, -0.4, float("nan")],
                          "p8_pupils_all": [100, 50, 8]})
        m = pd.DataFrame({"urn": ["1", "2", "3"], "area_id": ["x", "x", "x"]})
        out = oa.district_p8(s, m).iloc[0]
        assert (out["p8"], out["pupils"], out["n_schools"], out["n_without_p8"]) == (0.0, 150.0, 2, 1)


class TestTrendSince:
    def test_no_data_year_is_nan(self):
        g = pd.DataFrame({"year": [2016, 2020], "area_id": ["a", "a"], "area_name": "A",
                          "gap_disadvantaged_months": [10.0, float("nan")]})
        assert math.isnan(oa.trend_since(g).query("year == 2020")["change"].item())
