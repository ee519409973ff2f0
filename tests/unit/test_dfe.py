import pandas as pd
import pytest

from analysis.load import _dfe


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
