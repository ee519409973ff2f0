"""synthetic.national_ks4 on small hand-made 'real' tables (the real files are tested in tests/data)."""

import pandas as pd
import pytest

from analysis.data import synthetic
from analysis.errors import DataFormatError
from analysis.data.dfe import read_text_table
from analysis.errors import ParameterError

COLUMNS = ["RECTYPE", "LEA", "ESTAB", "URN", "SCHNAME", "P8MEA", "PTFSM6CLA1A"]


def _table(rows):
    return pd.DataFrame(rows, columns=COLUMNS, dtype=str)


NATIONAL = [["5", "", "", "", "", "", "27%"], ["7", "", "", "", "", "-0.03", "29%"]]
#: Two 'files' of one schema: three schools (ESTAB ranges 4, 7, 5), two LA rows, the same two national rows.
FILE_A = _table([
    ["1", "320", "4001", "100001", "School A", "0.5", "40%"],
    ["4", "320", "", "", "", "0.1", "38%"],
    ["2", "320", "7001", "100002", "Special B", "SUPP", "NP"],
    *NATIONAL,
])
FILE_B = _table([
    ["1", "815", "5001", "100003", "School, C", "NE", ""],
    ["4", "815", "", "", "", "0.2", "12%"],
    *NATIONAL,
])
TABLES = [FILE_A, FILE_B]
LAS = ["203", "201", "202"]


def build(n=10, seed=1, las=LAS, tables=TABLES):
    return synthetic.national_ks4(n, seed=seed, la_codes=las, tables=tables)


class TestNationalKs4:
    def test_row_counts_by_record_type(self):
        table = build(10)
        # 10 schools; 10 >= 3 LAs, so every LA gets a school and one LA row; plus the 2 national rows: 15
        assert len(table) == 10 + 3 + 2
        counts = table["RECTYPE"].value_counts()
        assert counts["1"] + counts["2"] == 10 and counts["4"] == 3 and counts["5"] == 1 and counts["7"] == 1

    def test_fewer_schools_than_las_gives_la_rows_only_where_there_are_schools(self):
        table = build(2)
        # 2 schools in (at most) 2 LAs -> 2 LA rows; + 2 national rows = 6
        assert len(table) == 2 + 2 + 2
        schools = table[table["RECTYPE"].isin(["1", "2"])]
        assert set(table.loc[table["RECTYPE"] == "4", "LEA"]) == set(schools["LEA"])

    def test_header_and_every_cell_a_string(self):
        table = build()
        assert list(table.columns) == COLUMNS
        assert all(isinstance(v, str) for col in table.columns for v in table[col])

    def test_schools_spread_evenly_over_the_given_las(self):
        table = build(10)
        per_la = table[table["RECTYPE"].isin(["1", "2"])].groupby("LEA").size()
        # 10 schools over 3 LAs: 3, 3 and 4 in some order
        assert sorted(per_la.tolist()) == [3, 3, 4] and set(per_la.index) == set(LAS)

    def test_urns_unique_synthetic_range_and_blank_off_school_rows(self):
        table = build(50)
        schools = table[table["RECTYPE"].isin(["1", "2"])]
        urns = schools["URN"].astype(int)
        assert urns.is_unique and urns.between(900_000, 999_999).all()
        assert (table.loc[~table["RECTYPE"].isin(["1", "2"]), "URN"] == "").all()

    def test_estab_keeps_its_type_digit_and_is_unique_within_la(self):
        table = build(50)
        schools = table[table["RECTYPE"].isin(["1", "2"])]
        first_digit = {"School A": "4", "Special B": "7", "School, C": "5"}
        assert (schools["ESTAB"].str[0] == schools["SCHNAME"].map(first_digit)).all()
        assert (schools["ESTAB"].str.len() == 4).all()
        assert not schools.duplicated(["LEA", "ESTAB"]).any()

    def test_each_row_is_a_real_row_apart_from_identifiers(self):
        table = build(30)
        real = pd.concat(TABLES)
        keep = ["RECTYPE", "SCHNAME", "P8MEA", "PTFSM6CLA1A"]
        real_rows = set(real[keep].itertuples(index=False, name=None))
        assert set(table[keep].itertuples(index=False, name=None)) <= real_rows
        # and the suppression markers travel with their rows
        assert (table.loc[table["SCHNAME"] == "Special B", "P8MEA"] == "SUPP").all()

    def test_order_by_la_with_la_row_after_its_schools_national_rows_last(self):
        table = build(12)
        assert table.iloc[-2:].values.tolist() == NATIONAL
        body = table.iloc[:-2]
        assert body["LEA"].tolist() == sorted(body["LEA"])
        for _, rows in body.groupby("LEA"):
            assert rows["RECTYPE"].tolist()[-1] == "4" and (rows["RECTYPE"].iloc[:-1] != "4").all()

    def test_deterministic_for_a_seed_different_for_another(self):
        assert build(seed=7).equals(build(seed=7))
        assert not build(seed=7).equals(build(seed=8))

    def test_headers_that_differ_are_an_error(self):
        other = FILE_B.rename(columns={"P8MEA": "P8MEA_X"})
        with pytest.raises(DataFormatError, match=r"tables\[1\]: header differs"):
            build(tables=[FILE_A, other])

    @pytest.mark.parametrize("kwargs, match", [
        (dict(n=0), "n_schools: 0 is outside"),
        (dict(n=100_001), "n_schools: 100001 is outside"),
        (dict(las=["201", "201"]), "la_codes: expected distinct"),
        (dict(n=2001, las=["201", "202"]), "at most 1000 per LA"),
    ])
    def test_bad_parameters(self, kwargs, match):
        with pytest.raises(ParameterError, match=match):
            build(**kwargs)


class TestWriteNationalKs4:
    def test_same_bytes_twice_and_reads_back_as_written(self, tmp_path):
        first = synthetic.write_national_ks4(tmp_path / "a.csv", n_schools=20, la_codes=LAS, tables=TABLES)
        second = synthetic.write_national_ks4(tmp_path / "b.csv", n_schools=20, la_codes=LAS, tables=TABLES)
        assert first.read_bytes() == second.read_bytes()
        back = read_text_table(first)
        expected = build(20)
        assert back.values.tolist() == expected.values.tolist() and list(back.columns) == COLUMNS
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]  # no temporary file left
