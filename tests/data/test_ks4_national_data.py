"""Data tests: the synthetic national KS4 file built from the real 2016/17 per-LA files, and the loader on it."""

import csv

import numpy as np
import pandas as pd
import pytest

from analysis import data as load
from analysis.data import sources, synthetic
from analysis.data.dfe import read_text_table

pytestmark = [pytest.mark.data, pytest.mark.usefixtures("raw_data_present")]

N_SCHOOLS = 5_400


def _header(path):
    # The csv module, not the loaders: utf-8-sig reads both the BOM and the BOM-less real files.
    with open(path, encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f))


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    path = synthetic.write_national_ks4(tmp_path_factory.mktemp("ks4") / "national.csv", n_schools=N_SCHOOLS)
    return path, read_text_table(path)


@pytest.fixture(scope="module")
def n_las():
    return len(synthetic.real_la_codes(2017))


class TestSyntheticNationalFile:
    def test_header_is_the_real_2017_header(self, national):
        path, _ = national
        for source in sources.find("ks4_school_full", 2017):
            real = _header(sources.path(source.id))
            assert len(real) == 416 and _header(path) == real

    def test_row_counts(self, national, n_las):
        _, raw = national
        counts = raw["RECTYPE"].value_counts()
        # every school row is one of N_SCHOOLS draws; spread evenly, every LA gets one (5,400 > LAs) and one LA row
        assert counts["1"] + counts["2"] == N_SCHOOLS and counts["4"] == n_las
        assert counts["5"] == 1 and counts["7"] == 1 and len(raw) == N_SCHOOLS + n_las + 2
        assert set(counts.index) <= {"1", "2", "4", "5", "7"}

    def test_2016_17_las_from_lait(self, n_las):
        codes = synthetic.real_la_codes(2017)
        # LAIT, Progress 8 2017: 151 LAs with a figure; City of London (201) and the LAs created later
        # (838 Dorset, 940 North Northamptonshire ...) show '-'
        assert n_las == 151 and "330" in codes
        assert "201" not in codes and "838" not in codes and "940" not in codes

    def test_unique_urns_and_real_rectypes(self, national):
        _, raw = national
        schools = raw[raw["RECTYPE"].isin(["1", "2"])]
        assert schools["URN"].is_unique and schools["URN"].str.fullmatch(r"9\d{5}").all()
        assert not schools.duplicated(["LEA", "ESTAB"]).any()

    def test_deterministic_for_a_seed_different_for_another(self):
        one = synthetic.national_ks4(300, seed=3)
        assert one.equals(synthetic.national_ks4(300, seed=3))
        assert not one.equals(synthetic.national_ks4(300, seed=4))

    def test_national_rows_are_the_real_ones(self, national):
        _, raw = national
        real = read_text_table(sources.path(sources.find("ks4_school_full", 2017)[0].id))
        expected = real[real["RECTYPE"].isin(["5", "7"])].reset_index(drop=True)
        assert raw.iloc[-2:].reset_index(drop=True).equals(expected)


@pytest.fixture(scope="module")
def tidy(national):
    path, _ = national
    # The year's metadata passed explicitly: the loader then does not cache this temporary file's table in
    # data/processed.
    metadata = read_text_table(sources.path(sources.one("ks4_school_full_meta", 2017).id))
    return load.read_ks4_performance(path, year=2017, metadata=metadata)


class TestLoaderOnNationalFile:
    def test_two_rows_per_record(self, tidy, national, n_las):
        _, raw = national
        # every record gives a 2017 row and a back-year 2016 row
        assert len(tidy) == 2 * len(raw)
        assert (tidy["year"] == 2017).sum() == len(raw) and (tidy["year"] == 2016).sum() == len(raw)
        levels = tidy["level"].value_counts()
        assert levels["school"] == 2 * N_SCHOOLS and levels["la"] == 2 * n_las and levels["national"] == 4

    def test_p8_values_and_markers_as_in_the_file(self, tidy, national):
        _, raw = national
        now = tidy[tidy["year"] == 2017].reset_index(drop=True)  # 2017 rows are in file order
        assert now["urn"].fillna("").tolist() == raw["URN"].tolist()
        number = pd.to_numeric(raw["P8MEA_FSM6CLA1A"], errors="coerce")
        assert np.array_equal(now["p8_disadvantaged"].to_numpy(), number.to_numpy(), equal_nan=True)
        supp = raw["P8MEA_FSM6CLA1A"] == "SUPP"
        assert supp.any() and (now.loc[supp, "p8_disadvantaged_status"] == "SUPP").all()
        blank = raw["P8MEA_FSM6CLA1A"] == ""
        assert (now.loc[blank, "p8_disadvantaged_status"] == "missing").all()
