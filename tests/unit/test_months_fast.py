"""The packed-key ranking behind months.rank_gaps: exact ranks in the cases a 64-bit key could get wrong, checked
against hand-worked values and against the plain pandas route (groupby().rank(), boolean masks, groupby().mean())."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.methods import months

NEXT = np.nextafter(1.0, 2.0)  # the float64 just above 1.0: the same leading bits in any packed key


def pandas_ranks(scores, years):
    frame = pd.DataFrame({"s": scores, "y": years})
    by_year = frame.groupby("y")["s"]
    return ((by_year.rank(method="average") - 0.5) / by_year.transform("count")).to_numpy()


class TestExactRanks:
    def test_scores_one_ulp_apart_are_not_tied(self):
        # 1.0+ulp, 1.0, 1.0+ulp -> 1.0 ranks 1, the two 1.0+ulp share 2.5 -> (0.5, 2, 2) / 3
        out = months.percentile_ranks(np.array([NEXT, 1.0, NEXT]), np.zeros(3))
        assert out.tolist() == [2 / 3, 1 / 6, 2 / 3]

    def test_signed_zeros_tie_and_infinities_rank_at_the_ends(self):
        # -inf 1; -0.0 and 0.0 share 2.5; 3 is 4; inf 5 -> (0.5, 2, 2, 3.5, 4.5) / 5
        out = months.percentile_ranks(np.array([0.0, np.inf, -0.0, 3.0, -np.inf]), np.zeros(5))
        assert out.tolist() == [0.4, 0.9, 0.4, 0.7, 0.1]

    def test_equal_scores_in_two_years_are_separate_ties(self):
        # sorted by year then score, the 5s of 2016 sit next to the 5s of 2017, but tie only within their year:
        # 2016: 3 ranks 1, 5 and 5 share 2.5 -> (0.5, 2, 2) / 3; 2017: 5 and 5 share 1.5, 7 ranks 3 -> (1, 1, 2.5) / 3
        out = months.percentile_ranks(np.array([5., 3, 5, 7, 5, 5]), np.array([2016, 2016, 2016, 2017, 2017, 2017]))
        assert out.tolist() == [2 / 3, 1 / 6, 2 / 3, 2.5 / 3, 1 / 3, 1 / 3]

    def test_no_score_or_no_year_is_not_ranked(self):
        # ranked: 2.0 and 4.0 in 2016 -> 0.25, 0.75
        out = months.percentile_ranks(np.array([4.0, np.nan, 2.0, 3.0]), np.array([2016, 2016, 2016, np.nan]))
        assert out[[0, 2]].tolist() == [0.75, 0.25] and np.isnan(out[[1, 3]]).all()

    def test_nothing_to_rank(self):
        assert np.isnan(months.percentile_ranks(np.array([np.nan, np.nan]), np.array([1, 1]))).all()
        assert months.percentile_ranks(np.array([]), np.array([])).size == 0

    @pytest.mark.parametrize("grouped", [False, True], ids=["years mixed", "years grouped"])
    @pytest.mark.parametrize("kind", ["normal", "integers", "ulps", "halves"])
    def test_same_as_pandas(self, kind, grouped):
        rng = np.random.default_rng(11)
        n = 20_000
        scores = {"normal": rng.standard_normal(n), "integers": rng.integers(-3, 4, n).astype(float),
                  # thousands of distinct scores within a few ulps of each other: the re-sort of equal keys
                  "ulps": 1.0 + rng.integers(0, 3000, n) * np.spacing(1.0),
                  "halves": rng.integers(0, 181, n) / 2}[kind]
        scores[rng.random(n) < 0.05] = np.nan
        years = rng.choice([2014, 2015, 2016, 2019], n)
        if grouped:  # rows already in year order (the usual file layout): no sort by year first
            years = np.sort(years)
        out, want = months.percentile_ranks(scores, years), pandas_ranks(scores, years)
        assert np.array_equal(np.isnan(out), np.isnan(want))
        assert np.allclose(out[~np.isnan(out)], want[~np.isnan(want)], rtol=0, atol=1e-12)


def naive_gaps(pupils, comparison):
    """The plain pandas route (benchmarks/months_6m.py's baseline), with the 'elsewhere' comparison too."""
    df = pupils.copy()
    by_year = df.groupby("year")["score"]
    df["pct"] = (by_year.rank(method="average") - 0.5) / by_year.transform("count")
    df = df[df["pct"].notna()]
    nd = df[~df["disadvantaged"]]
    rows = []
    for group, mask in (("disadvantaged", df["disadvantaged"]), ("non_disadvantaged", ~df["disadvantaged"]),
                        ("persistently_disadvantaged", df["fsm_share"] >= months.PERSISTENT_THRESHOLD)):
        for (year, area), pct in df[mask].groupby(["year", "area"])["pct"]:
            others = nd[(nd["year"] == year) & ((nd["area"] != area) if comparison == "non_disadvantaged_elsewhere"
                                                else True)]
            rows.append((year, area, group, len(pct), pct.mean(), others["pct"].mean()))
    return pd.DataFrame(rows, columns=["year", "area", "group", "n_pupils", "mean_rank", "comparison_mean_rank"])


class TestRankGapsAgainstPandas:
    @pytest.mark.parametrize("comparison", months.COMPARISONS)
    def test_every_cell(self, comparison):
        rng = np.random.default_rng(5)
        n = 5_000
        pupils = pd.DataFrame({"year": rng.choice([2016, 2017], n), "area": rng.choice(["a", "b", "c"], n),
                               "score": np.round(rng.standard_normal(n), 1), "disadvantaged": rng.random(n) < 0.3,
                               "fsm_share": rng.choice([0.0, 0.5, 1.0], n)})
        pupils.loc[rng.random(n) < 0.05, "score"] = np.nan
        got = months.rank_gaps(pupils, months_per_sd=12, comparison=comparison, include_national=False)
        both = got.merge(naive_gaps(pupils, comparison), on=["year", "area", "group"], suffixes=("", "_naive"))
        assert len(both) == len(got) == 18
        assert (both["n_pupils"] == both["n_pupils_naive"]).all()
        for col in ("mean_rank", "comparison_mean_rank"):
            assert np.allclose(both[col], both[f"{col}_naive"], rtol=0, atol=1e-12)

    def test_one_year_at_a_time_gives_the_same_rows(self):
        # ranks are within year, so each year's cohort alone gives exactly that year's rows (out of core)
        rng = np.random.default_rng(8)
        n = 3_000
        pupils = pd.DataFrame({"year": rng.choice([2015, 2016, 2017], n), "area": rng.choice(["a", "b"], n),
                               "score": rng.standard_normal(n), "disadvantaged": rng.random(n) < 0.3,
                               "fsm_share": rng.choice([0.0, 1.0], n)})
        whole = months.rank_gaps(pupils, months_per_sd=12)
        by_year = pd.concat([months.rank_gaps(part, months_per_sd=12) for _, part in pupils.groupby("year")],
                            ignore_index=True)
        pd.testing.assert_frame_equal(whole, by_year, check_exact=False, rtol=0, atol=1e-12)


class TestPupilsWithoutArea:
    def test_counted_in_england_not_in_an_area(self):
        # scores 1..4 -> ranks .125 .375 .625 .875; the pupil ranked .375 has no area
        pupils = pd.DataFrame({"year": 2016, "area": ["A", None, "B", "B"], "score": [1., 2, 3, 4],
                               "disadvantaged": [True, False, False, False], "fsm_share": [1.0, 0, 0, 0]})
        out = months.rank_gaps(pupils, months_per_sd=10).set_index(["area", "group"])
        assert set(out.index.get_level_values("area")) == {"A", "B", "England"}
        assert out.loc[("A", "non_disadvantaged"), "n_pupils"] == 0
        # England's non-disadvantaged: (.375 + .625 + .875) / 3 = .625, the unplaced pupil included
        assert out.loc[("England", "non_disadvantaged"), "n_pupils"] == 3
        assert out.loc[("England", "non_disadvantaged"), "mean_rank"] == pytest.approx(0.625)
        elsewhere = months.rank_gaps(pupils, months_per_sd=10, comparison="non_disadvantaged_elsewhere")
        # outside B: the unplaced pupil only (.375)
        b = elsewhere.set_index(["area", "group"]).loc[("B", "non_disadvantaged")]
        assert (b["comparison_n"], b["comparison_mean_rank"]) == (1, pytest.approx(0.375))

    def test_pupils_without_a_year_are_left_out(self):
        pupils = pd.DataFrame({"year": [2016, 2016, None], "area": "A", "score": [1., 2, 3],
                               "disadvantaged": [True, False, False], "fsm_share": 0.0})
        out = months.rank_gaps(pupils, months_per_sd=10).set_index(["area", "group"])
        assert out.loc[("England", "non_disadvantaged"), "n_pupils"] == 1
        assert out.loc[("A", "disadvantaged"), "mean_rank"] == 0.25
        assert math.isnan(out.loc[("A", "persistently_disadvantaged"), "mean_rank"])


class TestByCohort:
    def test_one_call_per_year_is_one_call_on_all_years(self):
        # every figure stays within a year, so two cohorts run apart give the rows of one call on both
        from analysis.data.pupils import synthetic_pupils

        cohorts = [synthetic_pupils(3000, years=(y,), seed=y) for y in (2015, 2016, 2017)]
        apart = months.rank_gaps_by_cohort(iter(cohorts), months_per_sd=17.0, comparison="non_disadvantaged_elsewhere")
        whole = months.rank_gaps(pd.concat(cohorts, ignore_index=True), months_per_sd=17.0,
                                 comparison="non_disadvantaged_elsewhere")
        pd.testing.assert_frame_equal(apart, whole, check_exact=False, rtol=0, atol=1e-12)

    def test_no_cohorts(self):
        with pytest.raises(months.ParameterError, match="cohorts"):
            months.rank_gaps_by_cohort(iter([]), months_per_sd=17.0)
