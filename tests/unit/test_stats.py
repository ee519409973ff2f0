"""Shared statistics: weighted means, bands, the pupil-level P8 SD and interval half-widths."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ParameterError
from analysis.methods import stats


class TestWeightedMean:
    def test_hand_value_ignores_missing_and_zero_weights(self):
        # (0.5*100 + -0.1*300) / 400 = (50 - 30) / 400 = 0.05; NaN value and weight 0 rows ignored
        assert stats.weighted_mean([0.5, -0.1, np.nan, 9.0], [100, 300, 50, 0]) == pytest.approx(0.05)

    def test_nothing_to_weigh_is_nan(self):
        assert math.isnan(stats.weighted_mean([1.0], [0]))
        assert math.isnan(stats.weighted_mean([], []))


class TestWeightedMeans:
    def test_per_group_with_counts(self):
        f = pd.DataFrame({"g": ["a", "a", "b", "b"], "v": [1.0, 3.0, 2.0, np.nan], "w": [1, 3, 5, 5]})
        out = stats.weighted_means(f, "v", "w", ["g"]).set_index("g")
        # a: (1*1 + 3*3) / 4 = 2.5; b: only the first row counts: 2.0
        assert out.loc["a", "mean"] == pytest.approx(2.5) and out.loc["b", "mean"] == pytest.approx(2.0)
        assert out["n_used"].tolist() == [2, 1] and out["n_without"].tolist() == [0, 1]
        assert out["weight"].tolist() == [4.0, 5.0]


class TestBands:
    def test_equal_count_sizes_differ_by_at_most_one(self):
        # N=10, n=3: band = floor(r*3/10)+1 -> sizes 4, 3, 3
        out = stats.bands(pd.Series(np.arange(10.0)), 3)
        assert out.tolist() == [1, 1, 1, 1, 2, 2, 2, 3, 3, 3]

    def test_quantile_keeps_ties_together(self):
        # median of [1,2,2,2,3,4] is 2: bands [1, 2] and (2, 4], so the three 2s stay together (sizes 4 and 2,
        # where equal-count bands would be 3 and 3)
        out = stats.bands(pd.Series([1.0, 2.0, 2.0, 2.0, 3.0, 4.0]), 2, method="quantile")
        assert out.tolist() == [1, 1, 1, 1, 2, 2]

    def test_fixed_width(self):
        # range 0-10 in 2 widths: [0, 5] and (5, 10]
        assert stats.bands(pd.Series([0.0, 5.0, 5.1, 10.0]), 2, method="fixed").tolist() == [1, 1, 2, 2]

    def test_missing_value_gets_no_band_and_bad_method_is_named(self):
        assert stats.bands(pd.Series([1.0, np.nan, 2.0]), 2).isna().tolist() == [False, True, False]
        with pytest.raises(ParameterError, match="banding"):
            stats.bands(pd.Series([1.0]), 1, method="odd")


class TestP8Sd:
    def test_least_squares_through_the_origin(self):
        # half-widths 0.25 at n=100 (1/sqrt n = 0.1) and 0.5 at n=25 (0.2): both on h = 2.5 / sqrt(n),
        # so k = 2.5 and sigma = 2.5 / 1.96 = 1.2755
        res = pd.DataFrame({"year": [2017, 2017], "level": ["school", "school"], "p8_all": [0.1, 0.0],
                            "p8_pupils_all": [100.0, 25.0], "p8_ci_low_all": [-0.15, -0.5],
                            "p8_ci_high_all": [0.35, 0.5]})
        out = stats.p8_sd(res)
        assert out["sd"].item() == pytest.approx(2.5 / 1.96, abs=5e-4)
        assert out["n_intervals"].item() == 2 and out["max_abs_error"].item() <= 0.01

    def test_no_intervals_is_said(self):
        res = pd.DataFrame({"year": [2017], "level": ["school"], "p8_all": [0.1], "p8_pupils_all": [10.0],
                            "p8_ci_low_all": [np.nan], "p8_ci_high_all": [np.nan]})
        out = stats.p8_sd(res)
        assert math.isnan(out["sd"].item()) and out["method"].item() == "no confidence intervals in the data"


class TestCiHalfWidth:
    def test_hand_value(self):
        assert stats.ci_half_width(1.25, 49.0) == pytest.approx(1.96 * 1.25 / 7)
