"""Unit tests for analysis.codebreakers and the KS4 5ACEM loader, on hand-made tables worked out by hand."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis.methods import codebreakers as cb
from analysis.methods import half_gap as hg
from analysis.methods import beyond_prediction as bp
from analysis import paths
from analysis.errors import DataFormatError
from analysis.data.ks4_5acem import read_ks4_5acem
from analysis.errors import ParameterError
from analysis.present import charts

NAN = np.nan


def schools_table() -> pd.DataFrame:
    """Eight school rows. H repeats A exactly (the real file repeats 174 schools).

    school region  all: n @ %    disadv: n @ %        other: n @ %   note
    A      London  100 @ 68      20 @ 60              80 @ 70
    B      North   100 @ 42      40 @ 30              60 @ 50
    C      North   100 @ 61      10 @ 70              90 @ 60
    D      London   50 @ 62       5 @ 80              45 @ 60        small disadvantaged cohort
    E      South    50 @ 80       0 @ blank           50 @ 80        zero disadvantaged cohort
    F      South   blank          blank               blank          no results at all
    G      South    50 @ 40       3 @ blank (SUPP)    47 @ 40        suppressed disadvantaged rate
    H      = A (repeated row)
    """
    rows = [
        ("100001", "London", 100, 68, 20, 60, 80, 70),
        ("100002", "North", 100, 42, 40, 30, 60, 50),
        ("100003", "North", 100, 61, 10, 70, 90, 60),
        ("100004", "London", 50, 62, 5, 80, 45, 60),
        ("100005", "South", 50, 80, 0, NAN, 50, 80),
        ("100006", "South", NAN, NAN, NAN, NAN, NAN, NAN),
        ("100007", "South", 50, 40, 3, NAN, 47, 40),
        ("100001", "London", 100, 68, 20, 60, 80, 70),
    ]
    frame = pd.DataFrame(
        rows,
        columns=["urn", "region", "pupils", "pct_5acem_all", "pupils_disadvantaged", "pct_5acem_disadvantaged",
                 "pupils_other", "pct_5acem_other"],
    )
    frame["level"] = "school"
    frame["row_in_file"] = range(len(frame))
    frame["pupils_low_prior"] = 10.0
    frame["pct_5acem_low_prior"] = 10.0
    return frame


class TestSchoolRows:
    def test_drops_only_the_exact_repeat(self):
        out = cb.school_rows(schools_table())
        assert out["urn"].tolist() == ["100001", "100002", "100003", "100004", "100005", "100006", "100007"]

    def test_keeps_same_urn_with_different_values(self):
        t = schools_table()
        t.loc[7, "pupils"] = 101  # no longer an exact copy: not silently dropped
        assert len(cb.school_rows(t)) == 8

    def test_ignores_la_rows(self):
        t = schools_table()
        t.loc[5, "level"] = "la"
        assert "100006" not in cb.school_rows(t)["urn"].tolist()


class TestUsabilityAndExclusions:
    def test_reasons_for_disadvantaged(self):
        reasons = cb.usability(cb.school_rows(schools_table()), "disadvantaged").tolist()
        assert reasons == ["used", "used", "used", "used", "zero cohort", "cohort blank (no results)",
                           "rate blank (suppressed)"]

    def test_exclusion_counts(self):
        ex = cb.exclusions(schools_table()).query("pupil_group == 'disadvantaged'").set_index("reason")
        # used: A, B, C, D -> 20 + 40 + 10 + 5 = 75 pupils; repeated: H (20 pupils)
        assert ex.loc["used", "schools"] == 4 and ex.loc["used", "pupils"] == 75
        assert ex.loc["repeated row (duplicate of an earlier row)", "schools"] == 1
        assert ex.loc["zero cohort", "schools"] == 1
        assert ex.loc["cohort blank (no results)", "schools"] == 1
        assert ex.loc["rate blank (suppressed)", "pupils"] == 3
        # every school row is counted exactly once per group
        assert ex["schools"].sum() == 8

    def test_bad_group(self):
        with pytest.raises(ParameterError, match="pupil group"):
            cb.usability(schools_table(), "boys")


class TestNationalRates:
    def test_pupil_weighted(self):
        nat = cb.national_rates(cb.school_rows(schools_table())).set_index("pupil_group")
        # all: achievers 68 + 42 + 61 + 31 (50 x 62%) + 40 (50 x 80%) + 20 (50 x 40%) = 262 over 450 pupils
        assert nat.loc["all", "pct_5acem"] == pytest.approx(262 / 450 * 100)
        assert nat.loc["all", "schools"] == 6  # F has no results
        # disadvantaged: 12 + 12 + 7 + 4 = 35 over 20 + 40 + 10 + 5 = 75 (E zero, G suppressed left out)
        assert nat.loc["disadvantaged", "pct_5acem"] == pytest.approx(35 / 75 * 100)
        assert nat.loc["disadvantaged", "pupils"] == 75
        # other: 56 + 30 + 54 + 27 + 40 + 18.8 = 225.8 over 80 + 60 + 90 + 45 + 50 + 47 = 372
        assert nat.loc["other", "pct_5acem"] == pytest.approx(225.8 / 372 * 100)
        assert nat.loc["disadvantaged", "pct_not_reaching"] == pytest.approx(100 - 35 / 75 * 100)

    def test_repeated_row_would_change_the_answer(self):
        # Without de-duplication A counts twice: (35 + 12) / (75 + 20) != 35 / 75
        with_repeat = cb.weighted_rate(schools_table(), "disadvantaged")
        assert with_repeat == pytest.approx(47 / 95 * 100)


class TestCodeBreakers:
    national = 262 / 450 * 100  # 58.22%

    def test_min_cohort_10(self):
        flagged = cb.code_breakers(cb.school_rows(schools_table()), self.national, min_cohort=10)
        # eligible: A (20), B (40), C (10); D has 5 pupils. A 60 > 58.2 and C 70 > 58.2; B 30 is not.
        assert flagged["urn"].tolist() == ["100003", "100001", "100002"]  # by rate, highest first
        s = cb.code_breaker_summary(flagged).iloc[0]
        assert (s["eligible_schools"], s["code_breakers"]) == (3, 2)
        assert s["share_pct"] == pytest.approx(200 / 3)  # 2 of 3
        assert s["one_in_n"] == pytest.approx(1.5)  # 3 / 2
        assert s["outside_london_share_pct"] == pytest.approx(50.0)  # C (North) of A, C

    def test_min_cohort_1_admits_small_school(self):
        s = cb.code_breaker_summary(cb.code_breakers(cb.school_rows(schools_table()), self.national, min_cohort=1))
        # A, C, D (80%) of A, B, C, D; outside London: C only -> 1 / 3
        assert (s["eligible_schools"].item(), s["code_breakers"].item()) == (4, 3)
        assert s["outside_london_share_pct"].item() == pytest.approx(100 / 3)

    def test_equal_rate_is_not_above(self):
        flagged = cb.code_breakers(cb.school_rows(schools_table()), 60.0, min_cohort=10)
        assert flagged.set_index("urn").loc["100001", "is_code_breaker"] == False  # noqa: E712 (60 is not > 60)

    def test_threshold_table(self):
        t = cb.threshold_sensitivity(cb.school_rows(schools_table()), self.national, [10, 1, 50])
        assert t["min_cohort"].tolist() == [1, 10, 50]
        assert t["code_breakers"].tolist() == [3, 2, 0]  # 50+: no eligible school
        assert np.isnan(t["one_in_n"].iloc[2])

    def test_by_region(self):
        flagged = cb.code_breakers(cb.school_rows(schools_table()), self.national, min_cohort=1)
        r = cb.by_region(flagged).set_index("region")
        assert r.loc["London", "code_breakers"] == 2 and r.loc["London", "share_pct"] == 100.0  # A, D of A, D
        assert r.loc["North", "code_breakers"] == 1 and r.loc["North", "share_pct"] == 50.0  # C of B, C

    @pytest.mark.parametrize("bad", [0, -5, 2.5, "10"])
    def test_bad_min_cohort(self, bad):
        with pytest.raises(ParameterError, match="min_cohort"):
            cb.code_breakers(schools_table(), 50.0, min_cohort=bad)


class TestLondonVsRest:
    def test_ratio(self):
        out = cb.london_vs_rest(cb.school_rows(schools_table())).set_index("area")
        # London: A, D -> (12 + 4) / 25 = 64%; rest: B, C -> (12 + 7) / 50 = 38% (E zero, G suppressed out)
        assert out.loc["London", "pct_5acem"] == pytest.approx(64.0)
        assert out.loc["Rest of England", "pct_5acem"] == pytest.approx(38.0)
        assert out.loc["London / rest", "pct_5acem"] == pytest.approx(64 / 38)


def gap_table() -> pd.DataFrame:
    """Six usable schools in two bands of % disadvantaged, plus a zero and a suppressed cohort.

    urn  %disadv  cohort  rate   band (median of 10..80 is 45)
    S1   10       10      80     1
    S2   20       20      50     1
    S3   30       10      20     1
    S4   60       30      60     2
    S5   70       10      40     2
    S6   80       20      30     2
    S7    0        0      blank  excluded (zero cohort)
    S8   90        3      blank  excluded (suppressed)
    """
    return pd.DataFrame(
        {
            "urn": ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"],
            "pct_disadvantaged": [10, 20, 30, 60, 70, 80, 0, 90],
            "pupils_disadvantaged": [10, 20, 10, 30, 10, 20, 0, 3],
            "pct_5acem_disadvantaged": [80, 50, 20, 60, 40, 30, NAN, NAN],
        }
    )


class TestHalfGap:
    def run(self, **kw):
        opts = {"group": "disadvantaged", "band_by": "pct_disadvantaged", "n_groups": 2, "banding": "quantile",
                "benchmark": "top20_weighted"} | kw
        return hg.half_gap(gap_table(), **opts)

    def test_top20_weighted(self):
        bands = self.run()
        # top 20% of 3 schools = ceil(0.6) = 1 school: band 1 benchmark S1 = 80, band 2 S4 = 60
        assert bands["benchmark_pct"].tolist() == [80.0, 60.0]
        # band 1: S2 0.5 x 30% x 20 = 3; S3 0.5 x 60% x 10 = 3 -> 6. band 2: S5 0.5 x 20% x 10 = 1; S6 0.5 x 30% x 20 = 3 -> 4
        assert bands["extra"].tolist() == pytest.approx([6.0, 4.0])
        assert bands["schools_below"].tolist() == [2, 2]
        # current achievers: band 1 8 + 10 + 2 = 20; band 2 18 + 4 + 6 = 28
        assert bands["current"].tolist() == pytest.approx([20.0, 28.0])
        total = hg.half_gap_total(bands).iloc[0]
        assert total["extra"] == pytest.approx(10.0)
        assert total["extra_pct"] == pytest.approx(10 / 48 * 100)  # 20.83%
        assert total["schools"] == 6  # S7 (zero cohort) and S8 (suppressed) left out

    def test_fixed_width_same_split_here(self):
        # range 10..80 in two widths of 35: edges 10, 45, 80 -> the same bands as the quantile split
        assert self.run(banding="fixed")["extra"].tolist() == pytest.approx([6.0, 4.0])

    def test_p80_school(self):
        bands = self.run(benchmark="p80_school")
        # band 1 rates sorted 20, 50, 80: position 0.8 x 2 = 1.6 -> 50 + 0.6 x 30 = 68
        assert bands["benchmark_pct"].iloc[0] == pytest.approx(68.0)
        # S2 0.5 x 18% x 20 = 1.8; S3 0.5 x 48% x 10 = 2.4 -> 4.2
        assert bands["extra"].iloc[0] == pytest.approx(4.2)

    def test_best(self):
        # best = highest rate: same as the top-20% of three schools here (80 and 60)
        assert self.run(benchmark="best")["benchmark_pct"].tolist() == [80.0, 60.0]

    def test_benchmark_min_cohort(self):
        bands = self.run(benchmark_min_cohort=15)
        # band 1: only S2 (20 pupils) may set the benchmark -> 50; S3 gains 0.5 x 30% x 10 = 1.5
        # band 2: S4 (30) and S6 (20) may; top 1 of 2 = S4 60 -> extra 4 as before
        assert bands["benchmark_pct"].tolist() == [50.0, 60.0]
        assert bands["extra"].tolist() == pytest.approx([1.5, 4.0])

    def test_band_with_no_benchmark_setter_gains_nothing(self):
        bands = self.run(benchmark_min_cohort=25)
        # band 1: cohorts 10, 20, 10, none reaches 25 -> no benchmark (NaN), no school below it, extra 0
        # band 2: only S4 (30) sets it -> 60; S5 0.5 x 20% x 10 = 1, S6 0.5 x 30% x 20 = 3 -> 4
        assert math.isnan(bands["benchmark_pct"].iloc[0]) and bands["benchmark_pct"].iloc[1] == 60.0
        assert bands["schools_below"].tolist() == [0, 2]
        assert bands["extra"].tolist() == pytest.approx([0.0, 4.0])
        # current % is unaffected: band 1 (80 x 10 + 50 x 20 + 20 x 10) / 40 = 50
        assert bands["current_pct"].iloc[0] == pytest.approx(50.0)

    def test_top20_of_several_is_pupil_weighted(self):
        # 40% of 5 schools = 2 schools: (90 x 10 + 80 x 30) / 40 = 82.5, not the plain mean 85
        r, c = pd.Series([30.0, 90, 50, 80, 40]), pd.Series([20, 10, 20, 30, 20])
        assert hg.group_benchmark(r, c, benchmark="top20_weighted", top_share=0.4) == pytest.approx(82.5)

    def test_sensitivity_marks_headline(self):
        table = hg.sensitivity(gap_table(), group="disadvantaged", band_by="pct_disadvantaged", n_groups=[1, 2],
                               bandings=["quantile"], benchmarks=["top20_weighted"],
                               headline={"n_groups": 2, "banding": "quantile", "benchmark": "top20_weighted"})
        assert table["headline"].tolist() == [False, True]
        # one band: benchmark = top ceil(1.2) = 2 schools S1 80 (10), S4 60 (30) -> (800 + 1800) / 40 = 65
        # gaps below 65: S2 15 x 20, S3 45 x 10, S4 5 x 30, S5 25 x 10, S6 35 x 20
        #   -> 0.5 x (300 + 450 + 150 + 250 + 700) / 100 = 9.25
        assert table["extra"].tolist() == pytest.approx([9.25, 10.0])

    def test_bad_parameters(self):
        with pytest.raises(ParameterError, match="banding"):
            self.run(banding="deciles")
        with pytest.raises(ParameterError, match="benchmark"):
            self.run(benchmark="top10")
        with pytest.raises(ParameterError, match="n_groups"):
            self.run(n_groups=0)
        with pytest.raises(ParameterError, match="band_by"):
            self.run(band_by="idaci")


class TestPrediction:
    def test_recovers_exact_linear_relation(self):
        # rate = 10 + 2 x ks2_aps + 0.5 x pct_disadvantaged exactly, so WLS returns those coefficients
        ks2 = [24.0, 25, 26, 27, 28, 29, 30, 25, 27, 29, 26, 28]
        pct = [10.0, 40, 20, 60, 30, 50, 20, 10, 40, 70, 50, 60]
        frame = pd.DataFrame({
            "urn": [f"{100000 + i}" for i in range(12)], "school_name": "s", "la_name": "l", "region": "r",
            "ks2_aps": ks2, "pct_disadvantaged": pct, "pupils_disadvantaged": [10 + 5 * i for i in range(12)],
        })
        frame["pct_5acem_disadvantaged"] = 10 + 2 * frame["ks2_aps"] + 0.5 * frame["pct_disadvantaged"]
        res = bp.fit_prediction_model(frame, min_cohort=10)
        assert res.params.tolist() == pytest.approx([10.0, 2.0, 0.5], abs=1e-8)

    def test_too_few_schools(self):
        frame = pd.DataFrame({"urn": ["1"], "ks2_aps": [27.0], "pct_disadvantaged": [20.0],
                              "pupils_disadvantaged": [30], "pct_5acem_disadvantaged": [40.0]})
        with pytest.raises(ParameterError, match="too few"):
            bp.fit_prediction_model(frame, min_cohort=10)

    def test_pearson_residual(self):
        data = pd.DataFrame({"urn": ["1", "2"], "school_name": ["a", "b"], "la_name": "l", "region": "r",
                             "pupils_disadvantaged": [25, 100], "ks2_aps": 27.0, "pct_disadvantaged": 30.0,
                             "pct_5acem_disadvantaged": [50.0, 45.0]})
        fake = SimpleNamespace(model=SimpleNamespace(data=SimpleNamespace(frame=data)),
                               fittedvalues=pd.Series([40.0, 40.0]), scale=100.0)
        out = bp.beyond_prediction(fake, far_above=2.0).set_index("urn")
        # school 1: residual 10, x sqrt(25 / 100) = 5 -> far above; school 2: residual 5 x sqrt(100/100) = 5 too
        assert out.loc["1", "pearson_residual"] == pytest.approx(5.0)
        assert out.loc["2", "pearson_residual"] == pytest.approx(5.0)
        assert out["far_above_prediction"].all()
        assert out.index.tolist() == ["1", "2"]  # tie on 5.0: URN order


class TestYears:
    def test_comparison_year(self):
        assert [cb.comparison_year(y) for y in (2012, 2013, 2014, 2015)] == [2012, 2013, 2013, 2015]

    def test_note_says_one_year_later(self):
        assert "1 year earlier" in cb.year_note(2014) and "2013/14" in cb.year_note(2014)
        assert "the year the report used" in cb.year_note(2013)


class TestReadKs4_5acem:
    def write(self, tmp_path, rows: list[dict]) -> str:
        cmap = pd.read_csv(paths.REFERENCE / "column_maps" / "ks4_5acem.csv")
        cols = cmap.loc[cmap["file_year"] == 2014, "dfe_column"].tolist() + ["PTAC5EM_PTQ_weighted"]
        frame = pd.DataFrame([{c: r.get(c, "") for c in cols} for r in rows])
        path = tmp_path / "ks4_5acem_2014.csv"
        frame.to_csv(path, index=False, encoding="cp1252")
        return path

    def test_numbers_blanks_codes(self, tmp_path):
        path = self.write(tmp_path, [
            {"RECTYPE": "LA", "LEA": "202.0", "LEA_NAME": "Camden", "REGION": "London"},
            {"RECTYPE": "SCH", "LEA": "202.0", "URN": "100053.0", "SCHNAME": "École Saint-Éloi", "REGION": "London",
             "TPUP": "176.0", "TFSMCLA": "97.0", "PTAC5EMFSM_PTQ": "43.0", "PTAC5EMLO_PTQ": "",
             "PTAC5EM_PTQ_weighted": "101.0"},
        ])
        out = read_ks4_5acem(path, year=2014)
        school = out[out["level"] == "school"].iloc[0]
        assert (school["urn"], school["la_code"], school["school_name"]) == ("100053", "202", "École Saint-Éloi")
        assert (school["pupils"], school["pct_5acem_disadvantaged"]) == (176.0, 43.0)
        assert school["pct_5acem_low_prior_status"] == "missing" and np.isnan(school["pct_5acem_low_prior"])
        assert "PTAC5EM_PTQ_weighted" not in out.columns and not any(c.endswith("_weighted") for c in out.columns)
        assert out["level"].tolist() == ["la", "school"]

    def test_unknown_rectype(self, tmp_path):
        path = self.write(tmp_path, [{"RECTYPE": "NAT", "LEA": "202.0", "REGION": "London"}])
        with pytest.raises(DataFormatError, match="RECTYPE"):
            read_ks4_5acem(path, year=2014)

    def test_no_column_map_for_year(self, tmp_path):
        path = self.write(tmp_path, [{"RECTYPE": "LA", "LEA": "202.0", "REGION": "London"}])
        with pytest.raises(DataFormatError, match="no column map for year 2010"):
            read_ks4_5acem(path, year=2010)


class TestEveryRegionAndReportYear:
    def test_every_region(self):
        regions = pd.DataFrame({"region": ["London", "North East"], "code_breakers": [40, 1]})
        assert cb.every_region(regions) == "every region"
        assert cb.every_region(regions.assign(code_breakers=[40, 0])) == "not every region (none in North East)"

    def test_report_year_is_the_documents(self):
        # documents.csv: the press release used KS4 2012/13 (data_year 2013), typed here from the report
        assert cb.comparison_year(2014) == 2013 and "2012/13" in cb.year_note(2014)
