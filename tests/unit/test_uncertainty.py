"""Intervals, plausible ranks, flags, funnel limits and bands, on hand-made figures with hand-worked answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ParameterError
from analysis.methods import funnel, uncertainty, uncertainty_findings


def _intervals(values, se, names=None):
    names = names or [chr(ord("A") + i) for i in range(len(values))]
    return pd.DataFrame({"la_code": names, "la_name": names, "pupil_group": "disadvantaged", "value": values,
                         "se": se, "pupils": 100.0})


class TestStandardError:
    def test_known_sd_and_n(self):
        # sd 1.2, n 144: 1.2 / 12 = 0.1; with rounding: sqrt(0.01 + (0.005/sqrt 3)^2) = sqrt(0.0100083) = 0.100042
        assert float(uncertainty.standard_error(1.2, 144, rounding=0)) == pytest.approx(0.1)
        assert float(uncertainty.standard_error(1.2, 144)) == pytest.approx(0.100042, abs=1e-6)

    def test_no_pupils_no_interval(self):
        assert math.isnan(float(uncertainty.standard_error(1.2, 0)))


class TestLaIntervals:
    def test_disadvantaged_and_other_pupils(self):
        values = pd.DataFrame({"la_code": ["A"], "la_name": ["A"], "disadvantaged": [-0.2], "non_disadvantaged": [0.1]})
        weights = pd.DataFrame({"la_code": ["A"], "ks4_pupils": [400.0], "weight": [100.0]})
        out = uncertainty.la_intervals(values, weights, 1.0).set_index("pupil_group")
        # disadvantaged: 100 pupils, se sqrt(1/100 + 0.0029^2) = 0.100042 -> ± 0.19608; others: 300 pupils,
        # se sqrt(1/300 + 0.0000083) = 0.057807 -> ± 0.11330
        assert out.loc["disadvantaged", "pupils"] == 100 and out.loc["non_disadvantaged", "pupils"] == 300
        assert out.loc["disadvantaged", "high"] - out.loc["disadvantaged", "value"] == pytest.approx(0.19608, abs=1e-5)
        assert out.loc["non_disadvantaged", "high"] - 0.1 == pytest.approx(0.11330, abs=1e-5)

    def test_gap_combines_the_two_groups(self):
        values = pd.DataFrame({"la_code": ["A"], "la_name": ["A"], "disadvantaged": [-0.2], "non_disadvantaged": [0.1]})
        weights = pd.DataFrame({"la_code": ["A"], "ks4_pupils": [400.0], "weight": [100.0]})
        out = uncertainty.la_intervals(values, weights, 1.0).set_index("pupil_group")
        # gap 0.1 - (-0.2) = 0.3; se = hypot(0.100042, 0.057807) = 0.115542
        assert out.loc["gap", "value"] == pytest.approx(0.3)
        assert out.loc["gap", "se"] == pytest.approx(0.115542, abs=1e-5)

    def test_dfe_interval_used_for_the_same_value_only(self):
        values = pd.DataFrame({"la_code": ["A", "B"], "la_name": ["A", "B"], "disadvantaged": [-0.2, 0.0],
                               "non_disadvantaged": [0.1, 0.2]})
        weights = pd.DataFrame({"la_code": ["A", "B"], "ks4_pupils": [400.0, 400.0], "weight": [100.0, 100.0]})
        published = pd.DataFrame({"la_code": ["A", "B"], "pupil_group": "disadvantaged", "dfe_value": [-0.2, 0.05],
                                  "dfe_pupils": [90.0, 90.0], "dfe_low": [-0.3, -0.05], "dfe_high": [-0.1, 0.15],
                                  "dfe_source": "f"})
        out = uncertainty.la_intervals(values, weights, 1.0, published=published)
        out = out[out["pupil_group"] == "disadvantaged"].set_index("la_code")
        # A: DfE's half-width 0.1 -> se hypot(0.1/1.96, 0.0029) = 0.051102; B's DfE value differs: our estimate
        assert out.loc["A", "se"] == pytest.approx(0.051102, abs=1e-5) and out.loc["A", "pupils"] == 90
        assert out.loc["B", "se"] == pytest.approx(0.100042, abs=1e-5) and out.loc["B", "pupils"] == 100
        assert out.loc["A", "interval_source"].startswith("DfE") and out.loc["B", "interval_source"].startswith("est")

    def test_england_pools_every_la(self):
        rows = pd.DataFrame({"la_code": "970", "year": 2017, "pupil_group": ["disadvantaged", "non_disadvantaged"],
                             "value": [-0.4, 0.1]})
        weights = pd.DataFrame({"la_code": ["A", "B"], "ks4_pupils": [500.0, 700.0], "weight": [100.0, 300.0]})
        out = uncertainty.england_intervals(rows, weights, 1.0, 2017).set_index("pupil_group")
        # 400 disadvantaged pupils: se sqrt(1/400 + 0.0029^2) = 0.050083
        assert out.loc["disadvantaged", "pupils"] == 400 and out.loc["non_disadvantaged", "pupils"] == 800
        assert out.loc["disadvantaged", "se"] == pytest.approx(0.050083, abs=1e-5)

    def test_sd_must_be_positive(self):
        with pytest.raises(ParameterError, match="p8_sd"):
            uncertainty.la_intervals(pd.DataFrame(), pd.DataFrame(), float("nan"))


class TestAverageInterval:
    def test_pupil_weighted_with_independent_errors(self):
        # values 0 and 1 with 100 and 300 pupils: (0*100 + 1*300) / 400 = 0.75;
        # se = sqrt(100^2 * 0.1^2 + 300^2 * 0.1^2) / 400 = sqrt(100 + 900) / 400 = 31.623 / 400 = 0.079057
        t = _intervals([0.0, 1.0], [0.1, 0.1]).assign(pupils=[100.0, 300.0])
        out = uncertainty.average_interval(t)
        assert out["value"] == pytest.approx(0.75) and out["se"] == pytest.approx(0.079057, abs=1e-6)


class TestRankSimulation:
    def test_far_apart_and_precise_ranks_never_move(self):
        out = uncertainty.rank_simulation(_intervals([0.5, 0.0, -0.5], [0.001] * 3), draws=2000)
        assert out[["la_name", "rank", "rank_low", "rank_high"]].values.tolist() == [
            ["A", 1, 1, 1], ["B", 2, 2, 2], ["C", 3, 3, 3]]
        assert out["p_first"].tolist() == [1.0, 0.0, 0.0] and out["p_ahead_of_next"].iloc[0] == 1.0

    def test_two_equal_las_each_come_first_half_the_time(self):
        # symmetric: P(A ahead) = 0.5; with 10,000 draws its Monte Carlo SD is 0.005, so 0.5 ± 0.03 is safe
        out = uncertainty.rank_simulation(_intervals([0.0, 0.0, -5.0], [0.1, 0.1, 0.1]), draws=10_000)
        first_two = out.set_index("la_name").loc[["A", "B"]]
        assert first_two["p_first"].sum() == pytest.approx(1.0)
        assert abs(first_two["p_first"].iloc[0] - 0.5) < 0.03
        assert first_two[["rank_low", "rank_high"]].values.tolist() == [[1, 2], [1, 2]]
        assert out.set_index("la_name").loc["C", "rank_low"] == 3

    def test_a_close_pair_matches_the_normal_calculation(self):
        # A = 0.0, B = -0.1, both se 0.1; C far below. P(A ahead of B) = Phi(0.1 / (0.1 sqrt 2)) = Phi(0.7071) = 0.7602
        out = uncertainty.rank_simulation(_intervals([0.0, -0.1, -5.0], [0.1, 0.1, 0.1]), draws=20_000, seed=5)
        a = out.set_index("la_name").loc["A"]
        assert a["p_first"] == pytest.approx(0.7602, abs=0.015) and a["p_ahead_of_next"] == pytest.approx(0.7602, abs=0.015)
        assert uncertainty_findings.place_summary(out, "A")["holds"] == "does not hold"  # plausible ranks 1 to 2

    def test_ties_share_the_best_rank(self):
        out = uncertainty.rank_simulation(_intervals([0.3, 0.1, 0.1, -0.2], [0.01] * 4), draws=500)
        assert out["rank"].tolist() == [1, 2, 2, 4]

    def test_seeded_and_reproducible(self):
        t = _intervals([0.1, 0.05, 0.0], [0.05, 0.05, 0.05])
        a = uncertainty.rank_simulation(t, seed=7)
        assert a.equals(uncertainty.rank_simulation(t, seed=7))


class TestFlags:
    def test_against_england(self):
        # -0.18 vs -0.40: difference 0.22, half-width 1.96 x hypot(0.02, 0.001) = 0.0392 -> above
        assert uncertainty.flag(-0.18, 0.02, -0.40, 0.001) == "above"
        assert uncertainty.flag(-0.39, 0.02, -0.40, 0.001) == "not distinguishable"

    def test_leave_one_out_average(self):
        t = _intervals([0.0, 0.3, 0.6], [0.01, 0.01, 0.01])
        england = pd.DataFrame({"pupil_group": ["disadvantaged"], "value": [-0.1], "se": [0.0]})
        out = uncertainty.la_flags(t.assign(low=t["value"] - 0.02, high=t["value"] + 0.02), england).set_index("la_name")
        # each LA against the mean of the other two (equal pupils): A vs 0.45, B vs 0.3, C vs 0.15
        assert out["others_average"].round(3).tolist() == [0.45, 0.3, 0.15]
        assert out["vs_others"].tolist() == ["below", "not distinguishable", "above"]
        assert set(out["vs_england"]) == {"above"}


    def test_leave_one_out_equals_the_average_of_the_others(self):
        # the vectorised leave-one-out must give what average_interval gives over the other rows (another route)
        t = _intervals([0.1, -0.2, 0.4, 0.0], [0.05, 0.02, 0.08, 0.03]).assign(pupils=[50.0, 400.0, 20.0, 150.0])
        t = t.assign(low=t["value"] - 0.1, high=t["value"] + 0.1)
        england = pd.DataFrame({"pupil_group": ["disadvantaged"], "value": [0.0], "se": [0.001]})
        out = uncertainty.la_flags(t, england)
        for i in range(len(t)):
            others = uncertainty.average_interval(t.drop(index=i))
            assert out["others_average"].iloc[i] == pytest.approx(others["value"])
            assert out["vs_others"].iloc[i] == uncertainty.flag(t["value"].iloc[i], t["se"].iloc[i], others["value"],
                                                                others["se"])


class TestFindings:
    def _group(self):
        return pd.DataFrame({"la_code": ["A", "B", "C"], "la_name": ["Aton", "Bury", "Cove"],
                             "group_key": "g", "group_label": "Group G", "is_chosen": [True, False, False]})

    def test_a_secure_first_place_holds(self):
        t = _intervals([0.5, 0.0, -0.5], [0.01] * 3, names=["A", "B", "C"])
        t["la_name"] = ["Aton", "Bury", "Cove"]
        sim = uncertainty.rank_simulation(t, draws=1000)
        gap = uncertainty.rank_simulation(t.assign(pupil_group="gap"), "gap", draws=1000, higher_is_better=False)
        flags = pd.DataFrame({"la_code": ["A"], "value": [0.5], "low": [0.48], "high": [0.52], "vs_others": ["above"],
                              "others_average": [-0.25]})
        average = pd.DataFrame({"pupil_group": ["disadvantaged"], "value": [0.0], "low": [-0.01], "high": [0.01]})
        rows = uncertainty_findings.findings(sim, gap, flags, average, self._group(), la="A").set_index("finding_id")
        assert rows.loc["plausible_ranks_disadvantaged_p8", "value"] == "1 to 1 of 3"
        assert rows.loc["first_place_holds_disadvantaged_p8", "value"] == "holds"
        assert rows.loc["share_first_disadvantaged_p8", "value"] == 100
        # smallest gap first: A has the largest "gap" here, so it is third and no first-place finding is recorded
        assert rows.loc["plausible_ranks_gap", "value"] == "3 to 3 of 3" and "first_place_holds_gap" not in rows.index
        assert rows.loc["la_vs_other_las_disadvantaged_p8", "value"] == "above"
        assert rows["key"].eq("g:A").all()


class TestNearTies:
    def test_ties_and_unsettled_neighbours(self):
        sim = pd.DataFrame({"la_name": ["A", "B", "C", "D"], "value": [0.5, 0.4, 0.4, 0.0], "rank": [1, 2, 2, 4],
                            "p_ahead_of_next": [0.99, 0.5, 1.0, np.nan]})
        assert uncertainty.near_ties(sim)[["ahead", "behind", "kind"]].values.tolist() == [
            ["B", "C", "tie (equal published values)"]]


class TestSchools:
    def _results(self):
        # three schools of year 2017; S3 from a trimmed file (no P8 pupils, KS4 pupils 100)
        return pd.DataFrame({
            "level": "school", "year": 2017, "urn": ["S1", "S2", "S3"], "school_name": ["One", "Two", "Three"],
            "la_code": ["330", "330", "999"], "sector": "state-funded mainstream",
            "p8_all": [0.5, 0.0, -0.4], "p8_pupils_all": [144.0, 100.0, np.nan], "ks4_pupils": [150.0, 110.0, 100.0],
            "p8_ci_low_all": [0.3, -0.2, -0.6], "p8_ci_high_all": [0.7, 0.2, -0.2]})

    def test_points_funnel_bands_and_fallback_pupils(self):
        national = pd.DataFrame({"year": [2017], "pupil_group": ["all"], "p8": [0.0]})
        out = funnel.school_points(self._results(), year=2017, group="all", national=national, sd=1.2,
                                   highlight=pd.Series(["S1", "S2"])).set_index("urn")
        # S1: z = 0.5 / (1.2/12) = 5 -> above 99.8%; S2: 0 -> within; S3: n = 100 KS4 pupils, z = -0.4/0.12 = -3.33
        assert out["outside"].tolist() == ["above 99.8%", "within", "below 99.8%"]
        assert out.loc["S3", "pupils"] == 100 and out.loc["S3", "pupils_source"].startswith("KS4 pupils")
        assert out["dfe_band"].tolist() == ["well above average", "average", "below average"]
        assert out["highlight"].tolist() == [True, True, False]
        assert out.attrs["national"] == 0.0 and out.attrs["sd"] == 1.2

    def test_no_national_value_no_points(self):
        national = pd.DataFrame({"year": [2016], "pupil_group": ["all"], "p8": [0.0]})
        assert funnel.school_points(self._results(), year=2017, group="all", national=national, sd=1.2,
                                    highlight=pd.Series(["S1"])).empty

    def test_interval_gives_the_standard_error(self):
        chart = pd.DataFrame({"urn": ["S1"], "school_name": ["One"], "p8": [0.5], "p8_ci_low": [0.304],
                              "p8_ci_high": [0.696]})
        # half-width 0.196 -> se 0.1, with rounding sqrt(0.01 + 0.0029^2) = 0.100042
        assert funnel.school_intervals(chart)["se"].iloc[0] == pytest.approx(0.100042, abs=1e-6)

    def test_benchmark_flags_and_near_ties(self):
        beating = pd.DataFrame({"urn": ["S1", "S2"], "school_name": ["One", "Two"],
                                "p8_disadvantaged_2017": [0.50, 0.12], "benchmark_2017": [0.11, 0.11],
                                "p8_disadvantaged_2016": [0.40, 0.30], "benchmark_2016": [0.10, 0.10]})
        panel = pd.DataFrame({"urn": ["S1", "S1", "S2", "S2"], "year": [2017, 2016, 2017, 2016],
                              "pupil_group": "disadvantaged", "p8_ci_low": [0.2, 0.05, -0.1, 0.0],
                              "p8_ci_high": [0.8, 0.75, 0.34, 0.6]})
        out = funnel.benchmark_flags(beating, panel, year=2017).set_index(["school_name", "year"])["verdict"]
        assert out[("One", 2017)] == "beats it (interval above)"  # low 0.2 > 0.11
        assert out[("One", 2016)] == "above, within its interval"  # low 0.05 < 0.10
        assert out[("Two", 2017)] == "near-tie: above, within its interval"  # margin 0.01


class TestFunnelAndBands:
    def test_limits_narrow_as_cohorts_grow(self):
        limits = funnel.funnel_limits(0.0, 1.0, 400, n_min=25, points=2)
        # n 25: ± 1.96/5 = 0.392 and ± 3.09/5 = 0.618; n 400: ± 1.96/20 = 0.098
        assert limits["high_95"].round(3).tolist() == [0.392, 0.098] and limits["high_998"].iloc[0] == pytest.approx(0.618)

    def test_quintiles_against_a_national_reference(self):
        reference = pd.Series(np.arange(1.0, 101.0))  # cuts at the 20th..80th percentiles: 20.8, 40.6, 60.4, 80.2
        assert funnel.quintile(pd.Series([10.0, 50.0, 99.0]), reference).tolist() == [
            "bottom 20%", "middle 20%", "top 20%"]

    def test_band_comparison_counts_every_school_once(self):
        table = funnel.band_comparison(pd.Series(["average", "average", "well above average"]),
                                       pd.Series(["middle 20%", "top 20%", "top 20%"]))
        assert table["all schools"].sum() == 3 and table.loc["well above average", "top 20%"] == 1
