import pandas as pd
import pytest

from analysis.data import dfe as _dfe


class TestSplitValueStatus:
    def test_numbers_codes_blanks(self):
        value, status = _dfe.split_value_status(pd.Series([" -0.14 ", "NE", "", "1,234", "LOWCOV", "-"]),
                                                file="f.csv", column="X")
        assert value.iloc[0] == -0.14 and value.iloc[3] == 1234.0
        assert value.isna().tolist() == [False, True, True, False, True, True]
        assert status.tolist() == ["reported", "NE", "missing", "reported", "LOWCOV", "no_data"]

    def test_unknown_marker_is_an_error_naming_file_and_column(self):
        with pytest.raises(_dfe.DataFormatError, match=r"f\.csv: column P8MEA .*'banana'"):
            _dfe.split_value_status(pd.Series(["0.1", "banana"]), file="f.csv", column="P8MEA")


class TestDetectEncoding:
    def test_bom_utf8_cp1252(self, tmp_path):
        (tmp_path / "a").write_bytes(b"\xef\xbb\xbfURN\n1\n")
        (tmp_path / "b").write_bytes("URN,NAME\n1,Caf\u00e9\n".encode())
        (tmp_path / "c").write_bytes("URN,NAME\n1,St Alban\u2019s\n".encode("cp1252"))
        assert [_dfe.detect_encoding(tmp_path / x) for x in "abc"] == ["utf-8-sig", "utf-8", "cp1252"]
        assert _dfe.read_text_table(tmp_path / "c")["NAME"].item() == "St Alban\u2019s"


class TestApplyColumnMap:
    def test_back_columns_become_previous_year_rows(self):
        raw = pd.DataFrame({"URN": ["1", "2"], "P8MEA": ["0.5", "SUPP"], "P8MEA_16": ["0.25", "NEW"]})
        cmap = pd.DataFrame({"dfe_column": ["URN", "P8MEA", "P8MEA_16"], "name": ["urn", "p8", "p8"],
                             "year_offset": [0, 0, -1], "kind": ["id", "number", "number"]})
        tidy = _dfe.apply_column_map(raw, cmap, file="f", year=2017)
        # 2 schools x 2 years; 2017 rows first
        assert tidy["year"].tolist() == [2017, 2017, 2016, 2016]
        assert tidy["urn"].tolist() == ["1", "2", "1", "2"]
        assert tidy["p8"].tolist()[0] == 0.5 and tidy["p8"].tolist()[2] == 0.25
        assert tidy["p8_status"].tolist() == ["reported", "SUPP", "reported", "NEW"]

    def test_missing_column_names_file_year_and_column(self):
        cmap = pd.DataFrame({"dfe_column": ["P8MEA"], "name": ["p8"], "year_offset": [0], "kind": ["number"]})
        with pytest.raises(_dfe.DataFormatError, match=r"f\.csv: columns P8MEA expected for year 2018"):
            _dfe.apply_column_map(pd.DataFrame({"URN": ["1"]}), cmap, file="f.csv", year=2018)


class TestSplitValueStatusKeepsIndexAndName:
    def test_index_and_name(self):
        value, status = _dfe.split_value_status(pd.Series(["1.5", "x"], index=[10, 20], name="P8MEA"),
                                                file="f.csv", column="P8MEA")
        assert value.index.tolist() == [10, 20] and status.index.tolist() == [10, 20]
        assert value.name == "P8MEA" and value.dtype == "float64" and status.dtype == "string"
        assert status.tolist() == ["reported", "x"]

    def test_empty_series(self):
        value, status = _dfe.split_value_status(pd.Series([], dtype=str), file="f.csv", column="X")
        assert len(value) == 0 and len(status) == 0


