"""Unit tests for analysis.schools on a hand-made full-schema KS4 file (answers worked out by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import data as load
from analysis import paths
from analysis.data import reference
from analysis.methods import published_schools, schools
from analysis.data import ks4_results
from analysis.methods import stats
from analysis.present import tables

META = pd.DataFrame({
    "Metafile heading": ["RECTYPE"],
    "Metafile description": ["Record type (1=mainstream school; 2=special school; 4=local authority; "
                             "5=National (all schools); 7=National (maintained schools))"],
})


def _row(rectype, urn="", la="999", name="", adm="COMP", nftype="CY", gender="MIXED", **values):
    """One raw CSV row: every column of the 2017 column map blank unless given (DfE names as keywords)."""
    cmap = pd.read_csv(paths.REFERENCE / "column_maps" / "ks4_school.csv", dtype=str)
    row = dict.fromkeys(cmap.loc[cmap["file_year"] == "2017", "dfe_column"], "")
    row.update(RECTYPE=str(rectype), URN=urn, LEA=la, SCHNAME=name, ADMPOL=adm, NFTYPE=nftype, EGENDER=gender)
    row.update({k: str(v) for k, v in values.items()})
    return row


def _school(urn, name, p8, n, dis, ndis, a8, a8dis, adm="COMP"):
    """p8/n/dis/ndis/a8/a8dis are (2017, 2016) pairs; dis = (P8, pupils) per year."""
    return _row(1, urn, name=name, adm=adm,
                P8MEA=p8[0], P8MEA_16=p8[1], P8PUP=n[0], P8PUP_16=n[1],
                P8MEA_FSM6CLA1A=dis[0][0], P8PUP_FSM6CLA1A=dis[0][1],
                P8MEA_FSM6CLA1A_16=dis[1][0], P8PUP_FSM6CLA1A_16=dis[1][1],
                P8MEA_NFSM6CLA1A=ndis[0], P8MEA_NFSM6CLA1A_16=ndis[1],
                ATT8SCR=a8[0], ATT8SCR_16=a8[1], ATT8SCR_FSM6CLA1A=a8dis[0], ATT8SCR_FSM6CLA1A_16=a8dis[1])


@pytest.fixture
def results(tmp_path):
    rows = [
        # A: beats the benchmark both years, strong on A8 and P8; the only file CI (0.50 ± 0.24, n=100).
        {**_school("100001", "Alpha School", (0.50, 0.40), (100, 90), ((0.35, 40), (0.20, 30)), (0.6, 0.5),
                   (55.0, 56.0), (45.0, 46.0)), "P8CILOW": "0.26", "P8CIUPP": "0.74"},
        # B: new URN (academy), no back-year figures; its predecessor 100002 holds 2016.
        _school("100003", "Beta Academy", (0.30, "NA"), (49, "NA"), ((0.15, 20), ("NA", "NA")), (0.4, "NA"),
                (44.0, "NA"), (40.0, "NA")),
        _school("100002", "Beta School", ("NE", 0.10), ("NE", 80), (("NE", "NE"), (0.12, 25)), ("NE", 0.1),
                ("NE", 47.0), ("NE", 41.0)),
        # C: disadvantaged P8 suppressed in 2017.
        _school("100004", "Gamma School", (0.05, 0.0), (60, 55), (("SUPP", "SUPP"), (0.50, 12)), (0.1, 0.0),
                (45.0, 46.0), ("SUPP", 44.0)),
        # D: selective, would qualify but is filtered out.
        _school("100005", "Delta Grammar", (0.60, 0.6), (20, 20), ((0.90, 10), (0.90, 10)), (0.6, 0.6),
                (70.0, 70.0), (65.0, 65.0), adm="SEL"),
        _row(4, la="999", P8MEA="0.30", P8PUP="250", P8MEA_16="0.2", P8PUP_16="240"),
        _row(5, la="", nftype="", adm="", gender="", P8MEA="-0.07"),  # national, all schools: a DfE file has it
        _row(7, la="", nftype="", adm="", gender="", P8MEA="-0.03", P8MEA_16="-0.03",
             P8MEA_NFSM6CLA1A="0.11", P8MEA_NFSM6CLA1A_16="0.10", P8MEA_FSM6CLA1A="-0.40",
             P8MEA_FSM6CLA1A_16="-0.38", ATT8SCR="46.3", ATT8SCR_16="49.9", ATT8SCR_FSM6CLA1A="37.0",
             ATT8SCR_FSM6CLA1A_16="41.1"),
    ]
    path = tmp_path / "999_ks4final.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    full = load.read_ks4_performance(path, year=2017, metadata=META).assign(source_id="test_file")
    spine = pd.DataFrame({"urn": ["100003"], "la_code": ["999"], "school_name": ["Beta Academy"],
                          "minor_group": ["Academy"], "school_type": ["Academy"], "admissions_policy":
                          ["Non-selective"], "gender": ["Mixed"], "other_urn": [pd.NA]})
    return ks4_results.combine_results(full, None, spine), spine


LINKS = pd.DataFrame({"urn": ["100003"], "linked_urn": ["100002"], "linked_name": ["Beta School"],
                      "link_type": ["Predecessor"], "link_date": [pd.NaT]})


@pytest.fixture
def panel(results):
    res, spine = results
    res = schools.add_confidence_intervals(res, stats.p8_sd(res))
    sel = schools.select_schools(res, la="999", year=2017)
    prev = schools.link_previous_year(sel, res, LINKS, spine, year=2017)
    return schools.school_panel(sel, res, prev, year=2017), res, prev


class TestNationalBenchmarks:
    def test_thresholds_from_state_funded_row(self, results):
        nat = schools.national_benchmarks(results[0], 2017).set_index(["year", "pupil_group"])
        assert nat.loc[(2017, "non_disadvantaged"), "p8"] == 0.11
        assert nat.loc[(2016, "non_disadvantaged"), "p8"] == 0.10

    def test_no_national_row_is_not_in_data(self, results):
        res = results[0]
        nat = schools.national_benchmarks(res[~res["is_state_funded_national"]], 2017)
        assert nat["p8"].isna().all() and (nat["p8_status"] == ks4_results.NOT_IN_DATA).all()


class TestConfidenceIntervals:
    def test_sd_backed_out_of_the_one_file_interval(self, results):
        sd = stats.p8_sd(results[0]).set_index("year")
        # half-width 0.24 at n=100: sigma = 0.24 * 10 / 1.96 = 1.2245
        assert sd.loc[2017, "sd"] == pytest.approx(1.224, abs=0.001)
        assert np.isnan(sd.loc[2016, "sd"])  # no interval for 2016 in the file

    def test_file_ci_kept_missing_ci_computed(self, panel):
        p = panel[0].set_index(["urn", "year", "pupil_group"])
        assert p.loc[("100001", 2017, "all"), "ci_source"] == "file"
        # B: 0.30 ± 1.96 * 1.2245 / sqrt(49) = 0.30 ± 0.3429 -> -0.04 to 0.64
        b = p.loc[("100003", 2017, "all")]
        assert (b["p8_ci_low"], b["p8_ci_high"], b["ci_source"]) == (-0.04, 0.64, "computed")
        assert p.loc[("100001", 2016, "all"), "ci_source"] == "none: no sigma"


class TestSelectSchools:
    def test_filters(self, results):
        sel = schools.select_schools(results[0], la="999", year=2017)
        # Delta (SEL) out; predecessor Beta School (2017 NE) stays as a school row of the year.
        assert sel["urn"].tolist() == ["100001", "100003", "100002", "100004"]
        assert "100005" in schools.select_schools(results[0], la="999", year=2017, admissions=None)["urn"].tolist()

    def test_bad_filter(self, results):
        with pytest.raises(reference.ParameterError, match="admissions"):
            schools.select_schools(results[0], la="999", year=2017, admissions="grammar")


class TestLinkPreviousYear:
    def test_predecessor_found(self, panel):
        prev = panel[2].set_index("urn")
        assert prev.loc["100003", "previous_urn"] == "100002"
        assert prev.loc["100001", "link"] == "same URN"

    def test_several_predecessors_not_combined(self, results):
        res, spine = results
        links = pd.concat([LINKS, LINKS.assign(linked_urn="100004")])
        sel = schools.select_schools(res, la="999", year=2017).query("urn == '100003'")
        prev = schools.link_previous_year(sel, res, links, spine, year=2017)
        assert prev["previous_urn"].isna().all() and "several" in prev["link"].item()


class TestPanel:
    def test_suppressed_shown_with_code(self, panel):
        shown = tables.show_panel(panel[0]).set_index(["urn", "year", "pupil_group"])
        assert shown.loc[("100004", 2017, "disadvantaged"), "p8"] == "SUPP"
        assert shown.loc[("100003", 2016, "disadvantaged"), "p8"] == "0.12"  # from predecessor 100002


class TestBeatingBenchmark:
    def test_both_years(self, panel, results):
        nat = schools.national_benchmarks(results[0], 2017)
        out = schools.beating_benchmark(panel[0], nat, year=2017)
        # A: 0.35 > 0.11 and 0.20 > 0.10; B: 0.15 > 0.11 and (predecessor) 0.12 > 0.10; C: 2017 SUPP.
        assert out["urn"].tolist() == ["100001", "100003"]
        assert out["benchmark_2017"].tolist() == [0.11, 0.11]

    def test_min_pupils_and_tie(self, panel, results):
        nat = schools.national_benchmarks(results[0], 2017)
        # min 25 pupils: B has 20 disadvantaged P8 pupils in 2017 -> out; A (40, 30) stays.
        assert schools.beating_benchmark(panel[0], nat, year=2017, min_pupils=25)["urn"].tolist() == ["100001"]
        tie = nat.assign(p8=np.where(nat["pupil_group"] == "non_disadvantaged", 0.35, nat["p8"]))
        assert schools.beating_benchmark(panel[0], tie, year=2017).empty  # A's 0.35 equals 0.35: not above

    def test_no_split_gives_empty(self, panel, results):
        nat = schools.national_benchmarks(results[0].iloc[0:0], 2017)
        assert schools.beating_benchmark(panel[0], nat, year=2017).empty


class TestAttainmentAndProgress:
    def test_only_alpha(self, panel, results):
        nat = schools.national_benchmarks(results[0], 2017)
        # A: 55>46.3, 0.50>-0.03, 45>37.0, 0.35>-0.40. B: A8 44.0 < 46.3. C: disadvantaged SUPP.
        assert schools.attainment_and_progress(panel[0], nat, year=2017)["urn"].tolist() == ["100001"]


class TestReconcileLa:
    def test_gap_and_implied_p8(self, results):
        rec = schools.reconcile_la(results[0], la="999", year=2017).set_index("pupil_group").loc["all"]
        # schools with P8 and pupils: A 0.50*100, B 0.30*49, C 0.05*60, D 0.60*20 -> 79.7 over 229 pupils
        assert rec["school_pupils"] == 229
        assert rec["recomputed_p8"] == pytest.approx(79.7 / 229, abs=1e-4)
        # gap 250-229 = 21; implied (0.30*250 - 79.7)/21 = -4.7/21 = -0.2238
        assert rec["pupil_gap"] == 21
        assert rec["implied_missing_p8"] == pytest.approx(-0.224, abs=1e-3)


class TestNames:
    def test_normalise(self):
        assert published_schools.normalise_name("St. Mary’s  C of E School") == published_schools.normalise_name("st marys c of e school")

    def test_ambiguous_containment_is_no_match(self):
        cands = pd.DataFrame({"urn": ["1", "2"], "school_name": ["Holy Trinity School", "Holy Trinity School Annex"]})
        out = published_schools.match_names(["Holy Trinity School", "Holy Trinity"], cands)
        assert out["urn"].tolist()[0] == "1"  # exact match wins
        assert pd.isna(out["urn"].tolist()[1])  # contained in both: ambiguous


class TestNationalBenchmarkFallbacks:
    """No fixture: hand-made frames. The LA's own national row, then another full-schema file's, then LAIT."""

    @staticmethod
    def _results(value):
        return pd.DataFrame({"year": [2017], "is_state_funded_national": [value is not None],
                             "p8_non_disadvantaged": [value if value is not None else np.nan],
                             "p8_non_disadvantaged_status": ["reported" if value is not None else "missing"]})

    def test_order_of_sources(self):
        lait = pd.DataFrame({"la_code": ["970", "970"], "year": [2017, 2016], "indicator": "NonDAP_KS4_Prog8",
                             "value": [0.11, 0.10], "status": "reported"})
        other = self._results(0.12)
        own = schools.national_benchmarks(self._results(0.13), 2017, full_schema=other, lait=lait)
        own = own.set_index(["year", "pupil_group"])
        assert own.loc[(2017, "non_disadvantaged"), "p8"] == 0.13  # the LA's own file
        assert own.loc[(2016, "non_disadvantaged"), "p8"] == 0.10  # no file row for 2016: LAIT
        fallback = schools.national_benchmarks(self._results(None), 2017, full_schema=other, lait=lait)
        row = fallback.set_index(["year", "pupil_group"]).loc[(2017, "non_disadvantaged")]
        assert (row["p8"], row["p8_source"].startswith("DfE performance tables")) == (0.12, True)
        lait_only = schools.national_benchmarks(self._results(None), 2017, lait=lait)
        assert lait_only.set_index(["year", "pupil_group"]).loc[(2017, "non_disadvantaged"), "p8_source"] == \
            "LAIT England row"
