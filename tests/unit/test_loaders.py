import pandas as pd
import pytest

from analysis import load
from analysis.load import lait


class TestPeriodEndYear:
    @pytest.mark.parametrize(
        "period, year",
        [("2017", 2017), ("2016/17", 2017), ("2016-17", 2017), ("2014-16", 2016), ("2018 (Rev)", 2018),
         ("2013/14-15/16", 2016), ("1999/00", 2000), ("rubbish", None)],
    )
    def test_examples(self, period, year):
        assert lait.period_end_year(period)[0] == year


class TestReadLait:
    def test_tidy_rounded_and_status(self, tmp_path, monkeypatch):
        monkeypatch.setenv("COMPENDIUM_NO_CACHE", "1")
        raw = pd.DataFrame({
            "Short Desc": ["DAP_KS4_Prog8"] * 3,
            "Data item": [None] * 3,
            "Years": ["2017", "2020", "2017"],
            "LA and Regions": ["Birmingham", "Birmingham", "England"],
            "Values": ["-0.18000000000000002", "-", "-4.0000000000000001E-1"],
            "LA Number": [330.0, 330.0, 970.0],
            "Region": ["West Midlands", "West Midlands", "NA"],
        })
        raw.to_parquet(tmp_path / "l.parquet")
        dictionary = pd.DataFrame({"indicator": ["DAP_KS4_Prog8"], "dps": pd.array([2], dtype="Int64")})
        tidy = load.read_lait(tmp_path / "l.parquet", dictionary=dictionary)
        assert tidy["value"].tolist()[0] == -0.18 and tidy["value"].tolist()[2] == -0.4
        assert tidy["status"].tolist() == ["reported", "no_data", "reported"]
        assert tidy["area_type"].tolist() == ["la", "la", "england"]
        assert tidy["region"].tolist()[2] == "England"
        assert tidy["la_code"].tolist() == ["330", "330", "970"]

    def test_missing_column_is_named(self, tmp_path, monkeypatch):
        monkeypatch.setenv("COMPENDIUM_NO_CACHE", "1")
        pd.DataFrame({"Short Desc": ["x"]}).to_parquet(tmp_path / "bad.parquet")
        with pytest.raises(load.DataFormatError, match="bad.parquet: LAIT file lacks columns"):
            load.read_lait(tmp_path / "bad.parquet", dictionary=pd.DataFrame({"indicator": [], "dps": []}))


META = pd.DataFrame({
    "Metafile heading": ["RECTYPE"],
    "Metafile description": ["Record type (1=mainstream school; 2=special school; 4=local authority; "
                             "5=National (all schools); 7=National (maintained schools))"],
})


class TestDecodeRectype:
    def test_labels_with_brackets(self):
        assert load.decode_rectype(META) == {
            "1": "mainstream school", "2": "special school", "4": "local authority",
            "5": "National (all schools)", "7": "National (maintained schools)",
        }


class TestReadKs4Performance:
    def test_hand_made_file(self, tmp_path):
        cmap = pd.read_csv("data/reference/column_maps/ks4_school.csv", dtype=str)
        cols = cmap.loc[cmap["file_year"] == "2017", "dfe_column"].tolist()
        school = {c: "" for c in cols} | {"RECTYPE": "1", "LEA": "320", "URN": "100001", "SCHNAME": "A's School",
                                          "P8MEA": "0.25", "P8MEA_FSM6CLA1A": "SUPP", "P8MEA_16": "NE"}
        national = {c: "" for c in cols} | {"RECTYPE": "7", "P8MEA": "-0.03", "P8MEA_NFSM6CLA1A": "0.11"}
        pd.DataFrame([school, national]).to_csv(tmp_path / "f.csv", index=False)
        tidy = load.read_ks4_performance(tmp_path / "f.csv", year=2017, metadata=META)
        now = tidy[tidy["year"] == 2017].set_index("rectype")
        assert now.loc["1", "p8_all"] == 0.25 and now.loc["1", "p8_disadvantaged_status"] == "SUPP"
        assert now.loc["7", "level"] == "national" and bool(now.loc["7", "is_state_funded_national"])
        before = tidy[tidy["year"] == 2016].set_index("rectype")
        assert before.loc["1", "p8_all_status"] == "NE"