class TestSplitValueStatusColumns:
    def test_several_columns_same_rules_as_one(self):
        raw = pd.DataFrame({"A": [" 1,234 ", "SUPP", "", "56%"], "B": ["-0.5", "NE", "0.5", "LOWCOV"]})
        values, statuses = _dfe.split_value_status_columns(raw, ["A", "B"], file="f.csv")
        # A: 1,234 -> 1234; SUPP and '' have no value; 56% -> 56.  B: -0.5, NE, 0.5, LOWCOV
        assert values[0].tolist()[0] == 1234.0 and values[0].tolist()[3] == 56.0
        assert pd.isna(values[0][1]) and pd.isna(values[0][2])
        assert values[1].tolist()[0] == -0.5 and values[1].tolist()[2] == 0.5
        assert list(statuses[0]) == ["reported", "SUPP", "missing", "reported"]
        assert list(statuses[1]) == ["reported", "NE", "reported", "LOWCOV"]
        for name in ["A", "B"]:  # same answer as one column at a time
            one_value, one_status = _dfe.split_value_status(raw[name], file="f.csv", column=name)
            assert one_status.tolist() == list(statuses[["A", "B"].index(name)])

    def test_a_repeated_text_in_two_columns_is_parsed_once_but_placed_twice(self):
        raw = pd.DataFrame({"A": ["0.1", "SUPP"], "B": ["SUPP", "0.1"]})
        values, statuses = _dfe.split_value_status_columns(raw, ["A", "B"], file="f.csv")
        assert values[0][0] == 0.1 and values[1][1] == 0.1
        assert list(statuses[0]) == ["reported", "SUPP"] and list(statuses[1]) == ["SUPP", "reported"]

    def test_error_names_the_first_column_in_the_given_order(self):
        raw = pd.DataFrame({"A": ["1", "pear"], "B": ["banana", "kiwi"]})
        with pytest.raises(_dfe.DataFormatError, match=r"f\.csv: column B .*'banana', 'kiwi'\."):
            _dfe.split_value_status_columns(raw, ["B", "A"], file="f.csv")
        with pytest.raises(_dfe.DataFormatError, match=r"f\.csv: column A .*'pear'\."):
            _dfe.split_value_status_columns(raw, ["A", "B"], file="f.csv")

    def test_error_uses_the_given_column_labels(self):
        raw = pd.DataFrame({"cell": ["?"]})
        with pytest.raises(_dfe.DataFormatError, match=r"column P8MEA "):
            _dfe.split_value_status_columns(raw, ["cell"], file="f.csv", columns=["P8MEA"])

    def test_no_columns(self):
        assert _dfe.split_value_status_columns(pd.DataFrame({"A": ["1"]}), [], file="f.csv") == ([], [])


class TestReadTextTableColumns:
    def test_only_wanted_columns_matched_on_stripped_names(self, tmp_path):
        (tmp_path / "f.csv").write_bytes(" URN ,NAME,P8MEA,EXTRA\n100001,Caf\u00e9,SUPP,z\n".encode("cp1252"))
        table = _dfe.read_text_table(tmp_path / "f.csv", columns=["URN", "P8MEA", "NOT_THERE"])
        # file order, names stripped, absent names skipped (the caller says what is missing)
        assert list(table.columns) == ["URN", "P8MEA"]
        assert table.values.tolist() == [["100001", "SUPP"]]

    def test_blank_cells_stay_empty_strings(self, tmp_path):
        (tmp_path / "f.csv").write_text("A,B,C\n,NA,1\n")
        table = _dfe.read_text_table(tmp_path / "f.csv", columns=["A", "B"])
        assert table.values.tolist() == [["", "NA"]]


class TestReadMappedTableMissingColumn:
    def test_error_names_file_year_and_column(self, tmp_path):
        cmap = pd.read_csv("data/reference/column_maps/ks4_school_trimmed.csv", dtype=str)
        cols = cmap.loc[cmap["file_year"] == "2017", "dfe_column"].tolist()
        pd.DataFrame([{c: "1" for c in cols[1:]}]).to_csv(tmp_path / "f.csv", index=False)
        with pytest.raises(_dfe.DataFormatError, match=rf"f\.csv: columns {cols[0]} expected for year 2017"):
            _dfe.read_mapped_table("ks4_school_trimmed", "ks4_school_trimmed", 2017, tmp_path / "f.csv")
