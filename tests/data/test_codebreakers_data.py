"""Checks on the real KS4 2013/14 5ACEM file (data/raw/ks4_5acem_2014.csv): facts visible in the raw file."""

from __future__ import annotations

import pytest

from analysis.methods import codebreakers as cb
from analysis.methods import half_gap as hg
from analysis import data as load
from analysis.data import coverage

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def tidy():
    return load.read_ks4_5acem(year=2014)


def test_years():
    assert 2014 in coverage.ks4_5acem_years()


def test_row_counts(tidy):
    # 3,431 SCH rows and 152 LA rows in the file; 174 schools appear twice, verbatim
    assert (tidy["level"] == "school").sum() == 3431 and (tidy["level"] == "la").sum() == 152
    schools = cb.school_rows(tidy)
    assert len(schools) == 3431 - 174 and schools["urn"].is_unique


def test_first_school_read_as_in_file(tidy):
    # Row 3 of the file: Acland Burghley School, URN 100053, Camden (202): TPUP 176, TFSMCLA 97,
    # PTAC5EM_PTQ 57.0, PTAC5EMFSM_PTQ 43.0, PTAC5EMNFSM_PTQ 75.0, KS2APS 28.4
    row = tidy.set_index("urn").loc["100053"]
    assert row["la_code"] == "202" and row["region"] == "London"
    assert (row["pupils"], row["pupils_disadvantaged"], row["ks2_aps"]) == (176, 97, 28.4)
    assert (row["pct_5acem_all"], row["pct_5acem_disadvantaged"], row["pct_5acem_other"]) == (57, 43, 75)


def test_deduplicated_schools_never_exceed_their_la_row(tidy):
    # LA rows count every state-funded school (incl. special schools not in this file), so the mainstream
    # schools' pupils can be fewer but never more; counting the repeated rows twice breaks this.
    schools = cb.school_rows(tidy)
    la = tidy[tidy["level"] == "la"].set_index("la_code")["pupils"]
    summed = schools.groupby("la_code")["pupils"].sum()
    assert (summed <= la.reindex(summed.index)).all()


def test_national_rates_near_the_report(tidy):
    nat = cb.national_rates(cb.school_rows(tidy)).set_index("pupil_group")["pct_5acem"]
    # "only two out of five" disadvantaged; other pupils around two thirds (a year later, 2013/14)
    assert 35 <= nat["disadvantaged"] <= 45
    assert 60 <= nat["other"] <= 75
    assert nat["disadvantaged"] < nat["all"] < nat["other"]


def test_weighted_columns_not_used(tidy):
    assert not any(c.endswith("_weighted") for c in tidy.columns)
