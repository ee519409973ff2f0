"""analysis.schools on the real files: values checked by eye in the raw files and against BEP's note."""

from __future__ import annotations

import pytest

from analysis import data as load
from analysis.methods import published_schools, schools
from analysis.data import coverage, ks4_results
from analysis.methods import stats

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def waltham_forest():
    res = ks4_results.read_results(2017, "320")
    res = schools.add_confidence_intervals(res, stats.p8_sd(res))
    sel = schools.select_schools(res, la="320", year=2017)
    prev = schools.link_previous_year(sel, res, load.read_gias_links(), load.read_school_spine(), year=2017)
    return res, schools.school_panel(sel, res, prev, year=2017)


def test_registry_years_and_las():
    assert 2017 in coverage.school_ks4_years()
    assert {"320", "330"} <= set(coverage.school_ks4_las()["la_code"])


def test_national_benchmarks_match_bep_table_4(waltham_forest):
    nat = schools.national_benchmarks(waltham_forest[0], 2017).set_index(["year", "pupil_group"])
    assert nat.loc[(2017, "non_disadvantaged"), "p8"] == 0.11  # BEP table 4: 0.11
    assert nat.loc[(2016, "non_disadvantaged"), "p8"] == 0.10  # BEP table 4: 0.10


def test_file_intervals_reproduced_by_dfe_method(waltham_forest):
    sd = stats.p8_sd(waltham_forest[0]).set_index("year")
    assert (sd["max_abs_error"] <= 0.0101).all()


def test_waltham_forest_qualifiers(waltham_forest):
    res, panel = waltham_forest
    out = schools.beating_benchmark(panel, schools.national_benchmarks(res, 2017), year=2017)
    # raw file, George Mitchell School (URN 103096): P8MEA_FSM6CLA1A 0.35, _16 0.48
    assert out["school_name"].tolist() == ["George Mitchell School", "Kelmscott School"]


def test_waltham_forest_la_row(waltham_forest):
    rec = schools.reconcile_la(waltham_forest[0], la="320", year=2017).set_index("pupil_group")
    assert rec.loc["all", "la_p8_file"] == 0.14 and rec.loc["all", "la_pupils_file"] == 2264
    assert rec.loc["all", "pupil_gap"] > 0


def test_birmingham_all_pupil_figures_from_trimmed_files():
    res = ks4_results.read_results(2017, "330")
    assert not ks4_results.data_availability(2017, "330")["full_analysis"].any()
    sel = schools.select_schools(res, la="330", year=2017)
    prev = schools.link_previous_year(sel, res, load.read_gias_links(), load.read_school_spine(), year=2017)
    panel = schools.school_panel(sel, res, prev, year=2017)
    pub = published_schools.published_school_figures(panel, res, la="330", year=2017).set_index(["printed_name", "finding_id"])
    assert pub.loc[("Rockwood Academy", "school_p8_all"), "reproduced"] == 0.81
    assert pub.loc[("Queensbridge School", "school_p8_all"), "reproduced"] == 0.43
    assert pub.loc[("Al-Hijrah School", "school_p8_all"), "reproduced"] == 0.42  # final file; 0.43 revised
    assert (pub.xs("school_p8_disadvantaged", level="finding_id")["basis"] == "published only").all()
