"""Families of Schools on the real files: loaders against values read by eye, Birmingham 2016 families."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import data as load
from analysis.data import coverage, primary_las, sources
from analysis.methods import families

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def ks2():
    return load.read_ks2_trimmed(year=2016)


@pytest.fixture(scope="module")
def birmingham():
    schools = families.intake_measures(load.read_primary_schools(2016, la="330"))
    return schools, *families.build_families(schools, n_families=22, k=10)


class TestReadKs2Trimmed:
    def test_first_row_as_in_file(self, ks2):
        # file row 2: 100000,28,16,12,2.7,106,93%,18%,,,2.2,106,96%,18%,,,3,106,100%,18%,,,89%,7%,2016
        row = ks2.set_index("urn").loc["100000"]
        assert (row["ks2_pupils"], row["read_progress"], row["read_meet_pct"], row["mat_meet_pct"],
                row["rwm_meet_pct"]) == (28, 2.7, 93, 100, 89)

    def test_lowcov_kept_as_status(self, ks2):
        # grep -c: 7 LOWCOV in Reading Progress, 10 in Maths Progress; 16,162 schools
        assert len(ks2) == 16162
        assert (ks2["read_progress_status"] == "LOWCOV").sum() == 7
        assert (ks2["mat_progress_status"] == "LOWCOV").sum() == 10


class TestReadCensus:
    def test_school_and_national_rows(self):
        census = load.read_census(year=2017)
        school = census.set_index("urn").loc["100000"]  # 100000,201,3614,276,...,59.3,...,21.1
        assert (school["pupils"], school["eal_pct"], school["fsm_ever6_pct"]) == (276, 59.3, 21.1)
        nat = census[census["level"] == "national"].set_index("phase")
        assert nat.loc["PRI", "fsm_ever6_pct"] == 24.9 and nat.loc["SEC", "fsm_ever6_pct"] == 29.1
        assert census.set_index("urn").loc["100001", "fsm_ever6_pct_status"] == "NP"


class TestReadAbsence:
    def test_values_and_codes(self):
        absence = load.read_absence(year=2016)
        assert absence.set_index("urn").loc["100000", "absence_pct"] == 2.5  # 201,3614,100000,2.5,2.8
        nat = absence[absence["level"] == "national"].set_index("phase")
        assert nat["absence_pct"].to_dict() == {"PRI": 4.0, "SEC": 5.4, "SPE": 9.7}
        assert (absence["persistent_absence_pct_status"] == "SUPP").sum() == 1001


class TestRunnerContract:
    def test_years_and_las(self):
        assert 2016 in coverage.ks2_years()
        las = coverage.ks2_las(2016).set_index("la_code")["la_name"]
        assert las["330"] == "Birmingham" and "320" in las.index


class TestBirmingham2016:
    def test_every_mainstream_school_with_results_in_22_families(self, birmingham):
        # Independently of the library: the census CSV's LA column (330), the KS2 CSV's "Meet Std" columns (any
        # reported), special schools by DfE's establishment number 7000-7999 (census ESTAB)
        census = pd.read_csv(sources.path("census_2017"), dtype=str, encoding="utf-8-sig")
        brum = census[(census["LA"] == "330") & ~census["ESTAB"].str.startswith("7")]
        raw = pd.read_csv(sources.path("ks2_trimmed_2016"), dtype=str)
        meet = [c for c in raw.columns if c.endswith("Meet Std")]
        with_results = set(raw.loc[raw[meet].notna().any(axis=1) & raw["URN"].isin(brum["URN"]), "URN"])
        schools, table, _, _ = birmingham
        assert set(table["urn"]) == with_results and table["family"].notna().all()
        sizes = table["family"].value_counts()
        assert len(sizes) == 22 and sizes.max() - sizes.min() <= 1

    def test_schools_the_spine_lacks_are_kept(self, birmingham):
        # the 7 Birmingham mainstream primaries (closed or converted before the c.2019 spine's snapshot)
        schools, table, _, _ = birmingham
        assert {"103325", "138371", "103264", "103369", "103153", "130944", "103177"} <= set(table["urn"])
        assert (schools.set_index("urn").loc["103325", "la_source"]).startswith("census")

    def test_excluded_schools_each_have_a_reason(self):
        out = primary_las.read_primary_exclusions(2016, la="330")
        # the audit's 3 special schools missing from the spine are listed as special, by their census ESTAB 70xx
        special = set(out.loc[out["reason"].str.startswith("special"), "urn"])
        assert {"103610", "103618", "103624"} <= special
        assert out["reason"].str.len().gt(10).all() and not out["urn"].duplicated().any()

    def test_writing_columns_are_the_gps_test(self, ks2):
        # 344 of 15,132 schools with every "Meet Std" reported have combined RWM above their "Writing" %:
        # impossible for writing, so the column is the GPS test (/tmp/audit q3)
        full = ks2.dropna(subset=["read_meet_pct", "gps_meet_pct", "mat_meet_pct", "rwm_meet_pct"])
        assert len(full) == 15132 and (full["rwm_meet_pct"] > full["gps_meet_pct"]).sum() == 344
        assert "writ_meet_pct" not in ks2.columns

    def test_weights_renormalised_without_idaci_and_mobility(self, birmingham):
        _, _, _, w = birmingham
        used = w.set_index("factor")["weight_used"]
        assert used["mobility"] == 0 and used["prior_attainment"] == pytest.approx(0.66 / 0.96)

    def test_families_rise_with_prior_attainment(self, birmingham):
        _, table, _, _ = birmingham
        means = table.groupby("family")["prior_attainment"].mean()
        assert means.iloc[-1] > means.iloc[0]
        assert pd.Series(means.to_numpy()).corr(pd.Series(range(22)), method="spearman") > 0.9
