"""Unit tests for analysis.months: hand-worked ranks and gaps, presets, and the synthetic cohort."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.methods import months
from analysis.errors import ParameterError
from analysis.data import pupils as pupil_tables


class TestPercentileRanks:
    def test_no_ties(self):
        # ranks 1..4 -> (rank - 0.5) / 4
        assert months.percentile_ranks(np.array([40., 10, 30, 20]), np.zeros(4)).tolist() == [0.875, 0.125, 0.625, 0.375]

    def test_ties_share_mean_rank(self):
        # 10, 20, 20, 40 -> ranks 1, 2.5, 2.5, 4 -> 0.125, 0.5, 0.5, 0.875
        assert months.percentile_ranks(np.array([10., 20, 20, 40]), np.zeros(4)).tolist() == [0.125, 0.5, 0.5, 0.875]

    def test_ranked_within_year_and_nan_unranked(self):
        # year 1: 5, 1 -> ranks 2, 1 -> 0.75, 0.25; year 2: one pupil -> 0.5; NaN stays NaN
        out = months.percentile_ranks(np.array([5., 1, 7, np.nan]), np.array([1, 1, 2, 2]))
        assert out[:3].tolist() == [0.75, 0.25, 0.5] and math.isnan(out[3])


class TestRankGapToSd:
    def test_equal_ranks_zero(self):
        assert float(months.rank_gap_to_sd(0.4, 0.4)) == 0.0

    def test_hand_value(self):
        # sqrt(2) * (Phi^-1(0.5) - Phi^-1(0.25)) = 1.41421 * 0.67449 = 0.95387
        assert float(months.rank_gap_to_sd(0.25, 0.5)) == pytest.approx(0.95387, abs=1e-5)

    def test_normal_theory(self):
        # a group 0.5 SD behind a N(0,1) population has mean rank Phi(-0.5/sqrt(2)); the formula inverts it
        r = 0.5 * (1 + math.erf(-0.5 / math.sqrt(2) / math.sqrt(2)))
        assert float(months.rank_gap_to_sd(r, 0.5)) == pytest.approx(0.5, abs=1e-9)


class TestPresets:
    def test_calibration_by_hand(self):
        # p = 143088/512053 = 0.27944; r_dis = 0.5 - 0.72056*0.189 = 0.36381; r_other = 0.5 + 0.27944*0.189 = 0.55281
        # gap_sd = 1.41421 * (0.13283 + 0.34827) = 0.68038; 19.3 / 0.68038 = 28.37
        assert months.PRESETS["epi_gcse_2016"].months_per_sd == pytest.approx(28.37, abs=0.01)
        table = months.calibration_table().set_index("step")["value"]
        assert table["months per SD"] == pytest.approx(months.PRESETS["epi_gcse_2016"].months_per_sd)

    def test_generic(self):
        assert months.resolve_months_per_sd("generic_one_year_per_sd").months_per_sd == 12.0

    @pytest.mark.parametrize("bad", ["nope", 0, -3, float("inf")])
    def test_bad_values(self, bad):
        with pytest.raises(ParameterError, match="months_per_sd"):
            months.resolve_months_per_sd(bad)

    def test_bad_share(self):
        with pytest.raises(ParameterError, match="disadvantaged_share"):
            months.calibrate_months_per_sd(19.3, 3.78, 1.5)


def _four():
    return pd.DataFrame({"year": 2016, "area": ["A", "A", "B", "B"], "score": [1., 2, 3, 4],
                         "disadvantaged": [True, False, False, False], "fsm_share": [1.0, 0, 0, 0]})


class TestRankGaps:
    def test_hand_example(self):
        # ranks .125 .375 .625 .875; national non-dis mean (.375+.625+.875)/3 = .625
        # disadvantaged (persistently: fsm 1.0) pupil in A: gap 50 points; sqrt(2)*(0.31864+1.15035) = 2.07746 SD
        out = months.rank_gaps(_four(), months_per_sd=10, include_national=False).set_index(["area", "group"])
        row = out.loc[("A", "persistently_disadvantaged")]
        assert row["gap_rank"] == pytest.approx(50.0)
        assert row["gap_sd"] == pytest.approx(2.07746, abs=1e-4)
        assert row["gap_months"] == pytest.approx(20.7746, abs=1e-3)

    def test_elsewhere_comparison(self):
        # non-dis in A: rank .375; non-dis outside A (B): (.625+.875)/2 = .75 -> gap 37.5 points
        out = months.rank_gaps(_four(), months_per_sd=10, comparison="non_disadvantaged_elsewhere",
                               include_national=False).set_index(["area", "group"])
        assert out.loc[("A", "non_disadvantaged"), "gap_rank"] == pytest.approx(37.5)

    def test_empty_group_is_nan_not_error(self):
        out = months.rank_gaps(_four(), months_per_sd=10).set_index(["area", "group"])
        assert out.loc[("B", "disadvantaged"), "n_pupils"] == 0
        assert math.isnan(out.loc[("B", "disadvantaged"), "gap_sd"])

    def test_national_rows(self):
        out = months.rank_gaps(_four(), months_per_sd=10).set_index(["area", "group"])
        # England non-dis vs itself = 0
        assert out.loc[("England", "non_disadvantaged"), "gap_sd"] == pytest.approx(0.0)

    def test_missing_column(self):
        with pytest.raises(ParameterError, match="fsm_share"):
            months.rank_gaps(_four().drop(columns="fsm_share"), months_per_sd=10)

    def test_bad_comparison(self):
        with pytest.raises(ParameterError, match="comparison"):
            months.rank_gaps(_four(), months_per_sd=10, comparison="everyone")

    def test_input_not_mutated(self):
        frame = _four()
        before = frame.copy()
        months.rank_gaps(frame, months_per_sd=10)
        pd.testing.assert_frame_equal(frame, before)


class TestSyntheticCohort:
    def test_recovers_known_gap(self):
        design = pupil_tables.SyntheticDesign()
        pupils = pupil_tables.synthetic_pupils(400_000, years=(2015, 2016), seed=7, areas=("oa_1",), design=design)
        truth = pupil_tables.synthetic_true_gaps(design).set_index(["group", "comparison"])["true_gap_sd"]
        got = pd.concat([
            months.rank_gaps(pupils, months_per_sd=12),
            months.rank_gaps(pupils, months_per_sd=12, comparison="non_disadvantaged_elsewhere"),
        ]).query("area == 'oa_1'").groupby(["group", "comparison"])["gap_sd"].mean()
        for key, true in truth.items():
            # documented mixture bias of the sqrt(2) formula (~3%) plus sampling noise
            assert got[key] == pytest.approx(true, abs=max(0.04, 0.05 * true)), key

    def test_near_exact_when_population_is_normal(self):
        # tiny groups: the population is ~N(0,1), so the formula is exact up to noise
        design = pupil_tables.SyntheticDesign(disadvantaged_share=0.02, area_share=0.02, area_gap=0.0)
        pupils = pupil_tables.synthetic_pupils(1_000_000, seed=3, areas=("oa_1",), design=design)
        out = months.rank_gaps(pupils, months_per_sd=12).set_index(["area", "group"])
        # England persistently disadvantaged: 1.0 behind non-dis (mean 0)
        assert out.loc[("England", "persistently_disadvantaged"), "gap_sd"] == pytest.approx(1.0, abs=0.03)

    def test_seeded(self):
        pd.testing.assert_frame_equal(pupil_tables.synthetic_pupils(1000, seed=5), pupil_tables.synthetic_pupils(1000, seed=5))


class TestReadPupils:
    def test_csv_roundtrip(self, tmp_path):
        path = tmp_path / "p.csv"
        _four().to_csv(path, index=False)
        assert len(pupil_tables.read_pupils(path)) == 4

    def test_missing_file(self, tmp_path):
        with pytest.raises(ParameterError, match="pupil_file"):
            pupil_tables.read_pupils(tmp_path / "none.csv")

    def test_the_file_is_recorded_as_a_dependency_of_the_notebook(self, tmp_path):
        from analysis.data import dependencies

        path = tmp_path / "my_pupils.csv"
        pd.DataFrame({"year": [2016], "area": ["A"], "score": [1.0], "disadvantaged": [True],
                      "fsm_share": [1.0]}).to_csv(path, index=False)
        pupil_tables.read_pupils(path)
        assert str(path) in dependencies.snapshot()["files"]
