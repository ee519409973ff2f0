"""Opportunity-area analogue on the real files: facts checked by eye in the raw data."""

import pytest

from analysis import data as load
from analysis.data import coverage
from analysis.methods import opportunity_areas as oa
from analysis.methods import stats

pytestmark = pytest.mark.data


def test_p8_sd_from_the_full_schema_cis():
    by_year = stats.p8_sd(load.read_full_schema_files()).set_index("year")["sd"]
    # implied SDs cluster tightly: about 1.06 in 2016, 1.23 in 2017 (new 9-1 grades); an independent route
    # (median of half-width * sqrt(n) / 1.96 over the school rows of the four files) gives 1.059 and 1.229
    assert by_year[2016] == pytest.approx(1.06, abs=0.02)
    assert by_year[2017] == pytest.approx(1.23, abs=0.02)


def test_west_somerset_college_mapped_by_ward():
    mapping = oa.school_districts(["136791"], load.read_gias_schools(), load.read_gias_links()).iloc[0]
    assert (mapping["area_id"], mapping["ward"], mapping["mapped_by"]) == ("west_somerset", "Alcombe", "2022 ward")


def test_ward_table_names_exist_in_gias():
    gias = load.read_gias_schools()
    wards = set(gias.loc[gias["district"] == "Somerset West and Taunton", "ward"])
    listed = set(oa.ward_map()["ward_2022"])
    # every listed ward with a school is in the extract (Carhampton & Withycombe has no school in it)
    assert listed - wards <= {"Carhampton & Withycombe"}


def test_blackpool_2017_lait_gap():
    from analysis.data import reference
    from analysis.methods import progress8
    p8 = progress8.select_measure(load.read_lait(indicators=list(reference.indicator_codes("p8").values())))
    sd = stats.sd_by_year(stats.p8_sd(load.read_full_schema_files(2017)), [2017])
    out = oa.la_gaps(p8, sd, months_per_sd=10).set_index(["year", "area_id"])
    # LAIT: Blackpool disadvantaged -0.83, England non-disadvantaged 0.11 -> 0.94
    assert out.loc[(2017, "blackpool"), "gap_disadvantaged_p8"] == pytest.approx(0.94)


def test_available_years_from_2016():
    years = coverage.opportunity_area_years()
    assert years[0] == 2016 and 2020 in years
